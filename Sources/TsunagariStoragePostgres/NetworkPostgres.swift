import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// A school's name folded the way members' spellings of one school meet: NFKC (full-width letters and
/// spaces become plain ones), lowercased, trimmed.
enum SchoolKey {
    static func key(_ school: String) -> String {
        school.precomposedStringWithCompatibilityMapping.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The key that lets one open invitation exist per pair of members, whichever way it goes: both ids in
/// byte order, joined with ':'. Only open invitations (pending or ignored) carry it.
enum InvitationPair {
    static func key(_ a: MemberID, _ b: MemberID) -> String {
        let (low, high) = ordered(a, b)
        return low.rawValue + ":" + high.rawValue
    }

    /// The two ids in byte order.
    static func ordered(_ a: MemberID, _ b: MemberID) -> (MemberID, MemberID) {
        a.rawValue.utf8.lexicographicallyPrecedes(b.rawValue.utf8) ? (a, b) : (b, a)
    }
}

extension PostgresStorage: NetworkStore {
    /// An arbitrary constant naming the lock that orders writers of the graph change log.
    static let graphLogLockID: Int64 = 0x7473_756e_6772
    /// The first key of the two-key advisory locks that serialize changes to one pair of members.
    static let pairLockSpace: Int32 = 0x7473_7570

    /// Serializes, until the transaction ends, the transactions that change the relation between `a` and `b`
    /// (accept, remove, block), so that they never take the pair's rows in opposite orders.
    static func lockPair(_ a: MemberID, _ b: MemberID, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            "SELECT pg_advisory_xact_lock(\(pairLockSpace), hashtext(\(InvitationPair.key(a, b))))", logger: logger)
    }

    static func collect(_ query: PostgresQuery, _ c: PostgresConnection, _ logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var result: [PostgresRandomAccessRow] = []
        for try await row in try await c.query(query, logger: logger) { result.append(row.makeRandomAccess()) }
        return result
    }

    /// Appends to the change log. The transaction first takes a lock held until it commits, so that sequence
    /// numbers are handed out in commit order: a reader that sees change n has seen every change before it, and
    /// polling "after the last sequence seen" never skips one committed late. Call it last in a transaction: a
    /// transaction holding the lock must not wait for row locks, or two writers could wait for each other.
    static func logChange(
        _ kind: GraphChange.Kind, _ a: MemberID, _ b: MemberID?, at date: Date, _ c: PostgresConnection, _ logger: Logger
    ) async throws {
        try await lockGraphLog(c, logger)
        try await c.query(
            """
            INSERT INTO graph_changes (kind, a, b, at)
            VALUES (\(kind.rawValue), \(a.rawValue), \(b?.rawValue), \(StoredTime.millis(date)))
            """, logger: logger)
    }

    static func lockGraphLog(_ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query("SELECT pg_advisory_xact_lock(\(graphLogLockID))", logger: logger)
    }

    // New rows of a pair are always inserted in one order, the lower id's row first (imports too), so that two
    // transactions connecting one pair wait for each other rather than deadlock.

    /// Connects both ways and makes both follow each other; false (and nothing written) if already connected.
    static func connect(_ a: MemberID, _ b: MemberID, at date: Date, _ c: PostgresConnection, _ logger: Logger) async throws -> Bool {
        let (low, high) = InvitationPair.ordered(a, b)
        let millis = StoredTime.millis(date)
        let inserted = try await collect(
            """
            INSERT INTO connections (member_id, other_id, connected_at) VALUES (\(low.rawValue), \(high.rawValue), \(millis))
            ON CONFLICT DO NOTHING RETURNING member_id
            """, c, logger)
        guard !inserted.isEmpty else { return false }
        try await c.query(
            """
            INSERT INTO connections (member_id, other_id, connected_at) VALUES (\(high.rawValue), \(low.rawValue), \(millis))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await c.query(
            """
            INSERT INTO follows (follower_id, followee_id, created_at)
            VALUES (\(low.rawValue), \(high.rawValue), \(millis)), (\(high.rawValue), \(low.rawValue), \(millis))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        return true
    }

    /// Removes the connection both ways; false if they were not connected. One statement, so that both rows are
    /// judged on one snapshot: a connection committed meanwhile is removed whole or not at all.
    static func disconnect(_ a: MemberID, _ b: MemberID, _ c: PostgresConnection, _ logger: Logger) async throws -> Bool {
        let removed = try await collect(
            """
            DELETE FROM connections
            WHERE (member_id = \(a.rawValue) AND other_id = \(b.rawValue)) OR (member_id = \(b.rawValue) AND other_id = \(a.rawValue))
            RETURNING member_id
            """, c, logger)
        return !removed.isEmpty
    }

    static func unfollowBothWays(_ a: MemberID, _ b: MemberID, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            """
            DELETE FROM follows WHERE (follower_id = \(a.rawValue) AND followee_id = \(b.rawValue))
              OR (follower_id = \(b.rawValue) AND followee_id = \(a.rawValue))
            """, logger: logger)
    }

    static func memberIDs(_ query: PostgresQuery, _ c: PostgresConnection, _ logger: Logger) async throws -> [MemberID] {
        var ids: [MemberID] = []
        for try await id in try await c.query(query, logger: logger).decode(String.self) { ids.append(MemberID(id)) }
        return ids
    }

    func memberIDs(_ query: PostgresQuery) async throws -> [MemberID] {
        var ids: [MemberID] = []
        for try await id in try await client.query(query, logger: logger).decode(String.self) { ids.append(MemberID(id)) }
        return ids
    }

    // MARK: Graph snapshot and change log

    public func networkSnapshot() async throws -> NetworkSnapshot {
        try await transaction { c in
            // One snapshot for every statement, so the parts and the sequence agree.
            try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            let members = try await Self.memberIDs("SELECT id FROM members", c, self.logger)
            var connections: [(MemberID, MemberID)] = []
            for try await (a, b) in try await c.query(
                "SELECT member_id, other_id FROM connections WHERE member_id < other_id", logger: self.logger
            ).decode((String, String).self) { connections.append((MemberID(a), MemberID(b))) }
            let hidden = try await Self.memberIDs(
                "SELECT id FROM members WHERE connections_visibility = \(ConnectionsVisibility.onlyMe.rawValue)", c, self.logger)
            var sequence: Int64 = 0
            for try await value in try await c.query("SELECT COALESCE(MAX(seq), 0) FROM graph_changes", logger: self.logger)
                .decode(Int64.self) { sequence = value }
            func pairs(_ query: PostgresQuery) async throws -> [(MemberID, MemberID)] {
                var result: [(MemberID, MemberID)] = []
                for try await (a, b) in try await c.query(query, logger: self.logger).decode((String, String).self) {
                    result.append((MemberID(a), MemberID(b)))
                }
                return result
            }
            // Anti-joins with nested loops off, for this transaction only: right after a bulk import, before autovacuum has
            // analysed the tables, the planner took an anti-join of 200,000 rows for a few and ran it as a nested loop over
            // sequential scans for many minutes. EXCEPT avoided that but sorts both sides whole, spilling to disk: 9.5 s
            // against 1.4 s for a hash anti-join at 10,000 members with 980,000 connections (docs/BENCHMARKS.md).
            try await c.query("SET LOCAL enable_nestloop = off", logger: self.logger)
            try await c.query("SET LOCAL work_mem = '64MB'", logger: self.logger)
            let unfollowed = try await pairs(
                """
                SELECT c.member_id, c.other_id FROM connections c
                WHERE NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = c.member_id AND f.followee_id = c.other_id)
                """)
            let extra = try await pairs(
                """
                SELECT f.follower_id, f.followee_id FROM follows f
                WHERE NOT EXISTS (SELECT 1 FROM connections c WHERE c.member_id = f.follower_id AND c.other_id = f.followee_id)
                """)
            let suspended = try await Self.memberIDs("SELECT id FROM members WHERE suspended_at IS NOT NULL", c, self.logger)
            return NetworkSnapshot(
                members: members, connections: connections, hiddenLists: hidden, sequence: sequence, unfollowedConnections: unfollowed,
                followsWithoutConnection: extra, suspended: suspended)
        }
    }

    public func graphChanges(after sequence: Int64, limit: Int) async throws -> [GraphChange] {
        var changes: [GraphChange] = []
        for try await (seq, kind, a, b) in try await client.query(
            "SELECT seq, kind, a, b FROM graph_changes WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(0, limit))", logger: logger
        ).decode((Int64, String, String, String?).self) {
            guard let kind = GraphChange.Kind(rawValue: kind) else { continue }
            changes.append(GraphChange(sequence: seq, kind: kind, a: MemberID(a), b: b.map(MemberID.init)))
        }
        return changes
    }

    public func graphChanges(sequences: [Int64]) async throws -> [GraphChange] {
        guard !sequences.isEmpty else { return [] }
        var changes: [GraphChange] = []
        for try await (seq, kind, a, b) in try await client.query(
            "SELECT seq, kind, a, b FROM graph_changes WHERE seq = ANY(\(sequences)) ORDER BY seq", logger: logger
        ).decode((Int64, String, String, String?).self) {
            guard let kind = GraphChange.Kind(rawValue: kind) else { continue }
            changes.append(GraphChange(sequence: seq, kind: kind, a: MemberID(a), b: b.map(MemberID.init)))
        }
        return changes
    }

    public func pruneGraphChanges(before date: Date) async throws {
        // The last change is kept: a snapshot of the graph index taken at it is checked against it.
        try await client.query(
            "DELETE FROM graph_changes WHERE at < \(StoredTime.millis(date)) AND seq < (SELECT max(seq) FROM graph_changes)", logger: logger)
    }

    /// Pairs go to the server in batches of this many, as three arrays.
    static let importBatch = 10_000

    public func importConnections(_ pairs: [(MemberID, MemberID, Date)]) async throws -> Int {
        // Self-pairs and repeats of a pair (either way round) within the import are dropped here, so that each
        // batch inserts every pair at most once. Rows are written lower id first, as everywhere; `flipped`
        // remembers which way round the pair was given, for the log.
        var seen = Set<String>()
        var lows: [String] = []
        var highs: [String] = []
        var at: [Int64] = []
        var flipped: [Bool] = []
        for (a, b, date) in pairs where a != b && seen.insert(InvitationPair.key(a, b)).inserted {
            let (low, high) = InvitationPair.ordered(a, b)
            lows.append(low.rawValue)
            highs.append(high.rawValue)
            at.append(StoredTime.millis(date))
            flipped.append(low != a)
        }
        guard !lows.isEmpty else { return 0 }
        return try await transaction { c in
            // New pairs are collected here and logged at the end, after the lock on the log is taken.
            try await c.query(
                "CREATE TEMP TABLE imported_pairs (n BIGSERIAL, a TEXT NOT NULL, b TEXT NOT NULL, at BIGINT NOT NULL) ON COMMIT DROP",
                logger: self.logger)
            var added = 0
            var start = 0
            while start < lows.count {
                let end = min(start + Self.importBatch, lows.count)
                let low = Array(lows[start..<end])
                let high = Array(highs[start..<end])
                let times = Array(at[start..<end])
                let turned = Array(flipped[start..<end])
                start = end
                // Both directions are always written together, so the forward row tells whether the pair is new.
                for try await count in try await c.query(
                    """
                    WITH input AS (
                      SELECT * FROM unnest(\(low)::text[], \(high)::text[], \(times)::bigint[], \(turned)::boolean[])
                        WITH ORDINALITY AS t(low, high, at, flipped, n)
                    ), forward AS (
                      INSERT INTO connections (member_id, other_id, connected_at)
                      SELECT low, high, at FROM input ORDER BY low, high
                      ON CONFLICT DO NOTHING
                      RETURNING member_id, other_id, connected_at
                    ), backward AS (
                      INSERT INTO connections (member_id, other_id, connected_at)
                      SELECT other_id, member_id, connected_at FROM forward
                      ON CONFLICT DO NOTHING
                    ), followed AS (
                      INSERT INTO follows (follower_id, followee_id, created_at)
                      SELECT member_id, other_id, connected_at FROM forward
                      UNION ALL SELECT other_id, member_id, connected_at FROM forward
                      ON CONFLICT DO NOTHING
                    ), collected AS (
                      INSERT INTO imported_pairs (a, b, at)
                      SELECT CASE WHEN i.flipped THEN f.other_id ELSE f.member_id END,
                        CASE WHEN i.flipped THEN f.member_id ELSE f.other_id END, f.connected_at
                      FROM forward f JOIN input i ON i.low = f.member_id AND i.high = f.other_id
                      ORDER BY i.n
                    )
                    SELECT COUNT(*) FROM forward
                    """, logger: self.logger
                ).decode(Int.self) { added += count }
            }
            if added > 0 {
                try await Self.lockGraphLog(c, self.logger)
                try await c.query(
                    """
                    INSERT INTO graph_changes (kind, a, b, at)
                    SELECT \(GraphChange.Kind.connected.rawValue), a, b, at FROM imported_pairs ORDER BY n
                    """, logger: self.logger)
            }
            return added
        }
    }

    // MARK: Invitations

    static func invitation(_ row: PostgresRandomAccessRow) throws -> Invitation {
        Invitation(
            id: try row["id"].decode(String.self), from: MemberID(try row["from_id"].decode(String.self)),
            to: MemberID(try row["to_id"].decode(String.self)), message: try row["message"].decode(String?.self),
            status: InvitationStatus(rawValue: try row["status"].decode(String.self)) ?? .pending,
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            updatedAt: StoredTime.date(try row["updated_at"].decode(Int64.self)))
    }

    public func invitation(id: String) async throws -> Invitation? {
        try await rows("SELECT * FROM invitations WHERE id = \(id)").first.map(Self.invitation)
    }

    /// From `a`'s open invitations, held in the member cache (a profile asks on every view).
    public func openInvitation(between a: MemberID, and b: MemberID) async throws -> Invitation? {
        guard cache.enabled else {
            return try await rows("SELECT * FROM invitations WHERE pair_key = \(InvitationPair.key(a, b))").first.map(Self.invitation)
        }
        return try await openInvitations(of: a).first { $0.from == b || $0.to == b }
    }

    /// A member's open invitations, sent and received: from the member cache, read into it when not held.
    func openInvitations(of a: MemberID) async throws -> [Invitation] {
        await replayCacheChanges()
        if let held = cache.openInvitations(of: a) { return held }
        let generation = cache.generation
        var values = Values()
        values.add(a.rawValue)
        let open = try await read(OpenInvitationsOf.self, values).map(Self.invitation)
        cache.store(openInvitations: open, of: a, generation: generation)
        return open
    }

    public func lastWithdrawal(from: MemberID, to: MemberID) async throws -> Date? {
        var values = Values()
        values.add(from.rawValue)
        values.add(to.rawValue)
        return try await read(LastWithdrawal.self, values).first?["at"].decode(Int64?.self).map(StoredTime.date)
    }

    public func openInvitationCount(from member: MemberID) async throws -> Int {
        if cache.enabled { return try await openInvitations(of: member).count { $0.from == member } }
        return try await rows(
            "SELECT COUNT(*) AS n FROM invitations WHERE from_id = \(member.rawValue) AND status IN ('pending', 'ignored')"
        ).first?["n"].decode(Int.self) ?? 0
    }

    public func createInvitation(_ i: Invitation) async throws {
        let key = i.status.isOpen ? InvitationPair.key(i.from, i.to) : nil
        var values = Values()
        values.add(i.id)
        values.add(i.from.rawValue)
        values.add(i.to.rawValue)
        values.add(i.message)
        values.add(i.status.rawValue)
        values.add(key)
        values.add(StoredTime.millis(i.createdAt))
        values.add(StoredTime.millis(i.updatedAt))
        // The trigger logs a change of both members' invitations (migration 21), told to the cache here rather than by
        // `write`: an open invitation that was inserted also joins the two members' lists held, as it would be read back
        // (times to the millisecond), so that the sender's next invitation needs no read of theirs.
        let inserted: [PostgresRandomAccessRow]
        do {
            inserted = try await write(InsertInvitation.self, values, logs: .none)
        } catch {
            cache.wrote()
            throw error
        }
        var stored = i
        stored.createdAt = StoredTime.date(StoredTime.millis(i.createdAt))
        stored.updatedAt = StoredTime.date(StoredTime.millis(i.updatedAt))
        cache.wroteKnown(
            [i.from, i.to].map { MemberCache.Change(sequence: 0, member: $0, tokenHash: MemberCache.Change.invitations) },
            adding: inserted.isEmpty || key == nil ? nil : stored)
        if inserted.isEmpty { throw DomainError.alreadyConnected }
    }

    public func setInvitationStatus(id: String, _ status: InvitationStatus, at date: Date) async throws {
        try await transaction { c in
            // Only an open invitation changes: one accepted (or withdrawn) a moment ago stays as it is.
            let rows = try await Self.collect(
                "SELECT from_id, to_id FROM invitations WHERE id = \(id) AND status IN ('pending', 'ignored') FOR UPDATE", c,
                self.logger)
            guard let row = rows.first else { return }
            let key =
                status.isOpen
                ? InvitationPair.key(MemberID(try row["from_id"].decode(String.self)), MemberID(try row["to_id"].decode(String.self)))
                : nil
            try await c.query(
                """
                UPDATE invitations SET status = \(status.rawValue), pair_key = \(key), updated_at = \(StoredTime.millis(date))
                WHERE id = \(id)
                """, logger: self.logger)
        }
    }

    public func acceptInvitation(id: String, at date: Date) async throws -> Bool {
        try await transaction { c in
            let found = try await Self.collect(
                """
                SELECT from_id, to_id FROM invitations
                WHERE id = \(id) AND status = \(InvitationStatus.pending.rawValue)
                """,
                c, self.logger)
            guard let pair = found.first else { return false }
            try await Self.lockPair(
                MemberID(try pair["from_id"].decode(String.self)), MemberID(try pair["to_id"].decode(String.self)), c, self.logger)
            // Only a pending invitation is accepted; a concurrent accept waits for the row and then finds it accepted. A
            // block made meanwhile (under the same pair lock) stops it.
            let rows = try await Self.collect(
                """
                UPDATE invitations i SET status = \(InvitationStatus.accepted.rawValue), pair_key = NULL,
                  updated_at = \(StoredTime.millis(date))
                WHERE id = \(id) AND status = \(InvitationStatus.pending.rawValue)
                  AND NOT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = i.from_id AND blocked_id = i.to_id)
                    OR (blocker_id = i.to_id AND blocked_id = i.from_id))
                RETURNING from_id, to_id
                """, c, self.logger)
            guard let row = rows.first else { return false }
            let from = MemberID(try row["from_id"].decode(String.self))
            let to = MemberID(try row["to_id"].decode(String.self))
            if try await Self.connect(from, to, at: date, c, self.logger) {
                try await Self.logChange(.connected, from, to, at: date, c, self.logger)
            }
            return true
        }
    }

    public func invitations(received: Bool, member: MemberID, before cursor: String?, limit: Int) async throws -> [Invitation] {
        let limit = max(0, limit)
        let query: PostgresQuery
        switch (received, cursor) {
        case (true, nil):
            query = """
                SELECT * FROM invitations WHERE to_id = \(member.rawValue) AND status = 'pending'
                ORDER BY id COLLATE "C" DESC LIMIT \(limit)
                """
        case (true, let cursor?):
            query = """
                SELECT * FROM invitations WHERE to_id = \(member.rawValue) AND status = 'pending' AND id COLLATE "C" < \(cursor)
                ORDER BY id COLLATE "C" DESC LIMIT \(limit)
                """
        case (false, nil):
            query = """
                SELECT * FROM invitations WHERE from_id = \(member.rawValue) AND status IN ('pending', 'ignored')
                ORDER BY id COLLATE "C" DESC LIMIT \(limit)
                """
        case (false, let cursor?):
            query = """
                SELECT * FROM invitations WHERE from_id = \(member.rawValue) AND status IN ('pending', 'ignored')
                  AND id COLLATE "C" < \(cursor)
                ORDER BY id COLLATE "C" DESC LIMIT \(limit)
                """
        }
        return try await rows(query).map(Self.invitation)
    }

    // MARK: Connections, follows, blocks

    public func connectedAt(_ a: MemberID, _ b: MemberID) async throws -> Date? {
        try await rows(
            "SELECT connected_at FROM connections WHERE member_id = \(a.rawValue) AND other_id = \(b.rawValue)"
        ).first.map { StoredTime.date(try $0["connected_at"].decode(Int64.self)) }
    }

    public func connections(of member: MemberID) async throws -> [Connection] {
        var result: [Connection] = []
        for try await (other, at) in try await client.query(
            """
            SELECT other_id, connected_at FROM connections WHERE member_id = \(member.rawValue)
            ORDER BY connected_at DESC, other_id COLLATE "C" DESC
            """, logger: logger
        ).decode((String, Int64).self) {
            result.append(Connection(member: member, other: MemberID(other), connectedAt: StoredTime.date(at)))
        }
        return result
    }

    public func connections(of member: MemberID, after: (connectedAt: Date, other: MemberID)?, limit: Int) async throws -> [Connection] {
        var values = Values()
        values.add(member.rawValue)
        values.add(Int64(limit))
        let rows: [PostgresRandomAccessRow]
        if let after {
            values.add(StoredTime.millis(after.connectedAt))
            values.add(after.other.rawValue)
            rows = try await read(ConnectionsAfter.self, values)
        } else {
            rows = try await read(NewestConnections.self, values)
        }
        return try rows.map { row in
            Connection(
                member: member, other: MemberID(try row["other_id"].decode(String.self)),
                connectedAt: StoredTime.date(try row["connected_at"].decode(Int64.self)))
        }
    }

    public func removeConnection(_ a: MemberID, _ b: MemberID, at date: Date) async throws -> Bool {
        try await transaction { c in
            try await Self.lockPair(a, b, c, self.logger)
            guard try await Self.disconnect(a, b, c, self.logger) else { return false }
            try await Self.unfollowBothWays(a, b, c, self.logger)
            try await Self.logChange(.disconnected, a, b, at: date, c, self.logger)
            return true
        }
    }

    public func follows(_ follower: MemberID, _ followee: MemberID) async throws -> Bool {
        !(try await rows(
            "SELECT 1 AS one FROM follows WHERE follower_id = \(follower.rawValue) AND followee_id = \(followee.rawValue)"
        ).isEmpty)
    }

    public func setFollow(_ follower: MemberID, _ followee: MemberID, _ on: Bool, at date: Date) async throws {
        try await transaction { c in
            let changed: [PostgresRandomAccessRow]
            if on {
                changed = try await Self.collect(
                    """
                    INSERT INTO follows (follower_id, followee_id, created_at)
                    VALUES (\(follower.rawValue), \(followee.rawValue), \(StoredTime.millis(date))) ON CONFLICT DO NOTHING
                    RETURNING 1 AS one
                    """, c, self.logger)
            } else {
                changed = try await Self.collect(
                    "DELETE FROM follows WHERE follower_id = \(follower.rawValue) AND followee_id = \(followee.rawValue) RETURNING 1 AS one",
                    c, self.logger)
            }
            if !changed.isEmpty { try await Self.logChange(on ? .followed : .unfollowed, follower, followee, at: date, c, self.logger) }
        }
    }

    public func block(_ blocker: MemberID, _ blocked: MemberID, at date: Date) async throws {
        try await transaction { c in
            try await Self.lockPair(blocker, blocked, c, self.logger)
            try await c.query(
                """
                INSERT INTO blocks (blocker_id, blocked_id, created_at)
                VALUES (\(blocker.rawValue), \(blocked.rawValue), \(StoredTime.millis(date))) ON CONFLICT DO NOTHING
                """, logger: self.logger)
            let disconnected = try await Self.disconnect(blocker, blocked, c, self.logger)
            // The open invitation between them, whichever way it went (there is at most one).
            try await c.query(
                "DELETE FROM invitations WHERE pair_key = \(InvitationPair.key(blocker, blocked))", logger: self.logger)
            let unfollowed = try await Self.collect(
                """
                DELETE FROM follows WHERE (follower_id = \(blocker.rawValue) AND followee_id = \(blocked.rawValue))
                  OR (follower_id = \(blocked.rawValue) AND followee_id = \(blocker.rawValue))
                RETURNING follower_id, followee_id
                """, c, self.logger)
            if disconnected {
                try await Self.logChange(.disconnected, blocker, blocked, at: date, c, self.logger)
            } else {
                // Follows without a connection end too; every instance's graph index learns it.
                for row in unfollowed {
                    try await Self.logChange(
                        .unfollowed, MemberID(try row["follower_id"].decode(String.self)), MemberID(try row["followee_id"].decode(String.self)),
                        at: date, c, self.logger)
                }
            }
        }
    }

    public func unblock(_ blocker: MemberID, _ blocked: MemberID, at date: Date) async throws {
        try await client.query(
            "DELETE FROM blocks WHERE blocker_id = \(blocker.rawValue) AND blocked_id = \(blocked.rawValue)", logger: logger)
    }

    public func blockedEitherWay(_ member: MemberID) async throws -> Set<MemberID> {
        await replayCacheChanges()
        if let held = cache.blocked(member) { return held }
        let generation = cache.generation
        let blocked = Set(
            try await memberIDs(
                """
                SELECT blocked_id FROM blocks WHERE blocker_id = \(member.rawValue)
                UNION SELECT blocker_id FROM blocks WHERE blocked_id = \(member.rawValue)
                """))
        cache.store(blocked: blocked, of: member, generation: generation)
        return blocked
    }

    public func dismissSuggestion(_ member: MemberID, _ dismissed: MemberID, at date: Date) async throws {
        try await client.query(
            """
            INSERT INTO suggestion_dismissals (member_id, dismissed_id, created_at)
            VALUES (\(member.rawValue), \(dismissed.rawValue), \(StoredTime.millis(date))) ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    public func dismissedSuggestions(_ member: MemberID) async throws -> Set<MemberID> {
        // Held in memory: suggestions ask on every request (the dismissal triggers log the member's change).
        await replayCacheChanges()
        return try await cache.dismissals(of: member) {
            Set(try await memberIDs("SELECT dismissed_id FROM suggestion_dismissals WHERE member_id = \(member.rawValue)"))
        }
    }

    public func openInvitationPartners(_ member: MemberID) async throws -> Set<MemberID> {
        // From the open invitations held in memory, as the count is: suggestions ask on every request.
        if cache.enabled { return Invitation.openPartners(of: member, in: try await openInvitations(of: member)) }
        return Set(
            try await memberIDs(
                """
                SELECT to_id FROM invitations WHERE from_id = \(member.rawValue) AND status IN ('pending', 'ignored')
                UNION SELECT from_id FROM invitations WHERE to_id = \(member.rawValue) AND status IN ('pending', 'ignored')
                """))
    }

    // MARK: Introductions

    static func introduction(_ row: PostgresRandomAccessRow) throws -> Introduction {
        Introduction(
            id: try row["id"].decode(String.self), requester: MemberID(try row["requester_id"].decode(String.self)),
            via: MemberID(try row["via_id"].decode(String.self)), target: MemberID(try row["target_id"].decode(String.self)),
            message: try row["message"].decode(String.self),
            status: IntroductionStatus(rawValue: try row["status"].decode(String.self)) ?? .pending,
            forwardNote: try row["forward_note"].decode(String?.self),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            updatedAt: StoredTime.date(try row["updated_at"].decode(Int64.self)),
            conversationID: try row["conversation_id"].decode(String?.self))
    }

    public func createIntroduction(_ i: Introduction) async throws {
        try await transaction { c in
            try await c.query(
                """
                INSERT INTO introductions (id, requester_id, via_id, target_id, message, status, forward_note, created_at, updated_at)
                VALUES (\(i.id), \(i.requester.rawValue), \(i.via.rawValue), \(i.target.rawValue), \(i.message), \(i.status.rawValue),
                  \(i.forwardNote), \(StoredTime.millis(i.createdAt)), \(StoredTime.millis(i.updatedAt)))
                """, logger: self.logger)
        }
    }

    public func introduction(id: String) async throws -> Introduction? {
        try await rows("SELECT * FROM introductions WHERE id = \(id)").first.map(Self.introduction)
    }

    /// Only a pending introduction is answered: a forward and a decline racing each other cannot both land.
    public func setIntroductionStatus(id: String, _ status: IntroductionStatus, note: String?, at date: Date) async throws {
        try await client.query(
            """
            UPDATE introductions SET status = \(status.rawValue), forward_note = \(note), updated_at = \(StoredTime.millis(date))
            WHERE id = \(id) AND status = \(IntroductionStatus.pending.rawValue)
            """, logger: logger)
    }

    public func introductions(involving member: MemberID) async throws -> [Introduction] {
        try await rows(
            """
            SELECT * FROM introductions
            WHERE requester_id = \(member.rawValue) OR via_id = \(member.rawValue) OR target_id = \(member.rawValue)
            ORDER BY created_at DESC, id COLLATE "C" DESC
            """
        ).map(Self.introduction)
    }

    // MARK: People and organisations

    public func memberCards(ids: [MemberID]) async throws -> [MemberCard] {
        guard !ids.isEmpty else { return [] }
        await replayCacheChanges()
        return try await cache.cards(inOrderOf: ids) { missing in try await readMemberCards(missing.map(\.rawValue)) }
    }

    private func readMemberCards(_ unique: [String]) async throws -> [MemberCard] {
        // One query whatever the number of ids: they travel as one array parameter.
        return try await rows(
            """
            SELECT id, handle, name, headline, location, profile_visibility, connections_visibility, section_visibility, photo_id
            FROM members WHERE id = ANY(\(unique)::text[]) AND suspended_at IS NULL
            """
        ).map { row in
            var card = MemberCard(
                id: MemberID(try row["id"].decode(String.self)), handle: try row["handle"].decode(String.self),
                name: try row["name"].decode(String.self), headline: try row["headline"].decode(String?.self),
                location: try row["location"].decode(String?.self),
                profileVisibility: ProfileVisibility(rawValue: try row["profile_visibility"].decode(String.self)) ?? .members,
                connectionsVisibility: ConnectionsVisibility(rawValue: try row["connections_visibility"].decode(String.self))
                    ?? .connections,
                sectionVisibility: SectionVisibilities(stored: try row["section_visibility"].decode(String.self)))
            card.photo = try row["photo_id"].decode(String?.self).map(PhotoRef.init)
            return card
        }
    }

    public func membersAt(company: String, current: Bool) async throws -> [MemberID] {
        if current {
            return try await memberIDs(
                """
                SELECT member_id FROM positions WHERE company_id = \(company) AND end_month IS NULL
                GROUP BY member_id ORDER BY member_id COLLATE "C"
                """)
        }
        return try await memberIDs(
            """
            SELECT member_id FROM positions p WHERE company_id = \(company) AND end_month IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM positions q WHERE q.company_id = p.company_id AND q.member_id = p.member_id
                            AND q.end_month IS NULL)
            GROUP BY member_id ORDER BY member_id COLLATE "C"
            """)
    }

    /// From the member cache's lists of who is at each organisation (`MemberCache`, `SharedAffiliations`), read once
    /// and mended as members change; `sharedAffiliationsBySQL` answers the same in one query, every time.
    public func sharedAffiliations(of member: MemberID, limit: Int) async throws -> [SharedAffiliation] {
        guard cache.enabled else { return try await sharedAffiliationsBySQL(of: member, limit: limit) }
        await replayCacheChanges()
        return try await cache.sharedAffiliations(
            of: member, limit: limit,
            rowsOf: { members in
                try await self.affiliationRows(
                    positions: "p.member_id = ANY($1::text[])", educations: "member_id = ANY($1::text[])", members.map(\.rawValue))
            },
            rowsAt: { keys in
                let (companies, schools) = AffiliationRow.Key.split(keys)
                var rows: [AffiliationRow] = []
                if !companies.isEmpty { rows += try await self.affiliationRows(positions: "p.company_id = ANY($1::text[])", educations: nil, companies) }
                if !schools.isEmpty { rows += try await self.affiliationRows(positions: nil, educations: "school_key = ANY($1::text[])", schools) }
                return rows
            })
    }

    /// Positions and schools matching the conditions, each on one array parameter ($1).
    private func affiliationRows(positions: String?, educations: String?, _ values: [String]) async throws -> [AffiliationRow] {
        var rows: [AffiliationRow] = []
        if let positions {
            var bindings = PostgresBindings()
            bindings.append(values)
            let query = PostgresQuery(
                unsafeSQL: """
                    SELECT p.member_id, p.company_id, c.name, p.start_month, p.end_month
                    FROM positions p JOIN companies c ON c.id = p.company_id WHERE \(positions)
                    """, binds: bindings)
            for try await (member, company, name, start, end) in try await client.query(query, logger: logger)
                .decode((String, String, String, String, String?).self)
            {
                rows.append(.position(member: MemberID(member), companyID: company, name: name, start: start, end: end))
            }
        }
        if let educations {
            var bindings = PostgresBindings()
            bindings.append(values)
            let query = PostgresQuery(
                unsafeSQL: """
                    SELECT member_id, school_key, school, start_year, end_year FROM educations
                    WHERE \(educations) AND school_key IS NOT NULL AND school_key <> ''
                    """, binds: bindings)
            for try await (member, key, school, start, end) in try await client.query(query, logger: logger)
                .decode((String, String, String, Int?, Int?).self)
            {
                rows.append(.education(member: MemberID(member), schoolKey: key, school: school, startYear: start, endYear: end))
            }
        }
        return rows
    }

    /// The same question as `sharedAffiliations`, asked of the database each time (the cache turned off; the
    /// baseline its answers are compared with).
    public func sharedAffiliationsBySQL(of member: MemberID, limit: Int) async throws -> [SharedAffiliation] {
        // Months compare as 'YYYY-MM' text, an open end as '9999-12'. A school's years run from the start year
        // (or the end year alone) to the end year (open when only the start is known); no years, no overlap.
        var result: [SharedAffiliation] = []
        for try await (other, kind, organisationID, organisationName, overlap) in try await client.query(
            """
            SELECT member, kind, organisation_id, organisation_name, overlap FROM (
              SELECT q.member_id AS member, 'company' AS kind, c.id AS organisation_id, c.name AS organisation_name,
                bool_or(p.start_month COLLATE "C" <= COALESCE(q.end_month, '9999-12') COLLATE "C"
                        AND q.start_month COLLATE "C" <= COALESCE(p.end_month, '9999-12') COLLATE "C") AS overlap
              FROM positions p
              JOIN positions q ON q.company_id = p.company_id AND q.member_id <> p.member_id
              JOIN companies c ON c.id = p.company_id
              WHERE p.member_id = \(member.rawValue)
              GROUP BY q.member_id, c.id, c.name
              UNION ALL
              SELECT f.member_id, 'school', e.school_key, MIN(f.school COLLATE "C"),
                COALESCE(bool_or(COALESCE(e.start_year, e.end_year) <= COALESCE(f.end_year, 9999)
                                 AND COALESCE(f.start_year, f.end_year) <= COALESCE(e.end_year, 9999)), FALSE)
              FROM educations e
              JOIN educations f ON f.school_key = e.school_key AND f.member_id <> e.member_id
              WHERE e.member_id = \(member.rawValue) AND e.school_key IS NOT NULL AND e.school_key <> ''
              GROUP BY f.member_id, e.school_key
            ) shared
            ORDER BY overlap DESC, member COLLATE "C", kind COLLATE "C", organisation_id COLLATE "C"
            LIMIT \(max(0, limit))
            """, logger: logger
        ).decode((String, String, String, String, Bool).self) {
            result.append(
                SharedAffiliation(
                    member: MemberID(other), kind: SharedAffiliation.Kind(rawValue: kind) ?? .company,
                    organisationID: organisationID, organisationName: organisationName, overlap: overlap))
        }
        return result
    }

    public func companies(matching query: String, limit: Int) async throws -> [(company: Company, memberCount: Int)] {
        let key = CompanyName.key(query)
        var result: [(company: Company, memberCount: Int)] = []
        for try await (id, name, members, current) in try await client.query(
            """
            SELECT c.id, c.name, COUNT(DISTINCT p.member_id) AS members,
              COUNT(DISTINCT p.member_id) FILTER (WHERE p.end_month IS NULL) AS current
            FROM companies c LEFT JOIN positions p ON p.company_id = c.id
            WHERE starts_with(c.name_key, \(key)) OR strpos(c.name, \(query)) > 0
            GROUP BY c.id, c.name
            ORDER BY members DESC, c.name COLLATE "C", c.id COLLATE "C"
            LIMIT \(max(0, limit))
            """, logger: logger
        ).decode((String, String, Int, Int).self) {
            result.append((Company(id: id, name: name, currentMemberCount: current, pastMemberCount: members - current), members))
        }
        return result
    }
}

/// A member's open invitations, sent and received (the member cache holds them).
enum OpenInvitationsOf: FixedSQL {
    static let sql = """
        SELECT * FROM invitations WHERE from_id = $1::text AND pair_key IS NOT NULL
        UNION ALL SELECT * FROM invitations WHERE to_id = $1::text AND pair_key IS NOT NULL
        """
}

/// When `from` last withdrew an invitation to `to` (the cooldown before inviting them again).
enum LastWithdrawal: FixedSQL {
    static let sql = """
        SELECT MAX(updated_at) AS at FROM invitations WHERE from_id = $1::text AND to_id = $2::text AND status = 'withdrawn'
        """
}

/// A new invitation, unless the two are connected: its id, or no row.
enum InsertInvitation: FixedSQL {
    static let sql = """
        INSERT INTO invitations (id, from_id, to_id, message, status, pair_key, created_at, updated_at)
        SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bigint, $8::bigint
        WHERE NOT EXISTS (SELECT 1 FROM connections WHERE member_id = $2::text AND other_id = $3::text)
        RETURNING id
        """
}

/// A member's newest connections (the first page of their list; the index `connections_recent`).
enum NewestConnections: FixedSQL {
    static let sql = """
        SELECT other_id, connected_at FROM connections WHERE member_id = $1::text
        ORDER BY connected_at DESC, other_id COLLATE "C" LIMIT $2::bigint
        """
}

/// The page of a member's connections after a position (time, then id), newest first.
enum ConnectionsAfter: FixedSQL {
    static let sql = """
        SELECT other_id, connected_at FROM connections
        WHERE member_id = $1::text AND (connected_at < $3::bigint OR (connected_at = $3::bigint AND other_id COLLATE "C" > $4::text))
        ORDER BY connected_at DESC, other_id COLLATE "C" LIMIT $2::bigint
        """
}
