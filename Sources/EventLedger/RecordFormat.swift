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

/// Where each field of a validated record lies. Kept as the offsets where the fields after the
/// stream id start (the stream id starts at the header's end), so that reading a record in a
/// scan writes a few words rather than seven ranges.
struct RecordLayout {
    private let eventIDStart: UInt32
    private let typeStart: UInt32
    private let actorStart: UInt32
    private let correlationIDStart: UInt32
    private let causationIDStart: UInt32
    private let payloadStart: UInt32
    private let payloadEnd: UInt32
    let flags: UInt8

    var streamID: Range<Int> { RecordFormat.headerBytes..<Int(eventIDStart) }
    var eventID: Range<Int> { Int(eventIDStart)..<Int(typeStart) }
    var type: Range<Int> { Int(typeStart)..<Int(actorStart) }
    var actor: Range<Int> { Int(actorStart)..<Int(correlationIDStart) }
    var correlationID: Range<Int> { Int(correlationIDStart)..<Int(causationIDStart) }
    var causationID: Range<Int> { Int(causationIDStart)..<Int(payloadStart) }
    var payload: Range<Int> { Int(payloadStart)..<Int(payloadEnd) }

    /// Checks every length and field of a record before anything reads it, so that a damaged
    /// or hostile record yields an error, never a crash or an out-of-bounds read.
    @inline(__always)
    init(validating bytes: UnsafeRawBufferPointer, position: UInt64) throws(LedgerError) {
        func corrupt(_ reason: String) -> LedgerError { .corruptRecord(position: position, reason: reason) }
        guard bytes.count >= RecordFormat.overheadBytes else { throw corrupt("\(bytes.count) bytes is shorter than any record") }
        // Every offset then fits 32 bits: the texts' counts are 16-bit, and the payload ends
        // inside the record.
        guard bytes.count <= Int(UInt32.max) else { throw corrupt("\(bytes.count) bytes is longer than any record") }
        guard bytes[0] == RecordFormat.version else { throw corrupt("unknown record format \(bytes[0])") }
        flags = bytes[1]
        guard flags & ~7 == 0 else { throw corrupt("unknown flags \(flags)") }
        guard bytes.loadUnaligned(fromByteOffset: 52, as: UInt32.self) == 0 else { throw corrupt("reserved bytes are not zero") }
        func count(_ offset: Int) -> UInt32 { UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) }
        let (streamIDCount, eventIDCount, typeCount) = (count(40), count(42), count(44))
        let (actorCount, correlationIDCount, causationIDCount) = (count(46), count(48), count(50))
        eventIDStart = UInt32(RecordFormat.headerBytes) + streamIDCount
        typeStart = eventIDStart + eventIDCount
        actorStart = typeStart + typeCount
        correlationIDStart = actorStart + actorCount
        causationIDStart = correlationIDStart + correlationIDCount
        payloadStart = causationIDStart + causationIDCount
        let payloadCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        guard Int(payloadStart) + payloadCount + RecordFormat.hashBytes == bytes.count else {
            throw corrupt("field lengths add up to \(Int(payloadStart) + payloadCount + RecordFormat.hashBytes) bytes, the record has \(bytes.count)")
        }
        payloadEnd = payloadStart + UInt32(payloadCount)
        guard Swift.min(streamIDCount, eventIDCount, typeCount) > 0 else { throw corrupt("empty stream id, event id or type") }
        // Which optional texts have bytes, as the flags' bits: none may lack its flag.
        let present = UInt8(Swift.min(actorCount, 1) | Swift.min(correlationIDCount, 1) << 1 | Swift.min(causationIDCount, 1) << 2)
        if present & ~flags != 0 {
            if flags & 1 == 0, actorCount > 0 { throw corrupt("actor bytes without the actor flag") }
            if flags & 2 == 0, correlationIDCount > 0 { throw corrupt("correlation bytes without the flag") }
            throw corrupt("causation bytes without the flag")
        }
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
