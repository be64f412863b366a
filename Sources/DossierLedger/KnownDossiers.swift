/// The dossiers a submit has checked events of: their stream numbers and lifecycle states, by
/// code compared byte for byte as the log tells streams apart. (`String`'s `==` equates
/// canonically equivalent codes, such as `Hồ` written precomposed and decomposed, which are
/// different dossiers.)
struct KnownDossiers {
    /// What is known of one dossier.
    struct Entry {
        /// Its stream number, when it has stored events.
        var number: UInt64?
        /// Its state after the events stored and those of the submit so far.
        var state: DossierState
    }

    /// The dossiers with ASCII codes (the usual ones), for which `String`'s `==` compares bytes.
    private var ascii: [String: Entry] = [:]
    /// The others, by their UTF-8 bytes.
    private var other: [[UInt8]: Entry] = [:]

    init(capacity: Int) {
        ascii.reserveCapacity(capacity)
    }

    subscript(code: String) -> Entry? {
        get { Self.isASCII(code) ? ascii[code] : other[Array(code.utf8)] }
        set {
            if Self.isASCII(code) { ascii[code] = newValue } else { other[Array(code.utf8)] = newValue }
        }
    }

    private static func isASCII(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
    }
}
