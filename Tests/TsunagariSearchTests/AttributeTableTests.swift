import Foundation
import Testing
import TsunagariCore

@testable import TsunagariSearch

/// Stored attributes kept as bytes with their repeated pieces in a table, against the text they were made from.
@Suite struct AttributeTableTests {
    typealias Random = TermIndexTests.Random

    static let companies = [
        SearchCompany(id: "c1", name: "Acme"), SearchCompany(id: "c2", name: "株式会社つながり"),
        SearchCompany(id: "c3", name: "Sōkō Logistics"), SearchCompany(id: "c4", name: ""),
    ]
    static let places = ["東京都", "大阪府", "Kyoto", "", "São Paulo"]
    static let skills = ["Swift", "営業", "C++", "英語", "PostgreSQL", "マーケティング"]

    static func attributes(_ n: Int, _ random: inout Random) -> SearchAttributes {
        func some<T>(_ values: [T]) -> [T] { (0..<random.int(4)).map { _ in random.pick(values) } }
        let place = random.pick(places)
        return SearchAttributes(
            handle: "member-\(n)", name: random.int(2) == 0 ? "山田 太郎 \(n)" : "Member \(n)",
            headline: random.int(3) == 0 ? nil : "Headline \(n) — 営業",
            location: place.isEmpty ? nil : place, industry: random.int(2) == 0 ? nil : "Software",
            currentTitle: random.int(2) == 0 ? nil : random.pick(["Engineer", "営業部長"]),
            profileVisibility: random.pick(ProfileVisibility.allCases), connectionsVisibility: random.pick(ConnectionsVisibility.allCases),
            openToWork: random.int(3) == 0 ? random.pick(OpenToWorkVisibility.allCases) : nil,
            currentCompanies: some(companies), pastCompanies: some(companies), schools: some(["早稲田大学", "MIT"]),
            skills: some(skills), employerIDs: some(["c1", "c9"]),
            photo: random.int(2) == 0 ? nil : PhotoRef(id: String(repeating: "0", count: 64 - String(n, radix: 16).count) + String(n, radix: 16)), strength: random.int(101))
    }

    @Test func attributesRoundTripWithTheirRepeatedPiecesToldOnce() throws {
        var random = Random(state: 11)
        var table = AttributeTable()
        var textBytes = 0
        var keptBytes = 0
        for n in 0..<2_000 {
            let attributes = Self.attributes(n, &random)
            let stored = attributes.stored
            let bytes = table.encode(stored)
            #expect(table.isValid(bytes))
            #expect(table.decode(bytes) == stored)
            #expect(SearchAttributes(stored: table.decode(bytes)) == attributes)
            #expect(table.attributes(bytes) == attributes)
            #expect(Self.unkeyed(table.ranking(bytes)) == SearchRanking(attributes))
            #expect(table.currentCompanyIDs(bytes) == attributes.currentCompanies.map(\.id))
            textBytes += stored.utf8.count
            keptBytes += bytes.count
        }
        // The handle, name, headline and photo are kept as text, so they are not in the table; every other piece is,
        // once: the places, companies, skills, schools, titles, settings and strengths are a few dozen.
        #expect(table.count < 200, "\(table.count) pieces")
        #expect(keptBytes * 3 < textBytes * 2, "\(keptBytes) bytes kept for \(textBytes) of text")
    }

    /// A ranking without the table's keys, as `SearchRanking.init(_:)` makes it from whole attributes.
    static func unkeyed(_ ranking: SearchRanking?) -> SearchRanking? {
        guard var ranking else { return nil }
        ranking.location?.key = nil
        ranking.skills = ranking.skills.map { FacetText($0.text) }
        ranking.currentCompanies = ranking.currentCompanies.map { FacetCompany(id: FacetText($0.id.text), name: FacetText($0.name.text)) }
        return ranking
    }

    /// Stored forms of every shape — versions 1 to 3, fields missing or extra, separators where a field has text,
    /// items without their pair, empty items — read from the index's bytes give what the stored text gives: the whole
    /// attributes, and what ranking reads of them (whose keys are the table's numbers for equal texts).
    @Test func anyStoredFormReadsAsItsText() {
        var random = Random(state: 5)
        let pieces = ["", "a", "東京都", "members", "connections", "everyone", "recruitersOnly", "1", "2", "3", "42", "c1", "Acme"]
        let separators = ["\u{1F}", "\u{1E}", "\u{1D}"]
        var table = AttributeTable()
        var read = 0
        var texts: [Int32: String] = [:]
        for round in 0..<20_000 {
            var stored: String
            if round % 2 == 0 {
                // A well-formed document with a few of its parts changed.
                var fields = Self.attributes(round, &random).stored.components(separatedBy: "\u{1F}")
                for _ in 0..<random.int(3) {
                    let index = random.int(fields.count)
                    switch random.int(4) {
                    case 0: fields[index] += random.pick(separators) + random.pick(pieces)
                    case 1: fields.remove(at: index)
                    case 2: fields.insert(random.pick(pieces), at: index)
                    default: fields[0] = random.pick(["1", "2", "3", "4"])
                    }
                }
                stored = fields.joined(separator: "\u{1F}")
            } else {
                stored = (0..<random.int(40)).map { _ in random.int(3) == 0 ? random.pick(separators) : random.pick(pieces) }.joined()
            }
            let bytes = table.encode(stored)
            let expected = SearchAttributes(stored: stored)
            #expect(table.attributes(bytes) == expected, "\(stored.debugDescription)")
            let ranking = table.ranking(bytes)
            #expect(Self.unkeyed(ranking) == expected.map(SearchRanking.init), "\(stored.debugDescription)")
            let keyed = (ranking?.skills ?? []) + [ranking?.location].compactMap { $0 } + (ranking?.currentCompanies ?? []).flatMap { [$0.id, $0.name] }
            for value in keyed {
                if let key = value.key { #expect(texts[key, default: value.text] == value.text); texts[key] = value.text }
            }
            if expected != nil { read += 1 }
        }
        #expect(read > 3_000, "\(read) documents read")
    }

    @Test func aRemovedDocumentsEmptyBytesAreNothing() {
        let table = AttributeTable()
        #expect(table.decode([]) == "")
        #expect(table.currentCompanyIDs([]) == [])
        #expect(table.isValid([]))
    }

    @Test func bytesThatDoNotHoldTogetherAreRefused() {
        var table = AttributeTable()
        let bytes = table.encode(SearchAttributes(handle: "a", name: "A", location: "東京都").stored)
        #expect(table.isValid(bytes))
        #expect(!table.isValid(bytes + [3 + 2 * UInt8(table.count)]), "a piece the table does not hold")
        #expect(!table.isValid(bytes + [3 + 2 * 5 + 1, 0x41]), "text that runs past the end")
        #expect(!table.isValid(bytes + [0x80]), "a varint cut short")
        #expect(AttributeTable(text: Array("ab".utf8), ends: [2, 1]) == nil, "pieces out of order")
        #expect(AttributeTable(text: Array("ab".utf8), ends: [3]) == nil, "a piece past the text")
        let read = AttributeTable(text: table.text, ends: table.ends)
        #expect(read?.decode(bytes) == table.decode(bytes))
        #expect(read?.attributes(bytes) == SearchAttributes(handle: "a", name: "A", location: "東京都"))
        #expect(table.attributes([]) == nil, "a removed document's bytes are no attributes")
    }
}
