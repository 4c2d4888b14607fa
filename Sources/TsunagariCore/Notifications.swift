import Foundation

/// What a member can be told about (API.md "Notifications and live events"). Messages are counted in
/// conversations, never as notifications.
public enum NotificationKind: String, Sendable, CaseIterable {
    case invitationReceived
    case invitationAccepted
    /// To the intermediary.
    case introductionRequested
    /// To the target and to the requester.
    case introductionForwarded
    case mention
    /// On the member's post.
    case comment
    /// On the member's post; reactions on one post gather into one notification with a count.
    case reaction
    case repost
    /// To the job's poster.
    case jobApplication
    case referralRequested
    case referralGiven
    /// New members match a saved search.
    case savedSearchMatches
}

/// Something a member is told about. Ids are time-ordered, so "read up to" is an id.
public struct MemberNotification: Hashable, Sendable {
    public var id: String
    public var member: MemberID
    public var kind: NotificationKind
    /// Who did it (nil for saved-search matches).
    public var actor: MemberID?
    /// What it is about: the introduction, post, job or saved search.
    public var subjectID: String?
    /// The subject's name when the notification was made (the subject may be gone since).
    public var subjectName: String?
    /// A conversation it leads to (a forwarded introduction's).
    public var conversationID: String?
    /// The members it names, newest first (for gathered reactions, the latest few; for saved-search matches, the
    /// first few new members).
    public var members: [MemberID]
    /// How many things it counts (reactions gathered, new members matching).
    public var count: Int
    /// Unread notifications with the same key gather into one (reactions on one post).
    public var groupKey: String?
    public var createdAt: Date
    public var read: Bool

    public init(
        id: String, member: MemberID, kind: NotificationKind, actor: MemberID? = nil, subjectID: String?, subjectName: String?,
        conversationID: String? = nil, members: [MemberID], count: Int, groupKey: String? = nil, createdAt: Date, read: Bool = false
    ) {
        self.id = id
        self.member = member
        self.kind = kind
        self.actor = actor
        self.subjectID = subjectID
        self.subjectName = subjectName
        self.conversationID = conversationID
        self.members = members
        self.count = count
        self.groupKey = groupKey
        self.createdAt = createdAt
        self.read = read
    }
}

public protocol NotificationStore: Sendable {
    func createNotification(_ notification: MemberNotification) async throws
    /// Stores a notification that gathers with an unread one of the same member and `groupKey`: in one
    /// transaction the older one is replaced by this one, its count added and its members kept after this one's
    /// (at most `keep`). Returns the notification as stored (with this one's id).
    func gatherNotification(_ notification: MemberNotification, keep: Int) async throws -> MemberNotification
    func notification(id: String) async throws -> MemberNotification?
    /// Newest first, those with ids before `cursor`.
    func notifications(of member: MemberID, before cursor: String?, limit: Int) async throws -> [MemberNotification]
    /// Oldest first, those with ids after `after`: what a reconnecting event stream missed.
    func notifications(of member: MemberID, after: String, limit: Int) async throws -> [MemberNotification]
    /// Unread ones, newest first, at most `limit`.
    func unreadNotifications(of member: MemberID, limit: Int) async throws -> [MemberNotification]
    func unreadNotificationCount(of member: MemberID) async throws -> Int
    /// Marks the member's notifications with ids up to and including `upTo` as read; returns how many changed.
    func markNotificationsRead(of member: MemberID, upTo: String) async throws -> Int
}

/// Something that happened to which notifications may answer. Every happening of the product is named here, the
/// silent ones too, so that the rules of who is told what live in one table (`NotificationService.drafts`).
public enum Happening: Hashable, Sendable {
    case invitationSent(Invitation)
    case invitationAccepted(Invitation)
    case invitationIgnored(Invitation)
    case invitationWithdrawn(Invitation)
    case connectionRemoved(by: MemberID, other: MemberID)
    case unfollowed(by: MemberID, other: MemberID)
    case blocked(by: MemberID, other: MemberID)
    case introductionRequested(Introduction)
    case introductionForwarded(Introduction)
    case introductionDeclined(Introduction)
    case mentioned(member: MemberID, by: MemberID, post: String)
    case commented(postAuthor: MemberID, by: MemberID, post: String, comment: String)
    case reacted(postAuthor: MemberID, by: MemberID, post: String)
    case reposted(postAuthor: MemberID, by: MemberID, post: String)
    case appliedToJob(poster: MemberID, applicant: MemberID, job: String, title: String)
    case referralRequested(referrer: MemberID, by: MemberID, job: String, title: String)
    case referralGiven(candidate: MemberID, by: MemberID, job: String, title: String)
    case referralDeclined(candidate: MemberID, by: MemberID, job: String)
}

/// What a live event stream carries: a reference to what happened, rendered for each viewer when delivered (so
/// blocks and privacy apply at that moment). Crosses instances as a short text (`encoded`).
public enum LiveEvent: Hashable, Sendable {
    /// A message was added; every participant (the sender too, for their other windows) is told.
    case message(conversation: String, message: String, recipients: [MemberID])
    case notification(id: String, member: MemberID)
    /// The member's unread counts changed (they read something elsewhere).
    case unread(member: MemberID)
    /// A new post: every stream whose member's feed it reaches is told ("new posts"). It names no one, as those
    /// members are found from the graph index on each instance.
    case posted(post: String, author: MemberID)

    /// The members whose streams it is for.
    public var members: [MemberID] {
        switch self {
        case .message(_, _, let recipients): recipients
        case .notification(_, let member), .unread(let member): [member]
        case .posted: []
        }
    }

    /// Space-separated fields; ids hold no spaces. At most 8,000 bytes (PostgreSQL's NOTIFY payload limit) for the
    /// largest group.
    public var encoded: String {
        switch self {
        case .message(let conversation, let message, let recipients):
            "m \(conversation) \(message) " + recipients.map(\.rawValue).joined(separator: ",")
        case .notification(let id, let member): "n \(id) \(member.rawValue)"
        case .unread(let member): "u \(member.rawValue)"
        case .posted(let post, let author): "p \(post) \(author.rawValue)"
        }
    }

    public init?(encoded text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("m", 4):
            let recipients = parts[3].split(separator: ",").map { MemberID(String($0)) }
            guard !parts[1].isEmpty, !parts[2].isEmpty, !recipients.isEmpty else { return nil }
            self = .message(conversation: parts[1], message: parts[2], recipients: recipients)
        case ("n", 3):
            guard !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
            self = .notification(id: parts[1], member: MemberID(parts[2]))
        case ("p", 3):
            guard !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
            self = .posted(post: parts[1], author: MemberID(parts[2]))
        case ("u", 2):
            guard !parts[1].isEmpty else { return nil }
            self = .unread(member: MemberID(parts[1]))
        default:
            return nil
        }
    }
}

/// Carries live events to every instance that shares the database: in process for SQLite (one process), by
/// PostgreSQL's `LISTEN/NOTIFY` between processes.
public protocol LiveEventChannel: Sendable {
    /// Sends the event to every instance, this one included. Best effort: what is stored is the truth, and a stream
    /// that reconnects catches up from storage.
    func publish(_ event: LiveEvent) async
    /// Every event published on any instance, from now on. One consumer per call.
    func events() -> AsyncStream<LiveEvent>
}

/// The channel within one process.
public final class LocalEventChannel: LiveEventChannel, @unchecked Sendable {
    private let subscribers = LockedValue<[Int: AsyncStream<LiveEvent>.Continuation]>([:])
    private let nextID = LockedValue(0)

    public init() {}

    public func publish(_ event: LiveEvent) async {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(event) }
    }

    public func events() -> AsyncStream<LiveEvent> {
        let id = nextID.withLock { value -> Int in
            value += 1
            return value
        }
        let (stream, continuation) = AsyncStream<LiveEvent>.makeStream(bufferingPolicy: .bufferingNewest(100_000))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }
}
