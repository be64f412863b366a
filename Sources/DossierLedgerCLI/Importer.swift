import DossierLedger
import EventLedger
import Foundation
import Synchronization

/// What an import did.
struct ImportSummary {
    var lines = 0
    var accepted = 0
    var duplicates = 0
    var rejected = 0
    /// Valid lines left out because `--all-or-nothing` met a rejected one.
    var withheld = 0
}

/// A refused input line: its number, why, and its bytes (for the rejects file).
typealias Refusal = (line: Int, reason: String, input: [UInt8])

/// Imports interchange lines into a ledger: parses each line, sends valid events in large
/// atomic batches through the lifecycle checks, and writes refused lines to a rejects file.
///
/// Parsing and storing overlap: while one batch is checked and committed on a background
/// thread, the next is read and parsed. Batches still commit one at a time, in file order. The
/// first batch holds an eighth of ``batchEvents`` and each next one twice as many, up to
/// ``batchEvents``, so that storing starts early and small files overlap too.
struct Importer {
    let ledger: DossierLedger
    let rejects: RejectsFile?
    let allOrNothing: Bool
    let progress: Progress
    /// The most events per write transaction.
    var batchEvents = 100_000
    /// Where to record each committed batch's last position, after the commit.
    var acknowledgements: AcknowledgementFile?

    func run(_ reader: inout LineReader) throws -> ImportSummary {
        var summary = ImportSummary()
        var refused: [Refusal] = []
        var events: [InterchangeEvent] = []
        var lines: [(number: Int, bytes: [UInt8])] = []
        var parseFailed = false
        let submissions = SubmissionQueue()
        /// The parse refusals of the batch being submitted, written with its own refusals.
        var inFlight: [Refusal] = []
        var batchLimit = Swift.max(1, batchEvents / 8)
        func submit() throws {
            batchLimit = Swift.min(batchEvents, batchLimit * 2)
            let (ledger, mode, acknowledgements) = (ledger, allOrNothing ? SubmitMode.allOrNothing : .skipInvalid, acknowledgements)
            // Encoded here, on the parsing thread: the storing thread only checks and stores.
            let (batch, batchLines) = (ledger.encode(events), lines)
            let finished = try submissions.start {
                guard !batch.events.isEmpty else { return BatchOutcome(verdicts: [], lines: [], events: batch) }
                let verdicts = try ledger.submit(batch, mode: mode)
                try acknowledgements?.record(try ledger.ledger.head().position)
                return BatchOutcome(verdicts: verdicts, lines: batchLines, events: batch)
            }
            if let finished { try record(finished, parseRefusals: inFlight, into: &summary) }
            inFlight = refused
            refused.removeAll()
            events.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        }
        do {
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
                if !allOrNothing, events.count >= batchLimit { try submit() }
                progress.update(done: reader.bytesConsumed, events: UInt64(summary.lines))
            }
            if allOrNothing && parseFailed {
                summary.withheld = events.count
                events.removeAll()
                lines.removeAll()
            }
            try submit()
            if let finished = try submissions.finish() { try record(finished, parseRefusals: inFlight, into: &summary) }
        } catch {
            // Let a submission in flight end before the error is reported.
            _ = try? submissions.finish()
            throw error
        }
        return summary
    }

    /// Counts a committed batch's verdicts, then writes its refused lines (parse errors and
    /// lifecycle refusals alike) to the rejects file in line order.
    private func record(_ outcome: BatchOutcome, parseRefusals: [Refusal], into summary: inout ImportSummary) throws {
        var refused = parseRefusals
        let anyRejected = outcome.verdicts.contains { if case .rejected = $0 { true } else { false } }
        for (verdict, line) in zip(outcome.verdicts, outcome.lines) {
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
        for entry in refused.sorted(by: { $0.line < $1.line }) {
            summary.rejected += 1
            try rejects?.write(line: entry.line, reason: entry.reason, input: entry.input)
        }
    }
}

/// What a submitted batch came back with: a verdict per event, and the events' lines.
struct BatchOutcome: Sendable {
    var verdicts: [Verdict]
    var lines: [(number: Int, bytes: [UInt8])]
    /// The events, handed back so that the parsing thread, not the storing one, frees them.
    var events: EncodedEvents
}

/// Runs submissions one at a time, in order, on a background thread.
final class SubmissionQueue: Sendable {
    private let queue = DispatchQueue(label: "dossier-ledger.import.submit")
    private let idle = DispatchSemaphore(value: 1)
    /// The outcome of the last submission, until it is collected.
    private let finished = Mutex<Result<BatchOutcome, any Error>?>(nil)

    /// Waits for the submission in flight, then starts `job`; returns the outcome of the one
    /// that was in flight (`nil` if none) or throws its error, in which case `job` does not start.
    func start(_ job: @escaping @Sendable () throws -> BatchOutcome) throws -> BatchOutcome? {
        idle.wait()
        let previous = finished.withLock { outcome in
            defer { outcome = nil }
            return outcome
        }
        if case .failure(let error) = previous {
            idle.signal()
            throw error
        }
        queue.async {
            let outcome = Result { try job() }
            self.finished.withLock { $0 = outcome }
            self.idle.signal()
        }
        return try previous?.get()
    }

    /// Waits for the submission in flight and returns its outcome.
    func finish() throws -> BatchOutcome? {
        idle.wait()
        defer { idle.signal() }
        return try finished.withLock { outcome in
            defer { outcome = nil }
            return outcome
        }?.get()
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
final class AcknowledgementFile: Sendable {
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
