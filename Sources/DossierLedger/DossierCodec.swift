public import EventLedger

/// Stores dossier events in the log: the type name is the event's type, the payload a compact
/// binary encoding (schema version 1), the stream the dossier's code.
///
/// Payload, integers little-endian: type index (1 byte, the order of ``DossierEventType``);
/// `at` in milliseconds since 1970 (8) and its UTC offset in seconds (4); then by type —
/// `received`: `due` (8 + 4), channel (1), department code and procedure code (each 1 byte of
/// length, then UTF-8); `forwarded`, `returnedToCenter`: medium (1); `decided`: outcome (1);
/// `rated`: rating (1), then the official's name (2 bytes of length, 0xFFFF when absent, then
/// UTF-8); `resultReturned`, `withdrawn`: nothing.
public struct DossierCodec: EventCodec {
    /// The payload schema this codec writes.
    public static let schemaVersion: UInt16 = 1
    /// The longest official's name, in UTF-8 bytes.
    public static let officialBytesMax = 200

    /// Creates the codec.
    public init() {}

    /// Encodes an event's payload.
    public func encode(_ event: DossierEvent) throws -> EncodedEvent {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        bytes.append(UInt8(DossierEventType.allCases.firstIndex(of: event.type) ?? 0))
        Self.append(event.at, to: &bytes)
        switch event.details {
        case .received(let department, let procedure, let due, let channel):
            Self.append(due, to: &bytes)
            bytes.append(UInt8(IntakeChannel.allCases.firstIndex(of: channel) ?? 0))
            for code in [department.rawValue, procedure.rawValue] {
                bytes.append(UInt8(code.utf8.count))
                bytes.append(contentsOf: code.utf8)
            }
        case .forwarded(let via), .returnedToCenter(let via):
            bytes.append(UInt8(TransferMedium.allCases.firstIndex(of: via) ?? 0))
        case .decided(let outcome):
            bytes.append(UInt8(Outcome.allCases.firstIndex(of: outcome) ?? 0))
        case .rated(let rating, let official):
            bytes.append(UInt8(RatingLevel.allCases.firstIndex(of: rating) ?? 0))
            if let official {
                guard official.utf8.count <= Self.officialBytesMax else {
                    throw LedgerError.limitExceeded("the official's name", bytes: official.utf8.count, limit: Self.officialBytesMax)
                }
                withUnsafeBytes(of: UInt16(official.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: official.utf8)
            } else {
                withUnsafeBytes(of: UInt16.max) { bytes.append(contentsOf: $0) }
            }
        case .resultReturned, .withdrawn:
            break
        }
        return EncodedEvent(type: event.type.rawValue, schemaVersion: Self.schemaVersion, payload: bytes)
    }

    /// Decodes a stored event.
    ///
    /// - Throws: `LedgerError.corruptRecord` when the payload does not decode.
    public func decode(_ record: borrowing EventRecord) throws -> DossierEvent {
        let position = record.position
        let dossier = DossierID(unchecked: record.streamID)
        guard record.schemaVersion == Self.schemaVersion else {
            throw LedgerError.corruptRecord(position: position, reason: "unknown dossier payload schema \(record.schemaVersion)")
        }
        let (at, details) = try record.withPayload { span in
            try span.withUnsafeBytes { bytes in try Self.decodePayload(bytes, position: position) }
        }
        return DossierEvent(dossier: dossier, at: at, details: details)
    }

    /// Decodes a payload on its own, as stored by this codec, for tools that keep payloads
    /// outside a ledger.
    ///
    /// - Throws: `LedgerError.corruptRecord` (with position 0) when the bytes do not decode.
    public static func decode(payload: UnsafeRawBufferPointer) throws -> (at: Timestamp, details: DossierEvent.Details) {
        try decodePayload(payload, position: 0)
    }

    /// Decodes a payload's time and details.
    static func decodePayload(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws -> (Timestamp, DossierEvent.Details) {
        let fields = try PayloadFields(bytes, position: position)
        func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
        let details: DossierEvent.Details = switch fields.type {
        case .received:
            .received(department: DepartmentCode(unchecked: text(fields.department)), procedure: ProcedureCode(unchecked: text(fields.procedure)),
                      due: fields.due, channel: fields.channel)
        case .forwarded: .forwarded(via: fields.medium)
        case .decided: .decided(outcome: fields.outcome)
        case .returnedToCenter: .returnedToCenter(via: fields.medium)
        case .resultReturned: .resultReturned
        case .rated: .rated(rating: fields.rating, official: fields.official.map(text))
        case .withdrawn: .withdrawn
        }
        return (fields.at, details)
    }

    private static func append(_ timestamp: Timestamp, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: timestamp.millisecondsSinceEpoch.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: timestamp.utcOffsetSeconds.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// The fields of a payload, read with a bounds check before each: texts as the payload's own
/// bytes, valid while they are; fields the event's type does not have hold placeholders.
struct PayloadFields {
    var type = DossierEventType.received
    var at = Timestamp(millisecondsSinceEpoch: 0, utcOffsetSeconds: 0)
    var due = Timestamp(millisecondsSinceEpoch: 0, utcOffsetSeconds: 0)
    var channel = IntakeChannel.counter
    var department = UnsafeRawBufferPointer(start: nil, count: 0)
    var procedure = UnsafeRawBufferPointer(start: nil, count: 0)
    var medium = TransferMedium.post
    var outcome = Outcome.approved
    var rating = RatingLevel.satisfied
    var official: UnsafeRawBufferPointer?

    /// Reads a payload as ``DossierCodec`` stores it.
    ///
    /// - Throws: `LedgerError.corruptRecord` when the bytes do not decode.
    ///
    /// Inlined: a fold decodes millions of payloads, and a caller then reads only the fields
    /// of the event's type where they were read, rather than the whole value from memory.
    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer, position: UInt64) throws {
        var reader = PayloadReader(bytes: bytes, position: position)
        type = try reader.choice(Cases.types)
        at = try reader.timestamp()
        switch type {
        case .received:
            due = try reader.timestamp()
            channel = try reader.choice(Cases.channels)
            department = try reader.text(lengthBytes: 1)
            procedure = try reader.text(lengthBytes: 1)
        case .forwarded, .returnedToCenter: medium = try reader.choice(Cases.media)
        case .decided: outcome = try reader.choice(Cases.outcomes)
        case .rated:
            rating = try reader.choice(Cases.ratings)
            official = try reader.optionalText()
        case .resultReturned, .withdrawn: break
        }
        guard reader.atEnd else { throw reader.corrupt("trailing bytes") }
    }

    /// Each enumeration's cases in stored order, built once (`allCases` builds an array per call).
    private enum Cases {
        static let types = DossierEventType.allCases
        static let channels = IntakeChannel.allCases
        static let media = TransferMedium.allCases
        static let outcomes = Outcome.allCases
        static let ratings = RatingLevel.allCases
    }
}

/// Reads a payload with a bounds check before every field.
struct PayloadReader {
    let bytes: UnsafeRawBufferPointer
    let position: UInt64
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    func corrupt(_ reason: String) -> LedgerError { .corruptRecord(position: position, reason: "dossier payload: \(reason)") }

    @inline(__always)
    mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
        guard bytes.count - offset >= MemoryLayout<T>.size else { throw corrupt("too short") }
        defer { offset += MemoryLayout<T>.size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    mutating func choice<T>(_ cases: [T]) throws -> T {
        let index = Int(try integer(UInt8.self))
        guard index < cases.count else { throw corrupt("value \(index) out of range") }
        return cases[index]
    }

    @inline(__always)
    mutating func timestamp() throws -> Timestamp {
        let milliseconds = try integer(Int64.self)
        let offset = try integer(Int32.self)
        guard abs(offset) < 86_400 else { throw corrupt("offset out of range") }
        return Timestamp(millisecondsSinceEpoch: milliseconds, utcOffsetSeconds: offset)
    }

    /// A text's bytes, after their length in `lengthBytes` bytes.
    mutating func text(lengthBytes: Int) throws -> UnsafeRawBufferPointer {
        let count = lengthBytes == 1 ? Int(try integer(UInt8.self)) : Int(try integer(UInt16.self))
        guard bytes.count - offset >= count else { throw corrupt("text runs past the end") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    mutating func optionalText() throws -> UnsafeRawBufferPointer? {
        guard bytes.count - offset >= 2 else { throw corrupt("too short") }
        if bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self) == UInt16.max {
            offset += 2
            return nil
        }
        return try text(lengthBytes: 2)
    }
}
