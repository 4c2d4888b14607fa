import Foundation

/// Company names as members type them, mapped to one key per company.
///
/// 株式会社メルカリ, メルカリ株式会社, (株)メルカリ, ㈱メルカリ and （株）メルカリ are one company;
/// so are "Sony Corp.", "SONY Corporation" and "ＳＯＮＹ". The key is NFKC-normalised (which turns
/// full-width letters and ㈱ into their plain forms), case-folded, stripped of the legal form wherever
/// it stands, and stripped of punctuation and spaces.
public enum CompanyName {
    /// Japanese legal forms, matched anywhere in the name (前株 and 後株 alike).
    private static let japaneseLegalForms = [
        "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(同)",
    ]
    private static let separators = CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols)
    /// Latin legal forms, removed only as trailing words ("Coca Cola Co." keeps "coca cola").
    private static let latinLegalSuffixes: Set<String> = [
        "inc", "incorporated", "corp", "corporation", "co", "ltd", "limited", "llc", "kk", "plc", "gmbh", "company",
    ]

    public static func key(_ name: String) -> String {
        let folded = Folding.nfkcLowercased(name)
        var text = folded
        for form in japaneseLegalForms {
            text = text.replacingOccurrences(of: form, with: " ")
        }
        text = text.replacingOccurrences(of: "k.k.", with: " kk ")
        var words = text.components(separatedBy: separators).filter { !$0.isEmpty }
        while words.count > 1, let last = words.last, latinLegalSuffixes.contains(last) {
            words.removeLast()
        }
        let key = words.joined()
        if key.isEmpty {
            // The name was nothing but a legal form or punctuation: keep what there is.
            return folded.components(separatedBy: .whitespacesAndNewlines).joined()
        }
        return key
    }
}
