import CLedgerLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps map resizing away from open transactions of this process.
///
/// `mdb_env_set_mapsize` remaps the file, so no transaction of this process may be open while it
/// runs: pointers into the old map would dangle. Every transaction passes through the gate;
/// a resize waits until all have left and holds new ones back meanwhile.
///
/// Transactions are closure-scoped and synchronous, so a transaction opened inside another one
/// is always on the same thread. The gate counts open transactions per thread, so a resize
/// requested by a thread that still holds an outer transaction fails instead of waiting forever.
final class MapGate: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var open = 0
    private var resizing = false
    private var openByThread: [pthread_t: Int] = [:]

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Called before a transaction begins; waits while a resize is under way, unless the
    /// transaction is `nested` in one that another thread holds open throughout it.
    func enter(nested: Bool = false) {
        pthread_mutex_lock(mutex)
        let thread = pthread_self()
        // A thread already inside may nest without waiting: the resizer waits for it anyway.
        if !nested && openByThread[thread, default: 0] == 0 {
            while resizing { pthread_cond_wait(condition, mutex) }
        }
        open += 1
        openByThread[thread, default: 0] += 1
        pthread_mutex_unlock(mutex)
    }

    /// Called after a transaction has ended.
    func leave() {
        pthread_mutex_lock(mutex)
        let thread = pthread_self()
        open -= 1
        let left = openByThread[thread, default: 1] - 1
        openByThread[thread] = left == 0 ? nil : left
        if open == 0 { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body` while no transaction of this process is open.
    func exclusively<R>(_ body: () throws(LMDBError) -> R) throws(LMDBError) -> R {
        pthread_mutex_lock(mutex)
        if openByThread[pthread_self(), default: 0] > 0 {
            pthread_mutex_unlock(mutex)
            throw LMDBError(
                code: MDB_MAP_FULL,
                context: "the map must grow, but this thread still holds an outer transaction; "
                    + "end it before writing, or open the environment with a larger mapSizeBytes")
        }
        while resizing { pthread_cond_wait(condition, mutex) }
        resizing = true
        while open > 0 { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
        defer {
            pthread_mutex_lock(mutex)
            resizing = false
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body()
    }
}
