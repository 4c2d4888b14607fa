import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariSearch
@testable import TsunagariWeb

private func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
}

private func names(_ reply: Reply) -> [String] {
    (reply.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any])?["name"] as? String ?? $0["name"] as? String }
}

private func setUp(
    _ client: any TestClientProtocol, _ cast: Cast, _ name: String, title: String, company: String, skills: [String], location: String
) async throws {
    _ = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": company, "title": title, "startMonth": "2021-04"])
    _ = try await client.call(.put, "/api/v1/me/skills", token: cast.tokens[name], json: ["skills": skills])
    _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens[name], json: ["location": location])
}

@Suite struct SearchFacetTests {
    @Test func resultsCarryTotalsFacetsAndCurrentTitles() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie", "Aki", "Bo", "Cy", "Di"])
            try await cast.connect(client, "Rie", "Aki")
            try await cast.connect(client, "Aki", "Bo")
            try await setUp(client, cast, "Aki", title: "法人営業", company: "株式会社メルカリ", skills: ["英語", "Excel"], location: "東京")
            try await setUp(client, cast, "Bo", title: "営業マネージャー", company: "㈱メルカリ", skills: ["英語"], location: "東京")
            try await setUp(client, cast, "Cy", title: "営業", company: "Blue Labs", skills: ["英語", "ｅｘｃｅｌ"], location: "大阪")
            try await setUp(client, cast, "Di", title: "エンジニア", company: "Blue Labs", skills: ["Swift"], location: "大阪")
            let reply = try await client.call(.get, "/api/v1/search/people?q=\(encoded("営業 英語"))", token: cast.tokens["Rie"])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["total"] as? Int == 3)
            #expect(Set(names(reply)) == ["Aki", "Bo", "Cy"])
            let items = reply.json["items"] as? [[String: Any]] ?? []
            #expect(items.first { ($0["member"] as? [String: Any])?["name"] as? String == "Aki" }?["currentTitle"] as? String == "法人営業")
            let facets = reply.json["facets"] as? [String: [[String: Any]]] ?? [:]
            func counts(_ name: String) -> [String: Int] {
                Dictionary((facets[name] ?? []).map { ($0["label"] as? String ?? "?", $0["count"] as? Int ?? -1) }, uniquingKeysWith: +)
            }
            #expect(counts("currentCompany") == ["メルカリ": 2, "Blue Labs": 1] || counts("currentCompany") == ["株式会社メルカリ": 2, "Blue Labs": 1])
            #expect(counts("location") == ["東京": 2, "大阪": 1])
            // One skill counted once however it is written.
            #expect(counts("skill")["英語"] == 3)
            #expect(counts("skill").filter { $0.key.lowercased().contains("excel") }.values.reduce(0, +) == 2)
            #expect((facets["degree"] ?? []).map { "\($0["value"] ?? "")=\($0["count"] ?? "")" } == ["1=1", "2=1"])
            // A facet's value is what its filter takes.
            let company = (facets["currentCompany"] ?? []).first { $0["count"] as? Int == 2 }?["value"] as? String ?? ""
            let narrowed = try await client.call(
                .get, "/api/v1/search/people?q=\(encoded("営業 英語"))&currentCompany=\(encoded(company))", token: cast.tokens["Rie"])
            #expect(Set(names(narrowed)) == ["Aki", "Bo"])
            let onlyFirst = try await client.call(.get, "/api/v1/search/people?q=\(encoded("営業"))&degree=1", token: cast.tokens["Rie"])
            #expect(names(onlyFirst) == ["Aki"])
            let anyDegree = try await client.call(.get, "/api/v1/search/people?q=\(encoded("営業"))&degree=", token: cast.tokens["Rie"])
            #expect(anyDegree.json["total"] as? Int == 3)
        }
    }

    @Test func theResultsPageOffersFacetsPagingAndSaving() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie", "Aki", "Cy"])
            try await setUp(client, cast, "Aki", title: "法人営業", company: "株式会社メルカリ", skills: ["英語"], location: "東京")
            try await setUp(client, cast, "Cy", title: "営業 <script>", company: "Blue & Co", skills: ["英語"], location: "大阪")
            let browser = Browser(client)
            #expect(try await browser.post("/login", ["email": "rie@example.test", "password": "correct horse battery"]).status == .seeOther)
            let page = try await browser.get("/search?q=\(encoded("営業"))&degree=")
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.text.contains("id=\"search-facets\""))
            #expect(page.text.contains("Blue &amp; Co"))
            #expect(!page.text.contains("営業 <script>"))
            #expect(page.text.contains("class=\"facet-count\">1<"))
            #expect(page.text.contains("currentCompany="))
            #expect(page.text.contains("id=\"save-search\""))
            #expect(page.text.contains("class=\"degree degree-beyond\""))
            // Saving from the page, then the saved searches page lists it with a link that runs it.
            let saved = try await browser.post("/search/saved", ["q": "営業", "name": "営業の人", "location": "東京"])
            #expect(saved.status == .seeOther)
            #expect(saved.header("Location") == "/search/saved?done=saved")
            let list = try await browser.get("/search/saved?done=saved")
            #expect(list.text.contains("営業の人"))
            #expect(list.text.contains("location=%E6%9D%B1%E4%BA%AC"))
            let without = try await browser.post("/search/saved", ["q": "営業"], csrf: false)
            #expect(without.status == .forbidden)
            // Japanese labels from Accept-Language for a member without a chosen language.
            let ja = Browser(client)
            ja.acceptLanguage = "ja"
            _ = try await ja.post("/login", ["email": "aki@example.test", "password": "correct horse battery"])
            let japanese = try await ja.get("/search?q=\(encoded("営業"))")
            #expect(japanese.text.contains("絞り込み"))
            #expect(japanese.text.contains("この検索を保存"))
        }
    }
}

@Suite struct TypeaheadTests {
    @Test func namesByTheirBeginningNearestFirstAndPrivate() async throws {
        try await withApp { client, services in
            let keys = ["明": "Akira", "勇": "Isamu", "千": "Chi", "大": "Dai", "恵": "Megumi", "封": "Fu", "Ken": "Ken"]
            let cast = try await Cast.make(client, ["Rie"] + keys.values.sorted())
            for (short, key) in keys {
                let name = short == "Ken" ? "Yamada Ken" : "山田 \(short)"
                _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens[key], json: ["name": name])
            }
            try await cast.connect(client, "Rie", "Akira")
            try await cast.connect(client, "Akira", "Isamu")
            try await cast.connect(client, "Rie", "Dai")
            for key in ["Dai", "Megumi"] {
                _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens[key], json: ["profileVisibility": "connections"])
            }
            _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Rie"]!)/block", token: cast.tokens["Fu"])
            func typeahead(_ text: String, _ viewer: String = "Rie") async throws -> [String] {
                names(try await client.call(.get, "/api/v1/search/typeahead?q=\(encoded(text))", token: cast.tokens[viewer]))
            }
            let found = try await typeahead("山田")
            // 1st degree first (the connections-only one too), then 2nd, then the rest; never the private stranger or the blocker.
            #expect(Set(found.prefix(2)) == ["山田 明", "山田 大"])
            #expect(found.dropFirst(2).first == "山田 勇")
            #expect(Set(found) == ["山田 明", "山田 大", "山田 勇", "山田 千"])
            #expect(Set(try await typeahead("山")) == Set(found))
            #expect(try await typeahead("yam") == ["Yamada Ken"])
            #expect(try await typeahead("YAMADA k") == ["Yamada Ken"])
            #expect(try await typeahead("ｙａｍ") == ["Yamada Ken"])
            #expect(try await typeahead("").isEmpty)
            #expect(try await typeahead("Rie").isEmpty)  // never oneself
            let tooLong = try await client.call(.get, "/api/v1/search/typeahead?q=\(String(repeating: "a", count: 101))", token: cast.tokens["Rie"])
            #expect(tooLong.status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/search/typeahead?q=yam").status == .unauthorized)
            // A renamed member is found by the new name at once.
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Chi"], json: ["name": "佐藤 千"])
            #expect(try await typeahead("佐藤") == ["佐藤 千"])
            // The page's own endpoint answers the same with the session cookie.
            let browser = Browser(client)
            _ = try await browser.post("/login", ["email": "rie@example.test", "password": "correct horse battery"])
            let page = try await browser.get("/search/typeahead?q=\(encoded("yam"))")
            #expect(names(page) == ["Yamada Ken"])
            _ = services
        }
    }

    @Test func typeaheadIsCappedPerDay() async throws {
        try await withApp(searchLimits: SearchLimits(perDay: 100, perMonth: 1_000, typeaheadPerDay: 3)) { client, _ in
            let cast = try await Cast.make(client, ["Rie"])
            for _ in 0..<3 { #expect(try await client.call(.get, "/api/v1/search/typeahead?q=a", token: cast.tokens["Rie"]).status == .ok) }
            let fourth = try await client.call(.get, "/api/v1/search/typeahead?q=a", token: cast.tokens["Rie"])
            #expect(fourth.status == .tooManyRequests)
        }
    }
}

@Suite struct SavedSearchTests {
    /// Saving a search and each background check of it are searches of their owner, counted against the same caps:
    /// saving and deleting cannot be used to search past them, and a member at the cap is not checked until it frees.
    @Test func savedSearchesCountAgainstTheSearchCaps() async throws {
        try await withApp(searchLimits: SearchLimits(perDay: 3, perMonth: 1_000, typeaheadPerDay: 1_000)) { client, services in
            let cast = try await Cast.make(client, ["Rie", "Bo"])
            let saved = try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: ["q": "営業"])
            #expect(saved.status == .created)
            for _ in 0..<2 {
                #expect(try await client.call(.get, "/api/v1/search/people?q=営業".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!, token: cast.tokens["Rie"]).status == .ok)
            }
            let refused = try await client.call(.get, "/api/v1/search/people?q=sales", token: cast.tokens["Rie"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.errorCode == "search_limit")
            let again = try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: ["q": "sales"])
            #expect(again.status == .tooManyRequests)
            // Bo starts to match, but Rie is at her cap: the check waits.
            try await setUp(client, cast, "Bo", title: "営業", company: "Blue Labs", skills: ["英語"], location: "東京")
            try await Task.sleep(for: .milliseconds(5))
            #expect(try await services.savedSearches.checkDue(interval: 0) == 0)
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Rie"]).json["unread"] as? Int == 0)
        }
    }

    @Test func aSavedSearchAnnouncesNewMatchesOnce() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Rie", "Aki", "Bo", "Cy", "Di", "Eve"])
            try await setUp(client, cast, "Aki", title: "法人営業", company: "株式会社メルカリ", skills: ["英語"], location: "東京")
            let created = try await client.call(
                .post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: ["q": "英語 AND 営業", "filters": ["location": "東京"]])
            #expect(created.status == .created, "\(created.text)")
            let id = created.json["id"] as? String ?? ""
            #expect(created.json["name"] as? String == "英語 AND 営業")
            #expect((created.json["filters"] as? [String: Any])?["location"] as? String == "東京")
            // Aki matched already: no news.
            #expect(try await services.savedSearches.checkDue(interval: 0) == 0)
            // Bo starts to match, Cy matches the words but not the place, Di matches but shows the profile to connections only.
            try await setUp(client, cast, "Bo", title: "営業", company: "Blue Labs", skills: ["英語"], location: "東京都")
            try await setUp(client, cast, "Cy", title: "営業", company: "Blue Labs", skills: ["英語"], location: "大阪")
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Di"], json: ["profileVisibility": "connections"])
            try await setUp(client, cast, "Di", title: "営業", company: "Blue Labs", skills: ["英語"], location: "東京")
            try await Task.sleep(for: .milliseconds(5))
            #expect(try await services.savedSearches.checkDue(interval: 0) == 1)
            let notifications = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Rie"])
            #expect(notifications.status == .ok, "\(notifications.text)")
            #expect(notifications.json["unread"] as? Int == 1)
            let items = notifications.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            #expect(items.first?["kind"] as? String == "savedSearchMatches")
            #expect(items.first?["count"] as? Int == 1)
            #expect((items.first?["members"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Bo"])
            #expect((items.first?["savedSearch"] as? [String: Any])?["id"] as? String == id)
            // Checked again: Bo is not news twice.
            try await Task.sleep(for: .milliseconds(5))
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Bo"], json: ["headline": "英語で営業"])
            #expect(try await services.savedSearches.checkDue(interval: 0) == 0)
            // Others see nothing of it.
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Eve"]).json["unread"] as? Int == 0)
            #expect(try await client.call(.get, "/api/v1/search/saved/\(id)", token: cast.tokens["Eve"]).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/search/saved/\(id)", token: cast.tokens["Eve"]).status == .notFound)
            // Read, then the page and header agree.
            let upTo = items.first?["id"] as? String ?? ""
            let read = try await client.call(.post, "/api/v1/notifications/read", token: cast.tokens["Rie"], json: ["upTo": upTo])
            #expect(read.status == .noContent)
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Rie"]).json["unread"] as? Int == 0)
            #expect(try await client.call(.get, "/api/v1/search/saved", token: cast.tokens["Rie"]).json["items"].map { ($0 as? [Any])?.count } == 1)
            #expect(try await client.call(.delete, "/api/v1/search/saved/\(id)", token: cast.tokens["Rie"]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/search/saved/\(id)", token: cast.tokens["Rie"]).status == .notFound)
        }
    }

    @Test func badSavedSearchesAreRefusedAndChangeNothing() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie"])
            func save(_ json: [String: Any]) async throws -> Reply {
                try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: json)
            }
            #expect(try await save(["q": "(営業"]).errorCode == "bad_query")
            #expect(try await save(["q": "営業", "filters": ["degree": "4"]]).errorCode == "bad_degree")
            #expect(try await save(["q": "営業", "filters": ["colour": "red"]]).errorCode == "unknown_field")
            #expect(try await save(["q": "営業", "filters": ["openToWork": true]]).status == .forbidden)
            #expect(try await save(["q": "営業", "name": String(repeating: "x", count: 101)]).status == .unprocessableContent)
            #expect(try await save(["q": "営業", "extra": 1]).errorCode == "unknown_field")
            #expect(try await save(["name": "x"]).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/search/saved", token: cast.tokens["Rie"]).json["items"].map { ($0 as? [Any])?.count } == 0)
            for index in 0..<SavedSearchService.maximumPerMember {
                #expect(try await save(["q": "営業 \(index)"]).status == .created)
            }
            #expect(try await save(["q": "営業"]).errorCode == "saved_search_limit")
            let badRead = try await client.call(.post, "/api/v1/notifications/read", token: cast.tokens["Rie"], json: ["upTo": 3])
            #expect(badRead.status == .unprocessableContent)
        }
    }

    /// A search saved without a name (or with a blank one) is named by its query, cut to the name's 100
    /// characters when the query is longer; on the API and on the page.
    @Test func anUnnamedSavedSearchIsNamedByItsQuery() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie"])
            let long = (0..<40).map { "営業\($0)" }.joined(separator: " OR ")
            #expect(long.unicodeScalars.count > 100 && long.count <= QueryParser.maximumLength)
            let created = try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: ["q": long, "name": " \n "])
            #expect(created.status == .created, "\(created.text)")
            let name = created.json["name"] as? String ?? ""
            #expect(name.unicodeScalars.count <= 100 && name.unicodeScalars.count > 90)
            #expect(name.hasSuffix("…") && long.hasPrefix(String(name.dropLast())))
            #expect(created.json["q"] as? String == long)
            let short = try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: ["q": " 英語 "])
            #expect(short.json["name"] as? String == "英語")

            let browser = Browser(client)
            _ = try await browser.post("/login", ["email": "rie@example.test", "password": "correct horse battery"])
            #expect(try await browser.post("/search/saved", ["q": long]).status == .seeOther)
            let names = try await client.call(.get, "/api/v1/search/saved", token: cast.tokens["Rie"]).json["items"]
                .map { ($0 as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } } ?? []
            #expect(names.filter { $0 == name }.count == 2)
        }
    }

    @Test func theNotificationsPageNamesNewMatchesAndMarksThemRead() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Rie", "Bo"])
            let browser = Browser(client)
            _ = try await browser.post("/login", ["email": "rie@example.test", "password": "correct horse battery"])
            #expect(try await browser.post("/search/saved", ["q": "データ分析", "name": "分析 <b>"]).status == .seeOther)
            try await Task.sleep(for: .milliseconds(5))
            try await setUp(client, cast, "Bo", title: "データ分析", company: "Blue Labs", skills: ["SQL"], location: "東京")
            try await Task.sleep(for: .milliseconds(5))
            #expect(try await services.savedSearches.checkDue(interval: 0) == 1)
            let home = try await browser.get("/search/saved")
            #expect(home.text.contains("id=\"unread-count\">1<"))
            let page = try await browser.get("/notifications")
            #expect(page.status == .ok)
            #expect(page.text.contains("分析 &lt;b&gt;"))
            #expect(page.text.contains("/in/\(cast.handles["Bo"]!)"))
            #expect(page.text.contains("notification unread"))
            let upTo = page.text.range(of: "name=\"upTo\" value=\"").map { String(page.text[$0.upperBound...].prefix(26)) } ?? ""
            #expect(try await browser.post("/notifications/read", ["upTo": upTo]).status == .seeOther)
            let after = try await browser.get("/notifications")
            #expect(!after.text.contains("notification unread"))
            #expect(after.text.contains("id=\"unread-count\" hidden"))
        }
    }
}

@Suite struct BroadSearchTests {
    @Test func aBroadQueryStillFindsTheViewersConnections() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Rie", "Aki", "Bo", "Cy", "Di", "Eve"])
            for name in ["Aki", "Bo", "Cy", "Di", "Eve"] {
                _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens[name], json: ["headline": "英語 営業"])
            }
            // Eve's text is the weakest match, but she is Rie's connection.
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Eve"], json: ["headline": "英語", "about": String(repeating: "長い経歴 ", count: 50)])
            try await cast.connect(client, "Rie", "Eve")
            // The index gives only the best two by text; Eve is asked for among Rie's connections.
            let search = PeopleSearchService(
                storage: services.storage, index: services.searchIndex, graph: services.graph, clock: services.clock, limits: .relaxed,
                filterQueries: ProfileIndexing.filterQueries, candidateLimit: 2)
            let query = IndexQuery.sequence(["英語"], column: nil)
            let results = try await search.search(query, filters: SearchFilters(), viewer: MemberID(cast.ids["Rie"]!), role: .member)
            let rie = MemberID(cast.ids["Rie"]!)
            let shown = try await results.shown(0..<10)
            #expect(shown.first?.person.card.name == "Eve")
            #expect(results.hits.count == 3)
            // Those shown have their cards, degrees and mutual counts, read for the page alone.
            #expect(shown.map(\.person.card.id) == results.hits.map(\.member))
            #expect(shown.map(\.person.degree) == services.graph.degrees(from: rie, to: results.hits.map(\.member)))
            #expect(shown.map(\.person.mutualConnectionCount) == services.graph.mutualCounts(of: rie, with: results.hits.map(\.member)))
            #expect(shown.map(\.attributes.name) == shown.map(\.person.card.name))
            #expect(try await results.shown(1..<2).map(\.person.card.id) == [results.hits[1].member])
            #expect(try await results.shown(2..<50).count == 1)
            #expect(try await results.shown(5..<10).isEmpty)
            var strangers = SearchFilters()
            strangers.degrees = [.second, .third]
            let others = try await search.search(query, filters: strangers, viewer: MemberID(cast.ids["Rie"]!), role: .member)
            #expect(!others.hits.contains { $0.member == MemberID(cast.ids["Eve"]!) })
        }
    }
}

/// A hostile query (deep nesting, hundreds of ORs or negations, a page of Japanese in quotes) is refused at once as too
/// complex, on the API, the page and saved searches, while a malformed one is still a syntax error with its position.
@Suite struct SearchQueryLimitTests {
    @Test func hostileQueriesAreRefusedAsTooComplex() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Rie", "Aki"])
            try await setUp(client, cast, "Aki", title: "法人営業", company: "株式会社メルカリ", skills: ["英語"], location: "東京")
            func search(_ q: String) async throws -> Reply {
                try await client.call(.get, "/api/v1/search/people?q=\(encoded(q))", token: cast.tokens["Rie"])
            }
            let nested = try await search(String(repeating: "(", count: 400) + "英語" + String(repeating: ")", count: 400))
            #expect(nested.status == .badRequest, "\(nested.text)")
            #expect(nested.errorCode == "too_complex")
            #expect(
                (nested.json["error"] as? [String: Any])?["message"] as? String
                    == "The query is too complex at character 17: at most 16 parentheses and negations within one another.")
            for hostile in [
                (0..<150).map { _ in "\"英語\"" }.joined(separator: "||"), String(repeating: "NOT ", count: 240) + "英語",
                String(repeating: "- ", count: 499) + "-", String(repeating: "-a ", count: 333), "「" + String(repeating: "営業", count: 400) + "」",
            ] {
                let reply = try await search(hostile)
                #expect(reply.status == .badRequest && reply.errorCode == "too_complex", "\(hostile.prefix(20)): \(reply.text)")
            }
            #expect(try await search(String(repeating: "\"", count: 999)).errorCode == "bad_query")
            let recruiter = try await search("(title:法人営業 OR title:\"account executive\") AND (英語 OR English) -intern NOT company:\"Blue Labs\"")
            #expect(recruiter.status == .ok, "\(recruiter.text)")
            #expect(names(recruiter) == ["Aki"])
            let saved = try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Rie"], json: ["q": String(repeating: "NOT ", count: 240) + "英語"])
            #expect(saved.errorCode == "too_complex")
            let browser = Browser(client)
            #expect(try await browser.post("/login", ["email": "rie@example.test", "password": "correct horse battery"]).status == .seeOther)
            let page = try await browser.get("/search?q=\(encoded(String(repeating: "(", count: 400) + "英語" + String(repeating: ")", count: 400)))")
            #expect(page.status == .badRequest)
            #expect(page.text.contains("The query is too complex at character 17"))
        }
    }
}
