import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import TsunagariCore

/// The request context every route sees: who is asking, in which language, and the parsed form.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// Set by `ViewerMiddleware` from a bearer token (API) or the session cookie (pages).
    public var viewer: Viewer = .anonymous
    /// The raw token of the current session, kept to end exactly this session on log-out.
    public var sessionToken: String?
    public var locale: TsunagariCore.Locale = .en
    /// The double-submit CSRF token pages put in their forms.
    public var csrfToken: String = ""
    /// The parsed `application/x-www-form-urlencoded` body of a page form, after its CSRF check.
    public var form: FormData = FormData()
    /// Files sent with a page form (`multipart/form-data`, only on the upload pages), by field name.
    public var uploads: [String: UploadedFile] = [:]
    /// The client's address, from the socket or, behind a trusted proxy, `X-Forwarded-For`.
    public var clientAddress: String = "unknown"
    public var secureTransport = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// The body size pages and the API accept.
    public var maxUploadSize: Int { 1024 * 1024 }

    public func requireMember() throws -> MemberID {
        guard let member = viewer.memberID else { throw DomainError.unauthenticated }
        return member
    }
}

/// A parsed form: the last value of each field, and every value for repeated fields.
public struct FormData: Sendable {
    public var values: [String: [String]] = [:]

    public init() {}

    public subscript(_ name: String) -> String? { values[name]?.last }

    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Parses `a=1&b=two+words&c=%E6%97%A5`; a bad escape or invalid UTF-8 is a 400.
    public static func parse(_ body: String) throws -> FormData {
        var form = FormData()
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            let value = parts.count > 1 ? try decode(parts[1]) : ""
            form.values[name, default: []].append(value)
        }
        return form
    }

    private static func decode(_ text: Substring) throws -> String {
        guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            throw DomainError(.malformed, code: "malformed_form", message: "The form could not be read.")
        }
        return decoded
    }
}

extension Request {
    /// The query string read as HTML forms write it: `+` is a space, `%2B` a plus (C++ stays C++).
    /// A query string that cannot be decoded reads as empty.
    var form: FormData { (try? FormData.parse(uri.query ?? "")) ?? FormData() }
}
