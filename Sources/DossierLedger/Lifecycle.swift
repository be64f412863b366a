/// The rules of a dossier's life. Each event is checked against the dossier's state before
/// it is appended; see the `Lifecycle` article for the table of rules.
public enum Lifecycle {
    /// Checks that `event` may happen to a dossier in `state`.
    ///
    /// - Throws: ``LifecycleError`` naming the dossier, its state, the event and the rule broken.
    public static func check(_ event: DossierEvent, in state: DossierState) throws(LifecycleError) {
        func refuse(_ rule: String) -> LifecycleError {
            LifecycleError(dossier: event.dossier, state: state, event: event.type, rule: rule)
        }
        let type = event.type
        if type == .received {
            guard state.bits == 0 else { throw refuse("a dossier is received once, before any other event") }
        } else {
            guard state.has(.received) else { throw refuse("\(type.rawValue) needs a received dossier") }
            guard !state.has(.withdrawn) else { throw refuse("nothing follows withdrawn") }
            guard !state.has(type) else { throw refuse("\(type.rawValue) happens once") }
        }
        switch type {
        case .received, .decided:
            break
        case .forwarded:
            guard !state.has(.decided) else { throw refuse("forwarded comes before decided") }
        case .returnedToCenter:
            guard state.has(.decided), state.has(.forwarded) else { throw refuse("returnedToCenter needs decided and forwarded") }
        case .resultReturned:
            guard state.has(.decided) else { throw refuse("resultReturned needs decided") }
            guard !state.has(.forwarded) || state.has(.returnedToCenter) else {
                throw refuse("a forwarded dossier's result returns to the center (returnedToCenter) before resultReturned")
            }
        case .rated:
            guard state.has(.resultReturned) else { throw refuse("rated needs resultReturned") }
        case .withdrawn:
            guard !state.has(.resultReturned) else { throw refuse("withdrawn comes before resultReturned") }
        }
        guard event.at.millisecondsSinceEpoch >= state.lastAtMilliseconds else {
            throw refuse("times never go backwards within a dossier: \(event.at) is before its last event")
        }
    }
}

/// An event the lifecycle does not allow.
public struct LifecycleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The dossier.
    public var dossier: DossierID
    /// Its state before the event.
    public var state: DossierState
    /// The refused event's type.
    public var event: DossierEventType
    /// The rule the event breaks.
    public var rule: String

    /// `dossier H34…: cannot apply decided to a dossier in state (received, decided): decided happens once`.
    public var description: String {
        "dossier \(dossier): \(event.rawValue) refused in state (\(state)): \(rule)"
    }
}
