import NIOCore
import NIOSSL

/// Sends mail to one SMTP server (a submission server or a relay), one connection per message:
/// greeting, EHLO (HELO when EHLO is refused), STARTTLS when configured, AUTH when credentials
/// are configured, MAIL FROM, RCPT TO for each recipient, DATA, QUIT.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// Delivers the message to the server. Throws `SMTPError`; its `isTemporary` says whether
    /// to retry later. A message with header injection or a bad address is refused before connecting.
    public func send(_ message: MailMessage) async throws(SMTPError) {
        try configuration.validate()
        let content = MIME.dotStuffed(try message.rendered())
        let tlsContext = configuration.security == .none ? nil : try makeTLSContext()

        let connection = try await SMTPConnection.connect(
            host: configuration.host,
            port: configuration.port,
            connectTimeout: TimeAmount(configuration.connectTimeout),
            commandTimeout: TimeAmount(configuration.commandTimeout),
            implicitTLS: configuration.security == .tls ? tlsContext : nil
        )
        do {
            try await converse(over: connection, message: message, content: content, tlsContext: tlsContext)
            await connection.close()
        } catch {
            switch error {
            case .rejected, .authenticationFailed, .startTLSUnavailable:
                // The server is still listening: say goodbye properly.
                await connection.quit()
            default:
                break
            }
            await connection.close()
            throw error
        }
    }

    private func converse(
        over connection: SMTPConnection,
        message: MailMessage,
        content: String,
        tlsContext: NIOSSLContext?
    ) async throws(SMTPError) {
        let greeting = try await connection.command(nil)
        guard greeting.code == 220 else { throw Self.rejection(greeting) }

        var extensions = try await hello(connection, allowHELO: true)
        if configuration.security == .startTLS, let tlsContext {
            guard extensions.keys.contains("STARTTLS") else { throw .startTLSUnavailable }
            let reply = try await connection.command("STARTTLS")
            guard reply.code == 220 else { throw Self.rejection(reply) }
            try await connection.startTLS(tlsContext, host: configuration.host)
            // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
            extensions = try await hello(connection, allowHELO: false)
        }

        if let username = configuration.username, let password = configuration.password {
            try await authenticate(connection, extensions: extensions, username: username, password: password)
        }

        try Self.expect(await connection.command("MAIL FROM:<\(message.from.address)>"), 250)
        for recipient in message.to {
            try Self.expect(await connection.command("RCPT TO:<\(recipient.address)>"), 250, 251)
        }
        try Self.expect(await connection.command("DATA"), 354)
        try Self.expect(await connection.sendData(content), 250)
        // The message is accepted: whatever QUIT gets back changes nothing.
        await connection.quit()
    }

    /// EHLO, and its extensions by keyword (upper-cased) with their parameters; HELO when the
    /// server refuses EHLO with 5xx (then there are no extensions).
    private func hello(_ connection: SMTPConnection, allowHELO: Bool) async throws(SMTPError) -> [String: [String]] {
        let reply = try await connection.command("EHLO \(configuration.heloName)")
        if reply.code == 250 {
            var extensions: [String: [String]] = [:]
            for line in reply.lines.dropFirst() {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
                guard let keyword = words.first?.uppercased() else { continue }
                extensions[keyword, default: []] += words.dropFirst().map { $0.uppercased() }
            }
            return extensions
        }
        guard allowHELO, (500..<600).contains(reply.code) else { throw Self.rejection(reply) }
        try Self.expect(await connection.command("HELO \(configuration.heloName)"), 250)
        return [:]
    }

    /// AUTH PLAIN, or AUTH LOGIN when the server does not offer PLAIN (RFC 4954).
    private func authenticate(
        _ connection: SMTPConnection,
        extensions: [String: [String]],
        username: String,
        password: String
    ) async throws(SMTPError) {
        let mechanisms = Set(extensions["AUTH", default: []])
        var reply: SMTPReply
        if mechanisms.contains("PLAIN") {
            let token = MIME.base64(Array("\0\(username)\0\(password)".utf8))
            reply = try await connection.command("AUTH PLAIN \(token)")
            if reply.code == 334 { reply = try await connection.command(token) }
        } else if mechanisms.contains("LOGIN") {
            reply = try await connection.command("AUTH LOGIN")
            if reply.code == 334 { reply = try await connection.command(MIME.base64(Array(username.utf8))) }
            if reply.code == 334 { reply = try await connection.command(MIME.base64(Array(password.utf8))) }
        } else {
            let offered = mechanisms.isEmpty ? "no AUTH" : "AUTH " + mechanisms.sorted().joined(separator: " ")
            throw .authenticationFailed(code: 0, reply: "the server offers neither PLAIN nor LOGIN (\(offered))")
        }
        guard reply.code == 235 else {
            if reply.code == 334 { await connection.quit() }
            throw .authenticationFailed(code: reply.code, reply: reply.text)
        }
    }

    private func makeTLSContext() throws(SMTPError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch configuration.trustRoots {
        case .system:
            break
        case .certificateFile(let path):
            tls.trustRoots = .file(path)
        case .verifyNoneForLoopback:
            // validate() already refused this for any host that is not loopback.
            guard configuration.hostIsLoopback else {
                throw .invalidConfiguration("certificate verification can only be turned off for a loopback host")
            }
            tls.certificateVerification = .none
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .tlsFailed("cannot set up TLS: \(error)")
        }
    }

    private static func expect(_ reply: SMTPReply, _ codes: Int...) throws(SMTPError) {
        guard codes.contains(reply.code) else { throw rejection(reply) }
    }

    private static func rejection(_ reply: SMTPReply) -> SMTPError {
        .rejected(code: reply.code, reply: reply.text, permanent: !(400..<500).contains(reply.code))
    }
}
