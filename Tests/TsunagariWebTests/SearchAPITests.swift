import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

@Suite struct SearchAPITests {
    func search(_ client: any TestClientProtocol, _ token: String?, _ query: String) async throws -> Reply {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "=&,"))) ?? ""
        return try await client.call(.get, "/api/v1/search/people?\(encoded)", token: token)
    }

    @Test func booleanJapaneseSearchWithDegreesAndHighlights() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie", "Aki", "Bo", "Cy", "Di"])
            try await cast.connect(client, "Rie", "Aki")
            try await cast.connect(client, "Aki", "Cy")
            try await cast.connect(client, "Cy", "Di")
            for (name, title, company, skills) in [
                ("Aki", "法人営業", "株式会社メルカリ", ["英語"]), ("Di", "法人営業", "株式会社メルカリ", ["英語"]),
                ("Bo", "Sales intern", "Blue Labs", ["英語"]), ("Cy", "エンジニア", "㈱メルカリ", ["Swift"]),
            ] {
                _ = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": company, "title": title, "startMonth": "2021-04"])
                _ = try await client.call(.put, "/api/v1/me/skills", token: cast.tokens[name], json: ["skills": skills])
            }
            let reply = try await search(client, cast.tokens["Rie"], "q=英語 AND (営業 OR sales) -intern")
            #expect(reply.status == .ok, "\(reply.text)")
            let items = reply.json["items"] as? [[String: Any]] ?? []
            // Aki (1st) and Di (3rd) match equally; the nearer one ranks first. Bo is an intern.
            #expect(items.compactMap { ($0["member"] as? [String: Any])?["name"] as? String } == ["Aki", "Di"])
            #expect(items.compactMap { ($0["member"] as? [String: Any])?["degree"] as? Int } == [1, 3])
            #expect((items.first?["highlights"] as? [String])?.contains { $0.contains("営業") } == true)
            let filtered = try await search(client, cast.tokens["Rie"], "q=メルカリ&currentCompany=(株)メルカリ&degree=2")
            #expect(names(filtered) == ["Cy"])
            let bad = try await search(client, cast.tokens["Rie"], "q=(営業")
            #expect(bad.status == .badRequest)
            #expect(bad.errorCode == "bad_query")
            #expect((bad.json["error"] as? [String: Any])?["message"] as? String == "Syntax error at character 4: expected ')'.")
            #expect(try await search(client, nil, "q=英語").status == .unauthorized)
            let noWords = try await search(client, cast.tokens["Rie"], "q=---")
            #expect(noWords.status == .ok)
            #expect((noWords.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await search(client, cast.tokens["Rie"], "").errorCode == "bad_query")
            // The length counts Unicode scalars, as the API document does: 1,000 characters of two scalars each
            // are too long.
            let combined = String(repeating: "e\u{301}", count: 501)
            #expect(combined.count == 501 && combined.unicodeScalars.count == 1_002)
            #expect(try await search(client, cast.tokens["Rie"], "q=\(combined)").errorCode == "bad_query")
        }
    }

    /// Pages follow one another by the cursor, each result once, in the order of one long page; a cursor after the
    /// last result gives none, one that is not a cursor starts from the top, and mutual counts are on every page.
    @Test func pagesFollowTheCursorInRankOrder() async throws {
        try await withApp { client, _ in
            let names = ["Rie", "Aki", "Bo", "Cy", "Di", "Eve", "Fu"]
            let cast = try await Cast.make(client, names)
            for name in names.dropFirst() {
                if name != "Aki" { try await cast.connect(client, "Aki", name) }
                _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens[name], json: ["headline": "営業 \(name)"])
            }
            try await cast.connect(client, "Rie", "Aki")
            let whole = try await search(client, cast.tokens["Rie"], "q=営業&limit=100")
            let everyone = (whole.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any])?["id"] as? String }
            #expect(everyone.count == 6 && whole.json["total"] as? Int == 6 && whole.json["nextCursor"] is NSNull)
            var paged: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let reply = try await search(client, cast.tokens["Rie"], "q=営業&limit=4" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(reply.status == .ok, "\(reply.text)")
                let items = reply.json["items"] as? [[String: Any]] ?? []
                paged += items.compactMap { ($0["member"] as? [String: Any])?["id"] as? String }
                // Aki is shared with every one of them but Aki.
                for item in items {
                    let member = item["member"] as? [String: Any]
                    #expect(member?["mutualConnectionCount"] as? Int == (member?["name"] as? String == "Aki" ? 0 : 1), "\(item)")
                }
                cursor = reply.json["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(paged == everyone && pages == 2)
            // The cursor of the last rank: nothing after it. Text that is not a cursor: the first page.
            let past = Data("000005".utf8).base64EncodedString()
            let after = try await search(client, cast.tokens["Rie"], "q=営業&limit=4&cursor=\(past)")
            #expect((after.json["items"] as? [Any])?.isEmpty == true && after.json["nextCursor"] is NSNull)
            let second = try await search(client, cast.tokens["Rie"], "q=営業&limit=4&cursor=\(Data("000003".utf8).base64EncodedString())")
            #expect((second.json["items"] as? [Any])?.count == 2)
        }
    }

    @Test func privacyRulesInSearch() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie", "Aki", "Bo"])
            try await cast.connect(client, "Rie", "Aki")
            for name in ["Aki", "Bo"] {
                _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens[name], json: ["headline": "職務経歴のプロ"])
                _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens[name], json: ["profileVisibility": "connections"])
            }
            // Connections-only profiles are found by connections only.
            #expect(names(try await search(client, cast.tokens["Rie"], "q=職務経歴")) == ["Aki"])
            // Blocked members never appear, either way.
            _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Rie"]!)/block", token: cast.tokens["Aki"])
            #expect(names(try await search(client, cast.tokens["Rie"], "q=職務経歴")).isEmpty)
            // Open to work is a recruiters' filter.
            let forbidden = try await search(client, cast.tokens["Rie"], "q=職務経歴&openToWork=true")
            #expect(forbidden.status == .forbidden)
            // Empty (a form's "any") and false are no filter, as the API document says; anything else is refused.
            #expect(try await search(client, cast.tokens["Rie"], "q=職務経歴&openToWork=").status == .ok)
            #expect(try await search(client, cast.tokens["Rie"], "q=職務経歴&openToWork=false").status == .ok)
            #expect(try await search(client, cast.tokens["Rie"], "q=職務経歴&openToWork=yes").errorCode == "bad_filter")
            let document = try JSONSerialization.jsonObject(with: Data(StaticAssets.openAPIDocument)) as? [String: Any] ?? [:]
            let parameters = ((document["paths"] as? [String: Any])?["/api/v1/search/people"] as? [String: Any])
                .flatMap { ($0["get"] as? [String: Any])?["parameters"] as? [[String: Any]] } ?? []
            let openToWork = parameters.first { $0["name"] as? String == "openToWork" }?["schema"] as? [String: Any]
            #expect(Set(openToWork?["enum"] as? [String] ?? []) == ["true", "false", ""])
        }
    }

    @Test func searchIsCappedPerMember() async throws {
        try await withApp(searchLimits: SearchLimits(perDay: 2, perMonth: 100)) { client, _ in
            let cast = try await Cast.make(client, ["Rie"])
            for _ in 0..<2 { #expect(try await search(client, cast.tokens["Rie"], "q=swift").status == .ok) }
            let third = try await search(client, cast.tokens["Rie"], "q=swift")
            #expect(third.status == .tooManyRequests)
            #expect(third.header("Retry-After") != nil)
        }
    }
}

@Suite struct SearchPageTests {
    @Test func theSearchPageShowsBadgesAndEscapedHighlights() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie", "Aki"])
            try await cast.connect(client, "Rie", "Aki")
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Aki"], json: ["headline": "<b>英語</b>で法人営業"])
            let browser = Browser(client)
            #expect(try await browser.post("/login", ["email": "rie@example.test", "password": "correct horse battery"]).status == .seeOther)
            let query = "英語 営業".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let page = try await browser.get("/search?q=\(query)")
            #expect(page.status == .ok)
            #expect(page.text.contains("degree-1"))
            #expect(page.text.contains("&lt;b&gt;<mark>英語</mark>&lt;/b&gt;で法人<mark>営業</mark>"))
            #expect(!page.text.contains("<b>英語"))
            // As a browser's form sends it: spaces as +, a plus as %2B.
            let plus = try await browser.get("/search?q=%E8%8B%B1%E8%AA%9E+AND+%E5%96%B6%E6%A5%AD")
            #expect(plus.text.contains("value=\"英語 AND 営業\""))
            #expect(plus.text.contains("degree-1"))
            let bad = try await browser.get("/search?q=%28%E5%96%B6%E6%A5%AD")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Syntax error at character 4"))
            #expect(try await Browser(client).get("/search?q=x").status == .seeOther)  // logged out: log in first
        }
    }
}
