/// What an append expects of its stream's version, for optimistic concurrency.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's last event must have exactly this version (versions count from 1).
    case exact(UInt64)

    /// Whether a stream whose last version is `actual` (`nil`: no stream) meets the expectation.
    public func isMet(by actual: UInt64?) -> Bool {
        switch self {
        case .any: true
        case .noStream: actual == nil
        case .exact(let version): actual == version
        }
    }

    /// `any`, `no stream` or the version.
    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let version): "version \(version)"
        }
    }
}
