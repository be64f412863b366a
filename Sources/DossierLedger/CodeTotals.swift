/// Counter rows by code number, as a query adds up stored rows and moments and as a fold totals
/// a period: an array indexed by number, where a dictionary would hash each one.
struct CodeTotals {
    private var rows: [CounterRow] = []
    private var touched: [Bool] = []
    /// The numbers added to, in the order they were first added to.
    private(set) var numbers: [UInt32] = []

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

    /// Adds the counters of every code of `other`.
    mutating func add(_ other: CodeTotals) {
        for number in other.numbers { add(other.rows[Int(number)], for: number) }
    }

    /// Adds a period's stored counter rows (``PeriodRows``).
    mutating func add(periodRows value: RawSpan) {
        PeriodRows.forEach(in: value) { add($1, for: $0) }
    }

    /// The counters of each code added to.
    var byCode: [UInt32: CounterRow] {
        var result: [UInt32: CounterRow] = [:]
        for number in numbers { result[number] = rows[Int(number)] }
        return result
    }

    /// The counters of each code added to, by ascending number, in ``PeriodRows``' stored form.
    var periodRows: [UInt8] {
        var builder = PeriodRows.Builder()
        for number in numbers.sorted() { builder.append(rows[Int(number)], for: number) }
        return builder.bytes
    }

    /// Sets every counter back to zero, keeping the memory for the next period.
    mutating func removeAll() {
        for number in numbers {
            rows[Int(number)] = CounterRow()
            touched[Int(number)] = false
        }
        numbers.removeAll(keepingCapacity: true)
    }

    private mutating func slot(_ number: UInt32) -> Int {
        let index = Int(number)
        if index >= rows.count {
            rows.append(contentsOf: repeatElement(CounterRow(), count: index + 1 - rows.count))
            touched.append(contentsOf: repeatElement(false, count: index + 1 - touched.count))
        }
        if !touched[index] {
            touched[index] = true
            numbers.append(number)
        }
        return index
    }
}
