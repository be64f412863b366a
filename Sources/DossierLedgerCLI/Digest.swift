import ArgumentParser
import DossierLedger

/// `dossier-ledger digest`.
struct Digest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the head of the log as HEX@POSITION, for an auditor to write down.",
        discussion: "Example: dossier-ledger digest --ledger center.ledger")

    @OptionGroup var location: LedgerLocation

    func run() async throws {
        try await reporting {
            print(try location.open().ledger.head())
        }
    }
}
