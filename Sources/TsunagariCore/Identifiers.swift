import Foundation

/// Opaque, time-ordered identifiers: 48 bits of milliseconds and 80 random bits in Crockford
/// base32 (26 characters). Sorting ids sorts by creation time, which keyset pagination relies on.
public enum OpaqueID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// The last id made in this process's latest millisecond: ids made in the same millisecond follow it, so that
    /// their order is the order they were made in (two messages of a conversation sent within a millisecond).
    private static let last = LockedValue<(millis: UInt64, high: UInt16, low: UInt64)?>(nil)

    public static func make(at date: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let (high, low) = last.withLock { last -> (UInt16, UInt64) in
            var next = (high: UInt16(truncatingIfNeeded: generator.next()), low: generator.next())
            if let previous = last {
                // An earlier millisecond (an import's dates, say) is left alone: it sorts before the last anyway.
                if millis < previous.millis { return next }
                if previous.millis == millis {
                    // One more than the last, in the 80 bits the sixteen characters hold (wrapping past the top, which
                    // random bits reach once in 2⁸⁰).
                    next = (previous.high, previous.low &+ 1)
                    if next.low == 0 { next.high &+= 1 }
                }
            }
            last = (millis, next.high, next.low)
            return next
        }
        return format(millis: millis, high: high, low: low)
    }

    /// The time's ten characters, then the 80 bits `high` (16) and `low` (64) as sixteen.
    static func format(millis: UInt64, high: UInt16, low: UInt64) -> String {
        var chars: [Character] = []
        chars.reserveCapacity(26)
        for shift in stride(from: 45, through: 0, by: -5) {
            chars.append(alphabet[Int((millis >> UInt64(shift)) & 31)])
        }
        // Bits 79…64 are `high`, 63…0 `low`; five at a time from the top.
        for shift in stride(from: 75, through: 0, by: -5) {
            let value: UInt64
            if shift >= 64 {
                value = UInt64(high) >> UInt64(shift - 64)
            } else if shift > 59 {
                value = (low >> UInt64(shift)) | (UInt64(high) << UInt64(64 - shift))
            } else {
                value = low >> UInt64(shift)
            }
            chars.append(alphabet[Int(value & 31)])
        }
        return String(chars)
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
