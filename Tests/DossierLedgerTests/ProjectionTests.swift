import DossierLedger
import EventLedger
import Foundation
import TestSupport
import Testing

@Suite struct ProjectionTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func randomHistoriesKeepTheIdentitiesAndMatchTheDefinitions(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let history = randomHistory(seed: seed, dossiers: 300)
        let verdicts = try submitAll(ledger, history, chunk: 97)
        #expect(verdicts.allSatisfy { if case .accepted = $0 { true } else { false } }, "seed \(seed)")
        for instant in randomInstants(seed: seed, count: 12) {
            let stats = try ledger.statistics(asOf: instant)
            let total = stats.total
            #expect(total.received == total.returned + total.inProgress + total.withdrawn, "seed \(seed) as of \(instant)")
            #expect(total.onTime + total.late == total.returned)
            var sum = StatisticsCounts()
            for row in stats.departments { sum += row.counts }
            #expect(sum == total)
            let oracle = bruteForceStatistics(history.map(\.event), asOf: instant, timeZone: .vietnam)
            #expect(Dictionary(uniqueKeysWithValues: stats.departments.map { ($0.key, $0.counts) }) == oracle, "seed \(seed) as of \(instant)")
        }
    }

    /// With `readAheadEventsMin` 1, every rebuild and every fold `verify` compares with reads
    /// and decodes on a second thread, while appends fold on one: the two must store the same.
    /// With chunks of 97 events, a rebuild applies each chunk while the one before it is
    /// written (the statistics are a ``PipelinedProjection``), and `verify` folds them in turn.
    @Test(arguments: [(1, Limits.foldChunkEventsMax), (Int.max, Limits.foldChunkEventsMax), (1, 97), (Int.max, 97)])
    func incrementalCatchUpAlwaysEqualsARebuildAtRandomCutPoints(readAheadEventsMin: Int, foldChunkEventsMax: Int) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory, readAheadEventsMin: readAheadEventsMin, foldChunkEventsMax: foldChunkEventsMax)
        let history = randomHistory(seed: 11, dossiers: 250)
        var random = SplitMix64(seed: 11)
        var start = 0
        let instants = randomInstants(seed: 11, count: 4)
        while start < history.count {
            let end = min(history.count, start + Int.random(in: 1...300, using: &random))
            try ledger.submit(Array(history[start..<end]))
            start = end
            let incremental = try instants.map { try ledger.statistics(asOf: $0, breakdown: .procedure) }
            // The stored tables themselves, not only the figures, equal a fold in one chunk.
            #expect(try ledger.verify().problem == nil, "after \(end) events")
            try ledger.rebuildStatistics()
            let rebuilt = try instants.map { try ledger.statistics(asOf: $0, breakdown: .procedure) }
            #expect(incremental == rebuilt, "after \(end) events")
            #expect(try ledger.verify().problem == nil, "rebuilt after \(end) events")
        }
    }

    /// Thousands of dossiers received within one day, due at any minute of the next three
    /// weeks, in one batch: their overdue starts fill the ten-minute spans of that stretch,
    /// several to a span and out of order, so the fold places them by span and sorts within
    /// spans. Submitted dossier by dossier, the events themselves are out of time order too.
    /// Every figure as of instants over those weeks (random ones, and around each local day's
    /// start, which in Kathmandu falls inside a ten-minute span) is the definitions' count,
    /// after the submit and after a rebuild.
    @Test(arguments: ["Asia/Ho_Chi_Minh", "Asia/Kathmandu"], [true, false])
    func overdueStartsDenseInTimeAreCountedAtTheirInstants(zone: String, inTimeOrder: Bool) throws {
        let timeZone = try LedgerTimeZone(identifier: zone)
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory, timeZone: timeZone)
        var history = randomHistory(seed: 5, dossiers: 4000, days: 1, anyMillisecond: true)
        if !inTimeOrder { history.sort { $0.event.dossier.rawValue < $1.event.dossier.rawValue } }
        let verdicts = try ledger.submit(history)
        #expect(verdicts.allSatisfy { if case .accepted = $0 { true } else { false } })
        var random = SplitMix64(seed: 5)
        let start: Int64 = 1_546_300_800_000
        var instants = (0..<24).map { _ in start + Int64.random(in: 0...(23 * 86_400_000), using: &random) }
        for day in 0..<23 {
            let cut = timeZone.startOfDay(CivilDay(daysSinceEpoch: timeZone.dayNumber(atMilliseconds: start) + Int32(day)))
            instants += [cut - 1, cut, cut + 1]
        }
        func figures() throws -> [[String: StatisticsCounts]] {
            try instants.map { instant in
                Dictionary(uniqueKeysWithValues: try ledger.statistics(asOf: timeZone.timestamp(atMilliseconds: instant)).departments.map { ($0.key, $0.counts) })
            }
        }
        let oracle = instants.map { bruteForceStatistics(history.map(\.event), asOf: timeZone.timestamp(atMilliseconds: $0), timeZone: timeZone) }
        #expect(oracle.contains { $0.values.contains { $0.inProgressOverdue > 0 } }, "the history has overdue dossiers at some instants")
        #expect(try figures() == oracle)
        try ledger.rebuildStatistics()
        #expect(try figures() == oracle)
        #expect(try ledger.verify().problem == nil)
    }

    @Test func aReadOnlyOpenCatchesALaggingProjectionUpInMemoryWithoutWriting() throws {
        let directory = try TemporaryDirectory()
        let history = randomHistory(seed: 5, dossiers: 120)
        let path = directory.child("ledger")
        let half = history.count / 2
        do {
            let ledger = try makeDossierLedger(directory)
            try ledger.submit(Array(history[..<half]))
            // Appended through the bare event log: the stored statistics do not see these.
            let codec = DossierCodec()
            for item in history[half...] {
                try ledger.ledger.append([ProposedEvent(id: item.id, event: item.event, codec: codec)], to: item.event.dossier.rawValue)
            }
        }
        let instant = time("2019-03-15T12:00:00+07:00")
        let stats: DepartmentStatistics
        let head: UInt64
        do {
            var options = LedgerOptions()
            options.readOnly = true
            let reader = try DossierLedger.open(at: path, options: options)
            head = try reader.ledger.head().position
            #expect(try reader.ledger.checkpoint(of: reader.projection) < head)
            stats = try reader.statistics(asOf: instant)
            #expect(stats.ledger.position == head)
            let oracle = bruteForceStatistics(history.map(\.event), asOf: instant, timeZone: .vietnam)
            #expect(Dictionary(uniqueKeysWithValues: stats.departments.map { ($0.key, $0.counts) }) == oracle)
            #expect(try reader.ledger.checkpoint(of: reader.projection) < head)
        }
        // Opened for writing, the ledger catches up the stored projection.
        var writable = LedgerOptions()
        writable.syncOnCommit = false
        let writer = try DossierLedger.open(at: path, options: writable)
        #expect(try writer.ledger.checkpoint(of: writer.projection) == head)
        #expect(try writer.statistics(asOf: instant).departments == stats.departments)
    }

    /// A read-only open whose stored statistics lag further behind than
    /// `memoryCatchUpEventsMax` folds the log into a scratch file in `temporaryDirectory` rather
    /// than in memory: the same figures, nothing written to the ledger, the scratch file removed.
    /// Within the limit, the temporary directory is not used at all.
    @Test func aReadFarBehindFoldsIntoAScratchFileAndRemovesIt() throws {
        let directory = try TemporaryDirectory()
        let history = randomHistory(seed: 6, dossiers: 120)
        let path = directory.child("ledger")
        do {
            let ledger = try makeDossierLedger(directory)
            // Appended through the bare event log: the stored statistics do not see these.
            let codec = DossierCodec()
            for item in history {
                try ledger.ledger.append([ProposedEvent(id: item.id, event: item.event, codec: codec)], to: item.event.dossier.rawValue)
            }
        }
        let instant = time("2019-03-15T12:00:00+07:00")
        let oracle = bruteForceStatistics(history.map(\.event), asOf: instant, timeZone: .vietnam)
        let scratch = directory.child("scratch"), missing = directory.child("missing")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        func statistics(limit: Int, temporary: String) throws -> (DepartmentStatistics, lagging: Bool) {
            var options = LedgerOptions()
            options.readOnly = true
            options.memoryCatchUpEventsMax = limit
            options.temporaryDirectory = temporary
            let reader = try DossierLedger.open(at: path, options: options)
            let stats = try reader.statistics(asOf: instant)
            return (stats, try reader.ledger.checkpoint(of: reader.projection) < reader.ledger.head().position)
        }
        let lag = history.count
        let (folded, stillLagging) = try statistics(limit: lag - 1, temporary: scratch)
        #expect(Dictionary(uniqueKeysWithValues: folded.departments.map { ($0.key, $0.counts) }) == oracle)
        #expect(stillLagging, "a read-only read writes nothing to the ledger")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "the scratch file is removed")
        // Beyond the limit the scratch file is needed: a directory that does not exist fails the read.
        #expect(throws: LedgerError.self) { try statistics(limit: lag - 1, temporary: missing) }
        // Within it, the fold stays in memory.
        let (inMemory, _) = try statistics(limit: lag, temporary: missing)
        #expect(inMemory.departments == folded.departments && inMemory.total == folded.total)
    }

    /// Dense histories (several events a minute, at any millisecond) asked about instants at
    /// and around the cuts of the stored rows: events, minutes, ten minutes, hours and local
    /// days, in a zone whose days begin on the hour, one whose days begin at :15 past
    /// (UTC+05:45) and one that changes offset within the history (summer time in Paris begins
    /// on 2019-03-31).
    @Test(arguments: [("Asia/Ho_Chi_Minh", Int64(1_546_300_800_000)), ("Asia/Kathmandu", 1_546_300_800_000), ("Europe/Paris", 1_553_904_000_000)])
    func instantsAtTheCutsOfStoredRowsMatchTheDefinitions(zone: String, start: Int64) throws {
        let timeZone = try LedgerTimeZone(identifier: zone)
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory, timeZone: timeZone)
        let history = randomHistory(seed: 21, dossiers: 1500, start: start, days: 2, anyMillisecond: true)
        try submitAll(ledger, history, chunk: 61)
        #expect(try ledger.verify().problem == nil)
        var random = SplitMix64(seed: 21)
        var instants: [Int64] = []
        for _ in 0..<25 {
            let event = history[Int.random(in: 0..<history.count, using: &random)].event.at.millisecondsSinceEpoch
            let minute = event - event % 60_000
            let tenMinutes = event - event % 600_000
            let hour = event - event % 3_600_000
            let day = timeZone.startOfDay(CivilDay(daysSinceEpoch: timeZone.dayNumber(atMilliseconds: event)))
            for cut in [event, minute, minute + 60_000, tenMinutes, tenMinutes + 600_000, hour, hour + 900_000, hour + 3_600_000, day, day + 86_400_000] {
                instants += [cut - 1, cut, cut + 1]
            }
        }
        let events = history.map(\.event)
        for milliseconds in instants {
            let instant = timeZone.timestamp(atMilliseconds: milliseconds)
            let stats = try ledger.statistics(asOf: instant)
            let oracle = bruteForceStatistics(events, asOf: instant, timeZone: timeZone)
            #expect(Dictionary(uniqueKeysWithValues: stats.departments.map { ($0.key, $0.counts) }) == oracle, "\(zone) as of \(instant)")
        }
    }

    @Test func monthlyRowsAddUpToTheTotalsAndCarryTheOpenStock() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        try submitAll(ledger, randomHistory(seed: 9, dossiers: 300))
        let asOf = time("2019-02-20T15:00:00+07:00")
        let stats = try ledger.statistics(asOf: asOf, breakdown: .month)
        let months = try #require(stats.months)
        #expect(months.map(\.key) == ["2019-01", "2019-02"])
        #expect(months.reduce(0) { $0 + $1.counts.received } == stats.total.received)
        #expect(months.reduce(0) { $0 + $1.counts.returned } == stats.total.returned)
        #expect(months.reduce(0) { $0 + $1.counts.ratings.total } == stats.total.ratings.total)
        #expect(months.last?.counts.inProgress == stats.total.inProgress)
        #expect(months.last?.counts.inProgressOverdue == stats.total.inProgressOverdue)
        let january = try ledger.statistics(asOf: time("2019-01-31T23:59:59.999+07:00"))
        #expect(months.first?.counts.inProgress == january.total.inProgress)
        #expect(months.first?.counts.received == january.total.received)

        let procedures = try #require(try ledger.statistics(asOf: asOf, breakdown: .procedure).procedures)
        #expect(procedures.reduce(0) { $0 + $1.counts.received } == stats.total.received)
    }
    /// Department and procedure codes that differ only in Unicode form (`Sở` precomposed and
    /// decomposed) are different codes, as they are different bytes in the log: each gets its
    /// own row, whether the two arrive in one submit or in two, and the stored tables equal a
    /// rebuild's.
    @Test(arguments: [1, 2])
    func codesThatDifferOnlyInUnicodeFormAreCountedApart(submits: Int) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let composed = "S\u{1EDF}", decomposed = "So\u{31B}\u{309}"
        #expect(composed == decomposed, "the premise: Swift equates the two")
        let codes: [DepartmentCode] = [code(composed), code(decomposed)]
        #expect(codes[0] != codes[1] && Set(codes).count == 2)
        let events = [composed, decomposed, composed, decomposed].enumerated().map { index, text in
            let at = Timestamp(millisecondsSinceEpoch: time("2019-01-17T09:00:00+07:00").millisecondsSinceEpoch + Int64(index) * 60_000, utcOffsetSeconds: 7 * 3600)
            let event = DossierEvent(dossier: code("H-\(index)"), at: at, details: .received(
                department: code(text), procedure: code(text), due: time("2019-01-24T16:30:00+07:00"), channel: .counter))
            return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
        }
        if submits == 1 {
            try ledger.submit(events)
        } else {
            try ledger.submit(Array(events[..<1]))
            try ledger.submit(Array(events[1...]))
        }
        let stats = try ledger.statistics(asOf: time("2019-01-17T12:00:00+07:00"), breakdown: .procedure)
        for rows in [stats.departments, try #require(stats.procedures)] {
            #expect(rows.map { Array($0.key.utf8) } == [Array(composed.utf8), Array(decomposed.utf8)].sorted { $0.lexicographicallyPrecedes($1) })
            #expect(rows.map(\.counts.received) == [2, 2])
            // Rows of equal counts whose keys differ only in Unicode form are different rows.
            #expect(rows.count == 2 && rows[0] != rows[1] && Set(rows).count == 2)
        }
        #expect(try ledger.verify().problem == nil)
    }
    /// Code bytes that are not UTF-8 (which `DossierCodec` never writes, but a record appended
    /// with a raw payload can hold) count as the text they decode to, as the `codes` table keys
    /// them: two such byte strings that decode alike are one code with one row, folded in turn
    /// or rebuilt.
    @Test func codeBytesThatAreNotUTF8CountAsTheTextTheyDecodeTo() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let at = time("2019-01-17T09:00:00+07:00"), due = time("2019-01-24T16:30:00+07:00")
        func payload(_ department: [UInt8], minute: Int64) -> [UInt8] {
            var bytes: [UInt8] = [UInt8(DossierEventType.allCases.firstIndex(of: .received) ?? 0)]
            for (milliseconds, offset) in [(at.millisecondsSinceEpoch + minute * 60_000, Int32(7 * 3600)), (due.millisecondsSinceEpoch, Int32(7 * 3600))] {
                withUnsafeBytes(of: milliseconds.littleEndian) { bytes += $0 }
                withUnsafeBytes(of: offset.littleEndian) { bytes += $0 }
            }
            bytes.append(0)  // the first intake channel
            bytes += [UInt8(department.count)] + department + [1, UInt8(ascii: "P")]
            return bytes
        }
        let departments: [[UInt8]] = [[0xFF], [0xFE], [0xFF]]
        for (index, department) in departments.enumerated() {
            try ledger.ledger.append([ProposedEvent(id: "raw-\(index)", type: "received", payload: payload(department, minute: Int64(index)))], to: "H-\(index)")
        }
        let asOf = time("2019-01-17T12:00:00+07:00")
        let folded = try ledger.statistics(asOf: asOf)
        #expect(folded.departments.map(\.key) == ["\u{FFFD}"])
        #expect(folded.departments.map(\.counts.received) == [3])
        _ = try ledger.rebuildStatistics()
        #expect(try ledger.statistics(asOf: asOf) == folded)
    }
    /// A fold that meets a dossier numbered far below the first one it saw (over a million
    /// streams apart, past the window its table keeps in an array) still folds it right: the
    /// stored state equals a rebuild's, and the figures match the definitions.
    @Test func aFoldThatReachesBackOverAMillionStreamsCountsTheOldDossier() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        func event(_ dossier: String, minute: Int, _ details: DossierEvent.Details) -> InterchangeEvent {
            let at = Timestamp(millisecondsSinceEpoch: time("2019-01-17T09:00:00+07:00").millisecondsSinceEpoch + Int64(minute) * 60_000, utcOffsetSeconds: 7 * 3600)
            let event = DossierEvent(dossier: code(dossier), at: at, details: details)
            return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
        }
        let received = DossierEvent.Details.received(department: code("STP"), procedure: code("1.000001"), due: time("2019-01-24T16:30:00+07:00"), channel: .counter)
        let old = event("OLD", minute: 0, received)
        #expect(try ledger.submit([old]) == [.accepted(position: 2)])
        // Over a million streams of events the statistics do not read, in between.
        let notes = 1_100_000
        for start in stride(from: 0, to: notes, by: 100_000) {
            try ledger.ledger.append((start..<min(notes, start + 100_000)).map { index in
                StreamAppend(stream: "note-\(index)", events: [ProposedEvent(id: "note-\(index)", type: "note", schemaVersion: 99, payload: [1])])
            })
        }
        // One submit: a new dossier first (numbered after every note), then the old one.
        let later = [event("NEW", minute: 1, received), event("OLD", minute: 2, .decided(outcome: .approved)), event("OLD", minute: 3, .resultReturned)]
        let verdicts = try ledger.submit(later)
        #expect(verdicts.allSatisfy { if case .accepted = $0 { true } else { false } }, "\(verdicts)")
        let instant = time("2019-01-17T12:00:00+07:00")
        let stats = try ledger.statistics(asOf: instant)
        #expect(stats.total.received == 2 && stats.total.returned == 1 && stats.total.onTime == 1 && stats.total.inProgress == 1)
        let oracle = bruteForceStatistics(([old] + later).map(\.event), asOf: instant, timeZone: .vietnam)
        #expect(Dictionary(uniqueKeysWithValues: stats.departments.map { ($0.key, $0.counts) }) == oracle)
        // (The notes are not dossier events, so `verify` would refuse the log; the statistics alone.)
        let problem = try ledger.ledger.compareWithRebuild(ledger.projection)
        #expect(problem == nil, "\(String(describing: problem))")
    }
}
