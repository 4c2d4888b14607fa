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
    /// The page around `content`: head, header, footer. Written straight into bytes (`HTMLWriter`), with the content
    /// written once into the same buffer: every page has them, and as a tree of elements the header and footer alone
    /// cost about as much as a profile page's whole network section (docs/BENCHMARKS.md "Request path, round 17").
    static func page(
        _ chrome: PageChrome, title: String, indexable: Bool = false, head: HTML = .empty, @HTMLBuilder content: () -> HTML
    ) -> HTML {
        let l = chrome.locale
        let body = content()
        var w = HTMLWriter(capacity: 16_384)
        w.markup("<!doctype html><html lang=\"")
        w.text(l.rawValue)
        w.markup("\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        if !indexable { w.markup("<meta name=\"robots\" content=\"noindex\">") }
        w.markup("<title>")
        w.text(title)
        w.markup(" · Tsunagari</title>")
        w.html(head)
        w.markup("<link rel=\"icon\" type=\"image/svg+xml\" href=\"")
        w.text(StaticAssets.url("icon.svg"))
        w.markup("\"><link rel=\"stylesheet\" href=\"")
        w.text(StaticAssets.url("app.css"))
        w.markup("\"><script src=\"")
        w.text(StaticAssets.url("app.js"))
        w.markup("\" defer></script></head>")
        // app.js opens the live event stream where the page names it (logged-in pages only).
        w.markup(chrome.isLoggedIn ? "<body data-events=\"/events\">" : "<body>")
        header(chrome, into: &w)
        w.markup("<main class=\"container\" id=\"main\">")
        if let notice = chrome.notice {
            w.markup("<p class=\"notice\" role=\"status\">")
            w.text(notice)
            w.markup("</p>")
        }
        if chrome.emailUnverified, chrome.path != "/settings/mail" {
            w.markup("<p class=\"notice\" id=\"verify-banner\">")
            w.text(l == .ja ? "メールアドレスを確認すると検索に表示されます。" : "Confirm your email address to appear in search.")
            w.markup(" <a href=\"/settings/mail\">")
            w.text(l == .ja ? "確認メールについて" : "About the confirmation mail")
            w.markup("</a></p>")
        }
        w.html(body)
        w.markup("</main><footer class=\"site-footer\"><div class=\"container\"><span>つながり Tsunagari — ")
        w.text(Text.tagline(l))
        w.markup("</span>")
        languageSwitch(chrome, into: &w)
        w.markup("</div></footer></body></html>")
        return w.written
    }

    private static func header(_ chrome: PageChrome, into w: inout HTMLWriter) {
        let l = chrome.locale
        w.markup(
            "<header class=\"site-header\"><div class=\"container header-row\"><a class=\"brand\" href=\"/\"><span class=\"brand-mark\">つ</span><span>Tsunagari</span></a>"
        )
        if chrome.isLoggedIn {
            // autocomplete="off" on the form, not the box: the browser's own list would cover the typeahead, and "off" is
            // not a valid token on a search input (axe's autocomplete-valid). app.js adds typeahead over names here;
            // without JavaScript the box submits to /search.
            w.markup(
                "<form class=\"header-search\" method=\"get\" action=\"/search\" role=\"search\" autocomplete=\"off\"><input type=\"search\" name=\"q\" placeholder=\""
            )
            w.text(Text.searchPlaceholder(l))
            w.markup("\" aria-label=\"")
            w.text(Text.search(l))
            w.markup(
                "\" id=\"header-search\" aria-autocomplete=\"list\" aria-controls=\"typeahead\" data-typeahead=\"/search/typeahead\"><ul id=\"typeahead\" class=\"typeahead\" role=\"listbox\" hidden></ul><button type=\"submit\" class=\"button small\">"
            )
            w.text(Text.search(l))
            w.markup("</button></form>")
        }
        w.markup("<nav aria-label=\"main\">")
        if let handle = chrome.viewerHandle {
            w.markup("<a href=\"/network\" id=\"nav-network\">")
            w.text(Text.myNetwork(l))
            w.markup("</a><a href=\"/introductions\">")
            w.text(Text.introductions(l))
            w.markup("</a><a href=\"/jobs\" id=\"nav-jobs\">")
            w.text(Text.jobs(l))
            w.markup("</a><a href=\"/messages\" id=\"nav-messages\">")
            w.text(Text.messaging(l))
            w.markup(" ")
            countBadge(chrome.unreadMessages, id: "message-count", into: &w)
            w.markup("</a><a href=\"/notifications\" id=\"nav-notifications\">")
            w.text(Text.notifications(l))
            w.markup(" ")
            countBadge(chrome.unreadNotifications, id: "unread-count", into: &w)
            w.markup("</a><a href=\"/in/")
            w.text(handle)
            w.markup("\">")
            w.text(Text.myProfile(l))
            w.markup("</a><a href=\"/me/edit\">")
            w.text(Text.editProfile(l))
            w.markup("</a><a href=\"/settings\">")
            w.text(Text.settings(l))
            w.markup("</a>")
            if chrome.moderates {
                w.markup("<a href=\"/moderation\" id=\"nav-moderation\">")
                w.text(Text.moderation(l))
                w.markup("</a>")
            }
            postButton(chrome, action: "/logout", label: Text.logOut(l), style: "link-button", id: "logout", into: &w)
        } else {
            w.markup("<a href=\"/login\">")
            w.text(Text.logIn(l))
            w.markup("</a><a class=\"button small\" href=\"/signup\">")
            w.text(Text.signUp(l))
            w.markup("</a>")
        }
        w.markup("</nav></div></header>")
    }

    /// A count in the header; hidden at zero, kept in the page so that live updates can show it.
    private static func countBadge(_ count: Int, id: StaticString, into w: inout HTMLWriter) {
        w.markup("<span class=\"count-badge\" id=\"")
        w.markup(id)
        w.markup(count == 0 ? "\" hidden>" : "\">")
        w.text(count >= NotificationService.unreadCap ? "99+" : String(count))
        w.markup("</span>")
    }

    private static func languageSwitch(_ chrome: PageChrome, into w: inout HTMLWriter) {
        w.markup("<form class=\"language-switch\" method=\"post\" action=\"/language\">")
        csrfField(chrome, into: &w)
        w.markup("<input type=\"hidden\" name=\"next\" value=\"")
        w.text(chrome.path)
        w.markup("\">")
        for locale in TsunagariCore.Locale.allCases {
            w.markup("<button type=\"submit\" name=\"locale\" value=\"")
            w.text(locale.rawValue)
            w.markup(locale == chrome.locale ? "\" class=\"link-button current\" lang=\"" : "\" class=\"link-button\" lang=\"")
            w.text(locale.rawValue)
            w.markup("\">")
            w.text(locale.nativeName)
            w.markup("</button>")
        }
        w.markup("</form>")
    }

    static func csrfField(_ chrome: PageChrome) -> HTML {
        var w = HTMLWriter(capacity: 96)
        csrfField(chrome, into: &w)
        return w.written
    }

    static func csrfField(_ chrome: PageChrome, into w: inout HTMLWriter) {
        w.markup("<input type=\"hidden\" name=\"_csrf\" value=\"")
        w.text(chrome.csrfToken)
        w.markup("\">")
    }

    static func postButton(_ chrome: PageChrome, action: String, label: String, style: String, id: String? = nil) -> HTML {
        var w = HTMLWriter(capacity: 256)
        postButton(chrome, action: action, label: label, style: style, id: id, into: &w)
        return w.written
    }

    /// A button that posts a form of its own, with the CSRF token.
    static func postButton(_ chrome: PageChrome, action: String, label: String, style: String, id: String? = nil, into w: inout HTMLWriter) {
        w.markup("<form class=\"inline\" method=\"post\" action=\"")
        w.text(action)
        w.markup("\">")
        csrfField(chrome, into: &w)
        w.markup("<button type=\"submit\" class=\"")
        w.text(style)
        if let id {
            w.markup("\" id=\"")
            w.text(id)
        }
        w.markup("\">")
        w.text(label)
        w.markup("</button></form>")
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
