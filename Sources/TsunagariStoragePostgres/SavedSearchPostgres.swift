import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: SavedSearchStore {
    static func savedSearch(_ row: PostgresRandomAccessRow) throws -> SavedSearch {
        SavedSearch(
            id: try row["id"].decode(String.self), member: MemberID(try row["member_id"].decode(String.self)),
            name: try row["name"].decode(String.self), query: try row["query"].decode(String.self), filters: try row["filters"].decode(String.self),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)), checkedAt: StoredTime.date(try row["checked_at"].decode(Int64.self)),
            kind: SavedSearchKind(rawValue: try row["kind"].decode(String.self)) ?? .people)
    }

    static func insertSavedSearch(_ search: SavedSearch, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            """
            INSERT INTO saved_searches (id, member_id, name, query, filters, created_at, checked_at, kind)
            VALUES (\(search.id), \(search.member.rawValue), \(search.name), \(search.query), \(search.filters),
              \(StoredTime.millis(search.createdAt)), \(StoredTime.millis(search.checkedAt)), \(search.kind.rawValue))
            """, logger: logger)
    }

    static func insertJobMatches(_ search: String, _ jobs: [String], _ c: PostgresConnection, _ logger: Logger) async throws {
        guard !jobs.isEmpty else { return }
        try await c.query(
            """
            INSERT INTO saved_search_job_matches (search_id, job_id)
            SELECT \(search), id FROM jobs WHERE id = ANY(\(jobs))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func createSavedSearch(_ search: SavedSearch, matchingJobs: [String]) async throws {
        try await transaction { c in
            try await Self.insertSavedSearch(search, c, self.logger)
            try await Self.insertJobMatches(search.id, matchingJobs, c, self.logger)
        }
    }

    public func unseenJobMatches(of search: String, among jobs: [String]) async throws -> [String] {
        guard !jobs.isEmpty else { return [] }
        var seen: Set<String> = []
        for row in try await rows("SELECT job_id FROM saved_search_job_matches WHERE search_id = \(search) AND job_id = ANY(\(jobs))") {
            seen.insert(try row["job_id"].decode(String.self))
        }
        return jobs.filter { !seen.contains($0) }
    }

    public func recordJobMatches(of search: String, _ jobs: [String], notification: MemberNotification?) async throws {
        try await transaction { c in
            try await Self.insertJobMatches(search, jobs, c, self.logger)
            if let notification { try await Self.insertNotification(notification, c, self.logger) }
        }
    }

    public func createSavedSearch(_ search: SavedSearch, matching: [MemberID]) async throws {
        try await transaction { c in
            try await Self.insertSavedSearch(search, c, self.logger)
            try await Self.insertMatches(search.id, matching, c, self.logger)
        }
    }

    static func insertMatches(_ search: String, _ members: [MemberID], _ c: PostgresConnection, _ logger: Logger) async throws {
        guard !members.isEmpty else { return }
        try await c.query(
            """
            INSERT INTO saved_search_matches (search_id, member_id)
            SELECT \(search), id FROM members WHERE id = ANY(\(members.map(\.rawValue)))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func savedSearch(id: String) async throws -> SavedSearch? {
        try await rows("SELECT * FROM saved_searches WHERE id = \(id)").first.map(Self.savedSearch)
    }

    public func savedSearches(of member: MemberID) async throws -> [SavedSearch] {
        try await rows("SELECT * FROM saved_searches WHERE member_id = \(member.rawValue) ORDER BY id").map(Self.savedSearch)
    }

    public func deleteSavedSearch(id: String, of member: MemberID) async throws -> Bool {
        !(try await rows("DELETE FROM saved_searches WHERE id = \(id) AND member_id = \(member.rawValue) RETURNING id").isEmpty)
    }

    public func savedSearchesDue(before: Date, limit: Int) async throws -> [SavedSearch] {
        try await rows("SELECT * FROM saved_searches WHERE checked_at < \(StoredTime.millis(before)) ORDER BY checked_at, id LIMIT \(limit)")
            .map(Self.savedSearch)
    }

    public func claimSavedSearch(id: String, checkedAt from: Date, to: Date) async throws -> Bool {
        !(try await rows(
            """
            UPDATE saved_searches SET checked_at = \(StoredTime.millis(to)) WHERE id = \(id) AND checked_at = \(StoredTime.millis(from))
            RETURNING id
            """
        ).isEmpty)
    }

    public func unseenMatches(of search: String, among members: [MemberID]) async throws -> [MemberID] {
        guard !members.isEmpty else { return [] }
        var seen: Set<String> = []
        for row in try await rows(
            "SELECT member_id FROM saved_search_matches WHERE search_id = \(search) AND member_id = ANY(\(members.map(\.rawValue)))")
        {
            seen.insert(try row["member_id"].decode(String.self))
        }
        return members.filter { !seen.contains($0.rawValue) }
    }

    public func recordMatches(of search: String, _ members: [MemberID], notification: MemberNotification?) async throws {
        try await transaction { c in
            try await Self.insertMatches(search, members, c, self.logger)
            if let notification { try await Self.insertNotification(notification, c, self.logger) }
        }
    }
}
