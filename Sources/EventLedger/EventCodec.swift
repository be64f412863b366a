/// Turns an application's event values into stored bytes and back. The ledger is generic over
/// the application's events through this protocol and knows nothing of their meaning.
public protocol EventCodec<Event>: Sendable {
    /// The application's event type.
    associatedtype Event

    /// Encodes an event into its type name, schema version and payload bytes.
    func encode(_ event: Event) throws -> EncodedEvent

    /// Decodes a stored event. Read the payload with ``EventRecord/withPayload(_:)``: it is
    /// lent straight from the memory map, without a copy.
    func decode(_ record: borrowing EventRecord) throws -> Event
}

/// An event as a codec encodes it.
public struct EncodedEvent: Hashable, Sendable {
    /// The type name, for example `received`.
    public var type: String
    /// The version of the payload's schema.
    public var schemaVersion: UInt16
    /// The payload bytes.
    public var payload: [UInt8]

    /// Creates an encoded event.
    public init(type: String, schemaVersion: UInt16 = 1, payload: [UInt8]) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
    }
}
