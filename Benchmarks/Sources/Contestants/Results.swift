import Foundation
import Synchronization

/// One measurement of one contestant, as written to `Benchmarks/results/latest.json`.
public struct ContestantResult: Codable, Sendable {
    /// What was measured, for example `append 1000/txn`.
    public var name: String
    /// Who: `ledger`, `raw LMDB`, `SQLite (GRDB)`, `CPython json`.
    public var contestant: String
    /// The workload's size in events.
    public var events: Int
    /// Seconds the work took (for latencies: the median).
    public var seconds: Double
    /// Events per second, where that means something.
    public var eventsPerSecond: Double?
    /// Further values: latency percentiles in microseconds, peak memory in bytes.
    public var values: [String: Double]
    /// This contestant's rate (or, for latencies, inverse time) relative to each other contestant's.
    public var ratios: [String: Double]
}

/// Collects measurements and keeps `latest.json` up to date after each benchmark.
public enum Results {
    private static let all = Mutex<[ContestantResult]>([])

    /// The results file.
    public static var path: String { Workload.benchmarksRoot + "/results/latest.json" }

    /// Records the measurements of one comparison, computing each one's ratios to the others.
    public static func record(_ measurements: [ContestantResult], higherIsBetter: Bool = true) {
        var withRatios = measurements
        for index in withRatios.indices {
            for other in measurements where other.contestant != withRatios[index].contestant {
                let mine = higherIsBetter ? (withRatios[index].eventsPerSecond ?? 0) : 1 / withRatios[index].seconds
                let theirs = higherIsBetter ? (other.eventsPerSecond ?? 0) : 1 / other.seconds
                if theirs > 0 { withRatios[index].ratios[other.contestant] = mine / theirs }
            }
        }
        let snapshot = all.withLock { results in
            results.removeAll { old in withRatios.contains { $0.name == old.name && $0.contestant == old.contestant && $0.events == old.events } }
            results += withRatios
            return results
        }
        write(snapshot)
    }

    private static func write(_ measurements: [ContestantResult]) {
        var merged = (try? JSONDecoder().decode([ContestantResult].self, from: Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
        merged.removeAll { old in measurements.contains { $0.name == old.name && $0.contestant == old.contestant && $0.events == old.events } }
        merged += measurements
        merged.sort { ($0.name, $0.events, $0.contestant) < ($1.name, $1.events, $1.contestant) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? FileManager.default.createDirectory(atPath: Workload.benchmarksRoot + "/results", withIntermediateDirectories: true)
        try? encoder.encode(merged).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
