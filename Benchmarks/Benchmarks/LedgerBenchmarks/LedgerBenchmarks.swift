import Benchmark
import Contestants
import Foundation

/// The sizes to run, from `BENCH_SIZES` (comma-separated event counts).
private let sizes = (ProcessInfo.processInfo.environment["BENCH_SIZES"] ?? "100000,1000000,10000000")
    .split(separator: ",").compactMap { Int($0) }

/// Each benchmark runs every contestant of one measurement on the same events, once: the
/// ratios between contestants, measured side by side, are the results (`results/latest.json`,
/// and the custom metrics below); absolute times drift on shared machines.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)

    func metric(_ label: String) -> BenchmarkMetric { .custom(label, polarity: .prefersLarger, useScalingFactor: false) }
    func ratio(_ benchmark: Benchmark, _ label: String, _ value: Double?) {
        guard let value, value.isFinite else { return }
        benchmark.measurement(metric(label), Int((value * 100).rounded()))
    }
    func reporting(_ labels: String...) -> Benchmark.Configuration {
        .init(metrics: [.wallClock] + labels.map(metric), warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)
    }
    func find(_ measurements: [ContestantResult], _ contestant: String) -> ContestantResult? {
        measurements.first { $0.contestant == contestant }
    }

    for size in sizes {
        Benchmark("append 1000 per transaction, \(size) events", configuration: reporting("ledger ÷ raw LMDB (%)", "ledger ÷ SQLite (%)")) { benchmark in
            let workload = try Workload.prepare(size: size)
            benchmark.startMeasurement()
            let results = try Comparisons.append(workload)
            benchmark.stopMeasurement()
            let ledger = find(results, "ledger")
            ratio(benchmark, "ledger ÷ raw LMDB (%)", ledger?.ratios["raw LMDB"])
            ratio(benchmark, "ledger ÷ SQLite (%)", ledger?.ratios["SQLite (GRDB)"])
        }
        Benchmark("single durable append latency, \(size) events", configuration: reporting("raw p50 ÷ ledger p50 (%)")) { benchmark in
            let workload = try Workload.prepare(size: size)
            benchmark.startMeasurement()
            let results = try Comparisons.singleAppend(workload)
            benchmark.stopMeasurement()
            ratio(benchmark, "raw p50 ÷ ledger p50 (%)", find(results, "ledger")?.ratios["raw LMDB"])
        }
        Benchmark("import JSONL end to end, \(size) events", configuration: reporting("import ÷ CPython json parse (%)")) { benchmark in
            let workload = try Workload.prepare(size: size)
            benchmark.startMeasurement()
            let results = try Comparisons.importJSONL(workload)
            benchmark.stopMeasurement()
            ratio(benchmark, "import ÷ CPython json parse (%)", find(results, "ledger")?.ratios["CPython json"])
        }
        Benchmark("statistics rebuild, \(size) events", configuration: reporting("rebuild ÷ raw LMDB scan (%)", "rebuild ÷ SQLite rebuild (%)")) { benchmark in
            let workload = try Workload.prepare(size: size)
            benchmark.startMeasurement()
            let results = try Comparisons.rebuild(workload)
            benchmark.stopMeasurement()
            let ledger = find(results, "ledger")
            ratio(benchmark, "rebuild ÷ raw LMDB scan (%)", ledger?.ratios["raw LMDB"])
            ratio(benchmark, "rebuild ÷ SQLite rebuild (%)", ledger?.ratios["SQLite (GRDB)"])
        }
        Benchmark("verify chain, \(size) events", configuration: reporting("verify ÷ raw LMDB scan (%)")) { benchmark in
            let workload = try Workload.prepare(size: size)
            benchmark.startMeasurement()
            let results = try Comparisons.verify(workload)
            benchmark.stopMeasurement()
            ratio(benchmark, "verify ÷ raw LMDB scan (%)", find(results, "ledger")?.ratios["raw LMDB"])
        }
        Benchmark("stats --as-of and history, \(size) events") { benchmark in
            let workload = try Workload.prepare(size: size)
            benchmark.startMeasurement()
            _ = try Comparisons.queries(workload)
            benchmark.stopMeasurement()
        }
    }
}
