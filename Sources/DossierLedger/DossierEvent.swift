/// The type of a dossier event: the name it has in the interchange format and in the log.
public enum DossierEventType: String, CaseIterable, Hashable, Sendable {
    /// Accepted at the center.
    case received
    /// Sent from the center to the department.
    case forwarded
    /// The department finished processing.
    case decided
    /// The result travels back from the department to the center.
    case returnedToCenter
    /// The result was handed to the applicant.
    case resultReturned
    /// The applicant rated the service.
    case rated
    /// The applicant withdrew the dossier.
    case withdrawn
}

/// One state change of one dossier. Each dossier is one stream of the log, named by its code.
public struct DossierEvent: Hashable, Sendable {
    /// The dossier.
    public var dossier: DossierID
    /// When the change happened (not when it was recorded).
    public var at: Timestamp
    /// What happened, with the fields of its type.
    public var details: Details

    /// Creates an event.
    public init(dossier: DossierID, at: Timestamp, details: Details) {
        self.dossier = dossier
        self.at = at
        self.details = details
    }

    /// What happened to the dossier.
    public enum Details: Hashable, Sendable {
        /// Accepted at the center, with the department responsible, the procedure, the
        /// appointment for the result (ngày hẹn trả) and the intake channel.
        case received(department: DepartmentCode, procedure: ProcedureCode, due: Timestamp, channel: IntakeChannel)
        /// Sent from the center to the department.
        case forwarded(via: TransferMedium)
        /// The department decided.
        case decided(outcome: Outcome)
        /// The result travels back to the center.
        case returnedToCenter(via: TransferMedium)
        /// The result was handed to the applicant.
        case resultReturned
        /// The applicant rated the service; `official` optionally names the official rated.
        case rated(rating: RatingLevel, official: String?)
        /// The applicant withdrew the dossier.
        case withdrawn
    }

    /// The event's type.
    public var type: DossierEventType { details.type }
}

extension DossierEvent.Details {
    /// The type of event these details belong to.
    public var type: DossierEventType {
        switch self {
        case .received: .received
        case .forwarded: .forwarded
        case .decided: .decided
        case .returnedToCenter: .returnedToCenter
        case .resultReturned: .resultReturned
        case .rated: .rated
        case .withdrawn: .withdrawn
        }
    }
}
