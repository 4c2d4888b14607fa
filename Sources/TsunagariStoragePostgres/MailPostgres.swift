import Foundation
import PostgresNIO
import TsunagariCore

extension PostgresStorage: MailStore {
    public func enqueueMail(_ mail: QueuedMail) async throws {
        _ = try await rows(
            """
            INSERT INTO mail_queue (id, kind, member_id, recipient, subject, text_body, html_body, created_at, next_attempt_at, attempts, status,
              last_error)
            VALUES (\(mail.id), \(mail.kind.rawValue), \(mail.member?.rawValue), \(mail.recipient), \(mail.subject), \(mail.textBody),
              \(mail.htmlBody), \(StoredTime.millis(mail.createdAt)), \(StoredTime.millis(mail.nextAttemptAt)), \(mail.attempts),
              \(mail.status.rawValue), \(mail.lastError))
            """)
    }

    static func queuedMail(_ row: PostgresRandomAccessRow) throws -> QueuedMail {
        QueuedMail(
            id: try row["id"].decode(String.self), kind: MailKind(rawValue: try row["kind"].decode(String.self)) ?? .verifyEmail,
            member: try row["member_id"].decode(String?.self).map(MemberID.init), recipient: try row["recipient"].decode(String.self),
            subject: try row["subject"].decode(String.self), textBody: try row["text_body"].decode(String.self),
            htmlBody: try row["html_body"].decode(String?.self), createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            nextAttemptAt: StoredTime.date(try row["next_attempt_at"].decode(Int64.self)), attempts: try row["attempts"].decode(Int.self),
            status: QueuedMail.Status(rawValue: try row["status"].decode(String.self)) ?? .queued, lastError: try row["last_error"].decode(String.self))
    }

    public func claimDueMail(now: Date, until: Date, limit: Int) async throws -> [QueuedMail] {
        // SKIP LOCKED: instances claiming at the same moment take different messages instead of waiting for each other.
        let at = StoredTime.millis(now)
        return try await rows(
            """
            UPDATE mail_queue SET claimed_until = \(StoredTime.millis(until))
            WHERE id IN (
              SELECT id FROM mail_queue WHERE status = 'queued' AND next_attempt_at <= \(at) AND claimed_until <= \(at)
              ORDER BY next_attempt_at, id LIMIT \(max(0, limit)) FOR UPDATE SKIP LOCKED)
            RETURNING *
            """
        ).map(Self.queuedMail).sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    public func markMailSent(id: String, at date: Date) async throws {
        _ = try await rows(
            """
            UPDATE mail_queue SET status = 'sent', sent_at = \(StoredTime.millis(date)), attempts = attempts + 1, claimed_until = 0, last_error = ''
            WHERE id = \(id)
            """)
    }

    public func markMailFailed(id: String, error: String, retryAt: Date?) async throws {
        let retry = retryAt.map(StoredTime.millis)
        _ = try await rows(
            """
            UPDATE mail_queue SET attempts = attempts + 1, last_error = \(String(error.prefix(1_000))), claimed_until = 0,
              status = CASE WHEN \(retry)::bigint IS NULL THEN 'failed' ELSE 'queued' END,
              next_attempt_at = COALESCE(\(retry)::bigint, next_attempt_at)
            WHERE id = \(id)
            """)
    }

    public func mail(id: String) async throws -> QueuedMail? {
        try await rows("SELECT * FROM mail_queue WHERE id = \(id)").first.map(Self.queuedMail)
    }

    public func recentMail(limit: Int) async throws -> [QueuedMail] {
        try await rows("SELECT * FROM mail_queue ORDER BY created_at DESC, id DESC LIMIT \(max(0, limit))").map(Self.queuedMail)
    }

    public func mailQueueCounts() async throws -> MailQueueCounts {
        var counts: [String: Int] = [:]
        for row in try await rows("SELECT status, COUNT(*) AS n FROM mail_queue GROUP BY status") {
            counts[try row["status"].decode(String.self)] = try row["n"].decode(Int.self)
        }
        return MailQueueCounts(queued: counts["queued"] ?? 0, sent: counts["sent"] ?? 0, failed: counts["failed"] ?? 0)
    }

    public func createEmailToken(_ token: EmailToken) async throws {
        _ = try await rows(
            """
            INSERT INTO email_tokens (token_hash, member_id, purpose, email, created_at, expires_at)
            VALUES (\(token.tokenHash), \(token.member.rawValue), \(token.purpose.rawValue), \(token.email), \(StoredTime.millis(token.createdAt)),
              \(StoredTime.millis(token.expiresAt)))
            """)
    }

    public func emailTokenOwner(hash: String) async throws -> MemberID? {
        try await rows("SELECT member_id FROM email_tokens WHERE token_hash = \(hash)").first.map { MemberID(try $0["member_id"].decode(String.self)) }
    }

    public func useEmailToken(hash: String, purpose: EmailToken.Purpose, at date: Date) async throws -> EmailToken? {
        try await transaction { c in
            let at = StoredTime.millis(date)
            // The row is locked, so two requests with the same link use it once.
            guard
                let row = try await Self.collect(
                    """
                    SELECT * FROM email_tokens WHERE token_hash = \(hash) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > \(at)
                    FOR UPDATE
                    """, c, self.logger
                ).first
            else { return nil }
            let token = EmailToken(
                tokenHash: try row["token_hash"].decode(String.self), member: MemberID(try row["member_id"].decode(String.self)), purpose: purpose,
                email: try row["email"].decode(String.self), createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
                expiresAt: StoredTime.date(try row["expires_at"].decode(Int64.self)))
            try await c.query(
                """
                UPDATE email_tokens SET used_at = \(at) WHERE member_id = \(token.member.rawValue) AND purpose = \(purpose.rawValue) AND used_at IS NULL
                """, logger: self.logger)
            return token
        }
    }

    public func setEmailVerified(_ member: MemberID, email: String) async throws -> Bool {
        !(try await rows("UPDATE members SET email_verified = TRUE WHERE id = \(member.rawValue) AND email = \(email) RETURNING id").isEmpty)
    }

    public func setDailyDigest(_ member: MemberID, _ on: Bool) async throws {
        _ = try await rows("UPDATE members SET daily_digest = \(on) WHERE id = \(member.rawValue)")
    }

    public func dailyDigest(of member: MemberID) async throws -> Bool {
        try await rows("SELECT daily_digest FROM members WHERE id = \(member.rawValue)").first?["daily_digest"].decode(Bool.self) ?? false
    }

    public func digestDue(before date: Date, limit: Int) async throws -> [MemberID] {
        try await rows(
            """
            SELECT id FROM members WHERE daily_digest AND COALESCE(last_digest_at, 0) < \(StoredTime.millis(date))
            ORDER BY COALESCE(last_digest_at, 0), id LIMIT \(max(0, limit))
            """
        ).map { MemberID(try $0["id"].decode(String.self)) }
    }

    public func markDigestSent(_ member: MemberID, at date: Date) async throws {
        _ = try await rows("UPDATE members SET last_digest_at = \(StoredTime.millis(date)) WHERE id = \(member.rawValue)")
    }
}
