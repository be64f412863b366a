import EventLedger
import TestSupport
import Testing

@Suite struct ReadTests {
    /// Streams A and B interleaved: A a1, B b1, A a2, B b2, …, with type "even" or "odd" by position.
    private func interleaved(_ directory: TemporaryDirectory, count: Int) throws -> Ledger {
        let ledger = try makeLedger(directory)
        for index in 1...count {
            let stream = index % 2 == 1 ? "A" : "B"
            try ledger.append([event("e\(index)", index % 2 == 0 ? "even" : "odd")], to: stream)
        }
        return ledger
    }

    @Test func scansHonourBoundsDirectionAndTypes() throws {
        let directory = try TemporaryDirectory()
        let ledger = try interleaved(directory, count: 10)
        func positions(from: UInt64 = 1, through: UInt64 = .max, _ direction: Direction = .forward, types: Set<String>? = nil) throws -> [UInt64] {
            var seen: [UInt64] = []
            try ledger.forEachEvent(from: from, through: through, direction: direction, types: types) { seen.append($0.position) }
            return seen
        }
        #expect(try positions() == Array(1...10))
        #expect(try positions(from: 3, through: 6) == [3, 4, 5, 6])
        #expect(try positions(from: 3, through: 6, .backward) == [6, 5, 4, 3])
        #expect(try positions(through: 100, .backward) == Array((1...10).reversed()))
        #expect(try positions(types: ["even"]) == [2, 4, 6, 8, 10])
        #expect(try positions(from: 4, .backward, types: ["odd"]) == [9, 7, 5])
        #expect(try positions(from: 11) == [])
        #expect(try positions(from: 6, through: 5) == [])
    }

    @Test func streamScansGoForwardAndBackwardFromAVersion() throws {
        let directory = try TemporaryDirectory()
        let ledger = try interleaved(directory, count: 10)
        func ids(_ stream: String, from: UInt64? = nil, _ direction: Direction = .forward) throws -> [String] {
            var seen: [String] = []
            try ledger.forEachEvent(inStream: stream, from: from, direction: direction) { seen.append($0.id) }
            return seen
        }
        #expect(try ids("A") == ["e1", "e3", "e5", "e7", "e9"])
        #expect(try ids("B", from: 4) == ["e8", "e10"])
        #expect(try ids("B", .backward) == ["e10", "e8", "e6", "e4", "e2"])
        #expect(try ids("A", from: 2, .backward) == ["e3", "e1"])
        #expect(try ids("missing") == [])
    }

    @Test func asyncSequencesReadInChunksAndStopAtTheHeadOfTheirStart() async throws {
        let directory = try TemporaryDirectory()
        let count = Limits.readChunkEventsMax * 2 + 7
        let ledger = try interleaved(directory, count: count)
        var forward: [UInt64] = []
        for try await recorded in ledger.events() {
            forward.append(recorded.position)
            // Appends during the iteration are beyond its snapshot.
            if recorded.position == 1 { try ledger.append([event("late")], to: "C") }
        }
        #expect(forward == Array(1...UInt64(count)))
        var backward: [UInt64] = []
        for try await recorded in ledger.events(through: UInt64(count), direction: .backward, types: ["odd"]) { backward.append(recorded.position) }
        #expect(backward == Array(stride(from: UInt64(count), through: 1, by: -2)))
        var stream: [UInt64] = []
        for try await recorded in ledger.events(inStream: "A", from: 2) { stream.append(recorded.streamVersion) }
        #expect(stream == Array(2...UInt64((count + 1) / 2)))
        var streamBackward: [UInt64] = []
        for try await recorded in ledger.events(inStream: "B", direction: .backward) { streamBackward.append(recorded.streamVersion) }
        #expect(streamBackward == Array((1...UInt64(count / 2)).reversed()))
    }

    @Test func aSubscriptionCatchesUpThenFollowsLiveAppends() async throws {
        let directory = try TemporaryDirectory()
        // A long poll interval: only the in-process wake-up can deliver live events in time.
        let ledger = try makeLedger(directory) { $0.pollInterval = .seconds(3600) }
        try ledger.append([event("1"), event("2"), event("3")], to: "S")
        let received = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var ids: [String] = []
                for try await recorded in ledger.subscribe(from: 2) {
                    ids.append(recorded.id)
                    if recorded.id == "3" {
                        try ledger.append([event("4")], to: "S")
                        try ledger.append([event("5")], to: "T")
                    }
                    if ids.count == 4 { break }
                }
                return ids
            }
            return try await group.next() ?? []
        }
        #expect(received == ["2", "3", "4", "5"])
    }

    @Test func cancellingTheTaskEndsAWaitingSubscription() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.pollInterval = .seconds(3600) }
        try ledger.append([event("1")], to: "S")
        let task = Task {
            var count = 0
            for try await _ in ledger.subscribe() { count += 1 }
            return count
        }
        // Wait until the subscription has caught up (it then waits for a wake-up), then cancel.
        while try ledger.head().position < 1 { await Task.yield() }
        task.cancel()
        #expect(try await task.value <= 1)
    }

    @Test func readersInSeveralTasksSeeWholeBatchesWhileAWriterAppends() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let batches = 200
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for batch in 0..<batches {
                    // Each batch is 3 events; a snapshot must always hold a multiple of 3.
                    try ledger.append((0..<3).map { event("\(batch)-\($0)") }, to: "S\(batch % 5)")
                    await Task.yield()
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    var last: UInt64 = 0
                    while last < UInt64(batches * 3) {
                        var count: UInt64 = 0
                        try ledger.forEachEvent { _ in count += 1 }
                        #expect(count % 3 == 0, "a snapshot held part of a batch")
                        #expect(count >= last, "the log shrank")
                        last = count
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try ledger.verify().eventsChecked == UInt64(batches * 3))
    }
}
