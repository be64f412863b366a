import EventLedger

/// A procedure of a unit's catalog: its code and its processing time in working days.
public struct Procedure: Hashable, Sendable {
    /// Its code.
    public var code: String
    /// Its processing time in working days.
    public var workingDays: Int
}

/// A generated history: the units with their procedures, the events in time order, and the
/// statistics the generator intended, computed from its own assignment of each dossier's fate
/// (not by the ledger's projection, so that comparing the two is a real check).
public struct GeneratedHistory: Sendable {
    /// The units and their procedure catalogs.
    public var units: [(department: Department, procedures: [Procedure])]
    /// The events, sorted by time (and by lifecycle order for equal times).
    public var events: [DossierEvent]
    /// The statistics as of the end of the period, as the generator assigned them.
    public var expected: DepartmentStatistics

    /// The departments file: a JSON array, one unit per line, with its procedures.
    public var departmentsJSON: String {
        "[\n" + units.map { unit in
            "{\"code\":\(Interchange.quoted(unit.department.code)),\"name\":\(Interchange.quoted(unit.department.name)),\"procedures\":["
                + unit.procedures.map { "{\"code\":\"\($0.code)\",\"workingDays\":\($0.workingDays)}" }.joined(separator: ",") + "]}"
        }.joined(separator: ",\n") + "\n]\n"
    }

    /// The events in the interchange format, one line each, without ids (they are derived).
    public var eventsJSONL: String {
        events.map { Interchange.format($0, id: nil) + "\n" }.joined()
    }
}

/// Generates a realistic, deterministic history that reproduces a ``ReferenceCase`` exactly.
///
/// Receipts fall in the center's opening hours (mornings Monday–Saturday 07:30–11:00,
/// afternoons Monday–Friday 14:00–16:30, closed on days off and on a Saturday after a day off;
/// exchange Saturdays are full days), spread over the period in proportion to opening time.
/// Each dossier gets a unit by the units' weights, a procedure (a few procedures of each unit
/// take most dossiers) and its due date from the calendar and the procedure's processing time.
/// The last dossiers received are still in progress; of the others, the chosen number are
/// decided after their due date, the rest before. Routing by post, results back by post and
/// ratings are assigned to exactly the published numbers. Everything is drawn from one seeded
/// generator: the same case, calendar and seed give the same history, byte for byte.
public struct HistoryGenerator: Sendable {
    /// The figures to reproduce.
    public var reference: ReferenceCase
    /// The working calendar due dates come from.
    public var calendar: WorkingCalendar
    /// The seed.
    public var seed: UInt64

    /// Creates a generator.
    public init(reference: ReferenceCase, calendar: WorkingCalendar, seed: UInt64 = 2019) {
        self.reference = reference
        self.calendar = calendar
        self.seed = seed
    }

    /// The instant the figures are as of: the last second of the period's last day.
    public var asOf: Timestamp {
        calendar.timeZone.timestamp(atMilliseconds: calendar.timeZone.startOfDay(reference.lastDay.adding(days: 1)) - 1000)
    }

    /// How the generator routes each dossier.
    private enum Route {
        /// Returned: forwarded by post, result back by post.
        case postBoth
        /// Returned: forwarded by post, result back electronically.
        case postThenElectronic
        /// Returned: forwarded and back electronically.
        case electronic
        /// Returned: handled at the center, never forwarded.
        case atCenter
        /// In progress: decided and back at the center by post, not yet handed over.
        case openBackByPost
        /// In progress: at the department, forwarded by post.
        case openAtDepartmentByPost
        /// In progress: at the department, forwarded electronically.
        case openAtDepartmentElectronic
        /// In progress: received, not yet forwarded.
        case openJustReceived
    }

    /// Generates the history.
    public func generate() -> GeneratedHistory {
        var random = SplitMix64(seed: seed)
        let zone = calendar.timeZone
        let end = asOf.millisecondsSinceEpoch
        let units = catalog(&random)

        // Receipts, in time order.
        // Exactly `received` instants: the split over days is exact (largest remainders).
        let receipts = receiptInstants(&random).sorted()
        let unitOfDossier = largestRemainder(reference.received, weights: reference.units.map(\.dossierWeight))
            .enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }.shuffled(using: &random)

        struct Dossier {
            var id: String
            var unit: Int
            var procedure: Procedure
            var received: Int64
            var due: Int64
            var channel: IntakeChannel
            var route: Route = .openJustReceived
            var late = false
            var rating: RatingLevel?
        }
        var sequenceOfDay: [CivilDay: Int] = [:]
        var dossiers: [Dossier] = receipts.enumerated().map { index, received in
            let unit = unitOfDossier[index]
            let procedures = units[unit].procedures
            let procedure = procedures[zipfIndex(procedures.count, &random)]
            let local = zone.timestamp(atMilliseconds: received)
            let day = local.localDay
            sequenceOfDay[day, default: 0] += 1
            let code = "H34.12-\(String(day.year % 100))\(two(day.month))\(two(day.day))-\(four(sequenceOfDay[day] ?? 0))"
            let due = calendar.due(receivedAt: local, workingDays: procedure.workingDays).millisecondsSinceEpoch
            let roll = Int.random(in: 0..<100, using: &random)
            let channel: IntakeChannel = roll < 70 ? .counter : roll < 88 ? .online : .post
            return Dossier(id: code, unit: unit, procedure: procedure, received: received, due: due, channel: channel)
        }

        // Fates: the last receipts are in progress, the rest returned.
        let returnedCount = reference.returned
        let openCount = reference.received - returnedCount
        let openBackByPost = min(60, openCount)
        let openAtDepartmentByPost = min(120, openCount - openBackByPost)
        let postBoth = reference.returnedByPost - openBackByPost
        let postThenElectronic = reference.forwardedByPost - postBoth - openBackByPost - openAtDepartmentByPost
        precondition(postBoth >= 0 && postThenElectronic >= 0, "the reference case's post figures do not fit the generator's split")
        let electronic = (returnedCount - postBoth - postThenElectronic) * 5 / 8
        let returnedRoutes = [Route](repeating: .postBoth, count: postBoth) + Array(repeating: .postThenElectronic, count: postThenElectronic)
            + Array(repeating: .electronic, count: electronic)
            + Array(repeating: .atCenter, count: returnedCount - postBoth - postThenElectronic - electronic)
        for (index, route) in returnedRoutes.shuffled(using: &random).enumerated() { dossiers[index].route = route }
        let openRest = openCount - openBackByPost - openAtDepartmentByPost
        let openRoutes = Array(repeating: Route.openAtDepartmentByPost, count: openAtDepartmentByPost)
            + Array(repeating: .openAtDepartmentElectronic, count: openRest / 2)
            + Array(repeating: .openJustReceived, count: openRest - openRest / 2)
        for index in returnedCount..<(returnedCount + openBackByPost) { dossiers[index].route = .openBackByPost }
        for (offset, route) in openRoutes.shuffled(using: &random).enumerated() { dossiers[returnedCount + openBackByPost + offset].route = route }

        // Late decisions: among returned dossiers due well before the end.
        let lateCandidates = (0..<returnedCount).filter { dossiers[$0].due <= end - 12 * Self.day }
        for index in lateCandidates.shuffled(using: &random).prefix(reference.late) { dossiers[index].late = true }
        // Ratings: among returned dossiers.
        let ratings = Array(repeating: RatingLevel.verySatisfied, count: reference.verySatisfied)
            + Array(repeating: .satisfied, count: reference.satisfied) + Array(repeating: .dissatisfied, count: reference.dissatisfied)
        for (index, rating) in zip((0..<returnedCount).shuffled(using: &random), ratings) { dossiers[index].rating = rating }

        // Times of every event, and the intended statistics.
        var events: [(at: Int64, order: Int, event: DossierEvent)] = []
        var counts = [StatisticsCounts](repeating: StatisticsCounts(), count: units.count)
        for dossier in dossiers {
            func at(_ time: Int64) -> Timestamp { zone.timestamp(atMilliseconds: time) }
            var stage = 0
            func add(_ time: Int64, _ details: DossierEvent.Details) {
                guard let id = try? DossierID(dossier.id) else { return }
                stage += 1
                events.append((time, stage, DossierEvent(dossier: id, at: at(time), details: details)))
            }
            guard let department = try? DepartmentCode(units[dossier.unit].department.code),
                  let procedure = try? ProcedureCode(dossier.procedure.code) else { continue }
            add(dossier.received, .received(department: department, procedure: procedure, due: at(dossier.due), channel: dossier.channel))
            var unitCounts = counts[dossier.unit]
            unitCounts.received += 1
            defer { counts[dossier.unit] = unitCounts }

            let forwardedVia: TransferMedium? = switch dossier.route {
            case .postBoth, .postThenElectronic, .openBackByPost, .openAtDepartmentByPost: .post
            case .electronic, .openAtDepartmentElectronic: .electronic
            case .atCenter, .openJustReceived: nil
            }
            var last = dossier.received
            if let via = forwardedVia {
                last += Self.minute * Int64.random(in: 20...180, using: &random)
                add(last, .forwarded(via: via))
                if via == .post { unitCounts.forwardedByPost += 1 }
            }
            switch dossier.route {
            case .openAtDepartmentByPost, .openAtDepartmentElectronic, .openJustReceived:
                unitCounts.inProgress += 1
                if dossier.due < end { unitCounts.inProgressOverdue += 1 }
                continue
            case .openBackByPost:
                last += Self.hour * Int64.random(in: 4...48, using: &random)
                add(last, .decided(outcome: .approved))
                last += Self.hour * Int64.random(in: 1...10, using: &random)
                add(last, .returnedToCenter(via: .post))
                unitCounts.returnedByPost += 1
                unitCounts.inProgress += 1
                if dossier.due < end { unitCounts.inProgressOverdue += 1 }
                continue
            case .postBoth, .postThenElectronic, .electronic, .atCenter:
                break
            }
            // Returned: decide, (send back), hand over, maybe rate.
            let decided: Int64
            if dossier.late {
                decided = min(dossier.due + Self.hour * Int64.random(in: 2...96, using: &random), end - 2 * Self.day)
            } else {
                let low = last + 2 * Self.hour
                let high = max(low + Self.hour, min(dossier.due, end - 2 * Self.day))
                let share = Double.random(in: 0..<1, using: &random).squareRoot()
                // Whole seconds, as clerks' software records them; `low` is on a whole second.
                decided = (low + Int64(Double(high - low) * share)) / 1000 * 1000
            }
            last = decided
            let outcome: Outcome = Int.random(in: 0..<50, using: &random) == 0 ? .rejected : .approved
            add(last, .decided(outcome: outcome))
            if forwardedVia != nil {
                last += Self.minute * Int64.random(in: 60...720, using: &random)
                let back: TransferMedium = dossier.route == .postBoth ? .post : .electronic
                add(last, .returnedToCenter(via: back))
                if back == .post { unitCounts.returnedByPost += 1 }
            }
            let earliest = last + Self.minute * Int64.random(in: 30...1080, using: &random)
            let opening = nextOpening(atOrAfter: earliest)
            last = opening < end - 30 * Self.minute ? opening : earliest
            add(last, .resultReturned)
            unitCounts.returned += 1
            if decided <= dossier.due {
                unitCounts.onTime += 1
                if zone.dayNumber(atMilliseconds: decided) < zone.dayNumber(atMilliseconds: dossier.due) { unitCounts.early += 1 }
            }
            if let rating = dossier.rating {
                last += Self.minute * Int64.random(in: 1...20, using: &random)
                add(last, .rated(rating: rating, official: nil))
                switch rating {
                case .verySatisfied: unitCounts.ratings.verySatisfied += 1
                case .satisfied: unitCounts.ratings.satisfied += 1
                case .dissatisfied: unitCounts.ratings.dissatisfied += 1
                }
            }
        }
        events.sort { ($0.at, $0.event.dossier.rawValue, $0.order) < ($1.at, $1.event.dossier.rawValue, $1.order) }

        var total = StatisticsCounts()
        var rows: [DepartmentStatistics.Row] = []
        for (index, unit) in units.enumerated() where counts[index].received > 0 {
            total += counts[index]
            rows.append(.init(key: unit.department.code, name: unit.department.name, counts: counts[index]))
        }
        let expected = DepartmentStatistics(
            asOf: asOf, ledger: LedgerDigest(position: 0, chainHash: .genesis), total: total, departments: rows.sorted { Bytewise.precedes($0.key, $1.key) })
        return GeneratedHistory(units: units, events: events.map(\.event), expected: expected)
    }

    // MARK: Parts

    private static let minute: Int64 = 60_000
    private static let hour: Int64 = 3_600_000
    private static let day: Int64 = 86_400_000

    /// The units with generated procedure catalogs: codes `1.00NNNN`, processing times of 1
    /// to 20 working days.
    private func catalog(_ random: inout SplitMix64) -> [(department: Department, procedures: [Procedure])] {
        var next = 1
        let times = [1, 3, 3, 5, 5, 5, 7, 7, 10, 10, 12, 15, 20]
        return reference.units.map { unit in
            let procedures = (0..<unit.procedures).map { _ -> Procedure in
                defer { next += 1 }
                return Procedure(code: "1.00\(four(next))", workingDays: times[Int.random(in: 0..<times.count, using: &random)])
            }
            return (Department(code: unit.code, name: unit.name), procedures)
        }
    }

    /// The center's opening sessions of a day, as minutes after midnight.
    private func sessions(_ day: CivilDay) -> [(Int, Int)] {
        let morning = (7 * 60 + 30, 11 * 60), afternoon = (14 * 60, 16 * 60 + 30)
        if calendar.workingWeekendDays.contains(day) { return [morning, afternoon] }
        if day.weekday <= 5 { return calendar.isWorkingDay(day) ? [morning, afternoon] : [] }
        // Saturday mornings are open for receipts, unless the week ended with a day off.
        if day.weekday == 6, calendar.isWorkingDay(day.adding(days: -1)) { return [morning] }
        return []
    }

    /// One receipt instant per dossier, spread over the period in proportion to opening time.
    private func receiptInstants(_ random: inout SplitMix64) -> [Int64] {
        var days: [(CivilDay, [(Int, Int)])] = []
        var day = reference.firstDay
        while day <= reference.lastDay {
            let open = sessions(day)
            if !open.isEmpty { days.append((day, open)) }
            day = day.adding(days: 1)
        }
        let minutes = days.map { $0.1.reduce(0) { $0 + $1.1 - $1.0 } }
        let perDay = largestRemainder(reference.received, weights: minutes)
        var instants: [Int64] = []
        instants.reserveCapacity(reference.received)
        for ((day, open), count) in zip(days, perDay) {
            let start = calendar.timeZone.startOfDay(day)
            let total = open.reduce(0) { $0 + $1.1 - $1.0 }
            for _ in 0..<count {
                var offset = Int.random(in: 0..<(total * 60), using: &random)
                for (from, to) in open {
                    if offset < (to - from) * 60 {
                        instants.append(start + Int64(from * 60 + offset) * 1000)
                        break
                    }
                    offset -= (to - from) * 60
                }
            }
        }
        return instants
    }

    /// The first opening instant at or after `time`.
    private func nextOpening(atOrAfter time: Int64) -> Int64 {
        var day = CivilDay(daysSinceEpoch: calendar.timeZone.dayNumber(atMilliseconds: time))
        for _ in 0..<30 {
            let start = calendar.timeZone.startOfDay(day)
            for (from, to) in sessions(day) {
                let opens = start + Int64(from) * Self.minute, closes = start + Int64(to) * Self.minute
                if time < closes { return max(time, opens) }
            }
            day = day.adding(days: 1)
        }
        return time
    }

    /// Splits `total` in proportion to `weights`, exactly (largest remainders).
    private func largestRemainder(_ total: Int, weights: [Int]) -> [Int] {
        let sum = weights.reduce(0, +)
        var shares = weights.map { total * $0 / sum }
        let remainders = weights.enumerated().map { ($0.offset, total * $0.element % sum) }.sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }
        for (index, _) in remainders.prefix(total - shares.reduce(0, +)) { shares[index] += 1 }
        return shares
    }

    /// An index in `0..<count`, small indices far likelier (Zipf): a few procedures take most dossiers.
    private func zipfIndex(_ count: Int, _ random: inout SplitMix64) -> Int {
        let harmonic = (1...count).reduce(0.0) { $0 + 1 / Double($1) }
        var target = Double.random(in: 0..<harmonic, using: &random)
        for index in 0..<count {
            target -= 1 / Double(index + 1)
            if target < 0 { return index }
        }
        return count - 1
    }
}

private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
private func four(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }
