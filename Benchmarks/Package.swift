// swift-tools-version: 6.1
// The benchmarks of DossierLedger: a package of its own, so that users of the library never
// pull benchmark dependencies. `make bench` (or `make bench-quick`) at the repository root runs it.
import PackageDescription

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "DossierLedger", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        // LMDB's C API for the raw baseline; a module name of its own, as module names are unique in a graph.
        .systemLibrary(name: "CBenchLMDB", providers: [.apt(["liblmdb-dev"])]),
        .target(
            name: "Contestants",
            dependencies: [
                "CBenchLMDB",
                .product(name: "DossierLedger", package: "DossierLedger"),
                .product(name: "EventLedger", package: "DossierLedger"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: ["Contestants", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(name: "BenchReport", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)
