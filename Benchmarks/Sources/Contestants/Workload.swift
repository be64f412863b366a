import DossierLedger
import EventLedger
import Foundation

/// The benchmark workload: the Lạng Sơn fixture's generator scaled up to a number of events
/// (dossiers interleaved in time as at a real center, about 5 events each), written once as
/// interchange JSON Lines under `Benchmarks/.data/EVENTS/` and reused by every contestant.
public struct Workload: Sendable {
    /// The nominal number of events.
    public let size: Int
    /// Where this size's files live.
    public let directory: String

    /// The JSON Lines file.
    public var jsonl: String { directory + "/events.jsonl" }

    /// The `Benchmarks/` folder of the repository.
    public static let benchmarksRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let calendarPath = benchmarksRoot + "/../Fixtures/langson-2019-h1/calendar-2019.json"

    /// The workload of `size` events, generated on first use.
    public static func prepare(size: Int) throws -> Workload {
        let workload = Workload(size: size, directory: benchmarksRoot + "/.data/\(size)")
        let done = workload.directory + "/events.complete"
        if !FileManager.default.fileExists(atPath: done) {
            try? FileManager.default.removeItem(atPath: workload.directory)
            try FileManager.default.createDirectory(atPath: workload.directory, withIntermediateDirectories: true)
            let calendar = try WorkingCalendar(json: Data(contentsOf: URL(fileURLWithPath: calendarPath)))
            let history = HistoryGenerator(reference: ReferenceCase.langSon2019.scaled(toEvents: size), calendar: calendar, seed: 2019).generate()
            guard let file = fopen(workload.jsonl, "w") else { throw BenchmarkError("cannot write \(workload.jsonl)") }
            for event in history.events {
                fputs(Interchange.format(event, id: nil) + "\n", file)
            }
            fclose(file)
            _ = FileManager.default.createFile(atPath: done, contents: Data())
        }
        // Each measurement starts on a settled disk: what the previous one left to write back
        // is written now, not while this one is timed.
        sync()
        return workload
    }

    /// Calls `body` with the workload's events, parsed, `count` at a time (the last batch may be
    /// shorter), with their lines.
    public func batches(of count: Int, _ body: ([InterchangeEvent], [String]) throws -> Void) throws {
        guard let file = fopen(jsonl, "r") else { throw BenchmarkError("cannot read \(jsonl)") }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var events: [InterchangeEvent] = []
        var lines: [String] = []
        while getline(&buffer, &capacity, file) > 0, let buffer {
            var line = String(cString: buffer)
            if line.hasSuffix("\n") { line.removeLast() }
            events.append(try Interchange.parse(line))
            lines.append(line)
            if events.count == count {
                try body(events, lines)
                events.removeAll(keepingCapacity: true)
                lines.removeAll(keepingCapacity: true)
            }
        }
        if !events.isEmpty { try body(events, lines) }
    }

    /// A fresh, empty directory for a contestant's files.
    public func scratch(_ name: String) throws -> String {
        let path = directory + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A benchmark that cannot run.
public struct BenchmarkError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// Times a piece of work.
public struct Stopwatch {
    private var total: Duration = .zero
    /// Creates a stopped watch at zero.
    public init() {}
    /// Runs `body` and adds its duration.
    public mutating func time<R>(_ body: () throws -> R) rethrows -> R {
        let start = ContinuousClock.now
        defer { total += ContinuousClock.now - start }
        return try body()
    }
    /// The total, in seconds.
    public var seconds: Double {
        Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
    }
}
