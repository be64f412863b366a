/// The stream entries of the events after the stream-event index's watermark, held in memory.
///
/// Events of one stream are scattered through the log (a center works on thousands of dossiers
/// at once), so writing each event's `(stream, version) → position` entry into the sorted
/// `streamEvents` index as it is appended would touch a different page of that index for
/// almost every event. Instead the index is written in bulk: it covers the positions up to a
/// watermark kept in `meta`, and the events after it are found from the log itself (each record
/// names its stream number and version), through this table, which any process rebuilds from
/// the log. When the table reaches ``Limits/streamTailEventsMax`` events, an append merges it
/// into the index in key order and moves the watermark.
///
/// Offsets count the tail's events from 0 (the event at `indexedThrough + 1`).
struct StreamTail: Sendable {
    /// The last position whose entry is in the `streamEvents` index.
    let indexedThrough: UInt64
    /// The stream number of the event at each offset.
    private var streamOf: [UInt64] = []
    /// The offset of the previous tail event of the same stream, for the event at each offset; −1 if none.
    private var previous: [Int32] = []
    /// For each stream with events in the tail: the version and offset of its last one.
    private var streams = LastTailEvents()

    init(indexedThrough: UInt64) {
        self.indexedThrough = indexedThrough
    }

    /// The last position the table accounts for.
    var head: UInt64 { indexedThrough + UInt64(streamOf.count) }

    /// How many events the table holds.
    var count: Int { streamOf.count }

    /// Adds the event at `head + 1`.
    mutating func append(stream: UInt64, version: UInt64) {
        let offset = Int32(streamOf.count)
        let prior = streams.update(stream, version: version, offset: offset)
        previous.append(prior?.offset ?? -1)
        streamOf.append(stream)
    }

    /// Adds the events at `head + 1`, `head + 2`, …, given by stream and version. Every
    /// stream's slot is asked for first: in a large tail each lookup is a cache miss, and asked
    /// for together they load in parallel.
    mutating func append(_ events: borrowing [(stream: UInt64, version: UInt64)]) {
        for index in events.indices { streams.prefetch(events[index].stream) }
        for index in events.indices { append(stream: events[index].stream, version: events[index].version) }
    }

    /// Forgets the events after `position`.
    mutating func truncate(to position: UInt64) {
        while head > max(position, indexedThrough) {
            let stream = streamOf.removeLast()
            let prior = previous.removeLast()
            if prior < 0 {
                streams.remove(stream)
            } else if let last = streams[stream] {
                _ = streams.update(stream, version: last.version - 1, offset: prior)
            }
        }
    }

    /// Asks the processor to start loading what a lookup of `stream` reads first.
    func prefetch(_ stream: UInt64) { streams.prefetch(stream) }

    /// The version of `stream`'s last event at or before `position`, when that event is in the tail.
    func lastVersion(of stream: UInt64, through position: UInt64) -> UInt64? {
        guard var (version, offset) = streams[stream] else { return nil }
        while offset >= 0 && self.position(at: offset) > position {
            offset = previous[Int(offset)]
            version -= 1
        }
        return offset >= 0 ? version : nil
    }

    /// `stream`'s tail events at or before `position`, by ascending version.
    func events(of stream: UInt64, through position: UInt64) -> [(version: UInt64, position: UInt64)] {
        guard var (version, offset) = streams[stream] else { return [] }
        var found: [(version: UInt64, position: UInt64)] = []
        while offset >= 0 {
            let at = self.position(at: offset)
            if at <= position { found.append((version, at)) }
            offset = previous[Int(offset)]
            version -= 1
        }
        found.reverse()
        return found
    }

    /// Every entry of the table in the index's key order: by stream number, then version.
    ///
    /// The offsets are sorted by their stream's number with a radix sort, 11 bits of the
    /// number's distance from the least one at a time; it keeps the offsets of one stream in
    /// their order, which is its versions' order. (Walking each stream's events from its last,
    /// in the order of the sorted stream numbers, read the tail's arrays at random: about 1.6
    /// times as long for 262,144 events.)
    func entriesInKeyOrder() -> [(stream: UInt64, version: UInt64, position: UInt64)] {
        guard let least = streamOf.min(), let greatest = streamOf.max() else { return [] }
        var order = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for offset in 0..<count { buffer.initializeElement(at: offset, to: Int32(offset)) }
            initialized = count
        }
        var sorted = [Int32](repeating: 0, count: count)
        let digitBits: UInt64 = 11
        var shift: UInt64 = 0
        streamOf.withUnsafeBufferPointer { streamOf in
            while shift < 64, (greatest - least) >> shift != 0 {
                let digit = { (offset: Int32) in Int(((streamOf[Int(offset)] - least) >> shift) & ((1 << digitBits) - 1)) }
                var starts = [Int](repeating: 0, count: (1 << Int(digitBits)) + 1)
                for offset in order { starts[digit(offset) + 1] += 1 }
                for index in 1..<starts.count { starts[index] += starts[index - 1] }
                for offset in order {
                    sorted[starts[digit(offset)]] = offset
                    starts[digit(offset)] += 1
                }
                swap(&order, &sorted)
                shift += digitBits
            }
        }
        var entries: [(stream: UInt64, version: UInt64, position: UInt64)] = []
        entries.reserveCapacity(count)
        var first = 0
        while first < order.count {
            let stream = streamOf[Int(order[first])]
            var end = first + 1
            while end < order.count, streamOf[Int(order[end])] == stream { end += 1 }
            defer { first = end }
            // The stream's last tail event has its last version; those before it, one less each.
            guard let last = streams[stream]?.version else { continue }
            var version = last - UInt64(end - first - 1)
            for index in first..<end {
                entries.append((stream, version, position(at: order[index])))
                version += 1
            }
        }
        return entries
    }

    private func position(at offset: Int32) -> UInt64 {
        indexedThrough + UInt64(offset) + 1
    }
}
