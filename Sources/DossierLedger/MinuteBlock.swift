/// The moments of one minute, as the `minutes` table stores them: one value per minute instead
/// of one entry per contribution, so that a fold writes a minute's contributions with one put.
///
/// Each moment is 12 bytes, big-endian: the millisecond within the minute (2), the metric (1),
/// the delta (1), the department number (4) and the procedure number (4). Moments are kept in
/// the order of their instants, and moments of the same millisecond in the order of the log,
/// which makes a block's bytes independent of how the log was cut into folds: a fold adds its
/// moments after the stored ones of the same millisecond, which come from earlier events.
struct MinuteBlock {
    /// Bytes per moment.
    static let entryBytes = 12
    static let millisecondsPerMinute: Int64 = 60_000

    /// The moments, each packed so that integer order is byte order: the first eight bytes
    /// (millisecond, metric, delta, department) and the last four (procedure).
    private(set) var entries: [(high: UInt64, low: UInt32)] = []

    init() {}

    /// Reads a stored block; moments of a malformed tail are ignored.
    init(span: RawSpan) {
        let count = span.byteCount / Self.entryBytes
        entries.reserveCapacity(count)
        for index in 0..<count {
            let offset = index * Self.entryBytes
            entries.append((UInt64(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                            UInt32(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))))
        }
    }

    /// The minute of an instant: minutes since 1970 (UTC; every zone's offset since 1970 is
    /// whole minutes, so local minutes are the same).
    static func minute(of time: Int64) -> Int64 {
        StatisticsKeys.floorDivide(time, by: millisecondsPerMinute)
    }

    /// The key of a minute: biased so that byte order is numeric order.
    static func key(_ minute: Int64) -> StackBytes<8> {
        var key = StackBytes<8>()
        key.append(bigEndian: UInt64(bitPattern: minute) ^ 0x8000_0000_0000_0000)
        return key
    }

    /// The minute a stored key stands for, or `nil` when it is not a minute's key.
    static func minute(ofKey key: RawSpan) -> Int64? {
        guard key.byteCount == 8 else { return nil }
        return Int64(bitPattern: UInt64(bigEndian: key.unsafeLoadUnaligned(as: UInt64.self)) ^ 0x8000_0000_0000_0000)
    }

    /// The block of moments of `minute`, in time order (and of the same instant in the order of the log).
    init(_ moments: Span<Moment>, minute: Int64) {
        entries.reserveCapacity(moments.count)
        for index in moments.indices { entries.append(Self.entry(moments[index], minute: minute)) }
    }

    /// The stored form of the block of moments of `minute` (as ``init(_:minute:)`` then
    /// ``bytes`` make it), written at once.
    static func bytes(of moments: Span<Moment>, minute: Int64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: moments.count * entryBytes) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for index in moments.indices {
                let entry = Self.entry(moments[index], minute: minute)
                raw.storeBytes(of: entry.high.bigEndian, toByteOffset: index * entryBytes, as: UInt64.self)
                raw.storeBytes(of: entry.low.bigEndian, toByteOffset: index * entryBytes + 8, as: UInt32.self)
            }
            count = moments.count * entryBytes
        }
    }

    /// A moment of `minute`, packed.
    private static func entry(_ moment: Moment, minute: Int64) -> (high: UInt64, low: UInt32) {
        let millisecond = UInt64(moment.time - minute * millisecondsPerMinute)
        return (millisecond << 48 | UInt64(moment.metric.rawValue) << 40 | UInt64(UInt8(bitPattern: moment.delta)) << 32
                    | UInt64(moment.department), moment.procedure)
    }

    /// Puts the moments of a stored block of the same minute, folded from earlier events,
    /// before this block's moments of the same millisecond.
    mutating func merge(after stored: MinuteBlock) {
        func millisecond(_ entry: (high: UInt64, low: UInt32)) -> UInt64 { entry.high >> 48 }
        var merged: [(high: UInt64, low: UInt32)] = []
        merged.reserveCapacity(entries.count + stored.entries.count)
        var (new, old) = (entries.startIndex, stored.entries.startIndex)
        while new < entries.endIndex || old < stored.entries.endIndex {
            if old < stored.entries.endIndex, new == entries.endIndex || millisecond(stored.entries[old]) <= millisecond(entries[new]) {
                merged.append(stored.entries[old])
                old += 1
            } else {
                merged.append(entries[new])
                new += 1
            }
        }
        entries = merged
    }

    /// The stored form.
    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: entries.count * Self.entryBytes) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for (index, entry) in entries.enumerated() {
                raw.storeBytes(of: entry.high.bigEndian, toByteOffset: index * Self.entryBytes, as: UInt64.self)
                raw.storeBytes(of: entry.low.bigEndian, toByteOffset: index * Self.entryBytes + 8, as: UInt32.self)
            }
            count = entries.count * Self.entryBytes
        }
    }

    /// Adds the moments of a stored block of `minute` whose instant is in `range` to `totals`,
    /// by their code of `dimension`.
    static func add(_ span: RawSpan, minute: Int64, within range: ClosedRange<Int64>, by dimension: Dimension, to totals: inout CodeTotals) {
        let base = minute * millisecondsPerMinute
        for index in 0..<(span.byteCount / entryBytes) {
            let offset = index * entryBytes
            let high = UInt64(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self))
            guard range.contains(base + Int64(high >> 48)) else { continue }
            let number = dimension == .department
                ? UInt32(truncatingIfNeeded: high) : UInt32(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
            totals.add(Int(high >> 40 & 0xFF), Int8(bitPattern: UInt8(high >> 32 & 0xFF)), for: number)
        }
    }
}
