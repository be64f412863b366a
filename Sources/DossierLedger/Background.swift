import Dispatch
import Synchronization

/// A value computed on another thread, waited for where it is needed.
final class Background<Value: Sendable>: Sendable {
    /// The work, until the thread takes it.
    private let work: Mutex<(@Sendable () -> Value)?>
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts computing the value on another thread.
    init(_ work: @escaping @Sendable () -> Value) {
        self.work = Mutex(work)
        // A queue of its own gets a thread even when every thread of the global queues is busy,
        // or waits (as a caller of a ledger may, on the write this value is for).
        DispatchQueue(label: "dossier-ledger.background").async { [self] in
            let value = compute()
            result.withLock { $0 = value }
            done.signal()
        }
    }

    /// The value, once computed; waits for it the first time.
    var value: Value {
        done.wait()
        done.signal()
        return result.withLock { $0! }
    }

    /// Runs the work and lets go of it (and of what it holds) before the value is handed over:
    /// a caller that goes on to change what the work read finds it no longer shared.
    private func compute() -> Value {
        // Set by the initialiser, taken once.
        let work = work.withLock { $0.take() }!
        return work()
    }
}
