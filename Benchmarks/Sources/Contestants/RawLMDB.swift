import CBenchLMDB
import Foundation

/// The physical limit: the same record bytes written to and scanned from LMDB through its C
/// API, with nothing else — no hashing, no indexes, no Swift wrapper.
public final class RawLMDB {
    private var environment: OpaquePointer?
    private var database: MDB_dbi = 0

    /// Opens (creating) an environment in `path` with durable commits.
    public init(path: String) throws {
        try check(mdb_env_create(&environment))
        try check(mdb_env_set_mapsize(environment, 64 << 30))
        try check(mdb_env_open(environment, path, UInt32(MDB_NOTLS), 0o600))
        var txn: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, 0, &txn))
        try check(mdb_dbi_open(txn, nil, 0, &database))
        try check(mdb_txn_commit(txn))
    }

    deinit { mdb_env_close(environment) }

    /// Appends records at consecutive positions from `first`, in one durable transaction.
    public func append(_ records: [[UInt8]], from first: UInt64) throws {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, 0, &txn))
        for (offset, record) in records.enumerated() {
            var key = (first + UInt64(offset)).bigEndian
            try withUnsafeMutableBytes(of: &key) { keyBytes in
                try record.withUnsafeBytes { valueBytes in
                    var k = MDB_val(mv_size: 8, mv_data: keyBytes.baseAddress)
                    var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                    try check(mdb_put(txn, database, &k, &v, UInt32(MDB_APPEND)))
                }
            }
        }
        try check(mdb_txn_commit(txn))
    }

    /// Reads every record once, touching its bytes; returns how many there were.
    @discardableResult
    public func scan() throws -> Int {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &txn))
        defer { mdb_txn_abort(txn) }
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(txn, database, &cursor))
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val(), value = MDB_val()
        var count = 0, checksum = 0
        var operation = MDB_FIRST
        while mdb_cursor_get(cursor, &key, &value, operation) == 0 {
            let bytes = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
            checksum &+= Int(bytes[0]) &+ Int(bytes[bytes.count - 1]) &+ bytes.count
            count += 1
            operation = MDB_NEXT
        }
        precondition(checksum != 42, "keeps the scan from being optimised away")
        return count
    }

    private func check(_ code: Int32) throws {
        if code != 0 { throw BenchmarkError("LMDB: \(String(cString: mdb_strerror(code)))") }
    }
}
