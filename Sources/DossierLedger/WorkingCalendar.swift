#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The days state agencies work, and the due date of a procedure from its receipt.
///
/// Working days are Monday to Friday, minus official days off, plus the days worked in exchange
/// (usually Saturdays). The days off change every year (the Lunar New Year and the swaps are
/// fixed by the government), so a calendar is data: a JSON file (see the `WorkingCalendar`
/// article) that users load and extend, such as `Fixtures/langson-2019-h1/calendar-2019.json`.
public struct WorkingCalendar: Hashable, Sendable {
    /// A name for people, such as `Lạng Sơn 2019`.
    public var name: String
    /// The zone the days are counted in.
    public var timeZone: LedgerTimeZone
    /// The end of the working day, in minutes after midnight (16:30 is 990): a due date falls at
    /// this time, and a receipt at or after it starts the clock on the next working day.
    public var closingMinute: Int
    /// Weekdays that are not worked (holidays, bridge days).
    public var daysOff: Set<CivilDay>
    /// Weekend days that are worked, in exchange for a bridge day.
    public var workingWeekendDays: Set<CivilDay>

    /// Creates a calendar.
    public init(name: String, timeZone: LedgerTimeZone = .vietnam, closingMinute: Int = 16 * 60 + 30,
                daysOff: Set<CivilDay> = [], workingWeekendDays: Set<CivilDay> = []) {
        self.name = name
        self.timeZone = timeZone
        self.closingMinute = closingMinute
        self.daysOff = daysOff
        self.workingWeekendDays = workingWeekendDays
    }

    /// Whether a day is a working day.
    public func isWorkingDay(_ day: CivilDay) -> Bool {
        if workingWeekendDays.contains(day) { return true }
        return day.weekday <= 5 && !daysOff.contains(day)
    }

    /// The first working day on or after `day`.
    public func workingDay(onOrAfter day: CivilDay) -> CivilDay {
        var day = day
        while !isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// The appointment for a result (ngày hẹn trả): the close of the `workingDays`-th working day
    /// after the day the clock starts. The clock starts on the day of receipt when that is a
    /// working day and the receipt comes before the close; otherwise on the next working day.
    public func due(receivedAt: Timestamp, workingDays: Int) -> Timestamp {
        precondition(workingDays >= 0, "a processing time is a number of days, 0 or more")
        let offset = timeZone.offsetSeconds(atMilliseconds: receivedAt.millisecondsSinceEpoch)
        let local = receivedAt.with(utcOffsetSeconds: offset)
        var day = local.localDay
        if !isWorkingDay(day) || local.millisecondOfDay >= Int64(closingMinute) * 60_000 {
            day = workingDay(onOrAfter: day.adding(days: 1))
        }
        for _ in 0..<workingDays { day = workingDay(onOrAfter: day.adding(days: 1)) }
        let close = timeZone.startOfDay(day) + Int64(closingMinute) * 60_000
        return timeZone.timestamp(atMilliseconds: close)
    }

    /// A calendar with the days of both: for example 2019's and 2020's files together.
    public func merging(_ other: WorkingCalendar) -> WorkingCalendar {
        var merged = self
        merged.daysOff.formUnion(other.daysOff)
        merged.workingWeekendDays.formUnion(other.workingWeekendDays)
        return merged
    }
}

extension WorkingCalendar {
    /// The JSON file format.
    private struct File: Codable {
        struct Day: Codable {
            var date: String
            var name: String?
        }

        var name: String
        var timeZone: String
        var closes: String
        var daysOff: [Day]
        var workingWeekendDays: [Day]
    }

    /// Reads a calendar file.
    ///
    /// - Throws: ``DataFileError`` naming the field at fault.
    public init(json: Data) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw DataFileError(kind: "calendar", reason: "not a calendar file: \(error)")
        }
        func days(_ list: [File.Day], _ field: String) throws -> Set<CivilDay> {
            var result = Set<CivilDay>()
            for (index, entry) in list.enumerated() {
                guard let day = CivilDay(entry.date) else {
                    throw DataFileError(kind: "calendar", reason: "\(field)[\(index)]: \"\(entry.date)\" is not a date YYYY-MM-DD")
                }
                result.insert(day)
            }
            return result
        }
        let parts = file.closes.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute) else {
            throw DataFileError(kind: "calendar", reason: "closes: \"\(file.closes)\" is not a time HH:MM")
        }
        let zone: LedgerTimeZone
        do { zone = try LedgerTimeZone(identifier: file.timeZone) } catch { throw DataFileError(kind: "calendar", reason: "timeZone: \(error)") }
        let daysOff = try days(file.daysOff, "daysOff")
        let worked = try days(file.workingWeekendDays, "workingWeekendDays")
        if let weekend = daysOff.first(where: { $0.weekday > 5 }) {
            throw DataFileError(kind: "calendar", reason: "daysOff: \(weekend) is a weekend day already")
        }
        if let weekday = worked.first(where: { $0.weekday <= 5 }) {
            throw DataFileError(kind: "calendar", reason: "workingWeekendDays: \(weekday) is a weekday")
        }
        self.init(name: file.name, timeZone: zone, closingMinute: hour * 60 + minute, daysOff: daysOff, workingWeekendDays: worked)
    }
}

