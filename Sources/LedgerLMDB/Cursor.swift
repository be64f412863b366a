import CLedgerLMDB

/// A position in a database's ordered keys, lent to a closure by
/// ``Transaction/withCursor(in:_:)``. The corresponding C type is `MDB_cursor`.
///
/// Each move returns whether it found an entry; the entry it found is read with
/// ``withKey(_:)``, ``withValue(_:)`` or ``withEntry(_:)`` until the next move.
public struct Cursor: ~Copyable {
    let pointer: OpaquePointer
    let database: Database
    private var key = MDB_val()
    private var value = MDB_val()
    /// The current entry's key and value (`nil`: none), as the closures that lend them read
    /// them: in Swift types, so that they can be inlined into the caller's module.
    @usableFromInline var entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    /// Set when an insert failed with `MDB_MAP_FULL` (see ``Transaction/withInsertingCursor(in:_:)``).
    var hitMapFull = false

    init(pointer: OpaquePointer, database: Database) {
        self.pointer = pointer
        self.database = database
    }

    /// Moves to the first entry. The corresponding C constant is `MDB_FIRST`.
    public mutating func first() throws -> Bool { try move(MDB_FIRST) }

    /// Moves to the last entry. The corresponding C constant is `MDB_LAST`.
    public mutating func last() throws -> Bool { try move(MDB_LAST) }

    /// Moves to the next entry (the first one when not yet positioned). The corresponding C constant is `MDB_NEXT`.
    public mutating func next() throws -> Bool { try move(MDB_NEXT) }

    /// Moves to the previous entry (the last one when not yet positioned). The corresponding C constant is `MDB_PREV`.
    public mutating func previous() throws -> Bool { try move(MDB_PREV) }

    /// Moves to the first entry whose key is equal to or greater than `target`.
    /// The corresponding C constant is `MDB_SET_RANGE`.
    public mutating func seek(atLeast target: RawSpan) throws -> Bool {
        try target.withUnsafeBytes { bytes in
            key = MDB_val(bytes: bytes)
            return try move(MDB_SET_RANGE)
        }
    }

    /// Moves to the entry whose key is exactly `target`. The corresponding C constant is `MDB_SET_KEY`.
    public mutating func seek(to target: RawSpan) throws -> Bool {
        try target.withUnsafeBytes { bytes in
            key = MDB_val(bytes: bytes)
            return try move(MDB_SET_KEY)
        }
    }

    /// Lends the current key; valid only inside `body`.
    @inlinable
    public func withKey<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        guard let entry else { preconditionFailure("the cursor has no current entry: move it first and check the result") }
        return try body(entry.key.bytes)
    }

    /// Lends the current value; valid only inside `body`.
    @inlinable
    public func withValue<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        guard let entry else { preconditionFailure("the cursor has no current entry: move it first and check the result") }
        return try body(entry.value.bytes)
    }

    /// Lends the current key and value; valid only inside `body`.
    @inlinable
    public func withEntry<R>(_ body: (_ key: RawSpan, _ value: RawSpan) throws -> R) rethrows -> R {
        guard let entry else { preconditionFailure("the cursor has no current entry: move it first and check the result") }
        return try body(entry.key.bytes, entry.value.bytes)
    }

    /// Stores `value` for `key` unless the key is present, through the cursor, which is left
    /// on the key. Returns `nil` when it stored the value; otherwise changes nothing and returns
    /// what `ifPresent` makes of the stored value. A key that falls in the cursor's current
    /// page is placed without a search from the root: keys a little out of order, inserted
    /// just after the ones they follow, cost little. With `atEnd`, the key sorts after every
    /// key of the database and is stored there without a search, filling pages as
    /// ``PutOptions/append`` does; a key out of order then fails with ``LMDBError/keyExists``.
    /// Only in a write transaction's cursor (``Transaction/withInsertingCursor(in:_:)``). The
    /// corresponding C call is `mdb_cursor_put` with `MDB_NOOVERWRITE`, or `MDB_APPEND`.
    public mutating func insert<R>(_ value: RawSpan, for key: RawSpan, atEnd: Bool = false, ifPresent: (RawSpan) throws -> R) throws -> R? {
        var existing = MDB_val()
        let code = put(value, for: key, flags: atEnd ? MDB_APPEND : MDB_NOOVERWRITE, data: &existing)
        if code == MDB_KEYEXIST && !atEnd { return try existing.withSpan(ifPresent) }
        try check(code, "put into \(database.name)")
        return nil
    }

    /// Stores `value` for `key` through the cursor, replacing any stored value. A key within
    /// the cursor's current page (between its first and last keys: the one just read with
    /// ``seek(to:)``, say) is found without a search from the root. With `atEnd`, the key sorts
    /// after every key of the database and is stored there as ``PutOptions/append`` does; a key
    /// out of order then fails with ``LMDBError/keyExists``. Only in a write transaction's
    /// cursor (``Transaction/withInsertingCursor(in:_:)``). The corresponding C call is
    /// `mdb_cursor_put`, with `MDB_APPEND` for `atEnd`.
    public mutating func put(_ value: RawSpan, for key: RawSpan, atEnd: Bool = false) throws {
        var data = MDB_val()
        try check(put(value, for: key, flags: atEnd ? MDB_APPEND : 0, data: &data), "put into \(database.name)")
    }

    /// `mdb_cursor_put` with `flags`, leaving the cursor without a current entry and noting a
    /// full map; `data` then holds the stored value when `MDB_NOOVERWRITE` found the key.
    private mutating func put(_ value: RawSpan, for key: RawSpan, flags: Int32, data: inout MDB_val) -> Int32 {
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyValue = MDB_val(bytes: keyBytes)
                data = MDB_val(bytes: valueBytes)
                return mdb_cursor_put(pointer, &keyValue, &data, UInt32(flags))
            }
        }
        entry = nil
        if code == MDB_MAP_FULL { hitMapFull = true }
        return code
    }

    /// Removes the entry the cursor is on, and leaves the cursor without one. A removal next
    /// to the last one, found with ``seek(to:)`` in the same page, costs no search from the
    /// root. Only in a write transaction's cursor (``Transaction/withInsertingCursor(in:_:)``).
    /// The corresponding C call is `mdb_cursor_del`.
    public mutating func delete() throws {
        precondition(entry != nil, "the cursor has no current entry: move it first and check the result")
        let code = mdb_cursor_del(pointer, 0)
        entry = nil
        if code == MDB_MAP_FULL { hitMapFull = true }
        try check(code, "delete from \(database.name)")
    }

    private mutating func move(_ operation: MDB_cursor_op) throws -> Bool {
        let code = mdb_cursor_get(pointer, &key, &value, operation)
        if code == MDB_NOTFOUND {
            entry = nil
            return false
        }
        try check(code, "move cursor on \(database.name)")
        entry = (UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size), UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
        return true
    }
}
