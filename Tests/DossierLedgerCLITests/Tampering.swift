import Foundation
import LedgerLMDB

/// Alters a closed ledger's log through LMDB itself, as someone with write access to the file
/// could: `swap` exchanges the records at two positions, `delete` removes one.
func tamper(_ path: String, _ changes: [(String, UInt64, UInt64)]) throws {
    let environment = try Environment(path: path)
    let events = try environment.database(named: "events")
    func key(_ position: UInt64) -> [UInt8] { withUnsafeBytes(of: position.bigEndian) { Array($0) } }
    try environment.write { txn in
        for (kind, first, second) in changes {
            switch kind {
            case "swap":
                guard let a = try txn.value(for: key(first).span.bytes, in: events),
                      let b = try txn.value(for: key(second).span.bytes, in: events) else { continue }
                try txn.put(b.span.bytes, for: key(first).span.bytes, in: events)
                try txn.put(a.span.bytes, for: key(second).span.bytes, in: events)
            default:
                try txn.delete(key(first).span.bytes, in: events)
            }
        }
    }
}

/// Alters the value of the first entry (the first period's rows) of a statistics table, as
/// someone editing the stored projection (not the log) would.
func alterFirstValue(_ path: String, table: String, _ change: ([UInt8]) -> [UInt8]) throws {
    let environment = try Environment(path: path)
    let database = try environment.database(named: "statistics." + table)
    try environment.write { txn in
        let (key, value) = try txn.withCursor(in: database) { cursor -> ([UInt8], [UInt8]) in
            guard try cursor.first() else { return ([], []) }
            return cursor.withEntry { key, value in (key.withUnsafeBytes { Array($0) }, value.withUnsafeBytes { Array($0) }) }
        }
        guard !key.isEmpty, !value.isEmpty else { return }
        try txn.put(change(value).span.bytes, for: key.span.bytes, in: database)
    }
}
