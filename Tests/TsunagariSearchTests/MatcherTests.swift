import Testing
@testable import TsunagariSearch

@Suite struct QueryMatcherTests {
    static let document = SearchDocument(
        fields: [
            .name: ["山田 花子"], .title: ["法人営業", "Sales Manager"], .company: ["株式会社メルカリ", "Blue Labs Inc."],
            .school: ["東京大学"], .skill: ["英語", "Swift", "C++"],
        ],
        other: ["ＳＷＩＦＴでiOSアプリの職務経歴があります", "Tokyo"])

    static let cases: [(String, Bool)] = [
        ("swift", true),
        ("ＳＷＩＦＴ", true),
        ("英語", true),
        ("職務経歴", true),
        ("経歴職務", false),
        ("英語 AND (営業 OR sales) -intern", true),
        ("英語 -営業", false),
        ("title:営業", true),
        ("title:東京", false),
        ("school:東京大学", true),
        ("company:メルカリ", true),
        ("\"sales manager\"", true),
        ("\"manager sales\"", false),
        ("「法人営業」", true),
        ("c++", true),
        ("python OR go", false),
        // A phrase never spans two separate texts: 営業 and Sales are different titles.
        ("\"営業 sales\"", false),
        ("name:はなこ", false),
    ]

    @Test(arguments: cases.indices)
    func evaluates(_ index: Int) throws {
        let (text, expected) = Self.cases[index]
        #expect(QueryMatcher.matches(try QueryParser.parse(text), Self.document) == expected, "\(text)")
    }

    @Test func highlightsWhatWasFoundAsItWasWritten() {
        let highlight = Highlighter.highlight("ＳＷＩＦＴでiOSアプリの職務経歴があります", terms: ["swift", "職務経歴"])
        #expect(highlight?.text == "ＳＷＩＦＴでiOSアプリの職務経歴があります")
        #expect(highlight?.marks == [0..<5, 13..<17])
        // The quick fold of common characters is the fold search uses, for every character it takes on itself.
        for value in [0x09, 0x0A] + Array(0x20...0x7E) + Array(0x3000...0x30FF).filter({ Highlighter.foldsToItself(UInt32($0)) })
            + Array(stride(from: 0x3400, through: 0x9FFF, by: 7))
        {
            let character = Character(Unicode.Scalar(UInt32(value))!)
            #expect(Highlighter.foldedCharacter(character) == TextAnalyzer.normalize(String(character)), "U+\(String(value, radix: 16))")
        }
        for text in ["Swift で iOS アプリ開発 (5年)", "営業部長・東京", "ABC-def 123", "ｴﾝｼﾞﾆｱ", "Ｓｗｉｆｔ", "café", ""] {
            if let quick = Highlighter.quickFold(text) { #expect(quick == TextAnalyzer.normalize(text), "\(text)") }
        }
        #expect(Highlighter.quickFold("ｴﾝｼﾞﾆｱ") == nil && Highlighter.quickFold("Swift で開発") == "swift で開発")
        // Text written in other forms of the same characters is still found and marked where it is written.
        for (text, term, marked) in [
            ("ｴﾝｼﾞﾆｱ募集", "エンジニア", "ｴﾝｼﾞﾆｱ"), ("Ｐｙｔｈｏｎ開発", "python", "Ｐｙｔｈｏｎ"),
            ("か\u{3099}くせい", "がくせい", "か\u{3099}くせい"), ("ＣＥＯ室", "ceo", "ＣＥＯ"),
        ] {
            let found = Highlighter.highlight(text, terms: [term])
            let characters = Array(found?.text ?? "")
            #expect(found?.marks.map { String(characters[$0]) } == [marked], "\(text)")
        }
        #expect(Highlighter.highlight("nothing here", terms: ["swift"]) == nil)
        // The byte-wise prefilter agrees with String's own search on random texts of ASCII, kana and ideographs.
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab 営業英語えいごアイ1")
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let needle = String((0..<Int.random(in: 1...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(Highlighter.contains(Array(text.utf8), Array(needle.utf8)) == text.contains(needle), "\(text) / \(needle)")
        }
        // Needles made once give what the terms give.
        let needles = Highlighter.Needles(["swift", "職務経歴"])
        #expect(Highlighter.highlight("ＳＷＩＦＴでiOSアプリの職務経歴", needles: needles) == Highlighter.highlight("ＳＷＩＦＴでiOSアプリの職務経歴", terms: ["swift", "職務経歴"]))
        let long = String(repeating: "あ", count: 200) + "英語" + String(repeating: "い", count: 200)
        let excerpt = Highlighter.highlight(long, terms: ["英語"], width: 40)
        #expect(excerpt?.text.count == 40)
        if let mark = excerpt?.marks.first, let text = excerpt?.text {
            #expect(String(Array(text)[mark]) == "英語")
        }
    }

    /// The marks found on the bytes are the marks found character by character, on texts of the characters the quick
    /// fold takes (ASCII of both cases, kana, ideographs) and words of them, at every width.
    @Test func theByteWiseHighlightEqualsTheHighlightByCharacters() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aAbB zZ-1\n営業英語力えいごアイー・、「」")
        var compared = 0
        for round in 0..<6_000 {
            var text = String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if round % 8 == 0 {
                // Characters the quick fold does not take: four bytes, a half-width kana, a combining mark, a control.
                let odd = ["𠀋", "ｱ", "e\u{301}", "\r\n", "（", "\u{3000}"].randomElement(using: &generator)!
                text.insert(contentsOf: odd, at: text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &generator)))
            }
            let terms = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                String((0..<Int.random(in: 1...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            }
            let needles = Highlighter.Needles(terms)
            let width = [5, 12, 80][round % 3]
            let quick = Highlighter.quickFoldedBytes(text)
            // The quick fold takes a text exactly when each of its characters folds to itself or to a lower-case letter.
            let takes = text.unicodeScalars.allSatisfy { scalar in
                (0x20...0x7E).contains(scalar.value) || [0x09, 0x0A].contains(scalar.value) || Highlighter.foldsToItself(scalar.value)
            }
            #expect((quick != nil) == takes, "\(text)")
            guard let quick, let bytes = needles.bytes else { continue }
            #expect(quick == Array(text.lowercased().utf8), "\(text)")
            let expected = Highlighter.highlightByCharacters(text, needles: needles, width: width)
            let found = bytes.contains(where: { Highlighter.contains(quick, $0) })
                ? Highlighter.quickHighlight(text, folded: quick, needles: bytes, width: width) : nil
            #expect(found == expected, "\(text) / \(terms) / \(width)")
            #expect(Highlighter.highlight(text, needles: needles, width: width) == expected, "\(text) / \(terms)")
            if expected != nil { compared += 1 }
        }
        #expect(compared > 1_000)
    }

    @Test func positiveTextsSkipNegations() throws {
        #expect(QueryMatcher.positiveTexts(try QueryParser.parse("英語 AND (営業 OR sales) -intern")) == ["英語", "営業", "sales"])
    }
}
