import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: NotificationStore {
    static func insertNotification(_ n: MemberNotification, _ db: Database) throws {
        try db.execute(
            cached: """
                INSERT INTO notifications (id, member_id, kind, actor_id, subject_id, subject_name, conversation_id, members, count,
                  group_key, created_at, read)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                n.id, n.member.rawValue, n.kind.rawValue, n.actor?.rawValue, n.subjectID, n.subjectName, n.conversationID,
                n.members.map(\.rawValue).joined(separator: " "), n.count, n.groupKey, StoredTime.millis(n.createdAt), n.read,
            ])
    }

    static func notification(_ row: Row) -> MemberNotification? {
        guard let kind = NotificationKind(rawValue: row["kind"]) else { return nil }
        let members: String = row["members"]
        return MemberNotification(
            id: row["id"], member: MemberID(row["member_id"]), kind: kind, actor: (row["actor_id"] as String?).map(MemberID.init),
            subjectID: row["subject_id"], subjectName: row["subject_name"], conversationID: row["conversation_id"],
            members: members.split(separator: " ").map { MemberID(String($0)) }, count: row["count"], groupKey: row["group_key"],
            createdAt: StoredTime.date(row["created_at"]), read: row["read"])
    }

    public func createNotification(_ notification: MemberNotification) async throws {
        try await write { db in try Self.insertNotification(notification, db) }
    }

    public func gatherNotification(_ notification: MemberNotification, keep: Int) async throws -> MemberNotification {
        try await write { db in
            var merged = notification
            if let key = notification.groupKey,
                let earlier = try Row.fetchOne(
                    cached: db, sql: "SELECT * FROM notifications WHERE member_id = ? AND group_key = ? AND read = 0 ORDER BY id DESC LIMIT 1",
                    arguments: [notification.member.rawValue, key]
                ).flatMap(Self.notification)
            {
                try db.execute(cached: "DELETE FROM notifications WHERE id = ?", arguments: [earlier.id])
                merged.count += earlier.count
                merged.members = Array((notification.members + earlier.members.filter { !notification.members.contains($0) }).prefix(keep))
            }
            try Self.insertNotification(merged, db)
            return merged
        }
    }

    public func notification(id: String) async throws -> MemberNotification? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM notifications WHERE id = ?", arguments: [id]).flatMap(Self.notification)
        }
    }

    public func notifications(of member: MemberID, before cursor: String?, limit: Int) async throws -> [MemberNotification] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM notifications WHERE member_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
                arguments: [member.rawValue, cursor, cursor, limit]
            ).compactMap(Self.notification)
        }
    }

    public func notifications(of member: MemberID, after: String, limit: Int) async throws -> [MemberNotification] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM notifications WHERE member_id = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [member.rawValue, after, limit]
            ).compactMap(Self.notification)
        }
    }

    public func unreadNotifications(of member: MemberID, limit: Int) async throws -> [MemberNotification] {
        // Held in memory: the header of every page counts them (the notification triggers log the member's change).
        try await replayCacheChanges()
        return try await cache.unreadNotifications(of: member, limit: limit) {
            try await pool.read { db in
                try Row.fetchAll(
                    cached: db, sql: "SELECT * FROM notifications WHERE member_id = ? AND read = 0 ORDER BY id DESC LIMIT ?",
                    arguments: [member.rawValue, limit]
                ).compactMap(Self.notification)
            }
        }
    }

    public func unreadNotificationCount(of member: MemberID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM notifications WHERE member_id = ? AND read = 0", arguments: [member.rawValue]) ?? 0
        }
    }

    public func markNotificationsRead(of member: MemberID, upTo: String) async throws -> Int {
        try await write { db in
            try db.execute(
                cached: "UPDATE notifications SET read = 1 WHERE member_id = ? AND id <= ? AND read = 0", arguments: [member.rawValue, upTo])
            return db.changesCount
        }
    }
}
