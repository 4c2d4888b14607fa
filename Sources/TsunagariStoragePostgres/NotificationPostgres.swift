import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: NotificationStore {
    static func insertNotification(_ n: MemberNotification, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.run(InsertNotification.self, values(n), logger: logger)
    }

    /// `InsertNotification`'s values.
    static func values(_ n: MemberNotification) -> Values {
        var values = Values()
        values.add(n.id)
        values.add(n.member.rawValue)
        values.add(n.kind.rawValue)
        values.add(n.actor?.rawValue)
        values.add(n.subjectID)
        values.add(n.subjectName)
        values.add(n.conversationID)
        values.add(n.members.map(\.rawValue).joined(separator: " "))
        values.add(n.count)
        values.add(n.groupKey)
        values.add(StoredTime.millis(n.createdAt))
        values.add(n.read)
        return values
    }

    static func notification(_ row: PostgresRandomAccessRow) throws -> MemberNotification? {
        guard let kind = NotificationKind(rawValue: try row["kind"].decode(String.self)) else { return nil }
        return MemberNotification(
            id: try row["id"].decode(String.self), member: MemberID(try row["member_id"].decode(String.self)), kind: kind,
            actor: try row["actor_id"].decode(String?.self).map(MemberID.init), subjectID: try row["subject_id"].decode(String?.self),
            subjectName: try row["subject_name"].decode(String?.self), conversationID: try row["conversation_id"].decode(String?.self),
            members: try row["members"].decode(String.self).split(separator: " ").map { MemberID(String($0)) },
            count: try row["count"].decode(Int.self), groupKey: try row["group_key"].decode(String?.self),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)), read: try row["read"].decode(Bool.self))
    }

    public func createNotification(_ notification: MemberNotification) async throws {
        // An unread notification's trigger logs a change of its member's unread ones (migration 25), told to the cache here.
        let change = MemberCache.Change(sequence: 0, member: notification.member, tokenHash: MemberCache.Change.unread)
        try await write(InsertNotification.self, Self.values(notification), logs: notification.read ? .none : .known([change]))
    }

    public func gatherNotification(_ notification: MemberNotification, keep: Int) async throws -> MemberNotification {
        try await transaction { c in
            var merged = notification
            if let key = notification.groupKey {
                // Two reactions gathering at once queue on the lock of the member and key; the second sees the first's row.
                try await c.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended(\(notification.member.rawValue + "|" + key), 7))", logger: self.logger)
                let earlier = try await Self.collect(
                    """
                    DELETE FROM notifications WHERE id = (
                      SELECT id FROM notifications WHERE member_id = \(notification.member.rawValue) AND group_key = \(key) AND NOT read
                      ORDER BY id DESC LIMIT 1)
                    RETURNING *
                    """, c, self.logger
                ).first.flatMap(Self.notification)
                if let earlier {
                    merged.count += earlier.count
                    merged.members = Array((notification.members + earlier.members.filter { !notification.members.contains($0) }).prefix(keep))
                }
            }
            try await Self.insertNotification(merged, c, self.logger)
            return merged
        }
    }

    public func notification(id: String) async throws -> MemberNotification? {
        try await rows("SELECT * FROM notifications WHERE id = \(id)").first.flatMap(Self.notification)
    }

    public func notifications(of member: MemberID, before cursor: String?, limit: Int) async throws -> [MemberNotification] {
        try await rows(
            """
            SELECT * FROM notifications WHERE member_id = \(member.rawValue) AND (\(cursor)::text IS NULL OR id < \(cursor))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).compactMap(Self.notification)
    }

    public func notifications(of member: MemberID, after: String, limit: Int) async throws -> [MemberNotification] {
        try await rows(
            "SELECT * FROM notifications WHERE member_id = \(member.rawValue) AND id > \(after) ORDER BY id LIMIT \(limit)"
        ).compactMap(Self.notification)
    }

    public func unreadNotifications(of member: MemberID, limit: Int) async throws -> [MemberNotification] {
        // Held in memory: the header of every page counts them (the notification triggers log the member's change).
        await replayCacheChanges()
        return try await cache.unreadNotifications(of: member, limit: limit) {
            var values = Values()
            values.add(member.rawValue)
            values.add(Int64(limit))
            return try await read(UnreadNotifications.self, values).compactMap(Self.notification)
        }
    }

    public func unreadNotificationCount(of member: MemberID) async throws -> Int {
        var values = Values()
        values.add(member.rawValue)
        return try await read(UnreadNotificationCount.self, values).first?["n"].decode(Int.self) ?? 0
    }

    public func markNotificationsRead(of member: MemberID, upTo: String) async throws -> Int {
        try await rows(
            "UPDATE notifications SET read = TRUE WHERE member_id = \(member.rawValue) AND id <= \(upTo) AND NOT read RETURNING id"
        ).count
    }
}

/// A new notification.
enum InsertNotification: FixedSQL {
    static let sql = """
        INSERT INTO notifications (id, member_id, kind, actor_id, subject_id, subject_name, conversation_id, members, count, group_key,
          created_at, read)
        VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::int, $10::text, $11::bigint, $12::bool)
        """
}

/// A member's unread notifications, newest first: every page's header asks for them.
enum UnreadNotifications: FixedSQL {
    static let sql = "SELECT * FROM notifications WHERE member_id = $1::text AND NOT read ORDER BY id DESC LIMIT $2::bigint"
}

enum UnreadNotificationCount: FixedSQL {
    static let sql = "SELECT COUNT(*) AS n FROM notifications WHERE member_id = $1::text AND NOT read"
}
