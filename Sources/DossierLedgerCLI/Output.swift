import Foundation

/// Buffered writing to standard output, for commands that stream millions of lines.
struct Output: ~Copyable {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    /// Writes text followed by a newline.
    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered.
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        if !buffer.isEmpty { FileHandle.standardOutput.write(Data(buffer)) }
    }
}
