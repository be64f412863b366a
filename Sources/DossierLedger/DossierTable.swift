/// The dossiers a fold has touched, by stream number: an open-addressing hash table with a
/// multiplicative hash, where `Dictionary` would hash each number with SipHash. Entries stay
/// in the order they were added; the table only grows.
struct DossierTable {
    /// A dossier being folded.
    struct Entry {
        var record: DossierRecord
        /// Where its overdue start, added by this fold, is in the fold's starts.
        var start: Int?
    }

    /// Stream number + 1 per slot (0: empty).
    private var slots: [UInt64]
    /// The entry of each occupied slot.
    private var slotEntries: [Int32]
    private var shift: UInt64
    /// The stream numbers, in the order they were added.
    private(set) var numbers: [UInt64] = []
    /// The entries, in the order they were added.
    var entries: [Entry] = []

    init() {
        slots = Array(repeating: 0, count: 1024)
        slotEntries = Array(repeating: 0, count: 1024)
        shift = 64 - 10
    }

    /// The number of dossiers.
    var count: Int { numbers.count }

    /// The index in ``entries`` of a dossier, or `nil` when the table does not have it.
    func index(of number: UInt64) -> Int? {
        var slot = home(number)
        while slots[slot] != 0 {
            if slots[slot] == number &+ 1 { return Int(slotEntries[slot]) }
            slot = (slot + 1) & (slots.count - 1)
        }
        return nil
    }

    /// Adds a dossier the table does not have; returns its index in ``entries``.
    mutating func add(_ entry: Entry, for number: UInt64) -> Int {
        if (numbers.count + 1) * 2 > slots.count { grow() }
        numbers.append(number)
        entries.append(entry)
        place(number, at: Int32(entries.count - 1))
        return entries.count - 1
    }

    private func home(_ number: UInt64) -> Int {
        Int(truncatingIfNeeded: (number &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private mutating func place(_ number: UInt64, at index: Int32) {
        var slot = home(number)
        while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = number &+ 1
        slotEntries[slot] = index
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: 0, count: capacity)
        slotEntries = Array(repeating: 0, count: capacity)
        shift -= 1
        for (index, number) in numbers.enumerated() { place(number, at: Int32(index)) }
    }
}
