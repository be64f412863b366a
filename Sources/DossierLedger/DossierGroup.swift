/// The stored records of sixteen dossiers with consecutive stream numbers: one value of the
/// `dossiers` table, keyed by the stream number divided by sixteen.
///
/// Streams are numbered in the order they first appear, so dossiers received together share
/// a group: a rebuild writes a sixteenth of the values it would write with one per dossier,
/// and each value costs LMDB about as much to put as a single record did.
///
/// The value is 2 + 16 × 57 bytes: a 16-bit little-endian mask of the slots that hold a
/// record, then the sixteen slots in order, each a ``DossierRecord`` in its stored form (zero
/// bytes where the mask says none).
struct DossierGroup {
    /// Dossiers per group.
    static let dossiers: UInt64 = 16
    /// The bytes of a stored group.
    static let byteCount = 2 + Int(dossiers) * DossierRecord.byteCount

    /// The group's bytes, in their stored form.
    private(set) var bytes: [UInt8]

    /// A group with no records.
    init() { bytes = [UInt8](repeating: 0, count: Self.byteCount) }

    /// The group number of a dossier.
    static func number(ofDossier number: UInt64) -> UInt64 { number / dossiers }

    /// The key of a group: its number, big-endian.
    static func key(_ group: UInt64) -> StackBytes<8> {
        var key = StackBytes<8>()
        key.append(bigEndian: group)
        return key
    }

    /// The group number of a key; `nil` when it is not one.
    static func number(ofKey key: [UInt8]) -> UInt64? {
        key.count == 8 ? key.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) } : nil
    }

    /// The record of dossier `number` in a stored group; `nil` when the group has none for it
    /// (or is not a group).
    static func record(ofDossier number: UInt64, in value: RawSpan) -> DossierRecord? {
        guard value.byteCount == byteCount else { return nil }
        let slot = Int(number % dossiers)
        let mask = UInt16(littleEndian: value.unsafeLoadUnaligned(as: UInt16.self))
        guard mask & 1 << slot != 0 else { return nil }
        let start = 2 + slot * DossierRecord.byteCount
        return DossierRecord(span: value.extracting(start..<start + DossierRecord.byteCount))
    }

    /// Removes every record.
    mutating func clear() {
        _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }

    /// Replaces the records with those of a stored group; removes them all when `value` is
    /// not one.
    mutating func load(_ value: RawSpan) {
        guard value.byteCount == Self.byteCount else { return clear() }
        value.withUnsafeBytes { stored in bytes.withUnsafeMutableBytes { $0.copyMemory(from: stored) } }
    }

    /// Sets the record of dossier `number`.
    mutating func set(_ record: DossierRecord, ofDossier number: UInt64) {
        let slot = Int(number % Self.dossiers)
        record.stored.withSpan { stored in
            stored.withUnsafeBytes { stored in
                bytes.withUnsafeMutableBytes { group in
                    let mask = UInt16(littleEndian: group.loadUnaligned(as: UInt16.self)) | 1 << slot
                    group.storeBytes(of: mask.littleEndian, as: UInt16.self)
                    UnsafeMutableRawBufferPointer(rebasing: group[(2 + slot * DossierRecord.byteCount)...]).copyMemory(from: stored)
                }
            }
        }
    }
}
