import Foundation

/// A calendar month, `YYYY-MM`, as used for the start and end of positions.
public struct YearMonth: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1900...2100).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM`; anything else (`2020-13`, `2020-1`, `20-01`) is nil.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) }),
            let year = Int(text.prefix(4)), let month = Int(text.suffix(2))
        else { return nil }
        self.init(year: year, month: month)
    }

    public var description: String {
        // Not String(format:): a profile writes a few of these per position, on every read of it.
        let digits: [UInt8] = [
            UInt8(48 + year / 1000 % 10), UInt8(48 + year / 100 % 10), UInt8(48 + year / 10 % 10), UInt8(48 + year % 10), 45,
            UInt8(48 + month / 10 % 10), UInt8(48 + month % 10),
        ]
        return String(decoding: digits, as: UTF8.self)
    }

    public static func < (a: YearMonth, b: YearMonth) -> Bool {
        (a.year, a.month) < (b.year, b.month)
    }
}

public enum Locale: String, Sendable, CaseIterable {
    case en
    case ja

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    public static func preferred(acceptLanguage header: String?) -> Locale? {
        guard let header, !header.isEmpty else { return nil }
        var best: (Locale, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = pieces.first else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                // RFC 9110: a weight is 0 to 1; anything else counts as 0.
                let weight = Double(parameter.dropFirst(2)) ?? 0
                quality = (0...1).contains(weight) ? weight : 0
            }
            let language = tag.split(separator: "-").first.map(String.init) ?? tag
            guard quality > 0, let locale = Locale(rawValue: language) else { continue }
            if best == nil || quality > best!.1 { best = (locale, quality) }
        }
        return best?.0
    }
}

public enum ProfileVisibility: String, Sendable, CaseIterable {
    /// Anyone, also logged out; indexable.
    case `public`
    /// Any logged-in member.
    case members
    /// Only the member's connections.
    case connections
}

public enum ConnectionsVisibility: String, Sendable, CaseIterable {
    case connections
    case onlyMe
}

public enum OpenToWorkVisibility: String, Sendable, CaseIterable {
    case recruitersOnly
    case everyone
}

public enum MemberRole: String, Sendable, CaseIterable {
    case member
    case recruiter
    /// Works the queue of reported posts and comments.
    case moderator
    /// An operator: what a moderator does, from the site.
    case admin

    /// Whether this role may see and resolve reports.
    public var moderates: Bool { self == .moderator || self == .admin }
}
