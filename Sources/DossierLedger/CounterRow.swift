/// One counter per ``Metric``, without a heap allocation.
///
/// Stored compactly, since most rows of an hour or a day count one or two things: a 16-bit
/// little-endian mask of the counters that are not zero, then each of those counters in
/// metric order as a zigzag LEB128 varint (1 byte for −64…63).
struct CounterRow {
    /// The number of counters: one per ``Metric``.
    static let metrics = 11
    var values = InlineArray<11, Int64>(repeating: 0)

    init() {}

    /// Reads a stored row; a malformed one reads as the counters decoded before the fault.
    init(span: RawSpan) {
        guard span.byteCount >= 2 else { return }
        let mask = UInt16(span.unsafeLoadUnaligned(as: UInt8.self)) | UInt16(span.unsafeLoadUnaligned(fromByteOffset: 1, as: UInt8.self)) << 8
        var offset = 2
        var remaining = mask
        while remaining != 0, offset < span.byteCount {
            let index = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            var encoded: UInt64 = 0
            var shift: UInt64 = 0
            while offset < span.byteCount, shift < 64 {
                let byte = span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt8.self)
                offset += 1
                encoded |= UInt64(byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 { break }
            }
            guard index < values.count else { return }
            values[index] = Int64(bitPattern: encoded >> 1) ^ -Int64(bitPattern: encoded & 1)
        }
    }

    /// The stored form (see the type's description): at most the mask and 11 varints of 10 bytes.
    var stored: StackBytes<112> {
        var mask: UInt16 = 0
        for index in values.indices where values[index] != 0 { mask |= 1 << index }
        var bytes = StackBytes<112>()
        bytes.append(littleEndian: mask)
        for index in values.indices where values[index] != 0 {
            var encoded = UInt64(bitPattern: values[index] << 1 ^ values[index] >> 63)
            while encoded >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: encoded) | 0x80)
                encoded >>= 7
            }
            bytes.append(UInt8(encoded))
        }
        return bytes
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
