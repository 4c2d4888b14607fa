import Foundation

/// Opaque, time-ordered identifiers: 48 bits of milliseconds and 80 random bits in Crockford
/// base32 (26 characters). Sorting ids sorts by creation time, which keyset pagination relies on.
public enum OpaqueID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    public static func make(at date: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    public static func make<G: RandomNumberGenerator>(at date: Date, using generator: inout G) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var chars: [Character] = []
        chars.reserveCapacity(26)
        // 10 characters of time (50 bits, the top 2 always zero).
        for shift in stride(from: 45, through: 0, by: -5) {
            chars.append(alphabet[Int((millis >> UInt64(shift)) & 31)])
        }
        for _ in 0..<16 {
            chars.append(alphabet[Int(generator.next() & 31)])
        }
        return String(chars)
    }

    /// Whether `text` has the shape of an id this module makes; used to reject junk early.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 26 && text.allSatisfy { alphabet.contains($0) }
    }
}

public struct MemberID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: MemberID, b: MemberID) -> Bool { a.rawValue < b.rawValue }
}

extension OpaqueID {
    /// The smallest id that `make(at:)` can return for `date`: every id made at or after it sorts after it.
    public static func floor(at date: Date) -> String {
        let id = make(at: date)
        return String(id.prefix(10)) + String(repeating: "0", count: 16)
    }

    /// When an id was made (to the millisecond); nil for text that is not an id.
    public static func date(of id: String) -> Date? {
        guard isWellFormed(id) else { return nil }
        var millis: UInt64 = 0
        for character in id.prefix(10) {
            guard let value = alphabetIndex[character] else { return nil }
            millis = millis << 5 | UInt64(value)
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    private static let alphabetIndex: [Character: Int] = Dictionary(
        uniqueKeysWithValues: Array("0123456789abcdefghjkmnpqrstvwxyz").enumerated().map { ($0.element, $0.offset) })
}
