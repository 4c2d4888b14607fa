import Foundation
import Testing
import TsunagariCore

/// What an export adds to a profile (a pure decision) and how contacts are compared.
@Suite struct DataImportTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func profile(headline: String? = nil, positions: [Position] = [], educations: [Education] = [], skills: [String] = []) -> Profile {
        Profile(
            memberID: MemberID("m1"), role: .member,
            fields: ProfileFields(name: "山田 花子", handle: "hanako", headline: headline), positions: positions, educations: educations,
            skills: skills, settings: ProfileSettings(), createdAt: now, updatedAt: now)
    }

    func position(_ company: String, _ title: String, _ start: String) -> Position {
        Position(
            id: "p-\(company)", company: CompanyRef(id: "c", name: company), companyNameAsWritten: company, title: title, location: nil,
            startMonth: YearMonth(start)!, endMonth: nil, description: nil)
    }

    @Test func onlyEmptyFieldsAreFilledAndOnlyNewEntriesAdded() {
        let existing = profile(
            headline: "Already mine", positions: [position("株式会社つながり", "Engineer", "2021-04")],
            educations: [Education(id: "e", school: "京都大学", degree: "学士", field: nil, startYear: 2008, endYear: 2012)], skills: ["Swift"])
        let file = ImportedProfile(
            headline: "From LinkedIn", summary: "About me\nSecond line", industry: "  ", location: "Tokyo",
            positions: [
                // The same position written with the company's other spelling and another case: not added again.
                ImportedPosition(company: "つながり株式会社", title: "ENGINEER", start: YearMonth("2021-04"), end: nil),
                ImportedPosition(company: "Old Corp", title: "Intern", start: YearMonth("2019-01"), end: YearMonth("2018-12")),
                ImportedPosition(company: "No Start KK", title: "Advisor", start: nil, end: nil),
                ImportedPosition(company: String(repeating: "長", count: 150), title: "Long", start: YearMonth("2010-01"), end: YearMonth("2011-01")),
            ],
            educations: [
                ImportedEducation(school: "京都大学", degree: "学士", startYear: 2008, endYear: 2012),
                ImportedEducation(school: "Tokyo Tech", degree: "MSc", notes: "Computer Science", startYear: 2014, endYear: 2012),
            ],
            skills: ["swift", "ＰｏｓｔｇｒｅＳＱＬ", "PostgreSQL", ""])
        let (plan, summary) = DataImportService.plan(for: existing, from: file, now: now)
        #expect(summary.fieldsFilled == ["about", "location"])
        #expect(plan.fields.headline == nil, "a field the member filled is theirs")
        #expect(plan.fields.about == .some("About me\nSecond line"))
        #expect(plan.fields.industry == nil, "a blank value fills nothing")
        #expect(plan.positions.map(\.companyName) == ["Old Corp", String(repeating: "長", count: TextLimit.companyName)])
        // An end before the start is read as the start: the member's history comes in, and can be edited.
        #expect(plan.positions.first?.endMonth == YearMonth("2019-01"))
        #expect(plan.educations.map(\.school) == ["Tokyo Tech"])
        #expect(plan.educations.first.map { ($0.startYear, $0.endYear, $0.field) } ?? (nil, nil, nil) == (2012, 2014, "Computer Science"))
        #expect(plan.skills == ["Swift", "ＰｏｓｔｇｒｅＳＱＬ"])
        #expect(summary.positions == 2 && summary.educations == 1 && summary.skills == 1)

        // The plan applied, the same file adds nothing.
        var after = existing
        after.fields.about = "About me\nSecond line"
        after.fields.location = "Tokyo"
        after.positions += plan.positions.map {
            Position(
                id: $0.id, company: CompanyRef(id: "x", name: $0.companyName), companyNameAsWritten: $0.companyName, title: $0.title,
                location: nil, startMonth: $0.startMonth, endMonth: $0.endMonth, description: nil)
        }
        after.educations += plan.educations
        after.skills = plan.skills ?? after.skills
        let (again, second) = DataImportService.plan(for: after, from: file, now: now)
        #expect(again.isEmpty)
        #expect(second == DataImportService.ProfileSummary())
    }

    @Test func limitsOfAProfileAreKept() {
        let many = (0..<TextLimit.positionCount).map { position("Company \($0)", "Role", "2001-01") }
        let file = ImportedProfile(positions: [ImportedPosition(company: "One more", title: "Role", start: YearMonth("2020-01"), end: nil)])
        #expect(DataImportService.plan(for: profile(positions: many), from: file, now: now).0.positions.isEmpty)
    }

    @Test func namesCompareAsPeopleWriteThem() {
        #expect(PersonNameKey.key("山田 太郎") == PersonNameKey.key("山田　太郎"))
        #expect(PersonNameKey.key("ヤマダ タロウ") == PersonNameKey.key("やまだたろう"))
        #expect(PersonNameKey.key("Taro  YAMADA") == PersonNameKey.key("taro yamada"))
        #expect(PersonNameKey.key("山田 太郎") != PersonNameKey.key("山田 次郎"))
    }

    @Test func theSameCardFromTheSameKindOfFileIsOneContact() {
        func contact(_ name: String, _ company: String?, _ email: String?, _ source: ContactSource) -> Contact {
            Contact(
                id: "x", owner: MemberID("m"), source: source,
                card: ContactCard(name: name, company: company, emails: email.map { [$0] } ?? []), member: nil, createdAt: now)
        }
        #expect(contact("山田 太郎", "株式会社テスト", "T@x.jp", .card).duplicateKey == contact("山田　太郎", "テスト株式会社", "t@x.jp", .card).duplicateKey)
        #expect(contact("山田 太郎", nil, nil, .card).duplicateKey != contact("山田 太郎", nil, nil, .linkedin).duplicateKey)
        #expect(contact("山田 太郎", "A社", nil, .card).duplicateKey != contact("山田 太郎", "B社", nil, .card).duplicateKey)
    }
}
