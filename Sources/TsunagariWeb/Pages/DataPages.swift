import Foundation
import TsunagariCore

/// The data pages: "Your data" (import a LinkedIn export, download everything), "Contacts" (business cards and
/// imported connections, the members among them, inviting many), "My QR code", and "Reach through your colleagues"
/// on company pages. Every action is a form that works without JavaScript.
enum DataPages {
    struct YourDataModel {
        var summary: DataImportService.LinkedInSummary?
        var error: String?
        var contactCount: Int
    }

    static func yourData(_ chrome: PageChrome, _ model: YourDataModel) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.yourData(l)) {
            el("h1") { Text.yourData(l) }
            el("section", .class("card"), .id("import-linkedin")) {
                el("h2") { Text.importData(l) }
                el("p", .class("muted")) { Text.importDataHint(l) }
                Layout.errors(model.error)
                if let summary = model.summary { importSummary(summary, l) }
                uploadForm(chrome, action: "/me/data/import", id: "import-form", label: Text.importFile(l), accept: ".zip,.csv,application/zip,text/csv")
            }
            el("section", .class("card"), .id("contacts-link")) {
                el("h2") { Text.contacts(l) }
                el("p", .class("muted")) { Text.contactsHint(l) }
                el("p") {
                    el("a", .class("button small secondary"), .href("/me/contacts")) {
                        l == .ja ? "\(Text.contacts(l))（\(model.contactCount)）" : "\(Text.contacts(l)) (\(model.contactCount))"
                    }
                }
            }
            el("section", .class("card"), .id("download-data")) {
                el("h2") { Text.downloadData(l) }
                el("p", .class("muted")) { Text.downloadDataHint(l) }
                el("a", .class("button small"), .href("/me/export.zip"), .id("download-zip"), Attribute("download", "tsunagari-export.zip")) {
                    Text.downloadZip(l)
                }
            }
            el("section", .class("card")) {
                el("h2") { Text.myQRCode(l) }
                el("p", .class("muted")) { Text.qrHint(l) }
                el("a", .class("button small secondary"), .href("/me/qr")) { Text.myQRCode(l) }
            }
        }
    }

    static func importSummary(_ summary: DataImportService.LinkedInSummary, _ l: TsunagariCore.Locale) -> HTML {
        el("div", .class("notice"), .id("import-summary"), Attribute("role", "status")) {
            el("p") { el("strong") { Text.importDone(l) } }
            el("dl", .class("summary-list")) {
                el("dt") { Text.fieldsFilled(l) }
                el("dd", .id("summary-fields")) {
                    summary.profile.fieldsFilled.isEmpty ? "0" : summary.profile.fieldsFilled.map { fieldName($0, l) }.joined(separator: l == .ja ? "、" : ", ")
                }
                el("dt") { Text.positionsAdded(l) }
                el("dd", .id("summary-positions")) { String(summary.profile.positions) }
                el("dt") { Text.educationsAdded(l) }
                el("dd", .id("summary-educations")) { String(summary.profile.educations) }
                el("dt") { Text.skillsAdded(l) }
                el("dd", .id("summary-skills")) { String(summary.profile.skills) }
                let added = summary.profile.certifications + summary.profile.languages + summary.profile.projects + summary.profile.volunteering
                el("dt") { l == .ja ? "追加した資格・語学・プロジェクト・ボランティア" : "Certifications, languages, projects and volunteering added" }
                el("dd", .id("summary-entries")) { String(added) }
                el("dt") { Text.connectionsRead(l) }
                el("dd", .id("summary-connections")) { String(summary.connections.rows) }
                el("dt") { Text.membersFound(l) }
                el("dd", .id("summary-matched")) { String(summary.connections.matched) }
            }
            el("p") {
                el("a", .href("/me/edit")) { Text.editProfile(l) }
                " · "
                el("a", .href("/me/contacts")) { Text.contacts(l) }
            }
        }
    }

    static func fieldName(_ field: String, _ l: TsunagariCore.Locale) -> String {
        switch field {
        case "headline": Text.headline(l)
        case "about": Text.about(l)
        case "industry": Text.industry(l)
        case "location": Text.location(l)
        default: field
        }
    }

    /// A form that sends one file; the button says it is working while a large file goes up (with JavaScript).
    static func uploadForm(_ chrome: PageChrome, action: String, id: String, label: String, accept: String) -> HTML {
        let l = chrome.locale
        return el(
            "form", .class("stack upload-form"), Attribute("method", "post"), Attribute("action", action), .id(id),
            Attribute("enctype", "multipart/form-data")
        ) {
            Layout.csrfField(chrome)
            el("label", .class("field")) {
                el("span") { label }
                el("input", .type("file"), .name("file"), Attribute("accept", accept), .flag("required"))
            }
            el("button", .type("submit"), .class("button"), Attribute("data-busy", Text.importing(l))) { Text.importButton(l) }
        }
    }

    // MARK: Contacts

    struct ContactsModel {
        var list: ContactList
        var notice: String?
        var error: String?
    }

    static func sourceLabel(_ source: ContactSource, _ l: TsunagariCore.Locale) -> String {
        switch source {
        case .linkedin: Text.sourceLinkedIn(l)
        case .card: Text.sourceCard(l)
        }
    }

    static func contacts(_ chrome: PageChrome, _ model: ContactsModel) -> HTML {
        let l = chrome.locale
        let invitable = model.list.items.filter { $0.person.map { $0.degree != .first && $0.degree != .oneself } ?? false }
        return Layout.page(chrome, title: Text.contacts(l)) {
            el("h1") { Text.contacts(l) }
            el("section", .class("card"), .id("import-cards")) {
                el("h2") { Text.importCards(l) }
                el("p", .class("muted")) { Text.importCardsHint(l) }
                Layout.errors(model.error)
                if let notice = model.notice { el("p", .class("notice"), .id("contacts-notice"), Attribute("role", "status")) { notice } }
                uploadForm(
                    chrome, action: "/me/contacts/import", id: "cards-form", label: Text.importFile(l),
                    accept: ".csv,.vcf,text/csv,text/vcard,text/x-vcard")
            }
            el("section", .class("card"), .id("contact-list")) {
                el("h2") {
                    l == .ja ? "\(Text.contacts(l))（\(model.list.items.count)）" : "\(Text.contacts(l)) (\(model.list.items.count))"
                }
                if model.list.items.isEmpty {
                    el("p", .class("muted")) { Text.noContacts(l) }
                } else {
                    el("form", .class("stack"), Attribute("method", "post"), Attribute("action", "/me/contacts/invite"), .id("invite-form")) {
                        Layout.csrfField(chrome)
                        // One group for the checkboxes that share a name, so that a screen reader says what they choose.
                        el("fieldset", .class("choices")) {
                            el("legend", .class("visually-hidden")) { Text.inviteSelected(l) }
                            el("ul", .class("contact-list")) {
                                for item in model.list.items { contactRow(item, l) }
                            }
                        }
                        if !invitable.isEmpty {
                            el("label", .class("field")) {
                                el("span") { Text.inviteNote(l) }
                                el("textarea", .name("message"), Attribute("rows", "2"), Attribute("maxlength", "300")) { "" }
                            }
                            el("button", .type("submit"), .class("button"), .id("invite-selected")) { Text.inviteSelected(l) }
                        }
                    }
                }
            }
        }
    }

    static func contactRow(_ item: ContactList.Item, _ l: TsunagariCore.Locale) -> HTML {
        let card = item.contact.card
        return el("li", .class("contact-row")) {
            if let person = item.person, person.degree != .first, person.degree != .oneself {
                el("input", .type("checkbox"), .name("memberIds"), .value(person.card.id.rawValue), .flag("checked"),
                   Attribute("aria-label", "\(Text.inviteSelected(l)): \(person.card.name)"))
            } else {
                el("span", .class("checkbox-placeholder")) { "" }
            }
            el("div") {
                el("p", .class("person-name")) {
                    card.name
                    if let reading = card.nameReading { el("span", .class("small-text muted")) { " (\(reading))" } }
                }
                el("p", .class("small-text")) {
                    [card.title, card.department, card.company].compactMap { $0 }.joined(separator: " · ")
                }
                el("p", .class("small-text muted")) {
                    sourceLabel(item.contact.source, l)
                    if let email = card.emails.first { " · \(email)" }
                }
            }
            el("div", .class("contact-member")) {
                if let person = item.person {
                    el("a", .href("/in/\(person.card.handle)"), .class("small-text")) { person.card.name }
                    el("span", .class("badge")) { person.degree == .first ? Text.alreadyConnected(l) : Text.onTsunagari(l) }
                } else {
                    el("span", .class("small-text muted")) { Text.notOnSite(l) }
                }
            }
        }
    }

    // MARK: QR code

    static func qr(_ chrome: PageChrome, link: String) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.myQRCode(l)) {
            el("section", .class("card qr-card"), .id("my-qr")) {
                el("h1") { Text.myQRCode(l) }
                el("p", .class("muted")) { Text.qrHint(l) }
                el("img", Attribute("src", "/me/qr.svg"), Attribute("alt", "\(Text.myQRCode(l)): \(link)"), .class("qr-image"), .id("qr-image"),
                   Attribute("width", "320"), Attribute("height", "320"))
                el("p", .class("small-text qr-link")) { el("code", .id("qr-link")) { link } }
                el("p") { el("a", .class("button small secondary"), .href("/me/qr.png"), Attribute("download", "tsunagari-qr.png")) { Text.downloadPNG(l) } }
            }
        }
    }

    // MARK: Reach through your colleagues

    struct ReachModel: Sendable {
        var employer: CompanyRef?
        var entries: [ColleagueReachService.Entry]
    }

    static func reach(_ chrome: PageChrome, _ model: ReachModel) -> HTML {
        let l = chrome.locale
        return el("section", .class("card"), .id("colleague-reach")) {
            el("h2") { Text.reachThroughColleagues(l) }
            if let employer = model.employer {
                el("p", .class("small-text muted")) { "\(Text.reachHint(l)) (\(employer.name))" }
                if model.entries.isEmpty {
                    el("p", .class("muted")) { Text.reachNone(l) }
                } else {
                    el("ul", .class("people")) {
                        for entry in model.entries {
                            el("li", .class("person")) {
                                el("div", .class("person-body")) {
                                    el("p", .class("person-name")) { el("a", .href("/in/\(entry.person.card.handle)")) { entry.person.card.name } }
                                    if let headline = entry.person.card.headline { el("p", .class("small-text")) { headline } }
                                    el("p", .class("small-text muted")) {
                                        "\(Text.knownByColleague(l)) "
                                        for (index, colleague) in entry.colleagues.enumerated() {
                                            if index > 0 { l == .ja ? "、" : ", " }
                                            el("a", .href("/in/\(colleague.person.card.handle)")) { colleague.person.card.name }
                                            " (\(colleague.via == .card ? Text.viaCard(l) : Text.viaConnection(l)))"
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                el("p", .class("small-text muted")) { Text.reachUnverified(l) }
            }
        }
    }
}
