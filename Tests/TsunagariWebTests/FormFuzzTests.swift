import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Every form the pages post to, sent what no page would send: the fields the pages' forms name, with values empty,
/// huge, negative, out of range, with control characters, markup, bad dates and bad numbers; and bodies that are not
/// forms at all. The API has its own fuzz run against its OpenAPI document (Tests/e2e/test_api_fuzz.py); the pages'
/// routes are not in that document. None may answer 5xx, and each refusal says something. Every page is also asked
/// with queries no link makes.
@Suite struct FormFuzzTests {
    static let hostileValues: [String] = [
        "", " ", "0", "-1", "1", "99999999999999999999", "2147483648", "-9223372036854775809", "1e308", "NaN", "0x10", "true",
        "2024-13-45", "2024-02-30", "1899-01", "9999-12", "２０２４年", "<script>alert(1)</script>", "\"'><img src=x>",
        "a\u{0}b", "\u{1}\u{7F}", "\r\n\r\n", "\u{202E}evil", "\u{FEFF}", "👩‍👩‍👧‍👦", "山田 花子", "../../etc/passwd", "/\\evil.test",
        "//evil.test", "javascript:alert(1)", "https://evil.test/", "%00", "AND OR NOT (", "\"", "(((((((", "#", "@",
        String(repeating: "あ", count: 3_000), String(repeating: "a", count: 70_000), "ja", "en", "public", "connections", "recruiter",
    ]

    @Test func noFormAnswers5xxWhateverItIsSent() async throws {
        let seed = ProcessInfo.processInfo.environment["TSUNAGARI_FORM_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        try await withApp { client, services in
            // The sample data's generator: a seed gives the same run on every machine (`TSUNAGARI_FORM_FUZZ_SEED`).
            var random = SampleData.Generator(seed: seed)
            let cast = try await Cast.make(client, ["Aiko", "Ben", "Chika"])
            try await cast.connect(client, "Aiko", "Ben")
            // Something for each kind of form to act on, most of it Aiko's (the fuzzing browser) or addressed to her.
            let post = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Aiko"], json: ["text": "Hello #swift"])
            let postID = post.json["id"] as? String ?? ""
            let comment = try await client.call(.post, "/api/v1/posts/\(postID)/comments", token: cast.tokens["Ben"], json: ["text": "いいね"])
            let conversation = try await client.call(
                .post, "/api/v1/conversations", token: cast.tokens["Aiko"], json: ["participantIds": [cast.ids["Ben"]!], "text": "こんにちは"])
            let invitation = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Chika"], json: ["inviteeId": cast.ids["Aiko"]!])
            _ = try await JobTests.work(client, cast, "Aiko", at: "株式会社つながり")
            let job = try await JobTests.post(client, cast, "Aiko")
            let position = try await client.call(.get, "/api/v1/me", token: cast.tokens["Aiko"])
            let positionID = ((position.json["positions"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let education = try await client.call(
                .post, "/api/v1/me/educations", token: cast.tokens["Aiko"], json: ["school": "東京大学", "startYear": 2010, "endYear": 2014])
            var entries: [String: String] = [:]
            for (slug, body) in [
                ("certifications", ["name": "基本情報技術者"]), ("languages", ["name": "英語", "level": "business"]),
                ("projects", ["name": "つながり"]), ("volunteering", ["organization": "子ども食堂", "role": "会計"]),
            ] {
                let made = try await client.call(.post, "/api/v1/me/\(slug)", token: cast.tokens["Aiko"], json: body)
                entries[slug] = made.json["id"] as? String ?? ""
            }
            var ids: [String: String] = [
                "post": postID, "comment": comment.json["id"] as? String ?? "", "conversation": conversation.json["id"] as? String ?? "",
                "invitation": invitation.json["id"] as? String ?? "", "job": job, "position": positionID,
                "education": education.json["id"] as? String ?? "",
            ]
            ids.merge(entries) { old, _ in old }
            #expect(ids.count == 11 && ids.values.allSatisfy { !$0.isEmpty }, "what the forms act on: \(ids)")
            let junk = ["x", "..", "%00", "%E3%81", String(repeating: "z", count: 300), cast.ids["Ben"]!, postID]

            // The routes the pages answer: everything but the API and static files, the event stream, which never ends
            // (EventStreamTests), and readiness, which in process waits for catch-up services that do not run.
            let routes = buildRouter(services).routes.map { (path: $0.path.description, method: $0.method) }
                .filter { !$0.path.hasPrefix("/api/") && !$0.path.hasPrefix("/static") && $0.path != "/openapi.json" && !["/events", "/readyz"].contains($0.path) }
            /// The path with each parameter filled: mostly what that kind of route acts on, sometimes anything.
            func concrete(_ path: String) -> String {
                let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                return segments.enumerated().map { index, segment in
                    guard segment.hasPrefix("{") else { return segment }
                    if Int.random(in: 0..<5, using: &random) == 0 { return junk.randomElement(using: &random)! }
                    let before = index > 0 ? segments[index - 1] : ""
                    switch (before, segment) {
                    case (_, "{commentId}"): return ids["comment"]!
                    case (_, "{applicationId}"): return junk.randomElement(using: &random)!
                    case (_, "{handle}"), (_, "{idOrHandle}"): return [cast.handles["Ben"]!, cast.handles["Aiko"]!].randomElement(using: &random)!
                    case (_, "{tag}"): return ["swift", "採用", "%E6%8E%A1%E7%94%A8"].randomElement(using: &random)!
                    case (_, "{action}"): return ["dismiss", "suspend", "remove", "x"].randomElement(using: &random)!
                    case ("posts", _): return ids["post"]!
                    case ("messages", _): return ids["conversation"]!
                    case ("invitations", _): return ids["invitation"]!
                    case ("jobs", _): return ids["job"]!
                    case ("positions", _): return ids["position"]!
                    case ("educations", _): return ids["education"]!
                    case (let slug, _) where entries[slug] != nil: return entries[slug]!
                    default: return [cast.ids["Ben"]!, cast.ids["Chika"]!].randomElement(using: &random)!
                    }
                }.joined(separator: "/")
            }

            // The field names the pages' forms use, read from the pages themselves.
            let aiko = try await Browser.logIn(client, "Aiko")
            var names: Set<String> = []
            for route in routes where route.method == .get {
                let page = try await aiko.get(route.path.contains("{") ? concrete(route.path) : route.path)
                #expect(page.status.code < 500, "GET \(route.path): \(page.status)")
                for match in page.text.matches(of: #/<(?:input|textarea|select|button)[^>]* name="([A-Za-z_\[\]]+)"/#) { names.insert(String(match.1)) }
            }
            names.remove("_csrf")
            #expect(names.count > 40, "field names found in the pages: \(names.sorted())")
            let fieldNames = names.sorted()

            var sent = 0
            // Every page asked with queries no link makes: the forms' names and the ones pages read (cursors, pages).
            let queryNames: [String] = fieldNames + ["q", "cursor", "page", "limit", "before", "after", "to", "connect", "next", "sort", "tab", "token"]
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            for route in routes where route.method == .get {
                for _ in 0..<4 {
                    var pairs: [String] = []
                    for _ in 0..<Int.random(in: 1...5, using: &random) {
                        let value = String(Self.hostileValues.randomElement(using: &random)!.prefix(2_000))
                        pairs.append(queryNames.randomElement(using: &random)! + "=" + value.addingPercentEncoding(withAllowedCharacters: allowed)!)
                    }
                    if Bool.random(using: &random) { pairs.append("%ZZ=%E3%81") }
                    let path: String = concrete(route.path) + "?" + pairs.joined(separator: "&")
                    let page = try await aiko.get(path)
                    sent += 1
                    #expect(page.status.code < 500, "GET \(path.prefix(300)) (seed \(seed)): \(page.status) \(page.text.prefix(300))")
                }
            }
            var statuses: [Int: Int] = [:]
            // What ends or removes something goes last, so that the forms before it find what they act on.
            let ending = ["delete", "remove", "block", "withdraw", "ignore", "decline", "accept", "status", "account", "restore"]
            let forms = routes.filter { $0.method == .post && $0.path != "/logout" }
            let ends = { (route: (path: String, method: HTTPRequest.Method)) in ending.contains { route.path.contains($0) } }
            let ordered = forms.filter { !ends($0) } + forms.filter(ends)
            for route in ordered {
                for _ in 0..<12 {
                    // Logged in again each time: a form may have ended the session, blocked someone or left the account.
                    let browser = try await Browser.logIn(client, "Aiko")
                    var fields: [String: String] = [:]
                    for _ in 0..<Int.random(in: 0...8, using: &random) {
                        fields[fieldNames.randomElement(using: &random)!] = Self.hostileValues.randomElement(using: &random)!
                    }
                    let path = concrete(route.path)
                    let reply = try await browser.post(path, fields)
                    sent += 1
                    statuses[reply.status.code, default: 0] += 1
                    #expect(reply.status.code < 500, "POST \(path) \(fields.mapValues { $0.prefix(40) }) (seed \(seed)): \(reply.status) \(reply.text.prefix(300))")
                    if (400..<500).contains(reply.status.code) {
                        #expect(!reply.text.isEmpty, "POST \(path) refused without a word (seed \(seed))")
                    }
                }
                // Bodies that are not forms: broken percent escapes, JSON, nothing at all, a form's worth of nonsense.
                let browser = try await Browser.logIn(client, "Aiko")
                let token = try await browser.csrfToken() ?? ""
                for (type, body) in [
                    ("application/x-www-form-urlencoded", "_csrf=\(token)&a=%ZZ&%=1&&=&b=%E3%81"),
                    ("application/json", "{\"_csrf\":\"\(token)\",\"name\":[1,2]}"),
                    ("application/x-www-form-urlencoded", ""),
                    ("multipart/form-data", "_csrf=\(token)"),
                    ("text/plain", String(repeating: "_csrf=\(token)&x=1&", count: 2_000)),
                ] {
                    var headers = HTTPFields()
                    headers[.contentType] = type
                    headers[.cookie] = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                    let path = concrete(route.path)
                    let response = try await client.executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
                    sent += 1
                    #expect(response.status.code < 500, "POST \(path) as \(type) (seed \(seed)): \(response.status) \(String(buffer: response.body).prefix(300))")
                }
            }
            #expect(sent > 1_500, "requests sent: \(sent)")
            // The forms reached what they post to: some were taken, some refused as invalid.
            #expect(statuses[303, default: 0] > 50 && statuses[422, default: 0] > 50, "answers: \(statuses.sorted { $0.key < $1.key })")
            // And the site still answers.
            let after = try await Browser.logIn(client, "Aiko").get("/feed")
            #expect(after.status == .ok)
        }
    }
}
