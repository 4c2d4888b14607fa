import Foundation

/// How long work tells how far it has come: which phase (`"members"`, `"search index"`, …), how much of it is done,
/// and the total when it is known. Reports come often (every batch); whoever shows them decides how often to print.
public struct ProgressReport: Sendable {
    let report: @Sendable (_ phase: String, _ done: Int, _ total: Int?) -> Void

    public init(_ report: @escaping @Sendable (_ phase: String, _ done: Int, _ total: Int?) -> Void) {
        self.report = report
    }

    /// Reports nothing.
    public static let none = ProgressReport { _, _, _ in }

    public func callAsFunction(_ phase: String, _ done: Int, of total: Int? = nil) {
        report(phase, done, total)
    }
}

/// Turns reports into lines a person can read — `members: 12,000 of 50,000 (24%), 3,100/s, about 12 s left` — no more
/// often than `interval` per phase, and always the last one of a phase (`done == total`), with the time it took.
public final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let interval: TimeInterval
    private let now: @Sendable () -> Date
    private var phases: [String: (started: Date, lastShown: Date?, finished: Bool)] = [:]

    public init(interval: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.interval = interval
        self.now = now
    }

    /// The line to show for this report now (and whether it ends its phase), or nil when the last one was shown less
    /// than `interval` ago.
    public func line(_ phase: String, done: Int, total: Int?) -> (text: String, finished: Bool)? {
        let time = now()
        return lock.withLock { () -> (text: String, finished: Bool)? in
            var state = phases[phase] ?? (started: time, lastShown: nil, finished: false)
            defer { phases[phase] = state }
            let finished = total.map { done >= $0 } ?? false
            if state.finished { return nil }
            if !finished, let last = state.lastShown, time.timeIntervalSince(last) < interval { return nil }
            if !finished, state.lastShown == nil, time.timeIntervalSince(state.started) < interval { return nil }
            state.lastShown = time
            state.finished = finished
            return (Self.describe(phase, done: done, total: total, elapsed: time.timeIntervalSince(state.started), finished: finished), finished)
        }
    }

    static func describe(_ phase: String, done: Int, total: Int?, elapsed: TimeInterval, finished: Bool) -> String {
        let seconds = max(elapsed, 0.001)
        if finished { return "\(phase): \(grouped(done)) in \(duration(elapsed)) (\(grouped(Int(Double(done) / seconds)))/s)" }
        var line = "\(phase): \(grouped(done))"
        if let total, total > 0 {
            line += " of \(grouped(total)) (\(done * 100 / total)%)"
        }
        let rate = Double(done) / seconds
        line += ", \(grouped(Int(rate)))/s"
        if let total, rate > 0, done < total {
            line += ", about \(duration(Double(total - done) / rate)) left"
        }
        return line
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        let minutes = Int(seconds / 60)
        return "\(minutes) min \(Int(seconds) - minutes * 60) s"
    }
}
