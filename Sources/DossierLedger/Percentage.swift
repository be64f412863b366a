/// A rate in percent, from exact integers, rounded half-up to two decimals:
/// 6,830 of 6,901 is 98.97 %.
public struct Percentage: Hashable, Sendable, CustomStringConvertible {
    /// The count.
    public let numerator: Int
    /// The count it is a part of; never 0.
    public let denominator: Int

    /// The rate of `numerator` in `denominator`, or `nil` when `denominator` is 0.
    public init?(_ numerator: Int, of denominator: Int) {
        guard denominator > 0 else { return nil }
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Hundredths of a percent, rounded half-up: 9897 for 98.97 %.
    public var hundredths: Int {
        (numerator * 20_000 + denominator) / (2 * denominator)
    }

    /// `98.97`; with `decimalSeparator` `","`, `98,97`.
    public func formatted(decimalSeparator: String = ".") -> String {
        let value = hundredths
        let fraction = String(value % 100)
        return "\(value / 100)\(decimalSeparator)\(fraction.count == 1 ? "0" : "")\(fraction)"
    }

    /// `98.97`.
    public var description: String { formatted() }
}
