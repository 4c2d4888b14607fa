import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// The search index as tsvectors built from the analysed terms (never by to_tsvector's parser), one row per member,
/// ranked by ts_rank over all columns weighted A (name, title, headline), B (company, skill, school), C (about, location).
extension PostgresStorage: SearchIndexStore {
    static let searchColumns = SearchColumn.allCases

    static func vectorColumn(_ column: SearchColumn) -> String { "\(column.rawValue)_tsv" }

    static func searchWeight(_ column: SearchColumn) -> String {
        switch column {
        case .name, .title, .headline: "A"
        case .company, .skill, .school: "B"
        case .about, .location: "C"
        case .filters: "D"
        }
    }

    /// ts_rank's weights for {D, C, B, A}, in proportion to the columns' weights.
    static let rankWeights = "{0.0, 0.1, 0.3, 0.6}"

    /// The largest position a tsvector keeps; larger ones are stored as this.
    static let maxPosition = 16_383
    /// Positions skipped between columns in all_terms, so that a phrase never spans two columns.
    static let columnGap = 100

    /// The longest lexeme PostgreSQL accepts, in bytes.
    static let maxLexemeBytes = 2_046

    /// A lexeme as tsvector and tsquery input read it: single-quoted, with `'` doubled and `\` escaped. A term longer
    /// than a lexeme may be is cut to its first 2,046 bytes (whole characters), in the index and in queries alike.
    static func quoted(_ term: String) -> String {
        var term = term
        if term.utf8.count > maxLexemeBytes {
            var scalars = String.UnicodeScalarView()
            var bytes = 0
            for scalar in term.unicodeScalars {
                bytes += String(scalar).utf8.count
                if bytes > maxLexemeBytes { break }
                scalars.append(scalar)
            }
            term = String(scalars)
        }
        return "'" + term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func terms(_ text: String?) -> [String] {
        (text ?? "").split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    /// tsvector input for `terms` at positions `start`, `start + 1`, …, each with `weight` if given.
    static func vector(_ terms: [String], from start: Int, weight: String = "") -> String {
        terms.enumerated().map { index, term in
            "\(quoted(term)):\(min(start + index, maxPosition))\(weight)"
        }.joined(separator: " ")
    }

    /// The tsvector input of each column and of all_terms.
    static func vectors(_ entry: SearchIndexEntry) -> (columns: [String], all: String) {
        var columns: [String] = []
        var all: [String] = []
        var offset = 1
        for column in searchColumns {
            let words = terms(entry.columns[column])
            columns.append(vector(words, from: 1))
            if !words.isEmpty {
                all.append(vector(words, from: offset, weight: searchWeight(column)))
                offset += words.count + columnGap
            }
        }
        return (columns, all.joined(separator: " "))
    }

    static let factColumns = ["attributes", "indexed_at", "terms"]

    public func upsertSearchEntries(_ entries: [SearchIndexEntry], at date: Date) async throws {
        let stamp = StoredTime.millis(date)
        guard !entries.isEmpty else { return }
        // One row per member, the last entry given winning (ON CONFLICT cannot touch a row twice in one statement).
        var latest: [MemberID: Int] = [:]
        for (index, entry) in entries.enumerated() { latest[entry.member] = index }
        let unique = latest.values.sorted().map { entries[$0] }
        let names = ["member_id"] + Self.searchColumns.map(Self.vectorColumn) + ["all_terms"] + Self.factColumns
        let updates = names.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        let perStatement = max(1, Self.parametersPerStatement / names.count)
        try await transaction { c in
            var start = 0
            while start < unique.count {
                let end = min(start + perStatement, unique.count)
                var bindings = PostgresBindings(capacity: (end - start) * names.count)
                var tuples: [String] = []
                var parameter = 0
                for entry in unique[start..<end] {
                    let (columns, all) = Self.vectors(entry)
                    parameter += 1
                    var marks = ["$\(parameter)"]
                    bindings.append(entry.member.rawValue)
                    for value in columns + [all] {
                        parameter += 1
                        marks.append("$\(parameter)::tsvector")
                        bindings.append(value)
                    }
                    marks.append("$\(parameter + 1)")
                    bindings.append(entry.attributes.stored)
                    marks.append("$\(parameter + 2)")
                    bindings.append(stamp)
                    marks.append("$\(parameter + 3)")
                    bindings.append(entry.storedColumns)
                    parameter += 3
                    tuples.append("(" + marks.joined(separator: ", ") + ")")
                }
                let sql = """
                    INSERT INTO profile_search (\(names.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))
                    ON CONFLICT (member_id) DO UPDATE SET \(updates)
                    """
                try await c.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: self.logger)
                start = end
            }
            try await c.query(
                """
                INSERT INTO search_changes (member_id, at) SELECT m, \(stamp) FROM unnest(\(unique.map(\.member.rawValue))::text[]) AS m
                """, logger: self.logger)
        }
    }

    public func deleteSearchEntry(_ member: MemberID) async throws {
        try await transaction { c in
            let deleted = try await c.query(
                "DELETE FROM profile_search WHERE member_id = \(member.rawValue) RETURNING member_id", logger: self.logger
            ).collect()
            guard !deleted.isEmpty else { return }
            try await c.query(
                "INSERT INTO search_changes (member_id, at) VALUES (\(member.rawValue), \(StoredTime.millis(Date())))", logger: self.logger)
        }
    }

    public func searchEntryCount() async throws -> Int {
        try await rows("SELECT COUNT(*) AS n FROM profile_search").first?["n"].decode(Int.self) ?? 0
    }

    /// The SQL conditions for what is not a term (who, since when), binding from `bindings`.
    static func filterConditions(_ filters: IndexFilters, _ bindings: inout PostgresBindings) -> String {
        var conditions: [String] = []
        func bind(_ value: some PostgresNonThrowingEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        if let among = filters.among { conditions.append("member_id = ANY(\(bind(among.map(\.rawValue))))") }
        if let since = filters.changedSince { conditions.append("indexed_at >= \(bind(StoredTime.millis(since)))") }
        return conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ")
    }

    static func candidate(_ row: PostgresRandomAccessRow) throws -> SearchCandidate? {
        guard let attributes = SearchAttributes(stored: try row["attributes"].decode(String.self)) else { return nil }
        return SearchCandidate(
            member: MemberID(try row["member_id"].decode(String.self)), relevance: try row["relevance"].decode(Double.self), attributes: attributes)
    }

    public func searchCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [SearchCandidate] {
        guard limit > 0 else { return [] }
        var builder = TSQueryBuilder()
        let condition = builder.condition(query, negated: false)
        var bindings = builder.bindings
        let rank: String
        if builder.positive.isEmpty {
            rank = "0::float8"
        } else {
            bindings.append(builder.positive.map { "(\($0))" }.joined(separator: " | "))
            rank = "ts_rank('\(Self.rankWeights)', all_terms, $\(bindings.count)::tsquery)::float8"
        }
        let filter = Self.filterConditions(filters, &bindings)
        bindings.append(SearchIndexLimits.rankedMatches)
        let ranked = bindings.count
        bindings.append(limit)
        // At most the first `rankedMatches` matching rows are ranked: a broad query would otherwise read and rank the
        // vectors of a large share of all rows.
        let sql = """
            SELECT member_id, attributes, \(rank) AS relevance FROM (
              SELECT member_id, attributes, all_terms FROM profile_search WHERE \(condition) AND \(filter) LIMIT $\(ranked)
            ) matched
            ORDER BY relevance DESC, member_id LIMIT $\(bindings.count)
            """
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).compactMap(Self.candidate)
    }

    public func nameCandidates(_ terms: [String], among: [MemberID]?, limit: Int) async throws -> [SearchCandidate] {
        let words = terms.filter { !$0.isEmpty }
        guard limit > 0, !words.isEmpty else { return [] }
        // The terms in order, the last one a prefix: 'yamada' <-> 'ta':*. Not ranked (see the SQLite adapter): the
        // service orders by degree, mutual connections and name.
        let tsquery = words.map(Self.quoted).joined(separator: " <-> ") + ":*"
        var bindings = PostgresBindings()
        bindings.append(tsquery)
        let filter = Self.filterConditions(IndexFilters(among: among), &bindings)
        bindings.append(limit)
        let sql = """
            SELECT member_id, attributes, 0::float8 AS relevance FROM profile_search
            WHERE name_tsv @@ $1::tsquery AND \(filter) LIMIT $\(bindings.count)
            """
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).compactMap(Self.candidate)
    }
}

/// Turns an `IndexQuery` into an SQL condition whose leaves test a tsvector against a bound tsquery, and collects the
/// tsqueries of the leaves that count for a match (those under no NOT, or under an even number), for ranking.
struct TSQueryBuilder {
    var bindings = PostgresBindings()
    var parameters = 0
    var positive: [String] = []

    mutating func condition(_ query: IndexQuery, negated: Bool) -> String {
        switch query {
        case .sequence(let terms, let column):
            let words = terms.filter { !$0.isEmpty }
            guard !words.isEmpty else { return "FALSE" }
            let tsquery = words.map(PostgresStorage.quoted).joined(separator: " <-> ")
            if !negated { positive.append(tsquery) }
            parameters += 1
            bindings.append(tsquery)
            let mark = "$\(parameters)::tsquery"
            if let column {
                // all_terms holds the column's terms too: the GIN index finds the rows, the column's vector decides.
                return "(all_terms @@ \(mark) AND \(PostgresStorage.vectorColumn(column)) @@ \(mark))"
            }
            return "(all_terms @@ \(mark))"
        case .and(let parts):
            guard !parts.isEmpty else { return "TRUE" }
            return "(" + parts.map { condition($0, negated: negated) }.joined(separator: " AND ") + ")"
        case .or(let parts):
            guard !parts.isEmpty else { return "FALSE" }
            return "(" + parts.map { condition($0, negated: negated) }.joined(separator: " OR ") + ")"
        case .not(let inner):
            return "(NOT \(condition(inner, negated: !negated)))"
        }
    }
}

/// The stored entries, for the index in memory, and the change log it catches up with.
extension PostgresStorage: SearchEntrySource {
    static func storedEntries(_ rows: [PostgresRandomAccessRow]) throws -> [StoredSearchEntry] {
        try rows.compactMap { row in
            guard let attributes = SearchAttributes(stored: try row["attributes"].decode(String.self)) else { return nil }
            let member = MemberID(try row["member_id"].decode(String.self))
            return StoredSearchEntry(
                entry: SearchIndexEntry(
                    member: member, columns: SearchIndexEntry.columns(stored: try row["terms"].decode(String.self)), attributes: attributes),
                indexedAt: StoredTime.date(try row["indexed_at"].decode(Int64.self)))
        }
    }

    public func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] {
        try Self.storedEntries(
            try await rows(
                """
                SELECT member_id, attributes, indexed_at, terms FROM profile_search WHERE member_id > \(after?.rawValue ?? "")
                ORDER BY member_id LIMIT \(max(0, limit))
                """))
    }

    public func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] {
        guard !members.isEmpty else { return [] }
        return try Self.storedEntries(
            try await rows(
                "SELECT member_id, attributes, indexed_at, terms FROM profile_search WHERE member_id = ANY(\(members.map(\.rawValue)))"))
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

    public func lastSearchChange() async throws -> Int64 {
        try await rows("SELECT COALESCE(MAX(seq), 0) AS n FROM search_changes").first?["n"].decode(Int64.self) ?? 0
    }

    public func pruneSearchChanges(before date: Date) async throws {
        try await client.query("DELETE FROM search_changes WHERE at < \(StoredTime.millis(date))", logger: logger)
    }
}
