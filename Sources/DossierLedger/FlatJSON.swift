/// A JSON value of a flat object: the interchange format has no nested objects or arrays.
enum FlatJSONValue: Hashable {
    case string(String)
    /// A number, as written (validated JSON number syntax).
    case number(String)
    case bool(Bool)
    case null
}

/// Why a line is not a flat JSON object; `offset` counts bytes from 0.
struct FlatJSONError: Error, Hashable {
    let offset: Int
    let reason: String
}

/// Parses one line holding a flat JSON object (RFC 8259 syntax, UTF-8), without Foundation:
/// fast, bounded (no recursion, no value longer than the line) and strict. Nested objects and
/// arrays, duplicate keys, invalid UTF-8 and trailing data are errors.
struct FlatJSON {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    static func parse(_ line: UnsafeRawBufferPointer) throws(FlatJSONError) -> [(key: String, value: FlatJSONValue)] {
        var parser = FlatJSON(bytes: line)
        return try parser.object()
    }

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func fail(_ reason: String) -> FlatJSONError { FlatJSONError(offset: index, reason: reason) }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(FlatJSONError) {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { throw fail("expected \(what)") }
        index += 1
    }

    private mutating func object() throws(FlatJSONError) -> [(key: String, value: FlatJSONValue)] {
        try expect(UInt8(ascii: "{"), "a JSON object starting with {")
        var members: [(key: String, value: FlatJSONValue)] = []
        members.reserveCapacity(12)
        // Duplicate keys: a line has a dozen, compared directly; a set only for hostile lines.
        var manyKeys: Set<String>?
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
                let keyOffset = index
                let key = try string()
                let duplicate: Bool
                if members.count < 16 {
                    duplicate = members.contains { $0.key == key }
                } else {
                    if manyKeys == nil { manyKeys = Set(members.map(\.key)) }
                    duplicate = !manyKeys!.insert(key).inserted
                }
                guard !duplicate else { throw FlatJSONError(offset: keyOffset, reason: "duplicate key \"\(Self.clip(key))\"") }
                try expect(UInt8(ascii: ":"), ": after a key")
                members.append((key, try value()))
                skipSpace()
                guard index < bytes.count else { throw fail("the object is not closed with }") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                throw fail("expected , or } after a value")
            }
        }
        skipSpace()
        guard index == bytes.count else { throw fail("unexpected data after the object") }
        return members
    }

    private mutating func value() throws(FlatJSONError) -> FlatJSONValue {
        skipSpace()
        guard index < bytes.count else { throw fail("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw fail("nested objects and arrays are not part of the interchange format")
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func literal(_ word: StaticString) throws(FlatJSONError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count,
              (0..<count).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] }) else { throw fail("expected a JSON value") }
        index += count
    }

    private mutating func number() throws(FlatJSONError) -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = digits()
        guard integer > 0 else { throw fail("expected a JSON value") }
        if integer > 1, bytes[index - integer] == UInt8(ascii: "0") { throw fail("a number with a leading zero") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("a number without digits after the point") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("a number without exponent digits") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// A string; the common case without escapes is one validated slice of the line.
    private mutating func string() throws(FlatJSONError) -> String {
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            index += 1
        }
        guard index < bytes.count else { throw FlatJSONError(offset: start - 1, reason: "a string is not closed") }
        if bytes[index] == UInt8(ascii: "\"") {
            let text = try validated(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), at: start)
            index += 1
            return text
        }
        var decoded = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw FlatJSONError(offset: start, reason: "invalid UTF-8 in a string")
                }
                return text
            }
            if byte < 0x20 { throw fail("a control character inside a string (escape it)") }
            if byte != UInt8(ascii: "\\") {
                decoded.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw fail("a lone UTF-16 surrogate in a \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("a lone UTF-16 surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("a lone UTF-16 surrogate in a \\u escape")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid \\u escape") }
                decoded.append(contentsOf: UTF8.encode(unicode).map { Array($0) } ?? [])
            default:
                throw fail("an unknown escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
        throw FlatJSONError(offset: start - 1, reason: "a string is not closed")
    }

    private mutating func hex4() throws(FlatJSONError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fail("a \\u escape needs 4 hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index] | 0x20
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: throw fail("a \\u escape needs 4 hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func validated(_ slice: UnsafeRawBufferPointer, at offset: Int) throws(FlatJSONError) -> String {
        // ASCII, the usual case, is valid UTF-8 as it stands; `String(validating:as:)` looks up
        // generic metadata on every call, which cost a fifth of the import's parsing.
        var high: UInt8 = 0
        for byte in slice { high |= byte }
        if high < 0x80 { return String(decoding: slice, as: UTF8.self) }
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw FlatJSONError(offset: offset, reason: "invalid UTF-8 in a string")
        }
        return text
    }

    /// A key shortened for messages.
    static func clip(_ text: String) -> String { text.count > 40 ? String(text.prefix(40)) + "…" : text }
}
