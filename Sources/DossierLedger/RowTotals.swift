import EventLedger

/// The counters of one period being totalled for one table of counter rows, by code number,
/// before they are added to the stored rows of the period (``PeriodRows``).
///
/// Periods come in time order, so the keys it writes only grow: those after the greatest key
/// the table had (all of them, for a log in time order) are stored at its end without reading.
struct RowTotals {
    private let table: ProjectionTable
    /// The period's totals so far.
    var totals = CodeTotals()
    /// Where the keys written stand against the stored ones.
    private var end: End

    private enum End {
        /// The store keeps its writes in memory and cannot tell: every row is read first.
        case unknown
        /// Keys up to this one (the greatest stored) may exist.
        case storedThrough([UInt8])
        /// Past every stored key: rows go to the table's end without reading.
        case past
    }

    /// Totals for `table` in `store`.
    init(table: String, store: borrowing ProjectionStore) throws {
        self.table = store.table(table)
        end = switch try store.lastKey(in: self.table) {
        case nil: .unknown
        case let last? where last.isEmpty: .past
        case let last?: .storedThrough(last)
        }
    }

    /// Adds the totals to the stored rows of `period`, then starts again from zero.
    mutating func add(period: Int32, store: inout ProjectionStore) throws {
        // Adding zeros changes nothing, and a row of zeros is not kept: the state does not
        // depend on how the log was chunked.
        let rows = totals.periodRows
        totals.removeAll()
        guard !rows.isEmpty else { return }
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
