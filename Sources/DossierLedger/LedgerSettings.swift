#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import EventLedger

/// A department (sở, ban, ngành) or other unit whose dossiers the center handles.
public struct Department: Hashable, Sendable, Codable {
    /// Its code, for example `STP`.
    public var code: String
    /// Its name, for example `Sở Tư pháp`.
    public var name: String

    /// Creates a department.
    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// What a dossier ledger is configured with: the time zone its statistics count days in, and
/// names for department codes. Stored as the first event of the ledger's own stream `$ledger`,
/// so that the configuration is covered by the chain like every event.
public struct LedgerSettings: Hashable, Sendable {
    /// The type name of the settings event.
    public static let eventType = "ledgerConfigured"
    /// The stream that holds the settings.
    public static let stream = "$ledger"

    /// The zone whose calendar days the statistics use.
    public var timeZone: LedgerTimeZone
    /// Names for department codes. A code that is not here is still accepted, and shown by its code.
    public var departments: [Department]

    /// Creates settings.
    public init(timeZone: LedgerTimeZone = .vietnam, departments: [Department] = []) {
        self.timeZone = timeZone
        self.departments = departments
    }

    /// The name of a department code, if known.
    public func name(of department: String) -> String? {
        departments.first { Bytewise.equal($0.code, department) }?.name
    }

    private struct Stored: Codable {
        var timeZone: String
        var departments: [Department]
    }

    /// The settings as the event to append.
    func event() throws -> ProposedEvent {
        let payload = try JSONEncoder().encode(Stored(timeZone: timeZone.identifier, departments: departments))
        return ProposedEvent(id: "$ledger/configured", type: Self.eventType, payload: Array(payload))
    }

    /// Reads the settings back from their event.
    init(event: RecordedEvent) throws {
        let stored = try JSONDecoder().decode(Stored.self, from: Data(event.payload))
        self.init(timeZone: try LedgerTimeZone(identifier: stored.timeZone), departments: stored.departments)
    }

    /// Reads a departments file: a JSON array of `{"code", "name"}` objects (further fields,
    /// such as a unit's procedures, are ignored).
    public static func departments(json: Data) throws -> [Department] {
        let departments: [Department]
        do {
            departments = try JSONDecoder().decode([Department].self, from: json)
        } catch {
            throw DataFileError(kind: "departments file", reason: "expected a JSON array of {\"code\", \"name\"} objects (\(error))")
        }
        for (index, department) in departments.enumerated() {
            do { _ = try DepartmentCode(department.code) } catch {
                throw DataFileError(kind: "departments file", reason: "entry \(index + 1): \(error)")
            }
        }
        return departments
    }
}
