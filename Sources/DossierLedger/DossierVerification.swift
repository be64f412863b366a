public import EventLedger

/// What ``DossierLedger/verify(against:)`` checked, and the first problem found.
public struct DossierVerification: Hashable, Sendable {
    /// The event log's own check: chain hashes, positions, indexes, and the digest if given.
    public var log: VerificationReport
    /// How many dossiers had their whole lifecycle re-checked.
    public var dossiersChecked: Int
    /// The position the stored statistics were compared at (their checkpoint).
    public var statisticsCheckpoint: UInt64
    /// The first problem, in this order: the log, the lifecycles, the statistics.
    public var problem: VerificationProblem?

    /// Whether nothing is wrong.
    public var isValid: Bool { problem == nil }
}

extension DossierLedger {
    /// Checks everything an auditor relies on, reading only: the chain of hashes and every index
    /// (and, with `digest`, that the ledger extends the digested one); every dossier's lifecycle,
    /// event by event; and that the stored statistics equal a fresh fold of the log.
    ///
    /// - Parameter progress: called now and then with the position reached and the stage
    ///   (`chain`, `lifecycle`).
    public func verify(against digest: LedgerDigest? = nil, progress: ((_ position: UInt64, _ stage: String) -> Void)? = nil) throws -> DossierVerification {
        let log = try ledger.verify(against: digest) { progress?($0, "chain") }
        var result = DossierVerification(log: log, dossiersChecked: 0, statisticsCheckpoint: 0, problem: log.problem)
        guard log.isValid else { return result }

        var states: [DossierState?] = []
        var problem: VerificationProblem?
        let codec = codec
        try ledger.forEachEvent(through: log.head.position) { record in
            guard problem == nil, !record.isType(LedgerSettings.eventType) else { return }
            let position = record.position
            let event: DossierEvent
            do {
                event = try codec.decode(record)
            } catch {
                problem = VerificationProblem(position: position, reason: "the event does not decode as a dossier event: \(error)")
                return
            }
            let index = Int(record.streamNumber)
            if states.count <= index { states.append(contentsOf: repeatElement(nil, count: index + 1 - states.count)) }
            let state = states[index] ?? .new
            do throws(LifecycleError) {
                try Lifecycle.check(event, in: state)
            } catch {
                problem = VerificationProblem(position: position, reason: error.description)
                return
            }
            states[index] = state.applying(event)
            if position & 0xFFF == 0 { progress?(position, "lifecycle") }
        }
        result.dossiersChecked = states.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        if let problem {
            result.problem = problem
            return result
        }
        result.statisticsCheckpoint = try ledger.checkpoint(of: projection)
        result.problem = try ledger.compareWithRebuild(projection)
        return result
    }
}
