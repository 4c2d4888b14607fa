import Foundation

/// The searchable columns of a profile, each weighted in relevance ranking (title and headline above
/// descriptions, as recruiters expect).
public enum SearchColumn: String, Sendable, CaseIterable {
    case name
    case title
    case company
    case school
    case skill
    case headline
    case about
    case location

    /// Relevance weight (BM25-like ranking multiplies a column's score by it).
    public var weight: Double {
        switch self {
        case .name: 8
        case .title, .headline: 5
        case .company, .skill: 3
        case .school: 2
        case .about, .location: 1
        }
    }
}

/// A profile as the search index stores it: for each column, its text already analysed into terms
/// (words and CJK bigrams) by the one analyser both databases share, in order, space-separated.
public struct SearchIndexEntry: Hashable, Sendable {
    public var member: MemberID
    public var columns: [SearchColumn: String]

    public init(member: MemberID, columns: [SearchColumn: String]) {
        self.member = member
        self.columns = columns
    }
}

/// A query as the index evaluates it: sequences of analysed terms that must stand consecutively
/// (a word is a sequence of one; a phrase or a CJK substring of two or more characters is longer),
/// optionally in one column, combined with AND, OR and NOT.
public indirect enum IndexQuery: Hashable, Sendable {
    case sequence([String], column: SearchColumn?)
    case and([IndexQuery])
    case or([IndexQuery])
    case not(IndexQuery)
}

/// The search index in storage. Each method is one transaction.
public protocol SearchIndexStore: Sendable {
    /// Inserts or replaces the entries.
    func upsertSearchEntries(_ entries: [SearchIndexEntry]) async throws
    func deleteSearchEntry(_ member: MemberID) async throws
    /// Members matching the query, best first by weighted relevance, at most `limit`. A query that is
    /// only negations matches every member not excluded.
    func searchCandidates(_ query: IndexQuery, limit: Int) async throws -> [(member: MemberID, relevance: Double)]
    func searchEntryCount() async throws -> Int
}

/// The one seam through which profile changes reach side effects such as the search index.
public protocol ProfileChangeObserver: Sendable {
    /// Called after a change to the member's profile was stored.
    func profileChanged(_ member: MemberID) async
}
