#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import EventLedger

/// A ledger of dossier events: the event log of ``EventLedger`` with the dossier lifecycle,
/// the ledger's settings and the statistics projection on top. The type users of the library
/// start from.
///
/// ```swift
/// let center = try DossierLedger.create(at: path, settings: LedgerSettings(departments: units))
/// let verdicts = try center.submit(events)              // lifecycle-checked, atomic
/// let figures = try center.statistics(asOf: endOfJune)  // with the digest they came from
/// ```
public final class DossierLedger: Sendable {
    /// The underlying event log.
    public let ledger: Ledger
    /// The ledger's time zone and department names.
    public let settings: LedgerSettings
    /// The statistics projection, in the ledger's time zone.
    public let projection: StatisticsProjection
    /// The codec of dossier events.
    public let codec = DossierCodec()

    private init(ledger: Ledger, settings: LedgerSettings) {
        self.ledger = ledger
        self.settings = settings
        self.projection = StatisticsProjection(timeZone: settings.timeZone)
    }

    /// Creates a new ledger with its settings (stored as its first event).
    public static func create(at path: String, settings: LedgerSettings = LedgerSettings(), options: LedgerOptions = LedgerOptions()) throws -> DossierLedger {
        let ledger = try Ledger.create(at: path, options: options)
        try ledger.append([settings.event()], to: LedgerSettings.stream, expected: .noStream)
        let dossiers = DossierLedger(ledger: ledger, settings: settings)
        try ledger.catchUp(dossiers.projection)
        return dossiers
    }

    /// Opens a ledger. A writable open brings the stored statistics up to date first; a
    /// read-only open leaves them as they are and catches up without writing when asked (see
    /// `Ledger.read(_:_:)`: in memory, or in a scratch file when far behind).
    ///
    /// - Throws: ``DossierLedgerError/notADossierLedger(path:)`` for an event log without
    ///   dossier settings, and the errors of `Ledger.open(at:options:)`.
    public static func open(at path: String, options: LedgerOptions = LedgerOptions()) throws -> DossierLedger {
        let ledger = try Ledger.open(at: path, options: options)
        guard let first = try ledger.event(at: 1), first.streamID == LedgerSettings.stream, first.type == LedgerSettings.eventType else {
            throw DossierLedgerError.notADossierLedger(path: path)
        }
        let dossiers = DossierLedger(ledger: ledger, settings: try LedgerSettings(event: first))
        if !ledger.isReadOnly { try ledger.catchUp(dossiers.projection) }
        return dossiers
    }

    /// Appends events after checking each against its dossier's lifecycle, in one write
    /// transaction: the checks see every event stored before and every earlier event of the
    /// same call, and no other writer can interleave.
    ///
    /// An event whose id is already stored with the same content is a duplicate and skipped;
    /// with different content it is refused. With ``SubmitMode/allOrNothing``, one refusal
    /// means nothing is appended.
    ///
    /// - Returns: one verdict per event, in order.
    @discardableResult
    public func submit(_ events: [InterchangeEvent], mode: SubmitMode = .skipInvalid) throws -> [Verdict] {
        try submit(encode(events), mode: mode)
    }

    /// Encodes events for the log, ready to submit: a caller that submits on one thread can
    /// encode the next events on another.
    public func encode(_ events: [InterchangeEvent]) -> EncodedEvents {
        let codec = codec
        return EncodedEvents(events: events, appends: events.map { item in
            Result { StreamAppend(stream: item.event.dossier.rawValue, events: [try ProposedEvent(id: item.id, event: item.event, codec: codec)]) }
        })
    }

    /// Appends events already encoded by ``encode(_:)``, as `submit` does with events.
    @discardableResult
    public func submit(_ encoded: EncodedEvents, mode: SubmitMode = .skipInvalid) throws -> [Verdict] {
        let events = encoded.events
        let codec = codec
        let projection = projection
        let ledger = ledger
        /// What prepare decided for each event.
        enum Plan {
            case decided(Verdict)
            /// Appended, in order: its position comes from the append's results.
            case appended
            /// The same event as the one at this index earlier in the call.
            case sameAs(Int)

            var isRejected: Bool { if case .decided(.rejected) = self { true } else { false } }
        }
        /// What prepare knows of a dossier it checked an event of.
        struct Known {
            /// Its stream number, when it has stored events.
            var number: UInt64?
            /// Its state after the events stored and those checked so far.
            var state: DossierState
        }
        let outcome = try ledger.append(updating: projection) { store -> (batch: [StreamAppend], extra: [Plan]) in
            // Dossier codes (`DossierID`) and event ids compared as the log compares them.
            var known: [DossierID: Known] = [:]
            var firstByID: [Bytewise.Key: Int] = [:]
            known.reserveCapacity(events.count)
            firstByID.reserveCapacity(events.count)
            var plans: [Plan] = []
            var batch: [StreamAppend] = []
            plans.reserveCapacity(events.count)
            batch.reserveCapacity(events.count)
            for (index, item) in events.enumerated() {
                if let stored = try store.withStoredEvent(id: item.id, in: ledger, { record in
                    (record.position, Bytewise.equal(record.streamID, item.event.dossier.rawValue) ? try? codec.decode(record) : nil)
                }) {
                    plans.append(.decided(stored.1 == item.event
                        ? .duplicate(position: stored.0)
                        : .rejected(reason: "event id \(item.id) is stored at position \(stored.0) with different content")))
                    continue
                }
                if let first = firstByID[Bytewise.Key(item.id)] {
                    plans.append(events[first].event == item.event
                        ? .sameAs(first)
                        : .decided(.rejected(reason: "event id \(item.id) was used earlier in this batch with different content")))
                    continue
                }
                let dossier = item.event.dossier
                var entry: Known
                if let seen = known[dossier] {
                    entry = seen
                } else if let number = try store.streamNumber(of: dossier.rawValue, in: ledger) {
                    entry = Known(number: number, state: try projection.state(ofStream: number, in: store) ?? .new)
                } else {
                    entry = Known(number: nil, state: .new)
                }
                do throws(LifecycleError) {
                    try Lifecycle.check(item.event, in: entry.state)
                } catch {
                    plans.append(.decided(.rejected(reason: error.description)))
                    continue
                }
                entry.state = entry.state.applying(item.event)
                known[dossier] = entry
                firstByID[Bytewise.Key(item.id)] = index
                plans.append(.appended)
                // An event that cannot be encoded fails the call, as it would have to be appended.
                // The stream number found here spares the append a second search.
                var append = try encoded.appends[index].get()
                append.streamNumber = entry.number
                batch.append(append)
            }
            let anyRejected = plans.contains(where: \.isRejected)
            return (mode == .allOrNothing && anyRejected ? [] : batch, plans)
        }
        let plans = outcome.extra
        let anyRejected = plans.contains(where: \.isRejected)
        var positions = outcome.results.makeIterator()
        var result: [Verdict] = []
        result.reserveCapacity(events.count)
        for plan in plans {
            switch plan {
            case .decided(let verdict):
                result.append(verdict)
            case .appended where mode == .allOrNothing && anyRejected, .sameAs where mode == .allOrNothing && anyRejected:
                result.append(.rejected(reason: "not appended: another event of the batch was refused"))
            case .appended:
                guard let appended = positions.next()?.positions.first else { preconditionFailure("one append result per appended event") }
                result.append(.accepted(position: appended))
            case .sameAs(let first):
                guard case .accepted(let position) = result[first] else { preconditionFailure("a repeated event follows an accepted one") }
                result.append(.duplicate(position: position))
            }
        }
        return result
    }

    /// The statistics as of an instant, from the stored projection (caught up in memory when
    /// it lags behind the log), with the head of the log they reflect.
    public func statistics(asOf time: Timestamp, breakdown: DepartmentStatistics.Breakdown = .department) throws -> DepartmentStatistics {
        let (projection, settings) = (projection, settings)
        return try ledger.read(projection) { store, status in
            try projection.statistics(asOf: time, breakdown: breakdown, settings: settings, in: store, head: status.head)
        }
    }

    /// Every event of a dossier, in order, with where and how it is stored.
    public func history(of dossier: DossierID) throws -> [StoredDossierEvent] {
        var events: [StoredDossierEvent] = []
        let codec = codec
        try ledger.forEachEvent(inStream: dossier.rawValue) { record in
            events.append(StoredDossierEvent(
                position: record.position, recordedAt: record.recordedAt, chainHash: record.chainHash,
                event: InterchangeEvent(id: record.id, event: try codec.decode(record))))
        }
        return events
    }

    /// Empties the stored statistics and folds the whole log again.
    ///
    /// - Parameter progress: called after each committed chunk with the position reached.
    @discardableResult
    public func rebuildStatistics(progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        try ledger.rebuild(projection, progress: progress)
    }
}

/// Events with their encoded form for the log (``DossierLedger/encode(_:)``).
public struct EncodedEvents: Sendable {
    /// The events, in order.
    public let events: [InterchangeEvent]
    /// One append per event, in the same order, or why the event could not be encoded
    /// (thrown by `submit` if the event is to be appended).
    let appends: [Result<StreamAppend, any Error>]
}

/// A dossier event as the ledger stores it.
public struct StoredDossierEvent: Hashable, Sendable {
    /// Its position in the log.
    public var position: UInt64
    /// When the ledger stored it.
    public var recordedAt: Date
    /// Its chain hash.
    public var chainHash: ChainHash
    /// The event and its id.
    public var event: InterchangeEvent
}

/// Errors of the dossier layer.
public enum DossierLedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The directory holds an event log, but not one created as a dossier ledger.
    case notADossierLedger(path: String)

    /// One line for people.
    public var description: String {
        switch self {
        case .notADossierLedger(let path): "\(path) is an event log without dossier settings; create it as a dossier ledger"
        }
    }
}
