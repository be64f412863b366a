import Benchmark
import Contestants
import Foundation

/// The sizes to run, from `BENCH_SIZES` (comma-separated event counts).
private let sizes = (ProcessInfo.processInfo.environment["BENCH_SIZES"] ?? "100000,1000000,10000000")
    .split(separator: ",").compactMap { Int($0) }

/// One comparison: its name, what runs it, and the ratios of the ledger to show as metrics
/// (label, the baseline contestant).
private let comparisons: [(name: String, run: @Sendable (Workload) throws -> [ContestantResult], ratios: [(String, String)])] = [
    ("append 1000 per transaction", Comparisons.append, [("ledger ÷ raw LMDB (%)", "raw LMDB"), ("ledger ÷ SQLite (%)", "SQLite (GRDB)")]),
    ("single durable append latency", { try Comparisons.singleAppend($0) }, [("raw p50 ÷ ledger p50 (%)", "raw LMDB")]),
    ("import JSONL end to end", Comparisons.importJSONL, [("import ÷ CPython json parse (%)", "CPython json")]),
    ("statistics rebuild", Comparisons.rebuild, [("rebuild ÷ raw LMDB scan (%)", "raw LMDB"), ("rebuild ÷ SQLite rebuild (%)", "SQLite (GRDB)")]),
    ("verify chain", Comparisons.verify, [("verify ÷ raw LMDB scan (%)", "raw LMDB")]),
    ("stats --as-of and history", Comparisons.queries, []),
]

/// Each benchmark runs every contestant of one comparison on the same events, once: the ratios
/// between contestants, measured side by side, are the results (`results/latest.json`, and the
/// custom metrics below); absolute times drift on shared machines.
let benchmarks: @Sendable () -> Void = {
    func metric(_ label: String) -> BenchmarkMetric { .custom(label, polarity: .prefersLarger, useScalingFactor: false) }
    for size in sizes {
        for comparison in comparisons {
            let configuration = Benchmark.Configuration(
                metrics: [.wallClock] + comparison.ratios.map { metric($0.0) }, warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)
            Benchmark("\(comparison.name), \(size) events", configuration: configuration) { benchmark in
                let workload = try Workload.prepare(size: size)
                benchmark.startMeasurement()
                let results = try comparison.run(workload)
                benchmark.stopMeasurement()
                let ledger = results.first { $0.contestant == "ledger" }
                for (label, baseline) in comparison.ratios {
                    if let value = ledger?.ratios[baseline], value.isFinite {
                        benchmark.measurement(metric(label), Int((value * 100).rounded()))
                    }
                }
            }
        }
    }
}
