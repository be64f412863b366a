import EventLedger

/// What the lifecycle check decided for one submitted event.
enum EventPlan {
    case decided(Verdict)
    /// Appended, in order: its position comes from the append's results.
    case appended
    /// The same event as the one at this index earlier in the batch.
    case sameAs(Int)

    var isRejected: Bool { if case .decided(.rejected) = self { true } else { false } }
}

/// What a check knows of a dossier it checked an event of.
struct KnownDossier {
    /// An event of the dossier in the batch, whose dossier id identifies it.
    var event: Int
    /// Its stream number, when it has stored events.
    var number: UInt64?
    /// Its state after the events stored and those checked so far.
    var state: DossierState
}

/// The lifecycle check of a batch of encoded events, in the transaction that appends them: a
/// plan per event and the appends. Each event is checked against the state stored and the
/// batch's earlier events.
struct BatchCheck {
    let encoded: EncodedEvents
    let mode: SubmitMode
    private(set) var plans: [EventPlan] = []
    /// The appends of the accepted events, with the stream numbers found.
    private var accepted: [StreamAppend] = []
    /// The events appended, by the hash of their ids.
    private var ids: HashSlots
    /// ``known``, by the hash of the dossier ids.
    private var dossiers: HashSlots
    private var known: [KnownDossier] = []

    /// What to append: the accepted events, or none with ``SubmitMode/allOrNothing`` when
    /// any event is refused.
    var appends: [StreamAppend] { withheld ? [] : accepted }

    /// Whether the accepted events are left out: ``SubmitMode/allOrNothing`` with a refusal.
    private var withheld: Bool { mode == .allOrNothing && plans.contains(where: \.isRejected) }

    /// Checks `encoded` against the state in `store`.
    ///
    /// - Throws: the encoding error of an event that is to be appended, and read errors.
    init(_ encoded: EncodedEvents, mode: SubmitMode, in store: borrowing ProjectionStore, of ledger: DossierLedger) throws {
        self.encoded = encoded
        self.mode = mode
        let events = encoded.events
        let hashes = encoded.hashes
        ids = HashSlots(capacity: events.count)
        dossiers = HashSlots(capacity: events.count)
        known.reserveCapacity(events.count)
        plans.reserveCapacity(events.count)
        accepted.reserveCapacity(events.count)
        let (log, codec, projection) = (ledger.ledger, ledger.codec, ledger.projection)
        for index in events.indices {
            if let stored = try store.withStoredEvent(id: events[index].id, in: log, { record in
                (record.position, Bytewise.equal(record.streamID, events[index].event.dossier.rawValue) ? try? codec.decode(record) : nil)
            }) {
                plans.append(.decided(stored.1 == events[index].event
                    ? .duplicate(position: stored.0)
                    : .rejected(reason: "event id \(events[index].id) is stored at position \(stored.0) with different content")))
                continue
            }
            if let first = appendedEvent(withID: events[index].id, hash: hashes[index].id) {
                plans.append(events[first].event == events[index].event
                    ? .sameAs(first)
                    : .decided(.rejected(reason: "event id \(events[index].id) was used earlier in this batch with different content")))
                continue
            }
            let dossierHash = hashes[index].dossier
            let seen = knownDossier(events[index].event.dossier, hash: dossierHash)
            var entry: KnownDossier
            if let seen {
                entry = known[seen]
            } else if let number = try store.streamNumber(of: events[index].event.dossier.rawValue, in: log) {
                entry = KnownDossier(event: index, number: number, state: try projection.state(ofStream: number, in: store) ?? .new)
            } else {
                entry = KnownDossier(event: index, number: nil, state: .new)
            }
            do throws(LifecycleError) {
                try Lifecycle.check(events[index].event, in: entry.state)
            } catch {
                plans.append(.decided(.rejected(reason: error.description)))
                continue
            }
            entry.state = entry.state.applying(events[index].event)
            if let seen {
                known[seen] = entry
            } else {
                dossiers.insert(known.count, hash: dossierHash)
                known.append(entry)
            }
            ids.insert(index, hash: hashes[index].id)
            plans.append(.appended)
            // An event that cannot be encoded fails the call, as it would have to be appended.
            // The stream number found here spares the append a second search.
            var append = try encoded.appends[index].get()
            append.streamNumber = entry.number
            accepted.append(append)
        }
    }

    /// The index of the accepted event with this id (hashed as ``Bytewise/hash(_:)``).
    private func appendedEvent(withID id: String, hash: Int) -> Int? {
        ids.first(hash: hash) { Bytewise.equal(encoded.events[$0].id, id) }
    }

    /// The index in ``known`` of a dossier (its id hashed as ``Bytewise/hash(_:)``).
    private func knownDossier(_ dossier: DossierID, hash: Int) -> Int? {
        dossiers.first(hash: hash) { encoded.events[known[$0].event].event.dossier == dossier }
    }

    /// The verdict of each event, from the append's results.
    func verdicts(_ results: [AppendResult]) -> [Verdict] {
        let withheld = withheld
        var positions = results.makeIterator()
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(plans.count)
        for plan in plans {
            switch plan {
            case .decided(let verdict):
                verdicts.append(verdict)
            case .appended where withheld, .sameAs where withheld:
                verdicts.append(.rejected(reason: "not appended: another event of the batch was refused"))
            case .appended:
                guard let appended = positions.next()?.positions.first else { preconditionFailure("one append result per appended event") }
                verdicts.append(.accepted(position: appended))
            case .sameAs(let first):
                guard case .accepted(let position) = verdicts[first] else { preconditionFailure("a repeated event follows an accepted one") }
                verdicts.append(.duplicate(position: position))
            }
        }
        return verdicts
    }
}
