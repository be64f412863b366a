import DossierLedger
import Foundation
import TestSupport
import Testing

/// Bad files, hostile lines and broken ledgers: each gets its documented exit code and reason;
/// nothing of a bad line reaches the ledger; nothing crashes.
@Suite(.serialized) struct HostileInputTests {
    static let invalid = repository.appendingPathComponent("Fixtures/invalid")

    /// Each committed bad file: its exit code, how many lines it appends, and words of the reason.
    static let corpus: [(file: String, status: Int32, accepted: Int, reason: String?)] = [
        ("invalid-utf8.jsonl", 65, 0, "invalid UTF-8"),
        ("nul-byte.jsonl", 65, 0, "control character"),
        ("deeply-nested.jsonl", 65, 0, "nested objects and arrays"),
        ("number-for-string.jsonl", 65, 0, "\"department\" must be a string"),
        ("time-without-offset.jsonl", 65, 0, "without an offset"),
        ("time-out-of-range.jsonl", 65, 0, "out of range"),
        ("unknown-type.jsonl", 65, 0, "must be one of"),
        ("empty.jsonl", 0, 0, nil),
        ("no-final-newline.jsonl", 0, 1, nil),
    ]

    @Test(arguments: corpus)
    func eachBadFileGetsItsExitCodeAndReasonAndStoresNothingOfIt(file: String, status: Int32, accepted: Int, reason: String?) throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let rejects = directory.child("rejects.jsonl")
        let run = try dossierLedger(["import", "--ledger", ledger, Self.invalid.appendingPathComponent(file).path, "--rejects", rejects])
        #expect(run.status == status, "\(file): \(run.stderr)")
        #expect(run.stderr.contains("\(accepted) accepted"))
        #expect(try dossierLedger(["digest", "--ledger", ledger]).stdout.hasSuffix("@\(1 + accepted)\n"))
        if let reason {
            let rejected = try json(String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").first.map(String.init) ?? "")
            #expect(rejected["line"] as? Int == 1)
            #expect((rejected["reason"] as? String)?.contains(reason) == true, "\(file): \(rejected["reason"] ?? "")")
        }
        #expect(try dossierLedger(["verify", "--ledger", ledger]).status == 0)
    }

    @Test func aHundredMegabyteLineIsRefusedInBoundedMemory() throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let path = directory.child("huge.jsonl")
        try Data().write(to: URL(fileURLWithPath: path))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data(#"{"type":"withdrawn","dossier":"BIG","at":"2019-01-17T08:05:00Z","official":""#.utf8))
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\"}\n".utf8))
        try handle.write(contentsOf: Data(#"{"type":"received","dossier":"AFTER","at":"2019-01-17T08:05:00+07:00","department":"STP","procedure":"1","due":"2019-01-24T16:30:00+07:00","channel":"counter"}"#.utf8 + [0x0A]))
        try handle.close()
        let run = try runMeasured(executable.path, ["import", "--ledger", ledger, path, "--rejects", directory.child("rejects.jsonl"), "--quiet"])
        #expect(run.status == 65)
        // Reading the line whole would take more than 100 MB; the reader keeps 64 KiB of it.
        #expect(run.peakResidentBytes < 80 << 20, "peak \(run.peakResidentBytes) bytes")
        let rejected = try json(String(contentsOfFile: directory.child("rejects.jsonl"), encoding: .utf8).split(separator: "\n").first.map(String.init) ?? "")
        #expect((rejected["reason"] as? String)?.contains("the limit is 65536") == true)
        #expect((rejected["input"] as? String)?.utf8.count == 65_536)
        // The line after it is read and appended.
        #expect(try dossierLedger(["history", "--ledger", ledger, "AFTER"]).status == 0)
    }

    @Test func aTenKilobyteDossierIdIsRefusedWithoutEchoingIt() throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let id = String(repeating: "D", count: 10_240)
        let line = #"{"type":"withdrawn","dossier":"\#(id)","at":"2019-01-17T08:05:00Z"}"#
        let run = try dossierLedger(["import", "--ledger", ledger, "-", "--rejects", directory.child("rejects.jsonl")], input: line + "\n")
        #expect(run.status == 65)
        let rejected = try json(String(contentsOfFile: directory.child("rejects.jsonl"), encoding: .utf8).split(separator: "\n").first.map(String.init) ?? "")
        #expect((rejected["reason"] as? String)?.contains("dossier id has 10240 bytes; the limit is 100") == true)
        #expect(!run.stderr.contains("DDDDDDDDDD"))
        #expect(try dossierLedger(["digest", "--ledger", ledger]).stdout.hasSuffix("@1\n"))
    }

    @Test func diagnosticsNeverEchoPersonalData() throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let secret = "Nguyễn Văn Bí Mật 0912345678"
        let lines = [
            #"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00Z","applicant":"\#(secret)"}"#,
            #"{"type":"rated","dossier":"D-1","at":"2019-01-17T08:05:00Z","rating":"satisfied","official":"\#(secret)"}"#,
            #"{"type":"withdrawn","dossier":"D-2","at":"\#(secret)"}"#,
        ]
        let run = try dossierLedger(["import", "--ledger", ledger, "-"], input: lines.joined(separator: "\n") + "\n")
        #expect(run.status == 65)
        #expect(!run.stderr.contains("Bí Mật") && !run.stdout.contains("Bí Mật"))
    }

    @Test func ledgersThatAreNotLedgersOrFromTheFutureOrTruncatedAreRefusedCleanly() throws {
        let directory = try TemporaryDirectory("hostile")
        try FileManager.default.createDirectory(atPath: directory.child("plain"), withIntermediateDirectories: false)
        let plain = try dossierLedger(["stats", "--ledger", directory.child("plain")])
        #expect(plain.status == 74 && plain.stderr.contains("is not a ledger"))

        let ledger = try importedFixture(directory)
        let copy = directory.child("truncated")
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        let data = copy + "/data.mdb"
        let size = try FileManager.default.attributesOfItem(atPath: data)[.size] as? Int ?? 0
        #expect(truncate(data, off_t(size / 2)) == 0)
        for command in [["verify"], ["stats"], ["digest"], ["import", fixture.appendingPathComponent("events.jsonl").path]] {
            let run = try dossierLedger([command[0], "--ledger", copy] + command.dropFirst())
            #expect(run.status == 74, "\(command[0]): \(run.stderr)")
            #expect(run.stderr.contains("truncated"), "\(command[0]): \(run.stderr)")
        }
    }

    @Test func swappedAndDeletedRecordsAreFoundAtTheFirstAffectedPosition() throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = try importedFixture(directory)
        let head = try dossierLedger(["digest", "--ledger", ledger]).stdout.trimmingCharacters(in: .newlines)
        for (name, change) in [("swapped", [("swap", 2000 as UInt64, 2100 as UInt64)]), ("deleted", [("delete", 3000, 0)])] {
            let copy = directory.child(name)
            try FileManager.default.copyItem(atPath: ledger, toPath: copy)
            try tamper(copy, change)
            let run = try dossierLedger(["verify", "--ledger", copy, "--against", head])
            #expect(run.status == 1, "\(name): \(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("FAILED at position \(change[0].1)"), "\(name): \(run.stdout)")
        }
    }

    /// A stored figure raised by one (the period's last counter, a zigzag varint, plus 2), or
    /// a period's rows cut short in the middle of a row: queries still answer, from what they
    /// can read, and `verify` names the table. The period altered is the first hour with
    /// dossiers, which the statistics at the end of the first day read.
    @Test(arguments: ["inflated", "cut short"])
    func anAlteredStoredStatisticIsFoundByComparingWithARebuild(alteration: String) throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = try importedFixture(directory)
        try alterFirstValue(ledger, table: "departmentHours") { value in
            alteration == "inflated" ? value.dropLast() + [value[value.count - 1] &+ 2] : Array(value.dropLast())
        }
        #expect(try dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-01-17"]).status == 0, "\(alteration)")
        let run = try dossierLedger(["verify", "--ledger", ledger])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("FAILED at position 36755: projection statistics: table departmentHours differs from a rebuild"), "\(run.stdout)")
        // The log itself is intact, and a rebuild repairs the statistics.
        #expect(try dossierLedger(["rebuild", "--ledger", ledger]).status == 0)
        #expect(try dossierLedger(["verify", "--ledger", ledger]).status == 0)
    }

    @Test func aFullDiskFailsTheImportCleanlyAndLeavesAConsistentLedger() throws {
        let directory = try TemporaryDirectory("hostile")
        let mountPoint = directory.child("small-disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        // A 2 MiB tmpfs: mounting one needs root, which CI and the developers' machines have.
        let mounted = try runMeasured("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]).status == 0
        defer { if mounted { _ = try? runMeasured("/bin/umount", [mountPoint]) } }
        try #require(mounted, "this test needs to mount a small tmpfs (run as root, as CI does)")
        let ledger = mountPoint + "/ledger"
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let run = try dossierLedger(["import", "--ledger", ledger, fixture.appendingPathComponent("events.jsonl").path, "--batch-events", "500"])
        #expect(run.status == 74, "\(run.stderr)")
        #expect(run.stderr.contains("check that the disk has free space"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        let verify = try dossierLedger(["verify", "--ledger", ledger])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let position = UInt64(try dossierLedger(["digest", "--ledger", ledger]).stdout.split(separator: "@").last?.trimmingCharacters(in: .newlines) ?? "") ?? 0
        let lines = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").count
        #expect(position > 1 && importBatchEnds(lines: lines, batchEvents: 500).contains(Int(position - 1)), "a partial batch at \(position)")
    }

    @Test func readingCommandsWorkOnAReadOnlyMount() throws {
        let directory = try TemporaryDirectory("hostile")
        let ledger = try importedFixture(directory)
        let mountPoint = directory.child("read-only")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let bound = try runMeasured("/bin/mount", ["--bind", ledger, mountPoint]).status == 0
        defer { if bound { _ = try? runMeasured("/bin/umount", [mountPoint]) } }
        try #require(bound, "this test needs to bind-mount a directory (run as root, as CI does)")
        try #require(try runMeasured("/bin/mount", ["-o", "remount,ro,bind", mountPoint]).status == 0)
        #expect(try dossierLedger(["verify", "--ledger", mountPoint]).status == 0)
        #expect(try dossierLedger(["stats", "--ledger", mountPoint, "--as-of", "2019-06-30"]).stdout.contains("98.97 %"))
        let write = try dossierLedger(["rebuild", "--ledger", mountPoint])
        #expect(write.status == 74 && write.stderr.split(separator: "\n").count == 1, "\(write.stderr)")
    }
}
