#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The time zone whose calendar days a ledger's statistics count in (Asia/Ho_Chi_Minh unless
/// configured): an IANA identifier, with a fast path for zones whose offset has not changed
/// since 2000, such as Vietnam's.
public struct LedgerTimeZone: Hashable, Sendable, CustomStringConvertible {
    /// The IANA identifier, for example `Asia/Ho_Chi_Minh`.
    public let identifier: String
    private let zone: TimeZone
    /// The offset of every instant since 2000, when it has been constant.
    private let fixedOffsetSince2000: Int32?

    private static let year2000Milliseconds: Int64 = 946_684_800_000

    /// Vietnam's time zone, UTC+07:00.
    public static let vietnam = LedgerTimeZone(known: "Asia/Ho_Chi_Minh")

    /// Looks up an IANA time zone.
    ///
    /// - Throws: ``UnknownTimeZone`` when the system's time-zone data does not have it.
    public init(identifier: String) throws(UnknownTimeZone) {
        guard let zone = TimeZone(identifier: identifier) else { throw UnknownTimeZone(identifier: identifier) }
        let start = Date(timeIntervalSince1970: Double(Self.year2000Milliseconds) / 1000)
        let constant = zone.nextDaylightSavingTimeTransition(after: start) == nil
            && zone.secondsFromGMT(for: start) == zone.secondsFromGMT(for: Date())
        self.init(identifier: identifier, zone: zone, fixedOffsetSince2000: constant ? Int32(zone.secondsFromGMT(for: start)) : nil)
    }

    private init(known identifier: String) {
        if let zone = try? LedgerTimeZone(identifier: identifier) {
            self = zone
        } else {
            // Without time-zone data, Vietnam's zone is still UTC+7, as it has been since 1975.
            self.init(identifier: identifier, zone: TimeZone(secondsFromGMT: 7 * 3600) ?? .gmt, fixedOffsetSince2000: 7 * 3600)
        }
    }

    private init(identifier: String, zone: TimeZone, fixedOffsetSince2000: Int32?) {
        self.identifier = identifier
        self.zone = zone
        self.fixedOffsetSince2000 = fixedOffsetSince2000
    }

    /// The offset from UTC at an instant, in seconds.
    public func offsetSeconds(atMilliseconds milliseconds: Int64) -> Int32 {
        if let fixed = fixedOffsetSince2000, milliseconds >= Self.year2000Milliseconds { return fixed }
        return Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000)))
    }

    /// The local calendar day of an instant, as days since 1970-01-01.
    public func dayNumber(atMilliseconds milliseconds: Int64) -> Int32 {
        Timestamp.localDayNumber(milliseconds, offsetSeconds: offsetSeconds(atMilliseconds: milliseconds))
    }

    /// The local calendar day of an instant, with the first instant of the next local day when
    /// the zone's offset is known not to change before it (`nil`: ask again for a later instant).
    func dayAndEnd(atMilliseconds milliseconds: Int64) -> (day: Int32, end: Int64?) {
        let offset = offsetSeconds(atMilliseconds: milliseconds)
        let day = Timestamp.localDayNumber(milliseconds, offsetSeconds: offset)
        guard fixedOffsetSince2000 != nil, milliseconds >= Self.year2000Milliseconds else { return (day, nil) }
        return (day, (Int64(day) + 1) * 86_400_000 - Int64(offset) * 1000)
    }

    /// The instant written with this zone's offset at that instant.
    public func timestamp(atMilliseconds milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: milliseconds, utcOffsetSeconds: offsetSeconds(atMilliseconds: milliseconds))
    }

    /// The first instant of a local day.
    public func startOfDay(_ day: CivilDay) -> Int64 {
        let local = Int64(day.daysSinceEpoch) * 86_400_000
        // The offset at local midnight: take the offset near it, then correct once.
        let guess = local - Int64(offsetSeconds(atMilliseconds: local)) * 1000
        return local - Int64(offsetSeconds(atMilliseconds: guess)) * 1000
    }

    /// The identifier.
    public var description: String { identifier }

    /// Zones are equal when their identifiers are.
    public static func == (lhs: LedgerTimeZone, rhs: LedgerTimeZone) -> Bool { lhs.identifier == rhs.identifier }
    /// Hashes the identifier.
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}

/// A time-zone identifier the system does not know.
public struct UnknownTimeZone: Error, Hashable, Sendable, CustomStringConvertible {
    /// The identifier asked for.
    public var identifier: String
    /// One line for people.
    public var description: String { "unknown time zone \(identifier) (use an IANA name such as Asia/Ho_Chi_Minh)" }
}
