#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// How to open or create a ``Ledger``.
public struct LedgerOptions: Sendable {
    /// Open for reading only: appends are refused and nothing on disk changes.
    public var readOnly = false
    /// Flush to disk at each commit (the default). Off, a system crash may lose the last
    /// commits (never corrupt the file); only for ledgers that can be rebuilt, such as tests.
    public var syncOnCommit = true
    /// The initial size of the memory map; it doubles on demand, and a ledger opened for
    /// writing maps at least twice its data, so this only matters for tuning. See
    /// `Environment.Options.mapSizeBytes` in LedgerLMDB.
    public var mapSizeBytes = 1 << 30
    /// How often a subscription looks for events appended by another process. Appends in the
    /// same process wake subscribers at once.
    public var pollInterval: Duration = .milliseconds(200)
    /// The permission bits of the ledger directory; the files get the same without execute
    /// bits. The default keeps a ledger private to its owner.
    public var directoryMode: UInt32 = 0o700
    /// How many of the latest events an append lets accumulate outside the sorted stream-event
    /// index before it merges them in (see ``Limits/streamTailEventsMax``, the default). Lower
    /// means less memory and shorter merges, more often; any value reads the same events.
    public var streamTailEventsMax = Limits.streamTailEventsMax
    /// How many stream ids appends remember with their numbers (see ``Limits/knownStreamsMax``,
    /// the default); 0 remembers none. Any value appends the same events; lower means less
    /// memory and more searches of the stream index.
    public var knownStreamsMax = Limits.knownStreamsMax
    /// How far a projection may lag behind the log for ``Ledger/read(_:_:)`` to catch it up in
    /// memory (see ``Limits/memoryCatchUpEventsMax``, the default). Any value reads the same
    /// state; lower means less memory and more reads that fold into a scratch file.
    public var memoryCatchUpEventsMax = Limits.memoryCatchUpEventsMax
    /// The fewest events a fold of a projection must span for a second thread to read and
    /// decode them while the calling thread applies them (see ``Limits/readAheadEventsMin``,
    /// the default). Any value folds the same state; `Int.max` keeps every fold on one thread.
    public var readAheadEventsMin = Limits.readAheadEventsMin
    /// How many events a catch-up or rebuild folds per write transaction (see
    /// ``Limits/foldChunkEventsMax``, the default). Any value stores the same state.
    public var foldChunkEventsMax = Limits.foldChunkEventsMax
    /// Where folds into a scratch file go (the fresh fold `verify` compares the stored state
    /// with, and a read too far behind to catch up in memory); `nil`, the default, means the
    /// `TMPDIR` environment variable, else `/tmp`. The statistics of 10 M events take about
    /// 440 MB there while a fold lasts.
    public var temporaryDirectory: String?
    /// The clock that stamps each append's recorded-at time.
    public var clock: @Sendable () -> Date = { Date() }

    /// The default options.
    public init() {}
}
