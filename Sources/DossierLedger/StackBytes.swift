/// A few bytes built without a heap allocation: the keys and values of the statistics tables.
/// At most `capacity` bytes, sized for each key or value: a smaller one is cheaper to make and
/// to pass around.
struct StackBytes<let capacity: Int> {
    private var storage = InlineArray<capacity, UInt8>(repeating: 0)
    private(set) var count = 0

    init() {}

    mutating func append(_ byte: UInt8) {
        storage[count] = byte
        count += 1
    }

    mutating func append<T: FixedWidthInteger>(bigEndian value: T) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        for shift in stride(from: 0, to: T.bitWidth, by: 8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// The bytes, in an array.
    var array: [UInt8] { withSpan { $0.withUnsafeBytes { Array($0) } } }

    /// Lends the bytes.
    func withSpan<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        try body(storage.span.bytes.extracting(0..<count))
    }
}
