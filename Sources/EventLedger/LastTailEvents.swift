import CLedgerPrefetch

/// For each stream with events in the stream tail: the version and tail offset of its last one.
///
/// A hash table keyed by stream number, with open addressing and linear probing. The stream
/// tail looks a stream up twice per appended event; `Dictionary` hashes each number with
/// SipHash, which is built to resist chosen keys. Stream numbers are not chosen by anyone (the
/// ledger hands them out, densely, from 1), so a multiplicative hash spreads them well enough
/// and costs a multiplication.
struct LastTailEvents: Sendable {
    /// A stream's entry; a slot whose stream is 0 (never a stream number) is empty. One
    /// lookup reads one slot, so usually one cache line.
    private struct Slot {
        var stream: UInt64 = 0
        var version: UInt64 = 0
        var offset: Int32 = 0
    }

    private var slots = [Slot](repeating: Slot(), count: 16)
    /// How many slots are taken.
    private(set) var count = 0

    /// The version and tail offset of `stream`'s last tail event.
    subscript(stream: UInt64) -> (version: UInt64, offset: Int32)? {
        let found = slots[slot(of: stream)]
        return found.stream == 0 ? nil : (found.version, found.offset)
    }

    /// Asks the processor to start loading the slot where `stream`'s lookup begins (a hint:
    /// it changes nothing), so that a lookup made a little later does not wait for memory.
    func prefetch(_ stream: UInt64) {
        let index = Self.home(of: stream, mask: slots.count - 1)
        slots.withUnsafeBufferPointer { slots in
            if let base = slots.baseAddress { ledger_prefetch(UnsafeRawPointer(base + index)) }
        }
    }

    /// Sets `stream`'s last tail event; returns the one it replaces.
    mutating func update(_ stream: UInt64, version: UInt64, offset: Int32) -> (version: UInt64, offset: Int32)? {
        precondition(stream != 0, "stream numbers start at 1")
        var slot = self.slot(of: stream)
        if slots[slot].stream == stream {
            defer { (slots[slot].version, slots[slot].offset) = (version, offset) }
            return (slots[slot].version, slots[slot].offset)
        }
        if (count + 1) * 4 > slots.count * 3 {
            grow()
            slot = self.slot(of: stream)
        }
        slots[slot] = Slot(stream: stream, version: version, offset: offset)
        count += 1
        return nil
    }

    /// Forgets `stream`.
    mutating func remove(_ stream: UInt64) {
        var hole = slot(of: stream)
        guard slots[hole].stream != 0 else { return }
        slots[hole].stream = 0
        count -= 1
        // Shift back the entries after the hole that would no longer be found past it.
        let mask = slots.count - 1
        var next = (hole + 1) & mask
        while slots[next].stream != 0 {
            let home = Self.home(of: slots[next].stream, mask: mask)
            // The entry stays unless the hole lies on its probe path, between its home and it.
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                slots[next].stream = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    /// The slot holding `stream`, or the empty slot where it would go.
    private func slot(of stream: UInt64) -> Int {
        let mask = slots.count - 1
        var slot = Self.home(of: stream, mask: mask)
        while slots[slot].stream != 0 && slots[slot].stream != stream { slot = (slot + 1) & mask }
        return slot
    }

    private static func home(of stream: UInt64, mask: Int) -> Int {
        // Fibonacci hashing: the high bits of the product mix every bit of the number.
        Int(truncatingIfNeeded: (stream &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        for entry in old where entry.stream != 0 { slots[slot(of: entry.stream)] = entry }
    }
}
