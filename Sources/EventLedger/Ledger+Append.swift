import LedgerLMDB

extension Ledger {
    /// Appends events to one stream atomically: all of them or none.
    ///
    /// An event whose id is already stored with the same content is skipped and reported with
    /// its original position (so a retried append is harmless); the same id with different
    /// content throws ``LedgerError/idReused(id:position:)``. The expected version is checked
    /// before the first event that is not a duplicate, so a batch made only of duplicates
    /// always succeeds.
    ///
    /// - Throws: ``LedgerError/conflict(stream:expected:actual:)``, ``LedgerError/idReused(id:position:)``,
    ///   ``LedgerError/limitExceeded(_:bytes:limit:)``, ``LedgerError/invalidEvent(_:)``,
    ///   ``LedgerError/readOnly(path:)``; nothing is written when anything throws.
    @discardableResult
    public func append(_ events: [ProposedEvent], to stream: String, expected: ExpectedVersion = .any) throws -> AppendResult {
        try append([StreamAppend(stream: stream, expected: expected, events: events)])[0]
    }

    /// Appends to several streams in one atomic batch: every event of every stream, or none.
    /// Streams are appended in order; a stream may appear more than once, each expectation
    /// being checked against the version left by the appends before it.
    @discardableResult
    public func append(_ batch: [StreamAppend]) throws -> [AppendResult] {
        guard !isReadOnly else { throw LedgerError.readOnly(path: path) }
        try Self.validate(batch)
        let recordedAt = recordedAtNow()
        let results = try writeAppending { txn in
            try append(batch, recordedAtMicroseconds: recordedAt, in: &txn)
        }
        if results.contains(where: { $0.duplicates < $0.positions.count }) { signal.notify() }
        return results
    }

    func append(_ batch: [StreamAppend], recordedAtMicroseconds: Int64, in txn: inout WriteTransaction) throws -> [AppendResult] {
        let head = try head(in: txn)
        try beginAppending(in: &txn, head: head.position)
        var position = head.position
        var chain = head.chainHash.bytes
        var streamCount = UInt64(try txn.statistics(of: databases.streams).entries)
        var idsEnd = try IndexEnd(of: databases.eventIDs, in: txn)
        var streamsEnd = try IndexEnd(of: databases.streams, in: txn)
        var buffer = [UInt8]()
        buffer.reserveCapacity(1024)
        var results = [AppendResult]()
        results.reserveCapacity(batch.count)
        // The streams met by earlier appends, held by this one until it ends (appends take
        // turns: one write transaction at a time). Those a transaction that did not commit
        // added are void.
        var known = knownStreams.withLock { $0.take() } ?? KnownStreams(entriesMax: options.knownStreamsMax)
        known.beginAppend()
        defer { knownStreams.withLock { [known] in $0 = known } }

        // The ids are claimed through a cursor, left where the last id went: an id a little
        // out of order (ids that begin with their event's time, sharing a second) usually falls
        // in its page and is placed without a search from the root.
        // Records, and new streams' codes (which mostly sort last), go to their table's end
        // through cursors of their own, which stay on the last page: `MDB_APPEND` through them
        // costs no search from the root.
        try txn.withInsertingCursors(in: databases.eventIDs, databases.events, databases.streams) { txn, ids, records, streams in
            // Requests and events are read in place, by index: iterating copies each one (a
            // reference count on each of its strings and arrays, from the thread that made them).
            for r in batch.indices {
                // A stream that gets events is numbered in the same search that looks it up, unless
                // the caller knows its number or an earlier append met it. Should the request fail
                // (a conflict), the whole transaction is undone.
                var number = batch[r].streamNumber
                if number == nil {
                    if batch[r].events.isEmpty {
                        number = try streamNumber(of: batch[r].stream, in: txn)
                    } else {
                        let found = try known.number(ofRequest: r, in: batch) { key in
                            switch try claim(key, for: streamCount + 1, end: &streamsEnd, cursor: &streams) {
                            case .none:
                                streamCount += 1
                                return (streamCount, true)
                            case .some(.none): throw LedgerError.corruptRecord(position: 0, reason: "the stream index holds a value that is not a stream number")
                            case .some(.some(let existing)): return (existing, false)
                            }
                        }
                        // `nil` for a new stream, whose number is `streamCount`.
                        number = found.isNew ? nil : found.number
                    }
                }
                // The stream's last version is read when first needed, after the claim of the first
                // event's id: the stream tail's slot, a cache miss, is asked for now and loads
                // while LMDB stores the id.
                var version: UInt64 = 0
                var versionRead = false
                func readVersion() throws {
                    guard !versionRead else { return }
                    versionRead = true
                    if let number {
                        version = try lastVersionForAppend(ofStream: number, in: txn)
                    }
                }
                if let number { streamTail.withLock { $0.tail.prefetch(number) } }
                var checked = false
                var positions = AppendResult.Positions()
                var duplicates = 0
                for e in batch[r].events.indices {
                    // Claim the id for the next position: one search finds a stored event with this
                    // id or records the new one (undone with everything else if the append fails).
                    if let stored = try Keys.withText(batch[r].events[e].id, { try claim($0, for: position + 1, end: &idsEnd, cursor: &ids) }) {
                        positions.append(try originalPosition(of: batch[r].events[e], in: batch[r].stream, storedAt: stored, txn: txn))
                        duplicates += 1
                        continue
                    }
                    if !checked {
                        try readVersion()
                        guard batch[r].expected.isMet(by: number == nil ? nil : version) else {
                            throw LedgerError.conflict(stream: batch[r].stream, expected: batch[r].expected, actual: number == nil ? nil : version)
                        }
                        checked = true
                    }
                    let streamNumber = number ?? streamCount
                    number = streamNumber
                    position += 1
                    version += 1
                    chain.withUnsafeBytes { previous in
                        RecordFormat.encode(
                            batch[r].events[e], stream: batch[r].stream, position: position, streamNumber: streamNumber, streamVersion: version,
                            recordedAtMicroseconds: recordedAtMicroseconds, previous: previous, into: &buffer)
                    }
                    buffer.withUnsafeBytes { record in
                        chain.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: record[(record.count - RecordFormat.hashBytes)...])) }
                    }
                    try Keys.withNumber(position) { key in
                        try records.put(buffer.span.bytes, for: key, atEnd: true)
                    }
                    streamTail.withLock { $0.tail.append(stream: streamNumber, version: version) }
                    positions.append(position)
                }
                try readVersion()
                results.append(AppendResult(stream: batch[r].stream, positions: positions, duplicates: duplicates, streamVersion: version))
            }
        }
        try mergeStreamTailIfFull(through: position, in: &txn)
        return results
    }

    /// Stores `key → number` in an index through a cursor over it, unless `key` is there:
    /// at the index's end when it sorts after every key, else where the cursor's search puts
    /// it. Returns `nil` when it stored it, else what the index holds (`.some(nil)` when that
    /// is not a number).
    private func claim(_ key: RawSpan, for number: UInt64, end: inout IndexEnd, cursor: inout Cursor) throws -> UInt64?? {
        try Keys.withNumber(number) { value in
            try cursor.insert(value, for: key, atEnd: end.claim(key)) { Keys.number($0) }
        }
    }

    /// The position of the stored event that an event with the same id duplicates: it must
    /// have the same content.
    private func originalPosition(of event: ProposedEvent, in stream: String, storedAt stored: UInt64?, txn: borrowing WriteTransaction) throws -> UInt64 {
        guard let stored else { throw LedgerError.corruptRecord(position: 0, reason: "the event-id index holds a value that is not a position") }
        let same = try withRecord(at: stored, in: txn) { $0.hasSameContent(as: event, in: stream) }
        guard same == true else { throw LedgerError.idReused(id: event.id, position: stored) }
        return stored
    }

    /// The clock's time, in the record's unit.
    func recordedAtNow() -> Int64 {
        Int64((options.clock().timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// Checks a batch against the limits before any transaction begins.
    static func validate(_ batch: [StreamAppend]) throws {
        let total = batch.reduce(0) { $0 + $1.events.count }
        guard total <= Limits.batchEventsMax else {
            throw LedgerError.invalidEvent("a batch of \(total) events exceeds batchEventsMax (\(Limits.batchEventsMax))")
        }
        // By index, in place (see `append(_:recordedAtMicroseconds:in:)`).
        for r in batch.indices {
            try checkText(batch[r].stream, "stream id", limit: Limits.streamIDBytesMax)
            for e in batch[r].events.indices { try validate(batch[r].events[e]) }
        }
    }

    private static func validate(_ event: borrowing ProposedEvent) throws {
        try checkText(event.id, "event id", limit: Limits.eventIDBytesMax)
        try checkText(event.type, "event type", limit: Limits.typeBytesMax)
        guard event.payload.count <= Limits.payloadBytesMax else {
            throw LedgerError.limitExceeded("the payload of event \(event.id)", bytes: event.payload.count, limit: Limits.payloadBytesMax)
        }
        try checkMetadata(event.metadata.actor, "actor", of: event.id)
        try checkMetadata(event.metadata.correlationID, "correlation id", of: event.id)
        try checkMetadata(event.metadata.causationID, "causation id", of: event.id)
    }

    private static func checkMetadata(_ value: String?, _ name: String, of id: String) throws {
        guard let value, value.utf8.count > Limits.metadataValueBytesMax else { return }
        throw LedgerError.limitExceeded("the \(name) of event \(id)", bytes: value.utf8.count, limit: Limits.metadataValueBytesMax)
    }

    private static func checkText(_ text: String, _ what: String, limit: Int) throws {
        guard !text.isEmpty else { throw LedgerError.invalidEvent("the \(what) is empty") }
        guard text.utf8.count <= limit else {
            // Name the value only by its size: an oversized value may be anything.
            throw LedgerError.limitExceeded("a \(what)", bytes: text.utf8.count, limit: limit)
        }
    }
}

/// The greatest key of an index while an append writes to it. A key after it cannot be stored
/// yet, so it is new without a search and goes at the index's end (ids and dossier codes that
/// grow with time usually do).
struct IndexEnd {
    private var last: [UInt8]

    init<A>(of database: Database, in txn: borrowing Transaction<A>) throws {
        last = try txn.withLastKey(in: database) { $0.withUnsafeBytes { Array($0) } } ?? []
        last.reserveCapacity(Limits.streamIDBytesMax)
    }

    /// Whether `key` sorts after every key of the index; if so, it becomes the index's end
    /// (the caller stores it there).
    mutating func claim(_ key: RawSpan) -> Bool {
        key.withUnsafeBytes { bytes in
            guard last.withUnsafeBytes({ Keys.precedes($0, bytes) }) else { return false }
            last.removeAll(keepingCapacity: true)
            last.append(contentsOf: bytes)
            return true
        }
    }
}
