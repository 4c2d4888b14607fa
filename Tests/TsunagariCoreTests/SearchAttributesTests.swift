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

    /// Forms written by earlier versions, and items the writer never makes, read as they always were.
    @Test func olderFormsAndOddItemsReadAsBefore() throws {
        let f = "\u{1F}", i = "\u{1E}", p = "\u{1D}"
        // Version 1: 14 fields, no employers (its current companies are), no photo or strength. An empty school between
        // two is kept; a past company without its id's separator is none.
        let one = ["1", "h", "名前", "", "東京都", "", "", "members", "connections", "", "c1\(p)Acme", "c3\(p)Old\(i)Bad", "s1\(i)\(i)s2", "sk"]
        let first = try #require(SearchAttributes(stored: one.joined(separator: f)))
        #expect(first.name == "名前" && first.headline == nil && first.location == "東京都")
        #expect(first.currentCompanies == [SearchCompany(id: "c1", name: "Acme")] && first.employerIDs == ["c1"])
        #expect(first.pastCompanies == [SearchCompany(id: "c3", name: "Old")])
        #expect(first.schools == ["s1", "", "s2"] && first.skills == ["sk"])
        #expect(first.photo == nil && first.strength == 0 && first.openToWork == nil)
        // Version 2: 15 fields, employers of their own; a second pair separator belongs to the company's name.
        var two = one
        two[0] = "2"
        two[10] = "c1\(p)A\(p)B"
        two.append("e1\(i)e2")
        let second = try #require(SearchAttributes(stored: two.joined(separator: f)))
        #expect(second.currentCompanies == [SearchCompany(id: "c1", name: "A\(p)B")] && second.employerIDs == ["e1", "e2"])
        #expect(second.photo == nil && second.strength == 0)
        // Version 3 with two fields too few or too many, or a version with version 2's count, is refused.
        var three = two
        three[0] = "3"
        #expect(SearchAttributes(stored: three.joined(separator: f)) == nil)
        #expect(SearchAttributes(stored: (three + ["", "7", ""]).joined(separator: f)) == nil)
        let photo = String(repeating: "a", count: 64)
        let third = try #require(SearchAttributes(stored: (three + [photo, "7"]).joined(separator: f)))
        #expect(third.photo == PhotoRef(id: photo) && third.strength == 7 && third.employerIDs == ["e1", "e2"])
        // Visibilities this version does not know refuse the form.
        var unknown = three + [photo, "7"]
        unknown[7] = "friends"
        #expect(SearchAttributes(stored: unknown.joined(separator: f)) == nil)
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
