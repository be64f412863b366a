import Foundation

/// What a child process cost.
public struct ChildRun {
    /// Wall-clock seconds from spawn to exit.
    public var seconds: Double
    /// The child's peak resident memory in bytes, including the pages of memory-mapped files
    /// such as an LMDB ledger: the largest `VmHWM` sampled from `/proc/PID/status` (after
    /// `posix_spawn`'s vfork, `ru_maxrss` can include the parent's memory).
    public var peakResidentBytes: Int
    /// The child's peak anonymous resident memory (heap and stacks, without mapped files), in
    /// bytes, sampled from `/proc/PID/status` every 5 ms.
    public var peakAnonymousBytes: Int
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
    var peakAnonymous = 0
    var peakResident = 0
    while true {
        let waited = wait4(pid, &status, WNOHANG, &usage)
        if waited == pid { break }
        if waited < 0 && errno != EINTR { throw BenchmarkError("wait4: \(String(cString: strerror(errno)))") }
        peakAnonymous = max(peakAnonymous, statusBytes("RssAnon:", of: pid))
        peakResident = max(peakResident, statusBytes("VmHWM:", of: pid))
        usleep(5_000)
    }
    let elapsed = ContinuousClock.now - start
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildRun(
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        peakResidentBytes: peakResident, peakAnonymousBytes: peakAnonymous, status: exit)
}

/// A `kB` field of `/proc/PID/status` of a running process, in bytes; 0 when it cannot be read.
private func statusBytes(_ name: String, of pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(name) {
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
    return 0
}

/// The `dossier-ledger` executable: `DOSSIER_LEDGER_BIN`, or the root package's release build.
public var dossierLedgerExecutable: String {
    ProcessInfo.processInfo.environment["DOSSIER_LEDGER_BIN"] ?? Workload.benchmarksRoot + "/../.build/release/dossier-ledger"
}
