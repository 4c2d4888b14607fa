import Foundation

/// Invitations, connections, follows and blocks. Every rule of the connection lifecycle is here; storage
/// makes each step atomic and the graph index learns of each change in the same request.
public struct ConnectionService: Sendable {
    public typealias Store = NetworkStore & Storage

    let storage: any Store
    let graph: any ConnectionGraph
    let clock: any Clock
    let limits: NetworkLimits
    let notifications: NotificationService?

    public init(
        storage: any Store, graph: any ConnectionGraph, clock: any Clock, limits: NetworkLimits, notifications: NotificationService? = nil
    ) {
        self.storage = storage
        self.graph = graph
        self.clock = clock
        self.limits = limits
        self.notifications = notifications
    }

    private func record(_ happening: Happening) async {
        await notifications?.record(happening)
    }

    /// 404 for a member who does not exist or who blocked the viewer (or was blocked by them).
    func requireVisible(_ member: MemberID, to viewer: MemberID) async throws {
        try await requireMemberVisible(member, to: viewer, in: storage)
    }

    public enum InvitationOutcome: Sendable, Equatable {
        case sent(Invitation)
        /// The invitee had already invited the viewer: they are connected now.
        case connected
    }

    public func invite(from viewer: MemberID, to invitee: MemberID, message rawMessage: String?) async throws -> InvitationOutcome {
        guard viewer != invitee else { throw DomainError.invalid("cannot_invite_self", "You cannot invite yourself.") }
        try await requireVisible(invitee, to: viewer)
        var message: String?
        if let rawMessage {
            message = try TextRule.clean(rawMessage, field: "Message", limit: limits.invitationMessageLength, multiline: true)
        }
        // A connection made a moment ago by another instance, not yet in this one's graph, is refused by the insert.
        if graph.areConnected(viewer, invitee) {
            throw DomainError.alreadyConnected
        }
        if let open = try await storage.openInvitation(between: viewer, and: invitee) {
            if open.from == viewer {
                throw DomainError(.conflict, code: "already_invited", message: "You have already invited this member.")
            }
            // They invited us first: a mutual invitation connects at once, also when we had ignored theirs.
            if open.status == .ignored { try await storage.setInvitationStatus(id: open.id, .pending, at: clock.now()) }
            try await accept(open, by: viewer)
            return .connected
        }
        let now = clock.now()
        if let withdrawn = try await storage.lastWithdrawal(from: viewer, to: invitee),
            withdrawn.addingTimeInterval(limits.reinviteCooldown) > now
        {
            let seconds = Int(withdrawn.addingTimeInterval(limits.reinviteCooldown).timeIntervalSince(now).rounded(.up))
            throw DomainError(
                .rateLimited(retryAfterSeconds: seconds), code: "reinvite_too_soon",
                message: "You withdrew an invitation to this member recently; you can invite them again later.")
        }
        try checkCapacity(viewer, invitee)
        if try await storage.openInvitationCount(from: viewer) >= limits.pendingInvitations {
            throw DomainError(
                .rateLimited(retryAfterSeconds: 24 * 60 * 60), code: "pending_invitation_limit",
                message: "Too many of your invitations are waiting for an answer; withdraw some first.")
        }
        // The weekly cap is reserved before the invitation is written, so parallel requests cannot all pass it; a
        // reservation for an invitation that was not sent is taken back.
        let limiter = AttemptLimiter(store: storage, clock: clock)
        let weekKey = "invite:week:\(viewer.rawValue)"
        let reserved = try await limiter.reserve(
            [(weekKey, Throttle(limit: limits.invitationsPerWeek, window: 7 * 24 * 60 * 60))], code: "invitation_limit",
            message: { _ in "You have sent the most invitations allowed in a week." })
        let invitation = Invitation(
            id: OpaqueID.make(at: now), from: viewer, to: invitee, message: message, status: .pending, createdAt: now, updatedAt: now)
        do {
            try await storage.createInvitation(invitation)
        } catch let error as DomainError where error.code == "already_invited" {
            try await limiter.release(weekKey, at: reserved)
            // A crossing invitation from them landed first.
            if let open = try await storage.openInvitation(between: viewer, and: invitee), open.from == invitee {
                try await accept(open, by: viewer)
                return .connected
            }
            throw error
        } catch {
            try? await limiter.release(weekKey, at: reserved)
            throw error
        }
        await record(.invitationSent(invitation))
        return .sent(invitation)
    }

    /// What inviting many members at once did.
    public struct BulkOutcome: Sendable, Equatable {
        /// Invitations sent, and members connected at once because they had invited the viewer.
        public var sent: Int
        /// Members not invited: already connected or invited, not found, or after a limit was reached.
        public var skipped: Int
        /// The code of the limit that stopped the run (`invitation_limit`, `pending_invitation_limit`), if one did.
        public var stoppedBy: String?
    }

    /// The most members one bulk invitation names (API.md).
    public static let bulkInvitationMaximum = 100

    /// Invites each member in turn with the same rules and limits as one invitation. A member who cannot be invited
    /// is skipped; a limit stops the run (every remaining member is skipped), and when it stops the very first
    /// invitation the limit's error is thrown, so nothing was sent and the member learns why.
    public func inviteMany(_ members: [MemberID], from viewer: MemberID, message: String?) async throws -> BulkOutcome {
        guard members.count <= Self.bulkInvitationMaximum else {
            throw DomainError.invalid("too_many", "Invite at most \(Self.bulkInvitationMaximum) members at once.")
        }
        if let message {
            _ = try TextRule.clean(message, field: "Message", limit: limits.invitationMessageLength, multiline: true)
        }
        var seen: Set<MemberID> = []
        let unique = members.filter { seen.insert($0).inserted }
        var outcome = BulkOutcome(sent: 0, skipped: members.count - unique.count, stoppedBy: nil)
        for (index, member) in unique.enumerated() {
            do {
                _ = try await invite(from: viewer, to: member, message: message)
                outcome.sent += 1
            } catch let error as DomainError {
                if case .rateLimited = error.kind, ["invitation_limit", "pending_invitation_limit"].contains(error.code) {
                    if outcome.sent == 0 { throw error }
                    outcome.skipped += unique.count - index
                    outcome.stoppedBy = error.code
                    break
                }
                outcome.skipped += 1
            }
        }
        return outcome
    }

    private func checkCapacity(_ a: MemberID, _ b: MemberID) throws {
        for member in [a, b] where graph.connectionCount(of: member) >= limits.maximumConnections {
            throw DomainError.invalid(
                "connection_limit", "A member can have at most \(limits.maximumConnections) connections.")
        }
    }

    private func accept(_ invitation: Invitation, by viewer: MemberID) async throws {
        try checkCapacity(invitation.from, invitation.to)
        guard try await storage.acceptInvitation(id: invitation.id, at: clock.now()) else {
            throw DomainError(.conflict, code: "invitation_closed", message: "This invitation is no longer open.")
        }
        graph.apply(GraphChange(sequence: 0, kind: .connected, a: invitation.from, b: invitation.to))
        await record(.invitationAccepted(invitation))
    }

    /// The invitation as the viewer may know it: 404 when they are neither its sender nor its invitee.
    private func invitation(_ id: String, for viewer: MemberID) async throws -> Invitation {
        guard id.utf8.count <= 64, let invitation = try await storage.invitation(id: id),
            invitation.from == viewer || invitation.to == viewer
        else { throw DomainError.notFound("Invitation") }
        return invitation
    }

    public func accept(invitationID: String, by viewer: MemberID) async throws {
        let invitation = try await invitation(invitationID, for: viewer)
        guard invitation.to == viewer else {
            throw DomainError(.forbidden, code: "not_invitee", message: "Only the invited member can accept.")
        }
        guard invitation.status == .pending else {
            throw DomainError(.conflict, code: "invitation_closed", message: "This invitation is no longer open.")
        }
        try await accept(invitation, by: viewer)
    }

    /// Silent: the sender is not told and still sees the invitation pending.
    public func ignore(invitationID: String, by viewer: MemberID) async throws {
        let invitation = try await invitation(invitationID, for: viewer)
        guard invitation.to == viewer else {
            throw DomainError(.forbidden, code: "not_invitee", message: "Only the invited member can ignore.")
        }
        guard invitation.status == .pending else { return }
        try await storage.setInvitationStatus(id: invitation.id, .ignored, at: clock.now())
        await record(.invitationIgnored(invitation))
    }

    public func withdraw(invitationID: String, by viewer: MemberID) async throws {
        let invitation = try await invitation(invitationID, for: viewer)
        guard invitation.from == viewer else {
            throw DomainError(.forbidden, code: "not_sender", message: "Only the sender can withdraw.")
        }
        guard invitation.status == .pending || invitation.status == .ignored else {
            throw DomainError(.conflict, code: "invitation_closed", message: "This invitation is no longer open.")
        }
        try await storage.setInvitationStatus(id: invitation.id, .withdrawn, at: clock.now())
        await record(.invitationWithdrawn(invitation))
    }

    public func invitations(of viewer: MemberID, received: Bool, cursor: String?, limit: Int) async throws -> [Invitation] {
        let blocked = try await storage.blockedEitherWay(viewer)
        return try await storage.invitations(received: received, member: viewer, before: cursor, limit: limit)
            .filter { !blocked.contains($0.from) && !blocked.contains($0.to) }
            .map { invitation in
                var seen = invitation
                seen.status = invitation.status(seenBy: viewer)
                return seen
            }
    }

    /// Silent: no one is told, and the other member finds no trace of it.
    public func remove(_ other: MemberID, by viewer: MemberID) async throws {
        guard other.rawValue.utf8.count <= 64, try await storage.removeConnection(viewer, other, at: clock.now()) else {
            throw DomainError.notFound("Connection")
        }
        graph.apply(GraphChange(sequence: 0, kind: .disconnected, a: viewer, b: other))
        await record(.connectionRemoved(by: viewer, other: other))
    }

    public func setFollow(_ followee: MemberID, by viewer: MemberID, _ on: Bool) async throws {
        guard followee != viewer else { throw DomainError.invalid("cannot_follow_self", "You cannot follow yourself.") }
        try await requireVisible(followee, to: viewer)
        try await storage.setFollow(viewer, followee, on, at: clock.now())
        graph.apply(GraphChange(sequence: 0, kind: on ? .followed : .unfollowed, a: viewer, b: followee))
        if !on { await record(.unfollowed(by: viewer, other: followee)) }
    }

    /// From the graph index, which holds follows too (kept current as connections are).
    public func isFollowing(_ followee: MemberID, by viewer: MemberID) -> Bool {
        graph.follows(viewer, followee)
    }

    /// Blocking also removes the connection, the invitations both ways and the follows, silently.
    public func block(_ other: MemberID, by viewer: MemberID) async throws {
        guard other != viewer else { throw DomainError.invalid("cannot_block_self", "You cannot block yourself.") }
        guard other.rawValue.utf8.count <= 64, try await storage.account(id: other)?.isActive == true else {
            throw DomainError.notFound("Member")
        }
        // Blocking someone who blocked you changes nothing they could notice; keep the answer the same.
        try await storage.block(viewer, other, at: clock.now())
        graph.apply(GraphChange(sequence: 0, kind: .disconnected, a: viewer, b: other))
        await record(.blocked(by: viewer, other: other))
    }

    public func unblock(_ other: MemberID, by viewer: MemberID) async throws {
        guard other.rawValue.utf8.count <= 64, try await storage.account(id: other) != nil else {
            throw DomainError.notFound("Member")
        }
        try await storage.unblock(viewer, other, at: clock.now())
    }

    /// The open invitation between the viewer and another member, as the viewer may know it: one they
    /// ignored is not shown to them again.
    public func openInvitation(of viewer: MemberID, with other: MemberID) async throws -> Invitation? {
        guard let open = try await storage.openInvitation(between: viewer, and: other) else { return nil }
        if open.to == viewer && open.status == .ignored { return nil }
        return open
    }

    public enum Relationship: String, Sendable {
        case none
        case invitationSent
        case invitationReceived
        case connected
    }

    public func relationship(of viewer: MemberID, to other: MemberID) async throws -> Relationship {
        try await relation(of: viewer, to: other).relationship
    }

    /// The relationship and the open invitation as the viewer may know it (`openInvitation`), from one read of
    /// storage, and none between connections.
    public func relation(of viewer: MemberID, to other: MemberID) async throws -> (relationship: Relationship, invitation: Invitation?) {
        if viewer == other { return (.none, nil) }
        if graph.areConnected(viewer, other) { return (.connected, nil) }
        guard let open = try await storage.openInvitation(between: viewer, and: other) else { return (.none, nil) }
        let known = open.to == viewer && open.status == .ignored ? nil : open
        if open.from == viewer { return (.invitationSent, known) }
        return (open.status == .pending ? .invitationReceived : .none, known)
    }
}
