import CLedgerLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB environment: one directory holding `data.mdb` and `lock.mdb`, with named databases
/// inside. The corresponding C type is `MDB_env`.
///
/// Open an environment once per directory per process; a second open of the same directory
/// in the same process is refused, because LMDB's file locks are per process and closing a
/// second handle would silently release the first one's locks.
///
/// Transactions are closure-scoped: ``read(_:)`` and ``write(_:)`` begin one, pass it to the
/// body, and end it when the body returns. The body is synchronous, so a transaction can never
/// cross an `await`; the environment is opened with `MDB_NOTLS`, so a transaction is not tied to
/// the thread-local reader slot of the thread that began it and Swift tasks may call in from any
/// thread. A body that throws aborts its transaction.
public final class Environment: @unchecked Sendable {
    /// The directory the environment lives in, as given to ``init(path:options:)``.
    public let path: String
    /// The options the environment was opened with.
    public let options: Options

    let pointer: OpaquePointer
    private let gate = MapGate()
    private let fileID: FileID
    private let databaseLock = Mutex(())
    /// The thread inside a write transaction, to catch a nested write (which would deadlock).
    private let writer = Mutex<pthread_t?>(nil)

    private struct FileID: Hashable { var device: UInt64; var inode: UInt64 }
    private static let openFiles = Mutex(Set<FileID>())

    /// Opens the environment in an existing directory, creating the data file when it is
    /// missing (unless ``Options/readOnly``).
    ///
    /// - Throws: ``LMDBError`` with an `errno` code when the directory is missing
    ///   (`ENOENT`), is not a directory (`ENOTDIR`), is already open in this process (`EBUSY`)
    ///   or cannot be accessed (`EACCES`); with an LMDB code when the file is not an LMDB
    ///   file (``LMDBError/invalid``) or comes from an incompatible LMDB version.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        var status = stat()
        guard stat(path, &status) == 0 else { throw LMDBError(code: errno, context: "open \(path)") }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw LMDBError(code: ENOTDIR, context: "open \(path): an environment is a directory")
        }
        let id = FileID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        let inserted = Self.openFiles.withLock { $0.insert(id).inserted }
        guard inserted else {
            throw LMDBError(code: EBUSY, context: "open \(path): already open in this process; share the open instance")
        }
        fileID = id

        do {
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if !options.syncOnCommit { flags |= UInt32(MDB_NOSYNC) }
            let env: OpaquePointer
            do {
                env = try Self.open(path, options: options, flags: flags)
            } catch let error as LMDBError where options.readOnly && (error.code == EROFS || error.code == EACCES) {
                // A read-only mount, or a directory we may not write: nobody can be writing there,
                // so read without LMDB's lock file.
                env = try Self.open(path, options: options, flags: flags | UInt32(MDB_NOLOCK))
            }
            pointer = env
        } catch {
            _ = Self.openFiles.withLock { $0.remove(id) }
            throw error
        }
    }

    /// Creates, configures and opens an LMDB environment; on failure nothing is left open.
    private static func open(_ path: String, options: Options, flags: UInt32) throws -> OpaquePointer {
        var created: OpaquePointer?
        try check(mdb_env_create(&created), "create environment")
        guard let env = created else { throw LMDBError(code: ENOMEM, context: "create environment") }
        do {
            if !options.readOnly {
                try check(mdb_env_set_mapsize(env, options.mapSizeBytes), "set map size")
            }
            try check(mdb_env_set_maxdbs(env, options.databasesMax), "set max databases")
            try check(mdb_env_set_maxreaders(env, options.readersMax), "set max readers")
            try check(mdb_env_open(env, path, flags, mode_t(options.fileMode)), "open \(path)")
            let (mapped, used) = try sizes(env, path: path)
            try checkNotTruncated(path, used: used)
            if flags & UInt32(MDB_RDONLY) == 0 {
                // Free the reader slots of processes that died holding them (a killed reader).
                var cleared: Int32 = 0
                try check(mdb_reader_check(env, &cleared), "check the reader table of \(path)")
                try makeRoom(env, path: path, mapped: mapped, used: used, options: options)
            }
            return env
        } catch {
            mdb_env_close(env)
            throw error
        }
    }

    /// The size of an open environment's map, and the bytes its pages in use reach: LMDB's own
    /// record of its data.
    private static func sizes(_ env: OpaquePointer, path: String) throws -> (mapped: Int, used: Int) {
        var info = MDB_envinfo()
        var statistics = MDB_stat()
        try check(mdb_env_info(env, &info), "read the environment info of \(path)")
        try check(mdb_env_stat(env, &statistics), "read the environment statistics of \(path)")
        // The pages in use lie inside the map, so their size does not overflow.
        return (info.me_mapsize, (info.me_last_pgno + 1) * Int(statistics.ms_psize))
    }

    /// Makes the map of an environment opened for writing at least twice the `used` bytes of its
    /// data (up to ``Options/mapSizeBytesMax``). LMDB maps an existing file no larger than its data when
    /// ``Options/mapSizeBytes`` is smaller: the first transaction to write past the end would then
    /// fill the map, and be run again after waiting for every other transaction of the process
    /// to end (a rebuild of 10 M events lost a tenth of its time so).
    private static func makeRoom(_ env: OpaquePointer, path: String, mapped: Int, used: Int, options: Options) throws {
        let size = used >= options.mapSizeBytesMax / 2 ? options.mapSizeBytesMax : 2 * used
        guard size > mapped else { return }
        try check(mdb_env_set_mapsize(env, size), "set the map size of \(path) to \(size) bytes")
    }

    /// Refuses a data file shorter than the `used` bytes LMDB records of it: reading a page past
    /// the end of a mapped file would kill the process (SIGBUS) instead of failing.
    private static func checkNotTruncated(_ path: String, used: Int) throws {
        var file = stat()
        guard stat(path + "/data.mdb", &file) == 0 else { return }
        if Int(file.st_size) < used {
            throw LMDBError(
                code: MDB_CORRUPTED,
                context: "open \(path): data.mdb has \(file.st_size) bytes but its pages reach \(used); the file was truncated, restore it from a copy")
        }
    }

    deinit {
        mdb_env_close(pointer)
        _ = Self.openFiles.withLock { $0.remove(fileID) }
    }

    /// Whether the environment was opened read-only.
    public var isReadOnly: Bool { options.readOnly }

    /// The current size of the memory map. The corresponding C function is `mdb_env_info`.
    public var mapSizeBytes: Int {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        return info.me_mapsize
    }

    /// Opens a named database, creating it when `create` is true (on a writable environment).
    /// Open every database once, when the environment is opened, and keep the handle.
    ///
    /// - Throws: ``LMDBError/notFound`` when the database does not exist and `create` is false;
    ///   ``LMDBError/databasesFull`` past ``Options/databasesMax``.
    public func database(named name: String, create: Bool = false) throws -> Database {
        // mdb_dbi_open must not run in two transactions of one process at once.
        try databaseLock.withLock { _ in
            let writable = create && !options.readOnly
            // Committing (even a read-only transaction) makes the handle usable by later transactions.
            return try growingMap {
                try transaction(readOnly: !writable, commit: true) { txn in
                    var handle: MDB_dbi = 0
                    let flags = writable ? UInt32(MDB_CREATE) : 0
                    try check(mdb_dbi_open(txn, name, flags, &handle), "open database \(name)")
                    return Database(handle: handle, name: name)
                }
            }
        }
    }

    /// The names of the named databases in the environment, in byte order.
    public func databaseNames() throws -> [String] {
        try databaseLock.withLock { _ in
            try transaction(readOnly: true, commit: true) { txn in
                var main: MDB_dbi = 0
                try check(mdb_dbi_open(txn, nil, 0, &main), "open the main database")
                var names: [String] = []
                try ReadTransaction(pointer: txn).withCursor(in: Database(handle: main, name: "main")) { cursor in
                    var found = try cursor.first()
                    while found {
                        names.append(cursor.withKey { key in key.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } })
                        found = try cursor.next()
                    }
                }
                return names
            }
        }
    }

    /// Runs `body` in a read-only transaction: a consistent snapshot of the whole environment,
    /// unaffected by writes that commit while it runs. Keep it short: a long reader keeps the
    /// pages it sees from being reused, so the file grows while it is open.
    @discardableResult
    public func read<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
        try transaction(readOnly: true, commit: false) { pointer in
            try body(ReadTransaction(pointer: pointer))
        }
    }

    /// Runs `body` in a read-only transaction while a transaction of this environment is held
    /// open until `body` returns, by the calling thread or by a thread it helps. It begins without waiting
    /// for a map resize, which waits for the holder's transaction anyway (waiting would never
    /// end). It sees the last commit, so, begun inside the holder's write transaction, it sees
    /// what that transaction saw when it began.
    ///
    /// - Throws: `MDB_MAP_RESIZED` rather than adopting a map grown by another process, which
    ///   would also wait for the holder.
    package func readNested<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
        gate.enter(nested: true)
        defer { gate.leave() }
        var begun: OpaquePointer?
        try check(mdb_txn_begin(pointer, nil, UInt32(MDB_RDONLY), &begun), "begin read transaction")
        guard let txn = begun else { throw LMDBError(code: EINVAL, context: "begin read transaction") }
        defer { mdb_txn_abort(txn) }
        return try body(ReadTransaction(pointer: txn))
    }

    /// Runs `body` in a write transaction and commits it when `body` returns; a `body` that
    /// throws aborts the transaction, so nothing of it is written.
    ///
    /// Only one write transaction runs at a time across all processes; others wait.
    /// When the map is full, the transaction is aborted, the map doubles (up to
    /// ``Options/mapSizeBytesMax``) and **`body` runs again** from the start: keep effects
    /// outside the transaction out of `body`, or make them idempotent.
    ///
    /// - Throws: whatever `body` throws, or an ``LMDBError`` (`EACCES` on a read-only environment).
    @discardableResult
    public func write<R>(_ body: (inout WriteTransaction) throws -> R) throws -> R {
        guard !options.readOnly else {
            throw LMDBError(code: EACCES, context: "write to \(path): the environment is open read-only")
        }
        precondition(
            writer.withLock { $0 } != pthread_self(),
            "a write transaction was begun inside another one on the same thread; it would wait for itself")
        return try growingMap {
            try transaction(readOnly: false, commit: true) { pointer in
                writer.withLock { $0 = pthread_self() }
                defer { writer.withLock { $0 = nil } }
                var txn = WriteTransaction(pointer: pointer)
                let result: R
                do {
                    result = try body(&txn)
                } catch {
                    // The body may have caught and replaced the put's error; the flag does not lie.
                    if txn.hitMapFull { throw LMDBError.mapFull }
                    throw error
                }
                if txn.hitMapFull { throw LMDBError.mapFull }
                return result
            }
        }
    }

    /// Runs `attempt` until it does not fail with a full map, doubling the map after each failure.
    private func growingMap<R>(_ attempt: () throws -> R) throws -> R {
        while true {
            do {
                return try attempt()
            } catch LMDBError.mapFull {
                try grow()
            }
        }
    }

    /// Flushes written data to disk; needed only when ``Options/syncOnCommit`` is off.
    /// The corresponding C function is `mdb_env_sync`.
    public func sync() throws(LMDBError) {
        try check(mdb_env_sync(pointer, 1), "sync \(path)")
    }

    /// Begins a transaction, runs `body`, then commits or aborts it (a body that throws always
    /// aborts). Adopts a map grown by another process and begins again.
    private func transaction<R>(readOnly: Bool, commit: Bool, _ body: (OpaquePointer) throws -> R) throws -> R {
        while true {
            gate.enter()
            var begun: OpaquePointer?
            let code = mdb_txn_begin(pointer, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &begun)
            guard code == MDB_SUCCESS, let txn = begun else {
                gate.leave()
                if code == MDB_MAP_RESIZED {
                    try adoptMapSize()
                    continue
                }
                throw LMDBError(code: code, context: readOnly ? "begin read transaction" : "begin write transaction")
            }
            let result: R
            do {
                result = try body(txn)
            } catch {
                mdb_txn_abort(txn)
                gate.leave()
                throw error
            }
            guard commit else {
                mdb_txn_abort(txn)
                gate.leave()
                return result
            }
            let committed = mdb_txn_commit(txn)
            gate.leave()
            // LMDB reports a short write on a full disk as EIO: say what to check.
            let hint = [EIO, ENOSPC, EDQUOT].contains(committed) ? " (nothing of it was written; check that the disk has free space)" : ""
            try check(committed, "commit to \(path)\(hint)")
            return result
        }
    }

    /// Doubles the map, once no transaction of this process is open.
    private func grow() throws(LMDBError) {
        try gate.exclusively { () throws(LMDBError) in
            let current = mapSizeBytes
            guard current < options.mapSizeBytesMax else {
                throw LMDBError(
                    code: MDB_MAP_FULL,
                    context: "\(path) reached mapSizeBytesMax (\(options.mapSizeBytesMax) bytes); raise it to store more")
            }
            let next = min(current.multipliedReportingOverflow(by: 2).overflow ? Int.max : current * 2, options.mapSizeBytesMax)
            try check(mdb_env_set_mapsize(pointer, next), "grow map of \(path) to \(next) bytes")
        }
    }

    /// Takes on the map size another process set (after `MDB_MAP_RESIZED`).
    private func adoptMapSize() throws(LMDBError) {
        try gate.exclusively { () throws(LMDBError) in
            try check(mdb_env_set_mapsize(pointer, 0), "adopt the map size of \(path)")
        }
    }
}
