import Foundation
import Testing
@testable import TsunagariCore

/// The cache's own rules, apart from any database: what the change log drops, when a replay is due, that a read
/// begun before a change cannot fill the cache after it, and how a gap in the log's numbers is waited for.
@Suite("Member cache")
struct MemberCacheTests {
    static let t0 = ContinuousClock.now
    static let x = MemberID("member-x")
    static let y = MemberID("member-y")

    static func session(_ member: MemberID, _ hash: String) -> Session {
        Session(tokenHash: hash, memberID: member, kind: .web, createdAt: Date(timeIntervalSince1970: 0), expiresAt: .distantFuture)
    }

    static func card(_ member: MemberID, _ name: String) -> MemberCard {
        MemberCard(
            id: member, handle: member.rawValue, name: name, headline: nil, location: nil, profileVisibility: .members,
            connectionsVisibility: .connections, sectionVisibility: SectionVisibilities())
    }

    /// A cache replayed once from an empty log, holding two sessions of x, one of y and both cards.
    static func filled() -> MemberCache {
        let cache = MemberCache()
        cache.replayed([], startingAt: 10, writesCovered: cache.replayStarting(), now: t0)
        let generation = cache.generation
        for s in [session(x, "x1"), session(x, "x2"), session(y, "y1")] { cache.store(session: s, generation: generation, now: t0) }
        cache.store(cards: [card(x, "X"), card(y, "Y")], generation: generation, now: t0)
        return cache
    }

    @Test func changesDropWhatTheyName() {
        let cache = Self.filled()
        #expect(cache.counts.sessions == 3 && cache.counts.cards == 2)
        // One deleted session: only that one goes.
        cache.replayed([.init(sequence: 11, member: Self.x, tokenHash: "x1")], writesCovered: 0, now: Self.t0)
        #expect(cache.session("x1", now: Self.t0) == nil && cache.session("x2", now: Self.t0) != nil)
        #expect(cache.heldCards([Self.x], now: Self.t0).compactMap { $0 }.count == 1)
        // A member's row changed: every session of theirs and their card go; y's stay.
        cache.replayed([.init(sequence: 12, member: Self.x, tokenHash: nil)], writesCovered: 0, now: Self.t0)
        #expect(cache.session("x2", now: Self.t0) == nil && cache.session("y1", now: Self.t0) != nil)
        #expect(cache.heldCards([Self.x, Self.y], now: Self.t0).map { $0 == nil } == [true, false])
        #expect(cache.replayCursor == 12)
    }

    /// A change of a member's invitations drops their open invitations alone: their sessions and card stay held.
    @Test func anInvitationChangeDropsOnlyOpenInvitations() {
        let cache = Self.filled()
        let invitation = Invitation(
            id: "i1", from: Self.x, to: Self.y, message: nil, status: .pending, createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0))
        for member in [Self.x, Self.y] { cache.store(openInvitations: [invitation], of: member, generation: cache.generation, now: Self.t0) }
        cache.replayed([.init(sequence: 11, member: Self.x, tokenHash: MemberCache.Change.invitations)], writesCovered: 0, now: Self.t0)
        #expect(cache.openInvitations(of: Self.x, now: Self.t0) == nil)
        #expect(cache.openInvitations(of: Self.y, now: Self.t0)?.map(\.id) == ["i1"])
        #expect(cache.session("x1", now: Self.t0) != nil && cache.session("x2", now: Self.t0) != nil)
        #expect(cache.heldCards([Self.x], now: Self.t0).compactMap { $0 }.count == 1)
        // A change of the member's row drops them too.
        cache.replayed([.init(sequence: 12, member: Self.y, tokenHash: nil)], writesCovered: 0, now: Self.t0)
        #expect(cache.openInvitations(of: Self.y, now: Self.t0) == nil)
    }

    /// A member's dismissals and matched contacts are read once and held; a change of them (`Change.suggestions`) or of
    /// the member's row drops them and nothing else; a read begun before such a change is not kept.
    @Test func suggestionInputsAreHeldUntilTheirChange() async {
        let cache = Self.filled()
        var reads = 0
        var dismissed: Set<MemberID> = [Self.y]
        var matches: [ContactMatch] = [(Self.x, Self.y, .card)]
        func ask(_ member: MemberID = Self.x) async -> (Set<MemberID>, [MemberID]) {
            let d = await cache.dismissals(of: member, now: Self.t0) { reads += 1; return dismissed }
            let m = await cache.contactMatches(of: member, now: Self.t0) { reads += 1; return matches }
            return (d, m.map(\.member))
        }
        #expect(await ask() == ([Self.y], [Self.y]) && reads == 2)
        dismissed = []
        matches = []
        #expect(await ask() == ([Self.y], [Self.y]) && reads == 2, "held: no read")
        // Another member's change, and a change of x's invitations or profile, leave x's held.
        let others = [(Self.y, MemberCache.Change.suggestions), (Self.x, MemberCache.Change.invitations), (Self.x, MemberCache.Change.profile)]
        for (offset, (member, mark)) in others.enumerated() {
            cache.replayed([.init(sequence: 11 + Int64(offset), member: member, tokenHash: mark)], writesCovered: 0, now: Self.t0)
        }
        #expect(await ask() == ([Self.y], [Self.y]) && reads == 2)
        // x's own change drops both, and only them.
        cache.replayed([.init(sequence: 14, member: Self.x, tokenHash: MemberCache.Change.suggestions)], writesCovered: 0, now: Self.t0)
        #expect(cache.session("x1", now: Self.t0) != nil && cache.session("y1", now: Self.t0) != nil)
        #expect(cache.heldCards([Self.y], now: Self.t0).compactMap { $0 }.count == 1, "y's suggestions changed, not their card")
        #expect(await ask() == ([], []) && reads == 4)
        // A change of x's row drops them too.
        dismissed = [Self.y]
        cache.replayed([.init(sequence: 15, member: Self.x, tokenHash: nil)], writesCovered: 0, now: Self.t0)
        #expect(await ask() == ([Self.y], []) && reads == 6)
        // A read during which the change is replayed answers what it read, and the next request reads again.
        dismissed = []
        cache.replayed([.init(sequence: 16, member: Self.x, tokenHash: MemberCache.Change.suggestions)], writesCovered: 0, now: Self.t0)
        let during = await cache.dismissals(of: Self.x, now: Self.t0) {
            reads += 1
            cache.replayed([.init(sequence: 17, member: Self.x, tokenHash: MemberCache.Change.suggestions)], writesCovered: 0, now: Self.t0)
            return [Self.y]
        }
        #expect(during == [Self.y])
        #expect(await cache.dismissals(of: Self.x, now: Self.t0) { reads += 1; return dismissed } == [] && reads == 8)
        // Not trusted past their age; a disabled cache reads every time.
        #expect(await cache.dismissals(of: Self.x, now: Self.t0 + MemberCache.maximumAge) { reads += 1; return dismissed } == [] && reads == 9)
        let off = MemberCache(enabled: false)
        for _ in 0..<2 { _ = await off.dismissals(of: Self.x) { reads += 1; return dismissed } }
        #expect(reads == 11)
    }

    /// What the header counts (unread notifications as stored, unread conversations) is held until the member's own
    /// `~unread` change or a change of their row; a list is used only for the limit it was read with.
    @Test func unreadCountsAreHeldUntilTheirChange() async {
        let cache = Self.filled()
        var reads = 0
        let note = MemberNotification(
            id: "n1", member: Self.x, kind: .reaction, actor: Self.y, subjectID: "p1", subjectName: nil, members: [Self.y], count: 1,
            createdAt: Date(timeIntervalSince1970: 0))
        var notes = [note]
        var conversations = 3
        func ask(_ member: MemberID = Self.x, limit: Int = 100) async -> ([String], Int) {
            let n = await cache.unreadNotifications(of: member, limit: limit, now: Self.t0) { reads += 1; return notes }
            let c = await cache.unreadConversations(of: member, now: Self.t0) { reads += 1; return conversations }
            return (n.map(\.id), c)
        }
        #expect(await ask() == (["n1"], 3) && reads == 2)
        notes = []
        conversations = 0
        #expect(await ask() == (["n1"], 3) && reads == 2, "held: no read")
        // Another limit reads (and keeps what it read); y's change and x's other marks leave x's held.
        #expect(await cache.unreadNotifications(of: Self.x, limit: 5, now: Self.t0) { reads += 1; return notes }.isEmpty && reads == 3)
        notes = [note]
        #expect(await cache.unreadNotifications(of: Self.x, limit: 5, now: Self.t0) { reads += 1; return notes }.isEmpty && reads == 3)
        let others = [
            (Self.y, MemberCache.Change.unread), (Self.x, MemberCache.Change.invitations), (Self.x, MemberCache.Change.profile),
            (Self.x, MemberCache.Change.suggestions),
        ]
        for (offset, (member, mark)) in others.enumerated() {
            cache.replayed([.init(sequence: 11 + Int64(offset), member: member, tokenHash: mark)], writesCovered: 0, now: Self.t0)
        }
        #expect(await ask(limit: 5) == ([], 3) && reads == 3)
        // x's own change drops both, and only them.
        cache.replayed([.init(sequence: 15, member: Self.x, tokenHash: MemberCache.Change.unread)], writesCovered: 0, now: Self.t0)
        #expect(cache.session("x1", now: Self.t0) != nil && cache.session("y1", now: Self.t0) != nil)
        #expect(cache.heldCards([Self.y], now: Self.t0).compactMap { $0 }.count == 1, "y's unread changed, not their card")
        #expect(await ask() == (["n1"], 0) && reads == 5)
        // A change of x's row drops them too.
        conversations = 2
        cache.replayed([.init(sequence: 16, member: Self.x, tokenHash: nil)], writesCovered: 0, now: Self.t0)
        #expect(await ask() == (["n1"], 2) && reads == 7)
        // A read during which the change is replayed answers what it read, and the next request reads again.
        cache.replayed([.init(sequence: 17, member: Self.x, tokenHash: MemberCache.Change.unread)], writesCovered: 0, now: Self.t0)
        let during = await cache.unreadConversations(of: Self.x, now: Self.t0) {
            reads += 1
            cache.replayed([.init(sequence: 18, member: Self.x, tokenHash: MemberCache.Change.unread)], writesCovered: 0, now: Self.t0)
            return 9
        }
        #expect(during == 9)
        #expect(await cache.unreadConversations(of: Self.x, now: Self.t0) { reads += 1; return conversations } == 2 && reads == 9)
        // Not trusted past their age; a disabled cache reads every time.
        #expect(await cache.unreadConversations(of: Self.x, now: Self.t0 + MemberCache.maximumAge) { reads += 1; return 1 } == 1 && reads == 10)
        let off = MemberCache(enabled: false)
        for _ in 0..<2 { _ = await off.unreadNotifications(of: Self.x, limit: 100) { reads += 1; return notes } }
        #expect(reads == 12)
    }

    /// A company seen to exist is held (nothing deletes one); one not found is asked each time; the bound starts the set
    /// over; a disabled cache asks every time.
    @Test func companiesSeenToExistAreHeld() async throws {
        final class Reads: @unchecked Sendable { var count = 0 }
        let reads = Reads()
        func exists(_ cache: MemberCache, _ id: String, stored: Set<String> = ["c1", "c2", "c3"]) async throws -> Bool {
            try await cache.companyExists(id) { reads.count += 1; return stored.contains(id) }
        }
        let cache = MemberCache(limits: .init(companies: 2))
        #expect(try await exists(cache, "c1") && reads.count == 1)
        #expect(try await exists(cache, "c1") && reads.count == 1)
        #expect(try await !exists(cache, "none") && reads.count == 2)
        #expect(try await !exists(cache, "none") && reads.count == 3)
        // A company made since it was asked about is found.
        #expect(try await exists(cache, "none", stored: ["none"]) && reads.count == 4)
        #expect(try await exists(cache, "none") && reads.count == 4)
        // A third company starts the set over.
        #expect(try await exists(cache, "c2") && reads.count == 5)
        #expect(try await exists(cache, "c1") && reads.count == 6)
        let off = MemberCache(enabled: false)
        #expect(try await exists(off, "c1"))
        #expect(try await exists(off, "c1"))
        #expect(reads.count == 8)
    }

    /// Lists of unread notifications are held only when short, and for a bounded number of members.
    @Test func longUnreadListsAreReadEachTime() async {
        let cache = MemberCache(limits: MemberCache.Limits(unreadLists: 3))
        cache.replayed([], startingAt: 10, writesCovered: cache.replayStarting(), now: Self.t0)
        func notes(_ count: Int) -> [MemberNotification] {
            (0..<count).map { index in
                MemberNotification(
                    id: "n\(index)", member: Self.x, kind: .reaction, actor: Self.y, subjectID: "p\(index)", subjectName: nil,
                    members: [Self.y], count: 1, createdAt: Date(timeIntervalSince1970: 0))
            }
        }
        var reads = 0
        let long = notes(MemberCache.unreadListHeld + 1)
        for _ in 0..<2 { _ = await cache.unreadNotifications(of: Self.x, limit: 100, now: Self.t0) { reads += 1; return long } }
        #expect(reads == 2, "a list longer than unreadListHeld is read each time")
        let short = notes(MemberCache.unreadListHeld)
        for _ in 0..<2 { _ = await cache.unreadNotifications(of: Self.y, limit: 100, now: Self.t0) { reads += 1; return short } }
        #expect(reads == 3, "one as long as unreadListHeld is held")
        // Three members held; a fourth starts the lists over.
        for member in ["a", "b", "c"].map(MemberID.init) {
            _ = await cache.unreadNotifications(of: member, limit: 100, now: Self.t0) { reads += 1; return [] }
        }
        #expect(reads == 6)
        _ = await cache.unreadNotifications(of: Self.y, limit: 100, now: Self.t0) { reads += 1; return short }
        #expect(reads == 7, "y's list went when the fourth member was held")
    }

    /// A change of a member's profile alone drops what shows the profile (profile, card, employer, affiliations) and
    /// keeps what comes from the account and other tables (sessions, account, blocks, invitations).
    @Test func aProfileChangeKeepsSessionsAndAccount() {
        let cache = Self.filled()
        let generation = cache.generation
        let account = Account(memberID: Self.x, email: "x@example.test", passwordHash: "h", role: .member, createdAt: Date(timeIntervalSince1970: 0))
        cache.store(account: account, generation: generation, now: Self.t0)
        cache.store(employer: CompanyRef(id: "c1", name: "C1"), of: Self.x, generation: generation, now: Self.t0)
        cache.store(blocked: [Self.y], of: Self.x, generation: generation, now: Self.t0)
        cache.store(openInvitations: [], of: Self.x, generation: generation, now: Self.t0)
        cache.replayed([.init(sequence: 11, member: Self.x, tokenHash: MemberCache.Change.profile)], writesCovered: 0, now: Self.t0)
        #expect(cache.heldCards([Self.x], now: Self.t0) == [nil])
        #expect(cache.employer(Self.x, now: Self.t0) == nil)
        #expect(cache.session("x1", now: Self.t0) != nil && cache.session("x2", now: Self.t0) != nil)
        #expect(cache.account(Self.x, now: Self.t0) == account)
        #expect(cache.blocked(Self.x, now: Self.t0) == [Self.y])
        #expect(cache.openInvitations(of: Self.x, now: Self.t0) == [])
        // A change of the account's columns (a full change) drops those too.
        cache.replayed([.init(sequence: 12, member: Self.x, tokenHash: nil)], writesCovered: 0, now: Self.t0)
        #expect(cache.session("x1", now: Self.t0) == nil && cache.account(Self.x, now: Self.t0) == nil)
        #expect(cache.blocked(Self.x, now: Self.t0) == nil && cache.openInvitations(of: Self.x, now: Self.t0) == nil)
    }

    /// Shared affiliations: a changed member's rows leave the lists held at once, and their rows as they are now are
    /// mended in (kept in member order); lists not held are left alone.
    @Test func affiliationListsAreMendedFromTheChangedMembersRows() {
        let cache = Self.filled()
        let z = MemberID("member-z")
        func row(_ member: MemberID, _ company: String) -> AffiliationRow {
            .position(member: member, companyID: company, name: company, start: "2020-01", end: nil)
        }
        cache.store(organisation: .company("c1"), rows: [row(z, "c1"), row(Self.x, "c1")], generation: cache.generation, now: Self.t0)
        #expect(cache.organisation(.company("c1"), now: Self.t0)?.map(\.member) == [Self.x, z])
        // y joins c1 and c2 (c2 not held); x leaves c1.
        cache.replayed(
            [.init(sequence: 11, member: Self.y, tokenHash: nil), .init(sequence: 12, member: Self.x, tokenHash: nil)], writesCovered: 0,
            now: Self.t0)
        #expect(cache.organisation(.company("c1"), now: Self.t0)?.map(\.member) == [z])
        let changed = cache.changedAffiliations()
        #expect(Set(changed) == [Self.x, Self.y])
        cache.mend(changed, rows: [row(Self.y, "c1"), row(Self.y, "c2")])
        #expect(cache.organisation(.company("c1"), now: Self.t0)?.map(\.member) == [Self.y, z])
        #expect(cache.organisation(.company("c2"), now: Self.t0) == nil)
        #expect(cache.changedAffiliations().isEmpty)
        // Invitation changes do not touch the lists.
        cache.replayed([.init(sequence: 13, member: z, tokenHash: MemberCache.Change.invitations)], writesCovered: 0, now: Self.t0)
        #expect(cache.organisation(.company("c1"), now: Self.t0)?.count == 2 && cache.changedAffiliations().isEmpty)
    }

    /// A shared-affiliation answer is given again without a read while the member's rows and its lists are held
    /// unchanged; a change of anyone at one of those organisations, or of the member, makes it anew.
    @Test func sharedAffiliationAnswersAreKeptWhileTheirListsAre() async throws {
        let cache = MemberCache()
        cache.replayed([], startingAt: 10, writesCovered: cache.replayStarting())
        let (x, y, z) = (Self.x, Self.y, MemberID("member-z"))
        func row(_ member: MemberID, _ company: String) -> AffiliationRow {
            .position(member: member, companyID: company, name: company, start: "2020-01", end: nil)
        }
        var table = [row(x, "c1"), row(y, "c1"), row(z, "c2")]
        var reads = 0
        func ask(_ limit: Int = 10) async throws -> [(MemberID, String)] {
            try await cache.sharedAffiliations(
                of: x, limit: limit,
                rowsOf: { ids in
                    reads += 1
                    return table.filter { ids.contains($0.member) }
                },
                rowsAt: { keys in
                    reads += 1
                    return table.filter { keys.contains($0.key) }
                }
            ).map { ($0.member, $0.organisationID) }
        }
        #expect(try await ask().elementsEqual([(y, "c1")], by: ==))
        #expect(reads == 2)
        #expect(try await ask().elementsEqual([(y, "c1")], by: ==))
        #expect(try await ask(0).isEmpty)
        #expect(reads == 2, "kept")
        // z joins c1: mended in (one read of z's rows), and the answer is made anew from the lists held.
        table.append(row(z, "c1"))
        cache.replayed([.init(sequence: 11, member: z, tokenHash: nil)], writesCovered: 0)
        #expect(try await ask().elementsEqual([(y, "c1"), (z, "c1")], by: ==))
        #expect(reads == 3)
        #expect(try await ask(1).elementsEqual([(y, "c1")], by: ==))
        #expect(reads == 3, "kept")
        // x leaves c1 for c2: x's rows and c2's list are read.
        table.removeAll { $0.member == x }
        table.append(row(x, "c2"))
        cache.replayed([.init(sequence: 12, member: x, tokenHash: nil)], writesCovered: 0)
        #expect(try await ask().elementsEqual([(z, "c2")], by: ==))
        #expect(reads == 6)
        // A change of invitations alone keeps it.
        cache.replayed([.init(sequence: 13, member: z, tokenHash: MemberCache.Change.invitations)], writesCovered: 0)
        #expect(try await ask().elementsEqual([(z, "c2")], by: ==))
        #expect(reads == 6, "kept")
    }

    @Test func aReadBegunBeforeAChangeDoesNotFillTheCache() {
        let cache = Self.filled()
        let before = cache.generation
        // Another request replays a change of y while this one is reading y's old card from the database.
        cache.replayed([.init(sequence: 11, member: Self.y, tokenHash: nil)], writesCovered: 0, now: Self.t0)
        cache.store(cards: [Self.card(Self.y, "old"), Self.card(Self.x, "X2")], generation: before, now: Self.t0)
        #expect(cache.heldCards([Self.y], now: Self.t0) == [nil])
        // x did not change: what was read of x is kept.
        #expect(cache.heldCards([Self.x], now: Self.t0).first??.name == "X2")
        // A list of everyone at an organisation may hold anyone's old row: refused after any change.
        let row = AffiliationRow.position(member: Self.x, companyID: "c9", name: "c9", start: "2020-01", end: nil)
        cache.store(organisation: .company("c9"), rows: [row], generation: before, now: Self.t0)
        #expect(cache.organisation(.company("c9"), now: Self.t0) == nil)
        // A write of this instance's own refuses nothing by itself; the replay it calls for does, for what it changed.
        let again = cache.generation
        cache.wrote()
        cache.store(session: Self.session(Self.y, "y2"), generation: again, now: Self.t0)
        #expect(cache.needsReplay(now: Self.t0))
        let covered = cache.replayStarting()
        cache.replayed([.init(sequence: 12, member: Self.y, tokenHash: nil)], writesCovered: covered, now: Self.t0)
        #expect(cache.session("y2", now: Self.t0) == nil)
        cache.store(session: Self.session(Self.y, "y3"), generation: again, now: Self.t0)
        #expect(cache.session("y3", now: Self.t0) == nil)
        // A read begun after both fills it.
        cache.store(cards: [Self.card(Self.y, "new")], generation: cache.generation, now: Self.t0)
        #expect(cache.heldCards([Self.y], now: Self.t0).first??.name == "new")
    }

    @Test func aWriteWhoseChangesAreKnownDropsThemAtOnce() {
        let cache = Self.filled()
        let before = cache.generation
        cache.wroteKnown([.init(sequence: 0, member: Self.y, tokenHash: MemberCache.Change.profile)])
        // No replay is needed for it; y's card is gone now and a fill of it begun before stays out, while y's sessions
        // (a profile change) and x's card stay.
        #expect(!cache.needsReplay(now: Self.t0))
        #expect(cache.heldCards([Self.y], now: Self.t0) == [nil])
        #expect(cache.session("y1", now: Self.t0) != nil)
        cache.store(cards: [Self.card(Self.y, "old"), Self.card(Self.x, "X2")], generation: before, now: Self.t0)
        #expect(cache.heldCards([Self.y], now: Self.t0) == [nil])
        #expect(cache.heldCards([Self.x], now: Self.t0).first??.name == "X2")
        // The log's row of that write, replayed later, drops y again.
        cache.store(cards: [Self.card(Self.y, "new")], generation: cache.generation, now: Self.t0)
        cache.replayed([.init(sequence: 11, member: Self.y, tokenHash: MemberCache.Change.profile)], writesCovered: 0, now: Self.t0)
        #expect(cache.heldCards([Self.y], now: Self.t0) == [nil])
    }

    /// A new invitation this instance wrote joins the open invitations held of both its members, at once.
    @Test func aNewInvitationJoinsTheListsHeld() {
        let cache = Self.filled()
        let z = MemberID("member-z")
        func invitation(_ id: String, _ from: MemberID, _ to: MemberID) -> Invitation {
            Invitation(id: id, from: from, to: to, message: nil, status: .pending, createdAt: Date(timeIntervalSince1970: 1), updatedAt: Date(timeIntervalSince1970: 1))
        }
        func changes(_ members: MemberID...) -> [MemberCache.Change] {
            members.map { MemberCache.Change(sequence: 0, member: $0, tokenHash: MemberCache.Change.invitations) }
        }
        let old = invitation("i1", Self.x, Self.y)
        cache.store(openInvitations: [old], of: Self.x, generation: cache.generation, now: Self.t0)
        cache.store(openInvitations: [], of: z, generation: cache.generation, now: Self.t0)
        let before = cache.generation
        let new = invitation("i2", Self.x, z)
        cache.wroteKnown(changes(Self.x, z), adding: new)
        #expect(cache.openInvitations(of: Self.x, now: Self.t0) == [old, new])
        #expect(cache.openInvitations(of: z, now: Self.t0) == [new])
        #expect(cache.openInvitations(of: Self.y, now: Self.t0) == nil)
        #expect(!cache.needsReplay(now: Self.t0))
        // A read of x's list begun before the write stays out.
        cache.store(openInvitations: [old], of: Self.x, generation: before, now: Self.t0)
        #expect(cache.openInvitations(of: Self.x, now: Self.t0) == [old, new])
        // A write that created none (or one not open) drops the lists.
        cache.wroteKnown(changes(Self.x))
        #expect(cache.openInvitations(of: Self.x, now: Self.t0) == nil)
        #expect(cache.openInvitations(of: z, now: Self.t0) == [new])
    }

    @Test func pastTheInvalidationsRememberedEveryEarlierFillIsRefused() {
        let cache = Self.filled()
        let before = cache.generation
        let others = (0...MemberCache.invalidationsKept).map {
            MemberCache.Change(sequence: Int64(11 + $0), member: MemberID("other-\($0)"), tokenHash: nil)
        }
        cache.replayed(others, writesCovered: 0, now: Self.t0)
        // x was not among them, but whether it was can no longer be told.
        cache.store(cards: [Self.card(Self.x, "X2")], generation: before, now: Self.t0)
        #expect(cache.heldCards([Self.x], now: Self.t0).first??.name == "X")
        cache.store(cards: [Self.card(Self.x, "X3")], generation: cache.generation, now: Self.t0)
        #expect(cache.heldCards([Self.x], now: Self.t0).first??.name == "X3")
    }

    @Test func aReplayIsDueAfterAWriteOrTheInterval() {
        let cache = MemberCache()
        #expect(cache.needsReplay(now: Self.t0))  // never replayed
        cache.replayed([], startingAt: 0, writesCovered: cache.replayStarting(), now: Self.t0)
        #expect(!cache.needsReplay(now: Self.t0 + .milliseconds(100)))
        #expect(cache.needsReplay(now: Self.t0 + MemberCache.replayInterval))
        cache.wrote()
        #expect(cache.needsReplay(now: Self.t0))
        // A replay that began before the write does not cover it.
        let covered = cache.replayStarting()
        cache.wrote()
        cache.replayed([], writesCovered: covered, now: Self.t0)
        #expect(cache.needsReplay(now: Self.t0))
        cache.replayed([], writesCovered: cache.replayStarting(), now: Self.t0)
        #expect(!cache.needsReplay(now: Self.t0))
    }

    /// The answer read without the lock is the rule's: writes, replays (some begun before a write), skips and resets in
    /// random order, asked at random times, before and after the replays, an hour back and now.
    @Test func whetherAReplayIsDueIsAnsweredByTheRule() {
        var random = SystemRandomNumberGenerator()
        for base in [ContinuousClock.now - .seconds(3_600), ContinuousClock.now] {
            let cache = MemberCache()
            var writes: UInt64 = 0
            var covered: UInt64 = 0
            var last: ContinuousClock.Instant?
            func at() -> ContinuousClock.Instant { base + .milliseconds(Int.random(in: -600...600, using: &random)) }
            for step in 0..<20_000 {
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    cache.wrote()
                    writes += 1
                case 1, 2:
                    let begun = cache.replayStarting()
                    if Bool.random(using: &random) {
                        cache.wrote()
                        writes += 1
                    }
                    let when = at()
                    if Int.random(in: 0..<4, using: &random) == 0 {
                        cache.skip(to: Int64(step), writesCovered: begun, now: when)
                    } else {
                        cache.replayed([], startingAt: 0, writesCovered: begun, now: when)
                    }
                    covered = max(covered, begun)
                    last = when
                case 3 where Int.random(in: 0..<10, using: &random) == 0:
                    cache.reset()
                    last = nil
                default:
                    let now = Bool.random(using: &random) ? at() : (last ?? base) + MemberCache.replayInterval
                    let due = last.map { writes != covered || now - $0 >= MemberCache.replayInterval } ?? true
                    #expect(cache.needsReplay(now: now) == due, "step \(step)")
                }
            }
        }
    }

    @Test func entriesAreNotTrustedPastTheirAge() {
        let cache = Self.filled()
        #expect(cache.session("x1", now: Self.t0 + .seconds(59)) != nil)
        #expect(cache.session("x1", now: Self.t0 + MemberCache.maximumAge) == nil)
        #expect(cache.heldCards([Self.x], now: Self.t0 + MemberCache.maximumAge) == [nil])
    }

    @Test func aGapIsWaitedForThenPassedButWhatFollowsItIsDroppedAtOnce() {
        let cache = Self.filled()
        // 11 is not committed yet; 12 is: 12's session goes now, but the cursor waits before 11.
        cache.replayed([.init(sequence: 12, member: Self.x, tokenHash: "x2")], writesCovered: 0, now: Self.t0)
        #expect(cache.session("x2", now: Self.t0) == nil)
        #expect(cache.replayCursor == 10)
        cache.replayed([.init(sequence: 12, member: Self.x, tokenHash: "x2")], writesCovered: 0, now: Self.t0 + .seconds(1))
        #expect(cache.replayCursor == 10)
        // 11 commits in time: both are read again, and the cursor passes both.
        cache.replayed(
            [.init(sequence: 11, member: Self.y, tokenHash: "y1"), .init(sequence: 12, member: Self.x, tokenHash: "x2")], writesCovered: 0,
            now: Self.t0 + .seconds(1))
        #expect(cache.replayCursor == 12 && cache.session("y1", now: Self.t0) == nil)
        // A gap never filled is passed after `gapWait`.
        cache.replayed([.init(sequence: 14, member: Self.x, tokenHash: nil)], writesCovered: 0, now: Self.t0 + .seconds(2))
        #expect(cache.replayCursor == 12)
        cache.replayed([.init(sequence: 14, member: Self.x, tokenHash: nil)], writesCovered: 0, now: Self.t0 + .seconds(2) + MemberCache.gapWait)
        #expect(cache.replayCursor == 14)
    }

    @Test func aFullCacheStartsOverAndAFailedReplayEmptiesIt() {
        let cache = MemberCache(limits: .init(sessions: 2, profiles: 2, cards: 2))
        cache.replayed([], startingAt: 0, writesCovered: 0, now: Self.t0)
        for hash in ["a", "b", "c"] { cache.store(session: Self.session(Self.x, hash), generation: cache.generation, now: Self.t0) }
        #expect(cache.counts.sessions == 1 && cache.session("c", now: Self.t0) != nil)
        cache.reset()
        #expect(cache.counts.sessions == 0 && cache.replayCursor == nil)
        // Nothing is kept until a replay succeeds again.
        cache.store(session: Self.session(Self.x, "d"), generation: cache.generation, now: Self.t0)
        #expect(cache.session("d", now: Self.t0) == nil)
    }

    /// Cards in the order of their first mention, each once, whether held or read: random asks with repeats, unknown
    /// members and a cache holding some, against the rule; storage is asked each missing member once and never one held.
    @Test(arguments: [true, false]) func cardsComeInTheOrderTheyWereAskedFor(enabled: Bool) async throws {
        let members = (0..<40).map { MemberID("member-\($0)") }
        let known = Dictionary(uniqueKeysWithValues: members.prefix(30).map { ($0, Self.card($0, "N \($0.rawValue)")) })
        var random = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let cache = MemberCache(enabled: enabled)
            cache.replayed([], startingAt: 10, writesCovered: cache.replayStarting(), now: Self.t0)
            let held = members.prefix(30).filter { _ in Bool.random(using: &random) }
            cache.store(cards: held.map { known[$0]! }, generation: cache.generation, now: Self.t0)
            let asked = (0..<Int.random(in: 0...25, using: &random)).map { _ in members.randomElement(using: &random)! }
            var readAsked: [MemberID] = []
            let cards = try await cache.cards(inOrderOf: asked, now: Self.t0) { missing in
                readAsked += missing
                return missing.compactMap { known[$0] }
            }
            var seen = Set<MemberID>()
            let expected = asked.filter { known[$0] != nil && seen.insert($0).inserted }
            #expect(cards.map(\.id) == expected)
            #expect(cards.allSatisfy { $0 == known[$0.id] })
            #expect(readAsked.count == Set(readAsked).count, "each missing member read once")
            let shouldRead = Set(asked).subtracting(enabled ? Set(held) : [])
            #expect(Set(readAsked) == shouldRead)
        }
    }

    /// Items and cards walked side by side: each item with its own card, those without one (or repeated) left out.
    @Test func itemsArePairedWithTheirCards() {
        let members = (0..<30).map { MemberID("member-\($0)") }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let items = (0..<Int.random(in: 0...20, using: &random)).map { index in (index: index, id: members.randomElement(using: &random)!) }
            // Cards as storage gives them: first mentions, some members without one.
            var seen = Set<MemberID>()
            let withCards = Set(members.filter { _ in Int.random(in: 0..<4, using: &random) > 0 })
            let cards = items.filter { withCards.contains($0.id) && seen.insert($0.id).inserted }.map { Self.card($0.id, "N") }
            let paired = MemberCard.paired(items, id: \.id, with: cards)
            var firsts = Set<MemberID>()
            let expected = items.filter { withCards.contains($0.id) && firsts.insert($0.id).inserted }
            #expect(paired.map(\.item.index) == expected.map(\.index))
            #expect(paired.allSatisfy { $0.item.id == $0.card.id })
        }
    }
}
