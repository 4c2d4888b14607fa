import Foundation

/// What members receive by mail, and the one-time links in it: verifying the address given at sign-up, resetting a
/// forgotten password, and the daily digest of unread notifications and messages. Mail is queued in storage (so it
/// survives restarts and an unreachable server) and delivered by whichever instance claims it; with outgoing mail off
/// (no SMTP server configured, the default) nothing is queued, new addresses count as verified, and the pages say that
/// password reset needs the operator.
public struct MailService: Sendable {
    public typealias Store = MailStore & Storage

    /// How the site signs its mail and where its links lead.
    public struct Settings: Sendable {
        /// Whether outgoing mail is configured.
        public var enabled: Bool
        /// The site's address as members reach it, without a trailing slash: `https://tsunagari.example.jp`.
        public var publicURL: String
        public var siteName: String

        public init(enabled: Bool, publicURL: String, siteName: String = "Tsunagari") {
            self.enabled = enabled
            self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
            self.siteName = siteName
        }

        public static let off = Settings(enabled: false, publicURL: "http://localhost:8080")
    }

    let storage: any Store
    let tokens: any TokenIssuer
    let hasher: any PasswordHasher
    let clock: any Clock
    public let settings: Settings
    /// Told when an address is verified, so the member appears in search.
    let observer: (any ProfileChangeObserver)?
    /// Unread notifications (as the member may see them) and conversations with unread messages, for the digest.
    let unread: @Sendable (MemberID) async throws -> (notifications: Int, conversations: Int)
    private var limiter: AttemptLimiter { AttemptLimiter(store: storage, clock: clock) }

    /// A reset link works for an hour; a verification link for a week.
    public static let resetLifetime: TimeInterval = 60 * 60
    public static let verificationLifetime: TimeInterval = 7 * 24 * 60 * 60
    /// Requests for reset links per client address and per account, and verification mails per member, per hour.
    static let resetsPerAddress = Throttle(limit: 10, window: 60 * 60)
    static let resetsPerAccount = Throttle(limit: 3, window: 60 * 60)
    static let verificationsPerMember = Throttle(limit: 5, window: 60 * 60)

    public init(
        storage: any Store, tokens: any TokenIssuer, hasher: any PasswordHasher, clock: any Clock, settings: Settings,
        observer: (any ProfileChangeObserver)? = nil,
        unread: @escaping @Sendable (MemberID) async throws -> (notifications: Int, conversations: Int) = { _ in (0, 0) }
    ) {
        self.unread = unread
        self.storage = storage
        self.tokens = tokens
        self.hasher = hasher
        self.clock = clock
        self.settings = settings
        self.observer = observer
    }

    static let mailOff = DomainError(
        .conflict, code: "mail_off",
        message: "This site sends no mail: its operator has not configured an SMTP server. The operator can give you a password reset link.")

    // MARK: Verification

    /// Mails a link that proves the member's address (at sign-up, and again when asked). 409 `already_verified`.
    public func sendVerification(to member: MemberID) async throws {
        guard settings.enabled else { throw Self.mailOff }
        guard let account = try await storage.account(id: member), account.isActive else { throw DomainError.unauthenticated }
        guard !account.emailVerified else {
            throw DomainError(.conflict, code: "already_verified", message: "Your email address is verified already.")
        }
        try await limiter.reserve(
            [("mail:verify:\(member.rawValue)", Self.verificationsPerMember)],
            message: { "A verification mail was sent several times this hour. Try again in \($0) seconds." })
        let token = try await issue(.verifyEmail, for: account, lifetime: Self.verificationLifetime)
        let locale = try await storage.profile(id: member)?.settings.locale ?? .en
        let link = "\(settings.publicURL)/verify-email?token=\(token)"
        try await enqueue(MailTemplates.verification(link: link, site: settings.siteName, locale: locale), kind: .verifyEmail, to: account)
    }

    /// Uses a verification link: 404 `bad_token` when it is unknown, used, expired, or for an address the account no
    /// longer has.
    public func verifyEmail(token: String) async throws {
        guard let used = try await use(token, .verifyEmail),
            try await storage.setEmailVerified(used.member, email: used.email)
        else { throw Self.badToken }
        await observer?.profileChanged(used.member)
    }

    // MARK: Password reset

    /// Mails a reset link if an active account has the address; answers the same either way, so the form tells no one
    /// which addresses have accounts. 429 past the limits (per client address; per account, silently).
    public func requestPasswordReset(email rawEmail: String, address: String) async throws {
        guard settings.enabled else { throw Self.mailOff }
        let email = try EmailAddress.canonical(rawEmail)
        try await limiter.reserve([("mail:reset:addr:\(address)", Self.resetsPerAddress)])
        guard let account = try await storage.account(email: email), account.isActive else { return }
        do {
            try await limiter.reserve([("mail:reset:account:\(account.memberID.rawValue)", Self.resetsPerAccount)])
        } catch {
            return  // Said to no one: the answer must not tell this account from no account.
        }
        let token = try await issue(.passwordReset, for: account, lifetime: Self.resetLifetime)
        let locale = try await storage.profile(id: account.memberID)?.settings.locale ?? .en
        let link = "\(settings.publicURL)/reset-password?token=\(token)"
        try await enqueue(MailTemplates.passwordReset(link: link, site: settings.siteName, locale: locale), kind: .passwordReset, to: account)
    }

    /// A reset link made for the operator to hand over (`tsunagari admin reset-link`), mail or no mail: the same one
    /// use within the hour as a mailed one.
    public func resetLink(for member: MemberID) async throws -> String {
        guard let account = try await storage.account(id: member), account.isActive else { throw DomainError.notFound("Member") }
        let token = try await issue(.passwordReset, for: account, lifetime: Self.resetLifetime)
        return "\(settings.publicURL)/reset-password?token=\(token)"
    }

    /// Sets a new password with a reset link (once, within the hour) and ends every session and token of the member.
    public func resetPassword(token: String, newPassword: String) async throws {
        // The password is checked first, so a weak one does not use up the link.
        guard let hash = Self.digestIfWellFormed(token, tokens), let stored = try await storage.account(id: try await owner(of: hash)) else {
            throw Self.badToken
        }
        try PasswordRule.check(newPassword, email: stored.email)
        guard let used = try await storage.useEmailToken(hash: hash, purpose: .passwordReset, at: clock.now()), used.member == stored.memberID else {
            throw Self.badToken
        }
        try await storage.setPasswordHash(await hasher.hashOffPool(newPassword), for: used.member)
        try await storage.deleteSessions(of: used.member, except: nil)
        // Whoever reads the address's mail may reset the password: the address is theirs.
        _ = try await storage.setEmailVerified(used.member, email: used.email)
    }

    /// The member a well-formed token would belong to, without using it (nil member id when none).
    private func owner(of hash: String) async throws -> MemberID {
        try await storage.emailTokenOwner(hash: hash) ?? MemberID("")
    }

    /// 404: the link names nothing (any more); a well-formed request with a stale link is not malformed.
    static let badToken = DomainError(
        .notFound, code: "bad_token", message: "This link has been used, has expired, or is not one we sent. Ask for a new one.")

    static func digestIfWellFormed(_ token: String, _ tokens: any TokenIssuer) -> String? {
        guard (20...100).contains(token.utf8.count), token.utf8.allSatisfy({ $0.isBase64URL }) else { return nil }
        return tokens.digest(token)
    }

    private func use(_ token: String, _ purpose: EmailToken.Purpose) async throws -> EmailToken? {
        guard let hash = Self.digestIfWellFormed(token, tokens) else { return nil }
        return try await storage.useEmailToken(hash: hash, purpose: purpose, at: clock.now())
    }

    private func issue(_ purpose: EmailToken.Purpose, for account: Account, lifetime: TimeInterval) async throws -> String {
        let now = clock.now()
        let token = tokens.newToken()
        try await storage.createEmailToken(
            EmailToken(
                tokenHash: tokens.digest(token), member: account.memberID, purpose: purpose, email: account.email, createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime)))
        return token
    }

    private func enqueue(_ message: MailTemplates.Message, kind: MailKind, to account: Account) async throws {
        let now = clock.now()
        try await storage.enqueueMail(
            QueuedMail(
                id: OpaqueID.make(at: now), kind: kind, member: account.memberID, recipient: account.email, subject: message.subject,
                textBody: message.text, htmlBody: message.html, createdAt: now))
    }

    // MARK: Daily digest

    public func setDailyDigest(_ on: Bool, for member: MemberID) async throws {
        try await storage.setDailyDigest(member, on)
    }

    public func dailyDigest(of member: MemberID) async throws -> Bool {
        try await storage.dailyDigest(of: member)
    }

    /// Queues the digest for every member who asked for it and has had none for a day, when they have unread
    /// notifications or messages (a member with nothing unread gets no mail, and is looked at again tomorrow).
    /// Returns how many were queued.
    @discardableResult
    public func queueDigests(limit: Int = 500) async throws -> Int {
        guard settings.enabled else { return 0 }
        let now = clock.now()
        var queued = 0
        for member in try await storage.digestDue(before: now.addingTimeInterval(-24 * 60 * 60), limit: limit) {
            try await storage.markDigestSent(member, at: now)
            guard let account = try await storage.account(id: member), account.isActive, account.emailVerified,
                let profile = try await storage.profile(id: member)
            else { continue }
            let (notifications, conversations) = try await unread(member)
            guard notifications + conversations > 0 else { continue }
            let message = MailTemplates.digest(
                name: profile.name, notifications: notifications, conversations: conversations, link: settings.publicURL + "/notifications",
                settingsLink: settings.publicURL + "/settings", site: settings.siteName, locale: profile.settings.locale ?? .en)
            try await enqueue(message, kind: .dailyDigest, to: account)
            queued += 1
        }
        return queued
    }

    // MARK: Delivery

    /// After a temporary failure the message is tried again after 1, 5, 30 minutes, 2, 6 and 12 hours, then given up.
    public static let retryDelays: [TimeInterval] = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600]

    /// When to try again after the `attempts`-th failure (nil: give up). Permanent failures (a refused recipient, a
    /// refused message) are not retried.
    public static func retryAt(after attempts: Int, temporary: Bool, now: Date) -> Date? {
        guard temporary, attempts >= 1, attempts <= retryDelays.count else { return nil }
        return now.addingTimeInterval(retryDelays[attempts - 1])
    }
}

extension UInt8 {
    var isBase64URL: Bool {
        (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self) || self == 45 || self == 95
    }
}
