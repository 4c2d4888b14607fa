import Foundation
import Testing
import TsunagariCore

@testable import TsunagariSearch

/// A snapshot of the index read back answers every query as the index it was taken from, before and after both go
/// through the same further changes; the engine uses a snapshot only when it fits the database's change log.
@Suite struct SearchSnapshotTests {
    typealias Random = TermIndexTests.Random

    static func snapshot(_ index: TermIndex) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var writer = SnapshotWriter(kind: TermIndex.snapshotKind, format: TermIndex.snapshotFormat) { bytes += $0 }
        index.writeSnapshot(to: &writer)
        try writer.finish()
        return bytes
    }

    static func restored(_ bytes: [UInt8]) throws -> TermIndex {
        let index = TermIndex()
        try bytes.withUnsafeBytes { raw in
            var reader = try SnapshotReader(raw, kind: TermIndex.snapshotKind, formats: TermIndex.snapshotFormat...TermIndex.snapshotFormat)
            try index.readSnapshot(from: &reader)
        }
        return index
    }

    /// The answers of many random queries, typeahead prefixes and per-member facts.
    static func answers(_ index: TermIndex, _ members: [MemberID], seed: UInt64) throws -> [String] {
        var random = Random(state: seed)
        var out: [String] = ["count \(index.count)"]
        for _ in 0..<300 {
            let query = TermIndexTests.query(&random, depth: 2)
            let hits = (try? index.search(query, among: nil, since: nil, limit: 50)) ?? []
            out.append("\(query): " + hits.map { "\($0.member.rawValue)@\(String(format: "%.6f", $0.relevance))" }.joined(separator: ","))
        }
        for prefix in ["y", "ya", "yam", "s", "東", "m", "c+"] {
            out.append("names \(prefix): " + index.names([prefix], among: nil, limit: 100).map(\.member.rawValue).sorted().joined(separator: ","))
        }
        for member in members {
            out.append("\(member.rawValue) v\(index.version(member).map(String.init) ?? "-") at \(index.indexedAt(member).map { "\($0.timeIntervalSince1970)" } ?? "-")")
        }
        return out
    }

    @Test func aRestoredIndexAnswersAsTheOriginalThroughFurtherChanges() throws {
        var random = Random(state: 7)
        let members = (0..<400).map { MemberID("member-\($0)") }
        let original = TermIndex()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        original.upsert(members.map { (TermIndexTests.entry($0, &random), t0) })
        // Replacements and removals leave empty documents and emptied postings behind: the snapshot keeps them.
        for member in members.prefix(60) { original.upsert([(TermIndexTests.entry(member, &random), t0.addingTimeInterval(5))]) }
        for member in members.suffix(40) { original.remove(member) }

        let copy = try Self.restored(try Self.snapshot(original))
        #expect(try Self.answers(copy, members, seed: 1) == Self.answers(original, members, seed: 1))
        #expect(copy.count == original.count && copy.count == 360)

        // The same changes on both: new documents, replacements, removals, a removed member back.
        for step in 0..<200 {
            let member = step % 5 == 0 ? MemberID("new-\(step)") : random.pick(members)
            let at = t0.addingTimeInterval(Double(100 + step))
            if step % 7 == 0 {
                original.remove(member)
                copy.remove(member)
            } else {
                let entry = TermIndexTests.entry(member, &random)
                original.upsert([(entry, at)])
                copy.upsert([(entry, at)])
            }
        }
        let everyone = members + (0..<200).map { MemberID("new-\($0)") }
        #expect(try Self.answers(copy, everyone, seed: 2) == Self.answers(original, everyone, seed: 2))
        // And a snapshot of the restored index is the same bytes as one of the original.
        #expect(try Self.snapshot(copy) == Self.snapshot(original))
    }

    @Test func anEmptyIndexRoundTrips() throws {
        let copy = try Self.restored(try Self.snapshot(TermIndex()))
        #expect(copy.count == 0)
        copy.upsert([(SearchIndexEntry(member: MemberID("a"), columns: [.title: "swift"], attributes: SearchAttributes(handle: "a", name: "A")), Date())])
        #expect(try copy.search(.sequence(["swift"], column: nil), among: nil, since: nil, limit: 5).map(\.member) == [MemberID("a")])
    }

    @Test(arguments: ["a forward list's term", "an attribute piece", "an attribute's text"])
    func aSnapshotThatDoesNotHoldTogetherIsRefusedAndChangesNothing(damage: String) throws {
        var random = Random(state: 3)
        let index = TermIndex()
        index.upsert((0..<50).map { (TermIndexTests.entry(MemberID("m\($0)"), &random), Date()) })
        // A snapshot whose sections are well-formed but whose forward list names a term that does not exist, whose
        // attributes name a piece that does not exist, or whose attributes' text runs past their end.
        var bytes: [UInt8] = []
        var writer = SnapshotWriter(kind: TermIndex.snapshotKind, format: TermIndex.snapshotFormat) { bytes += $0 }
        var frozen = index.frozen()
        var forward = frozen.forward
        var attributes = frozen.attributes
        switch damage {
        case "a forward list's term":
            var tokens = try #require(ForwardList.decode(forward[0], columns: TermIndex.columns.count))
            tokens.append(999_999)
            forward[0] = ForwardList.encode(tokens, columns: TermIndex.columns.count)
        case "an attribute piece":
            ForwardList.appendVarint(3 + 2 * UInt32(frozen.attributeTable.count), to: &attributes[0])
        default:
            ForwardList.appendVarint(3 + 2 * 10 + 1, to: &attributes[0])
            attributes[0] += Array("abc".utf8)
        }
        #expect(frozen.attributeTable.isValid(frozen.attributes[0]))
        frozen = TermIndex.Frozen(
            termText: frozen.termText, postings: frozen.postings, namePostings: frozen.namePostings,
            nameTermIDs: frozen.nameTermIDs, members: frozen.members, forward: forward, lengths: frozen.lengths, attributes: attributes,
            attributeTable: frozen.attributeTable, stamps: frozen.stamps, versions: frozen.versions, liveCount: frozen.liveCount,
            totalLength: frozen.totalLength)
        TermIndex.write(frozen, to: &writer)
        try writer.finish()
        let target = TermIndex()
        target.upsert([(SearchIndexEntry(member: MemberID("kept"), columns: [.title: "swift"], attributes: SearchAttributes(handle: "k", name: "K")), Date())])
        #expect(throws: SnapshotError.self) {
            try bytes.withUnsafeBytes { raw in
                var reader = try SnapshotReader(raw, kind: TermIndex.snapshotKind, formats: TermIndex.snapshotFormat...TermIndex.snapshotFormat)
                try target.readSnapshot(from: &reader)
            }
        }
        #expect(target.count == 1, "a refused snapshot leaves the index as it was")
    }
}

/// Async work over bytes (an array's own buffer is lent only to synchronous code).
func withRaw<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) async throws -> T) async throws -> T {
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { raw.deallocate() }
    raw.copyBytes(from: bytes)
    return try await body(UnsafeRawBufferPointer(rebasing: raw[0..<bytes.count]))
}

/// A store whose change log and entries the test writes directly.
private actor LoggedEntries: SearchEntryStore {
    var entries: [MemberID: StoredSearchEntry] = [:]
    var changes: [SearchChange] = []
    var next: Int64 = 1

    func put(_ entry: SearchIndexEntry, at date: Date) {
        entries[entry.member] = StoredSearchEntry(entry: entry, indexedAt: date)
        changes.append(SearchChange(sequence: next, member: entry.member))
        next += 1
    }

    func drop(_ member: MemberID) {
        entries[member] = nil
        changes.append(SearchChange(sequence: next, member: member))
        next += 1
    }

    /// Forgets the log before `sequence`.
    func prune(before sequence: Int64) { changes.removeAll { $0.sequence < sequence } }

    func upsertSearchEntries(_ written: [SearchIndexEntry], at date: Date) async throws {
        for entry in written { put(entry, at: date) }
    }
    func profileVersions(of members: [MemberID]) async throws -> [MemberID: Int64] { [:] }
    func deleteSearchEntry(_ member: MemberID) async throws { drop(member) }
    func searchEntryCount() async throws -> Int { entries.count }
    func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] {
        Array(entries.values.filter { after == nil || $0.entry.member > after! }.sorted { $0.entry.member < $1.entry.member }.prefix(limit))
    }
    func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] { members.compactMap { entries[$0] } }
    func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange] {
        Array(changes.filter { $0.sequence > sequence }.prefix(limit))
    }
    func searchChanges(sequences: [Int64]) async throws -> [SearchChange] { changes.filter { sequences.contains($0.sequence) } }
    func lastSearchChange() async throws -> Int64 { changes.last?.sequence ?? 0 }
    func pruneSearchChanges(before date: Date) async throws {}
}

@Suite struct SearchEngineSnapshotTests {
    static func entry(_ member: String, _ title: String) -> SearchIndexEntry {
        SearchIndexEntry(member: MemberID(member), columns: [.title: title], attributes: SearchAttributes(handle: member, name: member))
    }

    static func found(_ engine: SearchEngine, _ word: String) throws -> [MemberID] {
        try engine.index.search(.sequence([word], column: nil), among: nil, since: nil, limit: 50).map(\.member).sorted()
    }

    static func snapshot(_ engine: SearchEngine) async throws -> ([UInt8], SearchEngine.SnapshotPosition?) {
        let bytes = LockedValue<[UInt8]>([])
        let position = try await engine.writeSnapshot { chunk in bytes.withLock { $0 += chunk } }
        return (bytes.withLock { $0 }, position)
    }

    @Test func aRestartFromASnapshotReplaysOnlyTheChangesAfterIt() async throws {
        let store = LoggedEntries()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<20 { await store.put(Self.entry("m\(i)", i % 2 == 0 ? "engineer" : "designer"), at: t0) }
        let first = SearchEngine(store: store)
        try await first.load()
        let (bytes, position) = try await Self.snapshot(first)
        #expect(position?.sequence == 20 && position?.anchor == "m19")

        // Changes after the snapshot: an edit, a removal, a new member.
        await store.put(Self.entry("m0", "designer"), at: t0.addingTimeInterval(10))
        await store.drop(MemberID("m1"))
        await store.put(Self.entry("m20", "engineer"), at: t0.addingTimeInterval(10))

        let restarted = SearchEngine(store: store)
        let restoredAt = try await withRaw(bytes) { try await restarted.restore(from: $0) }
        #expect(restoredAt.sequence == 20)
        #expect(try Self.found(restarted, "engineer").contains(MemberID("m0")), "before replaying, the snapshot's state")
        #expect(try await restarted.catchUp() == 3)
        let fresh = SearchEngine(store: store)
        try await fresh.load()
        for word in ["engineer", "designer"] { #expect(try Self.found(restarted, word) == Self.found(fresh, word)) }
        #expect(restarted.index.count == 20)
    }

    @Test func aSnapshotIsNotUsedOnAnotherOrAnOlderDatabaseOrAfterItsChangeWasPruned() async throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let store = LoggedEntries()
        for i in 0..<5 { await store.put(Self.entry("m\(i)", "engineer"), at: t0) }
        let engine = SearchEngine(store: store)
        try await engine.load()
        let (bytes, _) = try await Self.snapshot(engine)

        // Another database with as many changes, of other members.
        let other = LoggedEntries()
        for i in 0..<6 { await other.put(Self.entry("x\(i)", "engineer"), at: t0) }
        await #expect(throws: SnapshotError("the snapshot is of another database")) {
            try await withRaw(bytes) { try await SearchEngine(store: other).restore(from: $0) }
        }
        // An older copy of this database: its log ends before the snapshot.
        let older = LoggedEntries()
        for i in 0..<3 { await older.put(Self.entry("m\(i)", "engineer"), at: t0) }
        await #expect(throws: SnapshotError.self) {
            try await withRaw(bytes) { try await SearchEngine(store: older).restore(from: $0) }
        }
        // The change the snapshot stands at was pruned: what came between can no longer be known.
        await store.put(Self.entry("m5", "engineer"), at: t0)
        await store.prune(before: 6)
        await #expect(throws: SnapshotError("change 5, where the snapshot was taken, is no longer in the log")) {
            try await withRaw(bytes) { try await SearchEngine(store: store).restore(from: $0) }
        }
    }

    @Test func noSnapshotIsTakenWhileAWriteAwaitsStorageOrAtAChangeNotInTheLog() async throws {
        let store = LoggedEntries()
        let engine = SearchEngine(store: store)
        await store.put(Self.entry("m0", "engineer"), at: Date())
        try await engine.load()
        engine.ownWrites.withLock { $0 += 1 }
        #expect(try await Self.snapshot(engine).1 == nil)
        engine.ownWrites.withLock { $0 -= 1 }
        #expect(try await Self.snapshot(engine).1?.sequence == 1)
        await store.prune(before: 2)
        #expect(try await Self.snapshot(engine).1 == nil, "the change at the index's place is gone: nothing to anchor the snapshot to")
    }
}
