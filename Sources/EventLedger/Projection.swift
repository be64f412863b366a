/// A fold of the log into state stored beside it, in the ledger's LMDB environment.
///
/// The ledger folds events in position order, a chunk at a time: it makes a ``Batch`` (the
/// projection's own in-memory working state, typed as it likes), reads what the fold needs of
/// each event with ``decode(_:into:)``, applies that to the batch a block of events at a time
/// with ``apply(_:to:store:)``, then asks the projection to ``flush(_:into:)`` the batch into its
/// tables. A long fold decodes on a second thread, ahead of the events being applied (see
/// ``LedgerOptions/readAheadEventsMin``); a ``PipelinedProjection`` also applies each chunk while
/// the previous one is written. The tables and the projection's checkpoint (the last
/// position applied) are written in the same write transaction, so a crash can never apply an
/// event twice or skip one. A projection catches up from its checkpoint (``Ledger/catchUp(_:progress:)``) and can be
/// rebuilt from nothing (``Ledger/rebuild(_:progress:)``); the two must always give the same state.
public protocol Projection: Sendable {
    /// The working state of a fold in progress: what ``apply(_:to:store:)`` changes, kept in
    /// memory until ``flush(_:into:)``.
    associatedtype Batch
    /// What the fold needs of one event, read from its record by ``decode(_:into:)``.
    associatedtype Decoded: Sendable

    /// The projection's name, unique in a ledger; its tables are stored as `NAME.TABLE`.
    var name: String { get }
    /// The version of the fold. Change it whenever the fold changes meaning: a stored state of
    /// another version is then rebuilt rather than trusted.
    var version: UInt32 { get }
    /// The names of the tables the projection keeps its state in.
    var tables: [String] { get }

    /// An empty batch.
    func makeBatch() -> Batch

    /// Appends what the fold needs of an event, read from its record, to `events`; appends
    /// nothing for an event the projection ignores. It must depend on the record alone: during
    /// a long catch-up it runs on another thread, ahead of ``apply(_:to:store:)``.
    func decode(_ record: borrowing EventRecord, into events: inout [Decoded]) throws

    /// Folds decoded events into the batch, in log order; `store` shows the state as of the
    /// batch's start.
    func apply(_ events: [Decoded], to batch: inout Batch, store: borrowing ProjectionStore) throws

    /// Writes what the batch changed into the store. Nothing is applied to the batch
    /// afterwards, so the flush may reorder or empty it in place; a pipeline then hands it to
    /// ``PipelinedProjection/makeBatch(after:reusing:)`` for its memory.
    func flush(_ batch: inout Batch, into store: inout ProjectionStore) throws
}

/// A projection whose chunks can be folded and stored in a pipeline: while one chunk's batch
/// is written (in a write transaction), the next chunk is applied on another thread to a batch
/// made by ``makeBatch(after:reusing:)``, over a read snapshot that does not yet hold the previous
/// chunk's state. Long catch-ups and rebuilds then keep both of a machine's cores busy.
///
/// The state stored must be the same as when each chunk is folded and stored in turn.
public protocol PipelinedProjection: Projection where Batch: Sendable {
    /// An empty batch for the events that follow those of `previous`, which is being flushed
    /// while the new batch is applied: ``Projection/apply(_:to:store:)`` must then find what
    /// `previous` changed in the batch, as the store shows the state from before `previous`.
    ///
    /// - Parameter spare: a batch flushed earlier in the same pipeline, or `nil`. Its content
    ///   is spent; the new batch may take its memory, so that a long fold does not allocate
    ///   (and fault in) fresh memory for every chunk.
    func makeBatch(after previous: Batch, reusing spare: consuming Batch?) -> Batch

    /// Drops from a batch what only applying its events needed. The pipeline calls it once
    /// every event of a chunk is applied, before the batch is flushed while the next chunk is
    /// applied: by then the batch need not hold on to what ``makeBatch(after:reusing:)`` kept of the
    /// one before it.
    func finishApplying(_ batch: inout Batch)
}

extension PipelinedProjection {
    /// Keeps the whole batch.
    public func finishApplying(_ batch: inout Batch) {}
}

/// Where a projection stands.
public struct ProjectionStatus: Hashable, Sendable {
    /// The position of the last event folded into the stored state (0: none).
    public var checkpoint: UInt64
    /// The log's head in the snapshot the state was read from; the state passed to a reader
    /// always reflects every event up to it.
    public var head: LedgerDigest
}
