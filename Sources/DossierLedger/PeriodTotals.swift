/// The totals of one period (ten minutes, an hour, a day or a month), per department and per
/// procedure where that dimension keeps rows for it, while a fold walks moments in time order;
/// and the rows of the periods it has ended.
struct PeriodTotals {
    private(set) var period: Int32
    private var departments = CodeTotals()
    private var procedures: CodeTotals?
    /// The department rows of each period ended, in ``PeriodRows``' stored form, by ascending
    /// period; a period whose rows are all zeros is left out.
    private(set) var departmentRows: [(period: Int32, rows: [UInt8])] = []
    /// The procedure rows of each period ended, as ``departmentRows``; empty for a kind of
    /// period procedures keep no rows for.
    private(set) var procedureRows: [(period: Int32, rows: [UInt8])] = []

    /// Totals of periods of `kind`, starting at `period`.
    init(_ kind: Period, _ period: Int32) {
        self.period = period
        procedures = Dimension.procedure.periods.contains(kind) ? CodeTotals() : nil
    }

    /// Adds totals per department, counted inside the current period.
    mutating func add(departments: CodeTotals) {
        self.departments.add(departments)
    }

    /// Adds totals per procedure, counted inside the current period.
    mutating func add(procedures: CodeTotals) {
        self.procedures?.add(procedures)
    }

    /// Adds the current period's totals to another period's, which holds it.
    func add(to other: inout PeriodTotals) {
        other.departments.add(departments)
        if let procedures { other.procedures?.add(procedures) }
    }

    /// Ends the current period when `period` is another one, and starts it.
    mutating func move(to period: Int32) {
        guard period != self.period else { return }
        end()
        self.period = period
    }

    /// Keeps the current period's rows, and starts its totals again from zero.
    mutating func end() {
        Self.end(period, &departments, into: &departmentRows)
        if procedures != nil { Self.end(period, &procedures!, into: &procedureRows) }
    }

    private static func end(_ period: Int32, _ totals: inout CodeTotals, into rows: inout [(period: Int32, rows: [UInt8])]) {
        // Adding zeros changes nothing, and a row of zeros is not kept: the state does not
        // depend on how the log was chunked.
        let periodRows = totals.periodRows
        totals.removeAll()
        if !periodRows.isEmpty { rows.append((period, periodRows)) }
    }
}
