/// Counter rows by code number, as a query adds up stored rows and moments and as a fold totals
/// a period: an array indexed by number, where a dictionary would hash each one.
///
/// The fold adds millions of moments and rows per chunk: its bulk operations (``add(_:by:)``,
/// ``add(_:)-(CodeTotals)``, ``removeAll()``) work on the arrays' memory directly, with one
/// uniqueness check per call rather than one per counter.
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

    /// Adds each moment's delta to its metric of its code of `dimension`.
    mutating func add(_ moments: Span<some Contribution>, by dimension: Dimension) {
        var next = 0
        while next < moments.count {
            next = rows.withUnsafeMutableBufferPointer { rows in
                touched.withUnsafeMutableBufferPointer { touched in
                    var index = next
                    while index < moments.count {
                        let moment = moments[index]
                        let number = Int(dimension == .department ? moment.department : moment.procedure)
                        guard number < rows.count else { break }
                        if !touched[number] {
                            touched[number] = true
                            numbers.append(UInt32(number))
                        }
                        rows[number].values[moment.metric.rawValue] += Int64(moment.delta)
                        index += 1
                    }
                    return index
                }
            }
            if next < moments.count {
                let moment = moments[next]
                grow(to: Int(dimension == .department ? moment.department : moment.procedure) + 1)
            }
        }
    }

    /// Adds the counters of every code of `other`.
    mutating func add(_ other: CodeTotals) {
        grow(to: other.rows.count)
        rows.withUnsafeMutableBufferPointer { rows in
            touched.withUnsafeMutableBufferPointer { touched in
                other.rows.withUnsafeBufferPointer { otherRows in
                    for number in other.numbers {
                        let index = Int(number)
                        if !touched[index] {
                            touched[index] = true
                            numbers.append(number)
                        }
                        rows[index] += otherRows[index]
                    }
                }
            }
        }
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
        var builder = PeriodRows.Builder(rows: numbers.count)
        rows.withUnsafeBufferPointer { rows in
            // Codes are few: when most are touched, finding them in order costs less than sorting.
            if numbers.count * 16 >= rows.count {
                touched.withUnsafeBufferPointer { touched in
                    for index in touched.indices where touched[index] { builder.append(rows[index], for: UInt32(index)) }
                }
            } else {
                for number in numbers.sorted() { builder.append(rows[Int(number)], for: number) }
            }
        }
        return builder.bytes
    }

    /// Sets every counter back to zero, keeping the memory for the next period.
    mutating func removeAll() {
        rows.withUnsafeMutableBufferPointer { rows in
            touched.withUnsafeMutableBufferPointer { touched in
                for number in numbers {
                    rows[Int(number)] = CounterRow()
                    touched[Int(number)] = false
                }
            }
        }
        numbers.removeAll(keepingCapacity: true)
    }

    /// Makes room for code numbers below `count`.
    private mutating func grow(to count: Int) {
        guard count > rows.count else { return }
        rows.append(contentsOf: repeatElement(CounterRow(), count: count - rows.count))
        touched.append(contentsOf: repeatElement(false, count: count - touched.count))
    }

    private mutating func slot(_ number: UInt32) -> Int {
        let index = Int(number)
        grow(to: index + 1)
        if !touched[index] {
            touched[index] = true
            numbers.append(number)
        }
        return index
    }
}
