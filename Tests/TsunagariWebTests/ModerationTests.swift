import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// The moderation queue: only moderators and admins see it; removing a reported post takes it away from everyone and
/// ends every report of it; dismissing keeps it; both are in the audit log.
@Suite struct ModerationTests {
    @Test func moderatorsWorkTheQueueAndEveryoneElseGets404() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cid", "Mod"])
            try await cast.connect(client, "Ann", "Ben")
            try await services.storage.setRole(.moderator, for: MemberID(cast.ids["Mod"]!))
            let annBefore = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ann"]).text
            let post = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ann"], json: ["text": "怪しい投稿 <script>alert(1)</script>"])
            #expect(post.status == .created)
            let postID = post.json["id"] as? String ?? ""
            let keep = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ann"], json: ["text": "普通の投稿です"])
            let keepID = keep.json["id"] as? String ?? ""
            for reporter in ["Ben", "Cid"] {
                let reported = try await client.call(.post, "/api/v1/posts/\(postID)/report", token: cast.tokens[reporter], json: ["reason": "スパムです"])
                #expect(reported.status.code < 300, "\(reported.status) \(reported.text)")
            }
            #expect(try await client.call(.post, "/api/v1/posts/\(keepID)/report", token: cast.tokens["Ben"], json: ["reason": "間違い"]).status.code < 300)

            // A member (the reported author too) and a recruiter get 404; a visitor is sent to log in.
            let ann = try await Browser.logIn(client, "Ann")
            #expect(try await ann.get("/moderation").status == .notFound)
            try await services.storage.setRole(.recruiter, for: MemberID(cast.ids["Cid"]!))
            #expect(try await Browser.logIn(client, "Cid").get("/moderation").status == .notFound)
            #expect(try await client.call(.get, "/moderation").status != .ok)

            let moderator = try await Browser.logIn(client, "Mod", language: "ja")
            let queue = try await moderator.get("/moderation")
            #expect(queue.status == .ok)
            #expect(queue.text.contains("モデレーション"))
            #expect(queue.text.contains("怪しい投稿 &lt;script&gt;"))
            #expect(!queue.text.contains("<script>alert(1)</script>"))
            let reports = try await services.moderation.queue(.member(MemberID(cast.ids["Mod"]!), .moderator))
            #expect(reports.count == 3)
            let first = try #require(reports.first { $0.report.postID == postID })
            let other = try #require(reports.first { $0.report.postID == keepID })

            // The actions need the form's CSRF token.
            #expect(try await moderator.post("/moderation/reports/\(first.report.id)/remove", [:], csrf: false).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/posts/\(postID)", token: cast.tokens["Ben"]).status == .ok)
            // A member cannot act on a report either.
            #expect(try await ann.post("/moderation/reports/\(first.report.id)/remove", [:]).status == .notFound)

            let removed = try await moderator.post("/moderation/reports/\(first.report.id)/remove", [:])
            #expect(removed.status == .ok)
            #expect(removed.text.contains("削除しました"))
            // Gone for everyone, the author too, and out of the feed and post search; both reports of it ended.
            #expect(try await client.call(.get, "/api/v1/posts/\(postID)", token: cast.tokens["Ben"]).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/posts/\(postID)", token: cast.tokens["Ann"]).status == .notFound)
            let feed = try await client.call(.get, "/api/v1/feed", token: cast.tokens["Ben"])
            #expect(!feed.text.contains(postID) && feed.text.contains(keepID))
            let found = try await client.call(.get, "/api/v1/search/posts?q=%E6%80%AA%E3%81%97%E3%81%84", token: cast.tokens["Ben"])
            #expect(!found.text.contains(postID))
            let left = try await services.moderation.queue(.member(MemberID(cast.ids["Mod"]!), .moderator))
            #expect(left.map(\.report.id) == [other.report.id])
            // The same report again: 409, nothing more happens.
            #expect(try await moderator.post("/moderation/reports/\(first.report.id)/remove", [:]).status == .conflict)

            let dismissed = try await moderator.post("/moderation/reports/\(other.report.id)/dismiss", [:])
            #expect(dismissed.status == .ok && dismissed.text.contains("no-reports"))
            #expect(try await client.call(.get, "/api/v1/posts/\(keepID)", token: cast.tokens["Ben"]).status == .ok)

            let audit = try await services.moderation.audit(.commandLine("test"))
            #expect(audit.map(\.action) == ["report.dismissed", "report.removed"])
            #expect(audit.allSatisfy { $0.actor == cast.ids["Mod"] })
            // Reports and their ending tell the author nothing: no notification came.
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ann"]).text == annBefore)
        }
    }

    @Test func onlyAdminsAndTheCommandLineGrantRolesAndEachGrantIsAudited() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Boss"])
            let ann = MemberID(cast.ids["Ann"]!)
            let boss = MemberID(cast.ids["Boss"]!)
            await #expect(throws: DomainError.self) { try await services.moderation.setRole(.admin, for: ann, by: .member(ann, .moderator)) }
            try await services.moderation.setRole(.admin, for: boss, by: .commandLine("ops"))
            try await services.moderation.setRole(.moderator, for: ann, by: .member(boss, .admin))
            #expect(try await services.storage.profile(id: ann)?.role == .moderator)
            await #expect(throws: DomainError.self) { try await services.moderation.setRole(.admin, for: MemberID("nobody"), by: .commandLine("ops")) }
            let audit = try await services.moderation.audit(.commandLine("ops"))
            #expect(audit.map(\.detail) == ["moderator", "admin"])
            #expect(audit.map(\.actor) == [boss.rawValue, "cli:ops"])
        }
    }
}
