import LedgerLMDB

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Ledger {
    /// Recomputes the chain and checks every record and index against the log, in one read
    /// transaction: first every record in position order, stopping at the first problem, then
    /// the event-id and stream-event indexes, each as a whole.
    ///
    /// Checked: positions are dense from 1; each record decodes and states its own position;
    /// each chain hash equals SHA-256 of the previous one and the record's canonical bytes;
    /// stream versions are dense from 1 in each stream; the stream, stream-event and event-id
    /// indexes map to exactly the events of the log (the stream-event index, to those up to its
    /// watermark; see ``Limits/streamTailEventsMax``). With `digest`, also that the event at
    /// the digest's position has the digest's chain hash, which proves that this ledger extends
    /// the digested one unchanged, even if someone rewrote the chain consistently after it.
    ///
    /// - Parameter progress: called now and then with the last position checked.
    public func verify(against digest: LedgerDigest? = nil, progress: ((UInt64) -> Void)? = nil) throws -> VerificationReport {
        try environment.read { txn in
            var checker = ChainChecker(indexedThrough: try indexedThrough(in: txn, head: headPosition(in: txn)))
            var problem: VerificationProblem?
            try txn.withCursor(in: databases.events) { cursor in
                var found = try cursor.first()
                while found, problem == nil {
                    problem = try cursor.withEntry { key, value in
                        try value.withUnsafeBytes { bytes in
                            if let start = bytes.baseAddress { Self.askForRecord(below: start, bytes: bytes.count) }
                            return try checker.check(key: key, bytes: bytes, ledger: self, txn: txn)
                        }
                    }
                    if checker.position & 0xFFF == 0 { progress?(checker.position) }
                    found = try cursor.next()
                }
            }
            if problem == nil {
                problem = try checkIndexSizes(checker, in: txn)
            }
            if problem == nil {
                problem = try checkEventIDIndex(checker, in: txn)
            }
            if problem == nil {
                problem = try checkStreamEventIndex(checker, in: txn)
            }
            if problem == nil, let digest {
                problem = try check(digest, in: txn, head: checker.position)
            }
            return VerificationReport(
                eventsChecked: checker.position, streamsChecked: UInt64(checker.streamVersions.count),
                head: LedgerDigest(position: checker.position, chainHash: ChainHash(uncheckedBytes: checker.chain)), problem: problem)
        }
    }

    /// Checks that no index holds entries beyond the events of the log.
    private func checkIndexSizes(_ checker: ChainChecker, in txn: borrowing ReadTransaction) throws -> VerificationProblem? {
        let events = checker.position
        let counts = [
            ("stream index", UInt64(try txn.statistics(of: databases.streams).entries), UInt64(checker.streamVersions.count)),
            ("stream-event index", UInt64(try txn.statistics(of: databases.streamEvents).entries), checker.indexedThrough),
            ("event-id index", UInt64(try txn.statistics(of: databases.eventIDs).entries), events),
        ]
        for (name, found, expected) in counts where found != expected {
            return VerificationProblem(position: events + 1, reason: "the \(name) has \(found) entries, the log accounts for \(expected)")
        }
        return nil
    }

    /// Checks the event-id index against the log: see ``checkIndex(_:named:through:implied:in:add:lookUp:)``.
    private func checkEventIDIndex(_ checker: ChainChecker, in txn: borrowing ReadTransaction) throws -> VerificationProblem? {
        try checkIndex(
            databases.eventIDs, named: "event-id index", through: checker.position, implied: checker.idEntries, in: txn,
            add: { digest, key, value in
                if let position = Keys.number(value) { digest.add(id: key, position: position) } else { digest.addMalformed() }
            },
            lookUp: { record in try txn.withValue(for: record.idBytes.bytes, in: databases.eventIDs) { Keys.number($0) } ?? nil })
    }

    /// Checks the stream-event index against the log, up to its watermark: see
    /// ``checkIndex(_:named:through:implied:in:add:lookUp:)``.
    private func checkStreamEventIndex(_ checker: ChainChecker, in txn: borrowing ReadTransaction) throws -> VerificationProblem? {
        try checkIndex(
            databases.streamEvents, named: "stream-event index", through: checker.indexedThrough, implied: checker.streamEntries, in: txn,
            add: { digest, key, value in
                if let entry = Keys.streamEvent(key), let position = Keys.number(value) {
                    digest.add(stream: entry.stream, version: entry.version, position: position)
                } else {
                    digest.addMalformed()
                }
            },
            lookUp: { record in
                try Keys.withStreamEvent(record.streamNumber, record.streamVersion) { key in
                    try txn.withValue(for: key, in: databases.streamEvents) { Keys.number($0) }
                } ?? nil
            })
    }

    /// Checks an index against the log in the index's own order: the entries the log implies
    /// (`implied`, summed up while the chain was checked) and the stored ones must be the same
    /// set, which a keyed hash of each entry, combined over all of them, shows in one pass over
    /// the index (the numbers of entries were compared before). When they differ, a second pass
    /// looks each event up (`lookUp`) to name the first one the index gets wrong. Without a
    /// secret key (`SWIFT_DETERMINISTIC_HASHING` set), entries could be forged to give the same
    /// sum, so every event is looked up instead.
    private func checkIndex(
        _ index: Database, named name: String, through: UInt64, implied: IndexEntryDigest, in txn: borrowing ReadTransaction,
        add: (inout IndexEntryDigest, _ key: RawSpan, _ value: RawSpan) -> Void, lookUp: (borrowing EventRecord) throws -> UInt64?
    ) throws -> VerificationProblem? {
        if IndexEntryDigest.isKeyed {
            var stored = IndexEntryDigest()
            try txn.withCursor(in: index) { cursor in
                var found = try cursor.first()
                while found {
                    cursor.withEntry { key, value in add(&stored, key, value) }
                    found = try cursor.next()
                }
            }
            guard stored != implied else { return nil }
        }
        var located: VerificationProblem?
        try txn.withCursor(in: databases.events) { cursor in
            var found = try cursor.first()
            while found, located == nil {
                located = try cursor.withEntry { key, value -> VerificationProblem? in
                    guard let position = Keys.number(key), position <= through else { return nil }
                    return try value.withUnsafeBytes { bytes in
                        let record = try EventRecord(bytes: bytes, position: position)
                        return try lookUp(record) == position ? nil : VerificationProblem(position: position, reason: "the \(name) does not point at this event")
                    }
                }
                found = try cursor.next()
            }
        }
        guard IndexEntryDigest.isKeyed else { return located }
        return located ?? VerificationProblem(position: through + 1, reason: "the \(name) holds entries the log does not account for")
    }

    private func check(_ digest: LedgerDigest, in txn: borrowing ReadTransaction, head: UInt64) throws -> VerificationProblem? {
        guard digest.position <= head else {
            return VerificationProblem(position: head + 1, reason: "the digest covers position \(digest.position), but the log ends at \(head)")
        }
        let stored = digest.position == 0 ? ChainHash.genesis : try withRecord(at: digest.position, in: txn) { $0.chainHash }
        guard stored == digest.chainHash else {
            return VerificationProblem(position: digest.position, reason: "the chain hash differs from the digest \(digest): the log was rewritten at or before this position")
        }
        return nil
    }
}

/// The running state of a verification.
private struct ChainChecker {
    /// The last position the stream-event index covers.
    let indexedThrough: UInt64
    var position: UInt64 = 0
    var chain = ChainHash.genesis.bytes
    /// The last version seen of each stream, indexed by stream number − 1.
    var streamVersions: [UInt64] = []
    /// A keyed hash of each stream's id, indexed by stream number − 1: the id is looked up in the
    /// stream index at the stream's first event, and later events must carry the same id.
    var streamIDHashes: [Int] = []
    /// The stream-event index entries the log implies, up to the watermark.
    var streamEntries = IndexEntryDigest()
    /// The event-id index entries the log implies.
    var idEntries = IndexEntryDigest()
    var next = [UInt8](repeating: 0, count: RecordFormat.hashBytes)

    mutating func check(key: RawSpan, bytes: UnsafeRawBufferPointer, ledger: Ledger, txn: borrowing ReadTransaction) throws -> VerificationProblem? {
        let expected = position + 1
        func problem(_ reason: String) -> VerificationProblem { VerificationProblem(position: expected, reason: reason) }
        guard let keyPosition = Keys.number(key) else { return problem("a key of the log is not a position") }
        guard keyPosition == expected else {
            return problem(keyPosition > expected ? "the event at this position is missing (the next is \(keyPosition))" : "position \(keyPosition) is out of order")
        }
        let layout: RecordLayout
        do {
            layout = try RecordLayout(validating: bytes, position: keyPosition)
        } catch {
            guard case .corruptRecord(_, let reason) = error else { throw error }
            return problem("the record is damaged: \(reason)")
        }
        let record = EventRecord(bytes: bytes, layout: layout)
        let canonical = record.canonicalBytes
        chain.withUnsafeBytes { previous in
            next.withUnsafeMutableBytes { ChainHash.next(after: previous, canonical: canonical, into: $0) }
        }
        guard next.withUnsafeBytes({ Keys.equal($0, record.chainHashBytes) }) else {
            return problem("the chain hash does not match the record and the chain before it: the record was altered")
        }
        let number = record.streamNumber
        guard number >= 1, number <= UInt64(streamVersions.count) + 1 else {
            return problem("stream number \(number) skips numbers")
        }
        var hasher = Hasher()
        hasher.combine(bytes: record.streamIDBytes)
        let streamIDHash = hasher.finalize()
        if number == UInt64(streamVersions.count) + 1 {
            streamVersions.append(0)
            let indexed = try txn.withValue(for: record.streamIDBytes.bytes, in: ledger.databases.streams) { Keys.number($0) } ?? nil
            guard indexed == number else {
                return problem("the stream index does not map the event's stream to number \(number)")
            }
            streamIDHashes.append(streamIDHash)
        } else if streamIDHash != streamIDHashes[Int(number - 1)] {
            return problem("the event's stream id differs from that of stream number \(number)'s first event")
        }
        let version = record.streamVersion
        guard version == streamVersions[Int(number - 1)] + 1 else {
            return problem("stream version \(version) does not follow \(streamVersions[Int(number - 1)])")
        }
        streamVersions[Int(number - 1)] = version
        if expected <= indexedThrough { streamEntries.add(stream: number, version: version, position: expected) }
        idEntries.add(id: record.idBytes.bytes, position: expected)
        swap(&chain, &next)
        position = expected
        return nil
    }
}

/// A set of index entries summed up as one value: a keyed hash (random per process) of each
/// entry, combined by addition, and their count. Two sets of distinct entries give the same
/// digest only by a chance no one can aim for without the key.
struct IndexEntryDigest: Equatable {
    /// Whether this process's `Hasher` has a secret, random key: not when the environment sets
    /// `SWIFT_DETERMINISTIC_HASHING`.
    static let isKeyed = ProcessInfo.processInfo.environment["SWIFT_DETERMINISTIC_HASHING"] == nil

    private var sum: UInt64 = 0
    private var count = 0
    private var malformed = 0

    /// Adds a stream-event index entry.
    mutating func add(stream: UInt64, version: UInt64, position: UInt64) {
        var hasher = Hasher()
        hasher.combine(stream)
        hasher.combine(version)
        hasher.combine(position)
        add(hasher.finalize())
    }

    /// Adds an event-id index entry. The id's length goes first, so that no two entries hash
    /// the same bytes.
    mutating func add(id: RawSpan, position: UInt64) {
        var hasher = Hasher()
        hasher.combine(id.byteCount)
        id.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(position)
        add(hasher.finalize())
    }

    mutating func addMalformed() { malformed += 1 }

    private mutating func add(_ hash: Int) {
        sum &+= UInt64(bitPattern: Int64(hash))
        count += 1
    }
}
