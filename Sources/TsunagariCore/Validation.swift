import Foundation

/// Limits on what members write, one place for all of them.
public enum TextLimit {
    public static let name = 100
    public static let nameReading = 100
    public static let handle = 30
    public static let headline = 220
    public static let location = 100
    public static let industry = 100
    public static let about = 2_600
    public static let companyName = 100
    public static let title = 100
    public static let positionDescription = 2_000
    public static let school = 150
    public static let degree = 100
    public static let field = 100
    public static let skill = 80
    public static let skillCount = 100
    /// Positions and educations per member: more than any real career, few enough that a profile stays cheap to
    /// show, index and search.
    public static let positionCount = 100
    public static let educationCount = 100
    public static let openToWorkEntries = 10
    public static let certificationName = 150
    public static let issuer = 150
    public static let credentialID = 100
    public static let score = 30
    public static let url = 500
    public static let languageName = 50
    public static let projectName = 150
    public static let projectDescription = 2_000
    public static let cause = 100
    public static let phone = 30
    public static let websiteLabel = 50
    public static let websiteCount = 5
    public static let certificationCount = 50
    public static let languageCount = 20
    public static let projectCount = 50
    public static let email = 254
    public static let passwordMinimum = 10
    public static let passwordMaximum = 200
}

public enum TextRule {
    /// What trimming removes: Unicode's white space (tab to carriage return, U+0085, and the space separators
    /// and line and paragraph separators), the zero-width space and the byte-order mark. Spelt out rather than
    /// taken from Foundation, whose tables differ between platforms; the API document's patterns (`WS` in
    /// docs/api/generate-openapi.py) name the same characters.
    static let blank: CharacterSet = {
        var set = CharacterSet()
        for range: ClosedRange<Unicode.Scalar> in [
            "\u{09}"..."\u{0D}", " "..." ", "\u{85}"..."\u{85}", "\u{A0}"..."\u{A0}", "\u{1680}"..."\u{1680}",
            "\u{2000}"..."\u{200B}", "\u{2028}"..."\u{2029}", "\u{202F}"..."\u{202F}", "\u{205F}"..."\u{205F}",
            "\u{3000}"..."\u{3000}", "\u{FEFF}"..."\u{FEFF}",
        ] {
            set.insert(charactersIn: range)
        }
        return set
    }()

    /// Trims the text and checks it: no control characters (newlines and tabs only where `multiline`),
    /// at most `limit` characters. Returns nil for empty text.
    /// Lengths count Unicode scalars, as JSON Schema's `maxLength` does, and include what trimming removes,
    /// so that the API document and the server agree on every input.
    public static func clean(_ raw: String, field: String, limit: Int, multiline: Bool = false) throws -> String? {
        if raw.unicodeScalars.count > limit {
            throw DomainError.invalid("too_long", "\(field) must be at most \(limit) characters.")
        }
        let text = raw.trimmingCharacters(in: blank)
        if text.isEmpty { return nil }
        if text.unicodeScalars.count > limit {
            throw DomainError.invalid("too_long", "\(field) must be at most \(limit) characters.")
        }
        for scalar in text.unicodeScalars {
            let allowed = multiline && (scalar == "\n" || scalar == "\t" || scalar == "\r")
            if !allowed && (scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}") {
                throw DomainError.invalid("invalid_text", "\(field) contains a control character.")
            }
        }
        return text
    }

    public static func required(_ raw: String, field: String, limit: Int, multiline: Bool = false) throws -> String {
        guard let text = try clean(raw, field: field, limit: limit, multiline: multiline) else {
            throw DomainError.invalid("required", "\(field) is required.")
        }
        return text
    }

    public static func optional(_ raw: String?, field: String, limit: Int, multiline: Bool = false) throws -> String? {
        guard let raw else { return nil }
        return try clean(raw, field: field, limit: limit, multiline: multiline)
    }
}

public enum EmailAddress {
    /// The canonical form used for uniqueness and log-in: trimmed and lower-cased.
    public static func canonical(_ raw: String) throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= TextLimit.email, parts.count == 2, !parts[0].isEmpty,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw DomainError.invalid("invalid_email", "Enter a valid email address.")
        }
        return email
    }
}

public enum PasswordRule {
    private static let common: Set<String> = [
        "password12", "password123", "password1234", "1234567890", "12345678910", "qwertyuiop",
        "iloveyou123", "passw0rd123", "letmein1234", "0123456789", "abcdefghij", "abcd123456",
    ]

    public static func check(_ password: String, email: String? = nil) throws {
        let length = password.unicodeScalars.count
        if length < TextLimit.passwordMinimum {
            throw DomainError.invalid("weak_password", "Use at least \(TextLimit.passwordMinimum) characters for the password.")
        }
        if length > TextLimit.passwordMaximum {
            throw DomainError.invalid("weak_password", "Use at most \(TextLimit.passwordMaximum) characters for the password.")
        }
        let lowered = password.lowercased()
        if common.contains(lowered) || Set(password).count < 3 || (email.map { lowered == $0 } ?? false) {
            throw DomainError.invalid("weak_password", "This password is too easy to guess.")
        }
    }
}

public enum Handle {
    public static let reserved: Set<String> = [
        "admin", "api", "me", "settings", "login", "logout", "signup", "static", "healthz", "openapi", "in",
        "search", "network", "jobs", "messages", "notifications", "companies", "company", "help", "about",
        "tsunagari", "root", "support", "security", "photos", "sitemap", "robots",
    ]

    /// How long a handle a member gave up stays theirs: their old address redirects to the new one meanwhile, and
    /// no one else may take it.
    public static let reservation: TimeInterval = 180 * 24 * 60 * 60

    /// The key used for case-insensitive uniqueness.
    public static func key(_ handle: String) -> String { handle.lowercased() }

    /// 3–30 characters of ASCII letters, digits, `-` and `_`, starting with a letter or digit.
    public static func validate(_ handle: String) throws -> String {
        let allowed = handle.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_"
        }
        guard (3...TextLimit.handle).contains(handle.count), allowed,
            let first = handle.unicodeScalars.first, first != "-", first != "_"
        else {
            throw DomainError.invalid(
                "invalid_handle", "A handle is 3–30 letters, digits, '-' or '_', starting with a letter or digit.")
        }
        if reserved.contains(key(handle)) {
            throw DomainError(.conflict, code: "handle_taken", message: "This handle is reserved.")
        }
        return handle
    }

    /// A first guess at a handle from a member's name: its ASCII letters and digits, words joined by `-`.
    /// Names without enough Latin letters (most Japanese names) fall back to `member`.
    public static func base(fromName name: String) -> String {
        let folded = name.precomposedStringWithCompatibilityMapping.lowercased()
        let words = folded.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        let joined = words.joined(separator: "-")
        // Room for the "-12345" a taken handle gets.
        var trimmed = String(joined.prefix(TextLimit.handle - 6))
        while trimmed.hasSuffix("-") { trimmed.removeLast() }
        return trimmed.count >= 3 ? trimmed : "member"
    }
}
