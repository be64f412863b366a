import EventLedger

/// The counters of one period (a day or a month) being totalled for one dimension, by code
/// number, before they are added to the stored rows.
struct RowTotals {
    private var rows: [CounterRow]
    private var touched: [UInt32] = []
    private var isTouched: [Bool]

    /// Totals for code numbers below `count`.
    init(count: Int) {
        rows = Array(repeating: CounterRow(), count: count)
        isTouched = Array(repeating: false, count: count)
    }

    /// Adds `delta` to `metric` of code `number`.
    mutating func count(_ metric: Metric, _ delta: Int8, for number: UInt32) {
        let index = Int(number)
        if !isTouched[index] {
            isTouched[index] = true
            touched.append(number)
        }
        rows[index].values[metric.rawValue] += Int64(delta)
    }

    /// Adds the totals to the stored rows of `period` in `table`, then starts again from zero.
    mutating func add(into table: String, _ dimension: Dimension, period: Int32, store: inout ProjectionStore) throws {
        for number in touched.sorted() {
            let index = Int(number)
            try StatisticsKeys.rowKey(dimension, period: period, number: number).withSpan { key in
                var row = try store.withValue(for: key, in: table) { CounterRow(span: $0) } ?? CounterRow()
                row += rows[index]
                // A row of zeros is not kept: the state does not depend on how the log was chunked.
                if row.isZero {
                    try store.remove(key, in: table)
                } else {
                    try row.stored.withSpan { try store.put($0, for: key, in: table) }
                }
            }
            rows[index] = CounterRow()
            isTouched[index] = false
        }
        touched.removeAll(keepingCapacity: true)
    }
}
