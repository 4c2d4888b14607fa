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
        var notice: String?
    }

    static func queue(_ chrome: PageChrome, _ model: Model) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.moderation(l)) {
            el("h1") { Text.moderation(l) }
            el("p", .class("muted")) { Text.moderationHint(l) }
            if let notice = model.notice { el("p", .class("notice"), .id("moderation-notice"), Attribute("role", "status")) { notice } }
            if model.items.isEmpty {
                el("p", .class("muted"), .id("no-reports")) { Text.noReports(l) }
            } else {
                el("ul", .class("report-list"), .id("reports")) {
                    for item in model.items { row(chrome, item, model.names) }
                }
            }
            if !model.audit.isEmpty {
                el("section", .class("card"), .id("audit")) {
                    el("h2") { Text.auditLog(l) }
                    el("ul", .class("small-text")) {
                        for entry in model.audit {
                            el("li") { "\(Represent.timeString(entry.at)) · \(entry.actor) · \(entry.action) · \(entry.subject)" }
                        }
                    }
                }
            }
        }
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
    }

    static func actor(_ context: AppRequestContext) throws -> ModerationService.Actor {
        guard case .member(let id, let role) = context.viewer else { throw DomainError.unauthenticated }
        return .member(id, role)
    }

    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(request, context, notice: nil)
    }

    func page(_ request: Request, _ context: AppRequestContext, notice: String?) async throws -> Response {
        let actor = try Self.actor(context)
        let items = try await services.moderation.queue(actor)
        let audit = try await services.moderation.audit(actor, limit: 20)
        let people = Set(items.flatMap { [$0.report.reporter] + ($0.author.map { [$0] } ?? []) })
        var names: [MemberID: String] = [:]
        for member in people {
            if let profile = try await services.storage.profile(id: member) { names[member] = profile.fields.name }
        }
        let chrome = await PageChromeBuilder.make(services, context, path: request.uri.path, notice: nil)
        return HTMLResponse.make(ModerationPages.queue(chrome, .init(items: items, names: names, audit: audit, notice: notice)))
    }

    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let actor = try Self.actor(context)
        let resolution: ReportResolution
        switch context.parameters.get("action") {
        case "remove": resolution = .removed
        case "dismiss": resolution = .dismissed
        default: throw DomainError.notFound("Page")
        }
        let id = context.parameters.get("id") ?? ""
        _ = try await services.moderation.resolve(id, as: resolution, by: actor)
        let l = context.locale
        return try await page(request, context, notice: resolution == .removed ? Text.reportRemoved(l) : Text.reportDismissed(l))
    }
}
