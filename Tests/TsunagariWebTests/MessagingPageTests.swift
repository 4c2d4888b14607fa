import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// The Messaging and notifications pages, as a browser without JavaScript uses them.
@Suite struct MessagingPageTests {
    static func conversationID(_ location: String?) -> String {
        String((location ?? "").dropFirst("/messages/".count).prefix(26))
    }

    @Test func aConversationByFormsFromProfileToReply() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Eve"])
            try await cast.connect(client, "Ann", "Ben")
            let ann = try await Browser.logIn(client, "Ann")
            let profile = try await ann.get("/in/\(cast.handles["Ben"]!)")
            #expect(profile.text.contains("id=\"message-button\""))
            #expect(profile.text.contains("/messages/new?to=\(cast.ids["Ben"]!)"))
            // No Message button for a stranger who is not a connection.
            #expect(!(try await ann.get("/in/\(cast.handles["Eve"]!)")).text.contains("id=\"message-button\""))

            let form = try await ann.get("/messages/new?to=\(cast.ids["Ben"]!)")
            #expect(form.status == .ok)
            #expect(form.text.contains("id=\"new-message\""))
            let empty = try await ann.post("/messages", ["to": cast.ids["Ben"]!, "text": "  "])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("role=\"alert\""))
            let sent = try await ann.post("/messages", ["to": cast.ids["Ben"]!, "text": "<script>alert(1)</script> よろしく"])
            #expect(sent.status == .seeOther)
            let id = Self.conversationID(sent.header("Location"))
            #expect(OpaqueID.isWellFormed(id))
            // Asking to write to Ben again goes to the same conversation.
            #expect(try await ann.get("/messages/new?to=\(cast.ids["Ben"]!)").header("Location") == "/messages/\(id)#composer")

            let ben = try await Browser.logIn(client, "Ben", language: "ja")
            let home = try await ben.get("/messages")
            #expect(home.text.contains("id=\"message-count\">1<"))
            #expect(home.text.contains("conversation-item unread"))
            #expect(home.text.contains("メッセージ"))
            let page = try await ben.get("/messages/\(id)")
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; よろしく"))
            #expect(!page.text.contains("<script>alert(1)"))
            #expect(page.text.contains("id=\"composer\""))
            #expect(page.text.contains("data-events=\"/events\""))
            // Seen: read.
            #expect(try await ben.get("/messages").text.contains("id=\"message-count\" hidden"))
            let reply = try await ben.post("/messages/\(id)", ["text": "こちらこそ"])
            #expect(reply.status == .seeOther)
            #expect(try await ann.get("/messages/\(id)").text.contains("こちらこそ"))
            let tooLong = try await ben.post("/messages/\(id)", ["text": String(repeating: "あ", count: 8_001)])
            #expect(tooLong.status == .unprocessableContent)

            // Eve sees none of it.
            let eve = try await Browser.logIn(client, "Eve")
            #expect(try await eve.get("/messages/\(id)").status == .notFound)
            #expect(try await eve.post("/messages/\(id)", ["text": "やあ"]).status == .notFound)
            #expect(try await eve.get("/messages/new?to=\(cast.ids["Ben"]!)").status == .ok)
            #expect(try await eve.post("/messages", ["to": cast.ids["Ben"]!, "text": "はじめまして"]).status == .forbidden)
            #expect(!(try await eve.get("/messages")).text.contains(id))
            // Without the CSRF token nothing is sent.
            #expect(try await ann.post("/messages/\(id)", ["text": "偽物"], csrf: false).status == .forbidden)
        }
    }

    @Test func notificationsReadAsSentencesInBothLanguages() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cat")
            _ = try await client.call(
                .post, "/api/v1/introductions", token: cast.tokens["Ann"],
                json: ["targetId": cast.ids["Cat"]!, "viaId": cast.ids["Ben"]!, "message": "ご紹介ください"])
            let en = try await Browser.logIn(client, "Ben", language: "en")
            let page = try await en.get("/notifications")
            #expect(page.text.contains("invited you to connect"))
            #expect(page.text.contains("accepted your invitation"))
            #expect(page.text.contains("asks you for an introduction"))
            #expect(page.text.contains("id=\"unread-count\">3<"))
            let ja = try await Browser.logIn(client, "Ben", language: "ja")
            let japanese = try await ja.get("/notifications")
            #expect(japanese.text.contains("さんから紹介の依頼が届きました"))
            #expect(japanese.text.contains("さんがつながりリクエストを承認しました"))

            // Forwarded: the introductions page and the notification lead to the conversation.
            let introductions = try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Ben"])
            let introduction = (introductions.json["items"] as? [[String: Any]])?.first?["id"] as? String ?? ""
            #expect(try await en.post("/introductions/\(introduction)/forward", ["note": "どうぞ"]).status == .seeOther)
            let cat = try await Browser.logIn(client, "Cat")
            let catNotices = try await cat.get("/notifications")
            #expect(catNotices.text.contains("forwarded an introduction"))
            let link = catNotices.text.range(of: #"href="/messages/[0-9a-z]{26}""#, options: .regularExpression).map { String(catNotices.text[$0]) }
            #expect(link != nil)
            let catIntroductions = try await cat.get("/introductions")
            #expect(catIntroductions.text.contains("id=\"conversation-\(introduction)\""))
            let id = String(link?.dropFirst("href=\"/messages/".count).prefix(26) ?? "")
            let conversation = try await cat.get("/messages/\(id)")
            #expect(conversation.status == .ok)
            #expect(conversation.text.contains("ご紹介ください"))
            #expect(conversation.text.contains("どうぞ"))
        }
    }

    @Test func recruiterMessagesCanBeTurnedOffInSettings() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Rie", "Ann"])
            try await services.storage.setRole(.recruiter, for: MemberID(cast.ids["Rie"]!))
            let rie = try await Browser.logIn(client, "Rie")
            #expect(try await rie.get("/in/\(cast.handles["Ann"]!)").text.contains("id=\"message-button\""))
            let ann = try await Browser.logIn(client, "Ann")
            let settings = try await ann.get("/settings")
            #expect(settings.text.contains("name=\"recruiterMessages\" value=\"on\" checked"))
            let saved = try await ann.post(
                "/settings", ["recruiterMessagesField": "1", "profileVisibility": "members", "connectionsVisibility": "connections"])
            #expect(saved.status == .seeOther)
            #expect(try await services.storage.profile(id: MemberID(cast.ids["Ann"]!))?.settings.recruiterMessages == false)
            #expect(!(try await rie.get("/in/\(cast.handles["Ann"]!)")).text.contains("id=\"message-button\""))
            let refused = try await rie.post("/messages", ["to": cast.ids["Ann"]!, "text": "ご相談"])
            #expect(refused.status == .forbidden)
        }
    }
}
