import Foundation
import Testing
import TsunagariCore
import TsunagariSearch
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

/// Runs `body` with a fresh store and the product's search index over it: `SearchEngine`, in memory, filled
/// from the store's entries.
func withSearchStore<T: Sendable>(_ kind: StorageKind, _ body: (TestStore, SearchEngine) async throws -> T) async throws -> T {
    try await withStore(kind) { store in
        let engine = SearchEngine(store: try store.entries)
        try await engine.load()
        return try await body(store, engine)
    }
}

extension TestStore {
    /// Storage's side of the search index.
    var entries: any SearchEntryStore {
        get throws { try #require(storage as? any SearchEntryStore, "\(kind) storage does not implement SearchEntryStore") }
    }
}

extension SearchIndexStore {
    /// Most tests need neither a time stamp nor filters.
    func upsertSearchEntries(_ entries: [SearchIndexEntry]) async throws { try await upsertSearchEntries(entries, at: Date()) }
    func searchCandidates(_ query: IndexQuery, limit: Int) async throws -> [SearchCandidate] {
        try await searchCandidates(query, filters: IndexFilters(), limit: limit)
    }
}

/// An entry whose columns are written as the analyser would write them: lower-case words and CJK bigrams.
private func entry(_ member: MemberID, _ columns: [SearchColumn: String], _ attributes: SearchAttributes? = nil) -> SearchIndexEntry {
    SearchIndexEntry(member: member, columns: columns, attributes: attributes ?? SearchAttributes(handle: "m-\(member.rawValue.suffix(6))", name: "Member"))
}

private func word(_ term: String, in column: SearchColumn? = nil) -> IndexQuery {
    .sequence([term], column: column)
}

/// The members found, in the order given.
private func found(_ s: any SearchIndexStore, _ query: IndexQuery, limit: Int = 100) async throws -> [MemberID] {
    try await s.searchCandidates(query, limit: limit).map(\.member)
}

/// The members found, as a set.
private func foundSet(_ s: any SearchIndexStore, _ query: IndexQuery, limit: Int = 100) async throws -> Set<MemberID> {
    Set(try await found(s, query, limit: limit))
}

/// What the search index must do, in memory over SQLite and over PostgreSQL alike.
@Suite("Search index contract", .postgresTemplate)
struct SearchIndexContractTests {
    @Test("A versioned profile is the profile with its version, read at once; none for a suspended member", arguments: StorageKind.tested)
    func versionedProfiles(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let storage = store.storage
            let reader = try #require(storage as? any VersionedProfileReading)
            let x = Make.member("versioned-x", name: "Versioned")
            try await storage.createMembers([x])
            let id = x.account.memberID
            _ = try await storage.savePosition(Make.draft("Sony Corp.", title: "Engineer", start: "2018-04", end: nil), for: id, at: Make.at(5))
            try await storage.updateFields(ProfileFieldsChange(headline: .some("First")), for: id, at: Make.at(10))
            let first = try #require(try await reader.versionedProfile(id: id))
            #expect(first.version == (try await store.entries.profileVersions(of: [id]))[id])
            #expect(first.profile == (try await storage.profile(id: id)))
            #expect(first.profile.fields.headline == "First" && first.profile.positions.count == 1)
            // Every change raises the version, and the profile read with it holds the change.
            try await storage.updateFields(ProfileFieldsChange(headline: .some("Second")), for: id, at: Make.at(11))
            let second = try #require(try await reader.versionedProfile(id: id))
            #expect(second.version > first.version && second.profile.fields.headline == "Second")
            #expect(try await reader.versionedProfile(id: MemberID("no-such-member")) == nil)
            let moderation = try #require(storage as? any ModerationStore)
            let audit = AuditEntry(id: Make.id(901), at: Make.at(901), actor: "cli:ops", action: "member.suspend", subject: "x", detail: "")
            #expect(try await moderation.suspendMember(id, reason: "spam", audit: audit))
            #expect(try await reader.versionedProfile(id: id) == nil)
        }
    }

    @Test("Single words are found in any column", arguments: StorageKind.tested)
    func singleWords(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 3)
            try await s.upsertSearchEntries([
                entry(ids[0], [.name: "山田 太郎", .title: "ios エンジ ンジ ジニ ニア", .skill: "swift"]),
                entry(ids[1], [.name: "jane doe", .about: "swift and kotlin"]),
                entry(ids[2], [.name: "佐藤 花子", .location: "東京 京都"]),
            ])
            #expect(try await s.searchEntryCount() == 3)
            #expect(try await foundSet(s, word("swift")) == [ids[0], ids[1]])
            #expect(try await foundSet(s, word("kotlin")) == [ids[1]])
            #expect(try await foundSet(s, word("東京")) == [ids[2]])
            #expect(try await foundSet(s, word("java")).isEmpty)
            // A term is whole: part of one is not found.
            #expect(try await foundSet(s, word("swif")).isEmpty)
        }
    }

    @Test("A CJK sequence is found only when its bigrams stand consecutively and in order", arguments: StorageKind.tested)
    func cjkSequence(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 3)
            try await s.upsertSearchEntries([
                // 職務経歴
                entry(ids[0], [.about: "職務 務経 経歴 を 書く"]),
                // 職務 と 経歴: the same bigrams apart from each other.
                entry(ids[1], [.about: "職務 と 経歴 務経"]),
                // 経歴 then 職務: reversed.
                entry(ids[2], [.about: "経歴 職務 務経"]),
            ])
            let query = IndexQuery.sequence(["職務", "務経", "経歴"], column: nil)
            #expect(try await found(s, query) == [ids[0]])
            #expect(try await foundSet(s, .sequence(["職務", "務経"], column: nil)) == [ids[0], ids[2]])
            #expect(try await foundSet(s, .sequence(["経歴", "職務"], column: nil)) == [ids[2]])
        }
    }

    @Test("A sequence does not run from one column into the next", arguments: StorageKind.tested)
    func sequenceWithinColumn(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 1)
            try await s.upsertSearchEntries([entry(ids[0], [.name: "jane", .title: "doe engineer"])])
            #expect(try await foundSet(s, .sequence(["doe", "engineer"], column: nil)) == [ids[0]])
            #expect(try await foundSet(s, .sequence(["jane", "doe"], column: nil)).isEmpty)
        }
    }

    @Test("A column restriction looks in that column only", arguments: StorageKind.tested)
    func columnRestriction(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 2)
            try await s.upsertSearchEntries([
                entry(ids[0], [.title: "営業 マネ ネー ージ ジャ ャー"]),
                entry(ids[1], [.about: "営業 の 経験", .title: "engineer"]),
            ])
            #expect(try await foundSet(s, word("営業", in: .title)) == [ids[0]])
            #expect(try await foundSet(s, word("営業", in: .about)) == [ids[1]])
            #expect(try await foundSet(s, word("営業")) == [ids[0], ids[1]])
            #expect(try await foundSet(s, word("営業", in: .name)).isEmpty)
            #expect(try await foundSet(s, .sequence(["マネ", "ネー"], column: .title)) == [ids[0]])
            #expect(try await foundSet(s, .sequence(["マネ", "ネー"], column: .about)).isEmpty)
            // Restrictions to different columns in one query.
            #expect(
                try await foundSet(s, .and([word("営業", in: .about), word("engineer", in: .title)])) == [ids[1]])
            #expect(
                try await foundSet(s, .or([word("営業", in: .about), word("営業", in: .title)])) == [ids[0], ids[1]])
        }
    }

    @Test("AND, OR and NOT combine, including 英語 AND (営業 OR sales) -intern", arguments: StorageKind.tested)
    func booleanCombinations(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 5)
            try await s.upsertSearchEntries([
                entry(ids[0], [.skill: "英語 営業"]),
                entry(ids[1], [.skill: "英語", .title: "sales manager"]),
                entry(ids[2], [.skill: "英語", .title: "sales intern"]),
                entry(ids[3], [.skill: "英語", .title: "engineer"]),
                entry(ids[4], [.title: "sales"]),
            ])
            let query = IndexQuery.and([word("英語"), .or([word("営業"), word("sales")]), .not(word("intern"))])
            #expect(try await foundSet(s, query) == [ids[0], ids[1]])
            #expect(try await foundSet(s, .and([word("英語"), word("sales")])) == [ids[1], ids[2]])
            #expect(try await foundSet(s, .or([word("営業"), word("intern")])) == [ids[0], ids[2]])
            #expect(try await foundSet(s, .and([word("sales"), .not(word("英語"))])) == [ids[4]])
            // An OR with a negated part: sales, or anyone without 英語.
            #expect(try await foundSet(s, .or([word("engineer"), .not(word("英語"))])) == [ids[3], ids[4]])
            // Double negation.
            #expect(try await foundSet(s, .not(.not(word("intern")))) == [ids[2]])
            #expect(try await foundSet(s, .and([word("英語"), .not(.or([word("sales"), word("営業")]))])) == [ids[3]])
        }
    }

    @Test("A query of negations only matches every other entry", arguments: StorageKind.tested)
    func negationOnly(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 4)
            try await s.upsertSearchEntries([
                entry(ids[0], [.title: "sales intern"]),
                entry(ids[1], [.title: "sales"]),
                entry(ids[2], [.title: "recruiter"]),
                entry(ids[3], [.about: "intern"]),
            ])
            #expect(try await foundSet(s, .not(word("intern"))) == [ids[1], ids[2]])
            #expect(try await foundSet(s, .and([.not(word("intern")), .not(word("sales"))])) == [ids[2]])
            #expect(try await foundSet(s, .not(word("intern", in: .title))) == [ids[1], ids[2], ids[3]])
            #expect(try await foundSet(s, .not(word("nobody"))) == Set(ids))
            #expect(try await found(s, .not(word("nobody")), limit: 2).count == 2)
        }
    }

    @Test("Terms with + # . and quotes are stored and found safely", arguments: StorageKind.tested)
    func specialCharacters(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 4)
            try await s.upsertSearchEntries([
                entry(ids[0], [.skill: "c++ node.js c#"]),
                entry(ids[1], [.skill: "c node js"]),
                entry(ids[2], [.name: "o'brien", .about: "say \"hello\" back\\slash"]),
                entry(ids[3], [.name: "o brien", .about: "'); drop table members; --"]),
            ])
            #expect(try await foundSet(s, word("c++")) == [ids[0]])
            #expect(try await foundSet(s, word("node.js")) == [ids[0]])
            #expect(try await foundSet(s, word("c#")) == [ids[0]])
            #expect(try await foundSet(s, word("c")) == [ids[1]])
            #expect(try await foundSet(s, word("js")) == [ids[1]])
            #expect(try await foundSet(s, .sequence(["c++", "node.js"], column: .skill)) == [ids[0]])
            // A term is one token, whatever characters it holds.
            #expect(try await foundSet(s, word("o'brien")) == [ids[2]])
            #expect(try await foundSet(s, word("o'brien", in: .name)) == [ids[2]])
            #expect(try await foundSet(s, word("brien")) == [ids[3]])
            #expect(try await foundSet(s, word("\"hello\"")) == [ids[2]])
            #expect(try await foundSet(s, word("back\\slash")) == [ids[2]])
            // Query syntax in a term is a term, never syntax.
            #expect(try await foundSet(s, word("a\" OR \"b")).isEmpty)
            #expect(try await foundSet(s, word("x' | 'y")).isEmpty)
            #expect(try await foundSet(s, .sequence(["');", "drop"], column: .about)) == [ids[3]])
            #expect(try await s.searchEntryCount() == 4)
            #expect(try await store.storage.memberCount() == 4)
            // A term longer than PostgreSQL's 2,046-byte lexeme is stored and found.
            let long = String(repeating: "長", count: 1_000) + "x"
            try await s.upsertSearchEntries([entry(ids[3], [.about: "a \(long) b"])])
            #expect(try await foundSet(s, .sequence(["a", long, "b"], column: .about)) == [ids[3]])
        }
    }

    @Test("A term with combining marks or CJK punctuation is one term", arguments: StorageKind.tested)
    func unicodeTerms(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 3)
            try await s.upsertSearchEntries([
                entry(ids[0], [.skill: "हिंदी"]),
                entry(ids[1], [.skill: "हद"]),
                entry(ids[2], [.name: "ジョ ョン ン・ ・ス スミ ミス"]),
            ])
            #expect(try await foundSet(s, word("हिंदी")) == [ids[0]])
            #expect(try await foundSet(s, word("हद")) == [ids[1]])
            #expect(try await foundSet(s, .sequence(["ョン", "ン・", "・ス"], column: .name)) == [ids[2]])
            #expect(try await foundSet(s, .sequence(["ョン", "ン・"], column: nil)) == [ids[2]])
            #expect(try await foundSet(s, word("ン")).isEmpty)
        }
    }

    @Test("A word in the title ranks above the same word only in about", arguments: StorageKind.tested)
    func ranking(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 3)
            try await s.upsertSearchEntries([
                entry(ids[0], [.about: "i worked with a product manager for years", .title: "engineer"]),
                entry(ids[1], [.title: "product manager", .about: "i like hiking"]),
                entry(ids[2], [.location: "tokyo"]),
            ])
            let results = try await s.searchCandidates(word("manager"), limit: 10)
            #expect(results.map(\.member) == [ids[1], ids[0]])
            #expect(results[0].relevance > results[1].relevance)
            let phrase = try await s.searchCandidates(.sequence(["product", "manager"], column: nil), limit: 10)
            #expect(phrase.map(\.member) == [ids[1], ids[0]])
        }
    }

    @Test("An upsert replaces the old terms", arguments: StorageKind.tested)
    func upsertReplaces(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 2)
            try await s.upsertSearchEntries([entry(ids[0], [.title: "engineer"]), entry(ids[1], [.title: "designer"])])
            try await s.upsertSearchEntries([entry(ids[0], [.title: "manager", .about: "former engineer"])])
            #expect(try await s.searchEntryCount() == 2)
            #expect(try await foundSet(s, word("manager")) == [ids[0]])
            #expect(try await foundSet(s, word("engineer", in: .title)).isEmpty)
            #expect(try await foundSet(s, word("engineer")) == [ids[0]])
            #expect(try await foundSet(s, word("designer")) == [ids[1]])
            // The same member twice in one call: the last entry wins.
            try await s.upsertSearchEntries([entry(ids[1], [.title: "first"]), entry(ids[1], [.title: "second"])])
            #expect(try await s.searchEntryCount() == 2)
            #expect(try await foundSet(s, word("first")).isEmpty)
            #expect(try await foundSet(s, word("second")) == [ids[1]])
        }
    }

    @Test("Deleting an entry removes it; deleting the member does too", arguments: StorageKind.tested)
    func deletion(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 3)
            try await s.upsertSearchEntries(ids.map { entry($0, [.title: "engineer"]) })
            try await s.deleteSearchEntry(ids[0])
            #expect(try await s.searchEntryCount() == 2)
            #expect(try await foundSet(s, word("engineer")) == [ids[1], ids[2]])
            #expect(try await foundSet(s, .not(word("nobody"))) == [ids[1], ids[2]])
            try await s.deleteSearchEntry(ids[0])
            try await store.storage.deleteMember(ids[1])
            // An index in memory learns of it from the change log.
            try await s.catchUp()
            #expect(try await s.searchEntryCount() == 1)
            #expect(try await foundSet(s, word("engineer")) == [ids[2]])
            // A deleted entry can be written again.
            try await s.upsertSearchEntries([entry(ids[0], [.title: "engineer"])])
            #expect(try await foundSet(s, word("engineer")) == [ids[0], ids[2]])
        }
    }

    @Test("The limit is honoured, best first", arguments: StorageKind.tested)
    func limit(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 10)
            var entries = ids.map { entry($0, [.about: "swift"]) }
            entries[7] = entry(ids[7], [.title: "swift", .name: "swift"])
            try await s.upsertSearchEntries(entries)
            let results = try await s.searchCandidates(word("swift"), limit: 3)
            #expect(results.count == 3)
            #expect(results.first?.member == ids[7])
            #expect(try await s.searchCandidates(word("swift"), limit: 0).isEmpty)
            #expect(try await s.searchCandidates(word("swift"), limit: 100).count == 10)
        }
    }

    @Test("Ranked candidates are the candidates in their order, with what ranking reads of their attributes", arguments: StorageKind.tested)
    func rankedCandidates(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 6)
            let attributes = ids.indices.map { index in
                SearchAttributes(
                    handle: "ranked-\(index)", name: "Ranked \(index)", location: index % 2 == 0 ? "東京都" : "Osaka",
                    profileVisibility: index == 3 ? .connections : .members, openToWork: index == 4 ? .recruitersOnly : nil,
                    currentCompanies: [SearchCompany(id: "c\(index % 3)", name: "会社\(index % 3)")], skills: ["営業", "Swift"],
                    employerIDs: ["c\(index % 3)"], strength: 10 * index)
            }
            try await s.upsertSearchEntries(ids.indices.map { entry(ids[$0], [.title: String(repeating: "swift ", count: $0 + 1)], attributes[$0]) })
            let candidates = try await s.searchCandidates(word("swift"), limit: 4)
            let ranked = try await s.rankedCandidates(word("swift"), filters: IndexFilters(), limit: 4)
            #expect(ranked.map(\.member) == candidates.map(\.member) && ranked.count == 4)
            #expect(ranked.map(\.relevance) == candidates.map(\.relevance))
            for candidate in ranked {
                let index = try #require(ids.firstIndex(of: candidate.member))
                let expected = SearchRanking(attributes[index])
                #expect(candidate.ranking.profileVisibility == expected.profileVisibility && candidate.ranking.strength == expected.strength)
                #expect(candidate.ranking.openToWork == expected.openToWork && candidate.ranking.employerIDs == expected.employerIDs)
                #expect(candidate.ranking.location?.text == expected.location?.text && candidate.ranking.skills.map(\.text) == ["営業", "Swift"])
                #expect(candidate.ranking.currentCompanies.map { [$0.id.text, $0.name.text] } == [["c\(index % 3)", "会社\(index % 3)"]])
            }
            // Only an open-to-work member's employers are read: the rule that needs them concerns no one else.
            #expect(ranked.filter { !$0.ranking.employerIDs.isEmpty }.map(\.member) == ranked.filter { $0.member == ids[4] }.map(\.member))
            // The whole attributes, of members asked for by id, in that order; none for a member without an entry.
            let unknown = MemberID("no-such-member")
            #expect(try await s.attributes(of: [ids[2], unknown, ids[0]]) == [attributes[2], nil, attributes[0]])
            try await s.deleteSearchEntry(ids[2])
            #expect(try await s.attributes(of: [ids[2]]) == [nil])
        }
    }

    @Test("2,000 entries in one call, then a query over them", arguments: StorageKind.tested)
    func bulk(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let count = 2_000
            let ids = try await makeMembers(store.storage, count)
            let skills = ["swift", "kotlin", "c++", "node.js", "go"]
            let entries = ids.enumerated().map { index, id in
                entry(
                    id,
                    [
                        .name: "member \(index)", .title: index % 4 == 0 ? "営業 マネ ネー ージ ジャ ャー" : "エン ンジ ジニ ニア",
                        .skill: skills[index % skills.count] + " 英語", .about: "職務 務経 経歴 number \(index)",
                        .location: index % 3 == 0 ? "大阪" : "東京",
                    ])
            }
            let clock = ContinuousClock()
            let upsert = try await clock.measure { try await s.upsertSearchEntries(entries) }
            #expect(try await s.searchEntryCount() == count)
            let query = IndexQuery.and([
                .sequence(["営業", "マネ"], column: .title), .or([word("swift"), word("c++")]), .not(word("大阪")),
            ])
            var results: [SearchCandidate] = []
            let search = try await clock.measure { results = try await s.searchCandidates(query, limit: 1_000) }
            // Every fourth is a sales manager; swift is index % 5 == 0, c++ index % 5 == 2; every third is in 大阪.
            let expected = Set(ids.enumerated().filter { index, _ in
                index % 4 == 0 && (index % 5 == 0 || index % 5 == 2) && index % 3 != 0
            }.map(\.1))
            #expect(expected.count > 100)
            #expect(Set(results.map(\.member)) == expected)
            let seconds = Double(upsert.components.seconds) + Double(upsert.components.attoseconds) / 1e18
            print(
                "search index [\(kind)]: upserted \(count) entries in \(upsert) (\(Int(Double(count) / seconds)) entries/s); "
                    + "query in \(search), \(results.count) found")
        }
    }

    @Test("Stored entries page back in member order with their stamps; every write and removal is logged", arguments: StorageKind.tested)
    func entrySource(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let ids = try await makeMembers(store.storage, 5).sorted()
            let start = try await source.lastSearchChange()
            let stamp = Date(timeIntervalSince1970: 1_800_000_000.123)
            let written = ids.map { entry($0, [.name: "山田 太郎", .title: "営業 \($0.rawValue.suffix(4).lowercased())", .filters: "\u{E001}ccacme"]) }
            try await source.upsertSearchEntries(written, at: stamp)
            var read: [StoredSearchEntry] = []
            var after: MemberID?
            while true {
                let page = try await source.searchEntries(after: after, limit: 2)
                guard let last = page.last else { break }
                #expect(page.count <= 2)
                read += page
                after = last.entry.member
            }
            #expect(read.map(\.entry) == written)
            #expect(read.allSatisfy { abs($0.indexedAt.timeIntervalSince(stamp)) < 0.001 })
            #expect(Set(try await source.searchEntries(of: [ids[3], ids[1], MemberID("nobody")]).map(\.entry.member)) == [ids[1], ids[3]])

            try await source.deleteSearchEntry(ids[0])
            try await source.deleteSearchEntry(ids[0])
            try await store.storage.deleteMember(ids[1])
            let changes = try await source.searchChanges(after: start, limit: 100)
            #expect(changes.map(\.member) == ids + [ids[0], ids[1]], "five writes, one removal (the second removed nothing), one deleted member")
            #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
            #expect(try await source.lastSearchChange() == changes.last?.sequence)
            #expect(try await source.searchChanges(after: changes[4].sequence, limit: 1).map(\.member) == [ids[0]])
            // Pruning keeps only the last change (a snapshot of the index is checked against it).
            try await source.pruneSearchChanges(before: stamp.addingTimeInterval(60))
            #expect(try await source.searchChanges(after: start, limit: 100).map(\.sequence) == [changes.last!.sequence])
        }
    }

    @Test("A second index in memory over the same database catches up with the first's changes", arguments: StorageKind.tested)
    func twoInstancesCatchUp(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let ids = try await makeMembers(store.storage, 3)
            let a = SearchEngine(store: source)
            try await a.upsertSearchEntries([entry(ids[0], [.title: "engineer"])])
            let b = SearchEngine(store: source)
            #expect(try await b.load() == 1)
            #expect(try await foundSet(b, word("engineer")) == [ids[0]])

            try await a.upsertSearchEntries([entry(ids[1], [.title: "engineer"]), entry(ids[0], [.title: "designer"])])
            #expect(try await foundSet(b, word("engineer")) == [ids[0]], "not before catching up")
            #expect(try await b.catchUp() == 2)
            #expect(try await foundSet(b, word("engineer")) == [ids[1]])
            #expect(try await foundSet(b, word("designer")) == [ids[0]])

            try await a.deleteSearchEntry(ids[1])
            try await store.storage.deleteMember(ids[0])
            #expect(try await b.catchUp() == 2)
            #expect(try await foundSet(b, .not(word("nobody"))).isEmpty)
            #expect(try await b.catchUp() == 0)
            // Replaying one's own writes changes nothing.
            // (ids[0] held the highest row; a new entry must not collide with what deleting its member left.)
            try await b.upsertSearchEntries([entry(ids[2], [.title: "engineer"])])
            #expect(try await b.catchUp() == 1)
            #expect(try await found(b, word("engineer")) == [ids[2]])
        }
    }

    @Test("Catching up reads again only entries the index does not hold with the same stamp", arguments: StorageKind.tested)
    func catchUpSkipsEntriesHeldAlready(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let ids = try await makeMembers(store.storage, 2)
            let engine = SearchEngine(store: source)
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            try await engine.upsertSearchEntries([entry(ids[0], [.title: "engineer"]), entry(ids[1], [.title: "engineer"])], at: at)
            // Memory changed behind storage's back: the first entry keeps its stamp, the second does not. Catching
            // up (which sees this instance's own two writes in the log) must leave the first and restore the second.
            engine.index.upsert([(entry(ids[0], [.title: "marker"]), at), (entry(ids[1], [.title: "marker"]), at.addingTimeInterval(-60))])
            #expect(try await engine.catchUp() == 2)
            #expect(try await foundSet(engine, word("marker")) == [ids[0]])
            #expect(try await foundSet(engine, word("engineer")) == [ids[1]])
        }
    }


    @Test("Of two edits indexed in the reverse order, the newer entry stays, in storage and in memory", arguments: StorageKind.tested)
    func anOlderEntryDoesNotReplaceANewerOne(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let ids = try await makeMembers(store.storage, 2)
            var newer = entry(ids[0], [.title: "engineer"])
            newer.version = 2
            var older = entry(ids[0], [.title: "sales"])
            older.version = 1
            let start = try await source.lastSearchChange()
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            try await source.upsertSearchEntries([newer], at: at)
            try await source.upsertSearchEntries([older], at: at.addingTimeInterval(1))
            let stored = try await source.searchEntries(of: [ids[0]])
            #expect(stored.map(\.entry) == [newer])
            #expect(stored.map(\.indexedAt) == [at])
            #expect(try await source.searchChanges(after: start, limit: 10).count == 1, "the refused write is not logged")
            // In one call too, whatever the order; the same version again replaces.
            var newest = entry(ids[0], [.title: "designer"])
            newest.version = 3
            try await source.upsertSearchEntries([newest, older, newer], at: at)
            #expect(try await source.searchEntries(of: [ids[0]]).map(\.entry) == [newest])
            var again = entry(ids[0], [.title: "recruiter"])
            again.version = 3
            try await source.upsertSearchEntries([again], at: at)
            #expect(try await source.searchEntries(of: [ids[0]]).map(\.entry) == [again])

            // Through the index in memory, and in a second instance catching up.
            let a = SearchEngine(store: source)
            try await a.load()
            let b = SearchEngine(store: source)
            try await b.load()
            var later = entry(ids[1], [.title: "engineer"])
            later.version = 7
            var earlier = entry(ids[1], [.title: "sales"])
            earlier.version = 6
            try await a.upsertSearchEntries([later])
            try await a.upsertSearchEntries([earlier])
            #expect(try await foundSet(a, word("engineer")) == [ids[1]])
            #expect(try await foundSet(a, word("sales")).isEmpty)
            try await b.catchUp()
            #expect(try await foundSet(b, word("engineer")) == [ids[1]])
            #expect(try await foundSet(b, word("sales")).isEmpty)
        }
    }

    @Test("Every change to a profile raises its version", arguments: StorageKind.tested)
    func everyProfileChangeRaisesTheVersion(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let s = store.storage
            let member = Make.member("versioned", created: Make.at(0))
            try await s.createMembers([member])
            let id = member.account.memberID
            var versions = [try await source.profileVersions(of: [id, MemberID("nobody")])]
            #expect(versions[0] == [id: 0])
            var fields = try #require(try await s.profile(id: id)).fields
            fields.headline = "営業"
            try await s.updateFields(fields, for: id, at: Make.at(1))
            versions.append(try await source.profileVersions(of: [id]))
            let draft = Make.draft("Acme Inc.", title: "Engineer", start: "2019-01")
            #expect(try await s.savePosition(draft, for: id, at: Make.at(1)))
            versions.append(try await source.profileVersions(of: [id]))
            try await s.replaceSkills(["Swift"], for: id, at: Make.at(1))
            versions.append(try await source.profileVersions(of: [id]))
            try await s.updateSettings(ProfileSettings(), for: id, at: Make.at(1))
            versions.append(try await source.profileVersions(of: [id]))
            #expect(try await s.deletePosition(id: draft.id, for: id, at: Make.at(1)))
            versions.append(try await source.profileVersions(of: [id]))
            let numbers = versions.compactMap { $0[id] }
            #expect(numbers.count == versions.count)
            #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }, "\(numbers)")
        }
    }

    @Test("Migration 008 keeps the entries written before it, at version 0, and versions every profile from then on", arguments: StorageKind.tested)
    func profileVersionsUpgrade(_ kind: StorageKind) async throws {
        try await withUnmigratedStore(kind) { store in
            switch kind {
            case .sqlite: try await #require(store.storage as? SQLiteStorage).migrate(upTo: "007_search_entries")
            case .postgres: try await #require(store.storage as? PostgresStorage).migrate(through: 7)
            }
            let member = Make.member("before-versions", created: Make.at(0))
            try await store.writeAsFirstVersion([member])
            let id = member.account.memberID
            let old = entry(id, [.title: "engineer"])
            let sql = "INSERT INTO \(kind == .sqlite ? "search_entries" : "profile_search") (member_id, terms, attributes, indexed_at) VALUES ($1, $2, $3, 0)"
            let arguments = [id.rawValue, old.storedColumns, old.attributes.stored]
            switch kind {
            case .sqlite:
                try await #require(store.storage as? SQLiteStorage).execute(sql: sql.replacingOccurrences(of: "$", with: "?"), arguments: arguments)
            case .postgres: try await #require(store.storage as? PostgresStorage).execute(sql: sql, arguments: arguments)
            }

            try await store.storage.migrate()
            let source = try store.entries
            #expect(try await source.searchEntries(of: [id]).map(\.entry) == [old])
            #expect(try await source.profileVersions(of: [id]) == [id: 0])
            var fields = try #require(try await store.storage.profile(id: id)).fields
            fields.headline = "営業"
            try await store.storage.updateFields(fields, for: id, at: Make.at(1))
            #expect(try await source.profileVersions(of: [id]) == [id: 1])
            var newer = entry(id, [.title: "sales"])
            newer.version = 1
            try await source.upsertSearchEntries([newer], at: Make.at(1))
            #expect(try await source.searchEntries(of: [id]).map(\.entry) == [newer])
        }
    }
}
