import ArgumentParser
import DossierLedger

/// Reads a time given on the command line: RFC 3339, or a date `YYYY-MM-DD` meaning the last
/// second of that day in the ledger's time zone.
enum TimeArgument {
    static func parse(_ text: String, option: String, zone: LedgerTimeZone, endOfDay: Bool = true) throws -> Timestamp {
        if let day = CivilDay(text) {
            let instant = endOfDay ? zone.startOfDay(day.adding(days: 1)) - 1000 : zone.startOfDay(day)
            return zone.timestamp(atMilliseconds: instant)
        }
        do {
            return try Timestamp(rfc3339: text)
        } catch {
            throw ValidationError("\(option): \(error); or give a date YYYY-MM-DD")
        }
    }
}
