import DossierLedger
import EventLedger
import Foundation
import TestSupport
import Testing

/// Several real processes on one ledger at once.
@Suite(.serialized) struct ConcurrencyTests {
    private func input(_ directory: TemporaryDirectory, lines: Int) throws -> String {
        let text = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").prefix(lines)
        let path = directory.child("input.jsonl")
        try (text.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The fixture's generator scaled to about `events` events.
    private func generatedHistory(events: Int, seed: UInt64) throws -> GeneratedHistory {
        let calendar = try WorkingCalendar(json: Data(contentsOf: fixture.appendingPathComponent("calendar-2019.json")))
        return HistoryGenerator(reference: ReferenceCase.langSon2019.scaled(toEvents: events), calendar: calendar, seed: seed).generate()
    }

    private func start(_ arguments: [String], output: FileHandle? = nil) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func readersDuringAnImportSeeOnlyWholeBatchesAndGrowingPositions() throws {
        let directory = try TemporaryDirectory("concurrent")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let writer = try start(["import", "--ledger", ledger, try input(directory, lines: 8000), "--quiet", "--batch-events", "250"])
        let batchEnds = importBatchEnds(lines: 8000, batchEvents: 250).union([0])
        var snapshots = 0
        var lastPosition = 0
        var lastReplayed = 0
        repeat {
            let stats = try dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-12-31", "--format", "json"])
            #expect(stats.status == 0, "\(stats.stderr)")
            let report = try json(stats.stdout)
            let total = report["total"] as? NSDictionary ?? [:]
            func count(_ key: String) -> Int { total[key] as? Int ?? -1 }
            #expect(count("received") == count("returned") + count("inProgress") + count("withdrawn"))
            #expect(count("onTime") + count("late") == count("returned"))
            let departments = report["departments"] as? [NSDictionary] ?? []
            #expect(departments.reduce(0) { $0 + ($1["received"] as? Int ?? 0) } == count("received"))
            let position = (report["ledger"] as? NSDictionary)?["position"] as? Int ?? 0
            #expect(position >= lastPosition, "positions went back")
            #expect(batchEnds.contains(position - 1), "a snapshot holds part of a batch: position \(position)")
            lastPosition = position
            let replay = try dossierLedger(["replay", "--ledger", ledger])
            let replayed = replay.stdout.split(separator: "\n").count
            #expect(replay.status == 0 && replayed >= lastReplayed && batchEnds.contains(replayed))
            lastReplayed = replayed
            snapshots += 1
        } while writer.isRunning
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(snapshots >= 2)
        #expect(try dossierLedger(["verify", "--ledger", ledger]).status == 0)
    }

    @Test func streamReadsInOneProcessFollowAppendsAndIndexMergesByAnother() throws {
        let directory = try TemporaryDirectory("concurrent")
        let path = directory.child("ledger")
        // More events than the in-memory stream tail holds, so that the importing process
        // merges it into the stream-event index while this one holds its own copy.
        let history = try generatedHistory(events: 300_000, seed: 7)
        let first = 100_000
        #expect(history.events.count > Limits.streamTailEventsMax && first < Limits.streamTailEventsMax)
        let halves = [history.events[..<first], history.events[first...]]
        let files = try halves.enumerated().map { index, events in
            let file = directory.child("part\(index).jsonl")
            try (events.map { Interchange.format($0, id: nil) }.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        // Dossiers with events in both parts.
        let early = Set(halves[0].map(\.dossier)), late = Set(halves[1].map(\.dossier))
        let sample = Array(early.intersection(late).sorted().prefix(40))
        #expect(sample.count == 40)
        func expected(_ dossier: DossierID, through count: Int) -> [DossierEvent] {
            history.events[..<count].filter { $0.dossier == dossier }
        }
        #expect(try dossierLedger(["init", "--ledger", path]).status == 0)
        #expect(try dossierLedger(["import", "--ledger", path, files[0], "--quiet"]).status == 0)
        var options = LedgerOptions()
        options.readOnly = true
        let reader = try DossierLedger.open(at: path, options: options)
        for dossier in sample {
            #expect(try reader.history(of: dossier).map(\.event.event) == expected(dossier, through: first))
        }
        let importer = try start(["import", "--ledger", path, files[1], "--quiet", "--batch-events", "25000"])
        var rounds = 0
        repeat {
            // While the other process appends: each read is one snapshot, a prefix of the dossier's events.
            for dossier in sample.prefix(5) {
                let seen = try reader.history(of: dossier).map(\.event.event)
                #expect(seen == Array(expected(dossier, through: history.events.count).prefix(seen.count)))
            }
            rounds += 1
        } while importer.isRunning
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0 && rounds >= 1)
        for dossier in sample {
            let all = expected(dossier, through: history.events.count)
            #expect(try reader.history(of: dossier).map(\.event.event) == all)
            #expect(try reader.ledger.streamVersion(of: dossier.rawValue) == UInt64(all.count))
        }
        #expect(try dossierLedger(["verify", "--ledger", path]).status == 0)
    }

    @Test func aWriterForgetsTheStreamVersionsItKnewWhenAnotherProcessMergesTheIndex() throws {
        let directory = try TemporaryDirectory("concurrent")
        let path = directory.child("ledger")
        let history = try generatedHistory(events: 290_000, seed: 11)
        // This process appends the first events, merging its small tail often, so that it
        // knows the indexed versions of the dossiers it merged. The other process appends the
        // rest, more events than its tail holds, and so merges them into the index, except the
        // last event of a sample of those dossiers: this process appends those at the end.
        let first = 20_000
        let early = Set(history.events[..<first].map(\.dossier))
        let later = history.events[first...].filter { early.contains($0.dossier) }
        let sample = Set(Set(later.map(\.dossier)).sorted().prefix(30))
        var heldBack: [Int] = []
        for index in history.events.indices.dropFirst(first) where sample.contains(history.events[index].dossier) {
            if let last = heldBack.lastIndex(where: { history.events[$0].dossier == history.events[index].dossier }) { heldBack.remove(at: last) }
            heldBack.append(index)
        }
        let held = Set(heldBack)
        let middle = history.events.indices.dropFirst(first).filter { !held.contains($0) }.map { history.events[$0] }
        #expect(sample.count == 30 && middle.count > Limits.streamTailEventsMax)
        let file = directory.child("middle.jsonl")
        try (middle.map { Interchange.format($0, id: nil) }.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)

        var options = LedgerOptions()
        options.streamTailEventsMax = 1_000
        let writer = try DossierLedger.create(at: path, options: options)
        func submitAll(_ events: [DossierEvent]) throws -> Bool {
            try writer.submit(events.map { InterchangeEvent(id: Interchange.derivedID(for: $0), event: $0) })
                .allSatisfy { if case .accepted = $0 { true } else { false } }
        }
        for start in stride(from: 0, to: first, by: 2_000) {
            #expect(try submitAll(Array(history.events[start..<min(start + 2_000, first)])))
        }
        #expect(try dossierLedger(["import", "--ledger", path, file, "--quiet"]).status == 0)
        #expect(try submitAll(heldBack.sorted().map { history.events[$0] }))
        for dossier in sample.sorted() {
            let all = history.events.filter { $0.dossier == dossier }
            #expect(try writer.ledger.streamVersion(of: dossier.rawValue) == UInt64(all.count))
            #expect(try writer.history(of: dossier).map(\.event.event) == all)
        }
        #expect(try dossierLedger(["verify", "--ledger", path]).status == 0)
    }

    @Test func twoImportersOfTheSameFileAtOnceEqualOneImport() throws {
        let directory = try TemporaryDirectory("concurrent")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        let file = try input(directory, lines: 5000)
        let first = try start(["import", "--ledger", ledger, file, "--quiet", "--batch-events", "300"])
        let second = try start(["import", "--ledger", ledger, file, "--quiet", "--batch-events", "300"])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(try dossierLedger(["digest", "--ledger", ledger]).stdout.hasSuffix("@5001\n"))
        #expect(try dossierLedger(["verify", "--ledger", ledger]).status == 0)
        let single = directory.child("single")
        #expect(try dossierLedger(["init", "--ledger", single]).status == 0)
        #expect(try dossierLedger(["import", "--ledger", single, file]).status == 0)
        let both = try json(dossierLedger(["stats", "--ledger", ledger, "--as-of", "2019-12-31", "--format", "json"]).stdout)
        let one = try json(dossierLedger(["stats", "--ledger", single, "--as-of", "2019-12-31", "--format", "json"]).stdout)
        #expect(both["departments"] as? NSArray == one["departments"] as? NSArray)
    }

    @Test func aReaderHoldingALongSnapshotDoesNotMakeTheWriterFail() throws {
        let directory = try TemporaryDirectory("concurrent")
        let ledger = directory.child("ledger")
        #expect(try dossierLedger(["init", "--ledger", ledger]).status == 0)
        #expect(try dossierLedger(["import", "--ledger", ledger, try input(directory, lines: 3000)]).status == 0)
        // The replay's standard output is a pipe nobody reads yet: it blocks mid-scan, inside its
        // read transaction, for as long as the writer works.
        let pipe = Pipe()
        let reader = try start(["replay", "--ledger", ledger], output: pipe.fileHandleForWriting)
        usleep(300_000)
        #expect(reader.isRunning)
        let more = directory.child("more.jsonl")
        let rest = try String(contentsOf: fixture.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n").dropFirst(3000).prefix(6000)
        try (rest.joined(separator: "\n") + "\n").write(toFile: more, atomically: true, encoding: .utf8)
        let written = try dossierLedger(["import", "--ledger", ledger, more, "--batch-events", "200"])
        #expect(written.status == 0, "\(written.stderr)")
        try pipe.fileHandleForWriting.close()
        let replayed = pipe.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        #expect(reader.terminationStatus == 0)
        // The reader saw its snapshot: the first 3000 events, not the ones written meanwhile.
        #expect(replayed.split(separator: UInt8(ascii: "\n")).count == 3000)
        #expect(try dossierLedger(["digest", "--ledger", ledger]).stdout.hasSuffix("@9001\n"))
    }
}
