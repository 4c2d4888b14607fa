import Foundation
import Hummingbird
import TsunagariCore

/// The moderation queue for moderators and admins.
enum ModerationPages {
    struct Model {
        var items: [ModerationService.QueueItem]
        /// Names of the reporters and authors by id (members who are gone are left out).
        var names: [MemberID: String]
        var audit: [AuditEntry]
        var suspended: [SuspendedMember]
        var notice: String?
        var error: String?
    }

    static func queue(_ chrome: PageChrome, _ model: Model) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.moderation(l)) {
            el("h1") { Text.moderation(l) }
            el("p", .class("muted")) { Text.moderationHint(l) }
            if let notice = model.notice { el("p", .class("notice"), .id("moderation-notice"), Attribute("role", "status")) { notice } }
            Layout.errors(model.error)
            if model.items.isEmpty {
                el("p", .class("muted"), .id("no-reports")) { Text.noReports(l) }
            } else {
                el("ul", .class("report-list"), .id("reports")) {
                    for item in model.items { row(chrome, item, model.names) }
                }
            }
            el("section", .class("card"), .id("suspended")) {
                el("h2") { Text.suspendedMembers(l) }
                if model.suspended.isEmpty {
                    el("p", .class("muted"), .id("no-suspended")) { Text.noSuspendedMembers(l) }
                } else {
                    el("ul", .class("plain-list")) {
                        for member in model.suspended {
                            el("li", .id("suspended-\(member.member.rawValue)")) {
                                el("strong") { member.name }
                                " @\(member.handle) · \(Text.suspendedSince(l)): \(Represent.timeString(member.since)) · \(member.reason) "
                                Layout.postButton(
                                    chrome, action: "/moderation/members/\(member.member.rawValue)/restore", label: Text.restoreMember(l),
                                    style: "button small secondary", id: "restore-\(member.member.rawValue)")
                            }
                        }
                    }
                }
                el("h3") { Text.suspendMember(l) }
                el("p", .class("small-text muted")) { Text.suspendMemberHint(l) }
                Layout.form(chrome, action: "/moderation/members/suspend", id: "suspend-form") {
                    Layout.field(Text.memberHandle(l), name: "member", value: nil, required: true, maxLength: 254)
                    Layout.field(Text.suspensionReason(l), name: "reason", value: nil, required: true, maxLength: 500)
                    el("button", .type("submit"), .class("button small danger")) { Text.suspendMember(l) }
                }
            }
            if !model.audit.isEmpty {
                el("section", .class("card"), .id("audit")) {
                    el("h2") { Text.auditLog(l) }
                    el("ul", .class("small-text")) {
                        for entry in model.audit {
                            el("li") { "\(Represent.timeString(entry.at)) · \(model.names[MemberID(entry.actor)] ?? entry.actor) · \(entry.action) · \(Self.subject(entry, model.names))" }
                        }
                    }
                }
            }
        }
    }

    /// "member ID" subjects with the member's name after the id.
    static func subject(_ entry: AuditEntry, _ names: [MemberID: String]) -> String {
        guard entry.subject.hasPrefix("member "), let name = names[MemberID(String(entry.subject.dropFirst(7)))] else { return entry.subject }
        return "\(entry.subject) (\(name))"
    }

    static func row(_ chrome: PageChrome, _ item: ModerationService.QueueItem, _ names: [MemberID: String]) -> HTML {
        let l = chrome.locale
        let report = item.report
        return el("li", .class("card report"), .id("report-\(report.id)")) {
            el("p", .class("small-text muted")) {
                report.commentID == nil ? Text.reportedPost(l) : Text.reportedComment(l)
                if let author = item.author { " · \(names[author] ?? author.rawValue)" }
                " · "
                el("a", .href("/posts/\(report.postID)")) { report.postID }
            }
            el("blockquote", .class("reported-text")) { item.text ?? Text.contentGone(l) }
            el("p", .class("small-text")) {
                "\(Text.reportReasonLabel(l)): \(report.reason) — \(Text.reportedBy(l)): \(names[report.reporter] ?? report.reporter.rawValue)"
            }
            el("div", .class("actions")) {
                Layout.postButton(chrome, action: "/moderation/reports/\(report.id)/remove", label: Text.removeContent(l), style: "button small danger",
                                  id: "remove-\(report.id)")
                Layout.postButton(chrome, action: "/moderation/reports/\(report.id)/dismiss", label: Text.dismissReport(l), style: "button small secondary",
                                  id: "dismiss-\(report.id)")
                if item.author != nil {
                    Layout.postButton(chrome, action: "/moderation/reports/\(report.id)/suspend", label: Text.removeAndSuspend(l), style: "button small danger",
                                      id: "suspend-\(report.id)")
                }
            }
        }
    }
}

/// `/moderation`: the queue (404 for anyone who is not a moderator or an admin), and its two actions.
struct ModerationPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("moderation", use: queue)
        router.post("moderation/reports/{id}/{action}", use: resolve)
        router.post("moderation/members/suspend", use: suspend)
        router.post("moderation/members/{id}/restore", use: restore)
    }

    static func actor(_ context: AppRequestContext) throws -> ModerationService.Actor {
        guard case .member(let id, let role) = context.viewer else { throw DomainError.unauthenticated }
        return .member(id, role)
    }

    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(request, context, notice: nil)
    }

    func page(
        _ request: Request, _ context: AppRequestContext, notice: String?, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let actor = try Self.actor(context)
        let items = try await services.moderation.queue(actor)
        let audit = try await services.moderation.audit(actor, limit: 20)
        let suspended = try await services.moderation.suspended(actor, limit: 200)
        var people = Set(items.flatMap { [$0.report.reporter] + ($0.author.map { [$0] } ?? []) })
        for entry in audit {
            if !entry.actor.hasPrefix("cli:") { people.insert(MemberID(entry.actor)) }
            if entry.subject.hasPrefix("member ") { people.insert(MemberID(String(entry.subject.dropFirst(7)))) }
        }
        var names: [MemberID: String] = [:]
        // Moderators see suspended members' names too: they are the ones who act on them.
        for member in people where member.rawValue.utf8.count <= 64 {
            if let profile = try await services.storage.profile(id: member, includingSuspended: true) { names[member] = profile.fields.name }
        }
        let chrome = await PageChromeBuilder.make(services, context, path: "/moderation", notice: nil)
        return HTMLResponse.make(
            ModerationPages.queue(chrome, .init(items: items, names: names, audit: audit, suspended: suspended, notice: notice, error: error)),
            status: status)
    }

    /// Suspends the member named by handle, email or id, for the reason given; the page again with a notice, or the
    /// refusal above the form (4xx).
    @Sendable func suspend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try Self.actor(context)
        let named = (context.form["member"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            guard let account = try await ModerationService.account(named: named, in: services.storage) else { throw DomainError.notFound("Member") }
            try await services.moderation.suspend(account.memberID, reason: context.form["reason"] ?? "", by: actor)
        } catch let error as DomainError {
            let status: HTTPResponse.Status
            switch error.kind {
            case .notFound: status = .notFound
            case .conflict: status = .conflict
            case .forbidden: status = .forbidden
            default: status = .unprocessableContent
            }
            return try await page(request, context, notice: nil, error: error.message, status: status)
        }
        return try await page(request, context, notice: Text.memberSuspended(context.locale))
    }

    @Sendable func restore(_ request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try Self.actor(context)
        try await services.moderation.restore(MemberID(context.parameters.get("id") ?? ""), by: actor)
        return try await page(request, context, notice: Text.memberRestored(context.locale))
    }

    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try Self.actor(context)
        let resolution: ReportResolution
        let id = context.parameters.get("id") ?? ""
        switch context.parameters.get("action") {
        case "remove": resolution = .removed
        case "dismiss": resolution = .dismissed
        case "suspend":
            let (_, author) = try await services.moderation.removeAndSuspendAuthor(id, by: actor)
            let l = context.locale
            return try await page(request, context, notice: Text.reportRemoved(l) + (author == nil ? "" : " " + Text.memberSuspended(l)))
        default: throw DomainError.notFound("Page")
        }
        _ = try await services.moderation.resolve(id, as: resolution, by: actor)
        let l = context.locale
        return try await page(request, context, notice: resolution == .removed ? Text.reportRemoved(l) : Text.reportDismissed(l))
    }
}
