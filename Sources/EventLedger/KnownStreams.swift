import CLedgerPrefetch

/// Stream ids whose numbers this process's appends have met, so that an append to a stream it
/// met before skips the stream index's search.
///
/// The stream index is an LMDB tree of millions of ids: finding one reads a page at each of its
/// three or four levels and compares the id with about seven keys in each, most of them cache
/// misses when the open dossiers of a busy center are spread over thousands of leaf pages. Here a
/// lookup reads one slot and one entry.
///
/// An open-addressing table with linear probing: each slot holds 32 bits of the id's hash and
/// where its entry begins in `arena` (the stream number, the id's length, the id's bytes). The
/// hash is seeded per process, and a lookup or insertion gives up after
/// ``probesMax`` slots (the append then searches the index), so ids chosen to collide cost at
/// most that. Stream numbers never change once committed; the ledger empties the table after a
/// transaction that does not commit (``uncommitted``), whose new streams' numbers are void.
/// When it holds ``entriesMax`` ids it is emptied and fills again with the streams appended to.
struct KnownStreams: Sendable {
    /// A slot: the hash's upper 32 bits, then the entry's offset in `arena` plus one (0 when empty).
    private var slots: [UInt64] = []
    private var arena: [UInt8] = []
    private(set) var count = 0
    private let seed: UInt64
    /// The most ids held.
    let entriesMax: Int
    /// Whether ids were added in a write transaction not known to have committed.
    var uncommitted = false
    /// The request of an append whose stream's hash ``number(ofRequest:in:claim:)`` computed
    /// ahead (and whose slot it asked for), and that hash.
    private var ahead: (request: Int, hash: UInt64)?

    /// The most slots a lookup or an insertion reads.
    static let probesMax = 16
    /// The bytes of an entry before the id: the number (8) and the id's length (1).
    private static let headerBytes = 9

    /// An empty table for at most `entriesMax` ids.
    init(entriesMax: Int) {
        self.entriesMax = Swift.max(0, entriesMax)
        var generator = SystemRandomNumberGenerator()
        seed = generator.next()
    }

    /// Readies the table for an append (a write transaction): empties it if the transaction
    /// before did not commit, and notes that this one has not.
    mutating func beginAppend() {
        if uncommitted { removeAll() }
        uncommitted = true
        ahead = nil
    }

    /// The number of the stream of request `request` of `batch`, and whether it is new: as the
    /// table holds it, else as `claim` finds or makes it in the stream index (given the id's
    /// bytes), which the table then holds. Computes the next request's hash and asks for its
    /// slot, which loads while the caller appends this request's events. One mutating call
    /// per request: the table is the caller's `inout`, read without reference counting.
    mutating func number(
        ofRequest request: Int, in batch: borrowing [StreamAppend], claim: (RawSpan) throws -> (number: UInt64, isNew: Bool)
    ) rethrows -> (number: UInt64, isNew: Bool) {
        let hash = ahead.flatMap { $0.request == request ? $0.hash : nil } ?? Keys.withText(batch[request].stream) { $0.withUnsafeBytes { self.hash($0) } }
        ahead = nil
        if request + 1 < batch.count {
            let next = Keys.withText(batch[request + 1].stream) { $0.withUnsafeBytes { self.hash($0) } }
            ahead = (request + 1, next)
            prefetch(hash: next)
        }
        return try Keys.withText(batch[request].stream) { key in
            try key.withUnsafeBytes { id in
                if let number = number(of: id, hash: hash) { return (number, false) }
                let found = try claim(key)
                insert(id, hash: hash, number: found.number)
                return found
            }
        }
    }

    /// The hash of an id: eight bytes at a time, multiplied and folded, from the process's seed.
    private func hash(_ id: UnsafeRawBufferPointer) -> UInt64 {
        var hash = seed ^ (UInt64(id.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= id.count {
            hash = Self.mix(hash ^ id.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < id.count {
            var last: UInt64 = 0
            for index in offset..<id.count { last |= UInt64(id[index]) << (8 * UInt64(index - offset)) }
            hash = Self.mix(hash ^ last)
        }
        return Self.mix(hash)
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: 0xD6E8_FEB8_6659_FD93)
        return product.high ^ product.low
    }

    /// Asks the processor to start loading the slot where the lookup of an id with `hash`
    /// begins (a hint: it changes nothing).
    private func prefetch(hash: UInt64) {
        slots.withUnsafeBufferPointer { slots in
            guard let base = slots.baseAddress else { return }
            ledger_prefetch(UnsafeRawPointer(base + Int(truncatingIfNeeded: hash) & (slots.count - 1)))
        }
    }

    /// The number of the stream `id`, whose hash is `hash`, when the table holds it.
    private func number(of id: UnsafeRawBufferPointer, hash: UInt64) -> UInt64? {
        let tag = hash >> 32
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                guard !slots.isEmpty else { return nil }
                let mask = slots.count - 1
                var index = Int(truncatingIfNeeded: hash) & mask
                for _ in 0..<Self.probesMax {
                    let slot = slots[index]
                    if slot == 0 { return nil }
                    if slot >> 32 == tag {
                        let entry = Int(slot & 0xFFFF_FFFF) - 1
                        let start = entry + Self.headerBytes
                        if Keys.equal(UnsafeRawBufferPointer(rebasing: arena[start..<(start + Int(arena[entry + 8]))]), id) {
                            return UInt64(littleEndian: arena.loadUnaligned(fromByteOffset: entry, as: UInt64.self))
                        }
                    }
                    index = (index + 1) & mask
                }
                return nil
            }
        }
    }

    /// Adds `id` with its stream's number, unless it is longer than an entry allows or its
    /// slots are taken. Empties the table first when it is full.
    private mutating func insert(_ id: UnsafeRawBufferPointer, hash: UInt64, number: UInt64) {
        guard id.count <= Int(UInt8.max), entriesMax > 0 else { return }
        if count >= entriesMax || arena.count + Self.headerBytes + id.count > Int(UInt32.max) - 1 { removeAll() }
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<Self.probesMax {
            if slots[index] == 0 {
                slots[index] = (hash >> 32) << 32 | UInt64(arena.count + 1)
                withUnsafeBytes(of: number.littleEndian) { arena.append(contentsOf: $0) }
                arena.append(UInt8(id.count))
                arena.append(contentsOf: id)
                count += 1
                return
            }
            index = (index + 1) & mask
        }
    }

    /// Forgets every id, keeping the memory.
    mutating func removeAll() {
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        arena.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Doubles the slots (or makes the first 1,024) and places every entry again.
    private mutating func grow() {
        let old = arena
        slots = [UInt64](repeating: 0, count: Swift.max(1024, slots.count * 2))
        arena.removeAll(keepingCapacity: true)
        count = 0
        old.withUnsafeBytes { old in
            var entry = 0
            while entry < old.count {
                let length = Int(old[entry + 8])
                let id = UnsafeRawBufferPointer(rebasing: old[(entry + Self.headerBytes)..<(entry + Self.headerBytes + length)])
                insert(id, hash: hash(id), number: UInt64(littleEndian: old.loadUnaligned(fromByteOffset: entry, as: UInt64.self)))
                entry += Self.headerBytes + length
            }
        }
    }
}
