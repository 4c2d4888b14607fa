import Foundation

/// What a saved search looks for.
public enum SavedSearchKind: String, Sendable, CaseIterable {
    case people
    case jobs
}

/// A search a member keeps: its query and filters, checked now and then for members (or open jobs) who newly match.
public struct SavedSearch: Hashable, Sendable {
    public var id: String
    public var member: MemberID
    public var name: String
    public var query: String
    /// The filters as the search form writes them (`currentCompany=…&location=…`).
    public var filters: String
    public var createdAt: Date
    /// When the index was last asked for new matches; entries indexed since then are checked next.
    public var checkedAt: Date
    public var kind: SavedSearchKind

    public init(
        id: String, member: MemberID, name: String, query: String, filters: String, createdAt: Date, checkedAt: Date, kind: SavedSearchKind = .people
    ) {
        self.kind = kind
        self.id = id
        self.member = member
        self.name = name
        self.query = query
        self.filters = filters
        self.createdAt = createdAt
        self.checkedAt = checkedAt
    }
}

public protocol SavedSearchStore: Sendable {
    /// Stores the search and the members matching it now, who will not be announced as new.
    func createSavedSearch(_ search: SavedSearch, matching: [MemberID]) async throws
    func savedSearch(id: String) async throws -> SavedSearch?
    /// Oldest first.
    func savedSearches(of member: MemberID) async throws -> [SavedSearch]
    func deleteSavedSearch(id: String, of member: MemberID) async throws -> Bool
    /// Searches last checked before `before`, least recently checked first.
    func savedSearchesDue(before: Date, limit: Int) async throws -> [SavedSearch]
    /// Moves `checkedAt` from `from` to `to` unless another instance already did; true when this call did.
    func claimSavedSearch(id: String, checkedAt from: Date, to: Date) async throws -> Bool
    /// Of `members`, those not yet recorded as matching the search.
    func unseenMatches(of search: String, among members: [MemberID]) async throws -> [MemberID]
    /// Records the members as matching and stores the notification, in one transaction.
    func recordMatches(of search: String, _ members: [MemberID], notification: MemberNotification?) async throws
    /// Stores a saved job search and the jobs matching it now, which will not be announced as new.
    func createSavedSearch(_ search: SavedSearch, matchingJobs: [String]) async throws
    /// Of `jobs`, those not yet recorded as matching the saved job search.
    func unseenJobMatches(of search: String, among jobs: [String]) async throws -> [String]
    /// Records the jobs as matching and stores the notification, in one transaction.
    func recordJobMatches(of search: String, _ jobs: [String], notification: MemberNotification?) async throws
}
