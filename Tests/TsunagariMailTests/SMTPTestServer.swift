import Foundation
import Testing
@testable import TsunagariMail

/// The real SMTP server the client is tested against: Python's aiosmtpd (from PyPI), driven by
/// `Resources/smtp_server.py`. Skipped without it, except under CI=true, where a missing
/// aiosmtpd fails every server test (as a missing zbarimg fails the QR decoding tests).
enum AioSMTPD {
    static let missingMessage = "aiosmtpd (PyPI) is required for the SMTP server tests: pip install aiosmtpd"

    /// `python3 -c "import aiosmtpd"`, run once.
    static let isInstalled: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    /// CI must never skip the server tests silently: there they run and fail when aiosmtpd is missing.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// For `.enabled(if:)`: skipped on a developer machine without aiosmtpd, run under CI=true.
    static var shouldRun: Bool { isInstalled || isRequired }

    static func requireInstalled() throws {
        guard isInstalled else { throw Missing() }
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { AioSMTPD.missingMessage }
    }
}

/// One `smtp_server.py` subprocess on a free loopback port, with its own scratch folder for
/// received mail and its certificate. Stopped by `stop()` (the tests call it in a `defer`).
final class SMTPTestServer {
    let process = Process()
    let directory: URL
    let mailDirectory: URL
    let certificateDirectory: URL
    private(set) var port = 0

    var certificatePath: String { certificateDirectory.appendingPathComponent("cert.pem").path }

    static var scriptPath: String {
        if let url = Bundle.module.url(forResource: "smtp_server", withExtension: "py", subdirectory: "Resources") {
            return url.path
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources/smtp_server.py").path
    }

    /// Starts the server in `mode` (see the script) and waits until it listens.
    static func start(_ mode: String, _ arguments: [String] = []) async throws -> SMTPTestServer {
        let server = try SMTPTestServer(mode: mode, arguments: arguments)
        do {
            try await server.waitUntilListening()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private let mode: String

    private init(mode: String, arguments: [String]) throws {
        self.mode = mode
        try AioSMTPD.requireInstalled()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tsunagari-mail-\(UUID().uuidString)", isDirectory: true)
        mailDirectory = directory.appendingPathComponent("mail", isDirectory: true)
        certificateDirectory = directory.appendingPathComponent("cert", isDirectory: true)
        try FileManager.default.createDirectory(at: mailDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)

        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, mode,
                             "--ready-file", directory.appendingPathComponent("port").path,
                             "--mail-dir", mailDirectory.path,
                             "--cert-dir", certificateDirectory.path] + arguments
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    private var readyFile: URL { directory.appendingPathComponent("port") }

    private func waitUntilListening() async throws {
        // Generous: the whole test suite runs beside it on two cores.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: readyFile, encoding: .utf8), let port = Int(text) {
                self.port = port
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailure(description: "smtp_server.py \(mode) did not start: \(log)")
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// SIGKILL: a child started by Foundation's Process on Linux may inherit a signal mask that
    /// blocks SIGTERM, so `terminate()` alone could leave it running and `waitUntilExit()` hanging.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The server's log, for failure messages.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// Every message the server accepted, in order.
    func receivedMessages() throws -> [ReceivedMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)
        let numbers = names.filter { $0.hasSuffix(".json") }.compactMap { Int($0.dropLast(5)) }.sorted()
        return try numbers.map { number in
            let json = try Data(contentsOf: mailDirectory.appendingPathComponent("\(number).json"))
            var message = try JSONDecoder().decode(ReceivedMessage.self, from: json)
            message.raw = try Data(contentsOf: mailDirectory.appendingPathComponent("\(number).eml"))
            return message
        }
    }

    /// Whether anything at all was written to the mail folder (a message or, in silent mode, a connection).
    func mailFolderIsEmpty() throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: mailDirectory.path).isEmpty
    }

    func configuration(
        security: SMTPConfiguration.Security = .none,
        host: String = "127.0.0.1",
        username: String? = nil,
        password: String? = nil,
        trustRoots: SMTPConfiguration.TrustRoots? = nil,
        commandTimeout: Duration = .seconds(10)
    ) -> SMTPConfiguration {
        SMTPConfiguration(
            host: host,
            port: port,
            security: security,
            username: username,
            password: password,
            heloName: "client.tsunagari.test",
            connectTimeout: .seconds(5),
            commandTimeout: commandTimeout,
            trustRoots: trustRoots ?? .certificateFile(certificatePath)
        )
    }
}

/// What `smtp_server.py` wrote for one message: the envelope, the session and the message as
/// Python's email package parsed it.
struct ReceivedMessage: Decodable {
    struct Part: Decodable {
        var content_type: String
        var charset: String?
        var transfer_encoding: String?
        var content: String
    }

    struct Parsed: Decodable {
        var subject: String?
        var from_addresses: [[String]]
        var to_addresses: [[String]]
        var date: String?
        var date_parsed: String?
        var message_id: String?
        var mime_version: String?
        var content_type: String
        var parts: [Part]
        var defects: [String]
    }

    var mail_from: String
    var rcpt_tos: [String]
    var tls: Bool
    var authenticated: Bool
    var login: String?
    var parsed: Parsed
    var raw = Data()

    private enum CodingKeys: String, CodingKey {
        case mail_from, rcpt_tos, tls, authenticated, login, parsed
    }
}

/// The error `send` threw, or nil when it succeeded.
func sendError(_ client: SMTPClient, _ message: MailMessage) async -> SMTPError? {
    do {
        try await client.send(message)
        return nil
    } catch {
        return error
    }
}
