import ArgumentParser

/// `dossier-ledger`: the command line for auditors and analysts.
@main
struct DossierLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dossier-ledger",
        abstract: "Record, replay and verify the events of administrative-procedure dossiers, and recompute their statistics.",
        discussion: """
            Every subcommand takes --ledger DIR, or the DOSSIER_LEDGER environment variable. Commands that only read \
            (stats, history, replay, verify, digest, export) open the ledger read-only.

            Exit codes:
              0   success
              1   verification failed (a mismatch was found)
              64  usage error
              65  invalid input data (rejected lines, bad files, unknown dossier)
              74  storage or I/O failure (missing or damaged ledger, disk full, permissions)

            Example: dossier-ledger demo
            """,
        subcommands: [
            Init.self, Import.self, Stats.self, History.self, Replay.self, Verify.self, Digest.self, Rebuild.self,
            Export.self, Demo.self, GenerateFixture.self,
        ])
}
