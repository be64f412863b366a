import LedgerLMDB
import TestSupport
import Testing

/// Transactions are begun and ended on whatever thread a task runs on (MDB_NOTLS); these tests
/// run readers in many tasks while a writer commits, and grow the map under them.
@Suite struct ConcurrencyTests {
    private static func pair(_ environment: Environment, _ main: Database) throws -> (UInt64, UInt64) {
        try environment.read { txn in
            let a = try txn.withValue(for: Array("a".utf8).span.bytes, in: main) { $0.unsafeLoadUnaligned(as: UInt64.self) }
            let b = try txn.withValue(for: Array("b".utf8).span.bytes, in: main) { $0.unsafeLoadUnaligned(as: UInt64.self) }
            return (a ?? 0, b ?? 0)
        }
    }

    @Test func readersInManyTasksAlwaysSeeWholeCommitsWhileTheMapGrows() async throws {
        let directory = try TemporaryDirectory()
        var options = Environment.Options()
        options.syncOnCommit = false
        options.mapSizeBytes = 64 * 1024
        let environment = try Environment(path: directory.path, options: options)
        let main = try environment.database(named: "main", create: true)
        let commits: UInt64 = 300
        let filler = [UInt8](repeating: 9, count: 2000)

        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for value in 1...commits {
                    try environment.write { txn in
                        // Both keys change in one commit; the filler makes the map grow several times.
                        try withUnsafeBytes(of: value) { bytes in
                            try txn.put(bytes.bytes, for: Array("a".utf8).span.bytes, in: main)
                            try txn.put(bytes.bytes, for: Array("b".utf8).span.bytes, in: main)
                        }
                        try withUnsafeBytes(of: value.bigEndian) { try txn.put(filler.span.bytes, for: $0.bytes, in: main) }
                    }
                    if value % 16 == 0 { await Task.yield() }
                }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var reads = 0
                    var last: UInt64 = 0
                    while last < commits {
                        let (a, b) = try Self.pair(environment, main)
                        #expect(a == b, "a snapshot showed half a commit")
                        #expect(a >= last, "a later snapshot went back in time")
                        last = a
                        reads += 1
                        await Task.yield()
                    }
                    return reads
                }
            }
            for try await _ in group {}
        }
        #expect(environment.mapSizeBytes > 64 * 1024)
        #expect(try Self.pair(environment, main) == (commits, commits))
    }
}
