import EventLedger
import Foundation
import LedgerLMDB
import TestSupport
import Testing

/// End-to-end tests of the built executable: arguments in, output and exit codes out.
@Suite(.serialized) struct CommandLineTests {
    @Test func importingTheFixtureGivesTheExpectedReportAsJSON() throws {
        let directory = try TemporaryDirectory()
        let ledger = try importedFixture(directory)
        let stats = try dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-06-30", "--format", "json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let report = try json(stats.stdout).mutableCopy() as? NSMutableDictionary ?? [:]
        let provenance = report["ledger"] as? NSDictionary
        report.removeObject(forKey: "ledger")
        let expected = try json(String(contentsOf: fixture.appendingPathComponent("expected-report.json"), encoding: .utf8))
        #expect(report == expected)
        // The provenance is the head an auditor would write down.
        let digest = try dossierLedger(["digest", "--ledger", ledger])
        #expect(digest.stdout.trimmingCharacters(in: .newlines) == "\(provenance?["chainHash"] ?? "")@\(provenance?["position"] ?? "")")
    }

    @Test func aFileSaltedWithBadLinesRejectsExactlyThoseWithReasonsAndExit65() throws {
        let directory = try TemporaryDirectory()
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let good = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").prefix(200).map(String.init)
        var lines = good
        lines.insert(#"{"type":"received","dossier":"X-1","at":"2019-01-17T08:05:00"}"#, at: 10)
        lines.insert("not json at all", at: 50)
        lines.insert(#"{"type":"rated","dossier":"NEVER-RECEIVED","at":"2019-01-17T08:05:00Z","rating":"satisfied"}"#, at: 100)
        let input = directory.child("salted.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let rejects = directory.child("rejects.jsonl")
        let run = try dossierLedger(["import", "--ledger", ledger, input, "--rejects", rejects])
        #expect(run.status == 65)
        #expect(run.stderr.contains("200 accepted, 0 duplicates, 3 rejected"))
        let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").map { try json(String($0)) }
        #expect(rejected.map { $0["line"] as? Int } == [11, 51, 101])
        #expect((rejected[0]["reason"] as? String)?.contains("without an offset") == true)
        #expect((rejected[2]["reason"] as? String)?.contains("needs a received dossier") == true)
        #expect(rejected[1]["input"] as? String == "not json at all")
        let permissions = try FileManager.default.attributesOfItem(atPath: rejects)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func reimportingIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        let ledger = try importedFixture(directory)
        let before = try dossierLedger(["digest", "--ledger", ledger]).stdout
        let again = try dossierLedger(["import", "--ledger", ledger, fixture.appendingPathComponent("events.jsonl").path])
        #expect(again.status == 0)
        #expect(again.stderr.contains("0 accepted, 36754 duplicates, 0 rejected"))
        #expect(try dossierLedger(["digest", "--ledger", ledger]).stdout == before)
    }

    @Test func aReplayImportedIntoANewLedgerGivesIdenticalStatistics() throws {
        let directory = try TemporaryDirectory()
        let ledger = try importedFixture(directory)
        let replay = try dossierLedger(["replay", "--ledger", ledger, "--format", "jsonl"])
        #expect(replay.status == 0)
        let copy = directory.child("copy")
        #expect(try dossierLedger(["init", "--ledger", copy, "--departments", fixture.appendingPathComponent("departments.json").path]).status == 0)
        let imported = try dossierLedger(["import", "--ledger", copy, "-"], input: replay.stdout)
        #expect(imported.status == 0, "\(imported.stderr)")
        for asOf in ["2019-03-01", "2019-06-30", "2019-05-15T10:30:00+07:00"] {
            for by in ["department", "month", "procedure"] {
                let original = try json(dossierLedger(["stats", "--ledger", ledger, "--as-of", asOf, "--by", by, "--format", "json"]).stdout).mutableCopy() as? NSMutableDictionary
                let replayed = try json(dossierLedger(["stats", "--ledger", copy, "--as-of", asOf, "--by", by, "--format", "json"]).stdout).mutableCopy() as? NSMutableDictionary
                original?.removeObject(forKey: "ledger")
                replayed?.removeObject(forKey: "ledger")
                #expect(original == replayed, "as of \(asOf) by \(by)")
            }
        }
    }

    @Test func verifyPassesThenFailsWithExit1AfterOneStoredByteChanges() throws {
        let directory = try TemporaryDirectory()
        let ledger = try importedFixture(directory)
        let digest = try dossierLedger(["digest", "--ledger", ledger]).stdout.trimmingCharacters(in: .newlines)
        let clean = try dossierLedger(["verify", "--ledger", ledger, "--against", digest])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("verify: OK"))
        #expect(clean.stdout.contains("7394 dossiers re-checked"))
        // The second dossier received on 1 March 2019: change one byte of its code everywhere it is stored.
        #expect(try flipByte(of: "H34.12-190301-0002", offset: 17, inFile: ledger + "/data.mdb") >= 1)
        let tampered = try dossierLedger(["verify", "--ledger", ledger])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("verify: FAILED at position"))
    }

    /// With `SWIFT_DETERMINISTIC_HASHING` set, the key of `Hasher` is known, so `verify` checks
    /// the indexes by looking every event up rather than through their keyed digests: an intact
    /// ledger passes, and an event-id entry pointed at another event is found at its event,
    /// with the variable set and without it.
    @Test func verifyFindsAnEventIDPointedElsewhereWithAndWithoutDeterministicHashing() throws {
        let directory = try TemporaryDirectory()
        let ledger = try importedFixture(directory)
        let deterministic = ["SWIFT_DETERMINISTIC_HASHING": "1"]
        let clean = try dossierLedger(["verify", "--ledger", ledger], environment: deterministic)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        var id = ""
        try Ledger.open(at: ledger).forEachEvent(from: 200, through: 200) { id = $0.id }
        do {
            let environment = try Environment(path: ledger)
            let eventIDs = try environment.database(named: "eventIDs")
            try environment.write { txn in
                try withUnsafeBytes(of: UInt64(201).bigEndian) { try txn.put($0.bytes, for: Array(id.utf8).span.bytes, in: eventIDs) }
            }
        }
        for extra in [deterministic, [:]] {
            let tampered = try dossierLedger(["verify", "--ledger", ledger], environment: extra)
            #expect(tampered.status == 1, "\(extra)")
            #expect(tampered.stdout.contains("verify: FAILED at position 200"), "\(extra): \(tampered.stdout)")
            #expect(tampered.stdout.contains("event-id index"), "\(extra)")
        }
    }

    @Test func allOrNothingAppendsNothingFromAFileWithOneBadLine() throws {
        let directory = try TemporaryDirectory()
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let before = try dossierLedger(["digest", "--ledger", ledger]).stdout
        let lines = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").prefix(300)
        for bad in [#"{"type":"decided","dossier":"NOPE","at":"2019-01-17T08:05:00Z","outcome":"approved"}"#, "{broken"] {
            let input = directory.child("bad.jsonl")
            try ((lines + [Substring(bad)]).joined(separator: "\n")).write(toFile: input, atomically: true, encoding: .utf8)
            let run = try dossierLedger(["import", "--ledger", ledger, input, "--all-or-nothing"])
            #expect(run.status == 65)
            #expect(run.stderr.contains("0 accepted") && run.stderr.contains("nothing appended"))
            #expect(try dossierLedger(["digest", "--ledger", ledger]).stdout == before)
        }
    }

    @Test func usageAndStorageErrorsHaveTheirExitCodesAndOneLineMessages() throws {
        let directory = try TemporaryDirectory()
        let missing = try dossierLedger(["stats", "--ledger", directory.child("absent")])
        #expect(missing.status == 74)
        #expect(missing.stderr.hasPrefix("dossier-ledger: ") && missing.stderr.contains("is not a ledger"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(try dossierLedger(["stats"]).status == 64)
        #expect(try dossierLedger(["stats", "--ledger", directory.path, "--format", "xml"]).status == 64)
        #expect(try dossierLedger(["verify", "--ledger", directory.path, "--against", "nonsense"]).status == 64)
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let again = try dossierLedger(["init", "--ledger", ledger])
        #expect(again.status == 74 && again.stderr.contains("already holds a ledger"))
        #expect(try dossierLedger(["stats", "--ledger", ledger, "--as-of", "yesterday"]).status == 64)
        #expect(try dossierLedger(["history", "--ledger", ledger, "UNKNOWN-1"]).status == 65)
        #expect(try dossierLedger(["init", "--ledger", directory.child("tz"), "--time-zone", "Mars/Olympus"]).status == 65)
        // DOSSIER_LEDGER stands in for --ledger.
        #expect(try dossierLedger(["digest"], environment: ["DOSSIER_LEDGER": ledger]).status == 0)
    }

    @Test func readingCommandsWorkOnAReadOnlyCopy() throws {
        let directory = try TemporaryDirectory()
        let ledger = try importedFixture(directory)
        let history = try dossierLedger(["history", "--ledger", ledger, "H34.12-190117-0001", "--format", "jsonl"])
        #expect(history.status == 0)
        let lines = history.stdout.split(separator: "\n").map { try? json(String($0)) }
        #expect(lines.first??["type"] as? String == "received")
        #expect(lines.allSatisfy { ($0?["chainHash"] as? String)?.count == 64 && $0?["position"] != nil })

        let table = try dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-06-30", "--locale", "vi"])
        #expect(table.stdout.contains("98,97 %") && table.stdout.contains("Tiếp nhận") && table.stdout.contains("7.394"))
        let csv = try dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-06-30", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\n").count == 1 + 1 + 18)
        #expect(csv.stdout.contains("total,,,7394,6901,6830"))

        let export = try dossierLedger(["export", "--ledger", ledger, "--format", "csv"])
        #expect(export.stdout.split(separator: "\n").count == 1 + 36_754)
        let replay = try dossierLedger(["replay", "--ledger", ledger, "--department", "STP", "--type", "received", "--until", "2019-01-31", "--format", "table"])
        #expect(replay.status == 0 && replay.stdout.contains("received") && !replay.stdout.contains("SGTVT"))
        let rebuild = try dossierLedger(["rebuild", "--ledger", ledger])
        #expect(rebuild.status == 0 && rebuild.stdout.contains("36755 events"))
    }

    @Test func theDemoReproducesTheReport() throws {
        let run = try dossierLedger(["demo", "--fixture", fixture.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("6,830 of 6,901 results on time: 98.97 %"))
        #expect(run.stderr.contains("every figure equals"))
        let asJSON = try dossierLedger(["demo", "--fixture", fixture.path, "--format", "json"])
        #expect((try json(asJSON.stdout)["total"] as? NSDictionary)?["received"] as? Int == 7394)
    }

    @Test func everySubcommandsHelpHasAnExample() throws {
        for command in ["init", "import", "stats", "history", "replay", "verify", "digest", "rebuild", "export", "demo", "generate-fixture"] {
            let help = try dossierLedger([command, "--help"])
            #expect(help.status == 0 && help.stdout.contains("Example: dossier-ledger \(command)"), "\(command)")
        }
        #expect(try dossierLedger(["--help"]).stdout.contains("74  storage or I/O failure"))
    }
}
