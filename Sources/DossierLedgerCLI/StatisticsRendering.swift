import ArgumentParser
import DossierLedger

/// The languages of the statistics table.
enum TableLocale: String, CaseIterable, ExpressibleByArgument {
    case en, vi

    var thousandsSeparator: String { self == .vi ? "." : "," }
    var decimalSeparator: String { self == .vi ? "," : "." }

    /// The column labels, in the order of ``StatisticsRendering/cells(_:locale:)``.
    var labels: [String] {
        switch self {
        case .en:
            ["Received", "Returned", "On time", "On time %", "Early", "Late", "Late %", "In progress", "Overdue", "Withdrawn",
             "Sent by post", "Back by post", "Ratings", "Very satisfied", "%", "Satisfied", "%", "Dissatisfied", "%"]
        case .vi:
            ["Tiếp nhận", "Đã trả kết quả", "Đúng hạn", "Tỷ lệ đúng hạn", "Trước hạn", "Quá hạn", "Tỷ lệ quá hạn", "Đang giải quyết",
             "Quá hạn chưa trả", "Rút hồ sơ", "Gửi qua bưu chính", "Nhận qua bưu chính", "Đánh giá", "Rất hài lòng", "%",
             "Hài lòng", "%", "Không hài lòng", "%"]
        }
    }

    var words: (code: String, name: String, month: String, total: String, asOf: String, ledger: String, events: String) {
        switch self {
        case .en: ("Code", "Name", "Month", "Total", "Statistics as of", "Ledger", "events")
        case .vi: ("Mã", "Đơn vị", "Tháng", "Tổng cộng", "Số liệu tính đến", "Sổ cái", "sự kiện")
        }
    }
}

/// Statistics as a table, as CSV, or as the JSON contract.
enum StatisticsRendering {
    static func number(_ value: Int, _ locale: TableLocale) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += locale.thousandsSeparator }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func rate(_ value: Percentage?, _ locale: TableLocale) -> String {
        value.map { $0.formatted(decimalSeparator: locale.decimalSeparator) + " %" } ?? "–"
    }

    static func cells(_ counts: StatisticsCounts, locale: TableLocale) -> [String] {
        let n = { number($0, locale) }
        let r = { rate($0, locale) }
        return [n(counts.received), n(counts.returned), n(counts.onTime), r(counts.onTimeRate), n(counts.early), n(counts.late),
                r(counts.lateRate), n(counts.inProgress), n(counts.inProgressOverdue), n(counts.withdrawn), n(counts.forwardedByPost),
                n(counts.returnedByPost), n(counts.ratings.total), n(counts.ratings.verySatisfied), r(counts.verySatisfiedRate),
                n(counts.ratings.satisfied), r(counts.satisfiedRate), n(counts.ratings.dissatisfied), r(counts.dissatisfiedRate)]
    }

    static func table(_ statistics: DepartmentStatistics, locale: TableLocale) -> String {
        let words = locale.words
        var output = "\(words.asOf) \(statistics.asOf) — \(words.ledger): \(number(Int(statistics.ledger.position), locale)) \(words.events), \(statistics.ledger)\n\n"
        var table = Table(header: [words.code, words.name] + locale.labels, textColumns: [0, 1])
        for row in statistics.departments {
            table.rows.append([row.key, row.name ?? ""] + cells(row.counts, locale: locale))
        }
        table.rows.append([words.total, ""] + cells(statistics.total, locale: locale))
        output += table.render()
        if let months = statistics.months {
            var monthly = Table(header: [words.month] + locale.labels, textColumns: [0])
            monthly.rows = months.map { [$0.key] + cells($0.counts, locale: locale) }
            output += "\n\n" + monthly.render()
        }
        if let procedures = statistics.procedures {
            var byProcedure = Table(header: [words.code] + locale.labels, textColumns: [0])
            byProcedure.rows = procedures.map { [$0.key] + cells($0.counts, locale: locale) }
            output += "\n\n" + byProcedure.render()
        }
        return output
    }

    static let csvHeader = "kind,key,name,received,returned,onTime,early,late,inProgress,inProgressOverdue,withdrawn,forwardedByPost,returnedByPost,"
        + "ratingsVerySatisfied,ratingsSatisfied,ratingsDissatisfied,ratingsTotal,onTimeRate,lateRate,verySatisfiedRate,satisfiedRate,dissatisfiedRate"

    /// CSV with machine-readable numbers whatever the locale: one header line, then `total`,
    /// `department`, `month` and `procedure` rows.
    static func csv(_ statistics: DepartmentStatistics) -> String {
        func row(_ kind: String, _ key: String, _ name: String?, _ counts: StatisticsCounts) -> String {
            let rates = [counts.onTimeRate, counts.lateRate, counts.verySatisfiedRate, counts.satisfiedRate, counts.dissatisfiedRate]
                .map { $0?.formatted() ?? "" }
            let values = [counts.received, counts.returned, counts.onTime, counts.early, counts.late, counts.inProgress, counts.inProgressOverdue,
                          counts.withdrawn, counts.forwardedByPost, counts.returnedByPost, counts.ratings.verySatisfied, counts.ratings.satisfied,
                          counts.ratings.dissatisfied, counts.ratings.total].map(String.init)
            return ([kind, CSV.field(key), CSV.field(name ?? "")] + values + rates).joined(separator: ",")
        }
        var lines = [csvHeader, row("total", "", nil, statistics.total)]
        lines += statistics.departments.map { row("department", $0.key, $0.name, $0.counts) }
        lines += (statistics.months ?? []).map { row("month", $0.key, nil, $0.counts) }
        lines += (statistics.procedures ?? []).map { row("procedure", $0.key, nil, $0.counts) }
        return lines.joined(separator: "\n")
    }
}

/// RFC 4180 fields.
enum CSV {
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
