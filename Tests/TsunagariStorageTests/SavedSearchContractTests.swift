import Foundation
import Testing
import TsunagariCore
import TsunagariSearch

typealias SavedSearchAndNotificationStore = SavedSearchStore & NotificationStore

extension TestStore {
    var saved: any SavedSearchAndNotificationStore {
        get throws {
            let store = storage as? any SavedSearchAndNotificationStore
            return try #require(store, "\(kind) storage does not implement saved searches")
        }
    }
}

private func attributes(
    _ name: String, current: [SearchCompany] = [], past: [SearchCompany] = [], schools: [String] = [], skills: [String] = [],
    location: String? = nil, industry: String? = nil, open: OpenToWorkVisibility? = nil
) -> SearchAttributes {
    SearchAttributes(
        handle: name.lowercased(), name: name, headline: "\(name)'s headline", location: location, industry: industry, currentTitle: "Engineer",
        profileVisibility: .members, connectionsVisibility: .connections, openToWork: open, currentCompanies: current, pastCompanies: past,
        schools: schools, skills: skills)
}

/// Filters, attributes and typeahead of the search index, saved searches and notifications, on SQLite and PostgreSQL alike.
@Suite("Search filters, typeahead, saved searches and notifications contract", .postgresTemplate)
struct SavedSearchContractTests {
    @Test("Attributes come back as stored, and every filter narrows as it should", arguments: StorageKind.tested)
    func filters(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 4)
            let mercari = SearchCompany(id: "c-mercari", name: "株式会社メルカリ")
            let blue = SearchCompany(id: "c-blue", name: "Blue Labs Inc.")
            func entry(_ member: MemberID, _ columns: [SearchColumn: String], attributes: SearchAttributes) -> SearchIndexEntry {
                var columns = columns
                columns[.filters] = ProfileIndexing.filterTerms(attributes).joined(separator: " ")
                return SearchIndexEntry(member: member, columns: columns, attributes: attributes)
            }
            let entries = [
                entry(
                    ids[0], [.title: "sales"],
                    attributes: attributes("Aki", current: [mercari], past: [blue], schools: ["東京大学"], skills: ["英語", "Swift"], location: "東京都港区", industry: "IT", open: .recruitersOnly)),
                entry(
                    ids[1], [.title: "sales"],
                    attributes: attributes("Bo", current: [blue], past: [mercari], schools: ["京都大学"], skills: ["英語"], location: "大阪府", industry: "Retail")),
                entry(ids[2], [.title: "sales"], attributes: attributes("Cy", skills: ["英語力"], location: "Tokyo")),
                entry(ids[3], [.title: "engineer"], attributes: attributes("Di", current: [mercari])),
            ]
            let before = Date()
            try await s.upsertSearchEntries(entries, at: before)
            let sales = IndexQuery.sequence(["sales"], column: nil)
            func find(_ change: (inout SearchFilters) -> Void) async throws -> Set<MemberID> {
                var filters = SearchFilters()
                change(&filters)
                let query: IndexQuery = .and([sales] + ProfileIndexing.filterQueries(filters))
                return Set(try await s.searchCandidates(query, filters: IndexFilters(), limit: 10).map(\.member))
            }
            let all = try await s.searchCandidates(sales, filters: IndexFilters(), limit: 10)
            #expect(Set(all.map(\.member)) == [ids[0], ids[1], ids[2]])
            #expect(all.first { $0.member == ids[0] }?.attributes == entries[0].attributes)
            // Current and past company by id or by any spelling of the name.
            #expect(try await find { $0.currentCompany = "c-mercari" } == [ids[0]])
            #expect(try await find { $0.currentCompany = "(株)メルカリ" } == [ids[0]])
            #expect(try await find { $0.currentCompany = "メルカリ株式会社" } == [ids[0]])
            #expect(try await find { $0.pastCompany = "c-mercari" } == [ids[1]])
            #expect(try await find { $0.pastCompany = "blue labs" } == [ids[0]])
            // School and location: a part of the name; skill: the whole skill, any case or width.
            #expect(try await find { $0.school = "京都" } == [ids[1]])
            #expect(try await find { $0.location = "東京" } == [ids[0]])
            #expect(try await find { $0.location = "tokyo" } == [ids[2]])
            #expect(try await find { $0.skill = "英語" } == [ids[0], ids[1]])
            #expect(try await find { $0.skill = "ＳＷＩＦＴ" } == [ids[0]])
            #expect(try await find { $0.industry = "it" } == [ids[0]])
            #expect(try await find { $0.openToWork = true } == [ids[0]])
            #expect(try await find { $0.skill = "英語"; $0.location = "大阪" } == [ids[1]])
            #expect(try await find { $0.currentCompany = "nobody" }.isEmpty)
            var among = IndexFilters()
            among.among = [ids[1], ids[3]]
            #expect(Set(try await s.searchCandidates(sales, filters: among, limit: 10).map(\.member)) == [ids[1]])
            #expect(Set(try await s.searchCandidates(.not(sales), filters: among, limit: 10).map(\.member)) == [ids[3]])
            // A long list of members is tested per match rather than probed per member: the same answer.
            let long = IndexFilters(among: [ids[1], ids[3]] + (0..<5_001).map { MemberID("absent-\($0)") })
            #expect(Set(try await s.searchCandidates(sales, filters: long, limit: 10).map(\.member)) == [ids[1]])
            // Only entries indexed since a moment.
            let later = before.addingTimeInterval(60)
            try await s.upsertSearchEntries([entries[2]], at: later)
            var since = IndexFilters()
            since.changedSince = later.addingTimeInterval(-1)
            #expect(try await s.searchCandidates(sales, filters: since, limit: 10).map(\.member) == [ids[2]])
        }
    }

    @Test("Typeahead: names by their beginning, Latin and Japanese, optionally among some members", arguments: StorageKind.tested)
    func typeahead(_ kind: StorageKind) async throws {
        try await withSearchStore(kind) { store, s in
            let ids = try await makeMembers(store.storage, 4)
            let names = ["yamada taro 山田 田太 太郎", "yamamoto hana 山本 本花", "tanaka yama 田中", "suzuki ichiro 鈴木"]
            try await s.upsertSearchEntries(
                zip(ids, names).map { SearchIndexEntry(member: $0, columns: [.name: $1, .about: "yamazaki"], attributes: attributes($1)) }, at: Date())
            func found(_ terms: [String], among: [MemberID]? = nil) async throws -> Set<MemberID> {
                Set(try await s.nameCandidates(terms, among: among, limit: 10).map(\.member))
            }
            #expect(try await found(["yam"]) == [ids[0], ids[1], ids[2]])
            #expect(try await found(["yamad"]) == [ids[0]])
            #expect(try await found(["y"]) == [ids[0], ids[1], ids[2]])
            #expect(try await found(["yamada", "ta"]) == [ids[0]])
            #expect(try await found(["yamada", "ha"]).isEmpty)
            #expect(try await found(["山"]) == [ids[0], ids[1]])
            #expect(try await found(["山田"]) == [ids[0]])
            #expect(try await found(["山田", "田太"]) == [ids[0]])
            #expect(try await found(["yam"], among: [ids[1], ids[3]]) == [ids[1]])
            // Only the name column: yamazaki is in about.
            #expect(try await found(["yamaz"]).isEmpty)
            #expect(try await found([]).isEmpty)
            #expect(try await s.nameCandidates(["yam"], among: nil, limit: 2).count == 2)
            // Quotes and operators in what was typed are text.
            #expect(try await found(["\"y"]).isEmpty)
        }
    }

    @Test("Saved searches: stored per member, claimed once, matches recorded once with their notification", arguments: StorageKind.tested)
    func savedSearches(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.saved
            let ids = try await makeMembers(store.storage, 5)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let search = SavedSearch(
                id: OpaqueID.make(at: now), member: ids[0], name: "英語 営業", query: "英語 AND 営業", filters: "location=%E6%9D%B1%E4%BA%AC",
                createdAt: now, checkedAt: now)
            try await s.createSavedSearch(search, matching: [ids[1], ids[2]])
            #expect(try await s.savedSearch(id: search.id) == search)
            #expect(try await s.savedSearches(of: ids[0]) == [search])
            #expect(try await s.savedSearches(of: ids[1]).isEmpty)
            #expect(try await s.unseenMatches(of: search.id, among: [ids[1], ids[3], ids[2], ids[4]]) == [ids[3], ids[4]])
            #expect(try await s.savedSearchesDue(before: now, limit: 10).isEmpty)
            #expect(try await s.savedSearchesDue(before: now.addingTimeInterval(1), limit: 10).map(\.id) == [search.id])
            // Two instances claim the same check: one wins.
            let later = now.addingTimeInterval(60)
            #expect(try await s.claimSavedSearch(id: search.id, checkedAt: now, to: later))
            #expect(try await !s.claimSavedSearch(id: search.id, checkedAt: now, to: later))
            #expect(try await s.savedSearch(id: search.id)?.checkedAt == later)
            let notification = MemberNotification(
                id: OpaqueID.make(at: later), member: ids[0], kind: .savedSearchMatches, subjectID: search.id, subjectName: search.name,
                members: [ids[3]], count: 2, createdAt: later)
            try await s.recordMatches(of: search.id, [ids[3], ids[4]], notification: notification)
            #expect(try await s.unseenMatches(of: search.id, among: [ids[3], ids[4]]).isEmpty)
            #expect(try await s.notifications(of: ids[0], before: nil, limit: 10) == [notification])
            #expect(try await s.unreadNotificationCount(of: ids[0]) == 1)
            // Others' searches cannot be deleted; one's own can, and its matches go with it.
            #expect(try await !s.deleteSavedSearch(id: search.id, of: ids[1]))
            #expect(try await s.deleteSavedSearch(id: search.id, of: ids[0]))
            #expect(try await s.savedSearch(id: search.id) == nil)
            #expect(try await s.unseenMatches(of: search.id, among: [ids[3]]) == [ids[3]])
            // The notification stays, naming the search as it was.
            #expect(try await s.notifications(of: ids[0], before: nil, limit: 10).first?.subjectName == "英語 営業")
        }
    }

    @Test("Notifications: newest first with a cursor, read up to an id, gone with their member", arguments: StorageKind.tested)
    func notifications(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.saved
            let ids = try await makeMembers(store.storage, 3)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let made = (0..<5).map { index in
                MemberNotification(
                    id: OpaqueID.make(at: start.addingTimeInterval(Double(index))), member: ids[0], kind: .savedSearchMatches, subjectID: "s",
                    subjectName: "search \(index)", members: [ids[1], ids[2]], count: index + 1, createdAt: start.addingTimeInterval(Double(index)))
            }
            for n in made { try await s.createNotification(n) }
            try await s.createNotification(
                MemberNotification(
                    id: OpaqueID.make(at: start), member: ids[1], kind: .savedSearchMatches, subjectID: nil, subjectName: nil, members: [], count: 1,
                    createdAt: start))
            let first = try await s.notifications(of: ids[0], before: nil, limit: 2)
            #expect(first.map(\.id) == [made[4].id, made[3].id])
            #expect(try await s.notifications(of: ids[0], before: first.last?.id, limit: 10).map(\.id) == [made[2].id, made[1].id, made[0].id])
            #expect(first.first?.members == [ids[1], ids[2]])
            #expect(try await s.unreadNotificationCount(of: ids[0]) == 5)
            #expect(try await s.markNotificationsRead(of: ids[0], upTo: made[2].id) == 3)
            #expect(try await s.unreadNotificationCount(of: ids[0]) == 2)
            #expect(try await s.markNotificationsRead(of: ids[0], upTo: made[2].id) == 0)
            // Another member's read state is untouched.
            #expect(try await s.unreadNotificationCount(of: ids[1]) == 1)
            #expect(try await s.notifications(of: ids[0], before: nil, limit: 10).map(\.read) == [false, false, true, true, true])
            try await store.storage.deleteMember(ids[0])
            #expect(try await s.notifications(of: ids[0], before: nil, limit: 10).isEmpty)
        }
    }
}
