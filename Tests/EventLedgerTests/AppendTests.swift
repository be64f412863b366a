import EventLedger
import Foundation
import TestSupport
import Testing

@Suite struct AppendTests {
    @Test func appendsGetDensePositionsAndStreamVersions() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let first = try ledger.append([event("a1"), event("a2")], to: "A", expected: .noStream)
        let second = try ledger.append([event("b1")], to: "B", expected: .noStream)
        let third = try ledger.append([event("a3")], to: "A", expected: .exact(2))
        #expect(first.positions == [1, 2] && first.streamVersion == 2 && first.duplicates == 0)
        #expect(second.positions == [3] && second.streamVersion == 1)
        #expect(third.positions == [4] && third.streamVersion == 3)
        let events = try allEvents(ledger)
        #expect(events.map(\.position) == [1, 2, 3, 4])
        #expect(events.map(\.streamID) == ["A", "A", "B", "A"])
        #expect(events.map(\.streamVersion) == [1, 2, 1, 3])
        #expect(events.map(\.streamNumber) == [1, 1, 2, 1])
        #expect(events.map(\.id) == ["a1", "a2", "b1", "a3"])
        #expect(events[0].payload == Array("payload of a1".utf8))
        #expect(try ledger.streamVersion(of: "A") == 3)
        #expect(try ledger.streamVersion(of: "C") == nil)
        #expect(try ledger.head().position == 4)
    }

    @Test func recordedEventsCarryTypeSchemaTimeAndMetadata() throws {
        let directory = try TemporaryDirectory()
        let instant = Date(timeIntervalSince1970: 1_547_690_700.123456)
        let ledger = try makeLedger(directory) { $0.clock = { instant } }
        let metadata = EventMetadata(actor: "clerk-7", correlationID: "import-1", causationID: nil)
        try ledger.append([ProposedEvent(id: "e", type: "received", schemaVersion: 3, payload: [1, 2, 3], metadata: metadata)], to: "S")
        let stored = try #require(try ledger.event(withID: "e"))
        #expect(stored.type == "received" && stored.schemaVersion == 3 && stored.payload == [1, 2, 3])
        #expect(stored.metadata == metadata)
        #expect(abs(stored.recordedAt.timeIntervalSince(instant)) < 0.000_001)
        #expect(try ledger.event(at: 1) == stored)
        #expect(try ledger.event(at: 2) == nil)
    }

    @Test(arguments: [
        (ExpectedVersion.noStream, UInt64?.some(2)),
        (ExpectedVersion.exact(1), UInt64?.some(2)),
        (ExpectedVersion.exact(3), UInt64?.some(2)),
    ])
    func aStaleExpectedVersionThrowsAConflictWithTheActualVersion(expected: ExpectedVersion, actual: UInt64?) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("1"), event("2")], to: "S")
        #expect(throws: LedgerError.conflict(stream: "S", expected: expected, actual: actual)) {
            try ledger.append([event("3")], to: "S", expected: expected)
        }
        #expect(try ledger.head().position == 2)
    }

    /// `Hồ` precomposed and decomposed are equal `String`s but different stream ids, in every
    /// append, the first of each and those after (whose numbers the ledger may remember).
    @Test func streamIdsThatDifferOnlyInUnicodeFormAreDifferentStreams() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let composed = "H\u{1ED3}-1", decomposed = "Ho\u{0302}\u{0300}-1"
        #expect(composed == decomposed, "the premise: Swift equates the two")
        for round in 1...3 {
            try ledger.append([event("c\(round)")], to: composed, expected: round == 1 ? .noStream : .exact(UInt64(round - 1)))
            try ledger.append([event("d\(round)")], to: decomposed, expected: round == 1 ? .noStream : .exact(UInt64(round - 1)))
        }
        func ids(_ stream: String) throws -> [String] {
            var seen: [String] = []
            try ledger.forEachEvent(inStream: stream) { seen.append($0.id) }
            return seen
        }
        #expect(try ids(composed) == ["c1", "c2", "c3"] && ids(decomposed) == ["d1", "d2", "d3"])
        #expect(try ledger.verify().problem == nil)
    }

    @Test func exactOnAMissingStreamReportsNoStream() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        #expect(throws: LedgerError.conflict(stream: "S", expected: .exact(1), actual: nil)) {
            try ledger.append([event("1")], to: "S", expected: .exact(1))
        }
    }

    @Test func theSameIdWithTheSameContentIsANoOpReturningTheOriginalPosition() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("x1"), event("x2")], to: "X", expected: .noStream)
        try ledger.append([event("y1")], to: "Y")
        // A retry of the first append, with its original expectation, changes nothing.
        let retry = try ledger.append([event("x1"), event("x2")], to: "X", expected: .noStream)
        #expect(retry.positions == [1, 2] && retry.duplicates == 2 && retry.streamVersion == 2)
        #expect(try ledger.head().position == 3)
        // Duplicates inside one batch collapse too.
        let mixed = try ledger.append([event("x3"), event("x3")], to: "X", expected: .exact(2))
        #expect(mixed.positions == [4, 4] && mixed.duplicates == 1)
        // A duplicate first, then a new event: the expectation is still checked against the
        // stream's version before the new event.
        let late = try ledger.append([event("x1"), event("x4")], to: "X", expected: .exact(3))
        #expect(late.positions == [1, 5] && late.duplicates == 1 && late.streamVersion == 4)
        #expect(throws: LedgerError.conflict(stream: "X", expected: .exact(3), actual: 4)) {
            try ledger.append([event("x2"), event("x9")], to: "X", expected: .exact(3))
        }
        #expect(try ledger.head().position == 5)
    }

    /// Ids that are prefixes of one another sort shorter first, as the index has them: one
    /// after the index's end is stored there, one before it is looked up, and every repeat is
    /// found, in one batch and the next.
    @Test func idsThatArePrefixesOfOneAnotherAreToldApart() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let ids = ["a1", "a", "a10", "a1", "b", "a", "a100"]
        let first = try ledger.append(ids.map { event($0) }, to: "S")
        #expect(first.positions == [1, 2, 3, 1, 4, 2, 5] && first.duplicates == 2)
        let again = try ledger.append(["a10", "a1000", "a"].map { event($0) }, to: "S")
        #expect(again.positions == [3, 6, 2] && again.duplicates == 2)
        #expect(try ledger.event(withID: "a1000")?.position == 6)
        #expect(try ledger.event(withID: "a")?.position == 2)
    }

    @Test func positionsCompareByTheirElementsHoweverTheyAreBuilt() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("p1"), event("p2")], to: "P")
        // A duplicate of an earlier event, then new ones: positions that do not follow each other.
        let mixed = try ledger.append([event("p3"), event("p1"), event("p4"), event("p5")], to: "P")
        #expect(Array(mixed.positions) == [3, 1, 4, 5] && mixed.duplicates == 1)
        #expect(mixed.positions.count == 4 && mixed.positions[1] == 1 && mixed.positions.last == 5)
        #expect(mixed.positions.description == "[3, 1, 4, 5]")
        // Built one at a time or from an array, the same positions are equal and hash alike.
        var grown = AppendResult.Positions()
        for position: UInt64 in [3, 1, 4, 5] { grown.append(position) }
        #expect(grown == mixed.positions && grown == AppendResult.Positions([3, 1, 4, 5]))
        #expect(Set([grown, mixed.positions, [3, 1, 4, 5]]).count == 1)
        var run = AppendResult.Positions()
        for position: UInt64 in 7...9 { run.append(position) }
        #expect(Array(run) == [7, 8, 9] && run == [7, 8, 9] && run != [7, 8] && run != [7, 8, 10])
        #expect(Set([run, AppendResult.Positions([7, 8, 9])]).count == 1)
        #expect(AppendResult.Positions().isEmpty && AppendResult.Positions() == [])
    }

    @Test func theSameIdWithDifferentContentIsRejected() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("e1", "noted", "first")], to: "S")
        #expect(throws: LedgerError.idReused(id: "e1", position: 1)) {
            try ledger.append([event("e1", "noted", "second")], to: "S")
        }
        #expect(throws: LedgerError.idReused(id: "e1", position: 1)) {
            try ledger.append([event("e1", "noted", "first")], to: "another stream")
        }
        #expect(throws: LedgerError.idReused(id: "e1", position: 1)) {
            try ledger.append([event("e1", "noted", "first", metadata: EventMetadata(actor: "someone"))], to: "S")
        }
        #expect(try ledger.head().position == 1)
    }

    @Test func aBatchOverSeveralStreamsCommitsWhollyOrNotAtAll() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("a1")], to: "A")
        let before = try ledger.head()
        #expect(throws: LedgerError.conflict(stream: "A", expected: .noStream, actual: 1)) {
            try ledger.append([
                StreamAppend(stream: "B", expected: .noStream, events: [event("b1"), event("b2")]),
                StreamAppend(stream: "C", events: [event("c1")]),
                StreamAppend(stream: "A", expected: .noStream, events: [event("a2")]),
            ])
        }
        #expect(try ledger.head() == before)
        #expect(try ledger.streamVersion(of: "B") == nil)
        #expect(try ledger.event(withID: "b1") == nil)
        // The same batch, corrected, goes in whole; a stream may appear twice.
        let results = try ledger.append([
            StreamAppend(stream: "B", expected: .noStream, events: [event("b1"), event("b2")]),
            StreamAppend(stream: "C", events: [event("c1")]),
            StreamAppend(stream: "B", expected: .exact(2), events: [event("b3")]),
        ])
        #expect(results.map(\.positions) == [[2, 3], [4], [5]])
        #expect(try ledger.verify().isValid)
    }

    @Test func aStreamMetInATransactionThatFailedIsNumberedAfresh() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("a1")], to: "A")
        // B is numbered 2 in a transaction that does not commit.
        #expect(throws: LedgerError.conflict(stream: "A", expected: .noStream, actual: 1)) {
            try ledger.append([
                StreamAppend(stream: "B", events: [event("b1")]),
                StreamAppend(stream: "A", expected: .noStream, events: [event("a2")]),
            ])
        }
        // Number 2 goes to C; B, appended again, is new and gets 3.
        try ledger.append([event("c1")], to: "C")
        try ledger.append([event("b1")], to: "B")
        try ledger.append([event("b2")], to: "B")
        var b: [(id: String, number: UInt64, version: UInt64)] = []
        try ledger.forEachEvent(inStream: "B") { b.append(($0.id, $0.streamNumber, $0.streamVersion)) }
        #expect(b.map(\.id) == ["b1", "b2"])
        #expect(b.map(\.number) == [3, 3])
        #expect(b.map(\.version) == [1, 2])
        var c: [UInt64] = []
        try ledger.forEachEvent(inStream: "C") { c.append($0.streamNumber) }
        #expect(c == [2])
        #expect(try ledger.verify().isValid)
    }

    @Test(arguments: [0, 40, Limits.knownStreamsMax])
    func streamsAreNumberedAlikeHoweverManyAreRemembered(knownStreamsMax: Int) throws {
        // The same appends, at the same instant, to a ledger that remembers no stream: every
        // record (stream numbers and versions included) and so the chain hash come out the same.
        // Remembering 40 of 300 streams, the table starts over again and again.
        let instant = Date(timeIntervalSince1970: 1_550_000_000)
        let (directory, reference) = (try TemporaryDirectory(), try TemporaryDirectory())
        let ledger = try makeLedger(directory) {
            $0.clock = { instant }
            $0.knownStreamsMax = knownStreamsMax
        }
        let forgetful = try makeLedger(reference) {
            $0.clock = { instant }
            $0.knownStreamsMax = 0
        }
        var random = SeededRandom(seed: 19)
        var next = 0
        for round in 0..<40 {
            let batch = (0..<50).map { _ in
                next += 1
                return StreamAppend(stream: "dossier-\(Int.random(in: 0..<300, using: &random))", events: [event("e\(next)")])
            }
            // Every fourth batch ends with a request that cannot be met: nothing of it is kept.
            let failing = round % 4 == 3 ? [StreamAppend(stream: batch[0].stream, expected: .noStream, events: [event("x\(round)")])] : []
            for target in [ledger, forgetful] {
                if failing.isEmpty {
                    try target.append(batch)
                } else {
                    #expect(throws: LedgerError.self) { try target.append(batch + failing) }
                }
            }
        }
        #expect(try ledger.head().position > 1_000)
        #expect(try ledger.head() == forgetful.head())
        #expect(try ledger.verify().isValid)
    }

    @Test func valuesBeyondTheLimitsAreRefusedWithTheLimitNamed() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let longStream = String(repeating: "s", count: 10_000)
        #expect(throws: LedgerError.limitExceeded("a stream id", bytes: 10_000, limit: Limits.streamIDBytesMax)) {
            try ledger.append([event("1")], to: longStream)
        }
        let bigPayload = ProposedEvent(id: "2", type: "t", payload: [UInt8](repeating: 0, count: Limits.payloadBytesMax + 1))
        #expect(throws: LedgerError.limitExceeded("the payload of event 2", bytes: Limits.payloadBytesMax + 1, limit: Limits.payloadBytesMax)) {
            try ledger.append([bigPayload], to: "S")
        }
        #expect(throws: LedgerError.invalidEvent("the event id is empty")) { try ledger.append([event("")], to: "S") }
        #expect(throws: LedgerError.invalidEvent("the stream id is empty")) { try ledger.append([event("3")], to: "") }
        #expect(try ledger.head().position == 0)
    }

    @Test func aCodecEncodesAndDecodesTheApplicationsEvents() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let codec = TextCodec()
        try ledger.append([try ProposedEvent(id: "1", event: "opened the file", codec: codec)], to: "S")
        let stored = try #require(try ledger.event(at: 1))
        #expect(stored.type == "opened")
        #expect(try stored.decode(with: codec) == "opened the file")
    }
}
