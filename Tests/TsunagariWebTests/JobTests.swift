import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariSearch
@testable import TsunagariWeb

/// Jobs, applications and referrals through the API, with every privacy rule of PRODUCT.md.
@Suite struct JobTests {
    static func work(_ client: any TestClientProtocol, _ cast: Cast, _ who: String, at company: String, title: String = "エンジニア", end: String? = nil)
        async throws -> String
    {
        var body: [String: Any] = ["company": company, "title": title, "startMonth": "2020-04"]
        if let end { body["endMonth"] = end }
        let reply = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[who], json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return (reply.json["company"] as? [String: Any])?["id"] as? String ?? ""
    }

    nonisolated(unsafe) static let swiftJob: [String: Any] = [
        "company": "株式会社つながり", "title": "Swift サーバーエンジニア", "location": "東京都渋谷区", "workplace": "hybrid", "employmentType": "fullTime",
        "description": "Swift と PostgreSQL でバックエンド（サーバー）を開発します。", "skills": ["Swift", "PostgreSQL"],
        "salary": ["min": 6_000_000, "max": 9_000_000, "currency": "jpy", "period": "year"],
    ]

    static func post(_ client: any TestClientProtocol, _ cast: Cast, _ who: String, _ job: [String: Any] = swiftJob) async throws -> String {
        let reply = try await client.call(.post, "/api/v1/jobs", token: cast.tokens[who], json: job)
        #expect(reply.status == .created, "\(reply.text)")
        return reply.json["id"] as? String ?? ""
    }

    static func results(_ client: any TestClientProtocol, _ cast: Cast, _ who: String, _ query: String) async throws -> [[String: Any]] {
        let reply = try await client.call(.get, "/api/v1/search/jobs?" + query, token: cast.tokens[who])
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.json["items"] as? [[String: Any]] ?? []
    }

    static func titles(_ items: [[String: Any]]) -> [String] {
        items.compactMap { ($0["job"] as? [String: Any])?["title"] as? String }
    }

    @Test func postingIsForMembersAtTheCompanyAndTheJobReadsBackExactly() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let company = try await Self.work(client, cast, "Ann", at: "つながり株式会社")
            _ = try await Self.work(client, cast, "Ben", at: "株式会社つながり", end: "2023-03")
            // Ben worked there, but not now.
            let refused = try await client.call(.post, "/api/v1/jobs", token: cast.tokens["Ben"], json: Self.swiftJob)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "not_at_company")
            let created = try await client.call(.post, "/api/v1/jobs", token: cast.tokens["Ann"], json: Self.swiftJob)
            #expect(created.status == .created, "\(created.text)")
            #expect((created.json["company"] as? [String: Any])?["id"] as? String == company)
            #expect(created.json["status"] as? String == "open")
            #expect(created.json["applicantCount"] as? Int == 0)
            #expect(created.json["skills"] as? [String] == ["Swift", "PostgreSQL"])
            #expect((created.json["salary"] as? [String: Any])?["currency"] as? String == "JPY")
            let id = created.json["id"] as? String ?? ""
            // By company id too.
            var byID = Self.swiftJob
            byID["company"] = company
            #expect(try await client.call(.post, "/api/v1/jobs", token: cast.tokens["Ann"], json: byID).status == .created)

            let seen = try await client.call(.get, "/api/v1/jobs/\(id)", token: cast.tokens["Ben"])
            #expect(seen.status == .ok)
            #expect(seen.json["applicantCount"] == nil, "only the poster sees the applicant count")
            #expect((seen.json["poster"] as? [String: Any])?["name"] as? String == "Ann")
            #expect(seen.json["peopleYouKnow"] is [Any])

            // Only the poster changes it.
            let foreign = try await client.call(.patch, "/api/v1/jobs/\(id)", token: cast.tokens["Ben"], json: ["title": "x"])
            #expect(foreign.status == .forbidden)
            #expect(foreign.errorCode == "not_poster")
            let edited = try await client.call(.patch, "/api/v1/jobs/\(id)", token: cast.tokens["Ann"], json: ["title": "Swift バックエンドエンジニア", "salary": NSNull()])
            #expect(edited.status == .ok, "\(edited.text)")
            #expect(edited.json["title"] as? String == "Swift バックエンドエンジニア")
            #expect(edited.json["salary"] == nil)
            #expect(try await client.call(.get, "/api/v1/jobs/\(id)", token: cast.tokens["Ann"]).json["title"] as? String == "Swift バックエンドエンジニア")
            #expect(try await client.call(.get, "/api/v1/jobs/01zzzzzzzzzzzzzzzzzzzzzzzz", token: cast.tokens["Ann"]).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/jobs/nonsense", token: cast.tokens["Ann"]).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/jobs/\(id)").status == .unauthorized)
        }
    }

    @Test func badInputIsAClear4xxAndWritesNothing() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann"])
            _ = try await Self.work(client, cast, "Ann", at: "株式会社つながり")
            func refuse(_ change: (inout [String: Any]) -> Void, _ status: HTTPResponse.Status, _ code: String) async throws {
                var body = Self.swiftJob
                change(&body)
                let reply = try await client.call(.post, "/api/v1/jobs", token: cast.tokens["Ann"], json: body)
                #expect(reply.status == status, "\(body): \(reply.text)")
                #expect(reply.errorCode == code, "\(reply.text)")
            }
            try await refuse({ $0["workplace"] = "moon" }, .unprocessableContent, "invalid_value")
            try await refuse({ $0["employmentType"] = "forever" }, .unprocessableContent, "invalid_value")
            try await refuse({ $0["salary"] = ["min": 9, "max": 1, "currency": "JPY", "period": "year"] }, .unprocessableContent, "bad_salary")
            try await refuse({ $0["salary"] = ["min": -1, "max": 1, "currency": "JPY", "period": "year"] }, .unprocessableContent, "bad_salary")
            try await refuse({ $0["salary"] = ["min": 1, "max": 2, "currency": "yen!", "period": "year"] }, .unprocessableContent, "bad_currency")
            try await refuse({ $0["salary"] = ["min": 1, "max": 2, "currency": "JPY", "period": "decade"] }, .unprocessableContent, "invalid_value")
            try await refuse({ $0["salary"] = ["min": 1.5, "max": 2, "currency": "JPY", "period": "year"] }, .unprocessableContent, "bad_salary")
            try await refuse({ $0.removeValue(forKey: "company") }, .unprocessableContent, "required")
            try await refuse({ $0["company"] = "" }, .unprocessableContent, "required")
            try await refuse({ $0["title"] = "" }, .unprocessableContent, "required")
            try await refuse({ $0["description"] = String(repeating: "あ", count: 20_001) }, .unprocessableContent, "too_long")
            try await refuse({ $0["skills"] = "Swift" }, .unprocessableContent, "invalid_type")
            try await refuse({ $0["salaryRange"] = 1 }, .unprocessableContent, "unknown_field")
            try await refuse({ $0["company"] = "Other Inc." }, .forbidden, "not_at_company")
            #expect(try await services.storage.jobs(postedBy: MemberID(cast.ids["Ann"]!)).isEmpty)
            let malformed = try await client.call(.post, "/api/v1/jobs", token: cast.tokens["Ann"], raw: Array("{\"title\":".utf8))
            #expect(malformed.status == .badRequest)
            let badSearch = try await client.call(.get, "/api/v1/search/jobs?q=Swift&workplace=moon", token: cast.tokens["Ann"])
            #expect(badSearch.status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/search/jobs?q=(Swift", token: cast.tokens["Ann"]).errorCode == "bad_query")
            #expect(try await client.call(.get, "/api/v1/search/jobs?q=Swift&postedWithin=0", token: cast.tokens["Ann"]).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/search/jobs?q=Swift&cursor=-4", token: cast.tokens["Ann"]).errorCode == "bad_cursor")
        }
    }

    @Test func searchUsesTheBooleanLanguageFiltersAndRanksByPeopleYouKnow() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho", "Dai", "Eri", "Seeker"])
            _ = try await Self.work(client, cast, "Ann", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Ben", at: "Acme Inc.")
            _ = try await Self.work(client, cast, "Cho", at: "Acme")
            _ = try await Self.work(client, cast, "Dai", at: "Acme Corporation")
            // Seeker knows Cho and Dai at Acme, no one at つながり.
            try await cast.connect(client, "Seeker", "Cho")
            try await cast.connect(client, "Seeker", "Dai")
            let tsunagari = try await Self.post(client, cast, "Ann")
            var acmeJob = Self.swiftJob
            acmeJob["company"] = "ACME"
            acmeJob["title"] = "Backend Engineer (Swift)"
            acmeJob["description"] = "We build our backend in Swift."
            acmeJob["location"] = "Osaka"
            acmeJob["workplace"] = "remote"
            let acme = try await Self.post(client, cast, "Ben", acmeJob)
            var ios = Self.swiftJob
            ios["title"] = "iOS エンジニア"
            ios["description"] = "アプリを開発します。"
            ios["skills"] = ["SwiftUI"]
            _ = try await Self.post(client, cast, "Ann", ios)

            let q = "q=" + "Swift AND (サーバー OR backend)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let both = try await Self.results(client, cast, "Seeker", q)
            #expect(Set(both.compactMap { ($0["job"] as? [String: Any])?["id"] as? String }) == [tsunagari, acme])
            // The job where the seeker knows two people ranks first, and says so.
            #expect((both.first?["job"] as? [String: Any])?["id"] as? String == acme)
            #expect(both.first?["peopleYouKnowCount"] as? Int == 2)
            #expect(both.last?["peopleYouKnowCount"] as? Int == 0)
            #expect((both.first?["highlights"] as? [String])?.isEmpty == false)
            // Filters.
            #expect(Self.titles(try await Self.results(client, cast, "Seeker", q + "&location=%E6%9D%B1%E4%BA%AC")) == ["Swift サーバーエンジニア"])
            #expect(Self.titles(try await Self.results(client, cast, "Seeker", q + "&workplace=remote")) == ["Backend Engineer (Swift)"])
            #expect(Self.titles(try await Self.results(client, cast, "Seeker", q + "&company=acme%20inc.")) == ["Backend Engineer (Swift)"])
            #expect(try await Self.results(client, cast, "Seeker", q + "&employmentType=internship").isEmpty)
            #expect(try await Self.results(client, cast, "Seeker", q + "&postedWithin=1").count == 2)
            // Without words: every open job matching the filters; NOT works.
            #expect(try await Self.results(client, cast, "Seeker", "location=%E6%9D%B1%E4%BA%AC").count == 2)
            #expect(Self.titles(try await Self.results(client, cast, "Seeker", "q=Swift%20-backend%20-SwiftUI")) == ["Swift サーバーエンジニア"])
            let facets = try await client.call(.get, "/api/v1/search/jobs?q=Swift", token: cast.tokens["Seeker"]).json["facets"] as? [String: Any]
            #expect((facets?["workplace"] as? [[String: Any]])?.count == 2)

            // A closed job leaves search; a reopened one comes back.
            _ = try await client.call(.patch, "/api/v1/jobs/\(acme)", token: cast.tokens["Ben"], json: ["status": "closed"])
            #expect(Self.titles(try await Self.results(client, cast, "Seeker", q)) == ["Swift サーバーエンジニア"])
            _ = try await client.call(.patch, "/api/v1/jobs/\(acme)", token: cast.tokens["Ben"], json: ["status": "open"])
            #expect(try await Self.results(client, cast, "Seeker", q).count == 2)

            // Blocked either way: the poster's jobs are gone from search and 404 by id.
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Seeker"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            #expect(Self.titles(try await Self.results(client, cast, "Seeker", q)) == ["Swift サーバーエンジニア"])
            #expect(try await client.call(.get, "/api/v1/jobs/\(acme)", token: cast.tokens["Seeker"]).status == .notFound)

            // The company page lists its open jobs.
            let companyID = try await client.call(.get, "/api/v1/jobs/\(tsunagari)", token: cast.tokens["Eri"]).json["company"] as? [String: Any]
            let listed = try await client.call(.get, "/api/v1/companies/\(companyID?["id"] as? String ?? "")/jobs", token: cast.tokens["Eri"])
            #expect(listed.status == .ok)
            #expect(Set((listed.json["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }) == ["Swift サーバーエンジニア", "iOS エンジニア"])
        }
    }

    @Test func applicationsAreKnownToTheApplicantAndThePosterOnly() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Poster", "Colleague", "Seeker", "Boss"])
            _ = try await Self.work(client, cast, "Poster", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Colleague", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Seeker", at: "Other KK")
            _ = try await Self.work(client, cast, "Boss", at: "Other KK")
            try await cast.connect(client, "Poster", "Colleague")
            try await cast.connect(client, "Seeker", "Boss")
            let job = try await Self.post(client, cast, "Poster")
            let applied = try await client.call(.post, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Seeker"], json: ["note": "<b>よろしく</b>"])
            #expect(applied.status == .created, "\(applied.text)")
            #expect(applied.json["status"] as? String == "submitted")
            #expect((applied.json["job"] as? [String: Any])?["id"] as? String == job)
            let twice = try await client.call(.post, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Seeker"], json: [:])
            #expect(twice.status == .conflict)
            #expect(twice.errorCode == "already_applied")
            #expect(try await client.call(.post, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Poster"], json: [:]).errorCode == "own_job")
            #expect(try await client.call(.post, "/api/v1/jobs/01zzzzzzzzzzzzzzzzzzzzzzzz/applications", token: cast.tokens["Seeker"], json: [:]).status == .notFound)

            // The poster sees the applicant with degree and mutuals, and is told.
            let list = try await client.call(.get, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Poster"])
            #expect(list.status == .ok)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            #expect((items.first?["member"] as? [String: Any])?["name"] as? String == "Seeker")
            #expect((items.first?["member"] as? [String: Any])?["degree"] != nil)
            #expect(items.first?["note"] as? String == "<b>よろしく</b>")
            #expect(items.first?["referredBy"] as? [Any] != nil)
            let posterNotes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Poster"]).json["items"] as? [[String: Any]] ?? []
            #expect(posterNotes.contains { $0["kind"] as? String == "jobApplication" && ($0["job"] as? [String: Any])?["id"] as? String == job })
            #expect(try await client.call(.get, "/api/v1/jobs/\(job)", token: cast.tokens["Poster"]).json["applicantCount"] as? Int == 1)

            // No one else learns of it: the poster's colleague, the applicant's boss, or anyone's notifications or feed.
            for who in ["Colleague", "Boss"] {
                #expect(try await client.call(.get, "/api/v1/jobs/\(job)/applications", token: cast.tokens[who]).status == .notFound)
                let job = try await client.call(.get, "/api/v1/jobs/\(job)", token: cast.tokens[who])
                #expect(job.json["applicantCount"] == nil)
                #expect(!job.text.contains("Seeker"))
                let notes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens[who]).text
                #expect(!notes.contains("jobApplication"))
                let feed = try await client.call(.get, "/api/v1/feed", token: cast.tokens[who]).text
                #expect(!feed.contains(job.json["id"] as? String ?? "nothing"))
            }

            // The applicant sees their applications; a rejection is shown, never announced.
            let seekerNotesBefore = (try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Seeker"]).json["items"] as? [Any] ?? []).count
            let applicationID = applied.json["id"] as? String ?? ""
            let foreign = try await client.call(.patch, "/api/v1/jobs/\(job)/applications/\(applicationID)", token: cast.tokens["Colleague"], json: ["status": "rejected"])
            #expect(foreign.status == .notFound)
            let rejected = try await client.call(.patch, "/api/v1/jobs/\(job)/applications/\(applicationID)", token: cast.tokens["Poster"], json: ["status": "rejected"])
            #expect(rejected.status == .ok, "\(rejected.text)")
            let mine = try await client.call(.get, "/api/v1/me/applications", token: cast.tokens["Seeker"])
            #expect(((mine.json["items"] as? [[String: Any]])?.first)?["status"] as? String == "rejected")
            let seekerNotesAfter = (try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Seeker"]).json["items"] as? [Any] ?? []).count
            #expect(seekerNotesAfter == seekerNotesBefore)

            // The applicant's export holds the application; the poster's, the job.
            let exported = try await client.call(.get, "/api/v1/me/export", token: cast.tokens["Seeker"]).json
            #expect((exported["applications"] as? [[String: Any]])?.first?["status"] as? String == "rejected")
            let posterExport = try await client.call(.get, "/api/v1/me/export", token: cast.tokens["Poster"]).json
            #expect((posterExport["jobs"] as? [[String: Any]])?.first?["applicantCount"] as? Int == 1)
            #expect((posterExport["applications"] as? [Any])?.isEmpty == true)

            // A closed job takes no more applications.
            _ = try await client.call(.patch, "/api/v1/jobs/\(job)", token: cast.tokens["Poster"], json: ["status": "closed"])
            let closed = try await client.call(.post, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Boss"], json: [:])
            #expect(closed.status == .conflict)
            #expect(closed.errorCode == "job_closed")
        }
    }

    @Test func referralsGoThroughAConnectionAtTheCompanyAndADeclineLooksPending() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Poster", "Friend", "Other", "Stranger", "Seeker", "Elsewhere"])
            _ = try await Self.work(client, cast, "Poster", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Friend", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Other", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Stranger", at: "株式会社つながり")
            try await cast.connect(client, "Seeker", "Friend")
            try await cast.connect(client, "Seeker", "Other")
            try await cast.connect(client, "Seeker", "Poster")
            try await cast.connect(client, "Poster", "Stranger")
            _ = try await Self.work(client, cast, "Elsewhere", at: "Other KK")
            let job = try await Self.post(client, cast, "Poster")

            // The job page shows the seeker's connections there, 1st degree first.
            let page = try await client.call(.get, "/api/v1/jobs/\(job)", token: cast.tokens["Seeker"])
            let known = (page.json["peopleYouKnow"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any])?["name"] as? String }
            #expect(Set(known.prefix(3)) == ["Friend", "Other", "Poster"])
            #expect(try await cast.degree(client, "Seeker", of: "Stranger") == 2)
            #expect(known.last == "Stranger")

            func ask(_ via: String) async throws -> Reply {
                try await client.call(.post, "/api/v1/jobs/\(job)/referral-requests", token: cast.tokens["Seeker"], json: ["viaId": via, "note": "ぜひ"])
            }
            #expect(try await ask(cast.ids["Stranger"]!).errorCode == "not_connected")
            #expect(try await ask("nobody").errorCode == "not_connected")
            try await cast.connect(client, "Seeker", "Stranger")
            try await cast.connect(client, "Seeker", "Elsewhere")
            let wrongCompany = try await ask(cast.ids["Elsewhere"]!)
            #expect(wrongCompany.status == .unprocessableContent)
            #expect(wrongCompany.errorCode == "not_at_company")

            let asked = try await ask(cast.ids["Friend"]!)
            #expect(asked.status == .created, "\(asked.text)")
            #expect(asked.json["status"] as? String == "pending")
            #expect(try await ask(cast.ids["Friend"]!).errorCode == "already_requested")
            let declinedAsk = try await ask(cast.ids["Other"]!)
            let friendNotes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Friend"]).json["items"] as? [[String: Any]] ?? []
            #expect(friendNotes.contains { $0["kind"] as? String == "referralRequested" })

            // Only the intermediary answers.
            let requestID = asked.json["id"] as? String ?? ""
            #expect(try await client.call(.post, "/api/v1/referral-requests/\(requestID)/accept", token: cast.tokens["Seeker"]).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/referral-requests/\(requestID)/accept", token: cast.tokens["Poster"]).status == .notFound)

            // Other declines: the seeker still sees it pending and is told nothing.
            let declined = try await client.call(.post, "/api/v1/referral-requests/\(declinedAsk.json["id"] as? String ?? "")/decline", token: cast.tokens["Other"])
            #expect(declined.status == .noContent)
            let seekerList = try await client.call(.get, "/api/v1/referral-requests", token: cast.tokens["Seeker"])
            let statuses = (seekerList.json["items"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            #expect(statuses == ["pending", "pending"])
            #expect(!seekerList.text.contains("declined"))
            let otherList = try await client.call(.get, "/api/v1/referral-requests", token: cast.tokens["Other"])
            #expect((otherList.json["items"] as? [[String: Any]])?.first?["status"] as? String == "declined")

            // Friend accepts: the application is made now and carries the referral; the seeker is told.
            let accepted = try await client.call(.post, "/api/v1/referral-requests/\(requestID)/accept", token: cast.tokens["Friend"])
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.json["status"] as? String == "accepted")
            #expect(try await client.call(.post, "/api/v1/referral-requests/\(requestID)/accept", token: cast.tokens["Friend"]).errorCode == "already_answered")
            let applicants = try await client.call(.get, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Poster"])
            let first = (applicants.json["items"] as? [[String: Any]])?.first
            #expect((first?["member"] as? [String: Any])?["name"] as? String == "Seeker")
            #expect((first?["referredBy"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Friend"])
            let seekerNotes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Seeker"]).json["items"] as? [[String: Any]] ?? []
            #expect(seekerNotes.contains { $0["kind"] as? String == "referralGiven" })
            #expect(!seekerNotes.contains { $0["kind"] as? String == "jobApplication" })
            let posterNotes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Poster"]).json["items"] as? [[String: Any]] ?? []
            #expect(posterNotes.filter { $0["kind"] as? String == "jobApplication" }.count == 1)
        }
    }

    @Test func aJobSharedAsAHiringPost() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            _ = try await Self.work(client, cast, "Ann", at: "株式会社つながり")
            let job = try await Self.post(client, cast, "Ann")
            let shared = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ben"], json: ["text": "友人の会社が採用中です #採用", "jobId": job])
            #expect(shared.status == .created, "\(shared.text)")
            #expect((shared.json["job"] as? [String: Any])?["id"] as? String == job)
            #expect((shared.json["job"] as? [String: Any])?["title"] as? String == "Swift サーバーエンジニア")
            let plain = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ben"], json: ["text": "こんにちは"])
            #expect(plain.json["job"] is NSNull)
            let missing = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ben"], json: ["text": "x", "jobId": "01zzzzzzzzzzzzzzzzzzzzzzzz"])
            #expect(missing.status == .notFound)
            _ = try await client.call(.patch, "/api/v1/jobs/\(job)", token: cast.tokens["Ann"], json: ["status": "closed"])
            let closed = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ben"], json: ["text": "x", "jobId": job])
            #expect(closed.errorCode == "job_closed")
            let feed = try await client.call(.get, "/api/v1/feed", token: cast.tokens["Ann"])
            #expect(feed.text.contains(job))
        }
    }

    @Test func openToWorkMembersGetSuggestionsMatchingTheirTitles() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Seeker", "Closed"])
            _ = try await Self.work(client, cast, "Ann", at: "株式会社つながり")
            _ = try await Self.work(client, cast, "Seeker", at: "Other KK", title: "Swift サーバーエンジニア")
            _ = try await Self.work(client, cast, "Closed", at: "Other KK", title: "Swift サーバーエンジニア")
            let job = try await Self.post(client, cast, "Ann")
            var other = Self.swiftJob
            other["title"] = "経理担当"
            other["description"] = "決算業務"
            other["skills"] = ["会計"]
            _ = try await Self.post(client, cast, "Ann", other)
            #expect(try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Seeker"], json: ["openToWork": ["enabled": true]]).status == .ok)
            let suggested = try await client.call(.get, "/api/v1/me/job-suggestions", token: cast.tokens["Seeker"])
            #expect(Self.titles(suggested.json["items"] as? [[String: Any]] ?? []) == ["Swift サーバーエンジニア"])
            // Not open to work: nothing.
            #expect((try await client.call(.get, "/api/v1/me/job-suggestions", token: cast.tokens["Closed"]).json["items"] as? [Any])?.isEmpty == true)
            // A job applied to is no longer suggested.
            _ = try await client.call(.post, "/api/v1/jobs/\(job)/applications", token: cast.tokens["Seeker"], json: [:])
            #expect((try await client.call(.get, "/api/v1/me/job-suggestions", token: cast.tokens["Seeker"]).json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func anotherInstanceKeepsItsJobIndexCurrentThroughTheChangeLog() async throws {
        try await withApp { client, services in
            // A second instance on the same database, as a second server would be.
            let other = try await AppServices(configuration: AppConfiguration(), storage: services.storage, hasher: BcryptPasswordHasher(cost: 4))
            var cursor = ChangeLogCursor(applied: other.jobsApplied, anchored: other.jobsApplied > 0)
            let cast = try await Cast.make(client, ["Ann"])
            _ = try await Self.work(client, cast, "Ann", at: "株式会社つながり")
            let job = try await Self.post(client, cast, "Ann")
            #expect(other.jobSearch.count == 0)
            _ = try await other.jobs.catchUp(&cursor, now: Date())
            #expect(other.jobSearch.count == 1)
            #expect(try other.jobSearch.search(nil, filters: JobFilters(location: "東京"), limit: 10).map(\.jobID) == [job])
            _ = try await client.call(.patch, "/api/v1/jobs/\(job)", token: cast.tokens["Ann"], json: ["status": "closed"])
            _ = try await other.jobs.catchUp(&cursor, now: Date())
            #expect(other.jobSearch.count == 0)
            _ = try await client.call(.patch, "/api/v1/jobs/\(job)", token: cast.tokens["Ann"], json: ["status": "open", "title": "Go エンジニア"])
            _ = try await other.jobs.catchUp(&cursor, now: Date())
            #expect(try other.jobSearch.search(nil, filters: JobFilters(), limit: 10).count == 1)
            // Replaying again changes nothing; the account's deletion takes its jobs out everywhere.
            _ = try await other.jobs.catchUp(&cursor, now: Date())
            #expect(other.jobSearch.count == 1)
            try await services.storage.deleteMember(MemberID(cast.ids["Ann"]!))
            _ = try await other.jobs.catchUp(&cursor, now: Date())
            #expect(other.jobSearch.count == 0)
        }
    }

    @Test func aSavedJobSearchAnnouncesNewJobsOnce() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Seeker"])
            _ = try await Self.work(client, cast, "Ann", at: "株式会社つながり")
            _ = try await Self.post(client, cast, "Ann")
            let saved = try await client.call(
                .post, "/api/v1/search/jobs/saved", token: cast.tokens["Seeker"],
                json: ["q": "Swift AND (サーバー OR backend)", "filters": ["location": "東京", "workplace": "hybrid"]])
            #expect(saved.status == .created, "\(saved.text)")
            #expect(saved.json["kind"] as? String == "jobs")
            #expect((saved.json["filters"] as? [String: Any])?["workplace"] as? String == "hybrid")
            #expect(try await client.call(.post, "/api/v1/search/jobs/saved", token: cast.tokens["Seeker"], json: [:]).errorCode == "required")
            #expect(try await client.call(.post, "/api/v1/search/jobs/saved", token: cast.tokens["Seeker"], json: ["q": "(Swift"]).errorCode == "bad_query")
            #expect(
                try await client.call(.post, "/api/v1/search/jobs/saved", token: cast.tokens["Seeker"], json: ["q": "x", "filters": ["workplace": "moon"]])
                    .errorCode == "invalid_value")
            let listed = try await client.call(.get, "/api/v1/search/jobs/saved", token: cast.tokens["Seeker"])
            #expect((listed.json["items"] as? [Any])?.count == 1)
            // The job that matched when it was saved is not news; a new one is, once.
            try await services.savedSearches.checkDue(interval: 0)
            func matches() async throws -> [[String: Any]] {
                let items = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Seeker"]).json["items"] as? [[String: Any]] ?? []
                return items.filter { $0["kind"] as? String == "savedSearchMatches" }
            }
            #expect(try await matches().isEmpty)
            var another = Self.swiftJob
            another["title"] = "Backend エンジニア（Swift）"
            _ = try await Self.post(client, cast, "Ann", another)
            var elsewhere = Self.swiftJob
            elsewhere["location"] = "大阪市"
            _ = try await Self.post(client, cast, "Ann", elsewhere)
            try await Task.sleep(for: .milliseconds(20))
            try await services.savedSearches.checkDue(interval: 0)
            let found = try await matches()
            #expect(found.count == 1)
            #expect(found.first?["count"] as? Int == 1)
            #expect((found.first?["savedSearch"] as? [String: Any])?["id"] as? String == saved.json["id"] as? String)
            try await services.savedSearches.checkDue(interval: 0)
            #expect(try await matches().count == 1)
            // The notification leads to the job search; the saved-searches page lists it with the people searches.
            let seeker = try await Browser.logIn(client, "Seeker")
            #expect(try await seeker.get("/notifications").text.contains("href=\"/jobs?q="))
            #expect(try await seeker.get("/search/saved").text.contains("href=\"/jobs?q="))
            #expect(try await client.call(.delete, "/api/v1/search/saved/\(saved.json["id"] as? String ?? "")", token: cast.tokens["Seeker"]).status == .noContent)
        }
    }
}
