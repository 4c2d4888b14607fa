import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TsunagariCore

extension HTTPField.Name {
    /// Names made once rather than on each request.
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
}

/// Runs the rest of the request in a child task. A Swift task keeps the memory its deepest call needed for as long as it
/// lives, and a connection's task lives as long as the connection: an idle keep-alive connection, or an event stream
/// held open for hours, would keep the whole middleware chain's frames. In a child task they are freed when the
/// request is answered (an event stream's body is written later, from the connection's task, near its top). Measured:
/// 36.8 KB to 20.4 KB per idle keep-alive connection (docs/BENCHMARKS.md "Messaging").
struct ShallowConnectionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The child task ends before this function returns, so `next` never outlives the call.
        try await withoutActuallyEscaping(next) { next in
            let next = UnsafeSendable(next)
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await next.value(request, context) }
                return try await group.next()!
            }
        }
    }
}

/// A value handed to a child task that ends before its owner does (structured concurrency), which the compiler cannot see.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Logs one line per request with Hummingbird's request id (never headers, cookies or bodies), and turns
/// anything that escaped the inner layers into a plain 500 that reveals nothing.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": .string(String(describing: type(of: error)))])
            response = Response(status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Internal error")))
        }
        response.headers[.requestID] = context.id
        let elapsed = ContinuousClock.now - start
        // A 503 from /readyz is an instance catching up (start-up, a long backlog), which a load balancer asks about
        // every few seconds: expected, not an error.
        let level: Logger.Level = response.status.code >= 500 && !(response.status == .serviceUnavailable && request.uri.path == "/readyz") ? .error : .info
        context.logger.log(
            level: level, "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
                "address": .string(context.remoteAddress?.ipAddress ?? "-"),
            ])
        return response
    }
}

/// Security headers on every response: a strict CSP (no inline script or style, nothing from elsewhere),
/// no framing, no sniffing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    /// Made once: each request made and checked the four names and values again (1% of an API call's samples).
    static let fields = [
        HTTPField(name: HTTPField.Name("Content-Security-Policy")!, value: contentSecurityPolicy),
        HTTPField(name: HTTPField.Name("X-Content-Type-Options")!, value: "nosniff"),
        HTTPField(name: HTTPField.Name("X-Frame-Options")!, value: "DENY"),
        HTTPField(name: HTTPField.Name("Referrer-Policy")!, value: "same-origin"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in Self.fields {
            // Added, or put in place of one a handler set.
            if response.headers.contains(field.name) {
                response.headers[field.name] = field.value
            } else {
                response.headers.append(field)
            }
        }
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

/// Works out who is asking and in which language: a bearer token for the API, the session cookie for pages.
/// Also makes sure the browser holds a CSRF cookie for the forms.
struct ViewerMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    static let sessionCookie = "tsg_session"
    static let csrfCookie = "tsg_csrf"
    static let languageCookie = "tsg_lang"

    /// The CSRF token of a web session: a digest of its token, 43 base64url characters like the cookie's.
    static func csrfToken(session: String) -> String {
        // Written byte by byte: Foundation's base64 and its string replacing, three times, were a fiftieth of a page.
        Page.base64URL(Array(SHA256.hash(data: Array("tsg-csrf:\(session)".utf8))))
    }

    /// The token of an `Authorization: Bearer …` header (the scheme in any case), without the blanks around it; nil
    /// for any other scheme. Read byte by byte: lowering the whole header and trimming it through Foundation were 2% of
    /// an API call's samples.
    static func bearerToken(_ header: String) -> String? {
        let scheme = "bearer ".utf8
        let bytes = header.utf8
        guard bytes.count >= scheme.count, zip(bytes, scheme).allSatisfy({ $1 == UInt8(ascii: " ") ? $0 == $1 : $0 | 0x20 == $1 }) else { return nil }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var start = bytes.index(bytes.startIndex, offsetBy: scheme.count)
        var end = bytes.endIndex
        while start < end, blank(bytes[start]) { start = bytes.index(after: start) }
        while start < end, blank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress
        if services.configuration.trustProxy {
            let proxies = services.configuration.trustedProxies
            context.clientAddress = proxies.clientAddress(peer: peer, forwardedFor: request.headers[values: .forwardedFor])
            context.secureTransport = proxies.forwardedHTTPS(peer: peer, forwardedProto: request.headers[.forwardedProto])
        } else {
            context.clientAddress = peer ?? "unknown"
        }
        let isAPI = request.uri.path.hasPrefix("/api/")
        var preferred: TsunagariCore.Locale?
        if isAPI {
            if let header = request.headers[.authorization], let token = Self.bearerToken(header) {
                if let session = try await services.accounts.session(token: token) {
                    context.viewer = .member(session.memberID, session.role)
                    context.sessionToken = token
                }
            }
        } else if let token = request.cookies[Self.sessionCookie]?.value,
            let session = try await services.accounts.session(token: token), session.kind == .web
        {
            context.viewer = .member(session.memberID, session.role)
            context.sessionToken = token
            preferred = try await services.storage.profile(id: session.memberID)?.settings.locale
        }
        context.locale = preferred
            ?? request.cookies[Self.languageCookie].flatMap { TsunagariCore.Locale(rawValue: $0.value) }
            ?? TsunagariCore.Locale.preferred(acceptLanguage: request.headers[.acceptLanguage])
            ?? .en
        context.logger[metadataKey: "member_id"] = context.viewer.memberID.map { .string($0.rawValue) }

        var issuedCSRF: String?
        if !isAPI {
            if let session = context.sessionToken {
                // Bound to the session: a token read from one session is worth nothing in another, and logging in
                // (a new session) rotates it.
                context.csrfToken = Self.csrfToken(session: session)
            } else if let existing = request.cookies[Self.csrfCookie]?.value, existing.utf8.count == 43 {
                context.csrfToken = existing
            } else if !request.uri.path.hasPrefix("/static/") {
                issuedCSRF = services.tokens.newToken()
                context.csrfToken = issuedCSRF!
            }
        }
        var response = try await next(request, context)
        if context.secureTransport {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        // Only a page can carry a form. A stylesheet, a photo or a health check with a cookie would make a shared
        // cache keep one visitor's token for the next, and cost every request a new token.
        if let issuedCSRF, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.setCookie(
                Cookie(name: Self.csrfCookie, value: issuedCSRF, path: "/", secure: context.secureTransport, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

/// The one error contract: domain errors and HTTP errors become JSON `{"error": {code, message}}` under
/// `/api/`, and a page in the viewer's language elsewhere. Unexpected errors are logged loudly and never echoed.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var (status, code, message, retryAfter) = describe(error, context: context)
            var allowed: Set<String>?
            if error is HTTPError, status == .notFound, let methods = routes.methods(for: request.uri.path) {
                (status, code, message) = (.methodNotAllowed, "method_not_allowed", "This method is not allowed here.")
                allowed = methods
            }
            if request.uri.path.hasPrefix("/api/") || request.uri.path == "/openapi.json" || request.uri.path == "/healthz" {
                var response = APIResponse.error(status, code: code, message: message)
                if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
                if let allowed { response.headers[.allow] = allowed.sorted().joined(separator: ", ") }
                return response
            }
            if status == .unauthorized {
                return Response.redirect(to: "/login")
            }
            let chrome = await PageChromeBuilder.make(services, context, path: request.uri.path)
            let page = status == .notFound && code == "not_found" && message.hasPrefix("Member")
                ? ProfilePages.notAvailable(chrome)
                : AccountPages.error(chrome, status: Int(status.code), message: localized(code, message, context.locale))
            var response = HTMLResponse.make(page, status: status)
            if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            if let allowed { response.headers[.allow] = allowed.sorted().joined(separator: ", ") }
            return response
        }
    }

    private func localized(_ code: String, _ message: String, _ locale: TsunagariCore.Locale) -> String {
        if code == "not_found" { return locale == .ja ? "お探しのページは見つかりませんでした。" : message }
        return message
    }

    func describe(_ error: any Error, context: Context) -> (HTTPResponse.Status, String, String, Int?) {
        if let error = error as? DomainError {
            switch error.kind {
            case .malformed: return (.badRequest, error.code, error.message, nil)
            case .unauthenticated: return (.unauthorized, error.code, error.message, nil)
            case .forbidden: return (.forbidden, error.code, error.message, nil)
            case .notFound: return (.notFound, error.code, error.message, nil)
            case .conflict: return (.conflict, error.code, error.message, nil)
            case .tooLarge: return (.contentTooLarge, error.code, error.message, nil)
            case .invalid: return (.unprocessableContent, error.code, error.message, nil)
            case .rateLimited(let seconds): return (.tooManyRequests, error.code, error.message, seconds)
            }
        }
        if let error = error as? DataFileError {
            switch error.reason {
            case .tooLarge: return (.contentTooLarge, "too_large", error.description, nil)
            case .malformed: return (.unprocessableContent, "bad_file", error.description, nil)
            case .unknownEncoding: return (.unprocessableContent, "unknown_encoding", error.description, nil)
            }
        }
        if let error = error as? any HTTPResponseError {
            let status = error.status
            switch status.code {
            case 404: return (status, "not_found", "Nothing is here.", nil)
            case 405: return (status, "method_not_allowed", "This method is not allowed here.", nil)
            case 413: return (status, "too_large", "The request body is too large (at most 1 MB; uploads at most 50 MB).", nil)
            case 400..<500: return (status, "bad_request", "The request could not be understood.", nil)
            default: break
            }
        }
        context.logger.error("internal error", metadata: ["error": .string(String(reflecting: error))])
        return (.internalServerError, "internal", "Something went wrong on our side.", nil)
    }
}

/// Reads and checks every page form: the body must be a URL-encoded form whose `_csrf` field matches the token of
/// the viewer's session (or, logged out, the CSRF cookie). One place, so no handler can forget it.
struct FormMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Only page routes that take a POST read a form; anything else goes on to its 404 or 405.
        guard request.method == .post, !request.uri.path.hasPrefix("/api/"),
            routes.methods(for: request.uri.path)?.contains("POST") == true
        else {
            return try await next(request, context)
        }
        var request = request
        var context = context
        if MultipartForm.uploadPaths.contains(request.uri.path),
            let boundary = MultipartForm.boundary(request.headers[.contentType] ?? "")
        {
            // An upload page: its form carries a file, as large as an upload may be.
            let buffer = try await request.collectUpload(limit: DataFileLimits.standard.maximumUploadBytes + 64 * 1024)
            (context.form, context.uploads) = try MultipartForm.parse(buffer, boundary: boundary)
        } else {
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            guard let body = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw DomainError(.malformed, code: "malformed_form", message: "The form could not be read.")
            }
            context.form = try FormData.parse(body)
        }
        let sent = context.form["_csrf"] ?? ""
        // A logged-in page's token comes from its session; before logging in, it is the double-submit cookie.
        let expected = context.sessionToken != nil ? context.csrfToken : request.cookies[ViewerMiddleware.csrfCookie]?.value ?? ""
        guard !expected.isEmpty, ConstantTime.equal(sent, expected) else {
            throw DomainError(.forbidden, code: "csrf_failed", message: "This form has expired. Reload the page and try again.")
        }
        return try await next(request, context)
    }
}

enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
