/// Optional context recorded with an event: who caused it and which request or event it belongs to.
public struct EventMetadata: Hashable, Sendable {
    /// Who made the change: a user, a service or an import job.
    public var actor: String?
    /// Groups events that belong to one request or job.
    public var correlationID: String?
    /// The id of the event or command that caused this event.
    public var causationID: String?

    /// Creates metadata; every field is optional.
    public init(actor: String? = nil, correlationID: String? = nil, causationID: String? = nil) {
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
    }

    /// Metadata with no field set.
    public static let none = EventMetadata()
}
