import Foundation

// Prints Benchmarks/results/latest.json as a table: one line per measurement and contestant,
// with its rate or latency and its ratio to each other contestant.
struct Measurement: Decodable {
    var name: String
    var contestant: String
    var events: Int
    var seconds: Double
    var eventsPerSecond: Double?
    var values: [String: Double]
    var ratios: [String: Double]
}

let path = CommandLine.arguments.dropFirst().first ?? "results/latest.json"
guard let data = FileManager.default.contents(atPath: path),
      let measurements = try? JSONDecoder().decode([Measurement].self, from: data) else {
    FileHandle.standardError.write(Data("bench-report: cannot read \(path); run the benchmarks first\n".utf8))
    exit(74)
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

let header = [pad("measurement", 24), pad("events", 10, right: true), pad("contestant", 14), pad("result", 40, right: true), "ratios"]
print(header.joined(separator: "  "))
for m in measurements {
    var result = m.eventsPerSecond.map { String(format: "%.0f events/s", $0) } ?? String(format: "%.1f µs", m.seconds * 1e6)
    if let p99 = m.values["p99 µs"], let p50 = m.values["p50 µs"] { result = String(format: "p50 %.0f µs, p99 %.0f µs", p50, p99) }
    if let peak = m.values["peak resident bytes"] { result += String(format: ", RSS %.0f MiB", peak / 1_048_576) }
    if let heap = m.values["peak anonymous bytes"], heap > 0 { result += String(format: " (heap %.0f)", heap / 1_048_576) }
    if let rounds = m.values["rounds"], rounds > 1 { result += String(format: ", median of %.0f", rounds) }
    var ratios = m.ratios.sorted { $0.key < $1.key }.map { String(format: "%.2f× %@", $0.value, $0.key) }.joined(separator: ", ")
    // stats --as-of: each instant, and its cost against the 100 k ledger's, asked side by side.
    let instants = ["end of day", "intraday", "dearest"].filter { m.values[$0 + " µs"] != nil }
    if !instants.isEmpty {
        result = instants.map { String(format: "%@ %.0f µs", $0, m.values[$0 + " µs"] ?? 0) }.joined(separator: ", ")
        ratios = instants.compactMap { label in
            m.values[label + " µs at 100 k, side by side"].map { String(format: "%@ %.2f×", label, (m.values[label + " µs"] ?? 0) / $0) }
        }.joined(separator: ", ")
        if !ratios.isEmpty { ratios += " the 100 k ledger's" }
    }
    print([pad(m.name, 24), pad(String(m.events), 10, right: true), pad(m.contestant, 14), pad(result, 40, right: true), ratios].joined(separator: "  "))
}
