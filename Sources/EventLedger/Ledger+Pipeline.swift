import Dispatch
import LedgerLMDB
import Synchronization

extension Ledger {
    /// ``rebuild(_:progress:)`` in a pipeline: the first chunk is applied to an empty state,
    /// on another thread, while this one empties the stored state; the catch-up then goes on
    /// from it. (The first chunk of a rebuild need not wait for the old state to be freed.)
    func rebuildInPipeline<P: PipelinedProjection>(_ projection: P, tables: [String: Database], progress: ((UInt64) -> Void)?) throws -> UInt64 {
        let first = NextChunk<P.Batch>()
        DispatchQueue(label: "dossier-ledger.fold-ahead").async { [self] in
            first.end(Result {
                try environment.read { txn in
                    // Nothing before the first event: the state it continues is empty, whatever the snapshot stores.
                    try foldFirstChunk(projection, after: 0, store: ProjectionStore(base: nil, log: txn.handle, tables: tables), in: txn)
                }
            })
        }
        let emptied = Result { try emptyStoredState(of: projection, tables: tables) }
        // A first chunk that could not be folded is folded again by the catch-up.
        let folded = (try? first.result().get()) ?? nil
        try emptied.get()
        return try catchUpInPipeline(projection, tables: tables, first: folded, progress: progress)
    }

    /// ``catchUp(_:progress:)`` in a pipeline: each chunk is applied in a read snapshot, on
    /// another thread while the chunk before it is written. Whenever the stored state is not
    /// the one a batch was folded over (the projection's version changed, or another process
    /// stored it meanwhile), the chunk is folded again in turn.
    func catchUpInPipeline<P: PipelinedProjection>(_ projection: P, tables: [String: Database], progress: ((UInt64) -> Void)?) throws -> UInt64 {
        try catchUpInPipeline(projection, tables: tables, first: nil, progress: progress)
    }

    /// ``catchUpInPipeline(_:tables:progress:)`` from `first`, the first chunk, when it is
    /// already folded. (A function of its own rather than a defaulted parameter: `catchUp`
    /// calls the other with an `any PipelinedProjection`, which Swift opens only when `P`
    /// appears in no other parameter.)
    private func catchUpInPipeline<P: PipelinedProjection>(
        _ projection: P, tables: [String: Database], first: consuming FoldedChunk<P.Batch>?, progress: ((UInt64) -> Void)?
    ) throws -> UInt64 {
        try runPipeline(
            projection,
            first: first,
            foldFirst: {
                try environment.read { txn -> FoldedChunk<P.Batch>? in
                    guard let checkpoint = try storedCheckpoint(of: projection, in: txn) else { return nil }
                    return try foldFirstChunk(projection, after: checkpoint, store: ProjectionStore(base: txn.handle, log: txn.handle, tables: tables), in: txn)
                }
            },
            foldNext: { [self] previous, parcel, begun in
                try environment.read { txn in
                    begun()
                    guard try storedCheckpoint(of: projection, in: txn) == previous.after, let batch = parcel.take() else { return nil }
                    let store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
                    return try foldChunk(
                        projection, after: previous.through, through: headPosition(in: txn), chunk: previous.chunk, batch: consume batch, store: store, in: txn)
                }
            },
            store: { current in
                try environment.write { txn -> (stored: Bool, done: Bool) in
                    guard try storedCheckpoint(of: projection, in: txn) == current.after else { return (false, false) }
                    var store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
                    try projection.flush(&current.batch, into: &store)
                    try saveCheckpoint(current.through, of: projection, in: &txn)
                    return (true, try headPosition(in: txn) == current.through)
                }
            },
            foldInTurn: { try catchUpChunk(projection, tables: tables) },
            progress: progress)
    }

    /// Folds chunks in a pipeline: while this thread stores a chunk's batch, another applies
    /// the next chunk to a batch made by ``PipelinedProjection/makeBatch(after:reusing:)``,
    /// which reuses the memory of the batch stored the round before. A chunk
    /// that cannot be folded ahead (no reader slot left, a state stored meanwhile by another
    /// writer, a failure) is folded and stored in turn by `foldInTurn`, which reports what
    /// persists, and the pipeline starts again after it.
    ///
    /// - Parameters:
    ///   - first: the first chunk, when it is already folded.
    ///   - foldFirst: applies the next chunk to a new batch, in a read snapshot on this
    ///     thread; `nil` when there is none or when it must be folded in turn.
    ///   - foldNext: applies the chunk after `previous` to the batch it takes from `batch`, on
    ///     another thread, calling `begun` as soon as its read snapshot has begun (before
    ///     `previous` is stored, so that the snapshot does not hold it); `nil` when there is none
    ///     or the snapshot is not the state `previous` continues.
    ///   - store: stores a folded chunk, unless the stored state is no longer the one it
    ///     continues; also says whether nothing is left to fold.
    ///   - foldInTurn: folds and stores the next chunk in one write transaction; returns the
    ///     position reached and whether nothing is left to fold.
    /// - Returns: the last position stored.
    private func runPipeline<P: PipelinedProjection>(
        _ projection: P,
        first: consuming FoldedChunk<P.Batch>? = nil,
        foldFirst: () throws -> FoldedChunk<P.Batch>?,
        foldNext: @escaping @Sendable (_ previous: ChunkSpan, _ batch: Parcel<P.Batch>, _ begun: @Sendable () -> Void) throws -> FoldedChunk<P.Batch>?,
        store: (inout FoldedChunk<P.Batch>) throws -> (stored: Bool, done: Bool),
        foldInTurn: () throws -> (UInt64, Bool),
        progress: ((UInt64) -> Void)?
    ) throws -> UInt64 {
        var ahead = first
        var spare: P.Batch?
        while true {
            guard var current = ahead.take() ?? ((try? foldFirst()) ?? nil) else {
                let (reached, done) = try foldInTurn()
                progress?(reached)
                if done { return reached }
                continue
            }
            // The next batch goes to the folding thread in a parcel, so that no copy of it stays
            // here: its arrays are then the folding thread's alone, and grow in place.
            let parcel = Parcel(projection.makeBatch(after: current.batch, reusing: spare.take()))
            let (span, next) = (current.span, NextChunk<P.Batch>())
            DispatchQueue(label: "dossier-ledger.fold-ahead").async {
                next.end(Result { try foldNext(span, parcel) { next.begun() } })
            }
            next.waitUntilBegun()
            let stored = Result { try store(&current) }
            let following = next.result()
            let outcome = try stored.get()
            guard outcome.stored else { continue }
            progress?(current.through)
            // The folding thread no longer holds the stored batch (``PipelinedProjection/finishApplying(_:)``).
            spare = current.batch
            // A fold that failed is done again in turn, which reports what persists.
            ahead = (try? following.get()) ?? nil
            if outcome.done && ahead == nil { return current.through }
        }
    }

    /// The fewest events a pipeline splits its fold into two chunks for: below it, the
    /// second commit costs more than folding the second half while the first is written saves.
    /// (A rebuild of 1 M events took 0.61 s in two chunks, 0.69–0.74 s in one.)
    static let pipelineHalfChunkEventsMin: UInt64 = 250_000

    /// The chunk of a pipeline that folds `span` events: at most
    /// ``LedgerOptions/foldChunkEventsMax``, and half of them when that keeps two chunks of at
    /// least ``pipelineHalfChunkEventsMin``, so that a fold of one chunk's worth of events
    /// still overlaps its two halves.
    func pipelineChunk(toFold span: UInt64) -> UInt64 {
        Swift.min(chunkEvents, Swift.max((span + 1) / 2, Self.pipelineHalfChunkEventsMin))
    }

    /// Applies the first chunk of a pipeline, the events after `checkpoint` in `txn`, to a new
    /// batch, over the state in `store`; `nil` when there are none.
    private func foldFirstChunk<P: PipelinedProjection>(
        _ projection: P, after checkpoint: UInt64, store: borrowing ProjectionStore, in txn: borrowing ReadTransaction
    ) throws -> FoldedChunk<P.Batch>? {
        let head = try headPosition(in: txn)
        return try foldChunk(
            projection, after: checkpoint, through: head, chunk: pipelineChunk(toFold: head - Swift.min(head, checkpoint)), batch: projection.makeBatch(),
            store: store, in: txn)
    }

    /// Applies the chunk of events after `checkpoint` (up to `limit`, at most `chunk` of them,
    /// read from `txn`) to `batch`, over the state in `store`; `nil` when there are none.
    private func foldChunk<P: PipelinedProjection>(
        _ projection: P, after checkpoint: UInt64, through limit: UInt64, chunk: UInt64, batch: consuming P.Batch, store: borrowing ProjectionStore,
        in txn: borrowing ReadTransaction
    ) throws -> FoldedChunk<P.Batch>? {
        guard checkpoint < limit else { return nil }
        let through = Swift.min(limit, checkpoint + chunk)
        var batch = consume batch
        try apply(projection, from: checkpoint + 1, through: through, to: &batch, store: store, in: txn)
        projection.finishApplying(&batch)
        return FoldedChunk(batch: batch, span: ChunkSpan(after: checkpoint, through: through, chunk: chunk))
    }

    /// The fold into a scratch environment in a pipeline (see ``runPipeline(_:foldFirst:foldNext:store:foldInTurn:progress:)``):
    /// chunks are applied over read snapshots of the scratch environment, reading the log in
    /// read transactions of their own (the log only grows, so they hold the same events).
    func scratchFoldInPipeline<P: PipelinedProjection>(
        _ projection: P, through: UInt64, scratch: Environment, tables: [String: Database], foldInTurn: (_ after: UInt64) throws -> UInt64
    ) throws {
        var done: UInt64 = 0
        _ = try runPipeline(
            projection,
            foldFirst: {
                try environment.readNested { log in
                    try scratch.read { state in
                        let store = ProjectionStore(base: state.handle, log: log.handle, tables: tables)
                        return try foldChunk(
                            projection, after: done, through: through, chunk: pipelineChunk(toFold: through - done), batch: projection.makeBatch(), store: store, in: log)
                    }
                }
            },
            foldNext: { [self] previous, parcel, begun in
                try environment.readNested { log in
                    try scratch.read { state in
                        begun()
                        guard let batch = parcel.take() else { return nil }
                        let store = ProjectionStore(base: state.handle, log: log.handle, tables: tables)
                        return try foldChunk(projection, after: previous.through, through: through, chunk: previous.chunk, batch: consume batch, store: store, in: log)
                    }
                }
            },
            store: { current in
                guard current.after == done else { return (false, false) }
                try scratch.write { scratchTxn in
                    var store = ProjectionStore(base: scratchTxn.handle, log: nil, tables: tables)
                    try projection.flush(&current.batch, into: &store)
                }
                done = current.through
                return (true, done == through)
            },
            foldInTurn: {
                done = try foldInTurn(done)
                return (done, done == through)
            },
            progress: nil)
    }
}

/// Where a chunk of a pipeline lies in the log.
struct ChunkSpan: Sendable {
    /// The checkpoint the chunk's batch continues: the state it was applied over.
    var after: UInt64
    /// The last position applied.
    var through: UInt64
    /// How many events each chunk of its pipeline spans (the last one may span fewer).
    var chunk: UInt64
}

/// A chunk of events applied to a batch that is not stored yet.
struct FoldedChunk<Batch: Sendable>: Sendable {
    /// What applying the chunk changed.
    var batch: Batch
    /// Where the chunk lies.
    var span: ChunkSpan
    /// The checkpoint the batch continues.
    var after: UInt64 { span.after }
    /// The last position applied.
    var through: UInt64 { span.through }
}

/// A value handed to another thread and taken there, so that no copy of it stays behind.
final class Parcel<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    init(_ value: consuming Value) { self.value = Mutex(value) }

    /// The value, the first time; `nil` after.
    func take() -> Value? { value.withLock { $0.take() } }
}

/// The chunk a pipelined catch-up folds on another thread while this one stores the previous.
final class NextChunk<Batch: Sendable>: Sendable {
    private let outcome = Mutex<Result<FoldedChunk<Batch>?, any Error>?>(nil)
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Folding thread: its read snapshot has begun.
    func begun() { started.signal() }

    /// Folding thread: how it ended; the last call it makes (and says it began, if it could not).
    func end(_ result: Result<FoldedChunk<Batch>?, any Error>) {
        outcome.withLock { $0 = result }
        started.signal()
        finished.signal()
    }

    /// Waits until the folding thread's snapshot has begun (or it ended without one).
    func waitUntilBegun() { started.wait() }

    /// Waits for the folding thread to end, and returns what it folded.
    func result() -> Result<FoldedChunk<Batch>?, any Error> {
        finished.wait()
        return outcome.withLock { $0 } ?? .success(nil)
    }
}
