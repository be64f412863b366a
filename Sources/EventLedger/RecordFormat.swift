/// The binary encoding of a stored event, format 1. Integers are little-endian.
///
/// ```
/// offset  bytes  field
///      0      1  record format (1)
///      1      1  flags: bit 0 actor, bit 1 correlation id, bit 2 causation id present
///      2      2  schema version
///      4      4  payload byte count
///      8      8  position
///     16      8  stream number (dense, from 1, in order of each stream's first event)
///     24      8  stream version
///     32      8  recorded at, microseconds since 1970-01-01T00:00:00Z
///     40      2  stream id byte count       42  2  event id byte count
///     44      2  type byte count            46  2  actor byte count
///     48      2  correlation id byte count  50  2  causation id byte count
///     52      4  reserved, zero
///     56      …  stream id, event id, type, actor, correlation id, causation id (UTF-8), payload
///   end-32   32  chain hash = SHA-256(previous chain hash ‖ every byte before this field)
/// ```
///
/// A format is never changed in place: a new layout gets a new format number, and readers keep
/// reading the old ones.
enum RecordFormat {
    static let version: UInt8 = 1
    static let headerBytes = 56
    static let hashBytes = 32
    static let overheadBytes = headerBytes + hashBytes

    /// Encodes an event into `buffer` (replacing its contents) and writes its chain hash,
    /// computed from `previous` (32 bytes).
    static func encode(
        _ event: ProposedEvent, stream: String, position: UInt64, streamNumber: UInt64, streamVersion: UInt64,
        recordedAtMicroseconds: Int64, previous: UnsafeRawBufferPointer, into buffer: inout [UInt8]
    ) {
        let metadata = event.metadata
        var flags: UInt8 = 0
        if metadata.actor != nil { flags |= 1 }
        if metadata.correlationID != nil { flags |= 2 }
        if metadata.causationID != nil { flags |= 4 }
        let (actor, correlationID, causationID) = (metadata.actor ?? "", metadata.correlationID ?? "", metadata.causationID ?? "")
        let texts = stream.utf8.count + event.id.utf8.count + event.type.utf8.count + actor.utf8.count + correlationID.utf8.count + causationID.utf8.count
        let canonicalCount = headerBytes + texts + event.payload.count
        let total = canonicalCount + hashBytes
        if buffer.count < total {
            buffer.append(contentsOf: repeatElement(0, count: total - buffer.count))
        } else if buffer.count > total {
            buffer.removeLast(buffer.count - total)
        }
        buffer.withUnsafeMutableBytes { bytes in
            var writer = ByteWriter(bytes: bytes)
            writer.write(version)
            writer.write(flags)
            writer.write(event.schemaVersion)
            writer.write(UInt32(event.payload.count))
            writer.write(position)
            writer.write(streamNumber)
            writer.write(streamVersion)
            writer.write(UInt64(bitPattern: recordedAtMicroseconds))
            // Each text named in place: gathering them in an array would count a reference on each.
            writer.write(UInt16(stream.utf8.count)); writer.write(UInt16(event.id.utf8.count)); writer.write(UInt16(event.type.utf8.count))
            writer.write(UInt16(actor.utf8.count)); writer.write(UInt16(correlationID.utf8.count)); writer.write(UInt16(causationID.utf8.count))
            writer.write(UInt32(0))
            writer.write(stream); writer.write(event.id); writer.write(event.type)
            writer.write(actor); writer.write(correlationID); writer.write(causationID)
            event.payload.withUnsafeBytes { writer.write($0) }
            ChainHash.next(
                after: previous, canonical: UnsafeRawBufferPointer(rebasing: bytes[..<canonicalCount]),
                into: UnsafeMutableRawBufferPointer(rebasing: bytes[canonicalCount...]))
        }
    }
}

/// Where each field of a validated record starts.
struct RecordLayout {
    var streamID: Range<Int>
    var eventID: Range<Int>
    var type: Range<Int>
    var actor: Range<Int>
    var correlationID: Range<Int>
    var causationID: Range<Int>
    var payload: Range<Int>
    var flags: UInt8

    /// Checks every length and field of a record before anything reads it, so that a damaged
    /// or hostile record yields an error, never a crash or an out-of-bounds read.
    init(validating bytes: UnsafeRawBufferPointer, position: UInt64) throws(LedgerError) {
        func corrupt(_ reason: String) -> LedgerError { .corruptRecord(position: position, reason: reason) }
        guard bytes.count >= RecordFormat.overheadBytes else { throw corrupt("\(bytes.count) bytes is shorter than any record") }
        guard bytes[0] == RecordFormat.version else { throw corrupt("unknown record format \(bytes[0])") }
        flags = bytes[1]
        guard flags & ~7 == 0 else { throw corrupt("unknown flags \(flags)") }
        guard bytes.loadUnaligned(fromByteOffset: 52, as: UInt32.self) == 0 else { throw corrupt("reserved bytes are not zero") }
        var start = RecordFormat.headerBytes
        func field(_ countOffset: Int) -> Range<Int> {
            let count = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: countOffset, as: UInt16.self)))
            defer { start += count }
            return start..<(start + count)
        }
        streamID = field(40)
        eventID = field(42)
        type = field(44)
        actor = field(46)
        correlationID = field(48)
        causationID = field(50)
        let payloadCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        payload = start..<(start + payloadCount)
        guard payload.upperBound + RecordFormat.hashBytes == bytes.count else {
            throw corrupt("field lengths add up to \(payload.upperBound + RecordFormat.hashBytes) bytes, the record has \(bytes.count)")
        }
        guard !streamID.isEmpty, !eventID.isEmpty, !type.isEmpty else { throw corrupt("empty stream id, event id or type") }
        if flags & 1 == 0, !actor.isEmpty { throw corrupt("actor bytes without the actor flag") }
        if flags & 2 == 0, !correlationID.isEmpty { throw corrupt("correlation bytes without the flag") }
        if flags & 4 == 0, !causationID.isEmpty { throw corrupt("causation bytes without the flag") }
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard stored == position else { throw corrupt("the record says position \(stored)") }
    }
}

/// Writes little-endian integers and bytes one after another into memory sized for them.
private struct ByteWriter {
    let bytes: UnsafeMutableRawBufferPointer
    var offset = 0

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    mutating func write(_ source: UnsafeRawBufferPointer) {
        UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<(offset + source.count)]).copyMemory(from: source)
        offset += source.count
    }

    mutating func write(_ text: String) {
        Keys.withText(text) { $0.withUnsafeBytes { write($0) } }
    }
}
