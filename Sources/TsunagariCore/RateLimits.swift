import Foundation

/// At most `limit` attempts in any `window` seconds.
public struct Throttle: Hashable, Sendable {
    public var limit: Int
    public var window: TimeInterval

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }
}

/// Log-in and sign-up limits. Failed log-ins are throttled per account *and address*, per address, and per account
/// from everywhere with a much larger allowance: someone guessing from one address is stopped after a few tries,
/// while the account's owner, from their own address, is not locked out by them; only a guesser spread over
/// dozens of addresses meets the account-wide limit, and then only for its window (no lock that needs an operator).
public struct RateLimits: Hashable, Sendable {
    /// Failed log-ins to one account from one client address.
    public var failedLoginsPerAccount: Throttle
    /// Failed log-ins per client address, whatever the account.
    public var failedLoginsPerAddress: Throttle
    /// Failed log-ins to one account from every address together.
    public var failedLoginsPerAccountEverywhere: Throttle
    /// Sign-up attempts per client address, whether or not they succeed (so `email_taken` cannot be asked of
    /// unlimited addresses).
    public var signupsPerAddress: Throttle
    /// Imports a member may start (LinkedIn exports and card files together): reading a file takes real work, and no
    /// one imports their history more than a few times.
    public var importsPerMember: Throttle
    /// Photo and banner uploads a member may make: each is decoded, which takes tens of milliseconds and megabytes.
    public var photoUploadsPerMember: Throttle

    public init(
        failedLoginsPerAccount: Throttle, failedLoginsPerAddress: Throttle, failedLoginsPerAccountEverywhere: Throttle? = nil,
        signupsPerAddress: Throttle, importsPerMember: Throttle = Throttle(limit: 20, window: 60 * 60),
        photoUploadsPerMember: Throttle = Throttle(limit: 30, window: 60 * 60)
    ) {
        self.photoUploadsPerMember = photoUploadsPerMember
        self.importsPerMember = importsPerMember
        self.failedLoginsPerAccount = failedLoginsPerAccount
        self.failedLoginsPerAddress = failedLoginsPerAddress
        self.failedLoginsPerAccountEverywhere =
            failedLoginsPerAccountEverywhere ?? Throttle(limit: failedLoginsPerAccount.limit * 20, window: failedLoginsPerAccount.window)
        self.signupsPerAddress = signupsPerAddress
    }

    /// What a public site needs: enough for a person who mistypes, too little for guessing.
    public static let standard = RateLimits(
        failedLoginsPerAccount: Throttle(limit: 5, window: 15 * 60),
        failedLoginsPerAddress: Throttle(limit: 30, window: 15 * 60),
        failedLoginsPerAccountEverywhere: Throttle(limit: 100, window: 15 * 60),
        signupsPerAddress: Throttle(limit: 20, window: 60 * 60)
    )

    /// Every limit raised so load tests and test suites can run from one address.
    public static let relaxed = RateLimits(
        failedLoginsPerAccount: Throttle(limit: 5_000, window: 15 * 60),
        failedLoginsPerAddress: Throttle(limit: 1_000_000, window: 15 * 60),
        failedLoginsPerAccountEverywhere: Throttle(limit: 1_000_000, window: 15 * 60),
        signupsPerAddress: Throttle(limit: 1_000_000, window: 60 * 60),
        importsPerMember: Throttle(limit: 1_000_000, window: 60 * 60),
        photoUploadsPerMember: Throttle(limit: 1_000_000, window: 60 * 60)
    )

    /// The longest window of any limit counted in the throttle store (the monthly search cap): attempts older than
    /// this may be pruned.
    public static let longestWindow: TimeInterval = 31 * 24 * 60 * 60
}

/// Applies `Throttle`s to attempts recorded in a `ThrottleStore`. An attempt is reserved before the work it
/// limits (never counted after it), so parallel requests cannot all pass: the store counts and records in one
/// transaction.
struct AttemptLimiter: Sendable {
    let store: any ThrottleStore
    let clock: any Clock

    /// Reserves one attempt under every key, or throws 429 `code` with the seconds until the full key frees a
    /// place. Returns the time recorded, which `release` takes.
    @discardableResult
    func reserve(
        _ checks: [(key: String, throttle: Throttle)], code: String = "rate_limited",
        message: @Sendable (Int) -> String = { "Too many attempts. Try again in \($0) seconds." }
    ) async throws -> Date {
        let now = clock.now()
        let reservations = checks.map {
            AttemptReservation(key: $0.key, limit: $0.throttle.limit, since: now.addingTimeInterval(-$0.throttle.window))
        }
        guard let refused = try await store.reserveAttempt(reservations, at: now) else { return now }
        let window = checks[refused.index].throttle.window
        let retry = max(1, Int(refused.freedBy.addingTimeInterval(window).timeIntervalSince(now).rounded(.up)))
        throw DomainError(.rateLimited(retryAfterSeconds: retry), code: code, message: message(retry))
    }

    /// Takes back an attempt reserved at `at` under `key` that turned out not to count (a log-in that succeeded).
    func release(_ key: String, at: Date) async throws {
        try await store.releaseAttempt(key: key, at: at)
    }
}

/// Counts attempts per key in fixed windows, in this process's memory: for a cap on a cheap read asked on every
/// keystroke (typeahead), where a database write per request would cost more than the read itself. With several
/// instances each counts its own requests, so the cap a member meets is at most the instances times the limit;
/// caps that must hold across instances (searches, log-ins, invitations) are counted in the database.
public final class WindowCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var windows: [String: (start: Date, count: Int)] = [:]

    public init() {}

    /// Counts one attempt under `key`; when `limit` were already counted in the current window, counts nothing
    /// and returns the seconds until the window ends.
    public func count(_ key: String, window: TimeInterval, limit: Int, now: Date) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        if windows.count > 100_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
        var entry = windows[key] ?? (now, 0)
        if now.timeIntervalSince(entry.start) >= window || now < entry.start { entry = (now, 0) }
        guard entry.count < limit else {
            return max(1, Int(entry.start.addingTimeInterval(window).timeIntervalSince(now).rounded(.up)))
        }
        entry.count += 1
        windows[key] = entry
        return nil
    }
}
