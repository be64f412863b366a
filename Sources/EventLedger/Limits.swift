/// Every limit of the event log in one place. Input beyond a limit is refused with
/// ``LedgerError/limitExceeded(_:bytes:limit:)`` naming the limit; nothing is written.
public enum Limits {
    /// The longest stream id, in UTF-8 bytes. Stream ids are LMDB keys (at most 511 bytes).
    public static let streamIDBytesMax = 200
    /// The longest event id, in UTF-8 bytes. Event ids are LMDB keys (at most 511 bytes).
    public static let eventIDBytesMax = 200
    /// The longest event type name, in UTF-8 bytes.
    public static let typeBytesMax = 100
    /// The longest metadata value (actor, correlation or causation id), in UTF-8 bytes.
    public static let metadataValueBytesMax = 200
    /// The largest event payload, in bytes.
    public static let payloadBytesMax = 1 << 20
    /// The most events in one atomic append.
    public static let batchEventsMax = 1_000_000
    /// How many events a lazy read or subscription fetches per read transaction.
    public static let readChunkEventsMax = 512
    /// How many of the latest events may have their stream entries outside the sorted
    /// stream-event index, by default (``LedgerOptions/streamTailEventsMax``). The index is
    /// written in bulk, this many events at a time, because writing each event's entry as it
    /// comes touches a different page for almost every event; until then every process finds
    /// those entries from the log, in memory (about 12 bytes per event plus 40 per stream).
    public static let streamTailEventsMax = 262_144
    /// How many stream ids an append remembers with their numbers, by default
    /// (``LedgerOptions/knownStreamsMax``), so that the next append to one of those streams
    /// does not search the stream index for it. Each takes its id's bytes, 9 more, and two
    /// slots of 8 bytes: at most about 23 MiB for ids of 20 bytes. When full, it starts over.
    public static let knownStreamsMax = 1 << 19
    /// How far a projection's stored state may lag behind the log for a read to catch it up in
    /// memory, by default (``LedgerOptions/memoryCatchUpEventsMax``). Further behind (or stored
    /// by another version of the projection), a read folds the whole log into a scratch file
    /// instead, chunk by chunk, so that its memory stays bounded whatever the lag.
    public static let memoryCatchUpEventsMax = 2_000_000
    /// How many events a catch-up or rebuild folds per write transaction, by default
    /// (``LedgerOptions/foldChunkEventsMax``); each commits its state with its checkpoint. A
    /// larger chunk reads back less of the state the previous one wrote (the statistics read
    /// each dossier still open at a chunk's end again) but holds more in memory, twice over for
    /// a ``PipelinedProjection``, which holds two chunks' batches at once: the statistics of
    /// 10 M events were rebuilt in 4.3–4.6 s at 2,000,000, 4.7–5.0 s at 1,000,000 and 5.2–5.3 s
    /// at 4,000,000 (an earlier version: 5.8 s at 2,000,000, 7.0 s at 500,000), with a peak
    /// heap of about 400 MiB at 2,000,000.
    public static let foldChunkEventsMax = 2_000_000
    /// The fewest events a fold must span for a second thread to read and decode them while the
    /// calling thread applies them, by default (``LedgerOptions/readAheadEventsMin``). Below it,
    /// starting the thread costs more than it saves.
    public static let readAheadEventsMin = 50_000
}
