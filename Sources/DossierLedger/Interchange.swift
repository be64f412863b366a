import Crypto
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
    /// Keys that output adds and input ignores.
    static let outputKeys: Set<String> = ["position", "chainHash", "recordedAt"]

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
            if outputKeys.contains(key) { continue }
            guard case .string(let text) = value else {
                throw InterchangeError(reason: "field \"\(FlatJSON.clip(key))\" must be a string")
            }
            fields.values[key] = text
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
        var line = "{\"type\":\"\(event.type.rawValue)\",\"dossier\":\(quoted(event.dossier.rawValue)),\"at\":\"\(event.at)\""
        switch event.details {
        case .received(let department, let procedure, let due, let channel):
            line += ",\"department\":\(quoted(department.rawValue)),\"procedure\":\(quoted(procedure.rawValue)),\"due\":\"\(due)\",\"channel\":\"\(channel.rawValue)\""
        case .forwarded(let via), .returnedToCenter(let via):
            line += ",\"via\":\"\(via.rawValue)\""
        case .decided(let outcome):
            line += ",\"outcome\":\"\(outcome.rawValue)\""
        case .rated(let rating, let official):
            line += ",\"rating\":\"\(rating.rawValue)\""
            if let official { line += ",\"official\":\(quoted(official))" }
        case .resultReturned, .withdrawn:
            break
        }
        if let id { line += ",\"id\":\(quoted(id))" }
        if let position { line += ",\"position\":\(position)" }
        if let chainHash { line += ",\"chainHash\":\"\(chainHash.hex)\"" }
        return line + "}"
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
        let digest = SHA256.hash(data: Array(format(canonical, id: nil).utf8))
        let time = String(UInt64(bitPattern: event.at.millisecondsSinceEpoch) & 0xFFFF_FFFF_FFFF, radix: 16)
        let hash = digest.prefix(10).map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return String(repeating: "0", count: 12 - time.count) + time + hash
    }

    /// A JSON string literal for `text`, escaping quotes, backslashes and control characters.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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

/// The string fields of a line, turned into an event.
private struct Fields {
    var values: [String: String] = [:]
    var used: Set<String> = []

    mutating func required(_ key: String) throws(InterchangeError) -> String {
        used.insert(key)
        guard let value = values[key] else { throw InterchangeError(reason: "field \"\(key)\" is missing") }
        return value
    }

    mutating func optional(_ key: String) -> String? {
        used.insert(key)
        return values[key]
    }

    mutating func time(_ key: String) throws(InterchangeError) -> Timestamp {
        do {
            return try Timestamp(rfc3339: try required(key))
        } catch let error as TimestampError {
            throw InterchangeError(reason: "field \"\(key)\": \(error)")
        } catch {
            throw error as? InterchangeError ?? InterchangeError(reason: "field \"\(key)\" is invalid")
        }
    }

    mutating func code<Kind>(_ key: String, _: Code<Kind>.Type) throws(InterchangeError) -> Code<Kind> {
        do {
            return try Code<Kind>(try required(key))
        } catch let error as CodeError {
            throw InterchangeError(reason: "field \"\(key)\": \(error)")
        } catch {
            throw error as? InterchangeError ?? InterchangeError(reason: "field \"\(key)\" is invalid")
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws(InterchangeError) -> T where T.RawValue == String {
        let text = try required(key)
        guard let value = T(rawValue: text) else {
            throw InterchangeError(reason: "field \"\(key)\" must be one of \(T.allCases.map { $0.rawValue }.joined(separator: ", "))")
        }
        return value
    }

    mutating func event() throws(InterchangeError) -> InterchangeEvent {
        let type = try choice("type", DossierEventType.self)
        let dossier = try code("dossier", DossierID.self)
        guard !dossier.rawValue.hasPrefix("$") else {
            throw InterchangeError(reason: "field \"dossier\": ids beginning with $ are reserved for the ledger")
        }
        let at = try time("at")
        let details: DossierEvent.Details
        switch type {
        case .received:
            details = .received(
                department: try code("department", DepartmentCode.self), procedure: try code("procedure", ProcedureCode.self),
                due: try time("due"), channel: try choice("channel", IntakeChannel.self))
        case .forwarded: details = .forwarded(via: try choice("via", TransferMedium.self))
        case .decided: details = .decided(outcome: try choice("outcome", Outcome.self))
        case .returnedToCenter: details = .returnedToCenter(via: try choice("via", TransferMedium.self))
        case .resultReturned: details = .resultReturned
        case .rated:
            let rating = try choice("rating", RatingLevel.self)
            let official = optional("official")
            if let official, official.utf8.count > DossierCodec.officialBytesMax {
                throw InterchangeError(reason: "field \"official\" has \(official.utf8.count) bytes; the limit is \(DossierCodec.officialBytesMax)")
            }
            details = .rated(rating: rating, official: official)
        case .withdrawn: details = .withdrawn
        }
        let event = DossierEvent(dossier: dossier, at: at, details: details)
        let id = optional("id")
        if let unknown = values.keys.filter({ !used.contains($0) }).sorted().first {
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
