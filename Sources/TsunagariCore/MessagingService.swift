import Foundation

/// Conversations and messages: who may write to whom, the recruiter allowance, read markers and unread counts, and
/// the live events that carry each message. Participants alone see a conversation (404 for everyone else).
public struct MessagingService: Sendable {
    public typealias Store = MessagingStore & NetworkStore & NotificationStore & Storage

    let storage: any Store
    let graph: any ConnectionGraph
    let clock: any Clock
    let events: any LiveEventChannel
    let limits: MessagingLimits
    let sentMessages: WindowCounter

    public init(
        storage: any Store, graph: any ConnectionGraph, clock: any Clock, events: any LiveEventChannel, limits: MessagingLimits,
        sentMessages: WindowCounter = WindowCounter()
    ) {
        self.storage = storage
        self.graph = graph
        self.clock = clock
        self.events = events
        self.limits = limits
        self.sentMessages = sentMessages
    }

    func text(_ raw: String) throws -> String {
        try TextRule.required(raw, field: "Message", limit: limits.messageLength, multiline: true)
    }

    // MARK: Starting

    public struct Started: Sendable {
        public var entry: ConversationEntry
        public var message: Message
        /// False when an existing conversation of the pair took the message.
        public var created: Bool
    }

    /// Starts a conversation with `others` (or adds to the pair's existing one). Every other participant must be a
    /// connection, except one member written to by a recruiter (kind `recruiter`, one credit of the allowance).
    public func start(with others: [MemberID], text raw: String, viewer: MemberID, role: MemberRole) async throws -> Started {
        guard !others.isEmpty else { throw DomainError.invalid("participants_required", "Name at least one member to write to.") }
        guard others.count <= limits.maximumOthers else {
            throw DomainError.invalid(
                "too_many_participants", "A conversation can have at most \(limits.maximumOthers + 1) people, you included.")
        }
        guard !others.contains(viewer) else { throw DomainError.invalid("cannot_message_self", "You cannot write to yourself.") }
        let text = try text(raw)
        // Unknown members answer 404 before duplicates are counted: strings that are no member's id may still compare
        // equal (Swift compares canonically: U+2000 is U+2002), and only ids that name members can be duplicates.
        let blocked = try await storage.blockedEitherWay(viewer)
        for other in others {
            guard other.rawValue.utf8.count <= 64, !blocked.contains(other), try await storage.account(id: other)?.isActive == true else {
                throw DomainError.notFound("Member")
            }
        }
        guard Set(others).count == others.count else {
            throw DomainError.invalid("duplicate_participant", "Each member may be named once.")
        }
        let now = clock.now()
        if others.count == 1 {
            let other = others[0]
            let pair = Conversation.pairKey(viewer, other)
            if graph.areConnected(viewer, other) {
                return try await open(.direct, with: others, pairKey: pair, text: text, viewer: viewer, at: now)
            }
            // A conversation the pair already has goes on (a connection removed later must not show in it).
            if let existing = try await storage.conversation(pairKey: pair), existing.participants.contains(viewer) {
                let message = try await send(text, to: existing, viewer: viewer)
                return Started(entry: try await entry(existing.id, viewer: viewer), message: message, created: false)
            }
            guard role == .recruiter else { throw notConnected }
            try await requireRecruiterMessagesOpen(other)
            return try await openRecruiterConversation(with: other, pairKey: pair, text: text, viewer: viewer, at: now)
        }
        guard others.allSatisfy({ graph.areConnected(viewer, $0) }) else { throw notConnected }
        return try await open(.group, with: others, pairKey: nil, text: text, viewer: viewer, at: now)
    }

    private var notConnected: DomainError {
        DomainError(.forbidden, code: "not_connected", message: "You can write only to your connections.")
    }

    private func requireRecruiterMessagesOpen(_ member: MemberID) async throws {
        if try await storage.profile(id: member)?.settings.recruiterMessages == false {
            throw DomainError(.forbidden, code: "messages_closed", message: "This member does not take messages from recruiters.")
        }
    }

    /// Spam limits on new conversations, reserved before the conversation is written and taken back if it was not.
    private func reserveNew(group: Bool, viewer: MemberID) async throws -> [(String, Date)] {
        let limiter = AttemptLimiter(store: storage, clock: clock)
        var checks = [("conversations:day:\(viewer.rawValue)", Throttle(limit: limits.conversationsPerDay, window: 24 * 60 * 60))]
        if group { checks.append(("groups:day:\(viewer.rawValue)", Throttle(limit: limits.groupsPerDay, window: 24 * 60 * 60))) }
        let at = try await limiter.reserve(
            checks, code: "conversation_limit", message: { "You have started the most conversations allowed in a day. Try again in \($0) seconds." })
        return checks.map { ($0.0, at) }
    }

    private func release(_ reserved: [(String, Date)]) async {
        for (key, at) in reserved { try? await storage.releaseAttempt(key: key, at: at) }
    }

    private func open(
        _ kind: ConversationKind, with others: [MemberID], pairKey: String?, text: String, viewer: MemberID, at now: Date
    ) async throws -> Started {
        if let pairKey, let existing = try await storage.conversation(pairKey: pairKey), existing.participants.contains(viewer) {
            let message = try await send(text, to: existing, viewer: viewer)
            return Started(entry: try await entry(existing.id, viewer: viewer), message: message, created: false)
        }
        try checkPace(viewer)
        let reserved = try await reserveNew(group: kind == .group, viewer: viewer)
        let conversation = Conversation(
            id: OpaqueID.make(at: now), kind: kind, creator: viewer, participants: [viewer] + others, pairKey: pairKey, createdAt: now,
            updatedAt: now)
        return try await create(conversation, text: text, viewer: viewer, at: now, reserved: reserved)
    }

    private func openRecruiterConversation(with other: MemberID, pairKey: String, text: String, viewer: MemberID, at now: Date) async throws -> Started {
        try checkPace(viewer)
        var reserved = try await reserveNew(group: false, viewer: viewer)
        let creditKey = Self.creditKey(viewer)
        if try await storage.reserveAttempt(
            [AttemptReservation(key: creditKey, limit: limits.recruiterAllowance, since: Self.monthStart(now))], at: now) != nil
        {
            await release(reserved)
            let seconds = max(1, Int(Self.nextMonth(now).timeIntervalSince(now).rounded(.up)))
            throw DomainError(
                .rateLimited(retryAfterSeconds: seconds), code: "allowance_used",
                message: "You have used this month's recruiter messages; they renew at the start of next month.")
        }
        reserved.append((creditKey, now))
        let conversation = Conversation(
            id: OpaqueID.make(at: now), kind: .recruiter, creator: viewer, participants: [viewer, other], pairKey: pairKey, createdAt: now,
            updatedAt: now, creditSpentAt: now)
        return try await create(conversation, text: text, viewer: viewer, at: now, reserved: reserved)
    }

    /// Stores the new conversation with its first message and announces it. What was reserved for it (the daily
    /// limits, a recruiter's credit) is taken back when nothing new was started: the write failed, or a conversation of
    /// the pair appeared meanwhile and took the message.
    private func create(
        _ conversation: Conversation, text: String, viewer: MemberID, at now: Date, reserved: [(String, Date)]
    ) async throws -> Started {
        let message = Message(id: OpaqueID.make(at: now), conversationID: conversation.id, sender: viewer, text: text, sentAt: now)
        let stored: (conversation: Conversation, created: Bool)
        do {
            stored = try await storage.startConversation(conversation, messages: [message])
        } catch {
            await release(reserved)
            throw error
        }
        if !stored.created { await release(reserved) }
        await events.publish(.message(conversation: stored.conversation.id, message: message.id, recipients: stored.conversation.participants))
        return Started(entry: try await entry(stored.conversation.id, viewer: viewer), message: message, created: stored.created)
    }

    private func checkPace(_ viewer: MemberID) throws {
        if let retry = sentMessages.count("messages:\(viewer.rawValue)", window: 60, limit: limits.messagesPerMinute, now: clock.now()) {
            throw DomainError(
                .rateLimited(retryAfterSeconds: retry), code: "message_limit", message: "You are sending messages too fast. Try again in \(retry) seconds.")
        }
    }

    // MARK: Sending

    /// The conversation if the viewer takes part in it; 404 otherwise, as if it did not exist.
    func participating(_ id: String, viewer: MemberID) async throws -> Conversation {
        guard OpaqueID.isWellFormed(id), let conversation = try await storage.conversation(id: id),
            conversation.participants.contains(viewer)
        else { throw DomainError.notFound("Conversation") }
        return conversation
    }

    public func send(text raw: String, to conversationID: String, viewer: MemberID) async throws -> Message {
        let text = try text(raw)
        // One read: the conversation, and who in it is blocked either way (a message is the busiest write there is).
        guard OpaqueID.isWellFormed(conversationID), let (conversation, blocked) = try await storage.conversation(id: conversationID, participant: viewer)
        else { throw DomainError.notFound("Conversation") }
        return try await send(text, to: conversation, viewer: viewer, blocked: blocked)
    }

    private func send(_ text: String, to conversation: Conversation, viewer: MemberID, blocked: Set<MemberID>? = nil) async throws -> Message {
        let others = conversation.participants.filter { $0 != viewer }
        if conversation.kind == .direct || conversation.kind == .recruiter {
            guard let other = others.first else {
                throw DomainError(.conflict, code: "conversation_ended", message: "The other member has left; this conversation has ended.")
            }
            var blockedOthers = blocked ?? []
            if blocked == nil { blockedOthers = try await storage.blockedEitherWay(viewer) }
            if blockedOthers.contains(other) {
                throw DomainError(.forbidden, code: "blocked", message: "You can no longer write in this conversation.")
            }
            if conversation.kind == .recruiter && conversation.creator == viewer && !graph.areConnected(viewer, other) {
                try await requireRecruiterMessagesOpen(other)
            }
        }
        try checkPace(viewer)
        let now = clock.now()
        let message = Message(id: OpaqueID.make(at: now), conversationID: conversation.id, sender: viewer, text: text, sentAt: now)
        guard try await storage.addMessage(message) else { throw DomainError.notFound("Conversation") }
        if conversation.kind == .recruiter, viewer != conversation.creator, let spent = conversation.creditSpentAt,
            now.timeIntervalSince(spent) <= limits.refundWindow, let returned = try await storage.returnCredit(conversation: conversation.id)
        {
            // The recipient answered: the recruiter's credit comes back (within its month; a new month renews them all).
            try await storage.releaseAttempt(key: Self.creditKey(conversation.creator), at: returned)
        }
        await events.publish(.message(conversation: conversation.id, message: message.id, recipients: conversation.participants))
        return message
    }

    // MARK: Reading

    /// The conversation the viewer already has with one member, if any (where "write to them" goes on).
    public func existingConversation(with other: MemberID, viewer: MemberID) async throws -> Conversation? {
        guard let conversation = try await storage.conversation(pairKey: Conversation.pairKey(viewer, other)),
            conversation.participants.contains(viewer)
        else { return nil }
        return conversation
    }

    public func entry(_ id: String, viewer: MemberID) async throws -> ConversationEntry {
        guard OpaqueID.isWellFormed(id), let entry = try await storage.conversationEntry(id: id, for: viewer) else {
            throw DomainError.notFound("Conversation")
        }
        return try await shown([entry], viewer: viewer)[0]
    }

    /// Messages from a member either of them blocked are not shown to the viewer (in groups; a direct conversation
    /// with a blocked member shows its history but takes no new messages): a group's last message is then the last
    /// one the viewer may see.
    private func shown(_ entries: [ConversationEntry], viewer: MemberID) async throws -> [ConversationEntry] {
        guard entries.contains(where: { $0.conversation.kind == .group }) else { return entries }
        let blocked = try await storage.blockedEitherWay(viewer)
        guard !blocked.isEmpty else { return entries }
        var result: [ConversationEntry] = []
        for entry in entries { result.append(try await shown(entry, viewer: viewer, blocked: blocked)) }
        return result
    }

    private func shown(_ entry: ConversationEntry, viewer: MemberID, blocked: Set<MemberID>) async throws -> ConversationEntry {
        guard entry.conversation.kind == .group, let last = entry.lastMessage, blocked.contains(last.sender) else { return entry }
        var entry = entry
        entry.lastMessage = try await messages(in: entry.conversation.id, viewer: viewer, cursor: nil, limit: 1).messages.first
        return entry
    }

    public func conversations(viewer: MemberID, cursor: String?, limit: Int) async throws -> (entries: [ConversationEntry], nextCursor: String?) {
        if let cursor, !OpaqueID.isWellFormed(cursor) {
            throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.")
        }
        let rows = try await storage.conversations(of: viewer, before: cursor, limit: limit + 1)
        let page = try await shown(Array(rows.prefix(limit)), viewer: viewer)
        return (page, rows.count > limit ? page.last?.conversation.lastMessageID : nil)
    }

    public func messages(in conversationID: String, viewer: MemberID, cursor: String?, limit: Int) async throws -> (messages: [Message], nextCursor: String?) {
        let conversation = try await participating(conversationID, viewer: viewer)
        if let cursor, !OpaqueID.isWellFormed(cursor) {
            throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.")
        }
        let hidden = conversation.kind == .group ? try await storage.blockedEitherWay(viewer) : []
        var shown: [Message] = []
        var before = cursor
        var exhausted = false
        while shown.count <= limit && !exhausted {
            let batch = try await storage.messages(in: conversation.id, before: before, limit: limit + 1)
            exhausted = batch.count <= limit
            shown += batch.filter { !hidden.contains($0.sender) }
            before = batch.last?.id
        }
        let page = Array(shown.prefix(limit))
        return (page, shown.count > limit ? page.last?.id : nil)
    }

    /// One message for a live event, if the viewer may see it.
    public func message(_ id: String, viewer: MemberID) async throws -> Message? {
        guard let message = try await storage.message(id: id),
            let conversation = try await storage.conversation(id: message.conversationID), conversation.participants.contains(viewer)
        else { return nil }
        if conversation.kind == .group, try await storage.blockedEitherWay(viewer).contains(message.sender) { return nil }
        return message
    }

    /// What a reconnecting stream missed since `after`, oldest first.
    public func missed(viewer: MemberID, after: String, limit: Int) async throws -> [Message] {
        let blocked = try await storage.blockedEitherWay(viewer)
        var conversations: [String: Conversation] = [:]
        var shown: [Message] = []
        for message in try await storage.messages(for: viewer, after: after, limit: limit) {
            if conversations[message.conversationID] == nil {
                conversations[message.conversationID] = try await storage.conversation(id: message.conversationID)
            }
            if conversations[message.conversationID]?.kind == .group && blocked.contains(message.sender) { continue }
            shown.append(message)
        }
        return shown
    }

    public func markRead(_ conversationID: String, upTo: String, viewer: MemberID) async throws {
        let conversation = try await participating(conversationID, viewer: viewer)
        guard OpaqueID.isWellFormed(upTo), let message = try await storage.message(id: upTo), message.conversationID == conversation.id else {
            throw DomainError.invalid("unknown_message", "upTo must be a message of this conversation.")
        }
        _ = try await storage.markRead(conversation: conversation.id, member: viewer, upTo: upTo)
        await events.publish(.unread(member: viewer))
    }

    /// Marks everything in the conversation read (a page showing it).
    public func markAllRead(_ conversationID: String, viewer: MemberID) async throws {
        let conversation = try await participating(conversationID, viewer: viewer)
        guard let last = conversation.lastMessageID else { return }
        if try await storage.conversationEntry(id: conversation.id, for: viewer)?.unreadCount ?? 0 > 0 {
            _ = try await storage.markRead(conversation: conversation.id, member: viewer, upTo: last)
            await events.publish(.unread(member: viewer))
        }
    }

    public func unreadConversations(of viewer: MemberID) async throws -> Int {
        try await storage.unreadConversationCount(of: viewer)
    }

    // MARK: Recruiter allowance

    public struct Allowance: Hashable, Sendable {
        public var monthly: Int
        public var remaining: Int
        public var resetsAt: Date
    }

    public func allowance(viewer: MemberID, role: MemberRole) async throws -> Allowance {
        guard role == .recruiter else {
            throw DomainError(.forbidden, code: "not_recruiter", message: "Only recruiters have a message allowance.")
        }
        let now = clock.now()
        let used = try await storage.attempts(key: Self.creditKey(viewer), since: Self.monthStart(now)).count
        return Allowance(monthly: limits.recruiterAllowance, remaining: max(0, limits.recruiterAllowance - used), resetsAt: Self.nextMonth(now))
    }

    static func creditKey(_ recruiter: MemberID) -> String { "recruiter-credit:\(recruiter.rawValue)" }

    public static var utcCalendar: Calendar { utc }

    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static func monthStart(_ date: Date) -> Date {
        utc.date(from: utc.dateComponents([.year, .month], from: date))!
    }

    static func nextMonth(_ date: Date) -> Date {
        utc.date(byAdding: .month, value: 1, to: monthStart(date))!
    }

    // MARK: Export

    /// Every conversation of the member with all its messages (oldest first), for the export.
    public func export(member: MemberID) async throws -> [(entry: ConversationEntry, messages: [Message])] {
        var result: [(ConversationEntry, [Message])] = []
        var cursor: String?
        repeat {
            let page = try await storage.conversations(of: member, before: cursor, limit: 100)
            for entry in page {
                var messages: [Message] = []
                var before: String?
                repeat {
                    let batch = try await storage.messages(in: entry.conversation.id, before: before, limit: 500)
                    messages += batch
                    before = batch.count == 500 ? batch.last?.id : nil
                } while before != nil
                result.append((entry, messages.reversed()))
            }
            cursor = page.count == 100 ? page.last?.conversation.lastMessageID : nil
        } while cursor != nil
        return result
    }
}
