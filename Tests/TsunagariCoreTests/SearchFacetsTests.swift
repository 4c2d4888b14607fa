import Foundation
import Testing
@testable import TsunagariCore

/// The facets of a results page: the most frequent values, ties by label, as a full sort of every value would give them.
@Suite("Search facets")
struct SearchFacetsTests {
    @Test func theTopValuesAreThoseOfAFullSort() {
        var generator = SampleData.Generator(seed: 7)
        let skills = ["英語", "営業", "Swift", "swift", "SWIFT", "経理", "法人営業", "Python", "Go", "簿記", "中国語", "AWS"]
        let locations = ["東京都", "大阪府", "Tokyo", "福岡県", "京都府", "北海道", "愛知県", "神奈川県", "埼玉県", "千葉県"]
        let companies = (0..<12).map { SearchCompany(id: "c\($0)", name: $0 % 3 == 0 ? "Acme" : "会社\($0)") }
        let degrees: [Degree] = [.first, .second, .third, .beyond]
        // The index numbers every distinct text; some values come with their number, some without (read whole).
        var keys: [String: Int32] = [:]
        func facet(_ text: String, _ keyed: Bool) -> FacetText {
            guard keyed else { return FacetText(text) }
            if keys[text] == nil { keys[text] = Int32(keys.count) }
            return FacetText(text, key: keys[text])
        }
        for round in 0..<100 {
            var attributeList: [SearchAttributes] = []
            let hits = (0..<Int(generator.next() % 60)).map { index -> PeopleSearchService.Hit in
                let attributes = SearchAttributes(
                    handle: "h\(index)", name: "N", location: Bool.random(using: &generator) ? locations.randomElement(using: &generator) : nil,
                    currentCompanies: (0..<Int(generator.next() % 3)).map { _ in companies.randomElement(using: &generator)! },
                    skills: (0..<Int(generator.next() % 4)).map { _ in skills.randomElement(using: &generator)! })
                let id = MemberID("m\(round)-\(index)")
                let degree = degrees.randomElement(using: &generator)!
                attributeList.append(attributes)
                var ranking = SearchRanking(attributes)
                if round % 2 == 1 {
                    let keyed = generator.next() % 4 != 0
                    ranking.location = attributes.location.map { facet($0, keyed) }
                    ranking.skills = attributes.skills.map { facet($0, keyed) }
                    ranking.currentCompanies = attributes.currentCompanies.map { FacetCompany(id: facet($0.id, keyed), name: facet($0.name, keyed)) }
                }
                return PeopleSearchService.Hit(member: id, degree: degree, ranking: ranking, score: 1)
            }
            let facets = PeopleSearchService.facets(hits)
            // The same counted by hand and sorted whole.
            func reference(_ values: [[String]]) -> [SearchFacets.Value] {
                var counts: [String: (label: String, count: Int)] = [:]
                for list in values {
                    var seen: Set<String> = []
                    for value in list {
                        let key = PeopleSearchService.fold(value)
                        guard !key.isEmpty, seen.insert(key).inserted else { continue }
                        counts[key, default: (value, 0)].count += 1
                    }
                }
                return counts.map { SearchFacets.Value(value: $0.key, label: $0.value.label, count: $0.value.count) }
                    .sorted { ($1.count, $0.label) < ($0.count, $1.label) }.prefix(PeopleSearchService.facetValues).map { $0 }
            }
            #expect(facets.skills == reference(attributeList.map(\.skills)), "round \(round)")
            #expect(facets.locations == reference(attributeList.map { $0.location.map { [$0] } ?? [] }), "round \(round)")
            // Companies by id (each time one is named, under the name it was first seen with); degrees 1–3 in order.
            var byCompany: [String: (label: String, count: Int)] = [:]
            for company in attributeList.flatMap(\.currentCompanies) { byCompany[company.id, default: (company.name, 0)].count += 1 }
            let expectedCompanies = byCompany.map { SearchFacets.Value(value: $0.key, label: $0.value.label, count: $0.value.count) }
                .sorted { ($1.count, $0.label) < ($0.count, $1.label) }.prefix(PeopleSearchService.facetValues)
            #expect(facets.currentCompanies.map(\.count) == expectedCompanies.map(\.count), "round \(round)")
            #expect(facets.currentCompanies.map(\.label) == expectedCompanies.map(\.label), "round \(round)")
            let expectedDegrees = [Degree.first, .second, .third].compactMap { degree in
                let count = hits.filter { $0.degree == degree }.count
                return count == 0 ? nil : SearchFacets.Value(value: "\(degree.rawValue)", label: "\(degree.rawValue)", count: count)
            }
            #expect(facets.degrees == expectedDegrees, "round \(round)")
        }
    }
}
