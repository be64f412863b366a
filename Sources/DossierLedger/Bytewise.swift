#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings compared as the log compares its ids: by their UTF-8 bytes. (`String`'s `==` and `<`
/// equate canonically equivalent strings, such as `Hồ` written precomposed and decomposed.)
enum Bytewise {
    /// Whether `a` and `b` have the same UTF-8 bytes.
    static func equal(_ a: String, _ b: String) -> Bool {
        // Equal bytes are canonically equivalent, so `==` is false only for different bytes;
        // it compares ASCII and NFC text with one memory comparison.
        guard a == b else { return false }
        let same = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
        }
        return (same ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    /// Whether `a` and `b` hold the same bytes.
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// Whether `a`'s UTF-8 bytes sort before `b`'s: the order of their Unicode scalars.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Feeds `text`'s UTF-8 bytes to `hasher`, then 0xFF (never in UTF-8) to end them.
    static func hash(_ text: String, into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(UInt8(0xFF))
    }

    /// The hash of `text`'s UTF-8 bytes, as `hash(_:into:)` feeds them; for this process only.
    static func hash(_ text: String) -> Int {
        var hasher = Hasher()
        hash(text, into: &hasher)
        return hasher.finalize()
    }

    /// A string as a dictionary key, compared and hashed by its UTF-8 bytes, as the log
    /// compares stream ids and event ids.
    struct Key: Hashable {
        let text: String

        init(_ text: String) { self.text = text }

        static func == (lhs: Key, rhs: Key) -> Bool { Bytewise.equal(lhs.text, rhs.text) }

        func hash(into hasher: inout Hasher) { Bytewise.hash(text, into: &hasher) }
    }
}
