import Foundation
import Testing
import TsunagariCore

@testable import TsunagariSearch

/// The parser's limits: a hostile query (thousands of operators, deep nesting, a page of Japanese in quotes) is
/// refused as too complex before any work, without deep recursion; what recruiters write still parses.
@Suite struct QueryLimitsTests {
    static func refusal(_ text: String) -> QueryTooComplexError? {
        do {
            _ = try QueryParser.parse(text)
            return nil
        } catch let error as QueryTooComplexError {
            return error
        } catch {
            return nil
        }
    }

    static let hostile: [(String, String)] = [
        ("400 nested parentheses", String(repeating: "(", count: 400) + "英語" + String(repeating: ")", count: 400)),
        ("150 ORed phrases", (0..<150).map { _ in "\"英語\"" }.joined(separator: "||")),
        ("240 NOT", String(repeating: "NOT ", count: 240) + "英語"),
        ("160 'NOT a'", (0..<160).map { _ in "NOT a" }.joined(separator: " ")),
        ("500 '-'", String(repeating: "- ", count: 500)),
        ("333 '-a'", String(repeating: "-a ", count: 333)),
        ("a 997-character CJK phrase", "\"" + String(repeating: "営業", count: 498) + "\""),
        ("a 990-character CJK word", String(repeating: "東京", count: 495)),
    ]

    @Test(arguments: hostile.indices)
    func aHostileQueryIsRefusedAsTooComplex(_ index: Int) {
        let (label, text) = Self.hostile[index]
        #expect(text.unicodeScalars.count <= QueryParser.maximumLength, "\(label)")
        let refusal = Self.refusal(text)
        #expect(refusal != nil, "\(label) was not refused as too complex")
        #expect(refusal?.description.hasPrefix("The query is too complex at character") == true)
    }

    @Test func theLimitsThemselvesParse() throws {
        let terms = (0..<QueryParser.maximumTerms).map { "w\($0)" }
        #expect(throws: Never.self) { try QueryParser.parse(terms.joined(separator: " OR ")) }
        #expect(Self.refusal((terms + ["more"]).joined(separator: " OR "))?.limit.contains("64 words and phrases") == true)

        let depth = QueryParser.maximumDepth
        #expect(throws: Never.self) { try QueryParser.parse(String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth)) }
        #expect(throws: Never.self) { try QueryParser.parse(String(repeating: "NOT ", count: depth) + "a") }
        #expect(throws: Never.self) { try QueryParser.parse(String(repeating: "(-", count: depth / 2) + "a" + String(repeating: ")", count: depth / 2)) }
        let tooDeep = String(repeating: "(", count: depth + 1) + "a" + String(repeating: ")", count: depth + 1)
        #expect(Self.refusal(tooDeep) == QueryTooComplexError(position: depth, limit: "at most 16 parentheses and negations within one another"))
        #expect(Self.refusal(String(repeating: "-(", count: depth / 2 + 1) + "a" + String(repeating: ")", count: depth / 2 + 1)) != nil)

        // A CJK phrase of n characters is n − 1 bigrams.
        let japanese = Array("ソフトウェアエンジニアリングマネージャーデータサイエンティストカスタマーサクセス")
        #expect(throws: Never.self) { try QueryParser.parse("「" + String(japanese.prefix(QueryParser.maximumPhraseTerms + 1)) + "」") }
        #expect(Self.refusal("「" + String(japanese.prefix(QueryParser.maximumPhraseTerms + 2)) + "」")?.position == 0)
        let phrase = "\"" + String(japanese.prefix(33)) + "\""
        #expect(throws: Never.self) { try QueryParser.parse(Array(repeating: phrase, count: 4).joined(separator: " OR ")) }
        #expect(Self.refusal(Array(repeating: phrase, count: 5).joined(separator: " OR ")) != nil)
    }

    @Test func aRecruitersBooleanStringStillParses() throws {
        let text = """
            (title:"software engineer" OR title:エンジニア OR 開発者 OR "backend developer") AND (Swift OR Kotlin OR "React Native" OR Flutter) \
            AND (東京 OR 大阪 OR リモート OR "remote first") AND ((英語 OR English OR TOEIC) AND (ビジネスレベル OR 流暢 OR fluent)) \
            -intern -"派遣" NOT company:"Example Corp" NOT (title:recruiter OR title:採用担当)
            """
        let query = try QueryParser.parse(text)
        #expect(ProfileIndexing.compile(query) != nil)
    }

    @Test func aSyntaxErrorIsStillASyntaxError() {
        // A run of quotes is an empty phrase at the first: a syntax error with its position, not a limit.
        #expect(throws: QuerySyntaxError(position: 0, expected: "words inside the quotes")) { try QueryParser.parse(String(repeating: "\"", count: 999)) }
        #expect(throws: QuerySyntaxError.self) { try QueryParser.parse("(英語") }
    }
}
