import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// `dossier-ledger init`.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an empty ledger.",
        discussion: """
            Refuses a directory that already holds a ledger. The departments file (the JSON format of \
            Fixtures/langson-2019-h1/departments.json) names department codes; codes that are not in it are accepted \
            all the same and shown by their code. The time zone decides the calendar days of the statistics.

            Example: dossier-ledger init --ledger center.ledger --departments Fixtures/langson-2019-h1/departments.json
            """)

    @OptionGroup var location: LedgerLocation

    @Option(name: .customLong("time-zone"), help: "The IANA time zone of the ledger's calendar days.")
    var timeZone = "Asia/Ho_Chi_Minh"

    @Option(help: ArgumentHelp("A JSON file naming the departments.", valueName: "file"))
    var departments: String?

    func run() async throws {
        try await reporting {
            let zone = try LedgerTimeZone(identifier: timeZone)
            var named: [Department] = []
            if let departments {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: departments)) } catch {
                    throw CommandFailure(message: "cannot read \(departments): \(error.localizedDescription)", status: ExitStatus.ioError)
                }
                do { named = try LedgerSettings.departments(json: data) } catch let error as DataFileError {
                    throw CommandFailure(message: "\(departments): \(error.reason)", status: ExitStatus.dataError)
                }
            }
            let path = try location.path()
            let ledger = try DossierLedger.create(at: path, settings: LedgerSettings(timeZone: zone, departments: named))
            print("created \(path): time zone \(zone), \(named.count) departments named, digest \(try ledger.ledger.head())")
        }
    }
}
