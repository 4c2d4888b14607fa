import Foundation

/// How a report ends: the reported post or comment removed, or the report dismissed. Every other open report of the same
/// post or comment ends the same way at the same time.
public enum ReportResolution: String, Sendable, CaseIterable {
    case removed
    case dismissed
}

/// One operator action, kept for good: who (a member's id, or `cli` for the command line with the machine's user),
/// what, on what, when.
public struct AuditEntry: Hashable, Sendable {
    public var id: String
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String

    public init(id: String, at: Date, actor: String, action: String, subject: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// What resolving a report did.
public struct ResolvedReport: Hashable, Sendable {
    /// The post reported (it may be gone now).
    public var postID: String
    public var postSeq: Int64?
    public var commentID: String?
    /// Open reports of the same post or comment that ended with it (this one included).
    public var reports: Int
    /// Whether the post or comment was there to remove.
    public var removed: Bool

    public init(postID: String, postSeq: Int64?, commentID: String?, reports: Int, removed: Bool) {
        self.postID = postID
        self.postSeq = postSeq
        self.commentID = commentID
        self.reports = reports
        self.removed = removed
    }
}

public protocol ModerationStore: Sendable {
    /// One report, open or resolved.
    func report(id: String) async throws -> PostReport?
    /// Ends the report and every other open report of the same post or comment, in one transaction with `audit`; with
    /// `.removed`, the comment or the post (with its comments and reactions) is deleted as its author would delete it.
    /// nil when the report is not open (resolved already, or unknown).
    func resolveReport(id: String, resolution: ReportResolution, audit: AuditEntry) async throws -> ResolvedReport?
    func recordAudit(_ entry: AuditEntry) async throws
    /// Newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]
    /// Suspends the member in one transaction with `audit`: their sessions end, their search entry goes (logged, so
    /// every instance's index forgets it), and the graph change log says so. False when they were suspended already.
    func suspendMember(_ member: MemberID, reason: String, audit: AuditEntry) async throws -> Bool
    /// Ends the suspension, logged for every instance's graph, with `audit`. False when they were not suspended. The
    /// search entry is written again by the caller, from the profile.
    func restoreMember(_ member: MemberID, audit: AuditEntry) async throws -> Bool
    /// Newest suspension first.
    func suspendedMembers(limit: Int) async throws -> [SuspendedMember]
}

/// A member an operator suspended, as the moderation page and `admin suspended` list them.
public struct SuspendedMember: Hashable, Sendable {
    public var member: MemberID
    public var name: String
    public var handle: String
    public var email: String
    public var since: Date
    public var reason: String

    public init(member: MemberID, name: String, handle: String, email: String, since: Date, reason: String) {
        self.member = member
        self.name = name
        self.handle = handle
        self.email = email
        self.since = since
        self.reason = reason
    }
}

/// The moderation queue and operator actions, for moderators on the site and operators on the command line. Only a
/// moderator or an admin gets anywhere here (404 for everyone else: the queue's existence is nobody else's business).
public struct ModerationService: Sendable {
    public typealias Store = ModerationStore & PostStore & Storage

    let storage: any Store
    let clock: any Clock
    /// Told when a post or comment is removed, so this instance's feed and post search forget it at once (the others
    /// read the feed change log).
    let removed: @Sendable (ResolvedReport) async -> Void
    /// Told when a member is suspended (true) or restored (false), so this instance's graph and search index follow at
    /// once (the others read the change logs).
    let suspension: @Sendable (MemberID, Bool) async -> Void

    public init(
        storage: any Store, clock: any Clock, removed: @escaping @Sendable (ResolvedReport) async -> Void = { _ in },
        suspension: @escaping @Sendable (MemberID, Bool) async -> Void = { _, _ in }
    ) {
        self.storage = storage
        self.clock = clock
        self.removed = removed
        self.suspension = suspension
    }

    /// An open report with what was reported, as the moderator needs it.
    public struct QueueItem: Sendable {
        public var report: PostReport
        /// The reported text (the comment's, or the post's); nil when it is gone.
        public var text: String?
        public var author: MemberID?
    }

    public enum Actor: Sendable {
        case member(MemberID, MemberRole)
        /// The command line, with the machine's user name.
        case commandLine(String)

        var label: String {
            switch self {
            case .member(let id, _): id.rawValue
            case .commandLine(let user): "cli:\(user)"
            }
        }

        var allowed: Bool {
            switch self {
            case .member(_, let role): role.moderates
            case .commandLine: true
            }
        }
    }

    func authorize(_ actor: Actor) throws {
        guard actor.allowed else { throw DomainError.notFound("Page") }
    }

    public func queue(_ actor: Actor, limit: Int = 100) async throws -> [QueueItem] {
        try authorize(actor)
        var items: [QueueItem] = []
        for report in try await storage.openReports(limit: max(1, min(limit, 500))) {
            if let commentID = report.commentID {
                let comment = try await storage.comment(id: commentID)
                items.append(QueueItem(report: report, text: comment?.text, author: comment?.author))
            } else {
                let post = try await storage.post(id: report.postID)
                items.append(QueueItem(report: report, text: post?.text, author: post?.author))
            }
        }
        return items
    }

    /// Ends a report (and the other open reports of the same thing): 404 when it is not open.
    public func resolve(_ reportID: String, as resolution: ReportResolution, by actor: Actor) async throws -> ResolvedReport {
        try authorize(actor)
        guard reportID.utf8.count <= 64, let report = try await storage.report(id: reportID) else { throw DomainError.notFound("Report") }
        let now = clock.now()
        let subject = report.commentID.map { "comment \($0) on post \(report.postID)" } ?? "post \(report.postID)"
        let audit = AuditEntry(
            id: OpaqueID.make(at: now), at: now, actor: actor.label, action: "report.\(resolution.rawValue)", subject: subject,
            detail: "report \(report.id)")
        guard let resolved = try await storage.resolveReport(id: reportID, resolution: resolution, audit: audit) else {
            throw DomainError(.conflict, code: "report_closed", message: "This report has been resolved already.")
        }
        if resolution == .removed, resolved.removed { await removed(resolved) }
        return resolved
    }

    /// Grants a role (or takes it back to `member`), with an audit entry.
    public func setRole(_ role: MemberRole, for member: MemberID, by actor: Actor) async throws {
        switch actor {
        case .commandLine: break
        case .member(_, let own): guard own == .admin else { throw DomainError.notFound("Page") }
        }
        guard try await storage.account(id: member) != nil else { throw DomainError.notFound("Member") }
        try await storage.setRole(role, for: member)
        let now = clock.now()
        try await storage.recordAudit(
            AuditEntry(
                id: OpaqueID.make(at: now), at: now, actor: actor.label, action: "role.set", subject: "member \(member.rawValue)", detail: role.rawValue))
    }

    /// Records an operator action done elsewhere (for example `admin verify-employer`).
    public func record(_ action: String, subject: String, detail: String = "", by actor: Actor) async throws {
        let now = clock.now()
        try await storage.recordAudit(AuditEntry(id: OpaqueID.make(at: now), at: now, actor: actor.label, action: action, subject: subject, detail: detail))
    }

    // MARK: Suspension

    /// Suspends a member: they cannot log in (their sessions end now) and are shown nowhere — profile, search,
    /// suggestions, lists, feeds, conversations started anew — until restored; nothing of theirs is deleted. A moderator
    /// suspends members and recruiters; an admin also moderators; nobody on the site suspends an admin or themselves.
    public func suspend(_ member: MemberID, reason rawReason: String, by actor: Actor) async throws {
        try authorize(actor)
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(reason.count) else {
            throw DomainError.invalid("bad_reason", "Say why, in 1–500 characters: it is kept in the audit log.")
        }
        guard member.rawValue.utf8.count <= 64, let account = try await storage.account(id: member) else { throw DomainError.notFound("Member") }
        try Self.check(actor, maySuspend: account)
        let now = clock.now()
        let audit = AuditEntry(
            id: OpaqueID.make(at: now), at: now, actor: actor.label, action: "member.suspend", subject: "member \(member.rawValue)",
            detail: reason)
        guard try await storage.suspendMember(member, reason: reason, audit: audit) else {
            throw DomainError(.conflict, code: "already_suspended", message: "This member is suspended already.")
        }
        await suspension(member, true)
    }

    /// Who may suspend whom: on the site, nobody themselves, only an admin a moderator, nobody an admin; the command line
    /// anyone.
    static func check(_ actor: Actor, maySuspend account: Account) throws {
        guard case .member(let own, let role) = actor else { return }
        guard own != account.memberID else { throw DomainError.invalid("cannot_suspend_self", "You cannot suspend yourself.") }
        guard account.role != .admin, !account.role.moderates || role == .admin else {
            throw DomainError(.forbidden, code: "protected_member", message: "Only an admin suspends a moderator, and only the command line an admin.")
        }
    }

    /// Ends a suspension: the member may log in again and is shown as before, with every connection, post and setting.
    public func restore(_ member: MemberID, by actor: Actor) async throws {
        try authorize(actor)
        guard member.rawValue.utf8.count <= 64, try await storage.account(id: member) != nil else { throw DomainError.notFound("Member") }
        let now = clock.now()
        let audit = AuditEntry(
            id: OpaqueID.make(at: now), at: now, actor: actor.label, action: "member.restore", subject: "member \(member.rawValue)", detail: "")
        guard try await storage.restoreMember(member, audit: audit) else {
            throw DomainError(.conflict, code: "not_suspended", message: "This member is not suspended.")
        }
        await suspension(member, false)
    }

    public func suspended(_ actor: Actor, limit: Int = 100) async throws -> [SuspendedMember] {
        try authorize(actor)
        return try await storage.suspendedMembers(limit: max(1, min(limit, 1_000)))
    }

    /// Removes what was reported (ending its reports) and suspends its author, for the reason the report gave.
    public func removeAndSuspendAuthor(_ reportID: String, by actor: Actor) async throws -> (ResolvedReport, MemberID?) {
        try authorize(actor)
        guard reportID.utf8.count <= 64, let report = try await storage.report(id: reportID) else { throw DomainError.notFound("Report") }
        let author: MemberID?
        if let commentID = report.commentID {
            author = try await storage.comment(id: commentID)?.author
        } else {
            author = try await storage.post(id: report.postID)?.author
        }
        // Checked before anything is removed, so a refusal changes nothing.
        if let author, let account = try await storage.account(id: author) { try Self.check(actor, maySuspend: account) }
        let resolved = try await resolve(reportID, as: .removed, by: actor)
        guard let author, try await storage.account(id: author)?.isActive == true else { return (resolved, nil) }
        try await suspend(author, reason: "Reported: \(report.reason)".prefix(500).description, by: actor)
        return (resolved, author)
    }

    public func audit(_ actor: Actor, limit: Int = 100) async throws -> [AuditEntry] {
        try authorize(actor)
        return try await storage.auditLog(limit: max(1, min(limit, 1_000)))
    }
}

extension ModerationService {
    /// The member an operator names, suspended or not: an email address, a handle (with or without @) or a member id.
    public static func account(named rawText: String, in storage: any Storage) async throws -> Account? {
        let text = rawText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= 254 else { return nil }
        if let canonical = try? EmailAddress.canonical(text), let account = try await storage.account(email: canonical) { return account }
        let handle = text.hasPrefix("@") ? String(text.dropFirst()) : text
        if handle.utf8.count <= 64, let id = try await storage.memberID(handle: handle) { return try await storage.account(id: id) }
        return text.utf8.count <= 64 ? try await storage.account(id: MemberID(text)) : nil
    }
}
