public import EventLedger

/// The projection behind ``DepartmentStatistics`` and the lifecycle checks.
///
/// Each statistic is a sum of +1/−1 contributions at instants (a receipt at its time, an
/// on-time return at the return's time, the start and end of a dossier's overdue spell…).
/// The projection stores every contribution three ways, per department and per procedure:
/// added to a counter row of its local day, added to a row of its month, and as a "moment"
/// keyed by its instant. The statistics as of any instant T are then the sum of the month rows
/// before T's month, the day rows of T's month before T's day, and T's day: its day row when T
/// is the day's last millisecond, else the moments of that day up to T. No query folds the
/// log: its cost depends on the number of months and departments, not of events.
///
/// Moments at an event's own instant are kept in `moments`, which a log in time order fills at
/// its end; the start of an overdue spell, at a due instant still to come, in `overdueStarts`.
/// A dossier closed before it became overdue never counted as overdue: its start is removed
/// rather than cancelled by a −1, and a counter row whose counters are all zero is not kept, so
/// the stored state is the same however the log was folded (in one chunk or many).
///
/// Tables: `dossiers` (stream number → the dossier's lifecycle state and the instants its
/// statistics need), `codes` (department and procedure codes ↔ small numbers), `days`,
/// `months`, `moments`, `overdueStarts`.
public struct StatisticsProjection: Projection {
    /// `statistics`.
    public let name = "statistics"
    /// The version of the fold; stored state of another version is rebuilt.
    public let version: UInt32 = 2
    /// The tables the state lives in.
    public let tables = ["dossiers", "codes", "days", "months", "moments", "overdueStarts"]
    /// The zone whose calendar days and months the counters use.
    public let timeZone: LedgerTimeZone

    /// Creates the projection for a ledger's time zone.
    public init(timeZone: LedgerTimeZone) { self.timeZone = timeZone }

    /// A fold in progress: touched dossiers, counter deltas and moments, in typed memory, written
    /// to the tables once per chunk by ``flush(_:into:)``.
    public struct Batch {
        var dossiers: [UInt64: DossierRecord] = [:]
        var moments: [Moment] = []
        /// The overdue starts added by this batch, by stream number: where they are in `moments`.
        var starts: [UInt64: Int] = [:]
        /// The keys of stored overdue starts to remove.
        var removedStarts: [(time: Int64, position: UInt64)] = []
        var codes: [Dimension: [String: UInt32]] = [:]
        var nextCode: [Dimension: UInt32] = [:]
        var newCodes: [(dimension: Dimension, code: String, number: UInt32)] = []
    }

    /// An empty batch.
    public func makeBatch() -> Batch {
        var batch = Batch()
        batch.moments.reserveCapacity(4096)
        return batch
    }

    /// Folds one event into the batch. Events of the ledger's own streams (ids beginning with
    /// `$`) and of types that are not dossier events are skipped.
    public func apply(_ record: borrowing EventRecord, to batch: inout Batch, store: borrowing ProjectionStore) throws {
        guard record.schemaVersion == DossierCodec.schemaVersion, !record.isType(LedgerSettings.eventType) else { return }
        let position = record.position
        let (at, details) = try record.withPayload { span in
            try span.withUnsafeBytes { try DossierCodec.decodePayload($0, position: position) }
        }
        let number = record.streamNumber
        var dossier: DossierRecord
        if let touched = batch.dossiers[number] {
            dossier = touched
        } else {
            let stored = try StatisticsKeys.dossier(number).withSpan { key in
                try store.withValue(for: key, in: "dossiers") { DossierRecord(span: $0) }
            }
            dossier = (stored ?? nil) ?? DossierRecord()
        }
        var sink = ContributionSink(timeZone: timeZone, position: position)
        let time = at.millisecondsSinceEpoch
        switch details {
        case .received(let department, let procedure, let due, _):
            dossier.department = try intern(department.rawValue, .department, &batch, store)
            dossier.procedure = try intern(procedure.rawValue, .procedure, &batch, store)
            dossier.receivedAt = time
            dossier.receivedPosition = position
            dossier.due = due.millisecondsSinceEpoch
            sink.add(.received, at: time, for: dossier, to: &batch)
            let start = Swift.max(time, due.millisecondsSinceEpoch &+ 1)
            dossier.overdueStart = start
            batch.starts[number] = batch.moments.count
            sink.add(.overdue, at: start, for: dossier, to: &batch, kind: .overdueStart)
        case .forwarded(let via):
            if via == .post { sink.add(.forwardedByPost, at: time, for: dossier, to: &batch) }
        case .decided:
            dossier.decidedAt = time
        case .returnedToCenter(let via):
            if via == .post { sink.add(.returnedByPost, at: time, for: dossier, to: &batch) }
        case .resultReturned:
            sink.add(.returned, at: time, for: dossier, to: &batch)
            if let decided = dossier.decidedAt, decided <= dossier.due {
                sink.add(.onTime, at: time, for: dossier, to: &batch)
                if timeZone.dayNumber(atMilliseconds: decided) < timeZone.dayNumber(atMilliseconds: dossier.due) {
                    sink.add(.early, at: time, for: dossier, to: &batch)
                }
            }
            close(&dossier, number, at: time, sink: &sink, batch: &batch)
        case .rated(let rating, _):
            let metric: Metric = switch rating {
            case .verySatisfied: .verySatisfied
            case .satisfied: .satisfied
            case .dissatisfied: .dissatisfied
            }
            sink.add(metric, at: time, for: dossier, to: &batch)
        case .withdrawn:
            sink.add(.withdrawn, at: time, for: dossier, to: &batch)
            close(&dossier, number, at: time, sink: &sink, batch: &batch)
        }
        dossier.state = dossier.state.applying(type: details.type, atMilliseconds: time)
        batch.dossiers[number] = dossier
    }

    /// Writes the batch: each touched dossier, each counter row plus its delta, each moment,
    /// each new code.
    public func flush(_ batch: consuming Batch, into store: inout ProjectionStore) throws {
        // In key order: consecutive writes land on the same pages of the tables.
        for number in batch.dossiers.keys.sorted() {
            try StatisticsKeys.dossier(number).withSpan { key in
                try batch.dossiers[number]!.stored.withSpan { try store.put($0, for: key, in: "dossiers") }
            }
        }
        for entry in batch.newCodes {
            let number = StatisticsKeys.number32(entry.number)
            try store.put(number, for: [entry.dimension.rawValue] + Array(entry.code.utf8), in: "codes")
            try store.put(Array(entry.code.utf8), for: [entry.dimension.rawValue | 0x80] + number, in: "codes")
        }
        for (dimension, next) in batch.nextCode {
            try store.put(StatisticsKeys.number32(next), for: [dimension.rawValue | 0x40], in: "codes")
        }
        for start in batch.removedStarts {
            try StatisticsKeys.moment(at: start.time, position: start.position, sequence: StatisticsKeys.overdueStartSequence).withSpan { key in
                try store.remove(key, in: "overdueStarts")
            }
        }
        batch.moments.removeAll { $0.delta == 0 }
        batch.moments.sort { ($0.time, $0.position, $0.sequence) < ($1.time, $1.position, $1.sequence) }
        try addRows(of: batch.moments, into: &store)
        // Moments after the last stored one (all of them, for a log in time order) go at the
        // table's end without a search.
        let last = try store.lastKey(in: "moments")
        for moment in batch.moments where moment.kind != .rowsOnly {
            var value = StackBytes()
            value.append(UInt8(moment.metric.rawValue))
            value.append(UInt8(bitPattern: moment.delta))
            value.append(bigEndian: moment.department)
            value.append(bigEndian: moment.procedure)
            try StatisticsKeys.moment(at: moment.time, position: moment.position, sequence: moment.sequence).withSpan { key in
                try value.withSpan { value in
                    if moment.kind == .overdueStart {
                        try store.put(value, for: key, in: "overdueStarts")
                    } else if let known = last, key.withUnsafeBytes({ known.lexicographicallyPrecedes($0) }) {
                        try store.put(value, for: key, in: "moments", atEnd: true)
                    } else {
                        try store.put(value, for: key, in: "moments")
                    }
                }
            }
        }
    }

    /// Adds moments, sorted by time, to the counter rows of their days and months, per
    /// department and per procedure: totals are kept per code number while the day (or month)
    /// lasts, then added to the stored rows.
    private func addRows(of moments: [Moment], into store: inout ProjectionStore) throws {
        guard let first = moments.first else { return }
        let departments = Int(moments.lazy.map(\.department).max() ?? 0) + 1
        let procedures = Int(moments.lazy.map(\.procedure).max() ?? 0) + 1
        var day = timeZone.dayNumber(atMilliseconds: first.time)
        var month = StatisticsKeys.month(ofDay: day)
        var dayTotals = (RowTotals(count: departments), RowTotals(count: procedures))
        var monthTotals = (RowTotals(count: departments), RowTotals(count: procedures))
        for moment in moments {
            let momentDay = timeZone.dayNumber(atMilliseconds: moment.time)
            if momentDay != day {
                try dayTotals.0.add(into: "days", .department, period: day, store: &store)
                try dayTotals.1.add(into: "days", .procedure, period: day, store: &store)
                day = momentDay
                let momentMonth = StatisticsKeys.month(ofDay: day)
                if momentMonth != month {
                    try monthTotals.0.add(into: "months", .department, period: month, store: &store)
                    try monthTotals.1.add(into: "months", .procedure, period: month, store: &store)
                    month = momentMonth
                }
            }
            dayTotals.0.count(moment.metric, moment.delta, for: moment.department)
            dayTotals.1.count(moment.metric, moment.delta, for: moment.procedure)
            monthTotals.0.count(moment.metric, moment.delta, for: moment.department)
            monthTotals.1.count(moment.metric, moment.delta, for: moment.procedure)
        }
        try dayTotals.0.add(into: "days", .department, period: day, store: &store)
        try dayTotals.1.add(into: "days", .procedure, period: day, store: &store)
        try monthTotals.0.add(into: "months", .department, period: month, store: &store)
        try monthTotals.1.add(into: "months", .procedure, period: month, store: &store)
    }

    /// Ends a dossier's overdue spell: it stops counting at `time`, or never counted if it was
    /// closed before becoming overdue, in which case its start is taken back: dropped from the
    /// batch, or removed from the table with a −1 to the rows that counted it.
    private func close(_ dossier: inout DossierRecord, _ number: UInt64, at time: Int64, sink: inout ContributionSink, batch: inout Batch) {
        guard let start = dossier.overdueStart else { return }
        dossier.overdueStart = nil
        if time >= start {
            sink.add(.overdue, delta: -1, at: time, for: dossier, to: &batch)
        } else if let index = batch.starts.removeValue(forKey: number) {
            batch.moments[index].delta = 0
        } else {
            batch.removedStarts.append((start, dossier.receivedPosition))
            batch.moments.append(Moment(time: start, position: dossier.receivedPosition, sequence: StatisticsKeys.overdueStartSequence,
                                        metric: .overdue, delta: -1, department: dossier.department, procedure: dossier.procedure, kind: .rowsOnly))
        }
    }

    /// The small number of a department or procedure code, assigning the next one to a new code.
    private func intern(_ code: String, _ dimension: Dimension, _ batch: inout Batch, _ store: borrowing ProjectionStore) throws -> UInt32 {
        if let known = batch.codes[dimension]?[code] { return known }
        if let stored = try store.value(for: [dimension.rawValue] + Array(code.utf8), in: "codes").flatMap(StatisticsKeys.number32) {
            batch.codes[dimension, default: [:]][code] = stored
            return stored
        }
        let last: UInt32
        if let next = batch.nextCode[dimension] {
            last = next
        } else {
            last = try store.value(for: [dimension.rawValue | 0x40], in: "codes").flatMap(StatisticsKeys.number32) ?? 0
        }
        let number = last + 1
        batch.nextCode[dimension] = number
        batch.codes[dimension, default: [:]][code] = number
        batch.newCodes.append((dimension, code, number))
        return number
    }

    /// The state of a dossier as the projection has it, or `nil` when it has no events.
    func state(ofStream number: UInt64, in store: borrowing ProjectionStore) throws -> DossierState? {
        try StatisticsKeys.dossier(number).withSpan { key in
            try store.withValue(for: key, in: "dossiers") { DossierRecord(span: $0) }
        }??.state
    }
}

/// A contribution at an instant, as the `moments` table keeps it.
struct Moment {
    var time: Int64
    var position: UInt64
    var sequence: UInt8
    var metric: Metric
    var delta: Int8
    var department: UInt32
    var procedure: UInt32
    var kind = Kind.atEvent

    /// Where a contribution is kept besides the counter rows.
    enum Kind {
        /// In `moments`: at the instant of its event.
        case atEvent
        /// In `overdueStarts`: a due instant passing.
        case overdueStart
        /// Nowhere: it takes back a removed overdue start from the rows.
        case rowsOnly
    }
}

/// What the counters count, in the order of a counter row.
enum Metric: Int, CaseIterable {
    case received, returned, onTime, early, withdrawn, forwardedByPost, returnedByPost
    case verySatisfied, satisfied, dissatisfied
    /// +1 when an open dossier passes its due instant, −1 when it is closed.
    case overdue
}

/// The two ways statistics are broken down.
enum Dimension: UInt8, CaseIterable {
    case department = 0
    case procedure = 1
}

/// Adds one event's contributions to a batch, as moments (``StatisticsProjection/flush(_:into:)``
/// also adds them to the counter rows of their days and months).
private struct ContributionSink {
    let timeZone: LedgerTimeZone
    let position: UInt64
    var sequence: UInt8 = 0

    init(timeZone: LedgerTimeZone, position: UInt64) {
        self.timeZone = timeZone
        self.position = position
    }

    mutating func add(_ metric: Metric, delta: Int8 = 1, at time: Int64, for dossier: DossierRecord, to batch: inout StatisticsProjection.Batch,
                      kind: Moment.Kind = .atEvent) {
        batch.moments.append(Moment(time: time, position: position, sequence: sequence, metric: metric, delta: delta,
                                    department: dossier.department, procedure: dossier.procedure, kind: kind))
        sequence += 1
    }
}

/// What the projection keeps of a dossier.
struct DossierRecord {
    var state = DossierState.new
    var department: UInt32 = 0
    var procedure: UInt32 = 0
    var receivedAt: Int64 = 0
    var due: Int64 = 0
    var decidedAt: Int64?
    var overdueStart: Int64?
    /// The position of the receipt: with ``overdueStart``, the key of the overdue start.
    var receivedPosition: UInt64 = 0

    init() {}

    /// Reads a stored record; `nil` when it is not one.
    init?(span: RawSpan) {
        guard span.byteCount == 1 + 6 * 8 + 2 * 4 else { return nil }
        func load(_ offset: Int) -> Int64 { Int64(littleEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: Int64.self)) }
        func load32(_ offset: Int) -> UInt32 { UInt32(littleEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        state = DossierState(bits: span.unsafeLoadUnaligned(as: UInt8.self), lastAtMilliseconds: load(1))
        receivedAt = load(9)
        due = load(17)
        decidedAt = load(25) == .min ? nil : load(25)
        overdueStart = load(33) == .min ? nil : load(33)
        receivedPosition = UInt64(bitPattern: load(41))
        department = load32(49)
        procedure = load32(53)
    }

    /// The stored form: state bits, then six Int64 and two UInt32, little-endian.
    var stored: StackBytes {
        var bytes = StackBytes()
        bytes.append(state.bits)
        bytes.append(littleEndian: state.lastAtMilliseconds)
        bytes.append(littleEndian: receivedAt)
        bytes.append(littleEndian: due)
        bytes.append(littleEndian: decidedAt ?? .min)
        bytes.append(littleEndian: overdueStart ?? .min)
        bytes.append(littleEndian: receivedPosition)
        bytes.append(littleEndian: department)
        bytes.append(littleEndian: procedure)
        return bytes
    }
}

/// One counter per ``Metric``, without a heap allocation.
struct CounterRow {
    var values = InlineArray<11, Int64>(repeating: 0)

    init() {}

    init(bytes: [UInt8]) {
        self.init(span: bytes.span.bytes)
    }

    init(span: RawSpan) {
        for index in 0..<Swift.min(values.count, span.byteCount / 8) {
            values[index] = Int64(littleEndian: span.unsafeLoadUnaligned(fromByteOffset: index * 8, as: Int64.self))
        }
    }

    /// The stored form: one Int64 per metric, little-endian.
    var stored: StackBytes {
        var bytes = StackBytes()
        for index in values.indices { bytes.append(littleEndian: values[index]) }
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

/// Keys of the statistics tables: big-endian, signed values biased so that byte order is
/// numeric order.
enum StatisticsKeys {
    static func number32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func number32(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count == 4 else { return nil }
        return bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    static func biased(_ value: Int32) -> [UInt8] { number32(UInt32(bitPattern: value) ^ 0x8000_0000) }

    /// The first key of a dimension's rows for a period.
    static func rowStart(_ dimension: Dimension, period: Int32) -> [UInt8] { [dimension.rawValue] + biased(period) }

    /// A dossier's key: its stream number.
    static func dossier(_ number: UInt64) -> StackBytes {
        var key = StackBytes()
        key.append(bigEndian: number)
        return key
    }

    /// A counter row's key: dimension, day or month (biased), code number.
    static func rowKey(_ dimension: Dimension, period: Int32, number: UInt32) -> StackBytes {
        var key = StackBytes()
        key.append(dimension.rawValue)
        key.append(bigEndian: UInt32(bitPattern: period) ^ 0x8000_0000)
        key.append(bigEndian: number)
        return key
    }

    /// The sequence of a receipt's overdue start among its contributions (after `received`).
    static let overdueStartSequence: UInt8 = 1

    /// A moment's key: its instant, then the event's position and the contribution's sequence.
    static func moment(at time: Int64, position: UInt64, sequence: UInt8) -> StackBytes {
        var key = StackBytes()
        key.append(bigEndian: UInt64(bitPattern: time) ^ 0x8000_0000_0000_0000)
        key.append(bigEndian: position)
        key.append(sequence)
        return key
    }

    static func momentStart(at time: Int64) -> [UInt8] {
        withUnsafeBytes(of: (UInt64(bitPattern: time) ^ 0x8000_0000_0000_0000).bigEndian) { Array($0) }
    }

    /// Months since year 0: year × 12 + month − 1.
    static func month(ofDay day: Int32) -> Int32 {
        let civil = CivilDay(daysSinceEpoch: day)
        return Int32(civil.year * 12 + civil.month - 1)
    }
}
