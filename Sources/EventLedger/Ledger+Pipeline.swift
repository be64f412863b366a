import Dispatch
import LedgerLMDB
import Synchronization

extension Ledger {
    /// ``catchUp(_:progress:)`` in a pipeline: each chunk is applied in a read snapshot, on
    /// another thread while the chunk before it is written. Whenever the stored state is not
    /// the one a batch was folded over (the projection's version changed, or another process
    /// stored it meanwhile), the chunk is folded again in turn.
    func catchUpInPipeline<P: PipelinedProjection>(_ projection: P, tables: [String: Database], progress: ((UInt64) -> Void)?) throws -> UInt64 {
        try runPipeline(
            projection,
            foldFirst: {
                try environment.read { txn -> FoldedChunk<P.Batch>? in
                    guard let checkpoint = try storedCheckpoint(of: projection, in: txn) else { return nil }
                    let store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
                    let head = try headPosition(in: txn)
                    return try foldChunk(
                        projection, after: checkpoint, through: head, chunk: pipelineChunk(toFold: head - Swift.min(head, checkpoint)), batch: projection.makeBatch(),
                        store: store, in: txn)
                }
            },
            foldNext: { [self] previous, begun in
                try environment.read { txn in
                    begun()
                    guard try storedCheckpoint(of: projection, in: txn) == previous.after else { return nil }
                    let store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
                    return try foldChunk(
                        projection, after: previous.through, through: headPosition(in: txn), chunk: previous.chunk, batch: projection.makeBatch(after: previous.batch),
                        store: store, in: txn)
                }
            },
            store: { current in
                try environment.write { txn -> (stored: Bool, done: Bool) in
                    guard try storedCheckpoint(of: projection, in: txn) == current.after else { return (false, false) }
                    var store = ProjectionStore(base: txn.handle, log: txn.handle, tables: tables)
                    try projection.flush(current.batch, into: &store)
                    try saveCheckpoint(current.through, of: projection, in: &txn)
                    return (true, try headPosition(in: txn) == current.through)
                }
            },
            foldInTurn: { try catchUpChunk(projection, tables: tables) },
            progress: progress)
    }

    /// Folds chunks in a pipeline: while this thread stores a chunk's batch, another applies
    /// the next chunk to a batch made by ``PipelinedProjection/makeBatch(after:)``. A chunk
    /// that cannot be folded ahead (no reader slot left, a state stored meanwhile by another
    /// writer, a failure) is folded and stored in turn by `foldInTurn`, which reports what
    /// persists, and the pipeline starts again after it.
    ///
    /// - Parameters:
    ///   - foldFirst: applies the next chunk to a new batch, in a read snapshot on this
    ///     thread; `nil` when there is none or when it must be folded in turn.
    ///   - foldNext: applies the chunk after `previous`, on another thread, calling `begun` as
    ///     soon as its read snapshot has begun (before `previous` is stored, so that the
    ///     snapshot does not hold it); `nil` when there is none or the snapshot is not the state
    ///     `previous` continues.
    ///   - store: stores a folded chunk, unless the stored state is no longer the one it
    ///     continues; also says whether nothing is left to fold.
    ///   - foldInTurn: folds and stores the next chunk in one write transaction; returns the
    ///     position reached and whether nothing is left to fold.
    /// - Returns: the last position stored.
    private func runPipeline<P: PipelinedProjection>(
        _ projection: P,
        foldFirst: () throws -> FoldedChunk<P.Batch>?,
        foldNext: @escaping @Sendable (_ previous: FoldedChunk<P.Batch>, _ begun: @Sendable () -> Void) throws -> FoldedChunk<P.Batch>?,
        store: (FoldedChunk<P.Batch>) throws -> (stored: Bool, done: Bool),
        foldInTurn: () throws -> (UInt64, Bool),
        progress: ((UInt64) -> Void)?
    ) throws -> UInt64 {
        var ahead: FoldedChunk<P.Batch>?
        while true {
            guard let current = ahead ?? ((try? foldFirst()) ?? nil) else {
                let (reached, done) = try foldInTurn()
                progress?(reached)
                if done { return reached }
                continue
            }
            let next = NextChunk<P.Batch>()
            DispatchQueue(label: "dossier-ledger.fold-ahead").async {
                next.end(Result { try foldNext(current) { next.begun() } })
            }
            next.waitUntilBegun()
            let stored = Result { try store(current) }
            let following = next.result()
            let outcome = try stored.get()
            guard outcome.stored else {
                ahead = nil
                continue
            }
            progress?(current.through)
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

    /// Applies the chunk of events after `checkpoint` (up to `limit`, at most `chunk` of them,
    /// read from `txn`) to `batch`, over the state in `store`; `nil` when there are none.
    private func foldChunk<P: PipelinedProjection>(
        _ projection: P, after checkpoint: UInt64, through limit: UInt64, chunk: UInt64, batch: P.Batch, store: borrowing ProjectionStore,
        in txn: borrowing ReadTransaction
    ) throws -> FoldedChunk<P.Batch>? {
        guard checkpoint < limit else { return nil }
        let through = Swift.min(limit, checkpoint + chunk)
        var batch = batch
        try apply(projection, from: checkpoint + 1, through: through, to: &batch, store: store, in: txn)
        projection.finishApplying(&batch)
        return FoldedChunk(batch: batch, after: checkpoint, through: through, chunk: chunk)
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
            foldNext: { [self] previous, begun in
                try environment.readNested { log in
                    try scratch.read { state in
                        begun()
                        let store = ProjectionStore(base: state.handle, log: log.handle, tables: tables)
                        return try foldChunk(
                            projection, after: previous.through, through: through, chunk: previous.chunk, batch: projection.makeBatch(after: previous.batch), store: store,
                            in: log)
                    }
                }
            },
            store: { current in
                guard current.after == done else { return (false, false) }
                try scratch.write { scratchTxn in
                    var store = ProjectionStore(base: scratchTxn.handle, log: nil, tables: tables)
                    try projection.flush(current.batch, into: &store)
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

/// A chunk of events applied to a batch that is not stored yet.
struct FoldedChunk<Batch: Sendable>: Sendable {
    var batch: Batch
    /// The checkpoint the batch continues: the state it was applied over.
    var after: UInt64
    /// The last position applied.
    var through: UInt64
    /// How many events each chunk of its pipeline spans (the last one may span fewer).
    var chunk: UInt64
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
