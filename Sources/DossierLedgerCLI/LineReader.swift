import DossierLedger
import Foundation

/// Reads a file (or standard input) line by line, in bounded memory: a line longer than the
/// interchange format's limit is not kept whole, only its first bytes, so a 100 MB line costs
/// no more memory than a short one.
struct LineReader: ~Copyable {
    /// One line, without its newline (and without a final carriage return).
    enum Line {
        /// A line within the limit.
        case text([UInt8])
        /// A line over the limit: its first bytes and its full length.
        case tooLong(prefix: [UInt8], length: Int)
    }

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// Bytes read so far, for progress.
    private(set) var bytesRead: UInt64 = 0
    /// Bytes of the input handed out as lines so far, for progress.
    var bytesConsumed: UInt64 { bytesRead - UInt64(end - start) }
    /// The size of the input when it is a regular file.
    let size: UInt64?
    let limit = Interchange.lineBytesMax

    /// Opens a file, or standard input for `-`.
    init(path: String) throws {
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let opened = Foundation.open(path, O_RDONLY)
            guard opened >= 0 else {
                throw CommandFailure(message: "cannot open \(path): \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
            }
            descriptor = opened
            ownsDescriptor = true
        }
        var status = stat()
        size = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? UInt64(status.st_size) : nil
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The next line, or `nil` at the end of the input.
    mutating func next() throws -> Line? {
        var overflow: [UInt8]?
        var overflowLength = 0
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                let line = trimmed(start..<newline)
                start = newline + 1
                if var prefix = overflow {
                    overflowLength += line.count + 1
                    prefix.append(contentsOf: line.prefix(max(0, limit - prefix.count)))
                    return .tooLong(prefix: prefix, length: overflowLength - 1)
                }
                return line.count > limit ? .tooLong(prefix: Array(line.prefix(limit)), length: line.count) : .text(line)
            }
            if atEOF {
                guard start < end || overflow != nil else { return nil }
                let line = trimmed(start..<end)
                start = end
                if var prefix = overflow {
                    prefix.append(contentsOf: line.prefix(max(0, limit - prefix.count)))
                    return .tooLong(prefix: prefix, length: overflowLength + line.count)
                }
                return line.count > limit ? .tooLong(prefix: Array(line.prefix(limit)), length: line.count) : .text(line)
            }
            if end - start > limit {
                // Past the limit without a newline: keep only the first bytes of this line.
                if overflow == nil { overflow = Array(buffer[start..<(start + limit)]) }
                overflowLength += end - start
                start = end
            }
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start
                start = 0
            }
            let count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(descriptor, base + end, raw.count - end)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandFailure(message: "cannot read the input: \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
            }
            if count == 0 { atEOF = true }
            end += count
            bytesRead += UInt64(count)
        }
    }

    private func trimmed(_ range: Range<Int>) -> [UInt8] {
        var upper = range.upperBound
        if upper > range.lowerBound, buffer[upper - 1] == 0x0D { upper -= 1 }
        return Array(buffer[range.lowerBound..<upper])
    }
}
