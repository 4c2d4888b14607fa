import Foundation

/// Every notification is made here, and every list of them is filtered here: who is told of what (and who never
/// is), gathering, what a member may still see, unread counts, and the live event that follows each one. The
/// features call `record(_:)` with what happened; the rules below decide.
public struct NotificationService: Sendable {
    public typealias Store = NotificationStore & NetworkStore & MessagingStore & PostStore & JobStore & Storage

    let storage: any Store
    let events: any LiveEventChannel
    let clock: any Clock

    /// Members named on a gathered notification.
    public static let gatheredNames = 3
    /// Unread counts stop at this (shown as "99+").
    public static let unreadCap = 100

    public init(storage: any Store, events: any LiveEventChannel, clock: any Clock) {
        self.storage = storage
        self.events = events
        self.clock = clock
    }

    /// A notification before it is stored: for whom, what, by whom, about what.
    public struct Draft: Hashable, Sendable {
        public var member: MemberID
        public var kind: NotificationKind
        public var actor: MemberID
        public var subjectID: String?
        public var subjectName: String?
        public var conversationID: String?
        public var groupKey: String?
    }

    /// The rules of PRODUCT.md and API.md in one table: the notifications a happening makes. Ignoring or withdrawing
    /// an invitation, removing a connection, unfollowing, blocking, declining an introduction or a referral make
    /// none; a member is never told of what they did themselves.
    public static func drafts(for happening: Happening) -> [Draft] {
        let drafts: [Draft]
        switch happening {
        case .invitationSent(let invitation):
            drafts = [Draft(member: invitation.to, kind: .invitationReceived, actor: invitation.from, subjectID: invitation.id)]
        case .invitationAccepted(let invitation):
            drafts = [Draft(member: invitation.from, kind: .invitationAccepted, actor: invitation.to)]
        case .invitationIgnored, .invitationWithdrawn, .connectionRemoved, .unfollowed, .blocked, .introductionDeclined,
            .referralDeclined:
            drafts = []
        case .introductionRequested(let introduction):
            // One asked of a connection who does not lead to the target reaches no one.
            guard introduction.status == .pending else { return [] }
            drafts = [Draft(member: introduction.via, kind: .introductionRequested, actor: introduction.requester, subjectID: introduction.id)]
        case .introductionForwarded(let introduction):
            drafts = [introduction.target, introduction.requester].map {
                Draft(
                    member: $0, kind: .introductionForwarded, actor: introduction.via, subjectID: introduction.id,
                    conversationID: introduction.conversationID)
            }
        case .mentioned(let member, let by, let post):
            drafts = [Draft(member: member, kind: .mention, actor: by, subjectID: post)]
        case .commented(let author, let by, let post, let comment):
            drafts = [Draft(member: author, kind: .comment, actor: by, subjectID: post, subjectName: comment)]
        case .reacted(let author, let by, let post):
            drafts = [Draft(member: author, kind: .reaction, actor: by, subjectID: post, groupKey: "reaction:\(post)")]
        case .reposted(let author, let by, let post):
            drafts = [Draft(member: author, kind: .repost, actor: by, subjectID: post)]
        case .appliedToJob(let poster, let applicant, let job, let title):
            drafts = [Draft(member: poster, kind: .jobApplication, actor: applicant, subjectID: job, subjectName: title)]
        case .referralRequested(let referrer, let by, let job, let title):
            drafts = [Draft(member: referrer, kind: .referralRequested, actor: by, subjectID: job, subjectName: title)]
        case .referralGiven(let candidate, let by, let job, let title):
            drafts = [Draft(member: candidate, kind: .referralGiven, actor: by, subjectID: job, subjectName: title)]
        }
        return drafts.filter { $0.member != $0.actor }
    }

    /// Stores the notifications a happening makes and announces them live. Nothing is made between members when
    /// either blocked the other. The happening has already been committed: a failure here loses a notification, never
    /// the action, so it is not thrown to the caller. Returns the notifications stored.
    @discardableResult
    public func record(_ happening: Happening) async -> [MemberNotification] {
        var made: [MemberNotification] = []
        for draft in Self.drafts(for: happening) {
            do {
                // Either way, so the actor's own set tells: they have just acted, and it is held in memory, where the
                // member's is often not (an invitation to someone new read theirs for this alone).
                guard try await !storage.blockedEitherWay(draft.actor).contains(draft.member) else { continue }
                let now = clock.now()
                var notification = MemberNotification(
                    id: OpaqueID.make(at: now), member: draft.member, kind: draft.kind, actor: draft.actor, subjectID: draft.subjectID,
                    subjectName: draft.subjectName, conversationID: draft.conversationID, members: [draft.actor], count: 1,
                    groupKey: draft.groupKey, createdAt: now)
                if draft.groupKey != nil {
                    notification = try await storage.gatherNotification(notification, keep: Self.gatheredNames)
                } else {
                    try await storage.createNotification(notification)
                }
                made.append(notification)
                await events.publish(.notification(id: notification.id, member: notification.member))
            } catch {
                continue
            }
        }
        return made
    }

    /// Announces a notification stored elsewhere in a transaction of its own (saved-search matches).
    public func announce(_ notification: MemberNotification) async {
        await events.publish(.notification(id: notification.id, member: notification.member))
    }

    // MARK: Reading

    /// The notifications of `viewer` they may still see: none from or about a member either of them blocked, none
    /// whose actor left, none whose subject they can no longer see (an introduction that is no longer theirs to see,
    /// a conversation they left).
    public func visible(_ list: [MemberNotification], to viewer: MemberID) async throws -> [MemberNotification] {
        guard !list.isEmpty else { return [] }
        let blocked = try await storage.blockedEitherWay(viewer)
        let actors = Set(list.compactMap(\.actor))
        let present = Set(try await storage.memberCards(ids: Array(actors)).map(\.id))
        var shown: [MemberNotification] = []
        for var notification in list where notification.member == viewer {
            if let actor = notification.actor, blocked.contains(actor) || !present.contains(actor) { continue }
            notification.members = notification.members.filter { !blocked.contains($0) }
            guard try await subjectVisible(notification, to: viewer, blocked: blocked) else { continue }
            shown.append(notification)
        }
        return shown
    }

    private func subjectVisible(_ notification: MemberNotification, to viewer: MemberID, blocked: Set<MemberID>) async throws -> Bool {
        switch notification.kind {
        case .introductionRequested, .introductionForwarded:
            guard let id = notification.subjectID, let introduction = try await storage.introduction(id: id) else { return false }
            return introduction.isVisible(to: viewer)
                && ![introduction.requester, introduction.via, introduction.target].contains(where: blocked.contains)
        case .invitationReceived:
            // An invitation withdrawn or answered since no longer asks for anything; one still open does.
            guard let id = notification.subjectID else { return true }
            return try await storage.invitation(id: id).map { $0.to == viewer && ($0.status == .pending || $0.status == .accepted) } ?? false
        case .mention, .comment, .reaction, .repost:
            // The post must still be there and still be the viewer's to see (a connections-only post, after the
            // connection was removed, is not).
            guard let id = notification.subjectID, let post = try await storage.post(id: id) else { return false }
            let connected = post.visibility == .connections && post.author != viewer
                ? try await storage.connectedAt(post.author, viewer) != nil : false
            return PostPolicy.canSee(
                visibility: post.visibility, author: post.author, viewer: viewer, connected: connected, blocked: blocked.contains(post.author))
        case .jobApplication:
            // Only the poster is told, while the job is there.
            guard let id = notification.subjectID, let job = try await storage.job(id: id) else { return false }
            return job.poster == viewer
        case .referralRequested, .referralGiven:
            guard let id = notification.subjectID, let job = try await storage.job(id: id) else { return false }
            return !blocked.contains(job.poster)
        default:
            return true
        }
    }

    /// A page of the viewer's notifications, newest first, with the unread count.
    public func list(viewer: MemberID, cursor: String?, limit: Int) async throws -> (items: [MemberNotification], nextCursor: String?, unread: Int) {
        var shown: [MemberNotification] = []
        var cursor = cursor
        var exhausted = false
        // Hidden ones are skipped without shortening the page.
        while shown.count <= limit && !exhausted {
            let batch = try await storage.notifications(of: viewer, before: cursor, limit: limit + 1)
            exhausted = batch.count <= limit
            shown += try await visible(batch, to: viewer)
            cursor = batch.last?.id
        }
        let page = Array(shown.prefix(limit))
        let next = shown.count > limit ? page.last?.id : nil
        return (page, next, try await unreadCount(of: viewer))
    }

    /// Unread notifications the viewer may see, up to `unreadCap`.
    public func unreadCount(of viewer: MemberID) async throws -> Int {
        try await visible(try await storage.unreadNotifications(of: viewer, limit: Self.unreadCap), to: viewer).count
    }

    /// Marks read up to and including `upTo`; the viewer's other windows learn the new count.
    public func markRead(viewer: MemberID, upTo: String) async throws {
        guard OpaqueID.isWellFormed(upTo) else { throw DomainError.invalid("bad_id", "upTo must be a notification id.") }
        if try await storage.markNotificationsRead(of: viewer, upTo: upTo) > 0 {
            await events.publish(.unread(member: viewer))
        }
    }

    /// One notification of the viewer's, if they may see it (for a live event).
    public func notification(_ id: String, viewer: MemberID) async throws -> MemberNotification? {
        guard let notification = try await storage.notification(id: id) else { return nil }
        return try await visible([notification], to: viewer).first
    }

    /// What a reconnecting stream missed since `after`, oldest first.
    public func missed(viewer: MemberID, after: String, limit: Int) async throws -> [MemberNotification] {
        try await visible(try await storage.notifications(of: viewer, after: after, limit: limit), to: viewer)
    }
}
