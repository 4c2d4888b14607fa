import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// Storage's side of the search index: one row per member with its analysed terms (every column in one string)
/// and its attributes, and the change log every instance's index in memory catches up with.
extension PostgresStorage: SearchEntryStore {
    /// Rows go to the server in batches of this many, as arrays.
    static let searchEntryBatch = 5_000

    public func upsertSearchEntries(_ entries: [SearchIndexEntry], at date: Date) async throws {
        guard !entries.isEmpty else { return }
        let stamp = StoredTime.millis(date)
        // One row per member, the highest version winning and then the last given, as when written one by one (ON CONFLICT
        // cannot touch a row twice in one statement).
        var latest: [MemberID: Int] = [:]
        for (index, entry) in entries.enumerated() {
            if let kept = latest[entry.member], entries[kept].version > entry.version { continue }
            latest[entry.member] = index
        }
        let unique = latest.values.sorted().map { entries[$0] }
        // An entry older than the one stored changes nothing, and nothing is logged (`UpsertSearchEntries`).
        func values(_ batch: ArraySlice<SearchIndexEntry>) -> Values {
            var values = Values()
            values.add(stamp)
            values.add(batch.map(\.member.rawValue))
            values.add(batch.map(\.storedColumns))
            values.add(batch.map(\.attributes.stored))
            values.add(batch.map(\.version))
            return values
        }
        // One batch (a profile edit) is one statement, atomic by itself: one round trip, prepared.
        guard unique.count > Self.searchEntryBatch else {
            try await write(UpsertSearchEntries.self, values(unique[...]), logs: .none)
            return
        }
        try await transaction { c in
            var start = 0
            while start < unique.count {
                let batch = unique[start..<min(start + Self.searchEntryBatch, unique.count)]
                try await c.run(UpsertSearchEntries.self, values(batch), logger: self.logger)
                start += batch.count
            }
        }
    }

    public func deleteSearchEntry(_ member: MemberID) async throws {
        // The change is logged only when an entry went.
        try await statement(
            """
            WITH deleted AS (DELETE FROM profile_search WHERE member_id = \(member.rawValue) RETURNING member_id)
            INSERT INTO search_changes (member_id, at) SELECT member_id, \(StoredTime.millis(Date())) FROM deleted
            """, logs: .none)
    }

    public func profileVersions(of members: [MemberID]) async throws -> [MemberID: Int64] {
        guard !members.isEmpty else { return [:] }
        var versions: [MemberID: Int64] = [:]
        for try await (id, version) in try await client.query(
            "SELECT id, profile_version FROM members WHERE id = ANY(\(members.map(\.rawValue)))", logger: logger
        ).decode((String, Int64).self) {
            versions[MemberID(id)] = version
        }
        return versions
    }

    public func searchEntryCount() async throws -> Int {
        try await rows("SELECT COUNT(*) AS n FROM profile_search").first?["n"].decode(Int.self) ?? 0
    }

    static func storedEntries(_ rows: [PostgresRandomAccessRow]) throws -> [StoredSearchEntry] {
        try rows.compactMap { row in
            guard let attributes = SearchAttributes(stored: try row["attributes"].decode(String.self)) else { return nil }
            let member = MemberID(try row["member_id"].decode(String.self))
            return StoredSearchEntry(
                entry: SearchIndexEntry(
                    member: member, columns: SearchIndexEntry.columns(stored: try row["terms"].decode(String.self)), attributes: attributes,
                    version: try row["version"].decode(Int64.self)),
                indexedAt: StoredTime.date(try row["indexed_at"].decode(Int64.self)))
        }
    }

    public func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] {
        try Self.storedEntries(
            try await rows(
                """
                SELECT member_id, attributes, indexed_at, version, terms FROM profile_search WHERE member_id > \(after?.rawValue ?? "")
                ORDER BY member_id LIMIT \(max(0, limit))
                """))
    }

    public func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] {
        guard !members.isEmpty else { return [] }
        return try Self.storedEntries(
            try await rows(
                "SELECT member_id, attributes, indexed_at, version, terms FROM profile_search WHERE member_id = ANY(\(members.map(\.rawValue)))"))
    }

    public func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange] {
        var changes: [SearchChange] = []
        for try await (seq, member) in try await client.query(
            "SELECT seq, member_id FROM search_changes WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(0, limit))", logger: logger
        ).decode((Int64, String).self) {
            changes.append(SearchChange(sequence: seq, member: MemberID(member)))
        }
        return changes
    }

    public func searchChanges(sequences: [Int64]) async throws -> [SearchChange] {
        guard !sequences.isEmpty else { return [] }
        var changes: [SearchChange] = []
        for try await (seq, member) in try await client.query(
            "SELECT seq, member_id FROM search_changes WHERE seq = ANY(\(sequences)) ORDER BY seq", logger: logger
        ).decode((Int64, String).self) {
            changes.append(SearchChange(sequence: seq, member: MemberID(member)))
        }
        return changes
    }

    public func lastSearchChange() async throws -> Int64 {
        try await rows("SELECT COALESCE(MAX(seq), 0) AS n FROM search_changes").first?["n"].decode(Int64.self) ?? 0
    }

    public func pruneSearchChanges(before date: Date) async throws {
        // The last change is kept: a snapshot of the index taken at it is checked against it.
        try await client.query(
            "DELETE FROM search_changes WHERE at < \(StoredTime.millis(date)) AND seq < (SELECT max(seq) FROM search_changes)", logger: logger)
    }
}

/// `upsertSearchEntries`' statement with its values as arrays: $1 the time, then members, terms, attributes, versions.
/// Only the rows written are returned to the log's insert.
enum UpsertSearchEntries: FixedSQL {
    static let sql = """
        WITH written AS (
          INSERT INTO profile_search (member_id, terms, attributes, indexed_at, version)
          SELECT m, t, a, $1::bigint, v FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(m, t, a, v)
          ON CONFLICT (member_id) DO UPDATE SET terms = EXCLUDED.terms, attributes = EXCLUDED.attributes, indexed_at = EXCLUDED.indexed_at,
            version = EXCLUDED.version
          WHERE EXCLUDED.version >= profile_search.version
          RETURNING member_id
        )
        INSERT INTO search_changes (member_id, at) SELECT member_id, $1::bigint FROM written
        """
}
