import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// `dossier-ledger replay`.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream the log itself, oldest first, optionally filtered.",
        discussion: """
            --since and --until filter on the events' own times (RFC 3339, or YYYY-MM-DD: from the start of that day, \
            until its end); --department keeps the events of dossiers received for that department. jsonl output is the \
            interchange format with each event's id, and can be imported into a new ledger to reproduce the same \
            statistics. The ledger's own settings stream ($ledger) is not replayed.

            Example: dossier-ledger replay --ledger center.ledger --since 2019-06-01 --type decided --format table
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, table }

    @OptionGroup var location: LedgerLocation
    @OptionGroup var progress: ProgressFlag

    @Option(name: .customLong("from-position"), help: "The first position.")
    var fromPosition: UInt64 = 1
    @Option(name: .customLong("to-position"), help: "The last position.")
    var toPosition: UInt64 = .max
    @Option(help: ArgumentHelp("Events at or after this time.", valueName: "time"))
    var since: String?
    @Option(help: ArgumentHelp("Events at or before this time.", valueName: "time"))
    var until: String?
    @Option(name: .customLong("type"), help: ArgumentHelp("Only events of this type (repeatable).", valueName: "type"))
    var types: [String] = []
    @Option(help: ArgumentHelp("Only dossiers of this department.", valueName: "code"))
    var department: String?
    @Option(help: "The output format.")
    var format: Format = .jsonl

    func validate() throws {
        for type in types where DossierEventType(rawValue: type) == nil {
            throw ValidationError("--type \(type): expected one of \(DossierEventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard fromPosition <= toPosition else { throw ValidationError("--from-position is after --to-position") }
    }

    func run() async throws {
        try await reporting {
            let ledger = try location.open()
            let zone = ledger.settings.timeZone
            let low = try since.map { try TimeArgument.parse($0, option: "--since", zone: zone, endOfDay: false).millisecondsSinceEpoch } ?? .min
            let high = try until.map { try TimeArgument.parse($0, option: "--until", zone: zone).millisecondsSinceEpoch } ?? .max
            let head = try ledger.ledger.head().position
            let last = min(toPosition, head)
            let bar = Progress("replay", total: last, quiet: progress.quiet)
            var output = Output()
            var table = Table(header: ["Position", "At", "Dossier", "Type", "Details"], textColumns: [1, 2, 3, 4])
            // A department filter needs each dossier's receipt, which may come before --from-position.
            var departments: [String?] = []
            let start = department == nil ? fromPosition : 1
            let wanted = types.isEmpty || department != nil ? nil : Set(types)
            var count: UInt64 = 0
            try ledger.ledger.forEachEvent(from: start, through: last, types: wanted) { record in
                guard !record.isType(LedgerSettings.eventType) else { return }
                let event = try ledger.codec.decode(record)
                if let department {
                    let index = Int(record.streamNumber)
                    if departments.count <= index { departments.append(contentsOf: repeatElement(nil, count: index + 1 - departments.count)) }
                    if case .received(let code, _, _, _) = event.details { departments[index] = code.rawValue }
                    guard departments[index] == department, record.position >= fromPosition else { return }
                    if !types.isEmpty && !types.contains(event.type.rawValue) { return }
                }
                let time = event.at.millisecondsSinceEpoch
                guard time >= low, time <= high else { return }
                count += 1
                switch format {
                case .jsonl: output.line(Interchange.format(event, id: record.id))
                case .table: table.rows.append([String(record.position), event.at.description, event.dossier.rawValue, event.type.rawValue, EventText.details(event)])
                }
                bar.update(done: record.position, events: count)
            }
            bar.finish()
            if format == .table { output.line(table.render()) }
            output.flush()
        }
    }
}
