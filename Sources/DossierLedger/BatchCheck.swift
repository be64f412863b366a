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
    /// For the first event of each id (``EncodedEvents/firsts``): the index of the event of
    /// that id that is appended, or −1.
    private var appendedOfID: [Int]
    /// For the first event of each dossier: the index in ``known`` of the dossier, or −1.
    private var knownOfDossier: [Int]
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
        let count = encoded.events.count
        appendedOfID = Array(repeating: -1, count: count)
        knownOfDossier = Array(repeating: -1, count: count)
        known.reserveCapacity(count)
        plans.reserveCapacity(count)
        accepted.reserveCapacity(count)
        let (log, codec, projection) = (ledger.ledger, ledger.codec, ledger.projection)
        // The events are read in place, by index (see `Ledger.append`'s loop).
        for index in encoded.events.indices {
            if let stored = try store.withStoredEvent(id: encoded.events[index].id, in: log, { record in
                (record.position, Bytewise.equal(record.streamID, encoded.events[index].event.dossier.rawValue) ? try? codec.decode(record) : nil)
            }) {
                plans.append(.decided(stored.1 == encoded.events[index].event
                    ? .duplicate(position: stored.0)
                    : .rejected(reason: "event id \(encoded.events[index].id) is stored at position \(stored.0) with different content")))
                continue
            }
            let (firstOfID, firstOfDossier) = encoded.firsts[index]
            let earlier = appendedOfID[firstOfID]
            if earlier >= 0 {
                plans.append(encoded.events[earlier].event == encoded.events[index].event
                    ? .sameAs(earlier)
                    : .decided(.rejected(reason: "event id \(encoded.events[index].id) was used earlier in this batch with different content")))
                continue
            }
            let seen = knownOfDossier[firstOfDossier]
            var entry: KnownDossier
            if seen >= 0 {
                entry = known[seen]
            } else if let number = try store.streamNumber(of: encoded.events[index].event.dossier.rawValue, in: log) {
                entry = KnownDossier(number: number, state: try projection.state(ofStream: number, in: store) ?? .new)
            } else {
                entry = KnownDossier(number: nil, state: .new)
            }
            do throws(LifecycleError) {
                try Lifecycle.check(encoded.events[index].event, in: entry.state)
            } catch {
                plans.append(.decided(.rejected(reason: error.description)))
                continue
            }
            entry.state = entry.state.applying(encoded.events[index].event)
            if seen >= 0 {
                known[seen] = entry
            } else {
                knownOfDossier[firstOfDossier] = known.count
                known.append(entry)
            }
            appendedOfID[firstOfID] = index
            plans.append(.appended)
            // An event that cannot be encoded fails the call, as it would have to be appended.
            // The stream number found here spares the append a second search.
            var append = try encoded.appends[index].get()
            append.streamNumber = entry.number
            accepted.append(append)
        }
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
