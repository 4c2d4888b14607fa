import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

@Suite struct PageTests {
    static let injection = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"

    /// A committed snapshot of escaping: a profile whose every field is a script-injection string.
    @Test func profilePageEscapesScriptInjection() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let profile = Profile(
            memberID: MemberID("01h0000000000000000000000a"), role: .member,
            fields: ProfileFields(name: Self.injection, nameReading: Self.injection, handle: "xss", headline: Self.injection, location: Self.injection, industry: nil, about: Self.injection),
            positions: [
                Position(
                    id: "p1", company: CompanyRef(id: "c1", name: Self.injection), companyNameAsWritten: Self.injection, title: Self.injection,
                    location: nil, startMonth: YearMonth("2020-01")!, endMonth: nil, description: Self.injection)
            ],
            educations: [], skills: [Self.injection], settings: ProfileSettings(), createdAt: now, updatedAt: now)
        let view = ProfileService.View(profile: profile, access: .full, relation: .member, showsOpenToWork: false, indexable: false)
        let chrome = PageChrome(locale: .en, viewerName: Self.injection, viewerHandle: "viewer", csrfToken: "\"><script>", path: "/in/\"><script>")
        let html = ProfilePages.show(chrome, view).rendered
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.hasPrefix("<!doctype html><html lang=\"en\">"))
        #expect(html.contains("<meta name=\"robots\" content=\"noindex\">"))
    }

    @Test func securityHeadersAndCookieFlags() async throws {
        try await withApp { client, _ in
            let browser = Browser(client)
            let landing = try await browser.get("/")
            #expect(landing.status == .ok)
            let csp = landing.header("Content-Security-Policy") ?? ""
            #expect(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(landing.header("X-Frame-Options") == "DENY")
            // Each security header once, on a page, an API answer, a static file and an error alike.
            for reply in [landing, try await browser.get("/api/v1/me"), try await browser.get("/static/app.css"), try await browser.get("/nowhere")] {
                for field in SecurityHeadersMiddleware.fields {
                    #expect(reply.headers[values: field.name] == [field.value], "\(field.name)")
                }
                #expect(reply.headers[values: HTTPField.Name("X-Request-Id")!].count == 1)
            }
            #expect(landing.setCookies.contains { $0.hasPrefix("tsg_csrf=") && $0.contains("HttpOnly") && $0.contains("SameSite=Strict") })

            let signup = try await browser.post("/signup", ["name": "Ken", "email": "ken@example.test", "password": "a long password"])
            #expect(signup.status == .seeOther)
            #expect(signup.header("Location") == "/me/edit")
            let session = signup.setCookies.first { $0.hasPrefix("tsg_session=") } ?? ""
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax"))
            #expect(try await browser.get("/me/edit").status == .ok)
        }
    }

    @Test func onlyPagesIssueTheFormCookie() async throws {
        try await withApp { client, _ in
            // Without a cookie, as a first visit or a shared cache asks: an asset or a health check sets none.
            for path in ["/static/app.css", "/static/app.js", "/healthz", "/readyz", "/openapi.json"] {
                let reply = try await client.call(.get, path)
                #expect(reply.status == (path == "/readyz" ? reply.status : .ok), "\(path)")
                #expect(reply.setCookies.isEmpty, "\(path): \(reply.setCookies)")
            }
            // Each page without one issues its own: 43 base64url characters, new each time.
            var tokens: Set<String> = []
            for path in ["/", "/login", "/signup", "/no-such-page"] {
                let reply = try await client.call(.get, path)
                let cookie = reply.setCookies.first { $0.hasPrefix("tsg_csrf=") } ?? ""
                let token = String(cookie.dropFirst("tsg_csrf=".count).prefix { $0 != ";" })
                #expect(token.count == 43 && token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "\(path): \(cookie)")
                tokens.insert(token)
            }
            #expect(tokens.count == 4)
            // The page's form carries the token its cookie holds, and the form is taken.
            let browser = Browser(client)
            let signup = try await browser.post("/signup", ["name": "Ken", "email": "ken@example.test", "password": "a long password"])
            #expect(signup.status == .seeOther)
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefusedAndChangeNothing() async throws {
        try await withApp { client, services in
            let browser = Browser(client)
            try await browser.post("/signup", ["name": "Ken", "email": "ken@example.test", "password": "a long password"])
            let forged = try await browser.post("/me/profile", ["name": "Hacked", "handle": "hacked"], csrf: false)
            #expect(forged.status == .forbidden)
            let page = try await browser.get("/me/edit")
            #expect(!page.text.contains("Hacked"))
            let signupForged = try await browser.post("/signup", ["name": "X", "email": "x@example.test", "password": "a long password"], csrf: false)
            #expect(signupForged.status == .forbidden)
            #expect(try await services.storage.account(email: "x@example.test") == nil)
        }
    }

    @Test func editEverySectionThroughForms() async throws {
        try await withApp { client, _ in
            let browser = Browser(client)
            try await browser.post("/signup", ["name": "Ken", "email": "ken@example.test", "password": "a long password"])
            #expect(try await browser.post("/me/profile", ["name": "佐藤 健", "handle": "ken-sato", "headline": "営業部長", "about": "", "nameReading": "さとう けん"]).status == .seeOther)
            #expect(try await browser.post("/me/positions", ["company": "㈱ふじ商事", "title": "営業", "startMonth": "2019-04", "endMonth": ""]).status == .seeOther)
            let bad = try await browser.post("/me/positions", ["company": "X", "title": "Y", "startMonth": "2019-13"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("2019-13"))  // the member's input is kept
            #expect(try await browser.post("/me/educations", ["school": "京都大学", "startYear": "2010", "endYear": "2014"]).status == .seeOther)
            #expect(try await browser.post("/me/skills", ["skills": "英語\nSales, 交渉"]).status == .seeOther)
            let profile = try await browser.get("/in/ken-sato")
            #expect(profile.status == .ok)
            for text in ["佐藤 健", "営業部長", "㈱ふじ商事", "京都大学", "英語", "Sales", "交渉"] {
                #expect(profile.text.contains(text), "missing \(text)")
            }
            let edit = try await browser.get("/me/edit")
            let positionID = edit.text.components(separatedBy: "/me/positions/").dropFirst().first?.prefix(26) ?? ""
            #expect(try await browser.post("/me/positions/\(positionID)/delete", [:]).status == .seeOther)
            #expect(!(try await browser.get("/in/ken-sato")).text.contains("ふじ商事"))
        }
    }

    @Test func loggedOutVisitorsSeeOnlyPublicProfiles() async throws {
        try await withApp { client, _ in
            let owner = Browser(client)
            try await owner.post("/signup", ["name": "Aiko", "email": "aiko@example.test", "password": "a long password"])
            try await owner.post("/me/profile", ["name": "Aiko", "handle": "aiko", "headline": "Designer", "about": "About Aiko"])
            let visitor = Browser(client)
            let hidden = try await visitor.get("/in/aiko")
            #expect(hidden.status == .notFound)
            #expect(!hidden.text.contains("Designer"))
            #expect(try await owner.post("/settings", ["profileVisibility": "public", "connectionsVisibility": "connections", "locale": ""]).status == .seeOther)
            let shown = try await visitor.get("/in/aiko")
            #expect(shown.status == .ok)
            #expect(shown.text.contains("About Aiko"))
            #expect(!shown.text.contains("noindex"))

            try await owner.post("/settings", ["profileVisibility": "connections", "connectionsVisibility": "connections", "locale": ""])
            let member = Browser(client)
            try await member.post("/signup", ["name": "Bo", "email": "bo@example.test", "password": "a long password"])
            let limited = try await member.get("/in/aiko")
            #expect(limited.status == .ok)
            #expect(limited.text.contains("Designer"))
            #expect(!limited.text.contains("About Aiko"))
        }
    }

    @Test func languageFollowsSettingCookieAndAcceptLanguage() async throws {
        try await withApp { client, _ in
            let browser = Browser(client)
            browser.acceptLanguage = "ja,en;q=0.8"
            let ja = try await browser.get("/login")
            #expect(ja.text.contains("<html lang=\"ja\">"))
            #expect(ja.text.contains("ログイン"))
            let switched = try await browser.post("/language", ["locale": "en", "next": "/login"])
            #expect(switched.header("Location") == "/login")
            #expect(try await browser.get("/login").text.contains("<html lang=\"en\">"))
            let offsite = try await browser.post("/language", ["locale": "ja", "next": "//evil.example/"])
            #expect(offsite.header("Location") == "/")

            // A logged-in member's own setting wins over the browser.
            try await browser.post("/signup", ["name": "Ken", "email": "ken@example.test", "password": "a long password"])
            try await browser.post("/settings", ["profileVisibility": "members", "connectionsVisibility": "connections", "locale": "en"])
            browser.acceptLanguage = "ja"
            browser.cookies["tsg_lang"] = "ja"
            #expect(try await browser.get("/settings").text.contains("<html lang=\"en\">"))
        }
    }

    @Test func passwordChangeAndAccountDeletionPages() async throws {
        try await withApp { client, services in
            let browser = Browser(client)
            try await browser.post("/signup", ["name": "Ken", "email": "ken@example.test", "password": "a long password"])
            let other = Browser(client)
            try await other.post("/login", ["email": "ken@example.test", "password": "a long password"])
            #expect(try await other.get("/settings").status == .ok)

            let wrong = try await browser.post("/settings/password", ["current": "nope nope nope", "new": "another long password"])
            #expect(wrong.status == .unprocessableContent)
            #expect(try await browser.post("/settings/password", ["current": "a long password", "new": "another long password"]).status == .ok)
            // The other browser's session ended; this one stays.
            #expect(try await other.get("/settings").status == .seeOther)
            #expect(try await browser.get("/settings").status == .ok)

            #expect(try await browser.post("/settings/delete", ["password": "another long password"]).status == .ok)
            #expect(try await services.storage.account(email: "ken@example.test") == nil)
            #expect(try await browser.get("/settings").status == .seeOther)
        }
    }
}
