import ArgumentParser

/// `dossier-ledger`: the command line for auditors and analysts.
@main
struct DossierLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossier-ledger",
        abstract: "Record, replay and verify the events of administrative-procedure dossiers.",
        subcommands: [Demo.self, GenerateFixture.self])
}
