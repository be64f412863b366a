import CLedgerLMDB
import Synchronization

/// A named database inside an ``Environment``: an ordered map from byte-string keys to
/// byte-string values. The corresponding C type is `MDB_dbi`.
///
/// A handle is valid for the life of the environment that opened it, in every transaction.
public struct Database: Sendable, Hashable {
    let handle: MDB_dbi
    /// The name's number in ``DatabaseNames``: a handle is copied on every read and write, and
    /// plain numbers copy without reference counting, which a `String` shared by threads makes
    /// them contend for.
    private let nameNumber: UInt32

    init(handle: MDB_dbi, name: String) {
        self.handle = handle
        self.nameNumber = DatabaseNames.number(of: name)
    }

    /// The database's name in the environment.
    public var name: String { DatabaseNames.name(numbered: nameNumber) }
}

/// The names of the databases this process has opened, each numbered once and kept for the
/// life of the process (a ledger has a few dozen).
enum DatabaseNames {
    private static let names = Mutex((list: [String](), numbers: [String: UInt32]()))

    static func number(of name: String) -> UInt32 {
        names.withLock { names in
            if let number = names.numbers[name] { return number }
            let number = UInt32(names.list.count)
            names.list.append(name)
            names.numbers[name] = number
            return number
        }
    }

    static func name(numbered number: UInt32) -> String {
        names.withLock { $0.list[Int(number)] }
    }
}

/// Options for ``Transaction/put(_:for:in:options:)``.
public struct PutOptions: OptionSet, Sendable, Hashable {
    /// The raw `MDB_*` flag bits.
    public let rawValue: UInt32
    /// Creates options from raw `MDB_*` flag bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with ``LMDBError/keyExists`` instead of replacing an existing value.
    /// The corresponding C constant is `MDB_NOOVERWRITE`.
    public static let noOverwrite = PutOptions(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database: store it without a search, which is much
    /// faster for sequential keys. A key out of order fails with ``LMDBError/keyExists``.
    /// The corresponding C constant is `MDB_APPEND`.
    public static let append = PutOptions(rawValue: UInt32(MDB_APPEND))
}

/// Statistics of one database. The corresponding C type is `MDB_stat`.
public struct DatabaseStatistics: Sendable, Hashable {
    /// The number of key/value pairs.
    public var entries: Int
    /// The depth of the B-tree.
    public var depth: Int
    /// The number of leaf pages.
    public var leafPages: Int
    /// The number of branch pages.
    public var branchPages: Int
    /// The number of overflow pages (values larger than about half a page).
    public var overflowPages: Int
}
