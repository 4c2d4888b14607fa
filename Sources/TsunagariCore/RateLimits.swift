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
