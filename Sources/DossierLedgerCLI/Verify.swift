import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// `dossier-ledger verify`.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the chain, the indexes, every dossier's lifecycle and the stored statistics.",
        discussion: """
            Recomputes every chain hash; checks that the stream, stream-event and event-id indexes agree with the log; \
            re-checks every dossier's lifecycle; and checks that the stored statistics equal a fresh rebuild. With \
            --against HEX@POSITION (the output of digest, written down earlier), also checks that this ledger extends \
            that one unchanged, which catches a chain rewritten from some point on. Prints what was checked; on any \
            mismatch, exits 1 naming the first bad position.

            Example: dossier-ledger verify --ledger center.ledger --against 9f86d081…@44123
            """)

    @OptionGroup var location: LedgerLocation
    @OptionGroup var progress: ProgressFlag

    @Option(help: ArgumentHelp("A digest written down earlier.", valueName: "hex@position"))
    var against: String?

    func validate() throws {
        if let against, LedgerDigest(against) == nil {
            throw ValidationError("--against: expected HEX@POSITION, 64 hexadecimal digits, @ and a position, as digest prints")
        }
    }

    func run() async throws {
        try await reporting {
            let ledger = try location.open()
            let digest = against.flatMap(LedgerDigest.init)
            let head = try ledger.ledger.head().position
            let chain = Progress("verify chain", total: head, quiet: progress.quiet)
            let lifecycle = Progress("verify lifecycle", total: head, quiet: progress.quiet)
            let report = try ledger.verify(against: digest) { position, stage in
                (stage == "chain" ? chain : lifecycle).update(done: position, events: position)
            }
            chain.finish()
            lifecycle.finish()
            let log = report.log
            var output = Output()
            output.line("checked \(log.eventsChecked) events in \(log.streamsChecked) streams")
            if let problem = report.problem {
                output.line("verify: FAILED at position \(problem.position): \(problem.reason)")
                output.flush()
                throw ExitStatus.verificationFailed
            }
            output.line("chain: every chain hash recomputed and equal; positions dense from 1")
            output.line("indexes: the stream, stream-event and event-id indexes agree with the log")
            if let digest { output.line("digest: the ledger extends \(digest) unchanged") }
            output.line("lifecycle: \(report.dossiersChecked) dossiers re-checked, every event allowed")
            output.line("statistics: the stored projection (checkpoint \(report.statisticsCheckpoint)) equals a fresh rebuild")
            output.line("verify: OK, head \(log.head)")
            output.flush()
        }
    }
}
