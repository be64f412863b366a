/// A SHA-256 chain hash: the hash over the previous event's chain hash and this event's
/// canonical bytes. The chain hash of the last event commits to the whole log before it.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes of the hash.
    public let bytes: [UInt8]

    /// The chain hash "before the first event": 32 zero bytes.
    public static let genesis = ChainHash(uncheckedBytes: [UInt8](repeating: 0, count: 32))

    init(uncheckedBytes: [UInt8]) { bytes = uncheckedBytes }

    /// Parses 64 hexadecimal digits; returns `nil` for anything else.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The hash as 64 lowercase hexadecimal digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hexadecimal form.
    public var description: String { hex }

    /// The chain hash that follows `previous` for an event with these canonical bytes.
    static func next(after previous: UnsafeRawBufferPointer, canonical: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        SHA256.hash(previous, canonical, into: output)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
