import CLedgerLMDB

/// What a ``Transaction`` may do: ``ReadOnlyAccess`` or ``ReadWriteAccess``.
/// The access is part of the transaction's type, so code holding a read transaction cannot write.
public protocol TransactionAccess {}

/// The access of a read-only transaction (`MDB_RDONLY`).
public enum ReadOnlyAccess: TransactionAccess {}

/// The access of a write transaction, which can also do every read.
public enum ReadWriteAccess: TransactionAccess {}

/// A read-only transaction: a consistent snapshot. See ``Environment/read(_:)``.
public typealias ReadTransaction = Transaction<ReadOnlyAccess>

/// A write transaction. See ``Environment/write(_:)``.
public typealias WriteTransaction = Transaction<ReadWriteAccess>

/// An LMDB transaction, lent to a closure by ``Environment/read(_:)`` or ``Environment/write(_:)``.
/// The corresponding C type is `MDB_txn`.
///
/// It cannot be copied or kept: it exists only for the duration of the closure, and so do the
/// byte views (`RawSpan`) it hands out, which point straight into the memory map (zero-copy).
public struct Transaction<Access: TransactionAccess>: ~Copyable {
    let pointer: OpaquePointer
    /// Set when a put failed with `MDB_MAP_FULL`, so the environment grows the map and retries
    /// even if the body caught the error.
    var hitMapFull = false

    init(pointer: OpaquePointer) { self.pointer = pointer }

    /// Calls `body` with the value stored for `key`, or returns `nil` when there is none.
    /// The view points into the map and is valid only inside `body`.
    public func withValue<R>(for key: RawSpan, in database: Database, _ body: (RawSpan) throws -> R) throws -> R? {
        var found = MDB_val()
        let code = key.withUnsafeBytes { keyBytes in
            var keyValue = MDB_val(bytes: keyBytes)
            return mdb_get(pointer, database.handle, &keyValue, &found)
        }
        if code == MDB_NOTFOUND { return nil }
        try check(code, "get from \(database.name)")
        return try found.withSpan(body)
    }

    /// A copy of the value stored for `key`, or `nil` when there is none.
    public func value(for key: RawSpan, in database: Database) throws -> [UInt8]? {
        try withValue(for: key, in: database) { Array(span: $0) }
    }

    /// Runs `body` with a cursor over `database`; the cursor is closed when `body` returns.
    public func withCursor<R>(in database: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        var opened: OpaquePointer?
        try check(mdb_cursor_open(pointer, database.handle, &opened), "open cursor on \(database.name)")
        guard let opened else { throw LMDBError(code: MDB_BAD_TXN, context: "open cursor on \(database.name)") }
        defer { mdb_cursor_close(opened) }
        var cursor = Cursor(pointer: opened, database: database)
        return try body(&cursor)
    }

    /// Calls `body` with the greatest key of `database`, or returns `nil` when it is empty.
    /// The view points into the map and is valid only inside `body`.
    public func withLastKey<R>(in database: Database, _ body: (RawSpan) throws -> R) throws -> R? {
        try withCursor(in: database) { cursor in try cursor.last() ? cursor.withKey(body) : nil }
    }

    /// The database's statistics, including its number of entries. The corresponding C function is `mdb_stat`.
    public func statistics(of database: Database) throws -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(pointer, database.handle, &stat), "stat \(database.name)")
        return DatabaseStatistics(
            entries: stat.ms_entries, depth: Int(stat.ms_depth), leafPages: stat.ms_leaf_pages,
            branchPages: stat.ms_branch_pages, overflowPages: stat.ms_overflow_pages)
    }
}

extension Transaction where Access == ReadWriteAccess {
    /// Stores `value` for `key`, replacing an existing value unless `options` says otherwise.
    ///
    /// - Throws: ``LMDBError/keyExists`` with ``PutOptions/noOverwrite`` or an out-of-order
    ///   ``PutOptions/append``; ``LMDBError/badValueSize`` for an empty key or one longer than
    ///   LMDB's limit (511 bytes); ``LMDBError/mapFull``, which ``Environment/write(_:)`` handles
    ///   by growing the map and running the transaction again.
    public mutating func put(_ value: RawSpan, for key: RawSpan, in database: Database, options: PutOptions = []) throws {
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyValue = MDB_val(bytes: keyBytes)
                var dataValue = MDB_val(bytes: valueBytes)
                return mdb_put(pointer, database.handle, &keyValue, &dataValue, options.rawValue)
            }
        }
        if code == MDB_MAP_FULL { hitMapFull = true }
        try check(code, "put into \(database.name)")
    }

    /// Stores `value` for `key` unless the key is present, in one search of the tree. Returns
    /// `nil` when it stored the value; otherwise changes nothing and returns what `ifPresent`
    /// makes of the stored value. The corresponding C call is `mdb_put` with `MDB_NOOVERWRITE`,
    /// which hands back the existing value.
    public mutating func insert<R>(_ value: RawSpan, for key: RawSpan, in database: Database, ifPresent: (RawSpan) throws -> R) throws -> R? {
        var existing = MDB_val()
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyValue = MDB_val(bytes: keyBytes)
                existing = MDB_val(bytes: valueBytes)
                return mdb_put(pointer, database.handle, &keyValue, &existing, UInt32(MDB_NOOVERWRITE))
            }
        }
        if code == MDB_KEYEXIST { return try existing.withSpan(ifPresent) }
        if code == MDB_MAP_FULL { hitMapFull = true }
        try check(code, "put into \(database.name)")
        return nil
    }

    /// Runs `body` with a cursor over `database` that can also write
    /// (``Cursor/insert(_:for:atEnd:ifPresent:)``, ``Cursor/put(_:for:atEnd:)`` and
    /// ``Cursor/delete()``), and with the transaction, for every other
    /// read and write while the cursor is open; the cursor is closed when `body` returns.
    public mutating func withInsertingCursor<R>(in database: Database, _ body: (inout Transaction, inout Cursor) throws -> R) throws -> R {
        var opened: OpaquePointer?
        try check(mdb_cursor_open(pointer, database.handle, &opened), "open cursor on \(database.name)")
        guard let opened else { throw LMDBError(code: MDB_BAD_TXN, context: "open cursor on \(database.name)") }
        defer { mdb_cursor_close(opened) }
        var cursor = Cursor(pointer: opened, database: database)
        defer { if cursor.hitMapFull { hitMapFull = true } }
        return try body(&self, &cursor)
    }

    /// ``withInsertingCursor(in:_:)`` over three databases at once: `body` gets a cursor on
    /// each, in the order given, all closed when it returns.
    public mutating func withInsertingCursors<R>(
        in first: Database, _ second: Database, _ third: Database, _ body: (inout Transaction, inout Cursor, inout Cursor, inout Cursor) throws -> R
    ) throws -> R {
        try withInsertingCursor(in: first) { txn, firstCursor in
            try txn.withInsertingCursor(in: second) { txn, secondCursor in
                try txn.withInsertingCursor(in: third) { txn, thirdCursor in try body(&txn, &firstCursor, &secondCursor, &thirdCursor) }
            }
        }
    }

    /// Removes `key` and its value; returns false when the key was not there.
    @discardableResult
    public mutating func delete(_ key: RawSpan, in database: Database) throws -> Bool {
        let code = key.withUnsafeBytes { keyBytes in
            var keyValue = MDB_val(bytes: keyBytes)
            return mdb_del(pointer, database.handle, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try check(code, "delete from \(database.name)")
        return true
    }

    /// Removes every entry of `database`, keeping the database. The corresponding C function is `mdb_drop`.
    public mutating func removeAll(in database: Database) throws {
        try check(mdb_drop(pointer, database.handle, 0), "empty \(database.name)")
    }
}

extension MDB_val {
    init(bytes: UnsafeRawBufferPointer) {
        self.init(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// Lends the bytes as a view; the view cannot outlive `body`.
    func withSpan<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: mv_data, count: mv_size).bytes)
    }
}

extension Array where Element == UInt8 {
    /// A copy of the bytes of a view.
    init(span: RawSpan) {
        self = span.withUnsafeBytes { Array($0) }
    }
}
