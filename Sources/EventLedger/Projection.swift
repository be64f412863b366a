/// A fold of the log into state stored beside it, in the ledger's LMDB environment.
///
/// The ledger applies events in position order through ``apply(_:to:)`` and stores the state
/// and the projection's checkpoint (the last position applied) in the same write transaction,
/// so a crash can never apply an event twice or skip one. A projection catches up from its
/// checkpoint (``Ledger/catchUp(_:)``) and can be rebuilt from nothing
/// (``Ledger/rebuild(_:)``); the two must always give the same state.
public protocol Projection: Sendable {
    /// The projection's name, unique in a ledger; its tables are stored as `NAME.TABLE`.
    var name: String { get }
    /// The version of the fold. Change it whenever ``apply(_:to:)`` changes meaning: a stored
    /// state of another version is then rebuilt rather than trusted.
    var version: UInt32 { get }
    /// The names of the tables the projection keeps its state in.
    var tables: [String] { get }

    /// Folds one event into the state.
    func apply(_ record: borrowing EventRecord, to store: inout ProjectionStore) throws
}

/// Where a projection stands.
public struct ProjectionStatus: Hashable, Sendable {
    /// The position of the last event folded into the stored state (0: none).
    public var checkpoint: UInt64
    /// The log's head in the snapshot the state was read from; the state passed to a reader
    /// always reflects every event up to it.
    public var head: LedgerDigest
}
