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

    public init(storage: any Store, clock: any Clock, removed: @escaping @Sendable (ResolvedReport) async -> Void = { _ in }) {
        self.storage = storage
        self.clock = clock
        self.removed = removed
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

    public func audit(_ actor: Actor, limit: Int = 100) async throws -> [AuditEntry] {
        try authorize(actor)
        return try await storage.auditLog(limit: max(1, min(limit, 1_000)))
    }
}
