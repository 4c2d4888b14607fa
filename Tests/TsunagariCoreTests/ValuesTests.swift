import Foundation
import Testing
import TsunagariCore

@Suite("YearMonth")
struct YearMonthTests {
    @Test("Parses exactly YYYY-MM", arguments: [
        ("2020-01", 2020, 1), ("2020-12", 2020, 12), ("1900-01", 1900, 1), ("2100-12", 2100, 12), ("1999-07", 1999, 7),
    ])
    func valid(_ row: (String, Int, Int)) throws {
        let month = try #require(YearMonth(row.0))
        #expect(month.year == row.1)
        #expect(month.month == row.2)
        #expect(month.description == row.0)
        #expect(YearMonth(year: row.1, month: row.2) == month)
    }

    @Test("Every month writes as String(format:) wrote it and reads back")
    func everyMonthRoundTrips() throws {
        for year in 1900...2100 {
            for number in 1...12 {
                let month = try #require(YearMonth(year: year, month: number))
                #expect(month.description == String(format: "%04d-%02d", year, number))
                #expect(YearMonth(month.description) == month)
            }
        }
    }

    @Test("Rejects everything else", arguments: [
        "2020-13", "2020-1", "20-01", "2020-00", "2020/01", "2020-001", "02020-01", "", "2020", "2020-", "-2020-01",
        "abcd-ef", "２０２０-０１", " 2020-01", "2020-01 ", "1899-12", "2101-01", "2020-1a", "+020-01", "2020--1", "2020-01-01",
    ])
    func invalid(_ text: String) {
        #expect(YearMonth(text) == nil)
    }

    @Test("The memberwise initialiser checks its range too", arguments: [(2020, 0), (2020, 13), (1899, 12), (2101, 1), (2020, -1)])
    func invalidParts(_ parts: (Int, Int)) {
        #expect(YearMonth(year: parts.0, month: parts.1) == nil)
    }

    @Test("Months order by year, then month")
    func ordering() throws {
        let texts = ["2021-01", "2019-12", "2020-02", "2020-11", "2020-01", "1999-12"]
        let months = try texts.map { try #require(YearMonth($0)) }
        #expect(months.sorted().map(\.description) == ["1999-12", "2019-12", "2020-01", "2020-02", "2020-11", "2021-01"])
        let a = try #require(YearMonth("2019-12"))
        let b = try #require(YearMonth("2020-01"))
        #expect(a < b)
        #expect(!(b < a))
        #expect(!(a < a))
        // Ordering agrees with the text form, which storage sorts by.
        #expect(months.sorted().map(\.description) == texts.sorted())
    }
}

@Suite("Locale.preferred(acceptLanguage:)")
struct PreferredLocaleTests {
    typealias AppLocale = TsunagariCore.Locale

    @Test("Picks the best supported language, honouring q-values", arguments: [
        ("ja", AppLocale.ja),
        ("en", .en),
        ("en-US,en;q=0.9", .en),
        ("ja-JP,ja;q=0.9,en;q=0.8", .ja),
        ("en;q=0.5, ja;q=0.8", .ja),
        ("ja;q=0.3, en;q=0.7", .en),
        ("fr, ja;q=0.1", .ja),
        ("ja;q=0, en;q=0.2", .en),
        ("EN-gb", .en),
        ("ja ; q=0.9 , en ; q=0.95", .en),
        ("en;q=0.8, ja;q=0.8", .en),
        ("ja;q=0.8, en;q=0.8", .ja),
        ("ja;q=abc, en;q=0.1", .en),
        ("zh-Hant-TW, de;q=0.9, ja;q=0.5, en;q=0.4", .ja),
        ("en;q=0.1, ja;q=0.5, en;q=0.9", .en),
        ("*;q=0.1, ja", .ja),
    ])
    func preferred(_ row: (String, AppLocale)) {
        #expect(AppLocale.preferred(acceptLanguage: row.0) == row.1, "\(row.0)")
    }

    @Test("Answers nil when nothing supported is acceptable", arguments: [
        nil, "", "fr-FR, de;q=0.9", "ja;q=0", "*", ";;;", ",", "jaa", "e",
    ] as [String?])
    func none(_ header: String?) {
        #expect(AppLocale.preferred(acceptLanguage: header) == nil)
    }
}

@Suite("ManualClock")
struct ManualClockTests {
    @Test("Stands still until advanced, then moves by exactly that much")
    func advance() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let clock = ManualClock(start)
        #expect(clock.now() == start)
        #expect(clock.now() == start)
        clock.advance(by: 90)
        #expect(clock.now() == start.addingTimeInterval(90))
        clock.advance(by: 0.5)
        #expect(clock.now().timeIntervalSince(start) == 90.5)
    }
}

/// A card keeps its fields in a box shared by copies; it must still behave as a value.
@Suite("MemberCard")
struct MemberCardTests {
    static func card(_ name: String = "佐藤 花子") -> MemberCard {
        var card = MemberCard(
            id: MemberID("m1"), handle: "hanako", name: name, headline: "営業", location: "東京", profileVisibility: .members,
            connectionsVisibility: .connections, sectionVisibility: SectionVisibilities([.positions: .connections]))
        card.photo = PhotoRef(id: String(repeating: "a", count: 64))
        return card
    }

    @Test func aChangedCopyLeavesTheOriginal() {
        let original = Self.card()
        var copy = original
        #expect(copy == original)
        copy.location = nil
        copy.photo = nil
        copy.name = "佐藤 花"
        copy.sectionVisibility[.positions] = .everyone
        #expect(original.location == "東京" && original.photo != nil && original.name == "佐藤 花子")
        #expect(original.sectionVisibility[.positions] == .connections && copy.sectionVisibility[.positions] == .everyone)
        #expect(copy != original)
        // Changed back field by field, it equals the original again, and hashes the same, though its box is its own.
        copy.location = "東京"
        copy.photo = original.photo
        copy.name = "佐藤 花子"
        copy.sectionVisibility[.positions] = .connections
        #expect(copy == original && Set([copy, original]).count == 1)
    }

    @Test func everyFieldTakesPartInEquality() {
        let base = Self.card()
        var changes: [(inout MemberCard) -> Void] = [
            { $0.id = MemberID("m2") }, { $0.handle = "other" }, { $0.name = "別人" }, { $0.headline = nil }, { $0.location = "大阪" },
            { $0.profileVisibility = .public }, { $0.connectionsVisibility = .onlyMe }, { $0.sectionVisibility = SectionVisibilities() },
            { $0.photo = nil },
        ]
        changes.append { _ in }
        for (index, change) in changes.enumerated() {
            var changed = base
            change(&changed)
            #expect((changed == base) == (index == changes.count - 1), "change \(index)")
        }
    }
}
