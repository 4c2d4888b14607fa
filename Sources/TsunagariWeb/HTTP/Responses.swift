import Foundation
import HTTPTypes
import Hummingbird
import TsunagariCore

enum APIResponse {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.bytes())))
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        json(.object(["error": .object(["code": .string(code), "message": .string(message)])]), status: status)
    }

    static func noContent() -> Response { Response(status: .noContent) }
}

enum HTMLResponse {
    /// The page, gzip-compressed when the client accepts it (`PageCompression`) and it is worth it.
    static func make(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .vary: "Accept-Encoding"]
        let bytes = html.bytes
        guard PageCompression.accepted, bytes.count >= PageCompression.minimumBytes,
            let compressed = GzipEncoder.shared.compress(bytes, effort: .fast)
        else {
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        headers[.contentEncoding] = "gzip"
        return Response(status: status, headers: headers, body: .init(byteBuffer: compressed))
    }
}

/// Pages compressed for clients that ask: a page of people is 15–60 KB of repetitive markup that gzip shrinks to a
/// sixth or less, at the fastest level (`GzipEncoder`): 20 µs for a profile page with libdeflate.
enum PageCompression {
    /// Whether the request being answered accepts gzip; set for each request by `PageCompressionMiddleware`.
    @TaskLocal static var accepted = false
    /// Smaller pages are sent as they are: the header and the CPU would cost more than the bytes saved.
    static let minimumBytes = 1_024
}

struct PageCompressionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await PageCompression.$accepted.withValue(StaticAssets.accepts("gzip", request.headers[.acceptEncoding])) {
            try await next(request, context)
        }
    }
}

/// Builds the chrome (language, who is logged in, CSRF token) around a page.
enum PageChromeBuilder {
    static func make(_ services: AppServices, _ context: AppRequestContext, path: String, notice: String? = nil) async -> PageChrome {
        var chrome = PageChrome(locale: context.locale, csrfToken: context.csrfToken, path: path, notice: notice)
        if let member = context.viewer.memberID, let profile = try? await services.storage.profile(id: member) {
            chrome.viewerName = profile.name
            chrome.viewerHandle = profile.handle
            // Both counts are held in memory by either storage (read through on a miss): asked in turn. As two child
            // tasks at once, the tasks and their wake-ups cost more than the reads (docs/BENCHMARKS.md "Request path,
            // round 17").
            chrome.unreadNotifications = (try? await services.notifications.unreadCount(of: member)) ?? 0
            chrome.unreadMessages = (try? await services.messaging.unreadConversations(of: member)) ?? 0
            if case .member(_, let role) = context.viewer { chrome.moderates = role.moderates }
            if services.mail.settings.enabled, let account = try? await services.storage.account(id: member) {
                chrome.emailUnverified = !account.emailVerified
            }
        }
        return chrome
    }
}

extension Response {
    /// 303 See Other, so that a form post is followed by a GET.
    /// `next` when it is a path on this site, else `fallback`: a form's `next` must not send anyone elsewhere.
    /// Browsers drop tabs and line breaks from URLs and read `\` as `/`, so `/\thost` and `/\host` mean `//host`
    /// to them: any control character, white space or backslash refuses the value, as does anything not starting
    /// with exactly one `/` (which also rules out every scheme).
    static func localPath(_ next: String?, fallback: String) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.unicodeScalars.count <= 2_000,
            !next.unicodeScalars.contains(where: {
                $0 == "\\" || $0.properties.generalCategory == .control || $0.properties.isWhitespace
                    || $0.properties.generalCategory == .format
            })
        else { return fallback }
        return next
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
