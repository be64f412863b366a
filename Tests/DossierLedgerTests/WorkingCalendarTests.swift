import DossierLedger
import Foundation
import Testing

@Suite struct WorkingCalendarTests {
    @Test func the2019CalendarHasTheOfficialDaysOffAndExchangeSaturdays() throws {
        let calendar = try calendar2019()
        let off = ["2019-01-01", "2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08",
                   "2019-04-15", "2019-04-29", "2019-04-30", "2019-05-01", "2019-09-02", "2018-12-31"]
        for day in off.compactMap(CivilDay.init) { #expect(!calendar.isWorkingDay(day), "\(day)") }
        for day in ["2019-01-05", "2019-05-04"].compactMap(CivilDay.init) { #expect(calendar.isWorkingDay(day), "\(day)") }
        for day in ["2019-01-02", "2019-02-11", "2019-04-16", "2019-05-02"].compactMap(CivilDay.init) { #expect(calendar.isWorkingDay(day)) }
        for day in ["2019-01-12", "2019-01-13", "2019-05-11"].compactMap(CivilDay.init) { #expect(!calendar.isWorkingDay(day)) }
        // 261 weekdays in 2019, less its 11 weekdays off, plus the 2 exchange Saturdays.
        var day = CivilDay(year: 2019, month: 1, day: 1), count = 0
        while day.year == 2019 { if calendar.isWorkingDay(day) { count += 1 }; day = day.adding(days: 1) }
        #expect(count == 261 - 11 + 2)
    }

    @Test(arguments: [
        // Received in working time: the clock starts that day; due at 16:30 of the Nth working day after.
        ("2019-01-17T08:05:00+07:00", 5, "2019-01-24T16:30:00+07:00"),
        // After closing: the clock starts the next working day.
        ("2019-01-17T16:45:00+07:00", 1, "2019-01-21T16:30:00+07:00"),
        // A Saturday-morning receipt counts from Monday.
        ("2019-01-19T09:00:00+07:00", 1, "2019-01-22T16:30:00+07:00"),
        // Across Tết Kỷ Hợi (4–8 February off).
        ("2019-02-01T10:00:00+07:00", 3, "2019-02-13T16:30:00+07:00"),
        // The exchange Saturday 2019-05-04 is worked; 29 April – 1 May are not.
        ("2019-04-26T14:00:00+07:00", 2, "2019-05-03T16:30:00+07:00"),
        ("2019-05-03T09:00:00+07:00", 1, "2019-05-04T16:30:00+07:00"),
        // A receipt in another offset is placed in the calendar's zone.
        ("2019-01-17T01:05:00Z", 5, "2019-01-24T16:30:00+07:00"),
        ("2019-01-17T10:00:00+07:00", 0, "2019-01-17T16:30:00+07:00"),
    ])
    func dueDatesCountWorkingDays(received: String, days: Int, due: String) throws {
        let calendar = try calendar2019()
        #expect(calendar.due(receivedAt: time(received), workingDays: days).description == due)
    }

    @Test func aCalendarFileWithABadDateIsRefusedNamingTheEntry() {
        let json = #"{"name":"x","timeZone":"Asia/Ho_Chi_Minh","closes":"16:30","daysOff":[{"date":"2019-02-30"}],"workingWeekendDays":[]}"#
        #expect(throws: DataFileError(kind: "calendar", reason: "daysOff[0]: \"2019-02-30\" is not a date YYYY-MM-DD")) {
            try WorkingCalendar(json: Data(json.utf8))
        }
        let weekday = #"{"name":"x","timeZone":"Asia/Ho_Chi_Minh","closes":"16:30","daysOff":[],"workingWeekendDays":[{"date":"2019-01-07"}]}"#
        #expect(throws: DataFileError(kind: "calendar", reason: "workingWeekendDays: 2019-01-07 is a weekday")) {
            try WorkingCalendar(json: Data(weekday.utf8))
        }
        let zone = #"{"name":"x","timeZone":"Mars/Olympus","closes":"16:30","daysOff":[],"workingWeekendDays":[]}"#
        #expect(throws: DataFileError.self) { try WorkingCalendar(json: Data(zone.utf8)) }
    }

    @Test func calendarsMergeAcrossYears() throws {
        let calendar = try calendar2019()
        let next = WorkingCalendar(name: "2020", daysOff: [CivilDay(year: 2020, month: 1, day: 1)])
        let merged = calendar.merging(next)
        #expect(!merged.isWorkingDay(CivilDay(year: 2020, month: 1, day: 1)))
        #expect(!merged.isWorkingDay(CivilDay(year: 2019, month: 1, day: 1)))
    }
}
