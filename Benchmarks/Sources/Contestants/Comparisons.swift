import DossierLedger
import EventLedger
import Foundation

/// The comparisons: each runs every contestant on the same events in the same run, records
/// the measurements with their ratios, and returns them.
public enum Comparisons {
    static let ledger = "ledger", raw = "raw LMDB", sqlite = "SQLite (GRDB)", python = "CPython json"

    /// Durable batched append, 1,000 events per transaction: the ledger with its chain hash and
    /// every index; raw LMDB with the same record bytes; the SQLite store with its indexes.
    public static func append(_ workload: Workload) throws -> [ContestantResult] {
        let ledgerPath = try workload.scratch("append-ledger") + "/ledger"
        let rawPath = try workload.scratch("append-raw")
        let sqlitePath = try workload.scratch("append-sqlite") + "/events.sqlite"
        let log = try Ledger.create(at: ledgerPath)
        let rawStore = try RawLMDB(path: rawPath)
        let sqliteStore = try SQLiteStore(path: sqlitePath)
        let codec = DossierCodec()
        var ledgerTime = Stopwatch(), rawTime = Stopwatch(), sqliteTime = Stopwatch()
        var count = 0
        try workload.batches(of: 1000) { events, _ in
            let proposed = try events.map { try ProposedEvent(id: $0.id, event: $0.event, codec: codec) }
            let batch = zip(events, proposed).map { StreamAppend(stream: $0.0.event.dossier.rawValue, events: [$0.1]) }
            let results = try ledgerTime.time { try log.append(batch) }
            guard let first = results.first?.positions.first, let last = results.last?.positions.last else { return }
            var records: [[UInt8]] = []
            records.reserveCapacity(events.count)
            try log.forEachEvent(from: first, through: last) { record in records.append(record.withStoredBytes { $0.withUnsafeBytes { Array($0) } }) }
            try rawTime.time { try rawStore.append(records, from: first) }
            let rows = zip(events, proposed).map { (id: $0.0.id, stream: $0.0.event.dossier.rawValue, type: $0.1.type, payload: $0.1.payload) }
            try sqliteTime.time { try sqliteStore.append(rows) }
            count += events.count
        }
        _ = FileManager.default.createFile(atPath: workload.directory + "/append.complete", contents: Data())
        let measurements = [
            ContestantResult(name: "append 1000/txn", contestant: ledger, events: count, seconds: ledgerTime.seconds, eventsPerSecond: Double(count) / ledgerTime.seconds, values: [:], ratios: [:]),
            ContestantResult(name: "append 1000/txn", contestant: raw, events: count, seconds: rawTime.seconds, eventsPerSecond: Double(count) / rawTime.seconds, values: [:], ratios: [:]),
            ContestantResult(name: "append 1000/txn", contestant: sqlite, events: count, seconds: sqliteTime.seconds, eventsPerSecond: Double(count) / sqliteTime.seconds, values: [:], ratios: [:]),
        ]
        Results.record(measurements)
        return measurements
    }

    /// The append stores, built when missing (untimed).
    static func appended(_ workload: Workload) throws -> (ledger: String, raw: String, sqlite: String) {
        if !FileManager.default.fileExists(atPath: workload.directory + "/append.complete") { _ = try append(workload) }
        return (workload.directory + "/append-ledger/ledger", workload.directory + "/append-raw", workload.directory + "/append-sqlite/events.sqlite")
    }

    /// Single-event durable appends, one transaction each: latency percentiles.
    public static func singleAppend(_ workload: Workload, count: Int = 300) throws -> [ContestantResult] {
        var events: [InterchangeEvent] = []
        try workload.batches(of: count) { batch, _ in if events.isEmpty { events = batch } }
        let codec = DossierCodec()
        let log = try Ledger.create(at: try workload.scratch("single-ledger") + "/ledger")
        let rawStore = try RawLMDB(path: try workload.scratch("single-raw"))
        let sqliteStore = try SQLiteStore(path: try workload.scratch("single-sqlite") + "/events.sqlite")
        var latencies: [String: [Double]] = [ledger: [], raw: [], sqlite: []]
        for (index, item) in events.enumerated() {
            let proposed = try ProposedEvent(id: item.id, event: item.event, codec: codec)
            var watch = Stopwatch()
            try watch.time { _ = try log.append([proposed], to: item.event.dossier.rawValue) }
            latencies[ledger, default: []].append(watch.seconds)
            var record: [UInt8] = []
            try log.forEachEvent(from: UInt64(index + 1), through: UInt64(index + 1)) { record = $0.withStoredBytes { $0.withUnsafeBytes { Array($0) } } }
            watch = Stopwatch()
            try watch.time { try rawStore.append([record], from: UInt64(index + 1)) }
            latencies[raw, default: []].append(watch.seconds)
            watch = Stopwatch()
            try watch.time { try sqliteStore.append([(item.id, item.event.dossier.rawValue, proposed.type, proposed.payload)]) }
            latencies[sqlite, default: []].append(watch.seconds)
        }
        let measurements = [ledger, raw, sqlite].map { contestant -> ContestantResult in
            let sorted = (latencies[contestant] ?? []).sorted()
            let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            return ContestantResult(name: "single append latency", contestant: contestant, events: events.count, seconds: p50, eventsPerSecond: nil,
                               values: ["p50 µs": p50 * 1e6, "p99 µs": p99 * 1e6], ratios: [:])
        }
        Results.record(measurements, higherIsBetter: false)
        return measurements
    }

    /// How many rounds the import and the rebuild run, each contestant once per round, in turn
    /// (`BENCH_ROUNDS`, 3 by default). Each contestant's median round is its result: these
    /// contestants run one after the other for seconds to minutes, and a slow spell of a shared
    /// machine then moves one round of one of them, not the ratio.
    static let rounds = Swift.max(1, Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "") ?? 3)

    /// The item of median `seconds` (the later of the two middle ones for an even count).
    static func median<T>(_ items: [T], seconds: (T) -> Double) -> T {
        items.sorted { seconds($0) < seconds($1) }[items.count / 2]
    }

    /// End-to-end import of the JSON Lines by the real `dossier-ledger import` (parse, lifecycle,
    /// statistics, durable batches), against CPython's `json` merely parsing the same lines, in
    /// ``rounds`` rounds; each round imports into a new ledger. Peak memory is the largest of
    /// the rounds.
    public static func importJSONL(_ workload: Workload) throws -> [ContestantResult] {
        var imports: [ChildRun] = [], parses: [ChildRun] = []
        for _ in 0..<rounds {
            let path = try workload.scratch("import") + "/ledger"
            let created = try runChild(dossierLedgerExecutable, ["init", "--ledger", path])
            guard created.status == 0 else { throw BenchmarkError("dossier-ledger init failed (\(dossierLedgerExecutable))") }
            sync()
            let imported = try runChild(dossierLedgerExecutable, ["import", "--ledger", path, workload.jsonl, "--quiet"])
            guard imported.status == 0 else { throw BenchmarkError("dossier-ledger import exited \(imported.status)") }
            imports.append(imported)
            sync()
            let parse = try runChild("python3", ["-c", "import json, sys\nfor line in open(sys.argv[1], 'rb'): json.loads(line)", workload.jsonl])
            guard parse.status == 0 else { throw BenchmarkError("python3 failed") }
            parses.append(parse)
        }
        _ = FileManager.default.createFile(atPath: workload.directory + "/import.complete", contents: Data())
        let (imported, parse) = (median(imports, seconds: \.seconds), median(parses, seconds: \.seconds))
        let lines = try countLines(workload.jsonl)
        let measurements = [
            ContestantResult(name: "import JSONL", contestant: ledger, events: lines, seconds: imported.seconds, eventsPerSecond: Double(lines) / imported.seconds,
                        values: ["peak resident bytes": Double(imports.map(\.peakResidentBytes).max() ?? 0),
                                 "peak anonymous bytes": Double(imports.map(\.peakAnonymousBytes).max() ?? 0), "rounds": Double(rounds)], ratios: [:]),
            ContestantResult(name: "import JSONL", contestant: python, events: lines, seconds: parse.seconds, eventsPerSecond: Double(lines) / parse.seconds,
                        values: ["peak resident bytes": Double(parses.map(\.peakResidentBytes).max() ?? 0), "rounds": Double(rounds)], ratios: [:]),
        ]
        Results.record(measurements)
        return measurements
    }

    /// The imported ledger, built when missing (untimed).
    static func imported(_ workload: Workload) throws -> String {
        if !FileManager.default.fileExists(atPath: workload.directory + "/import.complete") { _ = try importJSONL(workload) }
        return workload.directory + "/import/ledger"
    }

    /// The full statistics rebuild by the real `dossier-ledger rebuild`, against a raw LMDB scan
    /// of the same record bytes and the SQLite store's rebuild (read every row, decode the
    /// payload), in ``rounds`` rounds. Peak memory is the largest of the rounds.
    public static func rebuild(_ workload: Workload) throws -> [ContestantResult] {
        let path = try imported(workload)
        let stores = try appended(workload)
        let rawStore = try RawLMDB(path: stores.raw)
        var rebuilds: [ChildRun] = [], scans: [Double] = [], sqliteRebuilds: [Double] = []
        var scanned = 0
        for _ in 0..<rounds {
            sync()
            let rebuilt = try runChild(dossierLedgerExecutable, ["rebuild", "--ledger", path, "--quiet"])
            guard rebuilt.status == 0 else { throw BenchmarkError("dossier-ledger rebuild exited \(rebuilt.status)") }
            rebuilds.append(rebuilt)
            sync()
            var scanTime = Stopwatch()
            scanned = try scanTime.time { try rawStore.scan() }
            scans.append(scanTime.seconds)
            sync()
            var sqliteTime = Stopwatch()
            try sqliteTime.time { _ = try SQLiteStore(path: stores.sqlite).rebuild() }
            sqliteRebuilds.append(sqliteTime.seconds)
        }
        let events = try Ledger.open(at: path, options: readOnly).head().position
        let rebuilt = median(rebuilds, seconds: \.seconds)
        let (scanSeconds, sqliteSeconds) = (median(scans) { $0 }, median(sqliteRebuilds) { $0 })
        let measurements = [
            ContestantResult(name: "statistics rebuild", contestant: ledger, events: Int(events), seconds: rebuilt.seconds,
                        eventsPerSecond: Double(events) / rebuilt.seconds,
                        values: ["peak resident bytes": Double(rebuilds.map(\.peakResidentBytes).max() ?? 0),
                                 "peak anonymous bytes": Double(rebuilds.map(\.peakAnonymousBytes).max() ?? 0), "rounds": Double(rounds)], ratios: [:]),
            ContestantResult(name: "statistics rebuild", contestant: raw, events: scanned, seconds: scanSeconds,
                        eventsPerSecond: Double(scanned) / scanSeconds, values: ["rounds": Double(rounds)], ratios: [:]),
            ContestantResult(name: "statistics rebuild", contestant: sqlite, events: scanned, seconds: sqliteSeconds,
                        eventsPerSecond: Double(scanned) / sqliteSeconds, values: ["rounds": Double(rounds)], ratios: [:]),
        ]
        Results.record(measurements)
        return measurements
    }

    /// `verify` of the whole chain (hashes and indexes), against a raw scan of the same bytes.
    public static func verify(_ workload: Workload) throws -> [ContestantResult] {
        let stores = try appended(workload)
        let log = try Ledger.open(at: stores.ledger, options: readOnly)
        var verifyTime = Stopwatch()
        let report = try verifyTime.time { try log.verify() }
        guard report.isValid else { throw BenchmarkError("the benchmark ledger does not verify: \(report.problem.map(String.init(describing:)) ?? "")") }
        var scanTime = Stopwatch()
        let scanned = try scanTime.time { try RawLMDB(path: stores.raw).scan() }
        let measurements = [
            ContestantResult(name: "verify chain", contestant: ledger, events: Int(report.eventsChecked), seconds: verifyTime.seconds,
                        eventsPerSecond: Double(report.eventsChecked) / verifyTime.seconds, values: [:], ratios: [:]),
            ContestantResult(name: "verify chain", contestant: raw, events: scanned, seconds: scanTime.seconds,
                        eventsPerSecond: Double(scanned) / scanTime.seconds, values: [:], ratios: [:]),
        ]
        Results.record(measurements)
        return measurements
    }

    /// The size whose `stats --as-of` latency the larger sizes are compared with.
    static let referenceSize = 100_000

    /// `stats --as-of` and one dossier's history on a built ledger: median latencies. Each
    /// instant is also asked of the 100 k ledger, call for call in turn, so that the two
    /// latencies are measured side by side.
    public static func queries(_ workload: Workload) throws -> [ContestantResult] {
        let path = try imported(workload)
        let stores = try appended(workload)
        let dossiers = try DossierLedger.open(at: path, options: readOnly)
        let reference = workload.size == referenceSize
            ? nil : try DossierLedger.open(at: imported(Workload.prepare(size: referenceSize)), options: readOnly)
        func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<runs {
                var watch = Stopwatch()
                try watch.time(body)
                times.append(watch.seconds)
            }
            return times.sorted()[runs / 2]
        }
        // The end of the half-year (day rows only); 10:30 inside a day; 10:39:59.999, the
        // dearest instant (ten minutes of moments to add after the hour and ten-minute rows).
        let instants = [("end of day", "2019-06-30T23:59:59.999+07:00"), ("intraday", "2019-05-15T10:30:00+07:00"),
                        ("dearest", "2019-05-15T10:39:59.999+07:00")]
        var asOfValues: [String: Double] = [:]
        for (label, text) in instants {
            let instant = try Timestamp(rfc3339: text)
            var (mine, theirs) = ([Double](), [Double]())
            for _ in 0..<41 {
                var watch = Stopwatch()
                try watch.time { _ = try dossiers.statistics(asOf: instant) }
                mine.append(watch.seconds)
                if let reference {
                    var referenceWatch = Stopwatch()
                    try referenceWatch.time { _ = try reference.statistics(asOf: instant) }
                    theirs.append(referenceWatch.seconds)
                }
            }
            asOfValues[label + " µs"] = mine.sorted()[mine.count / 2] * 1e6
            if !theirs.isEmpty { asOfValues[label + " µs at 100 k, side by side"] = theirs.sorted()[theirs.count / 2] * 1e6 }
        }
        let asOf = (asOfValues["end of day µs"] ?? 0) / 1e6
        var someDossier = ""
        try workload.batches(of: 1) { events, _ in if someDossier.isEmpty { someDossier = events[0].event.dossier.rawValue } }
        let id = try DossierID(someDossier)
        let history = try median(101) { _ = try dossiers.history(of: id) }
        let sqliteStore = try SQLiteStore(path: stores.sqlite)
        let sqliteHistory = try median(101) { _ = try sqliteStore.history(of: someDossier) }
        let events = Int(try dossiers.ledger.head().position)
        let measurements = [
            ContestantResult(name: "stats --as-of", contestant: ledger, events: events, seconds: asOf, eventsPerSecond: nil,
                        values: asOfValues, ratios: [:]),
        ]
        Results.record(measurements, higherIsBetter: false)
        let historyMeasurements = [
            ContestantResult(name: "history of one dossier", contestant: ledger, events: events, seconds: history, eventsPerSecond: nil, values: ["µs": history * 1e6], ratios: [:]),
            ContestantResult(name: "history of one dossier", contestant: sqlite, events: events, seconds: sqliteHistory, eventsPerSecond: nil, values: ["µs": sqliteHistory * 1e6], ratios: [:]),
        ]
        Results.record(historyMeasurements, higherIsBetter: false)
        return measurements + historyMeasurements
    }

    static var readOnly: LedgerOptions {
        var options = LedgerOptions()
        options.readOnly = true
        return options
    }

    static func countLines(_ path: String) throws -> Int {
        guard let file = fopen(path, "r") else { throw BenchmarkError("cannot read \(path)") }
        defer { fclose(file) }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = fread(&buffer, 1, buffer.count, file)
            if read == 0 { break }
            count += buffer[..<read].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        return count
    }
}
