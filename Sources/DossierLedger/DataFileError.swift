/// A data file (calendar, departments) that cannot be read.
public struct DataFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of file, for example `calendar`.
    public var kind: String
    /// What is wrong, naming the field or entry.
    public var reason: String

    /// Creates an error.
    public init(kind: String, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// One line for people.
    public var description: String { "\(kind): \(reason)" }
}
