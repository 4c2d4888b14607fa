import Foundation
import GRDB
import TsunagariCore

/// The search index in an FTS5 table, one row per member, ranked by BM25 with each column's weight.
extension SQLiteStorage: SearchIndexStore {
    public func upsertSearchEntries(_ entries: [SearchIndexEntry], at date: Date) async throws {
        guard !entries.isEmpty else { return }
        let stamp = StoredTime.millis(date)
        try await write { db in
            let findDoc = try db.cachedStatement(sql: "SELECT doc FROM profile_search_ids WHERE member_id = ?")
            let newDoc = try db.cachedStatement(sql: "INSERT INTO profile_search_ids (member_id, attributes, indexed_at) VALUES (?, ?, ?)")
            let updateDoc = try db.cachedStatement(sql: "UPDATE profile_search_ids SET attributes = ?, indexed_at = ? WHERE doc = ?")
            let deleteRow = try db.cachedStatement(sql: "DELETE FROM profile_search WHERE rowid = ?")
            let deleteName = try db.cachedStatement(sql: "DELETE FROM profile_names WHERE rowid = ?")
            let insertName = try db.cachedStatement(sql: "INSERT INTO profile_names (rowid, name) VALUES (?, ?)")
            let logChange = try db.cachedStatement(sql: "INSERT INTO search_changes (member_id, at) VALUES (?, ?)")
            let columns = SearchColumn.allCases
            let insertRow = try db.cachedStatement(
                sql: """
                    INSERT INTO profile_search (rowid, member_id, \(columns.map(\.rawValue).joined(separator: ", ")))
                    VALUES (?, ?, \(columns.map { _ in "?" }.joined(separator: ", ")))
                    """)
            for entry in entries {
                let member = entry.member.rawValue
                let facts: [(any DatabaseValueConvertible)?] = [entry.attributes.stored, stamp]
                let doc: Int64
                if let existing = try Int64.fetchOne(findDoc, arguments: [member]) {
                    try deleteRow.execute(arguments: [existing])
                    try deleteName.execute(arguments: [existing])
                    try updateDoc.execute(arguments: StatementArguments(facts + [existing]))
                    doc = existing
                } else {
                    try newDoc.execute(arguments: StatementArguments([member] + facts))
                    doc = db.lastInsertedRowID
                }
                var arguments: [(any DatabaseValueConvertible)?] = [doc, member]
                for column in columns { arguments.append(entry.columns[column] ?? "") }
                try insertRow.execute(arguments: StatementArguments(arguments))
                try insertName.execute(arguments: [doc, entry.columns[.name] ?? ""])
                try logChange.execute(arguments: [member, stamp])
            }
        }
    }

    public func deleteSearchEntry(_ member: MemberID) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM profile_search WHERE rowid IN (SELECT doc FROM profile_search_ids WHERE member_id = ?)",
                arguments: [member.rawValue])
            try db.execute(
                sql: "DELETE FROM profile_names WHERE rowid IN (SELECT doc FROM profile_search_ids WHERE member_id = ?)",
                arguments: [member.rawValue])
            try db.execute(sql: "DELETE FROM profile_search_ids WHERE member_id = ?", arguments: [member.rawValue])
            guard db.changesCount > 0 else { return }
            try db.execute(
                sql: "INSERT INTO search_changes (member_id, at) VALUES (?, ?)", arguments: [member.rawValue, StoredTime.millis(Date())])
        }
    }

    public func searchEntryCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profile_search_ids") ?? 0 }
    }

    /// The SQL conditions on `profile_search_ids AS i` for what is not a term (who, since when), with their
    /// arguments; nil when there are none.
    static func filterConditions(_ filters: IndexFilters) -> (sql: String, arguments: [(any DatabaseValueConvertible)?])? {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let among = filters.among {
            conditions.append("i.member_id IN (SELECT value FROM json_each(?))")
            arguments.append("[" + among.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]")
        }
        if let since = filters.changedSince {
            conditions.append("i.indexed_at >= ?")
            arguments.append(StoredTime.millis(since))
        }
        return conditions.isEmpty ? nil : (conditions.joined(separator: " AND "), arguments)
    }

    /// Below this many members in `among` or changed since, the index is probed per member (about 20 µs each)
    /// instead of every match being joined and tested.
    static let probeLimit = 5_000

    /// Whether the conditions leave so few members that probing each is cheaper than scanning the matches.
    static func fewRows(_ filters: IndexFilters, _ db: Database) throws -> Bool {
        if let among = filters.among, among.count <= probeLimit { return true }
        guard let since = filters.changedSince else { return false }
        let changed = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM profile_search_ids WHERE indexed_at >= ? LIMIT ?)",
            arguments: [StoredTime.millis(since), probeLimit + 1]) ?? 0
        return changed <= probeLimit
    }

    static func candidate(_ row: Row) -> SearchCandidate? {
        guard let attributes = SearchAttributes(stored: row["attributes"]) else { return nil }
        return SearchCandidate(member: MemberID(row["member_id"]), relevance: row["relevance"], attributes: attributes)
    }

    public func searchCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [SearchCandidate] {
        guard limit > 0 else { return [] }
        let weights = SearchColumn.allCases.map { String($0.weight) }.joined(separator: ", ")
        let conditions = Self.filterConditions(filters)
        let condition = conditions?.sql ?? "1"
        let filterArguments = conditions?.arguments ?? []
        let rows: [Row] = try await pool.read { db in
            switch FTSQuery.compile(query) {
            case .none:
                return []
            case .all:
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.member_id, i.attributes, 0.0 AS relevance FROM profile_search_ids i
                        WHERE \(condition) ORDER BY i.member_id LIMIT ?
                        """,
                    arguments: StatementArguments(filterArguments + [limit]))
            case .match(let expression) where conditions == nil:
                // Ranked in the index alone, at most the first `rankedMatches` matching rows (a broad query matches a
                // large share of all members, and bm25 costs microseconds a row); only the best `limit` rows are joined
                // for their attributes.
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.member_id, i.attributes, best.relevance FROM (
                          SELECT doc, relevance FROM (
                            SELECT rowid AS doc, -bm25(profile_search, 0, \(weights)) AS relevance FROM profile_search
                            WHERE profile_search MATCH ? LIMIT ?
                          ) ORDER BY relevance DESC, doc LIMIT ?
                        ) best JOIN profile_search_ids i ON i.doc = best.doc
                        ORDER BY best.relevance DESC, i.member_id
                        """,
                    arguments: [expression, SearchIndexLimits.rankedMatches, limit])
            case .match(let expression) where try Self.fewRows(filters, db):
                // Few members to look at (some connections, the entries changed since a saved search was last
                // checked): each is looked up in the index by its rowid, rather than every match joined and tested.
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.member_id, i.attributes, -bm25(profile_search, 0, \(weights)) AS relevance
                        FROM profile_search_ids i CROSS JOIN profile_search ON profile_search.rowid = i.doc
                        WHERE \(condition) AND profile_search MATCH ? ORDER BY relevance DESC, i.member_id LIMIT ?
                        """,
                    arguments: StatementArguments(filterArguments + [expression, limit]))
            case .match(let expression):
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.member_id, i.attributes, -bm25(profile_search, 0, \(weights)) AS relevance
                        FROM profile_search JOIN profile_search_ids i ON i.doc = profile_search.rowid
                        WHERE profile_search MATCH ? AND \(condition) ORDER BY relevance DESC, i.member_id LIMIT ?
                        """,
                    arguments: StatementArguments([expression] + filterArguments + [limit]))
            case .excluding(let expression):
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.member_id, i.attributes, 0.0 AS relevance FROM profile_search_ids i
                        WHERE i.doc NOT IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ?) AND \(condition)
                        ORDER BY i.member_id LIMIT ?
                        """,
                    arguments: StatementArguments([expression] + filterArguments + [limit]))
            }
        }
        return rows.compactMap(Self.candidate)
    }

    public func nameCandidates(_ terms: [String], among: [MemberID]?, limit: Int) async throws -> [SearchCandidate] {
        let words = terms.filter { !$0.isEmpty }
        guard limit > 0, !words.isEmpty else { return [] }
        // The terms in order, the last one a prefix: `"yamada ta" *`. Not ranked: a short prefix matches a large share
        // of all names, and the service orders what it gets by degree, mutual connections and name; the first rows
        // in the index's order let the scan stop early.
        let expression = "\"" + words.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\" *"
        let conditions = Self.filterConditions(IndexFilters(among: among))
        let condition = conditions?.sql ?? "1"
        let filterArguments = conditions?.arguments ?? []
        let probe = (among?.count ?? Int.max) <= Self.probeLimit
        let rows: [Row] = try await pool.read { db in
            if probe {
                // Among a few members (the viewer's connections): each is looked up by rowid, so a common prefix
                // with few of them among its matches costs no scan of all the matches.
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT i.member_id, i.attributes, 0.0 AS relevance
                        FROM profile_search_ids i CROSS JOIN profile_names ON profile_names.rowid = i.doc
                        WHERE \(condition) AND profile_names MATCH ? LIMIT ?
                        """,
                    arguments: StatementArguments(filterArguments + [expression, limit]))
            }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT i.member_id, i.attributes, 0.0 AS relevance
                    FROM profile_names JOIN profile_search_ids i ON i.doc = profile_names.rowid
                    WHERE profile_names MATCH ? AND \(condition) LIMIT ?
                    """,
                arguments: StatementArguments([expression] + filterArguments + [limit]))
        }
        return rows.compactMap(Self.candidate)
    }
}

/// The stored entries, for the index in memory, and the change log it catches up with.
extension SQLiteStorage: SearchEntrySource {
    static let entrySelect = """
        SELECT i.member_id, i.attributes, i.indexed_at, \(SearchColumn.allCases.map { "s." + $0.rawValue }.joined(separator: ", "))
        FROM profile_search_ids i CROSS JOIN profile_search s ON s.rowid = i.doc
        """

    static func storedEntry(_ row: Row) -> StoredSearchEntry? {
        guard let attributes = SearchAttributes(stored: row["attributes"]) else { return nil }
        var columns: [SearchColumn: String] = [:]
        for column in SearchColumn.allCases {
            if let text = row[column.rawValue] as String?, !text.isEmpty { columns[column] = text }
        }
        return StoredSearchEntry(
            entry: SearchIndexEntry(member: MemberID(row["member_id"]), columns: columns, attributes: attributes),
            indexedAt: StoredTime.date(row["indexed_at"]))
    }

    public func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "\(Self.entrySelect) WHERE i.member_id > ? ORDER BY i.member_id LIMIT ?",
                arguments: [after?.rawValue ?? "", max(0, limit)]
            ).compactMap(Self.storedEntry)
        }
    }

    public func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] {
        guard !members.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "\(Self.entrySelect) WHERE i.member_id IN (SELECT value FROM json_each(?))",
                arguments: [String(decoding: try JSONEncoder().encode(members.map(\.rawValue)), as: UTF8.self)]
            ).compactMap(Self.storedEntry)
        }
    }

    public func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, member_id FROM search_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [sequence, max(0, limit)]
            ).map { SearchChange(sequence: $0["seq"], member: MemberID($0["member_id"])) }
        }
    }

    public func lastSearchChange() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM search_changes") ?? 0 }
    }

    public func pruneSearchChanges(before date: Date) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM search_changes WHERE at < ?", arguments: [StoredTime.millis(date)])
        }
    }
}

/// An `IndexQuery` as FTS5 can evaluate it. FTS5's NOT is binary (`a NOT b`), so a query reduces to one of: nothing,
/// everything, the rows matching an expression, or every row except those matching one.
enum FTSQuery: Equatable {
    case none
    case all
    case match(String)
    case excluding(String)

    static func compile(_ query: IndexQuery) -> FTSQuery {
        switch query {
        case .sequence(let terms, let column):
            let words = terms.filter { !$0.isEmpty }
            guard !words.isEmpty else { return .none }
            let phrase = "\"" + words.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\""
            if let column { return .match("\(column.rawValue) : \(phrase)") }
            return .match(phrase)
        case .not(let inner):
            switch compile(inner) {
            case .none: return .all
            case .all: return .none
            case .match(let expression): return .excluding(expression)
            case .excluding(let expression): return .match(expression)
            }
        case .and(let parts):
            var positive: [String] = []
            var negative: [String] = []
            for part in parts {
                switch compile(part) {
                case .none: return .none
                case .all: continue
                case .match(let expression): positive.append(expression)
                case .excluding(let expression): negative.append(expression)
                }
            }
            // p1 AND p2 AND NOT n1 AND NOT n2 = (p1 AND p2) NOT (n1 OR n2)
            switch (positive.isEmpty, negative.isEmpty) {
            case (true, true): return .all
            case (false, true): return .match(group(positive, "AND"))
            case (true, false): return .excluding(group(negative, "OR"))
            case (false, false): return .match("\(group(positive, "AND")) NOT \(group(negative, "OR"))")
            }
        case .or(let parts):
            var positive: [String] = []
            var negative: [String] = []
            for part in parts {
                switch compile(part) {
                case .none: continue
                case .all: return .all
                case .match(let expression): positive.append(expression)
                case .excluding(let expression): negative.append(expression)
                }
            }
            // p1 OR p2 OR NOT n1 OR NOT n2 = NOT ((n1 AND n2) NOT (p1 OR p2))
            switch (positive.isEmpty, negative.isEmpty) {
            case (true, true): return .none
            case (false, true): return .match(group(positive, "OR"))
            case (true, false): return .excluding(group(negative, "AND"))
            case (false, false): return .excluding("\(group(negative, "AND")) NOT \(group(positive, "OR"))")
            }
        }
    }

    private static func group(_ expressions: [String], _ op: String) -> String {
        "(" + expressions.map { "(\($0))" }.joined(separator: " \(op) ") + ")"
    }
}
