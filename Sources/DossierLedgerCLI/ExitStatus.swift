import ArgumentParser
import DossierLedger
import EventLedger
import Foundation

/// The exit codes of the command line, after BSD's sysexits.
enum ExitStatus {
    /// A verification found a mismatch.
    static let verificationFailed = ExitCode(1)
    /// The command line was wrong (ArgumentParser uses the same code).
    static let usage = ExitCode(64)
    /// Input data was invalid: rejected lines, bad files, an unknown dossier.
    static let dataError = ExitCode(65)
    /// Storage or I/O failed.
    static let ioError = ExitCode(74)
}

/// Writes one line to standard error.
func printError(_ line: String) {
    fflush(nil)
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A failure of this command line that has been explained already or needs a specific code.
struct CommandFailure: Error {
    let message: String
    let status: ExitCode
}

/// Runs a subcommand's body, turning every error into one clear line on standard error and
/// the documented exit code.
func reporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as CommandFailure {
        printError("dossier-ledger: \(error.message)")
        throw error.status
    } catch {
        let (status, message) = classify(error)
        printError("dossier-ledger: \(message)")
        throw status
    }
}

private func classify(_ error: any Error) -> (ExitCode, String) {
    switch error {
    case let error as LedgerError:
        switch error {
        case .conflict, .idReused, .limitExceeded, .invalidEvent: return (ExitStatus.dataError, error.description)
        default: return (ExitStatus.ioError, error.description)
        }
    case let error as DossierLedgerError: return (ExitStatus.ioError, error.description)
    case let error as InterchangeError: return (ExitStatus.dataError, error.description)
    case let error as DataFileError: return (ExitStatus.dataError, error.description)
    case let error as UnknownTimeZone: return (ExitStatus.dataError, error.description)
    case let error as CodeError: return (ExitStatus.dataError, error.description)
    case let error as LifecycleError: return (ExitStatus.dataError, error.description)
    case let error as CocoaError:
        let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? error.userInfo[NSURLErrorKey].map { "\($0)" } ?? "a file"
        return (ExitStatus.ioError, "cannot read or write \(path): \(error.localizedDescription)")
    default:
        // LMDB's errors, and any other failure of storage, describe themselves.
        return (ExitStatus.ioError, "\(error)")
    }
}
