import Foundation

/// Runs a program with its output discarded and returns its exit status and its own peak
/// resident memory in bytes: the largest `VmHWM` of `/proc/PID/status` seen while it runs
/// (sampled every 5 ms). `ru_maxrss` would not do: after `posix_spawn`'s vfork it can include
/// the parent's memory.
public func runMeasured(_ executable: String, _ arguments: [String]) throws -> (status: Int32, peakResidentBytes: Int) {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    var peak = 0
    while true {
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid { break }
        if waited < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
        peak = max(peak, statusField("VmHWM:", of: pid))
        usleep(5_000)
    }
    return ((status >> 8) & 0xff, peak)
}

/// A `kB` field of `/proc/PID/status`, in bytes; 0 when it cannot be read.
func statusField(_ name: String, of pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(name) {
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
    return 0
}
