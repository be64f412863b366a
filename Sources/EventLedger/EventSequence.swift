/// The events of a log range or of one stream, as owned copies fetched lazily, a chunk of
/// ``Limits/readChunkEventsMax`` events per short read transaction. Made by
/// ``Ledger/events(from:through:direction:types:)`` and ``Ledger/events(inStream:from:direction:)``.
///
/// The sequence is bounded by the head (or the stream's last version) as it was when
/// iteration began; since the log only grows, it shows that snapshot exactly, without holding
/// a read transaction open between chunks.
public struct EventSequence: AsyncSequence, Sendable {
    /// Each element is an owned copy of a stored event.
    public typealias Element = RecordedEvent
    /// Reads fail with `LedgerError` or `LMDBError`.
    public typealias Failure = any Error

    enum Scope: Sendable {
        case log(from: UInt64, through: UInt64, direction: Direction, types: Set<String>?)
        case stream(String, from: UInt64, direction: Direction)
    }

    let ledger: Ledger
    let scope: Scope

    /// Starts an iteration.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(ledger: ledger, scope: scope)
    }

    /// Fetches the sequence chunk by chunk.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let ledger: Ledger
        let scope: Scope
        private var buffer: [RecordedEvent] = []
        private var index = 0
        /// The next position or version to fetch; `nil` once the sequence is exhausted.
        private var cursor: UInt64?
        /// The last position or version to show, fixed at the first fetch.
        private var bound: UInt64?

        init(ledger: Ledger, scope: Scope) {
            self.ledger = ledger
            self.scope = scope
            switch scope {
            case .log(let from, let through, let direction, _):
                cursor = direction == .forward ? from : through
            case .stream(_, let from, _):
                cursor = from
            }
        }

        /// The next event, or `nil` at the end.
        public mutating func next() async throws -> RecordedEvent? {
            if index == buffer.count {
                try fetch()
                if buffer.isEmpty { return nil }
            }
            defer { index += 1 }
            return buffer[index]
        }

        private mutating func fetch() throws {
            buffer.removeAll(keepingCapacity: true)
            index = 0
            guard let start = cursor else { return }
            let chunk = Limits.readChunkEventsMax
            var fetched: [RecordedEvent] = []
            fetched.reserveCapacity(chunk)
            switch scope {
            case .log(let from, let through, let direction, let types):
                let (ledger, currentBound) = (ledger, bound)
                let head = try currentBound ?? ledger.head().position
                bound = head
                let (low, high) = direction == .forward ? (start, Swift.min(through, head)) : (from, Swift.min(start, head))
                guard low <= high else { cursor = nil; return }
                try ledger.environment.read { txn in
                    try ledger.scan(from: low, through: high, direction: direction, types: types, limit: chunk, in: txn) { fetched.append($0.recorded) }
                }
                if fetched.count < chunk {
                    cursor = nil
                } else if let last = fetched.last?.position {
                    cursor = direction == .forward ? (last < high ? last + 1 : nil) : (last > low ? last - 1 : nil)
                }
            case .stream(let stream, _, let direction):
                let ledger = ledger
                let currentBound = bound
                var newBound: UInt64?
                try ledger.environment.read { txn in
                    guard let number = try ledger.streamNumber(of: stream, in: txn) else { return }
                    let last = try currentBound ?? ledger.lastVersion(ofStream: number, in: txn)
                    newBound = last
                    let from = direction == .forward ? start : Swift.min(start, last)
                    guard direction == .backward || from <= last else { return }
                    try ledger.scan(stream: number, from: from, direction: direction, limit: chunk, in: txn) { position in
                        guard let record = try ledger.withRecord(at: position, in: txn, { $0.recorded }) else {
                            throw LedgerError.corruptRecord(position: position, reason: "the stream index names a position the log lacks")
                        }
                        if direction == .forward && record.streamVersion > last { return }
                        fetched.append(record)
                    }
                }
                bound = newBound
                if fetched.count < chunk {
                    cursor = nil
                } else if let last = fetched.last?.streamVersion {
                    cursor = direction == .forward ? last + 1 : (last > 1 ? last - 1 : nil)
                }
            }
            buffer = fetched
        }
    }
}
