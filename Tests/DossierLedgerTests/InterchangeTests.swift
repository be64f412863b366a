import DossierLedger
import Foundation
import Testing

@Suite struct InterchangeTests {
    static let example = #"{"type":"received","dossier":"H34.12-190117-0001","at":"2019-01-17T08:05:00+07:00","department":"STP","procedure":"1.001234","due":"2019-01-24T16:30:00+07:00","channel":"counter"}"#

    @Test func theExampleParsesIntoTypedValuesAndFormatsBackToTheSameLine() throws {
        let parsed = try Interchange.parse(Self.example)
        #expect(parsed.event.dossier.rawValue == "H34.12-190117-0001")
        #expect(parsed.event.at.millisecondsSinceEpoch == 1_547_687_100_000)
        guard case .received(let department, let procedure, let due, let channel) = parsed.event.details else {
            Issue.record("not a receipt"); return
        }
        #expect(department.rawValue == "STP" && procedure.rawValue == "1.001234" && channel == .counter)
        #expect(due.description == "2019-01-24T16:30:00+07:00")
        #expect(Interchange.format(parsed.event, id: nil) == Self.example)
        #expect(parsed.id.count == 32)
    }

    @Test func theDerivedIdIgnoresKeyOrderSpacingAndOffsets() throws {
        let reordered = #"{ "channel" : "counter", "due":"2019-01-24T09:30:00Z", "procedure":"1.001234", "department":"STP","at":"2019-01-17T01:05:00Z","dossier":"H34.12-190117-0001", "type":"received" }"#
        #expect(try Interchange.parse(reordered).id == (try Interchange.parse(Self.example)).id)
        let other = Self.example.replacingOccurrences(of: "08:05:00", with: "08:06:00")
        #expect(try Interchange.parse(other).id != (try Interchange.parse(Self.example)).id)
        let explicit = #"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00+07:00","id":"my-id"}"#
        #expect(try Interchange.parse(explicit).id == "my-id")
    }

    @Test func everyTypeRoundTrips() throws {
        let lines = [
            #"{"type":"forwarded","dossier":"D-1","at":"2019-01-17T08:05:00+07:00","via":"post"}"#,
            #"{"type":"decided","dossier":"D-1","at":"2019-01-17T08:05:00.250+07:00","outcome":"rejected"}"#,
            #"{"type":"returnedToCenter","dossier":"D-1","at":"2019-01-17T08:05:00Z","via":"inPerson"}"#,
            #"{"type":"resultReturned","dossier":"D-1","at":"2019-01-17T08:05:00-05:30"}"#,
            #"{"type":"rated","dossier":"D-1","at":"2019-01-17T08:05:00+07:00","rating":"verySatisfied","official":"Nguyễn \"Văn\" A"}"#,
            #"{"type":"rated","dossier":"D-1","at":"2019-01-17T08:05:00+07:00","rating":"dissatisfied"}"#,
            #"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00+07:00"}"#,
        ]
        for line in lines {
            #expect(Interchange.format(try Interchange.parse(line).event, id: nil) == line)
        }
    }

    @Test(arguments: [
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00"}"#, "without an offset"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17"}"#, "a date without a time"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-13-17T08:05:00Z"}"#, "out of range"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:60Z"}"#, "leap seconds"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00.0001Z"}"#, "beyond the millisecond"),
        (#"{"type":"opened","dossier":"D-1","at":"2019-01-17T08:05:00Z"}"#, "must be one of received"),
        (#"{"type":"withdrawn","dossier":42,"at":"2019-01-17T08:05:00Z"}"#, "\"dossier\" must be a string"),
        (#"{"type":"withdrawn","at":"2019-01-17T08:05:00Z"}"#, "\"dossier\" is missing"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00Z","extra":{"a":1}}"#, "nested objects"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00Z","note":"x"}"#, "\"note\" is not part of a withdrawn event"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00Z","type":"received"}"#, "duplicate key"),
        (#"{"type":"withdrawn","dossier":"","at":"2019-01-17T08:05:00Z"}"#, "dossier id is empty"),
        (#"{"type":"withdrawn","dossier":"$ledger","at":"2019-01-17T08:05:00Z"}"#, "reserved"),
        (#"{"type":"forwarded","dossier":"D-1","at":"2019-01-17T08:05:00Z","via":"pigeon"}"#, "must be one of post"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00Z"} x"#, "after the object"),
        (#"["withdrawn"]"#, "a JSON object"),
        (#"{"type":"withdrawn","dossier":"D-1","at":"2019-01-17T08:05:00Z""#, "not closed"),
        ("", "a JSON object"),
    ])
    func badLinesAreRefusedWithAReasonNamingTheField(line: String, reason: String) {
        do {
            _ = try Interchange.parse(line)
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.reason.contains(reason), "reason: \(error.reason)")
        }
    }

    @Test func invalidUTF8AndOversizedLinesAreRefusedWithoutEchoingThem() {
        var bytes = Array(#"{"type":"withdrawn","dossier":"D-"#.utf8) + [0xC3, 0x28] + Array(#"","at":"2019-01-17T08:05:00Z"}"#.utf8)
        let invalid = bytes.withUnsafeBytes { raw in Result { () throws(InterchangeError) in try Interchange.parse(raw) } }
        guard case .failure(let error) = invalid else { Issue.record("invalid UTF-8 accepted"); return }
        #expect(error.reason.contains("invalid UTF-8"))
        bytes = Array(repeating: UInt8(ascii: "a"), count: Interchange.lineBytesMax + 1)
        let long = bytes.withUnsafeBytes { raw in Result { () throws(InterchangeError) in try Interchange.parse(raw) } }
        guard case .failure(let error) = long else { Issue.record("oversized line accepted"); return }
        #expect(error.reason.contains("limit is \(Interchange.lineBytesMax)"))
        #expect(!error.reason.contains("aaaa"))
    }

    @Test func unescapedUTF8BesideASCIIDecodes() throws {
        // ASCII strings take a shorter path than the rest; both must give the same text.
        let parsed = try Interchange.parse(#"{"type":"rated","dossier":"D-1","at":"2019-01-17T08:05:00Z","rating":"satisfied","official":"Hoàng Văn Thụ 😀"}"#)
        #expect(parsed.event.dossier.rawValue == "D-1")
        #expect(parsed.event.details == .rated(rating: .satisfied, official: "Hoàng Văn Thụ 😀"))
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let line = #"{"type":"rated","dossier":"D\u002d1","at":"2019-01-17T08:05:00Z","rating":"satisfied","official":"\ud83d\ude00 \t\\ \/"}"#
        let parsed = try Interchange.parse(line)
        #expect(parsed.event.dossier.rawValue == "D-1")
        #expect(parsed.event.details == .rated(rating: .satisfied, official: "😀 \t\\ /"))
        #expect(throws: InterchangeError.self) { try Interchange.parse(#"{"type":"rated","dossier":"D","at":"2019-01-17T08:05:00Z","rating":"satisfied","official":"\ud83d"}"#) }
    }
}
