import Foundation
import Hummingbird
import TsunagariCore

/// The pages behind the links members receive by mail, and the mail settings: forgotten password, reset, address
/// verification, daily digest. Every page says plainly when this site sends no mail.
enum MailPages {
    /// The words of these pages, English then Japanese.
    static func t(_ l: TsunagariCore.Locale, _ en: String, _ ja: String) -> String { l == .ja ? ja : en }

    static func mailOffNote(_ l: TsunagariCore.Locale) -> HTML {
        el("p", .class("notice"), .id("mail-off")) {
            t(l, "This site sends no mail: its operator has not configured an SMTP server. To reset a password, ask the operator for a reset link.",
              "このサイトはメールを送信しません（運営者がSMTPサーバーを設定していません）。パスワードの再設定は、運営者に再設定用のリンクを依頼してください。")
        }
    }

    static func forgotPassword(_ chrome: PageChrome, mailEnabled: Bool, sent: Bool, error: String?) -> HTML {
        let l = chrome.locale
        let title = t(l, "Forgot your password?", "パスワードをお忘れですか？")
        return Layout.page(chrome, title: title) {
            el("section", .class("card narrow")) {
                el("h1") { title }
                if !mailEnabled {
                    mailOffNote(l)
                } else if sent {
                    el("p", .class("notice"), .id("reset-sent"), Attribute("role", "status")) {
                        t(l, "If an account has this address, a link to set a new password is on its way. It works once, within an hour.",
                          "このメールアドレスのアカウントがあれば、パスワード再設定のリンクを送りました。リンクは1時間以内に一度だけ使えます。")
                    }
                } else {
                    el("p", .class("muted")) {
                        t(l, "We will mail you a link to set a new password.", "新しいパスワードを設定するためのリンクをメールでお送りします。")
                    }
                    Layout.errors(error)
                    Layout.form(chrome, action: "/forgot-password", id: "forgot-form") {
                        Layout.field(Text.email(l), name: "email", value: nil, type: "email", required: true, autocomplete: "email")
                        el("button", .type("submit"), .class("button")) { t(l, "Send the link", "リンクを送る") }
                    }
                }
            }
        }
    }

    static func resetPassword(_ chrome: PageChrome, token: String, done: Bool, error: String?) -> HTML {
        let l = chrome.locale
        let title = t(l, "Set a new password", "新しいパスワードの設定")
        return Layout.page(chrome, title: title) {
            el("section", .class("card narrow")) {
                el("h1") { title }
                if done {
                    el("p", .class("notice"), .id("reset-done"), Attribute("role", "status")) {
                        t(l, "Your password is changed, and every other session has ended.", "パスワードを変更し、ほかのすべての端末からログアウトしました。")
                    }
                    el("p") { el("a", .class("button"), .href("/login")) { Text.logIn(l) } }
                } else {
                    Layout.errors(error)
                    Layout.form(chrome, action: "/reset-password", id: "reset-form") {
                        el("input", .type("hidden"), .name("token"), .value(token))
                        Layout.field(
                            t(l, "New password", "新しいパスワード"), name: "password", value: nil, type: "password", required: true,
                            hint: t(l, "At least 10 characters.", "10文字以上。"), autocomplete: "new-password")
                        el("button", .type("submit"), .class("button")) { t(l, "Set the password", "パスワードを設定") }
                    }
                }
            }
        }
    }

    static func verifyEmail(_ chrome: PageChrome, token: String, done: Bool, error: String?) -> HTML {
        let l = chrome.locale
        let title = t(l, "Confirm your email address", "メールアドレスの確認")
        return Layout.page(chrome, title: title) {
            el("section", .class("card narrow")) {
                el("h1") { title }
                if done {
                    el("p", .class("notice"), .id("verified"), Attribute("role", "status")) {
                        t(l, "Thank you: your address is confirmed, and people can now find you in search.",
                          "確認しました。検索であなたのプロフィールが見つかるようになりました。")
                    }
                } else {
                    Layout.errors(error)
                    // A button, not the link itself: mail scanners open links, and must not confirm anything.
                    Layout.form(chrome, action: "/verify-email", id: "verify-form") {
                        el("input", .type("hidden"), .name("token"), .value(token))
                        el("button", .type("submit"), .class("button")) { t(l, "Confirm", "確認する") }
                    }
                }
            }
        }
    }

    struct SettingsModel {
        var mailEnabled: Bool
        var emailVerified: Bool
        var dailyDigest: Bool
        var notice: String?
        var error: String?
    }

    static func settings(_ chrome: PageChrome, _ model: SettingsModel) -> HTML {
        let l = chrome.locale
        let title = t(l, "Email", "メール")
        return Layout.page(chrome, title: title) {
            el("h1") { title }
            if let notice = model.notice { el("p", .class("notice"), .id("mail-notice"), Attribute("role", "status")) { notice } }
            Layout.errors(model.error)
            if !model.mailEnabled { mailOffNote(l) }
            el("section", .class("card")) {
                el("h2") { t(l, "Your address", "メールアドレス") }
                if model.emailVerified {
                    el("p", .id("email-verified")) { t(l, "Confirmed.", "確認済みです。") }
                } else {
                    el("p", .id("email-unverified")) {
                        t(l, "Not confirmed yet: search does not show you until you open the link we mailed you.",
                          "まだ確認されていません。メールでお送りしたリンクを開くまで、検索には表示されません。")
                    }
                    if model.mailEnabled {
                        Layout.postButton(chrome, action: "/settings/mail/verify", label: t(l, "Send the link again", "リンクを再送する"), style: "button small",
                                          id: "resend-verification")
                    }
                }
            }
            el("section", .class("card")) {
                el("h2") { t(l, "Daily digest", "毎日のまとめメール") }
                Layout.form(chrome, action: "/settings/mail", id: "digest-form") {
                    el("label", .class("choice")) {
                        el("input", .type("checkbox"), .name("dailyDigest"), .value("on"), .flag("checked", model.dailyDigest))
                        el("span") {
                            t(l, "Once a day, mail me how many notifications and messages I have not read (nothing when there are none).",
                              "未読のお知らせとメッセージの件数を1日1回メールで受け取る（未読がない日は送りません）")
                        }
                    }
                    el("button", .type("submit"), .class("button small")) { Text.save(l) }
                }
            }
        }
    }
}

/// The routes of `MailPages`.
struct MailPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("forgot-password", use: forgotForm)
        router.post("forgot-password", use: forgot)
        router.get("reset-password", use: resetForm)
        router.post("reset-password", use: reset)
        router.get("verify-email", use: verifyForm)
        router.post("verify-email", use: verify)
        router.get("settings/mail", use: settingsPage)
        router.post("settings/mail", use: saveSettings)
        router.post("settings/mail/verify", use: resend)
    }

    func chrome(_ request: Request, _ context: AppRequestContext) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path)
    }

    static func status(_ error: DomainError) -> HTTPResponse.Status {
        switch error.kind {
        case .conflict: .conflict
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .malformed: .badRequest
        default: .unprocessableContent
        }
    }

    @Sendable func forgotForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        HTMLResponse.make(MailPages.forgotPassword(await chrome(request, context), mailEnabled: services.mail.settings.enabled, sent: false, error: nil))
    }

    @Sendable func forgot(_ request: Request, context: AppRequestContext) async throws -> Response {
        let enabled = services.mail.settings.enabled
        do {
            try await services.mail.requestPasswordReset(email: context.form["email"] ?? "", address: context.clientAddress)
        } catch let error as DomainError where error.kind != .unauthenticated && !error.isRateLimit {
            return HTMLResponse.make(
                MailPages.forgotPassword(await chrome(request, context), mailEnabled: enabled, sent: false, error: error.message), status: Self.status(error))
        }
        return HTMLResponse.make(MailPages.forgotPassword(await chrome(request, context), mailEnabled: enabled, sent: true, error: nil))
    }

    @Sendable func resetForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = String((request.uri.queryParameters.get("token") ?? "").prefix(200))
        return HTMLResponse.make(MailPages.resetPassword(await chrome(request, context), token: token, done: false, error: nil))
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = String((context.form["token"] ?? "").prefix(200))
        do {
            try await services.mail.resetPassword(token: token, newPassword: context.form["password"] ?? "")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .notFound {
            return HTMLResponse.make(
                MailPages.resetPassword(await chrome(request, context), token: token, done: false, error: error.message), status: Self.status(error))
        }
        return HTMLResponse.make(MailPages.resetPassword(await chrome(request, context), token: "", done: true, error: nil))
    }

    @Sendable func verifyForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = String((request.uri.queryParameters.get("token") ?? "").prefix(200))
        return HTMLResponse.make(MailPages.verifyEmail(await chrome(request, context), token: token, done: false, error: nil))
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = String((context.form["token"] ?? "").prefix(200))
        do {
            try await services.mail.verifyEmail(token: token)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .notFound {
            return HTMLResponse.make(
                MailPages.verifyEmail(await chrome(request, context), token: token, done: false, error: error.message), status: Self.status(error))
        }
        return HTMLResponse.make(MailPages.verifyEmail(await chrome(request, context), token: "", done: true, error: nil))
    }

    func settingsResponse(
        _ request: Request, _ context: AppRequestContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let member = try context.requireMember()
        guard let account = try await services.storage.account(id: member) else { throw DomainError.unauthenticated }
        let model = MailPages.SettingsModel(
            mailEnabled: services.mail.settings.enabled, emailVerified: account.emailVerified,
            dailyDigest: try await services.mail.dailyDigest(of: member), notice: notice, error: error)
        return HTMLResponse.make(MailPages.settings(await chrome(request, context), model), status: status)
    }

    @Sendable func settingsPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await settingsResponse(request, context)
    }

    @Sendable func saveSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await services.mail.setDailyDigest(context.form["dailyDigest"] == "on", for: member)
        return try await settingsResponse(request, context, notice: MailPages.t(context.locale, "Saved.", "保存しました。"))
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            try await services.mail.sendVerification(to: member)
        } catch let error as DomainError where error.kind == .conflict || error.isRateLimit {
            return try await settingsResponse(request, context, error: error.message, status: error.isRateLimit ? .tooManyRequests : .conflict)
        }
        return try await settingsResponse(
            request, context, notice: MailPages.t(context.locale, "The link is on its way.", "確認用のリンクを送りました。"))
    }
}

extension DomainError {
    var isRateLimit: Bool {
        if case .rateLimited = kind { return true }
        return false
    }
}
