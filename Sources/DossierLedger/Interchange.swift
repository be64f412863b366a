public import EventLedger

/// A line of the interchange format, parsed: the event and its id.
public struct InterchangeEvent: Hashable, Sendable {
    /// The event's id: the line's `id`, or one derived from the event's content.
    public var id: String
    /// The event.
    public var event: DossierEvent

    /// Creates a parsed line.
    public init(id: String, event: DossierEvent) {
        self.id = id
        self.event = event
    }
}

/// The JSON Lines interchange format: one event per line, UTF-8, camelCase keys. A contract
/// other tools rely on; see the `InterchangeFormat` article.
///
/// Every line has `type`, `dossier` and `at` (RFC 3339 with an offset) and an optional `id`;
/// when `id` is absent it is derived from the event's content (``derivedID(for:)``), so that
/// importing a file twice appends nothing new. `position`, `chainHash` and `recordedAt`, which
/// the ledger adds on output, are accepted and ignored on input; any other key is an error.
public enum Interchange {
    /// The longest line, in bytes, newline excluded.
    public static let lineBytesMax = 64 * 1024
    /// The longest event id, in UTF-8 bytes.
    public static let idBytesMax = 128

    /// Parses one line (without its newline).
    ///
    /// - Throws: ``InterchangeError``, whose reason names the field at fault but never quotes
    ///   the line's contents.
    public static func parse(_ line: UnsafeRawBufferPointer) throws(InterchangeError) -> InterchangeEvent {
        guard line.count <= lineBytesMax else {
            throw InterchangeError(reason: "the line has \(line.count) bytes; the limit is \(lineBytesMax)")
        }
        let members: [(key: String, value: FlatJSONValue)]
        do {
            members = try FlatJSON.parse(line)
        } catch {
            throw InterchangeError(reason: "\(error.reason) (byte \(error.offset + 1))")
        }
        var fields = Fields()
        for (key, value) in members {
            switch key {
            case "position", "chainHash", "recordedAt": continue
            default: break
            }
            guard case .string(let text) = value else {
                throw InterchangeError(reason: "field \"\(FlatJSON.clip(key))\" must be a string")
            }
            if let known = FieldKey(key) {
                fields.values[known.rawValue] = text
                fields.present |= known.bit
            } else {
                fields.unknown.append(key)
            }
        }
        return try fields.event()
    }

    /// Parses one line given as text.
    public static func parse(_ line: String) throws(InterchangeError) -> InterchangeEvent {
        let bytes = Array(line.utf8)
        let result = bytes.withUnsafeBytes { raw in Result { () throws(InterchangeError) in try parse(raw) } }
        return try result.get()
    }

    /// The line for an event, keys in a fixed order: `type`, `dossier`, `at`, the type's fields,
    /// then `id`, `position` and `chainHash` when given.
    public static func format(_ event: DossierEvent, id: String?, position: UInt64? = nil, chainHash: ChainHash? = nil) -> String {
        var line = LineBytes()
        line.write(event)
        if let id { line.raw(",\"id\":"); line.quoted(id) }
        if let position { line.raw(",\"position\":"); line.text(String(position)) }
        if let chainHash { line.raw(",\"chainHash\":\""); line.text(chainHash.hex); line.raw("\"") }
        line.raw("}")
        return String(decoding: line.bytes, as: UTF8.self)
    }

    /// The id of an event that came without one: 32 hexadecimal digits, the first 12 the event's
    /// instant (milliseconds since 1970, UTC), the other 20 the start of SHA-256 over the event's
    /// canonical line (keys in the fixed order, every time in UTC). Key order, spacing and the
    /// offsets the times were written with do not change it. Leading with the time makes the
    /// ledger's id index grow at its end as events arrive, instead of taking writes scattered
    /// over all of it.
    public static func derivedID(for event: DossierEvent) -> String {
        var canonical = event
        canonical.at = canonical.at.with(utcOffsetSeconds: 0)
        if case .received(let department, let procedure, let due, let channel) = canonical.details {
            canonical.details = .received(department: department, procedure: procedure, due: due.with(utcOffsetSeconds: 0), channel: channel)
        }
        var line = LineBytes()
        line.write(canonical)
        line.raw("}")
        let digest = SHA256.hash(line.bytes)
        let hexDigits: StaticString = "0123456789abcdef"
        var id = [UInt8](repeating: 0, count: 32)
        let time = UInt64(bitPattern: event.at.millisecondsSinceEpoch) & 0xFFFF_FFFF_FFFF
        for index in 0..<12 {
            id[index] = hexDigits.utf8Start[Int(time >> (4 * UInt64(11 - index)) & 0xF)]
        }
        digest.withUnsafeBytes { hash in
            for index in 0..<10 {
                id[12 + 2 * index] = hexDigits.utf8Start[Int(hash[index] >> 4)]
                id[13 + 2 * index] = hexDigits.utf8Start[Int(hash[index] & 0xF)]
            }
        }
        return String(decoding: id, as: UTF8.self)
    }

    /// A JSON string literal for `text`, escaping quotes, backslashes and control characters.
    public static func quoted(_ text: String) -> String {
        var line = LineBytes()
        line.quoted(text)
        return String(decoding: line.bytes, as: UTF8.self)
    }
}

/// An interchange line being written, as UTF-8 bytes.
private struct LineBytes {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    /// `{"type":…,"dossier":…,"at":…` and the type's fields, without the closing brace.
    mutating func write(_ event: DossierEvent) {
        raw("{\"type\":\""); text(event.type.rawValue)
        raw("\",\"dossier\":"); quoted(event.dossier.rawValue)
        raw(",\"at\":\""); event.at.write(into: &bytes); raw("\"")
        switch event.details {
        case .received(let department, let procedure, let due, let channel):
            raw(",\"department\":"); quoted(department.rawValue)
            raw(",\"procedure\":"); quoted(procedure.rawValue)
            raw(",\"due\":\""); due.write(into: &bytes)
            raw("\",\"channel\":\""); text(channel.rawValue); raw("\"")
        case .forwarded(let via), .returnedToCenter(let via):
            raw(",\"via\":\""); text(via.rawValue); raw("\"")
        case .decided(let outcome):
            raw(",\"outcome\":\""); text(outcome.rawValue); raw("\"")
        case .rated(let rating, let official):
            raw(",\"rating\":\""); text(rating.rawValue); raw("\"")
            if let official { raw(",\"official\":"); quoted(official) }
        case .resultReturned, .withdrawn:
            break
        }
    }

    mutating func raw(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func text(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most texts need no escape and are copied whole.
        let copied = text.utf8.withContiguousStorageIfAvailable { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case 0..<0x20:
                let hexDigits: StaticString = "0123456789abcdef"
                raw("\\u00")
                bytes.append(hexDigits.utf8Start[Int(byte >> 4)])
                bytes.append(hexDigits.utf8Start[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Why a line of the interchange format was refused.
public struct InterchangeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the field; never the line's contents.
    public var reason: String

    /// Creates an error.
    public init(reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}

/// The keys a line's fields may have (besides those output adds and input ignores).
private enum FieldKey: Int, CaseIterable {
    case type, dossier, at, department, procedure, due, channel, via, outcome, rating, official, id

    init?(_ name: String) {
        switch name {
        case "type": self = .type
        case "dossier": self = .dossier
        case "at": self = .at
        case "department": self = .department
        case "procedure": self = .procedure
        case "due": self = .due
        case "channel": self = .channel
        case "via": self = .via
        case "outcome": self = .outcome
        case "rating": self = .rating
        case "official": self = .official
        case "id": self = .id
        default: return nil
        }
    }

    var name: String { String(describing: self) }
    var bit: UInt16 { 1 << UInt16(rawValue) }
}

/// The string fields of a line, turned into an event.
private struct Fields {
    var values = InlineArray<12, String?>(repeating: nil)
    var present: UInt16 = 0
    var used: UInt16 = 0
    /// Keys that no event has.
    var unknown: [String] = []

    mutating func required(_ key: FieldKey) throws(InterchangeError) -> String {
        used |= key.bit
        guard let value = values[key.rawValue] else { throw InterchangeError(reason: "field \"\(key.name)\" is missing") }
        return value
    }

    mutating func optional(_ key: FieldKey) -> String? {
        used |= key.bit
        return values[key.rawValue]
    }

    mutating func time(_ key: FieldKey) throws(InterchangeError) -> Timestamp {
        do {
            return try Timestamp(rfc3339: try required(key))
        } catch let error as TimestampError {
            throw InterchangeError(reason: "field \"\(key.name)\": \(error)")
        } catch {
            throw error as? InterchangeError ?? InterchangeError(reason: "field \"\(key.name)\" is invalid")
        }
    }

    mutating func code<Kind>(_ key: FieldKey, _: Code<Kind>.Type) throws(InterchangeError) -> Code<Kind> {
        do {
            return try Code<Kind>(try required(key))
        } catch let error as CodeError {
            throw InterchangeError(reason: "field \"\(key.name)\": \(error)")
        } catch {
            throw error as? InterchangeError ?? InterchangeError(reason: "field \"\(key.name)\" is invalid")
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: FieldKey, _: T.Type) throws(InterchangeError) -> T where T.RawValue == String {
        let text = try required(key)
        guard let value = T(rawValue: text) else {
            throw InterchangeError(reason: "field \"\(key.name)\" must be one of \(T.allCases.map { $0.rawValue }.joined(separator: ", "))")
        }
        return value
    }

    mutating func event() throws(InterchangeError) -> InterchangeEvent {
        let type = try choice(.type, DossierEventType.self)
        let dossier = try code(.dossier, DossierID.self)
        guard !dossier.rawValue.hasPrefix("$") else {
            throw InterchangeError(reason: "field \"dossier\": ids beginning with $ are reserved for the ledger")
        }
        let at = try time(.at)
        let details: DossierEvent.Details
        switch type {
        case .received:
            details = .received(
                department: try code(.department, DepartmentCode.self), procedure: try code(.procedure, ProcedureCode.self),
                due: try time(.due), channel: try choice(.channel, IntakeChannel.self))
        case .forwarded: details = .forwarded(via: try choice(.via, TransferMedium.self))
        case .decided: details = .decided(outcome: try choice(.outcome, Outcome.self))
        case .returnedToCenter: details = .returnedToCenter(via: try choice(.via, TransferMedium.self))
        case .resultReturned: details = .resultReturned
        case .rated:
            let rating = try choice(.rating, RatingLevel.self)
            let official = optional(.official)
            if let official, official.utf8.count > DossierCodec.officialBytesMax {
                throw InterchangeError(reason: "field \"official\" has \(official.utf8.count) bytes; the limit is \(DossierCodec.officialBytesMax)")
            }
            details = .rated(rating: rating, official: official)
        case .withdrawn: details = .withdrawn
        }
        let event = DossierEvent(dossier: dossier, at: at, details: details)
        let id = optional(.id)
        if !unknown.isEmpty || present & ~used != 0,
           let unknown = (unknown + FieldKey.allCases.filter { present & ~used & $0.bit != 0 }.map(\.name)).min() {
            throw InterchangeError(reason: "field \"\(FlatJSON.clip(unknown))\" is not part of a \(type.rawValue) event")
        }
        if let id {
            guard !id.isEmpty, id.utf8.count <= Interchange.idBytesMax else {
                throw InterchangeError(reason: "field \"id\" must have 1 to \(Interchange.idBytesMax) bytes")
            }
            return InterchangeEvent(id: id, event: event)
        }
        return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
    }
}
