import Testing
import TsunagariCore

/// Runs `body` and returns the `DomainError` it throws, recording an issue if it throws nothing or something else.
func domainError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
    do {
        try body()
        Issue.record("Expected a DomainError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as DomainError {
        return error
    } catch {
        Issue.record("Expected a DomainError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite("Handle")
struct HandleTests {
    @Test("Accepts 3–30 ASCII letters, digits, - and _, starting with a letter or digit", arguments: [
        ("abc", "abc"), ("Taro-Yamada_1", "Taro-Yamada_1"), ("sho-sato", "sho-sato"), ("9lives", "9lives"),
        (String(repeating: "a", count: 30), String(repeating: "a", count: 30)), ("a-_", "a-_"), ("ADMINS", "ADMINS"),
    ])
    func valid(_ row: (String, String)) throws {
        #expect(try Handle.validate(row.0) == row.1)
    }

    @Test("Rejects bad shapes with invalid_handle", arguments: [
        "", "ab", "  ab  ", " sho-sato ", String(repeating: "a", count: 31), "-abc", "_abc", "ab c", "taro.yamada", "山田太郎", "ｔａｒｏ",
        "abc!", "abé", "abc\u{0}", "a/b/c", "<script>", "taro@example", "ab\ncd",
    ])
    func invalid(_ raw: String) {
        let error = domainError { _ = try Handle.validate(raw) }
        #expect(error?.kind == .invalid)
        #expect(error?.code == "invalid_handle")
    }

    @Test("Reserved words are taken, in any case", arguments: ["admin", "Admin", "API", "settings", "login", "SignUp", "tsunagari", "static"])
    func reserved(_ raw: String) {
        let error = domainError { _ = try Handle.validate(raw) }
        #expect(error?.kind == .conflict)
        #expect(error?.code == "handle_taken")
    }

    @Test("The uniqueness key ignores case")
    func key() {
        #expect(Handle.key("TaRo-Yamada") == Handle.key("taro-yamada"))
        #expect(Handle.key("taro") != Handle.key("taro2"))
    }

    @Test("A first guess from a name", arguments: [
        ("Emma Smith", "emma-smith"),
        ("Sho Sato", "sho-sato"),
        ("佐藤 翔", "member"),
        ("Ｅｍｍａ　Ｓｍｉｔｈ", "emma-smith"),
        ("Jo", "member"),
        ("Dr. Mary-Jane O'Neil", "dr-mary-jane-o-neil"),
        ("田中 Ken", "ken"),
        ("  ", "member"),
        // Long names leave room for the "-12345" a taken handle gets, and never end in a hyphen.
        (String(repeating: "a", count: 40), String(repeating: "a", count: 24)),
        ("Maximiliana Theodora Wolf Schlegel", "maximiliana-theodora-wol"),
        ("abcdefghijklmnopqrstuvw xyz", "abcdefghijklmnopqrstuvw"),
    ])
    func base(_ row: (String, String)) {
        #expect(Handle.base(fromName: row.0) == row.1)
    }

    @Test("Every guessed base is a valid handle (or a reserved word the caller must avoid)", arguments: [
        "Emma Smith", "佐藤 翔", "Dr. Mary-Jane O'Neil", String(repeating: "long name ", count: 10), "API", "12", "x y z w",
        "Ｅｍｍａ", "Émile Zola", "李 Wei", "a_b c-d",
    ])
    func baseIsValid(_ name: String) {
        let base = Handle.base(fromName: name)
        if Handle.reserved.contains(Handle.key(base)) { return }
        #expect(throws: Never.self) { try Handle.validate(base) }
        // With the suffix sign-up adds on a clash, it is still valid.
        #expect(throws: Never.self) { try Handle.validate(base + "-99999") }
    }
}

@Suite("EmailAddress")
struct EmailAddressTests {
    @Test("Canonical form is trimmed and lower-cased", arguments: [
        ("alice@example.com", "alice@example.com"),
        ("  Alice@Example.COM ", "alice@example.com"),
        ("a.b+tag@sub.example.jp", "a.b+tag@sub.example.jp"),
        ("X@Y.Z", "x@y.z"),
    ])
    func valid(_ row: (String, String)) throws {
        #expect(try EmailAddress.canonical(row.0) == row.1)
    }

    @Test("Rejects what is not an address", arguments: [
        "", "   ", "alice", "alice@", "@example.com", "alice@example", "alice@@example.com", "a@b@example.com",
        "alice@.example.com", "alice@example.com.", "ali ce@example.com", "alice@exa\u{0}mple.com", "alice@exa\tmple.com",
        String(repeating: "a", count: 250) + "@x.jp",
    ])
    func invalid(_ raw: String) {
        let error = domainError { _ = try EmailAddress.canonical(raw) }
        #expect(error?.code == "invalid_email")
        #expect(error?.kind == .invalid)
    }

    @Test("254 characters is the longest accepted")
    func longest() throws {
        let local = String(repeating: "a", count: 254 - "@example.jp".count)
        #expect(try EmailAddress.canonical(local + "@example.jp").count == 254)
        #expect(domainError { _ = try EmailAddress.canonical("a" + local + "@example.jp") }?.code == "invalid_email")
    }
}

@Suite("PasswordRule")
struct PasswordRuleTests {
    @Test("Accepts long enough, varied passwords", arguments: [
        "correct horse battery", "Tsunagari-2025!", "kq8-Zt2vWp", "パスワードは長い方がいい", String(repeating: "abc", count: 66) + "ab",
    ])
    func accepted(_ password: String) {
        #expect(throws: Never.self) { try PasswordRule.check(password, email: "alice@example.com") }
    }

    @Test("Rejects short, long, repetitive, common passwords and the email itself", arguments: [
        ("", nil), ("short1!", nil), ("abcdefghi", nil), ("aaaaaaaaaaaa", nil), ("abababababab", nil), ("Password123", nil),
        ("1234567890", nil), ("QWERTYUIOP", nil), (String(repeating: "ab3", count: 67), nil),
        ("alice@example.com", "alice@example.com"), ("ALICE@example.com", "alice@example.com"),
    ] as [(String, String?)])
    func rejected(_ row: (String, String?)) {
        let error = domainError { try PasswordRule.check(row.0, email: row.1) }
        #expect(error?.code == "weak_password")
        #expect(error?.kind == .invalid)
    }

    @Test("The email rule applies only when the email is given")
    func emailOnlyWhenGiven() {
        #expect(throws: Never.self) { try PasswordRule.check("alice@example.com") }
        #expect(throws: Never.self) { try PasswordRule.check("alice@example.com", email: "bob@example.com") }
    }
}

@Suite("TextRule")
struct TextRuleTests {
    @Test("Trims, keeps the text as written, and turns blank into nil")
    func trimming() throws {
        #expect(try TextRule.clean("  hello  ", field: "F", limit: 10) == "hello")
        #expect(try TextRule.clean("Swift エンジニア <b>&amp;", field: "F", limit: 100) == "Swift エンジニア <b>&amp;")
        #expect(try TextRule.clean("", field: "F", limit: 10) == nil)
        #expect(try TextRule.clean(" \n\t　", field: "F", limit: 10) == nil)
        #expect(try TextRule.optional(nil, field: "F", limit: 10) == nil)
        #expect(try TextRule.optional(" x ", field: "F", limit: 10) == "x")
        // Line breaks at the ends are trimmed away, so single-line fields accept them there.
        #expect(try TextRule.clean("\nabc\n", field: "F", limit: 10) == "abc")
    }

    @Test("Required text may not be blank")
    func required() throws {
        #expect(try TextRule.required(" Aiko ", field: "Name", limit: 10) == "Aiko")
        let error = domainError { _ = try TextRule.required("   ", field: "Name", limit: 10) }
        #expect(error?.code == "required")
        #expect(error?.message.contains("Name") == true)
    }

    @Test("Limits count Unicode scalars, as the API document's maxLength does, white space included")
    func limits() throws {
        #expect(try TextRule.clean("abcde", field: "F", limit: 5) == "abcde")
        #expect(try TextRule.clean("日本語", field: "F", limit: 3) == "日本語")
        #expect(try TextRule.clean("👍🏽", field: "F", limit: 2) == "👍🏽")
        let error = domainError { _ = try TextRule.clean("abcdef", field: "Headline", limit: 5) }
        #expect(error?.code == "too_long")
        #expect(error?.kind == .invalid)
        #expect(error?.message.contains("Headline") == true)
        #expect(domainError { _ = try TextRule.clean("日本語です", field: "F", limit: 4) }?.code == "too_long")
        // One character made of two scalars counts two.
        #expect(domainError { _ = try TextRule.clean("👍🏽", field: "F", limit: 1) }?.code == "too_long")
        // White space that trimming removes still counts against the limit.
        #expect(domainError { _ = try TextRule.clean("  abcde  ", field: "F", limit: 5) }?.code == "too_long")
        #expect(domainError { _ = try TextRule.clean(String(repeating: " ", count: 6), field: "F", limit: 5) }?.code == "too_long")
        #expect(try TextRule.clean("  abc  ", field: "F", limit: 7) == "abc")
    }

    @Test("A byte-order mark around the text is trimmed like white space")
    func byteOrderMark() throws {
        #expect(try TextRule.clean("\u{FEFF}abc\u{FEFF}", field: "F", limit: 10) == "abc")
        #expect(try TextRule.clean("\u{FEFF}", field: "F", limit: 10) == nil)
    }

    @Test("Control characters are refused in single-line text", arguments: [
        "a\u{0}b", "a\u{7}b", "a\u{1B}[31mb", "a\nb", "a\tb", "a\rb", "a\u{7F}b", "a\u{85}b", "a\u{2028}b", "a\u{2029}b",
    ])
    func singleLine(_ text: String) {
        let error = domainError { _ = try TextRule.clean(text, field: "F", limit: 100) }
        #expect(error?.code == "invalid_text")
    }

    @Test("Multiline text allows line breaks and tabs but no other control characters")
    func multiline() throws {
        for text in ["a\nb", "a\tb", "a\r\nb", "一行目\n\n三行目"] {
            #expect(try TextRule.clean(text, field: "About", limit: 100, multiline: true) == text)
        }
        for text in ["a\u{0}b", "a\u{1B}b", "a\u{2028}b", "a\u{7F}\nb"] {
            #expect(domainError { _ = try TextRule.clean(text, field: "About", limit: 100, multiline: true) }?.code == "invalid_text")
        }
    }
}
