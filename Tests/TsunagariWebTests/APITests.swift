import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariStorageSQLite
@testable import TsunagariWeb

@Suite struct AccountAPITests {
    @Test func signUpLogInLogOutAndDelete() async throws {
        try await withApp { client, _ in
            let (token, id, handle) = try await client.signUp()
            #expect(!token.isEmpty && !id.isEmpty && !handle.isEmpty)

            let me = try await client.call(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(me.json["email"] as? String == "hanako@example.test")
            let settings = me.json["settings"] as? [String: Any]
            // PRODUCT.md defaults for a new member.
            #expect(settings?["profileVisibility"] as? String == "members")
            #expect(settings?["connectionsVisibility"] as? String == "connections")
            #expect((settings?["openToWork"] as? [String: Any])?["enabled"] as? Bool == false)

            let again = try await client.call(.post, "/api/v1/accounts", json: ["email": "HANAKO@example.test", "password": "another long one", "name": "X"])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "email_taken")

            let wrong = try await client.call(.post, "/api/v1/sessions", json: ["email": "hanako@example.test", "password": "wrong password!"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")

            let login = try await client.call(.post, "/api/v1/sessions", json: ["email": "hanako@example.test", "password": "correct horse battery"])
            #expect(login.status == .ok)
            let second = login.json["token"] as? String ?? ""

            #expect(try await client.call(.delete, "/api/v1/sessions/current", token: second).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: second).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .ok)

            let export = try await client.call(.get, "/api/v1/me/export", token: token)
            #expect(export.status == .ok)
            #expect((export.json["account"] as? [String: Any])?["email"] as? String == "hanako@example.test")
            #expect(!export.text.contains("password"))

            let badDelete = try await client.call(.delete, "/api/v1/me", token: token, json: ["password": "not it at all"])
            #expect(badDelete.status == .forbidden)
            #expect(try await client.call(.delete, "/api/v1/me", token: token, json: ["password": "correct horse battery"]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/members/\(handle)").status == .notFound)
            let relogin = try await client.call(.post, "/api/v1/sessions", json: ["email": "hanako@example.test", "password": "correct horse battery"])
            #expect(relogin.status == .unauthorized)
        }
    }

    @Test func weakPasswordAndBadEmailAre422() async throws {
        try await withApp { client, _ in
            let short = try await client.call(.post, "/api/v1/accounts", json: ["email": "a@example.test", "password": "short", "name": "A"])
            #expect(short.status == .unprocessableContent)
            #expect(short.errorCode == "weak_password")
            let email = try await client.call(.post, "/api/v1/accounts", json: ["email": "not-an-email", "password": "long enough pass", "name": "A"])
            #expect(email.status == .unprocessableContent)
            #expect(email.errorCode == "invalid_email")
        }
    }

    @Test func repeatedFailedLoginsAreThrottledWithRetryAfter() async throws {
        try await withApp(limits: .standard) { client, _ in
            _ = try await client.signUp()
            for _ in 0..<RateLimits.standard.failedLoginsPerAccount.limit {
                let reply = try await client.call(.post, "/api/v1/sessions", json: ["email": "hanako@example.test", "password": "guess guess guess"])
                #expect(reply.status == .unauthorized)
            }
            let blocked = try await client.call(.post, "/api/v1/sessions", json: ["email": "hanako@example.test", "password": "correct horse battery"])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.errorCode == "rate_limited")
            #expect(Int(blocked.header("Retry-After") ?? "") ?? 0 > 0)
        }
    }
}

@Suite struct ProfileAPITests {
    @Test func everySectionRoundTrips() async throws {
        try await withApp { client, _ in
            let (token, _, _) = try await client.signUp()
            let patch = try await client.call(
                .patch, "/api/v1/me/profile", token: token,
                json: ["nameReading": "やまだ はなこ", "handle": "Hanako-Y", "headline": "Swift エンジニア", "location": "東京都", "industry": "IT", "about": "よろしく\nお願いします"])
            #expect(patch.status == .ok, "\(patch.text)")
            #expect(patch.json["handle"] as? String == "Hanako-Y")

            let position = try await client.call(
                .post, "/api/v1/me/positions", token: token,
                json: ["company": "株式会社メルカリ", "title": "ソフトウェアエンジニア", "startMonth": "2020-04", "description": "iOS アプリ"])
            #expect(position.status == .created, "\(position.text)")
            let positionID = position.json["id"] as? String ?? ""
            let company = position.json["company"] as? [String: Any]
            #expect(company?["name"] as? String == "株式会社メルカリ")

            let updated = try await client.call(.patch, "/api/v1/me/positions/\(positionID)", token: token, json: ["endMonth": "2023-03"])
            #expect(updated.status == .ok)
            #expect(updated.json["endMonth"] as? String == "2023-03")
            #expect(updated.json["title"] as? String == "ソフトウェアエンジニア")

            let education = try await client.call(
                .post, "/api/v1/me/educations", token: token, json: ["school": "東京大学", "degree": "学士", "startYear": 2012, "endYear": 2016])
            #expect(education.status == .created)
            let educationID = education.json["id"] as? String ?? ""
            #expect(try await client.call(.patch, "/api/v1/me/educations/\(educationID)", token: token, json: ["field": "情報工学"]).status == .ok)

            let skills = try await client.call(.put, "/api/v1/me/skills", token: token, json: ["skills": ["Swift", "英語", "swift", "ＳＷＩＦＴ"]])
            #expect(skills.status == .ok)
            #expect(skills.json["skills"] as? [String] == ["Swift", "英語"])

            let settings = try await client.call(
                .patch, "/api/v1/me/settings", token: token,
                json: ["profileVisibility": "public", "openToWork": ["enabled": true, "visibility": "everyone", "titles": ["iOS Engineer"]], "locale": "ja"])
            #expect(settings.status == .ok, "\(settings.text)")
            #expect(settings.json["locale"] as? String == "ja")

            let me = try await client.call(.get, "/api/v1/me", token: token)
            #expect((me.json["positions"] as? [[String: Any]])?.count == 1)
            #expect((me.json["educations"] as? [[String: Any]])?.first?["field"] as? String == "情報工学")
            #expect(me.json["about"] as? String == "よろしく\nお願いします")

            // Public now: a logged-out client sees it by handle (any case) and by id.
            let public1 = try await client.call(.get, "/api/v1/members/hanako-y")
            #expect(public1.status == .ok)
            #expect(public1.json["access"] as? String == "full")
            #expect(public1.json["degree"] is NSNull)
            // "Everyone" means whoever sees the full profile, logged-out visitors of a public one too.
            #expect((public1.json["openToWork"] as? [String: Any])?["titles"] as? [String] == ["iOS Engineer"])
            let own = try await client.call(.get, "/api/v1/members/hanako-y", token: token)
            #expect(own.json["degree"] as? Int == 0)

            #expect(try await client.call(.delete, "/api/v1/me/positions/\(positionID)", token: token).status == .noContent)
            #expect(try await client.call(.delete, "/api/v1/me/positions/\(positionID)", token: token).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/me/educations/\(educationID)", token: token).status == .noContent)
        }
    }

    @Test func monthsAreValidated() async throws {
        try await withApp { client, _ in
            let (token, _, _) = try await client.signUp()
            let badMonth = try await client.call(.post, "/api/v1/me/positions", token: token, json: ["company": "A", "title": "B", "startMonth": "2020-13"])
            #expect(badMonth.status == .unprocessableContent)
            #expect(badMonth.errorCode == "invalid_month")
            let backwards = try await client.call(
                .post, "/api/v1/me/positions", token: token, json: ["company": "A", "title": "B", "startMonth": "2020-05", "endMonth": "2020-04"])
            #expect(backwards.status == .unprocessableContent)
            #expect(backwards.errorCode == "invalid_dates")
            let me = try await client.call(.get, "/api/v1/me", token: token)
            #expect((me.json["positions"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func companySpellingsMapToOneCompanyShowingTheCommonest() async throws {
        try await withApp { client, _ in
            var ids: Set<String> = []
            for (index, spelling) in ["株式会社メルカリ", "㈱メルカリ", "（株）メルカリ", "株式会社メルカリ", "メルカリ株式会社"].enumerated() {
                let (token, _, _) = try await client.signUp("M\(index)", email: "m\(index)@example.test")
                let reply = try await client.call(.post, "/api/v1/me/positions", token: token, json: ["company": spelling, "title": "Engineer", "startMonth": "2021-01"])
                ids.insert((reply.json["company"] as? [String: Any])?["id"] as? String ?? "")
            }
            #expect(ids.count == 1)
            let company = try await client.call(.get, "/api/v1/companies/\(ids.first!)")
            #expect(company.json["name"] as? String == "株式会社メルカリ")
            #expect(company.json["currentMemberCount"] as? Int == 5)
        }
    }

    @Test func handlesAreUniqueCaseInsensitively() async throws {
        try await withApp { client, _ in
            let a = try await client.signUp("A", email: "a@example.test")
            let b = try await client.signUp("B", email: "b@example.test")
            #expect(try await client.call(.patch, "/api/v1/me/profile", token: a.token, json: ["handle": "Taken"]).status == .ok)
            let clash = try await client.call(.patch, "/api/v1/me/profile", token: b.token, json: ["handle": "taken"])
            #expect(clash.status == .conflict)
            #expect(clash.errorCode == "handle_taken")
        }
    }

    @Test func visibilityRulesInTheAPI() async throws {
        try await withApp { client, _ in
            let owner = try await client.signUp("Owner", email: "owner@example.test")
            let other = try await client.signUp("Other", email: "other@example.test")
            _ = try await client.call(.patch, "/api/v1/me/profile", token: owner.token, json: ["headline": "Head", "about": "Secret about"])
            // members (default): logged-out 404, members full.
            #expect(try await client.call(.get, "/api/v1/members/\(owner.id)").status == .notFound)
            #expect(try await client.call(.get, "/api/v1/members/\(owner.id)", token: other.token).json["about"] as? String == "Secret about")
            // connections: a non-connection sees name and headline only.
            _ = try await client.call(.patch, "/api/v1/me/settings", token: owner.token, json: ["profileVisibility": "connections"])
            let limited = try await client.call(.get, "/api/v1/members/\(owner.id)", token: other.token)
            #expect(limited.status == .ok)
            #expect(limited.json["access"] as? String == "limited")
            #expect(limited.json["headline"] as? String == "Head")
            #expect(limited.json["about"] == nil)
            #expect(limited.json["positions"] == nil)
            #expect(!limited.text.contains("Secret about"))
            #expect(try await client.call(.get, "/api/v1/members/\(owner.id)").status == .notFound)
        }
    }

    @Test func openToWorkForRecruitersOnlyIsHiddenFromMembers() async throws {
        try await withApp { client, _ in
            let owner = try await client.signUp("Owner", email: "owner@example.test")
            let other = try await client.signUp("Other", email: "other@example.test")
            _ = try await client.call(.patch, "/api/v1/me/settings", token: owner.token, json: ["openToWork": ["enabled": true, "visibility": "recruitersOnly"]])
            let seen = try await client.call(.get, "/api/v1/members/\(owner.id)", token: other.token)
            #expect(seen.json["openToWork"] is NSNull)
            let own = try await client.call(.get, "/api/v1/members/\(owner.id)", token: owner.token)
            #expect((own.json["openToWork"] as? [String: Any])?["enabled"] as? Bool == true)
        }
    }
}

@Suite struct HostileInputTests {
    static let cases: [(String, [UInt8], Int)] = [
        ("malformed JSON", Array("{\"name\": ".utf8), 400),
        ("not an object", Array("[1,2,3]".utf8), 400),
        ("invalid UTF-8", [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D], 400),
        ("wrong type", Array("{\"headline\": 42}".utf8), 422),
        ("unknown field", Array("{\"headline\": \"x\", \"isAdmin\": true}".utf8), 422),
        ("over-long field", Array("{\"headline\": \"\(String(repeating: "あ", count: 221))\"}".utf8), 422),
        ("control character", Array("{\"name\": \"a\\u0000b\"}".utf8), 422),
        ("null for a required field", Array("{\"name\": null}".utf8), 422),
        ("10 MB body", Array("{\"about\": \"".utf8) + [UInt8](repeating: 0x61, count: 10 * 1024 * 1024) + Array("\"}".utf8), 413),
    ]

    @Test(arguments: cases.indices)
    func hostileBodiesAre4xxAndChangeNothing(_ index: Int) async throws {
        let (label, body, status) = Self.cases[index]
        try await withApp { client, _ in
            let (token, _, _) = try await client.signUp()
            let before = try await client.call(.get, "/api/v1/me", token: token).text
            let reply = try await client.call(.patch, "/api/v1/me/profile", token: token, raw: body)
            #expect(Int(reply.status.code) == status, "\(label): \(reply.status) \(reply.text.prefix(200))")
            #expect(reply.errorCode != nil, "\(label): error format missing")
            #expect(!(reply.json["error"] as? [String: Any] ?? [:]).isEmpty)
            let after = try await client.call(.get, "/api/v1/me", token: token).text
            #expect(before == after, "\(label) changed the profile")
        }
    }

    @Test func unknownRoutesAndBadTokensUseTheErrorFormat() async throws {
        try await withApp { client, _ in
            let missing = try await client.call(.get, "/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            let badToken = try await client.call(.get, "/api/v1/me", token: "forged")
            #expect(badToken.status == .unauthorized)
            #expect(badToken.errorCode == "unauthenticated")
            let longID = try await client.call(.get, "/api/v1/members/" + String(repeating: "x", count: 5000))
            #expect(longID.status == .notFound)
            let wrongMethod = try await client.call(.put, "/api/v1/me")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.header("Allow") == "DELETE, GET, HEAD")
            let trace = try await client.call(.init("TRACE")!, "/healthz")
            #expect(trace.status == .methodNotAllowed)
        }
    }
}

@Suite struct OpenAPIDocumentTests {
    /// The document describes every operation the server has, and nothing it lacks.
    @Test func documentMatchesTheRouterExactly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("t.sqlite").path)
        try await storage.migrate()
        let services = try await AppServices(configuration: AppConfiguration(), storage: storage, hasher: BcryptPasswordHasher(cost: 4))
        let router = buildRouter(services)
        let served = Set(
            router.routes
                .filter { $0.method != .head }
                .filter { $0.path.description.hasPrefix("/api/") || ["/healthz", "/readyz", "/openapi.json", "/metrics"].contains($0.path.description) }
                .map { "\($0.method.rawValue.uppercased()) \($0.path.description)" })

        let document = try JSONSerialization.jsonObject(with: Data(StaticAssets.openAPIDocument)) as? [String: Any] ?? [:]
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(!served.isEmpty)
        #expect(served.subtracting(documented).isEmpty, "served but undocumented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        try await storage.close()
    }

    /// The document's text patterns accept exactly what the server's text rule accepts: white space of every
    /// kind at the ends, control characters inside, blank text, zero-width and byte-order marks, on random mixes.
    @Test func textPatternsAgreeWithTheServer() throws {
        let document = try JSONSerialization.jsonObject(with: Data(StaticAssets.openAPIDocument)) as? [String: Any] ?? [:]
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        func pattern(_ schema: String, _ property: String) throws -> NSRegularExpression {
            let properties = (schemas[schema] as? [String: Any])?["properties"] as? [String: Any]
            let text = try #require((properties?[property] as? [String: Any])?["pattern"] as? String)
            return try NSRegularExpression(pattern: text)
        }
        let rules: [(name: String, regex: NSRegularExpression, server: (String) throws -> Void)] = [
            ("single line", try pattern("ProfileChange", "headline"), { _ = try TextRule.clean($0, field: "F", limit: 1_000) }),
            ("multi-line", try pattern("ProfileChange", "about"), { _ = try TextRule.clean($0, field: "F", limit: 1_000, multiline: true) }),
            ("required line", try pattern("ProfileChange", "name"), { _ = try TextRule.required($0, field: "F", limit: 1_000) }),
            ("required text", try pattern("NewIntroduction", "message"),
             { _ = try TextRule.required($0, field: "F", limit: 1_000, multiline: true) }),
        ]
        let alphabet: [String] = [
            "a", "日", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{0}", "\u{1B}", "\u{1C}", "\u{1F}", "\u{7F}", "\u{85}",
            "\u{9F}", "\u{A0}", "\u{1680}", "\u{180E}", "\u{2000}", "\u{200A}", "\u{200B}", "\u{200C}", "\u{2028}", "\u{2029}",
            "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}", "👍🏽",
        ]
        var samples = [""] + alphabet + alphabet.flatMap { c in ["a" + c, c + "a", "a" + c + "b", c + c] }
        var random = SampleData.Generator(seed: 7)
        for _ in 0..<3_000 {
            samples.append((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined())
        }
        for rule in rules {
            for sample in samples {
                let whole = NSRange(sample.startIndex..., in: sample)
                let documented = rule.regex.firstMatch(in: sample, range: whole)?.range == whole
                let served = (try? rule.server(sample)) != nil
                #expect(documented == served, "\(rule.name): \(sample.unicodeScalars.map { String($0.value, radix: 16) }) documented \(documented), served \(served)")
            }
        }
    }

    @Test func servedDocumentIsTheResource() async throws {
        try await withApp { client, _ in
            let reply = try await client.call(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect(reply.json["openapi"] as? String == "3.0.3")
            #expect((reply.json["paths"] as? [String: Any])?["/api/v1/members/{idOrHandle}"] != nil)
        }
    }

    @Test func healthAnswers() async throws {
        try await withApp { client, _ in
            let reply = try await client.call(.get, "/healthz")
            #expect(reply.status == .ok)
            #expect(reply.json["status"] as? String == "ok")
        }
    }
}
