import ArgumentParser
import DossierLedger
import Foundation

/// `dossier-ledger stats`.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the statistics as of an instant, per department and in total.",
        discussion: """
            The figures always reflect every event up to the instant, whether or not the stored statistics have caught \
            up (a read-only open catches up without writing: in memory, or when more than 2,000,000 events behind, as \
            after an upgrade that changes them, in a scratch file in TMPDIR that is removed afterwards). --as-of takes RFC 3339, or a date YYYY-MM-DD meaning the end of \
            that day in the ledger's time zone; the default is now. --format json is a stable contract; tables are for \
            people, and --locale vi prints Vietnamese labels and decimal commas.

            Example: dossier-ledger stats --ledger center.ledger --as-of 2019-06-30 --locale vi
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }
    enum By: String, ExpressibleByArgument, CaseIterable { case department, month, procedure }

    @OptionGroup var location: LedgerLocation

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The instant: RFC 3339 or YYYY-MM-DD.", valueName: "time"))
    var asOf: String?

    @Option(help: "The breakdown beside the departments.")
    var by: By = .department

    @Option(help: "The output format.")
    var format: Format = .table

    @Option(help: "The language of the table.")
    var locale: TableLocale = .en

    func run() async throws {
        try await reporting {
            let ledger = try location.open()
            let zone = ledger.settings.timeZone
            let instant = try asOf.map { try TimeArgument.parse($0, option: "--as-of", zone: zone) }
                ?? zone.timestamp(atMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
            let breakdown = DepartmentStatistics.Breakdown(rawValue: by.rawValue) ?? .department
            let statistics = try ledger.statistics(asOf: instant, breakdown: breakdown)
            switch format {
            case .json: print(statistics.json())
            case .csv: print(StatisticsRendering.csv(statistics))
            case .table: print(StatisticsRendering.table(statistics, locale: locale))
            }
        }
    }
}
