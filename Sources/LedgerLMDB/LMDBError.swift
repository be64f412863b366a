import CLedgerLMDB

/// An error returned by LMDB: either one of LMDB's own codes (`MDB_*`, all negative) or a
/// system `errno` value (positive), as `mdb_*` functions return both.
///
/// `LMDBError` is a struct around the C code rather than a closed enum, because LMDB returns
/// `errno` values too and header versions add codes. Match the codes you care about with the
/// static members:
///
/// ```swift
/// do { try environment.write { ... } }
/// catch LMDBError.mapFull { ... }
/// ```
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The C return code: an `MDB_*` constant or an `errno` value.
    public let code: Int32
    /// What was being done when the error happened, for example `"open /var/ledger"`;
    /// empty when there is nothing to add to LMDB's message.
    public let context: String

    /// Creates an error for a C return code.
    public init(code: Int32, context: String = "") {
        self.code = code
        self.context = context
    }

    /// LMDB's own message for the code (`mdb_strerror`), which also covers `errno` values.
    public var message: String {
        String(cString: mdb_strerror(code))
    }

    /// The message, prefixed by the context when there is one.
    public var description: String {
        context.isEmpty ? "LMDB: \(message) (code \(code))" : "LMDB: \(context): \(message) (code \(code))"
    }

    /// Two errors match when their codes are equal, whatever their context.
    public static func ~= (pattern: LMDBError, value: any Error) -> Bool {
        (value as? LMDBError)?.code == pattern.code
    }

    /// Two errors are equal when their codes are equal; the context is for people only.
    public static func == (lhs: LMDBError, rhs: LMDBError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension LMDBError {
    /// A key/data pair already exists. The corresponding C constant is `MDB_KEYEXIST`.
    public static let keyExists = LMDBError(code: MDB_KEYEXIST)
    /// A key/data pair was not found. The corresponding C constant is `MDB_NOTFOUND`.
    public static let notFound = LMDBError(code: MDB_NOTFOUND)
    /// A requested page was not found: the file is corrupted. The corresponding C constant is `MDB_PAGE_NOTFOUND`.
    public static let pageNotFound = LMDBError(code: MDB_PAGE_NOTFOUND)
    /// A located page was the wrong type: the file is corrupted. The corresponding C constant is `MDB_CORRUPTED`.
    public static let corrupted = LMDBError(code: MDB_CORRUPTED)
    /// An update of a meta page failed or the environment had a fatal error. The corresponding C constant is `MDB_PANIC`.
    public static let panic = LMDBError(code: MDB_PANIC)
    /// The environment was written by an incompatible LMDB version. The corresponding C constant is `MDB_VERSION_MISMATCH`.
    public static let versionMismatch = LMDBError(code: MDB_VERSION_MISMATCH)
    /// The file is not an LMDB data file. The corresponding C constant is `MDB_INVALID`.
    public static let invalid = LMDBError(code: MDB_INVALID)
    /// The environment's map size was reached. The corresponding C constant is `MDB_MAP_FULL`.
    public static let mapFull = LMDBError(code: MDB_MAP_FULL)
    /// The environment's maximum number of named databases was reached. The corresponding C constant is `MDB_DBS_FULL`.
    public static let databasesFull = LMDBError(code: MDB_DBS_FULL)
    /// The environment's maximum number of readers was reached. The corresponding C constant is `MDB_READERS_FULL`.
    public static let readersFull = LMDBError(code: MDB_READERS_FULL)
    /// The transaction has too many dirty pages. The corresponding C constant is `MDB_TXN_FULL`.
    public static let transactionFull = LMDBError(code: MDB_TXN_FULL)
    /// Another process grew the map beyond this environment's map size. The corresponding C constant is `MDB_MAP_RESIZED`.
    public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
    /// The operation is incompatible with the database's flags. The corresponding C constant is `MDB_INCOMPATIBLE`.
    public static let incompatible = LMDBError(code: MDB_INCOMPATIBLE)
    /// A reader slot was used by the wrong thread. The corresponding C constant is `MDB_BAD_RSLOT`.
    public static let badReaderSlot = LMDBError(code: MDB_BAD_RSLOT)
    /// The transaction must be aborted: it had an error or belongs to another thread. The corresponding C constant is `MDB_BAD_TXN`.
    public static let badTransaction = LMDBError(code: MDB_BAD_TXN)
    /// A key or value has an unsupported size. The corresponding C constant is `MDB_BAD_VALSIZE`.
    public static let badValueSize = LMDBError(code: MDB_BAD_VALSIZE)
    /// The database handle was changed unexpectedly. The corresponding C constant is `MDB_BAD_DBI`.
    public static let badDatabase = LMDBError(code: MDB_BAD_DBI)
}

/// The one place that turns LMDB return codes into Swift errors.
@inline(__always)
func check(_ code: Int32, _ context: @autoclosure () -> String = "") throws(LMDBError) {
    if code != MDB_SUCCESS { throw LMDBError(code: code, context: context()) }
}
