import Foundation
import TsunagariCore

/// One text analysis for every database: what a profile is indexed as and what a query term looks for.
///
/// - Unicode NFKC (full-width ASCII becomes ASCII, half-width katakana becomes full-width, ㈱ becomes (株)),
///   then case folding, so ＳＷＩＦＴ, swift and Swift are one word.
/// - Latin-script text (letters, digits, and the `+ # .` of names like C++, C# and Node.js inside a word)
///   is split into words.
/// - Runs of Japanese (and other CJK) characters have no spaces, so they are indexed as overlapping
///   bigrams, and a run of one character as that unigram: any substring of two or more characters,
///   such as 英語 or 職務経歴, is found by looking up its bigrams in order.
public enum TextAnalyzer {
    /// NFKC and case folding.
    public static func normalize(_ text: String) -> String { Folding.nfkcLowercased(text) }

    enum Script {
        case word
        case cjk
        case other
    }

    static func script(_ scalar: Unicode.Scalar) -> Script {
        if scalar.isASCII {
            // Most text is ASCII or CJK: no property lookup for either.
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return .word
            default: return .other
            }
        }
        switch scalar.value {
        case 0x3040...0x309F, 0x30A0...0x30FF, 0x31F0...0x31FF,  // hiragana, katakana
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F,  // CJK ideographs
            0xAC00...0xD7AF, 0x3005, 0x3006, 0x3007:  // hangul, 々 〆 〇
            return .cjk
        default:
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil { return .word }
            return .other
        }
    }

    /// A piece of analysed text: a word or a CJK run, with where it starts among the pieces.
    public struct Segment: Equatable, Sendable {
        public var text: String
        public var isCJK: Bool
    }

    /// Splits normalised text into words and CJK runs, in order.
    public static func segments(_ text: String) -> [Segment] {
        var normalized = normalize(text)
        return normalized.withUTF8 { bytes in
            var result: [Segment] = []
            scan(bytes) { range, isCJK in result.append(Segment(text: string(bytes, range), isCJK: isCJK)) }
            return result
        }
    }

    /// The terms a text is indexed under, in order: words, and for each CJK run its bigrams (or the one
    /// character of a run of one).
    public static func indexTerms(_ text: String) -> [String] {
        var normalized = normalize(text)
        return normalized.withUTF8 { bytes in
            var terms: [String] = []
            scan(bytes) { range, isCJK in
                guard isCJK else { return terms.append(string(bytes, range)) }
                // Overlapping bigrams: from each character's first byte to the end of the next character.
                var first = range.lowerBound
                var second = first + scalarLength(bytes[first])
                guard second < range.upperBound else { return terms.append(string(bytes, range)) }
                while second < range.upperBound {
                    let end = second + scalarLength(bytes[second])
                    terms.append(string(bytes, first..<end))
                    first = second
                    second = end
                }
            }
            return terms
        }
    }

    /// Finds the words and CJK runs of normalised text as ranges of its UTF-8 bytes, in order. Each is a run of whole
    /// characters, so it is cut out of the text in one copy: building it a character at a time was most of the
    /// analysis of a profile (docs/BENCHMARKS.md "Request path, round 5").
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Range<Int>, Bool) -> Void) {
        var start = 0
        var end = 0  // the run is bytes[start..<end]; empty when start == end
        var currentIsCJK = false
        func flush() {
            guard start < end else { return }
            var last = end
            if !currentIsCJK {
                // "Node.js." keeps its inner dot, not the sentence's.
                while last > start && bytes[last - 1] == UInt8(ascii: ".") { last -= 1 }
            }
            if start < last { emit(start..<last, currentIsCJK) }
            start = end
        }
        var index = 0
        while index < bytes.count {
            let length = scalarLength(bytes[index])
            let scalar = decode(bytes, at: index, length: length)
            let next = index + length
            switch script(scalar) {
            case .cjk:
                if !currentIsCJK { flush() }
                currentIsCJK = true
                if start == end { start = index }
                end = next
            case .word:
                if currentIsCJK { flush() }
                currentIsCJK = false
                if start == end { start = index }
                end = next
            case .other:
                // Keep C++, C#, F# and Node.js whole: a joiner inside or right after a word.
                let joins = !currentIsCJK && start < end && (scalar == "+" || scalar == "#" || scalar == ".")
                let nextIsWord = next < bytes.count && script(decode(bytes, at: next, length: scalarLength(bytes[next]))) == .word
                if joins && (scalar != "." || nextIsWord) {
                    end = next
                } else {
                    flush()
                    start = next
                    end = next
                }
            }
            index = next
        }
        flush()
    }

    @inline(__always)
    static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// The scalar whose `length` bytes start at `index` (the text is valid UTF-8, as every String is).
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> Unicode.Scalar {
        var value = UInt32(bytes[index])
        switch length {
        case 1: break
        case 2: value = (value & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
        case 3: value = (value & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        default:
            value = (value & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                | UInt32(bytes[index + 3] & 0x3F)
        }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Overlapping bigrams of a CJK run; a run of one character is its own term.
    public static func bigrams(_ run: String) -> [String] {
        let characters = Array(run.unicodeScalars)
        guard characters.count > 1 else { return [run] }
        return (0..<(characters.count - 1)).map { String(String.UnicodeScalarView([characters[$0], characters[$0 + 1]])) }
    }

    /// Hiragana and katakana as one, for name readings: やまだ and ヤマダ (and ﾔﾏﾀﾞ) match.
    public static func foldKana(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in normalize(text).unicodeScalars {
            if (0x3041...0x3096).contains(scalar.value), let katakana = Unicode.Scalar(scalar.value + 0x60) {
                scalars.append(katakana)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
