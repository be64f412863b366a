import CLedgerNettle

/// SHA-256 (FIPS 180-4), the hash of the chain and of derived event ids, computed by nettle
/// (Debian's `nettle-dev`), which uses the processor's SHA instructions where it has them.
///
/// The state lives on the stack: hashing allocates nothing, which matters at one hash per
/// appended or verified event. Visible to this package's modules only (`DossierLedger` derives
/// event ids with it), so that it is not a second `SHA256` beside swift-crypto's for users.
package enum SHA256 {
    /// The number of bytes of a digest.
    package static let byteCount = 32

    /// The SHA-256 of `bytes`.
    package static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeBytes { buffer in digest.withUnsafeMutableBytes { hash(buffer, into: $0) } }
        return digest
    }

    /// Writes the SHA-256 of `first` followed by `second` into the first 32 bytes of `output`.
    package static func hash(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0), into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= byteCount, "a SHA-256 digest needs 32 bytes")
        var context = sha256_ctx()
        nettle_sha256_init(&context)
        update(&context, first)
        update(&context, second)
        nettle_sha256_digest(&context, byteCount, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    private static func update(_ context: inout sha256_ctx, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        nettle_sha256_update(&context, bytes.count, base.assumingMemoryBound(to: UInt8.self))
    }
}
