import ArgumentParser
import DossierLedger
import Foundation

/// `dossier-ledger rebuild`.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the stored statistics from the first event.",
        discussion: "Example: dossier-ledger rebuild --ledger center.ledger")

    @OptionGroup var location: LedgerLocation
    @OptionGroup var progress: ProgressFlag

    func run() async throws {
        try await reporting {
            let ledger = try location.open(writable: true)
            let started = Date()
            let bar = Progress("rebuild", total: try ledger.ledger.head().position, quiet: progress.quiet)
            let checkpoint = try ledger.rebuildStatistics { bar.update(done: $0, events: $0) }
            bar.finish()
            print("rebuilt statistics from \(checkpoint) events in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
