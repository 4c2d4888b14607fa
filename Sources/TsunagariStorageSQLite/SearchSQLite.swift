import Foundation
import GRDB
import TsunagariCore

/// Storage's side of the search index: one row per member with its analysed terms (every column in one string)
/// and its attributes, and the change log every instance's index in memory catches up with.
extension SQLiteStorage: SearchEntryStore {
    public func upsertSearchEntries(_ entries: [SearchIndexEntry], at date: Date) async throws {
        guard !entries.isEmpty else { return }
        let stamp = StoredTime.millis(date)
        try await write { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO search_entries (member_id, terms, attributes, indexed_at, version) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (member_id) DO UPDATE SET terms = excluded.terms, attributes = excluded.attributes, indexed_at = excluded.indexed_at,
                      version = excluded.version
                    WHERE excluded.version >= search_entries.version
                    """)
            let logChange = try db.cachedStatement(sql: "INSERT INTO search_changes (member_id, at) VALUES (?, ?)")
            for entry in entries {
                try upsert.execute(arguments: [entry.member.rawValue, entry.storedColumns, entry.attributes.stored, stamp, entry.version])
                // An entry older than the one stored changes nothing, and nothing is logged.
                guard db.changesCount > 0 else { continue }
                try logChange.execute(arguments: [entry.member.rawValue, stamp])
            }
        }
    }

    public func deleteSearchEntry(_ member: MemberID) async throws {
        try await write { db in
            try db.execute(cached: "DELETE FROM search_entries WHERE member_id = ?", arguments: [member.rawValue])
            guard db.changesCount > 0 else { return }
            try db.execute(
                cached: "INSERT INTO search_changes (member_id, at) VALUES (?, ?)", arguments: [member.rawValue, StoredTime.millis(Date())])
        }
    }

    public func profileVersions(of members: [MemberID]) async throws -> [MemberID: Int64] {
        guard !members.isEmpty else { return [:] }
        let list = String(decoding: try JSONEncoder().encode(members.map(\.rawValue)), as: UTF8.self)
        return try await pool.read { db in
            var versions: [MemberID: Int64] = [:]
            for row in try Row.fetchAll(
                cached: db, sql: "SELECT id, profile_version FROM members WHERE id IN (SELECT value FROM json_each(?))", arguments: [list])
            {
                versions[MemberID(row["id"])] = row["profile_version"]
            }
            return versions
        }
    }

    public func searchEntryCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM search_entries") ?? 0 }
    }

    static func storedEntry(_ row: Row) -> StoredSearchEntry? {
        guard let attributes = SearchAttributes(stored: row["attributes"]) else { return nil }
        return StoredSearchEntry(
            entry: SearchIndexEntry(
                member: MemberID(row["member_id"]), columns: SearchIndexEntry.columns(stored: row["terms"]), attributes: attributes,
                version: row["version"]),
            indexedAt: StoredTime.date(row["indexed_at"]))
    }

    public func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: "SELECT member_id, terms, attributes, indexed_at, version FROM search_entries WHERE member_id > ? ORDER BY member_id LIMIT ?",
                arguments: [after?.rawValue ?? "", max(0, limit)]
            ).compactMap(Self.storedEntry)
        }
    }

    public func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] {
        guard !members.isEmpty else { return [] }
        let list = String(decoding: try JSONEncoder().encode(members.map(\.rawValue)), as: UTF8.self)
        return try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT member_id, terms, attributes, indexed_at, version FROM search_entries
                    WHERE member_id IN (SELECT value FROM json_each(?))
                    """,
                arguments: [list]
            ).compactMap(Self.storedEntry)
        }
    }

    public func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT seq, member_id FROM search_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [sequence, max(0, limit)]
            ).map { SearchChange(sequence: $0["seq"], member: MemberID($0["member_id"])) }
        }
    }

    public func searchChanges(sequences: [Int64]) async throws -> [SearchChange] {
        guard !sequences.isEmpty else { return [] }
        return try await pool.read { db in
            var changes: [SearchChange] = []
            // SQLite takes at most 32,766 bound values in one statement.
            for start in stride(from: 0, to: sequences.count, by: 10_000) {
                let part = Array(sequences[start..<min(start + 10_000, sequences.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                changes += try Row.fetchAll(
                    cached: db, sql: "SELECT seq, member_id FROM search_changes WHERE seq IN (\(marks)) ORDER BY seq", arguments: StatementArguments(part)
                ).map { SearchChange(sequence: $0["seq"], member: MemberID($0["member_id"])) }
            }
            return changes
        }
    }

    public func lastSearchChange() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(cached: db, sql: "SELECT COALESCE(MAX(seq), 0) FROM search_changes") ?? 0 }
    }

    public func pruneSearchChanges(before date: Date) async throws {
        try await write { db in
            // The last change is kept: a snapshot of the index taken at it is checked against it.
            try db.execute(
                cached: "DELETE FROM search_changes WHERE at < ? AND seq < (SELECT max(seq) FROM search_changes)", arguments: [StoredTime.millis(date)])
        }
    }
}
