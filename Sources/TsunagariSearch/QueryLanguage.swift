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
            default: tokens.append(Located(token: .word(word), position: start))
            }
        }
        tokens.append(Located(token: .end, position: characters.count))
        return tokens
    }

    struct Parser {
        let tokens: [Located]
        var index = 0

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
                _ = advance()
                return .not(try parseNot())
            }
            return try parsePrimary()
        }

        mutating func parsePrimary() throws -> SearchQuery {
            let located = advance()
            switch located.token {
            case .open:
                if peek.token == .close { throw QuerySyntaxError(position: peek.position, expected: "a search term inside the parentheses") }
                let inner = try parseOr()
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
                return .not(try parseNot())
            }
        }
    }
}

import Foundation
