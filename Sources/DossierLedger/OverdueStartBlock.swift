/// The overdue starts due in one minute of dossiers received in one stretch of 4,096 log
/// positions, as the `overdueStarts` table stores them: one value where an entry per start
/// took one put each, so that a fold adds and takes back a block's starts with one read and
/// one put. Each start counts +1 overdue at its instant.
///
/// The key is the minute (as ``MinuteBlock/key(_:)``), then the receipts' stretch (position ÷
/// 4,096), 16 bytes big-endian. A busy center's dossiers are mostly due at the same minute of a
/// working day (16:30 at Lạng Sơn): the stretch keeps the value a fold rewrites for one
/// receipt small (at most 4,096 starts, 72 KiB; about 45 in the 10 M-event benchmark, where a
/// whole minute holds up to 13,000). Each start is 18 bytes, big-endian: the millisecond within
/// the minute (2), the position of the dossier's receipt (8), the department number (4) and
/// the procedure number (4). Starts are kept in the order of their instants, and those of the
/// same instant by position, which makes a block's bytes independent of how the log was cut
/// into folds.
struct OverdueStartBlock {
    /// Bytes per start.
    static let entryBytes = 18
    /// The log positions of a stretch of receipts: the most starts one block holds.
    static let positionsPerBlock: UInt64 = 4096

    /// The stretch of receipts a position belongs to.
    static func stretch(of position: UInt64) -> UInt64 { position / positionsPerBlock }

    /// The key of the block of `minute` and `stretch`.
    static func key(minute: Int64, stretch: UInt64) -> StackBytes<16> {
        var key = StackBytes<16>()
        key.append(bigEndian: UInt64(bitPattern: minute) ^ 0x8000_0000_0000_0000)
        key.append(bigEndian: stretch)
        return key
    }

    /// The first key of `minute`'s blocks: a bound of a query's range.
    static func firstKey(minute: Int64) -> [UInt8] { MinuteBlock.key(minute).array }

    /// The minute of a stored key, or `nil` when it is not a block's key.
    static func minute(ofKey key: RawSpan) -> Int64? {
        guard key.byteCount == 16 else { return nil }
        return MinuteBlock.minute(ofKey: key.extracting(first: 8))
    }

    /// One start. Starts compare in stored order, by instant then position (a dossier has at
    /// most one start, so the codes never decide).
    struct Entry: Comparable {
        /// The millisecond within the minute.
        var millisecond: UInt16
        /// The position of the dossier's receipt.
        var position: UInt64
        var department: UInt32
        var procedure: UInt32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.millisecond, lhs.position) < (rhs.millisecond, rhs.position)
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.millisecond, lhs.position) == (rhs.millisecond, rhs.position)
        }
    }

    /// The starts, in stored order.
    private(set) var entries: [Entry] = []

    init() {}

    /// Reads a stored block; starts of a malformed tail are ignored.
    init(span: RawSpan) {
        let count = span.byteCount / Self.entryBytes
        entries.reserveCapacity(count)
        for index in 0..<count { entries.append(Self.entry(in: span, at: index * Self.entryBytes)) }
    }

    /// The minute's starts after taking back `removed` and adding `added`, each in stored
    /// order. A start to take back that the block does not hold is ignored.
    func replacing(_ removed: ArraySlice<Entry>, with added: ArraySlice<Entry>) -> OverdueStartBlock {
        var result = OverdueStartBlock()
        result.entries.reserveCapacity(entries.count + added.count)
        var (old, new, gone) = (entries.startIndex, added.startIndex, removed.startIndex)
        while old < entries.endIndex || new < added.endIndex {
            if old < entries.endIndex, new == added.endIndex || entries[old] < added[new] {
                while gone < removed.endIndex, removed[gone] < entries[old] { gone += 1 }
                if gone < removed.endIndex, removed[gone] == entries[old] {
                    gone += 1
                } else {
                    result.entries.append(entries[old])
                }
                old += 1
            } else {
                result.entries.append(added[new])
                new += 1
            }
        }
        return result
    }

    /// The stored form.
    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: entries.count * Self.entryBytes) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for (index, entry) in entries.enumerated() {
                let offset = index * Self.entryBytes
                raw.storeBytes(of: entry.millisecond.bigEndian, toByteOffset: offset, as: UInt16.self)
                raw.storeBytes(of: entry.position.bigEndian, toByteOffset: offset + 2, as: UInt64.self)
                raw.storeBytes(of: entry.department.bigEndian, toByteOffset: offset + 10, as: UInt32.self)
                raw.storeBytes(of: entry.procedure.bigEndian, toByteOffset: offset + 14, as: UInt32.self)
            }
            count = entries.count * Self.entryBytes
        }
    }

    /// A start due at `time`, of minute `minute`.
    static func entry(at time: Int64, minute: Int64, position: UInt64, department: UInt32, procedure: UInt32) -> Entry {
        Entry(millisecond: UInt16(time - minute * MinuteBlock.millisecondsPerMinute), position: position, department: department, procedure: procedure)
    }

    /// Adds +1 overdue for each start of a stored block of `minute` whose instant is in
    /// `range` to `totals`, by its code of `dimension`.
    static func add(_ span: RawSpan, minute: Int64, within range: ClosedRange<Int64>, by dimension: Dimension, to totals: inout CodeTotals) {
        let base = minute * MinuteBlock.millisecondsPerMinute
        for index in 0..<(span.byteCount / entryBytes) {
            let entry = entry(in: span, at: index * entryBytes)
            guard range.contains(base + Int64(entry.millisecond)) else { continue }
            totals.add(Metric.overdue.rawValue, 1, for: dimension == .department ? entry.department : entry.procedure)
        }
    }

    private static func entry(in span: RawSpan, at offset: Int) -> Entry {
        Entry(millisecond: UInt16(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt16.self)),
              position: UInt64(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset + 2, as: UInt64.self)),
              department: UInt32(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset + 10, as: UInt32.self)),
              procedure: UInt32(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: offset + 14, as: UInt32.self)))
    }
}
