import DossierLedger
import EventLedger
import Foundation
import TestSupport

/// The repository's `Fixtures/` folder.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

let langSon = fixtures.appendingPathComponent("langson-2019-h1")

func fixtureText(_ name: String) throws -> String {
    try String(contentsOf: langSon.appendingPathComponent(name), encoding: .utf8)
}

func calendar2019() throws -> WorkingCalendar {
    try WorkingCalendar(json: Data(contentsOf: langSon.appendingPathComponent("calendar-2019.json")))
}

/// The fixture's events, parsed.
func fixtureEvents() throws -> [InterchangeEvent] {
    try fixtureText("events.jsonl").split(separator: "\n").map { try Interchange.parse(String($0)) }
}

func makeDossierLedger(
    _ directory: TemporaryDirectory, timeZone: LedgerTimeZone = .vietnam, departments: [Department] = [],
    readAheadEventsMin: Int = Limits.readAheadEventsMin, foldChunkEventsMax: Int = Limits.foldChunkEventsMax
) throws -> DossierLedger {
    var options = LedgerOptions()
    options.syncOnCommit = false
    options.readAheadEventsMin = readAheadEventsMin
    options.foldChunkEventsMax = foldChunkEventsMax
    return try DossierLedger.create(at: directory.child("ledger"), settings: LedgerSettings(timeZone: timeZone, departments: departments), options: options)
}

/// Submits events in chunks, returning every verdict.
@discardableResult
func submitAll(_ ledger: DossierLedger, _ events: [InterchangeEvent], chunk: Int = 5000) throws -> [Verdict] {
    var verdicts: [Verdict] = []
    for start in stride(from: 0, to: events.count, by: chunk) {
        verdicts += try ledger.submit(Array(events[start..<min(start + chunk, events.count)]))
    }
    return verdicts
}

func time(_ text: String) -> Timestamp {
    do { return try Timestamp(rfc3339: text) } catch { preconditionFailure("bad test time \(text)") }
}

func code<Kind>(_ text: String) -> Code<Kind> {
    do { return try Code<Kind>(text) } catch { preconditionFailure("bad test code \(text)") }
}

/// The definitions of the statistics, evaluated by brute force over raw events: the oracle the
/// projection is checked against. Written straight from the definitions, sharing no code with
/// the projection.
func bruteForceStatistics(_ events: [DossierEvent], asOf: Timestamp, timeZone: LedgerTimeZone) -> [String: StatisticsCounts] {
    let t = asOf.millisecondsSinceEpoch
    var byDossier: [DossierID: [DossierEvent]] = [:]
    for event in events where event.at.millisecondsSinceEpoch <= t { byDossier[event.dossier, default: []].append(event) }
    var result: [String: StatisticsCounts] = [:]
    for (_, history) in byDossier {
        guard case .received(let department, _, let due, _) = history.first(where: { $0.type == .received })?.details else { continue }
        var counts = result[department.rawValue] ?? StatisticsCounts()
        counts.received += 1
        let decided = history.first { $0.type == .decided }?.at
        let returned = history.contains { $0.type == .resultReturned }
        let withdrawn = history.contains { $0.type == .withdrawn }
        if returned {
            counts.returned += 1
            if let decided, decided.millisecondsSinceEpoch <= due.millisecondsSinceEpoch {
                counts.onTime += 1
                if timeZone.dayNumber(atMilliseconds: decided.millisecondsSinceEpoch) < timeZone.dayNumber(atMilliseconds: due.millisecondsSinceEpoch) {
                    counts.early += 1
                }
            }
        }
        if withdrawn { counts.withdrawn += 1 }
        if !returned && !withdrawn {
            counts.inProgress += 1
            if due.millisecondsSinceEpoch < t { counts.inProgressOverdue += 1 }
        }
        for event in history {
            switch event.details {
            case .forwarded(.post): counts.forwardedByPost += 1
            case .returnedToCenter(.post): counts.returnedByPost += 1
            case .rated(.verySatisfied, _): counts.ratings.verySatisfied += 1
            case .rated(.satisfied, _): counts.ratings.satisfied += 1
            case .rated(.dissatisfied, _): counts.ratings.dissatisfied += 1
            default: break
            }
        }
        result[department.rawValue] = counts
    }
    return result
}
