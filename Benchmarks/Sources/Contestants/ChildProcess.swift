import Foundation

/// What a child process cost.
public struct ChildRun {
    /// Wall-clock seconds from spawn to exit.
    public var seconds: Double
    /// The child's peak resident memory, in bytes (`ru_maxrss` of `wait4`: this child alone).
    public var peakResidentBytes: Int
    /// The exit status.
    public var status: Int32
}

/// Runs a program to completion, its standard output and error discarded, and reports its
/// time and peak memory.
public func runChild(_ executable: String, _ arguments: [String]) throws -> ChildRun {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let start = ContinuousClock.now
    let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw BenchmarkError("wait4: \(String(cString: strerror(errno)))") }
    }
    let elapsed = ContinuousClock.now - start
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildRun(
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        peakResidentBytes: usage.ru_maxrss * 1024, status: exit)
}

/// The `dossier-ledger` executable: `DOSSIER_LEDGER_BIN`, or the root package's release build.
public var dossierLedgerExecutable: String {
    ProcessInfo.processInfo.environment["DOSSIER_LEDGER_BIN"] ?? Workload.benchmarksRoot + "/../.build/release/dossier-ledger"
}
