/// One counter per ``Metric``, without a heap allocation.
///
/// Stored compactly (within a period's rows, see ``PeriodRows``), since most rows of an hour or
/// a day count one or two things: a 16-bit little-endian mask of the counters that are not
/// zero, then each of those counters in metric order as a zigzag LEB128 varint (1 byte for
/// −64…63).
struct CounterRow {
    /// The number of counters: one per ``Metric``.
    static let metrics = 11
    var values = InlineArray<11, Int64>(repeating: 0)

    init() {}

    /// Reads a row in its stored form at `offset` in `span`, and moves `offset` past it;
    /// `nil` when the bytes there are not a whole row.
    static func read(_ span: RawSpan, at offset: inout Int) -> CounterRow? {
        guard offset + 2 <= span.byteCount else { return nil }
        let mask = UInt16(span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt8.self))
            | UInt16(span.unsafeLoadUnaligned(fromByteOffset: offset + 1, as: UInt8.self)) << 8
        guard mask >> metrics == 0 else { return nil }
        offset += 2
        var row = CounterRow()
        var remaining = mask
        while remaining != 0 {
            let index = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            guard let encoded = readVarint(span, at: &offset) else { return nil }
            row.values[index] = Int64(bitPattern: encoded >> 1) ^ -Int64(bitPattern: encoded & 1)
        }
        return row
    }

    /// Reads an unsigned LEB128 varint at `offset`, and moves `offset` past it; `nil` when it
    /// runs past the end or beyond 64 bits.
    static func readVarint(_ span: RawSpan, at offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < span.byteCount, shift < 64 {
            let byte = span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    /// The most bytes a row's stored form takes: the mask, and a 10-byte varint per counter.
    static let maxStoredBytes = 2 + metrics * 10

    /// Writes an unsigned LEB128 varint at `out` (at most 10 bytes); returns the bytes written.
    static func writeVarint(_ value: UInt64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var (value, count) = (value, 0)
        while value >= 0x80 {
            out[count] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            count += 1
        }
        out[count] = UInt8(value)
        return count + 1
    }

    /// Writes the stored form (see the type's description) at `out`, at most
    /// ``maxStoredBytes``: the mask, then a zigzag varint per counter that is not zero.
    /// Returns the bytes written.
    func write(to out: UnsafeMutablePointer<UInt8>) -> Int {
        var mask: UInt16 = 0
        for index in values.indices where values[index] != 0 { mask |= 1 << index }
        out[0] = UInt8(truncatingIfNeeded: mask)
        out[1] = UInt8(truncatingIfNeeded: mask >> 8)
        var (count, remaining) = (2, mask)
        while remaining != 0 {
            let value = values[remaining.trailingZeroBitCount]
            remaining &= remaining - 1
            count += Self.writeVarint(UInt64(bitPattern: value << 1 ^ value >> 63), to: out + count)
        }
        return count
    }

    /// Whether every counter is zero.
    var isZero: Bool {
        for index in values.indices where values[index] != 0 { return false }
        return true
    }

    static func += (lhs: inout CounterRow, rhs: CounterRow) {
        for index in lhs.values.indices { lhs.values[index] += rhs.values[index] }
    }
}
