import EventLedger

/// What a batch adds to the counter rows: for each table of rows, each period's rows in
/// ``PeriodRows``' stored form, by ascending period.
///
/// Totalled from the batch's moments and overdue starts alone, without the store, so that a
/// flush can total them on a second thread while it writes the dossiers, the overdue starts
/// and the minutes; ``add(into:)`` then adds them to the stored rows.
struct RowDeltas: Sendable {
    /// The rows of each table (``Dimension/rows(_:)``).
    private(set) var tables: [(table: String, periods: [(period: Int32, rows: [UInt8])])] = []

    /// Totals moments and starts, each sorted by time, per ten-minute span, hour, day and
    /// month, per department and per procedure, walking both in time order. Department moments
    /// are totalled per stretch of one ten-minute span within one local day, which lies inside
    /// one period of every kind, and a stretch's totals added to its span, hour and day;
    /// procedures, which keep no ten-minute rows and are many, are totalled per hour within one
    /// local day, and those totals added to the hour and the day. A day's totals are added to
    /// its month.
    init(moments: [Moment], starts: [OverdueStart], timeZone: LedgerTimeZone) {
        guard let firstTime = [moments.first?.time, starts.first?.time].compactMap({ $0 }).min() else { return }
        let (hour, tenMinutes) = (Period.hour.milliseconds ?? 0, Period.tenMinutes.milliseconds ?? 0)
        var spans = PeriodTotals(.tenMinutes, StatisticsKeys.period(of: firstTime, length: tenMinutes))
        var hours = PeriodTotals(.hour, StatisticsKeys.period(of: firstTime, length: hour))
        var days = PeriodTotals(.day, timeZone.dayNumber(atMilliseconds: firstTime))
        var months = PeriodTotals(.month, StatisticsKeys.month(ofDay: days.period))
        var (departments, procedures) = (CodeTotals(), CodeTotals())
        // Adds the moments of `list` from `first` on that come before `end`, and moves `first` past them.
        func totalStretch(of list: Span<some Contribution>, from first: inout Int, before end: Int64) {
            var last = first
            while last < list.count, list[last].time < end { last += 1 }
            departments.add(list.extracting(first..<last), by: .department)
            procedures.add(list.extracting(first..<last), by: .procedure)
            first = last
        }
        func endProcedureTotals() {
            hours.add(procedures: procedures)
            days.add(procedures: procedures)
            procedures.removeAll()
        }
        let (momentsSpan, startsSpan) = (moments.span, starts.span)
        var (next, nextStart) = (0, 0)
        while next < momentsSpan.count || nextStart < startsSpan.count {
            // The earliest moment not yet added begins a stretch: its ten minutes within its day.
            let time = Swift.min(next < momentsSpan.count ? momentsSpan[next].time : .max, nextStart < startsSpan.count ? startsSpan[nextStart].time : .max)
            let span = StatisticsKeys.period(of: time, length: tenMinutes)
            let (day, dayEnd) = timeZone.dayAndEnd(atMilliseconds: time)
            let hourNumber = StatisticsKeys.period(of: time, length: hour)
            if hourNumber != hours.period || day != days.period { endProcedureTotals() }
            spans.move(to: span)
            hours.move(to: hourNumber)
            if day != days.period {
                days.add(to: &months)
                days.move(to: day)
                months.move(to: StatisticsKeys.month(ofDay: day))
            }
            let stretchEnd = dayEnd.map { Swift.min($0, (Int64(span) + 1) * tenMinutes) } ?? time + 1
            totalStretch(of: momentsSpan, from: &next, before: stretchEnd)
            totalStretch(of: startsSpan, from: &nextStart, before: stretchEnd)
            spans.add(departments: departments)
            hours.add(departments: departments)
            days.add(departments: departments)
            departments.removeAll()
        }
        endProcedureTotals()
        days.add(to: &months)
        spans.end()
        hours.end()
        days.end()
        months.end()
        for (kind, totals) in [(Period.tenMinutes, spans), (.hour, hours), (.day, days), (.month, months)] {
            tables.append((Dimension.department.rows(kind), totals.departmentRows))
            if Dimension.procedure.periods.contains(kind) { tables.append((Dimension.procedure.rows(kind), totals.procedureRows)) }
        }
    }

    /// Adds the rows to the stored rows of their periods. Periods after every stored one (all
    /// of them, for a log in time order) are written at their table's end without reading.
    func add(into store: inout ProjectionStore) throws {
        for (name, periods) in tables where !periods.isEmpty {
            let table = store.table(name)
            var end: End = switch try store.lastKey(in: table) {
            case nil: .unknown
            case let last? where last.isEmpty: .past
            case let last?: .storedThrough(last)
            }
            for (period, rows) in periods {
                try StatisticsKeys.period(period).withSpan { key in
                    if case .storedThrough(let last) = end, key.withUnsafeBytes({ last.lexicographicallyPrecedes($0) }) { end = .past }
                    if case .past = end {
                        try store.put(rows.span.bytes, for: key, in: table, atEnd: true)
                        return
                    }
                    let sum = try store.insert(rows.span.bytes, for: key, in: table) { stored in
                        PeriodRows.sum(stored, rows.span.bytes)
                    }
                    guard let sum else { return }
                    if sum.isEmpty {
                        try store.remove(key, in: table)
                    } else {
                        try store.put(sum.span.bytes, for: key, in: table)
                    }
                }
            }
        }
    }

    /// Where the keys written to a table stand against the stored ones.
    private enum End {
        /// The store keeps its writes in memory and cannot tell: every period is read first.
        case unknown
        /// Keys up to this one (the greatest stored) may exist.
        case storedThrough([UInt8])
        /// Past every stored key: rows go to the table's end without reading.
        case past
    }
}
