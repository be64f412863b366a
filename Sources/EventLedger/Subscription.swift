/// The log from a position on, then every event appended later, as they are appended. Made by
/// ``Ledger/subscribe(from:)``.
///
/// The subscription first catches up with the stored events, then waits: an append by this
/// process wakes it at once, an append by another process is found by polling every
/// ``LedgerOptions/pollInterval``. It never ends by itself; cancel the task that iterates it
/// and the iteration ends cleanly, returning `nil`.
public struct Subscription: AsyncSequence, Sendable {
    /// Each element is an owned copy of a stored event.
    public typealias Element = RecordedEvent
    /// Reads fail with `LedgerError` or `LMDBError`.
    public typealias Failure = any Error

    let ledger: Ledger
    let from: UInt64

    /// Starts following the log.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(ledger: ledger, nextPosition: Swift.max(from, 1))
    }

    /// Follows the log.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let ledger: Ledger
        private var nextPosition: UInt64
        private var buffer: [RecordedEvent] = []
        private var index = 0

        init(ledger: Ledger, nextPosition: UInt64) {
            self.ledger = ledger
            self.nextPosition = nextPosition
        }

        /// The next event, waiting for it when the subscription has caught up; `nil` once the
        /// task is cancelled.
        public mutating func next() async throws -> RecordedEvent? {
            while index == buffer.count {
                if Task.isCancelled { return nil }
                let generation = ledger.signal.generation
                var fetched: [RecordedEvent] = []
                let (ledger, start) = (ledger, nextPosition)
                try ledger.environment.read { txn in
                    try ledger.scan(from: start, through: .max, direction: .forward, types: nil, limit: Limits.readChunkEventsMax, in: txn) {
                        fetched.append($0.recorded)
                    }
                }
                if let last = fetched.last { nextPosition = last.position + 1 }
                buffer = fetched
                index = 0
                if buffer.isEmpty {
                    await ledger.signal.wait(beyond: generation, timeout: ledger.options.pollInterval)
                }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

extension Ledger {
    /// Follows the log from position `from` (inclusive): first the stored events, then each
    /// new one as it is appended, until the iterating task is cancelled.
    public func subscribe(from: UInt64 = 1) -> Subscription {
        Subscription(ledger: self, from: from)
    }
}
