import Foundation

/// How far an instance has replayed a change log (the graph's or the search index's), and which sequence numbers it
/// passed over without seeing.
///
/// Sequence numbers are taken when a transaction writes its change, not when it commits, so a reader can see change
/// n+1 before change n. A missing number is waited for (`gapWait`): most are transactions about to commit. Past that
/// wait the number is taken as rolled back and passed, but it is kept as *late* for `lateWindow`: a transaction that
/// commits after all (a slow disk, a long lock wait) is still found by asking for the late numbers again, and
/// applied then. Without this, an instance that passed a gap never learned of the change (a removed connection
/// stayed alive there).
public struct ChangeLogCursor: Sendable {
    /// The last sequence number applied in order.
    public private(set) var applied: Int64
    /// Whether `applied` names a change seen; an empty log at start names none, and the first change read may then
    /// have any number.
    public private(set) var anchored: Bool
    private var gapSince: Date?
    private var late: [Int64: Date] = [:]

    /// How long a gap is waited for before the reader moves past it.
    public static let gapWait: TimeInterval = 2
    /// How long a passed-over number is asked for again; longer than any transaction runs.
    public static let lateWindow: TimeInterval = 10 * 60
    /// At most this many late numbers are kept (a burst of rollbacks must not grow it without bound).
    public static let lateLimit = 10_000

    public init(applied: Int64 = 0, anchored: Bool = false) {
        self.applied = applied
        self.anchored = anchored
    }

    /// Whether the change numbered `sequence` (the next one read, in order) may be applied now. False means stop
    /// reading and try again later: a gap before it is still being waited for.
    public mutating func admit(_ sequence: Int64, now: Date) -> Bool {
        guard sequence > applied else { return false }
        if !late.isEmpty { late = late.filter { now.timeIntervalSince($0.value) < Self.lateWindow } }
        if sequence != applied + 1 && anchored {
            let since = gapSince ?? now
            gapSince = since
            guard now.timeIntervalSince(since) >= Self.gapWait else { return false }
            // Nearest first: a long run of missing numbers is mostly rolled back long ago; those just before the
            // change read are the likeliest still to commit.
            var missing = sequence - 1
            while missing > applied && late.count < Self.lateLimit {
                late[missing] = now
                missing -= 1
            }
        }
        gapSince = nil
        applied = sequence
        anchored = true
        return true
    }

    /// Moves the cursor to `sequence` without applying anything (a load that read everything up to there).
    public mutating func advance(to sequence: Int64) {
        applied = max(applied, sequence)
        anchored = anchored || sequence > 0
        gapSince = nil
    }

    /// The passed-over numbers still worth asking for (those passed less than `lateWindow` ago).
    public func lateSequences(now: Date) -> [Int64] {
        late.filter { now.timeIntervalSince($0.value) < Self.lateWindow }.keys.sorted()
    }

    /// Where a snapshot of what this cursor has replayed stands: before the first number passed over at a gap that may
    /// still commit, so that an instance restarted from the snapshot asks for it again.
    public func snapshotSequence(now: Date) -> Int64 {
        lateSequences(now: now).first.map { min(applied, $0 - 1) } ?? applied
    }

    /// Replays a log to its end at start, after loading a snapshot: `pass` applies the changes after the cursor at the
    /// time it is given and returns how many it applied. A gap is passed as the running replay passes it after
    /// `gapWait` (the time handed to `pass` moves on by that much, and the numbers are asked for again later), so a
    /// number rolled back long ago does not hold up the start. Returns how many changes were applied.
    public static func replayToEnd(from start: Date = Date(), _ pass: (Date) async throws -> Int) async throws -> Int {
        var clock = start
        var total = 0
        var idle = 0
        while idle < 2 {
            let applied = try await pass(clock)
            total += applied
            if applied == 0 {
                idle += 1
                clock = clock.addingTimeInterval(gapWait)
            } else {
                idle = 0
            }
        }
        return total
    }

    /// A late change was found and applied.
    public mutating func found(_ sequence: Int64) {
        late[sequence] = nil
    }
}
