/// The counts of the statistics definitions for one department, procedure, month or the total.
/// See the `Statistics` article for each definition.
public struct StatisticsCounts: Hashable, Sendable {
    /// Dossiers received.
    public var received = 0
    /// Dossiers whose result was handed back (`resultReturned`).
    public var returned = 0
    /// Returned dossiers decided at or before their due instant.
    public var onTime = 0
    /// On-time dossiers decided on an earlier local day than their due day ("trước hạn").
    public var early = 0
    /// Dossiers withdrawn.
    public var withdrawn = 0
    /// Dossiers still open (received, not returned, not withdrawn) whose due instant has passed.
    public var inProgressOverdue = 0
    /// Dossiers sent from the center to the department by post.
    public var forwardedByPost = 0
    /// Results sent back from the department to the center by post.
    public var returnedByPost = 0
    /// The ratings given.
    public var ratings = RatingCounts()

    /// Creates zero counts.
    public init() {}

    /// Returned dossiers decided after their due instant: `returned − onTime`.
    public var late: Int { returned - onTime }
    /// Dossiers neither returned nor withdrawn: `received − returned − withdrawn` (for a
    /// month row, those open at the month's end).
    public var inProgress = 0
    /// `onTime / returned`.
    public var onTimeRate: Percentage? { Percentage(onTime, of: returned) }
    /// `late / returned`.
    public var lateRate: Percentage? { Percentage(late, of: returned) }
    /// `verySatisfied / ratings`.
    public var verySatisfiedRate: Percentage? { Percentage(ratings.verySatisfied, of: ratings.total) }
    /// `satisfied / ratings`.
    public var satisfiedRate: Percentage? { Percentage(ratings.satisfied, of: ratings.total) }
    /// `dissatisfied / ratings`.
    public var dissatisfiedRate: Percentage? { Percentage(ratings.dissatisfied, of: ratings.total) }

    /// Adds counts, as for a total over departments.
    public static func += (lhs: inout StatisticsCounts, rhs: StatisticsCounts) {
        lhs.received += rhs.received
        lhs.returned += rhs.returned
        lhs.onTime += rhs.onTime
        lhs.early += rhs.early
        lhs.withdrawn += rhs.withdrawn
        lhs.inProgress += rhs.inProgress
        lhs.inProgressOverdue += rhs.inProgressOverdue
        lhs.forwardedByPost += rhs.forwardedByPost
        lhs.returnedByPost += rhs.returnedByPost
        lhs.ratings.verySatisfied += rhs.ratings.verySatisfied
        lhs.ratings.satisfied += rhs.ratings.satisfied
        lhs.ratings.dissatisfied += rhs.ratings.dissatisfied
    }

    init(row: CounterRow) {
        func value(_ metric: Metric) -> Int { Int(row.values[metric.rawValue]) }
        received = value(.received)
        returned = value(.returned)
        onTime = value(.onTime)
        early = value(.early)
        withdrawn = value(.withdrawn)
        inProgress = received - returned - withdrawn
        inProgressOverdue = value(.overdue)
        forwardedByPost = value(.forwardedByPost)
        returnedByPost = value(.returnedByPost)
        ratings = RatingCounts(verySatisfied: value(.verySatisfied), satisfied: value(.satisfied), dissatisfied: value(.dissatisfied))
    }
}

/// How many ratings of each level.
public struct RatingCounts: Hashable, Sendable {
    /// Rất hài lòng.
    public var verySatisfied = 0
    /// Hài lòng.
    public var satisfied = 0
    /// Không hài lòng.
    public var dissatisfied = 0

    /// Creates counts.
    public init(verySatisfied: Int = 0, satisfied: Int = 0, dissatisfied: Int = 0) {
        self.verySatisfied = verySatisfied
        self.satisfied = satisfied
        self.dissatisfied = dissatisfied
    }

    /// All ratings.
    public var total: Int { verySatisfied + satisfied + dissatisfied }
}
