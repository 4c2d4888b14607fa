import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: ModerationStore {
    public func report(id: String) async throws -> PostReport? {
        try await rows("SELECT * FROM post_reports WHERE id = \(id)").first.map { row in
            let comment = try row["comment_id"].decode(String.self)
            return PostReport(
                id: try row["id"].decode(String.self), postID: try row["post_id"].decode(String.self), commentID: comment.isEmpty ? nil : comment,
                reporter: MemberID(try row["reporter_id"].decode(String.self)), reason: try row["reason"].decode(String.self),
                createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)))
        }
    }

    public func resolveReport(id: String, resolution: ReportResolution, audit: AuditEntry) async throws -> ResolvedReport? {
        try await transaction { c in
            // The report's row is locked, so two moderators resolving it at once end it once.
            guard
                let row = try await Self.collect(
                    "SELECT post_id, comment_id FROM post_reports WHERE id = \(id) AND status = 'open' FOR UPDATE", c, self.logger
                ).first
            else { return nil }
            let postID = try row["post_id"].decode(String.self)
            let commentID = try row["comment_id"].decode(String.self)
            let seq = try await Self.collect("SELECT seq FROM posts WHERE id = \(postID)", c, self.logger).first.map { try $0["seq"].decode(Int64.self) }
            var removed = false
            if resolution == .removed {
                if commentID.isEmpty {
                    removed = try await Self.deletePost(id: postID, c, self.logger)
                } else if let seq {
                    removed = try await Self.deleteComment(id: commentID, postSeq: seq, c, self.logger)
                }
            }
            let everyOnPost = resolution == .removed && commentID.isEmpty
            let ended = try await Self.collect(
                """
                UPDATE post_reports SET status = \(resolution.rawValue), resolved_at = \(StoredTime.millis(audit.at)), resolved_by = \(audit.actor)
                WHERE status = 'open' AND post_id = \(postID) AND (\(everyOnPost) OR comment_id = \(commentID))
                RETURNING id
                """, c, self.logger
            ).count
            try await Self.insertAudit(audit, c, self.logger)
            return ResolvedReport(postID: postID, postSeq: seq, commentID: commentID.isEmpty ? nil : commentID, reports: ended, removed: removed)
        }
    }

    public func recordAudit(_ entry: AuditEntry) async throws {
        try await transaction { c in try await Self.insertAudit(entry, c, self.logger) }
    }

    static func insertAudit(_ entry: AuditEntry, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            """
            INSERT INTO audit_log (id, at, actor, action, subject, detail)
            VALUES (\(entry.id), \(StoredTime.millis(entry.at)), \(entry.actor), \(entry.action), \(entry.subject), \(entry.detail))
            """, logger: logger)
    }

    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        try await rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT \(max(0, limit))").map { row in
            AuditEntry(
                id: try row["id"].decode(String.self), at: StoredTime.date(try row["at"].decode(Int64.self)), actor: try row["actor"].decode(String.self),
                action: try row["action"].decode(String.self), subject: try row["subject"].decode(String.self),
                detail: try row["detail"].decode(String.self))
        }
    }

    public func suspendMember(_ member: MemberID, reason: String, audit: AuditEntry) async throws -> Bool {
        try await transaction { c in
            let changed = try await Self.collect(
                """
                UPDATE members SET suspended_at = \(StoredTime.millis(audit.at)), suspension_reason = \(reason)
                WHERE id = \(member.rawValue) AND suspended_at IS NULL RETURNING id
                """, c, self.logger)
            guard !changed.isEmpty else { return false }
            try await c.query("DELETE FROM sessions WHERE member_id = \(member.rawValue)", logger: self.logger)
            try await c.query("DELETE FROM profile_search WHERE member_id = \(member.rawValue)", logger: self.logger)
            try await c.query(
                "INSERT INTO search_changes (member_id, at) VALUES (\(member.rawValue), \(StoredTime.millis(audit.at)))", logger: self.logger)
            try await Self.logChange(.memberSuspended, member, nil, at: audit.at, c, self.logger)
            try await Self.insertAudit(audit, c, self.logger)
            return true
        }
    }

    public func restoreMember(_ member: MemberID, audit: AuditEntry) async throws -> Bool {
        try await transaction { c in
            let changed = try await Self.collect(
                """
                UPDATE members SET suspended_at = NULL, suspension_reason = NULL
                WHERE id = \(member.rawValue) AND suspended_at IS NOT NULL RETURNING id
                """, c, self.logger)
            guard !changed.isEmpty else { return false }
            try await Self.logChange(.memberRestored, member, nil, at: audit.at, c, self.logger)
            try await Self.insertAudit(audit, c, self.logger)
            return true
        }
    }

    public func suspendedMembers(limit: Int) async throws -> [SuspendedMember] {
        try await rows(
            """
            SELECT id, name, handle, email, suspended_at, suspension_reason FROM members
            WHERE suspended_at IS NOT NULL ORDER BY suspended_at DESC, id LIMIT \(max(0, limit))
            """
        ).map { row in
            SuspendedMember(
                member: MemberID(try row["id"].decode(String.self)), name: try row["name"].decode(String.self),
                handle: try row["handle"].decode(String.self), email: try row["email"].decode(String.self),
                since: StoredTime.date(try row["suspended_at"].decode(Int64.self)),
                reason: try row["suspension_reason"].decode(String?.self) ?? "")
        }
    }
}
