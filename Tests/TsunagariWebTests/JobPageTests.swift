import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// The job pages, as a browser without JavaScript uses them, in Japanese and English.
@Suite struct JobPageTests {
    static func jobID(_ location: String?) -> String {
        String((location ?? "").split(separator: "/").last?.split(separator: "?").first ?? "")
    }

    @Test func postSearchApplyReferAndReviewByForms() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Poster", "Friend", "Seeker", "Colleague"])
            _ = try await JobTests.work(client, cast, "Poster", at: "株式会社つながり")
            _ = try await JobTests.work(client, cast, "Friend", at: "株式会社つながり")
            _ = try await JobTests.work(client, cast, "Colleague", at: "株式会社つながり")
            try await cast.connect(client, "Seeker", "Friend")
            try await cast.connect(client, "Poster", "Colleague")
            let poster = try await Browser.logIn(client, "Poster", language: "ja")
            let form = try await poster.get("/jobs/new")
            #expect(form.status == .ok)
            #expect(form.text.contains("求人を掲載"))
            #expect(form.text.contains("<option value=\"株式会社つながり\">"))
            let fields = [
                "company": "株式会社つながり", "title": "Swift <サーバー> エンジニア", "location": "東京都", "workplace": "hybrid", "employmentType": "fullTime",
                "description": "Swift でバックエンドを開発します。", "skills": "Swift\r\nPostgreSQL", "salaryMin": "6000000", "salaryMax": "9000000",
                "currency": "JPY", "period": "year",
            ]
            var wrong = fields
            wrong["salaryMin"] = "9000001"
            let refused = try await poster.post("/jobs", wrong)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("role=\"alert\""))
            #expect(refused.text.contains("Swift &lt;サーバー&gt; エンジニア"), "the form keeps what was typed, escaped")
            var elsewhere = fields
            elsewhere["company"] = "Other KK"
            #expect(try await poster.post("/jobs", elsewhere).status == .unprocessableContent)
            let created = try await poster.post("/jobs", fields)
            #expect(created.status == .seeOther)
            let id = Self.jobID(created.header("Location"))
            #expect(OpaqueID.isWellFormed(id), "\(created.header("Location") ?? "")")
            let page = try await poster.get("/jobs/\(id)?posted=1")
            #expect(page.text.contains("求人を掲載しました。"))
            #expect(page.text.contains("Swift &lt;サーバー&gt; エンジニア"))
            #expect(!page.text.contains("<サーバー>"))
            #expect(page.text.contains("id=\"applicants-link\""))
            #expect(page.text.contains("JPY 6,000,000–9,000,000 / 年"))
            #expect(page.text.contains("<li class=\"tag\">Swift</li><li class=\"tag\">PostgreSQL</li>"))

            // The seeker searches in English, sees who they know, and asks Friend for a referral.
            let seeker = try await Browser.logIn(client, "Seeker", language: "en")
            let results = try await seeker.get("/jobs?q=" + "Swift AND (サーバー OR backend)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(results.status == .ok)
            #expect(results.text.contains("href=\"/jobs/\(id)\""))
            #expect(results.text.contains("1 person you know works here"))
            #expect(results.text.contains("id=\"job-facets\""))
            // As a browser sends the form: spaces as '+'.
            let typed = try await seeker.get("/jobs?q=Swift+AND+%28%E3%82%B5%E3%83%BC%E3%83%90%E3%83%BC+OR+backend%29&location=&workplace=")
            #expect(typed.text.contains("href=\"/jobs/\(id)\""))
            #expect(typed.text.contains("value=\"Swift AND (サーバー OR backend)\""))
            let bad = try await seeker.get("/jobs?q=(Swift")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("role=\"alert\""))
            let job = try await seeker.get("/jobs/\(id)")
            #expect(job.text.contains("id=\"people-you-know\""))
            #expect(job.text.contains(">Friend</a>"))
            #expect(job.text.contains("id=\"referral-form\""))
            #expect(job.text.contains("<option value=\"\(cast.ids["Friend"]!)\">Friend</option>"))
            #expect(!job.text.contains("id=\"applicants-link\""))
            let asked = try await seeker.post("/jobs/\(id)/referral", ["via": cast.ids["Friend"]!, "note": "ぜひ"])
            #expect(asked.status == .seeOther)
            #expect(try await seeker.get("/jobs/\(id)?asked=1").text.contains("Referral requested"))
            let notConnected = try await seeker.post("/jobs/\(id)/referral", ["via": cast.ids["Colleague"]!])
            #expect(notConnected.status == .unprocessableContent)

            // Friend refers from "My jobs"; the poster sees "referred by".
            let friend = try await Browser.logIn(client, "Friend", language: "ja")
            let mine = try await friend.get("/jobs/mine")
            #expect(mine.text.contains("あなたへの紹介依頼"))
            let requestID = try #require(mine.text.range(of: "id=\"refer-").map { String(mine.text[$0.upperBound...].prefix(26)) })
            #expect(try await friend.post("/referral-requests/\(requestID)/accept", [:]).status == .seeOther)
            #expect(try await friend.get("/jobs/mine").text.contains("推薦済み"))
            let applicants = try await poster.get("/jobs/\(id)/applicants")
            #expect(applicants.status == .ok)
            #expect(applicants.text.contains("推薦者: Friend"))
            #expect(applicants.text.contains(">Seeker</a>"))
            #expect(try await friend.get("/jobs/\(id)/applicants").status == .notFound)
            #expect(try await friend.get("/jobs/\(id)/edit").status == .notFound)
            #expect(try await poster.get("/jobs/\(id)/edit").text.contains("value=\"Swift &lt;サーバー&gt; エンジニア\""))

            // The poster moves on gently; the seeker reads it on "My jobs".
            let applicationID = try #require(applicants.text.range(of: "/applicants/").map { String(applicants.text[$0.upperBound...].prefix(26)) })
            #expect(try await poster.post("/jobs/\(id)/applicants/\(applicationID)/status?to=rejected", [:]).status == .seeOther)
            let seekerMine = try await seeker.get("/jobs/mine")
            #expect(seekerMine.text.contains("moved forward with other candidates"))
            #expect(try await seeker.get("/jobs/\(id)").text.contains("id=\"application-status\""))

            // The company page lists the job; closing takes it off and out of search.
            let companyID = try #require(page.text.range(of: "href=\"/companies/").map { String(page.text[$0.upperBound...].prefix(26)) })
            #expect(try await seeker.get("/companies/\(companyID)").text.contains("href=\"/jobs/\(id)\""))
            #expect(try await poster.post("/jobs/\(id)/status?to=closed", [:]).status == .seeOther)
            #expect(!(try await seeker.get("/companies/\(companyID)")).text.contains("href=\"/jobs/\(id)\""))
            #expect(!(try await seeker.get("/jobs?q=Swift")).text.contains("href=\"/jobs/\(id)\""))
            #expect(try await seeker.get("/jobs/\(id)").text.contains("id=\"job-closed\""))
            // Forms need the CSRF token.
            #expect(try await seeker.post("/jobs/\(id)/apply", [:], csrf: false).status == .forbidden)
        }
    }

    @Test func aHiringPostShowsTheJobAndSuggestionsReachMembersOpenToWork() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Poster", "Seeker"])
            try await cast.connect(client, "Poster", "Seeker")
            _ = try await JobTests.work(client, cast, "Poster", at: "株式会社つながり")
            _ = try await JobTests.work(client, cast, "Seeker", at: "Other KK", title: "Swift サーバーエンジニア")
            let job = try await JobTests.post(client, cast, "Poster")
            let poster = try await Browser.logIn(client, "Poster", language: "en")
            let shared = try await poster.post("/posts", ["text": "We are hiring! #hiring", "jobId": job])
            #expect(shared.status == .seeOther)
            let seeker = try await Browser.logIn(client, "Seeker", language: "ja")
            let feed = try await seeker.get("/")
            #expect(feed.text.contains("class=\"job-embed\""))
            #expect(feed.text.contains("href=\"/jobs/\(job)\""))
            #expect(feed.text.contains("id=\"nav-jobs\""))
            let before = try await seeker.get("/jobs")
            #expect(!before.text.contains("id=\"job-suggestions\"") && before.text.contains("id=\"job-recommended\""))
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Seeker"], json: ["openToWork": ["enabled": true]])
            let jobs = try await seeker.get("/jobs")
            #expect(jobs.text.contains("あなたにおすすめの求人") && !jobs.text.contains("id=\"job-recommended\""))
            #expect(jobs.text.contains("href=\"/jobs/\(job)\""))
            // The notification of the application leads the poster to the applicants.
            _ = try await seeker.post("/jobs/\(job)/apply", ["note": "よろしくお願いします"])
            let notes = try await poster.get("/notifications")
            #expect(notes.text.contains("href=\"/jobs/\(job)/applicants\""))
        }
    }

    /// Before any search, a member who is not open to work is shown open jobs: where they know people, then the rest,
    /// never their own, one they applied to, one closed or one whose poster either side blocked.
    @Test func theJobsPageRecommendsJobsBeforeAnySearch() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Poster", "Other", "Reader"])
            try await cast.connect(client, "Poster", "Reader")
            _ = try await JobTests.work(client, cast, "Poster", at: "株式会社つながり")
            _ = try await JobTests.work(client, cast, "Other", at: "Faraway KK")
            _ = try await JobTests.work(client, cast, "Reader", at: "株式会社つながり")
            var nearJob = JobTests.swiftJob
            nearJob["title"] = "つながりの営業"
            let near = try await JobTests.post(client, cast, "Poster", nearJob)
            var farJob = JobTests.swiftJob
            farJob["company"] = "Faraway KK"
            farJob["title"] = "Faraway engineer"
            let far = try await JobTests.post(client, cast, "Other", farJob)
            let own = try await JobTests.post(client, cast, "Reader")
            let reader = try await Browser.logIn(client, "Reader", language: "en")
            func recommended() async throws -> [String] {
                let page = try await reader.get("/jobs")
                guard let start = page.text.range(of: "id=\"job-recommended\"") else { return [] }
                return page.text[start.upperBound...].matches(of: #/href="/jobs/([0-9a-z]+)"/#).map { String($0.1) }
            }
            let first = try await recommended()
            #expect(first.contains(near) && first.contains(far) && !first.contains(own), "\(first)")
            // Where the reader knows people (their own company, Poster a connection) comes before the rest.
            #expect(first.firstIndex(of: near)! < first.firstIndex(of: far)!, "\(first)")
            #expect(try await reader.get("/jobs").text.contains("Recommended jobs"))
            // Applied to: gone.
            #expect(try await reader.post("/jobs/\(near)/apply", ["note": ""]).status == .seeOther)
            #expect(!(try await recommended()).contains(near))
            // Its poster blocked: gone.
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Reader"]!)/block", token: cast.tokens["Other"]).status == .noContent)
            #expect(!(try await recommended()).contains(far))
        }
    }
}
