/// Where a dossier stands in its lifecycle: which events it has had, and the time of the last.
public struct DossierState: Hashable, Sendable, CustomStringConvertible {
    /// The time of the dossier's last event, in milliseconds since 1970; events may not go
    /// back before it.
    public private(set) var lastAtMilliseconds: Int64
    /// One bit per event type the dossier has had, in the order of ``DossierEventType``.
    /// (Declared last, so that a ``DossierRecord`` ending with its state pads nothing.)
    private(set) var bits: UInt8

    /// A dossier with no events.
    public static let new = DossierState(bits: 0, lastAtMilliseconds: .min)

    init(bits: UInt8, lastAtMilliseconds: Int64) {
        self.bits = bits
        self.lastAtMilliseconds = lastAtMilliseconds
    }

    /// The types of the events the dossier has had.
    public var seen: Set<DossierEventType> { Set(DossierEventType.allCases.filter(has)) }

    /// Whether the dossier has had an event of this type.
    public func has(_ type: DossierEventType) -> Bool { bits & type.bit != 0 }

    /// The state after an event, which must be allowed (``Lifecycle/check(_:in:)``).
    public func applying(_ event: DossierEvent) -> DossierState {
        applying(type: event.type, atMilliseconds: event.at.millisecondsSinceEpoch)
    }

    func applying(type: DossierEventType, atMilliseconds time: Int64) -> DossierState {
        var next = self
        next.bits |= type.bit
        next.lastAtMilliseconds = max(lastAtMilliseconds, time)
        return next
    }

    /// `not received`, or the events so far in lifecycle order, such as `received, forwarded`.
    public var description: String {
        bits == 0 ? "not received" : DossierEventType.allCases.filter(has).map(\.rawValue).joined(separator: ", ")
    }
}

extension DossierEventType {
    /// The type's bit in ``DossierState``'s storage.
    var bit: UInt8 {
        switch self {
        case .received: 1
        case .forwarded: 2
        case .decided: 4
        case .returnedToCenter: 8
        case .resultReturned: 16
        case .rated: 32
        case .withdrawn: 64
        }
    }
}
