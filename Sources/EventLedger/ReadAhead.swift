import Dispatch
import Synchronization

/// Blocks of decoded events on their way from the thread that reads and decodes them to the
/// thread that applies them, at most a fixed number of blocks ahead.
///
/// The reader ``put(_:)``s blocks and then ``end(_:)``s; the applier takes them with
/// ``next()`` and always calls ``stop()`` when it is done, whether it read to the end or
/// gave up, which waits for the reader to finish.
final class ReadAhead<Element: Sendable>: Sendable {
    private struct State {
        var blocks: [[Element]] = []
        /// Emptied blocks, handed back for the reader to fill again.
        var spare: [[Element]] = []
        /// How the reader ended, once it has.
        var end: Result<Void, any Error>?
        /// Whether the applier has stopped taking blocks.
        var stopped = false
    }

    /// Thrown inside the reader when the applier has stopped.
    struct Stopped: Error {}

    private let state = Mutex(State())
    /// Counts the blocks ready, plus one for the end.
    private let ready = DispatchSemaphore(value: 0)
    /// Counts the blocks the reader may still put before the applier takes one.
    private let room: DispatchSemaphore
    /// Signalled when the reader has ended.
    private let ended = DispatchSemaphore(value: 0)

    init(blocksAhead: Int) {
        // Created at 0 and raised: libdispatch stops a process that frees a semaphore whose
        // value is below the one it was created with, as `room` is when the applier stops early.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<blocksAhead { room.signal() }
    }

    /// Reader: hands over a block, waiting while the applier is too far behind.
    ///
    /// - Throws: ``Stopped`` when the applier has stopped; the reader should end.
    func put(_ block: [Element]) throws(Stopped) {
        room.wait()
        let accepted = state.withLock { state in
            guard !state.stopped else { return false }
            state.blocks.append(block)
            return true
        }
        guard accepted else { throw Stopped() }
        ready.signal()
    }

    /// Reader: an empty block to fill; one the applier handed back when there is one.
    func emptyBlock() -> [Element] {
        var block = state.withLock { $0.spare.popLast() } ?? []
        block.removeAll(keepingCapacity: true)
        return block
    }

    /// Applier: hands back a block it has applied, for the reader to empty and fill again.
    func recycle(_ block: [Element]) {
        state.withLock { $0.spare.append(block) }
    }

    /// Reader: says how it ended; the last call it makes.
    func end(_ result: Result<Void, any Error>) {
        state.withLock { $0.end = result }
        ready.signal()
        ended.signal()
    }

    /// Applier: the next block, or `nil` after the last one.
    ///
    /// - Throws: what ended the reader, once every block before it is taken.
    func next() throws -> [Element]? {
        ready.wait()
        let (block, end) = state.withLock { state -> ([Element]?, Result<Void, any Error>?) in
            state.blocks.isEmpty ? (nil, state.end) : (state.blocks.removeFirst(), nil)
        }
        if let block {
            room.signal()
            return block
        }
        // The end stays for any later call.
        ready.signal()
        try end?.get()
        return nil
    }

    /// Applier: stops taking blocks and waits until the reader has ended.
    func stop() {
        state.withLock { $0.stopped = true }
        room.signal()
        ended.wait()
    }
}
