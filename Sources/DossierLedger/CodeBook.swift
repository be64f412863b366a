import Synchronization

/// The department and procedure codes a projection has met in decoding, each listed once per
/// dimension in the order met, so that a decoded event carries its codes as their indices in the
/// book: decoding makes no strings, and the fold finds a code's stored number by index in an
/// array rather than by hashing text.
///
/// Shared by the threads of a pipelined fold (one decodes, another applies), behind a lock.
/// Codes are told apart byte for byte, as the `codes` table does. The book keeps every code met
/// for the life of the projection, as the `codes` table keeps them; at most 2³¹ per dimension.
final class CodeBook: Sendable {
    private let lists = Mutex(Lists())

    /// The two dimensions' lists, held as one value behind the lock.
    private struct Lists {
        var departments = CodeList()
        var procedures = CodeList()
    }

    /// The indices of a receipt's department and procedure codes, listing each one that is new.
    func indices(department: UnsafeRawBufferPointer, procedure: UnsafeRawBufferPointer) -> (department: UInt32, procedure: UInt32) {
        lists.withLock { lists in (lists.departments.index(of: department), lists.procedures.index(of: procedure)) }
    }

    /// The code at `index` in a dimension's list.
    func code(at index: UInt32, in dimension: Dimension) -> String {
        lists.withLock { lists in
            switch dimension {
            case .department: lists.departments.codes[Int(index)]
            case .procedure: lists.procedures.codes[Int(index)]
            }
        }
    }
}

/// A dimension's codes, each once, indexed from 0 in the order met, found by their bytes
/// without copying them: an open-addressing table, half full at most, of the byte strings met.
/// A code is its text, as the `codes` table keys it: bytes that are not UTF-8 (which no
/// ``DossierCodec`` writes) count as the text they decode to, so two such byte strings may share
/// one code.
struct CodeList {
    /// The codes, by index.
    private(set) var codes: [String] = []
    /// The index of each code; used only when a new byte string is met.
    private var codeIndices: [Bytewise.Key: UInt32] = [:]
    /// The byte strings met, one after another.
    private var arena: [UInt8] = []
    /// Each byte string met: where it lies in ``arena``, its hash and its code's index.
    private var met: [Met] = []
    /// The index in ``met`` of the byte string in each slot, or −1.
    private var slots = [Int32](repeating: -1, count: 16)

    private struct Met {
        var hash: UInt64
        var start: Int
        var count: Int
        var code: UInt32
    }

    /// The index of the code whose bytes are `bytes`, listing it when new.
    mutating func index(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            let known = met[Int(slots[slot])]
            if known.hash == hash, known.count == bytes.count,
               arena.withUnsafeBytes({ Bytewise.equal(UnsafeRawBufferPointer(rebasing: $0[known.start..<(known.start + known.count)]), bytes) }) {
                return known.code
            }
            slot = (slot + 1) & mask
        }
        precondition(met.count < Int32.max, "more than 2³¹ codes in one dimension")
        let code = String(decoding: bytes, as: UTF8.self)
        let index: UInt32
        if let known = codeIndices[Bytewise.Key(code)] {
            index = known
        } else {
            index = UInt32(codes.count)
            codes.append(code)
            codeIndices[Bytewise.Key(code)] = index
        }
        slots[slot] = Int32(met.count)
        met.append(Met(hash: hash, start: arena.count, count: bytes.count, code: index))
        arena.append(contentsOf: bytes)
        if met.count * 2 > slots.count { grow() }
        return index
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (key, known) in met.enumerated() {
            var slot = Int(truncatingIfNeeded: known.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(key)
        }
    }

    /// A hash of eight bytes at a time (the last word zero-padded), each word multiplied in and
    /// its high half folded into the low one, seeded with the length: codes are short (at most
    /// 100 bytes), and the table only ever holds the codes of one ledger's departments and
    /// procedures.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = UInt64(bytes.count) &* 0x9e37_79b9_7f4a_7c15
        var offset = 0
        while offset < bytes.count {
            var word: UInt64 = 0
            let count = Swift.min(8, bytes.count - offset)
            if count == 8 {
                word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            } else {
                for index in 0..<count { word |= UInt64(bytes[offset + index]) << (8 * index) }
            }
            hash = (hash ^ word) &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 32
            offset += 8
        }
        // A multiplication carries a byte's differences only upwards: without this last mixing
        // (MurmurHash3's), codes that differ in their last bytes (procedures "1.000337" and
        // "1.000819") share their low bits, and the table's slots, and probe long runs.
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
