import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// The `--ledger DIR` option every subcommand takes.
struct LedgerLocation: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger directory.", discussion: "Defaults to the DOSSIER_LEDGER environment variable.", valueName: "dir"))
    var ledger: String?

    /// The directory, from the option or the environment.
    func path() throws -> String {
        if let ledger, !ledger.isEmpty { return ledger }
        if let value = ProcessInfo.processInfo.environment["DOSSIER_LEDGER"], !value.isEmpty { return value }
        throw ValidationError("no ledger given: pass --ledger DIR or set DOSSIER_LEDGER")
    }

    /// Opens the ledger, read-only unless `writable`.
    func open(writable: Bool = false) throws -> DossierLedger {
        var options = LedgerOptions()
        options.readOnly = !writable
        return try DossierLedger.open(at: try path(), options: options)
    }
}

/// `--quiet`: no progress bar even on a terminal.
struct ProgressFlag: ParsableArguments {
    @Flag(help: "Never show progress on standard error.")
    var quiet = false
}
