import TsunagariCore

/// The public profile and the pages that edit one.
enum ProfilePages {
    static func period(_ start: YearMonth, _ end: YearMonth?, _ l: TsunagariCore.Locale) -> String {
        "\(start) – \(end?.description ?? Text.present(l))"
    }

    /// `/in/{handle}`: the profile as the viewer may see it.
    static func show(
        _ chrome: PageChrome, _ view: ProfileService.View, network: NetworkPages.ProfileNetwork? = nil, activity: [PostService.View]? = nil,
        site: String = ""
    ) -> HTML {
        let l = chrome.locale
        let p = view.profile
        return Layout.page(chrome, title: p.name, indexable: view.indexable, head: PublicProfilePages.head(view, site: site)) {
            el("article", .class("profile")) {
                if view.access == .full { PhotoPages.banner(p.banner) }
                el("section", .class("card profile-head")) {
                    PhotoPages.avatar(name: p.name, photo: view.access == .full ? p.photo : nil)
                    el("div") {
                        el("h1", .id("profile-name")) {
                            p.name
                            if let network { " "; NetworkPages.badge(network.person.degree, l) }
                        }
                        if view.access == .full, let reading = p.fields.nameReading { el("p", .class("reading")) { reading } }
                        if let headline = p.headline { el("p", .class("headline"), .id("profile-headline")) { headline } }
                        if view.access == .full {
                            el("p", .class("muted")) {
                                [p.fields.location, p.fields.industry].compactMap { $0 }.joined(separator: " · ")
                            }
                        }
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
                            NetworkPages.profileActions(chrome, network)
                        }
                    }
                }
                if let network, view.relation != .oneself { NetworkPages.profileNetwork(chrome, network) }
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
                                        el("a", .href("/posts/\(item.post.id)")) {
                                            item.post.text.isEmpty ? Text.repost(l) : String(item.post.text.prefix(140))
                                        }
                                        el("p", .class("muted small-text")) { MessagingPages.time(item.post.createdAt) }
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
                                        period(position.startMonth, position.endMonth, l)
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
                                    el("p") { [education.degree, education.field].compactMap { $0 }.joined(separator: ", ") }
                                    el("p", .class("muted")) { years(education) }
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
                    ProfileEntriesPages.show(chrome, p)
                }
            }
        }
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
                                el("p", .class("muted")) { [education.degree, education.field, years(education)].compactMap { $0 }.joined(separator: " · ") }
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
