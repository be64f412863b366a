/// What an append did for one stream.
public struct AppendResult: Hashable, Sendable {
    /// The stream.
    public var stream: String
    /// For each proposed event, in order: its position, new or (for a duplicate) original.
    public var positions: Positions
    /// How many of the proposed events were already stored (same id, same content) and skipped.
    public var duplicates: Int
    /// The stream's version after the append.
    public var streamVersion: UInt64
}

extension AppendResult {
    /// The positions of an append's events, in the order they were proposed.
    ///
    /// A collection of `UInt64`, compared and hashed by its elements. The positions of new
    /// events follow each other, so a run of consecutive positions is kept as its first
    /// position and its length, without allocating: an append of many small requests (an
    /// import's batch has one per event) then makes no array per request. Positions that
    /// break the run (an original position reported for a duplicate) are kept in an array.
    public struct Positions: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
        private enum Storage: Sendable {
            case run(first: UInt64, count: Int)
            case list([UInt64])
        }

        private var storage: Storage

        /// No positions.
        public init() {
            storage = .run(first: 0, count: 0)
        }

        /// The given positions, in order.
        public init(_ positions: some Sequence<UInt64>) {
            self.init()
            for position in positions { append(position) }
        }

        /// The given positions, in order.
        public init(arrayLiteral positions: UInt64...) {
            self.init(positions)
        }

        /// Adds a position at the end.
        public mutating func append(_ position: UInt64) {
            switch storage {
            case .run(_, 0):
                storage = .run(first: position, count: 1)
            case .run(let first, let count) where position &- first == UInt64(count):
                storage = .run(first: first, count: count + 1)
            case .run(let first, let count):
                var list = (0..<UInt64(count)).map { first + $0 }
                list.append(position)
                storage = .list(list)
            case .list(var list):
                storage = .run(first: 0, count: 0)  // drops the stored reference: `list` is then unique and grows in place
                list.append(position)
                storage = .list(list)
            }
        }

        /// Zero.
        public var startIndex: Int { 0 }

        /// The number of positions.
        public var endIndex: Int {
            switch storage {
            case .run(_, let count): count
            case .list(let list): list.count
            }
        }

        /// The position at `index`, which must be in `0..<count`.
        public subscript(index: Int) -> UInt64 {
            switch storage {
            case .run(let first, let count):
                precondition(index >= 0 && index < count, "AppendResult.Positions: index out of range")
                return first + UInt64(index)
            case .list(let list):
                return list[index]
            }
        }

        /// Whether both hold the same positions in the same order.
        public static func == (lhs: Positions, rhs: Positions) -> Bool {
            lhs.elementsEqual(rhs)
        }

        /// Hashes the positions in order.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(count)
            for position in self { hasher.combine(position) }
        }

        /// The positions as an array literal, such as `[3, 4]`.
        public var description: String {
            Array(self).description
        }
    }
}
