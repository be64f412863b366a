/// What a fold adds to the counter rows of a department and of a procedure at an instant:
/// `delta` to counter `metric`.
protocol Contribution {
    /// When, in milliseconds since 1970.
    var time: Int64 { get }
    var metric: Metric { get }
    var delta: Int8 { get }
    var department: UInt32 { get }
    var procedure: UInt32 { get }
}

/// A contribution at an event's own instant, kept in `minutes` (see ``MinuteBlock``) besides
/// the counter rows. 24 bytes: a fold keeps millions per chunk, written once as it applies
/// events and read again as it flushes them.
struct Moment: Contribution {
    var time: Int64
    var metric: Metric
    var delta: Int8
    var department: UInt32
    var procedure: UInt32
}

/// An open dossier's overdue spell beginning at its due instant, kept in `overdueStarts` (see
/// ``OverdueStartBlock``) besides the counter rows; or a stored start taken back from the
/// counter rows alone, as the dossier closed before it became overdue.
struct OverdueStart: Contribution {
    /// The due instant passing, in milliseconds since 1970.
    var time: Int64
    /// The position of the dossier's receipt: with ``time``, the stored start's key.
    var position: UInt64
    /// +1 for a start, −1 to take back a stored one, 0 for a start of the same fold taken back.
    var delta: Int8
    /// Whether the start is to be stored in `overdueStarts` (a start taken back is in the
    /// counter rows only).
    var isStored: Bool
    var department: UInt32
    var procedure: UInt32

    var metric: Metric { .overdue }

    /// The start of `dossier`'s overdue spell at `time`, or the taking back of a stored one.
    init(at time: Int64, of dossier: DossierRecord, delta: Int8, isStored: Bool) {
        self.time = time
        position = dossier.receivedPosition
        self.delta = delta
        self.isStored = isStored
        department = dossier.department
        procedure = dossier.procedure
    }
}

extension StatisticsProjection.Batch {
    /// Adds a contribution at an event's instant to the batch's moments.
    mutating func add(_ metric: Metric, delta: Int8 = 1, at time: Int64, for dossier: DossierRecord) {
        moments.append(Moment(time: time, metric: metric, delta: delta, department: dossier.department, procedure: dossier.procedure))
    }
}

extension Array where Element: Contribution {
    /// Sorts the contributions by time, those of the same instant staying in their order.
    ///
    /// Contributions in order (moments at events' instants, for a log in time order) are left
    /// as they are. Overdue starts are not in order, but fall on few instants (the due times of
    /// a few weeks): they are placed by ten-minute bucket in two passes (counting, then moving
    /// each to its bucket), and only a bucket not in order is sorted. A sort of the whole
    /// array moved each element many times.
    mutating func sortByTime() {
        var (inOrder, first, last) = (true, Int64.max, Int64.min)
        do {
            let span = self.span
            for index in span.indices {
                let time = span[index].time
                if index > 0, time < span[index - 1].time { inOrder = false }
                (first, last) = (Swift.min(first, time), Swift.max(last, time))
            }
        }
        guard !inOrder else { return }
        let bucketLength: Int64 = 600_000
        let (range, overflow) = last.subtractingReportingOverflow(first)
        // Buckets spread over more than about one per element cost more than they save.
        guard !overflow, range / bucketLength < Int64(count) else {
            sort { $0.time < $1.time }
            return
        }
        func bucket(_ element: Element) -> Int { Int((element.time - first) / bucketLength) }
        // Where each bucket begins in the placed array: counts, then their running sums.
        var bucketStarts = [Int](repeating: 0, count: Int(range / bucketLength) + 2)
        for element in self { bucketStarts[bucket(element) + 1] += 1 }
        for index in bucketStarts.indices.dropFirst() { bucketStarts[index] += bucketStarts[index - 1] }
        var next = bucketStarts
        let placed = [Element](unsafeUninitializedCapacity: count) { buffer, placedCount in
            for element in self {
                let index = bucket(element)
                buffer.initializeElement(at: next[index], to: element)
                next[index] += 1
            }
            placedCount = count
        }
        self = placed
        for (start, end) in zip(bucketStarts, bucketStarts.dropFirst()) where end - start > 1 {
            var index = start + 1
            while index < end, self[index - 1].time <= self[index].time { index += 1 }
            if index < end { self[start..<end].sort { $0.time < $1.time } }
        }
    }
}
