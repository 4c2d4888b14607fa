import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Static assets cached for ever under versioned addresses and compressed when asked; readiness apart from liveness.
@Suite("Request path")
struct RequestPathTests {
    /// The response writer gives byte for byte what `JSONEncoder` (sorted keys, slashes unescaped) gave before it.
    /// Escaping byte by byte writes what the escape scalar by scalar wrote, for text with and without the five.
    /// Escaping as it was first written, scalar by scalar: the reference for the byte-wise escapes.
    static func escapedScalarByScalar(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    @Test func escapingMatchesTheScalarEscapeItReplaced() {
        let reference = Self.escapedScalarByScalar
        let pieces = ["a", "営業", "&", "<", ">", "\"", "'", "é", "e\u{301}", "😀", " ", "&amp;", "ｶﾞ", "\u{0}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(HTML(escaping: text).rendered == reference(text), "\(text)")
            #expect(HTML.escape(text) == reference(text), "\(text)")
        }
        #expect(HTML(escaping: "<a href='x'>\"&\"</a>").rendered == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
    }

    /// A page written in one pass from its tree is what nesting strings wrote: random trees of elements (void ones
    /// too), attributes (flags, left out, values to escape), text and trusted markup, against that way rebuilt here.
    @Test func treesWriteWhatNestedStringsWrote() {
        struct Reference {
            var html: HTML
            var text: String
        }
        let escaped = Self.escapedScalarByScalar
        var generator = SystemRandomNumberGenerator()
        let words = ["営業", "a&b", "<script>", "\"q\"", "it's", "", "東京 Tokyo", "😀"]
        let names = ["div", "p", "a", "span", "input", "br", "img", "section"]
        func random(_ depth: Int) -> Reference {
            switch Int.random(in: 0..<(depth > 3 ? 2 : 5), using: &generator) {
            case 0:
                let word = words.randomElement(using: &generator)!
                return Reference(html: HTML(escaping: word), text: escaped(word))
            case 1:
                return Reference(html: .trusted("<hr>&nbsp;"), text: "<hr>&nbsp;")
            case 2:
                let parts = (0..<Int.random(in: 0...4, using: &generator)).map { _ in random(depth + 1) }
                return Reference(html: HTML.joined(parts.map(\.html)), text: parts.map(\.text).joined())
            default:
                let name = names.randomElement(using: &generator)!
                var attributes: [Attribute] = []
                var open = "<" + name
                for index in 0..<Int.random(in: 0...3, using: &generator) {
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0:
                        attributes.append(.flag("required"))
                        open += " required"
                    case 1:
                        attributes.append(.flag("hidden", false))
                    default:
                        let value = words.randomElement(using: &generator)!
                        attributes.append(Attribute("data-\(index)", value))
                        open += " data-\(index)=\"\(escaped(value))\""
                    }
                }
                open += ">"
                let content = random(depth + 1)
                let html = HTML.element(name, attributes, content.html)
                if ["input", "br", "img"].contains(name) { return Reference(html: html, text: open) }
                return Reference(html: html, text: open + content.text + "</\(name)>")
            }
        }
        for _ in 0..<300 {
            let tree = random(0)
            #expect(tree.html.rendered == tree.text)
            #expect(tree.html.bytes == Array(tree.text.utf8))
        }
        #expect(HTML.empty.bytes.isEmpty && HTML.joined([]) == .empty)
    }

    @Test func hexDigitsMatchTheFormatTheyReplaced() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 8, 32, 33] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(bytes.hexString == bytes.map { String(format: "%02x", $0) }.joined())
        }
        #expect([UInt8](0...255).hexString == (0...255).map { String(format: "%02x", $0) }.joined())
    }

    /// An object's members, however they were given (a literal in any order, a dictionary, members set and removed one
    /// by one), are the dictionary's, in the order of their keys.
    @Test func objectsKeepTheirMembersInTheOrderOfTheirKeys() {
        var random = SystemRandomNumberGenerator()
        let keys = ["id", "name", "handle", "a", "B", "", "名前", "ñ", "zz", "photo", "degree", "mutualConnectionCount"]
        for _ in 0..<2_000 {
            var model: [String: JSONValue] = [:]
            var fields = JSONFields()
            for _ in 0..<Int.random(in: 0...30, using: &random) {
                let key = keys.randomElement(using: &random)!
                let value: JSONValue? = Bool.random(using: &random) ? nil : .number(Double(Int.random(in: 0...9, using: &random)))
                model[key] = value
                fields[key] = value
                #expect(fields[key] == model[key])
            }
            #expect(fields.keys == model.keys.sorted())
            #expect(fields.dictionary == model)
            #expect(JSONFields(model) == fields)
            #expect(fields.map(\.key) == fields.keys && fields.allSatisfy { model[$0.key] == $0.value })
        }
        let literal: JSONFields = ["name": .string("Ann"), "id": .number(1), "photo": .null, "degree": .number(2)]
        #expect(literal.keys == ["degree", "id", "name", "photo"])
        #expect(JSONValue.object(literal).bytes() == Array(#"{"degree":2,"id":1,"name":"Ann","photo":null}"#.utf8))
    }

    /// As with a dictionary literal, a key given twice is a programming error that stops the program.
    @Test func aLiteralWithAKeyTwiceStops() async {
        await #expect(processExitsWith: .failure) {
            let fields: JSONFields = ["id": .null, "name": .null, "id": .number(1)]
            _ = fields.count
        }
    }

    @Test func jsonWriterMatchesTheEncoderItReplaced() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var random = SystemRandomNumberGenerator()
        let strings = [
            "", "plain", "quote \" backslash \\ slash /", "line\nbreak\r\ttab\u{08}\u{0C}", "\u{00}\u{01}\u{1F}\u{7F}",
            "日本語のテキスト", "emoji 🧑‍💻", "\u{2028}\u{2029}", "<script>&amp;",
        ]
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2:
                return [JSONValue.number(Double(Int.random(in: -1_000_000...1_000_000, using: &random))), .number(0.1), .number(-2.5),
                    .number(1e-7), .number(123456.789), .number(4e20), .number(999_999_999_999_999), .number(-999_999_999_999_999),
                    .number(0), .number(10), .number(-7)].randomElement(using: &random)!
            case 3: return .string(strings.randomElement(using: &random)!)
            case 4: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) })
            default:
                // Members set one by one (some twice, some removed again): the object keeps them in the order of their keys.
                var members: JSONFields = [:]
                for _ in 0..<Int.random(in: 0...6, using: &random) {
                    let key = strings.randomElement(using: &random)! + "k"
                    members[key] = Int.random(in: 0..<6, using: &random) == 0 ? nil : value(depth + 1)
                }
                return .object(members)
            }
        }
        for _ in 0..<500 {
            let document = value(0)
            let written = document.bytes()
            #expect(written == Array(try encoder.encode(document)), "\(String(decoding: written, as: UTF8.self))")
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(written)) == document)
        }
    }

    /// A person with a name, headline and location from `texts` (any of them absent, but the name), a photo or none, any
    /// degree and visibility, seen by a member or logged out.
    static func randomPerson(_ texts: [String?], mutual: Int, using random: inout some RandomNumberGenerator) -> PersonSummary {
        var card = MemberCard(
            id: MemberID("01m\(Int.random(in: 0...999_999, using: &random))"), handle: "hanako-\(Int.random(in: 0...99, using: &random))",
            name: texts.compactMap { $0 }.randomElement(using: &random)!, headline: texts.randomElement(using: &random)!,
            location: texts.randomElement(using: &random)!, profileVisibility: ProfileVisibility.allCases.randomElement(using: &random)!,
            connectionsVisibility: .connections)
        card.photo = Bool.random(using: &random) ? PhotoRef(id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") : nil
        return PersonSummary(
            card: card, degree: Degree.allCases.randomElement(using: &random)!, mutualConnectionCount: mutual,
            anonymous: Int.random(in: 0..<4, using: &random) == 0)
    }

    /// A person in a list is written straight into bytes: the bytes of the object it replaced, for people with and
    /// without a headline, a location or a photo, at every degree, seen by members and by the logged out, with text
    /// that needs escapes; read back, and encoded through `Encodable`, it is that object.
    @Test func aPersonIsWrittenAsTheObjectItReplaced() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var random = SystemRandomNumberGenerator()
        let texts: [String?] = [nil, "", "営業部長", "quote \" and \\ and </script>", "line\nbreak\u{01}", "🧑‍💻 エンジニア", "a/b & c"]
        for _ in 0..<2_000 {
            let person = Self.randomPerson(texts, mutual: Int.random(in: 0...100_000, using: &random), using: &random)
            let shown = person.card
            let object = JSONValue.object([
                "id": .string(shown.id.rawValue), "handle": .string(shown.handle), "name": .string(shown.name),
                "headline": .string(shown.headline), "location": .string(shown.location),
                "degree": person.degree == .beyond ? .null : .int(person.degree.rawValue),
                "mutualConnectionCount": .int(person.mutualConnectionCount), "photo": Represent.photo(shown.photo),
            ])
            let written = Represent.summary(person)
            #expect(written.bytes() == object.bytes(), "\(String(decoding: written.bytes(), as: UTF8.self))")
            // Again, from the card's part made the first time; and for a copy seen with less.
            #expect(Represent.summary(person).bytes() == object.bytes())
            let limited = PersonSummary(card: person.card, degree: .third, mutualConnectionCount: person.mutualConnectionCount)
            let limitedObject = JSONValue.object([
                "id": .string(shown.id.rawValue), "handle": .string(shown.handle), "name": .string(shown.name),
                "headline": .string(shown.headline), "location": .string(limited.card.location), "degree": .int(3),
                "mutualConnectionCount": .int(person.mutualConnectionCount), "photo": Represent.photo(limited.card.photo),
            ])
            #expect(Represent.summary(limited).bytes() == limitedObject.bytes())
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(written.bytes())) == object)
            #expect(try encoder.encode(written) == encoder.encode(object))
        }
    }

    /// A suggestion as the list of suggestions writes it, alone.
    static func written(_ suggestion: NetworkService.Suggestion) -> JSONValue {
        var out: [UInt8] = []
        Represent.write(suggestion, into: &out)
        return .written(out)
    }

    /// A suggestion is written straight into bytes: the bytes of the object it replaced (kept below), with none, one or
    /// several reasons of every kind, with and without a count, a company or a school, and text that needs escapes.
    @Test func aSuggestionIsWrittenAsTheObjectItReplaced() throws {
        func reason(_ reason: NetworkService.Reason) -> JSONValue {
            var members: JSONFields = ["kind": .string(reason.kind.rawValue)]
            if let count = reason.count { members["count"] = .int(count) }
            if let company = reason.company { members["company"] = .object(["id": .string(company.id), "name": .string(company.name)]) }
            if let school = reason.school { members["school"] = .string(school) }
            return .object(members)
        }
        var random = SystemRandomNumberGenerator()
        let texts: [String?] = [nil, "", "株式会社さくら", "quote \" and \\ and </script>", "line\nbreak\u{01}", "🧑‍💻 東京大学"]
        let kinds: [NetworkService.Reason.Kind] = [.mutualConnections, .sameCompany, .sameSchool, .contact]
        for _ in 0..<2_000 {
            let person = Self.randomPerson(texts, mutual: Int.random(in: 0...100_000, using: &random), using: &random)
            let reasons = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                let company = texts.randomElement(using: &random)!.map { CompanyRef(id: "c-\($0.count)", name: $0) }
                return NetworkService.Reason(
                    kind: kinds.randomElement(using: &random)!, count: Bool.random(using: &random) ? Int.random(in: 0...30_000, using: &random) : nil,
                    company: company, school: texts.randomElement(using: &random)!)
            }
            let suggestion = NetworkService.Suggestion(person: person, reasons: reasons)
            let object = JSONValue.object(["member": Represent.summary(person), "reasons": .array(reasons.map(reason))])
            let written = Self.written(suggestion)
            #expect(written.bytes() == object.bytes(), "\(String(decoding: written.bytes(), as: UTF8.self))")
            let read = try JSONDecoder().decode(JSONValue.self, from: Data(written.bytes()))
            #expect(read == (try JSONDecoder().decode(JSONValue.self, from: Data(object.bytes()))))
            #expect(read["reasons"].flatMap { if case .array(let items) = $0 { items.count } else { nil } } == reasons.count)
        }
    }

    /// A list of people, of connections or of suggestions is written into one buffer: the bytes of the tree of values
    /// it replaced (`Represent.list` of each item's value), empty or long, with and without a cursor that needs escapes.
    @Test func aListIsWrittenAsTheTreeItReplaced() throws {
        var random = SystemRandomNumberGenerator()
        let texts: [String?] = [nil, "", "営業部長", "quote \" and \\ and </script>", "line\nbreak\u{01}", "🧑‍💻 エンジニア"]
        let cursors: [String?] = [nil, "", "MTIzfGFiYw", "a\"b"]
        for _ in 0..<300 {
            let people = (0..<Int.random(in: 0...25, using: &random)).map { _ in
                Self.randomPerson(texts, mutual: Int.random(in: 0...5_000, using: &random), using: &random)
            }
            let next = cursors.randomElement(using: &random)!
            #expect(Represent.list(people, next: next, write: Represent.write).bytes() == Represent.list(people.map(Represent.summary), next: next).bytes())
            let entries = people.map { person in
                NetworkService.ConnectionEntry(
                    person: person,
                    connectedAt: Bool.random(using: &random) ? nil : Date(timeIntervalSince1970: Double(Int.random(in: 0...2_000_000_000, using: &random))))
            }
            let entryValues: [JSONValue] = entries.map { entry in
                .object(["member": Represent.summary(entry.person), "connectedAt": entry.connectedAt.map(Represent.time) ?? .null])
            }
            #expect(Represent.list(entries, next: next, write: Represent.write).bytes() == Represent.list(entryValues, next: next).bytes())
            let suggestions = people.map { person in
                NetworkService.Suggestion(
                    person: person, reasons: [NetworkService.Reason(kind: .mutualConnections, count: person.mutualConnectionCount, company: nil, school: nil)])
            }
            #expect(
                Represent.list(suggestions, next: next, write: Represent.write).bytes()
                    == Represent.list(suggestions.map(Self.written), next: next).bytes())
        }
    }

    /// A person in a page's list is written straight into bytes: the markup of the tree of elements it replaced (kept
    /// below), for people with and without a headline, a photo or mutual connections, at every degree, in both
    /// languages, with text that needs escapes and with the actions a list adds.
    @Test func aPersonCardIsWrittenAsTheTreeItReplaced() throws {
        var random = SystemRandomNumberGenerator()
        let texts: [String?] = [nil, "", "営業部長", "quote \" and ' and </li>", "a/b & c <b>", "🧑‍💻 エンジニア", "x"]
        for _ in 0..<2_000 {
            let person = Self.randomPerson(texts, mutual: [0, 1, 2, 1_234].randomElement(using: &random)!, using: &random)
            let card = person.card
            let locale: TsunagariCore.Locale = Bool.random(using: &random) ? .ja : .en
            let note = texts.randomElement(using: &random)!
            let extra = {
                if let note { el("a", .class("button small"), .href("/x?a=1&b=\(note)")) { note } } else { HTML.empty }
            }
            let written = NetworkPages.person(person, locale, extra: extra).rendered
            let tree = TreePerson.person(person, locale, extra: extra).rendered
            #expect(written == tree)
            #expect(NetworkPages.badge(person.degree, locale).rendered == TreePerson.badge(person.degree, locale).rendered)
            for small in [true, false] {
                #expect(
                    PhotoPages.avatar(name: card.name, photo: card.photo, small: small).rendered
                        == TreePerson.avatar(name: card.name, photo: card.photo, small: small).rendered)
            }
        }
        // Written text is escaped as the tree's is.
        let card = MemberCard(
            id: MemberID("01m1"), handle: "h", name: "<script>", headline: "\"&'", location: nil, profileVisibility: .members,
            connectionsVisibility: .connections)
        let html = NetworkPages.person(PersonSummary(card: card, degree: .second, mutualConnectionCount: 3, anonymous: false), .en).rendered
        #expect(html.contains("&lt;script&gt;") && html.contains("&quot;&amp;&#39;") && !html.contains("<script>"))
    }

    /// Who wrote a post and when is written straight into bytes: the markup of the tree it replaced (kept below), for
    /// every person the card test makes, posts edited or not, public or for connections, at times across the years, in
    /// both languages, with ids that need escapes.
    @Test func anAuthorLineIsWrittenAsTheTreeItReplaced() {
        var random = SystemRandomNumberGenerator()
        let texts: [String?] = [nil, "", "営業部長", "quote \" and ' and </p>", "a/b & c <b>", "x"]
        for _ in 0..<2_000 {
            let person = Self.randomPerson(texts, mutual: 0, using: &random)
            let at = Date(timeIntervalSince1970: Double.random(in: -3_000_000_000...300_000_000_000, using: &random).rounded(.down))
            let post = Post(
                id: ["01post", "a\"b<c>"].randomElement(using: &random)!, author: person.card.id, text: "",
                visibility: Bool.random(using: &random) ? .public : .connections, createdAt: at,
                editedAt: Bool.random(using: &random) ? at.addingTimeInterval(60) : nil)
            let locale: TsunagariCore.Locale = Bool.random(using: &random) ? .ja : .en
            #expect(PostPages.authorLine(person, post, locale).rendered == TreeAuthorLine.make(person, post, locale).rendered)
        }
    }

    /// A post's reactions are written straight into bytes: the markup of the tree they replaced (kept below), for every
    /// reaction chosen or none, with counts, in both languages, with ids and addresses that need escapes.
    @Test func aPostsReactionsAreWrittenAsTheTreeTheyReplaced() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let locale: TsunagariCore.Locale = Bool.random(using: &random) ? .ja : .en
            let chrome = PageChrome(locale: locale, viewerHandle: "h", csrfToken: ["tok", "t&k\"n"].randomElement(using: &random)!, path: "/feed")
            var counts = PostCounts()
            for type in ReactionType.allCases where Bool.random(using: &random) { counts.reactions[type] = Int.random(in: 0...5_000, using: &random) }
            let chosen = Bool.random(using: &random) ? ReactionType.allCases.randomElement(using: &random) : nil
            let id = ["01post", "a\"b<c>"].randomElement(using: &random)!
            let back = ["/feed", "/feed?cursor=a&b=<c>"].randomElement(using: &random)!
            #expect(
                PostPages.reactionForm(chrome, post: id, counts: counts, chosen: chosen, back: back).rendered
                    == TreeReactions.form(chrome, post: id, counts: counts, chosen: chosen, back: back).rendered)
        }
    }

    /// A post is written straight into bytes: the markup of the tree it replaced (kept below), for every reason a feed
    /// gives, with and without the one who did it, text with links, tags and mentions, reposts of originals there and
    /// gone, jobs shared, in both languages, on a feed and on the post's own page, with text that needs escapes.
    @Test func aPostIsWrittenAsTheTreeItReplaced() {
        var random = SystemRandomNumberGenerator()
        let texts: [String?] = [nil, "", "営業部長", "quote \" and ' and </p>", "a/b & c <b>", "x"]
        let bodies = ["", "新しい案件です #採用 @h https://example.test/a?b=1&c=<2>", "<script>alert('x')</script>", "#タグ！ ＠h、 plain text."]
        for _ in 0..<1_000 {
            let author = Self.randomPerson(texts, mutual: 0, using: &random)
            let mentioned = (0..<Int.random(in: 0...2, using: &random)).map { _ in Self.randomPerson(texts, mutual: 0, using: &random) }
            let at = Date(timeIntervalSince1970: Double.random(in: 0...3_000_000_000, using: &random).rounded(.down))
            func post(_ text: String, repostOf: String? = nil) -> Post {
                Post(
                    id: ["01post", "a\"b<c>"].randomElement(using: &random)!, author: author.card.id, text: text,
                    visibility: Bool.random(using: &random) ? .public : .connections, createdAt: at,
                    editedAt: Bool.random(using: &random) ? at.addingTimeInterval(60) : nil, repostOf: repostOf)
            }
            var counts = PostCounts(comments: Int.random(in: 0...3, using: &random), reposts: Int.random(in: 0...1_200, using: &random))
            for type in ReactionType.allCases where Bool.random(using: &random) { counts.reactions[type] = Int.random(in: 0...5_000, using: &random) }
            let reposts = Bool.random(using: &random)
            let original = reposts && Bool.random(using: &random) ? post(bodies.randomElement(using: &random)!) : nil
            func job() -> Job? {
                guard Bool.random(using: &random) else { return nil }
                return Job(
                    id: "job\"<", company: CompanyRef(id: "c", name: "株式会社 <A&B>"), poster: author.card.id, title: "Swift \"engineer\"",
                    location: "東京 & remote", workplace: .hybrid, employmentType: .fullTime, description: "", createdAt: at)
            }
            let view = PostService.View(
                post: post(bodies.randomElement(using: &random)!, repostOf: reposts ? "orig" : nil), author: author, mentions: mentioned, counts: counts,
                viewerReaction: Bool.random(using: &random) ? ReactionType.allCases.randomElement(using: &random) : nil, repostOf: original,
                repostAuthor: original == nil ? nil : Self.randomPerson(texts, mutual: 0, using: &random), repostGone: reposts && original == nil,
                job: job(), repostJob: original == nil ? nil : job())
            let locale: TsunagariCore.Locale = Bool.random(using: &random) ? .ja : .en
            let chrome = PageChrome(locale: locale, viewerHandle: "h", csrfToken: ["tok", "t&k\"n"].randomElement(using: &random)!, path: "/feed")
            let reason = Bool.random(using: &random) ? FeedReason.allCases.randomElement(using: &random) : nil
            let actor = Bool.random(using: &random) ? Self.randomPerson(texts, mutual: 0, using: &random) : nil
            let back = ["/#post-1", "/posts/a\"b<c>"].randomElement(using: &random)!
            let detail = Bool.random(using: &random)
            let written = PostPages.article(chrome, view, viewer: MemberID("01v"), reason: reason, actor: actor, back: back, detail: detail).rendered
            let tree = TreeArticle.make(chrome, view, viewer: MemberID("01v"), reason: reason, actor: actor, back: back, detail: detail).rendered
            #expect(written == tree)
            if written != tree { break }
        }
    }

    @Test func staticAssetsAreVersionedRevalidatedAndCompressed() async throws {
        try await withApp { client, _ in
            let page = try await Browser(client).get("/")
            let css = try #require(StaticAssets.files["app.css"])
            let address = "/static/app.css?v=\(css.version)"
            #expect(page.text.contains("href=\"\(address)\"") && page.text.contains("src=\"/static/app.js?v="))

            let versioned = try await client.executeRequest(uri: address, method: .get, headers: [:], body: nil)
            #expect(versioned.status == .ok && versioned.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(versioned.headers[.contentEncoding] == nil && Array(versioned.body.readableBytesView) == css.data)
            let etag = try #require(versioned.headers[.eTag])
            // Another version's address (or none) may be kept an hour only: it may name an older file.
            let plain = try await client.executeRequest(uri: "/static/app.css?v=0000", method: .get, headers: [:], body: nil)
            #expect(plain.headers[.cacheControl] == "public, max-age=3600")

            let again = try await client.executeRequest(uri: address, method: .get, headers: [.ifNoneMatch: "\"x\", \(etag)"], body: nil)
            #expect(again.status == .notModified && again.body.readableBytes == 0)

            let gzipped = try await client.executeRequest(
                uri: address, method: .get, headers: [.acceptEncoding: "br;q=1.0, gzip;q=0.8"], body: nil)
            #expect(gzipped.headers[.contentEncoding] == "gzip" && gzipped.headers[.vary] == "Accept-Encoding")
            #expect(gzipped.body.readableBytes < css.data.count / 2)
            var body = gzipped.body
            let inflated = try body.decompress(with: .gzip())
            #expect(Array(inflated.readableBytesView) == css.data)
            let refused = try await client.executeRequest(uri: address, method: .get, headers: [.acceptEncoding: "gzip;q=0, identity"], body: nil)
            #expect(refused.headers[.contentEncoding] == nil)
        }
        #expect(StaticAssets.accepts("gzip", "*"))
        #expect(!StaticAssets.accepts("gzip", "deflate, br"))
        #expect(!StaticAssets.accepts("gzip", nil))
        #expect(StaticAssets.accepts("gzip", "GZip;Q=0.5"))
        #expect(!StaticAssets.accepts("gzip", "*;q=1, gzip;q=0.000"))
    }

    /// Every page names its icon by its versioned address; the address browsers ask without being told leads there,
    /// without a page (and its form cookie) made to say it is not found.
    @Test func pagesNameTheirIconAndTheOldAddressLeadsToIt() async throws {
        try await withApp { client, _ in
            let icon = try #require(StaticAssets.files["icon.svg"])
            let address = "/static/icon.svg?v=\(icon.version)"
            for path in ["/", "/login", "/no-such-page"] {
                let page = try await Browser(client).get(path)
                #expect(page.text.contains(#"<link rel="icon" type="image/svg+xml" href="\#(address)">"#), "\(path)")
            }
            let served = try await client.executeRequest(uri: address, method: .get, headers: [:], body: nil)
            #expect(served.status == .ok && served.headers[.contentType] == "image/svg+xml")
            #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable" && served.headers[.setCookie] == nil)
            let svg = String(buffer: served.body)
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("viewBox=\"0 0 64 64\""))
            let old = try await client.executeRequest(uri: "/favicon.ico", method: .get, headers: [:], body: nil)
            #expect(old.status == .movedPermanently && old.headers[.location] == address)
            #expect(old.headers[.setCookie] == nil && old.headers[.contentType] == nil)
        }
    }

    /// The header read as it was through Foundation (split, lowercased, trimmed), before it was read over bytes.
    static func referenceAccepts(_ coding: String, _ header: String?) -> Bool {
        guard let header else { return false }
        var star = false
        for part in header.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = pieces.first else { continue }
            let quality = pieces.dropFirst().first(where: { $0.hasPrefix("q=") }).flatMap { Double($0.dropFirst(2)) } ?? 1
            if name == coding { return quality > 0 }
            if name == "*" { star = quality > 0 }
        }
        return star
    }

    @Test func acceptEncodingIsReadAsItWasThroughFoundation() {
        let pieces = ["gzip", "GZIP", "br", "*", "deflate", "identity", ",", ", ", ";", ";q=0", "; q=0.5", ";q=1", ";Q=0", ";q=0.000", ";q=x", " ", "\t", "gz", "zip"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let header = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(StaticAssets.accepts("gzip", header) == Self.referenceAccepts("gzip", header), "\(header)")
        }
    }

    /// The bearer token is read byte by byte as it was through lowering and Foundation's trimming, for schemes in any
    /// case, other schemes, blanks around and inside the token, and text that is not ASCII.
    @Test func aBearerTokenIsReadAsItWasThroughFoundation() {
        func reference(_ header: String) -> String? {
            guard header.lowercased().hasPrefix("bearer ") else { return nil }
            return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        let pieces = ["Bearer", "bearer", "BEARER", "BeArEr", "Basic", "bear", "er", " ", "  ", "\t", "\u{0}", "abc", "x-Y_z.9", "トークン", "é", "=", ","]
        var generator = SystemRandomNumberGenerator()
        var tokens = 0
        for _ in 0..<10_000 {
            let header = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let read = ViewerMiddleware.bearerToken(header)
            #expect(read == reference(header), "\(header.debugDescription)")
            if read?.isEmpty == false { tokens += 1 }
        }
        #expect(tokens > 100)
        #expect(ViewerMiddleware.bearerToken("Bearer \t abc-123 \t") == "abc-123")
        #expect(ViewerMiddleware.bearerToken("Bearer\u{0}abc") == nil)
    }

    @Test func readinessWaitsForEveryIndexToCatchUp() async throws {
        try await withApp { client, services in
            // No replay has run in this test app: not ready, and it says which logs are behind.
            let before = try await client.call(.get, "/readyz")
            #expect(before.status == .serviceUnavailable && before.errorCode == "not_ready" && before.text.contains("graph"))
            #expect(try await client.call(.get, "/healthz").status == .ok)
            for log in CatchUpMonitor.logs { services.catchUp.passed(log) }
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == .ok && ready.json["status"] as? String == "ready")
            // A log whose last pass is old counts as behind.
            services.catchUp.passed("search", at: Date().addingTimeInterval(-(CatchUpMonitor.readinessAge + 1)))
            #expect(services.catchUp.behind(maximumAge: CatchUpMonitor.readinessAge) == ["search"])
            #expect(try await client.call(.get, "/readyz").status == .serviceUnavailable)
        }
    }
}

@Suite("Page compression")
struct PageCompressionTests {
    @Test func pagesAreCompressedOnlyForClientsThatAsk() async throws {
        try await withApp { client, _ in
            let plain = try await client.executeRequest(uri: "/", method: .get, headers: [:], body: nil)
            #expect(plain.headers[.contentEncoding] == nil && plain.headers[.vary] == "Accept-Encoding")
            let html = String(buffer: plain.body)
            #expect(html.hasPrefix("<!doctype html>"))
            let asked = try await client.executeRequest(uri: "/", method: .get, headers: [.acceptEncoding: "gzip, deflate, br"], body: nil)
            #expect(asked.headers[.contentEncoding] == "gzip")
            var body = asked.body
            #expect(body.readableBytes < plain.body.readableBytes)
            let inflated = try body.decompress(with: .gzip())
            // The same page but for its CSRF token, which every response makes anew.
            let token = /name="_csrf" value="[^"]*"/
            #expect(String(buffer: inflated).replacing(token, with: "") == html.replacing(token, with: ""))
            // An error page too; JSON is not compressed.
            let missing = try await client.executeRequest(uri: "/no-such-page", method: .get, headers: [.acceptEncoding: "gzip"], body: nil)
            #expect(missing.status == .notFound)
            let api = try await client.executeRequest(uri: "/openapi.json", method: .get, headers: [.acceptEncoding: "gzip"], body: nil)
            #expect(api.headers[.contentEncoding] == nil)
        }
    }

    /// Written byte by byte now: the same tokens as SHA-256 in Foundation's base64 with the three replacements.
    @Test func csrfTokensAndSessionTokensAreBase64URL() {
        #expect(ViewerMiddleware.csrfToken(session: "abc") == "k5gZlSId3ftAE1KgGn4v65haOYcKPlKG7VZ9ki0o7qI")
        #expect(ViewerMiddleware.csrfToken(session: "Qm9ndXMtc2Vzc2lvbi10b2tlbi1mb3ItdGVzdHM") == "1Hl3yqtDrs_3wiaLYUbPkYfsP9oNI8hh_iXTBPHaDhU")
        #expect(ViewerMiddleware.csrfToken(session: "セッション") == "hYDMeXQq0kem-Caw6w3JCIb7rGODso3BYb97590EYZc")
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let tokens = (0..<1_000).map { _ in RandomTokens().newToken() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 43 && $0.allSatisfy(alphabet.contains) })
        // 256 bits: the last character carries four of them and two zero bits.
        #expect(tokens.allSatisfy { "AEIMQUYcgkosw048".contains($0.last!) })
    }
}

/// How a person in a list was built before it was written straight into bytes: the reference its bytes are held to.
private enum TreePerson {
    static func badge(_ degree: Degree, _ l: TsunagariCore.Locale) -> HTML {
        let text: String
        switch degree {
        case .first: text = Text.degreeFirst(l)
        case .second: text = Text.degreeSecond(l)
        case .third: text = Text.degreeThird(l)
        case .beyond: return el("span", .class("degree degree-beyond"), Attribute("title", Text.degreeBeyond(l))) { Text.degreeBeyond(l) }
        default: return .empty
        }
        return el("span", .class("degree degree-\(degree.rawValue)"), Attribute("title", text)) { text }
    }

    static func avatar(name: String, photo: PhotoRef?, small: Bool = false) -> HTML {
        if let photo {
            return el(
                "img", .class(small ? "avatar small" : "avatar"), Attribute("src", PhotoURL.path(photo, small ? .small : .large)),
                Attribute("alt", ""), Attribute("width", small ? "44" : "96"), Attribute("height", small ? "44" : "96"),
                Attribute("loading", "lazy"))
        }
        return el("div", .class(small ? "avatar small" : "avatar"), Attribute("aria-hidden", "true")) { String(name.prefix(1)) }
    }

    static func person(_ p: PersonSummary, _ l: TsunagariCore.Locale, @HTMLBuilder extra: () -> HTML = { .empty }) -> HTML {
        el("li", .class("person")) {
            avatar(name: p.card.name, photo: p.card.photo, small: true)
            el("div", .class("person-body")) {
                el("p", .class("person-name")) {
                    el("a", .href("/in/\(p.card.handle)")) { p.card.name }
                    " "
                    badge(p.degree, l)
                }
                if let headline = p.card.headline { el("p", .class("muted small-text")) { headline } }
                if p.mutualConnectionCount > 0 && p.degree != .first {
                    el("p", .class("muted small-text")) {
                        Text.reasonMutual.counted(p.mutualConnectionCount, l)
                    }
                }
                extra()
            }
        }
    }
}

/// How a post's reactions were built before they were written straight into bytes.
private enum TreeReactions {
    static func form(_ chrome: PageChrome, post id: String, counts: PostCounts, chosen viewerReaction: ReactionType?, back: String) -> HTML {
        let l = chrome.locale
        return el(
            "form", .class("reactions"), Attribute("method", "post"), Attribute("action", "/posts/\(id)/react"),
            Attribute("data-post", id), Attribute("aria-label", Text.reactions(l))
        ) {
            Layout.csrfField(chrome)
            el("input", .type("hidden"), .name("next"), .value(back))
            for type in ReactionType.allCases {
                let chosen = viewerReaction == type
                let count = counts.reactions[type] ?? 0
                el(
                    "button", .type("submit"), .name("type"), .value(chosen ? "none" : type.rawValue), .class(chosen ? "reaction chosen" : "reaction"),
                    Attribute("data-type", type.rawValue), Attribute("aria-pressed", chosen ? "true" : "false"),
                    Attribute("title", chosen ? Text.removeReaction(l) : PostPages.reactionLabel(type, l))
                ) {
                    el("span", .class("reaction-label")) { PostPages.reactionLabel(type, l) }
                    " "
                    el("span", .class("reaction-count")) { String(count) }
                }
            }
        }
    }
}

/// How a post's author line was built before it was written straight into bytes.
private enum TreeAuthorLine {
    static func make(_ person: PersonSummary, _ post: Post, _ l: TsunagariCore.Locale) -> HTML {
        el("header", .class("post-head")) {
            PhotoPages.avatar(name: person.card.name, photo: person.card.photo, small: true)
            el("div", .class("post-byline")) {
                el("p", .class("person-name")) {
                    el("a", .href("/in/\(person.card.handle)")) { person.card.name }
                    " "
                    NetworkPages.badge(person.degree, l)
                }
                if let headline = person.card.headline { el("p", .class("muted small-text")) { headline } }
                el("p", .class("muted small-text")) {
                    el("a", .href("/posts/\(post.id)"), .class("post-time")) {
                        el("time", Attribute("datetime", Represent.timeString(post.createdAt))) { MessagingPages.time(post.createdAt) }
                    }
                    if post.editedAt != nil { " · \(Text.edited(l))" }
                    if post.visibility == .connections {
                        " · "
                        el("span", .class("tag")) { Text.connectionsOnlyPost(l) }
                    }
                }
            }
        }
    }
}

/// How a post was built before it was written straight into bytes.
private enum TreeArticle {
    static func make(
        _ chrome: PageChrome, _ view: PostService.View, viewer: MemberID, reason: FeedReason? = nil, actor: PersonSummary? = nil, back: String,
        detail: Bool = false
    ) -> HTML {
        let l = chrome.locale
        let post = view.post
        return el("article", .class("card post"), .id("post-\(post.id)"), Attribute("data-post", post.id)) {
            if let reason { reasonLine(reason, actor: actor, l) }
            PostPages.authorLine(view.author, post, l)
            if !post.text.isEmpty { el("div", .class("post-text prewrap")) { PostPages.richText(post.text, mentions: view.mentions) } }
            if let job = view.job { JobPages.embedded(job, l) }
            if post.repostOf != nil {
                if let original = view.repostOf, let author = view.repostAuthor {
                    el("blockquote", .class("repost")) {
                        PostPages.authorLine(author, original, l)
                        if !original.text.isEmpty { el("div", .class("post-text prewrap")) { PostPages.richText(original.text, mentions: []) } }
                        if let job = view.repostJob { JobPages.embedded(job, l) }
                    }
                } else {
                    el("p", .class("repost muted")) { Text.postGone(l) }
                }
            }
            el("p", .class("post-counts small-text muted")) {
                "\(PostPages.counted(view.counts.reactionTotal, "reaction", "reactions", ja: "リアクション", l)) · "
                el("a", .href("/posts/\(post.id)#comments")) { PostPages.counted(view.counts.comments, "comment", "comments", ja: "コメント", l) }
                " · \(PostPages.counted(view.counts.reposts, "repost", "reposts", ja: "リポスト", l))"
            }
            PostPages.reactionForm(chrome, view, back: back)
            if !detail {
                el("div", .class("post-actions")) {
                    el("a", .href("/posts/\(post.id)#comment-form"), .class("button small secondary")) { Text.addComment(l) }
                    if post.visibility == .public && !post.isPlainRepost {
                        " "
                        postButton(chrome, action: "/posts/\(post.id)/repost", label: Text.repost(l), style: "button small secondary")
                    }
                }
            }
        }
    }

    static func reasonLine(_ reason: FeedReason, actor: PersonSummary?, _ l: TsunagariCore.Locale) -> HTML {
        let suffix: String? =
            switch reason {
            case .connectionCommented: Text.reasonCommented(l)
            case .connectionReacted: Text.reasonReacted(l)
            case .connectionReposted: Text.reasonReposted(l)
            default: nil
            }
        if let suffix, let actor {
            return el("p", .class("post-reason small-text muted")) {
                el("a", .href("/in/\(actor.card.handle)")) { actor.card.name }
                l == .ja ? suffix : " " + suffix
            }
        }
        switch reason {
        case .following: return el("p", .class("post-reason small-text muted")) { Text.reasonFollowing(l) }
        case .hashtag: return el("p", .class("post-reason small-text muted")) { Text.reasonHashtag(l) }
        default: return .empty
        }
    }

    static func postButton(_ chrome: PageChrome, action: String, label: String, style: String) -> HTML {
        el("form", .class("inline"), Attribute("method", "post"), Attribute("action", action)) {
            el("input", .type("hidden"), .name("_csrf"), .value(chrome.csrfToken))
            el("button", .type("submit"), .class(style)) { label }
        }
    }
}
