package import LedgerLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only, hash-chained event log in one directory, stored in LMDB.
///
/// Events belong to streams (one per entity, for example one per dossier). Each event gets a
/// dense global position from 1, a version within its stream from 1, the time it was stored,
/// and a chain hash that commits to every event before it.
///
/// One process may write at a time (others wait for LMDB's write lock); any number of
/// processes and threads may read, each read seeing one consistent snapshot. Open a ledger once
/// per directory per process and share the instance: it is `Sendable`.
///
/// The ledger stores payloads as bytes and is generic over the application's events through
/// ``EventCodec``.
public final class Ledger: Sendable {
    /// The on-disk format this version writes and the newest it reads.
    public static let formatVersion: UInt32 = 2

    /// The ledger's directory.
    public let path: String
    /// The options the ledger was opened with.
    public let options: LedgerOptions
    /// The LMDB environment, for projections stored beside the log.
    package let environment: Environment
    /// The databases that hold the log and its indexes.
    package let databases: Databases
    let signal = AppendSignal()
    /// The table handles of each projection, by projection name, opened on first use.
    let projectionTables = Mutex<[String: [String: Database]]>([:])
    /// The stream entries of the events the `streamEvents` index does not cover yet.
    let streamTail = Mutex(StreamTailState())
    /// The numbers of streams this process appended to, by id; `nil` while an append holds it.
    let knownStreams: Mutex<KnownStreams?>

    /// Whether the ledger is open read-only.
    public var isReadOnly: Bool { options.readOnly }

    /// The named databases of a ledger.
    package struct Databases: Sendable {
        /// Format version and creation time.
        let meta: Database
        /// Position (8 bytes, big-endian) → record.
        let events: Database
        /// Stream id (UTF-8) → stream number (8 bytes, big-endian).
        let streams: Database
        /// Stream number and version (8 + 8 bytes, big-endian) → position, for the events up
        /// to the watermark in `meta` (see ``StreamTail``).
        let streamEvents: Database
        /// Event id (UTF-8) → position.
        let eventIDs: Database
    }

    private init(path: String, options: LedgerOptions, environment: Environment, databases: Databases) {
        self.path = path
        self.options = options
        self.environment = environment
        self.databases = databases
        knownStreams = Mutex(KnownStreams(entriesMax: options.knownStreamsMax))
    }

    /// Creates a new, empty ledger in `path`: a new directory, or an existing empty one.
    ///
    /// - Throws: ``LedgerError/alreadyExists(path:)`` when `path` holds a ledger,
    ///   ``LedgerError/io(path:operation:code:)`` when the directory cannot be made.
    public static func create(at path: String, options: LedgerOptions = LedgerOptions()) throws -> Ledger {
        guard !options.readOnly else { throw LedgerError.readOnly(path: path) }
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else { throw LedgerError.io(path: path, operation: "create ledger in", code: ENOTDIR) }
            guard access(path + "/data.mdb", F_OK) != 0 else { throw LedgerError.alreadyExists(path: path) }
        } else if mkdir(path, mode_t(options.directoryMode)) != 0 {
            throw LedgerError.io(path: path, operation: "create directory", code: errno)
        }
        do {
            let environment = try Environment(path: path, options: environmentOptions(options))
            let databases = try openDatabases(environment, create: true)
            try environment.write { txn in
                try withUnsafeBytes(of: formatVersion.bigEndian) { format in
                    try Keys.withText(Keys.format) { try txn.put(format.bytes, for: $0, in: databases.meta) }
                }
                let now = Int64(options.clock().timeIntervalSince1970 * 1_000_000)
                try withUnsafeBytes(of: now.bigEndian) { created in
                    try Keys.withText(Keys.createdAt) { try txn.put(created.bytes, for: $0, in: databases.meta) }
                }
                try Keys.withText(Keys.streamIndexedThrough) { key in
                    try Keys.withNumber(0) { try txn.put($0, for: key, in: databases.meta) }
                }
            }
            return Ledger(path: path, options: options, environment: environment, databases: databases)
        } catch {
            // Leave no half-made ledger behind: the directory held no ledger before.
            unlink(path + "/data.mdb")
            unlink(path + "/lock.mdb")
            throw error
        }
    }

    /// Opens an existing ledger.
    ///
    /// - Throws: ``LedgerError/notALedger(path:reason:)`` when `path` does not hold a ledger,
    ///   ``LedgerError/formatTooNew(path:found:supported:)`` when a newer version of the library
    ///   wrote it, and `LMDBError` when LMDB cannot open it (for example `EACCES`).
    public static func open(at path: String, options: LedgerOptions = LedgerOptions()) throws -> Ledger {
        var status = stat()
        guard stat(path, &status) == 0 else { throw LedgerError.notALedger(path: path, reason: "no such directory") }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw LedgerError.notALedger(path: path, reason: "not a directory") }
        guard access(path + "/data.mdb", F_OK) == 0 else { throw LedgerError.notALedger(path: path, reason: "it has no data.mdb") }
        let environment: Environment
        do {
            environment = try Environment(path: path, options: environmentOptions(options))
        } catch LMDBError.invalid {
            throw LedgerError.notALedger(path: path, reason: "data.mdb is not an LMDB file")
        }
        let meta: Database
        do {
            meta = try environment.database(named: "meta")
        } catch LMDBError.notFound {
            throw LedgerError.notALedger(path: path, reason: "it has no meta database")
        }
        let format = try environment.read { txn in
            try Keys.withText(Keys.format) { key in
                try txn.withValue(for: key, in: meta) { Keys.number32($0) }
            }
        }
        guard let found = format ?? nil else {
            throw LedgerError.notALedger(path: path, reason: "no format version; its creation may have been interrupted")
        }
        guard found <= formatVersion else {
            throw LedgerError.formatTooNew(path: path, found: found, supported: formatVersion)
        }
        let databases: Databases
        do {
            databases = try openDatabases(environment, create: false)
        } catch LMDBError.notFound {
            throw LedgerError.notALedger(path: path, reason: "a database of the log is missing")
        }
        if found < formatVersion && !options.readOnly { try upgrade(environment, databases) }
        return Ledger(path: path, options: options, environment: environment, databases: databases)
    }

    /// Brings a format 1 ledger to format 2: format 1 indexed every event's stream entry as it
    /// was appended, so the stream-event index's watermark is the head.
    private static func upgrade(_ environment: Environment, _ databases: Databases) throws {
        try environment.write { txn in
            let head = (try txn.withLastKey(in: databases.events) { Keys.number($0) } ?? nil) ?? 0
            try Keys.withText(Keys.streamIndexedThrough) { key in
                try Keys.withNumber(head) { try txn.put($0, for: key, in: databases.meta) }
            }
            try withUnsafeBytes(of: formatVersion.bigEndian) { format in
                try Keys.withText(Keys.format) { try txn.put(format.bytes, for: $0, in: databases.meta) }
            }
        }
    }

    private static func environmentOptions(_ options: LedgerOptions) -> Environment.Options {
        var environment = Environment.Options()
        environment.readOnly = options.readOnly
        environment.syncOnCommit = options.syncOnCommit
        environment.mapSizeBytes = options.mapSizeBytes
        environment.fileMode = options.directoryMode & 0o666
        return environment
    }

    private static func openDatabases(_ environment: Environment, create: Bool) throws -> Databases {
        Databases(
            meta: try environment.database(named: "meta", create: create),
            events: try environment.database(named: "events", create: create),
            streams: try environment.database(named: "streams", create: create),
            streamEvents: try environment.database(named: "streamEvents", create: create),
            eventIDs: try environment.database(named: "eventIDs", create: create))
    }

    /// The last position and its chain hash: the digest an auditor writes down.
    public func head() throws -> LedgerDigest {
        try environment.read { txn in try head(in: txn) }
    }

    /// The version of `stream`'s last event, or `nil` when the stream does not exist.
    public func streamVersion(of stream: String) throws -> UInt64? {
        try environment.read { txn in
            try streamNumber(of: stream, in: txn).map { try lastVersion(ofStream: $0, in: txn) }
        }
    }

    // MARK: Reads shared by read and write transactions

    func head<A>(in txn: borrowing Transaction<A>) throws -> LedgerDigest {
        try txn.withCursor(in: databases.events) { cursor in
            guard try cursor.last() else { return LedgerDigest(position: 0, chainHash: .genesis) }
            return try cursor.withEntry { key, value in
                let position = Keys.number(key) ?? 0
                return try value.withUnsafeBytes { bytes in
                    let record = try EventRecord(bytes: bytes, position: position)
                    return LedgerDigest(position: position, chainHash: record.chainHash)
                }
            }
        }
    }

    func streamNumber<A>(of stream: String, in txn: borrowing Transaction<A>) throws -> UInt64? {
        try Keys.withText(stream) { key in
            try txn.withValue(for: key, in: databases.streams) { Keys.number($0) }
        } ?? nil
    }

    /// Lends the validated record at `position`, or returns `nil` when there is none.
    func withRecord<A, R>(at position: UInt64, in txn: borrowing Transaction<A>, _ body: (borrowing EventRecord) throws -> R) throws -> R? {
        try Keys.withNumber(position) { key in
            try txn.withValue(for: key, in: databases.events) { value in
                try value.withUnsafeBytes { bytes in
                    try body(EventRecord(bytes: bytes, position: position))
                }
            }
        }
    }
}
