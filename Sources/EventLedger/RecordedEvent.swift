#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An owned copy of a stored event, free to keep and to send across tasks.
/// The same fields as ``EventRecord``, which views an event in place without copying.
public struct RecordedEvent: Hashable, Sendable {
    /// The stored bytes, in the record format.
    let bytes: [UInt8]
    let layout: RecordLayout

    init(validatedBytes: [UInt8], layout: RecordLayout) {
        self.bytes = validatedBytes
        self.layout = layout
    }

    /// Lends the event as a view, for example to ``EventCodec/decode(_:)``.
    public func withRecord<R>(_ body: (borrowing EventRecord) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { bytes in
            try body(EventRecord(bytes: bytes, layout: layout))
        }
    }

    /// Decodes the event with `codec`.
    public func decode<Codec: EventCodec>(with codec: Codec) throws -> Codec.Event {
        try withRecord { try codec.decode($0) }
    }

    /// The event's position in the log.
    public var position: UInt64 { withRecord { $0.position } }
    /// The ledger's internal number for the event's stream.
    public var streamNumber: UInt64 { withRecord { $0.streamNumber } }
    /// The event's version within its stream.
    public var streamVersion: UInt64 { withRecord { $0.streamVersion } }
    /// When the ledger stored the event.
    public var recordedAt: Date { withRecord { $0.recordedAt } }
    /// The version of the payload's schema.
    public var schemaVersion: UInt16 { withRecord { $0.schemaVersion } }
    /// The stream's id.
    public var streamID: String { withRecord { $0.streamID } }
    /// The event's id.
    public var id: String { withRecord { $0.id } }
    /// The event's type name.
    public var type: String { withRecord { $0.type } }
    /// The event's metadata.
    public var metadata: EventMetadata { withRecord { $0.metadata } }
    /// The payload bytes.
    public var payload: [UInt8] { withRecord { $0.withPayload { Array(span: $0) } } }
    /// The chain hash stored with the event.
    public var chainHash: ChainHash { withRecord { $0.chainHash } }

    /// Records are equal when their bytes are.
    public static func == (lhs: RecordedEvent, rhs: RecordedEvent) -> Bool { lhs.bytes == rhs.bytes }
    /// Hashes the bytes.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}

extension EventRecord {
    /// A view over bytes already validated with `layout`.
    init(bytes: UnsafeRawBufferPointer, layout: RecordLayout) {
        self.bytes = bytes
        self.layout = layout
    }
}

extension Array where Element == UInt8 {
    init(span: RawSpan) {
        self = span.withUnsafeBytes { Array($0) }
    }
}
