import Foundation
import LedgerLMDB
import Synchronization
import TestSupport
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func key(_ number: UInt64) -> [UInt8] { withUnsafeBytes(of: number.bigEndian) { Array($0) } }

private func open(_ directory: TemporaryDirectory, _ configure: (inout Environment.Options) -> Void = { _ in }) throws -> (Environment, Database) {
    var options = Environment.Options()
    options.syncOnCommit = false
    configure(&options)
    let environment = try Environment(path: directory.path, options: options)
    return (environment, try environment.database(named: "main", create: true))
}

/// The keys (as numbers, in key order) whose value is `value`.
private func keys(storing value: [UInt8], in database: Database, of environment: Environment) throws -> [UInt64] {
    try environment.read { txn in
        try txn.withCursor(in: database) { cursor in
            var keys: [UInt64] = []
            var more = try cursor.first()
            while more {
                cursor.withEntry { key, stored in
                    if stored.withUnsafeBytes({ Array($0) }) == value { keys.append(key.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }) }
                }
                more = try cursor.next()
            }
            return keys
        }
    }
}

@Suite struct EnvironmentTests {
    @Test func putThenGetReturnsTheValueAndDeleteRemovesIt() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory)
        try environment.write { txn in
            try txn.put(bytes("one").span.bytes, for: bytes("a").span.bytes, in: main)
            try txn.put(bytes("two").span.bytes, for: bytes("b").span.bytes, in: main)
        }
        #expect(try environment.read { try $0.value(for: bytes("a").span.bytes, in: main) } == bytes("one"))
        #expect(try environment.read { try $0.value(for: bytes("z").span.bytes, in: main) } == nil)
        let removed = try environment.write { try $0.delete(bytes("a").span.bytes, in: main) }
        let removedAgain = try environment.write { try $0.delete(bytes("a").span.bytes, in: main) }
        #expect(removed && !removedAgain)
        #expect(try environment.read { try $0.statistics(of: main).entries } == 1)
    }

    @Test func databaseNamesListsTheNamedDatabasesInByteOrder() throws {
        let directory = try TemporaryDirectory()
        let (environment, _) = try open(directory)
        _ = try environment.database(named: "zeta", create: true)
        _ = try environment.database(named: "alpha.beta", create: true)
        #expect(try environment.databaseNames() == ["alpha.beta", "main", "zeta"])
    }

    @Test func aBodyThatThrowsLeavesNothingWritten() throws {
        struct Stop: Error {}
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory)
        #expect(throws: Stop.self) {
            try environment.write { txn in
                try txn.put(bytes("v").span.bytes, for: bytes("k").span.bytes, in: main)
                throw Stop()
            }
        }
        #expect(try environment.read { try $0.statistics(of: main).entries } == 0)
    }

    @Test func noOverwriteAndOutOfOrderAppendThrowKeyExists() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory)
        try environment.write { txn in try txn.put(bytes("1").span.bytes, for: key(5).span.bytes, in: main, options: .append) }
        #expect(throws: LMDBError.keyExists) {
            try environment.write { txn in try txn.put(bytes("2").span.bytes, for: key(5).span.bytes, in: main, options: .noOverwrite) }
        }
        #expect(throws: LMDBError.keyExists) {
            try environment.write { txn in try txn.put(bytes("3").span.bytes, for: key(4).span.bytes, in: main, options: .append) }
        }
        #expect(try environment.read { try $0.value(for: key(5).span.bytes, in: main) } == bytes("1"))
    }

    @Test func insertStoresOnlyAbsentKeysAndHandsBackTheStoredValue() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory)
        let outcomes = try environment.write { txn in
            [
                try txn.insert(bytes("first").span.bytes, for: key(7).span.bytes, in: main) { $0.withUnsafeBytes { Array($0) } },
                try txn.insert(bytes("second").span.bytes, for: key(7).span.bytes, in: main) { $0.withUnsafeBytes { Array($0) } },
                try txn.insert(bytes("other").span.bytes, for: key(8).span.bytes, in: main) { $0.withUnsafeBytes { Array($0) } },
            ]
        }
        #expect(outcomes == [nil, bytes("first"), nil])
        #expect(try environment.read { try $0.value(for: key(7).span.bytes, in: main) } == bytes("first"))
        #expect(try environment.read { try $0.statistics(of: main).entries } == 2)
    }

    /// Keys inserted through a cursor, most at the end and some a little out of order, in a
    /// map that starts too small: every key is stored once with its value, a key already there
    /// hands back its value, and an out-of-order key "at the end" is refused without a change.
    @Test func anInsertingCursorStoresKeysAtTheEndAndJustBeforeIt() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        let other = try environment.database(named: "other", create: true)
        let value = [UInt8](repeating: 7, count: 100)
        let found = try environment.write { txn in
            try txn.withInsertingCursor(in: main) { txn, cursor -> [[UInt8]?] in
                var found: [[UInt8]?] = []
                // Odd keys at the end, each followed by the even key just before it.
                for number in stride(from: UInt64(1), to: 6_000, by: 2) {
                    found.append(try cursor.insert(value.span.bytes, for: key(number).span.bytes, atEnd: true) { $0.withUnsafeBytes { Array($0) } })
                    found.append(try cursor.insert(value.span.bytes, for: key(number - 1).span.bytes) { $0.withUnsafeBytes { Array($0) } })
                }
                try txn.put(value.span.bytes, for: key(1).span.bytes, in: other)
                #expect(throws: LMDBError.keyExists) {
                    try cursor.insert(value.span.bytes, for: key(10).span.bytes, atEnd: true) { $0.withUnsafeBytes { Array($0) } }
                }
                found.append(try cursor.insert(key(10).span.bytes, for: key(10).span.bytes) { $0.withUnsafeBytes { Array($0) } })
                return found
            }
        }
        #expect(found.dropLast().allSatisfy { $0 == nil })
        #expect(found.last == value)
        #expect(try keys(storing: value, in: main, of: environment) == Array(0..<6_000))
        #expect(try environment.read { try $0.statistics(of: other).entries } == 1)
        #expect(environment.mapSizeBytes > 64 * 1024)
        #expect(try environment.read { try $0.statistics(of: main).depth } > 1)
    }

    /// Three inserting cursors lent at once each write to their own database, in the order
    /// given, and a full map met through any of them grows the map.
    @Test func threeInsertingCursorsWriteEachToItsOwnDatabase() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        let (second, third) = (try environment.database(named: "second", create: true), try environment.database(named: "third", create: true))
        let value = [UInt8](repeating: 9, count: 100)
        try environment.write { txn in
            try txn.withInsertingCursors(in: main, second, third) { txn, first, middle, last in
                for number in UInt64(0)..<3_000 {
                    try first.put(value.span.bytes, for: key(number).span.bytes, atEnd: true)
                    if number % 2 == 0 { try middle.put(value.span.bytes, for: key(number).span.bytes, atEnd: true) }
                    if number % 3 == 0 { try last.put(value.span.bytes, for: key(number).span.bytes, atEnd: true) }
                }
                try txn.put(value.span.bytes, for: key(1).span.bytes, in: third)
            }
        }
        #expect(try keys(storing: value, in: main, of: environment) == Array(0..<3_000))
        #expect(try keys(storing: value, in: second, of: environment) == Array(stride(from: 0, to: 3_000, by: 2)))
        #expect(try keys(storing: value, in: third, of: environment) == ([1] + Array(stride(from: UInt64(0), to: 3_000, by: 3))).sorted())
        #expect(environment.mapSizeBytes > 64 * 1024)
    }

    /// An inserting cursor replaces and removes the entries it finds, in key order over many
    /// pages, and puts keys after the end there; a read transaction's cursor cannot remove
    /// anything.
    @Test func anInsertingCursorReplacesAndRemovesTheEntriesItFinds() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        let (old, new) = ([UInt8](repeating: 7, count: 100), [UInt8](repeating: 8, count: 100))
        try environment.write { txn in
            for number in UInt64(0)..<3_000 { try txn.put(old.span.bytes, for: key(number).span.bytes, in: main) }
        }
        let (replaced, removed) = try environment.write { txn in
            try txn.withInsertingCursor(in: main) { _, cursor -> (Int, Int) in
                var (replaced, removed) = (0, 0)
                // Every third key removed, the others read and replaced; keys past 3,000 are not there.
                for number in UInt64(0)..<3_100 where try cursor.seek(to: key(number).span.bytes) {
                    if number % 3 == 0 {
                        try cursor.delete()
                        removed += 1
                    } else {
                        #expect(cursor.withValue { $0.withUnsafeBytes { Array($0) } } == old)
                        try cursor.put(new.span.bytes, for: key(number).span.bytes)
                        replaced += 1
                    }
                }
                try cursor.put(new.span.bytes, for: key(5_000).span.bytes, atEnd: true)
                #expect(throws: LMDBError.keyExists) { try cursor.put(new.span.bytes, for: key(4_000).span.bytes, atEnd: true) }
                return (replaced, removed)
            }
        }
        #expect(replaced == 2_000 && removed == 1_000)
        #expect(try keys(storing: new, in: main, of: environment) == (0..<3_000).filter { $0 % 3 != 0 } + [5_000])
        #expect(throws: LMDBError.self) {
            try environment.read { txn in
                try txn.withCursor(in: main) { cursor in
                    _ = try cursor.first()
                    try cursor.delete()
                }
            }
        }
        #expect(try environment.read { try $0.statistics(of: main).entries } == 2_001)
    }

    /// A body that swallows an inserting cursor's "map full" still gets the map grown and
    /// itself run again, as with the transaction's own puts: the cursor reports it.
    @Test func aFullMapMetThroughACursorGrowsTheMapEvenWhenTheBodyIgnoresIt() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        let value = [UInt8](repeating: 7, count: 1000)
        try environment.write { txn in
            try txn.withInsertingCursor(in: main) { _, cursor in
                for number: UInt64 in 0..<500 {
                    _ = try? cursor.insert(value.span.bytes, for: key(number).span.bytes, atEnd: true) { _ in () }
                }
            }
        }
        #expect(try environment.read { try $0.statistics(of: main).entries } == 500)
    }

    @Test func lastKeyIsTheGreatestOrNilWhenEmpty() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory)
        #expect(try environment.read { try $0.withLastKey(in: main) { $0.byteCount } } == nil)
        try environment.write { txn in
            for number: UInt64 in [30, 10, 20] { try txn.put(key(number).span.bytes, for: key(number).span.bytes, in: main) }
        }
        #expect(try environment.read { try $0.withLastKey(in: main) { $0.withUnsafeBytes { Array($0) } } } == key(30))
    }

    @Test func cursorWalksKeysInOrderBothWaysAndSeeks() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory)
        try environment.write { txn in
            for number: UInt64 in [30, 10, 20] { try txn.put(key(number).span.bytes, for: key(number).span.bytes, in: main) }
        }
        func number(_ cursor: borrowing Cursor) -> UInt64 { cursor.withKey { UInt64(bigEndian: $0.unsafeLoadUnaligned(as: UInt64.self)) } }
        let walk = try environment.read { txn in
            try txn.withCursor(in: main) { cursor in
                var forward: [UInt64] = []
                var found = try cursor.first()
                while found { forward.append(number(cursor)); found = try cursor.next() }
                var backward: [UInt64] = []
                found = try cursor.last()
                while found { backward.append(number(cursor)); found = try cursor.previous() }
                let seekFound = try cursor.seek(atLeast: key(15).span.bytes)
                let seeked = number(cursor)
                let exact = try cursor.seek(to: key(15).span.bytes)
                let pastEnd = try cursor.seek(atLeast: key(31).span.bytes)
                return (forward, backward, seekFound, seeked, exact, pastEnd)
            }
        }
        #expect(walk.0 == [10, 20, 30])
        #expect(walk.1 == [30, 20, 10])
        #expect(walk.2 && walk.3 == 20)
        #expect(!walk.4 && !walk.5)
    }

    @Test func theMapGrowsFromATinyInitialSizeAndKeepsEveryValue() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        let initial = environment.mapSizeBytes
        let value = [UInt8](repeating: 7, count: 1000)
        for batch in 0..<10 {
            try environment.write { txn in
                for index in 0..<500 { try txn.put(value.span.bytes, for: key(UInt64(batch * 500 + index)).span.bytes, in: main) }
            }
        }
        #expect(environment.mapSizeBytes > initial)
        #expect(try environment.read { try $0.statistics(of: main).entries } == 5000)
    }

    /// LMDB maps an existing file no larger than its data when the configured map is smaller:
    /// the first write past the end would fill the map, and run again after a resize that waits
    /// for every other transaction of the process. A writer maps twice the data instead, within
    /// the ceiling.
    @Test func anEnvironmentOpenedForWritingMapsTwiceItsData() throws {
        let directory = try TemporaryDirectory()
        let value = [UInt8](repeating: 3, count: 1000)
        func write(_ count: Int, from first: Int, in environment: Environment, _ main: Database) throws {
            try environment.write { txn in
                for index in first..<(first + count) { try txn.put(value.span.bytes, for: key(UInt64(index)).span.bytes, in: main) }
            }
        }
        do {
            let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
            try write(4000, from: 0, in: environment, main)
        }
        let dataBytes = try #require(FileManager.default.attributesOfItem(atPath: directory.path + "/data.mdb")[.size] as? Int)
        #expect(dataBytes > 4_000_000)
        do {
            let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
            let mapped = environment.mapSizeBytes
            #expect(mapped >= 2 * dataBytes)
            // Writing less than the data already there needs no growth.
            try write(1500, from: 4000, in: environment, main)
            #expect(environment.mapSizeBytes == mapped)
        }
        do {
            let (environment, _) = try open(directory) { $0.mapSizeBytes = 64 * 1024; $0.mapSizeBytesMax = dataBytes * 3 / 2 }
            #expect(environment.mapSizeBytes == dataBytes * 3 / 2)
        }
    }

    @Test func growthThatWouldWaitForItsOwnThreadFailsInsteadOfHanging() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        let value = [UInt8](repeating: 1, count: 4000)
        #expect(throws: LMDBError.mapFull) {
            try environment.read { _ in
                try environment.write { txn in
                    for index in 0..<200 { try txn.put(value.span.bytes, for: key(UInt64(index)).span.bytes, in: main) }
                }
            }
        }
        #expect(try environment.read { try $0.statistics(of: main).entries } == 0)
    }

    /// A fold's reading thread begins its transaction while a resize waits for the fold's own
    /// transaction to end: were it to wait for the resize, it would wait forever, since the fold
    /// waits for it.
    @Test func aNestedReadBeginsWhileAResizeWaitsForTheTransactionItIsNestedIn() throws {
        let directory = try TemporaryDirectory()
        let (environment, main) = try open(directory) { $0.mapSizeBytes = 64 * 1024 }
        try environment.write { try $0.put(bytes("v").span.bytes, for: bytes("k").span.bytes, in: main) }
        let value = [UInt8](repeating: 1, count: 4000)
        let grown = DispatchSemaphore(value: 0), helped = DispatchSemaphore(value: 0)
        let seen = Mutex<[UInt8]?>(nil)
        try environment.read { _ in
            // Another thread's write fills the map; the map cannot grow before this read ends.
            DispatchQueue.global().async {
                _ = try? environment.write { txn in
                    for index in 0..<200 { try txn.put(value.span.bytes, for: key(UInt64(index)).span.bytes, in: main) }
                }
                grown.signal()
            }
            #expect(grown.wait(timeout: .now() + 0.5) == .timedOut)
            DispatchQueue.global().async {
                let value = try? environment.readNested { try $0.value(for: bytes("k").span.bytes, in: main) }
                seen.withLock { $0 = value ?? nil }
                helped.signal()
            }
            #expect(helped.wait(timeout: .now() + 10) == .success)
        }
        #expect(seen.withLock { $0 } == bytes("v"))
        #expect(grown.wait(timeout: .now() + 10) == .success)
        #expect(try environment.read { try $0.statistics(of: main).entries } == 201)
    }

    @Test func aReadOnlyEnvironmentRefusesWritesAndSeesTheData() throws {
        let directory = try TemporaryDirectory()
        do {
            let (environment, main) = try open(directory)
            try environment.write { try $0.put(bytes("v").span.bytes, for: bytes("k").span.bytes, in: main) }
        }
        let reader = try Environment(path: directory.path, options: { var o = Environment.Options(); o.readOnly = true; return o }())
        let main = try reader.database(named: "main")
        #expect(try reader.read { try $0.value(for: bytes("k").span.bytes, in: main) } == bytes("v"))
        #expect(throws: LMDBError(code: EACCES)) {
            try reader.write { try $0.put(bytes("w").span.bytes, for: bytes("k").span.bytes, in: main) }
        }
        #expect(throws: LMDBError.notFound) { try reader.database(named: "absent") }
    }

    @Test func theSameDirectoryCannotBeOpenedTwiceInOneProcess() throws {
        let directory = try TemporaryDirectory()
        let (environment, _) = try open(directory)
        #expect(throws: LMDBError(code: EBUSY)) { try Environment(path: directory.path) }
        withExtendedLifetime(environment) {}
    }

    @Test func openingAMissingDirectoryOrAFileFailsWithErrno() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: LMDBError(code: ENOENT)) { try Environment(path: directory.child("absent")) }
        _ = FileManager.default.createFile(atPath: directory.child("file"), contents: Data("x".utf8))
        #expect(throws: LMDBError(code: ENOTDIR)) { try Environment(path: directory.child("file")) }
    }

    @Test func filesArePrivateToTheirOwnerByDefault() throws {
        let directory = try TemporaryDirectory()
        let (environment, _) = try open(directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.child("data.mdb"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        withExtendedLifetime(environment) {}
    }

    @Test func errorsMatchByCodeAndDescribeThemselves() {
        let error = LMDBError(code: LMDBError.mapFull.code, context: "put into events")
        #expect(error == LMDBError.mapFull)
        #expect(error.description.contains("put into events"))
        #expect(error.description.contains("MDB_MAP_FULL"))
    }
}
