import Foundation
import Testing
import TsunagariCore

@testable import TsunagariSearch

/// The index in memory against a plain evaluation of the same query on each document, over random documents
/// and queries, through inserts, replacements and removals.
@Suite struct TermIndexTests {
    /// A small generator with a fixed seed, so that a failure repeats.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ values: [T]) -> T { values[int(values.count)] }
    }

    static let vocabulary = ["swift", "sales", "東京", "京都", "英語", "営業", "manager", "ya", "yamada", "yamamoto", "c++"]
    static let columns: [SearchColumn] = [.name, .title, .company, .about, .filters]

    /// A column's text: a few words, sometimes two texts apart by the boundary.
    static func text(_ random: inout Random) -> String {
        var words: [String] = []
        for _ in 0..<(1 + random.int(4)) {
            words.append(random.int(8) == 0 ? ProfileIndexing.boundary : random.pick(vocabulary))
        }
        return words.joined(separator: " ")
    }

    static func entry(_ member: MemberID, _ random: inout Random) -> SearchIndexEntry {
        var columns: [SearchColumn: String] = [:]
        for column in TermIndexTests.columns where random.int(3) != 0 { columns[column] = text(&random) }
        return SearchIndexEntry(member: member, columns: columns, attributes: SearchAttributes(handle: "h\(member.rawValue)", name: "N"))
    }

    static func query(_ random: inout Random, depth: Int) -> IndexQuery {
        if depth == 0 || random.int(3) == 0 {
            let length = 1 + random.int(2)
            let column: SearchColumn? = random.int(3) == 0 ? random.pick(columns) : nil
            return .sequence((0..<length).map { _ in random.pick(vocabulary + ["absent"]) }, column: column)
        }
        let parts = (0..<(1 + random.int(3))).map { _ in query(&random, depth: depth - 1) }
        switch random.int(3) {
        case 0: return .and(parts)
        case 1: return .or(parts)
        default: return .not(parts[0])
        }
    }

    /// Whether the terms stand consecutively within one text of a column (of `column` when given).
    static func holds(_ entry: SearchIndexEntry, _ terms: [String], _ column: SearchColumn?) -> Bool {
        for candidate in SearchColumn.allCases where column == nil || column == candidate {
            let words = (entry.columns[candidate] ?? "").split(separator: " ").map(String.init)
            guard words.count >= terms.count else { continue }
            for start in 0...(words.count - terms.count) where Array(words[start..<(start + terms.count)]) == terms { return true }
        }
        return false
    }

    static func matches(_ entry: SearchIndexEntry, _ query: IndexQuery) -> Bool {
        switch query {
        case .sequence(let terms, let column): return !terms.isEmpty && holds(entry, terms, column)
        case .and(let parts): return parts.allSatisfy { matches(entry, $0) }
        case .or(let parts): return parts.contains { matches(entry, $0) }
        case .not(let inner): return !matches(entry, inner)
        }
    }

    /// With no other terms, the vocabulary's terms take one byte each in the forward lists; after 200 others, two
    /// (and a phrase's first byte is also some other term's inner byte); after 20,000 others, three.
    @Test(arguments: [0, 200, 20_000])
    func booleanQueriesMatchAPlainEvaluationThroughChanges(termsBefore: Int) throws {
        var random = Random(state: 20_261_129)
        let index = TermIndex()
        if termsBefore > 0 {
            let filler = MemberID("filler")
            let words = (0..<termsBefore).map { "filler\($0)" }.joined(separator: " ")
            index.upsert([SearchIndexEntry(member: filler, columns: [.about: words], attributes: SearchAttributes(handle: "f", name: "F"))], at: Date())
            index.remove(filler)
        }
        var entries: [MemberID: SearchIndexEntry] = [:]
        let members = (0..<300).map { MemberID(String(format: "m%04d", $0)) }
        for round in 0..<4 {
            // Round 0 inserts everyone; later rounds replace a third and remove a tenth.
            var batch: [SearchIndexEntry] = []
            for member in members where round == 0 || random.int(3) == 0 {
                let entry = Self.entry(member, &random)
                entries[member] = entry
                batch.append(entry)
            }
            index.upsert(batch, at: Date())
            if round > 0 {
                for member in members where random.int(10) == 0 {
                    index.remove(member)
                    entries[member] = nil
                }
            }
            #expect(index.count == entries.count)
            for _ in 0..<150 {
                let query = Self.query(&random, depth: 2)
                let expected = Set(entries.values.filter { Self.matches($0, query) }.map(\.member))
                let found = try index.search(query, among: nil, since: nil, limit: 1_000).map(\.member)
                #expect(Set(found) == expected, "round \(round): \(query)")
                #expect(found.count == Set(found).count, "a member found twice for \(query)")
                // Among some members (a viewer's connections), where phrases are checked only on them.
                let some = members.filter { _ in random.int(4) == 0 }
                let amongFound = try index.search(query, among: some, since: nil, limit: 1_000).map(\.member)
                #expect(Set(amongFound) == expected.intersection(some), "round \(round), among: \(query)")
            }
        }
    }

    /// Two phrases ANDed: the first to be checked (its rarest term is the rarer) holds in 1,005 documents, but only 5 of
    /// them hold the second's terms too. Narrowed by every part's terms first, the AND checks those 5, not 1,005.
    @Test func anAndChecksOnlyDocumentsHoldingEveryPartsTerms() throws {
        let index = TermIndex()
        let attributes = SearchAttributes(handle: "h", name: "N")
        var entries: [SearchIndexEntry] = []
        func add(_ count: Int, _ prefix: String, _ text: String) {
            for i in 0..<count { entries.append(SearchIndexEntry(member: MemberID("\(prefix)\(i)"), columns: [.about: text], attributes: attributes)) }
        }
        add(1_000, "a", "alpha beta x")
        add(500, "b", "x y")
        add(2_000, "c", "y")
        add(5, "d", "alpha beta x y")
        index.upsert(entries, at: Date())
        let query = IndexQuery.and([.sequence(["alpha", "beta"], column: nil), .sequence(["x", "y"], column: nil)])
        let found = try index.search(query, among: nil, since: nil, limit: 100).map(\.member.rawValue)
        #expect(Set(found) == Set((0..<5).map { "d\($0)" }))
        // Checking the first phrase on its 1,005 documents alone would cost 1,005 × 48 units.
        let work = index.work(query, among: nil, limit: 100)
        #expect(work < 20_000, "work \(work)")
    }

    @Test func anAndOfTermsStartsFromTheRarest() throws {
        let index = TermIndex()
        let attributes = SearchAttributes(handle: "h", name: "N")
        var entries = (0..<20_000).map { SearchIndexEntry(member: MemberID("c\($0)"), columns: [.about: "common other"], attributes: attributes) }
        entries += (0..<10).map { SearchIndexEntry(member: MemberID("r\($0)"), columns: [.about: "common other rare"], attributes: attributes) }
        index.upsert(entries, at: Date())
        // The rarest part last, as a recruiter might type it: `common other rare`.
        let query = IndexQuery.and(["common", "other", "rare"].map { .sequence([$0], column: nil) })
        let found = try index.search(query, among: nil, since: nil, limit: 100).map(\.member.rawValue)
        #expect(Set(found) == Set((0..<10).map { "r\($0)" }))
        // Merging the two common lists would read 40,020 postings; the rare part's 10 documents galloped through them
        // read a few dozen.
        let work = index.work(query, among: nil, limit: 100)
        #expect(work < 1_000, "work \(work)")
    }

    @Test func typeaheadMatchesAPlainEvaluation() {
        var random = Random(state: 7)
        let index = TermIndex()
        var entries: [SearchIndexEntry] = []
        for i in 0..<200 {
            let entry = Self.entry(MemberID(String(format: "m%04d", i)), &random)
            entries.append(entry)
        }
        index.upsert(entries, at: Date())
        for terms in [["ya"], ["yam"], ["yamada"], ["y"], ["東"], ["swift", "s"], ["sales", "ya"], ["nothing"], ["c+"]] {
            let expected = Set(entries.filter { entry in
                let words = (entry.columns[.name] ?? "").split(separator: " ").map(String.init)
                guard words.count >= terms.count else { return false }
                return (0...(words.count - terms.count)).contains { start in
                    Array(words[start..<(start + terms.count - 1)]) == Array(terms.dropLast())
                        && words[start + terms.count - 1].hasPrefix(terms.last!)
                }
            }.map(\.member))
            #expect(Set(index.names(terms, among: nil, limit: 1_000).map(\.member)) == expected, "\(terms)")
            let some = Array(entries.map(\.member).prefix(50))
            #expect(
                Set(index.names(terms, among: some, limit: 1_000).map(\.member)) == expected.intersection(some), "\(terms) among some")
            #expect(index.names(terms, among: nil, limit: 3).count == min(3, expected.count))
        }
    }

    @Test func rankingWeighsColumnsAndRepetition() throws {
        let index = TermIndex()
        let attributes = SearchAttributes(handle: "h", name: "N")
        index.upsert(
            [
                SearchIndexEntry(member: MemberID("about"), columns: [.about: "swift developer"], attributes: attributes),
                SearchIndexEntry(member: MemberID("title"), columns: [.title: "swift developer"], attributes: attributes),
                SearchIndexEntry(member: MemberID("filter"), columns: [.filters: "swift"], attributes: attributes),
                SearchIndexEntry(member: MemberID("twice"), columns: [.about: "swift swift developer"], attributes: attributes),
            ], at: Date())
        let found = try index.search(.sequence(["swift"], column: nil), among: nil, since: nil, limit: 10)
        #expect(found.map(\.member.rawValue) == ["title", "twice", "about", "filter"])
        #expect(found.last?.relevance == 0, "the filters column is never ranked")
        // A rarer term weighs more than a common one.
        let both = try index.search(.or([.sequence(["swift"], column: nil), .sequence(["developer"], column: nil)]), among: nil, since: nil, limit: 10)
        #expect(both.first?.member.rawValue == "title")
    }

    @Test func amongAndSinceNarrow() throws {
        let index = TermIndex()
        let attributes = SearchAttributes(handle: "h", name: "N")
        let early = Date(timeIntervalSince1970: 1_000)
        let late = Date(timeIntervalSince1970: 2_000)
        index.upsert([SearchIndexEntry(member: MemberID("a"), columns: [.title: "sales"], attributes: attributes)], at: early)
        index.upsert(
            [
                SearchIndexEntry(member: MemberID("b"), columns: [.title: "sales"], attributes: attributes),
                SearchIndexEntry(member: MemberID("c"), columns: [.title: "engineer"], attributes: attributes),
            ], at: late)
        let sales = IndexQuery.sequence(["sales"], column: nil)
        #expect(try index.search(sales, among: [MemberID("a"), MemberID("c"), MemberID("zz")], since: nil, limit: 10).map(\.member) == [MemberID("a")])
        #expect(try index.search(sales, among: nil, since: late, limit: 10).map(\.member) == [MemberID("b")])
        #expect(try index.search(.not(sales), among: nil, since: nil, limit: 10).map(\.member) == [MemberID("c")])
        #expect(try index.search(.not(sales), among: [MemberID("a")], since: nil, limit: 10).isEmpty)
        #expect(try index.search(sales, among: nil, since: nil, limit: 0).isEmpty)
    }
}

/// Storage's entries in a dictionary; writes fail on demand.
private actor EntriesInMemory: SearchEntryStore {
    struct Refused: Error {}
    var entries: [MemberID: StoredSearchEntry] = [:]
    var refuseWrites = false

    func refuse(_ value: Bool) { refuseWrites = value }

    func upsertSearchEntries(_ written: [SearchIndexEntry], at date: Date) async throws {
        if refuseWrites { throw Refused() }
        for entry in written where entry.version >= entries[entry.member]?.entry.version ?? 0 {
            entries[entry.member] = StoredSearchEntry(entry: entry, indexedAt: date)
        }
    }
    func profileVersions(of members: [MemberID]) async throws -> [MemberID: Int64] { [:] }
    func deleteSearchEntry(_ member: MemberID) async throws { entries[member] = nil }
    func searchEntryCount() async throws -> Int { entries.count }
    func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry] {
        let sorted = entries.values.sorted { $0.entry.member < $1.entry.member }
        return Array(sorted.filter { stored in after.map { stored.entry.member > $0 } ?? true }.prefix(limit))
    }
    func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry] { members.compactMap { entries[$0] } }
    func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange] { [] }
    func searchChanges(sequences: [Int64]) async throws -> [SearchChange] { [] }
    func lastSearchChange() async throws -> Int64 { 0 }
    func pruneSearchChanges(before date: Date) async throws {}
}

@Suite struct SearchEngineTests {
    @Test func aWriteStorageRefusesLeavesTheIndexAsStorageHasIt() async throws {
        let store = EntriesInMemory()
        let engine = SearchEngine(store: store)
        let attributes = SearchAttributes(handle: "h", name: "N")
        let kept = MemberID("kept")
        let refused = MemberID("refused")
        try await engine.upsertSearchEntries([SearchIndexEntry(member: kept, columns: [.title: "sales"], attributes: attributes)], at: Date())
        await store.refuse(true)
        await #expect(throws: EntriesInMemory.Refused.self) {
            try await engine.upsertSearchEntries(
                [
                    SearchIndexEntry(member: kept, columns: [.title: "engineer"], attributes: attributes),
                    SearchIndexEntry(member: refused, columns: [.title: "engineer"], attributes: attributes),
                ], at: Date())
        }
        // Memory holds what storage holds: the old entry, and nothing for the member never stored.
        #expect(try await engine.searchCandidates(.sequence(["engineer"], column: nil), filters: IndexFilters(), limit: 10).isEmpty)
        #expect(try await engine.searchCandidates(.sequence(["sales"], column: nil), filters: IndexFilters(), limit: 10).map(\.member) == [kept])
        #expect(engine.index.count == 1)
    }
}

/// Two edits of one profile indexed in the reverse order of their storing: the entry of the newer version stays.
@Suite struct EntryVersionTests {
    static let attributes = SearchAttributes(handle: "h", name: "N")

    static func entry(_ title: String, version: Int64) -> SearchIndexEntry {
        SearchIndexEntry(member: MemberID("m"), columns: [.title: title], attributes: attributes, version: version)
    }

    static func titles(_ index: TermIndex) throws -> [String] {
        try ["engineer", "sales", "designer"].filter { try !index.search(.sequence([$0], column: nil), among: nil, since: nil, limit: 10).isEmpty }
    }

    @Test func anOlderEntryDoesNotReplaceANewerOne() throws {
        let index = TermIndex()
        index.upsert([Self.entry("engineer", version: 2)], at: Date(timeIntervalSince1970: 2))
        index.upsert([Self.entry("sales", version: 1)], at: Date(timeIntervalSince1970: 3))
        #expect(try Self.titles(index) == ["engineer"])
        #expect(index.version(MemberID("m")) == 2)
        #expect(index.indexedAt(MemberID("m")) == Date(timeIntervalSince1970: 2))
        // The same version again (read before a later change, made from a newer profile) and a newer one replace it.
        index.upsert([Self.entry("designer", version: 2)], at: Date(timeIntervalSince1970: 4))
        #expect(try Self.titles(index) == ["designer"])
        index.upsert([Self.entry("sales", version: 3)], at: Date(timeIntervalSince1970: 5))
        #expect(try Self.titles(index) == ["sales"])
        // In one batch too.
        index.upsert([(Self.entry("engineer", version: 5), Date()), (Self.entry("designer", version: 4), Date())])
        #expect(try Self.titles(index) == ["engineer"])
    }

    @Test func theEngineKeepsTheNewerInStorageAndMemory() async throws {
        let store = EntriesInMemory()
        let engine = SearchEngine(store: store)
        try await engine.upsertSearchEntries([Self.entry("engineer", version: 2)], at: Date())
        try await engine.upsertSearchEntries([Self.entry("sales", version: 1)], at: Date())
        #expect(try Self.titles(engine.index) == ["engineer"])
        #expect(try await store.searchEntries(of: [MemberID("m")]).map(\.entry.version) == [2])
    }
}

/// A query's work under the index's lock is bounded: past the limit it is refused, and the engine says so as the
/// API does (400 too_complex).
@Suite struct QueryWorkTests {
    static func index() -> TermIndex {
        let index = TermIndex()
        let attributes = SearchAttributes(handle: "h", name: "N")
        index.upsert(
            (0..<2_000).map { i in
                SearchIndexEntry(
                    member: MemberID(String(format: "m%05d", i)), columns: [.title: "software engineer", .about: "tokyo \(i % 7) english"],
                    attributes: attributes)
            }, at: Date())
        return index
    }

    static let phrases = IndexQuery.or((0..<8).map { _ in .sequence(["software", "engineer"], column: nil) })

    @Test func aQueryPastItsWorkIsRefused() throws {
        let index = Self.index()
        let work = index.work(Self.phrases, among: nil, limit: 1_200)
        // Checking 2,000 documents for each of 8 phrases: at least 48 units a document.
        #expect(work > 8 * 2_000 * 48)
        #expect(try index.search(Self.phrases, among: nil, since: nil, limit: 1_200, workLimit: work).count == 1_200)
        #expect(throws: TermIndex.TooMuchWork()) { try index.search(Self.phrases, among: nil, since: nil, limit: 1_200, workLimit: work - 1) }
        // A plain query costs little.
        #expect(index.work(.sequence(["tokyo"], column: nil), among: nil, limit: 1_200) < 20_000)
    }

    @Test func theEngineAnswersTooComplex() async throws {
        let engine = SearchEngine(store: EntriesInMemory())
        let attributes = SearchAttributes(handle: "h", name: "N")
        try await engine.upsertSearchEntries(
            (0..<20_000).map { SearchIndexEntry(member: MemberID(String(format: "m%05d", $0)), columns: [.title: "software engineer"], attributes: attributes) },
            at: Date())
        let many = IndexQuery.or((0..<32).map { _ in .sequence(["software", "engineer"], column: nil) })
        #expect(engine.index.work(many, among: nil, limit: 1_200) > TermIndex.workLimit)
        await #expect(throws: DomainError(.malformed, code: "too_complex", message: SearchEngine.tooComplex.message)) {
            try await engine.searchCandidates(many, filters: IndexFilters(), limit: 1_200)
        }
    }
}
