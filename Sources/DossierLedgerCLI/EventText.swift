import DossierLedger

/// Short descriptions of events for tables.
enum EventText {
    static func details(_ event: DossierEvent) -> String {
        switch event.details {
        case .received(let department, let procedure, let due, let channel):
            "\(department) \(procedure), due \(due), by \(channel.rawValue)"
        case .forwarded(let via), .returnedToCenter(let via): "via \(via.rawValue)"
        case .decided(let outcome): outcome.rawValue
        case .resultReturned, .withdrawn: ""
        case .rated(let rating, let official): rating.rawValue + (official.map { " (\($0))" } ?? "")
        }
    }
}
