import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

/// Sessions, profiles and cards kept in memory by each store, on SQLite and PostgreSQL alike: a change made through the
/// same store is seen by its next read, and one made through another store on the same data (another instance, or
/// `tsunagari admin`) within one replay interval — whatever wrote it.
@Suite("Member cache storage contract", .postgresTemplate)
struct MemberCacheContractTests {
    /// Longer than `MemberCache.replayInterval`: another store's change must be seen after this.
    static let afterReplay: Duration = MemberCache.replayInterval + .milliseconds(100)

    @Test("A change through one store is seen by its next read, and by another store's within the replay interval", arguments: StorageKind.tested)
    func changesAreSeen(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = store.storage
            let b = try store.reopen()
            defer { Task { try? await b.close() } }
            let cards = try #require(a as? any NetworkStore)
            let otherCards = try #require(b as? any NetworkStore)
            let x = Make.member("cache-x", name: "Before")
            let y = Make.member("cache-y")
            try await a.createMembers([x, y])
            let (xID, yID) = (x.account.memberID, y.account.memberID)
            try await a.createSession(Make.session(xID, "hash-x1"))
            try await a.createSession(Make.session(xID, "hash-x2"))
            try await a.createSession(Make.session(yID, "hash-y"))

            // Both stores read everything once, so each holds it in memory.
            for s in [a, b] {
                #expect(try await s.session(tokenHash: "hash-x1")?.role == .member)
                #expect(try await s.session(tokenHash: "hash-x2") != nil)
                #expect(try await s.profile(id: xID)?.fields.name == "Before")
                #expect(try await s.memberID(handle: "CACHE-X") == xID)
                #expect(try await s.account(id: xID)?.role == .member)
            }
            #expect(try await cards.memberCards(ids: [xID, yID]).count == 2)
            #expect(try await otherCards.memberCards(ids: [xID]).first?.name == "Before")

            // A profile edit through `a`: `a` sees it at once, `b` after one replay interval.
            try await a.updateFields(ProfileFieldsChange(name: "After", handle: "cache-x-new"), for: xID, at: Make.at(10))
            #expect(try await a.profile(id: xID)?.fields.name == "After")
            #expect(try await cards.memberCards(ids: [xID]).first?.name == "After")
            #expect(try await a.memberID(handle: "cache-x-new") == xID)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await b.profile(id: xID)?.fields.name == "After")
            #expect(try await otherCards.memberCards(ids: [xID]).first?.handle == "cache-x-new")
            #expect(try await b.memberID(handle: "cache-x-new") == xID)
            // The old handle is no longer this member's current one (it is only reserved for them).
            #expect(try await b.memberID(handle: "cache-x") == nil)

            // A session ended through `b` (logging out there) is gone for `a` too; the other session stays.
            try await b.deleteSession(tokenHash: "hash-x1")
            #expect(try await b.session(tokenHash: "hash-x1") == nil)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await a.session(tokenHash: "hash-x1") == nil)
            #expect(try await a.session(tokenHash: "hash-x2") != nil)

            // A role given through `b` reaches the session `a` holds.
            try await b.setRole(.recruiter, for: xID)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await a.session(tokenHash: "hash-x2")?.role == .recruiter)

            // A block through `b`, then lifted: `a`'s answer of who is blocked either way follows, for both members.
            #expect(try await cards.blockedEitherWay(xID).isEmpty)
            #expect(try await cards.blockedEitherWay(yID).isEmpty)
            try await otherCards.block(yID, xID, at: Make.at(20))
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await cards.blockedEitherWay(xID) == [yID])
            #expect(try await cards.blockedEitherWay(yID) == [xID])
            try await otherCards.unblock(yID, xID, at: Make.at(21))
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await cards.blockedEitherWay(xID).isEmpty)

            // The account (its role and address as `a` read them) follows too.
            #expect(try await a.account(id: xID)?.role == .recruiter)

            // Suspension through `b`: `a` no longer answers with the session, the profile or the card.
            guard let moderation = b as? any ModerationStore else { Issue.record("\(kind) has no ModerationStore"); return }
            #expect(try await a.session(tokenHash: "hash-y") != nil)
            #expect(try await a.profile(id: yID) != nil)
            let audit = AuditEntry(id: Make.id(900), at: Make.at(900), actor: "cli:ops", action: "member.suspend", subject: "y", detail: "")
            #expect(try await moderation.suspendMember(yID, reason: "spam", audit: audit))
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await a.session(tokenHash: "hash-y") == nil)
            #expect(try await a.profile(id: yID) == nil)
            #expect(try await a.profile(id: yID, includingSuspended: true) != nil)
            #expect(try await cards.memberCards(ids: [yID]).isEmpty)

            // A deleted member is gone everywhere, sessions and all.
            try await a.deleteMember(xID)
            #expect(try await a.session(tokenHash: "hash-x2") == nil)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await b.session(tokenHash: "hash-x2") == nil)
            #expect(try await b.profile(id: xID) == nil)
            #expect(try await otherCards.memberCards(ids: [xID]).isEmpty)
        }
    }

    /// PostgreSQL's instances learn of each other's writes by the cache log's notifications, which name the writing
    /// instance: each counts another's as a write (its next read replays) and passes over its own, since its own writes
    /// told its cache already. Notifications reach a listener in order, so once `a` has counted `b`'s, the one of its own
    /// sent before would have been counted too.
    @Test("An instance's cache counts other instances' notifications and passes over its own", arguments: StorageKind.tested.filter { $0 == .postgres })
    func notificationsNameTheirInstance(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = try #require(store.storage as? PostgresStorage)
            let b = try #require(try store.reopen() as? PostgresStorage)
            defer { Task { try? await b.close() } }
            #expect(a.instanceName != b.instanceName)
            let x = Make.member("notify-x")
            let y = Make.member("notify-y")
            try await a.createMembers([x, y])
            let (xID, yID) = (x.account.memberID, y.account.memberID)
            // Both listen (the first read starts the listener) and are replayed past its start.
            for s in [a, b] { _ = try await s.profile(id: xID) }
            try await Task.sleep(for: Self.afterReplay)
            for s in [a, b] { _ = try await s.profile(id: xID) }

            func counted(_ s: PostgresStorage, beyond count: UInt64) async throws -> Bool {
                for _ in 0..<100 {
                    if s.cache.writeCount > count { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            let (aBefore, bBefore) = (a.cache.writeCount, b.cache.writeCount)
            // A profile edit through `a` (its change known to `a`'s cache): `b` counts it, `a` does not.
            try await a.updateFields(ProfileFieldsChange(headline: .some("From a")), for: xID, at: Make.at(10))
            #expect(a.cache.writeCount == aBefore)
            #expect(try await counted(b, beyond: bBefore))
            #expect(try await b.profile(id: xID)?.fields.headline == "From a")
            // Then one through `b`: `a` counts that one alone.
            try await b.updateFields(ProfileFieldsChange(headline: .some("From b")), for: yID, at: Make.at(11))
            #expect(try await counted(a, beyond: aBefore))
            #expect(a.cache.writeCount == aBefore + 1)
            #expect(try await a.profile(id: yID)?.fields.headline == "From b")
        }
    }

    /// A session's expiry changed behind the cache's back (an UPDATE the triggers do not log) shows whether the session
    /// was read again: a profile edit keeps it held, a change of the account's columns does not.
    @Test("A profile edit keeps the member's sessions held; a change of the account drops them", arguments: StorageKind.tested)
    func profileEditsKeepSessions(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = store.storage
            let x = Make.member("cache-keep", name: "Keep")
            try await a.createMembers([x])
            let xID = x.account.memberID
            let session = Make.session(xID, "hash-keep")
            try await a.createSession(session)
            // Read twice, the second after the store's listener began (its start counts as a write): held from then on.
            #expect(try await a.session(tokenHash: "hash-keep")?.expiresAt == session.expiresAt)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await a.session(tokenHash: "hash-keep")?.expiresAt == session.expiresAt)
            #expect(try await a.account(id: xID)?.role == .member)
            let later = session.expiresAt.addingTimeInterval(3600)
            let millis = String(Int64((later.timeIntervalSince1970 * 1000).rounded()))
            switch kind {
            case .sqlite:
                try await #require(a as? SQLiteStorage).execute(
                    sql: "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", arguments: [millis, "hash-keep"])
            case .postgres:
                try await #require(a as? PostgresStorage).execute(
                    sql: "UPDATE sessions SET expires_at = $1::bigint WHERE token_hash = $2", arguments: [millis, "hash-keep"])
            }
            #expect(try await a.session(tokenHash: "hash-keep")?.expiresAt == session.expiresAt, "the session is held")
            // A profile edit: the profile is read again, the session is not.
            try await a.updateFields(ProfileFieldsChange(headline: .some("Edited")), for: xID, at: Make.at(10))
            #expect(try await a.profile(id: xID)?.fields.headline == "Edited")
            #expect(try await a.session(tokenHash: "hash-keep")?.expiresAt == session.expiresAt)
            // A role given (a column of the account): the session is read again, with the role and the new expiry.
            try await a.setRole(.recruiter, for: xID)
            let reread = try await a.session(tokenHash: "hash-keep")
            #expect(reread?.role == .recruiter && reread?.expiresAt == later)
            #expect(try await a.account(id: xID)?.role == .recruiter)
        }
    }

    /// SQLite: a commit by another process changes the write-ahead log's file, which the next look (at most a
    /// millisecond later) sees, so it is replayed before the replay interval is up.
    @Test("Requests that need a replay at once share one read of the log, and each sees what was committed before it", arguments: StorageKind.tested)
    func requestsShareAReplay(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = store.storage
            func replays() -> Int {
                if let s = a as? SQLiteStorage { return s.cache.replaysRun }
                if let s = a as? PostgresStorage { return s.cache.replaysRun }
                Issue.record("unknown storage")
                return 0
            }
            let x = Make.member("cache-herd", name: "Before")
            try await a.createMembers([x])
            let xID = x.account.memberID
            #expect(try await a.profile(id: xID)?.fields.name == "Before")
            for round in 1...3 {
                // Changed through another store; then 64 reads at once, all due for a replay.
                let other = try store.reopen()
                try await other.updateFields(ProfileFieldsChange(name: "Round \(round)"), for: xID, at: Make.at(round))
                try await other.close()
                try await Task.sleep(for: Self.afterReplay)
                let before = replays()
                let names = try await withThrowingTaskGroup(of: String?.self) { group in
                    for _ in 0..<64 { group.addTask { try await a.profile(id: xID)?.fields.name } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(names.allSatisfy { $0 == "Round \(round)" }, "round \(round): \(Set(names))")
                #expect(replays() - before <= 4, "round \(round): \(replays() - before) reads of the log for 64 requests")
            }
        }
    }

    /// On PostgreSQL a statement that may write makes the next answer from memory replay the log: a `WITH` whose parts
    /// write is one (a message's statement, whose triggers log the unread counts).
    @Test func statementsThatWriteAreToldApart() {
        let writes = TrackedPostgresClient.writes
        #expect(!writes("SELECT * FROM posts") && !writes("  select 1"))
        #expect(!writes("WITH target AS (SELECT id FROM posts WHERE seq = $1) SELECT * FROM target"))
        #expect(writes(AddMessage.sql))
        #expect(writes("WITH d AS (DELETE FROM t WHERE a = 1 RETURNING a) SELECT COUNT(*) FROM d"))
        #expect(writes("UPDATE t SET a = 1") && writes("INSERT INTO t VALUES (1)") && writes("DELETE FROM t"))
    }

    @Test func anotherProcesssCommitIsSeenWithinMilliseconds() async throws {
        try await withStore(.sqlite) { store in
            let a = store.storage
            let x = Make.member("cache-wal", name: "Before")
            try await a.createMembers([x])
            let xID = x.account.memberID
            for round in 1...5 {
                #expect(try await a.profile(id: xID)?.fields.name != "Round \(round)")
                let other = try store.reopen()
                try await other.updateFields(ProfileFieldsChange(name: "Round \(round)"), for: xID, at: Make.at(round))
                try await other.close()
                try await Task.sleep(for: .milliseconds(5))
                #expect(try await a.profile(id: xID)?.fields.name == "Round \(round)", "round \(round)")
            }
        }
    }

    @Test("A statement outside the storage API (an operator's UPDATE) is logged by the database's triggers", arguments: StorageKind.tested)
    func triggersLogEveryWriter(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = store.storage
            let x = Make.member("cache-raw", name: "Raw before")
            try await a.createMembers([x])
            let xID = x.account.memberID
            #expect(try await a.profile(id: xID)?.fields.name == "Raw before")
            // Written by a second store that is then closed, as `tsunagari admin` would from another process.
            let other = try store.reopen()
            try await other.setRole(.admin, for: xID)
            try await other.updateFields(ProfileFieldsChange(name: "Raw after"), for: xID, at: Make.at(20))
            try await other.close()
            try await Task.sleep(for: Self.afterReplay)
            let profile = try await a.profile(id: xID)
            #expect(profile?.fields.name == "Raw after" && profile?.role == .admin)

            // The log pruned (every row older than a minute from now): changes after it are still numbered on, and seen.
            try await a.pruneMemberCacheChanges(before: Date().addingTimeInterval(60))
            let third = try store.reopen()
            try await third.updateFields(ProfileFieldsChange(name: "After pruning"), for: xID, at: Make.at(30))
            try await third.close()
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await a.profile(id: xID)?.fields.name == "After pruning")
        }
    }

    @Test("Unread counts held in memory follow every message, reading and notification, through either store", arguments: StorageKind.tested)
    func unreadCountsFollowChanges(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = try store.messaging
            let b = try #require(try store.reopen() as? any MessagingStorage)
            defer { Task { try? await b.close() } }
            let ids = try await makeMembers(a, 4, prefix: "unread")
            let me = ids[0]
            func counts(_ s: any MessagingStorage, _ member: MemberID = me) async throws -> (notes: [String], conversations: Int) {
                (try await s.unreadNotifications(of: member, limit: 10).map(\.id), try await s.unreadConversationCount(of: member))
            }
            // What a store reading afresh finds, which the held answers must equal after every change, for everyone.
            func expectCurrent(_ when: String) async throws {
                let fresh = try #require(try store.reopen() as? any MessagingStorage)
                defer { Task { try? await fresh.close() } }
                for member in ids {
                    let want = try await counts(fresh, member)
                    for s in [a, b] { #expect(try await counts(s, member) == want, "\(when), \(member)") }
                }
            }
            // Both stores hold "none" first.
            for s in [a, b] { #expect(try await counts(s) == ([], 0)) }
            // A conversation started through `a`: its next read has it; `b` within the replay interval.
            let first = Make.conversation(by: ids[1], with: [me], at: 1)
            _ = try await a.startConversation(first, messages: [Make.message(first.id, from: ids[1], at: 1)])
            #expect(try await counts(a).conversations == 1)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await counts(b).conversations == 1)
            // Another message there, and a second conversation, through `b`.
            let reply = Make.message(first.id, from: ids[1], "追伸", at: 2)
            #expect(try await b.addMessage(reply))
            let second = Make.conversation(by: ids[2], with: [me], at: 3)
            _ = try await b.startConversation(second, messages: [Make.message(second.id, from: ids[2], at: 3)])
            #expect(try await counts(b).conversations == 2)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await counts(a).conversations == 2)
            try await expectCurrent("after messages")
            // Read through `a`: one left, on both.
            #expect(try await a.markRead(conversation: first.id, member: me, upTo: reply.id))
            #expect(try await counts(a).conversations == 1)
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await counts(b).conversations == 1)
            // A new message in the conversation read brings it back.
            #expect(try await a.addMessage(Make.message(first.id, from: ids[1], "もう一つ", at: 4)))
            #expect(try await counts(a).conversations == 2)
            try await Task.sleep(for: Self.afterReplay)
            try await expectCurrent("after reading and a new message")
            // Notifications: one created through `b`, one gathered into through `a`, then read.
            let note = MemberNotification(
                id: Make.id(5), member: me, kind: .reaction, actor: ids[1], subjectID: "post-1", subjectName: nil, members: [ids[1]],
                count: 1, groupKey: "reaction:post-1", createdAt: Make.at(5))
            try await b.createNotification(note)
            #expect(try await counts(b).notes == [note.id])
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await counts(a).notes == [note.id])
            var more = note
            more.id = Make.id(6)
            more.actor = ids[2]
            more.members = [ids[2]]
            let gathered = try await a.gatherNotification(more, keep: 3)
            #expect(try await a.unreadNotifications(of: me, limit: 10).first?.members == [ids[2], ids[1]])
            try await Task.sleep(for: Self.afterReplay)
            #expect(try await b.unreadNotifications(of: me, limit: 10).first?.members == [ids[2], ids[1]])
            #expect(try await a.markNotificationsRead(of: me, upTo: gathered.id) == 1)
            #expect(try await counts(a).notes.isEmpty)
            try await Task.sleep(for: Self.afterReplay)
            try await expectCurrent("after notifications")
            // A member who wrote to me leaves: both stores follow.
            try await b.deleteMember(ids[2])
            try await Task.sleep(for: Self.afterReplay)
            try await expectCurrent("after a member left")
        }
    }
}
