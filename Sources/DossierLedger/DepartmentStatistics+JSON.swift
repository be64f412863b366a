extension DepartmentStatistics {
    /// The statistics as JSON, in the stable format of `dossier-ledger stats --format json`:
    /// `asOf`, `ledger` (`position`, `chainHash`), `total`, `departments` (sorted by code, each
    /// with `code` and `name`), then `months` or `procedures` when asked for. Rates are numbers
    /// with two decimals, or `null` when their denominator is 0.
    ///
    /// - Parameter includeLedger: whether to include the `ledger` provenance object.
    public func json(includeLedger: Bool = true) -> String {
        var out = "{\"asOf\":\"\(asOf)\""
        if includeLedger {
            out += ",\"ledger\":{\"position\":\(ledger.position),\"chainHash\":\"\(ledger.chainHash.hex)\"}"
        }
        out += ",\"total\":" + Self.json(total, prefix: "")
        out += ",\"departments\":[" + departments.map { row in
            Self.json(row.counts, prefix: "\"code\":\(Interchange.quoted(row.key)),\"name\":\(row.name.map(Interchange.quoted) ?? "null"),")
        }.joined(separator: ",") + "]"
        if let months {
            out += ",\"months\":[" + months.map { Self.json($0.counts, prefix: "\"month\":\"\($0.key)\",") }.joined(separator: ",") + "]"
        }
        if let procedures {
            out += ",\"procedures\":[" + procedures.map { Self.json($0.counts, prefix: "\"code\":\(Interchange.quoted($0.key)),") }.joined(separator: ",") + "]"
        }
        return out + "}"
    }

    private static func json(_ counts: StatisticsCounts, prefix: String) -> String {
        func rate(_ value: Percentage?) -> String { value?.formatted() ?? "null" }
        let ratings = counts.ratings
        return "{" + prefix
            + "\"received\":\(counts.received),\"returned\":\(counts.returned),\"onTime\":\(counts.onTime),\"early\":\(counts.early),"
            + "\"late\":\(counts.late),\"inProgress\":\(counts.inProgress),\"inProgressOverdue\":\(counts.inProgressOverdue),"
            + "\"withdrawn\":\(counts.withdrawn),\"forwardedByPost\":\(counts.forwardedByPost),\"returnedByPost\":\(counts.returnedByPost),"
            + "\"ratings\":{\"verySatisfied\":\(ratings.verySatisfied),\"satisfied\":\(ratings.satisfied),\"dissatisfied\":\(ratings.dissatisfied),\"total\":\(ratings.total)},"
            + "\"onTimeRate\":\(rate(counts.onTimeRate)),\"lateRate\":\(rate(counts.lateRate)),"
            + "\"verySatisfiedRate\":\(rate(counts.verySatisfiedRate)),\"satisfiedRate\":\(rate(counts.satisfiedRate)),"
            + "\"dissatisfiedRate\":\(rate(counts.dissatisfiedRate))}"
    }
}
