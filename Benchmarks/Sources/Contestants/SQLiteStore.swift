import DossierLedger
import Foundation
import GRDB

/// An SQLite event store as a Swift developer would write it with GRDB: a table of events with
/// position, stream, version, type and payload, a unique (stream, version) index and a unique
/// event id, WAL mode, prepared statements, one durable transaction per batch.
public final class SQLiteStore {
    private let queue: DatabaseQueue

    /// Creates the store in a new file.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS events(
                    position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL,
                    id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, payload BLOB NOT NULL, recordedAt INTEGER NOT NULL);
                CREATE UNIQUE INDEX IF NOT EXISTS events_stream_version ON events(stream, version);
                """)
        }
    }

    /// Appends events in one durable transaction, each after its stream's last version.
    public func append(_ events: [(id: String, stream: String, type: String, payload: [UInt8])]) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        try queue.write { db in
            let last = try db.cachedStatement(sql: "SELECT MAX(version) FROM events WHERE stream = ?")
            let insert = try db.cachedStatement(sql: "INSERT INTO events(stream, version, id, type, payload, recordedAt) VALUES (?, ?, ?, ?, ?, ?)")
            for event in events {
                let version = (try Int64.fetchOne(last, arguments: [event.stream]) ?? 0) + 1
                try insert.execute(arguments: [event.stream, version, event.id, event.type, Data(event.payload), now])
            }
        }
    }

    /// The statistics rebuild of such a store: read every row in order, decode the payload,
    /// and count receipts, returns and on-time returns per department.
    @discardableResult
    public func rebuild() throws -> [String: (received: Int, returned: Int, onTime: Int)] {
        try queue.read { db in
            var dossiers: [String: (department: String, due: Int64, decided: Int64?)] = [:]
            var counts: [String: (received: Int, returned: Int, onTime: Int)] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT stream, payload FROM events ORDER BY position")
            while let row = try rows.next() {
                let stream: String = row[0]
                let payload: Data = row[1]
                let (at, details) = try payload.withUnsafeBytes { try DossierCodec.decode(payload: $0) }
                switch details {
                case .received(let department, _, let due, _):
                    dossiers[stream] = (department.rawValue, due.millisecondsSinceEpoch, nil)
                    counts[department.rawValue, default: (0, 0, 0)].received += 1
                case .decided:
                    dossiers[stream]?.decided = at.millisecondsSinceEpoch
                case .resultReturned:
                    guard let dossier = dossiers[stream] else { continue }
                    counts[dossier.department, default: (0, 0, 0)].returned += 1
                    if let decided = dossier.decided, decided <= dossier.due { counts[dossier.department, default: (0, 0, 0)].onTime += 1 }
                default:
                    break
                }
            }
            return counts
        }
    }

    /// One dossier's events, in order.
    public func history(of stream: String) throws -> Int {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT position, type, payload FROM events WHERE stream = ? ORDER BY version", arguments: [stream]).count
        }
    }
}
