/// A fold of the log into state stored beside it, in the ledger's LMDB environment.
///
/// The ledger folds events in position order, a chunk at a time: it makes a ``Batch`` (the
/// projection's own in-memory working state, typed as it likes), applies each event of the
/// chunk to it with ``apply(_:to:store:)``, then asks the projection to ``flush(_:into:)`` the
/// batch into its tables. The tables and the projection's checkpoint (the last position applied)
/// are written in the same write transaction, so a crash can never apply an event twice or skip
/// one. A projection catches up from its checkpoint (``Ledger/catchUp(_:progress:)``) and can be
/// rebuilt from nothing (``Ledger/rebuild(_:progress:)``); the two must always give the same state.
public protocol Projection: Sendable {
    /// The working state of a fold in progress: what ``apply(_:to:store:)`` changes, kept in
    /// memory until ``flush(_:into:)``.
    associatedtype Batch

    /// The projection's name, unique in a ledger; its tables are stored as `NAME.TABLE`.
    var name: String { get }
    /// The version of the fold. Change it whenever the fold changes meaning: a stored state of
    /// another version is then rebuilt rather than trusted.
    var version: UInt32 { get }
    /// The names of the tables the projection keeps its state in.
    var tables: [String] { get }

    /// An empty batch.
    func makeBatch() -> Batch

    /// Folds one event into the batch; `store` shows the state as of the batch's start.
    func apply(_ record: borrowing EventRecord, to batch: inout Batch, store: borrowing ProjectionStore) throws

    /// Writes what the batch changed into the store.
    func flush(_ batch: consuming Batch, into store: inout ProjectionStore) throws
}

/// Where a projection stands.
public struct ProjectionStatus: Hashable, Sendable {
    /// The position of the last event folded into the stored state (0: none).
    public var checkpoint: UInt64
    /// The log's head in the snapshot the state was read from; the state passed to a reader
    /// always reflects every event up to it.
    public var head: LedgerDigest
}
