public import EventLedger

/// The statistics of a ledger as of an instant, per department and in total, with the
/// position and chain hash of the log they were computed from.
public struct DepartmentStatistics: Hashable, Sendable {
    /// The instant: every event whose `at` is at or before it counts.
    public var asOf: Timestamp
    /// Provenance: the head of the log the figures were computed from. Anyone holding a copy
    /// of the ledger can check that it verifies against this digest and recompute the figures.
    public var ledger: LedgerDigest
    /// The sum over departments.
    public var total: StatisticsCounts
    /// One row per department that has dossiers, sorted by code (by its UTF-8 bytes).
    public var departments: [Row]
    /// With ``Breakdown/month``: the totals per calendar month, up to the month of ``asOf``.
    public var months: [Row]?
    /// With ``Breakdown/procedure``: one row per procedure, sorted by code (by its UTF-8 bytes).
    public var procedures: [Row]?

    /// The counts of one department, procedure or month.
    public struct Row: Hashable, Sendable {
        /// The department or procedure code, or the month as `YYYY-MM`.
        public var key: String
        /// The department's name, when the ledger knows it.
        public var name: String?
        /// The counts.
        public var counts: StatisticsCounts

        /// Whether the rows have the same key (byte for byte, as codes are compared), name and counts.
        public static func == (lhs: Row, rhs: Row) -> Bool {
            Bytewise.equal(lhs.key, rhs.key) && lhs.name == rhs.name && lhs.counts == rhs.counts
        }

        /// Hashes the key's bytes, the name and the counts.
        public func hash(into hasher: inout Hasher) {
            Bytewise.hash(key, into: &hasher)
            hasher.combine(name)
            hasher.combine(counts)
        }
    }

    /// An extra breakdown beside the departments.
    public enum Breakdown: String, CaseIterable, Hashable, Sendable {
        /// Departments only.
        case department
        /// Also per calendar month: the events within the month, except `inProgress` and
        /// `inProgressOverdue`, which are the dossiers open at the month's end (or at ``asOf``
        /// for its month).
        case month
        /// Also per procedure.
        case procedure
    }
}

extension StatisticsProjection {
    /// The counters of one dimension as of an instant, by code number.
    func rows(_ dimension: Dimension, asOf time: Int64, in store: borrowing ProjectionStore) throws -> [UInt32: CounterRow] {
        var totals = CodeTotals()
        func add(_: RawSpan, _ value: RawSpan) { totals.add(periodRows: value) }
        let day = timeZone.dayNumber(atMilliseconds: time)
        let month = StatisticsKeys.month(ofDay: day)
        let civil = CivilDay(daysSinceEpoch: day)
        let firstOfMonth = CivilDay(year: civil.year, month: civil.month, day: 1).daysSinceEpoch
        try store.forEach(in: dimension.rows(.month), from: StatisticsKeys.rowStart(period: .min), upTo: StatisticsKeys.rowStart(period: month), add)
        try store.forEach(in: dimension.rows(.day), from: StatisticsKeys.rowStart(period: firstOfMonth), upTo: StatisticsKeys.rowStart(period: day), add)
        let nextDay = timeZone.startOfDay(civil.adding(days: 1))
        if time >= nextDay - 1 {
            try store.forEach(in: dimension.rows(.day), from: StatisticsKeys.rowStart(period: day), upTo: StatisticsKeys.rowStart(period: day + 1), add)
            return totals.byCode
        }
        // The rest of the day up to T: the hour rows that fit in it, then the ten-minute rows
        // (per department) that fit in what is left, then the moments of what is left after that.
        try addPeriods(timeZone.startOfDay(civil)...time, levels: dimension.periods.filter { $0.milliseconds != nil }[...], dimension, store, &totals)
        return totals.byCode
    }

    /// Adds to `totals` what happened in `range`: the rows of the periods of `levels` that fit
    /// in it whole, the longest first, and the moments (of minute blocks and overdue starts) of
    /// what no period covers.
    private func addPeriods(_ range: ClosedRange<Int64>, levels: ArraySlice<Period>, _ dimension: Dimension,
                     _ store: borrowing ProjectionStore, _ totals: inout CodeTotals) throws {
        guard let level = levels.first, let length = level.milliseconds else {
            try addMoments(range, dimension, store, &totals)
            return
        }
        let first = StatisticsKeys.period(of: range.lowerBound + length - 1, length: length)
        let end = StatisticsKeys.period(of: range.upperBound + 1, length: length)
        guard first < end else {
            try addPeriods(range, levels: levels.dropFirst(), dimension, store, &totals)
            return
        }
        try store.forEach(in: dimension.rows(level), from: StatisticsKeys.rowStart(period: first), upTo: StatisticsKeys.rowStart(period: end)) { _, value in
            totals.add(periodRows: value)
        }
        if range.lowerBound < Int64(first) * length {
            try addPeriods(range.lowerBound...(Int64(first) * length - 1), levels: levels.dropFirst(), dimension, store, &totals)
        }
        if Int64(end) * length <= range.upperBound {
            try addPeriods((Int64(end) * length)...range.upperBound, levels: levels.dropFirst(), dimension, store, &totals)
        }
    }

    /// Adds to `totals` the moments of `range`: those at events' instants and overdue starts.
    private func addMoments(_ range: ClosedRange<Int64>, _ dimension: Dimension, _ store: borrowing ProjectionStore, _ totals: inout CodeTotals) throws {
        let firstMinute = MinuteBlock.minute(of: range.lowerBound)
        try store.forEach(in: "minutes", from: MinuteBlock.key(firstMinute).array, upTo: MinuteBlock.key(MinuteBlock.minute(of: range.upperBound) + 1).array) { key, value in
            guard let minute = MinuteBlock.minute(ofKey: key) else { return }
            MinuteBlock.add(value, minute: minute, within: range, by: dimension, to: &totals)
        }
        try store.forEach(in: "overdueStarts", from: OverdueStartBlock.firstKey(minute: firstMinute),
                          upTo: OverdueStartBlock.firstKey(minute: MinuteBlock.minute(of: range.upperBound) + 1)) { key, value in
            guard let minute = OverdueStartBlock.minute(ofKey: key) else { return }
            OverdueStartBlock.add(value, minute: minute, within: range, by: dimension, to: &totals)
        }
    }

    /// The code a number stands for.
    func code(_ number: UInt32, _ dimension: Dimension, in store: borrowing ProjectionStore) throws -> String {
        let bytes = try store.value(for: [dimension.rawValue | 0x80] + StatisticsKeys.number32(number), in: "codes") ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The statistics as of `time`.
    func statistics(asOf time: Timestamp, breakdown: DepartmentStatistics.Breakdown, settings: LedgerSettings,
                    in store: borrowing ProjectionStore, head: LedgerDigest) throws -> DepartmentStatistics {
        let milliseconds = time.millisecondsSinceEpoch
        var total = StatisticsCounts()
        var departments: [DepartmentStatistics.Row] = []
        for (number, row) in try rows(.department, asOf: milliseconds, in: store) {
            let code = try code(number, .department, in: store)
            let counts = StatisticsCounts(row: row)
            total += counts
            departments.append(.init(key: code, name: settings.name(of: code), counts: counts))
        }
        var result = DepartmentStatistics(asOf: time, ledger: head, total: total, departments: departments.sorted { Bytewise.precedes($0.key, $1.key) })
        switch breakdown {
        case .department:
            break
        case .procedure:
            var procedures: [DepartmentStatistics.Row] = []
            for (number, row) in try rows(.procedure, asOf: milliseconds, in: store) {
                procedures.append(.init(key: try code(number, .procedure, in: store), name: nil, counts: StatisticsCounts(row: row)))
            }
            result.procedures = procedures.sorted { Bytewise.precedes($0.key, $1.key) }
        case .month:
            result.months = try months(asOf: milliseconds, in: store)
        }
        return result
    }

    /// Totals per month up to the month of `time`.
    private func months(asOf time: Int64, in store: borrowing ProjectionStore) throws -> [DepartmentStatistics.Row] {
        let lastMonth = StatisticsKeys.month(ofDay: timeZone.dayNumber(atMilliseconds: time))
        var flows: [Int32: CounterRow] = [:]
        try store.forEach(in: Dimension.department.rows(.month), from: StatisticsKeys.rowStart(period: .min), upTo: StatisticsKeys.rowStart(period: lastMonth)) { key, value in
            guard key.byteCount == 4 else { return }
            let biased = UInt32(bigEndian: key.unsafeLoadUnaligned(as: UInt32.self))
            var flow = CounterRow()
            PeriodRows.forEach(in: value) { flow += $1 }
            flows[Int32(bitPattern: biased ^ 0x8000_0000), default: CounterRow()] += flow
        }
        // The month of `time`: everything up to `time`, less what came before the month.
        var before = CounterRow()
        for row in flows.values { before += row }
        var upToTime = CounterRow()
        for row in try rows(.department, asOf: time, in: store).values { upToTime += row }
        var current = upToTime
        for index in current.values.indices { current.values[index] -= before.values[index] }
        flows[lastMonth] = current

        var rows: [DepartmentStatistics.Row] = []
        var cumulative = CounterRow()
        for month in flows.keys.sorted() {
            guard let flow = flows[month] else { continue }
            cumulative += flow
            var counts = StatisticsCounts(row: flow)
            // Stocks are as of the month's end: the cumulative overdue count, and inProgress
            // from cumulative receipts, returns and withdrawals.
            let stock = StatisticsCounts(row: cumulative)
            counts.inProgressOverdue = stock.inProgressOverdue
            counts.inProgress = stock.inProgress
            let name = "\(month / 12)-\(month % 12 + 1 < 10 ? "0" : "")\(month % 12 + 1)"
            rows.append(.init(key: name, name: nil, counts: counts))
        }
        return rows
    }
}

