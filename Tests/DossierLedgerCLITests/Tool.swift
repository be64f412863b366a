import Foundation
import DossierLedger
import TestSupport

/// What a run of the built `dossier-ledger` executable did.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixture = repository.appendingPathComponent("Fixtures/langson-2019-h1")

/// The executable SwiftPM built beside this test binary.
let executable: URL = {
    let beside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("dossier-ledger")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return repository.appendingPathComponent(".build/debug/dossier-ledger")
}()

/// Runs `dossier-ledger` with arguments, an optional standard input, and extra environment.
func dossierLedger(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Run {
    let scratch = try TemporaryDirectory("cli-run")
    let out = scratch.child("stdout"), err = scratch.child("stderr"), inPath = scratch.child("stdin")
    for (path, contents) in [(out, Data()), (err, Data()), (inPath, Data((input ?? "").utf8))] {
        try contents.write(to: URL(fileURLWithPath: path))
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "DOSSIER_LEDGER")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
    try process.run()
    process.waitUntilExit()
    return Run(status: process.terminationStatus,
               stdout: try String(contentsOfFile: out, encoding: .utf8),
               stderr: try String(contentsOfFile: err, encoding: .utf8))
}

/// A JSON document as Foundation objects, for comparing structure rather than text.
func json(_ text: String) throws -> NSDictionary {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary ?? [:]
}

/// Creates a ledger with the fixture's departments and imports the fixture's events.
func importedFixture(_ directory: TemporaryDirectory) throws -> String {
    let ledger = directory.child("ledger")
    let created = try dossierLedger(["init", "--ledger", ledger, "--departments", fixture.appendingPathComponent("departments.json").path])
    precondition(created.status == 0, created.stderr)
    let imported = try dossierLedger(["import", "--ledger", ledger, fixture.appendingPathComponent("events.jsonl").path])
    precondition(imported.status == 0, imported.stderr)
    return ledger
}

/// Where `dossier-ledger import` ends its batches in a file of `lines` valid lines, as its help
/// says: the first batch holds an eighth of `--batch-events`, each next one twice as many, up to
/// `--batch-events`.
func importBatchEnds(lines: Int, batchEvents: Int) -> Set<Int> {
    var ends: Set<Int> = []
    var (end, size) = (0, max(1, batchEvents / 8))
    while end < lines {
        end = min(lines, end + size)
        ends.insert(end)
        size = min(batchEvents, size * 2)
    }
    return ends
}
