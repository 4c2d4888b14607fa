import Foundation

/// Saved searches and their notifications: a member keeps a query with its filters; every so often each
/// saved search is asked for members indexed since it was last checked, and members who match it for the
/// first time are announced in one notification. Several instances may run the check: each search is
/// claimed in storage before it is run, so only one of them announces.
public struct SavedSearchService: Sendable {
    public typealias Store = PeopleSearchService.Store & SavedSearchStore & NotificationStore

    let storage: any Store
    let search: PeopleSearchService
    let clock: any Clock
    /// Turns the saved query text into what the index evaluates; throws for a syntax error.
    let compile: @Sendable (String) throws -> IndexQuery?
    /// Told of each notification made, for live delivery.
    let announce: @Sendable (MemberNotification) async -> Void
    /// For a saved job search: the open jobs it finds, posted since the given moment when there is one.
    let jobMatches: (@Sendable (SavedSearch, Date?) async throws -> [String])?

    /// At most this many saved searches per member.
    public static let maximumPerMember = 50

    /// The longest name, in Unicode scalars (as the API document counts).
    public static let nameLimit = 100

    /// The name of a search saved without one: its query, or the query's beginning and "…" when it is longer
    /// than a name may be (cut between characters, never inside one).
    static func name(for query: String) -> String {
        guard query.unicodeScalars.count > nameLimit else { return query }
        var name = ""
        var scalars = 0
        for character in query {
            scalars += character.unicodeScalars.count
            if scalars > nameLimit - 1 { break }
            name.append(character)
        }
        return name.trimmingCharacters(in: .whitespaces) + "…"
    }
    /// How many of the new members a notification names.
    public static let namedInNotification = 5
    /// Entries indexed this long before the last check are looked at again, so that a change committed while
    /// the previous check ran is not missed (a member already announced is never announced twice).
    static let overlap: TimeInterval = 5

    public init(
        storage: any Store, search: PeopleSearchService, clock: any Clock, announce: @escaping @Sendable (MemberNotification) async -> Void = { _ in },
        jobMatches: (@Sendable (SavedSearch, Date?) async throws -> [String])? = nil, compile: @escaping @Sendable (String) throws -> IndexQuery?
    ) {
        self.jobMatches = jobMatches
        self.announce = announce
        self.storage = storage
        self.search = search
        self.clock = clock
        self.compile = compile
    }

    /// Saves a search. Without a name (or with a blank one) it is named by its query, cut to a name's length.
    public func create(name: String?, query: String, filters: SearchFilters, viewer: MemberID, role: MemberRole) async throws -> SavedSearch {
        let query = try TextRule.required(query, field: "q", limit: 2_000)
        let name = try TextRule.optional(name, field: "name", limit: Self.nameLimit) ?? Self.name(for: query)
        if filters.openToWork && role != .recruiter {
            throw DomainError(.forbidden, code: "recruiters_only", message: "Only recruiters can filter by open to work.")
        }
        guard let compiled = try compile(query) else {
            throw DomainError(.malformed, code: "bad_query", message: "The query holds no words to search for.")
        }
        if try await storage.savedSearches(of: viewer).count >= Self.maximumPerMember {
            throw DomainError(
                .invalid, code: "saved_search_limit", message: "You can keep at most \(Self.maximumPerMember) saved searches; delete one first.")
        }
        // Saving runs the search: it counts against the caps like any other.
        try await search.reserveSearch(viewer)
        let now = clock.now()
        // Those who match today are not news: they are recorded as seen.
        let current = try await search.matches(compiled, filters: filters, viewer: viewer, role: role)
        let saved = SavedSearch(
            id: OpaqueID.make(at: now), member: viewer, name: name, query: query, filters: filters.formEncoded, createdAt: now, checkedAt: now)
        try await storage.createSavedSearch(saved, matching: current.map(\.member))
        return saved
    }

    /// Saves a job search: a query (or none) and job filters, at least one of them. The open jobs matching it now are
    /// recorded as seen; those posted later are announced.
    public func createJobSearch(name: String?, query: String, filters: JobFilters, viewer: MemberID) async throws -> SavedSearch {
        guard let jobMatches else { throw DomainError.notFound("Job search") }
        let query = try TextRule.clean(query, field: "q", limit: 2_000) ?? ""
        if !query.isEmpty, try compile(query) == nil {
            throw DomainError(.malformed, code: "bad_query", message: "The query holds no words to search for.")
        }
        var kept = filters
        kept.postedSince = nil
        guard !query.isEmpty || !kept.isEmpty else {
            throw DomainError.invalid("required", "A saved job search needs a query or a filter.")
        }
        let name = try TextRule.optional(name, field: "name", limit: Self.nameLimit)
            ?? Self.name(for: query.isEmpty ? kept.formEncoded.removingPercentEncoding ?? kept.formEncoded : query)
        if try await storage.savedSearches(of: viewer).count >= Self.maximumPerMember {
            throw DomainError(
                .invalid, code: "saved_search_limit", message: "You can keep at most \(Self.maximumPerMember) saved searches; delete one first.")
        }
        let now = clock.now()
        let saved = SavedSearch(
            id: OpaqueID.make(at: now), member: viewer, name: name, query: query, filters: kept.formEncoded, createdAt: now, checkedAt: now, kind: .jobs)
        try await storage.createSavedSearch(saved, matchingJobs: try await jobMatches(saved, nil))
        return saved
    }

    public func list(viewer: MemberID, kind: SavedSearchKind? = nil) async throws -> [SavedSearch] {
        try await storage.savedSearches(of: viewer).filter { kind == nil || $0.kind == kind }
    }

    /// The viewer's saved search; 404 for anyone else's.
    public func get(id: String, viewer: MemberID) async throws -> SavedSearch {
        guard let saved = try await storage.savedSearch(id: id), saved.member == viewer else {
            throw DomainError(.notFound, code: "not_found", message: "No such saved search.")
        }
        return saved
    }

    public func delete(id: String, viewer: MemberID) async throws {
        guard try await storage.deleteSavedSearch(id: id, of: viewer) else {
            throw DomainError(.notFound, code: "not_found", message: "No such saved search.")
        }
    }

    /// Checks every saved search last checked at least `interval` ago; returns how many notifications it made.
    @discardableResult
    public func checkDue(interval: TimeInterval, batch: Int = 100) async throws -> Int {
        let now = clock.now()
        var made = 0
        for saved in try await storage.savedSearchesDue(before: now.addingTimeInterval(-interval), limit: batch) {
            if saved.kind == .jobs {
                guard try await storage.claimSavedSearch(id: saved.id, checkedAt: saved.checkedAt, to: now) else { continue }
                do {
                    if try await checkJobs(saved, at: now) { made += 1 }
                } catch let error as DomainError where error.code == "too_complex" {
                    continue
                }
                continue
            }
            // Each check is a search of its owner's and counts against their caps; a member at the cap is checked
            // again later, from where the last check left off.
            do {
                try await search.reserveSearch(saved.member)
            } catch let error as DomainError where error.code == "search_limit" {
                continue
            }
            guard try await storage.claimSavedSearch(id: saved.id, checkedAt: saved.checkedAt, to: now) else { continue }
            do {
                if try await check(saved, at: now) { made += 1 }
            } catch let error as DomainError where error.code == "too_complex" {
                // A saved search the index grew too large to answer within a query's budget is skipped this round,
                // not every other member's: the next round tries it again.
                continue
            }
        }
        return made
    }

    /// Runs one saved job search over the jobs posted since it was last checked; true when it announced some.
    func checkJobs(_ saved: SavedSearch, at now: Date) async throws -> Bool {
        guard let jobMatches, try await storage.account(id: saved.member)?.isActive == true else { return false }
        let found = try await jobMatches(saved, saved.checkedAt.addingTimeInterval(-Self.overlap))
        let fresh = try await storage.unseenJobMatches(of: saved.id, among: found)
        guard !fresh.isEmpty else { return false }
        let notification = MemberNotification(
            id: OpaqueID.make(at: now), member: saved.member, kind: .savedSearchMatches, subjectID: saved.id, subjectName: saved.name,
            members: [], count: fresh.count, createdAt: now)
        try await storage.recordJobMatches(of: saved.id, fresh, notification: notification)
        await announce(notification)
        return true
    }

    /// Runs one saved search over the entries indexed since it was last checked; true when it announced someone.
    func check(_ saved: SavedSearch, at now: Date) async throws -> Bool {
        guard let account = try await storage.account(id: saved.member), account.isActive, let compiled = try? compile(saved.query) else { return false }
        let hits = try await search.matches(
            compiled, filters: SearchFilters(formEncoded: saved.filters), viewer: saved.member, role: account.role,
            changedSince: saved.checkedAt.addingTimeInterval(-Self.overlap))
        let fresh = try await storage.unseenMatches(of: saved.id, among: hits.map(\.member))
        guard !fresh.isEmpty else { return false }
        let notification = MemberNotification(
            id: OpaqueID.make(at: now), member: saved.member, kind: .savedSearchMatches, subjectID: saved.id, subjectName: saved.name,
            members: Array(fresh.prefix(Self.namedInNotification)), count: fresh.count, createdAt: now)
        try await storage.recordMatches(of: saved.id, fresh, notification: notification)
        await announce(notification)
        return true
    }
}
