import Foundation
import Testing
import TsunagariCore
@testable import TsunagariSearch

@Suite struct ProfileIndexingTests {
    static let profile: Profile = {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return Profile(
            memberID: MemberID("01h0000000000000000000000a"), role: .member,
            fields: ProfileFields(name: "山田 花子", nameReading: "やまだ はなこ", handle: "hanako", headline: "Swift エンジニア", location: "東京都", about: "英語でビジネス"),
            positions: [
                Position(
                    id: "p1", company: CompanyRef(id: "c1", name: "株式会社メルカリ"), companyNameAsWritten: "㈱メルカリ", title: "法人営業",
                    location: nil, startMonth: YearMonth("2020-04")!, endMonth: nil, description: "職務経歴"),
                Position(
                    id: "p2", company: CompanyRef(id: "c2", name: "Blue Labs Inc."), companyNameAsWritten: "Blue Labs Inc.", title: "Sales Manager",
                    location: "Osaka", startMonth: YearMonth("2015-04")!, endMonth: YearMonth("2020-03"), description: nil),
            ],
            educations: [], skills: ["C++", "英語"], settings: ProfileSettings(), createdAt: now, updatedAt: now)
    }()

    @Test func entryHoldsAnalysedTermsWithBoundariesBetweenTexts() {
        let entry = ProfileIndexing.entry(for: Self.profile)
        #expect(entry.columns[.title] == "法人 人営 営業 \(ProfileIndexing.boundary) sales manager")
        #expect(entry.columns[.skill] == "c++ \(ProfileIndexing.boundary) 英語")
        #expect(entry.columns[.name]?.contains("ヤマ マダ") == true)  // the reading, folded to katakana
        #expect(entry.columns[.about]?.contains("職務 務経 経歴") == true)
        #expect(entry.columns[.company]?.contains("メル ルカ カリ") == true)
    }

    @Test func aTextWithoutTermsLeavesNoBoundary() {
        var profile = Self.profile
        profile.skills = [",,,", "C++", " ", "英語", "!?"]
        #expect(ProfileIndexing.entry(for: profile).columns[.skill] == "c++ \(ProfileIndexing.boundary) 英語")
        profile.skills = []
        profile.positions = []
        #expect(ProfileIndexing.entry(for: profile).columns[.title] == "")
    }

    /// A filter term is the value without its white space, however the value is written.
    @Test func filterTermsDropEveryKindOfSpace() {
        let pieces = ["東京", "Tokyo", " ", "\t", "\n", "\u{3000}", "\u{A0}", "都", "-", "é", "\u{85}", "x"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = (0..<Int.random(in: 0...5, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            var plain = String.UnicodeScalarView()
            for scalar in value.unicodeScalars where !scalar.properties.isWhitespace { plain.append(scalar) }
            let expected = ProfileIndexing.filterMark + "lo" + String(plain)
            #expect(Array(ProfileIndexing.filterTerm(.location, value).utf8) == Array(expected.utf8), "\(value.debugDescription)")
        }
    }

    @Test func compilesQueriesToIndexSequences() throws {
        #expect(ProfileIndexing.compile(try QueryParser.parse("title:営業")) == .sequence(["営業"], column: .title))
        #expect(ProfileIndexing.compile(try QueryParser.parse("職務経歴 -intern")) == .and([.sequence(["職務", "務経", "経歴"], column: nil), .not(.sequence(["intern"], column: nil))]))
        #expect(ProfileIndexing.compile(try QueryParser.parse("ヤマダ")) == .sequence(["ヤマ", "マダ"], column: nil))
        #expect(ProfileIndexing.compile(try QueryParser.parse("やまだ")) == .or([.sequence(["やま", "まだ"], column: nil), .sequence(["ヤマ", "マダ"], column: .name)]))
        #expect(ProfileIndexing.compile(try QueryParser.parse("\"---\"")) == nil)
    }

    @Test func theDocumentMatchesWhatTheEntryIndexes() throws {
        let document = ProfileIndexing.document(for: Self.profile)
        for (text, expected) in [("company:メルカリ", true), ("ヤマダ", true), ("title:\"sales manager\"", true), ("\"営業 sales\"", false), ("Osaka", true)] {
            #expect(QueryMatcher.matches(try QueryParser.parse(text), document) == expected, "\(text)")
        }
    }
}

extension ProfileIndexingTests {
    /// From the query text to the index in memory, the profile is found exactly when the matcher, reading the
    /// profile's own fields, says it matches.
    @Test func theIndexInMemoryAgreesWithTheMatcher() throws {
        let index = TermIndex()
        index.upsert([ProfileIndexing.entry(for: Self.profile)], at: Date())
        let document = ProfileIndexing.document(for: Self.profile)
        let texts = [
            "company:メルカリ", "ヤマダ", "やまだ", "title:\"sales manager\"", "\"営業 sales\"", "Osaka", "英語 AND (営業 OR sales) -intern",
            "職務経歴", "経歴職務", "ＳＷＩＦＴ", "c++", "-swift", "name:花子", "title:エンジニア", "headline:エンジニア", "東京都", "京都", "大阪",
            "skill:英語", "company:\"blue labs\"", "法人営業 OR kotlin", "NOT (swift OR kotlin)", "「英語でビジネス」", "英語ビジネス",
        ]
        var matched = 0
        for text in texts {
            let parsed = try QueryParser.parse(text)
            let expected = QueryMatcher.matches(parsed, document)
            if expected { matched += 1 }
            let found = try ProfileIndexing.compile(parsed).map { try !index.search($0, among: nil, since: nil, limit: 10).isEmpty } ?? false
            #expect(found == expected, "\(text)")
        }
        #expect(matched > 10 && matched < texts.count, "the texts should both match and miss")
    }
}

/// Records what it is given, in calls, as an index would store it.
private actor RecordingIndex: SearchIndexStore {
    var calls: [[SearchIndexEntry]] = []
    func upsertSearchEntries(_ entries: [SearchIndexEntry], at: Date) async throws { calls.append(entries) }
    func deleteSearchEntry(_ member: MemberID) async throws {}
    func searchCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [SearchCandidate] { [] }
    func rankedCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [RankedCandidate] { [] }
    func attributes(of members: [MemberID]) async throws -> [SearchAttributes?] { members.map { _ in nil } }
    func nameCandidates(_ terms: [String], among: [MemberID]?, limit: Int) async throws -> [SearchCandidate] { [] }
    func searchEntryCount() async throws -> Int { calls.joined().count }
}

@Suite struct BulkIndexingTests {
    @Test func everyProfileIsIndexedOnceInOrderInBatches() async throws {
        let profiles = (0..<2_345).map { index in
            var profile = ProfileIndexingTests.profile
            profile.memberID = MemberID(String(format: "01h%023d", index))
            profile.fields.name = "Member \(index) 山田"
            return profile
        }
        let store = RecordingIndex()
        #expect(try await ProfileIndexing.index(profiles, into: store, at: Date(), batch: 1_000) == 2_345)
        let calls = await store.calls
        #expect(calls.map(\.count) == [1_000, 1_000, 345])
        #expect(calls.joined().map(\.member) == profiles.map(\.memberID))
        #expect(Array(calls.joined()) == profiles.map(ProfileIndexing.entry(for:)))
        #expect(try await ProfileIndexing.index([], into: store, at: Date()) == 0)
        #expect(await store.calls.count == 3)
    }
}

@Suite struct FilterTermsTests {
    /// Whether the terms of the `filters` column satisfy a filter query, as the index evaluates it.
    func holds(_ query: IndexQuery, in terms: [String]) -> Bool {
        switch query {
        case .sequence(let sequence, _):
            guard !sequence.isEmpty, sequence.count <= terms.count else { return false }
            return (0...(terms.count - sequence.count)).contains { Array(terms[$0..<($0 + sequence.count)]) == sequence }
        case .and(let parts): return parts.allSatisfy { holds($0, in: terms) }
        case .or(let parts): return parts.contains { holds($0, in: terms) }
        case .not(let inner): return !holds(inner, in: terms)
        }
    }

    func matches(_ attributes: SearchAttributes, _ change: (inout SearchFilters) -> Void) -> Bool {
        var filters = SearchFilters()
        change(&filters)
        let queries = ProfileIndexing.filterQueries(filters)
        #expect(queries.allSatisfy { if case .sequence(_, let column) = $0 { column == .filters } else { true } })
        return holds(.and(queries), in: ProfileIndexing.filterTerms(attributes))
    }

    @Test func filtersMatchTheirTermsWrittenAnyWay() {
        let a = SearchAttributes(
            handle: "a", name: "A", location: "Tokyo, Japan 東京都港区", industry: " Software Development ",
            openToWork: .recruitersOnly, currentCompanies: [SearchCompany(id: "01hcompany", name: "株式会社メルカリ")],
            pastCompanies: [SearchCompany(id: "01hold", name: "Blue Labs Inc.")], schools: ["Keio University", "東京大学"],
            skills: ["Swift", "英語", "Machine Learning"])
        #expect(matches(a) { $0.currentCompany = "(株)メルカリ" })
        #expect(matches(a) { $0.currentCompany = "01HCOMPANY" })
        #expect(!matches(a) { $0.currentCompany = "Blue Labs" })
        #expect(matches(a) { $0.pastCompany = "blue labs" })
        #expect(matches(a) { $0.skill = "ＳＷＩＦＴ" })
        #expect(matches(a) { $0.skill = "machine learning" })
        #expect(!matches(a) { $0.skill = "Swi" })  // a skill is matched whole
        #expect(matches(a) { $0.industry = "software development" })
        #expect(matches(a) { $0.location = "TOKYO" })
        #expect(matches(a) { $0.location = "東京" })
        #expect(matches(a) { $0.location = "港区" })
        #expect(!matches(a) { $0.location = "大阪" })
        #expect(matches(a) { $0.school = "keio" })
        #expect(matches(a) { $0.school = "東京大学" })
        // A phrase never runs from one school into the next.
        #expect(!matches(a) { $0.school = "university 東京" })
        #expect(matches(a) { $0.openToWork = true })
        #expect(matches(a) { $0.skill = "英語"; $0.location = "東京"; $0.currentCompany = "メルカリ" })
        #expect(!matches(SearchAttributes(handle: "b", name: "B")) { $0.openToWork = true })
        // A filter of punctuation only narrows nothing; no filters, no queries.
        #expect(ProfileIndexing.filterQueries(SearchFilters()).isEmpty)
        var punctuation = SearchFilters()
        punctuation.location = "---"
        #expect(ProfileIndexing.filterQueries(punctuation).isEmpty)
    }
}
