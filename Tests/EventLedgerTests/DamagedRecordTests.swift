import EventLedger
import Foundation
import LedgerLMDB
import TestSupport
import Testing

/// Records damaged at random, written back through LMDB as someone with the file could: every
/// read and `verify` must answer with an error or a problem at that position, never crash.
@Suite struct DamagedRecordTests {
    @Test func randomlyDamagedRecordsAreReportedNeverFatal() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
        print("damaged-record seed \(seed)")
        var random = SeededRandom(seed: seed)
        let directory = try TemporaryDirectory()
        let path: String
        do {
            let ledger = try makeLedger(directory)
            for index in 1...40 {
                try ledger.append([event("e\(index)", "t\(index % 3)", String(repeating: "p", count: index), metadata: EventMetadata(actor: index % 2 == 0 ? "clerk" : nil))], to: "S\(index % 5)")
            }
            path = ledger.path
        }
        func key(_ position: UInt64) -> [UInt8] { withUnsafeBytes(of: position.bigEndian) { Array($0) } }
        var problemsFound = 0
        for round in 0..<300 {
            let position = UInt64.random(in: 1...40, using: &random)
            var original: [UInt8] = []
            do {
                let environment = try Environment(path: path)
                let events = try environment.database(named: "events")
                original = try environment.read { try $0.value(for: key(position).span.bytes, in: events) } ?? []
                var damaged = original
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<damaged.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: damaged[index] ^= UInt8.random(in: 1...255, using: &random)
                    case 1: damaged = Array(damaged[..<max(index, 1)])
                    default: damaged.insert(UInt8.random(in: 0...255, using: &random), at: index)
                    }
                    if damaged.isEmpty { damaged = [0] }
                }
                try environment.write { try $0.put(damaged.span.bytes, for: key(position).span.bytes, in: events) }
            }
            do {
                let ledger = try Ledger.open(at: path, options: testOptions())
                let report = try ledger.verify()
                if let problem = report.problem {
                    problemsFound += 1
                    #expect(problem.position == position, "seed \(seed), round \(round): \(problem)")
                }
                _ = try? ledger.event(at: position)
                try? ledger.forEachEvent { _ = $0.metadata; _ = $0.streamID; $0.withPayload { _ = $0.byteCount } }
            }
            do {
                let environment = try Environment(path: path)
                let events = try environment.database(named: "events")
                let restored = original
                try environment.write { try $0.put(restored.span.bytes, for: key(position).span.bytes, in: events) }
            }
        }
        #expect(problemsFound > 250, "seed \(seed)")
        #expect(try Ledger.open(at: path).verify().isValid)
    }

    /// One damage per check the reader makes of a record's layout, each of an event with every
    /// text present: reading it must fail with that check's reason, at its position.
    @Test(arguments: [
        ("a record cut to its first 80 bytes", "shorter than any record"),
        ("format 2", "unknown record format 2"),
        ("flag bit 3", "unknown flags"),
        ("reserved bytes", "reserved bytes are not zero"),
        ("a stream id one byte longer", "field lengths add up to"),
        ("an empty type, its bytes given to the payload", "empty stream id, event id or type"),
        ("no actor flag", "actor bytes without the actor flag"),
        ("no correlation flag", "correlation bytes without the flag"),
        ("no causation flag", "causation bytes without the flag"),
        ("position 9", "the record says position 9"),
    ])
    func eachLayoutCheckNamesWhatIsWrong(damage: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        let path: String
        let metadata = EventMetadata(actor: "clerk-7", correlationID: "import-1", causationID: "e0")
        do {
            let ledger = try makeLedger(directory)
            try ledger.append([event("e0", "first")], to: "S")
            try ledger.append([ProposedEvent(id: "e1", type: "received", schemaVersion: 3, payload: Array("payload".utf8), metadata: metadata)], to: "S")
            let stored = try #require(try ledger.event(at: 2))
            #expect(stored.streamID == "S" && stored.id == "e1" && stored.type == "received" && stored.metadata == metadata)
            #expect(stored.payload == Array("payload".utf8) && stored.schemaVersion == 3)
            path = ledger.path
        }
        let key = withUnsafeBytes(of: UInt64(2).bigEndian) { Array($0) }
        do {
            let environment = try Environment(path: path)
            let events = try environment.database(named: "events")
            var record = try #require(try environment.read { try $0.value(for: key.span.bytes, in: events) })
            func setCount(at offset: Int, _ count: Int) {
                withUnsafeBytes(of: UInt16(count).littleEndian) { record.replaceSubrange(offset..<(offset + 2), with: $0) }
            }
            func count(at offset: Int) -> Int { Int(record[offset]) | Int(record[offset + 1]) << 8 }
            switch damage {
            case "a record cut to its first 80 bytes": record = Array(record.prefix(80))
            case "format 2": record[0] = 2
            case "flag bit 3": record[1] |= 8
            case "reserved bytes": record[53] = 1
            case "a stream id one byte longer": setCount(at: 40, count(at: 40) + 1)
            case "an empty type, its bytes given to the payload":
                let typeCount = count(at: 44)
                setCount(at: 44, 0)
                let payloadCount = Int(record[4]) + typeCount
                record[4] = UInt8(payloadCount)
            case "no actor flag": record[1] &= ~1
            case "no correlation flag": record[1] &= ~2
            case "no causation flag": record[1] &= ~4
            case "position 9": record[8] = 9
            default: Issue.record("no such damage: \(damage)")
            }
            try environment.write { try $0.put(record.span.bytes, for: key.span.bytes, in: events) }
        }
        let ledger = try Ledger.open(at: path, options: testOptions())
        #expect(try ledger.event(at: 1)?.id == "e0")
        #expect {
            _ = try ledger.event(at: 2)
        } throws: { error in
            guard case LedgerError.corruptRecord(let position, let found) = error else { return false }
            return position == 2 && found.contains(reason)
        }
        var read = 0
        #expect(throws: LedgerError.self) { try ledger.forEachEvent { _ in read += 1 } }
        #expect(read == 1)
    }
}
