/// The head of a ledger as an auditor writes it down: a position and the chain hash there,
/// printed `HEX@POSITION`. Verifying a later ledger against a digest proves that it extends the
/// digested log unchanged (``Ledger/verify(against:)``).
public struct LedgerDigest: Hashable, Sendable, LosslessStringConvertible {
    /// The position of the last event covered (0 for an empty ledger).
    public let position: UInt64
    /// The chain hash at ``position`` (``ChainHash/genesis`` for an empty ledger).
    public let chainHash: ChainHash

    /// Creates a digest.
    public init(position: UInt64, chainHash: ChainHash) {
        self.position = position
        self.chainHash = chainHash
    }

    /// Parses `HEX@POSITION`, for example the output of `dossier-ledger digest`.
    public init?(_ description: String) {
        let parts = description.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let hash = ChainHash(hex: parts[0]), let position = UInt64(parts[1]) else { return nil }
        self.init(position: position, chainHash: hash)
    }

    /// `HEX@POSITION`.
    public var description: String { "\(chainHash.hex)@\(position)" }
}
