import Foundation
import Testing
import TsunagariCore
@testable import TsunagariSearch

/// A change log whose numbers commit out of order, as PostgreSQL's do under concurrent transactions.
private actor ScriptedEntries: SearchEntryStore {
    var entries: [MemberID: StoredSearchEntry] = [:]
    var changes: [SearchChange] = []

    /// Stores the member's entry and commits change `sequence` for it.
    func commit(_ sequence: Int64, _ entry: SearchIndexEntry, at date: Date) {
        entries[entry.member] = StoredSearchEntry(entry: entry, indexedAt: date)
        changes.append(SearchChange(sequence: sequence, member: entry.member))
    }

    func upsertSearchEntries(_ written: [SearchIndexEntry], at date: Date) async throws {}
    func profileVersions(of members: [MemberID]) async throws -> [MemberID: Int64] { [:] }
    func deleteSearchEntry(_ member: MemberID) async throws {}
    func searchEntryCount() async throws -> Int { entries.count }
    func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] { [] }
    func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] { members.compactMap { entries[$0] } }
    func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange] {
        Array(changes.filter { $0.sequence > sequence }.sorted { $0.sequence < $1.sequence }.prefix(limit))
    }
    func searchChanges(sequences: [Int64]) async throws -> [SearchChange] { changes.filter { sequences.contains($0.sequence) } }
    func lastSearchChange() async throws -> Int64 { changes.map(\.sequence).max() ?? 0 }
    func pruneSearchChanges(before date: Date) async throws {}
}

@Suite struct SearchCatchUpTests {
    static let attributes = SearchAttributes(handle: "h", name: "N")

    static func found(_ engine: SearchEngine, _ word: String) throws -> [MemberID] {
        try engine.index.search(.sequence([word], column: nil), among: nil, since: nil, limit: 10).map(\.member)
    }

    /// A profile change whose transaction commits after the gap before it was given up on is still found.
    @Test func aChangeCommittedAfterItsGapWasPassedIsStillIndexed() async throws {
        let store = ScriptedEntries()
        let engine = SearchEngine(store: store)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let (a, b) = (MemberID("member-a"), MemberID("member-b"))
        await store.commit(1, SearchIndexEntry(member: a, columns: [.title: "engineer"], attributes: Self.attributes, version: 1), at: t0)
        try await engine.catchUp(now: t0)
        #expect(try Self.found(engine, "engineer") == [a])

        // Change 2 (A becomes a designer) is written but not committed; 3 (B) commits first.
        await store.commit(3, SearchIndexEntry(member: b, columns: [.title: "sales"], attributes: Self.attributes, version: 1), at: t0)
        try await engine.catchUp(now: t0.addingTimeInterval(1))
        #expect(try Self.found(engine, "sales").isEmpty)  // waiting for 2
        try await engine.catchUp(now: t0.addingTimeInterval(3))
        #expect(try Self.found(engine, "sales") == [b])  // 2 given up on

        await store.commit(2, SearchIndexEntry(member: a, columns: [.title: "designer"], attributes: Self.attributes, version: 2), at: t0.addingTimeInterval(4))
        try await engine.catchUp(now: t0.addingTimeInterval(5))
        #expect(try Self.found(engine, "designer") == [a])
        #expect(try Self.found(engine, "engineer").isEmpty)
    }
}
