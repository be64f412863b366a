public import EventLedger

/// The projection behind ``DepartmentStatistics`` and the lifecycle checks.
///
/// Each statistic is a sum of +1/−1 contributions at instants (a receipt at its time, an
/// on-time return at the return's time, the start and end of a dossier's overdue spell…).
/// The projection adds every contribution, per department and per procedure, to a counter row
/// of its month, of its local day and of its hour (per department also of its ten minutes),
/// and keeps it as a "moment" at its instant. The statistics as of any instant T are then the
/// sum of the month rows before T's month, the day rows of T's month before T's day, and T's
/// day: its day row when T is the day's last millisecond, else the rows of the hours and ten
/// minutes of that day that end before T and the moments of the rest up to T. No query folds
/// the log: its cost depends on the number of months and codes and on the moments of at most
/// ten minutes (an hour for procedures), not on the number of events.
///
/// Moments at an event's own instant are kept in `minutes`, one value per minute holding its
/// moments (see ``MinuteBlock``), which a log in time order fills at its end; the start of an
/// overdue spell, at a due instant still to come, in `overdueStarts`, one value per due
/// minute and stretch of receipts (see ``OverdueStartBlock``). A
/// dossier closed before it became overdue never counted as overdue: its start is removed
/// rather than cancelled by a −1, and a counter row whose counters are all zero is not kept,
/// so the stored state is the same however the log was folded (in one chunk or many).
///
/// Tables: `dossiers` (stream number ÷ 16 → the lifecycle state and the instants their
/// statistics need of sixteen dossiers, see ``DossierGroup``), `codes` (department and
/// procedure codes ↔ small numbers), the counter
/// rows `departmentMonths`, `departmentDays`, `departmentHours`, `departmentTenMinutes`,
/// `procedureMonths`, `procedureDays` and `procedureHours` (each keyed by period, the rows of
/// every code of a period in one value, see ``PeriodRows``, so that a log in time order fills
/// them at their ends), `minutes` and `overdueStarts`.
public struct StatisticsProjection: PipelinedProjection {
    /// `statistics`.
    public let name = "statistics"
    /// The version of the fold; stored state of another version is rebuilt. (Version 9 keeps
    /// the overdue starts of a minute and a stretch of receipts in one value of `overdueStarts`
    /// (``OverdueStartBlock``), where version 8 kept an entry per start; version 8 keeps
    /// sixteen dossiers per value of `dossiers`, where version 7 kept one; version 7 keeps
    /// a minute's moments of the same millisecond in the order of the log, where version 6
    /// sorted them by their bytes; version 6 keeps a period's counter rows in one value, where
    /// version 5 kept a row per code; version 5 tells codes apart byte for byte, where version 4
    /// could give codes in two Unicode forms one number.)
    public let version: UInt32 = 9
    /// The tables the state lives in.
    public let tables = ["dossiers", "codes", "minutes", "overdueStarts"] + Dimension.allCases.flatMap { dimension in dimension.periods.map(dimension.rows) }
    /// The zone whose calendar days and months the counters use.
    public let timeZone: LedgerTimeZone
    /// The codes met in decoding, which decoded events refer to by index.
    let codeBook = CodeBook()

    /// Creates the projection for a ledger's time zone.
    public init(timeZone: LedgerTimeZone) { self.timeZone = timeZone }

    /// A fold in progress: touched dossiers, counter deltas and moments, in typed memory, written
    /// to the tables once per chunk by ``flush(_:into:)``.
    public struct Batch: Sendable {
        var dossiers = DossierTable()
        /// The dossiers of the batch before this one, when that is being flushed while this one
        /// is applied (``makeBatch(after:)``): newer than what the store has of them.
        var previous: DossierTable?
        /// The contributions at events' instants, in the order of the log.
        var moments: [Moment] = []
        /// Overdue starts (at due instants) and the taking back of stored ones.
        var starts: [OverdueStart] = []
        /// Code numbers by index in the projection's ``CodeBook``, per dimension (by its raw
        /// value); 0 where not yet looked up.
        var codes = [[UInt32]](repeating: [], count: Dimension.allCases.count)
        var nextCode: [Dimension: UInt32] = [:]
        var newCodes: [(dimension: Dimension, code: String, number: UInt32)] = []
        /// The greatest group number with stored dossier records (0 also when none; `.max`:
        /// the store cannot tell), once the batch has asked.
        var lastStoredGroup: UInt64?
        /// Whether the moments and starts are in order (``orderMoments(_:)``)
        /// and nothing was applied since.
        var ordered = false
    }

    /// An empty batch.
    public func makeBatch() -> Batch {
        var batch = Batch()
        batch.moments.reserveCapacity(4096)
        return batch
    }

    /// An empty batch that continues `previous`: it finds the dossiers `previous` touched, and
    /// the codes it numbered, in `previous` rather than in the store. It keeps its dossiers,
    /// moments and starts in the memory of `spare`, when given.
    public func makeBatch(after previous: Batch, reusing spare: consuming Batch?) -> Batch {
        var batch = makeBatch()
        if var spare = spare.take() {
            spare.dossiers.removeAll()
            spare.moments.removeAll(keepingCapacity: true)
            spare.starts.removeAll(keepingCapacity: true)
            (batch.dossiers, batch.moments, batch.starts) = (spare.dossiers, spare.moments, spare.starts)
        }
        // A chunk is usually like the one before it: memory too small for that is taken at
        // once, with a quarter more to spare, rather than grown by copying.
        func room(_ count: Int, _ capacity: Int) -> Int { capacity >= count ? capacity : count + count / 4 }
        batch.dossiers.reserveCapacity(room(previous.dossiers.entries.count, batch.dossiers.entries.capacity))
        batch.moments.reserveCapacity(room(previous.moments.count, batch.moments.capacity))
        batch.starts.reserveCapacity(room(previous.starts.count, batch.starts.capacity))
        batch.previous = previous.dossiers
        batch.codes = previous.codes
        batch.nextCode = previous.nextCode
        return batch
    }

    /// Drops the dossiers of the batch before, which only applying needed: they are stored
    /// by the time this batch is flushed. Puts the moments and starts in time order here, on
    /// the thread that applied them, rather than in the flush, which a pipeline's other
    /// thread runs while this one applies the next chunk.
    public func finishApplying(_ batch: inout Batch) {
        batch.previous = nil
        Self.orderMoments(&batch)
    }

    /// Sorts the batch's moments and starts by time, leaving out the starts taken back in the
    /// same batch: the rows and minutes of a log in time order then
    /// grow at their tables' ends, and the blocks of starts are rewritten through a cursor that
    /// moves forward. The log is usually in time order already, and then so are its moments.
    /// The order is stable (`sortByTime()`): moments of the same instant stay in the
    /// order of the log, as the minutes table keeps them.
    private static func orderMoments(_ batch: inout Batch) {
        guard !batch.ordered else { return }
        batch.moments.sortByTime()
        batch.starts.removeAll { $0.delta == 0 }
        batch.starts.sortByTime()
        batch.ordered = true
    }

    /// What the fold needs of a dossier event: plain values, copied without reference counting.
    public struct Decoded: Sendable {
        /// The event's position in the log.
        public var position: UInt64
        /// The number of its dossier's stream.
        public var streamNumber: UInt64
        /// When it happened, in milliseconds since 1970.
        var time: Int64
        /// A receipt's appointment for the result, in milliseconds since 1970.
        var due: Int64 = 0
        /// A receipt's department code, as its index in the projection's ``CodeBook``.
        var department: UInt32 = 0
        /// A receipt's procedure code, as its index in the projection's ``CodeBook``.
        var procedure: UInt32 = 0
        /// What happened.
        var type: DossierEventType
        /// Whether a forwarding or a return to the center went by post.
        var byPost = false
        /// A rating's level.
        var rating = RatingLevel.satisfied
    }

    /// Decodes a dossier event into `events`; skips the ledger's settings and records of
    /// another schema.
    public func decode(_ record: borrowing EventRecord, into events: inout [Decoded]) throws {
        guard record.schemaVersion == DossierCodec.schemaVersion, !record.isType(LedgerSettings.eventType) else { return }
        let (position, streamNumber) = (record.position, record.streamNumber)
        try record.withPayload { span in
            try span.withUnsafeBytes { bytes in
                let fields = try PayloadFields(bytes, position: position)
                var event = Decoded(position: position, streamNumber: streamNumber, time: fields.at.millisecondsSinceEpoch, type: fields.type)
                switch fields.type {
                case .received:
                    event.due = fields.due.millisecondsSinceEpoch
                    (event.department, event.procedure) = codeBook.indices(department: fields.department, procedure: fields.procedure)
                case .forwarded, .returnedToCenter: event.byPost = fields.medium == .post
                case .rated: event.rating = fields.rating
                case .decided, .resultReturned, .withdrawn: break
                }
                // Appended here rather than returned: the value is not copied out through the closures.
                events.append(event)
            }
        }
    }

    /// Folds dossier events into the batch, in log order.
    public func apply(_ events: [Decoded], to batch: inout Batch, store: borrowing ProjectionStore) throws {
        batch.ordered = false
        // In groups: the entries of a group's dossiers are asked for at once, then applied.
        var group = events.startIndex
        while group < events.endIndex {
            let end = Swift.min(group + Self.prefetchGroup, events.endIndex)
            for index in group..<end where !batch.dossiers.prefetch(events[index].streamNumber) {
                batch.previous?.prefetch(events[index].streamNumber)
            }
            for index in group..<end { try apply(events[index], to: &batch, store: store) }
            group = end
        }
    }

    /// How many events' dossiers ``apply(_:to:store:)`` asks the processor to load ahead.
    /// (Rebuilding 10 M events, alternating the two: 6.39 s of CPU at 16 against 6.59 s at 64;
    /// 8, 32, 256 and 1,024 did no better than 16.)
    private static let prefetchGroup = 16

    private func apply(_ event: Decoded, to batch: inout Batch, store: borrowing ProjectionStore) throws {
        let (position, time) = (event.position, event.time)
        let number = event.streamNumber
        let touched = batch.dossiers.index(of: number)
        var entry: DossierTable.Entry
        if let touched {
            entry = batch.dossiers.entries[touched]
        } else if let previous = batch.previous, let index = previous.index(of: number) {
            // Its overdue start, if any, is the previous batch's, stored by its flush.
            entry = DossierTable.Entry(record: previous.entries[index].record, start: nil)
        } else {
            if batch.lastStoredGroup == nil {
                batch.lastStoredGroup = try store.lastKey(in: "dossiers").map { key in key.isEmpty ? 0 : DossierGroup.number(ofKey: key) ?? .max } ?? .max
            }
            // A dossier whose group comes after every stored one (new in this batch) has no record yet.
            let group = DossierGroup.number(ofDossier: number)
            let stored = group > batch.lastStoredGroup ?? .max ? nil : try DossierGroup.key(group).withSpan { key in
                try store.withValue(for: key, in: "dossiers") { DossierGroup.record(ofDossier: number, in: $0) }
            }
            entry = DossierTable.Entry(record: (stored ?? nil) ?? DossierRecord(), start: nil)
        }
        var dossier = entry.record
        switch event.type {
        case .received:
            dossier.department = try intern(event.department, .department, &batch, store)
            dossier.procedure = try intern(event.procedure, .procedure, &batch, store)
            dossier.receivedAt = time
            dossier.receivedPosition = position
            dossier.due = event.due
            batch.add(.received, at: time, for: dossier)
            let start = Swift.max(time, event.due &+ 1)
            dossier.overdueStart = start
            entry.start = batch.starts.count
            batch.starts.append(OverdueStart(at: start, of: dossier, delta: 1, isStored: true))
        case .forwarded:
            if event.byPost { batch.add(.forwardedByPost, at: time, for: dossier) }
        case .decided:
            dossier.decidedAt = time
        case .returnedToCenter:
            if event.byPost { batch.add(.returnedByPost, at: time, for: dossier) }
        case .resultReturned:
            batch.add(.returned, at: time, for: dossier)
            if let decided = dossier.decidedAt, decided <= dossier.due {
                batch.add(.onTime, at: time, for: dossier)
                if timeZone.dayNumber(atMilliseconds: decided) < timeZone.dayNumber(atMilliseconds: dossier.due) {
                    batch.add(.early, at: time, for: dossier)
                }
            }
            close(&dossier, start: &entry.start, at: time, batch: &batch)
        case .rated:
            let metric: Metric = switch event.rating {
            case .verySatisfied: .verySatisfied
            case .satisfied: .satisfied
            case .dissatisfied: .dissatisfied
            }
            batch.add(metric, at: time, for: dossier)
        case .withdrawn:
            batch.add(.withdrawn, at: time, for: dossier)
            close(&dossier, start: &entry.start, at: time, batch: &batch)
        }
        dossier.state = dossier.state.applying(type: event.type, atMilliseconds: time)
        entry.record = dossier
        if let touched {
            batch.dossiers.entries[touched] = entry
        } else {
            batch.dossiers.add(entry, for: number)
        }
    }

    /// Writes the batch: each touched dossier group, each counter row plus its delta, each
    /// touched minute, each touched block of overdue starts, each new code. The rows of a batch
    /// of at least ``rowsOnSecondThreadMomentsMin`` moments are totalled on a second thread
    /// while the rest is written.
    public func flush(_ batch: inout Batch, into store: inout ProjectionStore) throws {
        Self.orderMoments(&batch)
        let (moments, starts, timeZone) = (batch.moments, batch.starts, timeZone)
        let rows = moments.count >= Self.rowsOnSecondThreadMomentsMin ? Background { RowDeltas(moments: moments, starts: starts, timeZone: timeZone) } : nil
        // The thread is done before the flush returns, also when a write fails.
        defer { _ = rows?.value }
        try storeDossiers(of: batch, in: store.table("dossiers"), into: &store)
        for entry in batch.newCodes {
            let number = StatisticsKeys.number32(entry.number)
            try store.put(number, for: [entry.dimension.rawValue] + Array(entry.code.utf8), in: "codes")
            try store.put(Array(entry.code.utf8), for: [entry.dimension.rawValue | 0x80] + number, in: "codes")
        }
        for (dimension, next) in batch.nextCode {
            try store.put(StatisticsKeys.number32(next), for: [dimension.rawValue | 0x40], in: "codes")
        }
        try storeOverdueStarts(of: batch, into: &store)
        try addMinutes(of: batch.moments, into: &store)
        try (rows?.value ?? RowDeltas(moments: moments, starts: starts, timeZone: timeZone)).add(into: &store)
    }

    /// The fewest moments a flush totals its counter rows for on a second thread. Totalling
    /// takes about 45 ns a moment (half a millisecond for 10,000), handing it to a thread some
    /// tens of microseconds; an append's few moments are totalled in turn. (In a rebuild of
    /// 10 M events, totalling took about a fifth of each 2 M-event chunk's flush; on a second
    /// thread, the rebuild took 2.82 s instead of 2.90 s, alternating the two ten times.)
    static let rowsOnSecondThreadMomentsMin = 10_000

    /// Writes the records of the dossiers the batch touched, a group of sixteen per value
    /// (``DossierGroup``), in key order through one cursor: consecutive writes land on the same
    /// pages of the table, groups after every stored one (of dossiers new in this batch) go at
    /// its end without a search, and others are merged with the stored group, read and
    /// rewritten with one search.
    private func storeDossiers(of batch: Batch, in table: ProjectionTable, into store: inout ProjectionStore) throws {
        let last = try store.lastKey(in: table)
        var group = DossierGroup()
        let order = batch.dossiers.inNumberOrder()
        var next = order.startIndex
        try store.inKeyOrder(in: table) { read, put, _ in
            while next < order.endIndex {
                let number = DossierGroup.number(ofDossier: order[next].number)
                try DossierGroup.key(number).withSpan { key in
                    let atEnd = last.map { last in key.withUnsafeBytes { last.lexicographicallyPrecedes($0) } } ?? false
                    group.clear()
                    if !atEnd { try read(key) { group.load($0) } }
                    while next < order.endIndex, DossierGroup.number(ofDossier: order[next].number) == number {
                        group.set(batch.dossiers.entries[order[next].index].record, ofDossier: order[next].number)
                        next += 1
                    }
                    try put(group.bytes.span.bytes, key, atEnd)
                }
            }
        }
    }

    /// Takes back the stored overdue starts of the dossiers the batch closed before they became
    /// overdue, and adds the batch's new starts: each block with either (``OverdueStartBlock``,
    /// a minute's starts of one stretch of receipts) is read and rewritten once, in key order
    /// through one cursor.
    private func storeOverdueStarts(of batch: Batch, into store: inout ProjectionStore) throws {
        typealias Entry = OverdueStartBlock.Entry
        let starts = batch.starts
        var next = 0
        try store.inKeyOrder(in: store.table("overdueStarts")) { read, put, remove in
            while next < starts.count {
                let minute = MinuteBlock.minute(of: starts[next].time)
                let minuteStart = minute * MinuteBlock.millisecondsPerMinute
                func inMinute(_ time: Int64) -> Bool { UInt64(bitPattern: time &- minuteStart) < MinuteBlock.millisecondsPerMinute }
                // The minute's starts to add and to take back, by stretch of receipts, then in stored order.
                var (added, gone) = ([Entry](), [Entry]())
                while next < starts.count, inMinute(starts[next].time) {
                    let start = starts[next]
                    let entry = OverdueStartBlock.entry(at: start.time, minute: minute, position: start.position,
                                                        department: start.department, procedure: start.procedure)
                    if start.isStored { added.append(entry) } else { gone.append(entry) }
                    next += 1
                }
                func inBlockOrder(_ a: Entry, _ b: Entry) -> Bool { (OverdueStartBlock.stretch(of: a.position), a) < (OverdueStartBlock.stretch(of: b.position), b) }
                added.sort(by: inBlockOrder)
                gone.sort(by: inBlockOrder)
                var (add, take) = (added.startIndex, gone.startIndex)
                while add < added.endIndex || take < gone.endIndex {
                    let stretch = Swift.min(add < added.endIndex ? OverdueStartBlock.stretch(of: added[add].position) : .max,
                                            take < gone.endIndex ? OverdueStartBlock.stretch(of: gone[take].position) : .max)
                    let (addEnd, takeEnd) = (added[add...].firstIndex { OverdueStartBlock.stretch(of: $0.position) != stretch } ?? added.endIndex,
                                             gone[take...].firstIndex { OverdueStartBlock.stretch(of: $0.position) != stretch } ?? gone.endIndex)
                    try OverdueStartBlock.key(minute: minute, stretch: stretch).withSpan { key in
                        var stored = OverdueStartBlock()
                        try read(key) { stored = OverdueStartBlock(span: $0) }
                        let block = stored.replacing(gone[take..<takeEnd], with: added[add..<addEnd])
                        if !block.entries.isEmpty {
                            try put(block.bytes.span.bytes, key, false)
                        } else if !stored.entries.isEmpty {
                            try remove(key)
                        }
                    }
                    (add, take) = (addEnd, takeEnd)
                }
            }
        }
    }

    /// Adds the moments at events' instants, sorted by time, to the blocks of their minutes.
    /// Minutes after the last stored one (all of them, for a log in time order) go at the
    /// table's end without a search; others are merged with the stored block.
    private func addMinutes(of moments: [Moment], into store: inout ProjectionStore) throws {
        let minutes = store.table("minutes")
        let last = try store.lastKey(in: minutes)
        let moments = moments.span
        var first = 0
        while first < moments.count {
            let minute = MinuteBlock.minute(of: moments[first].time)
            let minuteStart = minute * MinuteBlock.millisecondsPerMinute
            var end = first + 1
            while end < moments.count, UInt64(bitPattern: moments[end].time &- minuteStart) < MinuteBlock.millisecondsPerMinute { end += 1 }
            let block = moments.extracting(first..<end)
            try MinuteBlock.key(minute).withSpan { key in
                let atEnd = last.map { known in key.withUnsafeBytes { known.lexicographicallyPrecedes($0) } } ?? false
                if !atEnd, let stored = try store.withValue(for: key, in: minutes, { MinuteBlock(span: $0) }) {
                    var merged = MinuteBlock(block, minute: minute)
                    merged.merge(after: stored)
                    try store.put(merged.bytes.span.bytes, for: key, in: minutes)
                } else {
                    try store.put(MinuteBlock.bytes(of: block, minute: minute).span.bytes, for: key, in: minutes, atEnd: atEnd)
                }
            }
            first = end
        }
    }

    /// Ends a dossier's overdue spell: it stops counting at `time`, or never counted if it was
    /// closed before becoming overdue, in which case its start is taken back: dropped from the
    /// batch, or removed from the table with a −1 to the rows that counted it.
    private func close(_ dossier: inout DossierRecord, start added: inout Int?, at time: Int64, batch: inout Batch) {
        guard let start = dossier.overdueStart else { return }
        dossier.overdueStart = nil
        if time >= start {
            batch.add(.overdue, delta: -1, at: time, for: dossier)
        } else if let index = added {
            added = nil
            batch.starts[index].delta = 0
        } else {
            batch.starts.append(OverdueStart(at: start, of: dossier, delta: -1, isStored: false))
        }
    }

    /// The small number of a department or procedure code, given by its index in the
    /// ``CodeBook``, assigning the next number to a code the store does not have.
    private func intern(_ index: UInt32, _ dimension: Dimension, _ batch: inout Batch, _ store: borrowing ProjectionStore) throws -> UInt32 {
        let (list, slot) = (Int(dimension.rawValue), Int(index))
        if slot < batch.codes[list].count, batch.codes[list][slot] != 0 { return batch.codes[list][slot] }
        let code = codeBook.code(at: index, in: dimension)
        let number: UInt32
        if let stored = try store.value(for: [dimension.rawValue] + Array(code.utf8), in: "codes").flatMap(StatisticsKeys.number32) {
            number = stored
        } else {
            let last: UInt32
            if let next = batch.nextCode[dimension] {
                last = next
            } else {
                last = try store.value(for: [dimension.rawValue | 0x40], in: "codes").flatMap(StatisticsKeys.number32) ?? 0
            }
            number = last + 1
            batch.nextCode[dimension] = number
            batch.newCodes.append((dimension, code, number))
        }
        if slot >= batch.codes[list].count { batch.codes[list] += repeatElement(0, count: slot + 1 - batch.codes[list].count) }
        batch.codes[list][slot] = number
        return number
    }

    /// The state of a dossier as the projection has it, or `nil` when it has no events.
    func state(ofStream number: UInt64, in store: borrowing ProjectionStore) throws -> DossierState? {
        try DossierGroup.key(DossierGroup.number(ofDossier: number)).withSpan { key in
            try store.withValue(for: key, in: "dossiers") { DossierGroup.record(ofDossier: number, in: $0) }
        }??.state
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

    /// The periods this dimension keeps counter rows for. Ten-minute rows are kept per
    /// department only: departments are few, and their figures are the ones published, while
    /// a procedure's breakdown inside a day adds up to an hour of moments instead.
    var periods: [Period] {
        switch self {
        case .department: [.month, .day, .hour, .tenMinutes]
        case .procedure: [.month, .day, .hour]
        }
    }

    /// The table of this dimension's counter rows per `period`, for example `departmentDays`.
    func rows(_ period: Period) -> String {
        let dimension = switch self {
        case .department: "department"
        case .procedure: "procedure"
        }
        let periods = switch period {
        case .month: "Months"
        case .day: "Days"
        case .hour: "Hours"
        case .tenMinutes: "TenMinutes"
        }
        return dimension + periods
    }
}

/// The periods counter rows are kept for: local months and days, and hours and ten-minute
/// spans of UTC (in a zone whose offset is not whole hours, a local day begins and ends inside
/// an hour; every zone's offset since 1970 is a whole number of minutes).
enum Period {
    case month, day, hour, tenMinutes

    /// The length of a UTC-aligned period; `nil` for local months and days.
    var milliseconds: Int64? {
        switch self {
        case .month, .day: nil
        case .hour: 3_600_000
        case .tenMinutes: 600_000
        }
    }
}

/// What the projection keeps of a dossier.
///
/// Laid out in 57 bytes, so that a ``DossierTable/Entry`` fits one 64-byte cache line: optional
/// instants are kept as `Int64.min` for none, as in the stored form, and the state comes last.
struct DossierRecord {
    var receivedAt: Int64 = 0
    var due: Int64 = 0
    private var decidedAtOrMin: Int64 = .min
    private var overdueStartOrMin: Int64 = .min
    /// The position of the receipt: with ``overdueStart``, the key of the overdue start.
    var receivedPosition: UInt64 = 0
    var department: UInt32 = 0
    var procedure: UInt32 = 0
    var state = DossierState.new

    /// When the department decided, in milliseconds since 1970.
    var decidedAt: Int64? {
        get { decidedAtOrMin == .min ? nil : decidedAtOrMin }
        set { decidedAtOrMin = newValue ?? .min }
    }
    /// When the dossier becomes overdue while open, in milliseconds since 1970; `nil` once closed.
    var overdueStart: Int64? {
        get { overdueStartOrMin == .min ? nil : overdueStartOrMin }
        set { overdueStartOrMin = newValue ?? .min }
    }

    /// The bytes of the stored form.
    static let byteCount = 1 + 6 * 8 + 2 * 4

    init() {}

    /// Reads a stored record; `nil` when it is not one.
    init?(span: RawSpan) {
        guard span.byteCount == Self.byteCount else { return nil }
        func load(_ offset: Int) -> Int64 { Int64(littleEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: Int64.self)) }
        func load32(_ offset: Int) -> UInt32 { UInt32(littleEndian: span.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        state = DossierState(bits: span.unsafeLoadUnaligned(as: UInt8.self), lastAtMilliseconds: load(1))
        receivedAt = load(9)
        due = load(17)
        decidedAtOrMin = load(25)
        overdueStartOrMin = load(33)
        receivedPosition = UInt64(bitPattern: load(41))
        department = load32(49)
        procedure = load32(53)
    }

    /// The stored form: state bits, then six Int64 and two UInt32, little-endian.
    var stored: StackBytes<57> {
        var bytes = StackBytes<57>()
        bytes.append(state.bits)
        bytes.append(littleEndian: state.lastAtMilliseconds)
        bytes.append(littleEndian: receivedAt)
        bytes.append(littleEndian: due)
        bytes.append(littleEndian: decidedAtOrMin)
        bytes.append(littleEndian: overdueStartOrMin)
        bytes.append(littleEndian: receivedPosition)
        bytes.append(littleEndian: department)
        bytes.append(littleEndian: procedure)
        return bytes
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

    /// The key of a period's rows (a day or month number, or an hour), in an array: a bound
    /// of a query's range.
    static func rowStart(period: Int32) -> [UInt8] { self.period(period).array }

    /// The key of a period's counter rows (``PeriodRows``): the period, biased.
    static func period(_ period: Int32) -> StackBytes<4> {
        var key = StackBytes<4>()
        key.append(bigEndian: UInt32(bitPattern: period) ^ 0x8000_0000)
        return key
    }

    /// The number of the UTC-aligned period of `length` milliseconds that holds `time`:
    /// periods since 1970.
    static func period(of time: Int64, length: Int64) -> Int32 {
        Int32(floorDivide(time, by: length))
    }

    /// `time / length` rounded down, also for times before 1970 (Swift's `/` rounds towards zero).
    static func floorDivide(_ time: Int64, by length: Int64) -> Int64 {
        time >= 0 ? time / length : (time - length + 1) / length
    }

    /// Months since year 0: year × 12 + month − 1.
    static func month(ofDay day: Int32) -> Int32 {
        let civil = CivilDay(daysSinceEpoch: day)
        return Int32(civil.year * 12 + civil.month - 1)
    }
}
