import DossierLedger
import EventLedger
import Foundation
import TestSupport
import Testing

/// A real `dossier-ledger import` killed with SIGKILL at random moments, then checked and resumed.
/// `CRASH_KILLS` sets the number of kills (30 by default, `make soak` runs hundreds) and
/// `CRASH_SEED` the seed of the kill moments; the seed is printed so a failure can be replayed.
@Suite(.serialized) struct CrashTests {
    static let batch = 100

    @Test func killedImportsLoseNothingAcknowledgedLeaveNoPartialBatchAndResumeWithoutDuplicates() throws {
        let environment = ProcessInfo.processInfo.environment
        let kills = Int(environment["CRASH_KILLS"] ?? "") ?? 30
        let seed = UInt64(environment["CRASH_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
        print("crash test: \(kills) kills, seed \(seed) (replay with CRASH_SEED=\(seed))")
        var random = SplitMix64(seed: seed)

        let directory = try TemporaryDirectory("crash")
        let lines = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").prefix(6000)
        let input = directory.child("input.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let ledger = directory.child("ledger")
        let acknowledgements = directory.child("acknowledged")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)

        let batchEnds = importBatchEnds(lines: lines.count, batchEvents: Self.batch)
        var interrupted = 0
        var runs = 0
        while interrupted < kills {
            runs += 1
            let process = Process()
            process.executableURL = executable
            process.arguments = ["import", "--ledger", ledger, input, "--quiet", "--batch-events", String(Self.batch), "--acknowledgements", acknowledgements]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 30_000...400_000, using: &random))
            let running = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if running && process.terminationReason == .uncaughtSignal { interrupted += 1 }

            // Every acknowledged event is there, no batch is half there, everything verifies. (A
            // run killed before it opened the acknowledgements file acknowledged nothing.)
            let written = FileManager.default.fileExists(atPath: acknowledgements) ? try String(contentsOfFile: acknowledgements, encoding: .utf8) : ""
            let acknowledged = written.split(separator: "\n").compactMap { UInt64($0) }.max() ?? 1
            var options = LedgerOptions()
            options.readOnly = true
            let opened = try DossierLedger.open(at: ledger, options: options)
            let head = try opened.ledger.head().position
            #expect(head >= acknowledged, "seed \(seed): acknowledged \(acknowledged), head \(head)")
            #expect(head == 1 || batchEnds.contains(Int(head - 1)), "seed \(seed): a partial batch, head \(head)")
            let report = try opened.verify()
            #expect(report.isValid, "seed \(seed): \(report.problem.map(String.init(describing:)) ?? "")")
            #expect(report.statisticsCheckpoint == head, "seed \(seed): statistics at \(report.statisticsCheckpoint), log at \(head)")
            if !report.isValid { return }
            if runs > kills * 20 { break }
        }
        #expect(FileManager.default.fileExists(atPath: acknowledgements), "seed \(seed): no run acknowledged a batch")
        // Resume to completion: nothing doubled, the same figures as an import that never crashed.
        let resumed = try dossierLedger(["import", "--ledger", ledger, input, "--batch-events", String(Self.batch)])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try dossierLedger(["verify", "--ledger", ledger]).status == 0)
        let clean = directory.child("clean")
        #expect(try dossierLedger(["init", "--ledger", clean]).status == 0)
        #expect(try dossierLedger(["import", "--ledger", clean, input]).status == 0)
        for path in [ledger, clean] {
            #expect(try dossierLedger(["digest", "--ledger", path]).stdout.hasSuffix("@\(lines.count + 1)\n"))
        }
        let crashed = try json(dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-12-31", "--format", "json"]).stdout)
        let uncrashed = try json(dossierLedger(["stats", "--ledger", clean, "--as-of", "2019-12-31", "--format", "json"]).stdout)
        #expect(crashed["total"] as? NSDictionary == uncrashed["total"] as? NSDictionary)
        #expect(crashed["departments"] as? NSArray == uncrashed["departments"] as? NSArray)
        print("crash test: \(interrupted) imports killed mid-run in \(runs) runs, seed \(seed)")
    }
}
