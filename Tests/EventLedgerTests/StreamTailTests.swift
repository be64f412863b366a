import EventLedger
import Foundation
import LedgerLMDB
import TestSupport
import Testing

/// The stream-event index is written in bulk: the latest events' stream entries live in memory
/// until an append merges them. These tests use a small merge size so that a test crosses many
/// merges, and check every way of reading a stream against a model.
@Suite struct StreamTailTests {
    /// What the index's database holds, read with LMDB directly once the ledger is closed.
    private func indexState(_ path: String) throws -> (watermark: UInt64, entries: Int, format: UInt32) {
        let environment = try Environment(path: path)
        let meta = try environment.database(named: "meta")
        let streamEvents = try environment.database(named: "streamEvents")
        return try environment.read { txn in
            let watermark = try txn.value(for: Array("streamIndexedThrough".utf8).span.bytes, in: meta)
            let format = try txn.value(for: Array("format".utf8).span.bytes, in: meta)
            return (
                watermark.map { $0.reduce(0) { $0 << 8 | UInt64($1) } } ?? .max,
                try txn.statistics(of: streamEvents).entries,
                format.map { $0.reduce(0) { $0 << 8 | UInt32($1) } } ?? 0)
        }
    }

    /// Compares every read of every stream with the model: versions, forward and backward
    /// scans from each version, and the lazy sequences.
    private func expectStreams(_ ledger: Ledger, _ model: [String: [String]], _ context: String) async throws {
        for (stream, ids) in model.sorted(by: { $0.key < $1.key }) {
            #expect(try ledger.streamVersion(of: stream) == UInt64(ids.count), "\(context), \(stream)")
            for from in [1, ids.count / 2, ids.count, ids.count + 1] where from >= 1 {
                var forward: [String] = []
                try ledger.forEachEvent(inStream: stream, from: UInt64(from)) { forward.append($0.id) }
                #expect(forward == Array(ids.dropFirst(from - 1)), "\(context), \(stream) forward from \(from)")
                var backward: [String] = []
                try ledger.forEachEvent(inStream: stream, from: UInt64(from), direction: .backward) { backward.append($0.id) }
                #expect(backward == Array(ids.prefix(from).reversed()), "\(context), \(stream) backward from \(from)")
            }
            var lazy: [String] = []
            for try await recorded in ledger.events(inStream: stream) { lazy.append(recorded.id) }
            #expect(lazy == ids, "\(context), \(stream) lazily")
        }
        #expect(try ledger.streamVersion(of: "no such stream") == nil)
    }

    /// Few streams and a tiny tail: many merges. Many streams and a larger tail: failed appends
    /// take back streams whose only tail events they wrote, from a table with collisions.
    @Test(arguments: [(streams: 15, tailEventsMax: 7), (streams: 600, tailEventsMax: 400)])
    func streamReadsMatchAModelAcrossManyMergesAndFailedAppends(streams: Int, tailEventsMax: Int) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        var random = SeededRandom(seed: 2019)
        var model: [String: [String]] = [:]
        var serial = 0
        var failures = 0
        do {
            let ledger = try makeLedger(directory) { $0.streamTailEventsMax = tailEventsMax }
            for round in 0..<120 {
                var batch: [StreamAppend] = []
                var staged = model
                for _ in 0..<Int.random(in: 1...(streams > 100 ? 40 : 4), using: &random) {
                    let stream = "S\(Int.random(in: 0..<streams, using: &random))"
                    let ids = (0..<Int.random(in: 1...3, using: &random)).map { _ -> String in serial += 1; return "e\(serial)" }
                    batch.append(StreamAppend(stream: stream, events: ids.map { event($0) }))
                    staged[stream, default: []] += ids
                }
                if round % 9 == 4 {
                    // A conflict after some events of the batch were written: nothing may remain of them.
                    let stream = batch[0].stream
                    batch.append(StreamAppend(stream: stream, expected: .exact(999), events: [event("conflict\(round)")]))
                    #expect(throws: LedgerError.self) { try ledger.append(batch) }
                    failures += 1
                } else {
                    try ledger.append(batch)
                    model = staged
                }
                if round % 10 == 0 { try await expectStreams(ledger, model, "round \(round)") }
            }
            try await expectStreams(ledger, model, "at the end")
            #expect(try ledger.verify().problem == nil)
        }
        let events = model.values.reduce(0) { $0 + $1.count }
        let index = try indexState(path)
        #expect(failures > 5)
        #expect(index.watermark > 0 && index.watermark <= UInt64(events) && UInt64(events) - index.watermark < UInt64(tailEventsMax) + 12)
        #expect(index.entries == Int(index.watermark))
        // A new process (here: a new instance) rebuilds the tail from the log.
        let reopened = try Ledger.open(at: path, options: testOptions { $0.streamTailEventsMax = tailEventsMax })
        try await expectStreams(reopened, model, "reopened")
        try reopened.append([event("after reopening")], to: "S0", expected: .exact(UInt64(model["S0", default: []].count)))
        #expect(try reopened.verify().problem == nil)
    }

    @Test func aMergeOfThousandsOfStreamsWritesTheirEntriesInKeyOrder() throws {
        // 4,000 streams of three events each, interleaved, and merges of 6,000 events: a merge
        // sorts the entries of streams whose numbers lie more than 2,048 apart, by more than one
        // 11-bit digit of those numbers.
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.streamTailEventsMax = 6_000 }
        for pass in 0..<3 {
            for start in stride(from: 0, to: 4_000, by: 500) {
                try ledger.append((start..<start + 500).map { StreamAppend(stream: "S\($0)", events: [event("e\(pass)-\($0)")]) })
            }
        }
        for stream in stride(from: 0, to: 4_000, by: 7) {
            var read: [(id: String, version: UInt64)] = []
            try ledger.forEachEvent(inStream: "S\(stream)") { read.append(($0.id, $0.streamVersion)) }
            #expect(read.map(\.id) == (0..<3).map { "e\($0)-\(stream)" })
            #expect(read.map(\.version) == [1, 2, 3])
        }
        #expect(try ledger.verify().problem == nil)
    }

    @Test func theDefaultMergeSizeKeepsRecentEntriesOutOfTheIndex() throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        do {
            let ledger = try makeLedger(directory)
            for index in 1...50 { try ledger.append([event("e\(index)")], to: "S\(index % 5)") }
            #expect(try ledger.streamVersion(of: "S1") == 10)
        }
        let index = try indexState(path)
        #expect(index.watermark == 0 && index.entries == 0 && index.format == Ledger.formatVersion)
    }

    @Test func aFormatOneLedgerIsReadAsFullyIndexedAndUpgradedWhenOpenedForWriting() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        var model: [String: [String]] = [:]
        do {
            // Merging after every append leaves the index complete, as format 1 kept it.
            let ledger = try makeLedger(directory) { $0.streamTailEventsMax = 1 }
            for index in 1...30 {
                try ledger.append([event("e\(index)")], to: "S\(index % 4)")
                model["S\(index % 4)", default: []].append("e\(index)")
            }
        }
        do {
            let environment = try Environment(path: path)
            let meta = try environment.database(named: "meta")
            try environment.write { txn in
                _ = try txn.delete(Array("streamIndexedThrough".utf8).span.bytes, in: meta)
                try withUnsafeBytes(of: UInt32(1).bigEndian) { try txn.put($0.bytes, for: Array("format".utf8).span.bytes, in: meta) }
            }
        }
        #expect(try indexState(path).format == 1)
        do {
            let readOnly = try Ledger.open(at: path, options: testOptions { $0.readOnly = true })
            try await expectStreams(readOnly, model, "format 1, read-only")
            #expect(try readOnly.verify().problem == nil)
        }
        #expect(try indexState(path).format == 1)
        do {
            let ledger = try Ledger.open(at: path, options: testOptions())
            try ledger.append([event("e31")], to: "S3")
            model["S3", default: []].append("e31")
            try await expectStreams(ledger, model, "upgraded")
            #expect(try ledger.verify().problem == nil)
        }
        let index = try indexState(path)
        #expect(index.format == Ledger.formatVersion && index.watermark == 30 && index.entries == 30)
    }

    @Test func aStreamBegunInAFailedBatchLeavesItsNumberToTheNextStream() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("a1")], to: "A")
        // "B" begins (in two requests of the batch), then the batch fails: B was never numbered.
        let failing = [
            StreamAppend(stream: "B", events: [event("b1")]), StreamAppend(stream: "B", events: [event("b2")]),
            StreamAppend(stream: "A", expected: .exact(9), events: [event("a2")]),
        ]
        #expect(throws: LedgerError.self) { try ledger.append(failing) }
        // "C" gets the number "B" would have had; "B" then gets its own.
        try ledger.append([event("c1")], to: "C")
        try ledger.append([event("b1")], to: "B")
        try ledger.append([event("c2")], to: "C")
        func ids(_ stream: String) throws -> [String] {
            var seen: [String] = []
            try ledger.forEachEvent(inStream: stream) { seen.append($0.id) }
            return seen
        }
        #expect(try ids("B") == ["b1"] && ids("C") == ["c1", "c2"] && ids("A") == ["a1"])
        #expect(try ledger.streamVersion(of: "B") == 1 && ledger.streamVersion(of: "C") == 2)
        #expect(try ledger.verify().problem == nil)
    }
}
