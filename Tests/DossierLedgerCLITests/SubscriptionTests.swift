import DossierLedger
import EventLedger
import Foundation
import TestSupport
import Testing

@Suite struct SubscriptionTests {
    @Test func aSubscriptionFollowsAppendsMadeByAnotherProcess() async throws {
        let directory = try TemporaryDirectory("subscription")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let lines = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").prefix(2000)
        let input = directory.child("input.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)

        var options = LedgerOptions()
        options.readOnly = true
        options.pollInterval = .milliseconds(20)
        let reader = try Ledger.open(at: ledger, options: options)
        let importer = Process()
        importer.executableURL = executable
        importer.arguments = ["import", "--ledger", ledger, input, "--quiet", "--batch-events", "100"]
        try importer.run()
        // The writer is another process: only polling can see its commits.
        var positions: [UInt64] = []
        for try await event in reader.subscribe(from: 1) {
            positions.append(event.position)
            if event.position == UInt64(lines.count + 1) { break }
        }
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0)
        #expect(positions == Array(1...UInt64(lines.count + 1)))
    }
}
