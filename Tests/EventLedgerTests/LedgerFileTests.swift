import EventLedger
import Foundation
import LedgerLMDB
import TestSupport
import Testing

@Suite struct LedgerFileTests {
    @Test func aLedgerReopensWithEverythingItHad() throws {
        let directory = try TemporaryDirectory()
        let digest: LedgerDigest
        do {
            let ledger = try makeLedger(directory)
            try ledger.append([event("1"), event("2")], to: "S")
            digest = try ledger.head()
        }
        let reopened = try Ledger.open(at: directory.child("ledger"), options: testOptions())
        #expect(try reopened.head() == digest)
        #expect(try reopened.append([event("3")], to: "S", expected: .exact(2)).positions == [3])
        #expect(try reopened.verify(against: digest).isValid)
    }

    @Test func createRefusesAnExistingLedgerAndOpenRefusesWhatIsNotOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        do { _ = try makeLedger(directory) }
        #expect(throws: LedgerError.alreadyExists(path: path)) { try Ledger.create(at: path, options: testOptions()) }
        #expect(throws: LedgerError.notALedger(path: directory.path, reason: "it has no data.mdb")) {
            try Ledger.open(at: directory.path)
        }
        #expect(throws: LedgerError.notALedger(path: directory.child("absent"), reason: "no such directory")) {
            try Ledger.open(at: directory.child("absent"))
        }
        let fake = directory.child("fake")
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: false)
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: fake + "/data.mdb"))
        #expect(throws: LedgerError.notALedger(path: fake, reason: "data.mdb is not an LMDB file")) {
            try Ledger.open(at: fake)
        }
    }

    @Test func aLedgerOfANewerFormatIsRefusedNamingBothVersions() throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        do { _ = try makeLedger(directory) }
        do {
            let environment = try Environment(path: path)
            let meta = try environment.database(named: "meta")
            try environment.write { txn in
                try withUnsafeBytes(of: (Ledger.formatVersion + 1).bigEndian) { try txn.put($0.bytes, for: Array("format".utf8).span.bytes, in: meta) }
            }
        }
        let newer = Ledger.formatVersion + 1
        #expect(throws: LedgerError.formatTooNew(path: path, found: newer, supported: Ledger.formatVersion)) { try Ledger.open(at: path) }
        let message = String(describing: LedgerError.formatTooNew(path: path, found: newer, supported: Ledger.formatVersion))
        #expect(message.contains("format \(newer)") && message.contains("format \(Ledger.formatVersion)"))
    }

    @Test func aReadOnlyLedgerReadsButRefusesWrites() throws {
        let directory = try TemporaryDirectory()
        let path = directory.child("ledger")
        do { try makeLedger(directory).append([event("1")], to: "S") }
        let reader = try Ledger.open(at: path, options: testOptions { $0.readOnly = true })
        #expect(reader.isReadOnly)
        #expect(try reader.head().position == 1)
        #expect(throws: LedgerError.readOnly(path: path)) { try reader.append([event("2")], to: "S") }
        #expect(try reader.verify().isValid)
    }

    @Test func theMapGrowsFromATinySizeWithoutLosingAnEvent() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory) { $0.mapSizeBytes = 32 * 1024 }
        let text = String(repeating: "x", count: 900)
        for batch in 0..<20 {
            let events = (0..<100).map { event("\(batch)-\($0)", "noted", text) }
            try ledger.append(events, to: "stream \(batch % 3)")
        }
        #expect(try ledger.head().position == 2000)
        let report = try ledger.verify()
        #expect(report.isValid && report.eventsChecked == 2000 && report.streamsChecked == 3)
    }

    @Test func theLedgerIsPrivateToItsOwner() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        func mode(_ path: String) throws -> Int? { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        #expect(try mode(ledger.path) == 0o700)
        #expect(try mode(ledger.path + "/data.mdb") == 0o600)
        #expect(try mode(ledger.path + "/lock.mdb") == 0o600)
    }

    @Test func digestsPrintAndParseAsHexAtPosition() throws {
        let directory = try TemporaryDirectory()
        let ledger = try makeLedger(directory)
        #expect(try ledger.head() == LedgerDigest(position: 0, chainHash: .genesis))
        try ledger.append([event("1")], to: "S")
        let head = try ledger.head()
        let text = head.description
        #expect(text.hasSuffix("@1") && text.count == 66)
        #expect(LedgerDigest(text) == head)
        #expect(LedgerDigest("zz@1") == nil)
        #expect(LedgerDigest(head.chainHash.hex) == nil)
    }
}
