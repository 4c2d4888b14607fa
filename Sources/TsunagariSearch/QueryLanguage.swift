/// Recruiter queries: terms with implicit AND; AND, OR, NOT and `-term`; "exact phrases" (also 「」);
/// parentheses; precedence NOT > AND > OR; field prefixes name:, title:, company:, school:, skill:.
public indirect enum SearchQuery: Equatable, Sendable {
    public enum Field: String, Sendable, CaseIterable {
        case name
        case title
        case company
        case school
        case skill
    }

    case term(String, field: Field?)
    case phrase(String, field: Field?)
    case and([SearchQuery])
    case or([SearchQuery])
    case not(SearchQuery)
}

/// A syntax error: where (a character offset from 0) and what was expected there.
public struct QuerySyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let position: Int
    public let expected: String

    public var description: String { "Syntax error at character \(position + 1): expected \(expected)." }
}

/// A query past one of the parser's limits (`QueryParser.maximumTerms` and the others): well formed, but more than
/// search takes on, so that no query's cost is unbounded. Where (a character offset from 0) and which limit.
public struct QueryTooComplexError: Error, Equatable, Sendable, CustomStringConvertible {
    public let position: Int
    public let limit: String

    public var description: String { "The query is too complex at character \(position + 1): \(limit)." }
}

public enum QueryParser {
    enum Token: Equatable {
        case word(String)
        case phrase(String)
        case field(SearchQuery.Field)
        case and
        case or
        case not
        case minus
        case open
        case close
        case end
    }

    struct Located {
        let token: Token
        let position: Int
    }

    public static let maximumLength = 1_000

    // Limits that bound what a query can cost, so that none can hold the index (and the writers waiting for it)
    // for long or recurse deeply, whatever its text. They are far beyond what a recruiter writes: the longest
    // Boolean strings recruiters share hold 20–40 words and phrases and 3–4 levels of parentheses; a job title
    // in Japanese is rarely over 20 characters (19 bigrams).

    /// Words and phrases (a field prefix and its word count once; AND, OR, NOT and `-` are not words).
    public static let maximumTerms = 64
    /// Parentheses and negations within one another: `((a))` is 2 deep, `NOT (a OR -b)` 3.
    public static let maximumDepth = 16
    /// Analysed terms of one word or phrase: a CJK run of n characters is n − 1 bigrams, so 32 is a phrase of 33
    /// CJK characters or 32 words. The index intersects a posting list per distinct term of a phrase.
    public static let maximumPhraseTerms = 32
    /// Analysed terms of the whole query.
    public static let maximumAnalysedTerms = 128

    /// Parses a query; throws `QuerySyntaxError` for a malformed one and `QueryTooComplexError` for one past the
    /// limits above. Parsing recurses only as deep as the parentheses and negations nest, which is checked first.
    public static func parse(_ text: String) throws -> SearchQuery {
        let characters = Array(text)
        guard characters.count <= maximumLength else {
            throw QuerySyntaxError(position: maximumLength, expected: "a query of at most \(maximumLength) characters")
        }
        var parser = Parser(tokens: try tokenize(characters))
        if parser.peek.token == .end { throw QuerySyntaxError(position: 0, expected: "a search term") }
        let query = try parser.parseOr()
        guard parser.peek.token == .end else {
            throw QuerySyntaxError(position: parser.peek.position, expected: parser.peek.token == .close ? "no ')' without a matching '('" : "the end of the query")
        }
        return query
    }

    static func tokenize(_ characters: [Character]) throws -> [Located] {
        var tokens: [Located] = []
        var index = 0
        var terms = 0
        var analysed = 0
        /// Counts a word or phrase against the limits as it is read, so that an oversized query is refused before
        /// any further work.
        func count(_ text: String, at position: Int) throws {
            terms += 1
            if terms > maximumTerms {
                throw QueryTooComplexError(position: position, limit: "at most \(maximumTerms) words and phrases")
            }
            let length = TextAnalyzer.indexTerms(text).count
            if length > maximumPhraseTerms {
                throw QueryTooComplexError(
                    position: position, limit: "a word or phrase of at most \(maximumPhraseTerms) words (\(maximumPhraseTerms + 1) characters in Japanese)")
            }
            analysed += length
            if analysed > maximumAnalysedTerms {
                throw QueryTooComplexError(position: position, limit: "at most \(maximumAnalysedTerms) words in all (a run of Japanese characters counts one for each character after the first)")
            }
        }
        func isBreak(_ c: Character) -> Bool { c.isWhitespace || c == "(" || c == ")" || c == "\"" || c == "「" || c == "」" || c == "（" || c == "）" }
        while index < characters.count {
            let c = characters[index]
            if c.isWhitespace || c == "\u{3000}" {
                index += 1
                continue
            }
            if c == "(" || c == "（" {
                tokens.append(Located(token: .open, position: index))
                index += 1
                continue
            }
            if c == ")" || c == "）" {
                tokens.append(Located(token: .close, position: index))
                index += 1
                continue
            }
            if c == "\"" || c == "「" || c == "“" {
                let closing: Character = c == "「" ? "」" : (c == "“" ? "”" : "\"")
                let start = index
                index += 1
                var phrase = ""
                while index < characters.count && characters[index] != closing && !(closing == "\"" && characters[index] == "”") {
                    phrase.append(characters[index])
                    index += 1
                }
                guard index < characters.count else {
                    throw QuerySyntaxError(position: characters.count, expected: "a closing \(closing) for the phrase opened at character \(start + 1)")
                }
                index += 1
                if phrase.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw QuerySyntaxError(position: start, expected: "words inside the quotes")
                }
                try count(phrase, at: start)
                tokens.append(Located(token: .phrase(phrase), position: start))
                continue
            }
            if c == "-" || c == "−" || c == "－" {
                // A minus that starts a word negates it: -intern.
                if index + 1 < characters.count && !isBreak(characters[index + 1]) || (index + 1 < characters.count && (characters[index + 1] == "\"" || characters[index + 1] == "(" || characters[index + 1] == "「")) {
                    tokens.append(Located(token: .minus, position: index))
                    index += 1
                    continue
                }
            }
            let start = index
            var word = ""
            while index < characters.count && !isBreak(characters[index]) && characters[index] != "\u{3000}" {
                word.append(characters[index])
                index += 1
                // A field prefix ends at its colon: title:engineer, title:"sales manager".
                if characters[index - 1] == ":" || characters[index - 1] == "：" {
                    let name = String(word.dropLast()).lowercased()
                    if let field = SearchQuery.Field(rawValue: name) {
                        tokens.append(Located(token: .field(field), position: start))
                        word = ""
                        break
                    }
                }
            }
            if word.isEmpty { continue }
            switch word {
            case "AND", "&&": tokens.append(Located(token: .and, position: start))
            case "OR", "||": tokens.append(Located(token: .or, position: start))
            case "NOT": tokens.append(Located(token: .not, position: start))
            default:
                try count(word, at: start)
                tokens.append(Located(token: .word(word), position: start))
            }
        }
        tokens.append(Located(token: .end, position: characters.count))
        return tokens
    }

    struct Parser {
        let tokens: [Located]
        var index = 0
        /// How many parentheses and negations enclose the part being parsed.
        var depth = 0

        /// Parses one level deeper, refused past `maximumDepth` before recursing.
        mutating func nested(at position: Int, _ body: (inout Parser) throws -> SearchQuery) throws -> SearchQuery {
            guard depth < maximumDepth else {
                throw QueryTooComplexError(position: position, limit: "at most \(maximumDepth) parentheses and negations within one another")
            }
            depth += 1
            defer { depth -= 1 }
            return try body(&self)
        }

        var peek: Located { tokens[index] }

        mutating func advance() -> Located {
            let token = tokens[index]
            if index < tokens.count - 1 { index += 1 }
            return token
        }

        mutating func parseOr() throws -> SearchQuery {
            var parts = [try parseAnd()]
            while peek.token == .or {
                _ = advance()
                parts.append(try parseAnd())
            }
            return parts.count == 1 ? parts[0] : .or(parts)
        }

        mutating func parseAnd() throws -> SearchQuery {
            var parts = [try parseNot()]
            while true {
                switch peek.token {
                case .and:
                    _ = advance()
                    parts.append(try parseNot())
                case .word, .phrase, .field, .not, .minus, .open:
                    parts.append(try parseNot())  // implicit AND
                default:
                    return parts.count == 1 ? parts[0] : .and(parts)
                }
            }
        }

        mutating func parseNot() throws -> SearchQuery {
            if peek.token == .not || peek.token == .minus {
                let negation = advance()
                return .not(try nested(at: negation.position) { try $0.parseNot() })
            }
            return try parsePrimary()
        }

        mutating func parsePrimary() throws -> SearchQuery {
            let located = advance()
            switch located.token {
            case .open:
                if peek.token == .close { throw QuerySyntaxError(position: peek.position, expected: "a search term inside the parentheses") }
                let inner = try nested(at: located.position) { try $0.parseOr() }
                guard peek.token == .close else { throw QuerySyntaxError(position: peek.position, expected: "')'") }
                _ = advance()
                return inner
            case .field(let field):
                let next = advance()
                switch next.token {
                case .word(let word): return .term(word, field: field)
                case .phrase(let phrase): return .phrase(phrase, field: field)
                default: throw QuerySyntaxError(position: next.position, expected: "a term or a \"phrase\" after \(field.rawValue):")
                }
            case .word(let word):
                return .term(word, field: nil)
            case .phrase(let phrase):
                return .phrase(phrase, field: nil)
            case .end:
                throw QuerySyntaxError(position: located.position, expected: "a search term after the operator")
            case .close:
                throw QuerySyntaxError(position: located.position, expected: "a search term before ')'")
            case .and, .or:
                throw QuerySyntaxError(position: located.position, expected: "a search term before \(located.token == .and ? "AND" : "OR")")
            case .not, .minus:
                return .not(try nested(at: located.position) { try $0.parseNot() })
            }
        }
    }
}

import Foundation
