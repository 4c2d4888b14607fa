import Foundation
import Synchronization

/// What the request path asks the database most, kept in memory by a storage adapter: sessions by token digest, whole
/// profiles and handles, and the cards lists show. Every request used to read its session, its viewer's role and
/// locale, and the profiles it showed, each a trip to the database and most of a request's time
/// (docs/BENCHMARKS.md "Request path").
///
/// **Staying current.** Database triggers write a change log (`member_cache_changes`) whenever a session is deleted or
/// a member's row changes or goes; every change to a profile touches its member's row in the change's transaction
/// (that is also what raises `profile_version`), so the log names every profile that changed, by whatever statement,
/// process or instance. An adapter replays the log before it answers from memory:
/// - after any write of its own (`wrote()`), so this instance's changes are seen by its next request;
/// - when the last replay is older than `replayInterval`, so another instance's changes (or `tsunagari admin`'s) are
///   seen within that interval — as a block or removed connection reaches the graph index;
/// - and an entry is not trusted past `maximumAge`, a bound on any change the log could miss.
///
/// **No stale fill.** A read that began before an invalidation of what it read must not put it into the cache after
/// it: `generation` counts invalidations, each member keeps the count at their last one, and `store` keeps a value only
/// if its member was not invalidated (nor everything cleared) since the read began. A write is not an invalidation by
/// itself: the replay that must follow it before any answer from memory invalidates what it changed, so a read of a
/// member the write did not touch still fills the cache (under many writers at once, a count raised by every write
/// refused nearly every fill).
///
/// **Writes whose changes are known.** A write that knows what its triggers log (a profile edit, an invitation) tells
/// `wroteKnown`: those members are invalidated at once and no replay is needed for this instance's next request; the log
/// rows are replayed later like any others (invalidating twice does no harm).
///
/// The cache holds at most `limit` entries of each kind and starts over when one is full: a simple bound that keeps
/// the members active now.
public final class MemberCache: @unchecked Sendable {
    public struct Limits: Sendable {
        public var sessions: Int
        public var profiles: Int
        public var cards: Int

        /// Organisations whose members are held (each list every member there, past and present).
        public var organisations: Int
        /// Members whose unread notifications are held (each at most `MemberCache.unreadListHeld`).
        public var unreadLists: Int
        /// Ids of companies known to exist.
        public var companies: Int

        public init(
            sessions: Int = 100_000, profiles: Int = 20_000, cards: Int = 200_000, organisations: Int = 5_000, unreadLists: Int = 5_000,
            companies: Int = 100_000
        ) {
            self.sessions = sessions
            self.profiles = profiles
            self.cards = cards
            self.organisations = organisations
            self.unreadLists = unreadLists
            self.companies = companies
        }
    }

    /// One row of the change log: a member whose row changed or went (all their sessions, profile and card are
    /// dropped), or one deleted session.
    public struct Change: Sendable, Equatable {
        /// The `tokenHash` of a change to a member's invitations alone (no session's hash looks like it).
        public static let invitations = "~invitations"
        /// The `tokenHash` of a change to a member's profile alone: their row changed, but not a column of the account
        /// (email, password, role, creation, suspension, verification), so their sessions, account, blocks and
        /// invitations stay held.
        public static let profile = "~profile"
        /// The `tokenHash` of a change to what a member's suggestions leave out or add: a dismissal of theirs, or a
        /// contact of theirs matched to a member (or no longer).
        public static let suggestions = "~suggestions"
        /// The `tokenHash` of a change to what the header of a member's pages counts: a notification of theirs that is
        /// or was unread, or a conversation of theirs with a new message, read further, joined or left.
        public static let unread = "~unread"

        public var sequence: Int64
        public var member: MemberID
        public var tokenHash: String?

        public init(sequence: Int64, member: MemberID, tokenHash: String?) {
            self.sequence = sequence
            self.member = member
            self.tokenHash = tokenHash
        }
    }

    public static let replayInterval: Duration = .milliseconds(250)
    public static let maximumAge: Duration = .seconds(60)
    /// How long a missing sequence number is waited for before the replay moves past it (see `ChangeLogCursor`). Rows
    /// after a gap are applied at once and again until then; invalidating twice does no harm.
    public static let gapWait: Duration = .seconds(2)
    /// Members whose last invalidation is remembered; past this, every fill begun before is refused instead.
    static let invalidationsKept = 100_000

    private struct Entry<Value> {
        var value: Value
        var stored: ContinuousClock.Instant
    }

    private struct SharedAnswer {
        var limit: Int
        var versions: [AffiliationRow.Key: UInt64]
        var answer: [SharedAffiliation]
    }

    /// Answers are read side by side; fills and invalidations take the lock alone.
    private let lock = ReadWriteLock()
    private let freshness = Freshness()
    private let limits: Limits
    private var sessions: [String: Entry<Session>] = [:]
    private var sessionsByMember: [MemberID: Set<String>] = [:]
    private var profiles: [MemberID: Entry<Profile>] = [:]
    private var handles: [String: Entry<MemberID>] = [:]
    private var cards: [MemberID: Entry<MemberCard>] = [:]
    /// Row-derived facts read on many requests: the account, the verified employer (nil when none), and everyone
    /// blocked either way (the block triggers name both members).
    private var accounts: [MemberID: Entry<Account>] = [:]
    private var employers: [MemberID: Entry<CompanyRef?>] = [:]
    private var blocked: [MemberID: Entry<Set<MemberID>>] = [:]
    /// Each member's open invitations, sent and received (the invitation triggers name both members).
    private var openInvitations: [MemberID: Entry<[Invitation]>] = [:]
    /// What every suggestions request reads of its viewer besides the graph: whom they dismissed, and the members their
    /// contacts matched (the dismissal and contact triggers name the owner, `Change.suggestions`).
    private var dismissals: [MemberID: Entry<Set<MemberID>>] = [:]
    private var contactMatches: [MemberID: Entry<[ContactMatch]>] = [:]
    /// What the header of every page counts for its viewer: their newest unread notifications as stored (which of them
    /// the viewer may see is decided on each use), and how many of their conversations have a message they have not
    /// read (the notification and conversation triggers name the member, `Change.unread`).
    private var unreadNotifications: [MemberID: Entry<HeldNotifications>] = [:]
    private var unreadConversations: [MemberID: Entry<Int>] = [:]
    /// Shared affiliations (`SharedAffiliations`): each member's own employers and schools, and everyone at an
    /// organisation. A change to a member drops their own rows and their rows in the lists held; the organisations they
    /// may have joined are not known without a read, so the member is noted and the lists are mended from their rows
    /// as they are now before the next answer (`changedAffiliations`, `mend`).
    private var memberAffiliations: [MemberID: Entry<[AffiliationRow]>] = [:]
    private var organisations: [AffiliationRow.Key: Entry<[AffiliationRow]>] = [:]
    private var organisationsByMember: [MemberID: Set<AffiliationRow.Key>] = [:]
    /// Each list's version, raised whenever its rows change (stored, a member's rows dropped or mended in).
    private var organisationVersions: [AffiliationRow.Key: UInt64] = [:]
    private var organisationVersionCount: UInt64 = 0
    /// Answers of `sharedAffiliations`, by member: good while the member's own rows are held unchanged and each list
    /// they were made from is held at the version recorded.
    private var sharedAnswers: [MemberID: SharedAnswer] = [:]
    private var changedSinceMended: Set<MemberID> = []
    private var generationCount: UInt64 = 0
    /// `generationCount` at each member's last invalidation, and at the last clearing of everything (which also
    /// forgets `invalidated`, so it stays bounded); `lastInvalidation` at the last of either, for lists of many members.
    private var invalidated: [MemberID: UInt64] = [:]
    private var clearedAt: UInt64 = 0
    private var lastInvalidation: UInt64 = 0
    private var writes: UInt64 = 0
    private var replayedWrites: UInt64 = 0
    private var lastReplay: ContinuousClock.Instant?
    private var cursor: Int64?
    /// Whether `cursor` names a change seen: a log empty at start names none, and its first change may have any number.
    private var anchored = false
    private var gapSince: ContinuousClock.Instant?
    private var knownCompanies: Set<String> = []
    public let enabled: Bool

    public init(limits: Limits = Limits(), enabled: Bool = true) {
        self.limits = limits
        self.enabled = enabled
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        try lock.write(body)
    }

    /// For what only reads: two requests' reads no longer wait for each other (a tenth of the cache's time on a
    /// profile page was spent waiting for the lock and waking its waiter).
    private func reading<T>(_ body: () throws -> T) rethrows -> T {
        try lock.read(body)
    }

    // MARK: Staying current

    /// The adapter wrote something: the next answer from memory replays the log first.
    public func wrote() {
        locked {
            writes &+= 1
            freshness.told(writes)
        }
    }

    /// The adapter wrote something whose log rows it knows (`changes`, sequence numbers aside): they are applied now,
    /// and the next answer from memory needs no replay for this write. `adding`, an open invitation the write created,
    /// joins the open invitations held of both its members (held lists were current when the write committed, or a
    /// change not yet replayed will drop them), so that the sender's next invitation needs no read of them.
    public func wroteKnown(_ changes: [Change], adding invitation: Invitation? = nil) {
        locked {
            var kept: [(MemberID, Entry<[Invitation]>)] = []
            if let invitation {
                for member in Set([invitation.from, invitation.to]) {
                    guard var entry = openInvitations[member] else { continue }
                    entry.value.removeAll { $0.id == invitation.id }
                    entry.value.append(invitation)
                    kept.append((member, entry))
                }
            }
            generationCount &+= 1
            for change in changes { invalidate(change) }
            for (member, entry) in kept { openInvitations[member] = entry }
        }
    }

    /// Taken before a read from the database; `store` keeps what the read found only if this is still current.
    public var generation: UInt64 { reading { generationCount } }

    /// Whether the log must be replayed before answering: never replayed, a write since, or the interval passed.
    public func needsReplay(now: ContinuousClock.Instant = .now) -> Bool {
        // Asked before every answer from memory, a dozen times a page: without the lock while nothing changed.
        if freshness.holds(at: now) { return false }
        return reading {
            guard let lastReplay, cursor != nil else { return true }
            return writes != replayedWrites || now - lastReplay >= Self.replayInterval
        }
    }

    /// Where the next replay reads from (after this sequence number); nil before the first, which starts at the
    /// log's end (nothing is cached yet).
    public var replayCursor: Int64? { reading { cursor } }

    /// How many writes the adapter has told of: a replay begun when this was already counted covers them.
    public var writeCount: UInt64 { reading { writes } }

    /// Marks what the replay is about to read as covering the writes made so far.
    public func replayStarting() -> UInt64 { locked { writes } }

    /// Runs `read` (one read of the log, given the writes it covers: `replayStarting()`) unless a replay under way
    /// began after this instance's writes so far, and waits for whichever it is. Requests that need a replay at once
    /// share one: when each read the log itself, a load of writes cost a round trip a request on PostgreSQL, and every
    /// replay interval ended in a herd of reads on SQLite (docs/BENCHMARKS.md "Request path, round 9").
    public func sharedReplay(_ read: @escaping @Sendable (_ covered: UInt64) async -> Void) async {
        let wanted = writeCount
        let task = replays.withLock { current -> Task<Void, Never> in
            if let current, current.covered >= wanted { return current.task }
            let covered = replayStarting()
            let number = (current?.number ?? 0) &+ 1
            let replays = replays
            let task = Task {
                await read(covered)
                replays.withLock { current in if current?.number == number { current = nil } }
            }
            current = (number, covered, task)
            replaysStarted.withLock { $0 += 1 }
            return task
        }
        await task.value
    }

    /// The replay under way, if any: its number, the writes it covers, and the task.
    private let replays = LockedValue<(number: UInt64, covered: UInt64, task: Task<Void, Never>)?>(nil)
    private let replaysStarted = LockedValue<Int>(0)
    /// How many replays `sharedReplay` started (for tests).
    public var replaysRun: Int { replaysStarted.withLock { $0 } }

    /// Applies the changes read after `replayCursor` (in order), given the log's end when starting afresh.
    public func replayed(_ changes: [Change], startingAt end: Int64? = nil, writesCovered: UInt64, now: ContinuousClock.Instant = .now) {
        locked {
            if cursor == nil {
                cursor = end ?? 0
                anchored = (end ?? 0) > 0
                clearAll()
            }
            if !changes.isEmpty { generationCount &+= 1 }
            for change in changes { invalidate(change) }
            var next = cursor!
            for change in changes {
                if change.sequence == next + 1 || (!anchored && change.sequence > next) {
                    next = change.sequence
                    anchored = true
                } else if change.sequence > next {
                    let since = gapSince ?? now
                    gapSince = since
                    if now - since >= Self.gapWait { next = change.sequence } else { break }
                }
            }
            if next != cursor! {
                // Moved on: any gap before `next` was closed or waited out.
                if changes.last.map({ $0.sequence <= next }) ?? true { gapSince = nil }
                cursor = next
            }
            replayedWrites = max(replayedWrites, writesCovered)
            lastReplay = now
            freshness.replayed(covering: replayedWrites, at: now)
        }
    }

    /// Forgets everything and goes on from `end`: the log ran too far ahead to replay row by row (a bulk import),
    /// and starting over is cheaper.
    public func skip(to end: Int64, writesCovered: UInt64, now: ContinuousClock.Instant = .now) {
        locked {
            clearAll()
            cursor = end
            anchored = end > 0
            gapSince = nil
            replayedWrites = max(replayedWrites, writesCovered)
            lastReplay = now
            freshness.replayed(covering: replayedWrites, at: now)
        }
    }

    /// Forgets everything (a replay failed: nothing in memory can be trusted until the next one succeeds).
    public func reset() {
        locked {
            clearAll()
            cursor = nil
            lastReplay = nil
            freshness.forget()
        }
    }

    private func clearAll() {
        generationCount &+= 1
        clearedAt = generationCount
        lastInvalidation = generationCount
        invalidated = [:]
        sessions = [:]
        sessionsByMember = [:]
        profiles = [:]
        handles = [:]
        cards = [:]
        accounts = [:]
        employers = [:]
        blocked = [:]
        openInvitations = [:]
        dismissals = [:]
        contactMatches = [:]
        unreadNotifications = [:]
        unreadConversations = [:]
        memberAffiliations = [:]
        knownCompanies = []
        clearOrganisations()
    }

    private func clearOrganisations() {
        organisations = [:]
        organisationsByMember = [:]
        changedSinceMended = []
        organisationVersions = [:]
        sharedAnswers = [:]
    }

    /// The list at `key` changed: answers made from it are no longer good.
    private func listChanged(_ key: AffiliationRow.Key) {
        organisationVersionCount &+= 1
        organisationVersions[key] = organisationVersionCount
    }

    /// Whether a value of `member` read when `generation` was current may be kept.
    private func current(_ generation: UInt64, _ member: MemberID) -> Bool {
        cursor != nil && generation >= clearedAt && (invalidated[member] ?? 0) <= generation
    }

    /// Called with `generationCount` already raised for this change (or batch of changes).
    private func invalidate(_ change: Change) {
        lastInvalidation = generationCount
        if invalidated.count >= Self.invalidationsKept {
            invalidated = [:]
            clearedAt = generationCount
        }
        invalidated[change.member] = generationCount
        if change.tokenHash == Change.invitations {
            openInvitations[change.member] = nil
            return
        }
        if change.tokenHash == Change.suggestions {
            dismissals[change.member] = nil
            contactMatches[change.member] = nil
            return
        }
        if change.tokenHash == Change.unread {
            unreadNotifications[change.member] = nil
            unreadConversations[change.member] = nil
            return
        }
        if let token = change.tokenHash, token != Change.profile {
            sessions[token] = nil
            sessionsByMember[change.member]?.remove(token)
            return
        }
        if change.tokenHash == nil {
            for token in sessionsByMember.removeValue(forKey: change.member) ?? [] { sessions[token] = nil }
            accounts[change.member] = nil
            blocked[change.member] = nil
            openInvitations[change.member] = nil
            dismissals[change.member] = nil
            contactMatches[change.member] = nil
            unreadNotifications[change.member] = nil
            unreadConversations[change.member] = nil
        }
        if let profile = profiles.removeValue(forKey: change.member) { handles[Handle.key(profile.value.handle)] = nil }
        cards[change.member] = nil
        employers[change.member] = nil
        memberAffiliations[change.member] = nil
        sharedAnswers[change.member] = nil
        if !organisations.isEmpty {
            for key in organisationsByMember.removeValue(forKey: change.member) ?? [] {
                organisations[key]?.value.removeAll { $0.member == change.member }
                listChanged(key)
            }
            changedSinceMended.insert(change.member)
            // Far more changes than mending is for (a bulk import): starting over is cheaper.
            if changedSinceMended.count > limits.organisations { clearOrganisations() }
        }
    }

    private func fresh<Value>(_ entry: Entry<Value>?, _ now: ContinuousClock.Instant) -> Value? {
        guard let entry, now - entry.stored < Self.maximumAge else { return nil }
        return entry.value
    }

    // MARK: Reading and filling

    public func session(_ tokenHash: String, now: ContinuousClock.Instant = .now) -> Session? {
        guard enabled else { return nil }
        return reading { fresh(sessions[tokenHash], now) }
    }

    public func store(session: Session, generation: UInt64, now: ContinuousClock.Instant = .now) {
        guard enabled else { return }
        locked {
            guard current(generation, session.memberID) else { return }
            if sessions.count >= limits.sessions {
                sessions = [:]
                sessionsByMember = [:]
            }
            sessions[session.tokenHash] = Entry(value: session, stored: now)
            sessionsByMember[session.memberID, default: []].insert(session.tokenHash)
        }
    }

    public func profile(_ id: MemberID, now: ContinuousClock.Instant = .now) -> Profile? {
        guard enabled else { return nil }
        return reading { fresh(profiles[id], now) }
    }

    public func member(handleKey: String, now: ContinuousClock.Instant = .now) -> MemberID? {
        guard enabled else { return nil }
        return reading { fresh(handles[handleKey], now) }
    }

    public func store(profile: Profile, generation: UInt64, now: ContinuousClock.Instant = .now) {
        guard enabled else { return }
        locked {
            guard current(generation, profile.memberID) else { return }
            if profiles.count >= limits.profiles {
                profiles = [:]
                handles = [:]
            }
            profiles[profile.memberID] = Entry(value: profile, stored: now)
            handles[Handle.key(profile.handle)] = Entry(value: profile.memberID, stored: now)
        }
    }

    /// The card held for each of `ids`, in their order: nil for one not held (or held too long).
    func heldCards(_ ids: [MemberID], now: ContinuousClock.Instant = .now) -> [MemberCard?] {
        guard enabled else { return Array(repeating: nil, count: ids.count) }
        return reading { ids.map { fresh(cards[$0], now) } }
    }

    /// `memberCards(ids:)` for a storage: each card once, in the order of its first mention in `ids`; from memory where
    /// held, the rest read (each id once, in no particular order) and kept. A card held is told from another by its
    /// box, not by hashing its id again: the set of ids and the dictionary each caller built were a twentieth of a
    /// connection list's samples.
    public func cards(
        inOrderOf ids: [MemberID], now: ContinuousClock.Instant = .now, read: ([MemberID]) async throws -> [MemberCard]
    ) async throws -> [MemberCard] {
        guard !ids.isEmpty else { return [] }
        let held = heldCards(ids, now: now)
        var fetched: [MemberID: MemberCard] = [:]
        if held.contains(where: { $0 == nil }) {
            let generation = self.generation
            let unique = Set(ids.indices.compactMap { held[$0] == nil ? ids[$0] : nil })
            let read = try await read(Array(unique))
            store(cards: read, generation: generation, now: now)
            fetched = Dictionary(read.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        }
        var seen = Set<ObjectIdentifier>(minimumCapacity: ids.count)
        var ordered: [MemberCard] = []
        ordered.reserveCapacity(ids.count)
        for index in ids.indices {
            if let card = held[index] {
                if seen.insert(card.identity).inserted { ordered.append(card) }
            } else if let card = fetched.removeValue(forKey: ids[index]) {
                ordered.append(card)
            }
        }
        return ordered
    }

    public func store(cards read: [MemberCard], generation: UInt64, now: ContinuousClock.Instant = .now) {
        guard enabled, !read.isEmpty else { return }
        locked {
            if cards.count + read.count > limits.cards { cards = [:] }
            for card in read where current(generation, card.id) { cards[card.id] = Entry(value: card, stored: now) }
        }
    }

    public func account(_ id: MemberID, now: ContinuousClock.Instant = .now) -> Account? {
        guard enabled else { return nil }
        return reading { fresh(accounts[id], now) }
    }

    public func store(account: Account, generation: UInt64, now: ContinuousClock.Instant = .now) {
        keep(account, for: account.memberID, in: \.accounts, generation: generation, now: now)
    }

    /// The verified employer held: `.some(nil)` for a member known to have none, nil when not held.
    public func employer(_ id: MemberID, now: ContinuousClock.Instant = .now) -> CompanyRef?? {
        guard enabled else { return nil }
        return reading { fresh(employers[id], now) }
    }

    public func store(employer: CompanyRef?, of id: MemberID, generation: UInt64, now: ContinuousClock.Instant = .now) {
        keep(employer, for: id, in: \.employers, generation: generation, now: now)
    }

    public func blocked(_ id: MemberID, now: ContinuousClock.Instant = .now) -> Set<MemberID>? {
        guard enabled else { return nil }
        return reading { fresh(blocked[id], now) }
    }

    public func store(blocked set: Set<MemberID>, of id: MemberID, generation: UInt64, now: ContinuousClock.Instant = .now) {
        keep(set, for: id, in: \.blocked, generation: generation, now: now)
    }

    /// The member's open invitations (pending or ignored), sent and received.
    public func openInvitations(of id: MemberID, now: ContinuousClock.Instant = .now) -> [Invitation]? {
        guard enabled else { return nil }
        return reading { fresh(openInvitations[id], now) }
    }

    public func store(openInvitations list: [Invitation], of id: MemberID, generation: UInt64, now: ContinuousClock.Instant = .now) {
        keep(list, for: id, in: \.openInvitations, generation: generation, now: now)
    }

    /// Whom the member dismissed from their suggestions: held, or read by `read` and kept.
    public func dismissals(
        of id: MemberID, now: ContinuousClock.Instant = .now, read: () async throws -> Set<MemberID>
    ) async rethrows -> Set<MemberID> {
        try await held(id, in: \.dismissals, now: now, read: read)
    }

    /// The member's contacts matched to members, oldest first: held, or read by `read` and kept.
    public func contactMatches(
        of id: MemberID, now: ContinuousClock.Instant = .now, read: () async throws -> [ContactMatch]
    ) async rethrows -> [ContactMatch] {
        try await held(id, in: \.contactMatches, now: now, read: read)
    }

    /// The member's newest unread notifications, at most `limit`, as stored: held, or read by `read` and kept. Only
    /// a list read with the same `limit` is used.
    ///
    /// A notification takes about half a kilobyte, so only lists of at most `unreadListHeld` are kept, for at most
    /// `limits.unreadLists` members (some tens of megabytes at most); a member who leaves more unread has them read
    /// on each page, as everyone did before.
    public func unreadNotifications(
        of id: MemberID, limit: Int, now: ContinuousClock.Instant = .now, read: () async throws -> [MemberNotification]
    ) async rethrows -> [MemberNotification] {
        try await held(
            id, in: \.unreadNotifications, now: now, bound: limits.unreadLists, usable: { $0.limit == limit },
            keeps: { $0.list.count <= Self.unreadListHeld }
        ) {
            HeldNotifications(limit: limit, list: try await read())
        }.list
    }

    /// The longest list of unread notifications kept (`unreadNotifications`).
    public static let unreadListHeld = 20

    /// How many of the member's conversations have a message they have not read: held, or read by `read` and kept.
    public func unreadConversations(of id: MemberID, now: ContinuousClock.Instant = .now, read: () async throws -> Int) async rethrows -> Int {
        try await held(id, in: \.unreadConversations, now: now, read: read)
    }

    /// A value held for `id` (and `usable`), or one read now and kept unless the member changed while it was read.
    /// `bound`: the most members whose value is held (else `limits.profiles`); `keeps`: whether a value read is kept.
    private func held<Value>(
        _ id: MemberID, in map: ReferenceWritableKeyPath<MemberCache, [MemberID: Entry<Value>]>, now: ContinuousClock.Instant,
        bound: Int? = nil, usable: (Value) -> Bool = { _ in true }, keeps: (Value) -> Bool = { _ in true },
        read: () async throws -> Value
    ) async rethrows -> Value {
        guard enabled else { return try await read() }
        if let value = reading({ fresh(self[keyPath: map][id], now) }), usable(value) { return value }
        let generation = self.generation
        let value = try await read()
        if keeps(value) { keep(value, for: id, in: map, generation: generation, now: now, bound: bound) }
        return value
    }

    // MARK: Shared affiliations

    public func affiliations(of id: MemberID, now: ContinuousClock.Instant = .now) -> [AffiliationRow]? {
        guard enabled else { return nil }
        return locked { fresh(memberAffiliations[id], now) }
    }

    public func store(affiliations rows: [AffiliationRow], of id: MemberID, generation: UInt64, now: ContinuousClock.Instant = .now) {
        keep(rows, for: id, in: \.memberAffiliations, generation: generation, now: now)
    }

    /// Everyone's rows at the organisation, when held.
    public func organisation(_ key: AffiliationRow.Key, now: ContinuousClock.Instant = .now) -> [AffiliationRow]? {
        guard enabled else { return nil }
        return locked { fresh(organisations[key], now) }
    }

    /// Returns the list's version when kept.
    @discardableResult
    public func store(
        organisation key: AffiliationRow.Key, rows: [AffiliationRow], generation: UInt64, now: ContinuousClock.Instant = .now
    ) -> UInt64? {
        guard enabled else { return nil }
        return locked {
            // Everyone's rows: kept only if no one was invalidated since (a changed member is mended from then on).
            guard cursor != nil, generation >= lastInvalidation else { return nil }
            if organisations.count >= limits.organisations { clearOrganisations() }
            // By member, as `SharedAffiliations` reads them.
            organisations[key] = Entry(value: rows.sorted { $0.member.rawValue < $1.member.rawValue }, stored: now)
            for row in rows { organisationsByMember[row.member, default: []].insert(key) }
            listChanged(key)
            return organisationVersions[key]
        }
    }

    /// The members changed since the lists were last mended; the caller reads their rows and passes them to `mend`.
    public func changedAffiliations() -> [MemberID] {
        guard enabled else { return [] }
        return locked {
            let changed = Array(changedSinceMended)
            changedSinceMended = []
            return changed
        }
    }

    /// Puts the changed members' rows as they are now (`rows`) into the lists held.
    public func mend(_ members: [MemberID], rows: [AffiliationRow]) {
        guard enabled, !members.isEmpty else { return }
        locked {
            for member in members {
                for key in organisationsByMember.removeValue(forKey: member) ?? [] {
                    organisations[key]?.value.removeAll { $0.member == member }
                    listChanged(key)
                }
            }
            for row in rows where organisations[row.key] != nil {
                listChanged(row.key)
                let list = organisations[row.key]!.value
                var low = 0
                var high = list.count
                while low < high {
                    let middle = (low + high) / 2
                    if list[middle].member.rawValue <= row.member.rawValue { low = middle + 1 } else { high = middle }
                }
                organisations[row.key]!.value.insert(row, at: low)
                organisationsByMember[row.member, default: []].insert(row.key)
            }
        }
    }

    // MARK: Companies

    /// Whether a company exists: `read()` asks storage. Nothing deletes a company (a merge renames it), so one seen to
    /// exist is held with nothing to drop it, on every instance alike; one not held, or not found, is asked each time.
    public func companyExists(_ id: String, read: () async throws -> Bool) async throws -> Bool {
        guard enabled else { return try await read() }
        if locked({ knownCompanies.contains(id) }) { return true }
        guard try await read() else { return false }
        locked {
            if knownCompanies.count >= limits.companies { knownCompanies = [] }
            knownCompanies.insert(id)
        }
        return true
    }

    /// Mending failed (a read of the changed members' rows): no list can be trusted.
    public func forgetOrganisations() {
        locked { clearOrganisations() }
    }

    /// `SharedAffiliations` from what is held, reading what is not: `rows(of:)` the rows of some members, `rows(at:)`
    /// everyone's rows at some organisations. The adapter has replayed the change log first. The answer is kept and
    /// given again (or its prefix, for a lower limit) while the member's own rows and every list it was made from are
    /// held unchanged.
    public func sharedAffiliations(
        of member: MemberID, limit: Int,
        rowsOf: ([MemberID]) async throws -> [AffiliationRow], rowsAt: ([AffiliationRow.Key]) async throws -> [AffiliationRow]
    ) async throws -> [SharedAffiliation] {
        let changed = changedAffiliations()
        if !changed.isEmpty {
            do {
                mend(changed, rows: try await rowsOf(changed))
            } catch {
                forgetOrganisations()
                throw error
            }
        }
        if let answer = heldAnswer(of: member, limit: limit) { return answer }
        let generation = self.generation
        let mine: [AffiliationRow]
        var keepable = true
        if let held = affiliations(of: member) {
            mine = held
        } else {
            mine = try await rowsOf([member])
            store(affiliations: mine, of: member, generation: generation)
            keepable = affiliations(of: member) != nil
        }
        var lists: [AffiliationRow.Key: [AffiliationRow]] = [:]
        var versions: [AffiliationRow.Key: UInt64] = [:]
        var missing: [AffiliationRow.Key] = []
        for key in Set(mine.map(\.key)) {
            if let (held, version) = heldList(key) {
                lists[key] = held
                versions[key] = version
            } else {
                missing.append(key)
            }
        }
        if !missing.isEmpty {
            let read = Dictionary(grouping: try await rowsAt(missing), by: \.key)
            for key in missing {
                lists[key] = read[key] ?? []
                if let version = store(organisation: key, rows: read[key] ?? [], generation: generation) {
                    versions[key] = version
                } else {
                    keepable = false
                }
            }
        }
        let answer = SharedAffiliations.shared(of: member, mine: mine, lists: lists, limit: limit)
        if keepable { keep(answer, of: member, limit: limit, versions: versions, generation: generation) }
        return answer
    }

    private func heldAnswer(of member: MemberID, limit: Int, now: ContinuousClock.Instant = .now) -> [SharedAffiliation]? {
        guard enabled else { return nil }
        return locked {
            guard let kept = sharedAnswers[member], kept.limit >= limit, fresh(memberAffiliations[member], now) != nil else { return nil }
            for (key, version) in kept.versions where organisationVersions[key] != version || fresh(organisations[key], now) == nil {
                return nil
            }
            // The answer is a prefix of one order: a shorter one is its prefix.
            return kept.answer.count > limit ? Array(kept.answer.prefix(max(0, limit))) : kept.answer
        }
    }

    private func heldList(_ key: AffiliationRow.Key, now: ContinuousClock.Instant = .now) -> ([AffiliationRow], UInt64)? {
        guard enabled else { return nil }
        return locked {
            guard let list = fresh(organisations[key], now), let version = organisationVersions[key] else { return nil }
            return (list, version)
        }
    }

    private func keep(
        _ answer: [SharedAffiliation], of member: MemberID, limit: Int, versions: [AffiliationRow.Key: UInt64], generation: UInt64
    ) {
        locked {
            guard current(generation, member), memberAffiliations[member] != nil else { return }
            for (key, version) in versions where organisationVersions[key] != version { return }
            if sharedAnswers.count >= limits.profiles { sharedAnswers = [:] }
            sharedAnswers[member] = SharedAnswer(limit: limit, versions: versions, answer: answer)
        }
    }

    private func keep<Value>(
        _ value: Value, for id: MemberID, in map: ReferenceWritableKeyPath<MemberCache, [MemberID: Entry<Value>]>, generation: UInt64,
        now: ContinuousClock.Instant, bound: Int? = nil
    ) {
        guard enabled else { return }
        locked {
            guard current(generation, id) else { return }
            if self[keyPath: map].count >= bound ?? limits.profiles { self[keyPath: map] = [:] }
            self[keyPath: map][id] = Entry(value: value, stored: now)
        }
    }

    private struct HeldNotifications {
        var limit: Int
        var list: [MemberNotification]
    }

    /// How many entries of each kind are held (for metrics and tests).
    public var counts: (sessions: Int, profiles: Int, cards: Int) { locked { (sessions.count, profiles.count, cards.count) } }
}

/// What `needsReplay` asks, readable without the cache's lock: the writes told of, and the last replay, with the writes
/// it covered and when the next is due. Each is set under the cache's lock, after the fact it mirrors. A reader that
/// sees one new and one old value sees two facts that each held (replays cover ever more writes), so it may replay
/// once more than needed, never once less.
private final class Freshness: Sendable {
    private static let epoch = ContinuousClock.now
    private let writes = Atomic<UInt64>(0)
    private let covered = Atomic<UInt64>(0)
    /// Nanoseconds after `epoch` (before it, negative) until which the last replay holds; `none` when none does.
    private let until = Atomic<Int64>(Freshness.none)
    private static let none = Int64.min

    private static func nanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (instant - epoch).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    func holds(at now: ContinuousClock.Instant) -> Bool {
        let until = until.load(ordering: .acquiring)
        return until != Self.none && covered.load(ordering: .acquiring) == writes.load(ordering: .acquiring)
            && Self.nanoseconds(now) < until
    }

    func told(_ count: UInt64) { writes.store(count, ordering: .releasing) }

    func replayed(covering count: UInt64, at instant: ContinuousClock.Instant) {
        covered.store(count, ordering: .releasing)
        until.store(Self.nanoseconds(instant + MemberCache.replayInterval), ordering: .releasing)
    }

    func forget() { until.store(Self.none, ordering: .releasing) }
}
