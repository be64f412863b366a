/// The counter rows of one period in one table, stored as one value under the period's key
/// (``StatisticsKeys/period(_:)``): for each code whose row is not all zeros, by ascending code
/// number, the number's difference from the previous one (from 0) as an unsigned LEB128
/// varint, then the row in ``CounterRow``'s stored form.
///
/// A fold writes a period with one put and a query reads it with one lookup, where a row per
/// code took one each: an hour of a busy center has rows for hundreds of procedures. A period
/// with no row is not kept.
enum PeriodRows {
    /// Calls `body` with each code number and row of a stored value, in ascending number; a
    /// malformed value yields the rows before the fault.
    static func forEach(in value: RawSpan, _ body: (UInt32, CounterRow) -> Void) {
        var offset = 0
        var number: UInt64 = 0
        while offset < value.byteCount {
            guard let delta = CounterRow.readVarint(value, at: &offset), delta <= UInt64(UInt32.max) - number,
                  let row = CounterRow.read(value, at: &offset) else { return }
            number += delta
            body(UInt32(number), row)
        }
    }

    /// Builds a value from rows by ascending code number, leaving out rows of zeros.
    struct Builder {
        private(set) var bytes: [UInt8] = []
        private var previous: UInt32 = 0

        /// A builder with room for about `rows` rows of a few counters each.
        init(rows: Int = 0) { bytes.reserveCapacity(rows * 8) }

        /// Appends the row of `number`, which must be greater than the previous one's.
        mutating func append(_ row: CounterRow, for number: UInt32) {
            guard !row.isZero else { return }
            let delta = UInt64(number - previous)
            previous = number
            // Written on the stack, then appended at once.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10 + CounterRow.maxStoredBytes) { buffer in
                guard let start = buffer.baseAddress else { return }
                var count = CounterRow.writeVarint(delta, to: start)
                count += row.write(to: start + count)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }
    }

    /// The sum of two stored values, row by row: the rows of codes in one of them, and the
    /// sum of the rows of codes in both, without the sums that are all zeros.
    static func sum(_ a: RawSpan, _ b: RawSpan) -> [UInt8] {
        let left = rows(a), right = rows(b)
        var builder = Builder()
        var (i, j) = (0, 0)
        while i < left.count || j < right.count {
            if j == right.count || (i < left.count && left[i].number < right[j].number) {
                builder.append(left[i].row, for: left[i].number)
                i += 1
            } else if i == left.count || right[j].number < left[i].number {
                builder.append(right[j].row, for: right[j].number)
                j += 1
            } else {
                var row = left[i].row
                row += right[j].row
                builder.append(row, for: left[i].number)
                i += 1
                j += 1
            }
        }
        return builder.bytes
    }

    private static func rows(_ value: RawSpan) -> [(number: UInt32, row: CounterRow)] {
        var rows: [(number: UInt32, row: CounterRow)] = []
        forEach(in: value) { rows.append(($0, $1)) }
        return rows
    }
}
