import Dispatch
import LedgerLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Ledger {
    /// How many events a fold decodes before it applies them.
    static let foldBlockEvents = 4096

    /// How many events a catch-up folds per write transaction.
    var chunkEvents: UInt64 { UInt64(Swift.max(1, options.foldChunkEventsMax)) }

    /// Brings the stored state of `projection` up to the head, in write transactions of at
    /// most ``LedgerOptions/foldChunkEventsMax`` events, each committing state and checkpoint
    /// together. A stored state of another ``Projection/version`` is rebuilt from the first
    /// event. A ``PipelinedProjection`` folds each chunk while the previous one is written.
    ///
    /// - Returns: the checkpoint reached: the head.
    /// - Parameter progress: called after each committed chunk with the checkpoint reached.
    @discardableResult
    public func catchUp(_ projection: some Projection, progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        guard !isReadOnly else { throw LedgerError.readOnly(path: path) }
        let tables = try tables(for: projection)
        if let pipelined = projection as? any PipelinedProjection {
            return try catchUpInPipeline(pipelined, tables: tables, progress: progress)
        }
        while true {
            let (checkpoint, done) = try catchUpChunk(projection, tables: tables)
            progress?(checkpoint)
            if done { return checkpoint }
        }
    }

    /// Folds and stores the chunk after the stored checkpoint in one write transaction.
    /// Returns the checkpoint reached and whether it is the head.
    func catchUpChunk(_ projection: some Projection, tables: [String: Database]) throws -> (UInt64, Bool) {
        try environment.write { txn -> (UInt64, Bool) in
            let from = try startingPoint(of: projection, tables: tables, in: &txn)
            let head = try head(in: txn).position
            guard from < head else { return (from, true) }
            let through = Swift.min(head, from + chunkEvents)
            var store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
            try fold(projection, from: from + 1, through: through, into: &store, in: txn)
            try saveCheckpoint(through, of: projection, in: &txn)
            return (through, through == head)
        }
    }

    /// Empties the stored state of `projection` and folds the whole log again. A
    /// ``PipelinedProjection`` applies its first chunk while the old state is emptied.
    ///
    /// - Returns: the checkpoint reached: the head.
    /// - Parameter progress: called after each committed chunk with the checkpoint reached.
    @discardableResult
    public func rebuild(_ projection: some Projection, progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        guard !isReadOnly else { throw LedgerError.readOnly(path: path) }
        let tables = try tables(for: projection)
        if let pipelined = projection as? any PipelinedProjection {
            return try rebuildInPipeline(pipelined, tables: tables, progress: progress)
        }
        try emptyStoredState(of: projection, tables: tables)
        return try catchUp(projection, progress: progress)
    }

    /// Empties the stored state of `projection` and stores its checkpoint as 0, in one write
    /// transaction.
    func emptyStoredState(of projection: some Projection, tables: [String: Database]) throws {
        try environment.write { txn in
            for database in tables.values { try txn.removeAll(in: database) }
            try saveCheckpoint(0, of: projection, in: &txn)
        }
    }

    /// The position of the last event in the stored state of `projection`; 0 when it has
    /// none or was stored by another version.
    public func checkpoint(of projection: some Projection) throws -> UInt64 {
        try environment.read { txn in try storedCheckpoint(of: projection, in: txn) ?? 0 }
    }

    /// Lends the state of `projection` as of the log's head, in one read snapshot. When the
    /// stored state lags behind the head (or does not exist, or is of another version), the
    /// missing events are folded without writing to the ledger, so the state always reflects
    /// every event of the snapshot, and this works on a read-only ledger too: in memory when
    /// they are at most ``LedgerOptions/memoryCatchUpEventsMax``; else the whole log is folded
    /// into a scratch LMDB environment in ``LedgerOptions/temporaryDirectory``, private to its
    /// owner and removed afterwards, a chunk per transaction, so that memory stays bounded (it
    /// takes about as long as a rebuild).
    public func read<P: Projection, R>(_ projection: P, _ body: (borrowing ProjectionStore, ProjectionStatus) throws -> R) throws -> R {
        let tables = try? tables(for: projection)
        return try environment.read { txn in
            let head = try head(in: txn)
            let stored = tables == nil ? nil : try storedCheckpoint(of: projection, in: txn)
            let checkpoint = stored ?? 0
            let status = ProjectionStatus(checkpoint: checkpoint, head: head)
            if head.position > checkpoint, head.position - checkpoint > UInt64(Swift.max(0, options.memoryCatchUpEventsMax)) {
                return try withScratchFold(projection, through: head.position, in: txn) { scratchTxn, scratchTables in
                    try body(ProjectionStore(base: scratchTxn.handle, log: txn.handle, tables: scratchTables), status)
                }
            }
            var store = ProjectionStore(base: stored == nil ? nil : txn.handle, log: txn.handle, tables: tables ?? [:])
            if checkpoint < head.position {
                try fold(projection, from: checkpoint + 1, through: head.position, into: &store, in: txn)
            }
            return try body(store, status)
        }
    }

    /// Appends a batch and folds it into `projection` in one write transaction.
    ///
    /// Inside the transaction the projection first catches up with the log; `prepare` then
    /// sees its state (and so can check the new events against it, with no other writer able
    /// to interfere) and returns the batch to append, with anything else it wants to return.
    /// The new events are folded into the projection and its checkpoint moves to the new head,
    /// all in the same commit.
    public func append<P: Projection, Extra>(
        updating projection: P,
        _ prepare: (borrowing ProjectionStore) throws -> (batch: [StreamAppend], extra: Extra)
    ) throws -> (results: [AppendResult], extra: Extra, head: LedgerDigest) {
        guard !isReadOnly else { throw LedgerError.readOnly(path: path) }
        let tables = try tables(for: projection)
        let recordedAt = recordedAtNow()
        let outcome = try writeAppending { txn in
            let from = try startingPoint(of: projection, tables: tables, in: &txn)
            let before = try head(in: txn).position
            var store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
            if from < before { try fold(projection, from: from + 1, through: before, into: &store, in: txn) }
            store.lastKeys = (try txn.withLastKey(in: databases.eventIDs) { $0.withUnsafeBytes { Array($0) } } ?? [],
                              try txn.withLastKey(in: databases.streams) { $0.withUnsafeBytes { Array($0) } } ?? [])
            let (batch, extra) = try prepare(store)
            store.lastKeys = nil
            try Self.validate(batch)
            let results = try append(batch, recordedAtMicroseconds: recordedAt, in: &txn)
            let after = try head(in: txn)
            if before < after.position { try fold(projection, from: before + 1, through: after.position, into: &store, in: txn, committed: false) }
            try saveCheckpoint(after.position, of: projection, in: &txn)
            return (results, extra, after)
        }
        if outcome.0.contains(where: { $0.duplicates < $0.positions.count }) { signal.notify() }
        return outcome
    }

    // MARK: Machinery

    /// Folds the events from `from` through `through` into the projection's state in `store`.
    ///
    /// When they are at least ``LedgerOptions/readAheadEventsMin`` and `committed`, a second
    /// thread reads and decodes them while this one applies them (`foldReadingAhead`). Events
    /// appended by the open write transaction are not committed: no other transaction can read
    /// them.
    func fold<P: Projection, A>(
        _ projection: P, from: UInt64, through: UInt64, into store: inout ProjectionStore, in txn: borrowing Transaction<A>, committed: Bool = true
    ) throws {
        var batch = projection.makeBatch()
        try apply(projection, from: from, through: through, to: &batch, store: store, in: txn, committed: committed)
        try projection.flush(&batch, into: &store)
    }

    /// Applies the events from `from` through `through` to `batch`; the ``fold(_:from:through:into:in:committed:)``
    /// without the flush.
    func apply<P: Projection, A>(
        _ projection: P, from: UInt64, through: UInt64, to batch: inout P.Batch, store: borrowing ProjectionStore,
        in txn: borrowing Transaction<A>, committed: Bool = true
    ) throws {
        if committed && through >= from && through - from >= UInt64(Swift.max(1, options.readAheadEventsMin) - 1),
           try applyReadingAhead(projection, from: from, through: through, to: &batch, store: store) {
            return
        }
        var block: [P.Decoded] = []
        try decode(projection, from: from, through: through, in: txn, into: &block) { full in
            try projection.apply(full, to: &batch, store: store)
            full.removeAll(keepingCapacity: true)
        }
        try projection.apply(block, to: &batch, store: store)
    }

    /// The application of committed events with a second thread reading and decoding them, in a read
    /// transaction nested in the caller's (the log only grows, so it holds the same events),
    /// a few blocks ahead of this thread, which applies them.
    ///
    /// - Returns: `false`, having applied nothing, when the reading transaction could not begin:
    ///   every reader slot taken, or the map grown by another process since the caller's
    ///   transaction began (adopting the new size would wait for that transaction to end).
    private func applyReadingAhead<P: Projection>(
        _ projection: P, from: UInt64, through: UInt64, to batch: inout P.Batch, store: borrowing ProjectionStore
    ) throws -> Bool {
        let blocks = ReadAhead<P.Decoded>(blocksAhead: 8)
        DispatchQueue(label: "dossier-ledger.read-ahead").async { [self] in
            var begun = false
            blocks.end(Result {
                do {
                    try environment.readNested { reading in
                        begun = true
                        var block = blocks.emptyBlock()
                        try decode(projection, from: from, through: through, in: reading, into: &block) { full in
                            try blocks.put(full)
                            full = blocks.emptyBlock()
                        }
                        try blocks.put(block)
                    }
                } catch where !begun {
                    throw ReadingNotBegun()
                }
            })
        }
        defer { blocks.stop() }
        do {
            while let events = try blocks.next() {
                try projection.apply(events, to: &batch, store: store)
                blocks.recycle(events)
            }
        } catch is ReadingNotBegun {
            return false
        }
        return true
    }

    /// Decodes the events from `from` through `through` into `block`, handing it to `full`
    /// (which empties it) after every ``foldBlockEvents`` records; what is left at the end stays
    /// in `block`.
    ///
    /// - Throws: ``LedgerError/corruptRecord(position:reason:)`` when `txn` does not hold every
    ///   one of those events.
    private func decode<P: Projection, A>(
        _ projection: P, from: UInt64, through: UInt64, in txn: borrowing Transaction<A>,
        into block: inout [P.Decoded], full: (inout [P.Decoded]) throws -> Void
    ) throws {
        var next = from
        try scan(from: from, through: through, direction: .forward, types: nil, limit: .max, in: txn) { record in
            try projection.decode(record, into: &block)
            next += 1
            if (next - from) % UInt64(Self.foldBlockEvents) == 0 { try full(&block) }
        }
        guard next > through else {
            throw LedgerError.corruptRecord(
                position: through, reason: "the log holds \(next - from) of the \(through - from + 1) events from position \(from) that a fold was to read")
        }
    }

    /// Where a catch-up starts; clears a state stored by another version of the projection.
    private func startingPoint(of projection: some Projection, tables: [String: Database], in txn: inout WriteTransaction) throws -> UInt64 {
        if let checkpoint = try storedCheckpoint(of: projection, in: txn) { return checkpoint }
        for database in tables.values { try txn.removeAll(in: database) }
        try saveCheckpoint(0, of: projection, in: &txn)
        return 0
    }

    /// The stored checkpoint, or `nil` when there is none of this projection's version.
    func storedCheckpoint<A>(of projection: some Projection, in txn: borrowing Transaction<A>) throws -> UInt64? {
        let stored = try Keys.withText(Self.checkpointKey(projection)) { key in
            try txn.withValue(for: key, in: databases.meta) { value -> (UInt32, UInt64)? in
                guard value.byteCount == 12 else { return nil }
                return (UInt32(bigEndian: value.unsafeLoadUnaligned(as: UInt32.self)),
                        UInt64(bigEndian: value.unsafeLoadUnaligned(fromByteOffset: 4, as: UInt64.self)))
            }
        } ?? nil
        guard let stored, stored.0 == projection.version else { return nil }
        return stored.1
    }

    func saveCheckpoint(_ position: UInt64, of projection: some Projection, in txn: inout WriteTransaction) throws {
        var value = [UInt8]()
        withUnsafeBytes(of: projection.version.bigEndian) { value.append(contentsOf: $0) }
        withUnsafeBytes(of: position.bigEndian) { value.append(contentsOf: $0) }
        try Keys.withText(Self.checkpointKey(projection)) { key in
            try txn.put(value.span.bytes, for: key, in: databases.meta)
        }
    }

    private static func checkpointKey(_ projection: some Projection) -> String { "projection:" + projection.name }

    /// The projection's table handles, opening (on a writable ledger, creating) them on first use.
    /// On a writable ledger, tables of the projection's name that it no longer lists (left by an
    /// earlier version of it) are emptied, so that their pages are reused.
    func tables(for projection: some Projection) throws -> [String: Database] {
        if let known = projectionTables.withLock({ $0[projection.name] }) { return known }
        var tables: [String: Database] = [:]
        for table in projection.tables {
            tables[table] = try environment.database(named: projection.name + "." + table, create: !isReadOnly)
        }
        if !isReadOnly {
            let prefix = projection.name + "."
            for name in try environment.databaseNames() where name.hasPrefix(prefix) && tables[String(name.dropFirst(prefix.count))] == nil {
                let unused = try environment.database(named: name)
                guard try environment.read({ try $0.statistics(of: unused).entries }) > 0 else { continue }
                try environment.write { txn in try txn.removeAll(in: unused) }
            }
        }
        projectionTables.withLock { $0[projection.name] = tables }
        return tables
    }
}

extension Ledger {
    /// Compares the stored state of `projection` with a fresh fold of the log up to the stored
    /// checkpoint, in one read snapshot of the ledger; nothing in the ledger is written.
    ///
    /// The fresh fold goes into a scratch LMDB environment in
    /// ``LedgerOptions/temporaryDirectory``, committed chunk by chunk, and the two are then
    /// compared table by table with cursors, so memory stays bounded whatever the size of the log.
    ///
    /// - Returns: `nil` when they are equal (or nothing is stored), else the first difference:
    ///   the table and the key (as hexadecimal), never the values.
    public func compareWithRebuild(_ projection: some Projection) throws -> VerificationProblem? {
        guard let tables = try? tables(for: projection) else { return nil }
        return try environment.read { txn in
            guard let checkpoint = try storedCheckpoint(of: projection, in: txn) else { return nil }
            return try withScratchFold(projection, through: checkpoint, in: txn) { scratchTxn, scratchTables in
                for table in projection.tables.sorted() {
                    guard let stored = tables[table], let rebuilt = scratchTables[table] else { continue }
                    if let key = try firstDifference(txn, stored, scratchTxn, rebuilt) {
                        let hex = key.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
                        return VerificationProblem(
                            position: checkpoint,
                            reason: "projection \(projection.name): table \(table) differs from a rebuild at key \(hex)")
                    }
                }
                return nil
            }
        }
    }

    /// Folds the log's events up to `through` into a fresh LMDB environment in
    /// ``LedgerOptions/temporaryDirectory`` (private to the owner), committing a chunk at a time so that memory stays
    /// bounded, and lends a read transaction on it with the projection's tables there. The
    /// directory is removed afterwards, whatever happens.
    private func withScratchFold<R>(
        _ projection: some Projection, through: UInt64, in txn: borrowing ReadTransaction,
        _ body: (borrowing ReadTransaction, [String: Database]) throws -> R
    ) throws -> R {
        let scratchPath = (options.temporaryDirectory ?? temporaryDirectory()).replacing(/\/+$/, with: "") + "/ledger-fold-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard mkdir(scratchPath, 0o700) == 0 else { throw LedgerError.io(path: scratchPath, operation: "create directory", code: errno) }
        defer { removeScratch(scratchPath) }
        var scratchOptions = Environment.Options()
        scratchOptions.syncOnCommit = false
        let scratch = try Environment(path: scratchPath, options: scratchOptions)
        var scratchTables: [String: Database] = [:]
        for table in projection.tables { scratchTables[table] = try scratch.database(named: table, create: true) }
        /// Folds the chunk after `done` and stores it in one write transaction of the scratch
        /// environment; returns its last position.
        func foldInTurn(after done: UInt64) throws -> UInt64 {
            let last = Swift.min(through, done + chunkEvents)
            if done < last {
                try scratch.write { scratchTxn in
                    var fresh = ProjectionStore(base: scratchTxn.handle, log: txn.handle, tables: scratchTables)
                    try fold(projection, from: done + 1, through: last, into: &fresh, in: txn)
                }
            }
            return last
        }
        if let pipelined = projection as? any PipelinedProjection {
            try scratchFoldInPipeline(pipelined, through: through, scratch: scratch, tables: scratchTables, foldInTurn: foldInTurn)
        } else {
            var done: UInt64 = 0
            while done < through { done = try foldInTurn(after: done) }
        }
        return try scratch.read { scratchTxn in try body(scratchTxn, scratchTables) }
    }

    /// The first key at which two tables differ (in key or value), or `nil` when they are equal.
    private func firstDifference(_ left: borrowing ReadTransaction, _ leftTable: Database, _ right: borrowing ReadTransaction, _ rightTable: Database) throws -> [UInt8]? {
        try left.withCursor(in: leftTable) { leftCursor in
            try right.withCursor(in: rightTable) { rightCursor in
                var leftFound = try leftCursor.first(), rightFound = try rightCursor.first()
                while leftFound || rightFound {
                    guard leftFound, rightFound else {
                        return leftFound ? leftCursor.withKey { Array(span: $0) } : rightCursor.withKey { Array(span: $0) }
                    }
                    let leftEntry = leftCursor.withEntry { (Array(span: $0), Array(span: $1)) }
                    let rightEntry = rightCursor.withEntry { (Array(span: $0), Array(span: $1)) }
                    if leftEntry.0 != rightEntry.0 || leftEntry.1 != rightEntry.1 {
                        return leftEntry.0.lexicographicallyPrecedes(rightEntry.0) ? leftEntry.0 : rightEntry.0
                    }
                    leftFound = try leftCursor.next()
                    rightFound = try rightCursor.next()
                }
                return nil
            }
        }
    }

    private func removeScratch(_ path: String) {
        unlink(path + "/data.mdb")
        unlink(path + "/lock.mdb")
        rmdir(path)
    }
}

/// The system's directory for temporary files.
private func temporaryDirectory() -> String {
    let environment = ProcessInfo.processInfo.environment
    return environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
}

/// Why a fold's reading thread ended before it could begin its transaction.
private struct ReadingNotBegun: Error {}
