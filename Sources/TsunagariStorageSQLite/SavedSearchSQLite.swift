import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: SavedSearchStore {
    static func savedSearch(_ row: Row) -> SavedSearch {
        SavedSearch(
            id: row["id"], member: MemberID(row["member_id"]), name: row["name"], query: row["query"], filters: row["filters"],
            createdAt: StoredTime.date(row["created_at"]), checkedAt: StoredTime.date(row["checked_at"]),
            kind: SavedSearchKind(rawValue: row["kind"]) ?? .people)
    }

    static func insertSavedSearch(_ search: SavedSearch, _ db: Database) throws {
        try db.execute(
            cached: """
                INSERT INTO saved_searches (id, member_id, name, query, filters, created_at, checked_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                search.id, search.member.rawValue, search.name, search.query, search.filters, StoredTime.millis(search.createdAt),
                StoredTime.millis(search.checkedAt), search.kind.rawValue,
            ])
    }

    static func insertJobMatches(_ search: String, _ jobs: [String], _ db: Database) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO saved_search_job_matches (search_id, job_id) SELECT ?, id FROM jobs WHERE id = ?")
        for job in jobs { try insert.execute(arguments: [search, job]) }
    }

    public func createSavedSearch(_ search: SavedSearch, matchingJobs: [String]) async throws {
        try await write { db in
            try Self.insertSavedSearch(search, db)
            try Self.insertJobMatches(search.id, matchingJobs, db)
        }
    }

    public func unseenJobMatches(of search: String, among jobs: [String]) async throws -> [String] {
        guard !jobs.isEmpty else { return [] }
        let seen: Set<String> = try await pool.read { db in
            Set(
                try Self.inSlices(jobs) { part, marks in
                    try String.fetchAll(
                        cached: db, sql: "SELECT job_id FROM saved_search_job_matches WHERE search_id = ? AND job_id IN (\(marks))",
                        arguments: StatementArguments([search] + part))
                })
        }
        return jobs.filter { !seen.contains($0) }
    }

    public func recordJobMatches(of search: String, _ jobs: [String], notification: MemberNotification?) async throws {
        try await write { db in
            try Self.insertJobMatches(search, jobs, db)
            if let notification { try Self.insertNotification(notification, db) }
        }
    }

    public func createSavedSearch(_ search: SavedSearch, matching: [MemberID]) async throws {
        try await write { db in
            try Self.insertSavedSearch(search, db)
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
            try Row.fetchOne(cached: db, sql: "SELECT * FROM saved_searches WHERE id = ?", arguments: [id]).map(Self.savedSearch)
        }
    }

    public func savedSearches(of member: MemberID) async throws -> [SavedSearch] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM saved_searches WHERE member_id = ? ORDER BY id", arguments: [member.rawValue])
                .map(Self.savedSearch)
        }
    }

    public func deleteSavedSearch(id: String, of member: MemberID) async throws -> Bool {
        try await write { db in
            try db.execute(cached: "DELETE FROM saved_searches WHERE id = ? AND member_id = ?", arguments: [id, member.rawValue])
            return db.changesCount > 0
        }
    }

    public func savedSearchesDue(before: Date, limit: Int) async throws -> [SavedSearch] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM saved_searches WHERE checked_at < ? ORDER BY checked_at, id LIMIT ?",
                arguments: [StoredTime.millis(before), limit]
            ).map(Self.savedSearch)
        }
    }

    public func claimSavedSearch(id: String, checkedAt from: Date, to: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "UPDATE saved_searches SET checked_at = ? WHERE id = ? AND checked_at = ?",
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
                    cached: db,
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
