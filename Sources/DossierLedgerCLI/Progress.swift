import Foundation

/// A progress line on standard error — bar, count, rate and time left — shown only when
/// standard error is a terminal and `--quiet` was not given.
final class Progress {
    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(_ label: String, total: UInt64?, quiet: Bool) {
        self.label = label
        self.total = total
        self.enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Reports that `done` of the total units (bytes, positions) are done and `events` events processed.
    func update(done: UInt64, events: UInt64) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(events) / elapsed
        var text = "\r\(label) "
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 24)
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled) + "] \(Int(fraction * 100))% "
            if fraction > 0.01 {
                let left = Int(elapsed / fraction - elapsed)
                text += "ETA \(left / 60):\(left % 60 < 10 ? "0" : "")\(left % 60) "
            }
        }
        text += "\(events) events, \(Int(rate)) events/s\u{1B}[K"
        FileHandle.standardError.write(Data(text.utf8))
        drawn = true
    }

    /// Clears the progress line.
    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
