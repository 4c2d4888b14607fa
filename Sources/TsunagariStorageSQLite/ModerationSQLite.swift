import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: ModerationStore {
    public func report(id: String) async throws -> PostReport? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM post_reports WHERE id = ?", arguments: [id]).map { row in
                let comment: String = row["comment_id"]
                return PostReport(
                    id: row["id"], postID: row["post_id"], commentID: comment.isEmpty ? nil : comment, reporter: MemberID(row["reporter_id"]),
                    reason: row["reason"], createdAt: StoredTime.date(row["created_at"]))
            }
        }
    }

    public func resolveReport(id: String, resolution: ReportResolution, audit: AuditEntry) async throws -> ResolvedReport? {
        try await write { db in
            guard let row = try Row.fetchOne(cached: db, sql: "SELECT post_id, comment_id FROM post_reports WHERE id = ? AND status = 'open'", arguments: [id])
            else { return nil }
            let postID: String = row["post_id"]
            let commentID: String = row["comment_id"]
            let seq = try Int64.fetchOne(cached: db, sql: "SELECT seq FROM posts WHERE id = ?", arguments: [postID])
            var removed = false
            if resolution == .removed {
                if commentID.isEmpty {
                    removed = try Self.deletePost(id: postID, db)
                } else if let seq {
                    removed = try Self.deleteComment(id: commentID, postSeq: seq, db)
                }
            }
            // A removed post takes every open report on it along, its comments' included; otherwise the reports of the
            // same post or comment end together.
            let everyOnPost = resolution == .removed && commentID.isEmpty
            try db.execute(
                cached: """
                    UPDATE post_reports SET status = ?, resolved_at = ?, resolved_by = ?
                    WHERE status = 'open' AND post_id = ? AND (? OR comment_id = ?)
                    """,
                arguments: [resolution.rawValue, StoredTime.millis(audit.at), audit.actor, postID, everyOnPost, commentID])
            let ended = db.changesCount
            try Self.insertAudit(audit, db)
            return ResolvedReport(postID: postID, postSeq: seq, commentID: commentID.isEmpty ? nil : commentID, reports: ended, removed: removed)
        }
    }

    public func recordAudit(_ entry: AuditEntry) async throws {
        try await write { db in try Self.insertAudit(entry, db) }
    }

    static func insertAudit(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(
            cached: "INSERT INTO audit_log (id, at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [entry.id, StoredTime.millis(entry.at), entry.actor, entry.action, entry.subject, entry.detail])
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)]).map { row in
                AuditEntry(
                    id: row["id"], at: StoredTime.date(row["at"]), actor: row["actor"], action: row["action"], subject: row["subject"],
                    detail: row["detail"])
            }
        }
    }

    public func suspendMember(_ member: MemberID, reason: String, audit: AuditEntry) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "UPDATE members SET suspended_at = ?, suspension_reason = ? WHERE id = ? AND suspended_at IS NULL",
                arguments: [StoredTime.millis(audit.at), reason, member.rawValue])
            guard db.changesCount > 0 else { return false }
            try db.execute(cached: "DELETE FROM sessions WHERE member_id = ?", arguments: [member.rawValue])
            try db.execute(cached: "DELETE FROM search_entries WHERE member_id = ?", arguments: [member.rawValue])
            try db.execute(
                cached: "INSERT INTO search_changes (member_id, at) VALUES (?, ?)", arguments: [member.rawValue, StoredTime.millis(audit.at)])
            try Self.logChange(.memberSuspended, member, nil, at: audit.at, db)
            try Self.insertAudit(audit, db)
            return true
        }
    }

    public func restoreMember(_ member: MemberID, audit: AuditEntry) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "UPDATE members SET suspended_at = NULL, suspension_reason = NULL WHERE id = ? AND suspended_at IS NOT NULL",
                arguments: [member.rawValue])
            guard db.changesCount > 0 else { return false }
            try Self.logChange(.memberRestored, member, nil, at: audit.at, db)
            try Self.insertAudit(audit, db)
            return true
        }
    }

    public func suspendedMembers(limit: Int) async throws -> [SuspendedMember] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT id, name, handle, email, suspended_at, suspension_reason FROM members
                    WHERE suspended_at IS NOT NULL ORDER BY suspended_at DESC, id LIMIT ?
                    """, arguments: [max(0, limit)]
            ).map { row in
                SuspendedMember(
                    member: MemberID(row["id"]), name: row["name"], handle: row["handle"], email: row["email"],
                    since: StoredTime.date(row["suspended_at"]), reason: row["suspension_reason"] ?? "")
            }
        }
    }
}
