import Foundation

/// The mails' words, in Japanese or English by the member's language, each as plain text and as simple HTML (every
/// value escaped). Links are the site's own and carry only the one-time token.
public enum MailTemplates {
    public struct Message: Hashable, Sendable {
        public var subject: String
        public var text: String
        public var html: String
    }

    public static func verification(link: String, site: String, locale: Locale) -> Message {
        switch locale {
        case .ja:
            return make(
                subject: "【\(site)】メールアドレスの確認", greeting: "\(site) へのご登録ありがとうございます。",
                lines: ["次のリンクを開いて、このメールアドレスがあなたのものであることを確認してください。確認が済むと、検索であなたのプロフィールが見つかるようになります。"],
                link: link, button: "メールアドレスを確認する",
                footer: "リンクの有効期限は7日間です。心当たりがない場合は、このメールを破棄してください。", site: site)
        case .en:
            return make(
                subject: "[\(site)] Confirm your email address", greeting: "Thank you for joining \(site).",
                lines: ["Open the link below to confirm that this address is yours. Once it is confirmed, people can find your profile in search."],
                link: link, button: "Confirm my email address",
                footer: "The link works for seven days. If you did not sign up, ignore this mail.", site: site)
        }
    }

    public static func passwordReset(link: String, site: String, locale: Locale) -> Message {
        switch locale {
        case .ja:
            return make(
                subject: "【\(site)】パスワードの再設定", greeting: "パスワードの再設定を受け付けました。",
                lines: ["次のリンクから新しいパスワードを設定してください。設定すると、ほかの端末からは自動的にログアウトされます。"],
                link: link, button: "パスワードを再設定する",
                footer: "リンクの有効期限は1時間で、一度だけ使えます。心当たりがない場合は、このメールを破棄してください（パスワードは変わりません）。", site: site)
        case .en:
            return make(
                subject: "[\(site)] Reset your password", greeting: "Someone asked to reset the password of your account.",
                lines: ["Set a new password with the link below. Doing so logs you out everywhere else."],
                link: link, button: "Set a new password",
                footer: "The link works once, within an hour. If you did not ask for it, ignore this mail: your password stays as it is.",
                site: site)
        }
    }

    public static func digest(
        name: String, notifications: Int, conversations: Int, link: String, settingsLink: String, site: String, locale: Locale
    ) -> Message {
        switch locale {
        case .ja:
            var lines: [String] = []
            if notifications > 0 { lines.append("未読のお知らせ: \(notifications >= NotificationService.unreadCap ? "99+" : String(notifications))件") }
            if conversations > 0 { lines.append("未読メッセージのある会話: \(conversations)件") }
            return make(
                subject: "【\(site)】未読のお知らせとメッセージ", greeting: "\(name) さん", lines: lines, link: link, button: "\(site) で見る",
                footer: "毎日のまとめメールは設定（\(settingsLink)）で止められます。", site: site)
        case .en:
            var lines: [String] = []
            if notifications > 0 {
                lines.append("Unread notifications: \(notifications >= NotificationService.unreadCap ? "99+" : String(notifications))")
            }
            if conversations > 0 { lines.append("Conversations with unread messages: \(conversations)") }
            return make(
                subject: "[\(site)] Your unread notifications and messages", greeting: "Hello \(name),", lines: lines, link: link,
                button: "Open \(site)", footer: "You can turn the daily digest off in your settings: \(settingsLink)", site: site)
        }
    }

    static func make(subject: String, greeting: String, lines: [String], link: String, button: String, footer: String, site: String) -> Message {
        let text = ([greeting, ""] + lines + ["", link, "", footer, "", "— \(site)"]).joined(separator: "\n")
        var html = "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.6\">"
        html += "<p>\(escape(greeting))</p>"
        for line in lines { html += "<p>\(escape(line))</p>" }
        html += "<p><a href=\"\(escape(link))\">\(escape(button))</a></p>"
        html += "<p style=\"color: #555; font-size: 0.9em\">\(escape(footer))</p><p>— \(escape(site))</p></body></html>"
        return Message(subject: subject, text: text, html: html)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
