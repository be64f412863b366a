/// Counter rows by code number, as a query adds up stored rows and moments: an array indexed by
/// number, where a dictionary would hash each one.
struct CodeTotals {
    private var rows: [CounterRow] = []
    private var touched: [Bool] = []

    /// Adds `delta` to counter `metric` of code `number`; an unknown metric is ignored.
    mutating func add(_ metric: Int, _ delta: Int8, for number: UInt32) {
        guard metric < CounterRow.metrics else { return }
        let index = slot(number)
        rows[index].values[metric] += Int64(delta)
    }

    /// Adds a row to the counters of code `number`.
    mutating func add(_ row: CounterRow, for number: UInt32) {
        let index = slot(number)
        rows[index] += row
    }

    /// Adds a period's stored counter rows (``PeriodRows``).
    mutating func add(periodRows value: RawSpan) {
        PeriodRows.forEach(in: value) { add($1, for: $0) }
    }

    /// The counters of each code added to.
    var byCode: [UInt32: CounterRow] {
        var result: [UInt32: CounterRow] = [:]
        for index in rows.indices where touched[index] { result[UInt32(index)] = rows[index] }
        return result
    }

    private mutating func slot(_ number: UInt32) -> Int {
        let index = Int(number)
        if index >= rows.count {
            rows.append(contentsOf: repeatElement(CounterRow(), count: index + 1 - rows.count))
            touched.append(contentsOf: repeatElement(false, count: index + 1 - touched.count))
        }
        touched[index] = true
        return index
    }
}
