import Testing
import TsunagariCore

@Suite("CompanyName.key")
struct CompanyNameTests {
    /// Every way people write Mercari: legal form before or after, in full, abbreviated, enclosed, full-width.
    static let mercariSpellings = [
        "株式会社メルカリ", "メルカリ株式会社", "(株)メルカリ", "㈱メルカリ", "（株）メルカリ", "株式会社 メルカリ",
        "株式会社　メルカリ", "メルカリ", "メルカリ (株)",
    ]

    @Test("Japanese legal forms are removed wherever they stand", arguments: mercariSpellings)
    func mercari(_ spelling: String) {
        #expect(CompanyName.key(spelling) == "メルカリ")
    }

    @Test("Latin legal suffixes, case and full-width letters fold to one key", arguments: [
        "Sony Corp.", "SONY Corporation", "ＳＯＮＹ", "Sony, Inc.", "Sony Inc", "sony", "Sony K.K.", "Sony KK", "Sony Co., Ltd.",
        " Sony  Corporation ",
    ])
    func sony(_ spelling: String) {
        #expect(CompanyName.key(spelling) == "sony")
    }

    @Test("Only trailing legal words are removed: Coca Cola Co. keeps coca cola")
    func trailingOnly() {
        #expect(CompanyName.key("Coca Cola Co.") == "cocacola")
        #expect(CompanyName.key("Coca-Cola Company") == "cocacola")
        #expect(CompanyName.key("COCA COLA") == "cocacola")
        // A legal word that is the whole name is kept rather than leaving nothing.
        #expect(CompanyName.key("Company") == "company")
        // A legal word in the middle of a name is part of the name.
        #expect(CompanyName.key("Inc Labs") == "inclabs")
    }

    @Test("Different companies keep different keys", arguments: [
        ("株式会社メルカリ", "ソニー株式会社"),
        ("Sony Corp.", "Sony Music Inc."),
        ("Coca Cola Co.", "Cola Co."),
        ("株式会社さくら商事", "株式会社さくら電機"),
        ("有限会社山田工務店", "株式会社山田工業"),
        ("Blue Systems Inc.", "Blue Labs Inc."),
    ])
    func distinct(_ pair: (String, String)) {
        #expect(CompanyName.key(pair.0) != CompanyName.key(pair.1))
    }

    @Test("A name that is nothing but a legal form still has a key", arguments: ["株式会社", "(株)", "㈱", "Inc.", "有限会社"])
    func onlyLegalForm(_ name: String) {
        #expect(!CompanyName.key(name).isEmpty)
    }

    @Test("Keys are stable: the key of a key is the key")
    func idempotent() {
        for name in Self.mercariSpellings + ["Sony Corp.", "Coca Cola Co.", "ＡＢＣ Ｌａｂｓ", "日本電気株式会社"] {
            let key = CompanyName.key(name)
            #expect(CompanyName.key(key) == key, "\(name)")
        }
    }
}
