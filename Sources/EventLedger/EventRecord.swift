#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A stored event, viewed in place: the bytes stay in the memory map and nothing is copied
/// until a field is asked for. Lent to closures by the ledger's scans (``Ledger/forEachEvent(from:through:direction:types:_:)``)
/// and to ``EventCodec/decode(_:)``; it cannot be copied or kept beyond the closure. Call
/// ``recorded`` for an owned copy.
public struct EventRecord: ~Copyable {
    let bytes: UnsafeRawBufferPointer
    let layout: RecordLayout

    /// Validates the record stored at `position`.
    init(bytes: UnsafeRawBufferPointer, position: UInt64) throws(LedgerError) {
        self.bytes = bytes
        self.layout = try RecordLayout(validating: bytes, position: position)
    }

    /// The event's position in the log: dense, from 1, never reused.
    public var position: UInt64 { load(8) }
    /// The ledger's internal number for the event's stream: dense from 1, in the order streams
    /// first appeared. Cheap to use as an array index in projections.
    public var streamNumber: UInt64 { load(16) }
    /// The event's version within its stream, from 1.
    public var streamVersion: UInt64 { load(24) }
    /// When the ledger stored the event, in microseconds since 1970-01-01T00:00:00Z.
    public var recordedAtMicroseconds: Int64 { Int64(bitPattern: load(32)) }
    /// When the ledger stored the event.
    public var recordedAt: Date { Date(timeIntervalSince1970: Double(recordedAtMicroseconds) / 1_000_000) }
    /// The version of the payload's schema.
    public var schemaVersion: UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
    /// The stream's id.
    public var streamID: String { text(layout.streamID) }
    /// The event's id.
    public var id: String { text(layout.eventID) }
    /// The event's type name.
    public var type: String { text(layout.type) }
    /// The event's metadata.
    public var metadata: EventMetadata {
        EventMetadata(
            actor: layout.flags & 1 != 0 ? text(layout.actor) : nil,
            correlationID: layout.flags & 2 != 0 ? text(layout.correlationID) : nil,
            causationID: layout.flags & 4 != 0 ? text(layout.causationID) : nil)
    }
    /// The number of payload bytes.
    public var payloadByteCount: Int { layout.payload.count }
    /// The chain hash stored with the event.
    public var chainHash: ChainHash { ChainHash(uncheckedBytes: Array(bytes[(bytes.count - RecordFormat.hashBytes)...])) }

    /// Whether the type name is `name`, without allocating.
    public func isType(_ name: String) -> Bool {
        let type = UnsafeRawBufferPointer(rebasing: bytes[layout.type])
        // The counts first: a native string knows its UTF-8 count without reading its bytes.
        guard name.utf8.count == type.count else { return false }
        return Keys.withText(name) { $0.withUnsafeBytes { Keys.equal($0, type) } }
    }

    /// Lends the payload bytes; the view is valid only inside `body`.
    public func withPayload<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: bytes[layout.payload]).bytes)
    }

    /// Lends the record's stored bytes, exactly as they are on disk (see the on-disk format
    /// article); the view is valid only inside `body`.
    public func withStoredBytes<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        try body(bytes.bytes)
    }

    /// An owned copy of the event.
    public var recorded: RecordedEvent { RecordedEvent(validatedBytes: Array(bytes), layout: layout) }

    /// The stream id's UTF-8 bytes, in place.
    var streamIDBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[layout.streamID]) }
    /// The event id's UTF-8 bytes, in place.
    var idBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[layout.eventID]) }
    /// The bytes the chain hash covers.
    var canonicalBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - RecordFormat.hashBytes)]) }
    /// The stored chain hash's bytes.
    var chainHashBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - RecordFormat.hashBytes)...]) }

    /// Whether this record holds the same content as `event` in `stream`: what makes an append
    /// with a stored id a duplicate rather than a reused id.
    func hasSameContent(as event: ProposedEvent, in stream: String) -> Bool {
        guard schemaVersion == event.schemaVersion, isType(event.type), metadata == event.metadata else { return false }
        guard Keys.withText(stream, { $0.withUnsafeBytes { matches($0, layout.streamID) } }),
              Keys.withText(event.id, { $0.withUnsafeBytes { matches($0, layout.eventID) } }) else { return false }
        return event.payload.withUnsafeBytes { matches($0, layout.payload) }
    }

    private func load(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func matches(_ other: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        Keys.equal(other, UnsafeRawBufferPointer(rebasing: bytes[range]))
    }
}
