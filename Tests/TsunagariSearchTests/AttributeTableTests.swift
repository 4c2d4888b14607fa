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
            #expect(table.currentCompanyIDs(bytes) == attributes.currentCompanies.map(\.id))
            textBytes += stored.utf8.count
            keptBytes += bytes.count
        }
        // The handle, name, headline and photo are kept as text, so they are not in the table; every other piece is,
        // once: the places, companies, skills, schools, titles, settings and strengths are a few dozen.
        #expect(table.count < 200, "\(table.count) pieces")
        #expect(keptBytes * 3 < textBytes * 2, "\(keptBytes) bytes kept for \(textBytes) of text")
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
