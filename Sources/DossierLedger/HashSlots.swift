/// An open-addressing table from hashes to indexes into the caller's arrays, sized once for
/// at most `capacity` entries. It holds no keys: the caller hashes them and confirms each
/// candidate by comparing the keys themselves. Encoding a batch finds with it the first event
/// of each id and of each dossier (``EncodedEvents/firsts``), so that the storing thread does
/// neither.
struct HashSlots {
    private struct Slot {
        var hash: Int
        /// The index plus one; 0 for an empty slot.
        var entry: Int
    }

    private var slots: [Slot]
    private let mask: Int

    /// A table for at most `capacity` entries, at most half full.
    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = Array(repeating: Slot(hash: 0, entry: 0), count: size)
        mask = size - 1
    }

    /// The first index stored with `hash` that `matches` accepts, or `nil`.
    func first(hash: Int, where matches: (Int) throws -> Bool) rethrows -> Int? {
        var slot = hash & mask
        while slots[slot].entry != 0 {
            if slots[slot].hash == hash, try matches(slots[slot].entry - 1) { return slots[slot].entry - 1 }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Stores `index` with `hash`; at most `capacity` times in all.
    mutating func insert(_ index: Int, hash: Int) {
        var slot = hash & mask
        while slots[slot].entry != 0 { slot = (slot + 1) & mask }
        slots[slot] = Slot(hash: hash, entry: index + 1)
    }
}
