import EventLedger
import LedgerLMDB
import TestSupport
import Testing

/// Counts events per type: the smallest projection that shows what the ledger guarantees.
private struct TypeCounts: Projection {
    var name = "typeCounts"
    var version: UInt32 = 1
    var tables = ["counts"]
    /// The table the counts go to.
    var table: String { tables[0] }

    func makeBatch() -> [String: Int] { [:] }

    func decode(_ record: borrowing EventRecord, into types: inout [String]) throws {
        types.append(record.type)
    }

    func apply(_ types: [String], to batch: inout [String: Int], store: borrowing ProjectionStore) throws {
        for type in types { batch[type, default: 0] += 1 }
    }

    func flush(_ batch: inout [String: Int], into store: inout ProjectionStore) throws {
        for (type, added) in batch {
            let key = Array(type.utf8)
            let count = try store.value(for: key, in: table).map { Int($0.first ?? 0) } ?? 0
            try store.put([UInt8(count + added)], for: key, in: table)
        }
    }

    func counts(_ store: borrowing ProjectionStore) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try store.forEach(in: table, from: [0], upTo: [0xFF]) { key, value in
            counts[key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }] = value.byteCount > 0 ? Int(value.unsafeLoadUnaligned(as: UInt8.self)) : 0
        }
        return counts
    }
}

@Suite struct ProjectionTests {
    @Test func aNewVersionWithOtherTablesEmptiesTheTablesItNoLongerLists() throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        func entries(_ table: String) throws -> Int {
            let environment = try Environment(path: path)
            let database = try environment.database(named: "typeCounts." + table)
            return try environment.read { try $0.statistics(of: database).entries }
        }
        do {
            let ledger = try makeLedger(directory)
            try ledger.append([event("1", "a"), event("2", "b")], to: "S")
            try ledger.catchUp(TypeCounts())
        }
        #expect(try entries("counts") == 2)
        // A read-only open leaves the stored tables as they are.
        do {
            let reader = try Ledger.open(at: path, options: testOptions { $0.readOnly = true })
            #expect(try reader.read(TypeCounts(version: 2, tables: ["tally"])) { store, _ in try TypeCounts(version: 2, tables: ["tally"]).counts(store) } == ["a": 1, "b": 1])
        }
        #expect(try entries("counts") == 2)
        do {
            let ledger = try Ledger.open(at: path, options: testOptions())
            let renamed = TypeCounts(version: 2, tables: ["tally"])
            try ledger.catchUp(renamed)
            #expect(try ledger.read(renamed) { store, _ in try renamed.counts(store) } == ["a": 1, "b": 1])
        }
        #expect(try entries("counts") == 0)
        #expect(try entries("tally") == 2)
    }

    @Test func catchUpFoldsEachEventOnceAndStoresTheCheckpointWithTheState() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let projection = TypeCounts()
        try ledger.append([event("1", "a"), event("2", "b")], to: "S")
        #expect(try ledger.checkpoint(of: projection) == 0)
        #expect(try ledger.catchUp(projection) == 2)
        #expect(try ledger.catchUp(projection) == 2)
        try ledger.append([event("3", "a")], to: "S")
        let (lagging, status) = try ledger.read(projection) { store, status in (try projection.counts(store), status) }
        #expect(lagging == ["a": 2, "b": 1])
        #expect(status.checkpoint == 2 && status.head.position == 3)
        #expect(try ledger.catchUp(projection) == 3)
        #expect(try ledger.read(projection) { store, _ in try projection.counts(store) } == ["a": 2, "b": 1])
        #expect(try ledger.rebuild(projection) == 3)
        #expect(try ledger.read(projection) { store, _ in try projection.counts(store) } == ["a": 2, "b": 1])
    }

    @Test func aStateStoredByAnotherVersionIsRebuiltNotTrusted() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        try ledger.append([event("1", "a")], to: "S")
        try ledger.catchUp(TypeCounts())
        var next = TypeCounts()
        next.version = 2
        #expect(try ledger.checkpoint(of: next) == 0)
        #expect(try ledger.catchUp(next) == 1)
        #expect(try ledger.read(next) { store, _ in try next.counts(store) } == ["a": 1])
    }

    @Test func anAppendUpdatingAProjectionCommitsBothOrNeither() throws {
        struct Refuse: Error {}
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        let projection = TypeCounts()
        let outcome = try ledger.append(updating: projection) { store in
            ([StreamAppend(stream: "S", events: [event("1", "a")])], try projection.counts(store).count)
        }
        #expect(outcome.extra == 0 && outcome.head.position == 1)
        #expect(try ledger.checkpoint(of: projection) == 1)
        #expect(throws: Refuse.self) {
            try ledger.append(updating: projection) { _ -> (batch: [StreamAppend], extra: Void) in throw Refuse() }
        }
        #expect(throws: LedgerError.self) {
            try ledger.append(updating: projection) { _ in ([StreamAppend(stream: "S", expected: .noStream, events: [event("2", "a")])], ()) }
        }
        #expect(try ledger.head().position == 1 && ledger.checkpoint(of: projection) == 1)
        #expect(try ledger.read(projection) { store, _ in try projection.counts(store) } == ["a": 1])
    }
}
