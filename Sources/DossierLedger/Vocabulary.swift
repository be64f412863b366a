/// How a dossier reached the center.
public enum IntakeChannel: String, CaseIterable, Hashable, Sendable {
    /// At the center's counter.
    case counter
    /// Through the online public service portal.
    case online
    /// By the public postal service.
    case post
}

/// How a dossier or a result travels between the center and a department.
public enum TransferMedium: String, CaseIterable, Hashable, Sendable {
    /// By the public postal service (dịch vụ bưu chính công ích).
    case post
    /// Electronically, through the one-stop software.
    case electronic
    /// Carried by staff.
    case inPerson
}

/// A department's decision on a dossier.
public enum Outcome: String, CaseIterable, Hashable, Sendable {
    /// The request was granted.
    case approved
    /// The request was refused.
    case rejected
}

/// An applicant's rating of the service.
public enum RatingLevel: String, CaseIterable, Hashable, Sendable {
    /// Rất hài lòng.
    case verySatisfied
    /// Hài lòng.
    case satisfied
    /// Không hài lòng.
    case dissatisfied
}
