import Foundation

/// NFKC and lower case, the folding every comparison of names and words shares.
public enum Folding {
    /// NFKC, then lower case. Text made only of characters NFKC leaves as they are (ASCII, the common kana and
    /// ideographs, Japanese brackets and stops) skips the normalisation, which goes through Foundation and costs
    /// several times more.
    /// Among those, only ASCII capitals have a lower case: they are lowered byte by byte, and text without one is
    /// returned as it is, without the case tables `lowercased()` looks every character up in.
    public static func nfkcLowercased(_ text: String) -> String {
        var capitals = false
        for scalar in text.unicodeScalars {
            guard isStable(scalar) else { return text.precomposedStringWithCompatibilityMapping.lowercased() }
            if scalar.value &- 0x41 < 26 { capitals = true }
        }
        guard capitals else { return text }
        var bytes = Array(text.utf8)
        for i in bytes.indices where bytes[i] &- 0x41 < 26 { bytes[i] |= 0x20 }
        return String(decoding: bytes, as: UTF8.self)
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
