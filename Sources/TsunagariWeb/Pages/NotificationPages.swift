import Foundation
import Hummingbird
import TsunagariCore

/// The notifications page: every kind in a readable sentence, newest first, with what it leads to.
enum NotificationPages {
    static func sentence(_ kind: NotificationKind) -> Text? {
        switch kind {
        case .invitationReceived: .notifyInvitationReceived
        case .invitationAccepted: .notifyInvitationAccepted
        case .introductionRequested: .notifyIntroductionRequested
        case .introductionForwarded: .notifyIntroductionForwarded
        case .mention: .notifyMention
        case .comment: .notifyComment
        case .reaction: .notifyReaction
        case .repost: .notifyRepost
        case .jobApplication: .notifyJobApplication
        case .referralRequested: .notifyReferralRequested
        case .referralGiven: .notifyReferralGiven
        case .savedSearchMatches: nil
        }
    }

    /// Where a notification leads, if anywhere yet.
    static func link(_ n: MemberNotification, actor: PersonSummary?) -> String? {
        switch n.kind {
        case .invitationReceived: "/network"
        case .invitationAccepted: actor.map { "/in/\($0.card.handle)" }
        case .introductionRequested: n.subjectID.map { "/introductions#introduction-\($0)" }
        case .introductionForwarded: n.conversationID.map { "/messages/\($0)" } ?? "/introductions"
        case .mention, .reaction, .repost: n.subjectID.map { "/posts/\($0)" }
        case .comment: n.subjectID.map { id in "/posts/\(id)" + (n.subjectName.map { "#comment-\($0)" } ?? "#comments") }
        case .jobApplication: n.subjectID.map { "/jobs/\($0)/applicants" }
        case .referralRequested: "/jobs/mine#referrals-to-me"
        case .referralGiven: n.subjectID.map { "/jobs/\($0)" }
        case .savedSearchMatches: nil
        }
    }

    static func linkLabel(_ kind: NotificationKind, _ l: TsunagariCore.Locale) -> String {
        switch kind {
        case .invitationReceived: Text.myNetwork(l)
        case .introductionRequested: Text.introductions(l)
        case .introductionForwarded: Text.openConversation(l)
        case .mention, .comment, .reaction, .repost: Text.post(l)
        case .jobApplication: Text.applicants(l)
        case .referralRequested: Text.myJobs(l)
        case .referralGiven: Text.viewJob(l)
        default: Text.viewProfile(l)
        }
    }

    static func page(
        _ chrome: PageChrome, _ list: [MemberNotification], next: String?, people: [MemberID: PersonSummary], searches: [String: SavedSearch]
    ) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.notifications(l)) {
            el("div", .class("title-row")) {
                el("h1") { Text.notifications(l) }
                if let newest = list.first, list.contains(where: { !$0.read }) {
                    Layout.form(chrome, action: "/notifications/read", id: "mark-read") {
                        el("input", .type("hidden"), .name("upTo"), .value(newest.id))
                        el("button", .type("submit"), .class("button secondary small")) { Text.markAllRead(l) }
                    }
                }
            }
            el("section", .class("card"), .id("notifications")) {
                if list.isEmpty { el("p", .class("muted")) { Text.noNotifications(l) } }
                el("ul", .class("plain-list"), .id("notification-list")) {
                    for n in list {
                        el("li", .class(n.read ? "notification" : "notification unread"), Attribute("data-id", n.id), Attribute("data-kind", n.kind.rawValue)) {
                            if n.kind == .savedSearchMatches {
                                savedSearchLine(n, searches, l)
                                el("p", .class("muted small-text")) { NetworkPages.day(n.createdAt) }
                                el("ul", .class("people")) {
                                    for id in n.members { if let person = people[id] { NetworkPages.person(person, l) } }
                                }
                            } else {
                                line(n, people, l)
                                el("p", .class("muted small-text")) { NetworkPages.day(n.createdAt) }
                            }
                        }
                    }
                }
                if let next { el("p") { el("a", .href("/notifications?cursor=\(next)"), .class("button secondary small")) { Text.nextPage(l) } } }
            }
        }
    }

    static func line(_ n: MemberNotification, _ people: [MemberID: PersonSummary], _ l: TsunagariCore.Locale) -> HTML {
        let actor = n.actor.flatMap { people[$0] }
        let who = actor?.card.name ?? ""
        let others = n.count > 1 ? (l == .ja ? " \(Text.andOthers(l))\(n.count - 1)人" : " \(Text.andOthers(l)) (\(n.count - 1))") : ""
        let text = sentence(n.kind).map { $0(l) } ?? ""
        let subject = n.subjectName.flatMap { n.kind == .comment ? nil : $0 }
        return el("p") {
            if let actor { el("a", .href("/in/\(actor.card.handle)"), .class("notification-actor")) { who } }
            if l == .ja { "\(others)\(text)" } else { "\(others) \(text)" }
            if let subject { l == .ja ? "：\(subject)" : ": \(subject)" }
            if let target = link(n, actor: actor) {
                " "
                el("a", .href(target), .class("notification-link")) { linkLabel(n.kind, l) }
            }
        }
    }

    static func savedSearchLine(_ n: MemberNotification, _ searches: [String: SavedSearch], _ l: TsunagariCore.Locale) -> HTML {
        let name = n.subjectName ?? ""
        return el("p") {
            if let id = n.subjectID, let saved = searches[id] {
                l == .ja ? "\(n.count)\(Text.newMatches(l))：" : "\(n.count) \(Text.newMatches(l)): "
                el("a", .href(SearchPages.runLink(saved)), .class("notification-link")) { name }
            } else {
                l == .ja ? "\(n.count)\(Text.newMatches(l))：\(name)" : "\(n.count) \(Text.newMatches(l)): \(name)"
            }
        }
    }
}

struct NotificationPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("notifications", use: page)
        router.post("notifications/read", use: markRead)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let cursor = request.form["cursor"].flatMap { OpaqueID.isWellFormed($0) ? $0 : nil }
        let page = try await services.notifications.list(viewer: viewer, cursor: cursor, limit: 50)
        let people = try await NotificationPeople.load(page.items, viewer: viewer, services: services)
        let searches = Dictionary(try await services.savedSearches.list(viewer: viewer).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let chrome = await PageChromeBuilder.make(services, context, path: request.uri.path)
        return HTMLResponse.make(NotificationPages.page(chrome, page.items, next: page.nextCursor, people: people, searches: searches))
    }

    @Sendable func markRead(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        try await services.notifications.markRead(viewer: viewer, upTo: context.form["upTo"] ?? "")
        return .redirect(to: "/notifications")
    }
}
