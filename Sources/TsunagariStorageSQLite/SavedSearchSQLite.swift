import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: SavedSearchStore {
    static func savedSearch(_ row: Row) -> SavedSearch {
        SavedSearch(
            id: row["id"], member: MemberID(row["member_id"]), name: row["name"], query: row["query"], filters: row["filters"],
            createdAt: StoredTime.date(row["created_at"]), checkedAt: StoredTime.date(row["checked_at"]))
    }

    public func createSavedSearch(_ search: SavedSearch, matching: [MemberID]) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO saved_searches (id, member_id, name, query, filters, created_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    search.id, search.member.rawValue, search.name, search.query, search.filters, StoredTime.millis(search.createdAt),
                    StoredTime.millis(search.checkedAt),
                ])
            try Self.insertMatches(search.id, matching, db)
        }
    }

    static func insertMatches(_ search: String, _ members: [MemberID], _ db: Database) throws {
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO saved_search_matches (search_id, member_id)
                SELECT ?, id FROM members WHERE id = ?
                """)
        for member in members { try insert.execute(arguments: [search, member.rawValue]) }
    }

    public func savedSearch(id: String) async throws -> SavedSearch? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM saved_searches WHERE id = ?", arguments: [id]).map(Self.savedSearch)
        }
    }

    public func savedSearches(of member: MemberID) async throws -> [SavedSearch] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM saved_searches WHERE member_id = ? ORDER BY id", arguments: [member.rawValue])
                .map(Self.savedSearch)
        }
    }

    public func deleteSavedSearch(id: String, of member: MemberID) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM saved_searches WHERE id = ? AND member_id = ?", arguments: [id, member.rawValue])
            return db.changesCount > 0
        }
    }

    public func savedSearchesDue(before: Date, limit: Int) async throws -> [SavedSearch] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM saved_searches WHERE checked_at < ? ORDER BY checked_at, id LIMIT ?",
                arguments: [StoredTime.millis(before), limit]
            ).map(Self.savedSearch)
        }
    }

    public func claimSavedSearch(id: String, checkedAt from: Date, to: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE saved_searches SET checked_at = ? WHERE id = ? AND checked_at = ?",
                arguments: [StoredTime.millis(to), id, StoredTime.millis(from)])
            return db.changesCount > 0
        }
    }

    public func unseenMatches(of search: String, among members: [MemberID]) async throws -> [MemberID] {
        guard !members.isEmpty else { return [] }
        let seen: Set<String> = try await pool.read { db in
            let json = "[" + members.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
            return Set(
                try String.fetchAll(
                    db,
                    sql: "SELECT member_id FROM saved_search_matches WHERE search_id = ? AND member_id IN (SELECT value FROM json_each(?))",
                    arguments: [search, json]))
        }
        return members.filter { !seen.contains($0.rawValue) }
    }

    public func recordMatches(of search: String, _ members: [MemberID], notification: MemberNotification?) async throws {
        try await write { db in
            try Self.insertMatches(search, members, db)
            if let notification { try Self.insertNotification(notification, db) }
        }
    }
}

extension SQLiteStorage: NotificationStore {
    static func insertNotification(_ n: MemberNotification, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO notifications (id, member_id, kind, subject_id, subject_name, members, count, created_at, read)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                n.id, n.member.rawValue, n.kind.rawValue, n.subjectID, n.subjectName, n.members.map(\.rawValue).joined(separator: " "), n.count,
                StoredTime.millis(n.createdAt), n.read,
            ])
    }

    public func createNotification(_ notification: MemberNotification) async throws {
        try await write { db in try Self.insertNotification(notification, db) }
    }

    public func notifications(of member: MemberID, before cursor: String?, limit: Int) async throws -> [MemberNotification] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM notifications WHERE member_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?
                    """,
                arguments: [member.rawValue, cursor, cursor, limit]
            ).compactMap { row in
                guard let kind = NotificationKind(rawValue: row["kind"]) else { return nil }
                let members: String = row["members"]
                return MemberNotification(
                    id: row["id"], member: MemberID(row["member_id"]), kind: kind, subjectID: row["subject_id"], subjectName: row["subject_name"],
                    members: members.split(separator: " ").map { MemberID(String($0)) }, count: row["count"],
                    createdAt: StoredTime.date(row["created_at"]), read: row["read"])
            }
        }
    }

    public func unreadNotificationCount(of member: MemberID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notifications WHERE member_id = ? AND read = 0", arguments: [member.rawValue]) ?? 0
        }
    }

    public func markNotificationsRead(of member: MemberID, upTo: String) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE notifications SET read = 1 WHERE member_id = ? AND id <= ? AND read = 0", arguments: [member.rawValue, upTo])
            return db.changesCount
        }
    }
}
