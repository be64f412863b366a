// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "DossierLedger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DossierLedger", targets: ["DossierLedger"]),
        .library(name: "EventLedger", targets: ["EventLedger"]),
        .executable(name: "dossier-ledger", targets: ["DossierLedgerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CLedgerLMDB", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CLedgerNettle", providers: [.apt(["nettle-dev"])]),
        .systemLibrary(name: "CLedgerPrefetch"),
        .target(name: "LedgerLMDB", dependencies: ["CLedgerLMDB"], swiftSettings: strict),
        .target(
            name: "EventLedger",
            dependencies: ["LedgerLMDB", "CLedgerNettle", "CLedgerPrefetch"],
            swiftSettings: strict),
        .target(
            name: "DossierLedger",
            dependencies: ["EventLedger", "CLedgerPrefetch"],
            swiftSettings: strict),
        .executableTarget(
            name: "DossierLedgerCLI",
            dependencies: ["DossierLedger", "EventLedger", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "LedgerLMDBTests", dependencies: ["LedgerLMDB", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "EventLedgerTests", dependencies: ["EventLedger", "LedgerLMDB", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "DossierLedgerCLITests", dependencies: ["DossierLedgerCLI", "DossierLedger", "EventLedger", "LedgerLMDB", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "DossierLedgerTests", dependencies: ["DossierLedger", "EventLedger", "TestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
