/// Keys of the ledger's databases. Numbers are big-endian so that LMDB's byte order is
/// numeric order.
enum Keys {
    static let format = "format"
    static let createdAt = "createdAt"
    static let streamIndexedThrough = "streamIndexedThrough"

    /// Lends the 8-byte key of a position or stream number.
    static func withNumber<R>(_ number: UInt64, _ body: (RawSpan) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: number.bigEndian) { try body($0.bytes) }
    }

    /// Lends the 16-byte key of a stream's event: stream number, then version.
    static func withStreamEvent<R>(_ stream: UInt64, _ version: UInt64, _ body: (RawSpan) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: (stream.bigEndian, version.bigEndian)) { try body($0.bytes) }
    }

    /// Lends the UTF-8 bytes of a text key.
    static func withText<R>(_ text: String, _ body: (RawSpan) throws -> R) rethrows -> R {
        var text = text
        return try text.withUTF8 { try body(UnsafeRawBufferPointer($0).bytes) }
    }

    /// Reads a big-endian number key or value; `nil` when it is not 8 bytes.
    static func number(_ span: RawSpan) -> UInt64? {
        guard span.byteCount == 8 else { return nil }
        return UInt64(bigEndian: span.unsafeLoadUnaligned(as: UInt64.self))
    }

    /// Reads a 16-byte stream event key.
    static func streamEvent(_ span: RawSpan) -> (stream: UInt64, version: UInt64)? {
        guard span.byteCount == 16 else { return nil }
        return (UInt64(bigEndian: span.unsafeLoadUnaligned(as: UInt64.self)),
                UInt64(bigEndian: span.unsafeLoadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Reads a big-endian 4-byte value; `nil` when it is not 4 bytes.
    static func number32(_ span: RawSpan) -> UInt32? {
        guard span.byteCount == 4 else { return nil }
        return UInt32(bigEndian: span.unsafeLoadUnaligned(as: UInt32.self))
    }
}
