/// A profile's searchable text, field by field, as the query language sees it.
public struct SearchDocument: Sendable {
    /// Texts under a field prefix (`title:`, `company:` …) and texts searched only without one
    /// (headline, about, descriptions, location), each a list of separate texts.
    public var fields: [SearchQuery.Field: [String]]
    public var other: [String]

    public init(fields: [SearchQuery.Field: [String]], other: [String]) {
        self.fields = fields
        self.other = other
    }

    func texts(_ field: SearchQuery.Field?) -> [String] {
        if let field { return fields[field] ?? [] }
        return fields.values.flatMap { $0 } + other
    }
}

/// Evaluates a parsed query against one document with the same analysis the index uses. The index
/// narrows the candidates; this decides exactly, so phrases and CJK substrings match only in order and
/// never across two separate texts.
public enum QueryMatcher {
    public static func matches(_ query: SearchQuery, _ document: SearchDocument) -> Bool {
        switch query {
        case .term(let text, let field), .phrase(let text, let field):
            let wanted = TextAnalyzer.indexTerms(text)
            guard !wanted.isEmpty else { return true }
            return document.texts(field).contains { contains(TextAnalyzer.indexTerms($0), wanted) }
        case .and(let parts):
            return parts.allSatisfy { matches($0, document) }
        case .or(let parts):
            return parts.contains { matches($0, document) }
        case .not(let inner):
            return !matches(inner, document)
        }
    }

    /// Whether `needle` occurs in `haystack` as a consecutive run.
    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        if needle.count == 1 { return haystack.contains(needle[0]) }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle
        }
    }

    /// The words of the query that a match can show: every term and phrase not under a NOT.
    public static func positiveTexts(_ query: SearchQuery) -> [String] {
        switch query {
        case .term(let text, _), .phrase(let text, _): return [text]
        case .and(let parts), .or(let parts): return parts.flatMap(positiveTexts)
        case .not: return []
        }
    }
}

/// A short excerpt of a text with the matched parts marked, for a result's snippet.
public struct Highlight: Equatable, Sendable {
    public var text: String
    /// Ranges of `text`, in Characters, to show marked.
    public var marks: [Range<Int>]

    public init(text: String, marks: [Range<Int>]) {
        self.text = text
        self.marks = marks
    }
}

public enum Highlighter {
    /// Kana and ideographs, which the fold leaves as they are.
    static func foldsToItself(_ value: UInt32) -> Bool {
        switch value {
        case 0x3041...0x3096, 0x30A1...0x30FA, 0x3400...0x4DBF, 0x4E00...0x9FFF: true
        default: false
        }
    }

    /// The whole text folded without Unicode's tables when every character is one `foldedCharacter` takes on itself
    /// (most profile text: ASCII, kana and ideographs); nil otherwise.
    static func quickFold(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: out.append(UInt8(scalar.value + 0x20))
            case 0x20...0x40, 0x5B...0x7E: out.append(UInt8(scalar.value))
            case let value where foldsToItself(value): out.append(contentsOf: String(scalar).utf8)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A character folded as search folds text: ASCII lower-cased, and kana and ideographs as they are, without
    /// asking Unicode's tables; anything else by `TextAnalyzer.normalize`.
    static func foldedCharacter(_ character: Character) -> String {
        let scalars = character.unicodeScalars
        if scalars.count == 1, let scalar = scalars.first {
            switch scalar.value {
            case 0x41...0x5A: return String(Character(Unicode.Scalar(scalar.value + 0x20)!))
            case 0x20...0x40, 0x5B...0x7E: return String(character)
            case let value where foldsToItself(value): return String(character)
            default: break
            }
        }
        return TextAnalyzer.normalize(String(character))
    }

    /// The query's words folded once, for highlighting many texts (a results page asks of every field of every result).
    public struct Needles: Sendable {
        /// Each word folded, in the query's order (an empty one kept, so that the marks are made as before).
        let folded: [[Character]]
        /// The non-empty words.
        let strings: [String]
        /// Their UTF-8 bytes, when every word is of the characters `quickFold` takes (one scalar each, no combining
        /// marks): in a text of such characters a word is found exactly where its bytes are; nil otherwise.
        let bytes: [[UInt8]]?

        public init(_ terms: [String]) {
            folded = terms.map { Array(TextAnalyzer.normalize($0).trimmingCharacters(in: .whitespaces)) }
            strings = folded.filter { !$0.isEmpty }.map { String($0) }
            bytes = strings.allSatisfy { quickFold($0) == $0 } ? strings.map { Array($0.utf8) } : nil
        }
    }

    /// Finds the query's words in `text` the way search does (width, case and NFKC folded) and returns an
    /// excerpt of about `width` characters around the first, with every occurrence in it marked.
    public static func highlight(_ text: String, terms: [String], width: Int = 80) -> Highlight? {
        highlight(text, needles: Needles(terms), width: width)
    }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    static func contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var haystack = haystack
        haystack.makeContiguousUTF8()  // nothing to do for a native string
        return haystack.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count >= needle.count else { return false }
            for index in 0...(bytes.count - needle.count) where bytes[index] == first {
                var matched = 1
                while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            return false
        } ?? false
    }

    public static func highlight(_ text: String, needles: Needles, width: Int = 80) -> Highlight? {
        // Most fields hold none of the words: the whole text folded at once tells, before the fold character by
        // character (one normalisation per character) that maps a match back to the text as written. When the text
        // and the words are all of one-scalar characters, comparing bytes tells the same as comparing characters.
        if let quick = quickFold(text), let bytes = needles.bytes {
            guard bytes.contains(where: { contains(quick, $0) }) else { return nil }
        } else {
            let whole = TextAnalyzer.normalize(text)
            guard needles.strings.contains(where: { whole.contains($0) }) else { return nil }
        }
        let characters = Array(text)
        // Fold character by character so that a match maps back to the text as written.
        var folded = ""
        var owner: [Int] = []
        for (index, character) in characters.enumerated() {
            let piece = foldedCharacter(character)
            folded += piece
            owner.append(contentsOf: repeatElement(index, count: piece.count))
        }
        let foldedCharacters = Array(folded)
        var marks: [Range<Int>] = []
        for needle in needles.folded {
            guard !needle.isEmpty, needle.count <= foldedCharacters.count else { continue }
            var start = 0
            while start + needle.count <= foldedCharacters.count {
                if foldedCharacters[start..<(start + needle.count)].elementsEqual(needle) {
                    let from = owner[start]
                    let to = owner[start + needle.count - 1] + 1
                    marks.append(from..<to)
                    start += needle.count
                } else {
                    start += 1
                }
            }
        }
        guard let first = marks.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        let from = max(0, min(first.lowerBound - width / 3, characters.count - width))
        let to = min(characters.count, from + width)
        let excerpt = String(characters[from..<to])
        let shifted = marks.filter { $0.lowerBound >= from && $0.upperBound <= to }
            .map { ($0.lowerBound - from)..<($0.upperBound - from) }
            .sorted { $0.lowerBound < $1.lowerBound }
        // Overlapping marks (英語 inside 英語力) become one.
        var merged: [Range<Int>] = []
        for mark in shifted {
            if let last = merged.last, mark.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, mark.upperBound)
            } else {
                merged.append(mark)
            }
        }
        return Highlight(text: excerpt, marks: merged)
    }
}

import Foundation
