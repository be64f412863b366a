#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        // A native string lends its bytes in place; a copy (a reference count) only for others.
        if let result = try text.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0).bytes) }) { return result }
        var text = text
        return try text.withUTF8 { try body(UnsafeRawBufferPointer($0).bytes) }
    }

    /// Whether key `a` sorts before key `b` in LMDB's byte order: the first differing byte
    /// decides, else the shorter key comes first.
    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let common = Swift.min(a.count, b.count)
        let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
        return order < 0 || (order == 0 && a.count < b.count)
    }

    /// Whether `a` and `b` hold the same bytes.
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// Whether the stored key `last` sorts before `text`'s UTF-8 bytes.
    static func precedes(_ last: [UInt8], _ text: String) -> Bool {
        last.withUnsafeBytes { last in withText(text) { key in key.withUnsafeBytes { precedes(last, $0) } } }
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
