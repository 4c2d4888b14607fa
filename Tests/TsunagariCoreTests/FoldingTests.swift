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
}
