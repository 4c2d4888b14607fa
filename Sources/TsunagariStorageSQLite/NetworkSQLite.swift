import Foundation
import GRDB
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
        a.rawValue.utf8.lexicographicallyPrecedes(b.rawValue.utf8) ? a.rawValue + ":" + b.rawValue : b.rawValue + ":" + a.rawValue
    }
}

extension SQLiteStorage: NetworkStore {
    /// At most this many ids go into one `IN (…)` list.
    static let idsPerQuery = 500

    static func logChange(_ kind: GraphChange.Kind, _ a: MemberID, _ b: MemberID?, at date: Date, _ db: Database) throws {
        try db.execute(
            cached: "INSERT INTO graph_changes (kind, a, b, at) VALUES (?, ?, ?, ?)",
            arguments: [kind.rawValue, a.rawValue, b?.rawValue, StoredTime.millis(date)])
    }

    /// Connects both ways and makes both follow each other; false (and nothing written) if already connected.
    static func connect(_ a: MemberID, _ b: MemberID, at date: Date, _ db: Database) throws -> Bool {
        let millis = StoredTime.millis(date)
        try db.execute(
            cached: "INSERT INTO connections (member_id, other_id, connected_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: [a.rawValue, b.rawValue, millis])
        guard db.changesCount > 0 else { return false }
        try db.execute(
            cached: "INSERT INTO connections (member_id, other_id, connected_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: [b.rawValue, a.rawValue, millis])
        try db.execute(
            cached: "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT DO NOTHING",
            arguments: [a.rawValue, b.rawValue, millis, b.rawValue, a.rawValue, millis])
        return true
    }

    /// Removes the connection both ways and the follows between them; false if they were not connected.
    static func disconnect(_ a: MemberID, _ b: MemberID, _ db: Database) throws -> Bool {
        try db.execute(
            cached: "DELETE FROM connections WHERE (member_id = ? AND other_id = ?) OR (member_id = ? AND other_id = ?)",
            arguments: [a.rawValue, b.rawValue, b.rawValue, a.rawValue])
        return db.changesCount > 0
    }

    static func unfollowBothWays(_ a: MemberID, _ b: MemberID, _ db: Database) throws {
        try db.execute(
            cached: "DELETE FROM follows WHERE (follower_id = ? AND followee_id = ?) OR (follower_id = ? AND followee_id = ?)",
            arguments: [a.rawValue, b.rawValue, b.rawValue, a.rawValue])
    }

    // MARK: Graph snapshot and change log

    public func networkSnapshot() async throws -> NetworkSnapshot {
        // A read runs in one transaction on one WAL snapshot, so the parts and the sequence agree.
        try await pool.read { db in
            let members = try String.fetchAll(cached: db, sql: "SELECT id FROM members").map(MemberID.init)
            var connections: [(MemberID, MemberID)] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT member_id, other_id FROM connections WHERE member_id < other_id")
            while let row = try cursor.next() {
                connections.append((MemberID(row[0] as String), MemberID(row[1] as String)))
            }
            let hidden = try String.fetchAll(
                cached: db, sql: "SELECT id FROM members WHERE connections_visibility = ?",
                arguments: [ConnectionsVisibility.onlyMe.rawValue]
            ).map(MemberID.init)
            let sequence = try Int64.fetchOne(cached: db, sql: "SELECT COALESCE(MAX(seq), 0) FROM graph_changes") ?? 0
            func pairs(_ sql: String) throws -> [(MemberID, MemberID)] {
                try Row.fetchAll(cached: db, sql: sql).map { (MemberID($0[0] as String), MemberID($0[1] as String)) }
            }
            let unfollowed = try pairs(
                """
                SELECT c.member_id, c.other_id FROM connections c
                WHERE NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = c.member_id AND f.followee_id = c.other_id)
                """)
            let extra = try pairs(
                """
                SELECT f.follower_id, f.followee_id FROM follows f
                WHERE NOT EXISTS (SELECT 1 FROM connections c WHERE c.member_id = f.follower_id AND c.other_id = f.followee_id)
                """)
            let suspended = try String.fetchAll(cached: db, sql: "SELECT id FROM members WHERE suspended_at IS NOT NULL").map(MemberID.init)
            return NetworkSnapshot(
                members: members, connections: connections, hiddenLists: hidden, sequence: sequence, unfollowedConnections: unfollowed,
                followsWithoutConnection: extra, suspended: suspended)
        }
    }

    public func graphChanges(after sequence: Int64, limit: Int) async throws -> [GraphChange] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT seq, kind, a, b FROM graph_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [sequence, max(0, limit)]
            ).compactMap { row in
                guard let kind = GraphChange.Kind(rawValue: row["kind"]) else { return nil }
                return GraphChange(
                    sequence: row["seq"], kind: kind, a: MemberID(row["a"]), b: (row["b"] as String?).map(MemberID.init))
            }
        }
    }

    public func graphChanges(sequences: [Int64]) async throws -> [GraphChange] {
        guard !sequences.isEmpty else { return [] }
        return try await pool.read { db in
            var changes: [GraphChange] = []
            // SQLite takes at most 32,766 bound values in one statement.
            for start in stride(from: 0, to: sequences.count, by: 10_000) {
                let part = Array(sequences[start..<min(start + 10_000, sequences.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                changes += try Row.fetchAll(
                    cached: db, sql: "SELECT seq, kind, a, b FROM graph_changes WHERE seq IN (\(marks)) ORDER BY seq",
                    arguments: StatementArguments(part)
                ).compactMap { row in
                    guard let kind = GraphChange.Kind(rawValue: row["kind"]) else { return nil }
                    return GraphChange(
                        sequence: row["seq"], kind: kind, a: MemberID(row["a"]), b: (row["b"] as String?).map(MemberID.init))
                }
            }
            return changes
        }
    }

    public func pruneGraphChanges(before date: Date) async throws {
        try await write { db in
            // The last change is kept: a snapshot of the graph index taken at it is checked against it.
            try db.execute(
                cached: "DELETE FROM graph_changes WHERE at < ? AND seq < (SELECT max(seq) FROM graph_changes)", arguments: [StoredTime.millis(date)])
        }
    }

    private struct ImportedPair: Encodable {
        let a: String
        let b: String
        let t: Int64
    }

    public func importConnections(_ pairs: [(MemberID, MemberID, Date)]) async throws -> Int {
        // Self-pairs and repeats of a pair (either way round) are dropped here; the first time given wins.
        var seen = Set<String>()
        var rows: [ImportedPair] = []
        rows.reserveCapacity(pairs.count)
        for (a, b, date) in pairs where a != b && seen.insert(InvitationPair.key(a, b)).inserted {
            rows.append(ImportedPair(a: a.rawValue, b: b.rawValue, t: StoredTime.millis(date)))
        }
        guard !rows.isEmpty else { return 0 }
        // The pairs travel as one JSON parameter and every step below is one set-based statement, so that the
        // cost is SQLite's, not a statement per row.
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        return try await write { db in
            let cacheSize = try Int.fetchOne(cached: db, sql: "PRAGMA cache_size") ?? -2_000
            // A bigger page cache for the duration: the indexes of a large import do not fit in the default 2 MB.
            try db.execute(cached: "PRAGMA cache_size = -65536")
            defer { try? db.execute(cached: "PRAGMA cache_size = \(cacheSize)") }
            try db.execute(
                cached: """
                    DROP TABLE IF EXISTS temp.imported_pairs;
                    CREATE TEMP TABLE imported_pairs (n INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, at INTEGER NOT NULL);
                    """)
            try db.execute(
                cached: """
                    INSERT INTO temp.imported_pairs (a, b, at)
                    SELECT json_extract(value, '$.a'), json_extract(value, '$.b'), json_extract(value, '$.t') FROM json_each(?)
                    """, arguments: [json])
            // Both directions are always written together, so one direction tells whether a pair is connected.
            try db.execute(
                cached: """
                    DELETE FROM temp.imported_pairs
                    WHERE EXISTS (SELECT 1 FROM connections WHERE member_id = imported_pairs.a AND other_id = imported_pairs.b)
                    """)
            try db.execute(
                cached: """
                    INSERT INTO connections (member_id, other_id, connected_at) SELECT a, b, at FROM temp.imported_pairs ORDER BY a, b;
                    INSERT INTO connections (member_id, other_id, connected_at) SELECT b, a, at FROM temp.imported_pairs ORDER BY b, a;
                    INSERT INTO follows (follower_id, followee_id, created_at)
                      SELECT a, b, at FROM temp.imported_pairs WHERE true ORDER BY a, b ON CONFLICT DO NOTHING;
                    INSERT INTO follows (follower_id, followee_id, created_at)
                      SELECT b, a, at FROM temp.imported_pairs WHERE true ORDER BY b, a ON CONFLICT DO NOTHING;
                    INSERT INTO graph_changes (kind, a, b, at) SELECT 'connected', a, b, at FROM temp.imported_pairs ORDER BY n;
                    """)
            let added = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM temp.imported_pairs") ?? 0
            try db.execute(cached: "DROP TABLE temp.imported_pairs")
            return added
        }
    }

    // MARK: Invitations

    static func invitation(_ row: Row) -> Invitation {
        Invitation(
            id: row["id"], from: MemberID(row["from_id"]), to: MemberID(row["to_id"]), message: row["message"],
            status: InvitationStatus(rawValue: row["status"]) ?? .pending, createdAt: StoredTime.date(row["created_at"]),
            updatedAt: StoredTime.date(row["updated_at"]))
    }

    public func invitation(id: String) async throws -> Invitation? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM invitations WHERE id = ?", arguments: [id]).map(Self.invitation)
        }
    }

    /// From `a`'s open invitations, held in the member cache (a profile asks on every view).
    public func openInvitation(between a: MemberID, and b: MemberID) async throws -> Invitation? {
        guard cache.enabled else {
            return try await pool.read { db in
                try Row.fetchOne(cached: db, sql: "SELECT * FROM invitations WHERE pair_key = ?", arguments: [InvitationPair.key(a, b)])
                    .map(Self.invitation)
            }
        }
        return try await openInvitations(of: a).first { $0.from == b || $0.to == b }
    }

    /// A member's open invitations, sent and received: from the member cache, read into it when not held.
    func openInvitations(of a: MemberID) async throws -> [Invitation] {
        try await replayCacheChanges()
        if let held = cache.openInvitations(of: a) { return held }
        let generation = cache.generation
        let open = try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT * FROM invitations WHERE from_id = ? AND pair_key IS NOT NULL
                    UNION ALL SELECT * FROM invitations WHERE to_id = ? AND pair_key IS NOT NULL
                    """,
                arguments: [a.rawValue, a.rawValue]
            ).map(Self.invitation)
        }
        cache.store(openInvitations: open, of: a, generation: generation)
        return open
    }

    public func lastWithdrawal(from: MemberID, to: MemberID) async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(
                cached: db, sql: "SELECT MAX(updated_at) FROM invitations WHERE from_id = ? AND to_id = ? AND status = ?",
                arguments: [from.rawValue, to.rawValue, InvitationStatus.withdrawn.rawValue]
            ).map(StoredTime.date)
        }
    }

    public func openInvitationCount(from member: MemberID) async throws -> Int {
        if cache.enabled { return try await openInvitations(of: member).count { $0.from == member } }
        return try await pool.read { db in
            try Int.fetchOne(
                cached: db, sql: "SELECT COUNT(*) FROM invitations WHERE from_id = ? AND status IN ('pending', 'ignored')",
                arguments: [member.rawValue]) ?? 0
        }
    }

    public func createInvitation(_ i: Invitation) async throws {
        let inserted = try await write { db -> Bool in
            try db.execute(
                cached: """
                    INSERT INTO invitations (id, from_id, to_id, message, status, pair_key, created_at, updated_at)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM connections WHERE member_id = ? AND other_id = ?)
                    """,
                arguments: [
                    i.id, i.from.rawValue, i.to.rawValue, i.message, i.status.rawValue,
                    i.status.isOpen ? InvitationPair.key(i.from, i.to) : nil, StoredTime.millis(i.createdAt),
                    StoredTime.millis(i.updatedAt), i.from.rawValue, i.to.rawValue,
                ])
            return db.changesCount > 0
        }
        if !inserted { throw DomainError.alreadyConnected }
    }

    public func setInvitationStatus(id: String, _ status: InvitationStatus, at date: Date) async throws {
        try await write { db in
            // Only an open invitation changes: one accepted (or withdrawn) a moment ago stays as it is.
            guard let row = try Row.fetchOne(
                cached: db, sql: "SELECT from_id, to_id FROM invitations WHERE id = ? AND status IN ('pending', 'ignored')", arguments: [id])
            else { return }
            let key = status.isOpen ? InvitationPair.key(MemberID(row["from_id"]), MemberID(row["to_id"])) : nil
            try db.execute(
                cached: "UPDATE invitations SET status = ?, pair_key = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, key, StoredTime.millis(date), id])
        }
    }

    public func acceptInvitation(id: String, at date: Date) async throws -> Bool {
        try await write { db in
            guard let row = try Row.fetchOne(
                cached: db,
                sql: """
                    SELECT from_id, to_id FROM invitations i WHERE id = ? AND status = ? AND NOT EXISTS (
                      SELECT 1 FROM blocks WHERE (blocker_id = i.from_id AND blocked_id = i.to_id)
                        OR (blocker_id = i.to_id AND blocked_id = i.from_id))
                    """,
                arguments: [id, InvitationStatus.pending.rawValue])
            else { return false }
            let from = MemberID(row["from_id"])
            let to = MemberID(row["to_id"])
            try db.execute(
                cached: "UPDATE invitations SET status = ?, pair_key = NULL, updated_at = ? WHERE id = ?",
                arguments: [InvitationStatus.accepted.rawValue, StoredTime.millis(date), id])
            if try Self.connect(from, to, at: date, db) {
                try Self.logChange(.connected, from, to, at: date, db)
            }
            return true
        }
    }

    public func invitations(received: Bool, member: MemberID, before cursor: String?, limit: Int) async throws -> [Invitation] {
        try await pool.read { db in
            let filter =
                received
                ? "to_id = ? AND status = 'pending'"
                : "from_id = ? AND status IN ('pending', 'ignored')"
            var arguments: StatementArguments = [member.rawValue]
            var sql = "SELECT * FROM invitations WHERE \(filter)"
            if let cursor {
                sql += " AND id < ?"
                arguments += [cursor]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(cached: db, sql: sql, arguments: arguments).map(Self.invitation)
        }
    }

    // MARK: Connections, follows, blocks

    public func connectedAt(_ a: MemberID, _ b: MemberID) async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(
                cached: db, sql: "SELECT connected_at FROM connections WHERE member_id = ? AND other_id = ?",
                arguments: [a.rawValue, b.rawValue]
            ).map(StoredTime.date)
        }
    }

    public func connections(of member: MemberID) async throws -> [Connection] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: "SELECT other_id, connected_at FROM connections WHERE member_id = ? ORDER BY connected_at DESC, other_id DESC",
                arguments: [member.rawValue]
            ).map { row in
                // By position: a list of hundreds of rows, read on every request for it.
                Connection(member: member, other: MemberID(row[0] as String), connectedAt: StoredTime.date(row[1] as Int64))
            }
        }
    }

    public func connections(of member: MemberID, after: (connectedAt: Date, other: MemberID)?, limit: Int) async throws -> [Connection] {
        try await pool.read { db in
            let rows: [Row]
            if let after {
                let time = StoredTime.millis(after.connectedAt)
                rows = try Row.fetchAll(
                    cached: db,
                    sql: """
                        SELECT other_id, connected_at FROM connections
                        WHERE member_id = ? AND (connected_at < ? OR (connected_at = ? AND other_id > ?))
                        ORDER BY connected_at DESC, other_id LIMIT ?
                        """,
                    arguments: [member.rawValue, time, time, after.other.rawValue, limit])
            } else {
                rows = try Row.fetchAll(
                    cached: db,
                    sql: "SELECT other_id, connected_at FROM connections WHERE member_id = ? ORDER BY connected_at DESC, other_id LIMIT ?",
                    arguments: [member.rawValue, limit])
            }
            return rows.map { Connection(member: member, other: MemberID($0[0] as String), connectedAt: StoredTime.date($0[1] as Int64)) }
        }
    }

    public func removeConnection(_ a: MemberID, _ b: MemberID, at date: Date) async throws -> Bool {
        try await write { db in
            guard try Self.disconnect(a, b, db) else { return false }
            try Self.unfollowBothWays(a, b, db)
            try Self.logChange(.disconnected, a, b, at: date, db)
            return true
        }
    }

    public func follows(_ follower: MemberID, _ followee: MemberID) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(
                cached: db, sql: "SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = ? AND followee_id = ?)",
                arguments: [follower.rawValue, followee.rawValue]) ?? false
        }
    }

    public func setFollow(_ follower: MemberID, _ followee: MemberID, _ on: Bool, at date: Date) async throws {
        try await write { db in
            if on {
                try db.execute(
                    cached: "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [follower.rawValue, followee.rawValue, StoredTime.millis(date)])
            } else {
                try db.execute(
                    cached: "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?",
                    arguments: [follower.rawValue, followee.rawValue])
            }
            if db.changesCount > 0 { try Self.logChange(on ? .followed : .unfollowed, follower, followee, at: date, db) }
        }
    }

    public func block(_ blocker: MemberID, _ blocked: MemberID, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [blocker.rawValue, blocked.rawValue, StoredTime.millis(date)])
            let disconnected = try Self.disconnect(blocker, blocked, db)
            if disconnected {
                try Self.logChange(.disconnected, blocker, blocked, at: date, db)
            }
            // The open invitation between them, whichever way it went (there is at most one).
            try db.execute(cached: "DELETE FROM invitations WHERE pair_key = ?", arguments: [InvitationPair.key(blocker, blocked)])
            let follows = try Row.fetchAll(
                cached: db, sql: "SELECT follower_id, followee_id FROM follows WHERE (follower_id = ? AND followee_id = ?) OR (follower_id = ? AND followee_id = ?)",
                arguments: [blocker.rawValue, blocked.rawValue, blocked.rawValue, blocker.rawValue])
            try Self.unfollowBothWays(blocker, blocked, db)
            if !disconnected {
                // Follows without a connection end too; every instance's graph index learns it.
                for row in follows {
                    try Self.logChange(.unfollowed, MemberID(row["follower_id"] as String), MemberID(row["followee_id"] as String), at: date, db)
                }
            }
        }
    }

    public func unblock(_ blocker: MemberID, _ blocked: MemberID, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?", arguments: [blocker.rawValue, blocked.rawValue])
        }
    }

    public func blockedEitherWay(_ member: MemberID) async throws -> Set<MemberID> {
        try await replayCacheChanges()
        if let held = cache.blocked(member) { return held }
        let generation = cache.generation
        let blocked = try await pool.read { db in
            Set(
                try String.fetchAll(
                    cached: db,
                    sql: "SELECT blocked_id FROM blocks WHERE blocker_id = ? UNION SELECT blocker_id FROM blocks WHERE blocked_id = ?",
                    arguments: [member.rawValue, member.rawValue]
                ).map(MemberID.init))
        }
        cache.store(blocked: blocked, of: member, generation: generation)
        return blocked
    }

    public func dismissSuggestion(_ member: MemberID, _ dismissed: MemberID, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "INSERT INTO suggestion_dismissals (member_id, dismissed_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [member.rawValue, dismissed.rawValue, StoredTime.millis(date)])
        }
    }

    public func dismissedSuggestions(_ member: MemberID) async throws -> Set<MemberID> {
        // Held in memory: suggestions ask on every request (the dismissal triggers log the member's change).
        try await replayCacheChanges()
        return try await cache.dismissals(of: member) {
            try await pool.read { db in
                Set(
                    try String.fetchAll(
                        cached: db, sql: "SELECT dismissed_id FROM suggestion_dismissals WHERE member_id = ?", arguments: [member.rawValue]
                    ).map(MemberID.init))
            }
        }
    }

    public func openInvitationPartners(_ member: MemberID) async throws -> Set<MemberID> {
        // From the open invitations held in memory, as the count is: suggestions ask on every request.
        if cache.enabled { return Invitation.openPartners(of: member, in: try await openInvitations(of: member)) }
        return try await pool.read { db in
            Set(
                try String.fetchAll(
                    cached: db,
                    sql: """
                        SELECT to_id FROM invitations WHERE from_id = ? AND status IN ('pending', 'ignored')
                        UNION SELECT from_id FROM invitations WHERE to_id = ? AND status IN ('pending', 'ignored')
                        """,
                    arguments: [member.rawValue, member.rawValue]
                ).map(MemberID.init))
        }
    }

    // MARK: Introductions

    static func introduction(_ row: Row) -> Introduction {
        Introduction(
            id: row["id"], requester: MemberID(row["requester_id"]), via: MemberID(row["via_id"]),
            target: MemberID(row["target_id"]), message: row["message"],
            status: IntroductionStatus(rawValue: row["status"]) ?? .pending, forwardNote: row["forward_note"],
            createdAt: StoredTime.date(row["created_at"]), updatedAt: StoredTime.date(row["updated_at"]),
            conversationID: row["conversation_id"])
    }

    public func createIntroduction(_ i: Introduction) async throws {
        try await write { db in
            try db.execute(
                cached: """
                    INSERT INTO introductions (id, requester_id, via_id, target_id, message, status, forward_note, created_at,
                      updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    i.id, i.requester.rawValue, i.via.rawValue, i.target.rawValue, i.message, i.status.rawValue, i.forwardNote,
                    StoredTime.millis(i.createdAt), StoredTime.millis(i.updatedAt),
                ])
        }
    }

    public func introduction(id: String) async throws -> Introduction? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM introductions WHERE id = ?", arguments: [id]).map(Self.introduction)
        }
    }

    /// Only a pending introduction is answered: a forward and a decline racing each other cannot both land.
    public func setIntroductionStatus(id: String, _ status: IntroductionStatus, note: String?, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "UPDATE introductions SET status = ?, forward_note = ?, updated_at = ? WHERE id = ? AND status = ?",
                arguments: [status.rawValue, note, StoredTime.millis(date), id, IntroductionStatus.pending.rawValue])
        }
    }

    public func introductions(involving member: MemberID) async throws -> [Introduction] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT * FROM introductions WHERE requester_id = ? OR via_id = ? OR target_id = ?
                    ORDER BY created_at DESC, id DESC
                    """,
                arguments: [member.rawValue, member.rawValue, member.rawValue]
            ).map(Self.introduction)
        }
    }

    // MARK: People and organisations

    public func memberCards(ids: [MemberID]) async throws -> [MemberCard] {
        guard !ids.isEmpty else { return [] }
        try await replayCacheChanges()
        return try await cache.cards(inOrderOf: ids) { missing in try await readMemberCards(missing.map(\.rawValue)) }
    }

    private func readMemberCards(_ unique: [String]) async throws -> [MemberCard] {
        try await pool.read { db in
            var cards: [MemberCard] = []
            cards.reserveCapacity(unique.count)
            var start = 0
            while start < unique.count {
                let chunk = Array(unique[start..<min(start + Self.idsPerQuery, unique.count)])
                start += chunk.count
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(
                    cached: db,
                    sql: """
                        SELECT id, handle, name, headline, location, profile_visibility, connections_visibility, section_visibility,
                          photo_id
                        FROM members WHERE id IN (\(marks)) AND suspended_at IS NULL
                        """,
                    arguments: StatementArguments(chunk))
                for row in rows {
                    var card = MemberCard(
                        id: MemberID(row["id"]), handle: row["handle"], name: row["name"], headline: row["headline"],
                        location: row["location"],
                        profileVisibility: ProfileVisibility(rawValue: row["profile_visibility"]) ?? .members,
                        connectionsVisibility: ConnectionsVisibility(rawValue: row["connections_visibility"]) ?? .connections,
                        sectionVisibility: SectionVisibilities(stored: row["section_visibility"]))
                    card.photo = (row["photo_id"] as String?).map(PhotoRef.init)
                    cards.append(card)
                }
            }
            return cards
        }
    }

    public func membersAt(company: String, current: Bool) async throws -> [MemberID] {
        try await pool.read { db in
            let sql =
                current
                ? "SELECT DISTINCT member_id FROM positions WHERE company_id = ? AND end_month IS NULL ORDER BY member_id"
                : """
                SELECT DISTINCT member_id FROM positions p WHERE company_id = ? AND end_month IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM positions q WHERE q.company_id = p.company_id AND q.member_id = p.member_id
                                AND q.end_month IS NULL)
                ORDER BY member_id
                """
            return try String.fetchAll(cached: db, sql: sql, arguments: [company]).map(MemberID.init)
        }
    }

    /// From the member cache's lists of who is at each organisation (`MemberCache`, `SharedAffiliations`), read once
    /// and mended as members change; `sharedAffiliationsBySQL` answers the same in one query, every time.
    public func sharedAffiliations(of member: MemberID, limit: Int) async throws -> [SharedAffiliation] {
        guard cache.enabled else { return try await sharedAffiliationsBySQL(of: member, limit: limit) }
        try await replayCacheChanges()
        return try await cache.sharedAffiliations(
            of: member, limit: limit, rowsOf: { try await self.affiliationRows(members: $0.map(\.rawValue)) },
            rowsAt: { try await self.affiliationRows(at: $0) })
    }

    /// The employers and schools of these members.
    private func affiliationRows(members ids: [String]) async throws -> [AffiliationRow] {
        try await pool.read { db in
            var rows: [AffiliationRow] = []
            for start in stride(from: 0, to: ids.count, by: Self.idsPerQuery) {
                let chunk = Array(ids[start..<min(start + Self.idsPerQuery, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                rows += try Self.affiliationRows(
                    db, positionsWhere: "p.member_id IN (\(marks))", educationsWhere: "member_id IN (\(marks))", StatementArguments(chunk))
            }
            return rows
        }
    }

    /// Everyone's rows at these organisations.
    private func affiliationRows(at keys: [AffiliationRow.Key]) async throws -> [AffiliationRow] {
        let (companies, schools) = AffiliationRow.Key.split(keys)
        return try await pool.read { db in
            var rows: [AffiliationRow] = []
            for start in stride(from: 0, to: companies.count, by: Self.idsPerQuery) {
                let chunk = Array(companies[start..<min(start + Self.idsPerQuery, companies.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                rows += try Self.affiliationRows(db, positionsWhere: "p.company_id IN (\(marks))", educationsWhere: nil, StatementArguments(chunk))
            }
            for start in stride(from: 0, to: schools.count, by: Self.idsPerQuery) {
                let chunk = Array(schools[start..<min(start + Self.idsPerQuery, schools.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                rows += try Self.affiliationRows(db, positionsWhere: nil, educationsWhere: "school_key IN (\(marks))", StatementArguments(chunk))
            }
            return rows
        }
    }

    private static func affiliationRows(
        _ db: Database, positionsWhere: String?, educationsWhere: String?, _ arguments: StatementArguments
    ) throws -> [AffiliationRow] {
        var rows: [AffiliationRow] = []
        if let positionsWhere {
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT p.member_id, p.company_id, c.name, p.start_month, p.end_month
                    FROM positions p JOIN companies c ON c.id = p.company_id WHERE \(positionsWhere)
                    """, arguments: arguments)
            {
                rows.append(
                    .position(member: MemberID(row[0] as String), companyID: row[1], name: row[2], start: row[3], end: row[4]))
            }
        }
        if let educationsWhere {
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT member_id, school_key, school, start_year, end_year FROM educations
                    WHERE \(educationsWhere) AND school_key IS NOT NULL AND school_key <> ''
                    """, arguments: arguments)
            {
                rows.append(
                    .education(member: MemberID(row[0] as String), schoolKey: row[1], school: row[2], startYear: row[3], endYear: row[4]))
            }
        }
        return rows
    }

    /// The same question as `sharedAffiliations`, asked of the database each time (the cache turned off; the
    /// baseline its answers are compared with).
    public func sharedAffiliationsBySQL(of member: MemberID, limit: Int) async throws -> [SharedAffiliation] {
        try await pool.read { db in
            // Months compare as 'YYYY-MM' text, an open end as '9999-12'. A school's years run from the start year
            // (or the end year alone) to the end year (open when only the start is known); no years, no overlap.
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT member, kind, organisation_id, organisation_name, overlap FROM (
                      SELECT q.member_id AS member, 'company' AS kind, c.id AS organisation_id, c.name AS organisation_name,
                        MAX(p.start_month <= COALESCE(q.end_month, '9999-12')
                            AND q.start_month <= COALESCE(p.end_month, '9999-12')) AS overlap
                      FROM positions p
                      JOIN positions q ON q.company_id = p.company_id AND q.member_id <> p.member_id
                      JOIN companies c ON c.id = p.company_id
                      WHERE p.member_id = ?
                      GROUP BY q.member_id, c.id
                      UNION ALL
                      SELECT f.member_id, 'school', e.school_key, MIN(f.school),
                        MAX(COALESCE(COALESCE(e.start_year, e.end_year) <= COALESCE(f.end_year, 9999)
                            AND COALESCE(f.start_year, f.end_year) <= COALESCE(e.end_year, 9999), 0))
                      FROM educations e
                      JOIN educations f ON f.school_key = e.school_key AND f.member_id <> e.member_id
                      WHERE e.member_id = ? AND e.school_key IS NOT NULL AND e.school_key <> ''
                      GROUP BY f.member_id, e.school_key
                    )
                    ORDER BY overlap DESC, member, kind, organisation_id
                    LIMIT ?
                    """,
                arguments: [member.rawValue, member.rawValue, max(0, limit)]
            ).map { row in
                SharedAffiliation(
                    member: MemberID(row["member"]), kind: SharedAffiliation.Kind(rawValue: row["kind"]) ?? .company,
                    organisationID: row["organisation_id"], organisationName: row["organisation_name"],
                    overlap: (row["overlap"] as Int64?) == 1)
            }
        }
    }

    public func companies(matching query: String, limit: Int) async throws -> [(company: Company, memberCount: Int)] {
        let key = CompanyName.key(query)
        return try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT c.id, c.name, COUNT(DISTINCT p.member_id) AS members,
                      COUNT(DISTINCT CASE WHEN p.end_month IS NULL THEN p.member_id END) AS current
                    FROM companies c LEFT JOIN positions p ON p.company_id = c.id
                    WHERE substr(c.name_key, 1, length(?)) = ? OR instr(c.name, ?) > 0
                    GROUP BY c.id
                    ORDER BY members DESC, c.name, c.id
                    LIMIT ?
                    """,
                arguments: [key, key, query, max(0, limit)]
            ).map { row in
                let members: Int = row["members"]
                let current: Int = row["current"]
                return (
                    Company(id: row["id"], name: row["name"], currentMemberCount: current, pastMemberCount: members - current),
                    members
                )
            }
        }
    }
}
