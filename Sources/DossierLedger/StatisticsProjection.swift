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
/// Tables: `dossiers` (stream number → the dossier's lifecycle state and the instants its
/// statistics need), `codes` (department and procedure codes ↔ small numbers), `days`,
/// `months`, `moments`.
public struct StatisticsProjection: Projection {
    /// `statistics`.
    public let name = "statistics"
    /// The version of the fold; stored state of another version is rebuilt.
    public let version: UInt32 = 1
    /// The tables the state lives in.
    public let tables = ["dossiers", "codes", "days", "months", "moments"]
    /// The zone whose calendar days and months the counters use.
    public let timeZone: LedgerTimeZone

    /// Creates the projection for a ledger's time zone.
    public init(timeZone: LedgerTimeZone) { self.timeZone = timeZone }

    /// Folds one event. Events of the ledger's own streams (ids beginning with `$`) and of
    /// types that are not dossier events are skipped.
    public func apply(_ record: borrowing EventRecord, to store: inout ProjectionStore) throws {
        guard record.schemaVersion == DossierCodec.schemaVersion, !record.isType(LedgerSettings.eventType) else { return }
        let position = record.position
        let (at, details) = try record.withPayload { span in
            try span.withUnsafeBytes { try DossierCodec.decodePayload($0, position: position) }
        }
        let key = StatisticsKeys.number(record.streamNumber)
        var dossier = try store.value(for: key, in: "dossiers").flatMap(DossierRecord.init(bytes:)) ?? DossierRecord()
        var sink = ContributionSink(projection: self, position: position)
        let time = at.millisecondsSinceEpoch
        switch details {
        case .received(let department, let procedure, let due, _):
            dossier.department = try intern(department.rawValue, dimension: .department, in: &store)
            dossier.procedure = try intern(procedure.rawValue, dimension: .procedure, in: &store)
            dossier.receivedAt = time
            dossier.due = due.millisecondsSinceEpoch
            try sink.add(.received, at: time, for: dossier, in: &store)
            let start = Swift.max(time, due.millisecondsSinceEpoch &+ 1)
            dossier.overdueStart = start
            try sink.add(.overdue, at: start, for: dossier, in: &store)
        case .forwarded(let via):
            if via == .post { try sink.add(.forwardedByPost, at: time, for: dossier, in: &store) }
        case .decided:
            dossier.decidedAt = time
        case .returnedToCenter(let via):
            if via == .post { try sink.add(.returnedByPost, at: time, for: dossier, in: &store) }
        case .resultReturned:
            try sink.add(.returned, at: time, for: dossier, in: &store)
            if let decided = dossier.decidedAt, decided <= dossier.due {
                try sink.add(.onTime, at: time, for: dossier, in: &store)
                if timeZone.dayNumber(atMilliseconds: decided) < timeZone.dayNumber(atMilliseconds: dossier.due) {
                    try sink.add(.early, at: time, for: dossier, in: &store)
                }
            }
            try close(&dossier, at: time, sink: &sink, store: &store)
        case .rated(let rating, _):
            let metric: Metric = switch rating {
            case .verySatisfied: .verySatisfied
            case .satisfied: .satisfied
            case .dissatisfied: .dissatisfied
            }
            try sink.add(metric, at: time, for: dossier, in: &store)
        case .withdrawn:
            try sink.add(.withdrawn, at: time, for: dossier, in: &store)
            try close(&dossier, at: time, sink: &sink, store: &store)
        }
        dossier.state = dossier.state.applying(DossierEvent(dossier: DossierID(unchecked: "-"), at: at, details: details))
        store.put(dossier.bytes, for: key, in: "dossiers")
    }

    /// Ends a dossier's overdue spell: it stops counting at `time`, or never counted if it was
    /// closed before becoming overdue.
    private func close(_ dossier: inout DossierRecord, at time: Int64, sink: inout ContributionSink, store: inout ProjectionStore) throws {
        guard let start = dossier.overdueStart else { return }
        try sink.add(.overdue, delta: -1, at: Swift.max(start, time), for: dossier, in: &store)
        dossier.overdueStart = nil
    }

    /// The small number of a department or procedure code, assigning the next one to a new code.
    private func intern(_ code: String, dimension: Dimension, in store: inout ProjectionStore) throws -> UInt32 {
        let key = [dimension.rawValue] + Array(code.utf8)
        if let known = try store.value(for: key, in: "codes"), let number = StatisticsKeys.number32(known) { return number }
        let counterKey = [dimension.rawValue | 0x40]
        let next = (try store.value(for: counterKey, in: "codes").flatMap(StatisticsKeys.number32) ?? 0) + 1
        store.put(StatisticsKeys.number32(next), for: counterKey, in: "codes")
        store.put(StatisticsKeys.number32(next), for: key, in: "codes")
        store.put(Array(code.utf8), for: [dimension.rawValue | 0x80] + StatisticsKeys.number32(next), in: "codes")
        return next
    }

    /// The state of a dossier as the projection has it, or `nil` when it has no events.
    func state(ofStream number: UInt64, in store: borrowing ProjectionStore) throws -> DossierState? {
        try store.value(for: StatisticsKeys.number(number), in: "dossiers").flatMap(DossierRecord.init(bytes:))?.state
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

/// Adds contributions to the counter rows and moments.
private struct ContributionSink {
    let projection: StatisticsProjection
    let position: UInt64
    var sequence: UInt8 = 0

    mutating func add(_ metric: Metric, delta: Int32 = 1, at time: Int64, for dossier: DossierRecord, in store: inout ProjectionStore) throws {
        let day = projection.timeZone.dayNumber(atMilliseconds: time)
        let month = StatisticsKeys.month(ofDay: day)
        for (dimension, number) in [(Dimension.department, dossier.department), (.procedure, dossier.procedure)] {
            try bump(metric, delta, key: StatisticsKeys.row(dimension, period: day, number: number), table: "days", in: &store)
            try bump(metric, delta, key: StatisticsKeys.row(dimension, period: month, number: number), table: "months", in: &store)
        }
        var value: [UInt8] = [UInt8(metric.rawValue), UInt8(bitPattern: Int8(delta))]
        value += StatisticsKeys.number32(dossier.department) + StatisticsKeys.number32(dossier.procedure)
        store.put(value, for: StatisticsKeys.moment(at: time, position: position, sequence: sequence), in: "moments")
        sequence += 1
    }

    private func bump(_ metric: Metric, _ delta: Int32, key: [UInt8], table: String, in store: inout ProjectionStore) throws {
        var row = try store.value(for: key, in: table).map(CounterRow.init(bytes:)) ?? CounterRow()
        row.values[metric.rawValue] += Int64(delta)
        store.put(row.bytes, for: key, in: table)
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

    init() {}

    init?(bytes: [UInt8]) {
        guard bytes.count == 1 + 6 * 8 + 2 * 4 else { return nil }
        func load(_ offset: Int) -> Int64 { bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Int64.self)) } }
        func load32(_ offset: Int) -> UInt32 { bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) } }
        state = DossierState(bits: bytes[0], lastAtMilliseconds: load(1))
        receivedAt = load(9)
        due = load(17)
        decidedAt = load(25) == .min ? nil : load(25)
        overdueStart = load(33) == .min ? nil : load(33)
        department = load32(49)
        procedure = load32(53)
    }

    var bytes: [UInt8] {
        var bytes: [UInt8] = [state.bits]
        bytes.reserveCapacity(57)
        for value: Int64 in [state.lastAtMilliseconds, receivedAt, due, decidedAt ?? .min, overdueStart ?? .min, 0] {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        for value in [department, procedure] { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }
}

/// One counter per ``Metric``.
struct CounterRow {
    var values = [Int64](repeating: 0, count: Metric.allCases.count)

    init() {}

    init(bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            for index in 0..<Swift.min(values.count, raw.count / 8) {
                values[index] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
            }
        }
    }

    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    static func += (lhs: inout CounterRow, rhs: CounterRow) {
        for index in lhs.values.indices { lhs.values[index] += rhs.values[index] }
    }
}

/// Keys of the statistics tables: big-endian, signed values biased so that byte order is
/// numeric order.
enum StatisticsKeys {
    static func number(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func number32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func number32(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count == 4 else { return nil }
        return bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    static func biased(_ value: Int32) -> [UInt8] { number32(UInt32(bitPattern: value) ^ 0x8000_0000) }

    /// A counter row's key: dimension, day or month, code number.
    static func row(_ dimension: Dimension, period: Int32, number: UInt32) -> [UInt8] {
        [dimension.rawValue] + biased(period) + number32(number)
    }

    /// The first key of a dimension's rows for a period.
    static func rowStart(_ dimension: Dimension, period: Int32) -> [UInt8] { [dimension.rawValue] + biased(period) }

    static func moment(at time: Int64, position: UInt64, sequence: UInt8) -> [UInt8] {
        number(UInt64(bitPattern: time) ^ 0x8000_0000_0000_0000) + number(position) + [sequence]
    }

    static func momentStart(at time: Int64) -> [UInt8] { number(UInt64(bitPattern: time) ^ 0x8000_0000_0000_0000) }

    /// Months since year 0: year × 12 + month − 1.
    static func month(ofDay day: Int32) -> Int32 {
        let civil = CivilDay(daysSinceEpoch: day)
        return Int32(civil.year * 12 + civil.month - 1)
    }
}
