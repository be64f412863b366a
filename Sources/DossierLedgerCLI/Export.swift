import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// `dossier-ledger export`.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every dossier event as a table for analysts.",
        discussion: """
            jsonl: the interchange format with "id", "position" and "chainHash". csv: one row per event with the columns \
            position, recordedAt, dossier, type, at, department, procedure, due, channel, via, outcome, rating, official, \
            id, chainHash.

            Example: dossier-ledger export --ledger center.ledger --format csv > events.csv
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @OptionGroup var location: LedgerLocation
    @OptionGroup var progress: ProgressFlag

    @Option(help: "The output format.")
    var format: Format = .jsonl

    func run() async throws {
        try await reporting {
            let ledger = try location.open()
            let head = try ledger.ledger.head().position
            let bar = Progress("export", total: head, quiet: progress.quiet)
            var output = Output()
            if format == .csv {
                output.line("position,recordedAt,dossier,type,at,department,procedure,due,channel,via,outcome,rating,official,id,chainHash")
            }
            var count: UInt64 = 0
            try ledger.ledger.forEachEvent(through: head) { record in
                guard !record.isType(LedgerSettings.eventType) else { return }
                let event = try ledger.codec.decode(record)
                switch format {
                case .jsonl:
                    output.line(Interchange.format(event, id: record.id, position: record.position, chainHash: record.chainHash))
                case .csv:
                    var fields = [String](repeating: "", count: 8)
                    switch event.details {
                    case .received(let department, let procedure, let due, let channel):
                        fields[0] = department.rawValue; fields[1] = procedure.rawValue; fields[2] = due.description; fields[3] = channel.rawValue
                    case .forwarded(let via), .returnedToCenter(let via): fields[4] = via.rawValue
                    case .decided(let outcome): fields[5] = outcome.rawValue
                    case .rated(let rating, let official): fields[6] = rating.rawValue; fields[7] = official ?? ""
                    case .resultReturned, .withdrawn: break
                    }
                    let recordedAt = Timestamp(record.recordedAt).description
                    output.line(([String(record.position), recordedAt, event.dossier.rawValue, event.type.rawValue, event.at.description] + fields
                        + [record.id, record.chainHash.hex]).map(CSV.field).joined(separator: ","))
                }
                count += 1
                bar.update(done: record.position, events: count)
            }
            bar.finish()
            output.flush()
        }
    }
}
