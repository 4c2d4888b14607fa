import Foundation

public enum InvitationStatus: String, Sendable, CaseIterable {
    case pending
    case accepted
    /// The invitee ignored it. The sender is never told: to them it stays pending.
    case ignored
    /// The sender took it back; they may not invite the same member again for a while.
    case withdrawn

    /// Still waiting for an answer: pending, or ignored (which its sender still sees as pending).
    public var isOpen: Bool { self == .pending || self == .ignored }
}

public struct Invitation: Hashable, Sendable {
    public var id: String
    public var from: MemberID
    public var to: MemberID
    public var message: String?
    public var status: InvitationStatus
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, from: MemberID, to: MemberID, message: String?, status: InvitationStatus, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.from = from
        self.to = to
        self.message = message
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What `viewer` may know of the status: an ignored invitation looks pending to its sender.
    public func status(seenBy viewer: MemberID) -> InvitationStatus {
        status == .ignored && viewer == from ? .pending : status
    }
}

extension Invitation {
    /// The members `member` has an open invitation with, sent or received, among `invitations`.
    public static func openPartners(of member: MemberID, in invitations: [Invitation]) -> Set<MemberID> {
        Set(invitations.lazy.filter(\.status.isOpen).map { $0.from == member ? $0.to : $0.from })
    }
}

public struct Connection: Hashable, Sendable {
    public var member: MemberID
    public var other: MemberID
    public var connectedAt: Date

    public init(member: MemberID, other: MemberID, connectedAt: Date) {
        self.member = member
        self.other = other
        self.connectedAt = connectedAt
    }
}

public enum IntroductionStatus: String, Sendable, CaseIterable {
    case pending
    case forwarded
    /// The intermediary declined; the requester is never told, it stays pending for them.
    case declined
    /// Asked of a connection who does not lead to the target: it reaches no one, and stays pending for the
    /// requester, who may not know whom that connection knows.
    case unroutable
}

/// A request from `requester` to their connection `via` to introduce them to `target`.
public struct Introduction: Hashable, Sendable {
    public var id: String
    public var requester: MemberID
    public var via: MemberID
    public var target: MemberID
    public var message: String
    public var status: IntroductionStatus
    public var forwardNote: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The conversation of the three, opened when the intermediary forwards it.
    public var conversationID: String?

    public init(
        id: String, requester: MemberID, via: MemberID, target: MemberID, message: String, status: IntroductionStatus,
        forwardNote: String?, createdAt: Date, updatedAt: Date, conversationID: String? = nil
    ) {
        self.conversationID = conversationID
        self.id = id
        self.requester = requester
        self.via = via
        self.target = target
        self.message = message
        self.status = status
        self.forwardNote = forwardNote
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The three people involved, and no one else, may see it; the target only once it is forwarded.
    public func isVisible(to viewer: MemberID) -> Bool {
        viewer == requester || (viewer == via && status != .unroutable) || (viewer == target && status == .forwarded)
    }

    public func status(seenBy viewer: MemberID) -> IntroductionStatus {
        (status == .declined || status == .unroutable) && viewer == requester ? .pending : status
    }
}

/// One change to the connection graph, in the order the database committed them. Every instance
/// replays the log so that an instance sees another's change (within a second).
public struct GraphChange: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case connected
        case disconnected
        /// A member left: every connection of `a` is gone.
        case memberRemoved
        /// `a` now hides their connection list from everyone (`onlyMe`).
        case listHidden
        /// `a` now shows their connection list to their connections.
        case listShown
        /// `a` follows `b` (again).
        case followed
        /// `a` no longer follows `b` (the connection, if any, stays).
        case unfollowed
        /// An operator suspended `a`: the graph shows them with no connections (storage keeps every row).
        case memberSuspended
        /// An operator restored `a`: their stored connections count again.
        case memberRestored
    }

    public var sequence: Int64
    public var kind: Kind
    public var a: MemberID
    public var b: MemberID?

    public init(sequence: Int64, kind: Kind, a: MemberID, b: MemberID?) {
        self.sequence = sequence
        self.kind = kind
        self.a = a
        self.b = b
    }
}

/// Network limits; configurable, with the product's defaults.
public struct NetworkLimits: Hashable, Sendable {
    public var maximumConnections: Int
    public var invitationsPerWeek: Int
    public var pendingInvitations: Int
    /// How long a member who withdrew an invitation must wait before inviting the same member again.
    public var reinviteCooldown: TimeInterval
    public var invitationMessageLength: Int
    /// How often a member may read their suggestions in an hour (a cap against harvesting the graph through them).
    public var suggestionReadsPerHour: Int

    public init(
        maximumConnections: Int = 30_000, invitationsPerWeek: Int = 100, pendingInvitations: Int = 500,
        reinviteCooldown: TimeInterval = 21 * 24 * 60 * 60, invitationMessageLength: Int = 300, suggestionReadsPerHour: Int = 600
    ) {
        self.suggestionReadsPerHour = suggestionReadsPerHour
        self.maximumConnections = maximumConnections
        self.invitationsPerWeek = invitationsPerWeek
        self.pendingInvitations = pendingInvitations
        self.reinviteCooldown = reinviteCooldown
        self.invitationMessageLength = invitationMessageLength
    }

    public static let standard = NetworkLimits()
    public static let relaxed = NetworkLimits(invitationsPerWeek: 1_000_000, pendingInvitations: 1_000_000, suggestionReadsPerHour: 1_000_000)
}

/// 404 for a member who does not exist, or who blocked the viewer or was blocked by them: one check for
/// every service that names a member.
func requireMemberVisible(_ member: MemberID, to viewer: MemberID, in storage: any Storage & NetworkStore) async throws {
    guard member.rawValue.utf8.count <= 64, try await storage.account(id: member)?.isActive == true,
        !(try await storage.blockedEitherWay(viewer)).contains(member)
    else { throw DomainError.notFound("Member") }
}
