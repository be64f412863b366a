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

    mutating func append<T: FixedWidthInteger & BitwiseCopyable>(bigEndian value: T) {
        store(value.bigEndian)
    }

    mutating func append<T: FixedWidthInteger & BitwiseCopyable>(littleEndian value: T) {
        store(value.littleEndian)
    }

    /// Appends an integer's bytes in memory order, with one store.
    private mutating func store<T: FixedWidthInteger & BitwiseCopyable>(_ value: T) {
        var span = storage.mutableSpan
        var bytes = span.mutableBytes
        bytes.storeBytes(of: value, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    /// The bytes, in an array.
    var array: [UInt8] { withSpan { $0.withUnsafeBytes { Array($0) } } }

    /// Lends the bytes.
    func withSpan<R>(_ body: (RawSpan) throws -> R) rethrows -> R {
        try body(storage.span.bytes.extracting(0..<count))
    }
}
