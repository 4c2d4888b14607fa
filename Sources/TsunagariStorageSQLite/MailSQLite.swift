import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: MailStore {
    public func enqueueMail(_ mail: QueuedMail) async throws {
        try await write { db in
            try db.execute(
                cached: """
                    INSERT INTO mail_queue (id, kind, member_id, recipient, subject, text_body, html_body, created_at, next_attempt_at,
                      attempts, status, last_error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    mail.id, mail.kind.rawValue, mail.member?.rawValue, mail.recipient, mail.subject, mail.textBody, mail.htmlBody,
                    StoredTime.millis(mail.createdAt), StoredTime.millis(mail.nextAttemptAt), mail.attempts, mail.status.rawValue, mail.lastError,
                ])
        }
    }

    static func queuedMail(_ row: Row) -> QueuedMail {
        QueuedMail(
            id: row["id"], kind: MailKind(rawValue: row["kind"]) ?? .verifyEmail, member: (row["member_id"] as String?).map(MemberID.init),
            recipient: row["recipient"], subject: row["subject"], textBody: row["text_body"], htmlBody: row["html_body"],
            createdAt: StoredTime.date(row["created_at"]), nextAttemptAt: StoredTime.date(row["next_attempt_at"]), attempts: row["attempts"],
            status: QueuedMail.Status(rawValue: row["status"]) ?? .queued, lastError: row["last_error"])
    }

    public func claimDueMail(now: Date, until: Date, limit: Int) async throws -> [QueuedMail] {
        try await write { db in
            let due = try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT * FROM mail_queue WHERE status = 'queued' AND next_attempt_at <= ? AND claimed_until <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """, arguments: [StoredTime.millis(now), StoredTime.millis(now), max(0, limit)]
            ).map(Self.queuedMail)
            for mail in due {
                try db.execute(cached: "UPDATE mail_queue SET claimed_until = ? WHERE id = ?", arguments: [StoredTime.millis(until), mail.id])
            }
            return due
        }
    }

    public func markMailSent(id: String, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "UPDATE mail_queue SET status = 'sent', sent_at = ?, attempts = attempts + 1, claimed_until = 0, last_error = '' WHERE id = ?",
                arguments: [StoredTime.millis(date), id])
        }
    }

    public func markMailFailed(id: String, error: String, retryAt: Date?) async throws {
        try await write { db in
            try db.execute(
                cached: """
                    UPDATE mail_queue SET attempts = attempts + 1, last_error = ?, claimed_until = 0,
                      status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'queued' END, next_attempt_at = COALESCE(?, next_attempt_at)
                    WHERE id = ?
                    """, arguments: [String(error.prefix(1_000)), retryAt.map(StoredTime.millis), retryAt.map(StoredTime.millis), id])
        }
    }

    public func mail(id: String) async throws -> QueuedMail? {
        try await pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT * FROM mail_queue WHERE id = ?", arguments: [id]).map(Self.queuedMail) }
    }

    public func recentMail(limit: Int) async throws -> [QueuedMail] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM mail_queue ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [max(0, limit)]).map(Self.queuedMail)
        }
    }

    public func mailQueueCounts() async throws -> MailQueueCounts {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(cached: db, sql: "SELECT status, COUNT(*) AS n FROM mail_queue GROUP BY status") { counts[row["status"]] = row["n"] }
            return MailQueueCounts(queued: counts["queued"] ?? 0, sent: counts["sent"] ?? 0, failed: counts["failed"] ?? 0)
        }
    }

    public func createEmailToken(_ token: EmailToken) async throws {
        try await write { db in
            try db.execute(
                cached: "INSERT INTO email_tokens (token_hash, member_id, purpose, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    token.tokenHash, token.member.rawValue, token.purpose.rawValue, token.email, StoredTime.millis(token.createdAt),
                    StoredTime.millis(token.expiresAt),
                ])
        }
    }

    public func emailTokenOwner(hash: String) async throws -> MemberID? {
        try await pool.read { db in
            try String.fetchOne(cached: db, sql: "SELECT member_id FROM email_tokens WHERE token_hash = ?", arguments: [hash]).map(MemberID.init)
        }
    }

    public func useEmailToken(hash: String, purpose: EmailToken.Purpose, at date: Date) async throws -> EmailToken? {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    cached: db,
                    sql: "SELECT * FROM email_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                    arguments: [hash, purpose.rawValue, StoredTime.millis(date)])
            else { return nil }
            let token = EmailToken(
                tokenHash: row["token_hash"], member: MemberID(row["member_id"]), purpose: purpose, email: row["email"],
                createdAt: StoredTime.date(row["created_at"]), expiresAt: StoredTime.date(row["expires_at"]))
            // The member's other open links for the same purpose end with this one.
            try db.execute(
                cached: "UPDATE email_tokens SET used_at = ? WHERE member_id = ? AND purpose = ? AND used_at IS NULL",
                arguments: [StoredTime.millis(date), token.member.rawValue, purpose.rawValue])
            return token
        }
    }

    public func setEmailVerified(_ member: MemberID, email: String) async throws -> Bool {
        try await write { db in
            try db.execute(cached: "UPDATE members SET email_verified = 1 WHERE id = ? AND email = ?", arguments: [member.rawValue, email])
            return db.changesCount > 0
        }
    }

    public func setDailyDigest(_ member: MemberID, _ on: Bool) async throws {
        try await write { db in
            try db.execute(cached: "UPDATE members SET daily_digest = ? WHERE id = ?", arguments: [on, member.rawValue])
        }
    }

    public func dailyDigest(of member: MemberID) async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(cached: db, sql: "SELECT daily_digest FROM members WHERE id = ?", arguments: [member.rawValue]) ?? false }
    }

    public func digestDue(before date: Date, limit: Int) async throws -> [MemberID] {
        try await pool.read { db in
            try String.fetchAll(
                cached: db,
                sql: """
                    SELECT id FROM members WHERE daily_digest = 1 AND COALESCE(last_digest_at, 0) < ?
                    ORDER BY COALESCE(last_digest_at, 0), id LIMIT ?
                    """, arguments: [StoredTime.millis(date), max(0, limit)]
            ).map(MemberID.init)
        }
    }

    public func markDigestSent(_ member: MemberID, at date: Date) async throws {
        try await write { db in
            try db.execute(cached: "UPDATE members SET last_digest_at = ? WHERE id = ?", arguments: [StoredTime.millis(date), member.rawValue])
        }
    }
}
