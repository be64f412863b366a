import CLedgerPrefetch

/// The dossiers a fold has touched, by stream number.
///
/// Streams are numbered in the order they first appear, and a fold touches mostly recent
/// dossiers, so the table is an array indexed by stream number from a base a little below the
/// first number it sees: each lookup reads one slot near the ones read before, where a hash
/// table reads a random one. Numbers outside that window (below it, or more than
/// ``denseSlotsMax`` above it) go to a dictionary. Entries stay in the order they were added.
struct DossierTable {
    /// A dossier being folded.
    struct Entry {
        var record: DossierRecord
        /// Where its overdue start, added by this fold, is in the fold's starts, or −1. (A
        /// batch holds far fewer than 2³¹ events; 32 bits keep the entry in 64 bytes.)
        private var startOrNone: Int32

        /// Where its overdue start, added by this fold, is in the fold's starts.
        var start: Int? {
            get { startOrNone < 0 ? nil : Int(startOrNone) }
            set { startOrNone = newValue.map { Int32($0) } ?? -1 }
        }

        init(record: DossierRecord, start: Int?) {
            self.record = record
            self.startOrNone = start.map { Int32($0) } ?? -1
        }
    }

    /// How far below the first number seen the window begins.
    static let windowSlack: UInt64 = 1 << 20
    /// The most slots of the window (4 bytes each).
    static let denseSlotsMax = 1 << 24

    /// The entry index of each number of the window, or −1.
    private var dense: [Int32] = []
    private var base: UInt64?
    private var others: [UInt64: Int32] = [:]
    /// The entries, in the order they were added.
    var entries: [Entry] = []

    init() {
        assert(MemoryLayout<Entry>.size <= 64, "a dossier entry no longer fits 64 bytes")
    }

    /// The index in ``entries`` of a dossier, or `nil` when the table does not have it.
    func index(of number: UInt64) -> Int? {
        if let slot = slot(number) {
            return slot < dense.count && dense[slot] >= 0 ? Int(dense[slot]) : nil
        }
        return others[number].map(Int.init)
    }

    /// The indices in ``entries`` in ascending order of their stream numbers, with the numbers:
    /// the window read in order, between the sorted numbers below and above it, so that only
    /// the few numbers outside the window are sorted.
    func inNumberOrder() -> [(number: UInt64, index: Int)] {
        var order: [(number: UInt64, index: Int)] = []
        order.reserveCapacity(entries.count)
        let outside = others.map { (number: $0.key, index: Int($0.value)) }.sorted { $0.number < $1.number }
        let below = outside.prefix { $0.number < base ?? 0 }
        order += below
        if let base {
            for slot in dense.indices where dense[slot] >= 0 { order.append((base + UInt64(slot), Int(dense[slot]))) }
        }
        order += outside.dropFirst(below.count)
        return order
    }

    /// Removes every dossier, keeping the memory.
    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        dense.removeAll(keepingCapacity: true)
        others.removeAll()
        base = nil
    }

    /// Makes room for `count` entries.
    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }

    /// Asks the processor to start loading the entry of a dossier the fold will soon look up,
    /// when the table has it: entries are read in the order of the log, which scatters them over
    /// the table's memory, so that each lookup would otherwise wait for memory in turn.
    ///
    /// - Returns: whether the table has the dossier.
    @discardableResult
    func prefetch(_ number: UInt64) -> Bool {
        guard let index = index(of: number) else { return false }
        entries.withUnsafeBufferPointer { entries in
            guard let entry = entries.baseAddress.map({ UnsafeRawPointer($0 + index) }) else { return }
            ledger_prefetch(entry)
            ledger_prefetch(entry + MemoryLayout<Entry>.size - 1)
        }
        return true
    }

    /// Adds a dossier the table does not have, at the end of ``entries``.
    mutating func add(_ entry: Entry, for number: UInt64) {
        if base == nil { base = number - Swift.min(number, Self.windowSlack) }
        let index = Int32(entries.count)
        entries.append(entry)
        if let slot = slot(number) {
            if slot >= dense.count {
                dense.append(contentsOf: repeatElement(-1, count: Swift.min(Self.denseSlotsMax, Swift.max(slot + 1, dense.count * 2)) - dense.count))
            }
            dense[slot] = index
        } else {
            others[number] = index
        }
    }

    /// The slot of a number in the window, or `nil` when it is outside.
    private func slot(_ number: UInt64) -> Int? {
        guard let base, number >= base, number - base < UInt64(Self.denseSlotsMax) else { return nil }
        return Int(number - base)
    }
}
