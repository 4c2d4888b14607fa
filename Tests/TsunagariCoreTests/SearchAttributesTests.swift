import Foundation
import Testing
@testable import TsunagariCore

@Suite struct SearchAttributesTests {
    @Test func storedFormRoundTripsEveryField() {
        let full = SearchAttributes(
            handle: "aki", name: "山田 明", headline: "英語で法人営業 | 10年", location: "東京都", industry: "IT", currentTitle: "営業部長",
            profileVisibility: .connections, connectionsVisibility: .onlyMe, openToWork: .everyone,
            currentCompanies: [SearchCompany(id: "c1", name: "株式会社メルカリ"), SearchCompany(id: "c2", name: "Blue | Labs")],
            pastCompanies: [SearchCompany(id: "c3", name: "Old Co")], schools: ["東京大学", "MIT"], skills: ["英語", "C++", "Node.js"])
        #expect(SearchAttributes(stored: full.stored) == full)
        let bare = SearchAttributes(handle: "b", name: "B")
        #expect(SearchAttributes(stored: bare.stored) == bare)
        #expect(SearchAttributes(stored: "") == nil)
        #expect(SearchAttributes(stored: "2\u{1F}x") == nil)
    }

    @Test func filtersRoundTripThroughTheirFormEncoding() {
        var filters = SearchFilters()
        filters.currentCompany = "株式会社メルカリ & Co"
        filters.location = "東京 = Tokyo"
        filters.skill = "C++"
        filters.degrees = [.first, .second]
        filters.openToWork = true
        let decoded = SearchFilters(formEncoded: filters.formEncoded)
        #expect(decoded.currentCompany == filters.currentCompany)
        #expect(decoded.location == filters.location)
        #expect(decoded.skill == "C++")
        #expect(decoded.degrees == [.first, .second])
        #expect(decoded.openToWork)
        #expect(decoded.school == nil)
        #expect(SearchFilters().formEncoded == "")
    }
}

@Suite struct WindowCounterTests {
    @Test func countsUpToTheLimitPerKeyThenAnswersTheWait() {
        let counter = WindowCounter()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for second in 0..<3 { #expect(counter.count("a", window: 60, limit: 3, now: start.addingTimeInterval(Double(second))) == nil) }
        #expect(counter.count("a", window: 60, limit: 3, now: start.addingTimeInterval(10)) == 50)
        #expect(counter.count("b", window: 60, limit: 3, now: start.addingTimeInterval(10)) == nil)
        // A new window starts afresh.
        #expect(counter.count("a", window: 60, limit: 3, now: start.addingTimeInterval(60)) == nil)
    }
}
