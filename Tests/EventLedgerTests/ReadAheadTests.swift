import EventLedger
import LedgerLMDB
import TestSupport
import Testing

/// Folds an order-sensitive digest of the events' positions and types: a fold that loses,
/// repeats or reorders an event stores another digest.
struct PositionDigest: Projection, CustomTestStringConvertible {
    /// How a fold made to fail fails.
    enum Failure: Error, Equatable {
        /// `decode` threw at this position.
        case unreadable(UInt64)
        /// `apply` threw at this position.
        case refused(UInt64)
    }

    struct Batch {
        var state: (count: UInt64, digest: UInt64)?
    }

    var name = "positionDigest"
    var version: UInt32 = 1
    var tables = ["digest"]
    /// Where `decode` throws, if anywhere.
    var unreadableAt: UInt64?
    /// Where `apply` throws, if anywhere.
    var refusedAt: UInt64?
    /// The error a fold of this projection ends with, if any.
    var failure: Failure? { unreadableAt.map(Failure.unreadable) ?? refusedAt.map(Failure.refused) }
    var testDescription: String { failure.map { "\($0)" } ?? "no failure" }

    func makeBatch() -> Batch { Batch() }

    func decode(_ record: borrowing EventRecord, into events: inout [(position: UInt64, type: String)]) throws {
        if record.position == unreadableAt { throw Failure.unreadable(record.position) }
        events.append((record.position, record.type))
    }

    func apply(_ events: [(position: UInt64, type: String)], to batch: inout Batch, store: borrowing ProjectionStore) throws {
        var state = try batch.state ?? stored(store)
        for event in events {
            if event.position == refusedAt { throw Failure.refused(event.position) }
            state = Self.step(state, event.position, event.type)
        }
        batch.state = state
    }

    func flush(_ batch: inout Batch, into store: inout ProjectionStore) throws {
        guard let state = batch.state else { return }
        try store.put(Self.bytes(state.count) + Self.bytes(state.digest), for: [1], in: tables[0])
    }

    func stored(_ store: borrowing ProjectionStore) throws -> (count: UInt64, digest: UInt64) {
        guard let value = try store.value(for: [1], in: tables[0]), value.count == 16 else { return (0, 14_695_981_039_346_656_037) }
        let number = { (offset: Int) in value[offset..<offset + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        return (number(0), number(8))
    }

    /// The digest after one more event (FNV-1a over its position and type).
    static func step(_ state: (count: UInt64, digest: UInt64), _ position: UInt64, _ type: String) -> (count: UInt64, digest: UInt64) {
        var digest = state.digest
        for byte in bytes(position) + Array(type.utf8) { digest = (digest ^ UInt64(byte)) &* 1_099_511_628_211 }
        return (state.count + 1, digest)
    }

    static func bytes(_ number: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: number >> (56 - 8 * $0)) } }

    /// The digest of every event of the log, folded here.
    static func expected(_ ledger: Ledger) throws -> (count: UInt64, digest: UInt64) {
        try allEvents(ledger).reduce((UInt64(0), UInt64(14_695_981_039_346_656_037))) { step($0, $1.position, $1.type) }
    }
}

/// The fold a second thread reads ahead for (``LedgerOptions/readAheadEventsMin``): what it
/// stores, and how it ends when either thread fails.
@Suite struct ReadAheadTests {

    private func digest(_ ledger: Ledger, _ projection: PositionDigest = PositionDigest()) throws -> (count: UInt64, digest: UInt64) {
        try ledger.read(projection) { store, _ in try projection.stored(store) }
    }

    /// Checks the stored digest against one folded here from every event of the log.
    private func expectDigest(_ ledger: Ledger, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (stored, folded) = (try digest(ledger), try PositionDigest.expected(ledger))
        #expect(stored == folded, sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, Int.max])
    func everyFoldStoresTheSameWhetherOrNotItReadsAhead(readAheadEventsMin: Int) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.readAheadEventsMin = readAheadEventsMin }
        let projection = PositionDigest()
        // Several blocks of 4,096 decoded events, and a partial one.
        try appendEvents(ledger, count: 10_000)
        #expect(try ledger.catchUp(projection) == 10_000)
        try expectDigest(ledger)
        // An append folds its own events, which no other transaction can read before it commits.
        _ = try ledger.append(updating: projection) { _ in
            ((10_000..<15_000).map { StreamAppend(stream: "S\($0 % 7)", events: [event("e\($0)", "d")]) }, ())
        }
        #expect(try ledger.checkpoint(of: projection) == 15_000)
        try expectDigest(ledger)
        // A read folds the events its stored state lags behind, in memory.
        try appendEvents(ledger, count: 6_000, from: 15_000)
        try expectDigest(ledger)
        #expect(try ledger.checkpoint(of: projection) == 15_000)
        #expect(try ledger.rebuild(projection) == 21_000)
        try expectDigest(ledger)
        #expect(try digest(ledger).count == 21_000)
    }

    /// One thread or the other fails, at a block's first or last event or inside one (the
    /// applying one while the reading one may be waiting for room or still reading): the fold
    /// ends with that error rather than hanging, writes nothing, and leaves no transaction behind.
    @Test(arguments: [
        PositionDigest(unreadableAt: 3), PositionDigest(unreadableAt: 4_096), PositionDigest(unreadableAt: 4_097), PositionDigest(unreadableAt: 39_999),
        PositionDigest(refusedAt: 1), PositionDigest(refusedAt: 4_097), PositionDigest(refusedAt: 40_000),
    ])
    func aFoldFailingOnEitherThreadEndsWithItsErrorAndWritesNothing(failing: PositionDigest) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.readAheadEventsMin = 1 }
        try appendEvents(ledger, count: 40_000)
        let failure = try #require(failing.failure)
        #expect(throws: failure) { try ledger.catchUp(failing) }
        #expect(try ledger.checkpoint(of: PositionDigest()) == 0)
        #expect(throws: failure) { try ledger.read(failing) { _, _ in } }
        #expect(try ledger.catchUp(PositionDigest()) == 40_000)
        try expectDigest(ledger)
    }

    @Test func aFoldWhoseReadingThreadGetsNoReaderSlotFoldsOnOneThread() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.readAheadEventsMin = 1 }
        #expect(try catchUpWithEveryReaderSlotTaken(ledger, PositionDigest()) == 5_000)
        try expectDigest(ledger)
    }
}
