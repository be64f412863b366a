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
}
