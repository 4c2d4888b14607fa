import Foundation

/// What the site mails members.
public enum MailKind: String, Sendable, CaseIterable {
    case verifyEmail
    case passwordReset
    case dailyDigest
}

/// One message waiting in the outgoing queue (or sent, or given up on). The queue is a table, so a message survives a
/// restart and every instance sharing the database delivers from it; each message is claimed by one instance at a time.
public struct QueuedMail: Hashable, Sendable {
    public enum Status: String, Sendable {
        case queued
        case sent
        case failed
    }

    public var id: String
    public var kind: MailKind
    public var member: MemberID?
    public var recipient: String
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var attempts: Int
    public var status: Status
    public var lastError: String

    public init(
        id: String, kind: MailKind, member: MemberID?, recipient: String, subject: String, textBody: String, htmlBody: String?, createdAt: Date,
        nextAttemptAt: Date? = nil, attempts: Int = 0, status: Status = .queued, lastError: String = ""
    ) {
        self.id = id
        self.kind = kind
        self.member = member
        self.recipient = recipient
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.attempts = attempts
        self.status = status
        self.lastError = lastError
    }
}

/// A one-time link's secret, stored as its digest: for verifying an address or resetting a password.
public struct EmailToken: Hashable, Sendable {
    public enum Purpose: String, Sendable {
        case verifyEmail
        case passwordReset
    }

    public var tokenHash: String
    public var member: MemberID
    public var purpose: Purpose
    /// The address the link was sent to: verifying proves this address, not whatever the account holds later.
    public var email: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(tokenHash: String, member: MemberID, purpose: Purpose, email: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.member = member
        self.purpose = purpose
        self.email = email
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// How many messages are in each state, for the operator's metrics.
public struct MailQueueCounts: Hashable, Sendable {
    public var queued: Int
    public var sent: Int
    public var failed: Int

    public init(queued: Int, sent: Int, failed: Int) {
        self.queued = queued
        self.sent = sent
        self.failed = failed
    }
}

public protocol MailStore: Sendable {
    func enqueueMail(_ mail: QueuedMail) async throws
    /// Up to `limit` queued messages due by `now` that no instance holds, each now held by the caller until `until`
    /// (one transaction: two instances never claim the same message).
    func claimDueMail(now: Date, until: Date, limit: Int) async throws -> [QueuedMail]
    func markMailSent(id: String, at: Date) async throws
    /// Records a failed attempt: queued again at `retryAt`, or failed for good when it is nil.
    func markMailFailed(id: String, error: String, retryAt: Date?) async throws
    func mail(id: String) async throws -> QueuedMail?
    /// Newest first: the operator's view and the tests'.
    func recentMail(limit: Int) async throws -> [QueuedMail]
    func mailQueueCounts() async throws -> MailQueueCounts

    func createEmailToken(_ token: EmailToken) async throws
    /// The member a token was issued to, used or not.
    func emailTokenOwner(hash: String) async throws -> MemberID?
    /// Uses the token once, in one transaction: nil when it is unknown, of another purpose, used or expired. Every other
    /// unused token of the member for the same purpose ends with it.
    func useEmailToken(hash: String, purpose: EmailToken.Purpose, at: Date) async throws -> EmailToken?
    /// Marks the address verified if the account still has it; false otherwise.
    func setEmailVerified(_ member: MemberID, email: String) async throws -> Bool

    func setDailyDigest(_ member: MemberID, _ on: Bool) async throws
    func dailyDigest(of member: MemberID) async throws -> Bool
    /// Members who asked for the daily digest and have had none since `before`, oldest first.
    func digestDue(before: Date, limit: Int) async throws -> [MemberID]
    func markDigestSent(_ member: MemberID, at: Date) async throws
}
