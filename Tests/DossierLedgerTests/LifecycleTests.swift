import DossierLedger
import EventLedger
import TestSupport
import Testing

@Suite struct LifecycleTests {
    private static let dossier: DossierID = code("H34.12-190117-0001")

    private static func event(_ type: DossierEventType, minute: Int) -> InterchangeEvent {
        let at = Timestamp(millisecondsSinceEpoch: 1_547_690_400_000 + Int64(minute) * 60_000, utcOffsetSeconds: 7 * 3600)
        let details: DossierEvent.Details = switch type {
        case .received: .received(department: code("STP"), procedure: code("1.000001"), due: time("2019-01-24T16:30:00+07:00"), channel: .counter)
        case .forwarded: .forwarded(via: .post)
        case .decided: .decided(outcome: .approved)
        case .returnedToCenter: .returnedToCenter(via: .post)
        case .resultReturned: .resultReturned
        case .rated: .rated(rating: .satisfied, official: nil)
        case .withdrawn: .withdrawn
        }
        let event = DossierEvent(dossier: dossier, at: at, details: details)
        return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
    }

    /// Each case: the dossier's events so far, the refused event, and words of the rule it breaks.
    static let refusals: [([DossierEventType], DossierEventType, String)] = [
        ([], .forwarded, "needs a received dossier"),
        ([], .rated, "needs a received dossier"),
        ([.received], .received, "received once"),
        ([.received, .forwarded], .forwarded, "happens once"),
        ([.received, .decided], .forwarded, "forwarded comes before decided"),
        ([.received, .decided], .decided, "happens once"),
        ([.received], .returnedToCenter, "needs decided and forwarded"),
        ([.received, .decided], .returnedToCenter, "needs decided and forwarded"),
        ([.received, .forwarded, .decided, .returnedToCenter], .returnedToCenter, "happens once"),
        ([.received], .resultReturned, "needs decided"),
        ([.received, .forwarded, .decided], .resultReturned, "returns to the center"),
        ([.received, .decided, .resultReturned], .resultReturned, "happens once"),
        ([.received, .decided], .rated, "needs resultReturned"),
        ([.received, .decided, .resultReturned, .rated], .rated, "happens once"),
        ([.received, .decided, .resultReturned], .withdrawn, "withdrawn comes before resultReturned"),
        ([.received, .withdrawn], .decided, "nothing follows withdrawn"),
        ([.received, .withdrawn], .withdrawn, "nothing follows withdrawn"),
    ]

    @Test(arguments: refusals)
    func anEventAgainstTheLifecycleIsRefusedAndLeavesTheLedgerUnchanged(history: [DossierEventType], refused: DossierEventType, rule: String) throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let prior = history.enumerated().map { Self.event($0.element, minute: $0.offset * 10) }
        #expect(try ledger.submit(prior).allSatisfy { if case .accepted = $0 { true } else { false } })
        let head = try ledger.ledger.head()
        let before = try ledger.statistics(asOf: time("2019-12-31T00:00:00Z"))

        for mode in [SubmitMode.skipInvalid, .allOrNothing] {
            let verdicts = try ledger.submit([Self.event(refused, minute: 1000)], mode: mode)
            guard case .rejected(let reason) = verdicts.first else {
                Issue.record("\(refused) after \(history) was not refused")
                continue
            }
            #expect(reason.contains(rule), "reason: \(reason)")
            #expect(reason.contains(Self.dossier.rawValue) && reason.contains(refused.rawValue))
        }
        #expect(try ledger.ledger.head() == head)
        var after = try ledger.statistics(asOf: time("2019-12-31T00:00:00Z"))
        after.ledger = before.ledger
        #expect(after == before)
    }

    @Test func timesNeverGoBackwardsWithinADossier() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        try ledger.submit([Self.event(.received, minute: 60)])
        let verdicts = try ledger.submit([Self.event(.forwarded, minute: 30)])
        guard case .rejected(let reason) = verdicts.first else { Issue.record("not refused"); return }
        #expect(reason.contains("never go backwards"))
        #expect(reason.contains("state (received)"))
    }

    @Test func theWholeLifecycleIsAcceptedInEitherForwardedOrDirectForm() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let forwarded: [DossierEventType] = [.received, .forwarded, .decided, .returnedToCenter, .resultReturned, .rated]
        let verdicts = try ledger.submit(forwarded.enumerated().map { Self.event($0.element, minute: $0.offset) })
        #expect(verdicts == (2...7).map { .accepted(position: UInt64($0)) })
        let states = try ledger.history(of: Self.dossier).map(\.event.event.type)
        #expect(states == forwarded)
    }

    @Test func allOrNothingAppendsNothingWhenOneEventIsRefused() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let head = try ledger.ledger.head()
        let batch = [Self.event(.received, minute: 0), Self.event(.decided, minute: 1), Self.event(.rated, minute: 2)]
        let verdicts = try ledger.submit(batch, mode: .allOrNothing)
        #expect(verdicts.allSatisfy { if case .rejected = $0 { true } else { false } })
        #expect(try ledger.ledger.head() == head)
        let partial = try ledger.submit(batch, mode: .skipInvalid)
        #expect(partial[0] == .accepted(position: 2) && partial[1] == .accepted(position: 3))
        if case .rejected = partial[2] {} else { Issue.record("rated before resultReturned was accepted") }
    }

    @Test func resubmittingIsIdempotentAndAReusedIdWithOtherContentIsRefused() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let batch = [Self.event(.received, minute: 0), Self.event(.forwarded, minute: 5)]
        #expect(try ledger.submit(batch) == [.accepted(position: 2), .accepted(position: 3)])
        #expect(try ledger.submit(batch + batch) == [.duplicate(position: 2), .duplicate(position: 3), .duplicate(position: 2), .duplicate(position: 3)])
        var altered = Self.event(.decided, minute: 9)
        altered.id = batch[1].id
        guard case .rejected(let reason) = try ledger.submit([altered]).first else { Issue.record("reused id accepted"); return }
        #expect(reason.contains("different content"))
        #expect(try ledger.ledger.head().position == 3)
    }

    @Test func duplicatesAreFoundWhateverTheOrderOfIds() throws {
        // Ids after the greatest stored one are known to be new without a search; the others
        // are looked up. Both must tell duplicates from new events.
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        var received = Self.event(.received, minute: 0), forwarded = Self.event(.forwarded, minute: 5), decided = Self.event(.decided, minute: 9)
        (received.id, forwarded.id, decided.id) = ("m", "z", "a")
        #expect(try ledger.submit([received]) == [.accepted(position: 2)])
        #expect(try ledger.submit([forwarded, received]) == [.accepted(position: 3), .duplicate(position: 2)])
        #expect(try ledger.submit([received, decided, forwarded]) == [.duplicate(position: 2), .accepted(position: 4), .duplicate(position: 3)])
        var reused = Self.event(.resultReturned, minute: 12)
        reused.id = "a"
        guard case .rejected = try ledger.submit([reused]).first else { Issue.record("reused id accepted"); return }
    }

    /// One batch of thousands of events over many dossiers, each event sent twice and some ids
    /// reused with other content: every repeat finds its first copy and every dossier its
    /// earlier events, however the batch's lookup tables place them.
    @Test func aLargeBatchFindsEveryEarlierEventOfItsIdsAndDossiers() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let dossiers = 1500
        func event(_ type: DossierEventType, of number: Int, minute: Int) -> InterchangeEvent {
            var event = Self.event(type, minute: minute).event
            event.dossier = code("H34.12-190117-\(number)")
            return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
        }
        var firsts: [InterchangeEvent] = []
        for number in 0..<dossiers { firsts.append(event(.received, of: number, minute: number % 7)) }
        for number in 0..<dossiers { firsts.append(event(.forwarded, of: number, minute: 10 + number % 5)) }
        // The repeats come after every first copy, in another order.
        let repeats = firsts.indices.reversed().filter { $0 % 3 != 0 }
        var reused = event(.decided, of: 7, minute: 30)
        reused.id = firsts[dossiers + 7].id
        let verdicts = try ledger.submit(firsts + repeats.map { firsts[$0] } + [reused])
        #expect(verdicts.count == firsts.count + repeats.count + 1)
        for index in firsts.indices {
            #expect(verdicts[index] == .accepted(position: UInt64(2 + index)), "event \(index)")
        }
        for (offset, first) in repeats.enumerated() {
            #expect(verdicts[firsts.count + offset] == .duplicate(position: UInt64(2 + first)), "repeat of event \(first)")
        }
        guard case .rejected(let reason) = verdicts.last else { Issue.record("a reused id was accepted"); return }
        #expect(reason.contains("used earlier in this batch"), "\(reason)")
        // Each dossier got its two events, in order.
        #expect(try ledger.history(of: code("H34.12-190117-1499")).map(\.position) == [UInt64(2 + 1499), UInt64(2 + dossiers + 1499)])
    }

    /// An event refused in a batch does not take its id: a later copy of it in the same batch,
    /// checked once its dossier is received, is accepted, and the copy after that is its
    /// duplicate.
    @Test func anIdWhoseFirstCopyWasRefusedIsFreeForALaterCopy() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let received = Self.event(.received, minute: 0), decided = Self.event(.decided, minute: 9)
        let verdicts = try ledger.submit([decided, received, decided, decided])
        guard case .rejected(let reason) = verdicts[0] else { Issue.record("decided before received accepted: \(verdicts)"); return }
        #expect(reason.contains("needs a received dossier"), "\(reason)")
        #expect(Array(verdicts.dropFirst()) == [.accepted(position: 2), .accepted(position: 3), .duplicate(position: 3)])
    }

    /// `Hồ` precomposed and decomposed are equal `String`s but different stream ids: the
    /// checks of one submit, and the stream numbers it hands the log, keep them apart.
    @Test func dossierCodesThatDifferOnlyInUnicodeFormAreDifferentDossiers() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        let composed: DossierID = code("H\u{1ED3}-1"), decomposed: DossierID = code("Ho\u{0302}\u{0300}-1")
        #expect(composed.rawValue == decomposed.rawValue, "the premise: Swift equates the two")
        func event(_ type: DossierEventType, of dossier: DossierID, minute: Int) -> InterchangeEvent {
            var event = Self.event(type, minute: minute).event
            event.dossier = dossier
            return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
        }
        // A decision for the decomposed code does not find the composed one's receipt.
        let first = try ledger.submit([event(.received, of: composed, minute: 0), event(.decided, of: decomposed, minute: 1)])
        #expect(first[0] == .accepted(position: 2))
        guard case .rejected(let reason) = first[1] else { Issue.record("decided without received accepted: \(first)"); return }
        #expect(reason.contains("needs a received dossier"), "\(reason)")
        // Each is received once, then each gets events of its own, in one submit and the next.
        #expect(try ledger.submit([event(.received, of: decomposed, minute: 2), event(.decided, of: composed, minute: 3)])
            == [.accepted(position: 3), .accepted(position: 4)])
        #expect(try ledger.submit([event(.decided, of: decomposed, minute: 4), event(.resultReturned, of: composed, minute: 5)])
            == [.accepted(position: 5), .accepted(position: 6)])
        #expect(try ledger.history(of: composed).map(\.position) == [2, 4, 6])
        #expect(try ledger.history(of: decomposed).map(\.position) == [3, 5])
        let verification = try ledger.verify()
        #expect(verification.isValid, "\(String(describing: verification.problem))")
    }

    /// Event ids that differ only in Unicode form are different ids, within one submit as
    /// across submits, as the log's id index has them.
    @Test func eventIdsThatDifferOnlyInUnicodeFormAreDifferentIds() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        var received = Self.event(.received, minute: 0), forwarded = Self.event(.forwarded, minute: 5)
        (received.id, forwarded.id) = ("\u{E9}-1", "e\u{301}-1")
        #expect(received.id == forwarded.id, "the premise: Swift equates the two")
        #expect(try ledger.submit([received, forwarded]) == [.accepted(position: 2), .accepted(position: 3)])
        #expect(try ledger.submit([forwarded, received]) == [.duplicate(position: 3), .duplicate(position: 2)])
    }

    /// An official's name past the codec's limit fails the call when its event would be
    /// appended, and appends nothing; when the lifecycle refuses the event first, it is only
    /// refused.
    @Test func anOfficialsNameTooLongToEncodeFailsOnlyAnEventThatWouldBeAppended() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeDossierLedger(directory)
        func rated(minute: Int) -> InterchangeEvent {
            let at = Timestamp(millisecondsSinceEpoch: 1_547_690_400_000 + Int64(minute) * 60_000, utcOffsetSeconds: 7 * 3600)
            let official = String(repeating: "x", count: DossierCodec.officialBytesMax + 1)
            let event = DossierEvent(dossier: Self.dossier, at: at, details: .rated(rating: .satisfied, official: official))
            return InterchangeEvent(id: Interchange.derivedID(for: event), event: event)
        }
        let refused = try ledger.submit([rated(minute: 1)])
        guard case .rejected(let reason) = refused.first else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(reason.contains("needs a received dossier"), "\(reason)")
        let head = try ledger.ledger.head().position
        let history = [Self.event(.received, minute: 2), Self.event(.decided, minute: 3), Self.event(.resultReturned, minute: 4), rated(minute: 5)]
        #expect(throws: LedgerError.self) { try ledger.submit(history) }
        #expect(try ledger.ledger.head().position == head)
    }
}
