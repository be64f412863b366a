#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error of the event log. Messages name the ledger, stream, event id or position
/// concerned; they never include payload bytes.
public enum LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The directory does not hold a ledger.
    case notALedger(path: String, reason: String)
    /// ``Ledger/create(at:options:)`` found a ledger already there.
    case alreadyExists(path: String)
    /// The ledger was written in a newer on-disk format than this version of the library reads.
    case formatTooNew(path: String, found: UInt32, supported: UInt32)
    /// A write on a ledger opened read-only.
    case readOnly(path: String)
    /// The stream's version did not meet the append's expectation; `actual` is `nil` when the
    /// stream does not exist.
    case conflict(stream: String, expected: ExpectedVersion, actual: UInt64?)
    /// The event id is stored already, with different content.
    case idReused(id: String, position: UInt64)
    /// A value exceeds one of the ``Limits``.
    case limitExceeded(_ what: String, bytes: Int, limit: Int)
    /// An event or request is malformed (for example an empty id).
    case invalidEvent(_ reason: String)
    /// A stored record cannot be decoded: the file was damaged or altered.
    case corruptRecord(position: UInt64, reason: String)
    /// A file-system operation failed with an `errno` code.
    case io(path: String, operation: String, code: Int32)

    /// One line for people.
    public var description: String {
        switch self {
        case .notALedger(let path, let reason):
            "\(path) is not a ledger: \(reason)"
        case .alreadyExists(let path):
            "\(path) already holds a ledger; open it, or choose an empty directory"
        case .formatTooNew(let path, let found, let supported):
            "\(path) uses ledger format \(found), but this version reads format \(supported) at most; upgrade DossierLedger"
        case .readOnly(let path):
            "\(path) is open read-only; open it for writing to append"
        case .conflict(let stream, let expected, let actual):
            "stream \(stream): expected \(expected), but the stream is at \(actual.map { "version \($0)" } ?? "no stream")"
        case .idReused(let id, let position):
            "event id \(id) is already stored at position \(position) with different content"
        case .limitExceeded(let what, let bytes, let limit):
            "\(what) has \(bytes) bytes; the limit is \(limit)"
        case .invalidEvent(let reason):
            "invalid event: \(reason)"
        case .corruptRecord(let position, let reason):
            "the record at position \(position) is damaged: \(reason)"
        case .io(let path, let operation, let code):
            "\(operation) \(path): \(String(cString: strerror(code)))"
        }
    }
}
