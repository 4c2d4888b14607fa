import Foundation
import Testing
import TsunagariCore
import TsunagariSearch
@testable import TsunagariWeb

@Suite struct SearchIndexingTests {
    func find(_ services: AppServices, _ text: String) async throws -> [MemberID] {
        guard let query = ProfileIndexing.compile(try QueryParser.parse(text)) else { return [] }
        return try await services.searchIndex.searchCandidates(query, filters: IndexFilters(), limit: 50).map(\.member)
    }

    @Test func everyProfileChangeIsInTheIndexAtOnce() async throws {
        try await withApp { client, services in
            let (token, id, _) = try await client.signUp("山田 花子", email: "hanako@example.test")
            #expect(try await find(services, "山田").contains(MemberID(id)))
            _ = try await client.call(.post, "/api/v1/me/positions", token: token, json: ["company": "株式会社メルカリ", "title": "法人営業", "startMonth": "2020-04", "description": "職務経歴"])
            _ = try await client.call(.put, "/api/v1/me/skills", token: token, json: ["skills": ["英語", "Swift"]])
            #expect(try await find(services, "title:営業 英語 AND swift").contains(MemberID(id)))
            #expect(try await find(services, "company:メルカリ 職務経歴").contains(MemberID(id)))
            _ = try await client.call(.put, "/api/v1/me/skills", token: token, json: ["skills": []])
            #expect(try await find(services, "英語").isEmpty)
            _ = try await client.call(.delete, "/api/v1/me", token: token, json: ["password": "correct horse battery"])
            #expect(try await find(services, "山田").isEmpty)
        }
    }

    @Test func anIncompleteIndexIsRebuilt() async throws {
        try await withApp { client, services in
            let (_, id, _) = try await client.signUp("Ken Sato", email: "ken@example.test")
            // Removed in storage alone (as another instance would): the index in memory learns it from the log.
            try await services.storage.deleteSearchEntry(MemberID(id))
            #expect(try await find(services, "sato") == [MemberID(id)])
            #expect(try await services.searchIndex.catchUp() >= 1)
            #expect(try await find(services, "sato").isEmpty)
            #expect(try await services.searchIndexing.rebuildIfIncomplete() == 1)
            #expect(try await find(services, "sato") == [MemberID(id)])
            #expect(try await services.searchIndexing.rebuildIfIncomplete() == 0)
        }
    }
}
