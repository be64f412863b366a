import LedgerLMDB

/// The key-value tables of a projection, lent to ``Projection/apply(_:to:)`` and to readers.
///
/// On a write transaction, writes go straight into it (and commit with the projection's
/// checkpoint); reads see them at once. A store on a read-only snapshot, or on none, keeps its
/// writes in memory over the snapshot: that is how a read-only ledger catches up a lagging
/// projection without writing (one too far behind is folded into a scratch environment
/// instead; see ``Ledger/read(_:_:)``).
public struct ProjectionStore: ~Copyable {
    /// The transaction the tables are read from (and written to, when writable).
    let base: TransactionHandle?
    /// The ledger's transaction, for lookups in the log itself. The same as `base`, except for
    /// a store over a scratch fold, whose tables live in another environment.
    let log: TransactionHandle?
    /// The projection's tables, found by comparing names: a projection has a handful.
    let tables: [(name: String, database: Database)]
    /// Writes kept in memory (a store without a writable transaction): `nil` marks a removal.
    private(set) var pending: [String: [[UInt8]: [UInt8]?]] = [:]
    /// While the `prepare` step of ``Ledger/append(updating:_:)`` runs: the greatest event id
    /// and stream id stored. An id that sorts after them is not stored, which answers the usual
    /// lookup (ids that grow with time) without a search.
    var lastKeys: (eventID: [UInt8], stream: [UInt8])?

    init(base: TransactionHandle?, log: TransactionHandle?, tables: [String: Database]) {
        self.base = base
        self.log = log
        self.tables = tables.map { ($0.key, $0.value) }
    }

    /// One of the projection's tables, looked up by name once: a fold's reads and writes
    /// through it compare no names.
    public func table(_ name: String) -> ProjectionTable {
        ProjectionTable(name: name, database: tables.first { $0.name == name }?.database)
    }

    /// The value stored for `key` in `table`, or `nil`.
    public func value(for key: [UInt8], in table: String) throws -> [UInt8]? {
        try withValue(for: key.span.bytes, in: table) { Array(span: $0) }
    }

    /// Stores `value` for `key` in `table`.
    public mutating func put(_ value: [UInt8], for key: [UInt8], in table: String) throws {
        try put(value.span.bytes, for: key.span.bytes, in: table)
    }

    /// Calls `body` with the value stored for `key` in `table` (a view valid only inside
    /// `body`), or returns `nil`. The same as ``value(for:in:)`` without copying.
    public func withValue<R>(for key: RawSpan, in table: String, _ body: (RawSpan) throws -> R) throws -> R? {
        try withValue(for: key, in: self.table(table), body)
    }

    /// ``withValue(for:in:_:)-(RawSpan,String,_)`` in a table looked up once.
    public func withValue<R>(for key: RawSpan, in table: ProjectionTable, _ body: (RawSpan) throws -> R) throws -> R? {
        if !pending.isEmpty, let entry = pending[table.name]?[key.withUnsafeBytes({ Array($0) })] {
            guard let entry else { return nil }
            return try body(entry.span.bytes)
        }
        guard let base, let database = table.database else { return nil }
        return try base.read { txn in try txn.withValue(for: key, in: database, body) }
    }

    /// Stores `value` for `key` in `table`. The same as ``put(_:for:in:)-([UInt8],_,_)`` without
    /// building arrays.
    ///
    /// - Parameter atEnd: the key sorts after every key of the table (see ``lastKey(in:)``), so
    ///   it is stored at the table's end without a search; a key out of order throws.
    public mutating func put(_ value: RawSpan, for key: RawSpan, in table: String, atEnd: Bool = false) throws {
        try put(value, for: key, in: self.table(table), atEnd: atEnd)
    }

    /// ``put(_:for:in:atEnd:)-(RawSpan,_,String,_)`` in a table looked up once.
    public mutating func put(_ value: RawSpan, for key: RawSpan, in table: ProjectionTable, atEnd: Bool = false) throws {
        precondition(table.database != nil || base == nil, "table \(table.name) is not one of the projection's tables")
        if let base, base.writable, let database = table.database {
            try base.write { txn in try txn.put(value, for: key, in: database, options: atEnd ? .append : []) }
        } else {
            pending[table.name, default: [:]][key.withUnsafeBytes { Array($0) }] = value.withUnsafeBytes { Array($0) }
        }
    }

    /// Stores `value` for `key` in `table` unless the key is present; returns `nil` when it
    /// stored the value, else changes nothing and returns what `ifPresent` makes of the stored
    /// value. On a write transaction it costs one search of the table, where a lookup followed
    /// by a put costs two.
    public mutating func insert<R>(_ value: RawSpan, for key: RawSpan, in table: String, ifPresent: (RawSpan) throws -> R) throws -> R? {
        try insert(value, for: key, in: self.table(table), ifPresent: ifPresent)
    }

    /// ``insert(_:for:in:ifPresent:)-(_,_,String,_)`` in a table looked up once.
    public mutating func insert<R>(_ value: RawSpan, for key: RawSpan, in table: ProjectionTable, ifPresent: (RawSpan) throws -> R) throws -> R? {
        precondition(table.database != nil || base == nil, "table \(table.name) is not one of the projection's tables")
        if let base, base.writable, let database = table.database {
            return try base.write { txn in try txn.insert(value, for: key, in: database, ifPresent: ifPresent) }
        }
        if let stored = try withValue(for: key, in: table, ifPresent) { return stored }
        try put(value, for: key, in: table)
        return nil
    }

    /// Removes `key` and its value from `table`, if it is there.
    public mutating func remove(_ key: RawSpan, in table: String) throws {
        try remove(key, in: self.table(table))
    }

    /// ``remove(_:in:)-(_,String)`` in a table looked up once.
    public mutating func remove(_ key: RawSpan, in table: ProjectionTable) throws {
        precondition(table.database != nil || base == nil, "table \(table.name) is not one of the projection's tables")
        if let base, base.writable, let database = table.database {
            try base.write { txn in _ = try txn.delete(key, in: database) }
        } else {
            pending[table.name, default: [:]][key.withUnsafeBytes { Array($0) }] = .some(nil)
        }
    }

    /// Runs `body` with three functions over `table` that share one cursor: `read(key, lend)`
    /// lends the value stored for `key`, if any; `put(value, key, atEnd)` stores a value
    /// (with `atEnd`, for a key after every stored one, at the table's end without a search);
    /// `remove(key)` removes an entry. Given keys in ascending order, each lands in the page of
    /// the one before it when it can, and a put right after a read of the same key replaces the
    /// value without a second search. A store that keeps its writes in memory does them one by one.
    public mutating func inKeyOrder(
        in table: ProjectionTable,
        _ body: (
            _ read: (RawSpan, (RawSpan) throws -> Void) throws -> Void, _ put: (RawSpan, RawSpan, Bool) throws -> Void, _ remove: (RawSpan) throws -> Void
        ) throws -> Void
    ) throws {
        precondition(table.database != nil || base == nil, "table \(table.name) is not one of the projection's tables")
        guard let base, base.writable, let database = table.database else {
            return try body(
                { key, lend in _ = try withValue(for: key, in: table, lend) },
                { value, key, atEnd in try put(value, for: key, in: table, atEnd: atEnd) },
                { key in try remove(key, in: table) })
        }
        try base.write { txn in
            try txn.withInsertingCursor(in: database) { _, cursor in
                try body(
                    { key, lend in if try cursor.seek(to: key) { try cursor.withValue(lend) } },
                    { value, key, atEnd in try cursor.put(value, for: key, atEnd: atEnd) },
                    { key in if try cursor.seek(to: key) { try cursor.delete() } })
            }
        }
    }

    /// The greatest key stored in `table` (empty when the table is), after which keys may be
    /// stored with `atEnd`; `nil` when this store keeps writes to the table in memory and
    /// cannot tell.
    public func lastKey(in table: String) throws -> [UInt8]? {
        try lastKey(in: self.table(table))
    }

    /// ``lastKey(in:)-(String)`` of a table looked up once.
    public func lastKey(in table: ProjectionTable) throws -> [UInt8]? {
        guard let base, base.writable || pending[table.name] == nil, let database = table.database else { return nil }
        return try base.read { txn in
            try txn.withLastKey(in: database) { Array(span: $0) } ?? []
        }
    }

    /// Calls `body` with each entry of `table` whose key is in `lower..<upper` (`upper` `nil`:
    /// to the end), in key order. The key and value are views valid only inside `body`.
    public func forEach(in table: String, from lower: [UInt8] = [], upTo upper: [UInt8]?, _ body: (_ key: RawSpan, _ value: RawSpan) throws -> Void) throws {
        let overlay = pending[table] ?? [:]
        var entries: [[UInt8]: [UInt8]] = [:]
        if let base, let database = self.table(table).database {
            try base.read { txn in
                try txn.withCursor(in: database) { cursor in
                    // LMDB refuses an empty key: an empty lower bound means the first entry.
                    var found = try lower.isEmpty ? cursor.first() : cursor.seek(atLeast: lower.span.bytes)
                    while found {
                        let inRange = try cursor.withEntry { key, value in
                            if let upper, !key.withUnsafeBytes({ $0.lexicographicallyPrecedes(upper) }) { return false }
                            // Without writes in memory, the stored entries are the answer, in order.
                            if overlay.isEmpty { try body(key, value) } else { entries[Array(span: key)] = Array(span: value) }
                            return true
                        }
                        guard inRange else { break }
                        found = try cursor.next()
                    }
                }
            }
            if overlay.isEmpty { return }
        }
        for (key, value) in overlay where !key.lexicographicallyPrecedes(lower) && (upper.map { key.lexicographicallyPrecedes($0) } ?? true) {
            entries[key] = value
        }
        for key in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let value = entries[key] ?? []
            try body(key.span.bytes, value.span.bytes)
        }
    }

    /// The stream number the log gave `stream`, or `nil` when the stream has no events yet.
    public func streamNumber(of stream: String, in ledger: Ledger) throws -> UInt64? {
        guard let log else { return nil }
        if let last = lastKeys?.stream, Keys.precedes(last, stream) { return nil }
        return try log.read { txn in try ledger.streamNumber(of: stream, in: txn) }
    }

}

extension ProjectionStore {
    /// Lends the stored event with id `id`, or returns `nil` when there is none.
    public func withStoredEvent<R>(id: String, in ledger: Ledger, _ body: (borrowing EventRecord) throws -> R) throws -> R? {
        guard let log else { return nil }
        if let last = lastKeys?.eventID, Keys.precedes(last, id) { return nil }
        return try log.read { txn in
            let position = try Keys.withText(id) { key in
                try txn.withValue(for: key, in: ledger.databases.eventIDs) { Keys.number($0) }
            } ?? nil
            guard let position else { return nil }
            return try ledger.withRecord(at: position, in: txn, body)
        }
    }
}

/// One of a projection's tables in a ``ProjectionStore``, looked up by name once
/// (``ProjectionStore/table(_:)``).
public struct ProjectionTable: Sendable {
    /// The table's name, as the projection lists it.
    public let name: String
    /// Its database, or `nil` for a name the projection does not list.
    let database: Database?
}
