import Testing
@testable import TsunagariSearch

@Suite struct TextAnalyzerTests {
    static let cases: [(String, [String])] = [
        ("Swift", ["swift"]),
        ("ＳＷＩＦＴ", ["swift"]),
        ("Senior Swift Engineer", ["senior", "swift", "engineer"]),
        ("英語", ["英語"]),
        ("職務経歴", ["職務", "務経", "経歴"]),
        ("英", ["英"]),
        ("英語とSwiftが得意", ["英語", "語と", "swift", "が得", "得意"]),
        ("ｶﾀｶﾅ", ["カタ", "タカ", "カナ"]),
        ("C++ and C# and Node.js.", ["c++", "and", "c#", "and", "node.js"]),
        ("TOEIC 900点", ["toeic", "900", "点"]),
        ("株式会社メルカリ（東京）", ["株式", "式会", "会社", "社メ", "メル", "ルカ", "カリ", "東京"]),
        ("", []),
        ("  ,,, ", []),
    ]

    @Test(arguments: cases.indices)
    func indexTerms(_ index: Int) {
        let (text, expected) = Self.cases[index]
        #expect(TextAnalyzer.indexTerms(text) == expected, "\(text)")
    }

    /// The analysis as it was written first, a character at a time through `String.UnicodeScalarView`: the reference
    /// the byte-wise scan must equal.
    enum PlainAnalyzer {
        static func segments(_ text: String) -> [TextAnalyzer.Segment] {
            var result: [TextAnalyzer.Segment] = []
            var current = String.UnicodeScalarView()
            var currentIsCJK = false
            func flush() {
                if !current.isEmpty {
                    var word = String(current)
                    if !currentIsCJK { while let last = word.last, last == "." { word.removeLast() } }
                    if !word.isEmpty { result.append(TextAnalyzer.Segment(text: word, isCJK: currentIsCJK)) }
                    current = String.UnicodeScalarView()
                }
            }
            let scalars = Array(TextAnalyzer.normalize(text).unicodeScalars)
            for (index, scalar) in scalars.enumerated() {
                switch TextAnalyzer.script(scalar) {
                case .cjk:
                    if !currentIsCJK { flush() }
                    currentIsCJK = true
                    current.append(scalar)
                case .word:
                    if currentIsCJK { flush() }
                    currentIsCJK = false
                    current.append(scalar)
                case .other:
                    let joins = !currentIsCJK && !current.isEmpty && (scalar == "+" || scalar == "#" || scalar == ".")
                    let nextIsWord = index + 1 < scalars.count && TextAnalyzer.script(scalars[index + 1]) == .word
                    if joins && (scalar != "." || nextIsWord) { current.append(scalar) } else { flush() }
                }
            }
            flush()
            return result
        }

        static func indexTerms(_ text: String) -> [String] {
            segments(text).flatMap { $0.isCJK ? TextAnalyzer.bigrams($0.text) : [$0.text] }
        }
    }

    @Test func theByteWiseScanEqualsTheAnalysisCharacterByCharacter() {
        // Every kind of character the scan tells apart: ASCII words and joiners, CJK of three and four bytes, kana to
        // be widened, full-width letters, accents (composed and combining), hangul, emoji, spaces and punctuation.
        let pieces: [String] = [
            "a", "Z", "9", "swift", "C", "+", "#", ".", "..", " ", "\n", ",", "-", "/", "英", "語", "職務", "𠮷", "々", "〇",
            "ｶ", "ﾞ", "ｱｲ", "カ", "が", "ん", "Ａ", "ｂ", "１", "é", "e\u{301}", "\u{301}", "한", "국", "😀", "👍🏽", "（", "）",
            "・", "ー", "㈱", "Ⅻ", "ß", "İ", "ǅ", "ﬁ", "\u{200B}", "\t", "Node.js", "C++", "x.y.", "١٢",
        ]
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for length in 0..<12 {
            for _ in 0..<400 {
                let text = (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
                #expect(TextAnalyzer.segments(text) == PlainAnalyzer.segments(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect(TextAnalyzer.indexTerms(text) == PlainAnalyzer.indexTerms(text), "\(text)")
                checked += 1
            }
        }
        for (text, _) in Self.cases { #expect(TextAnalyzer.indexTerms(text) == PlainAnalyzer.indexTerms(text)) }
        #expect(checked == 4_800)
    }

    @Test func anyCJKSubstringOfTwoOrMoreIsASequenceOfIndexedBigrams() {
        let text = "東京大学で職務経歴書の書き方を学んだ"
        let indexed = TextAnalyzer.indexTerms(text)
        for query in ["職務経歴", "英語", "職務", "経歴書", "東京大学"] {
            let wanted = TextAnalyzer.indexTerms(query)
            // Found exactly when the query's bigrams appear consecutively in the document's.
            let found = indexed.count >= wanted.count
                && (0...(indexed.count - wanted.count)).contains { Array(indexed[$0..<($0 + wanted.count)]) == wanted }
            #expect(found == text.contains(query), "\(query)")
        }
    }

    @Test func kanaFolding() {
        #expect(TextAnalyzer.foldKana("やまだ はなこ") == TextAnalyzer.foldKana("ヤマダ ハナコ"))
        #expect(TextAnalyzer.foldKana("ﾔﾏﾀﾞ") == TextAnalyzer.foldKana("やまだ"))
        #expect(TextAnalyzer.foldKana("やまだ") != TextAnalyzer.foldKana("やまた"))
    }
}

@Suite struct QueryParserTests {
    typealias Q = SearchQuery

    static let valid: [(String, SearchQuery)] = [
        ("swift", .term("swift", field: nil)),
        ("swift engineer", .and([.term("swift", field: nil), .term("engineer", field: nil)])),
        ("swift AND engineer", .and([.term("swift", field: nil), .term("engineer", field: nil)])),
        ("a OR b c", .or([.term("a", field: nil), .and([.term("b", field: nil), .term("c", field: nil)])])),
        ("NOT a b", .and([.not(.term("a", field: nil)), .term("b", field: nil)])),
        ("-intern sales", .and([.not(.term("intern", field: nil)), .term("sales", field: nil)])),
        ("\"sales manager\"", .phrase("sales manager", field: nil)),
        ("「法人営業」", .phrase("法人営業", field: nil)),
        ("title:engineer", .term("engineer", field: .title)),
        ("company:\"Blue Labs\"", .phrase("Blue Labs", field: .company)),
        (
            "英語 AND (営業 OR sales) -intern",
            .and([
                .term("英語", field: nil), .or([.term("営業", field: nil), .term("sales", field: nil)]), .not(.term("intern", field: nil)),
            ])
        ),
        ("e-commerce", .term("e-commerce", field: nil)),
        ("（営業 OR 販売）", .or([.term("営業", field: nil), .term("販売", field: nil)])),
    ]

    @Test(arguments: valid.indices)
    func parses(_ index: Int) throws {
        let (text, expected) = Self.valid[index]
        #expect(try QueryParser.parse(text) == expected, "\(text)")
    }

    static let invalid: [(String, Int)] = [
        ("", 0),
        ("(swift", 6),
        ("swift)", 5),
        ("a AND", 5),
        ("OR a", 0),
        ("\"open phrase", 12),
        ("title:", 6),
        ("()", 1),
        ("a AND OR b", 6),
    ]

    @Test(arguments: invalid.indices)
    func reportsThePositionOfASyntaxError(_ index: Int) {
        let (text, position) = Self.invalid[index]
        do {
            _ = try QueryParser.parse(text)
            Issue.record("\(text) parsed")
        } catch let error as QuerySyntaxError {
            #expect(error.position == position, "\(text): \(error)")
            #expect(error.description.contains("expected"))
        } catch {
            Issue.record("\(error)")
        }
    }
}
