import EventLedger

/// The totals of one period (ten minutes, an hour, a day or a month), per department and per
/// procedure where that dimension keeps rows for it, while a fold walks moments in time order.
struct PeriodTotals {
    private(set) var period: Int32
    private var departments: RowTotals
    private var procedures: RowTotals?

    /// Totals for code numbers below `departments` and `procedures`, starting at `period`,
    /// for the tables of `kind` in `store`.
    init(_ kind: Period, _ period: Int32, departments: Int, procedures: Int, store: borrowing ProjectionStore) throws {
        self.period = period
        self.departments = try RowTotals(table: Dimension.department.rows(kind), count: departments, store: store)
        self.procedures = Dimension.procedure.periods.contains(kind)
            ? try RowTotals(table: Dimension.procedure.rows(kind), count: procedures, store: store) : nil
    }

    /// Counts a moment in the current period.
    mutating func count(_ moment: Moment) {
        departments.count(moment.metric, moment.delta, for: moment.department)
        procedures?.count(moment.metric, moment.delta, for: moment.procedure)
    }

    /// Adds the current period's totals to the stored rows when `period` is another one, and
    /// starts it.
    mutating func move(to period: Int32, store: inout ProjectionStore) throws {
        guard period != self.period else { return }
        try add(into: &store)
        self.period = period
    }

    /// Adds the current period's totals to the stored rows.
    mutating func add(into store: inout ProjectionStore) throws {
        try departments.add(period: period, store: &store)
        try procedures?.add(period: period, store: &store)
    }
}
