import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Suspension through the moderation page: the member's sessions end, they cannot log in, and they disappear from
/// every path that shows people — profile, search, suggestions, connection lists, feeds, new conversations — until a
/// moderator restores them, when everything is back as it was.
@Suite struct SuspensionTests {
    static func query(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

    @Test func aSuspendedMemberIsShownNowhereUntilRestored() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Zebulon", "Ben", "Cid", "Mod", "Mod2"])
            try await cast.connect(client, "Zebulon", "Ben")
            try await cast.connect(client, "Ben", "Cid")
            try await services.storage.setRole(.moderator, for: MemberID(cast.ids["Mod"]!))
            try await services.storage.setRole(.moderator, for: MemberID(cast.ids["Mod2"]!))
            let zeb = cast.ids["Zebulon"]!
            let post = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Zebulon"], json: ["text": "今週の勉強会のお知らせ"])
            let postID = post.json["id"] as? String ?? ""
            #expect(post.status == .created)

            let cid = try await Browser.logIn(client, "Cid")
            func visible() async throws -> [String: Bool] {
                let profile = try await client.call(.get, "/api/v1/members/\(zeb)", token: cast.tokens["Cid"])
                let search = try await client.call(.get, "/api/v1/search/people?q=Zebulon", token: cast.tokens["Cid"])
                let suggestions = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Cid"])
                let connections = try await client.call(.get, "/api/v1/me/connections", token: cast.tokens["Ben"])
                let feed = try await client.call(.get, "/api/v1/feed", token: cast.tokens["Ben"])
                let page = try await cid.get("/in/\(cast.handles["Zebulon"]!)")
                return [
                    "profile": profile.status == .ok, "search": search.text.contains(zeb), "suggestions": suggestions.text.contains(zeb),
                    "connections": connections.text.contains(zeb), "feed": feed.text.contains(postID), "page": page.status == .ok,
                ]
            }
            let everywhere = ["profile": true, "search": true, "suggestions": true, "connections": true, "feed": true, "page": true]
            do {
                let seen = try await visible()
                #expect(seen == everywhere, "\(seen)")
            }

            let moderator = try await Browser.logIn(client, "Mod", language: "ja")
            // Moderators cannot suspend each other or themselves; a reason is required; a member gets 404.
            let peer = try await moderator.post("/moderation/members/suspend", ["member": cast.handles["Mod2"]!, "reason": "test"])
            #expect(peer.status == .forbidden)
            #expect(try await moderator.post("/moderation/members/suspend", ["member": cast.handles["Mod"]!, "reason": "test"]).status == .unprocessableContent)
            #expect(try await moderator.post("/moderation/members/suspend", ["member": cast.handles["Zebulon"]!, "reason": "  "]).status == .unprocessableContent)
            #expect(try await moderator.post("/moderation/members/suspend", ["member": "nobody-here", "reason": "spam"]).status == .notFound)
            let ben = try await Browser.logIn(client, "Ben")
            #expect(try await ben.post("/moderation/members/suspend", ["member": cast.handles["Zebulon"]!, "reason": "spam"]).status == .notFound)
            do {
                let seen = try await visible()
                #expect(seen == everywhere, "\(seen)")
            }

            let suspended = try await moderator.post("/moderation/members/suspend", ["member": "@" + cast.handles["Zebulon"]!, "reason": "スパム投稿"])
            #expect(suspended.status == .ok)
            #expect(suspended.text.contains("利用停止しました") && suspended.text.contains("suspended-\(zeb)"))
            #expect(try await moderator.post("/moderation/members/suspend", ["member": zeb, "reason": "again"]).status == .conflict)

            // Their token stopped working; logging in says why, on the API and the page.
            #expect(try await client.call(.get, "/api/v1/me", token: cast.tokens["Zebulon"]).status == .unauthorized)
            let login = try await client.call(.post, "/api/v1/sessions", json: ["email": "zebulon@example.test", "password": "correct horse battery"])
            #expect(login.status == .forbidden && login.errorCode == "account_suspended")
            let wrong = try await client.call(.post, "/api/v1/sessions", json: ["email": "zebulon@example.test", "password": "not the password"])
            #expect(wrong.errorCode == "invalid_credentials")
            let loginPage = try await Browser(client).post("/login", ["email": "zebulon@example.test", "password": "correct horse battery"])
            #expect(loginPage.status == .forbidden && loginPage.text.contains("suspended"))

            let none = everywhere.mapValues { _ in false }
            do {
                let seen = try await visible()
                #expect(seen == none, "\(seen)")
            }
            // Nobody starts a conversation with them, invites or follows them.
            let message = try await client.call(.post, "/api/v1/conversations", token: cast.tokens["Ben"], json: ["participantIds": [zeb], "text": "こんにちは"])
            #expect(message.status == .notFound)
            #expect(try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Cid"], json: ["inviteeId": zeb]).status == .notFound)
            // Their degree is gone with their edges: Ben and Cid share no one now.
            #expect(services.graph.connections(of: MemberID(zeb)).isEmpty)
            // The moderation page names them, with the reason; the audit log too.
            let page = try await moderator.get("/moderation")
            #expect(page.text.contains("スパム投稿") && page.text.contains("restore-\(zeb)"))
            #expect(page.text.contains("nav-moderation"))
            #expect(try await !ben.get("/moderation").text.contains("nav-moderation"))

            let restored = try await moderator.post("/moderation/members/\(zeb)/restore", [:])
            #expect(restored.status == .ok && restored.text.contains("no-suspended"))
            #expect(try await moderator.post("/moderation/members/\(zeb)/restore", [:]).status == .conflict)
            do {
                let seen = try await visible()
                #expect(seen == everywhere, "\(seen)")
            }
            #expect(services.graph.areConnected(MemberID(zeb), MemberID(cast.ids["Ben"]!)))
            let again = try await client.call(.post, "/api/v1/sessions", json: ["email": "zebulon@example.test", "password": "correct horse battery"])
            #expect(again.status == .ok)

            let audit = try await services.moderation.audit(.commandLine("test"))
            #expect(audit.map(\.action) == ["member.restore", "member.suspend"])
            #expect(audit.allSatisfy { $0.actor == cast.ids["Mod"] && $0.subject == "member \(zeb)" })
        }
    }

    @Test func removingAReportedPostCanSuspendItsAuthor() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Spammer", "Reader", "Mod"])
            try await services.storage.setRole(.moderator, for: MemberID(cast.ids["Mod"]!))
            let post = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Spammer"], json: ["text": "激安セール！今すぐクリック"])
            let postID = post.json["id"] as? String ?? ""
            #expect(try await client.call(.post, "/api/v1/posts/\(postID)/report", token: cast.tokens["Reader"], json: ["reason": "spam"]).status.code < 300)
            let report = try #require(try await services.moderation.queue(.commandLine("test")).first)
            let moderator = try await Browser.logIn(client, "Mod")
            let page = try await moderator.get("/moderation")
            #expect(page.text.contains("suspend-\(report.report.id)"))
            let done = try await moderator.post("/moderation/reports/\(report.report.id)/suspend", [:])
            #expect(done.status == .ok)
            #expect(try await client.call(.get, "/api/v1/posts/\(postID)", token: cast.tokens["Reader"]).status == .notFound)
            #expect(try await services.storage.account(id: MemberID(cast.ids["Spammer"]!))?.isActive == false)
            #expect(try await client.call(.get, "/api/v1/me", token: cast.tokens["Spammer"]).status == .unauthorized)
            let suspended = try await services.moderation.suspended(.commandLine("test"))
            #expect(suspended.map(\.member.rawValue) == [cast.ids["Spammer"]!] && suspended.first?.reason == "Reported: spam")
            #expect(try await services.moderation.audit(.commandLine("test")).map(\.action) == ["member.suspend", "report.removed"])
        }
    }
}
