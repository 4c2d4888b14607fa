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
    /// Kana, ideographs and Japanese punctuation, which the fold leaves as they are, each a character of its own
    /// (no combining marks: U+302A–302F and U+3099–309A are left out).
    static func foldsToItself(_ value: UInt32) -> Bool {
        switch value {
        case 0x3001...0x3029, 0x3030...0x3035, 0x303B...0x303F, 0x3041...0x3096, 0x309D...0x309E, 0x30A0...0x30FE,
            0x3400...0x4DBF, 0x4E00...0x9FFF: true
        default: false
        }
    }

    /// The whole text folded without Unicode's tables when every character is one `foldedCharacter` takes on itself
    /// (most profile text: ASCII, kana and ideographs); nil otherwise.
    static func quickFold(_ text: String) -> String? {
        quickFoldedBytes(text).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A character folded as search folds text: ASCII lower-cased, and kana and ideographs as they are, without
    /// asking Unicode's tables; anything else by `TextAnalyzer.normalize`.
    static func foldedCharacter(_ character: Character) -> String {
        let scalars = character.unicodeScalars
        if scalars.count == 1, let scalar = scalars.first {
            switch scalar.value {
            case 0x41...0x5A: return String(Character(Unicode.Scalar(scalar.value + 0x20)!))
            case 0x09, 0x0A, 0x20...0x40, 0x5B...0x7E: return String(character)
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


    /// `text`'s UTF-8 bytes folded as `quickFold` folds it, or nil where it would give nil. Each character it takes is
    /// one scalar folded to as many bytes, so the folded bytes line up with the text's own.
    static func quickFoldedBytes(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { bytes -> [UInt8]? in
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                var index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte < 0x80 {
                        // Tabs and line feeds are characters of their own; a carriage return may join a line feed.
                        guard byte >= 0x20 && byte <= 0x7E || byte == 0x09 || byte == 0x0A else { failed = true; break }
                        buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                        index += 1
                    } else {
                        // Kana and ideographs are all of three bytes; anything else goes through the tables.
                        guard byte & 0xF0 == 0xE0, index + 2 < bytes.count else { failed = true; break }
                        let value = UInt32(byte & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                        guard foldsToItself(value) else { failed = true; break }
                        buffer[index] = byte
                        buffer[index + 1] = bytes[index + 1]
                        buffer[index + 2] = bytes[index + 2]
                        index += 3
                    }
                }
                count = failed ? 0 : bytes.count
            }
            return failed ? nil : out
        }
    }

    public static func highlight(_ text: String, needles: Needles, width: Int = 80) -> Highlight? {
        // Most fields hold none of the words: the whole text folded at once tells, before the fold character by
        // character (one normalisation per character) that maps a match back to the text as written. When the text
        // and the words are all of one-scalar characters, comparing bytes tells the same as comparing characters,
        // and the marks are found on the bytes too.
        if let bytes = needles.bytes, let folded = quickFoldedBytes(text) {
            guard bytes.contains(where: { contains(folded, $0) }) else { return nil }
            return quickHighlight(text, folded: folded, needles: bytes, width: width)
        }
        let whole = TextAnalyzer.normalize(text)
        guard needles.strings.contains(where: { whole.contains($0) }) else { return nil }
        return highlightByCharacters(text, needles: needles, width: width)
    }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { occurs(needle, in: $0, at: nil) }
    }

    /// Whether `needle` occurs in `bytes` at `offset` (anywhere when nil).
    private static func occurs(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at offset: Int?) -> Bool {
        guard let first = needle.first else { return true }
        let last = bytes.count - needle.count
        guard last >= 0 else { return false }
        func matches(_ index: Int) -> Bool {
            guard bytes[index] == first else { return false }
            var matched = 1
            while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
            return matched == needle.count
        }
        if let offset { return offset <= last && matches(offset) }
        for index in 0...last where matches(index) { return true }
        return false
    }

    /// `highlightByCharacters` for a text whose characters are each one scalar that folds to itself or to a lower-case
    /// ASCII letter (`folded`, its bytes folded, from `quickFoldedBytes`) and words of such characters: the same
    /// marks, found on the bytes, with characters counted where the marks and the excerpt need them.
    static func quickHighlight(_ text: String, folded: [UInt8], needles: [[UInt8]], width: Int) -> Highlight? {
        // Where each character starts in the bytes, and the end.
        var starts: [Int] = []
        starts.reserveCapacity(folded.count + 1)
        for (index, byte) in folded.enumerated() where byte & 0xC0 != 0x80 { starts.append(index) }
        let count = starts.count
        starts.append(folded.count)
        var marks: [Range<Int>] = []
        folded.withUnsafeBufferPointer { bytes in
            for needle in needles {
                let length = needle.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
                var start = 0
                while start + length <= count {
                    if occurs(needle, in: bytes, at: starts[start]) {
                        marks.append(start..<(start + length))
                        start += length
                    } else {
                        start += 1
                    }
                }
            }
        }
        var text = text
        return text.withUTF8 { bytes in
            excerpt(count: count, marks: marks, width: width) { range in
                String(decoding: UnsafeBufferPointer(rebasing: bytes[starts[range.lowerBound]..<starts[range.upperBound]]), as: UTF8.self)
            }
        }
    }

    /// The general way: the text folded character by character (each through `foldedCharacter`), so that a match in
    /// the folded text maps back to the characters it came from.
    static func highlightByCharacters(_ text: String, needles: Needles, width: Int) -> Highlight? {
        let characters = Array(text)
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
        return excerpt(count: characters.count, marks: marks, width: width) { String(characters[$0]) }
    }

    /// About `width` characters of a text of `count` characters around the first mark, with the marks inside it
    /// (overlapping ones merged); `slice` gives the characters of a range. Nil without marks.
    private static func excerpt(count: Int, marks: [Range<Int>], width: Int, slice: (Range<Int>) -> String) -> Highlight? {
        guard let first = marks.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        let from = max(0, min(first.lowerBound - width / 3, count - width))
        let to = min(count, from + width)
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
        return Highlight(text: slice(from..<to), marks: merged)
    }
}

import Foundation
