import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Certifications, languages, projects, volunteer work and contact details through the API and the pages; who sees
/// them; what search finds by them; handles given up; the public page and the sitemap.
@Suite("Profile sections")
struct ProfileSectionsTests {
    static func entries(_ reply: Reply, _ key: String) -> [[String: Any]] { reply.json[key] as? [[String: Any]] ?? [] }

    @Test func sectionsAreEditedThroughTheAPIWithClearErrors() async throws {
        try await withApp { client, _ in
            let taro = try await client.signUp("Taro", email: "taro@example.test")
            let made = try await client.call(
                .post, "/api/v1/me/certifications", token: taro.token,
                json: ["name": "TOEIC Listening & Reading", "issuer": "IIBC", "obtainedMonth": "2023-06", "score": "905"])
            #expect(made.status == .created, "\(made.text)")
            let certification = made.json["id"] as? String ?? ""
            #expect(made.json["score"] as? String == "905" && made.json["expiryMonth"] is NSNull)

            // Bad input: each a 4xx naming the problem, and nothing stored.
            let cases: [(String, [String: Any], String)] = [
                ("/api/v1/me/certifications", ["name": "AWS SAA", "obtainedMonth": "2024-05", "expiryMonth": "2023-05"], "invalid_dates"),
                ("/api/v1/me/certifications", ["name": "AWS SAA", "obtainedMonth": "2024-13"], "invalid_month"),
                ("/api/v1/me/certifications", ["name": "AWS SAA", "url": "javascript:alert(1)"], "invalid_url"),
                ("/api/v1/me/certifications", ["issuer": "IPA"], "required"),
                ("/api/v1/me/certifications", ["name": "x", "grade": "A"], "unknown_field"),
                ("/api/v1/me/languages", ["name": "英語", "level": "fluent"], "invalid_value"),
                ("/api/v1/me/languages", ["name": "日本語", "level": "native", "jlpt": "N6"], "invalid_value"),
                ("/api/v1/me/languages", ["name": "英語"], "required"),
                ("/api/v1/me/projects", ["name": "P", "startMonth": "2022-05", "endMonth": "2021-01"], "invalid_dates"),
                ("/api/v1/me/projects", ["name": "P", "startMonth": ""], "invalid_month"),
                ("/api/v1/me/volunteering", ["organization": "NPO"], "required"),
            ]
            for (path, body, code) in cases {
                let reply = try await client.call(.post, path, token: taro.token, json: body)
                #expect(reply.status == .unprocessableContent && reply.errorCode == code, "\(path) \(body): \(reply.status) \(reply.text)")
            }
            let language = try await client.call(.post, "/api/v1/me/languages", token: taro.token, json: ["name": "English", "level": "business"])
            #expect(language.status == .created)
            let again = try await client.call(.post, "/api/v1/me/languages", token: taro.token, json: ["name": "english", "level": "basic"])
            #expect(again.status == .conflict && again.errorCode == "language_listed")
            let japanese = try await client.call(
                .post, "/api/v1/me/languages", token: taro.token, json: ["name": "日本語", "level": "native", "jlpt": "N1"])
            #expect(japanese.json["jlpt"] as? String == "N1")
            #expect(try await client.call(.post, "/api/v1/me/projects", token: taro.token, json: ["name": "決済基盤の刷新", "role": "テックリード", "url": "https://example.test/pay", "startMonth": "2021-04"]).status == .created)
            #expect(try await client.call(.post, "/api/v1/me/volunteering", token: taro.token, json: ["organization": "Code for Japan", "role": "メンター", "cause": "シビックテック"]).status == .created)

            var me = try await client.call(.get, "/api/v1/me", token: taro.token)
            #expect(Self.entries(me, "certifications").count == 1 && Self.entries(me, "languages").count == 2)
            #expect(Self.entries(me, "projects").first?["role"] as? String == "テックリード")
            #expect(Self.entries(me, "volunteering").first?["cause"] as? String == "シビックテック")

            // Changing keeps what the change does not name; null clears.
            let changed = try await client.call(
                .patch, "/api/v1/me/certifications/\(certification)", token: taro.token, json: ["score": "945", "issuer": NSNull()])
            #expect(changed.status == .ok && changed.json["score"] as? String == "945" && changed.json["issuer"] is NSNull)
            #expect(changed.json["name"] as? String == "TOEIC Listening & Reading")
            // Someone else's entry is not found, neither to change nor to delete.
            let hanako = try await client.signUp("Hanako", email: "hanako@example.test")
            #expect(try await client.call(.patch, "/api/v1/me/certifications/\(certification)", token: hanako.token, json: ["score": "1"]).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/me/certifications/\(certification)", token: hanako.token).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/me/certifications/\(certification)", token: taro.token).status == .noContent)
            me = try await client.call(.get, "/api/v1/me", token: taro.token)
            #expect(Self.entries(me, "certifications").isEmpty)
            #expect(try await client.call(.post, "/api/v1/me/certifications", json: ["name": "x"]).status == .unauthorized)
        }
    }

    @Test func sectionsFollowTheirVisibilityInProfilesAndSearch() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Taro", "Hanako", "Jiro"])
            try await cast.connect(client, "Taro", "Hanako")
            let taro = cast.tokens["Taro"]!
            #expect(try await client.call(.post, "/api/v1/me/certifications", token: taro, json: ["name": "TOEIC", "score": "905"]).status == .created)
            #expect(try await client.call(.post, "/api/v1/me/languages", token: taro, json: ["name": "English", "level": "business"]).status == .created)
            func search(_ viewer: String, _ query: String) async throws -> [String] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return names(try await client.call(.get, "/api/v1/search/people?q=\(encoded)", token: cast.tokens[viewer]))
            }
            // Shown to everyone: found by the certification and by the language in either language, with its level.
            #expect(try await search("Jiro", "TOEIC").contains("Taro"))
            #expect(try await search("Jiro", "英語 ビジネス").contains("Taro"))
            #expect(try await search("Jiro", "English AND business").contains("Taro"))
            #expect(try await !search("Jiro", "英語 ネイティブ").contains("Taro"))

            let hidden = try await client.call(
                .patch, "/api/v1/me/settings", token: taro, json: ["sectionVisibility": ["certifications": "connections", "languages": "onlyMe"]])
            #expect(hidden.status == .ok, "\(hidden.text)")
            // Search names nothing shown to fewer than everyone: not even a connection finds Taro by it.
            #expect(try await !search("Jiro", "TOEIC").contains("Taro"))
            #expect(try await !search("Hanako", "TOEIC").contains("Taro"))
            #expect(try await !search("Jiro", "英語 ビジネス").contains("Taro"))
            let stranger = try await client.call(.get, "/api/v1/members/\(cast.ids["Taro"]!)", token: cast.tokens["Jiro"])
            #expect(Self.entries(stranger, "certifications").isEmpty && Self.entries(stranger, "languages").isEmpty)
            let connection = try await client.call(.get, "/api/v1/members/\(cast.ids["Taro"]!)", token: cast.tokens["Hanako"])
            #expect(Self.entries(connection, "certifications").count == 1 && Self.entries(connection, "languages").isEmpty)
            // The pages say the same.
            let page = try await Browser.logIn(client, "Jiro").get("/in/\(cast.handles["Taro"]!)")
            #expect(!page.text.contains("TOEIC") && !page.text.contains("id=\"certifications\""))
            let connectionPage = try await Browser.logIn(client, "Hanako").get("/in/\(cast.handles["Taro"]!)")
            #expect(connectionPage.text.contains("id=\"certifications\"") && connectionPage.text.contains("905"))
        }
    }

    @Test func contactDetailsReachConnectionsOnly() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Taro", "Hanako", "Jiro"])
            try await cast.connect(client, "Taro", "Hanako")
            let taro = cast.tokens["Taro"]!
            let saved = try await client.call(
                .patch, "/api/v1/me/contact", token: taro,
                json: [
                    "email": "taro.work@example.test", "emailVisibility": "connections", "phone": "０９０-１２３４-５６７８", "phoneVisibility": "onlyMe",
                    "websites": [["url": "https://taro.example.test/", "label": "ブログ"]],
                ])
            #expect(saved.status == .ok, "\(saved.text)")
            // Full-width digits are read as digits.
            #expect((saved.json["phone"] as? String) == "090-1234-5678")
            for (body, code) in [
                (["phone": "call me"], "invalid_phone"), (["email": "not-an-address"], "invalid_email"),
                (["websites": [["url": "ftp://example.test"]]], "invalid_url"), (["emailVisibility": "everyone"], "invalid_value"),
            ] as [([String: Any], String)] {
                // PATCH, as the contract names it, and PUT, the method older clients were written against.
                for method in [HTTPRequest.Method.patch, .put] {
                    let reply = try await client.call(method, "/api/v1/me/contact", token: taro, json: body)
                    #expect(reply.status == .unprocessableContent && reply.errorCode == code, "\(method) \(body): \(reply.text)")
                }
            }
            let connection = try await client.call(.get, "/api/v1/members/\(cast.ids["Taro"]!)", token: cast.tokens["Hanako"])
            let contact = connection.json["contact"] as? [String: Any] ?? [:]
            #expect(contact["email"] as? String == "taro.work@example.test" && contact["phone"] is NSNull)
            #expect((contact["websites"] as? [[String: Any]])?.first?["label"] as? String == "ブログ")
            #expect(contact["phoneVisibility"] == nil)
            let stranger = try await client.call(.get, "/api/v1/members/\(cast.ids["Taro"]!)", token: cast.tokens["Jiro"])
            let hidden = stranger.json["contact"] as? [String: Any] ?? [:]
            #expect(hidden["email"] is NSNull && hidden["phone"] is NSNull && (hidden["websites"] as? [Any])?.isEmpty == true)
            let strangerPage = try await Browser.logIn(client, "Jiro").get("/in/\(cast.handles["Taro"]!)")
            #expect(!strangerPage.text.contains("taro.work@example.test") && !strangerPage.text.contains("id=\"contact-info\""))
            let connectionPage = try await Browser.logIn(client, "Hanako").get("/in/\(cast.handles["Taro"]!)")
            #expect(connectionPage.text.contains("mailto:taro.work@example.test") && !connectionPage.text.contains("1234-5678"))
            // Search never holds them.
            let found = names(try await client.call(.get, "/api/v1/search/people?q=taro.work", token: cast.tokens["Hanako"]))
            #expect(!found.contains("Taro"))
        }
    }

    @Test func aHandleGivenUpRedirectsAndStaysReserved() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Taro", "Hanako"])
            let old = cast.handles["Taro"]!
            #expect(try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Taro"], json: ["handle": "taro-yamada"]).status == .ok)
            let browser = try await Browser.logIn(client, "Hanako")
            let moved = try await browser.get("/in/\(old)")
            #expect(moved.status == .movedPermanently && moved.header("Location") == "/in/taro-yamada")
            #expect(try await browser.get("/in/taro-yamada").status == .ok)
            let taken = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Hanako"], json: ["handle": old])
            #expect(taken.status == .conflict && taken.errorCode == "handle_taken")
            #expect(try await browser.get("/in/nobody-had-this").status == .notFound)
            // A member Taro blocked is not told where his profile went: the old address names no one for them.
            let jiro = try await client.signUp("Jiro", email: "jiro@example.test")
            #expect(try await client.call(.put, "/api/v1/members/\(jiro.id)/block", token: cast.tokens["Taro"]).status.code < 300)
            let blocked = try await Browser.logIn(client, "Jiro").get("/in/\(old)")
            #expect(blocked.status == .notFound)
        }
    }

    @Test func aPublicProfileIsReadableLoggedOutWithSearchEngineTags() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Taro", "Hanako"])
            let taro = cast.tokens["Taro"]!
            #expect(try await client.call(.patch, "/api/v1/me/profile", token: taro, json: ["headline": "Swift エンジニア </script><b>", "location": "東京都"]).status == .ok)
            #expect(try await client.call(.post, "/api/v1/me/positions", token: taro, json: ["company": "株式会社つながり", "title": "iOS Engineer", "startMonth": "2020-04"]).status == .created)
            #expect(try await client.call(.post, "/api/v1/me/educations", token: taro, json: ["school": "東京大学"]).status == .created)
            #expect(try await client.call(.post, "/api/v1/me/certifications", token: taro, json: ["name": "TOEIC", "score": "905"]).status == .created)
            #expect(try await client.call(.patch, "/api/v1/me/settings", token: taro, json: ["profileVisibility": "public", "sectionVisibility": ["certifications": "connections"]]).status == .ok)

            let anonymous = Browser(client)
            let page = try await anonymous.get("/in/\(cast.handles["Taro"]!)")
            #expect(page.status == .ok)
            #expect(!page.text.contains("name=\"robots\""))
            #expect(page.text.contains("<link rel=\"canonical\" href=\"http://") && page.text.contains("/in/\(cast.handles["Taro"]!)\""))
            #expect(page.text.contains("property=\"og:title\" content=\"Taro\""))
            // JSON-LD: a Person with the job title, employer and school; the script cannot be closed by member text.
            let start = try #require(page.text.range(of: "<script type=\"application/ld+json\">"))
            let end = try #require(page.text.range(of: "</script>", range: start.upperBound..<page.text.endIndex))
            let json = String(page.text[start.upperBound..<end.lowerBound])
            #expect(!json.contains("</script>") && json.contains("\\u003c/script\\u003e"))
            let person = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(person["@type"] as? String == "Person" && person["jobTitle"] as? String == "iOS Engineer")
            #expect((person["worksFor"] as? [[String: Any]])?.first?["name"] as? String == "株式会社つながり")
            #expect((person["alumniOf"] as? [[String: Any]])?.first?["name"] as? String == "東京大学")
            #expect(person["description"] as? String == "Swift エンジニア </script><b>")
            // Nothing a section's visibility hides.
            #expect(!page.text.contains("TOEIC") && person["hasCredential"] == nil)

            // Any other visibility: noindex and no tags.
            #expect(try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Hanako"], json: ["profileVisibility": "members"]).status == .ok)
            let members = try await Browser.logIn(client, "Taro").get("/in/\(cast.handles["Hanako"]!)")
            #expect(members.text.contains("<meta name=\"robots\" content=\"noindex\">") && !members.text.contains("og:title"))

            let sitemap = try await anonymous.get("/sitemap.xml")
            #expect(sitemap.status == .ok && sitemap.header("Content-Type")?.hasPrefix("application/xml") == true)
            #expect(sitemap.text.contains("/sitemaps/profiles-1.xml"))
            let profiles = try await anonymous.get("/sitemaps/profiles-1.xml")
            #expect(profiles.text.contains("/in/\(cast.handles["Taro"]!)</loc>") && !profiles.text.contains(cast.handles["Hanako"]!), "\(profiles.text)")
            #expect(try await anonymous.get("/sitemaps/profiles-2.xml").status == .notFound)
            let robots = try await anonymous.get("/robots.txt")
            #expect(robots.text.contains("Sitemap: http://") && robots.text.contains("Disallow: /api/"))
        }
    }

    @Test func theEditPageAddsChangesAndRemovesEntriesInJapanese() async throws {
        try await withApp { client, _ in
            _ = try await Cast.make(client, ["Taro"])
            let browser = try await Browser.logIn(client, "Taro", language: "ja")
            var page = try await browser.get("/me/edit")
            #expect(page.text.contains("資格・免許") && page.text.contains("プロフィールの充実度") && page.text.contains("id=\"strength-score\""))
            #expect(page.text.contains("data-step=\"photo\""))
            // A failed form shows the page again with the message and what was typed.
            let failed = try await browser.post(
                "/me/certifications", ["name": "応用情報技術者", "obtainedMonth": "2022-10", "expiryMonth": "2020-01"])
            #expect(failed.status == .unprocessableContent && failed.text.contains("応用情報技術者") && failed.text.contains("role=\"alert\""))
            let added = try await browser.post("/me/certifications", ["name": "応用情報技術者", "issuer": "IPA", "obtainedMonth": "2022-10"])
            #expect(added.status == .seeOther)
            #expect(try await browser.post("/me/languages", ["name": "英語", "level": "business", "jlpt": ""]).status == .seeOther)
            #expect(try await browser.post("/me/projects", ["name": "社内ポータル", "role": "PM", "url": "", "startMonth": "2021-04", "endMonth": ""]).status == .seeOther)
            #expect(try await browser.post("/me/volunteering", ["organization": "子ども食堂", "role": "会計", "cause": "", "startMonth": "", "endMonth": ""]).status == .seeOther)
            #expect(try await browser.post("/me/contact", ["email": "taro@work.example", "emailVisibility": "connections", "phone": "", "phoneVisibility": "onlyMe", "websites": "https://taro.example.test/ ブログ", "websitesVisibility": "connections"]).status == .seeOther)
            page = try await browser.get("/me/edit")
            #expect(page.text.contains("応用情報技術者") && page.text.contains("社内ポータル") && page.text.contains("子ども食堂"))
            #expect(!page.text.contains("data-step=\"certification\"") && !page.text.contains("data-step=\"language\""))
            let me = try await client.call(.get, "/api/v1/me", token: try await client.call(.post, "/api/v1/sessions", json: ["email": "taro@example.test", "password": "correct horse battery"]).json["token"] as? String)
            let id = try #require(Self.entries(me, "certifications").first?["id"] as? String)
            #expect((me.json["contact"] as? [String: Any])?["email"] as? String == "taro@work.example")
            #expect(((me.json["contact"] as? [String: Any])?["websites"] as? [[String: Any]])?.first?["label"] as? String == "ブログ")
            let edit = try await browser.get("/me/certifications/\(id)/edit")
            #expect(edit.status == .ok && edit.text.contains("value=\"応用情報技術者\""))
            #expect(try await browser.post("/me/certifications/\(id)", ["name": "応用情報技術者試験", "issuer": "IPA", "obtainedMonth": "2022-10"]).status == .seeOther)
            #expect(try await browser.get("/me/edit").text.contains("応用情報技術者試験"))
            #expect(try await browser.post("/me/certifications/\(id)/delete", [:]).status == .seeOther)
            #expect(try await !browser.get("/me/edit").text.contains("応用情報技術者試験"))
            // The profile shows the sections to its member, in Japanese.
            let profile = try await browser.get("/in/\(me.json["handle"] as? String ?? "")")
            #expect(profile.text.contains("語学") && profile.text.contains("ビジネスレベル") && profile.text.contains("ボランティア活動"))
        }
    }
}
