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
        for round in 0..<50 {
            let hits = (0..<Int(generator.next() % 60)).map { index -> PeopleSearchService.Hit in
                let attributes = SearchAttributes(
                    handle: "h\(index)", name: "N", location: Bool.random(using: &generator) ? locations.randomElement(using: &generator) : nil,
                    skills: (0..<Int(generator.next() % 4)).map { _ in skills.randomElement(using: &generator)! })
                let id = MemberID("m\(round)-\(index)")
                return PeopleSearchService.Hit(
                    person: PersonSummary(card: attributes.card(id), degree: .beyond, mutualConnectionCount: 0), attributes: attributes, score: 1)
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
            #expect(facets.skills == reference(hits.map(\.attributes.skills)), "round \(round)")
            #expect(facets.locations == reference(hits.map { $0.attributes.location.map { [$0] } ?? [] }), "round \(round)")
        }
    }
}
