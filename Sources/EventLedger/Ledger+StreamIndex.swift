import LedgerLMDB

/// The process's copy of the stream tail (see ``StreamTail``), shared by its transactions.
struct StreamTailState: Sendable {
    var tail = StreamTail(indexedThrough: 0)
    /// Whether `tail` has been built from the log at all.
    var synced = false
    /// While a write transaction of this process is open: the head it began from. The table's
    /// events after it are not committed yet.
    var pending: UInt64?
    /// The watermark a merge in the open write transaction moves the index to.
    var merging: UInt64?
    /// What the open write transaction's merge adds: the last version of each stream in it.
    var mergingVersions: [(stream: UInt64, version: UInt64)] = []
    /// The streams' last versions in the index at `tail`'s watermark, as far as known.
    var indexed = IndexedVersions()

    /// Starts the tail over at a watermark this process did not move itself: what it knew of
    /// the index is forgotten.
    mutating func restart(indexedThrough watermark: UInt64) {
        tail = StreamTail(indexedThrough: watermark)
        indexed.removeAll()
        synced = true
    }
}

extension Ledger {
    // MARK: The watermark

    /// The last position whose entry is in the `streamEvents` index. A format 1 ledger has no
    /// watermark: it indexed every event as it was appended.
    func indexedThrough<A>(in txn: borrowing Transaction<A>, head: UInt64) throws -> UInt64 {
        try storedIndexedThrough(in: txn).map { Swift.min($0, head) } ?? head
    }

    private func storedIndexedThrough<A>(in txn: borrowing Transaction<A>) throws -> UInt64? {
        try Keys.withText(Keys.streamIndexedThrough) { key in
            try txn.withValue(for: key, in: databases.meta) { Keys.number($0) }
        } ?? nil
    }

    func saveIndexedThrough(_ position: UInt64, in txn: inout WriteTransaction) throws {
        try Keys.withText(Keys.streamIndexedThrough) { key in
            try Keys.withNumber(position) { try txn.put($0, for: key, in: databases.meta) }
        }
    }

    /// The last position of the log, without reading its record.
    func headPosition<A>(in txn: borrowing Transaction<A>) throws -> UInt64 {
        (try txn.withLastKey(in: databases.events) { Keys.number($0) } ?? nil) ?? 0
    }

    // MARK: Reading a stream

    /// The last version of a stream that exists (0 if it has no events), as of `txn`.
    func lastVersion<A>(ofStream number: UInt64, in txn: borrowing Transaction<A>) throws -> UInt64 {
        let head = try headPosition(in: txn)
        if let version = try withStreamTail(in: txn, head: head, { $0.lastVersion(of: number, through: head) }) { return version }
        return try lastIndexedVersion(ofStream: number, in: txn)
    }

    /// The last version of a stream in the `streamEvents` index (0 if none).
    func lastIndexedVersion<A>(ofStream number: UInt64, in txn: borrowing Transaction<A>) throws -> UInt64 {
        try txn.withCursor(in: databases.streamEvents) { cursor in
            let found = try Keys.withStreamEvent(number, .max) { try cursor.seek(atLeast: $0) }
            guard found ? try cursor.previous() : try cursor.last() else { return 0 }
            guard let key = cursor.withKey({ Keys.streamEvent($0) }), key.stream == number else { return 0 }
            return key.version
        }
    }

    /// Calls `body` with the position of each event of a stream from a version on (or down,
    /// going backward), at most `limit` of them: from the index, then the tail (or the reverse).
    func scan<A>(
        stream number: UInt64, from version: UInt64, direction: Direction, limit: Int,
        in txn: borrowing Transaction<A>, _ body: (UInt64) throws -> Void
    ) throws {
        let head = try headPosition(in: txn)
        let recent = try withStreamTail(in: txn, head: head) { $0.events(of: number, through: head) }
        var passed = 0
        switch direction {
        case .forward:
            if recent.first.map({ version < $0.version }) ?? true {
                passed = try scanIndex(stream: number, from: version, direction: .forward, limit: limit, in: txn, body)
            }
            for event in recent where event.version >= version && passed < limit {
                try body(event.position)
                passed += 1
            }
        case .backward:
            for event in recent.reversed() where event.version <= version && passed < limit {
                try body(event.position)
                passed += 1
            }
            if passed < limit {
                let below = recent.first.map { Swift.min(version, $0.version - 1) } ?? version
                if below >= 1 { try scanIndex(stream: number, from: below, direction: .backward, limit: limit - passed, in: txn, body) }
            }
        }
    }

    /// The index part of ``scan(stream:from:direction:limit:in:_:)``; returns how many it passed.
    @discardableResult
    private func scanIndex<A>(
        stream number: UInt64, from version: UInt64, direction: Direction, limit: Int,
        in txn: borrowing Transaction<A>, _ body: (UInt64) throws -> Void
    ) throws -> Int {
        var passed = 0
        try txn.withCursor(in: databases.streamEvents) { cursor in
            var found: Bool
            switch direction {
            case .forward:
                found = try Keys.withStreamEvent(number, version) { try cursor.seek(atLeast: $0) }
            case .backward:
                // The stream's last key at or before `version`: one step back from the first key after it.
                let (nextStream, nextVersion) = version == .max ? (number &+ 1, UInt64(0)) : (number, version + 1)
                found = try Keys.withStreamEvent(nextStream, nextVersion) { try cursor.seek(atLeast: $0) }
                found = try found ? cursor.previous() : cursor.last()
            }
            while found && passed < limit {
                let entry = cursor.withEntry { key, value in (Keys.streamEvent(key), Keys.number(value)) }
                guard let key = entry.0, key.stream == number else { break }
                if direction == .backward && key.version > version { break }
                guard let position = entry.1 else {
                    throw LedgerError.corruptRecord(position: 0, reason: "stream index entry \(number)/\(key.version) holds no position")
                }
                try body(position)
                passed += 1
                found = try direction == .forward ? cursor.next() : cursor.previous()
            }
        }
        return passed
    }

    /// Calls `body` with the stream tail of `txn`'s snapshot (whose log ends at `head`); the
    /// tail may hold later events, which `body` must skip. Uses the process's shared copy when
    /// it fits the snapshot, bringing it up to date from the log when it lags; a snapshot older
    /// than the last merge reads its own from the log.
    func withStreamTail<A, R>(in txn: borrowing Transaction<A>, head: UInt64, _ body: (borrowing StreamTail) -> R) throws -> R {
        let watermark = try indexedThrough(in: txn, head: head)
        let shared = try streamTail.withLock { state -> R? in
            if !state.synced || state.tail.indexedThrough < watermark {
                guard state.pending == nil else { return nil }
                state.restart(indexedThrough: watermark)
            }
            guard state.tail.indexedThrough == watermark else { return nil }
            if state.tail.head < head {
                guard state.pending == nil else { return nil }
                try extend(&state.tail, through: head, in: txn)
            }
            return body(state.tail)
        }
        if let shared { return shared }
        var own = StreamTail(indexedThrough: watermark)
        try extend(&own, through: head, in: txn)
        return body(own)
    }

    /// How many events of the log `extend(_:through:in:)` adds to a stream tail at once.
    private static let tailEventsPerAppend = 256

    /// Adds the log's events after `tail.head` through `head` to `tail`.
    private func extend<A>(_ tail: inout StreamTail, through head: UInt64, in txn: borrowing Transaction<A>) throws {
        guard tail.head < head else { return }
        // Added a few hundred at a time, so that their lookups overlap (see `StreamTail.append(_:)`).
        var events: [(stream: UInt64, version: UInt64)] = []
        events.reserveCapacity(Self.tailEventsPerAppend)
        try scan(from: tail.head + 1, through: head, direction: .forward, types: nil, limit: .max, in: txn) { record in
            events.append((record.streamNumber, record.streamVersion))
            if events.count == Self.tailEventsPerAppend {
                tail.append(events)
                events.removeAll(keepingCapacity: true)
            }
        }
        tail.append(events)
        guard tail.head == head else {
            throw LedgerError.corruptRecord(position: tail.head + 1, reason: "the log has a gap before its head \(head)")
        }
    }

    // MARK: Writing

    /// Runs a write transaction that may append, keeping the process's stream tail in step
    /// with what it commits: events appended by a transaction that fails are forgotten.
    func writeAppending<R>(_ body: (inout WriteTransaction) throws -> R) throws -> R {
        do {
            let result = try environment.write(body)
            knownStreams.withLock { $0?.uncommitted = false }
            streamTail.withLock { state in
                if let merged = state.merging {
                    state.tail = StreamTail(indexedThrough: merged)
                    state.indexed.merged(state.mergingVersions)
                }
                state.pending = nil
                state.merging = nil
                state.mergingVersions = []
            }
            return result
        } catch {
            knownStreams.withLock { known in
                known?.removeAll()
                known?.uncommitted = false
            }
            streamTail.withLock { state in
                if let pending = state.pending { state.tail.truncate(to: pending) }
                state.pending = nil
                state.merging = nil
                state.mergingVersions = []
            }
            throw error
        }
    }

    /// Brings the shared stream tail to the write transaction's snapshot (the newest) and marks
    /// the transaction open.
    func beginAppending(in txn: inout WriteTransaction, head: UInt64) throws {
        let watermark = try indexedThrough(in: txn, head: head)
        if try storedIndexedThrough(in: txn) == nil { try saveIndexedThrough(watermark, in: &txn) }
        try streamTail.withLock { state in
            if !state.synced || state.tail.indexedThrough != watermark {
                state.restart(indexedThrough: watermark)
            }
            // A transaction of this process that failed to commit (or an attempt rerun after
            // the map grew) may have left events the log does not have.
            state.tail.truncate(to: head)
            try extend(&state.tail, through: head, in: txn)
            state.pending = head
            state.merging = nil
            state.mergingVersions = []
        }
    }

    /// The last version of a stream, for an append in the open write transaction: from the
    /// tail, else as the index holds it, known from an earlier search or merge, else searched
    /// and noted (the index is as committed until this transaction merges).
    func lastVersionForAppend(ofStream number: UInt64, in txn: borrowing WriteTransaction) throws -> UInt64 {
        if let known = streamTail.withLock({ $0.tail.lastVersion(of: number, through: .max) ?? $0.indexed[number] }) { return known }
        let version = try lastIndexedVersion(ofStream: number, in: txn)
        streamTail.withLock { state in
            if state.merging == nil { state.indexed.note(number, version: version) }
        }
        return version
    }

    /// Merges the stream tail into the `streamEvents` index, in key order, once it has grown to
    /// ``LedgerOptions/streamTailEventsMax`` events, and moves the watermark to `head`. The shared
    /// table is emptied when the transaction commits.
    func mergeStreamTailIfFull(through head: UInt64, in txn: inout WriteTransaction) throws {
        let entries = streamTail.withLock { state in
            state.tail.count >= Swift.max(1, options.streamTailEventsMax) ? state.tail.entriesInKeyOrder() : nil
        }
        guard let entries else { return }
        // Entries after the index's last key (most of those of streams begun since the last
        // merge) go at its end without a search; the others through a cursor, which places a
        // stream's next versions in the page of its first without a search from the root.
        let last = try txn.withLastKey(in: databases.streamEvents) { Keys.streamEvent($0) } ?? nil
        try txn.withInsertingCursor(in: databases.streamEvents) { _, cursor in
            for entry in entries {
                let atEnd = last.map { (entry.stream, entry.version) > ($0.stream, $0.version) } ?? true
                try Keys.withStreamEvent(entry.stream, entry.version) { key in
                    try Keys.withNumber(entry.position) { position in
                        try cursor.insert(position, for: key, atEnd: atEnd) { _ in
                            throw LedgerError.corruptRecord(
                                position: entry.position, reason: "the stream index already holds version \(entry.version) of stream \(entry.stream)")
                        }
                    }
                }
            }
        }
        try saveIndexedThrough(head, in: &txn)
        // Entries are in key order: a stream's last entry is its last version.
        var lastVersions: [(stream: UInt64, version: UInt64)] = []
        for (index, entry) in entries.enumerated() where index + 1 == entries.count || entries[index + 1].stream != entry.stream {
            lastVersions.append((entry.stream, entry.version))
        }
        streamTail.withLock { state in
            state.merging = head
            state.mergingVersions = lastVersions
        }
    }
}
