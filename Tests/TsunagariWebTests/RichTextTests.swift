import Foundation
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// A post's text as HTML: links, tags and mentions become links, everything else is escaped text. Plain text is
/// written as runs; the markup is what writing it word by word and space by space gave (that way kept here).
@Suite("Rich text")
struct RichTextTests {
    static func reference(_ text: String, mentions: [PersonSummary]) -> HTML {
        let handles = Dictionary(mentions.map { ($0.card.handle.lowercased(), $0.card.handle) }, uniquingKeysWith: { a, _ in a })
        var parts: [HTML] = []
        var cursor = text.startIndex
        func words(_ segment: Substring) {
            var word = ""
            func flush() {
                guard !word.isEmpty else { return }
                var core = word
                var trailing = ""
                while let last = core.last, ".,!?;:)」』、。！？".contains(last) {
                    trailing = String(last) + trailing
                    core.removeLast()
                }
                if let first = core.first, first == "#" || first == "＃", let tag = PostText.normalizedTag(String(core.dropFirst())) {
                    parts.append(el("a", .href(PostPages.tagPath(tag)), .class("hashtag")) { core })
                    parts.append(HTML(escaping: trailing))
                } else if let first = core.first, first == "@" || first == "＠", let handle = handles[String(core.dropFirst()).lowercased()] {
                    parts.append(el("a", .href("/in/\(handle)"), .class("mention")) { core })
                    parts.append(HTML(escaping: trailing))
                } else {
                    parts.append(HTML(escaping: word))
                }
                word = ""
            }
            for character in segment {
                if character.isWhitespace {
                    flush()
                    parts.append(HTML(escaping: String(character)))
                } else {
                    word.append(character)
                }
            }
            flush()
        }
        for range in PostText.links(in: text) {
            words(text[cursor..<range.lowerBound])
            let url = String(text[range])
            parts.append(el("a", .href(url), Attribute("rel", "nofollow ugc noopener"), .class("post-link")) { url })
            cursor = range.upperBound
        }
        words(text[cursor...])
        return HTML.joined(parts)
    }

    @Test func runsOfPlainTextWriteWhatWordByWordWrote() {
        let card = MemberCard(
            id: MemberID("m1"), handle: "Sato-Hanako", name: "佐藤花子", headline: nil, location: nil, profileVisibility: .members,
            connectionsVisibility: .connections, sectionVisibility: SectionVisibilities())
        let mentions = [PersonSummary(card: card, degree: .first, mutualConnectionCount: 0)]
        let pieces = [
            "営業", " ", "　", "\n", "#採用", "＃エンジニア", "#", "@sato-hanako", "＠Sato-Hanako", "@nobody", "https://example.com/a?b=1&c=2",
            "。", "!", "a&b", "<b>", "\"", "'", "#tag.", "(", ")", "e\u{301}", "#\u{20E3}", "😀", "www.example.jp",
            // A character made of a whitespace scalar and more, a mark alone, a prepended character before a space.
            "\r\n", "\r", "\u{301}", "\u{600}", "\u{2003}",
            // Full-width forms whose bytes are next to the marks' (＄ EF BC 84, Ａ EF BC A1, ｀ EF BD 80).
            "＄", "Ａ", "｀",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(PostPages.richText(text, mentions: mentions).rendered == Self.reference(text, mentions: mentions).rendered, "\(text)")
        }
        let tagged = PostPages.richText("Hello #採用 @sato-hanako!", mentions: mentions).rendered
        #expect(tagged.contains("class=\"hashtag\"") && tagged.contains("href=\"/in/Sato-Hanako\""))
    }

    /// Links as the search alone found them, before a pass over the bytes let text without "http" skip it.
    static func referenceLinks(_ text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while let start = text.range(of: "http", range: searchStart..<text.endIndex) {
            let rest = text[start.lowerBound...]
            guard rest.hasPrefix("http://") || rest.hasPrefix("https://") else {
                searchStart = start.upperBound
                continue
            }
            var end = start.lowerBound
            while end < text.endIndex, let scalar = text[end].unicodeScalars.first, scalar.isASCII, scalar.value > 0x20,
                !"<>\"'`".unicodeScalars.contains(scalar)
            {
                end = text.index(after: end)
            }
            while end > start.lowerBound, ".,;:!?)".contains(text[text.index(before: end)]) { end = text.index(before: end) }
            let minimum = text.index(start.lowerBound, offsetBy: 8, limitedBy: text.endIndex) ?? text.endIndex
            if end > minimum { ranges.append(start.lowerBound..<end) }
            searchStart = max(end, start.upperBound)
        }
        return ranges
    }

    @Test func linksAreFoundAsTheSearchAloneFoundThem() {
        let pieces = [
            "http", "htt", "ttp", "h", "p", "http:/", "http://", "https://a.b", "http://x.jp/路", "HTTP://X.Y", "ｈｔｔｐ://a.b", "営業", " ",
            "e\u{301}", "😀", ".", ")", "\"", "https://example.com/a?b=1&c=2", "x",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(PostText.links(in: text) == Self.referenceLinks(text), "\(text)")
        }
        #expect(PostText.links(in: "営業の話").isEmpty)
        #expect(PostText.links(in: "see https://a.jp.").count == 1)
    }
}
