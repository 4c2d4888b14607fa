import Foundation
import Testing
@testable import TsunagariMail

/// The client against a real SMTP server (aiosmtpd, see `SMTPTestServer`) on a loopback port:
/// what arrives is read back by Python's own email parser. Skipped without aiosmtpd, except
/// under CI=true, where a missing aiosmtpd fails.
@Suite(
    "SMTP client against aiosmtpd",
    .enabled(if: AioSMTPD.shouldRun, "aiosmtpd is not installed (pip install aiosmtpd); CI=true runs these and fails"),
    .timeLimit(.minutes(2)),
    // One server at a time: beside the rest of the suite on two cores, twenty Python servers starting at once (each
    // making an RSA key) took longer than a server may take to start.
    .serialized
)
struct SMTPServerTests {
    static let subject = "件名：面接のご案内"
    /// Mostly ASCII, so it goes as quoted-printable and its dot lines cross the wire as lines
    /// that start with a dot: the ones dot-stuffing exists for.
    static let textBody = """
        山田 太郎 様

        Thank you for applying to Tsunagari. Your interview:
        .hidden line that starts with a dot
        .
        ..two dots
        Date: 2024-03-11 14:00 (JST), 5F, 1-2-3 Shibuya, Tokyo
        面接のご案内です。Please reply to confirm.
        Regards,
        """
    static let htmlBody = """
        <html><body>
        <p>山田 太郎 様</p>
        <p>面接のご案内です。<a href="https://tsunagari.test/jobs/42">求人を見る</a></p>
        .
        </body></html>
        """

    static func message(
        subject: String = subject,
        to: [MailAddress] = [MailAddress("taro@example.test", name: "山田 太郎")],
        html: String? = htmlBody
    ) -> MailMessage {
        MailMessage(
            from: MailAddress("recruiting@tsunagari.test", name: "つながり 採用チーム"),
            to: to,
            subject: subject,
            textBody: textBody,
            htmlBody: html
        )
    }

    static func lf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// The received text without the final line break the MIME body adds.
    static func body(_ part: ReceivedMessage.Part) -> String {
        var text = lf(part.content)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    // MARK: Delivery

    @Test("plain: Japanese subject and names, text and HTML parts, dot lines and CRLF arrive intact")
    func plainDelivery() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let client = SMTPClient(configuration: server.configuration())
        let recipients = [
            MailAddress("taro@example.test", name: "山田 太郎"),
            MailAddress("hanako@example.test", name: "Sato, Hanako"),
        ]
        try await client.send(Self.message(to: recipients))

        let messages = try server.receivedMessages()
        try #require(messages.count == 1, "server log: \(server.log)")
        let received = messages[0]
        #expect(received.mail_from == "recruiting@tsunagari.test")
        #expect(received.rcpt_tos == ["taro@example.test", "hanako@example.test"])
        #expect(!received.tls)
        #expect(!received.authenticated)

        let parsed = received.parsed
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        #expect(parsed.subject == Self.subject)
        #expect(parsed.from_addresses == [["つながり 採用チーム", "recruiting@tsunagari.test"]])
        #expect(parsed.to_addresses == [["山田 太郎", "taro@example.test"], ["Sato, Hanako", "hanako@example.test"]])
        #expect(parsed.mime_version == "1.0")
        #expect(parsed.date_parsed != nil, "Date parses: \(parsed.date ?? "none")")
        #expect(parsed.message_id?.hasSuffix("@tsunagari.test>") == true)
        #expect(parsed.content_type == "multipart/alternative")
        try #require(parsed.parts.count == 2)
        #expect(parsed.parts[0].content_type == "text/plain")
        #expect(parsed.parts[1].content_type == "text/html")
        #expect(parsed.parts.allSatisfy { $0.charset == "utf-8" })
        #expect(Self.body(parsed.parts[0]) == Self.textBody)
        #expect(Self.body(parsed.parts[1]) == Self.htmlBody)

        // The raw content: CRLF only, 7-bit, header lines folded within 76 characters, and the
        // dot lines back to one dot after the server undid the stuffing.
        let raw = [UInt8](received.raw)
        for (index, byte) in raw.enumerated() {
            if byte == 10 { #expect(index > 0 && raw[index - 1] == 13, "bare LF at \(index)") }
            if byte == 13 { #expect(index + 1 < raw.count && raw[index + 1] == 10, "bare CR at \(index)") }
        }
        #expect(raw.allSatisfy { $0 < 128 })
        let text = String(decoding: raw, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        // The mostly-ASCII text part went as quoted-printable, so its dot lines are on the wire.
        #expect(parsed.parts[0].transfer_encoding == "quoted-printable")
        #expect(lines.contains(".hidden line that starts with a dot"))
        #expect(lines.contains("."))
        #expect(lines.contains("..two dots"))
        #expect(text.contains("Subject: =?UTF-8?B?"))
    }

    @Test("plain: a mostly-Japanese body goes as base64 and a text-only message is not multipart")
    func base64TextOnly() async throws {
        let server = try await SMTPTestServer.start("plain")
        defer { server.stop() }
        let body = String(repeating: "面接のご案内をお送りします。ご確認ください。\n", count: 30)
        var message = Self.message(html: nil)
        message.textBody = body
        try await SMTPClient(configuration: server.configuration()).send(message)

        let received = try #require(try server.receivedMessages().first)
        #expect(received.parsed.content_type == "text/plain")
        try #require(received.parsed.parts.count == 1)
        #expect(received.parsed.parts[0].transfer_encoding == "base64")
        #expect(Self.lf(received.parsed.parts[0].content) == body)
        let lines = String(decoding: received.raw, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
    }

    @Test("a server that refuses EHLO gets HELO, and the message still goes")
    func heloFallback() async throws {
        let server = try await SMTPTestServer.start("no-ehlo")
        defer { server.stop() }
        try await SMTPClient(configuration: server.configuration()).send(Self.message())
        let received = try server.receivedMessages()
        #expect(received.count == 1)
        #expect(received.first?.parsed.subject == Self.subject)
    }

    @Test("STARTTLS with the server's self-signed certificate and AUTH PLAIN")
    func startTLSWithAuthPlain() async throws {
        let server = try await SMTPTestServer.start("starttls")
        defer { server.stop() }
        let configuration = server.configuration(
            security: .startTLS, username: "recruiter@example.test", password: "correct horse")
        try await SMTPClient(configuration: configuration).send(Self.message())

        let received = try server.receivedMessages()
        try #require(received.count == 1, "server log: \(server.log)")
        #expect(received[0].tls)
        #expect(received[0].authenticated)
        #expect(received[0].login == "recruiter@example.test")
        #expect(received[0].parsed.subject == Self.subject)
    }

    @Test("STARTTLS to 'localhost': the certificate is checked against the host name")
    func startTLSByHostName() async throws {
        let server = try await SMTPTestServer.start("starttls")
        defer { server.stop() }
        let configuration = server.configuration(
            security: .startTLS, host: "localhost", username: "recruiter@example.test", password: "correct horse")
        try await SMTPClient(configuration: configuration).send(Self.message())
        #expect(try server.receivedMessages().count == 1)
    }

    @Test("AUTH LOGIN when the server does not offer PLAIN")
    func authLogin() async throws {
        let server = try await SMTPTestServer.start("starttls", ["--login-only"])
        defer { server.stop() }
        let configuration = server.configuration(
            security: .startTLS, username: "recruiter@example.test", password: "correct horse")
        try await SMTPClient(configuration: configuration).send(Self.message())
        let received = try server.receivedMessages()
        try #require(received.count == 1, "server log: \(server.log)")
        #expect(received[0].authenticated)
    }

    @Test("a wrong password is .authenticationFailed, permanent, and nothing is sent")
    func wrongPassword() async throws {
        for extra in [[], ["--login-only"]] {
            let server = try await SMTPTestServer.start("starttls", extra)
            defer { server.stop() }
            let configuration = server.configuration(
                security: .startTLS, username: "recruiter@example.test", password: "wrong")
            let error = await sendError(SMTPClient(configuration: configuration), Self.message())
            guard case .authenticationFailed(let code, _)? = error else {
                Issue.record("expected .authenticationFailed, got \(String(describing: error))")
                continue
            }
            #expect(code == 535)
            #expect(error?.isTemporary == false)
            #expect(try server.mailFolderIsEmpty())
        }
    }

    @Test("implicit TLS (port 465 style) with AUTH")
    func implicitTLS() async throws {
        let server = try await SMTPTestServer.start("tls")
        defer { server.stop() }
        let configuration = server.configuration(
            security: .tls, username: "recruiter@example.test", password: "correct horse")
        try await SMTPClient(configuration: configuration).send(Self.message())
        let received = try server.receivedMessages()
        try #require(received.count == 1, "server log: \(server.log)")
        #expect(received[0].tls)
        #expect(received[0].authenticated)
    }

    @Test("certificate checks off, for a loopback test server only")
    func verifyNoneOnLoopback() async throws {
        let server = try await SMTPTestServer.start("starttls")
        defer { server.stop() }
        let configuration = server.configuration(
            security: .startTLS, username: "recruiter@example.test", password: "correct horse",
            trustRoots: .verifyNoneForLoopback)
        try await SMTPClient(configuration: configuration).send(Self.message())
        #expect(try server.receivedMessages().count == 1)
    }

    // MARK: Refusals

    @Test("an untrusted certificate is .tlsFailed and nothing is sent")
    func untrustedCertificate() async throws {
        let server = try await SMTPTestServer.start("starttls")
        defer { server.stop() }
        let configuration = server.configuration(
            security: .startTLS, username: "recruiter@example.test", password: "correct horse", trustRoots: .system)
        let error = await sendError(SMTPClient(configuration: configuration), Self.message())
        guard case .tlsFailed? = error else {
            Issue.record("expected .tlsFailed, got \(String(describing: error))")
            return
        }
        #expect(error?.isTemporary == false)
        #expect(try server.mailFolderIsEmpty())
    }

    @Test("a trusted certificate for another host name is .tlsFailed")
    func wrongHostName() async throws {
        let server = try await SMTPTestServer.start("tls", ["--cert-name", "other.test"])
        defer { server.stop() }
        for host in ["127.0.0.1", "localhost"] {
            let configuration = server.configuration(
                security: .tls, host: host, username: "recruiter@example.test", password: "correct horse")
            let error = await sendError(SMTPClient(configuration: configuration), Self.message())
            guard case .tlsFailed? = error else {
                Issue.record("\(host): expected .tlsFailed, got \(String(describing: error))")
                continue
            }
        }
        #expect(try server.mailFolderIsEmpty())
    }

    @Test("STARTTLS required but not offered: .startTLSUnavailable, nothing sent, no credentials")
    func startTLSUnavailable() async throws {
        let server = try await SMTPTestServer.start("no-starttls")
        defer { server.stop() }
        let configuration = server.configuration(
            security: .startTLS, username: "recruiter@example.test", password: "correct horse", trustRoots: .system)
        let error = await sendError(SMTPClient(configuration: configuration), Self.message())
        #expect(error == .startTLSUnavailable)
        #expect(error?.isTemporary == false)
        #expect(try server.mailFolderIsEmpty())
    }

    @Test("550 for a recipient is a permanent .rejected (a bounce); nothing is sent")
    func permanentBounce() async throws {
        let server = try await SMTPTestServer.start("bounce")
        defer { server.stop() }
        let client = SMTPClient(configuration: server.configuration())
        for recipients in [["nouser@example.test"], ["taro@example.test", "nouser@example.test"]] {
            let error = await sendError(client, Self.message(to: recipients.map { MailAddress($0) }))
            guard case .rejected(let code, let reply, let permanent)? = error else {
                Issue.record("expected .rejected, got \(String(describing: error))")
                continue
            }
            #expect(code == 550)
            #expect(reply.contains("5.1.1 No such user"))
            #expect(permanent)
            #expect(error?.isTemporary == false)
        }
        #expect(try server.mailFolderIsEmpty())
        // The same server still takes mail for a real recipient.
        try await client.send(Self.message(to: [MailAddress("taro@example.test")]))
        #expect(try server.receivedMessages().count == 1)
    }

    @Test("451 for a recipient is a temporary .rejected: retry later")
    func temporaryRejection() async throws {
        let server = try await SMTPTestServer.start("bounce")
        defer { server.stop() }
        let error = await sendError(
            SMTPClient(configuration: server.configuration()), Self.message(to: [MailAddress("busy@example.test")]))
        guard case .rejected(let code, _, let permanent)? = error else {
            Issue.record("expected .rejected, got \(String(describing: error))")
            return
        }
        #expect(code == 451)
        #expect(!permanent)
        #expect(error?.isTemporary == true)
        #expect(try server.mailFolderIsEmpty())
    }

    // MARK: Broken servers

    @Test("a server that drops the connection mid-conversation: .connectionClosed, temporary",
          arguments: ["ehlo", "data", "content"])
    func droppedConnection(after: String) async throws {
        let server = try await SMTPTestServer.start("drop", ["--drop-after", after])
        defer { server.stop() }
        let error = await sendError(SMTPClient(configuration: server.configuration()), Self.message())
        #expect(error == .connectionClosed, "after \(after)")
        #expect(error?.isTemporary == true)
    }

    @Test("a server that never greets: .timedOut within the 1 s command timeout",
          arguments: [false, true])
    func timeout(greets: Bool) async throws {
        let server = try await SMTPTestServer.start("silent", greets ? ["--greet"] : [])
        defer { server.stop() }
        let client = SMTPClient(configuration: server.configuration(commandTimeout: .seconds(1)))
        let clock = ContinuousClock()
        let start = clock.now
        let error = await sendError(client, Self.message())
        let elapsed = clock.now - start
        #expect(error == .timedOut)
        #expect(error?.isTemporary == true)
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }

    @Test("a closed port is .connectionFailed, temporary")
    func connectionRefused() async throws {
        let server = try await SMTPTestServer.start("silent")
        let port = server.port
        server.stop()
        var configuration = server.configuration()
        configuration.port = port
        let error = await sendError(SMTPClient(configuration: configuration), Self.message())
        guard case .connectionFailed? = error else {
            Issue.record("expected .connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(error?.isTemporary == true)
    }

    @Test("header injection in the subject: .invalidMessage and no connection at all")
    func headerInjectionNeverConnects() async throws {
        let server = try await SMTPTestServer.start("silent")
        defer { server.stop() }
        let client = SMTPClient(configuration: server.configuration(commandTimeout: .seconds(1)))
        let error = await sendError(client, Self.message(subject: "面接のご案内\r\nBcc: x@y"))
        guard case .invalidMessage? = error else {
            Issue.record("expected .invalidMessage, got \(String(describing: error))")
            return
        }
        #expect(error?.isTemporary == false)
        // The silent server logs every connection into the mail folder.
        try await Task.sleep(for: .milliseconds(200))
        #expect(try server.mailFolderIsEmpty())
    }
}
