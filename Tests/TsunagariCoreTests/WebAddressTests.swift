import Testing
@testable import TsunagariCore

/// A web address is kept only in the shape the API document's pattern gives (`URL_PATTERN`), so that what the document
/// refuses the server refuses too, and the other way round.
@Suite("Web addresses")
struct WebAddressTests {
    @Test(arguments: [
        "https://example.com", "HTTP://H", "http://example.com:8080/path?q=1&r=(2)#top", "https://example.jp/%E6%97%A5%E6%9C%AC",
        "https://a-b.example.co.jp/~me/", "  https://example.com/trimmed  ",
    ])
    func kept(_ text: String) throws {
        #expect(try EntryRule.url(text, field: "URL") == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: [
        "hTTp://kRvLFXa*", "ftp://example.com", "https://", "https://-example.com", "https://例え.jp", "https://example.com/a b",
        "https://example.com/<script>", "javascript:alert(1)", "https://example.com:123456",
    ])
    func refused(_ text: String) {
        #expect(throws: DomainError.self) { try EntryRule.url(text, field: "URL") }
    }

    @Test func blankClears() throws {
        #expect(try EntryRule.url("   ", field: "URL") == nil)
        #expect(try EntryRule.url(nil, field: "URL") == nil)
    }
}
