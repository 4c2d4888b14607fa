import Foundation
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// The profile page, written straight into bytes, against the tree of elements it replaced (kept below): the same bytes
/// for random profiles, networks, viewers and languages, with text that needs escapes in every field.
@Suite struct ProfilePageTests {
    static let bad = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;"

    @Test func theProfilePageIsWrittenAsTheTreeItReplaced() {
        var random = SystemRandomNumberGenerator()
        func maybe(_ text: String) -> String? { Bool.random(using: &random) ? text : nil }
        func text() -> String { ["山田 花子", "Hanako", Self.bad, "a & b", "\"quoted\" 'single'", "改行\nあり"].randomElement(using: &random)! }
        func month() -> YearMonth { YearMonth("20\(Int.random(in: 10...25, using: &random))-0\(Int.random(in: 1...9, using: &random))")! }
        func some<T>(_ make: () -> T) -> [T] { (0..<Int.random(in: 0...3, using: &random)).map { _ in make() } }
        func person(_ degree: Degree) -> PersonSummary {
            var card = MemberCard(
                id: MemberID("01h\(Int.random(in: 100_000...999_999, using: &random))"), handle: ["h-1", "a\"b<c>"].randomElement(using: &random)!,
                name: text(), headline: maybe(text()), location: maybe(text()),
                profileVisibility: [.public, .members, .connections].randomElement(using: &random)!, connectionsVisibility: .connections)
            card.photo = Bool.random(using: &random) ? PhotoRef(id: "ph\"<") : nil
            return PersonSummary(card: card, degree: degree, mutualConnectionCount: Int.random(in: 0...3, using: &random))
        }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for round in 0..<400 {
            var profile = Profile(
                memberID: MemberID("01h0000000000000000000000a"), role: .member,
                fields: ProfileFields(
                    name: text(), nameReading: maybe(text()), handle: ["xss", "a\"b<c>"].randomElement(using: &random)!, headline: maybe(text()),
                    location: maybe(text()), industry: maybe(text()), about: maybe(text())),
                positions: some {
                    Position(
                        id: "p", company: CompanyRef(id: "c\"<", name: text()), companyNameAsWritten: text(), title: text(), location: maybe(text()),
                        startMonth: month(), endMonth: Bool.random(using: &random) ? month() : nil, description: maybe(text()))
                },
                educations: some {
                    Education(
                        id: "e", school: text(), degree: maybe(text()), field: maybe(text()), startYear: Bool.random(using: &random) ? 2010 : nil,
                        endYear: Bool.random(using: &random) ? 2014 : nil)
                },
                skills: some { text() }, settings: ProfileSettings(), createdAt: now, updatedAt: now)
            profile.certifications = some {
                Certification(
                    id: "c", name: text(), issuer: maybe(text()), obtained: Bool.random(using: &random) ? month() : nil,
                    expires: Bool.random(using: &random) ? month() : nil, credentialID: maybe(text()), url: maybe("https://example.test/?a=1&b=<2>"),
                    score: maybe(text()))
            }
            profile.languages = some { LanguageSkill(id: "l", name: text(), level: LanguageLevel.allCases.randomElement(using: &random)!, jlpt: JLPTLevel.allCases.randomElement(using: &random)) }
            profile.projects = some {
                Project(
                    id: "p", name: text(), role: maybe(text()), url: maybe("https://example.test/\"x"), start: Bool.random(using: &random) ? month() : nil,
                    end: Bool.random(using: &random) ? month() : nil, description: maybe(text()))
            }
            profile.volunteering = some {
                VolunteerRole(
                    id: "v", organization: text(), role: text(), cause: maybe(text()), start: Bool.random(using: &random) ? month() : nil,
                    end: Bool.random(using: &random) ? month() : nil, description: maybe(text()))
            }
            if Bool.random(using: &random) {
                profile.contact = ContactInfo(
                    email: maybe("a+b@example.test"), phone: maybe("+81 (3) 1234"), websites: some { Website(url: "https://example.test/<x>", label: maybe(text())) })
            }
            profile.photo = Bool.random(using: &random) ? PhotoRef(id: "p\"<") : nil
            profile.banner = Bool.random(using: &random) ? PhotoRef(id: "b\"<") : nil
            profile.settings.openToWork.titles = some { text() }
            let access: ProfileAccess = Bool.random(using: &random) ? .full : .limited
            let relation: ViewerRelation = [.oneself, .member, .connection].randomElement(using: &random)!
            let view = ProfileService.View(
                profile: profile, access: access, relation: relation, showsOpenToWork: Bool.random(using: &random), indexable: Bool.random(using: &random))
            let loggedIn = round % 4 != 0
            var chrome = PageChrome(
                locale: Bool.random(using: &random) ? .ja : .en, viewerName: loggedIn ? text() : nil, viewerHandle: loggedIn ? ["me", "m\"e<"].randomElement(using: &random)! : nil,
                csrfToken: ["tok", "t&k\"n"].randomElement(using: &random)!, path: ["/in/xss", "/in/a\"b<c>?connect=1"].randomElement(using: &random)!,
                notice: maybe(text()))
            chrome.unreadNotifications = [0, 5, 150].randomElement(using: &random)!
            chrome.unreadMessages = [0, 1, 99].randomElement(using: &random)!
            chrome.moderates = Bool.random(using: &random)
            chrome.emailUnverified = Bool.random(using: &random)
            var network: NetworkPages.ProfileNetwork?
            if loggedIn, relation != .oneself || Bool.random(using: &random) {
                let degree = [Degree.first, .second, .third, .beyond].randomElement(using: &random)!
                network = NetworkPages.ProfileNetwork(
                    person: person(degree), relationship: [.none, .invitationSent, .invitationReceived, .connected].randomElement(using: &random)!,
                    invitationID: maybe("inv\"<"), following: Bool.random(using: &random),
                    mutual: (0..<Int.random(in: 0...8, using: &random)).map { _ in person(.first) },
                    paths: Bool.random(using: &random)
                        ? NetworkService.Paths(
                            degree: [Degree.second, .third, .first].randomElement(using: &random)!,
                            via: (0..<Int.random(in: 0...12, using: &random)).map { _ in person(.first) })
                        : nil,
                    connectionCount: Int.random(in: 0...2_000, using: &random), maySeeConnections: Bool.random(using: &random),
                    mayMessage: Bool.random(using: &random), connectReady: Bool.random(using: &random))
            }
            let activity: [Post]? =
                access == .full && loggedIn
                ? (0..<Int.random(in: 0...3, using: &random)).map { index in
                    Post(
                        id: "post\(index)\"<", author: profile.memberID, text: Bool.random(using: &random) ? "" : text() + String(repeating: "長", count: 150),
                        visibility: .public, createdAt: now.addingTimeInterval(Double(index) * 3_600))
                } : nil
            let site = ["", "https://tsunagari.example"].randomElement(using: &random)!
            let written = ProfilePages.show(chrome, view, network: network, activity: activity, site: site).rendered
            let tree = TreeProfilePage.show(chrome, view, network: network, activity: activity, site: site).rendered
            #expect(written == tree, "round \(round)")
            if written != tree { break }
        }
    }

    /// The profile page is written straight into bytes: with every section, every state of the buttons under the name
    /// and script-injection text in every field a member or their network writes, each element it opens is closed, and
    /// no text comes out unescaped.
    @Test func theProfilePageIsWellFormedInEveryState() {
        let bad = PageTests.injection
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let month = YearMonth("2021-04")!
        var profile = Profile(
            memberID: MemberID("01h0000000000000000000000a"), role: .member,
            fields: ProfileFields(name: bad, nameReading: bad, handle: "xss", headline: bad, location: bad, industry: bad, about: bad),
            positions: [
                Position(
                    id: "p1", company: CompanyRef(id: "c1", name: bad), companyNameAsWritten: bad, title: bad, location: bad, startMonth: month,
                    endMonth: nil, description: bad)
            ],
            educations: [Education(id: "e1", school: bad, degree: bad, field: bad, startYear: 2010, endYear: 2014)], skills: [bad, bad],
            settings: ProfileSettings(), createdAt: now, updatedAt: now)
        profile.certifications = [Certification(id: "c", name: bad, issuer: bad, obtained: month, expires: month, credentialID: bad, url: "https://example.test/?a=1&b=<2>", score: bad)]
        profile.languages = [LanguageSkill(id: "l", name: bad, level: .business, jlpt: .n1)]
        profile.projects = [Project(id: "p", name: bad, role: bad, url: "https://example.test/\"", start: month, description: bad), Project(id: "q", name: bad)]
        profile.volunteering = [VolunteerRole(id: "v", organization: bad, role: bad, cause: bad, start: month, end: month, description: bad)]
        profile.contact = ContactInfo(email: "a@example.test", phone: "+81 3", websites: [Website(url: "https://example.test/<x>", label: bad)])
        profile.photo = PhotoRef(id: "p\"<")
        profile.banner = PhotoRef(id: "b\"<")
        profile.settings.openToWork.titles = [bad]
        func person(_ id: String, _ degree: Degree, count: Int = 0) -> PersonSummary {
            let card = MemberCard(
                id: MemberID(id), handle: "h\(id)", name: bad, headline: bad, location: bad, profileVisibility: .public,
                connectionsVisibility: .connections)
            return PersonSummary(card: card, degree: degree, mutualConnectionCount: count)
        }
        let target = person("01h0000000000000000000000a", .second, count: 3)
        let activity = [Post(id: "post<1>", author: profile.memberID, text: bad, visibility: .public, createdAt: now), Post(id: "r", author: profile.memberID, text: "", visibility: .public, createdAt: now, repostOf: "x")]
        var pages = 0
        for relationship in [ConnectionService.Relationship.none, .invitationSent, .invitationReceived, .connected] {
            for (ready, mutual, paths) in [(false, [person("m1", .first), person("m2", .first)], [person("v1", .first)]), (true, [], [])] {
                for locale in [TsunagariCore.Locale.ja, .en] {
                    for (access, showsOpenToWork) in [(ProfileAccess.full, true), (.limited, false)] {
                        let network = NetworkPages.ProfileNetwork(
                            person: target, relationship: relationship, invitationID: "inv\"<", following: ready, mutual: mutual,
                            paths: NetworkService.Paths(degree: .second, via: paths), connectionCount: 12, maySeeConnections: ready, mayMessage: !ready,
                            connectReady: ready)
                        let view = ProfileService.View(profile: profile, access: access, relation: .member, showsOpenToWork: showsOpenToWork, indexable: false)
                        let chrome = PageChrome(locale: locale, viewerName: bad, viewerHandle: "viewer\"<", csrfToken: "\"><script>", path: "/in/\"><script>", notice: bad)
                        let html = ProfilePages.show(chrome, view, network: network, activity: access == .full ? activity : nil).rendered
                        #expect(Self.unclosedElements(html) == [], "\(relationship) \(ready) \(locale) \(access)")
                        #expect(!html.contains("<script>") && !html.contains("<img src=x") && !html.contains("<x>") && !html.contains("<2>"))
                        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
                        #expect(html.contains("id=\"experience\"") == (access == .full) && html.contains("id=\"contact-info\"") == (access == .full))
                        pages += 1
                    }
                }
            }
        }
        #expect(pages == 32)
        // The checker itself finds what is left open or closed twice.
        #expect(Self.unclosedElements("<div><p>a</div>") == ["div", "p", "</div>"] && Self.unclosedElements("<p>a</p></p>") == ["</p>"])
    }

    /// A line under the name, or under a school, only for what the member wrote: no empty paragraph for a profile without
    /// location or industry, nor for a school without degree, field or years.
    @Test func aProfileWritesNoEmptyLines() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func page(location: String?, industry: String?, education: Education) -> String {
            var profile = Profile(
                memberID: MemberID("01h0000000000000000000000a"), role: .member,
                fields: ProfileFields(name: "山田 花子", handle: "hanako", location: location, industry: industry),
                positions: [], educations: [education], skills: [], settings: ProfileSettings(), createdAt: now, updatedAt: now)
            // Entries with nothing but their names: no dates, issuer, role or cause.
            profile.certifications = [Certification(id: "c", name: "資格A")]
            profile.projects = [Project(id: "p", name: "計画B")]
            profile.volunteering = [VolunteerRole(id: "v", organization: "子ども食堂", role: "会計")]
            let view = ProfileService.View(profile: profile, access: .full, relation: .member, showsOpenToWork: false, indexable: false)
            return ProfilePages.show(PageChrome(locale: .ja, csrfToken: "t", path: "/in/hanako"), view, network: nil, activity: nil).rendered
        }
        let bare = page(location: nil, industry: nil, education: Education(id: "e", school: "東京大学", degree: nil, field: nil, startYear: nil, endYear: nil))
        #expect(!bare.contains("<p></p>") && !bare.contains("<p class=\"muted\"></p>"))
        #expect(bare.contains("<h3>資格A</h3></li>") && bare.contains("<h3>計画B</h3></li>"))
        #expect(bare.contains("<h3>会計</h3><p class=\"company\">子ども食堂</p></li>"))
        #expect(bare.contains("<h3>東京大学</h3></li>"))
        let some = page(location: "東京", industry: nil, education: Education(id: "e", school: "東京大学", degree: nil, field: "経済学", startYear: nil, endYear: 2014))
        #expect(some.contains("<p class=\"muted\">東京</p>"))
        #expect(some.contains("<h3>東京大学</h3><p>経済学</p><p class=\"muted\">– 2014</p></li>"))
    }

    /// Elements a page opens and does not close, or closes without opening, in order: void elements have no end tag, and
    /// text never holds a `<` (it is escaped).
    static func unclosedElements(_ html: String) -> [String] {
        let void: Set<Substring> = ["input", "meta", "link", "br", "img", "hr", "!doctype"]
        var open: [Substring] = []
        var stray: [String] = []
        var rest = html[...]
        while let start = rest.firstIndex(of: "<") {
            guard let end = rest[start...].firstIndex(of: ">") else { return stray + ["<unterminated"] }
            let tag = rest[rest.index(after: start)..<end]
            rest = rest[rest.index(after: end)...]
            if tag.hasPrefix("/") {
                let name = tag.dropFirst()
                if open.last == name { open.removeLast() } else { stray.append("</\(name)>") }
            } else {
                let name = tag.prefix { $0 != " " }.lowercased()[...]
                if !void.contains(name) { open.append(name) }
                if name == "script" || name == "textarea" {
                    // Their content is text (the page's scripts are empty, its text areas escaped).
                    guard let close = rest.range(of: "</\(name)>") else { return stray + ["<\(name) unclosed"] }
                    rest = rest[close.upperBound...]
                    open.removeLast()
                }
            }
        }
        return open.map(String.init) + stray
    }
}

/// How the profile page was built before it was written straight into bytes: the page around it, the profile, its
/// network and its further sections, as trees of elements.
private enum TreeProfilePage {
    static func show(
        _ chrome: PageChrome, _ view: ProfileService.View, network: NetworkPages.ProfileNetwork? = nil, activity: [Post]? = nil,
        site: String = ""
    ) -> HTML {
        let l = chrome.locale
        let p = view.profile
        return page(chrome, title: p.name, indexable: view.indexable, head: PublicProfilePages.head(view, site: site)) {
            el("article", .class("profile")) {
                if view.access == .full { banner(p.banner) }
                el("section", .class("card profile-head")) {
                    PhotoPages.avatar(name: p.name, photo: view.access == .full ? p.photo : nil)
                    el("div") {
                        el("h1", .id("profile-name")) {
                            p.name
                            if let network { " "; NetworkPages.badge(network.person.degree, l) }
                        }
                        if view.access == .full, let reading = p.fields.nameReading { el("p", .class("reading")) { reading } }
                        if let headline = p.headline { el("p", .class("headline"), .id("profile-headline")) { headline } }
                        let place = [p.fields.location, p.fields.industry].compactMap { $0 }.joined(separator: " · ")
                        if view.access == .full, !place.isEmpty { el("p", .class("muted")) { place } }
                        if view.showsOpenToWork {
                            el("p", .class("badge open-to-work")) {
                                Text.openToWorkBadge(l)
                                if !p.settings.openToWork.titles.isEmpty {
                                    ": " + p.settings.openToWork.titles.joined(separator: ", ")
                                }
                            }
                        }
                        if view.relation == .oneself {
                            el("p") { el("a", .class("button small secondary"), .href("/me/edit")) { Text.editProfile(l) } }
                        } else if let network {
                            profileActions(chrome, network)
                        }
                    }
                }
                if let network, view.relation != .oneself { profileNetwork(chrome, network) }
                if view.access == .limited {
                    el("p", .class("card muted")) { Text.limitedProfile(l) }
                } else {
                    if let about = p.fields.about {
                        el("section", .class("card")) {
                            el("h2") { Text.about(l) }
                            el("p", .class("prewrap")) { about }
                        }
                    }
                    if let activity {
                        // The member's latest posts the viewer may see.
                        el("section", .class("card"), .id("activity")) {
                            el("h2") { Text.activity(l) }
                            if activity.isEmpty { el("p", .class("muted")) { Text.noPosts(l) } }
                            el("ul", .class("plain-list")) {
                                for item in activity {
                                    el("li", .class("activity-item")) {
                                        el("a", .href("/posts/\(item.id)")) {
                                            item.text.isEmpty ? Text.repost(l) : String(item.text.prefix(140))
                                        }
                                        el("p", .class("muted small-text")) { MessagingPages.time(item.createdAt) }
                                    }
                                }
                            }
                            el("p") { el("a", .href("/in/\(p.handle)/activity"), .id("all-activity")) { Text.seeAllActivity(l) } }
                        }
                    }
                    el("section", .class("card"), .id("experience")) {
                        el("h2") { Text.experience(l) }
                        if p.positions.isEmpty { el("p", .class("muted")) { Text.noPositions(l) } }
                        el("ol", .class("timeline")) {
                            for position in p.positions {
                                el("li") {
                                    el("h3") { position.title }
                                    el("p", .class("company")) {
                                        if chrome.isLoggedIn {
                                            el("a", .href("/companies/\(position.company.id)")) { position.company.name }
                                        } else {
                                            position.company.name
                                        }
                                    }
                                    el("p", .class("muted")) {
                                        ProfilePages.period(position.startMonth, position.endMonth, l)
                                        if let location = position.location { " · " + location }
                                    }
                                    if let description = position.description { el("p", .class("prewrap")) { description } }
                                }
                            }
                        }
                    }
                    el("section", .class("card"), .id("education")) {
                        el("h2") { Text.education(l) }
                        if p.educations.isEmpty { el("p", .class("muted")) { Text.noEducation(l) } }
                        el("ul", .class("timeline")) {
                            for education in p.educations {
                                el("li") {
                                    el("h3") { education.school }
                                    let studied = [education.degree, education.field].compactMap { $0 }.joined(separator: ", ")
                                    if !studied.isEmpty { el("p") { studied } }
                                    let attended = ProfilePages.years(education)
                                    if !attended.isEmpty { el("p", .class("muted")) { attended } }
                                }
                            }
                        }
                    }
                    el("section", .class("card"), .id("skills")) {
                        el("h2") { Text.skills(l) }
                        if p.skills.isEmpty { el("p", .class("muted")) { Text.noSkills(l) } }
                        el("ul", .class("chips")) {
                            for skill in p.skills { el("li") { skill } }
                        }
                    }
                    entries(chrome, p)
                }
            }
        }
    }


    static func page(
        _ chrome: PageChrome, title: String, indexable: Bool = false, head: HTML = .empty, @HTMLBuilder content: () -> HTML
    ) -> HTML {
        let l = chrome.locale
        let body = content()
        return HTML.joined([
            HTML.trusted("<!doctype html>"),
            el("html", Attribute("lang", l.rawValue)) {
                el("head") {
                    el("meta", Attribute("charset", "utf-8"))
                    el("meta", .name("viewport"), Attribute("content", "width=device-width, initial-scale=1"))
                    if !indexable { el("meta", .name("robots"), Attribute("content", "noindex")) }
                    el("title") { "\(title) · Tsunagari" }
                    head
                    el("link", Attribute("rel", "icon"), Attribute("type", "image/svg+xml"), .href(StaticAssets.url("icon.svg")))
                    el("link", Attribute("rel", "stylesheet"), .href(StaticAssets.url("app.css")))
                    el("script", Attribute("src", StaticAssets.url("app.js")), .flag("defer", true)) { "" }
                }
                // app.js opens the live event stream where the page names it (logged-in pages only).
                el("body", Attribute("data-events", chrome.isLoggedIn ? "/events" : nil)) {
                    header(chrome)
                    el("main", .class("container"), .id("main")) {
                        if let notice = chrome.notice { el("p", .class("notice"), Attribute("role", "status")) { notice } }
                        if chrome.emailUnverified, chrome.path != "/settings/mail" {
                            el("p", .class("notice"), .id("verify-banner")) {
                                l == .ja ? "メールアドレスを確認すると検索に表示されます。" : "Confirm your email address to appear in search."
                                " "
                                el("a", .href("/settings/mail")) { l == .ja ? "確認メールについて" : "About the confirmation mail" }
                            }
                        }
                        body
                    }
                    el("footer", .class("site-footer")) {
                        el("div", .class("container")) {
                            el("span") { "つながり Tsunagari — \(Text.tagline(l))" }
                            languageSwitch(chrome)
                        }
                    }
                }
            },
        ])
    }

    static func header(_ chrome: PageChrome) -> HTML {
        let l = chrome.locale
        return el("header", .class("site-header")) {
            el("div", .class("container header-row")) {
                el("a", .class("brand"), .href("/")) {
                    el("span", .class("brand-mark")) { "つ" }
                    el("span") { "Tsunagari" }
                }
                if chrome.isLoggedIn {
                    // autocomplete="off" on the form, not the box: the browser's own list would cover the typeahead,
                    // and "off" is not a valid token on a search input (axe's autocomplete-valid).
                    el(
                        "form", .class("header-search"), Attribute("method", "get"), Attribute("action", "/search"), Attribute("role", "search"),
                        Attribute("autocomplete", "off")
                    ) {
                        // app.js adds typeahead over names here; without JavaScript the box submits to /search.
                        el(
                            "input", .type("search"), .name("q"), Attribute("placeholder", Text.searchPlaceholder(l)),
                            Attribute("aria-label", Text.search(l)), .id("header-search"),
                            Attribute("aria-autocomplete", "list"), Attribute("aria-controls", "typeahead"),
                            Attribute("data-typeahead", "/search/typeahead"))
                        el("ul", .id("typeahead"), .class("typeahead"), Attribute("role", "listbox"), .flag("hidden", true)) { "" }
                        el("button", .type("submit"), .class("button small")) { Text.search(l) }
                    }
                }
                el("nav", Attribute("aria-label", "main")) {
                    if let handle = chrome.viewerHandle {
                        el("a", .href("/network"), .id("nav-network")) { Text.myNetwork(l) }
                        el("a", .href("/introductions")) { Text.introductions(l) }
                        el("a", .href("/jobs"), .id("nav-jobs")) { Text.jobs(l) }
                        el("a", .href("/messages"), .id("nav-messages")) {
                            Text.messaging(l)
                            " "
                            countBadge(chrome.unreadMessages, id: "message-count")
                        }
                        el("a", .href("/notifications"), .id("nav-notifications")) {
                            Text.notifications(l)
                            " "
                            countBadge(chrome.unreadNotifications, id: "unread-count")
                        }
                        el("a", .href("/in/\(handle)")) { Text.myProfile(l) }
                        el("a", .href("/me/edit")) { Text.editProfile(l) }
                        el("a", .href("/settings")) { Text.settings(l) }
                        if chrome.moderates { el("a", .href("/moderation"), .id("nav-moderation")) { Text.moderation(l) } }
                        postButton(chrome, action: "/logout", label: Text.logOut(l), style: "link-button", id: "logout")
                    } else {
                        el("a", .href("/login")) { Text.logIn(l) }
                        el("a", .class("button small"), .href("/signup")) { Text.signUp(l) }
                    }
                }
            }
        }
    }

    /// A count in the header; hidden at zero, kept in the page so that live updates can show it.
    static func countBadge(_ count: Int, id: String) -> HTML {
        el("span", .class("count-badge"), .id(id), .flag("hidden", count == 0)) {
            count >= NotificationService.unreadCap ? "99+" : String(count)
        }
    }

    static func languageSwitch(_ chrome: PageChrome) -> HTML {
        el("form", .class("language-switch"), Attribute("method", "post"), Attribute("action", "/language")) {
            csrfField(chrome)
            el("input", .type("hidden"), .name("next"), .value(chrome.path))
            for locale in TsunagariCore.Locale.allCases {
                el(
                    "button", .type("submit"), .name("locale"), .value(locale.rawValue),
                    .class(locale == chrome.locale ? "link-button current" : "link-button"),
                    Attribute("lang", locale.rawValue)
                ) { locale.nativeName }
            }
        }
    }

    static func csrfField(_ chrome: PageChrome) -> HTML {
        el("input", .type("hidden"), .name("_csrf"), .value(chrome.csrfToken))
    }

    static func postButton(_ chrome: PageChrome, action: String, label: String, style: String, id: String? = nil) -> HTML {
        el("form", .class("inline"), Attribute("method", "post"), Attribute("action", action)) {
            csrfField(chrome)
            el("button", .type("submit"), .class(style), Attribute("id", id)) { label }
        }
    }


    static func profileActions(_ chrome: PageChrome, _ model: NetworkPages.ProfileNetwork) -> HTML {
        let l = chrome.locale
        let id = model.person.card.id.rawValue
        return el("div", .class("profile-actions"), .id("profile-actions")) {
            if model.mayMessage {
                el("a", .class("button small"), .href("/messages/new?to=\(id)"), .id("message-button")) { Text.message(l) }
            }
            switch model.relationship {
            case .none:
                el("form", .class("inline-form"), Attribute("method", "post"), Attribute("action", "/network/invite/\(id)"), .id("connect-form")) {
                    csrfField(chrome)
                    el("details", .flag("open", model.connectReady)) {
                        el("summary", .class("button small")) { Text.connect(l) }
                        if model.connectReady {
                            el("p", .class("small-text"), .id("connect-ready")) { "\(Text.connectWith(l)): \(model.person.card.name)" }
                        }
                        el("label", .class("field")) {
                            el("span") { Text.inviteNote(l) }
                            el("textarea", .name("message"), Attribute("rows", "3"), Attribute("maxlength", "300")) { "" }
                        }
                        el("button", .type("submit"), .class("button small"), .id("send-invitation")) { Text.sendInvitation(l) }
                    }
                }
            case .invitationSent:
                el("span", .class("badge pending"), .id("pending-badge")) { Text.pending(l) }
                if let invitation = model.invitationID {
                    postButton(chrome, action: "/network/invitations/\(invitation)/withdraw", label: Text.withdraw(l), style: "button small secondary")
                }
            case .invitationReceived:
                if let invitation = model.invitationID {
                    postButton(chrome, action: "/network/invitations/\(invitation)/accept", label: Text.accept(l), style: "button small")
                    postButton(chrome, action: "/network/invitations/\(invitation)/ignore", label: Text.ignore(l), style: "button small secondary")
                }
            case .connected:
                postButton(chrome, action: "/network/connections/\(id)/remove", label: Text.removeConnection(l), style: "button small secondary", id: "remove-connection")
            }
            postButton(
                chrome, action: "/network/follow/\(id)?on=\(model.following ? "0" : "1")",
                label: model.following ? Text.unfollow(l) : Text.follow(l), style: "button small secondary", id: "follow-button")
            el("details", .class("block-box")) {
                el("summary", .class("link-button danger-link")) { Text.block(l) }
                el("p", .class("small-text muted")) { Text.blockConfirm(l) }
                postButton(chrome, action: "/network/block/\(id)", label: Text.block(l), style: "button small danger", id: "block-button")
            }
        }
    }


    static func profileNetwork(_ chrome: PageChrome, _ model: NetworkPages.ProfileNetwork) -> HTML {
        let l = chrome.locale
        return HTML.joined([
            el("section", .class("card"), .id("mutual-connections")) {
                el("h2") { Text.mutualConnections(l) }
                if model.mutual.isEmpty { el("p", .class("muted")) { "—" } }
                el("ul", .class("people compact")) {
                    for person in model.mutual.prefix(NetworkPages.mutualShown) { NetworkPages.person(person, l) }
                }
                if model.maySeeConnections {
                    el("p") {
                        el("a", .href("/in/\(model.person.card.handle)/connections")) {
                            l == .ja ? "\(Text.connections(l))（\(model.connectionCount)）" : "\(Text.connections(l)) (\(model.connectionCount))"
                        }
                    }
                } else if !model.mutual.isEmpty {
                    el("p") { el("a", .href("/in/\(model.person.card.handle)/connections")) { Text.seeAll(l) } }
                }
            },
            paths(chrome, model),
        ])
    }

    static func paths(_ chrome: PageChrome, _ model: NetworkPages.ProfileNetwork) -> HTML {
        let l = chrome.locale
        guard let paths = model.paths, paths.degree == .second || paths.degree == .third else { return .empty }
        return el("section", .class("card"), .id("paths")) {
            el("h2") { Text.howConnected(l) }
            if paths.via.isEmpty { el("p", .class("muted")) { Text.noPath(l) } }
            el("ul", .class("people compact")) {
                for via in paths.via.prefix(NetworkPages.pathsShown) {
                    NetworkPages.person(via, l) {
                        el(
                            "a", .class("button small secondary"),
                            .href("/introductions/new?target=\(model.person.card.id.rawValue)&via=\(via.card.id.rawValue)")
                        ) { Text.askIntroduction(l) }
                    }
                }
            }
        }
    }


    /// A link the member typed: shown as a link only when it is http(s), which the domain already checked.
    static func link(_ url: String, text: String? = nil) -> HTML {
        el("a", .href(url), Attribute("rel", "nofollow noopener ugc"), Attribute("target", "_blank")) { text ?? url }
    }

    // MARK: The profile

    /// The sections after skills on `/in/{handle}`; empty ones are left out.
    static func entries(_ chrome: PageChrome, _ p: Profile) -> HTML {
        let l = chrome.locale
        return HTML.group {
            if !p.certifications.isEmpty {
                el("section", .class("card"), .id("certifications")) {
                    el("h2") { ProfileEntriesPages.heading(.certification, l) }
                    el("ul", .class("timeline")) {
                        for c in p.certifications {
                            el("li") {
                                el("h3") {
                                    c.name
                                    if let score = c.score { " "; el("span", .class("badge")) { score } }
                                }
                                if let issuer = c.issuer { el("p") { issuer } }
                                let facts = [
                                    c.obtained.map { ProfileEntriesPages.t(l, "Obtained ", "取得 ") + $0.description },
                                    c.expires.map { ProfileEntriesPages.t(l, "Expires ", "有効期限 ") + $0.description },
                                    c.credentialID.map { ProfileEntriesPages.t(l, "Credential ID ", "資格 ID ") + $0 },
                                ].compactMap { $0 }
                                if !facts.isEmpty { el("p", .class("muted")) { facts.joined(separator: " · ") } }
                                if let url = c.url { el("p") { link(url, text: ProfileEntriesPages.t(l, "Show credential", "資格情報を表示")) } }
                            }
                        }
                    }
                }
            }
            if !p.languages.isEmpty {
                el("section", .class("card"), .id("languages")) {
                    el("h2") { ProfileEntriesPages.heading(.language, l) }
                    el("ul", .class("plain-list")) {
                        for language in p.languages {
                            el("li") {
                                el("strong") { language.name }
                                " — " + ProfileEntriesPages.levelName(language.level, l)
                                if let jlpt = language.jlpt { " · JLPT " + jlpt.label }
                            }
                        }
                    }
                }
            }
            if !p.projects.isEmpty {
                el("section", .class("card"), .id("projects")) {
                    el("h2") { ProfileEntriesPages.heading(.project, l) }
                    el("ul", .class("timeline")) {
                        for project in p.projects {
                            el("li") {
                                el("h3") { project.url.map { link($0, text: project.name) } ?? HTML(escaping: project.name) }
                                let facts = [project.role, ProfileEntriesPages.period(project.start, project.end, l)].compactMap { $0 }
                                if !facts.isEmpty { el("p", .class("muted")) { facts.joined(separator: " · ") } }
                                if let description = project.description { el("p", .class("prewrap")) { description } }
                            }
                        }
                    }
                }
            }
            if !p.volunteering.isEmpty {
                el("section", .class("card"), .id("volunteering")) {
                    el("h2") { ProfileEntriesPages.heading(.volunteering, l) }
                    el("ul", .class("timeline")) {
                        for v in p.volunteering {
                            el("li") {
                                el("h3") { v.role }
                                el("p", .class("company")) { v.organization }
                                let facts = [v.cause, ProfileEntriesPages.period(v.start, v.end, l)].compactMap { $0 }
                                if !facts.isEmpty { el("p", .class("muted")) { facts.joined(separator: " · ") } }
                                if let description = v.description { el("p", .class("prewrap")) { description } }
                            }
                        }
                    }
                }
            }
            if !p.contact.isEmpty {
                el("section", .class("card"), .id("contact-info")) {
                    el("h2") { ProfileEntriesPages.t(l, "Contact info", "連絡先") }
                    el("dl", .class("contact")) {
                        if let email = p.contact.email {
                            el("dt") { Text.email(l) }
                            el("dd") { el("a", .href("mailto:\(email)")) { email } }
                        }
                        if let phone = p.contact.phone {
                            el("dt") { ProfileEntriesPages.t(l, "Phone", "電話番号") }
                            el("dd") { el("a", .href("tel:\(phone.filter { $0.isNumber || $0 == "+" })")) { phone } }
                        }
                        if !p.contact.websites.isEmpty {
                            el("dt") { ProfileEntriesPages.t(l, "Websites", "ウェブサイト") }
                            for site in p.contact.websites { el("dd") { link(site.url, text: site.label ?? site.url) } }
                        }
                    }
                }
            }
        }
    }


    static func banner(_ banner: PhotoRef?) -> HTML {
        guard let banner else { return .empty }
        return el(
            "img", .class("profile-banner"), Attribute("src", PhotoURL.path(banner, .large)), Attribute("alt", ""),
            Attribute("width", "1584"), Attribute("height", "396"))
    }
}
