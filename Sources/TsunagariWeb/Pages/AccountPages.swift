import TsunagariCore

/// Landing, sign-up, log-in and the account settings pages.
enum AccountPages {
    static func landing(_ chrome: PageChrome) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.tagline(l), indexable: true) {
            el("section", .class("hero")) {
                el("h1") { Text.heroTitle(l) }
                el("p", .class("lead")) { Text.heroBody(l) }
                if chrome.isLoggedIn {
                    el("p") {
                        el("a", .class("button"), .href("/me/edit")) { Text.completeProfile(l) }
                    }
                } else {
                    el("p", .class("actions")) {
                        el("a", .class("button"), .href("/signup"), .id("hero-signup")) { Text.signUp(l) }
                        el("a", .class("button secondary"), .href("/login")) { Text.logIn(l) }
                    }
                }
            }
            el("section", .class("features")) {
                for (title, body) in [
                    (Text.featureHistory, Text.featureHistoryBody), (.featureNetwork, .featureNetworkBody),
                    (.featureSearch, .featureSearchBody),
                ] {
                    el("article", .class("card")) {
                        el("h2") { title(l) }
                        el("p") { body(l) }
                    }
                }
            }
        }
    }

    struct SignUpForm: Sendable {
        var name = ""
        var email = ""
        var error: String?
    }

    static func signUp(_ chrome: PageChrome, _ form: SignUpForm) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.signUp(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.signUp(l) }
                Layout.errors(form.error)
                Layout.form(chrome, action: "/signup", id: "signup-form") {
                    Layout.field(Text.name(l), name: "name", value: form.name, required: true, maxLength: TextLimit.name, autocomplete: "name")
                    Layout.field(Text.email(l), name: "email", value: form.email, type: "email", required: true, autocomplete: "email")
                    Layout.field(
                        Text.password(l), name: "password", value: nil, type: "password", required: true,
                        hint: Text.passwordHint(l), autocomplete: "new-password")
                    el("button", .type("submit"), .class("button")) { Text.createAccount(l) }
                }
                el("p", .class("muted")) {
                    Text.haveAccount(l)
                    " "
                    el("a", .href("/login")) { Text.logIn(l) }
                }
            }
        }
    }

    struct LogInForm: Sendable {
        var email = ""
        /// Where to go once logged in (a local path, checked again when the form comes back).
        var next: String?
        var error: String?
    }

    static func logIn(_ chrome: PageChrome, _ form: LogInForm) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.logIn(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.logIn(l) }
                Layout.errors(form.error)
                Layout.form(chrome, action: "/login", id: "login-form") {
                    Layout.field(Text.email(l), name: "email", value: form.email, type: "email", required: true, autocomplete: "email")
                    Layout.field(Text.password(l), name: "password", value: nil, type: "password", required: true, autocomplete: "current-password")
                    if let next = form.next { el("input", .type("hidden"), .name("next"), .value(next)) }
                    el("button", .type("submit"), .class("button")) { Text.logIn(l) }
                }
                el("p", .class("muted")) {
                    Text.noAccount(l)
                    " "
                    el("a", .href("/signup")) { Text.signUp(l) }
                }
                el("p", .class("muted")) {
                    el("a", .href("/forgot-password"), .id("forgot-password")) { l == .ja ? "パスワードをお忘れですか？" : "Forgot your password?" }
                }
            }
        }
    }

    static func settings(_ chrome: PageChrome, _ settings: ProfileSettings, error: String?) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.settings(l)) {
            el("h1") { Text.settings(l) }
            el("nav", .class("settings-links"), Attribute("aria-label", Text.yourData(l))) {
                el("a", .href("/me/data"), .id("link-your-data")) { Text.yourData(l) }
                el("a", .href("/me/contacts"), .id("link-contacts")) { Text.contacts(l) }
                el("a", .href("/me/qr"), .id("link-qr")) { Text.myQRCode(l) }
                el("a", .href("/settings/mail"), .id("link-mail")) { l == .ja ? "メール" : "Email" }
            }
            el("div", .class("settings-grid")) {
                el("section", .class("card")) {
                    Layout.errors(error)
                    Layout.form(chrome, action: "/settings", id: "settings-form") {
                        Layout.radios(
                            Text.profileVisibility(l), name: "profileVisibility",
                            options: [
                                (ProfileVisibility.public, Text.visibilityPublic(l)), (.members, Text.visibilityMembers(l)),
                                (.connections, Text.visibilityConnections(l)),
                            ], selected: settings.profileVisibility)
                        Layout.radios(
                            Text.connectionsVisibility(l), name: "connectionsVisibility",
                            options: [
                                (ConnectionsVisibility.connections, Text.connectionsVisibleToConnections(l)),
                                (.onlyMe, Text.connectionsVisibleOnlyMe(l)),
                            ], selected: settings.connectionsVisibility)
                        el("fieldset", .class("field"), .id("recruiter-messages")) {
                            el("legend") { Text.recruiterMessages(l) }
                            // Marks that the form carried the box, so that an unticked box means "off".
                            el("input", .type("hidden"), .name("recruiterMessagesField"), .value("1"))
                            el("label", .class("choice")) {
                                el("input", .type("checkbox"), .name("recruiterMessages"), .value("on"), .flag("checked", settings.recruiterMessages))
                                el("span") { Text.recruiterMessagesHint(l) }
                            }
                        }
                        el("fieldset", .class("field"), .id("share-network")) {
                            el("legend") { Text.shareNetwork(l) }
                            el("input", .type("hidden"), .name("shareNetworkField"), .value("1"))
                            el("label", .class("choice")) {
                                el(
                                    "input", .type("checkbox"), .name("shareNetworkWithColleagues"), .value("on"),
                                    .flag("checked", settings.shareNetworkWithColleagues))
                                el("span") { Text.shareNetworkHint(l) }
                            }
                        }
                        el("fieldset", .class("field")) {
                            el("legend") { Text.openToWork(l) }
                            el("label", .class("choice")) {
                                el("input", .type("checkbox"), .name("openToWork"), .value("on"), .flag("checked", settings.openToWork.enabled))
                                el("span") { Text.openToWorkEnabled(l) }
                            }
                            el("fieldset", .class("choices")) {
                                el("legend", .class("sub")) { Text.openToWorkShownTo(l) }
                                for (option, label) in [
                                    (OpenToWorkVisibility.recruitersOnly, Text.openToWorkRecruitersOnly(l)),
                                    (.everyone, Text.openToWorkEveryone(l)),
                                ] {
                                    el("label", .class("choice")) {
                                        el(
                                            "input", .type("radio"), .name("openToWorkVisibility"), .value(option.rawValue),
                                            .flag("checked", option == settings.openToWork.visibility))
                                        el("span") { label }
                                    }
                                }
                            }
                            Layout.textArea(
                                Text.openToWorkTitles(l), name: "openToWorkTitles",
                                value: settings.openToWork.titles.joined(separator: "\n"), rows: 3, hint: Text.lineSeparated(l))
                            Layout.textArea(
                                Text.openToWorkLocations(l), name: "openToWorkLocations",
                                value: settings.openToWork.locations.joined(separator: "\n"), rows: 3, hint: Text.lineSeparated(l))
                        }
                        el("fieldset", .class("field"), .id("section-visibility")) {
                            el("legend") { Text.sectionVisibility(l) }
                            el("p", .class("muted")) { Text.sectionVisibilityHint(l) }
                            for (section, label) in [
                                (ProfileSection.about, Text.about(l)), (.positions, Text.experience(l)), (.educations, Text.education(l)),
                                (.skills, Text.skills(l)),
                            ] {
                                el("label", .class("field")) {
                                    el("span") { label }
                                    el("select", .name("section_\(section.rawValue)")) {
                                        for (option, text) in [
                                            (SectionVisibility.everyone, Text.sectionEveryone(l)), (.connections, Text.sectionConnections(l)),
                                            (.onlyMe, Text.sectionOnlyMe(l)),
                                        ] {
                                            el("option", .value(option.rawValue), .flag("selected", settings.sectionVisibility[section] == option)) {
                                                text
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        el("label", .class("field")) {
                            el("span") { Text.language(l) }
                            el("select", .name("locale")) {
                                el("option", .value(""), .flag("selected", settings.locale == nil)) { Text.languageAuto(l) }
                                for locale in TsunagariCore.Locale.allCases {
                                    el("option", .value(locale.rawValue), .flag("selected", settings.locale == locale)) {
                                        locale.nativeName
                                    }
                                }
                            }
                        }
                        el("button", .type("submit"), .class("button")) { Text.save(l) }
                    }
                }
                el("aside", .class("card")) {
                    el("p") { el("a", .href("/settings/password")) { Text.changePassword(l) } }
                    el("p") { el("a", .class("danger-link"), .href("/settings/delete")) { Text.deleteAccount(l) } }
                }
            }
        }
    }

    static func changePassword(_ chrome: PageChrome, error: String?) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.changePassword(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.changePassword(l) }
                Layout.errors(error)
                Layout.form(chrome, action: "/settings/password", id: "password-form") {
                    Layout.field(Text.currentPassword(l), name: "current", value: nil, type: "password", required: true, autocomplete: "current-password")
                    Layout.field(
                        Text.newPassword(l), name: "new", value: nil, type: "password", required: true,
                        hint: Text.passwordHint(l), autocomplete: "new-password")
                    el("button", .type("submit"), .class("button")) { Text.changePassword(l) }
                }
            }
        }
    }

    static func deleteAccount(_ chrome: PageChrome, error: String?) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.deleteAccount(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.deleteAccount(l) }
                el("p", .class("warning")) { Text.deleteAccountWarning(l) }
                Layout.errors(error)
                Layout.form(chrome, action: "/settings/delete", id: "delete-form") {
                    Layout.field(Text.password(l), name: "password", value: nil, type: "password", required: true, autocomplete: "current-password")
                    el("button", .type("submit"), .class("button danger")) { Text.deleteAccountConfirm(l) }
                }
            }
        }
    }

    static func error(_ chrome: PageChrome, status: Int, message: String) -> HTML {
        let l = chrome.locale
        let title = status == 404 ? Text.pageNotFound(l) : Text.errorTitle(l)
        return Layout.page(chrome, title: title) {
            el("section", .class("card narrow")) {
                el("h1") { title }
                el("p") { message }
                el("p") { el("a", .href("/")) { Text.home(l) } }
            }
        }
    }
}
