import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TsunagariCore
import TsunagariStorageSQLite
@testable import TsunagariWeb

/// An app on a fresh SQLite database, driven in process. Real bcrypt at a low cost keeps tests fast.
func withApp(
    limits: RateLimits = .relaxed, networkLimits: NetworkLimits = .relaxed, searchLimits: SearchLimits = .relaxed,
    messagingLimits: MessagingLimits = .relaxed, metricsToken: String? = nil, mail: AppConfiguration.MailSettings? = nil,
    mailTransport: (any MailTransport)? = nil,
    _ body: @Sendable (any TestClientProtocol, AppServices) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-web-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let storage = try SQLiteStorage(path: directory.appendingPathComponent("test.sqlite").path)
    try await storage.migrate()
    var configuration = AppConfiguration()
    configuration.rateLimits = limits
    configuration.networkLimits = networkLimits
    configuration.searchLimits = searchLimits
    configuration.messagingLimits = messagingLimits
    configuration.metricsToken = metricsToken
    configuration.mail = mail
    if mail != nil { configuration.publicURL = "https://tsunagari.test" }
    let services = try await AppServices(
        configuration: configuration, storage: storage, hasher: BcryptPasswordHasher(cost: 4), mailTransport: mailTransport)
    var logger = Logger(label: "tsunagari-test")
    logger.logLevel = .warning
    let app = Application(router: buildRouter(services), logger: logger)
    try await app.test(.router) { client in try await body(client, services) }
    try await storage.close()
}

struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }

    var setCookies: [String] { headers[values: .setCookie] }
}

extension TestClientProtocol {
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, raw: [UInt8]? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
        }
        if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: raw)
        }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: body)
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Signs up through the API and returns the token and member id.
    func signUp(_ name: String = "山田 花子", email: String = "hanako@example.test") async throws -> (token: String, id: String, handle: String) {
        let reply = try await call(.post, "/api/v1/accounts", json: ["email": email, "password": "correct horse battery", "name": name])
        #expect(reply.status == .created, "sign-up failed: \(reply.text)")
        let member = reply.json["member"] as? [String: Any] ?? [:]
        return (reply.json["token"] as? String ?? "", member["id"] as? String ?? "", member["handle"] as? String ?? "")
    }
}

/// A browser: keeps cookies, and sends forms with the CSRF token the pages hand out.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ client: any TestClientProtocol) { self.client = client }

    /// A browser logged in as a member made by `Cast.make` (their email is their name in lower case), in `language`.
    static func logIn(_ client: any TestClientProtocol, _ name: String, language: String? = nil) async throws -> Browser {
        let browser = Browser(client)
        browser.acceptLanguage = language
        let reply = try await browser.post("/login", ["email": "\(name.lowercased())@example.test", "password": "correct horse battery"])
        #expect(reply.status == .seeOther, "\(name) log-in: \(reply.status)")
        return browser
    }

    private func absorb(_ reply: Reply) {
        for line in reply.setCookies {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    private var headers: [String: String] {
        var headers: [String: String] = [:]
        if !cookies.isEmpty { headers["Cookie"] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let acceptLanguage { headers["Accept-Language"] = acceptLanguage }
        return headers
    }

    @discardableResult
    func get(_ path: String) async throws -> Reply {
        let reply = try await client.call(.get, path, headers: headers)
        absorb(reply)
        return reply
    }

    /// The token a form of the current page carries: the session's once logged in, else the cookie's.
    func csrfToken() async throws -> String? {
        let page = try await get("/")
        if let range = page.text.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            let field = page.text[range]
            return field.split(separator: "\"")[3].description
        }
        return cookies["tsg_csrf"]
    }

    /// Posts a form; `csrf: false` leaves the token out.
    @discardableResult
    func post(_ path: String, _ fields: [String: String], csrf: Bool = true) async throws -> Reply {
        var fields = fields
        if csrf { fields["_csrf"] = try await csrfToken() }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        let response = try await client.executeRequest(
            uri: path, method: .post, headers: HTTPFields(headers.map { HTTPField(name: HTTPField.Name($0.key)!, value: $0.value) }),
            body: ByteBuffer(string: body))
        let reply = Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        absorb(reply)
        return reply
    }

    /// Posts a form with one file (`multipart/form-data`), as a file input sends it, with the CSRF token.
    @discardableResult
    func postFile(
        _ path: String, field: String = "file", fileName: String, type: String, _ bytes: [UInt8], fields: [String: String] = [:], csrf: Bool = true
    ) async throws -> Reply {
        var fields = fields
        if csrf { fields["_csrf"] = try await csrfToken() }
        let boundary = "----tsunagari-test-\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = headers
        headers["Content-Type"] = "multipart/form-data; boundary=\(boundary)"
        let response = try await client.executeRequest(
            uri: path, method: .post, headers: HTTPFields(headers.map { HTTPField(name: HTTPField.Name($0.key)!, value: $0.value) }),
            body: ByteBuffer(bytes: body))
        let reply = Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        absorb(reply)
        return reply
    }
}

/// Whether the tests run under CI (`CI` set to true, 1 or yes), where what a test needs from the machine (libvips,
/// libdeflate) must be there: its absence fails instead of skipping.
let runningUnderCI = ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
