import EventLedger
import Foundation
import LedgerLMDB
import TestSupport
import Testing

@Suite struct VerifyTests {
    private func ledgerWithMarkers(_ directory: TemporaryDirectory, count: Int) throws -> Ledger {
        let ledger = try makeLedger(directory)
        for index in 1...count {
            try ledger.append([event("id-\(index)", "noted", "MARKER-\(String(format: "%06d", index))")], to: "S\(index % 4)")
        }
        return ledger
    }

    @Test func anIntactLedgerVerifiesAndReportsItsHead() throws {
        let directory = try TemporaryDirectory()
        let ledger = try ledgerWithMarkers(directory, count: 50)
        let report = try ledger.verify()
        #expect(report.isValid && report.eventsChecked == 50 && report.streamsChecked == 4)
        #expect(report.head == (try ledger.head()))
    }

    @Test func aSingleFlippedByteInAStoredPayloadIsFoundAtItsPosition() throws {
        let directory = try TemporaryDirectory()
        let path: String
        do {
            let ledger = try ledgerWithMarkers(directory, count: 200)
            path = ledger.path
        }
        // LMDB copies pages on write, so stale copies of the record may linger in free pages:
        // flip the byte in every copy, the live one among them.
        #expect(try flipByte(of: "MARKER-000137", offset: 8, inFile: path + "/data.mdb") >= 1)

        let ledger = try Ledger.open(at: path, options: testOptions())
        let report = try ledger.verify()
        #expect(report.problem?.position == 137)
        #expect(report.eventsChecked == 136)
    }

    @Test func aDeletedRecordIsFoundAtItsPosition() throws {
        let directory = try TemporaryDirectory()
        let path: String
        do { path = try ledgerWithMarkers(directory, count: 20).path }
        do {
            let environment = try Environment(path: path)
            let events = try environment.database(named: "events")
            try environment.write { txn in
                _ = try withUnsafeBytes(of: UInt64(7).bigEndian) { try txn.delete($0.bytes, in: events) }
            }
        }
        let report = try Ledger.open(at: path).verify()
        #expect(report.problem?.position == 7)
    }

    @Test func verifyingAgainstADigestCatchesARewrittenChain() throws {
        let directory = try TemporaryDirectory()
        let original = try TemporaryDirectory()
        // Two ledgers with the same first 10 events but different 6th payload: a consistent
        // rewrite that chain checking alone cannot see.
        let honest = try makeLedger(original)
        let forged = try makeLedger(directory)
        for index in 1...10 {
            try honest.append([event("\(index)", "noted", "v\(index)")], to: "S")
            try forged.append([event("\(index)", "noted", index == 6 ? "forged" : "v\(index)")], to: "S")
        }
        let written = try LedgerDigest(position: 8, chainHash: #require(try honest.event(at: 8)).chainHash)
        #expect(try honest.verify(against: written).isValid)
        #expect(try forged.verify().isValid)
        let report = try forged.verify(against: written)
        #expect(report.problem?.position == 8)
        let beyond = LedgerDigest(position: 11, chainHash: .genesis)
        #expect(try honest.verify(against: beyond).problem?.position == 11)
    }

    /// Appends events "e1" to "e20" to streams S1, S2, S0, S1…, checks that they verify, then
    /// lets `tamper` change the closed ledger's indexes and returns what `verify` finds.
    private func problemAfterTampering(
        tailEventsMax: Int = Limits.streamTailEventsMax, _ tamper: (Environment) throws -> Void
    ) throws -> VerificationProblem? {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        do {
            let ledger = try makeLedger(directory) { $0.streamTailEventsMax = tailEventsMax }
            for index in 1...20 { try ledger.append([event("e\(index)")], to: "S\(index % 3)") }
            #expect(try ledger.verify().problem == nil)
        }
        try tamper(try Environment(path: path))
        return try Ledger.open(at: path, options: testOptions { $0.readOnly = true }).verify().problem
    }

    @Test func aStreamEventIndexEntryPointingElsewhereIsFoundAtItsEvent() throws {
        // Merging every 4 events puts most entries in the index. Stream 1 ("S1") has its events
        // at positions 1, 4, 7…: point its version 2 at position 7.
        let problem = try problemAfterTampering(tailEventsMax: 4) { environment in
            let streamEvents = try environment.database(named: "streamEvents")
            try environment.write { txn in
                try withUnsafeBytes(of: (UInt64(1).bigEndian, UInt64(2).bigEndian)) { key in
                    try withUnsafeBytes(of: UInt64(7).bigEndian) { try txn.put($0.bytes, for: key.bytes, in: streamEvents) }
                }
            }
        }
        #expect(problem?.position == 4)
        #expect(problem?.reason.contains("stream-event index") == true)
    }

    /// An id pointed at another event, and an id replaced by another one (same number of
    /// entries, so only the index's content can tell): each is found at the event it concerns.
    @Test(arguments: [(id: "e5", pointsAt: UInt64(9), replacedBy: nil as String?), (id: "e5", pointsAt: UInt64(5), replacedBy: "e5x")])
    func anEventIDIndexEntryPointingElsewhereIsFoundAtItsEvent(id: String, pointsAt: UInt64, replacedBy: String?) throws {
        let problem = try problemAfterTampering { environment in
            let eventIDs = try environment.database(named: "eventIDs")
            try environment.write { txn in
                if replacedBy != nil { try txn.delete(Array(id.utf8).span.bytes, in: eventIDs) }
                try withUnsafeBytes(of: pointsAt.bigEndian) { position in
                    try txn.put(position.bytes, for: Array((replacedBy ?? id).utf8).span.bytes, in: eventIDs)
                }
            }
        }
        #expect(problem?.position == 5)
        #expect(problem?.reason.contains("event-id index") == true)
    }
}
