import Foundation
import TsunagariCore

/// My Network, connection lists, company pages and introductions. Every person shown carries a degree
/// badge that came from one batch per page.
enum NetworkPages {
    static func badge(_ degree: Degree, _ l: TsunagariCore.Locale) -> HTML {
        var writer = HTMLWriter(capacity: 96)
        badge(degree, l, into: &writer)
        return writer.written
    }

    static func badge(_ degree: Degree, _ l: TsunagariCore.Locale, into w: inout HTMLWriter) {
        let text: String
        switch degree {
        case .first: text = Text.degreeFirst(l)
        case .second: text = Text.degreeSecond(l)
        case .third: text = Text.degreeThird(l)
        case .beyond: text = Text.degreeBeyond(l)
        default: return
        }
        w.markup("<span class=\"degree degree-")
        switch degree {
        case .first: w.markup("1")
        case .second: w.markup("2")
        case .third: w.markup("3")
        default: w.markup("beyond")
        }
        w.markup("\" title=\"")
        w.text(text)
        w.markup("\">")
        w.text(text)
        w.markup("</span>")
    }

    /// A person's name, linking to their profile, with the degree badge; then their headline, if they have one.
    static func nameAndHeadline(_ p: PersonSummary, _ l: TsunagariCore.Locale, into w: inout HTMLWriter) {
        w.markup("<p class=\"person-name\"><a href=\"/in/")
        w.text(p.card.handle)
        w.markup("\">")
        w.text(p.card.name)
        w.markup("</a> ")
        badge(p.degree, l, into: &w)
        w.markup("</p>")
        if let headline = p.card.headline {
            w.markup("<p class=\"muted small-text\">")
            w.text(headline)
            w.markup("</p>")
        }
    }

    /// One person in a list: avatar initial, name with badge, headline, mutual count, and optional actions. Written
    /// straight into bytes (`HTMLWriter`): a profile page shows sixteen, a list of connections twenty.
    static func person(_ p: PersonSummary, _ l: TsunagariCore.Locale, @HTMLBuilder extra: () -> HTML = { .empty }) -> HTML {
        var w = HTMLWriter(capacity: 640)
        person(p, l, into: &w) { $0.html(extra()) }
        return w.written
    }

    static func person(_ p: PersonSummary, _ l: TsunagariCore.Locale, into w: inout HTMLWriter, extra: (inout HTMLWriter) -> Void) {
        w.markup("<li class=\"person\">")
        PhotoPages.avatar(name: p.card.name, photo: p.card.photo, small: true, into: &w)
        w.markup("<div class=\"person-body\">")
        nameAndHeadline(p, l, into: &w)
        if p.mutualConnectionCount > 0 && p.degree != .first {
            w.markup("<p class=\"muted small-text\">")
            w.text(Text.reasonMutual.counted(p.mutualConnectionCount, l))
            w.markup("</p>")
        }
        extra(&w)
        w.markup("</div></li>")
    }

    struct MyNetwork: Sendable {
        var received: [(Invitation, PersonSummary)]
        var sent: [(Invitation, PersonSummary)]
        var suggestions: [NetworkService.Suggestion]
        var connectionCount: Int
        var secondDegreeCount: Int
    }

    static func reasonText(_ reason: NetworkService.Reason, _ l: TsunagariCore.Locale) -> String {
        switch reason.kind {
        case .mutualConnections:
            guard let count = reason.count else { return Text.mutualConnections(l) }
            return Text.reasonMutual.counted(count, l)
        case .sameCompany: return "\(Text.reasonCompany(l)): \(reason.company?.name ?? "")"
        case .sameSchool: return "\(Text.reasonSchool(l)): \(reason.school ?? "")"
        case .contact: return Text.reasonContact(l)
        }
    }

    static func myNetwork(_ chrome: PageChrome, _ model: MyNetwork) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.myNetwork(l)) {
            el("div", .class("page-title")) {
                el("h1") { Text.myNetwork(l) }
                el("p", .class("muted")) {
                    el("a", .href("/network/connections"), .id("connection-count")) {
                        Text.connectionsCount.counted(model.connectionCount, l)
                    }
                    " · "
                    Text.secondDegreeCount.counted(model.secondDegreeCount, l)
                }
            }
            el("section", .class("card"), .id("invitations-received")) {
                el("h2") { Text.invitationsReceived(l) }
                if model.received.isEmpty { el("p", .class("muted")) { Text.noInvitations(l) } }
                el("ul", .class("people")) {
                    for (invitation, from) in model.received {
                        person(from, l) {
                            if let message = invitation.message { el("p", .class("note prewrap")) { message } }
                            el("div", .class("row-actions")) {
                                Layout.postButton(chrome, action: "/network/invitations/\(invitation.id)/accept", label: Text.accept(l), style: "button small")
                                Layout.postButton(chrome, action: "/network/invitations/\(invitation.id)/ignore", label: Text.ignore(l), style: "button small secondary")
                            }
                        }
                    }
                }
            }
            el("section", .class("card"), .id("suggestions")) {
                el("h2") { Text.peopleYouMayKnow(l) }
                if model.suggestions.isEmpty { el("p", .class("muted")) { Text.noSuggestions(l) } }
                el("ul", .class("people grid-people")) {
                    for suggestion in model.suggestions {
                        person(suggestion.person, l) {
                            // The mutual count is already on the person's line.
                            let reasons = suggestion.reasons.filter { $0.kind != .mutualConnections }
                            if !reasons.isEmpty {
                                el("p", .class("reasons small-text")) { reasons.map { reasonText($0, l) }.joined(separator: " · ") }
                            }
                            el("div", .class("row-actions")) {
                                Layout.postButton(chrome, action: "/network/invite/\(suggestion.person.card.id.rawValue)", label: Text.connect(l), style: "button small")
                                Layout.postButton(chrome, action: "/network/suggestions/\(suggestion.person.card.id.rawValue)/dismiss", label: Text.dismiss(l), style: "button small secondary")
                            }
                        }
                    }
                }
            }
            el("section", .class("card"), .id("invitations-sent")) {
                el("h2") { Text.invitationsSent(l) }
                if model.sent.isEmpty { el("p", .class("muted")) { Text.noInvitations(l) } }
                el("ul", .class("people")) {
                    for (invitation, to) in model.sent {
                        person(to, l) {
                            el("p", .class("muted small-text")) { Text.pending(l) }
                            Layout.postButton(chrome, action: "/network/invitations/\(invitation.id)/withdraw", label: Text.withdraw(l), style: "button small secondary")
                        }
                    }
                }
            }
        }
    }

    struct ConnectionList: Sendable {
        var owner: PersonSummary?
        var entries: [NetworkService.ConnectionEntry]
        var query: String
        var sort: NetworkService.ConnectionSort
        var nextCursor: String?
        var sharedOnly: Bool
        var basePath: String
    }

    static func connections(_ chrome: PageChrome, _ model: ConnectionList) -> HTML {
        let l = chrome.locale
        let title = model.owner.map { "\($0.card.name) · \(Text.connections(l))" } ?? Text.connections(l)
        return Layout.page(chrome, title: title) {
            el("h1") { title }
            if model.sharedOnly { el("p", .class("muted")) { Text.sharedConnectionsOnly(l) } }
            el("form", .class("filter-row"), Attribute("method", "get"), Attribute("action", model.basePath), Attribute("role", "search")) {
                el("input", .type("search"), .name("q"), .value(model.query), Attribute("placeholder", Text.searchConnections(l)), Attribute("aria-label", Text.searchConnections(l)))
                el("select", .name("sort"), Attribute("aria-label", Text.sortOrder(l))) {
                    el("option", .value("recent"), .flag("selected", model.sort == .recent)) { Text.sortRecent(l) }
                    el("option", .value("name"), .flag("selected", model.sort == .name)) { Text.sortName(l) }
                }
                // A word, not a magnifier glyph: a machine without an emoji font drew an empty box, and a screen
                // reader read the glyph's name in English on a Japanese page.
                el("button", .type("submit"), .class("button small")) { Text.search(l) }
            }
            el("section", .class("card")) {
                if model.entries.isEmpty { el("p", .class("muted")) { Text.noConnections(l) } }
                el("ul", .class("people"), .id("connection-list")) {
                    for entry in model.entries {
                        person(entry.person, l) {
                            if let date = entry.connectedAt, model.owner == nil {
                                el("p", .class("muted small-text")) { "\(Text.connectedOn(l)): \(day(date))" }
                            }
                        }
                    }
                }
                if let next = model.nextCursor {
                    let query = "q=\(model.query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&sort=\(model.sort.rawValue)&cursor=\(next)"
                    el("p") { el("a", .class("button small secondary"), .href("\(model.basePath)?\(query)")) { "→" } }
                }
            }
        }
    }

    static func day(_ date: Date) -> String {
        String(date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()))
    }

    /// The network part of a profile page: badge, actions, mutual connections, how you are connected.
    struct ProfileNetwork: Sendable {
        var person: PersonSummary
        var relationship: ConnectionService.Relationship
        var invitationID: String?
        var following: Bool
        var mutual: [PersonSummary]
        var paths: NetworkService.Paths?
        var connectionCount: Int
        var maySeeConnections: Bool
        var mayMessage = false
        /// Opened from a QR code's link: the invitation form is shown open.
        var connectReady = false
    }

    /// The buttons under a profile's name: message, connect (or the invitation's state, or remove), follow, block.
    static func profileActions(_ chrome: PageChrome, _ model: ProfileNetwork, into w: inout HTMLWriter) {
        let l = chrome.locale
        let id = model.person.card.id.rawValue
        w.markup("<div class=\"profile-actions\" id=\"profile-actions\">")
        if model.mayMessage {
            w.markup("<a class=\"button small\" href=\"/messages/new?to=")
            w.text(id)
            w.markup("\" id=\"message-button\">")
            w.text(Text.message(l))
            w.markup("</a>")
        }
        switch model.relationship {
        case .none:
            w.markup("<form class=\"inline-form\" method=\"post\" action=\"/network/invite/")
            w.text(id)
            w.markup("\" id=\"connect-form\">")
            Layout.csrfField(chrome, into: &w)
            w.markup(model.connectReady ? "<details open><summary class=\"button small\">" : "<details><summary class=\"button small\">")
            w.text(Text.connect(l))
            w.markup("</summary>")
            if model.connectReady {
                w.markup("<p class=\"small-text\" id=\"connect-ready\">")
                w.text("\(Text.connectWith(l)): \(model.person.card.name)")
                w.markup("</p>")
            }
            w.markup("<label class=\"field\"><span>")
            w.text(Text.inviteNote(l))
            w.markup(
                "</span><textarea name=\"message\" rows=\"3\" maxlength=\"300\"></textarea></label><button type=\"submit\" class=\"button small\" id=\"send-invitation\">"
            )
            w.text(Text.sendInvitation(l))
            w.markup("</button></details></form>")
        case .invitationSent:
            w.markup("<span class=\"badge pending\" id=\"pending-badge\">")
            w.text(Text.pending(l))
            w.markup("</span>")
            if let invitation = model.invitationID {
                Layout.postButton(
                    chrome, action: "/network/invitations/\(invitation)/withdraw", label: Text.withdraw(l), style: "button small secondary", into: &w)
            }
        case .invitationReceived:
            if let invitation = model.invitationID {
                Layout.postButton(chrome, action: "/network/invitations/\(invitation)/accept", label: Text.accept(l), style: "button small", into: &w)
                Layout.postButton(
                    chrome, action: "/network/invitations/\(invitation)/ignore", label: Text.ignore(l), style: "button small secondary", into: &w)
            }
        case .connected:
            Layout.postButton(
                chrome, action: "/network/connections/\(id)/remove", label: Text.removeConnection(l), style: "button small secondary",
                id: "remove-connection", into: &w)
        }
        Layout.postButton(
            chrome, action: "/network/follow/\(id)?on=\(model.following ? "0" : "1")",
            label: model.following ? Text.unfollow(l) : Text.follow(l), style: "button small secondary", id: "follow-button", into: &w)
        w.markup("<details class=\"block-box\"><summary class=\"link-button danger-link\">")
        w.text(Text.block(l))
        w.markup("</summary><p class=\"small-text muted\">")
        w.text(Text.blockConfirm(l))
        w.markup("</p>")
        Layout.postButton(chrome, action: "/network/block/\(id)", label: Text.block(l), style: "button small danger", id: "block-button", into: &w)
        w.markup("</details></div>")
    }

    /// How many mutual connections and introducers a profile page names.
    static let mutualShown = 6
    static let pathsShown = 10

    /// A profile's mutual connections and those who can introduce the viewer.
    static func profileNetwork(_ chrome: PageChrome, _ model: ProfileNetwork, into w: inout HTMLWriter) {
        let l = chrome.locale
        w.markup("<section class=\"card\" id=\"mutual-connections\"><h2>")
        w.text(Text.mutualConnections(l))
        w.markup("</h2>")
        if model.mutual.isEmpty { w.markup("<p class=\"muted\">—</p>") }
        w.markup("<ul class=\"people compact\">")
        for person in model.mutual.prefix(mutualShown) { NetworkPages.person(person, l, into: &w) { _ in } }
        w.markup("</ul>")
        if model.maySeeConnections || !model.mutual.isEmpty {
            w.markup("<p><a href=\"/in/")
            w.text(model.person.card.handle)
            w.markup("/connections\">")
            if model.maySeeConnections {
                w.text(l == .ja ? "\(Text.connections(l))（\(model.connectionCount)）" : "\(Text.connections(l)) (\(model.connectionCount))")
            } else {
                w.text(Text.seeAll(l))
            }
            w.markup("</a></p>")
        }
        w.markup("</section>")
        paths(chrome, model, into: &w)
    }

    private static func paths(_ chrome: PageChrome, _ model: ProfileNetwork, into w: inout HTMLWriter) {
        let l = chrome.locale
        guard let paths = model.paths, paths.degree == .second || paths.degree == .third else { return }
        w.markup("<section class=\"card\" id=\"paths\"><h2>")
        w.text(Text.howConnected(l))
        w.markup("</h2>")
        if paths.via.isEmpty {
            w.markup("<p class=\"muted\">")
            w.text(Text.noPath(l))
            w.markup("</p>")
        }
        w.markup("<ul class=\"people compact\">")
        let target = model.person.card.id.rawValue
        for via in paths.via.prefix(pathsShown) {
            person(via, l, into: &w) { w in
                w.markup("<a class=\"button small secondary\" href=\"/introductions/new?target=")
                w.text(target)
                w.markup("&amp;via=")
                w.text(via.card.id.rawValue)
                w.markup("\">")
                w.text(Text.askIntroduction(l))
                w.markup("</a>")
            }
        }
        w.markup("</ul></section>")
    }

    struct CompanyModel: Sendable {
        var company: Company
        var known: [NetworkService.CompanyPerson]
        var reachable: [NetworkService.CompanyPerson]
        var former: [NetworkService.FormerColleague]
        /// For former colleagues who are not connections, the viewer's connections who can introduce them.
        var introducers: [MemberID: [MemberID]] = [:]
        var jobs: [Job] = []
        /// People here whom colleagues at the viewer's verified employer know.
        var reach = DataPages.ReachModel(employer: nil, entries: [])
    }

    static func company(_ chrome: PageChrome, _ model: CompanyModel) -> HTML {
        let l = chrome.locale
        let c = model.company
        return Layout.page(chrome, title: c.name) {
            el("section", .class("card profile-head")) {
                el("div", .class("avatar square"), Attribute("aria-hidden", "true")) { String(c.name.prefix(1)) }
                el("div") {
                    el("h1", .id("company-name")) { c.name }
                    el("p", .class("muted")) {
                        l == .ja
                            ? "\(c.currentMemberCount)\(Text.currentEmployees(l)) · \(c.pastMemberCount)\(Text.pastEmployees(l))"
                            : "\(c.currentMemberCount) \(Text.currentEmployees(l)) · \(c.pastMemberCount) \(Text.pastEmployees(l))"
                    }
                }
            }
            el("section", .class("card"), .id("people-you-know")) {
                el("h2") { Text.peopleYouKnowHere(l) }
                if model.known.isEmpty { el("p", .class("muted")) { Text.nobodyHere(l) } }
                el("ul", .class("people")) { for entry in model.known { person(entry.person, l) } }
            }
            JobPages.companyJobs(model.jobs, l)
            DataPages.reach(chrome, model.reach)
            el("section", .class("card"), .id("reach-others")) {
                el("h2") { Text.reachOthersThere(l) }
                if model.reachable.isEmpty { el("p", .class("muted")) { Text.nobodyHere(l) } }
                el("ul", .class("people")) {
                    for entry in model.reachable {
                        person(entry.person, l) {
                            if !entry.via.isEmpty {
                                el("p", .class("small-text via")) {
                                    Text.via(l) + " "
                                    HTML.joined(entry.via.prefix(3).map { via in
                                        el("a", .href("/introductions/new?target=\(entry.person.card.id.rawValue)&via=\(via.card.id.rawValue)")) { via.card.name }
                                    })
                                }
                            }
                        }
                    }
                }
            }
            el("section", .class("card"), .id("former-colleagues")) {
                el("h2") { Text.formerColleaguesHere(l) }
                if model.former.isEmpty { el("p", .class("muted")) { Text.nobodyHere(l) } }
                el("ul", .class("people")) {
                    for colleague in model.former {
                        person(colleague.person, l) {
                            el("p", .class("small-text")) {
                                colleague.shared.map { shared in
                                    let place = shared.kind == .company ? shared.organisationName : "\(Text.sharedSchool(l)): \(shared.organisationName)"
                                    return shared.overlap ? "\(place) (\(Text.overlapped(l)))" : place
                                }.joined(separator: " · ")
                            }
                            let id = colleague.person.card.id.rawValue
                            if colleague.person.degree == .first {
                                el("a", .class("button small"), .href("/messages/new?to=\(id)")) { Text.message(l) }
                            } else if let via = model.introducers[colleague.person.card.id]?.first {
                                el("a", .class("button small secondary"), .href("/introductions/new?target=\(id)&via=\(via.rawValue)")) {
                                    Text.askIntroduction(l)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    struct IntroductionForm: Sendable {
        var target: PersonSummary
        var via: PersonSummary
        var message: String
        var error: String?
    }

    static func introductionForm(_ chrome: PageChrome, _ model: IntroductionForm) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.introductionRequest(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.introductionRequest(l) }
                el("ul", .class("people compact")) {
                    person(model.target, l)
                }
                el("p", .class("muted")) { "\(Text.via(l)) \(model.via.card.name)" }
                Layout.errors(model.error)
                Layout.form(chrome, action: "/introductions", id: "introduction-form") {
                    el("input", .type("hidden"), .name("target"), .value(model.target.card.id.rawValue))
                    el("input", .type("hidden"), .name("via"), .value(model.via.card.id.rawValue))
                    Layout.textArea(Text.introductionMessage(l), name: "message", value: model.message, rows: 5, maxLength: NetworkService.introductionMessageLimit)
                    el("button", .type("submit"), .class("button")) { Text.askIntroduction(l) }
                }
            }
        }
    }

    static func conversationLink(_ introduction: Introduction, _ l: TsunagariCore.Locale) -> HTML {
        guard introduction.status == .forwarded, let id = introduction.conversationID else { return .empty }
        return el("p") { el("a", .class("button small"), .href("/messages/\(id)"), .id("conversation-\(introduction.id)")) { Text.openConversation(l) } }
    }

    static func introductions(_ chrome: PageChrome, viewer: MemberID, _ list: [Introduction], people: [MemberID: PersonSummary]) -> HTML {
        let l = chrome.locale
        func name(_ id: MemberID) -> HTML {
            guard let p = people[id] else { return HTML(escaping: "—") }
            return el("a", .href("/in/\(p.card.handle)")) { p.card.name }
        }
        return Layout.page(chrome, title: Text.introductions(l)) {
            el("h1") { Text.introductions(l) }
            if list.isEmpty { el("p", .class("card muted")) { Text.noIntroductions(l) } }
            el("ul", .class("introductions")) {
                for introduction in list {
                    el("li", .class("card"), Attribute("id", "introduction-\(introduction.id)")) {
                        if introduction.via == viewer {
                            el("p") {
                                name(introduction.requester)
                                " \(Text.askedYou(l)) "
                                name(introduction.target)
                            }
                            el("p", .class("note prewrap")) { introduction.message }
                            if introduction.status == .pending {
                                Layout.form(chrome, action: "/introductions/\(introduction.id)/forward", id: "forward-\(introduction.id)") {
                                    Layout.textArea(Text.forwardNote(l), name: "note", value: nil, rows: 2, maxLength: NetworkService.introductionMessageLimit)
                                    el("button", .type("submit"), .class("button small")) { Text.forward(l) }
                                }
                                Layout.postButton(chrome, action: "/introductions/\(introduction.id)/decline", label: Text.decline(l), style: "button small secondary")
                            } else {
                                el("p", .class("muted")) { introduction.status == .forwarded ? Text.introductionForwarded(l) : Text.decline(l) }
                                conversationLink(introduction, l)
                            }
                        } else if introduction.target == viewer {
                            el("p") {
                                name(introduction.via)
                                " \(Text.introducedToYou(l)) "
                                name(introduction.requester)
                            }
                            el("p", .class("note prewrap")) { introduction.message }
                            if let note = introduction.forwardNote { el("p", .class("note prewrap")) { note } }
                            conversationLink(introduction, l)
                        } else {
                            el("p") {
                                "\(Text.youAsked(l)): "
                                name(introduction.via)
                                " → "
                                name(introduction.target)
                            }
                            el("p", .class("note prewrap")) { introduction.message }
                            el("p", .class("muted")) { introduction.status == .forwarded ? Text.introductionForwarded(l) : Text.pending(l) }
                            conversationLink(introduction, l)
                        }
                    }
                }
            }
        }
    }
}
