/// Where a dossier stands in its lifecycle: which events it has had, and the time of the last.
public struct DossierState: Hashable, Sendable, CustomStringConvertible {
    /// The types of the events the dossier has had.
    public private(set) var seen: Set<DossierEventType>
    /// The time of the dossier's last event, in milliseconds since 1970; events may not go
    /// back before it.
    public private(set) var lastAtMilliseconds: Int64

    /// A dossier with no events.
    public static let new = DossierState(seen: [], lastAtMilliseconds: .min)

    init(seen: Set<DossierEventType>, lastAtMilliseconds: Int64) {
        self.seen = seen
        self.lastAtMilliseconds = lastAtMilliseconds
    }

    /// Whether the dossier has had an event of this type.
    public func has(_ type: DossierEventType) -> Bool { seen.contains(type) }

    /// The state after an event, which must be allowed (``Lifecycle/check(_:in:)``).
    public func applying(_ event: DossierEvent) -> DossierState {
        var next = self
        next.seen.insert(event.type)
        next.lastAtMilliseconds = max(lastAtMilliseconds, event.at.millisecondsSinceEpoch)
        return next
    }

    /// `not received`, or the events so far in lifecycle order, such as `received, forwarded`.
    public var description: String {
        seen.isEmpty ? "not received" : DossierEventType.allCases.filter(seen.contains).map(\.rawValue).joined(separator: ", ")
    }
}

extension DossierState {
    /// The seven event types as bits, in the order of ``DossierEventType``, for storage.
    var bits: UInt8 {
        DossierEventType.allCases.enumerated().reduce(0) { bits, item in seen.contains(item.element) ? bits | 1 << item.offset : bits }
    }

    init(bits: UInt8, lastAtMilliseconds: Int64) {
        let seen = DossierEventType.allCases.enumerated().filter { bits & 1 << $0.offset != 0 }.map(\.element)
        self.init(seen: Set(seen), lastAtMilliseconds: lastAtMilliseconds)
    }
}
