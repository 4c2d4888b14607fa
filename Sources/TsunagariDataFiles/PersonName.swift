/// A person's name as one display string and as the first/last pair files use (LinkedIn's `First Name`/`Last Name`,
/// a card's 姓/名, vCard's `N`). Japanese and Chinese names are written family name first (`山田 太郎`), Western names
/// given name first (`Taro Yamada`); `join` and `split` follow the script so that an export written with `split`
/// reads back with `join` as the same name.
public enum PersonName {
    /// The display name: `last first` when either part is written in Han, Hiragana or Katakana, else `first last`.
    /// Empty parts are left out and runs of whitespace become one space.
    public static func join(first: String?, last: String?) -> String {
        let first = normalized(first ?? "")
        let last = normalized(last ?? "")
        let parts = isEastAsian(first) || isEastAsian(last) ? [last, first] : [first, last]
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The first/last pair of a display name, the inverse of `join`: for a CJK name the first word is the family
    /// name (all of it when there is no space, since the boundary cannot be told from the characters); otherwise the
    /// last word is the family name and a single word is a first name only.
    public static func split(_ name: String) -> (first: String, last: String) {
        let words = words(of: name)
        guard let head = words.first, let tail = words.last else { return ("", "") }
        if isEastAsian(name) {
            return (words.dropFirst().joined(separator: " "), head)
        }
        guard words.count > 1 else { return (head, "") }
        return (words.dropLast().joined(separator: " "), tail)
    }

    private static func words(of text: String) -> [String] {
        // Unicode whitespace includes the ideographic space (U+3000) Japanese input methods type between names.
        text.pieces(separatedBy: isSpace)
    }

    private static func normalized(_ text: String) -> String {
        words(of: text).joined(separator: " ")
    }

    /// Whether the text has a character of a script whose names are written family name first.
    static func isEastAsian(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x3005, 0x3007: true  // 々 (repeat mark, as in 佐々木) and 〇
            case 0x3040...0x309F: true  // Hiragana
            case 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: true  // Katakana, its extension, half-width
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: true  // Han and compatibility ideographs
            case 0x20000...0x3134F: true  // Han extensions B–G (𠮷)
            default: false
            }
        }
    }
}
