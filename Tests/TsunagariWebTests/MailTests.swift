import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import TsunagariCore
import TsunagariMail
@testable import TsunagariWeb

/// Keeps what would have been sent; fails as told.
final class RecordingTransport: MailTransport, @unchecked Sendable {
    private let state = Mutex<(sent: [MailMessage], failWith: SMTPError?)>(([], nil))
    var sent: [MailMessage] { state.withLock { $0.sent } }
    func fail(with error: SMTPError?) { state.withLock { $0.failWith = error } }

    func send(_ message: MailMessage) async throws(SMTPError) {
        let failure = state.withLock { $0.failWith }
        if let failure { throw failure }
        // What the SMTP client would refuse (header injection, bad addresses, a bad Message-ID) fails here too.
        try message.validate()
        _ = try message.rendered()
        state.withLock { $0.sent.append(message) }
    }

    /// The token of the last link to `path` mailed to `address`.
    func token(to address: String, path: String) -> String? {
        guard let message = sent.last(where: { $0.to.contains { $0.address == address } }),
            let range = message.textBody.range(of: "https://tsunagari.test\(path)?token=")
        else { return nil }
        return String(message.textBody[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}

/// Outgoing mail wired into the site: verification at sign-up (search shows a member once verified), password reset by
/// a one-time link that ends every session, the daily digest, and delivery with retries — with the SMTP server replaced
/// by a recorder (the SMTP client itself is tested against a real server in TsunagariMailTests and the e2e suite).
@Suite struct MailTests {
    static let settings = AppConfiguration.MailSettings(host: "127.0.0.1", from: "no-reply@tsunagari.test")
    static let logger = Logger(label: "mail-test")

    static func deliver(_ services: AppServices, _ transport: RecordingTransport, at now: Date = Date()) async throws -> (sent: Int, failed: Int) {
        try await MailDelivery.deliverDue(
            storage: services.storage, transport: transport, from: MailAddress("no-reply@tsunagari.test"), now: now, logger: logger)
    }

    @Test func aNewMemberIsSearchableOnceTheyOpenTheLinkMailedToThem() async throws {
        let transport = RecordingTransport()
        try await withApp(mail: Self.settings, mailTransport: transport) { client, services in
            let (searcher, _, _) = try await client.signUp("Searcher", email: "searcher@example.test")
            let (token, id, _) = try await client.signUp("Verinda Newcomer", email: "verinda@example.test")
            #expect(try await Self.deliver(services, transport).sent == 2)
            let mail = try #require(transport.sent.last)
            #expect(mail.subject.contains("Confirm") && mail.htmlBody?.contains("verify-email?token=") == true)
            let search = { try await client.call(.get, "/api/v1/search/people?q=Verinda", token: searcher).text.contains(id) }
            #expect(try await !search())
            let settings = try await client.call(.get, "/api/v1/me/mail-settings", token: token)
            #expect(settings.json["emailVerified"] as? Bool == false && settings.json["mailEnabled"] as? Bool == true)

            #expect(try await client.call(.post, "/api/v1/email-verifications/confirm", json: ["token": "not-a-token-we-sent-at-all"]).status == .notFound)
            let link = try #require(transport.token(to: "verinda@example.test", path: "/verify-email"))
            #expect(try await client.call(.post, "/api/v1/email-verifications/confirm", json: ["token": link]).status == .noContent)
            #expect(try await search())
            // Once only.
            #expect(try await client.call(.post, "/api/v1/email-verifications/confirm", json: ["token": link]).errorCode == "bad_token")
            #expect(try await client.call(.post, "/api/v1/email-verifications", token: token).errorCode == "already_verified")
        }
    }

    @Test func aResetLinkSetsANewPasswordOnceWithinTheHourAndEndsEverySession() async throws {
        let transport = RecordingTransport()
        try await withApp(mail: Self.settings, mailTransport: transport) { client, services in
            let (token, _, _) = try await client.signUp("Forgetful", email: "forgetful@example.test")
            let browser = try await Browser.logIn(client, "Forgetful")
            // The same answer for an address with no account; only the real one gets mail.
            for email in ["forgetful@example.test", "nobody@example.test"] {
                let asked = try await client.call(.post, "/api/v1/password-resets", json: ["email": email])
                #expect(asked.status == .accepted)
            }
            _ = try await Self.deliver(services, transport)
            #expect(!transport.sent.contains { $0.to.contains { $0.address == "nobody@example.test" } })
            let link = try #require(transport.token(to: "forgetful@example.test", path: "/reset-password"))

            // A weak password is refused without using the link up.
            let weak = try await client.call(.post, "/api/v1/password-resets/confirm", json: ["token": link, "password": "short"])
            #expect(weak.status == .unprocessableContent && weak.errorCode != "bad_token")
            let page = try await Browser(client).post("/reset-password", ["token": link, "password": "a brand new passphrase"])
            #expect(page.status == .ok && page.text.contains("reset-done"))
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await browser.get("/settings").status != .ok)
            let old = try await client.call(.post, "/api/v1/sessions", json: ["email": "forgetful@example.test", "password": "correct horse battery"])
            #expect(old.status == .unauthorized)
            let new = try await client.call(.post, "/api/v1/sessions", json: ["email": "forgetful@example.test", "password": "a brand new passphrase"])
            #expect(new.status == .ok)
            let again = try await client.call(.post, "/api/v1/password-resets/confirm", json: ["token": link, "password": "yet another passphrase"])
            #expect(again.errorCode == "bad_token")
        }
    }

    @Test func deliveryRetriesTemporaryFailuresAndKeepsPermanentOnes() async throws {
        let transport = RecordingTransport()
        try await withApp(mail: Self.settings, mailTransport: transport) { client, services in
            transport.fail(with: .connectionFailed("refused"))
            // Sign-up works with the server unreachable; the mail waits in the queue.
            let (_, id, _) = try await client.signUp("Patient", email: "patient@example.test")
            let now = Date()
            #expect(try await Self.deliver(services, transport, at: now).failed == 1)
            let queued = try #require(try await services.storage.recentMail(limit: 1).first)
            #expect(queued.status == .queued && queued.attempts == 1 && queued.member?.rawValue == id)
            #expect(queued.nextAttemptAt > now.addingTimeInterval(50))
            // Not due yet; due a minute later, and then it goes.
            #expect(try await Self.deliver(services, transport, at: now).sent == 0)
            transport.fail(with: nil)
            #expect(try await Self.deliver(services, transport, at: now.addingTimeInterval(61)).sent == 1)
            #expect(try await services.storage.mail(id: queued.id)?.status == .sent)

            // A refused recipient is not tried again.
            transport.fail(with: .rejected(code: 550, reply: "no such user", permanent: true))
            _ = try await client.signUp("Bouncing", email: "bouncing@example.test")
            #expect(try await Self.deliver(services, transport).failed == 1)
            let bounced = try #require(try await services.storage.recentMail(limit: 1).first)
            #expect(bounced.status == .failed && bounced.lastError.contains("550"))
            #expect(try await services.storage.mailQueueCounts() == MailQueueCounts(queued: 0, sent: 1, failed: 1))
        }
    }

    @Test func theDailyDigestGoesToThoseWhoAskedAndHaveSomethingUnread() async throws {
        let transport = RecordingTransport()
        try await withApp(mail: Self.settings, mailTransport: transport) { client, services in
            let cast = try await Cast.make(client, ["Digester", "Quiet", "Sender"])
            for name in ["Digester", "Quiet"] {
                let saved = try await client.call(.put, "/api/v1/me/mail-settings", token: cast.tokens[name], json: ["dailyDigest": true])
                #expect(saved.json["dailyDigest"] as? Bool == true)
            }
            let wrongType = try await client.call(.put, "/api/v1/me/mail-settings", token: cast.tokens["Quiet"], json: ["dailyDigest": "yes"])
            #expect((400..<500).contains(wrongType.status.code) && wrongType.errorCode != nil)
            // Digester has an invitation waiting (a notification); Quiet has nothing unread.
            _ = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Sender"], json: ["inviteeId": cast.ids["Digester"]!])
            // Verification mails for the three sign-ups are in the queue too; addresses are verified for the digest.
            for name in ["Digester", "Quiet"] { _ = try await services.storage.setEmailVerified(MemberID(cast.ids[name]!), email: "\(name.lowercased())@example.test") }
            #expect(try await services.mail.queueDigests() == 1)
            #expect(try await services.mail.queueDigests() == 0)  // once a day
            _ = try await Self.deliver(services, transport)
            let digest = try #require(transport.sent.first { $0.subject.contains("unread") })
            #expect(digest.to.map(\.address) == ["digester@example.test"])
            #expect(digest.textBody.contains("Unread notifications: 1") && digest.textBody.contains("https://tsunagari.test/notifications"))
        }
    }

    @Test func withMailOffThePagesSaySoAndNothingIsQueued() async throws {
        try await withApp { client, services in
            let (token, id, _) = try await client.signUp("Offline", email: "offline@example.test")
            #expect(try await services.storage.account(id: MemberID(id))?.emailVerified == true)
            #expect(try await client.call(.post, "/api/v1/password-resets", json: ["email": "offline@example.test"]).errorCode == "mail_off")
            #expect(try await client.call(.post, "/api/v1/email-verifications", token: token).errorCode == "mail_off")
            let page = try await Browser(client).get("/forgot-password")
            #expect(page.status == .ok && page.text.contains("mail-off"))
            let login = try await Browser(client).get("/login")
            #expect(login.text.contains("forgot-password"))
            #expect(try await services.storage.recentMail(limit: 5).isEmpty)
        }
    }
}
