import Foundation
import HTTPTypes
import Hummingbird
import TsunagariCore

enum APIResponse {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        json(.object(["error": .object(["code": .string(code), "message": .string(message)])]), status: status)
    }

    static func noContent() -> Response { Response(status: .noContent) }
}

enum HTMLResponse {
    static func make(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html.rendered)))
    }
}

/// Builds the chrome (language, who is logged in, CSRF token) around a page.
enum PageChromeBuilder {
    static func make(_ services: AppServices, _ context: AppRequestContext, path: String, notice: String? = nil) async -> PageChrome {
        var chrome = PageChrome(locale: context.locale, csrfToken: context.csrfToken, path: path, notice: notice)
        if let member = context.viewer.memberID, let profile = try? await services.storage.profile(id: member) {
            chrome.viewerName = profile.name
            chrome.viewerHandle = profile.handle
            chrome.unreadNotifications = (try? await services.storage.unreadNotificationCount(of: member)) ?? 0
        }
        return chrome
    }
}

extension Response {
    /// 303 See Other, so that a form post is followed by a GET.
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
