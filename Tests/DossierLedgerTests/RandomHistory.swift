import DossierLedger
import EventLedger

/// A random valid history: dossiers received over two months with random lifecycles (some
/// withdrawn, some late, some still open), every time after the one before, events in time
/// order. The same seed gives the same history. With `days`, receipts are spread over that
/// many days from `start` instead; with `anyMillisecond`, events fall at any millisecond rather
/// than on the minute (one in eight exactly on an hour).
func randomHistory(seed: UInt64, dossiers: Int, start base: Int64 = 1_546_300_800_000 /* 2019-01-01T00:00:00Z */,
                   days: Int64 = 60, anyMillisecond: Bool = false) -> [InterchangeEvent] {
    var random = SplitMix64(seed: seed)
    let minute: Int64 = 60_000
    var events: [(Int64, String, Int, DossierEvent)] = []
    for index in 0..<dossiers {
        let dossier: DossierID = code("D-\(seed)-\(index)")
        var at = base + Int64.random(in: 0...(days * 24 * 60), using: &random) * minute
            + (anyMillisecond ? Int64.random(in: 0..<minute, using: &random) : 0)
        var stage = 0
        func add(_ details: DossierEvent.Details) {
            stage += 1
            let offset = Int32([7 * 3600, 0, -5 * 3600][Int.random(in: 0..<3, using: &random)])
            events.append((at, dossier.rawValue, stage, DossierEvent(dossier: dossier, at: Timestamp(millisecondsSinceEpoch: at, utcOffsetSeconds: offset), details: details)))
        }
        func later() {
            at += Int64.random(in: 1...(5 * 24 * 60), using: &random) * minute + (anyMillisecond ? Int64.random(in: 0..<minute, using: &random) : 0)
            // Some on the hour exactly, where stored rows are cut.
            if anyMillisecond, Int.random(in: 0..<8, using: &random) == 0 { at = (at / 3_600_000 + 1) * 3_600_000 }
        }
        let due = Timestamp(millisecondsSinceEpoch: at + Int64.random(in: 60...(20 * 24 * 60), using: &random) * minute, utcOffsetSeconds: 7 * 3600)
        let department: DepartmentCode = code(["A", "B", "C", "D"][Int.random(in: 0..<4, using: &random)])
        let procedure: ProcedureCode = code("P\(Int.random(in: 0..<10, using: &random))")
        add(.received(department: department, procedure: procedure, due: due, channel: IntakeChannel.allCases.randomElement(using: &random) ?? .counter))
        let roll = Int.random(in: 0..<10, using: &random)
        if roll == 0 { later(); add(.withdrawn); continue }
        if roll == 1 { continue }
        let forwarded = Bool.random(using: &random)
        if forwarded { later(); add(.forwarded(via: TransferMedium.allCases.randomElement(using: &random) ?? .post)) }
        if roll == 2 { later(); add(.withdrawn); continue }
        later()
        add(.decided(outcome: Bool.random(using: &random) ? .approved : .rejected))
        if forwarded { later(); add(.returnedToCenter(via: TransferMedium.allCases.randomElement(using: &random) ?? .post)) }
        if roll == 3 { continue }
        later()
        add(.resultReturned)
        if Bool.random(using: &random) { later(); add(.rated(rating: RatingLevel.allCases.randomElement(using: &random) ?? .satisfied, official: nil)) }
    }
    events.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
    return events.map { InterchangeEvent(id: Interchange.derivedID(for: $0.3), event: $0.3) }
}

/// Instants spread over the history's span, some at day ends, some inside days.
func randomInstants(seed: UInt64, count: Int) -> [Timestamp] {
    var random = SplitMix64(seed: seed &+ 1)
    return (0..<count).map { _ in
        let ms = 1_546_300_800_000 + Int64.random(in: -86_400_000...(80 * 86_400_000), using: &random)
        return Timestamp(millisecondsSinceEpoch: ms, utcOffsetSeconds: 7 * 3600)
    } + [time("2019-01-31T23:59:59.999+07:00"), time("2019-02-15T23:59:59+07:00")]
}
