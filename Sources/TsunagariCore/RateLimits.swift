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

public struct RateLimits: Hashable, Sendable {
    /// Failed log-ins per account (by email).
    public var failedLoginsPerAccount: Throttle
    /// Failed log-ins per client address.
    public var failedLoginsPerAddress: Throttle
    /// Sign-ups per client address.
    public var signupsPerAddress: Throttle

    public init(failedLoginsPerAccount: Throttle, failedLoginsPerAddress: Throttle, signupsPerAddress: Throttle) {
        self.failedLoginsPerAccount = failedLoginsPerAccount
        self.failedLoginsPerAddress = failedLoginsPerAddress
        self.signupsPerAddress = signupsPerAddress
    }

    /// What a public site needs: enough for a person who mistypes, too little for guessing.
    public static let standard = RateLimits(
        failedLoginsPerAccount: Throttle(limit: 5, window: 15 * 60),
        failedLoginsPerAddress: Throttle(limit: 30, window: 15 * 60),
        signupsPerAddress: Throttle(limit: 20, window: 60 * 60)
    )

    /// Every limit raised so load tests and test suites can run from one address.
    public static let relaxed = RateLimits(
        failedLoginsPerAccount: Throttle(limit: 5_000, window: 15 * 60),
        failedLoginsPerAddress: Throttle(limit: 1_000_000, window: 15 * 60),
        signupsPerAddress: Throttle(limit: 1_000_000, window: 60 * 60)
    )
}

/// Applies a `Throttle` to attempts recorded in a `ThrottleStore`.
struct AttemptLimiter: Sendable {
    let store: any ThrottleStore
    let clock: any Clock

    /// Throws 429 with the seconds until the oldest counted attempt leaves the window.
    func check(_ key: String, _ throttle: Throttle) async throws {
        let now = clock.now()
        guard try await store.attemptCount(key: key, since: now.addingTimeInterval(-throttle.window)) >= throttle.limit else { return }
        let recent = try await store.attempts(key: key, since: now.addingTimeInterval(-throttle.window))
        guard recent.count >= throttle.limit else { return }
        let oldestCounted = recent[recent.count - throttle.limit]
        let retry = max(1, Int((oldestCounted.addingTimeInterval(throttle.window).timeIntervalSince(now)).rounded(.up)))
        throw DomainError(
            .rateLimited(retryAfterSeconds: retry), code: "rate_limited",
            message: "Too many attempts. Try again in \(retry) seconds.")
    }

    func record(_ key: String) async throws {
        try await store.recordAttempt(key: key, at: clock.now())
    }
}
