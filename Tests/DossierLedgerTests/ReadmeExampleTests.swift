import DossierLedger
import EventLedger
import TestSupport
import Testing

/// The library example of the README, line for line, with what its comments say checked.
@Suite struct ReadmeExampleTests {
    @Test func theReadmeLibraryExampleRunsAsWritten() throws {
        let directory = try TemporaryDirectory()
        let units = [Department(code: "STP", name: "Sở Tư pháp")]

        // As in the README, with the ledger under the test's directory.
        let center = try DossierLedger.create(at: directory.child("ledger"),
                                              settings: LedgerSettings(departments: units))
        let line = #"{"type":"received","dossier":"H34.12-190117-0001","at":"2019-01-17T08:05:00+07:00","department":"STP","procedure":"1.001234","due":"2019-01-24T16:30:00+07:00","channel":"counter"}"#
        let verdicts = try center.submit([try Interchange.parse(line)])   // [.accepted(position: 2)]
        #expect(verdicts == [.accepted(position: 2)])
        let digestWrittenDownEarlier = try center.ledger.head()

        let june = try center.statistics(asOf: try Timestamp(rfc3339: "2019-06-30T23:59:59+07:00"))
        #expect(june.total.received == 1 && june.total.inProgress == 1 && june.total.inProgressOverdue == 1)
        // No result returned yet: no on-time rate, printed as "–".
        #expect((june.total.onTimeRate?.formatted() ?? "–") == "–")
        #expect(june.ledger == digestWrittenDownEarlier)

        let report = try center.verify(against: digestWrittenDownEarlier)
        #expect(report.isValid)
    }
}
