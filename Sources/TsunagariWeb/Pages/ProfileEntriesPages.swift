import TsunagariCore

/// Certifications, languages, projects, volunteer work and contact details: how the profile shows them and the forms
/// that edit them.
enum ProfileEntriesPages {
    static func t(_ l: TsunagariCore.Locale, _ en: String, _ ja: String) -> String { l == .ja ? ja : en }

    /// The path segment of each kind: `/me/certifications`, `/me/languages`, …
    static func slug(_ kind: ProfileEntryKind) -> String {
        switch kind {
        case .certification: "certifications"
        case .language: "languages"
        case .project: "projects"
        case .volunteering: "volunteering"
        }
    }

    static func heading(_ kind: ProfileEntryKind, _ l: TsunagariCore.Locale) -> String {
        switch kind {
        case .certification: t(l, "Licenses & certifications", "資格・免許")
        case .language: t(l, "Languages", "語学")
        case .project: t(l, "Projects", "プロジェクト")
        case .volunteering: t(l, "Volunteer experience", "ボランティア活動")
        }
    }

    static func addLabel(_ kind: ProfileEntryKind, _ l: TsunagariCore.Locale) -> String {
        switch kind {
        case .certification: t(l, "Add a certification", "資格を追加")
        case .language: t(l, "Add a language", "語学を追加")
        case .project: t(l, "Add a project", "プロジェクトを追加")
        case .volunteering: t(l, "Add volunteer experience", "ボランティア活動を追加")
        }
    }

    static func levelName(_ level: LanguageLevel, _ l: TsunagariCore.Locale) -> String {
        switch level {
        case .native: t(l, "Native", "ネイティブ")
        case .business: t(l, "Business", "ビジネスレベル")
        case .conversational: t(l, "Conversational", "日常会話レベル")
        case .basic: t(l, "Basic", "基礎レベル")
        }
    }

    /// The facts there are, joined by " · " in one muted line; no line when there are none (it was an empty paragraph).
    private static func mutedLine(_ facts: [String?], into w: inout HTMLWriter) {
        let present = facts.compactMap { $0 }
        guard !present.isEmpty else { return }
        w.element("p", class: "muted", text: present.joined(separator: " · "))
    }

    static func period(_ start: YearMonth?, _ end: YearMonth?, _ l: TsunagariCore.Locale) -> String? {
        switch (start, end) {
        case (nil, nil): nil
        case (let start?, nil): "\(start) – \(Text.present(l))"
        case (nil, let end?): "– \(end)"
        case (let start?, let end?): "\(start) – \(end)"
        }
    }

    /// A link the member typed: shown as a link only when it is http(s), which the domain already checked.
    private static func link(_ url: String, text: String, into w: inout HTMLWriter) {
        w.markup("<a href=\"")
        w.text(url)
        w.markup("\" rel=\"nofollow noopener ugc\" target=\"_blank\">")
        w.text(text)
        w.markup("</a>")
    }

    // MARK: The profile

    /// The sections after skills on `/in/{handle}`; empty ones are left out. Written straight into the profile page's
    /// bytes (`ProfilePages`).
    static func show(_ chrome: PageChrome, _ p: Profile, into w: inout HTMLWriter) {
        let l = chrome.locale
        if !p.certifications.isEmpty {
            section("certifications", heading(.certification, l), list: "timeline", into: &w)
            for c in p.certifications {
                w.markup("<li><h3>")
                w.text(c.name)
                if let score = c.score {
                    w.markup(" ")
                    w.element("span", class: "badge", text: score)
                }
                w.markup("</h3>")
                if let issuer = c.issuer {
                    w.markup("<p>")
                    w.text(issuer)
                    w.markup("</p>")
                }
                let facts = [
                    c.obtained.map { t(l, "Obtained ", "取得 ") + $0.description },
                    c.expires.map { t(l, "Expires ", "有効期限 ") + $0.description },
                    c.credentialID.map { t(l, "Credential ID ", "資格 ID ") + $0 },
                ]
                mutedLine(facts, into: &w)
                if let url = c.url {
                    w.markup("<p>")
                    link(url, text: t(l, "Show credential", "資格情報を表示"), into: &w)
                    w.markup("</p>")
                }
                w.markup("</li>")
            }
            w.markup("</ul></section>")
        }
        if !p.languages.isEmpty {
            section("languages", heading(.language, l), list: "plain-list", into: &w)
            for language in p.languages {
                w.markup("<li><strong>")
                w.text(language.name)
                w.markup("</strong>")
                w.text(" — " + levelName(language.level, l))
                if let jlpt = language.jlpt { w.text(" · JLPT " + jlpt.label) }
                w.markup("</li>")
            }
            w.markup("</ul></section>")
        }
        if !p.projects.isEmpty {
            section("projects", heading(.project, l), list: "timeline", into: &w)
            for project in p.projects {
                w.markup("<li><h3>")
                if let url = project.url { link(url, text: project.name, into: &w) } else { w.text(project.name) }
                w.markup("</h3>")
                mutedLine([project.role, period(project.start, project.end, l)], into: &w)
                if let description = project.description { w.element("p", class: "prewrap", text: description) }
                w.markup("</li>")
            }
            w.markup("</ul></section>")
        }
        if !p.volunteering.isEmpty {
            section("volunteering", heading(.volunteering, l), list: "timeline", into: &w)
            for v in p.volunteering {
                w.markup("<li><h3>")
                w.text(v.role)
                w.markup("</h3>")
                w.element("p", class: "company", text: v.organization)
                mutedLine([v.cause, period(v.start, v.end, l)], into: &w)
                if let description = v.description { w.element("p", class: "prewrap", text: description) }
                w.markup("</li>")
            }
            w.markup("</ul></section>")
        }
        if !p.contact.isEmpty {
            w.markup("<section class=\"card\" id=\"contact-info\"><h2>")
            w.text(t(l, "Contact info", "連絡先"))
            w.markup("</h2><dl class=\"contact\">")
            if let email = p.contact.email {
                w.markup("<dt>")
                w.text(Text.email(l))
                w.markup("</dt><dd><a href=\"")
                w.text("mailto:\(email)")
                w.markup("\">")
                w.text(email)
                w.markup("</a></dd>")
            }
            if let phone = p.contact.phone {
                w.markup("<dt>")
                w.text(t(l, "Phone", "電話番号"))
                w.markup("</dt><dd><a href=\"")
                w.text("tel:\(phone.filter { $0.isNumber || $0 == "+" })")
                w.markup("\">")
                w.text(phone)
                w.markup("</a></dd>")
            }
            if !p.contact.websites.isEmpty {
                w.markup("<dt>")
                w.text(t(l, "Websites", "ウェブサイト"))
                w.markup("</dt>")
                for site in p.contact.websites {
                    w.markup("<dd>")
                    link(site.url, text: site.label ?? site.url, into: &w)
                    w.markup("</dd>")
                }
            }
            w.markup("</dl></section>")
        }
    }

    /// A section's start, its heading and the start of its list: `<section class="card" id="…"><h2>…</h2><ul class="…">`.
    private static func section(_ id: StaticString, _ heading: String, list: StaticString, into w: inout HTMLWriter) {
        w.markup("<section class=\"card\" id=\"")
        w.markup(id)
        w.markup("\"><h2>")
        w.text(heading)
        w.markup("</h2><ul class=\"")
        w.markup(list)
        w.markup("\">")
    }

    // MARK: Strength

    static func stepLabel(_ step: ProfileStrength.Step, _ l: TsunagariCore.Locale) -> (text: String, anchor: String) {
        switch step {
        case .photo: (t(l, "Add a photo", "写真を追加する"), "#photo")
        case .headline: (t(l, "Write a headline", "見出しを書く"), "#intro")
        case .currentPosition: (t(l, "Add your current position", "現在の職歴を追加する"), "#positions")
        case .pastPosition: (t(l, "Add a past position", "過去の職歴を追加する"), "#positions")
        case .education: (t(l, "Add your education", "学歴を追加する"), "#educations")
        case .skills: (t(l, "Add at least \(ProfileStrength.skillsWanted) skills", "スキルを \(ProfileStrength.skillsWanted) つ以上追加する"), "#skills")
        case .about: (t(l, "Write about yourself", "自己紹介を書く"), "#intro")
        case .location: (t(l, "Add your location", "所在地を追加する"), "#intro")
        case .certification: (t(l, "Add a certification", "資格を追加する"), "#edit-certifications")
        case .language: (t(l, "Add a language", "語学を追加する"), "#edit-languages")
        }
    }

    /// The strength meter of `/me/edit`: the score and the missing steps, most valuable first.
    static func strength(_ chrome: PageChrome, _ strength: ProfileStrength) -> HTML {
        let l = chrome.locale
        return el("section", .class("card"), .id("profile-strength")) {
            el("h2") { t(l, "Profile strength", "プロフィールの充実度") }
            el("p") {
                el("meter", Attribute("min", "0"), Attribute("max", "100"), .value(String(strength.score)), .id("strength-meter")) {
                    "\(strength.score)%"
                }
                " "
                el("strong", .id("strength-score")) { "\(strength.score)%" }
            }
            if strength.missing.isEmpty {
                el("p", .class("muted")) { t(l, "Your profile is complete.", "プロフィールはすべて入力済みです。") }
            } else {
                el("p", .class("muted")) {
                    t(l, "Complete profiles are found more often in search.", "充実したプロフィールほど検索で見つかりやすくなります。")
                }
                el("ul", .class("plain-list"), .id("strength-missing")) {
                    for step in strength.missing {
                        el("li", Attribute("data-step", step.rawValue)) {
                            el("a", .href(stepLabel(step, l).anchor)) { stepLabel(step, l).text }
                            " "
                            el("span", .class("muted")) { "+\(step.weight)%" }
                        }
                    }
                }
            }
        }
    }

    // MARK: Editing

    /// The cards of `/me/edit` for these sections and contact details.
    static func edit(_ chrome: PageChrome, _ p: Profile, draft: ProfilePages.Draft) -> HTML {
        let l = chrome.locale
        return HTML.group {
            for kind in ProfileEntryKind.allCases {
                el("section", .class("card"), .id("edit-\(slug(kind))")) {
                    el("h2") { heading(kind, l) }
                    el("ul", .class("timeline")) {
                        for entry in p.entries where entry.kind == kind {
                            el("li", .class("editable")) {
                                el("div") {
                                    el("h3") { summary(entry, l).title }
                                    el("p", .class("muted")) { summary(entry, l).detail }
                                }
                                el("div", .class("row-actions")) {
                                    el("a", .class("button small secondary"), .href("/me/\(slug(kind))/\(entry.id)/edit")) { Text.edit(l) }
                                    Layout.postButton(
                                        chrome, action: "/me/\(slug(kind))/\(entry.id)/delete", label: Text.delete(l), style: "button small danger")
                                }
                            }
                        }
                    }
                    el("details", .flag("open", draft.form == kind.rawValue)) {
                        el("summary") { addLabel(kind, l) }
                        if draft.form == kind.rawValue { Layout.errors(draft.error) }
                        form(
                            chrome, kind, action: "/me/\(slug(kind))", id: "\(kind.rawValue)-form",
                            values: draft.form == kind.rawValue ? draft.values : [:])
                    }
                }
            }
            el("section", .class("card"), .id("edit-contact")) {
                el("h2") { t(l, "Contact info", "連絡先") }
                el("p", .class("muted")) {
                    t(l, "Shown to your connections, or to no one — never to everyone.", "つながりのある人にだけ表示するか、誰にも表示しないかを選べます（全員には表示されません）。")
                }
                if draft.form == "contact" { Layout.errors(draft.error) }
                contactForm(chrome, draft.form == "contact" ? draft.values : contactValues(p.contact))
            }
        }
    }

    static func summary(_ entry: ProfileEntry, _ l: TsunagariCore.Locale) -> (title: String, detail: String) {
        switch entry {
        case .certification(let c):
            ([c.name, c.score].compactMap { $0 }.joined(separator: " "), [c.issuer, c.obtained?.description].compactMap { $0 }.joined(separator: " · "))
        case .language(let language):
            (language.name, [levelName(language.level, l), language.jlpt.map { "JLPT \($0.label)" }].compactMap { $0 }.joined(separator: " · "))
        case .project(let p): (p.name, [p.role, period(p.start, p.end, l)].compactMap { $0 }.joined(separator: " · "))
        case .volunteering(let v): (v.role, [v.organization, period(v.start, v.end, l)].compactMap { $0 }.joined(separator: " · "))
        }
    }

    static func form(_ chrome: PageChrome, _ kind: ProfileEntryKind, action: String, id: String, values: [String: String]) -> HTML {
        let l = chrome.locale
        return Layout.form(chrome, action: action, id: id) {
            switch kind {
            case .certification:
                Layout.field(
                    t(l, "Name", "資格名"), name: "name", value: values["name"], required: true, maxLength: TextLimit.certificationName,
                    placeholder: t(l, "AWS Certified Solutions Architect", "基本情報技術者試験"))
                el("div", .class("grid-2")) {
                    Layout.field(t(l, "Issuing organization", "発行元"), name: "issuer", value: values["issuer"], maxLength: TextLimit.issuer)
                    Layout.field(
                        t(l, "Score or grade", "スコア・級"), name: "score", value: values["score"], maxLength: TextLimit.score,
                        placeholder: t(l, "905", "2級"))
                }
                el("div", .class("grid-2")) {
                    Layout.field(t(l, "Obtained", "取得年月"), name: "obtainedMonth", value: values["obtainedMonth"], placeholder: "2023-04")
                    Layout.field(
                        t(l, "Expires", "有効期限"), name: "expiryMonth", value: values["expiryMonth"], hint: t(l, "Empty if it does not expire", "期限がなければ空欄"),
                        placeholder: "2026-04")
                }
                el("div", .class("grid-2")) {
                    Layout.field(t(l, "Credential ID", "資格 ID"), name: "credentialId", value: values["credentialId"], maxLength: TextLimit.credentialID)
                    Layout.field(t(l, "Credential URL", "資格情報の URL"), name: "url", value: values["url"], type: "url", maxLength: TextLimit.url)
                }
            case .language:
                Layout.field(
                    t(l, "Language", "言語"), name: "name", value: values["name"], required: true, maxLength: TextLimit.languageName,
                    placeholder: t(l, "English", "英語"))
                Layout.radios(
                    t(l, "Level", "レベル"), name: "level", options: LanguageLevel.allCases.map { ($0, levelName($0, l)) },
                    selected: values["level"].flatMap(LanguageLevel.init(rawValue:)) ?? .business)
                el("label", .class("field")) {
                    el("span") { t(l, "JLPT (for Japanese)", "日本語能力試験（JLPT）") }
                    el("select", .name("jlpt")) {
                        el("option", .value(""), .flag("selected", (values["jlpt"] ?? "").isEmpty)) { "—" }
                        for level in JLPTLevel.allCases {
                            el("option", .value(level.rawValue), .flag("selected", values["jlpt"]?.lowercased() == level.rawValue)) { level.label }
                        }
                    }
                }
            case .project:
                Layout.field(t(l, "Project name", "プロジェクト名"), name: "name", value: values["name"], required: true, maxLength: TextLimit.projectName)
                el("div", .class("grid-2")) {
                    Layout.field(t(l, "Your role", "担当・役割"), name: "role", value: values["role"], maxLength: TextLimit.title)
                    Layout.field("URL", name: "url", value: values["url"], type: "url", maxLength: TextLimit.url)
                }
                el("div", .class("grid-2")) {
                    Layout.field(Text.startMonth(l), name: "startMonth", value: values["startMonth"], placeholder: "2022-04")
                    Layout.field(Text.endMonth(l), name: "endMonth", value: values["endMonth"], hint: Text.monthHint(l), placeholder: "2023-03")
                }
                Layout.textArea(Text.description(l), name: "description", value: values["description"], rows: 4, maxLength: TextLimit.projectDescription)
            case .volunteering:
                el("div", .class("grid-2")) {
                    Layout.field(t(l, "Organization", "団体名"), name: "organization", value: values["organization"], required: true, maxLength: TextLimit.companyName)
                    Layout.field(t(l, "Role", "役割"), name: "role", value: values["role"], required: true, maxLength: TextLimit.title)
                }
                Layout.field(
                    t(l, "Cause", "分野"), name: "cause", value: values["cause"], maxLength: TextLimit.cause,
                    placeholder: t(l, "Education", "教育・地域活性化"))
                el("div", .class("grid-2")) {
                    Layout.field(Text.startMonth(l), name: "startMonth", value: values["startMonth"], placeholder: "2021-04")
                    Layout.field(Text.endMonth(l), name: "endMonth", value: values["endMonth"], hint: Text.monthHint(l), placeholder: "2022-03")
                }
                Layout.textArea(Text.description(l), name: "description", value: values["description"], rows: 4, maxLength: TextLimit.projectDescription)
            }
            el("button", .type("submit"), .class("button")) { Text.save(l) }
        }
    }

    /// An entry's fields as its form names them.
    static func values(_ entry: ProfileEntry) -> [String: String] {
        func m(_ month: YearMonth?) -> String { month?.description ?? "" }
        switch entry {
        case .certification(let c):
            return [
                "name": c.name, "issuer": c.issuer ?? "", "score": c.score ?? "", "obtainedMonth": m(c.obtained), "expiryMonth": m(c.expires),
                "credentialId": c.credentialID ?? "", "url": c.url ?? "",
            ]
        case .language(let language):
            return ["name": language.name, "level": language.level.rawValue, "jlpt": language.jlpt?.rawValue ?? ""]
        case .project(let p):
            return [
                "name": p.name, "role": p.role ?? "", "url": p.url ?? "", "startMonth": m(p.start), "endMonth": m(p.end),
                "description": p.description ?? "",
            ]
        case .volunteering(let v):
            return [
                "organization": v.organization, "role": v.role, "cause": v.cause ?? "", "startMonth": m(v.start), "endMonth": m(v.end),
                "description": v.description ?? "",
            ]
        }
    }

    static func editEntry(_ chrome: PageChrome, _ kind: ProfileEntryKind, id: String, values: [String: String], error: String?) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: heading(kind, l)) {
            el("section", .class("card narrow")) {
                el("h1") { heading(kind, l) }
                Layout.errors(error)
                form(chrome, kind, action: "/me/\(slug(kind))/\(id)", id: "\(kind.rawValue)-edit-form", values: values)
                el("p") { el("a", .href("/me/edit")) { Text.cancel(l) } }
            }
        }
    }

    static func contactValues(_ c: ContactInfo) -> [String: String] {
        [
            "email": c.email ?? "", "emailVisibility": c.emailVisibility.rawValue, "phone": c.phone ?? "",
            "phoneVisibility": c.phoneVisibility.rawValue,
            "websites": c.websites.map { [$0.url, $0.label].compactMap { $0 }.joined(separator: " ") }.joined(separator: "\n"),
            "websitesVisibility": c.websitesVisibility.rawValue,
        ]
    }

    static func contactForm(_ chrome: PageChrome, _ values: [String: String]) -> HTML {
        let l = chrome.locale
        func audience(_ name: String) -> HTML {
            el("label", .class("field")) {
                el("span") { t(l, "Shown to", "公開範囲") }
                el("select", .name(name)) {
                    for option in ContactVisibility.allCases {
                        el("option", .value(option.rawValue), .flag("selected", values[name] == option.rawValue)) {
                            option == .connections ? Text.sectionConnections(l) : Text.sectionOnlyMe(l)
                        }
                    }
                }
            }
        }
        return Layout.form(chrome, action: "/me/contact", id: "contact-form") {
            el("div", .class("grid-2")) {
                Layout.field(Text.email(l), name: "email", value: values["email"], type: "email", maxLength: TextLimit.email)
                audience("emailVisibility")
            }
            el("div", .class("grid-2")) {
                Layout.field(t(l, "Phone", "電話番号"), name: "phone", value: values["phone"], type: "tel", maxLength: TextLimit.phone)
                audience("phoneVisibility")
            }
            Layout.textArea(
                t(l, "Websites", "ウェブサイト"), name: "websites", value: values["websites"], rows: 3,
                hint: t(l, "One per line: the address, then a label if you like", "1 行に 1 つ: URL の後に表示名（任意）"))
            audience("websitesVisibility")
            el("button", .type("submit"), .class("button")) { Text.save(l) }
        }
    }
}
