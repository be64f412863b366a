/// An event offered to ``Ledger/append(_:to:expected:)``: what the application supplies;
/// the ledger adds position, stream version, time and chain hash.
public struct ProposedEvent: Hashable, Sendable {
    /// The event's unique id. Appending an id that is already stored is a no-op when the content
    /// is the same and an error when it differs, forever (not within a time window).
    public var id: String
    /// The type name, for example `received`.
    public var type: String
    /// The version of the payload's schema, so that old payloads can be read after a change.
    public var schemaVersion: UInt16
    /// The encoded event: bytes the ledger stores without looking inside.
    public var payload: [UInt8]
    /// Optional context.
    public var metadata: EventMetadata

    /// Creates an event from its parts.
    public init(id: String, type: String, schemaVersion: UInt16 = 1, payload: [UInt8], metadata: EventMetadata = .none) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
    }

    /// Creates an event by encoding an application value with a codec.
    public init<Codec: EventCodec>(id: String, event: Codec.Event, codec: Codec, metadata: EventMetadata = .none) throws {
        let encoded = try codec.encode(event)
        self.init(id: id, type: encoded.type, schemaVersion: encoded.schemaVersion, payload: encoded.payload, metadata: metadata)
    }
}

/// Events to append to one stream, as part of a batch (``Ledger/append(_:)``).
public struct StreamAppend: Hashable, Sendable {
    /// The stream's id: any non-empty string of at most ``Limits/streamIDBytesMax`` UTF-8 bytes.
    public var stream: String
    /// What the stream's version must be before these events.
    public var expected: ExpectedVersion
    /// The events, in order.
    public var events: [ProposedEvent]
    /// The stream's number, when the caller looked it up in the transaction that appends
    /// (``ProjectionStore/streamNumber(of:in:)`` in the `prepare` step of
    /// ``Ledger/append(updating:_:)``): the append then need not search the stream index
    /// again. Only this package's layers set it.
    package var streamNumber: UInt64?

    /// Creates an append for one stream.
    public init(stream: String, expected: ExpectedVersion = .any, events: [ProposedEvent]) {
        self.stream = stream
        self.expected = expected
        self.events = events
    }
}
