import Foundation
import Logging
import Metrics
import ServiceLifecycle
import TsunagariCore
import TsunagariMail

/// Sends one message; `SMTPClient` in production, a recorder in tests.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws(SMTPError)
}

extension SMTPClient: MailTransport {}

/// What a server without an SMTP server hands the delivery service (which then never runs a pass).
struct NoMailTransport: MailTransport {
    func send(_ message: MailMessage) async throws(SMTPError) { throw .connectionFailed("outgoing mail is off") }
}

extension AppConfiguration.MailSettings {
    /// The SMTP client's settings.
    var smtp: SMTPConfiguration {
        let security: SMTPConfiguration.Security =
            switch self.security {
            case .none: .none
            case .starttls: .startTLS
            case .tls: .tls
            }
        return SMTPConfiguration(
            host: host, port: port, security: security, username: username, password: password,
            heloName: from.split(separator: "@").last.map(String.init) ?? "localhost",
            trustRoots: caFile.map { .certificateFile($0) } ?? .system)
    }
}

/// Delivers the outgoing queue: every few seconds each instance claims what is due (storage hands a message to one
/// instance at a time), sends it over SMTP, and records the outcome; a temporary failure (server unreachable, 4xx) is
/// tried again later (`MailService.retryDelays`), a permanent one (5xx, a refused address) is kept as failed. Once a
/// quarter of an hour the daily digests that are due are queued.
struct MailDelivery: Service {
    let storage: any MailStore
    let mail: MailService
    let transport: any MailTransport
    let from: MailAddress
    let logger: Logger
    /// Off without an SMTP server: the service then only waits for shutdown.
    var enabled = true
    var interval: Duration = .seconds(2)

    static let sent = Counter(label: "tsunagari_mail_sent_total")
    static let temporaryFailures = Counter(label: "tsunagari_mail_failed_total", dimensions: [("kind", "temporary")])
    static let permanentFailures = Counter(label: "tsunagari_mail_failed_total", dimensions: [("kind", "permanent")])

    func run() async throws {
        guard enabled else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            var lastDigest = Date.distantPast
            while !Task.isCancelled {
                do {
                    if Date().timeIntervalSince(lastDigest) > 15 * 60 {
                        let queued = try await mail.queueDigests()
                        if queued > 0 { logger.info("daily digests queued", metadata: ["count": .stringConvertible(queued)]) }
                        lastDigest = Date()
                    }
                    _ = try await Self.deliverDue(storage: storage, transport: transport, from: from, now: Date(), logger: logger)
                } catch {
                    logger.warning("could not read the mail queue", metadata: ["error": .string("\(type(of: error))")])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: claims up to `limit` due messages for two minutes and sends them one by one. Returns (sent, failed).
    @discardableResult
    static func deliverDue(
        storage: any MailStore, transport: any MailTransport, from: MailAddress, now: Date, limit: Int = 20, logger: Logger
    ) async throws -> (sent: Int, failed: Int) {
        var outcome = (sent: 0, failed: 0)
        for queued in try await storage.claimDueMail(now: now, until: now.addingTimeInterval(120), limit: limit) {
            let message = MailMessage(
                from: from, to: [MailAddress(queued.recipient)], subject: queued.subject, textBody: queued.textBody, htmlBody: queued.htmlBody,
                date: now, messageID: "\(queued.id)@\(from.address.split(separator: "@").last ?? "localhost")")
            let failure: SMTPError?
            do throws(SMTPError) {
                try await transport.send(message)
                failure = nil
            } catch {
                failure = error
            }
            if let error = failure {
                let retry = MailService.retryAt(after: queued.attempts + 1, temporary: error.isTemporary, now: Date())
                try await storage.markMailFailed(id: queued.id, error: error.description, retryAt: retry)
                (retry == nil ? permanentFailures : temporaryFailures).increment()
                outcome.failed += 1
                logger.warning(
                    "mail not delivered", metadata: ["mail": .string(queued.id), "error": .string(error.description), "retry": .string(retry == nil ? "no" : "yes")])
            } else {
                try await storage.markMailSent(id: queued.id, at: Date())
                sent.increment()
                outcome.sent += 1
            }
        }
        return outcome
    }
}
