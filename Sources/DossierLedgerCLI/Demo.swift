import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// `dossier-ledger demo`.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the Lạng Sơn 2019 report from raw events.",
        discussion: """
            Creates a ledger (in a temporary directory unless --ledger is given) from Fixtures/langson-2019-h1 — its \
            departments and events.jsonl — and prints the statistics as of 2019-06-30, then checks them against the \
            fixture's expected-report.json.

            Example: dossier-ledger demo
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: ArgumentHelp("Build the ledger here instead of in a temporary directory.", valueName: "dir"))
    var ledger: String?

    @Option(help: "The output format.")
    var format: Format = .table

    @Option(help: ArgumentHelp("The fixture directory.", valueName: "dir"))
    var fixture: String?

    @OptionGroup var progress: ProgressFlag

    func run() async throws {
        try await reporting {
            let directory = try fixtureDirectory()
            let temporary = ledger == nil
            let path = ledger ?? FileManager.default.temporaryDirectory.appendingPathComponent("dossier-ledger-demo-\(UUID().uuidString)").path
            defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }

            let departments = try LedgerSettings.departments(json: Data(contentsOf: URL(fileURLWithPath: directory + "/departments.json")))
            let dossiers = try DossierLedger.create(at: path, settings: LedgerSettings(timeZone: .vietnam, departments: departments))
            var reader = try LineReader(path: directory + "/events.jsonl")
            let bar = Progress("import", total: reader.size, quiet: progress.quiet)
            let started = Date()
            let summary = try Importer(ledger: dossiers, rejects: nil, allOrNothing: false, progress: bar).run(&reader)
            bar.finish()
            printError("demo: imported \(summary.accepted) events of \(directory)/events.jsonl into \(temporary ? "a temporary ledger" : path) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s (\(summary.rejected) rejected)")

            let asOf = try TimeArgument.parse("2019-06-30", option: "--as-of", zone: dossiers.settings.timeZone)
            let statistics = try dossiers.statistics(asOf: asOf)
            let expected = try String(contentsOf: URL(fileURLWithPath: directory + "/expected-report.json"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let matches = statistics.json(includeLedger: false) == expected
            switch format {
            case .json:
                print(statistics.json())
            case .table:
                print(StatisticsRendering.table(statistics, locale: .en))
                print("")
                print(headline(statistics.total))
            }
            guard matches && summary.rejected == 0 else {
                printError("demo: the statistics differ from \(directory)/expected-report.json")
                throw ExitStatus.verificationFailed
            }
            printError("demo: every figure equals \(directory)/expected-report.json")
        }
    }

    private func headline(_ total: StatisticsCounts) -> String {
        func n(_ value: Int) -> String { StatisticsRendering.number(value, .en) }
        return """
            The Lạng Sơn Public Administration Service Center, 17 January – 30 June 2019, from raw events:
              \(n(total.received)) dossiers received, \(n(total.returned)) results returned, \(n(total.inProgress)) in progress
              \(n(total.onTime)) of \(n(total.returned)) results on time: \(total.onTimeRate?.formatted() ?? "–") %
              \(n(total.late)) late: \(total.lateRate?.formatted() ?? "–") % (the report prints 1.02 %, truncating 1.0288 %)
              \(n(total.forwardedByPost)) sent to departments by post, \(n(total.returnedByPost)) sent back by post
              \(n(total.ratings.total)) ratings: \(n(total.ratings.verySatisfied)) very satisfied (\(total.verySatisfiedRate?.formatted() ?? "–") %), \
            \(n(total.ratings.satisfied)) satisfied (\(total.satisfiedRate?.formatted() ?? "–") %), \(n(total.ratings.dissatisfied)) not satisfied
            """
    }

    /// The fixture: --fixture, else Fixtures/langson-2019-h1 under the working directory, else
    /// beside this source file in the repository.
    private func fixtureDirectory() throws -> String {
        let candidates = [fixture, "Fixtures/langson-2019-h1",
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                            .appendingPathComponent("Fixtures/langson-2019-h1").path].compactMap { $0 }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/events.jsonl") }) else {
            throw CommandFailure(message: "cannot find the fixture (events.jsonl) in \(candidates.joined(separator: ", ")); pass --fixture DIR", status: ExitStatus.ioError)
        }
        return found
    }
}
