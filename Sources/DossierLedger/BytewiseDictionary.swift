/// A dictionary keyed by strings compared byte for byte (see ``Bytewise``), as the log compares
/// stream ids and event ids.
struct BytewiseDictionary<Value> {
    /// The entries with ASCII keys (the usual ones), for which `String`'s `==` compares bytes.
    private var ascii: [String: Value] = [:]
    /// The others, by their UTF-8 bytes.
    private var other: [[UInt8]: Value] = [:]

    init(capacity: Int) {
        ascii.reserveCapacity(capacity)
    }

    subscript(key: String) -> Value? {
        get { Self.isASCII(key) ? ascii[key] : other[Array(key.utf8)] }
        set {
            if Self.isASCII(key) { ascii[key] = newValue } else { other[Array(key.utf8)] = newValue }
        }
    }

    private static func isASCII(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
    }
}
