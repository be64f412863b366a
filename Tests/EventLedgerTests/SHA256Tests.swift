import EventLedger
import Testing

/// SHA-256 against the test vectors of FIPS 180-4's examples, and its two-part form against
/// the one-part form of the same bytes.
@Suite struct SHA256Tests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func knownDigests(message: String, expected: String) {
        #expect(hex(SHA256.hash(Array(message.utf8))) == expected)
    }

    @Test func twoPartsHashAsTheirConcatenation() {
        var random = SystemRandomNumberGenerator()
        for length in [0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 200, 1_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let whole = SHA256.hash(bytes)
            for cut in Set([0, length / 3, length]) {
                var parts = [UInt8](repeating: 0, count: SHA256.byteCount)
                bytes.withUnsafeBytes { all in
                    parts.withUnsafeMutableBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: all[..<cut]), UnsafeRawBufferPointer(rebasing: all[cut...]), into: $0) }
                }
                #expect(parts == whole, "\(length) bytes cut at \(cut)")
            }
        }
    }
}
