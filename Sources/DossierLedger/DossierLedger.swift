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
        return EncodedEvents(
            events: events,
            appends: events.map { item in
                Result { StreamAppend(stream: item.event.dossier.rawValue, events: [try ProposedEvent(id: item.id, event: item.event, codec: codec)]) }
            },
            firsts: EncodedEvents.firsts(of: events))
    }

    /// Appends events already encoded by ``encode(_:)``, as `submit` does with events.
    @discardableResult
    public func submit(_ encoded: EncodedEvents, mode: SubmitMode = .skipInvalid) throws -> [Verdict] {
        var check: BatchCheck?
        let outcome = try ledger.append(updating: projection) { store -> (batch: [StreamAppend], extra: Void) in
            check = try BatchCheck(encoded, mode: mode, in: store, of: self)
            return (check?.appends ?? [], ())
        }
        guard let check else { preconditionFailure("an append runs its prepare step") }
        return check.verdicts(outcome.results)
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
    /// For each event, the index of the batch's first event with the same id and the first
    /// with the same dossier (its own index when it is the first), found with the rest so that
    /// `submit` neither hashes nor compares strings to find an event's earlier ones.
    let firsts: [(id: Int, dossier: Int)]

    /// The ``firsts`` of a batch: ids and dossier ids compared byte for byte.
    static func firsts(of events: [InterchangeEvent]) -> [(id: Int, dossier: Int)] {
        var (ids, dossiers) = (HashSlots(capacity: events.count), HashSlots(capacity: events.count))
        var firsts: [(id: Int, dossier: Int)] = []
        firsts.reserveCapacity(events.count)
        for index in events.indices {
            let (id, dossier) = (events[index].id, events[index].event.dossier.rawValue)
            let (idHash, dossierHash) = (Bytewise.hash(id), Bytewise.hash(dossier))
            let firstID = ids.first(hash: idHash) { Bytewise.equal(events[$0].id, id) }
            let firstDossier = dossiers.first(hash: dossierHash) { Bytewise.equal(events[$0].event.dossier.rawValue, dossier) }
            if firstID == nil { ids.insert(index, hash: idHash) }
            if firstDossier == nil { dossiers.insert(index, hash: dossierHash) }
            firsts.append((firstID ?? index, firstDossier ?? index))
        }
        return firsts
    }
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
