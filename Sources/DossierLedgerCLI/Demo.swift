import ArgumentParser
import EventLedger
import Foundation

/// `dossier-ledger demo`: a smoke run of the event log in a temporary ledger.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append events to a temporary ledger, read them back and verify the chain.",
        discussion: "Example: dossier-ledger demo")

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-ledger-demo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger.create(at: directory)
        let lifecycle = ["received", "forwarded", "decided", "returnedToCenter", "resultReturned", "rated"]
        for dossier in 1...3 {
            let stream = "H34.12-190117-\(String(format: "%04d", dossier))"
            let events = lifecycle.prefix(3 + dossier).map { type in
                ProposedEvent(id: "\(stream)/\(type)", type: type, payload: Array(type.utf8))
            }
            let result = try ledger.append(events, to: stream, expected: .noStream)
            print("appended \(events.count) events to \(stream) at positions \(result.positions.map(String.init).joined(separator: " "))")
        }
        var replayed = 0
        for try await _ in ledger.events() { replayed += 1 }
        let report = try ledger.verify()
        print("replayed \(replayed) events; verify: \(report.isValid ? "ok" : "FAILED") (\(report.eventsChecked) events, \(report.streamsChecked) streams)")
        print("digest: \(try ledger.head())")
    }
}
