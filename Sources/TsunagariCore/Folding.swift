import Foundation

/// NFKC and lower case, the folding every comparison of names and words shares.
public enum Folding {
    /// NFKC, then lower case. Text made only of characters NFKC leaves as they are (ASCII, the common kana and
    /// ideographs, Japanese brackets and stops) skips the normalisation, which goes through Foundation and costs
    /// several times more.
    public static func nfkcLowercased(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy(isStable) { return text.lowercased() }
        return text.precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// Whether NFKC leaves the character as it is, whatever stands around it (no compatibility mapping, never
    /// composed with a neighbour).
    static func isStable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x7F,  // ASCII
            0x3001...0x3002, 0x3005...0x3007, 0x300C...0x300F,  // 、。 々〆〇 「」『』
            0x3041...0x3096,  // hiragana (not the combining or spacing sound marks)
            0x30A1...0x30FA, 0x30FC,  // katakana, ー
            0x4E00...0x9FFF:  // CJK unified ideographs
            return true
        default:
            return false
        }
    }
}
