import Foundation

/// Flips one bit of the byte at `offset` within every occurrence of `marker` in a file, the way
/// a tamperer or a failing disk would; returns how many occurrences were changed.
@discardableResult
public func flipByte(of marker: String, offset: Int, inFile path: String) throws -> Int {
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    let needle = Data(marker.utf8)
    var changed = 0
    var searchFrom = data.startIndex
    while let range = data.range(of: needle, in: searchFrom..<data.endIndex) {
        data[range.lowerBound + offset] ^= 0x01
        changed += 1
        searchFrom = range.upperBound
    }
    try data.write(to: URL(fileURLWithPath: path))
    return changed
}
