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
        var result: [Segment] = []
        var current = String.UnicodeScalarView()
        var currentIsCJK = false
        func flush() {
            if !current.isEmpty {
                var word = String(current)
                if !currentIsCJK {
                    // "Node.js." keeps its inner dot, not the sentence's.
                    while let last = word.last, last == "." { word.removeLast() }
                }
                if !word.isEmpty { result.append(Segment(text: word, isCJK: currentIsCJK)) }
                current = String.UnicodeScalarView()
            }
        }
        let scalars = Array(normalize(text).unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch script(scalar) {
            case .cjk:
                if !currentIsCJK { flush() }
                currentIsCJK = true
                current.append(scalar)
            case .word:
                if currentIsCJK { flush() }
                currentIsCJK = false
                current.append(scalar)
            case .other:
                // Keep C++, C#, F# and Node.js whole: a joiner inside or right after a word.
                let joins = !currentIsCJK && !current.isEmpty && (scalar == "+" || scalar == "#" || scalar == ".")
                let nextIsWord = index + 1 < scalars.count && script(scalars[index + 1]) == .word
                if joins && (scalar != "." || nextIsWord) {
                    current.append(scalar)
                } else {
                    flush()
                }
            }
        }
        flush()
        return result
    }

    /// The terms a text is indexed under, in order: words, and for each CJK run its bigrams (or the one
    /// character of a run of one).
    public static func indexTerms(_ text: String) -> [String] {
        var terms: [String] = []
        for segment in segments(text) {
            if segment.isCJK {
                terms.append(contentsOf: bigrams(segment.text))
            } else {
                terms.append(segment.text)
            }
        }
        return terms
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
