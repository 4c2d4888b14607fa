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

public enum NotificationKind: String, Sendable, CaseIterable {
    /// New members match a saved search.
    case savedSearchMatches
}

/// Something a member is told about. Ids are time-ordered, so "read up to" is an id.
public struct MemberNotification: Hashable, Sendable {
    public var id: String
    public var member: MemberID
    public var kind: NotificationKind
    /// What it is about (for saved-search matches, the saved search).
    public var subjectID: String?
    /// The subject's name when the notification was made (the subject may be gone since).
    public var subjectName: String?
    /// The members it names, in order.
    public var members: [MemberID]
    /// How many things it counts (for saved-search matches, the new members; `members` holds the first few).
    public var count: Int
    public var createdAt: Date
    public var read: Bool

    public init(
        id: String, member: MemberID, kind: NotificationKind, subjectID: String?, subjectName: String?, members: [MemberID], count: Int,
        createdAt: Date, read: Bool = false
    ) {
        self.id = id
        self.member = member
        self.kind = kind
        self.subjectID = subjectID
        self.subjectName = subjectName
        self.members = members
        self.count = count
        self.createdAt = createdAt
        self.read = read
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

public protocol NotificationStore: Sendable {
    func createNotification(_ notification: MemberNotification) async throws
    /// Newest first, those with ids before `cursor`.
    func notifications(of member: MemberID, before cursor: String?, limit: Int) async throws -> [MemberNotification]
    func unreadNotificationCount(of member: MemberID) async throws -> Int
    /// Marks the member's notifications with ids up to and including `upTo` as read; returns how many changed.
    func markNotificationsRead(of member: MemberID, upTo: String) async throws -> Int
}
