import DossierLedger
import EventLedger
import Foundation
import TestSupport
import Testing

/// The bundled Lạng Sơn fixture, imported into a fresh ledger, reproduces the report.
@Suite(.serialized) struct FixtureTests {
    @Test func aFreshLedgerBuiltFromTheFixtureReproducesEveryPublishedFigure() throws {
        let directory = try TemporaryDirectory()
        let departments = try LedgerSettings.departments(json: Data(contentsOf: langSon.appendingPathComponent("departments.json")))
        let ledger = try makeDossierLedger(directory, departments: departments)
        let verdicts = try submitAll(ledger, try fixtureEvents())
        #expect(verdicts.allSatisfy { if case .accepted = $0 { true } else { false } })

        let asOf = time("2019-06-30T23:59:59+07:00")
        let statistics = try ledger.statistics(asOf: asOf)
        let total = statistics.total
        // The report's figures, as printed in it.
        #expect(total.received == 7_394)
        #expect(total.returned == 6_901)
        #expect(total.onTime == 6_830)
        #expect(total.onTimeRate?.formatted() == "98.97")
        #expect(total.late == 71)
        // The report truncates 1.0288 % to "1.02 %"; rounding half-up, as the definitions say, gives 1.03 %.
        #expect(total.lateRate?.formatted() == "1.03")
        #expect(total.inProgress == 493)
        #expect(total.withdrawn == 0)
        #expect(total.forwardedByPost == 5_162)
        #expect(total.returnedByPost == 5_005)
        #expect(total.ratings.total == 2_740)
        #expect(total.ratings.verySatisfied == 2_587 && total.verySatisfiedRate?.formatted() == "94.42")
        #expect(total.ratings.satisfied == 153 && total.satisfiedRate?.formatted() == "5.58")
        #expect(total.ratings.dissatisfied == 0)
        #expect(statistics.departments.count == 18)
        // The provenance is the ledger's head.
        #expect(statistics.ledger == (try ledger.ledger.head()))

        // Every figure, per department too, equals what the generator intended.
        let expected = try fixtureText("expected-report.json").trimmingCharacters(in: .newlines)
        #expect(statistics.json(includeLedger: false) == expected)
    }

    @Test func theFixtureLists18UnitsWith1303Procedures() throws {
        let units = try JSONSerialization.jsonObject(with: Data(contentsOf: langSon.appendingPathComponent("departments.json"))) as? [[String: Any]] ?? []
        #expect(units.count == 18)
        let procedures = units.flatMap { $0["procedures"] as? [[String: Any]] ?? [] }
        #expect(procedures.count == 1_303)
        #expect(Set(procedures.compactMap { $0["code"] as? String }).count == 1_303)
        #expect(units.first { $0["code"] as? String == "PCLS" }.flatMap { ($0["procedures"] as? [Any])?.count } == 19)
    }

    @Test func theGeneratorIsDeterministicAndTheCommittedFilesAreItsOutput() throws {
        let history = HistoryGenerator(reference: .langSon2019, calendar: try calendar2019(), seed: 2019).generate()
        #expect(history.eventsJSONL == (try fixtureText("events.jsonl")))
        #expect(history.departmentsJSON == (try fixtureText("departments.json")))
        #expect(history.expected.json(includeLedger: false) + "\n" == (try fixtureText("expected-report.json")))
        let other = HistoryGenerator(reference: .langSon2019, calendar: try calendar2019(), seed: 7).generate()
        #expect(other.eventsJSONL != history.eventsJSONL)
        #expect(other.expected.total.received == 7_394 && other.expected.total.late == 71)
    }

    @Test func receiptsFallInOpeningHoursOnOpenDays() throws {
        let calendar = try calendar2019()
        for event in try fixtureEvents().map(\.event) where event.type == .received {
            let local = event.at
            let minute = Int(local.millisecondOfDay / 60_000)
            let morning = (450..<660).contains(minute), afternoon = (840..<990).contains(minute)
            #expect(local.utcOffsetSeconds == 7 * 3600)
            #expect(morning || afternoon, "receipt at \(local)")
            if local.localDay.weekday == 6 && !calendar.workingWeekendDays.contains(local.localDay) { #expect(morning) }
            #expect(local.localDay.weekday != 7 && !calendar.daysOff.contains(local.localDay))
        }
    }

    @Test func statisticsAsOfSeveralInstantsEqualABruteForceRecomputation() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let events = try fixtureEvents()
        try submitAll(ledger, events)
        let raw = events.map(\.event)
        var random = SplitMix64(seed: 42)
        var instants = ["2019-01-16T12:00:00+07:00", "2019-01-17T09:00:00+07:00", "2019-02-28T23:59:59+07:00",
                        "2019-04-30T10:15:00+07:00", "2019-06-30T23:59:59+07:00", "2019-07-31T00:00:00Z"].map(time)
        for _ in 0..<6 {
            let ms = Int64.random(in: 1_547_650_000_000...1_561_900_000_000, using: &random)
            instants.append(Timestamp(millisecondsSinceEpoch: ms, utcOffsetSeconds: 7 * 3600))
        }
        for instant in instants {
            let stats = try ledger.statistics(asOf: instant)
            let oracle = bruteForceStatistics(raw, asOf: instant, timeZone: .vietnam)
            let computed = Dictionary(uniqueKeysWithValues: stats.departments.map { ($0.key, $0.counts) })
            #expect(computed == oracle, "as of \(instant)")
            var sum = StatisticsCounts()
            for row in stats.departments { sum += row.counts }
            #expect(sum == stats.total)
        }
    }
}
