import Foundation

/// Signing up, logging in and out, passwords, account deletion and export.
public struct AccountService: Sendable {
    public struct Authenticated: Sendable {
        public var token: String
        public var profile: Profile
    }

    let storage: any Storage
    let hasher: any PasswordHasher
    let tokens: any TokenIssuer
    let clock: any Clock
    let limits: RateLimits
    /// The graph index, told when a member leaves.
    let graph: (any ConnectionGraph)?
    /// Told of every new member (the search index listens here).
    let observer: (any ProfileChangeObserver)?
    /// A hash of a random string nobody knows, verified against when an email has no account so that
    /// timing does not reveal which emails exist.
    private let absentAccountHash: String
    private var limiter: AttemptLimiter { AttemptLimiter(store: storage, clock: clock) }

    /// How long a session or token lasts without being renewed.
    public static let sessionLifetime: TimeInterval = 60 * 60 * 24 * 30
    public static let tokenLifetime: TimeInterval = 60 * 60 * 24 * 365

    /// Whether new members must verify their email address (outgoing mail is configured); otherwise it counts as
    /// verified at sign-up, since nothing could verify it.
    let verifiesEmail: Bool

    public init(
        storage: any Storage, hasher: any PasswordHasher, tokens: any TokenIssuer, clock: any Clock, limits: RateLimits,
        graph: (any ConnectionGraph)? = nil, observer: (any ProfileChangeObserver)? = nil, verifiesEmail: Bool = false
    ) {
        self.verifiesEmail = verifiesEmail
        self.graph = graph
        self.observer = observer
        self.storage = storage
        self.hasher = hasher
        self.tokens = tokens
        self.clock = clock
        self.limits = limits
        self.absentAccountHash = hasher.hash(tokens.newToken())
    }

    public func signUp(
        email rawEmail: String, password: String, name rawName: String, locale: Locale?, address: String, kind: SessionKind
    ) async throws -> Authenticated {
        let email = try EmailAddress.canonical(rawEmail)
        try PasswordRule.check(password, email: email)
        let name = try TextRule.required(rawName, field: "Name", limit: TextLimit.name)
        // Every attempt counts, reserved before the email is looked up: otherwise `email_taken` would answer for
        // as many addresses as one cared to ask about.
        try await limiter.reserve([("signup:addr:\(address)", limits.signupsPerAddress)])

        if try await storage.account(email: email) != nil {
            throw DomainError(.conflict, code: "email_taken", message: "An account with this email already exists.")
        }
        let now = clock.now()
        let id = MemberID(OpaqueID.make(at: now))
        let passwordHash = await hasher.hashOffPool(password)
        var lastError: (any Error)?
        // A generated handle can collide with one taken a moment ago by someone else; try a few.
        for attempt in 0..<8 {
            let handle = try await freeHandle(for: name, attempt: attempt)
            let profile = Profile(
                memberID: id, role: .member, fields: ProfileFields(name: name, handle: handle), positions: [],
                educations: [], skills: [], settings: ProfileSettings(locale: locale), createdAt: now, updatedAt: now)
            let account = Account(
                memberID: id, email: email, passwordHash: passwordHash, role: .member, createdAt: now, emailVerified: !verifiesEmail)
            do {
                try await storage.createMember(NewMember(account: account, profile: profile))
                await observer?.profileChanged(id)
                let token = try await openSession(for: id, kind: kind)
                return Authenticated(token: token, profile: profile)
            } catch let error as DomainError where error.code == "handle_taken" {
                lastError = error
            }
        }
        throw lastError ?? DomainError(.conflict, code: "handle_taken", message: "Could not choose a handle.")
    }

    /// The failed-log-in key of an account; keys per address start with it and a `|`.
    static func loginKey(_ email: String) -> String { "login:account:\(email)" }

    private func freeHandle(for name: String, attempt: Int) async throws -> String {
        let base = Handle.base(fromName: name)
        if attempt == 0, !Handle.reserved.contains(base), try await storage.memberID(handle: base) == nil {
            return base
        }
        var generator = SystemRandomNumberGenerator()
        let suffix = String(Int.random(in: 1000...99_999, using: &generator))
        return "\(base)-\(suffix)"
    }

    public func logIn(email rawEmail: String, password: String, address: String, kind: SessionKind) async throws -> Authenticated {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        // No account has such an email, and U+0000 cannot reach every database. Looked for among the scalars: followed
        // by a combining mark it is part of one character that is not "\u{0}".
        guard email.count <= TextLimit.email, password.count <= TextLimit.passwordMaximum, !email.unicodeScalars.contains("\u{0}") else {
            throw DomainError(.unauthenticated, code: "invalid_credentials", message: "The email or password is wrong.")
        }
        let accountKey = Self.loginKey(email)
        let pairKey = "\(accountKey)|\(address)"
        let addressKey = "login:addr:\(address)"
        // Reserved as a failure before the password is checked, so parallel guesses cannot all pass; taken back
        // when it succeeds.
        let reserved = try await limiter.reserve([
            (pairKey, limits.failedLoginsPerAccount), (addressKey, limits.failedLoginsPerAddress),
            (accountKey, limits.failedLoginsPerAccountEverywhere),
        ])

        let account = try await storage.account(email: email)
        let valid = await hasher.verifyOffPool(password, hash: account?.passwordHash ?? absentAccountHash) && account != nil
        guard valid, let account else {
            throw DomainError(.unauthenticated, code: "invalid_credentials", message: "The email or password is wrong.")
        }
        // Said only to whoever knows the password.
        guard account.isActive else {
            throw DomainError(
                .forbidden, code: "account_suspended",
                message: "This account is suspended. Write to the operator of this site if you think this is a mistake.")
        }
        guard let profile = try await storage.profile(id: account.memberID) else {
            throw DomainError(.unauthenticated, code: "invalid_credentials", message: "The email or password is wrong.")
        }
        // The owner proved themselves from this address: their earlier slips from here are forgotten; failures from
        // elsewhere still count.
        try await storage.clearAttempts(key: pairKey)
        try await limiter.release(addressKey, at: reserved)
        try await limiter.release(accountKey, at: reserved)
        let token = try await openSession(for: account.memberID, kind: kind)
        return Authenticated(token: token, profile: profile)
    }

    private func openSession(for member: MemberID, kind: SessionKind) async throws -> String {
        let now = clock.now()
        let token = tokens.newToken()
        let lifetime = kind == .web ? Self.sessionLifetime : Self.tokenLifetime
        try await storage.createSession(
            Session(
                tokenHash: tokens.digest(token), memberID: member, kind: kind, createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime)))
        return token
    }

    /// The session a token stands for, if it is live.
    public func session(token: String) async throws -> Session? {
        guard !token.isEmpty, token.utf8.count <= 200 else { return nil }
        guard let session = try await storage.session(tokenHash: tokens.digest(token)) else { return nil }
        guard session.expiresAt > clock.now() else {
            try await storage.deleteSession(tokenHash: session.tokenHash)
            return nil
        }
        return session
    }

    public func role(of member: MemberID) async throws -> MemberRole {
        guard let account = try await storage.account(id: member) else { throw DomainError.unauthenticated }
        return account.role
    }

    public func logOut(token: String) async throws {
        try await storage.deleteSession(tokenHash: tokens.digest(token))
    }

    /// Changes the password and ends every other session and token of the member.
    public func changePassword(member: MemberID, current: String, new: String, keepingToken token: String?) async throws {
        guard let account = try await storage.account(id: member) else { throw DomainError.unauthenticated }
        guard await hasher.verifyOffPool(current, hash: account.passwordHash) else {
            throw DomainError(.forbidden, code: "wrong_password", message: "The current password is wrong.")
        }
        try PasswordRule.check(new, email: account.email)
        try await storage.setPasswordHash(await hasher.hashOffPool(new), for: member)
        try await storage.deleteSessions(of: member, except: token.map(tokens.digest))
    }

    /// Erases the account and all of the member's personal data.
    public func deleteAccount(member: MemberID, password: String) async throws {
        guard let account = try await storage.account(id: member) else { throw DomainError.unauthenticated }
        guard await hasher.verifyOffPool(password, hash: account.passwordHash) else {
            throw DomainError(.forbidden, code: "wrong_password", message: "The password is wrong.")
        }
        try await storage.deleteMember(member)
        graph?.apply(GraphChange(sequence: 0, kind: .memberRemoved, a: member, b: nil))
        await observer?.profileChanged(member)
        // The throttle keys hold the email: erase them with the rest.
        try await storage.clearAttempts(key: Self.loginKey(account.email))
    }

    public struct Export: Sendable {
        public var account: Account
        public var profile: Profile
        public var sessions: [Session]
    }

    /// Everything the member owns.
    /// The member's own account and profile, as `GET /me` shows them (no sessions).
    public func own(member: MemberID) async throws -> (account: Account, profile: Profile) {
        guard let account = try await storage.account(id: member), let profile = try await storage.profile(id: member)
        else { throw DomainError.unauthenticated }
        return (account, profile)
    }

    public func export(member: MemberID) async throws -> Export {
        guard let account = try await storage.account(id: member), let profile = try await storage.profile(id: member)
        else { throw DomainError.unauthenticated }
        return Export(account: account, profile: profile, sessions: try await storage.sessions(of: member))
    }
}
