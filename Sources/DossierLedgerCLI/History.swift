import ArgumentParser
import DossierLedger
import Foundation

/// `dossier-ledger history`.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every event of one dossier, in order, with its position, time and chain hash.",
        discussion: """
            jsonl lines are the interchange format plus "position" and "chainHash". A dossier with no events is an \
            error (exit 65).

            Example: dossier-ledger history --ledger center.ledger H34.12-190117-0001
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @OptionGroup var location: LedgerLocation

    @Argument(help: ArgumentHelp("The dossier's code.", valueName: "dossier"))
    var dossier: String

    @Option(help: "The output format.")
    var format: Format = .table

    func run() async throws {
        try await reporting {
            let ledger = try location.open()
            let id = try DossierID(dossier)
            let events = try ledger.history(of: id)
            guard !events.isEmpty else {
                throw CommandFailure(message: "dossier \(dossier) has no events in this ledger", status: ExitStatus.dataError)
            }
            var output = Output()
            switch format {
            case .jsonl:
                for stored in events {
                    output.line(Interchange.format(stored.event.event, id: stored.event.id, position: stored.position, chainHash: stored.chainHash))
                }
            case .table:
                var table = Table(header: ["Position", "At", "Type", "Details", "Chain hash"], textColumns: [1, 2, 3, 4])
                table.rows = events.map { stored in
                    [String(stored.position), stored.event.event.at.description, stored.event.event.type.rawValue,
                     EventText.details(stored.event.event), stored.chainHash.hex]
                }
                output.line("dossier \(dossier): \(events.count) events")
                output.line(table.render())
            }
            output.flush()
        }
    }
}
