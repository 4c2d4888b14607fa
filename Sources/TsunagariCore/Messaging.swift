import Foundation

public enum ConversationKind: String, Sendable, CaseIterable {
    /// Two connections.
    case direct
    /// Up to 50 connections of whoever started it.
    case group
    /// The requester, the intermediary and the target of a forwarded introduction.
    case introduction
    /// A recruiter and one member who is not their connection; opened with a credit of the monthly allowance.
    case recruiter
}

public struct Conversation: Hashable, Sendable {
    public var id: String
    public var kind: ConversationKind
    /// Who started it.
    public var creator: MemberID
    /// Its members now (a member who deleted their account has left).
    public var participants: [MemberID]
    /// For two-person conversations (direct and recruiter): the pair, so that one pair keeps one conversation.
    public var pairKey: String?
    public var createdAt: Date
    /// The time of the latest message.
    public var updatedAt: Date
    public var lastMessageID: String?
    /// Recruiter conversations: when the credit was spent (nil once it was given back).
    public var creditSpentAt: Date?

    public init(
        id: String, kind: ConversationKind, creator: MemberID, participants: [MemberID], pairKey: String?, createdAt: Date,
        updatedAt: Date, lastMessageID: String? = nil, creditSpentAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.creator = creator
        self.participants = participants
        self.pairKey = pairKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastMessageID = lastMessageID
        self.creditSpentAt = creditSpentAt
    }

    /// The key of the pair, the same whoever starts.
    public static func pairKey(_ a: MemberID, _ b: MemberID) -> String {
        a < b ? "\(a.rawValue)|\(b.rawValue)" : "\(b.rawValue)|\(a.rawValue)"
    }
}

public struct Message: Hashable, Sendable {
    public var id: String
    public var conversationID: String
    /// The sender; their account may have been deleted since (then shown as a deleted member).
    public var sender: MemberID
    public var text: String
    public var sentAt: Date

    public init(id: String, conversationID: String, sender: MemberID, text: String, sentAt: Date) {
        self.id = id
        self.conversationID = conversationID
        self.sender = sender
        self.text = text
        self.sentAt = sentAt
    }
}

/// A conversation as one participant sees it in their list.
public struct ConversationEntry: Hashable, Sendable {
    public var conversation: Conversation
    public var lastMessage: Message?
    /// Messages after the participant's read marker (all of them by others: sending moves the sender's marker), up
    /// to `MessagingLimits.unreadCap`.
    public var unreadCount: Int

    public init(conversation: Conversation, lastMessage: Message?, unreadCount: Int) {
        self.conversation = conversation
        self.lastMessage = lastMessage
        self.unreadCount = unreadCount
    }
}

/// Messaging limits; configurable, with the product's defaults.
public struct MessagingLimits: Hashable, Sendable {
    public var messageLength: Int
    /// Others in one conversation (50 people with the sender).
    public var maximumOthers: Int
    /// Recruiter conversations a recruiter may open per calendar month (UTC).
    public var recruiterAllowance: Int
    /// A reply within this time gives the recruiter's credit back.
    public var refundWindow: TimeInterval
    /// New conversations a member may start per day (spam).
    public var conversationsPerDay: Int
    /// New group conversations a member may start per day.
    public var groupsPerDay: Int
    /// Messages a member may send per minute, per instance.
    public var messagesPerMinute: Int

    public init(
        messageLength: Int = 8_000, maximumOthers: Int = 49, recruiterAllowance: Int = 30, refundWindow: TimeInterval = 90 * 24 * 60 * 60,
        conversationsPerDay: Int = 100, groupsPerDay: Int = 20, messagesPerMinute: Int = 60
    ) {
        self.messageLength = messageLength
        self.maximumOthers = maximumOthers
        self.recruiterAllowance = recruiterAllowance
        self.refundWindow = refundWindow
        self.conversationsPerDay = conversationsPerDay
        self.groupsPerDay = groupsPerDay
        self.messagesPerMinute = messagesPerMinute
    }

    public static let standard = MessagingLimits()
    /// Spam limits raised for load tests (the allowance and sizes stay).
    public static let relaxed = MessagingLimits(conversationsPerDay: 1_000_000, groupsPerDay: 1_000_000, messagesPerMinute: 1_000_000)
    public static let unreadCap = 100
}

/// Storage of conversations. Each method is one transaction.
public protocol MessagingStore: Sendable {
    /// Creates the conversation with its participants and first messages (oldest first), the creator's read marker
    /// at their last message. When `conversation.pairKey` is already taken, nothing is created: the messages are
    /// added to that conversation instead and it is returned with `created` false.
    func startConversation(_ conversation: Conversation, messages: [Message]) async throws -> (conversation: Conversation, created: Bool)
    func conversation(id: String) async throws -> Conversation?
    func conversation(pairKey: String) async throws -> Conversation?
    /// The conversation as `member` takes part in it, with the other participants either of whom blocked the other,
    /// in one read; nil when `member` is not a participant.
    func conversation(id: String, participant member: MemberID) async throws -> (conversation: Conversation, blocked: Set<MemberID>)?
    /// Adds a message from a participant: the conversation's latest message and time move, and the sender's read
    /// marker with them. False (nothing written) when the sender is not a participant.
    func addMessage(_ message: Message) async throws -> Bool
    func message(id: String) async throws -> Message?
    /// The member's conversations by latest activity, those whose last message id is before `cursor`.
    func conversations(of member: MemberID, before cursor: String?, limit: Int) async throws -> [ConversationEntry]
    func conversationEntry(id: String, for member: MemberID) async throws -> ConversationEntry?
    /// Newest first, ids before `cursor`.
    func messages(in conversation: String, before cursor: String?, limit: Int) async throws -> [Message]
    /// Messages in any of the member's conversations with ids after `after`, oldest first (a stream's catch-up).
    func messages(for member: MemberID, after: String, limit: Int) async throws -> [Message]
    /// Moves the member's read marker forward to `upTo` (never back). False when the member is not a participant.
    func markRead(conversation: String, member: MemberID, upTo: String) async throws -> Bool
    /// Conversations of the member with messages after their read marker.
    func unreadConversationCount(of member: MemberID) async throws -> Int
    /// Marks the introduction forwarded with the note and opens its conversation, in one transaction; false (nothing
    /// written) when the introduction is no longer pending.
    func forwardIntroduction(id: String, note: String?, at: Date, conversation: Conversation, messages: [Message]) async throws -> Bool
    /// Takes the recruiter's credit off the conversation once; returns when it was spent, or nil if already given back.
    func returnCredit(conversation: String) async throws -> Date?
}
