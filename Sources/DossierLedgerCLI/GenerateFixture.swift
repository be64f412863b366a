import ArgumentParser
import DossierLedger
import Foundation

/// `dossier-ledger generate-fixture`: writes the reference fixture from its generator.
struct GenerateFixture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-fixture",
        abstract: "Generate the Lạng Sơn 2019 reference history (departments.json, events.jsonl, expected-report.json).",
        discussion: """
            Reads calendar-2019.json from the output directory and writes the other three files. The same seed gives \
            the same files, byte for byte.

            Example: dossier-ledger generate-fixture --output Fixtures/langson-2019-h1
            """)

    @Option(help: "The fixture directory; it must hold calendar-2019.json.")
    var output: String

    @Option(help: "The seed of the generator.")
    var seed: UInt64 = 2019

    func run() throws {
        let calendarPath = output + "/calendar-2019.json"
        let calendar = try WorkingCalendar(json: try Data(contentsOf: URL(fileURLWithPath: calendarPath)))
        let history = HistoryGenerator(reference: .langSon2019, calendar: calendar, seed: seed).generate()
        try write(history.departmentsJSON, to: "departments.json")
        try write(history.eventsJSONL, to: "events.jsonl")
        try write(history.expected.json(includeLedger: false) + "\n", to: "expected-report.json")
        FileHandle.standardError.write(Data("wrote \(history.events.count) events of \(history.expected.total.received) dossiers to \(output)\n".utf8))
    }

    private func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: output + "/" + name), options: .atomic)
    }
}
