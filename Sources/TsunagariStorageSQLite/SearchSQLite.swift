import Foundation
import GRDB
import TsunagariCore

/// The search index in an FTS5 table, one row per member, ranked by BM25 with each column's weight.
extension SQLiteStorage: SearchIndexStore {
    public func upsertSearchEntries(_ entries: [SearchIndexEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await write { db in
            let findDoc = try db.cachedStatement(sql: "SELECT doc FROM profile_search_ids WHERE member_id = ?")
            let newDoc = try db.cachedStatement(sql: "INSERT INTO profile_search_ids (member_id) VALUES (?)")
            let deleteRow = try db.cachedStatement(sql: "DELETE FROM profile_search WHERE rowid = ?")
            let columns = SearchColumn.allCases
            let insertRow = try db.cachedStatement(
                sql: """
                    INSERT INTO profile_search (rowid, member_id, \(columns.map(\.rawValue).joined(separator: ", ")))
                    VALUES (?, ?, \(columns.map { _ in "?" }.joined(separator: ", ")))
                    """)
            for entry in entries {
                let member = entry.member.rawValue
                let doc: Int64
                if let existing = try Int64.fetchOne(findDoc, arguments: [member]) {
                    try deleteRow.execute(arguments: [existing])
                    doc = existing
                } else {
                    try newDoc.execute(arguments: [member])
                    doc = db.lastInsertedRowID
                }
                var arguments: [(any DatabaseValueConvertible)?] = [doc, member]
                for column in columns { arguments.append(entry.columns[column] ?? "") }
                try insertRow.execute(arguments: StatementArguments(arguments))
            }
        }
    }

    public func deleteSearchEntry(_ member: MemberID) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM profile_search WHERE rowid IN (SELECT doc FROM profile_search_ids WHERE member_id = ?)",
                arguments: [member.rawValue])
            try db.execute(sql: "DELETE FROM profile_search_ids WHERE member_id = ?", arguments: [member.rawValue])
        }
    }

    public func searchEntryCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profile_search_ids") ?? 0 }
    }

    public func searchCandidates(_ query: IndexQuery, limit: Int) async throws -> [(member: MemberID, relevance: Double)] {
        guard limit > 0 else { return [] }
        let weights = SearchColumn.allCases.map { String($0.weight) }.joined(separator: ", ")
        let rows: [Row] = try await pool.read { db in
            switch FTSQuery.compile(query) {
            case .none:
                return []
            case .all:
                return try Row.fetchAll(
                    db, sql: "SELECT member_id, 0.0 AS relevance FROM profile_search ORDER BY member_id LIMIT ?", arguments: [limit])
            case .match(let expression):
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT member_id, -bm25(profile_search, 0, \(weights)) AS relevance FROM profile_search
                        WHERE profile_search MATCH ? ORDER BY relevance DESC, member_id LIMIT ?
                        """,
                    arguments: [expression, limit])
            case .excluding(let expression):
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT member_id, 0.0 AS relevance FROM profile_search
                        WHERE rowid NOT IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ?)
                        ORDER BY member_id LIMIT ?
                        """,
                    arguments: [expression, limit])
            }
        }
        return rows.map { (MemberID($0["member_id"]), $0["relevance"]) }
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
