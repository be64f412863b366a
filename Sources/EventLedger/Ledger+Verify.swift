import LedgerLMDB

extension Ledger {
    /// Recomputes the chain and checks every record and index against the log, in one read
    /// transaction, stopping at the first problem.
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
                            try checker.check(key: key, bytes: bytes, ledger: self, txn: txn)
                        }
                    }
                    if checker.position & 0xFFF == 0 { progress?(checker.position) }
                    found = try cursor.next()
                }
            }
            if problem == nil {
                problem = try checkIndexSizes(checker, in: txn)
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
        guard next.elementsEqual(record.chainHashBytes) else {
            return problem("the chain hash does not match the record and the chain before it: the record was altered")
        }
        let number = record.streamNumber
        guard number >= 1, number <= UInt64(streamVersions.count) + 1 else {
            return problem("stream number \(number) skips numbers")
        }
        if number == UInt64(streamVersions.count) + 1 { streamVersions.append(0) }
        let version = record.streamVersion
        guard version == streamVersions[Int(number - 1)] + 1 else {
            return problem("stream version \(version) does not follow \(streamVersions[Int(number - 1)])")
        }
        streamVersions[Int(number - 1)] = version
        guard try ledger.streamNumber(of: record.streamID, in: txn) == number else {
            return problem("the stream index does not map the event's stream to number \(number)")
        }
        if expected <= indexedThrough {
            let indexed = try Keys.withStreamEvent(number, version) { key in
                try txn.withValue(for: key, in: ledger.databases.streamEvents) { Keys.number($0) }
            } ?? nil
            guard indexed == expected else { return problem("the stream-event index does not point at this event") }
        }
        let byID = try Keys.withText(record.id) { key in
            try txn.withValue(for: key, in: ledger.databases.eventIDs) { Keys.number($0) }
        } ?? nil
        guard byID == expected else { return problem("the event-id index does not point at this event") }
        swap(&chain, &next)
        position = expected
        return nil
    }
}
