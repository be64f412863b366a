/// What a code names: the tag that makes ``DossierID``, ``DepartmentCode`` and
/// ``ProcedureCode`` different types with one implementation.
public protocol CodeKind: Sendable {
    /// How the code is called in messages, for example `dossier id`.
    static var label: String { get }
    /// The longest code, in UTF-8 bytes.
    static var bytesMax: Int { get }
}

/// A short identifier such as a dossier's code, `H34.12-190117-0001`: non-empty, at most
/// `Kind.bytesMax` UTF-8 bytes, without control characters or surrounding spaces.
///
/// Codes are compared, hashed and sorted by their UTF-8 bytes, as the log tells them apart:
/// `Sở` written precomposed and decomposed are two codes (two dossiers, two departments),
/// though `String`'s `==` equates them. Codes are kept as given, never normalized.
public struct Code<Kind: CodeKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The code's text.
    public let rawValue: String

    /// Checks and wraps a code.
    ///
    /// - Throws: ``CodeError`` naming what is wrong; the message includes the code only when
    ///   it is short enough to identify it.
    public init(_ rawValue: String) throws(CodeError) {
        let count = rawValue.utf8.count
        guard count > 0 else { throw CodeError(label: Kind.label, problem: "is empty") }
        guard count <= Kind.bytesMax else { throw CodeError(label: Kind.label, problem: "has \(count) bytes; the limit is \(Kind.bytesMax)") }
        // One pass over the bytes: whether any is not ASCII, and whether any is an ASCII control.
        let (high, control) = rawValue.utf8.withContiguousStorageIfAvailable { bytes in
            var (high, control): (UInt8, Bool) = (0, false)
            for byte in bytes {
                high |= byte
                control = control || byte < 0x20 || byte == 0x7F
            }
            return (high, control)
        } ?? (UInt8(0x80), false)
        if high < 0x80 {
            // ASCII, the usual case: the same rules without Unicode tables.
            guard !control else {
                throw CodeError(label: Kind.label, problem: "contains a control character")
            }
            guard rawValue.utf8.first != 0x20, rawValue.utf8.last != 0x20 else {
                throw CodeError(label: Kind.label, problem: "begins or ends with a space")
            }
        } else {
            guard !rawValue.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw CodeError(label: Kind.label, problem: "contains a control character")
            }
            guard rawValue.first?.isWhitespace == false, rawValue.last?.isWhitespace == false else {
                throw CodeError(label: Kind.label, problem: "begins or ends with a space")
            }
        }
        self.rawValue = rawValue
    }

    /// The code's text.
    public var description: String { rawValue }

    /// Whether the two codes have the same UTF-8 bytes.
    public static func == (lhs: Code, rhs: Code) -> Bool { Bytewise.equal(lhs.rawValue, rhs.rawValue) }

    /// Hashes the code's UTF-8 bytes.
    public func hash(into hasher: inout Hasher) { Bytewise.hash(rawValue, into: &hasher) }

    /// Codes sort by their UTF-8 bytes (the order of their Unicode scalars).
    public static func < (lhs: Code, rhs: Code) -> Bool { Bytewise.precedes(lhs.rawValue, rhs.rawValue) }
}

/// A code that breaks the rules of ``Code``.
public struct CodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of code, for example `department code`.
    public let label: String
    /// What is wrong with it.
    public let problem: String

    /// `the department code is empty`.
    public var description: String { "the \(label) \(problem)" }
}

/// The tag of dossier codes.
public enum DossierKind: CodeKind {
    /// `dossier id`.
    public static let label = "dossier id"
    /// 100 bytes: real dossier codes have about 20.
    public static let bytesMax = 100
}

/// The tag of department codes.
public enum DepartmentKind: CodeKind {
    /// `department code`.
    public static let label = "department code"
    /// 32 bytes.
    public static let bytesMax = 32
}

/// The tag of procedure codes.
public enum ProcedureKind: CodeKind {
    /// `procedure code`.
    public static let label = "procedure code"
    /// 64 bytes.
    public static let bytesMax = 64
}

/// A dossier's code (mã hồ sơ), for example `H34.12-190117-0001`: the id of its stream.
public typealias DossierID = Code<DossierKind>
/// A department's code, for example `STP` for Sở Tư pháp.
public typealias DepartmentCode = Code<DepartmentKind>
/// An administrative procedure's code (mã thủ tục), for example `1.001234`.
public typealias ProcedureCode = Code<ProcedureKind>

extension Code {
    /// Wraps text already checked, such as a code read back from the ledger.
    init(unchecked rawValue: String) { self.rawValue = rawValue }
}
