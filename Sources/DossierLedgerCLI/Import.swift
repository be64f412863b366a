import ArgumentParser
import DossierLedger
import Foundation

/// `dossier-ledger import`.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append events from interchange JSON Lines.",
        discussion: """
            Each line is parsed and checked against the dossier lifecycle (against the ledger and the earlier lines); \
            valid lines are appended in atomic batches of up to --batch-events (100,000 by default; the first ones are \
            smaller, so that storing starts while the rest is parsed). A line whose event id is already stored with the same \
            content is a duplicate and skipped. Refused lines go to the rejects file as JSON Lines \
            {"line": N, "reason": "...", "input": "..."}, N counted from 1. Empty lines are skipped.

            Exit 0 when nothing was rejected, 65 when some lines were; with --all-or-nothing one invalid line means \
            nothing is appended.

            Example: dossier-ledger import --ledger center.ledger events.jsonl --rejects rejects.jsonl
            """)

    @OptionGroup var location: LedgerLocation
    @OptionGroup var progress: ProgressFlag

    @Argument(help: ArgumentHelp("The JSON Lines file, or - for standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Where to write refused lines.", valueName: "file"))
    var rejects: String?

    @Flag(name: .customLong("all-or-nothing"), help: "Append nothing unless every line is valid.")
    var allOrNothing = false

    @Option(name: .customLong("batch-events"), help: "The most events per atomic batch (1 to 100000).")
    var batchEvents = 100_000

    @Option(help: ArgumentHelp("After each committed batch, append its last position to this file (for crash tests).", valueName: "file"))
    var acknowledgements: String?

    func validate() throws {
        guard (1...100_000).contains(batchEvents) else { throw ValidationError("--batch-events must be between 1 and 100000") }
    }

    func run() async throws {
        try await reporting {
            let ledger = try location.open(writable: true)
            var reader = try LineReader(path: file)
            let bar = Progress("import", total: reader.size, quiet: progress.quiet)
            var importer = Importer(ledger: ledger, rejects: try rejects.map(RejectsFile.init(path:)), allOrNothing: allOrNothing, progress: bar)
            importer.batchEvents = batchEvents
            importer.acknowledgements = try acknowledgements.map(AcknowledgementFile.init(path:))
            let started = Date()
            let summary = try importer.run(&reader)
            bar.finish()
            let seconds = Date().timeIntervalSince(started)
            var line = "import \(file == "-" ? "standard input" : file): \(summary.accepted) accepted, \(summary.duplicates) duplicates, \(summary.rejected) rejected"
            if allOrNothing && summary.rejected > 0 { line += "; nothing appended (--all-or-nothing)" }
            line += " (\(summary.lines) lines in \(String(format: "%.1f", seconds)) s)"
            printError(line)
            if summary.rejected > 0 {
                if rejects == nil { printError("import: pass --rejects FILE to see which lines were refused and why") }
                throw ExitStatus.dataError
            }
        }
    }
}
