import Foundation

/// A search a member keeps: its query and filters, checked now and then for members who newly match.
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

    public init(id: String, member: MemberID, name: String, query: String, filters: String, createdAt: Date, checkedAt: Date) {
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
}
