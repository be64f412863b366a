/// The last version each stream has in the `streamEvents` index, as far as this process has
/// learnt it, by stream number: what an append asks for a stream with no event in the
/// ``StreamTail``, which would otherwise search the index.
///
/// The entries describe the index as committed at one watermark. The index changes only when a
/// merge moves the watermark, so the entries stay true until then: a merge by this process
/// brings in its own versions when it commits (``merged(_:)``), and any other change of the
/// watermark, a merge by another process, forgets them all (``removeAll()``).
///
/// Streams numbered from ``streamsMax`` on are not kept (4 bytes a stream: 64 MiB at most);
/// their appends search the index.
struct IndexedVersions: Sendable {
    /// The first stream number not kept.
    static let streamsMax: UInt64 = 1 << 24

    /// For each stream number: its last indexed version plus one, or 0 when not known.
    private var versions: [UInt32] = []

    /// The stream's last version in the index (0 when it has none there), when known.
    subscript(stream: UInt64) -> UInt64? {
        guard stream < UInt64(versions.count) else { return nil }
        let stored = versions[Int(stream)]
        return stored == 0 ? nil : UInt64(stored - 1)
    }

    /// Notes `stream`'s last version in the index, read from the index at the watermark the
    /// entries describe.
    mutating func note(_ stream: UInt64, version: UInt64) {
        guard stream < Self.streamsMax, version < UInt64(UInt32.max) else { return }
        if stream >= UInt64(versions.count) {
            versions.append(contentsOf: repeatElement(0, count: Int(stream) + 1 - versions.count))
        }
        versions[Int(stream)] = UInt32(version + 1)
    }

    /// Takes in the last version of each stream a committed merge added to the index.
    mutating func merged(_ lastVersions: [(stream: UInt64, version: UInt64)]) {
        for entry in lastVersions { note(entry.stream, version: entry.version) }
    }

    /// Forgets every entry: the index was changed by someone else.
    mutating func removeAll() {
        versions.removeAll()
    }
}
