import Foundation
import Testing

@testable import TsunagariCore

@Suite struct FoldingTests {
    /// The fast path must fold exactly as full NFKC would, for text it takes and text it leaves.
    @Test func foldsAsNFKCDoes() {
        let pieces = [
            "Swift", "ＳＷＩＦＴ", "ｶﾀｶﾅ", "カタカナ", "ひらがな", "英語", "営業部長", "「職務経歴」", "㈱メルカリ", "e\u{301}", "か\u{3099}", "ヿ", "　",
            "Node.js", "C++", "Ⅳ", "ﬁ", "々", "ー", "햇", "İstanbul", "ß",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 1...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(Folding.nfkcLowercased(text) == text.precomposedStringWithCompatibilityMapping.lowercased(), "\(text)")
        }
        #expect(Folding.isStable("a") && Folding.isStable("営") && !Folding.isStable("ｶ") && !Folding.isStable("\u{3099}"))
    }

    /// Text of stable characters is lowered byte by byte: the very bytes `lowercased()` writes (terms are stored and
    /// compared as bytes), for every stable character, alone and beside capitals.
    @Test func stableTextIsLoweredToTheSameBytes() {
        var checked = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), Folding.isStable(scalar) else { continue }
            for text in [String(scalar), "AbC" + String(scalar) + "Z", String(scalar) + "q"] {
                #expect(Array(Folding.nfkcLowercased(text).utf8) == Array(text.lowercased().utf8), "\(value)")
            }
            checked += 1
        }
        #expect(checked > 20_000)
        // Text without a capital comes back as it is.
        #expect(Folding.nfkcLowercased("営業 swift") == "営業 swift")
        #expect(Folding.nfkcLowercased("Senior ENGINEER 営業") == "senior engineer 営業")
    }
}
