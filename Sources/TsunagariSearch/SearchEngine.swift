import Foundation
import TsunagariCore

/// The search index the product uses: entries are written to storage (which stays the record and logs each
/// change) and into a `TermIndex` in memory, which answers every query. At start the memory index is filled
/// from storage; `catchUp()` replays the change log, so that instances sharing a database see each other's
/// changes within a second.
public final class SearchEngine: SearchIndexStore, @unchecked Sendable {
    public typealias Store = SearchEntryStore

    public let index = TermIndex()
    let store: any Store
    /// How far the change log is applied, and the numbers passed over at gaps (asked for again; see
    /// `ChangeLogCursor`).
    let progress = LockedValue(ChangeLogCursor())
    /// This instance's writes in memory that storage has not yet acknowledged (a snapshot waits for none).
    let ownWrites = LockedValue(0)

    public init(store: any Store) {
        self.store = store
    }

    /// The last change applied.
    public var appliedSequence: Int64 { progress.withLock { $0.applied } }

    /// Fills the index from storage, a page at a time, and returns how many entries it read. Changes made
    /// meanwhile are in the log after the sequence read first, so `catchUp()` applies them.
    @discardableResult
    public func load(pageSize: Int = 5_000, expected: Int? = nil, report: ProgressReport = .none) async throws -> Int {
        let sequence = try await store.lastSearchChange()
        let store = self.store
        var count = 0
        report("search index", 0, of: expected)
        var page = try await store.searchEntries(after: nil, limit: pageSize)
        while let last = page.last {
            // The next page is read while this one goes into memory: reading a page (storage and decoding) takes
            // about as long as indexing it, so the two overlap on two cores.
            async let next = store.searchEntries(after: last.entry.member, limit: pageSize)
            index.upsert(page.map { ($0.entry, $0.indexedAt) })
            count += page.count
            report("search index", count, of: expected.map { max($0, count) })
            page = try await next
        }
        report("search index", count, of: count)
        progress.withLock { $0.advance(to: sequence) }
        return count
    }

    /// Applies the logged changes after the last one applied: each changed member's entry is read again (or
    /// removed). Returns how many changes it applied.
    @discardableResult
    public func catchUp(limit: Int = 5_000, now: Date = Date()) async throws -> Int {
        // Worked on a copy, kept only once the entries are applied, so a failed read loses no change.
        var cursor = progress.withLock { $0 }
        let changes = try await store.searchChanges(after: cursor.applied, limit: limit)
        var members: [MemberID] = []
        for change in changes {
            guard cursor.admit(change.sequence, now: now) else { break }
            members.append(change.member)
        }
        let inOrder = members.count
        // Numbers passed over at a gap that have committed since: their members are read again like any other.
        var found: [Int64] = []
        let late = cursor.lateSequences(now: now)
        if !late.isEmpty {
            for change in try await store.searchChanges(sequences: late) {
                members.append(change.member)
                found.append(change.sequence)
            }
        }
        guard !members.isEmpty else {
            let waited = cursor
            progress.withLock { $0 = waited }
            return 0
        }
        let unique = Array(Set(members))
        let entries = try await store.searchEntries(of: unique)
        // This instance's own writes come back too: an entry already held with the same stamp is not applied again.
        let fresh = entries.filter { stored in
            index.indexedAt(stored.entry.member).map { abs($0.timeIntervalSince(stored.indexedAt)) >= 0.0005 } ?? true
        }
        index.upsert(fresh.map { ($0.entry, $0.indexedAt) })
        let present = Set(entries.map(\.entry.member))
        for member in unique where !present.contains(member) { index.remove(member) }
        for sequence in found { cursor.found(sequence) }
        let done = cursor
        progress.withLock { $0 = done }
        return inOrder
    }

    // MARK: SearchIndexStore

    /// Writes the entries to storage and, meanwhile, into memory (the two take about as long in bulk indexing,
    /// so doing them side by side makes it faster). If storage refuses them, the members' stored entries are read
    /// back into memory, so that it holds nothing storage does not, and the error is thrown.
    public func upsertSearchEntries(_ entries: [SearchIndexEntry], at date: Date) async throws {
        let store = self.store
        ownWrites.withLock { $0 += 1 }
        defer { ownWrites.withLock { $0 -= 1 } }
        async let stored: Void = store.upsertSearchEntries(entries, at: date)
        index.upsert(entries, at: date)
        do {
            try await stored
        } catch {
            let members = Array(Set(entries.map(\.member)))
            if let kept = try? await store.searchEntries(of: members) {
                index.upsert(kept.map { ($0.entry, $0.indexedAt) })
                let present = Set(kept.map(\.entry.member))
                for member in members where !present.contains(member) { index.remove(member) }
            }
            throw error
        }
    }

    public func deleteSearchEntry(_ member: MemberID) async throws {
        try await store.deleteSearchEntry(member)
        index.remove(member)
    }

    /// Where queries run: a query is CPU work of a few milliseconds to about a hundred (1,000,000 profiles: up to
    /// `TermIndex.workLimit`), too long to hold one of the cooperative pool's threads (as many as the cores, two on the
    /// machine measured), which every other request needs meanwhile. The hop costs some microseconds.
    static let queries = DispatchQueue(label: "tsunagari.search.queries", qos: .userInitiated, attributes: .concurrent)

    public func searchCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [SearchCandidate] {
        try await Self.onQueryQueue { [index] () throws(TermIndex.TooMuchWork) in
            try index.search(query, among: filters.among, since: filters.changedSince, limit: limit).map(Self.candidate)
        }
    }

    public func rankedCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [RankedCandidate] {
        try await Self.onQueryQueue { [index] () throws(TermIndex.TooMuchWork) in
            try index.rankedSearch(query, among: filters.among, since: filters.changedSince, limit: limit).map {
                RankedCandidate(member: $0.member, relevance: $0.relevance, ranking: $0.ranking)
            }
        }
    }

    /// Runs a query on `queries`; one that would hold the index too long is `tooComplex`.
    private static func onQueryQueue<Found: Sendable>(
        _ body: @escaping @Sendable () throws(TermIndex.TooMuchWork) -> Found
    ) async throws -> Found {
        try await withCheckedThrowingContinuation { continuation in
            queries.async {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: tooComplex)
                }
            }
        }
    }

    public func attributes(of members: [MemberID]) async throws -> [SearchAttributes?] {
        index.attributes(of: members)
    }

    /// A query that would hold the index longer than its share (`TermIndex.TooMuchWork`), as the API and pages say it:
    /// 400 `too_complex`, as for a query past the parser's limits.
    static let tooComplex = DomainError(
        .malformed, code: "too_complex",
        message: "The query is too complex: it matches too many profiles in too many ways. Use fewer phrases or ORs, or add a term or filter.")

    public func nameCandidates(_ terms: [String], among: [MemberID]?, limit: Int) async throws -> [SearchCandidate] {
        index.names(terms, among: among, limit: limit).map(Self.candidate)
    }

    public func searchEntryCount() async throws -> Int {
        try await store.searchEntryCount()
    }

    static func candidate(_ hit: TermIndex.Hit) -> SearchCandidate {
        SearchCandidate(member: hit.member, relevance: hit.relevance, attributes: hit.attributes)
    }
}

extension SearchEngine: EmployerDirectory {
    public func currentCompanies(of members: [MemberID]) -> [MemberID: [String]] {
        index.currentCompanies(of: members)
    }
}
