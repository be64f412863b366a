import DossierLedger
import Foundation
import Testing

/// Seeded random inputs for the parsers: whatever the bytes, a parser returns a value or a
/// typed error — it never crashes, hangs or reads out of bounds. `FUZZ_SEED` replays a run.
@Suite struct FuzzTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)

    static func mutate(_ line: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = line
        let specials: [UInt8] = [0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x3A, 0x2C, 0xC3, 0xFF, 0x0A, 0x75, 0x30, 0x2D, 0x2B]
        for _ in 0..<Int.random(in: 1...6, using: &random) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[index] = specials.randomElement(using: &random) ?? 0
            case 2: bytes.remove(at: index)
            case 3: bytes.insert(specials.randomElement(using: &random) ?? 0, at: index)
            case 4: bytes = Array(bytes[..<index])
            default: bytes.insert(contentsOf: bytes[index..<min(bytes.count, index + 8)], at: index)
            }
        }
        return bytes
    }

    @Test func theInterchangeParserSurvivesMutatedAndRandomLines() throws {
        print("fuzz seed \(Self.seed) (replay with FUZZ_SEED=\(Self.seed))")
        var random = SplitMix64(seed: Self.seed)
        let valid = try fixtureText("events.jsonl").split(separator: "\n").prefix(300).map { Array($0.utf8) }
        var parsed = 0, refused = 0
        for round in 0..<30_000 {
            let line = round % 5 == 0
                ? (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                : Self.mutate(valid[Int.random(in: 0..<valid.count, using: &random)], &random)
            let result = line.withUnsafeBytes { raw in Result { () throws(InterchangeError) in try Interchange.parse(raw) } }
            switch result {
            case .success(let event):
                parsed += 1
                // Whatever was accepted formats to a line that parses to the same event.
                #expect(try Interchange.parse(Interchange.format(event.event, id: event.id)) == event, "seed \(Self.seed), round \(round)")
            case .failure(let error):
                refused += 1
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(parsed > 0 && refused > 0)
    }

    @Test func thePayloadDecoderSurvivesRandomBytes() throws {
        var random = SplitMix64(seed: Self.seed &+ 1)
        let codec = DossierCodec()
        let events = try fixtureEvents().prefix(200).map(\.event)
        var decoded = 0
        for round in 0..<30_000 {
            var bytes = try codec.encode(events[round % events.count]).payload
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = Self.mutate(bytes, &random)
            }
            if (try? bytes.withUnsafeBytes { try DossierCodec.decode(payload: $0) }) != nil { decoded += 1 }
        }
        #expect(decoded < 30_000)
    }
}
