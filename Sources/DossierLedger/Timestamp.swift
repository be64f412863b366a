#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An instant with the UTC offset it was written with, to the millisecond: what an RFC 3339
/// time such as `2019-01-17T08:05:00+07:00` says. Statistics compare instants
/// (``millisecondsSinceEpoch``); the offset is kept so that a replayed event prints as it came.
public struct Timestamp: Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64
    /// The offset from UTC the time was written with, in seconds (+25,200 for +07:00).
    public var utcOffsetSeconds: Int32

    /// The earliest and latest years accepted.
    public static let years: ClosedRange<Int> = 1900...9999

    /// Creates a timestamp from an instant and an offset.
    public init(millisecondsSinceEpoch: Int64, utcOffsetSeconds: Int32 = 0) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Creates a timestamp from a `Date` (to the millisecond) and an offset.
    public init(_ date: Date, utcOffsetSeconds: Int32 = 0) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Creates a timestamp from local calendar fields and an offset; `nil` for fields out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0, utcOffsetSeconds: Int32) {
        guard Self.years.contains(year), (1...12).contains(month), (1...CivilDay.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second), (0...999).contains(millisecond),
              abs(utcOffsetSeconds) < 86_400 else { return nil }
        let days = CivilDay(year: year, month: month, day: day).daysSinceEpoch
        let local = ((Int64(days) * 24 + Int64(hour)) * 60 + Int64(minute)) * 60 + Int64(second)
        self.init(millisecondsSinceEpoch: (local - Int64(utcOffsetSeconds)) * 1000 + Int64(millisecond), utcOffsetSeconds: utcOffsetSeconds)
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    /// The same instant written with another offset.
    public func with(utcOffsetSeconds offset: Int32) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch, utcOffsetSeconds: offset)
    }

    /// The calendar day of the instant at its own offset.
    public var localDay: CivilDay { CivilDay(daysSinceEpoch: Self.localDayNumber(millisecondsSinceEpoch, offsetSeconds: utcOffsetSeconds)) }

    /// Milliseconds since local midnight at its own offset.
    public var millisecondOfDay: Int64 {
        let local = millisecondsSinceEpoch + Int64(utcOffsetSeconds) * 1000
        return local - Int64(Self.localDayNumber(millisecondsSinceEpoch, offsetSeconds: utcOffsetSeconds)) * 86_400_000
    }

    /// The number of the local day of an instant at an offset (days since 1970-01-01).
    static func localDayNumber(_ milliseconds: Int64, offsetSeconds: Int32) -> Int32 {
        let local = milliseconds + Int64(offsetSeconds) * 1000
        return Int32((local - (local < 0 ? 86_400_000 - 1 : 0)) / 86_400_000)
    }

    /// RFC 3339 with the timestamp's offset, milliseconds only when not zero:
    /// `2019-01-17T08:05:00+07:00`.
    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(29)
        write(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``description``'s UTF-8 bytes.
    func write(into text: inout [UInt8]) {
        let day = localDay
        let ms = millisecondOfDay
        let wideYear = !(0...9999).contains(day.year)
        if wideYear {
            // Not four digits (never for valid timestamps): every digit, and the sign.
            text.append(contentsOf: String(day.year).utf8)
        }
        // The rest is at most 29 bytes (`2019-01-17T07:30:01.250+07:00`), written on the stack
        // and appended once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var count = 0
            func put(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            func digits(_ value: Int, _ width: Int) {
                var rest = value
                for place in stride(from: count + width - 1, through: count, by: -1) {
                    buffer[place] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                count += width
            }
            if !wideYear { digits(day.year, 4) }
            put(UInt8(ascii: "-"))
            digits(day.month, 2); put(UInt8(ascii: "-"))
            digits(day.day, 2); put(UInt8(ascii: "T"))
            digits(Int(ms / 3_600_000), 2); put(UInt8(ascii: ":"))
            digits(Int(ms / 60_000 % 60), 2); put(UInt8(ascii: ":"))
            digits(Int(ms / 1000 % 60), 2)
            if ms % 1000 != 0 {
                put(UInt8(ascii: "."))
                digits(Int(ms % 1000), 3)
            }
            if utcOffsetSeconds == 0 {
                put(UInt8(ascii: "Z"))
            } else {
                let offset = abs(Int(utcOffsetSeconds)) / 60
                put(utcOffsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                digits(offset / 60, 2); put(UInt8(ascii: ":"))
                digits(offset % 60, 2)
            }
            text.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }
}

extension Timestamp {
    /// Parses an RFC 3339 time with an explicit offset (`Z` or `±HH:MM`), to the millisecond.
    /// Fractions beyond the millisecond must be zero.
    ///
    /// - Throws: ``TimestampError`` saying what is wrong.
    public init(rfc3339 text: some StringProtocol) throws(TimestampError) {
        var utf8 = Array(text.utf8)
        try self.init(rfc3339Bytes: &utf8)
    }

    init(rfc3339Bytes bytes: inout [UInt8]) throws(TimestampError) {
        var reader = DigitReader(bytes: bytes)
        let year = try reader.number(4), dash1 = reader.take(UInt8(ascii: "-"))
        let month = try reader.number(2), dash2 = reader.take(UInt8(ascii: "-"))
        let day = try reader.number(2)
        guard dash1, dash2 else { throw .malformed }
        guard reader.take(UInt8(ascii: "T")) || reader.take(UInt8(ascii: "t")) else {
            throw reader.atEnd ? .missingTime : .malformed
        }
        let hour = try reader.number(2)
        guard reader.take(UInt8(ascii: ":")) else { throw .malformed }
        let minute = try reader.number(2)
        guard reader.take(UInt8(ascii: ":")) else { throw .malformed }
        let second = try reader.number(2)
        var millisecond = 0
        if reader.take(UInt8(ascii: ".")) {
            var digits = 0
            while let digit = reader.digit() {
                if digits < 3 { millisecond = millisecond * 10 + digit } else if digit != 0 { throw .subMillisecond }
                digits += 1
            }
            guard (1...9).contains(digits) else { throw .malformed }
            if digits < 3 { for _ in digits..<3 { millisecond *= 10 } }
        }
        let offset: Int32
        if reader.take(UInt8(ascii: "Z")) || reader.take(UInt8(ascii: "z")) {
            offset = 0
        } else if let sign = reader.sign() {
            let hours = try reader.number(2)
            guard reader.take(UInt8(ascii: ":")) else { throw .malformed }
            let minutes = try reader.number(2)
            guard hours <= 23, minutes <= 59 else { throw .outOfRange }
            offset = Int32(sign * (hours * 3600 + minutes * 60))
        } else {
            throw reader.atEnd ? .missingOffset : .malformed
        }
        guard reader.atEnd else { throw .malformed }
        guard second != 60 else { throw .leapSecond }
        guard let value = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                    millisecond: millisecond, utcOffsetSeconds: offset) else { throw .outOfRange }
        self = value
    }
}

/// Why a time is not an RFC 3339 time the ledger accepts.
public enum TimestampError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.
    case malformed
    /// A date without a time of day.
    case missingTime
    /// A time without `Z` or `±HH:MM`: it would mean different instants in different places.
    case missingOffset
    /// A field out of its range (month 13, 31 April, offset beyond ±23:59, a year outside 1900–9999).
    case outOfRange
    /// Second 60: leap seconds are not supported.
    case leapSecond
    /// Non-zero digits beyond the millisecond.
    case subMillisecond

    /// What is wrong and what is expected.
    public var description: String {
        switch self {
        case .malformed: "not an RFC 3339 time (expected YYYY-MM-DDTHH:MM:SS+07:00)"
        case .missingTime: "a date without a time (expected YYYY-MM-DDTHH:MM:SS+07:00)"
        case .missingOffset: "a time without an offset (add Z or ±HH:MM, for example +07:00)"
        case .outOfRange: "a date, time or offset field out of range"
        case .leapSecond: "second 60 (leap seconds are not supported)"
        case .subMillisecond: "precision beyond the millisecond"
        }
    }
}

/// Reads fixed-width decimal fields.
private struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func number(_ width: Int) throws(TimestampError) -> Int {
        var value = 0
        for _ in 0..<width {
            guard let digit = digit() else { throw .malformed }
            value = value * 10 + digit
        }
        return value
    }

    mutating func digit() -> Int? {
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func sign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }
}
