import Dispatch
import EventLedger
import LedgerLMDB
import Synchronization
import TestSupport
import Testing

/// ``PositionDigest`` folded in a pipeline: a chunk's batch continues the digest of the batch
/// before it, which is still being stored while it is applied. It records, for each batch it
/// flushes, whether the batch still held on to the one before it, and for each batch it makes
/// to continue another, what it was given to reuse.
struct PipelinedDigest: PipelinedProjection, CustomTestStringConvertible {
    var digest = PositionDigest(name: "pipelinedDigest")
    /// For each batch flushed, in turn: whether it still kept the batch it continues.
    let flushed = FlushLog()
    /// Called by ``makeBatch()``, which a fold calls in the read snapshot it applies a chunk in.
    var madeBatch: (@Sendable () -> Void)?

    struct Batch: Sendable {
        var digest: PositionDigest.Batch
        /// The batch this one continues, kept (as a projection may) only while applying.
        var before: PositionDigest.Batch?
        var finished = false
        /// Set by the flush.
        var flushed = false
    }

    /// What a batch made to continue another was given to reuse.
    enum Spare: Equatable {
        case none, flushed, notFlushed
    }

    final class FlushLog: Sendable {
        let keptBefore = Mutex<[Bool]>([])
        let spares = Mutex<[Spare]>([])
    }

    var name: String { digest.name }
    var version: UInt32 { digest.version }
    var tables: [String] { digest.tables }
    var testDescription: String { digest.testDescription }

    init(unreadableAt: UInt64? = nil, refusedAt: UInt64? = nil) {
        digest.unreadableAt = unreadableAt
        digest.refusedAt = refusedAt
    }

    func makeBatch() -> Batch {
        madeBatch?()
        return Batch(digest: digest.makeBatch())
    }
    func makeBatch(after previous: Batch, reusing spare: consuming Batch?) -> Batch {
        flushed.spares.withLock { $0.append(spare.map { $0.flushed ? .flushed : .notFlushed } ?? .none) }
        return Batch(digest: previous.digest, before: previous.digest)
    }
    func finishApplying(_ batch: inout Batch) {
        batch.before = nil
        batch.finished = true
    }
    func decode(_ record: borrowing EventRecord, into events: inout [(position: UInt64, type: String)]) throws {
        try digest.decode(record, into: &events)
    }
    func apply(_ events: [(position: UInt64, type: String)], to batch: inout Batch, store: borrowing ProjectionStore) throws {
        #expect(!batch.finished, "no event is applied to a batch once it is finished")
        try digest.apply(events, to: &batch.digest, store: store)
    }
    func flush(_ batch: inout Batch, into store: inout ProjectionStore) throws {
        flushed.keptBefore.withLock { $0.append(batch.before != nil) }
        try digest.flush(&batch.digest, into: &store)
        batch.flushed = true
    }
}

/// Catch-ups and rebuilds of a ``PipelinedProjection``: each chunk is applied while the one
/// before it is stored, and the state stored must be the one a fold in turn stores.
@Suite struct PipelineTests {

    /// The stored digest, once the stored state is caught up with the log.
    private func stored(_ ledger: Ledger) throws -> (count: UInt64, digest: UInt64) {
        let projection = PipelinedDigest()
        return try ledger.read(projection) { store, status in
            #expect(status.checkpoint == status.head.position, "the stored state is caught up")
            return try projection.digest.stored(store)
        }
    }

    /// A ledger of 10,500 events whose folds go in chunks of 1,000.
    private func ledgerOfChunks(_ directory: TemporaryDirectory, readAheadEventsMin: Int, _ configure: (inout LedgerOptions) -> Void = { _ in }) throws -> Ledger {
        let ledger = try makeLedger(directory) {
            $0.readAheadEventsMin = readAheadEventsMin
            $0.foldChunkEventsMax = 1_000
            configure(&$0)
        }
        try appendEvents(ledger, count: 10_500)
        return ledger
    }

    @Test(arguments: [1, Int.max])
    func aPipelinedCatchUpStoresWhatAFoldInTurnStores(readAheadEventsMin: Int) throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: readAheadEventsMin)
        var reached: [UInt64] = []
        #expect(try ledger.catchUp(PipelinedDigest()) { reached.append($0) } == 10_500)
        #expect(reached == Array(stride(from: 1_000, through: 10_000, by: 1_000)) + [10_500])
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
        // A catch-up continues from the checkpoint; a rebuild starts again from nothing.
        try appendEvents(ledger, count: 2_700, from: 10_500)
        #expect(try ledger.catchUp(PipelinedDigest()) == 13_200)
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
        #expect(try ledger.rebuild(PipelinedDigest()) == 13_200)
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
        #expect(try stored(ledger).count == 13_200)
    }

    /// A failure in the chunk being applied (on either of its threads) ends the catch-up with
    /// that error; the chunks before it stay stored, and a later catch-up goes on from them.
    @Test(arguments: [
        PipelinedDigest(refusedAt: 1), PipelinedDigest(refusedAt: 3_500), PipelinedDigest(refusedAt: 3_001), PipelinedDigest(refusedAt: 10_500),
        PipelinedDigest(unreadableAt: 3_500), PipelinedDigest(unreadableAt: 7_000),
    ])
    func aFailingChunkEndsTheCatchUpWithItsErrorAfterStoringTheChunksBeforeIt(failing: PipelinedDigest) throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: 1)
        let failure = try #require(failing.digest.failure)
        let position = switch failure {
        case .refused(let position), .unreadable(let position): position
        }
        #expect(throws: failure) { try ledger.catchUp(failing) }
        #expect(try ledger.checkpoint(of: PipelinedDigest()) == (position - 1) / 1_000 * 1_000)
        // Goes on from the chunks stored, so their digest must be right for this one to be.
        #expect(try ledger.catchUp(PipelinedDigest()) == 10_500)
        #expect(try self.stored(ledger) == PositionDigest.expected(ledger))
    }

    /// Another writer stores the projection while a chunk is applied ahead: that chunk, folded
    /// over a state that is no longer stored, is dropped and the catch-up goes on from the
    /// state stored.
    @Test func aChunkFoldedOverAStateStoredSinceIsFoldedAgain() throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: Limits.readAheadEventsMin)
        var reached: [UInt64] = []
        let caughtUp = try ledger.catchUp(PipelinedDigest()) { checkpoint in
            reached.append(checkpoint)
            // The first chunk of a projection never stored has no checkpoint to fold ahead
            // of; from the second on, the next chunk is folded ahead when one is stored.
            guard reached.count == 2 else { return }
            // Catches the projection up to the head in its own transaction, then appends.
            _ = try? ledger.append(updating: PipelinedDigest()) { _ in
                ((10_500..<10_510).map { StreamAppend(stream: "S\($0 % 7)", events: [event("e\($0)", "d")]) }, ())
            }
        }
        #expect(caughtUp == 10_510)
        #expect(reached == [1_000, 2_000, 10_510])
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
    }

    /// A read far behind folds the log into a scratch file, and `verify` compares the stored
    /// state with such a fold: both go through the pipeline too, and both end with the error
    /// of a chunk that fails.
    @Test(arguments: [1, Int.max])
    func aFoldIntoAScratchFileIsPipelinedToo(readAheadEventsMin: Int) throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: readAheadEventsMin) { $0.memoryCatchUpEventsMax = 100 }
        let projection = PipelinedDigest()
        let (checkpoint, folded) = try ledger.read(projection) { store, status in (status.checkpoint, try projection.digest.stored(store)) }
        #expect(checkpoint == 0)
        #expect(folded == (try PositionDigest.expected(ledger)))
        for failing in [PipelinedDigest(refusedAt: 4_321), PipelinedDigest(unreadableAt: 10_001)] {
            let failure = try #require(failing.digest.failure)
            #expect(throws: failure) { try ledger.read(failing) { _, _ in } }
        }
        #expect(try ledger.catchUp(projection) == 10_500)
        #expect(try ledger.compareWithRebuild(projection) == nil)
    }

    /// A rebuild applies its first chunk to an empty state while it empties the stored one,
    /// so that chunk's snapshot may still hold the old state, which the chunk must not continue.
    /// Here another append holds the write lock until that snapshot has begun, so it does.
    @Test func aRebuildAppliesItsFirstChunkWhileItEmptiesTheOldState() throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: 1)
        #expect(try ledger.catchUp(PipelinedDigest()) == 10_500)
        let (writing, snapshotBegun, release, written) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        DispatchQueue(label: "holds the write lock").async {
            _ = try? ledger.append(updating: PositionDigest(name: "holder")) { _ in
                writing.signal()
                release.wait()
                return ([], ())
            }
            written.signal()
        }
        writing.wait()
        let begunFirst = Mutex(false)
        DispatchQueue(label: "waits for the first snapshot").async {
            let begun = snapshotBegun.wait(timeout: .now() + 30) == .success
            begunFirst.withLock { $0 = begun }
            release.signal()
        }
        var projection = PipelinedDigest()
        projection.madeBatch = { snapshotBegun.signal() }
        #expect(try ledger.rebuild(projection) == 10_500)
        written.wait()
        #expect(begunFirst.withLock { $0 }, "the first chunk's snapshot began while the old state was still stored")
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
    }

    /// A chunk applied ahead is finished before it is flushed: it no longer holds the batch
    /// before it while the next chunk is applied.
    @Test func aChunkAppliedAheadIsFlushedWithoutTheBatchBeforeIt() throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: 1)
        let projection = PipelinedDigest()
        #expect(try ledger.rebuild(projection) == 10_500)
        let keptBefore = projection.flushed.keptBefore.withLock { $0 }
        #expect(keptBefore.count == 11)
        #expect(!keptBefore.contains(true))
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
    }

    /// Each batch made to continue another reuses the memory of the batch stored the round
    /// before (from the second round on): a long fold does not take fresh memory per chunk.
    @Test func eachChunkAppliedAheadReusesTheBatchStoredTheRoundBefore() throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerOfChunks(directory, readAheadEventsMin: 1)
        let projection = PipelinedDigest()
        #expect(try ledger.rebuild(projection) == 10_500)
        // One batch made after each of the 11 chunks stored (the last finds nothing to fold).
        let spares = projection.flushed.spares.withLock { $0 }
        #expect(spares == [.none] + Array(repeating: .flushed, count: 10))
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
    }

    /// With no reader slot left, the chunks cannot be applied in read snapshots: the catch-up
    /// folds each in its write transaction instead.
    @Test func aCatchUpWithNoReaderSlotLeftFoldsEachChunkInTurn() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.foldChunkEventsMax = 1_000 }
        #expect(try catchUpWithEveryReaderSlotTaken(ledger, PipelinedDigest()) == 5_000)
        #expect(try stored(ledger) == PositionDigest.expected(ledger))
    }
}
