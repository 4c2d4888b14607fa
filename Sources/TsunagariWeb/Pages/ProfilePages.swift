import TsunagariCore

/// The public profile and the pages that edit one.
enum ProfilePages {
    static func period(_ start: YearMonth, _ end: YearMonth?, _ l: TsunagariCore.Locale) -> String {
        "\(start) – \(end?.description ?? Text.present(l))"
    }

    /// `/in/{handle}`: the profile as the viewer may see it.
    static func show(
        _ chrome: PageChrome, _ view: ProfileService.View, network: NetworkPages.ProfileNetwork? = nil, activity: [Post]? = nil,
        site: String = ""
    ) -> HTML {
        Layout.page(chrome, title: view.profile.name, indexable: view.indexable, head: PublicProfilePages.head(view, site: site)) {
            profile(chrome, view, network: network, activity: activity)
        }
    }

    /// The profile itself, written straight into bytes (`HTMLWriter`): the most visited page, whose tree of elements,
    /// built, written and freed for each request, cost more than everything it shows from memory (docs/BENCHMARKS.md
    /// "Request path, round 17").
    private static func profile(
        _ chrome: PageChrome, _ view: ProfileService.View, network: NetworkPages.ProfileNetwork?, activity: [Post]?
    ) -> HTML {
        let l = chrome.locale
        let p = view.profile
        var w = HTMLWriter(capacity: 12_288)
        w.markup("<article class=\"profile\">")
        if view.access == .full, let banner = p.banner { PhotoPages.banner(banner, into: &w) }
        w.markup("<section class=\"card profile-head\">")
        PhotoPages.avatar(name: p.name, photo: view.access == .full ? p.photo : nil, small: false, into: &w)
        w.markup("<div><h1 id=\"profile-name\">")
        w.text(p.name)
        if let network {
            w.markup(" ")
            NetworkPages.badge(network.person.degree, l, into: &w)
        }
        w.markup("</h1>")
        if view.access == .full, let reading = p.fields.nameReading { w.element("p", class: "reading", text: reading) }
        if let headline = p.headline {
            w.markup("<p class=\"headline\" id=\"profile-headline\">")
            w.text(headline)
            w.markup("</p>")
        }
        // A line only for what there is: a profile without location or industry has none (it had an empty paragraph).
        let place = [p.fields.location, p.fields.industry].compactMap { $0 }.joined(separator: " · ")
        if view.access == .full, !place.isEmpty { w.element("p", class: "muted", text: place) }
        if view.showsOpenToWork {
            w.markup("<p class=\"badge open-to-work\">")
            w.text(Text.openToWorkBadge(l))
            if !p.settings.openToWork.titles.isEmpty { w.text(": " + p.settings.openToWork.titles.joined(separator: ", ")) }
            w.markup("</p>")
        }
        if view.relation == .oneself {
            w.markup("<p><a class=\"button small secondary\" href=\"/me/edit\">")
            w.text(Text.editProfile(l))
            w.markup("</a></p>")
        } else if let network {
            NetworkPages.profileActions(chrome, network, into: &w)
        }
        w.markup("</div></section>")
        if let network, view.relation != .oneself { NetworkPages.profileNetwork(chrome, network, into: &w) }
        if view.access == .limited {
            w.element("p", class: "card muted", text: Text.limitedProfile(l))
        } else {
            if let about = p.fields.about {
                w.markup("<section class=\"card\"><h2>")
                w.text(Text.about(l))
                w.markup("</h2>")
                w.element("p", class: "prewrap", text: about)
                w.markup("</section>")
            }
            if let activity {
                // The member's latest posts the viewer may see.
                w.markup("<section class=\"card\" id=\"activity\"><h2>")
                w.text(Text.activity(l))
                w.markup("</h2>")
                if activity.isEmpty { w.element("p", class: "muted", text: Text.noPosts(l)) }
                w.markup("<ul class=\"plain-list\">")
                for post in activity {
                    w.markup("<li class=\"activity-item\"><a href=\"")
                    w.text("/posts/\(post.id)")
                    w.markup("\">")
                    w.text(post.text.isEmpty ? Text.repost(l) : String(post.text.prefix(140)))
                    w.markup("</a>")
                    w.element("p", class: "muted small-text", text: MessagingPages.time(post.createdAt))
                    w.markup("</li>")
                }
                w.markup("</ul><p><a href=\"/in/")
                w.text(p.handle)
                w.markup("/activity\" id=\"all-activity\">")
                w.text(Text.seeAllActivity(l))
                w.markup("</a></p></section>")
            }
            w.markup("<section class=\"card\" id=\"experience\"><h2>")
            w.text(Text.experience(l))
            w.markup("</h2>")
            if p.positions.isEmpty { w.element("p", class: "muted", text: Text.noPositions(l)) }
            w.markup("<ol class=\"timeline\">")
            for position in p.positions {
                w.markup("<li><h3>")
                w.text(position.title)
                w.markup("</h3><p class=\"company\">")
                if chrome.isLoggedIn {
                    w.markup("<a href=\"")
                    w.text("/companies/\(position.company.id)")
                    w.markup("\">")
                    w.text(position.company.name)
                    w.markup("</a>")
                } else {
                    w.text(position.company.name)
                }
                w.markup("</p><p class=\"muted\">")
                w.text(period(position.startMonth, position.endMonth, l))
                if let location = position.location { w.text(" · " + location) }
                w.markup("</p>")
                if let description = position.description { w.element("p", class: "prewrap", text: description) }
                w.markup("</li>")
            }
            w.markup("</ol></section><section class=\"card\" id=\"education\"><h2>")
            w.text(Text.education(l))
            w.markup("</h2>")
            if p.educations.isEmpty { w.element("p", class: "muted", text: Text.noEducation(l)) }
            w.markup("<ul class=\"timeline\">")
            for education in p.educations {
                w.markup("<li><h3>")
                w.text(education.school)
                w.markup("</h3>")
                let studied = [education.degree, education.field].compactMap { $0 }.joined(separator: ", ")
                if !studied.isEmpty {
                    w.markup("<p>")
                    w.text(studied)
                    w.markup("</p>")
                }
                let attended = years(education)
                if !attended.isEmpty { w.element("p", class: "muted", text: attended) }
                w.markup("</li>")
            }
            w.markup("</ul></section><section class=\"card\" id=\"skills\"><h2>")
            w.text(Text.skills(l))
            w.markup("</h2>")
            if p.skills.isEmpty { w.element("p", class: "muted", text: Text.noSkills(l)) }
            w.markup("<ul class=\"chips\">")
            for skill in p.skills {
                w.markup("<li>")
                w.text(skill)
                w.markup("</li>")
            }
            w.markup("</ul></section>")
            ProfileEntriesPages.show(chrome, p, into: &w)
        }
        w.markup("</article>")
        return w.written
    }

    static func years(_ e: Education) -> String {
        switch (e.startYear, e.endYear) {
        case (let start?, let end?): "\(start) – \(end)"
        case (let start?, nil): "\(start) –"
        case (nil, let end?): "– \(end)"
        default: ""
        }
    }

    static func notAvailable(_ chrome: PageChrome) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.notAvailable(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.notAvailable(l) }
                el("p") { Text.notAvailableBody(l) }
                if !chrome.isLoggedIn { el("p") { el("a", .href("/login")) { Text.loginToSeeMore(l) } } }
            }
        }
    }

    /// Values typed into a form that failed, so the member does not lose them.
    struct Draft: Sendable {
        var values: [String: String] = [:]
        var error: String?
        /// Which form the error belongs to.
        var form: String?
    }

    /// `/me/edit`: every section of one's own profile.
    static func edit(_ chrome: PageChrome, _ p: Profile, draft: Draft = Draft()) -> HTML {
        let l = chrome.locale
        func value(_ form: String, _ key: String, _ current: String?) -> String? {
            draft.form == form ? draft.values[key] : current
        }
        return Layout.page(chrome, title: Text.editProfile(l)) {
            el("div", .class("page-title")) {
                el("h1") { Text.editProfile(l) }
                el("a", .class("button secondary small"), .href("/in/\(p.handle)"), .id("view-profile")) { Text.viewProfile(l) }
            }
            ProfileEntriesPages.strength(chrome, ProfileStrength(p))
            PhotoPages.edit(chrome, p, error: draft.form == "photo" ? draft.error : nil)
            el("section", .class("card"), .id("intro")) {
                if draft.form == "profile" { Layout.errors(draft.error) }
                Layout.form(chrome, action: "/me/profile", id: "profile-form") {
                    el("div", .class("grid-2")) {
                        Layout.field(Text.name(l), name: "name", value: value("profile", "name", p.name), required: true, maxLength: TextLimit.name)
                        Layout.field(Text.nameReading(l), name: "nameReading", value: value("profile", "nameReading", p.fields.nameReading), maxLength: TextLimit.nameReading)
                    }
                    Layout.field(
                        Text.handle(l), name: "handle", value: value("profile", "handle", p.handle), required: true,
                        hint: "\(Text.publicProfileLink(l)): /in/\(p.handle)", maxLength: TextLimit.handle)
                    Layout.field(Text.headline(l), name: "headline", value: value("profile", "headline", p.headline), maxLength: TextLimit.headline)
                    el("div", .class("grid-2")) {
                        Layout.field(Text.location(l), name: "location", value: value("profile", "location", p.fields.location), maxLength: TextLimit.location)
                        Layout.field(Text.industry(l), name: "industry", value: value("profile", "industry", p.fields.industry), maxLength: TextLimit.industry)
                    }
                    Layout.textArea(Text.about(l), name: "about", value: value("profile", "about", p.fields.about), rows: 5, maxLength: TextLimit.about)
                    el("button", .type("submit"), .class("button")) { Text.save(l) }
                }
            }
            el("section", .class("card"), .id("positions")) {
                el("h2") { Text.experience(l) }
                el("ol", .class("timeline")) {
                    for position in p.positions {
                        el("li", .class("editable")) {
                            el("div") {
                                el("h3") { position.title }
                                el("p", .class("company")) { position.company.name }
                                el("p", .class("muted")) { period(position.startMonth, position.endMonth, l) }
                            }
                            el("div", .class("row-actions")) {
                                el("a", .class("button small secondary"), .href("/me/positions/\(position.id)/edit")) { Text.edit(l) }
                                Layout.postButton(chrome, action: "/me/positions/\(position.id)/delete", label: Text.delete(l), style: "button small danger")
                            }
                        }
                    }
                }
                el("details", .flag("open", p.positions.isEmpty || draft.form == "position")) {
                    el("summary") { Text.addPosition(l) }
                    if draft.form == "position" { Layout.errors(draft.error) }
                    positionForm(chrome, action: "/me/positions", id: "position-form", values: draft.form == "position" ? draft.values : [:])
                }
            }
            el("section", .class("card"), .id("educations")) {
                el("h2") { Text.education(l) }
                el("ul", .class("timeline")) {
                    for education in p.educations {
                        el("li", .class("editable")) {
                            el("div") {
                                el("h3") { education.school }
                                let facts = [education.degree, education.field, years(education)].compactMap { $0 }.filter { !$0.isEmpty }
                                if !facts.isEmpty { el("p", .class("muted")) { facts.joined(separator: " · ") } }
                            }
                            el("div", .class("row-actions")) {
                                el("a", .class("button small secondary"), .href("/me/educations/\(education.id)/edit")) { Text.edit(l) }
                                Layout.postButton(chrome, action: "/me/educations/\(education.id)/delete", label: Text.delete(l), style: "button small danger")
                            }
                        }
                    }
                }
                el("details", .flag("open", draft.form == "education")) {
                    el("summary") { Text.addEducation(l) }
                    if draft.form == "education" { Layout.errors(draft.error) }
                    educationForm(chrome, action: "/me/educations", id: "education-form", values: draft.form == "education" ? draft.values : [:])
                }
            }
            el("section", .class("card"), .id("skills")) {
                el("h2") { Text.skills(l) }
                if draft.form == "skills" { Layout.errors(draft.error) }
                Layout.form(chrome, action: "/me/skills", id: "skills-form") {
                    Layout.textArea(
                        Text.skills(l), name: "skills", value: value("skills", "skills", p.skills.joined(separator: "\n")), rows: 5,
                        hint: Text.skillsHint(l))
                    el("button", .type("submit"), .class("button")) { Text.save(l) }
                }
            }
            ProfileEntriesPages.edit(chrome, p, draft: draft)
        }
    }

    static func positionForm(_ chrome: PageChrome, action: String, id: String, values: [String: String]) -> HTML {
        let l = chrome.locale
        return Layout.form(chrome, action: action, id: id) {
            el("div", .class("grid-2")) {
                Layout.field(Text.company(l), name: "company", value: values["company"], required: true, maxLength: TextLimit.companyName)
                Layout.field(Text.title(l), name: "title", value: values["title"], required: true, maxLength: TextLimit.title)
            }
            el("div", .class("grid-3")) {
                Layout.field(Text.startMonth(l), name: "startMonth", value: values["startMonth"], required: true, placeholder: "2020-04")
                Layout.field(Text.endMonth(l), name: "endMonth", value: values["endMonth"], hint: Text.monthHint(l), placeholder: "2023-03")
                Layout.field(Text.location(l), name: "location", value: values["location"], maxLength: TextLimit.location)
            }
            Layout.textArea(Text.description(l), name: "description", value: values["description"], rows: 4, maxLength: TextLimit.positionDescription)
            el("button", .type("submit"), .class("button")) { Text.save(l) }
        }
    }

    static func educationForm(_ chrome: PageChrome, action: String, id: String, values: [String: String]) -> HTML {
        let l = chrome.locale
        return Layout.form(chrome, action: action, id: id) {
            Layout.field(Text.school(l), name: "school", value: values["school"], required: true, maxLength: TextLimit.school)
            el("div", .class("grid-2")) {
                Layout.field(Text.degree(l), name: "degree", value: values["degree"], maxLength: TextLimit.degree)
                Layout.field(Text.fieldOfStudy(l), name: "field", value: values["field"], maxLength: TextLimit.field)
            }
            el("div", .class("grid-2")) {
                Layout.field(Text.startYear(l), name: "startYear", value: values["startYear"], type: "number")
                Layout.field(Text.endYear(l), name: "endYear", value: values["endYear"], type: "number")
            }
            el("button", .type("submit"), .class("button")) { Text.save(l) }
        }
    }

    static func positionValues(_ p: Position) -> [String: String] {
        [
            "company": p.companyNameAsWritten, "title": p.title, "startMonth": p.startMonth.description,
            "endMonth": p.endMonth?.description ?? "", "location": p.location ?? "", "description": p.description ?? "",
        ]
    }

    static func educationValues(_ e: Education) -> [String: String] {
        [
            "school": e.school, "degree": e.degree ?? "", "field": e.field ?? "",
            "startYear": e.startYear.map(String.init) ?? "", "endYear": e.endYear.map(String.init) ?? "",
        ]
    }

    static func editPosition(_ chrome: PageChrome, id: String, values: [String: String], error: String?) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.editPosition(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.editPosition(l) }
                Layout.errors(error)
                positionForm(chrome, action: "/me/positions/\(id)", id: "position-edit-form", values: values)
                el("p") { el("a", .href("/me/edit")) { Text.cancel(l) } }
            }
        }
    }

    static func editEducation(_ chrome: PageChrome, id: String, values: [String: String], error: String?) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.editEducation(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.editEducation(l) }
                Layout.errors(error)
                educationForm(chrome, action: "/me/educations/\(id)", id: "education-edit-form", values: values)
                el("p") { el("a", .href("/me/edit")) { Text.cancel(l) } }
            }
        }
    }
}
