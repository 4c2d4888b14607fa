import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Conversations through the API: who may write to whom, what each participant sees, and what everyone else does not.
@Suite struct MessagingTests {
    static func start(_ client: any TestClientProtocol, _ cast: Cast, _ from: String, to: [String], _ text: String = "こんにちは") async throws -> Reply {
        try await client.call(.post, "/api/v1/conversations", token: cast.tokens[from], json: ["participantIds": to.map { cast.ids[$0]! }, "text": text])
    }

    @Test func connectionsWriteToEachOtherAndOnlyTheyRead() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Eve"])
            try await cast.connect(client, "Ann", "Ben")
            let first = try await Self.start(client, cast, "Ann", to: ["Ben"], "来週お茶しませんか？")
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["kind"] as? String == "direct")
            let id = first.json["id"] as? String ?? ""
            let participants = (first.json["participants"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(participants == ["Ann", "Ben"])
            #expect((first.json["lastMessage"] as? [String: Any])?["text"] as? String == "来週お茶しませんか？")

            // Ben starting "again" lands in the same conversation.
            let again = try await Self.start(client, cast, "Ben", to: ["Ann"], "ぜひ！")
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == id)

            let list = try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Ann"])
            #expect(list.json["unread"] as? Int == 1)
            #expect((list.json["items"] as? [[String: Any]])?.first?["unreadCount"] as? Int == 1)
            let messages = try await client.call(.get, "/api/v1/conversations/\(id)/messages?limit=1", token: cast.tokens["Ann"])
            let newest = (messages.json["items"] as? [[String: Any]])?.first
            #expect(newest?["text"] as? String == "ぜひ！")
            #expect((newest?["sender"] as? [String: Any])?["degree"] as? Int == 1)
            let cursor = messages.json["nextCursor"] as? String ?? ""
            let older = try await client.call(.get, "/api/v1/conversations/\(id)/messages?cursor=\(cursor)", token: cast.tokens["Ann"])
            #expect((older.json["items"] as? [[String: Any]])?.first?["text"] as? String == "来週お茶しませんか？")

            let read = try await client.call(
                .post, "/api/v1/conversations/\(id)/read", token: cast.tokens["Ann"], json: ["upTo": newest?["id"] as? String ?? ""])
            #expect(read.status == .noContent)
            #expect(try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Ann"]).json["unread"] as? Int == 0)

            // Eve, not a participant, finds nothing, whatever she tries.
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/api/v1/conversations/\(id)", nil as [String: Any]?),
                (.get, "/api/v1/conversations/\(id)/messages", nil),
                (.post, "/api/v1/conversations/\(id)/messages", ["text": "のぞき"]),
                (.post, "/api/v1/conversations/\(id)/read", ["upTo": newest?["id"] as? String ?? ""]),
            ] {
                let reply = try await client.call(method, path, token: cast.tokens["Eve"], json: body)
                #expect(reply.status == .notFound, "\(method) \(path): \(reply.text)")
            }
            #expect(names(try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Eve"])).isEmpty)
            #expect((try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Eve"]).json["items"] as? [Any])?.isEmpty == true)
            // Not her connection: refused, and nothing is written.
            let refused = try await Self.start(client, cast, "Eve", to: ["Ann"])
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "not_connected")
            #expect(try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Ann"]).json["unread"] as? Int == 0)
            #expect(try await client.call(.get, "/api/v1/conversations").status == .unauthorized)
        }
    }

    @Test func badInputIsRefusedClearlyAndWritesNothing() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ann", "Cat")
            let token = cast.tokens["Ann"]
            let ben = cast.ids["Ben"]!
            let cases: [(Any, HTTPResponse.Status, String?)] = [
                (["participantIds": [ben], "text": ""], .unprocessableContent, "required"),
                (["participantIds": [ben], "text": "   \n "], .unprocessableContent, "required"),
                (["participantIds": [ben], "text": String(repeating: "あ", count: 8_001)], .unprocessableContent, "too_long"),
                (["participantIds": [ben], "text": "bell\u{07}"], .unprocessableContent, "invalid_text"),
                (["participantIds": [ben], "text": 42], .unprocessableContent, "invalid_type"),
                (["participantIds": [], "text": "hi"], .unprocessableContent, "participants_required"),
                (["participantIds": [ben, ben], "text": "hi"], .unprocessableContent, "duplicate_participant"),
                (["participantIds": [cast.ids["Ann"]!], "text": "hi"], .unprocessableContent, "cannot_message_self"),
                (["participantIds": [OpaqueID.make(at: Date())], "text": "hi"], .notFound, "not_found"),
                (["participantIds": ["\u{0}"], "text": "hi"], .notFound, "not_found"),
                (["participantIds": [1, 2], "text": "hi"], .unprocessableContent, "invalid_type"),
                (["participantIds": ben, "text": "hi"], .unprocessableContent, "invalid_type"),
                (["participantIds": (0..<50).map { _ in OpaqueID.make(at: Date()) }, "text": "hi"], .unprocessableContent, nil),
                (["participantIds": [ben], "text": "hi", "extra": 1], .unprocessableContent, "unknown_field"),
                (["text": "hi"], .unprocessableContent, nil),
            ]
            for (body, status, code) in cases {
                let reply = try await client.call(.post, "/api/v1/conversations", token: token, json: body)
                #expect(reply.status == status, "\(body): \(reply.text)")
                if let code { #expect(reply.errorCode == code, "\(body): \(reply.text)") }
                #expect(reply.errorCode != nil)
            }
            #expect(try await services.storage.conversations(of: MemberID(cast.ids["Ann"]!), before: nil, limit: 10).isEmpty)
            let started = try await Self.start(client, cast, "Ann", to: ["Ben", "Cat"], "三人で")
            #expect(started.status == .created)
            #expect(started.json["kind"] as? String == "group")
            let id = started.json["id"] as? String ?? ""
            for (path, body, status) in [
                ("/api/v1/conversations/\(id)/messages", ["text": ""] as [String: Any], HTTPResponse.Status.unprocessableContent),
                ("/api/v1/conversations/\(id)/messages", ["text": String(repeating: "x", count: 8_001)], .unprocessableContent),
                ("/api/v1/conversations/\(id)/read", ["upTo": "garbage"], .unprocessableContent),
                ("/api/v1/conversations/\(id)/read", ["upTo": OpaqueID.make(at: Date())], .unprocessableContent),
                ("/api/v1/conversations/not-an-id/messages", ["text": "hi"], .notFound),
            ] {
                let reply = try await client.call(.post, path, token: token, json: body)
                #expect(reply.status == status, "\(path) \(body): \(reply.text)")
            }
            #expect(try await client.call(.get, "/api/v1/conversations?cursor=%01", token: token).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/conversations/\(id)/messages?limit=0", token: token).status == .badRequest)
            let kept = try await client.call(.get, "/api/v1/conversations/\(id)/messages", token: token)
            #expect((kept.json["items"] as? [Any])?.count == 1)
        }
    }

    @Test func aBlockEndsADirectConversationForBoth() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            let id = try await Self.start(client, cast, "Ann", to: ["Ben"]).json["id"] as? String ?? ""
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            for writer in ["Ann", "Ben"] {
                let reply = try await client.call(.post, "/api/v1/conversations/\(id)/messages", token: cast.tokens[writer], json: ["text": "まだ？"])
                #expect(reply.status == .forbidden, "\(writer): \(reply.text)")
                #expect(reply.errorCode == "blocked")
            }
            // Neither can start one again: the other is not there for them.
            #expect(try await Self.start(client, cast, "Ann", to: ["Ben"]).status == .notFound)
            #expect(try await Self.start(client, cast, "Ben", to: ["Ann"]).status == .notFound)
            // The history stays, the other shown as unavailable.
            let conversation = try await client.call(.get, "/api/v1/conversations/\(id)", token: cast.tokens["Ann"])
            let other = (conversation.json["participants"] as? [[String: Any]])?.last
            #expect(other?["unavailable"] as? Bool == true)
            #expect(other?["name"] as? String != "Ben")
        }
    }

    @Test func inAGroupABlockedMembersMessagesAreNotShown() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ann", "Cat")
            let id = try await Self.start(client, cast, "Ann", to: ["Ben", "Cat"], "三人で話しましょう").json["id"] as? String ?? ""
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Cat"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            let fromCat = try await client.call(.post, "/api/v1/conversations/\(id)/messages", token: cast.tokens["Cat"], json: ["text": "Cat です"])
            #expect(fromCat.status == .created)
            func texts(_ member: String) async throws -> [String] {
                let reply = try await client.call(.get, "/api/v1/conversations/\(id)/messages", token: cast.tokens[member])
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            }
            #expect(try await texts("Ann") == ["Cat です", "三人で話しましょう"])
            #expect(try await texts("Ben") == ["三人で話しましょう"])
            let benList = try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Ben"])
            let last = (benList.json["items"] as? [[String: Any]])?.first?["lastMessage"] as? [String: Any]
            #expect(last?["text"] as? String == "三人で話しましょう")
            let annList = try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Ann"])
            #expect(((annList.json["items"] as? [[String: Any]])?.first?["lastMessage"] as? [String: Any])?["text"] as? String == "Cat です")
            // Cat shows to Ben as unavailable among the participants.
            let seen = try await client.call(.get, "/api/v1/conversations/\(id)", token: cast.tokens["Ben"])
            let cat = (seen.json["participants"] as? [[String: Any]])?.first { $0["id"] as? String == cast.ids["Cat"] }
            #expect(cat?["unavailable"] as? Bool == true)
        }
    }

    @Test func aRemovedConnectionLeavesTheConversationWorking() async throws {
        // A removal is silent: a conversation that stopped working would tell.
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            let id = try await Self.start(client, cast, "Ann", to: ["Ben"]).json["id"] as? String ?? ""
            #expect(try await client.call(.delete, "/api/v1/connections/\(cast.ids["Ben"]!)", token: cast.tokens["Ann"]).status == .noContent)
            let reply = try await client.call(.post, "/api/v1/conversations/\(id)/messages", token: cast.tokens["Ben"], json: ["text": "先日はどうも"])
            #expect(reply.status == .created)
            let restart = try await Self.start(client, cast, "Ben", to: ["Ann"], "もう一度")
            #expect(restart.status == .ok)
            #expect(restart.json["id"] as? String == id)
        }
    }

    @Test func recruitersWriteWithinTheirAllowanceAndARefundComesWithAReply() async throws {
        var limits = MessagingLimits.relaxed
        limits.recruiterAllowance = 2
        try await withApp(messagingLimits: limits) { client, services in
            let cast = try await Cast.make(client, ["Rie", "Ann", "Ben", "Cat", "Dan"])
            try await services.storage.setRole(.recruiter, for: MemberID(cast.ids["Rie"]!))
            let before = try await client.call(.get, "/api/v1/me/allowance", token: cast.tokens["Rie"])
            #expect(before.json["monthly"] as? Int == 2)
            #expect(before.json["remaining"] as? Int == 2)
            #expect(try await client.call(.get, "/api/v1/me/allowance", token: cast.tokens["Ann"]).status == .forbidden)
            // A member who is not a recruiter cannot write to a stranger.
            #expect(try await Self.start(client, cast, "Ann", to: ["Ben"]).errorCode == "not_connected")
            // Only one stranger at a time.
            #expect(try await Self.start(client, cast, "Rie", to: ["Ann", "Ben"]).errorCode == "not_connected")

            let toAnn = try await Self.start(client, cast, "Rie", to: ["Ann"], "面談のご相談")
            #expect(toAnn.status == .created)
            #expect(toAnn.json["kind"] as? String == "recruiter")
            // Writing again to Ann goes on in the same conversation and costs nothing.
            #expect(try await Self.start(client, cast, "Rie", to: ["Ann"], "追伸").status == .ok)
            #expect(try await Self.start(client, cast, "Rie", to: ["Ben"]).status == .created)
            #expect(try await client.call(.get, "/api/v1/me/allowance", token: cast.tokens["Rie"]).json["remaining"] as? Int == 0)
            let spent = try await Self.start(client, cast, "Rie", to: ["Cat"])
            #expect(spent.status == .tooManyRequests)
            #expect(spent.errorCode == "allowance_used")
            #expect(Int(spent.header("Retry-After") ?? "") ?? 0 > 0)

            // Ann answers: the credit comes back, once.
            let id = toAnn.json["id"] as? String ?? ""
            for _ in 0..<2 {
                let answer = try await client.call(.post, "/api/v1/conversations/\(id)/messages", token: cast.tokens["Ann"], json: ["text": "興味があります"])
                #expect(answer.status == .created)
            }
            #expect(try await client.call(.get, "/api/v1/me/allowance", token: cast.tokens["Rie"]).json["remaining"] as? Int == 1)

            // Dan turned recruiter messages off.
            let off = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Dan"], json: ["recruiterMessages": false])
            #expect(off.json["recruiterMessages"] as? Bool == false)
            let closed = try await Self.start(client, cast, "Rie", to: ["Dan"])
            #expect(closed.status == .forbidden)
            #expect(closed.errorCode == "messages_closed")
            #expect(try await client.call(.get, "/api/v1/me/allowance", token: cast.tokens["Rie"]).json["remaining"] as? Int == 1)
            #expect(try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Dan"]).json["unread"] as? Int == 0)
            // The one credit left still opens a conversation.
            #expect(try await Self.start(client, cast, "Rie", to: ["Cat"]).status == .created)
        }
    }

    @Test func startingManyConversationsIsLimited() async throws {
        var limits = MessagingLimits.relaxed
        limits.conversationsPerDay = 2
        try await withApp(messagingLimits: limits) { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan"])
            for other in ["Ben", "Cat", "Dan"] { try await cast.connect(client, "Ann", other) }
            let statuses = try await statusesInParallel(3) { index in
                try await Self.start(client, cast, "Ann", to: [["Ben", "Cat", "Dan"][index]]).status
            }
            #expect(statuses.filter { $0 == .created }.count == 2)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 1)
        }
    }

    @Test func aForwardedIntroductionOpensAConversationOfTheThree() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cat")
            let asked = try await client.call(
                .post, "/api/v1/introductions", token: cast.tokens["Ann"],
                json: ["targetId": cast.ids["Cat"]!, "viaId": cast.ids["Ben"]!, "message": "Cat さんをご紹介いただけますか"])
            #expect(asked.status == .created)
            let id = asked.json["id"] as? String ?? ""
            let benNotices = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ben"])
            let requested = (benNotices.json["items"] as? [[String: Any]])?.first { $0["kind"] as? String == "introductionRequested" }
            #expect((requested?["actor"] as? [String: Any])?["name"] as? String == "Ann")
            #expect((requested?["introduction"] as? [String: Any])?["id"] as? String == id)

            let forwarded = try await client.call(
                .post, "/api/v1/introductions/\(id)/forward", token: cast.tokens["Ben"], json: ["note": "Ann さんは元同僚です"])
            #expect(forwarded.status == .ok || forwarded.status == .noContent, "\(forwarded.text)")
            let introductions = try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Ann"])
            let conversationID = (introductions.json["items"] as? [[String: Any]])?.first?["conversationId"] as? String ?? ""
            #expect(!conversationID.isEmpty)

            let seenByCat = try await client.call(.get, "/api/v1/conversations/\(conversationID)/messages", token: cast.tokens["Cat"])
            #expect((seenByCat.json["items"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Ann さんは元同僚です", "Cat さんをご紹介いただけますか"])
            let conversation = try await client.call(.get, "/api/v1/conversations/\(conversationID)", token: cast.tokens["Cat"])
            #expect(conversation.json["kind"] as? String == "introduction")
            #expect(conversation.json["unreadCount"] as? Int == 2)
            for member in ["Ann", "Cat"] {
                let notices = try await client.call(.get, "/api/v1/notifications", token: cast.tokens[member])
                let notice = (notices.json["items"] as? [[String: Any]])?.first { $0["kind"] as? String == "introductionForwarded" }
                #expect(notice?["conversationId"] as? String == conversationID, "\(member): \(notices.text)")
                #expect((notice?["actor"] as? [String: Any])?["name"] as? String == "Ben")
            }
            // Cat answers in it; Ann reads the answer.
            let reply = try await client.call(.post, "/api/v1/conversations/\(conversationID)/messages", token: cast.tokens["Cat"], json: ["text": "はじめまして"])
            #expect(reply.status == .created)
            #expect(try await client.call(.get, "/api/v1/conversations", token: cast.tokens["Ann"]).json["unread"] as? Int == 1)
        }
    }

    @Test func exportHoldsConversationsAndADeletedSenderIsShownAsSuch() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            let id = try await Self.start(client, cast, "Ann", to: ["Ben"], "記録に残る").json["id"] as? String ?? ""
            _ = try await client.call(.post, "/api/v1/conversations/\(id)/messages", token: cast.tokens["Ben"], json: ["text": "返信"])
            let export = try await client.call(.get, "/api/v1/me/export", token: cast.tokens["Ben"])
            let conversations = export.json["conversations"] as? [[String: Any]] ?? []
            #expect(conversations.count == 1)
            #expect((conversations.first?["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["記録に残る", "返信"])

            let deleted = try await client.call(.delete, "/api/v1/me", token: cast.tokens["Ann"], json: ["password": "correct horse battery"])
            #expect(deleted.status == .noContent)
            let messages = try await client.call(.get, "/api/v1/conversations/\(id)/messages", token: cast.tokens["Ben"])
            let first = (messages.json["items"] as? [[String: Any]])?.last
            #expect(first?["text"] as? String == "記録に残る")
            #expect((first?["sender"] as? [String: Any])?["deleted"] as? Bool == true)
            #expect((first?["sender"] as? [String: Any])?["name"] as? String != "Ann")
            let ended = try await client.call(.post, "/api/v1/conversations/\(id)/messages", token: cast.tokens["Ben"], json: ["text": "もしもし"])
            #expect(ended.status == .conflict)
            #expect(ended.errorCode == "conversation_ended")
        }
    }
}

/// Who is told what, and who never is.
@Suite struct NotificationRulesTests {
    static func kinds(_ client: any TestClientProtocol, _ token: String?) async throws -> [String] {
        let reply = try await client.call(.get, "/api/v1/notifications", token: token)
        return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    @Test func invitationsAndAcceptancesAreToldSilentActsAreNot() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan"])
            try await cast.connect(client, "Ann", "Ben")
            #expect(try await Self.kinds(client, cast.tokens["Ben"]) == ["invitationReceived"])
            #expect(try await Self.kinds(client, cast.tokens["Ann"]) == ["invitationAccepted"])

            // Ignored, withdrawn, removed, unfollowed, blocked: no one hears of it.
            let toCat = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Cat"]!])
            _ = try await client.call(.post, "/api/v1/invitations/\(toCat.json["id"] as? String ?? "")/ignore", token: cast.tokens["Cat"])
            let toDan = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Dan"]!])
            _ = try await client.call(.delete, "/api/v1/invitations/\(toDan.json["id"] as? String ?? "")", token: cast.tokens["Ann"])
            _ = try await client.call(.delete, "/api/v1/members/\(cast.ids["Ben"]!)/follow", token: cast.tokens["Ann"])
            _ = try await client.call(.delete, "/api/v1/connections/\(cast.ids["Ben"]!)", token: cast.tokens["Ann"])
            _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Dan"])
            #expect(try await Self.kinds(client, cast.tokens["Ann"]) == ["invitationAccepted"])
            #expect(try await Self.kinds(client, cast.tokens["Ben"]) == ["invitationReceived"])
            // Cat ignored hers: the invitation no longer asks anything of her.
            #expect(try await Self.kinds(client, cast.tokens["Cat"]).isEmpty)
            // Dan's invitation was withdrawn: gone from his notifications, and he blocked Ann anyway.
            #expect(try await Self.kinds(client, cast.tokens["Dan"]).isEmpty)
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Dan"]).json["unread"] as? Int == 0)
        }
    }

    @Test func aBlockHidesWhatTheOtherDidAndADeclineTellsNoOne() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cat")
            #expect(try await Self.kinds(client, cast.tokens["Ann"]) == ["invitationAccepted"])
            // Ben blocks Ann: Ann no longer sees that Ben accepted.
            _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Ben"])
            #expect(try await Self.kinds(client, cast.tokens["Ann"]).isEmpty)
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ann"]).json["unread"] as? Int == 0)

            // Cat asks Ben about Ann... Ben declines: no one is told, and Cat still sees it pending.
            try await cast.connect(client, "Cat", "Ann")
            let before = try await Self.kinds(client, cast.tokens["Cat"])
            let cast2 = try await Cast.make(client, ["Dan"])
            var all = cast
            all.tokens["Dan"] = cast2.tokens["Dan"]
            all.ids["Dan"] = cast2.ids["Dan"]
            try await all.connect(client, "Ben", "Dan")
            let asked = try await client.call(
                .post, "/api/v1/introductions", token: cast.tokens["Cat"], json: ["targetId": all.ids["Dan"]!, "viaId": cast.ids["Ben"]!, "message": "お願い"])
            let id = asked.json["id"] as? String ?? ""
            #expect(try await client.call(.post, "/api/v1/introductions/\(id)/decline", token: cast.tokens["Ben"]).status.code < 300)
            #expect(try await Self.kinds(client, cast.tokens["Cat"]) == before)
            #expect(try await Self.kinds(client, all.tokens["Dan"]) == ["invitationReceived"])
            let seen = try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Cat"])
            #expect((seen.json["items"] as? [[String: Any]])?.first?["status"] as? String == "pending")
            // The declined request no longer shows to Ben as something to answer.
            let benKinds = try await Self.kinds(client, cast.tokens["Ben"])
            #expect(benKinds.filter { $0 == "introductionRequested" }.count == 1)
        }
    }

    @Test func readingUpToAnIdClearsTheCount() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ben", "Ann")
            try await cast.connect(client, "Cat", "Ann")
            let list = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ann"])
            #expect(list.json["unread"] as? Int == 2)
            let items = list.json["items"] as? [[String: Any]] ?? []
            let oldest = items.last?["id"] as? String ?? ""
            #expect(try await client.call(.post, "/api/v1/notifications/read", token: cast.tokens["Ann"], json: ["upTo": oldest]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ann"]).json["unread"] as? Int == 1)
            #expect(try await client.call(.post, "/api/v1/notifications/read", token: cast.tokens["Ann"], json: ["upTo": "x"]).status == .unprocessableContent)
            #expect(try await client.call(.post, "/api/v1/notifications/read", token: cast.tokens["Ann"], json: [:]).status.code / 100 == 4)
        }
    }
}
