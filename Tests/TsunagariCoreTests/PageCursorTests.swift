import Foundation
import Testing
@testable import TsunagariCore

/// Cursors are base64url of their keys, written and read without Foundation: the same text as Foundation's base64 with
/// its `+/` made `-_` and its padding dropped, and read back as Foundation reads it.
@Suite struct PageCursorTests {
    /// The cursor as Foundation writes it.
    static func foundationEncode(_ key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The key as Foundation reads the cursor.
    static func foundationDecode(_ cursor: String) -> String? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).flatMap { String(data: $0, encoding: .utf8) }
    }

    @Test func cursorsAreWrittenAndReadAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["", "a", "Z", "0", "|", "00099999", "営業", "é", "🙂", "\u{7F}", "~?>"]
        for _ in 0..<5_000 {
            let key = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let cursor = Page.encode(key)
            #expect(cursor == Self.foundationEncode(key), "\(key)")
            #expect(Page.decode(cursor) == key, "\(key)")
        }
        // Text that may or may not be a cursor: what is read is read as Foundation reads it; what Foundation refuses is
        // refused. Foundation passes over `=` inside the text and any number at its end, and reads padding alone as a
        // NUL, all refused here.
        let characters = Array("AQZaz09+/-_=.= ")
        var read = 0
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...9, using: &generator)).map { _ in characters.randomElement(using: &generator)! })
            let expected = Self.foundationDecode(text)
            let decoded = Page.decode(text)
            if decoded != nil || expected == nil { #expect(decoded == expected, "\(text.debugDescription)") }
            // Padding only at the end, two at most, after a character at least: read exactly as Foundation reads it.
            let padding = text.drop { $0 != "=" }
            if padding.count <= 2 && padding.allSatisfy({ $0 == "=" }) && padding.count < max(text.count, 1) { #expect(decoded == expected, "\(text.debugDescription)") }
            if decoded != nil { read += 1 }
        }
        #expect(read > 1_000)
        #expect(Page.decode("YQ") == "a" && Page.decode("YQ=") == "a" && Page.decode("YQ==") == "a" && Page.decode("Y=Q") == nil && Page.decode("=") == nil)
    }
}
