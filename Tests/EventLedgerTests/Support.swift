import EventLedger
import LedgerLMDB
import Foundation
import TestSupport

/// A ledger in its own temporary directory, without fsync (tests do not survive power loss).
func makeLedger(_ directory: TemporaryDirectory, _ configure: (inout LedgerOptions) -> Void = { _ in }) throws -> Ledger {
    try Ledger.create(at: directory.child("ledger"), options: testOptions(configure))
}

func testOptions(_ configure: (inout LedgerOptions) -> Void = { _ in }) -> LedgerOptions {
    var options = LedgerOptions()
    options.syncOnCommit = false
    configure(&options)
    return options
}

/// An event whose payload is its text.
func event(_ id: String, _ type: String = "noted", _ text: String? = nil, metadata: EventMetadata = .none) -> ProposedEvent {
    ProposedEvent(id: id, type: type, payload: Array((text ?? "payload of \(id)").utf8), metadata: metadata)
}

/// Appends `count` events over seven streams, with three types, in batches of 1,000.
func appendEvents(_ ledger: Ledger, count: Int, from first: Int = 0) throws {
    for start in stride(from: first, to: first + count, by: 1000) {
        try ledger.append((start..<Swift.min(first + count, start + 1000)).map { index in
            StreamAppend(stream: "S\(index % 7)", events: [event("e\(index)", ["a", "b", "c"][index % 3])])
        })
    }
}

/// Appends 5,000 events and catches `projection` up with them while every reader slot is
/// taken (after a first catch-up of 100 events, which opens the projection's tables: opening
/// them reads the environment's names). Returns the checkpoint reached.
func catchUpWithEveryReaderSlotTaken(_ ledger: Ledger, _ projection: some Projection) throws -> UInt64 {
    try appendEvents(ledger, count: 100)
    try ledger.catchUp(projection)
    try appendEvents(ledger, count: 4_900, from: 100)
    var caughtUp: UInt64 = 0
    try holdingEveryReaderSlot(of: ledger) {
        caughtUp = try ledger.catchUp(projection)
    }
    return caughtUp
}

/// Holds read transactions of the ledger open until no reader slot is left, then runs `body`.
func holdingEveryReaderSlot(of ledger: Ledger, _ body: () throws -> Void) throws {
    var begun = false
    do {
        try ledger.environment.read { _ in
            begun = true
            try holdingEveryReaderSlot(of: ledger, body)
        }
    } catch LMDBError.readersFull where !begun {
        try body()
    }
}

/// Every event of the log, read with the zero-copy scan, as owned copies.
func allEvents(_ ledger: Ledger) throws -> [RecordedEvent] {
    var events: [RecordedEvent] = []
    try ledger.forEachEvent { events.append($0.recorded) }
    return events
}

/// A codec for tests: the event is a string, its type the first word.
struct TextCodec: EventCodec {
    func encode(_ event: String) throws -> EncodedEvent {
        EncodedEvent(type: String(event.split(separator: " ").first ?? "empty"), payload: Array(event.utf8))
    }

    func decode(_ record: borrowing EventRecord) throws -> String {
        record.withPayload { span in span.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    }
}

/// A seeded generator for repeatable random tests (Knuth's MMIX linear congruential step,
/// output mixed by a xorshift).
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
