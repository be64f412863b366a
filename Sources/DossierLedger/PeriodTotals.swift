import EventLedger

/// The totals of one period (ten minutes, an hour, a day or a month), per department and per
/// procedure where that dimension keeps rows for it, while a fold walks moments in time order.
struct PeriodTotals {
    private(set) var period: Int32
    private var departments: RowTotals
    private var procedures: RowTotals?

    /// Totals starting at `period`, for the tables of `kind` in `store`.
    init(_ kind: Period, _ period: Int32, store: borrowing ProjectionStore) throws {
        self.period = period
        self.departments = try RowTotals(table: Dimension.department.rows(kind), store: store)
        self.procedures = Dimension.procedure.periods.contains(kind) ? try RowTotals(table: Dimension.procedure.rows(kind), store: store) : nil
    }

    /// Adds totals per department, counted inside the current period.
    mutating func add(departments: CodeTotals) {
        self.departments.totals.add(departments)
    }

    /// Adds totals per procedure, counted inside the current period.
    mutating func add(procedures: CodeTotals) {
        self.procedures?.totals.add(procedures)
    }

    /// Adds the current period's totals to another period's, which holds it.
    func add(to other: inout PeriodTotals) {
        other.departments.totals.add(departments.totals)
        if let procedures { other.procedures?.totals.add(procedures.totals) }
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
