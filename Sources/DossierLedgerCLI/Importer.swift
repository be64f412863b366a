import DossierLedger
import EventLedger
import Foundation

/// What an import did.
struct ImportSummary {
    var lines = 0
    var accepted = 0
    var duplicates = 0
    var rejected = 0
    /// Valid lines left out because `--all-or-nothing` met a rejected one.
    var withheld = 0
}

/// Imports interchange lines into a ledger: parses each line, sends valid events in large
/// atomic batches through the lifecycle checks, and writes refused lines to a rejects file.
struct Importer {
    let ledger: DossierLedger
    let rejects: RejectsFile?
    let allOrNothing: Bool
    let progress: Progress
    /// Events per write transaction.
    var batchEvents = 10_000
    /// Where to record each committed batch's last position, after the commit.
    var acknowledgements: AcknowledgementFile?

    func run(_ reader: inout LineReader) throws -> ImportSummary {
        var summary = ImportSummary()
        var refused: [(line: Int, reason: String, input: [UInt8])] = []
        var events: [InterchangeEvent] = []
        var lines: [(number: Int, bytes: [UInt8])] = []
        var parseFailed = false
        while let line = try reader.next() {
            summary.lines += 1
            let number = summary.lines
            switch line {
            case .tooLong(let prefix, let length):
                refused.append((number, "the line has \(length) bytes; the limit is \(Interchange.lineBytesMax)", prefix))
                parseFailed = true
            case .text(let bytes):
                if bytes.isEmpty { continue }
                let parsed = bytes.withUnsafeBytes { raw in Result { () throws(InterchangeError) in try Interchange.parse(raw) } }
                switch parsed {
                case .success(let event):
                    events.append(event)
                    lines.append((number, bytes))
                case .failure(let error):
                    refused.append((number, error.reason, bytes))
                    parseFailed = true
                }
            }
            if !allOrNothing, events.count >= batchEvents {
                try submit(&events, &lines, &refused, &summary)
            }
            progress.update(done: reader.bytesConsumed, events: UInt64(summary.lines))
        }
        if allOrNothing && parseFailed {
            summary.withheld = events.count
            events.removeAll()
        }
        try submit(&events, &lines, &refused, &summary)
        return summary
    }

    /// Submits a batch, then writes its refused lines (parse errors and lifecycle refusals
    /// alike) to the rejects file in line order.
    private func submit(
        _ events: inout [InterchangeEvent], _ lines: inout [(number: Int, bytes: [UInt8])],
        _ refused: inout [(line: Int, reason: String, input: [UInt8])], _ summary: inout ImportSummary
    ) throws {
        defer {
            events.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
            refused.removeAll(keepingCapacity: true)
        }
        try tally(&events, &lines, &refused, &summary)
        for entry in refused.sorted(by: { $0.line < $1.line }) {
            summary.rejected += 1
            try rejects?.write(line: entry.line, reason: entry.reason, input: entry.input)
        }
    }

    private func tally(
        _ events: inout [InterchangeEvent], _ lines: inout [(number: Int, bytes: [UInt8])],
        _ refused: inout [(line: Int, reason: String, input: [UInt8])], _ summary: inout ImportSummary
    ) throws {
        guard !events.isEmpty else { return }
        let verdicts = try ledger.submit(events, mode: allOrNothing ? .allOrNothing : .skipInvalid)
        try acknowledgements?.record(try ledger.ledger.head().position)
        let anyRejected = verdicts.contains { if case .rejected = $0 { true } else { false } }
        for (verdict, line) in zip(verdicts, lines) {
            switch verdict {
            case .accepted: summary.accepted += 1
            case .duplicate: summary.duplicates += 1
            case .rejected(let reason):
                if allOrNothing && anyRejected && reason.hasPrefix("not appended:") {
                    summary.withheld += 1
                } else {
                    refused.append((line.number, reason, line.bytes))
                }
            }
        }
    }
}

/// The rejects file: one JSON line per refused input line, `{"line": N, "reason": "…", "input": "…"}`,
/// created private to its owner.
final class RejectsFile {
    private let handle: FileHandle
    private let path: String

    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(message: "cannot create the rejects file \(path): \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func write(line: Int, reason: String, input: [UInt8]) throws {
        let text = "{\"line\":\(line),\"reason\":\(Interchange.quoted(reason)),\"input\":\(Interchange.quoted(String(decoding: input, as: UTF8.self)))}\n"
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw CommandFailure(message: "cannot write the rejects file \(path): \(error.localizedDescription)", status: ExitStatus.ioError)
        }
    }
}

/// The acknowledgements file: after each committed batch, a line with the ledger's last
/// position, flushed to disk; what a crash test checks the ledger against.
final class AcknowledgementFile {
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(message: "cannot open the acknowledgements file \(path): \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
        }
    }

    deinit { close(descriptor) }

    func record(_ position: UInt64) throws {
        let line = Array("\(position)\n".utf8)
        guard line.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == line.count, fsync(descriptor) == 0 else {
            throw CommandFailure(message: "cannot write the acknowledgements file \(path): \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
        }
    }
}
