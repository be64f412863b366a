/// What ``Ledger/verify(against:)`` checked and the first problem it found, if any.
public struct VerificationReport: Hashable, Sendable {
    /// How many events were checked (the whole log when no problem was found).
    public var eventsChecked: UInt64
    /// How many streams the checked events belong to.
    public var streamsChecked: UInt64
    /// The head the check covered.
    public var head: LedgerDigest
    /// The first problem, in log order; `nil` when the ledger is intact.
    public var problem: VerificationProblem?

    /// Whether no problem was found.
    public var isValid: Bool { problem == nil }
}

/// A mismatch found by verification, with the first position it affects.
public struct VerificationProblem: Hashable, Sendable, CustomStringConvertible {
    /// The first position whose record, chain hash or index entry is wrong.
    public var position: UInt64
    /// What is wrong there.
    public var reason: String

    /// Creates a problem report.
    public init(position: UInt64, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// `position N: reason`.
    public var description: String { "position \(position): \(reason)" }
}
