/// The order of a read: ascending or descending positions (or stream versions).
public enum Direction: Hashable, Sendable {
    /// From older to newer events.
    case forward
    /// From newer to older events.
    case backward
}
