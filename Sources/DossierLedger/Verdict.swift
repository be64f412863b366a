/// What became of one submitted event.
public enum Verdict: Hashable, Sendable {
    /// Appended at this position.
    case accepted(position: UInt64)
    /// Already stored (same id, same content) at this position; skipped.
    case duplicate(position: UInt64)
    /// Refused; nothing of it was stored.
    case rejected(reason: String)
}

/// How ``DossierLedger/submit(_:mode:)`` treats invalid events.
public enum SubmitMode: Hashable, Sendable {
    /// Append the valid events; refuse the others one by one.
    case skipInvalid
    /// Append nothing unless every event is valid.
    case allOrNothing
}
