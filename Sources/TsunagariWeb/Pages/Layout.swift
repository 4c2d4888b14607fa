import Foundation
import TsunagariCore

/// What every page needs around its content: language, who is logged in, the CSRF token, where we are.
public struct PageChrome: Sendable {
    public var locale: TsunagariCore.Locale
    public var viewerName: String?
    public var viewerHandle: String?
    public var csrfToken: String
    public var path: String
    public var notice: String?
    public var unreadNotifications = 0
    /// Conversations with unread messages.
    public var unreadMessages = 0
    /// A moderator or an admin: the header links to the moderation queue.
    public var moderates = false
    /// Outgoing mail is on and the member has not confirmed their address yet: every page says so.
    public var emailUnverified = false

    public init(
        locale: TsunagariCore.Locale, viewerName: String? = nil, viewerHandle: String? = nil, csrfToken: String,
        path: String, notice: String? = nil
    ) {
        self.locale = locale
        self.viewerName = viewerName
        self.viewerHandle = viewerHandle
        self.csrfToken = csrfToken
        self.path = path
        self.notice = notice
    }

    var isLoggedIn: Bool { viewerHandle != nil }
}

enum Layout {
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

    static func form(_ chrome: PageChrome, action: String, id: String? = nil, @HTMLBuilder content: () -> HTML) -> HTML {
        el("form", .class("stack"), Attribute("method", "post"), Attribute("action", action), Attribute("id", id)) {
            csrfField(chrome)
            content()
        }
    }

    static func errors(_ message: String?) -> HTML {
        guard let message else { return .empty }
        return el("p", .class("error"), Attribute("role", "alert")) { message }
    }

    /// A labelled text input.
    static func field(
        _ label: String, name: String, value: String?, type: String = "text", required: Bool = false,
        hint: String? = nil, maxLength: Int? = nil, autocomplete: String? = nil, placeholder: String? = nil
    ) -> HTML {
        el("label", .class("field")) {
            el("span") { label }
            el(
                "input", .type(type), .name(name), .value(value), .flag("required", required),
                Attribute("maxlength", maxLength.map(String.init)), Attribute("autocomplete", autocomplete),
                Attribute("placeholder", placeholder))
            if let hint { el("small") { hint } }
        }
    }

    static func textArea(_ label: String, name: String, value: String?, rows: Int = 4, hint: String? = nil, maxLength: Int? = nil) -> HTML {
        el("label", .class("field")) {
            el("span") { label }
            el("textarea", .name(name), Attribute("rows", String(rows)), Attribute("maxlength", maxLength.map(String.init))) {
                value ?? ""
            }
            if let hint { el("small") { hint } }
        }
    }

    static func radios<Option: RawRepresentable>(
        _ legend: String, name: String, options: [(Option, String)], selected: Option
    ) -> HTML where Option.RawValue == String, Option: Equatable {
        el("fieldset", .class("field")) {
            el("legend") { legend }
            for (option, label) in options {
                el("label", .class("choice")) {
                    el("input", .type("radio"), .name(name), .value(option.rawValue), .flag("checked", option == selected))
                    el("span") { label }
                }
            }
        }
    }
}
