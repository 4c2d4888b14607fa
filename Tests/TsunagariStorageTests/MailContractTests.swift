import Foundation
import Testing
import TsunagariCore

/// The outgoing mail queue and one-time links, on SQLite and PostgreSQL alike.
@Suite("Mail storage contract", .postgresTemplate)
struct MailContractTests {
    static func mail(_ n: Int, to member: MemberID?, at seconds: Int) -> QueuedMail {
        QueuedMail(
            id: "mail-\(n)", kind: .verifyEmail, member: member, recipient: "m\(n)@example.test", subject: "件名 \(n)", textBody: "本文",
            htmlBody: n % 2 == 0 ? "<p>本文</p>" : nil, createdAt: Make.at(seconds))
    }

    @Test("Due mail is claimed by one caller at a time, retried when told, and kept as sent or failed", arguments: StorageKind.tested)
    func queue(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            guard let m = store.storage as? any MailStore else { Issue.record("\(kind) has no MailStore"); return }
            let ids = try await makeMembers(store.storage, 1)
            for n in 0..<3 { try await m.enqueueMail(Self.mail(n, to: n == 0 ? ids[0] : nil, at: n)) }
            #expect(try await m.mail(id: "mail-0")?.htmlBody == "<p>本文</p>")
            #expect(try await m.mail(id: "mail-1")?.htmlBody == nil)

            // Two claims at the same moment share nothing.
            async let first = m.claimDueMail(now: Make.at(10), until: Make.at(130), limit: 2)
            async let second = m.claimDueMail(now: Make.at(10), until: Make.at(130), limit: 2)
            let (a, b) = try await (first, second)
            #expect(a.count + b.count == 3 && Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
            #expect(try await m.claimDueMail(now: Make.at(20), until: Make.at(140), limit: 10).isEmpty)

            try await m.markMailSent(id: "mail-0", at: Make.at(11))
            try await m.markMailFailed(id: "mail-1", error: "connection refused", retryAt: Make.at(70))
            try await m.markMailFailed(id: "mail-2", error: "550 no such user", retryAt: nil)
            #expect(try await m.mailQueueCounts() == MailQueueCounts(queued: 1, sent: 1, failed: 1))
            let retried = try #require(try await m.mail(id: "mail-1"))
            #expect(retried.attempts == 1 && retried.status == .queued && retried.nextAttemptAt == Make.at(70) && retried.lastError == "connection refused")
            // Not before its time; then again (the earlier claim is released by the outcome).
            #expect(try await m.claimDueMail(now: Make.at(60), until: Make.at(180), limit: 10).isEmpty)
            #expect(try await m.claimDueMail(now: Make.at(70), until: Make.at(190), limit: 10).map(\.id) == ["mail-1"])
            #expect(try await m.recentMail(limit: 2).map(\.id) == ["mail-2", "mail-1"])
        }
    }

    @Test("A link works once, before it expires, for its purpose, and ends the member's other links", arguments: StorageKind.tested)
    func tokens(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            guard let m = store.storage as? any MailStore else { Issue.record("\(kind) has no MailStore"); return }
            let ids = try await makeMembers(store.storage, 1)
            let account = try #require(try await store.storage.account(id: ids[0]))
            func token(_ hash: String, _ purpose: EmailToken.Purpose, expires: Int) -> EmailToken {
                EmailToken(tokenHash: hash, member: ids[0], purpose: purpose, email: account.email, createdAt: Make.at(0), expiresAt: Make.at(expires))
            }
            try await m.createEmailToken(token("reset-1", .passwordReset, expires: 3_600))
            try await m.createEmailToken(token("reset-2", .passwordReset, expires: 3_600))
            try await m.createEmailToken(token("verify-1", .verifyEmail, expires: 60))
            #expect(try await m.emailTokenOwner(hash: "reset-1") == ids[0])
            #expect(try await m.useEmailToken(hash: "reset-1", purpose: .verifyEmail, at: Make.at(1)) == nil)
            #expect(try await m.useEmailToken(hash: "verify-1", purpose: .verifyEmail, at: Make.at(61)) == nil)  // expired
            // Two requests with the same link: one wins.
            async let x = m.useEmailToken(hash: "reset-1", purpose: .passwordReset, at: Make.at(2))
            async let y = m.useEmailToken(hash: "reset-1", purpose: .passwordReset, at: Make.at(2))
            let (first, second) = try await (x, y)
            #expect([first, second].compactMap { $0 }.map(\.member) == [ids[0]])
            // The other reset link of the member ended with it.
            #expect(try await m.useEmailToken(hash: "reset-2", purpose: .passwordReset, at: Make.at(3)) == nil)

            try await m.setDailyDigest(ids[0], true)
            #expect(try await m.dailyDigest(of: ids[0]))
            #expect(try await m.digestDue(before: Make.at(100), limit: 10) == [ids[0]])
            try await m.markDigestSent(ids[0], at: Make.at(100))
            #expect(try await m.digestDue(before: Make.at(100), limit: 10).isEmpty)
            #expect(try await m.setEmailVerified(ids[0], email: account.email))
            #expect(try await !m.setEmailVerified(ids[0], email: "someone-else@example.test"))
        }
    }
}
