import Foundation
import Testing
import TsunagariCore

/// The rules of the sections beyond work and school: who sees what, the stored form, completeness.
@Suite("Profile sections")
struct ProfileEntriesTests {
    static func profile(visibility: SectionVisibilities = SectionVisibilities()) -> Profile {
        var p = Profile(
            memberID: MemberID("m1"), role: .member, fields: ProfileFields(name: "山田 太郎", handle: "taro"), positions: [],
            educations: [], skills: [], settings: ProfileSettings(sectionVisibility: visibility), createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0))
        p.certifications = [Certification(id: "c", name: "TOEIC", score: "905")]
        p.languages = [LanguageSkill(id: "l", name: "英語", level: .business)]
        p.projects = [Project(id: "p", name: "決済基盤")]
        p.volunteering = [VolunteerRole(id: "v", organization: "Code for Japan", role: "Mentor")]
        p.contact = ContactInfo(
            email: "taro@example.test", emailVisibility: .connections, phone: "090-1234-5678", phoneVisibility: .onlyMe,
            websites: [Website(url: "https://taro.example.test/")], websitesVisibility: .connections)
        return p
    }

    @Test("Contact details: all to the member, those for connections to a connection, none to anyone else")
    func contactAudience() {
        let p = Self.profile()
        #expect(p.sections(shownTo: .oneself).contact == p.contact)
        let connection = p.sections(shownTo: .connection).contact
        #expect(connection.email == "taro@example.test" && connection.phone == nil && connection.websites.count == 1)
        for relation in [ViewerRelation.member, .anonymous] {
            #expect(p.sections(shownTo: relation).contact.isEmpty)
        }
        // What search and lists may name never holds contact details.
        #expect(p.sectionsShownToEveryone.contact.isEmpty)
    }

    @Test("Each new section follows its visibility in every view and in what search may name")
    func sectionVisibility() {
        var visibility = SectionVisibilities()
        visibility[.certifications] = .connections
        visibility[.languages] = .onlyMe
        visibility[.volunteering] = .connections
        let p = Self.profile(visibility: visibility)
        let member = p.sections(shownTo: .member)
        #expect(member.certifications.isEmpty && member.languages.isEmpty && member.volunteering.isEmpty && member.projects.count == 1)
        let connection = p.sections(shownTo: .connection)
        #expect(connection.certifications.count == 1 && connection.languages.isEmpty && connection.volunteering.count == 1)
        let own = p.sections(shownTo: .oneself)
        #expect(own.certifications.count == 1 && own.languages.count == 1)
        let everyone = p.sectionsShownToEveryone
        #expect(everyone.certifications.isEmpty && everyone.languages.isEmpty && everyone.projects.count == 1)
        // The stored form keeps the new sections.
        #expect(SectionVisibilities(stored: visibility.stored) == visibility)
    }

    @Test("An entry's stored form reads back the same; an unknown kind or a damaged body is left out")
    func storedForm() throws {
        let entries: [ProfileEntry] = [
            .certification(Certification(id: "c", name: "AWS Certified Solutions Architect – Associate", issuer: "Amazon Web Services",
                obtained: YearMonth("2024-02"), expires: YearMonth("2027-02"), credentialID: "ABC-123", url: "https://aws.amazon.com/", score: "820")),
            .language(LanguageSkill(id: "l", name: "日本語", level: .native, jlpt: .n1)),
            .project(Project(id: "p", name: "<script>", role: "PM", url: nil, start: YearMonth("2020-01"), end: YearMonth("2021-03"), description: "改行\nあり")),
            .volunteering(VolunteerRole(id: "v", organization: "NPO", role: "会計", cause: "子ども食堂")),
        ]
        for entry in entries {
            #expect(ProfileEntry.decode(kind: entry.kind.rawValue, body: try entry.encoded()) == entry)
        }
        #expect(ProfileEntry.decode(kind: "award", body: "{}") == nil)
        #expect(ProfileEntry.decode(kind: "certification", body: "{\"id\":\"c\"}") == nil)
        #expect(ProfileEntry.decode(kind: "certification", body: "{\"id\":\"c\",\"name\":\"x\",\"obtained\":\"2020-13\"}") == nil)
        // Contact details stored by a later version with an audience this one does not know are shown to no one.
        let contact = ContactInfo(stored: #"{"email":"a@example.test","emailVisibility":"everyone"}"#)
        #expect(contact.email == "a@example.test" && contact.emailVisibility == .onlyMe)
        #expect(ContactInfo(stored: "not json").emailVisibility == .onlyMe)
    }

    @Test("Entries are sorted as shown: certifications and projects newest first, current projects first")
    func order() {
        var p = Self.profile()
        p.setEntries([
            .certification(Certification(id: "old", name: "簿記", obtained: YearMonth("2015-06"))),
            .certification(Certification(id: "undated", name: "普通自動車免許")),
            .certification(Certification(id: "new", name: "TOEIC", obtained: YearMonth("2023-06"))),
            .project(Project(id: "done", name: "A", start: YearMonth("2022-01"), end: YearMonth("2022-12"))),
            .project(Project(id: "ongoing", name: "B", start: YearMonth("2019-01"))),
            .language(LanguageSkill(id: "first", name: "英語", level: .business)),
            .language(LanguageSkill(id: "second", name: "中国語", level: .basic)),
        ])
        #expect(p.certifications.map(\.id) == ["new", "old", "undated"])
        #expect(p.projects.map(\.id) == ["ongoing", "done"])
        #expect(p.languages.map(\.id) == ["first", "second"])
        #expect(p.volunteering.isEmpty)
    }

    @Test("LinkedIn's five proficiencies read into the four levels, and back")
    func linkedInLevels() {
        #expect(LanguageLevel(linkedIn: "Native or bilingual proficiency") == .native)
        #expect(LanguageLevel(linkedIn: "Full professional proficiency") == .business)
        #expect(LanguageLevel(linkedIn: "Professional working proficiency") == .business)
        #expect(LanguageLevel(linkedIn: "Limited working proficiency") == .conversational)
        #expect(LanguageLevel(linkedIn: " Elementary proficiency ") == .basic)
        #expect(LanguageLevel(linkedIn: "fluent-ish") == nil)
        for level in LanguageLevel.allCases { #expect(LanguageLevel(linkedIn: level.linkedIn) == level) }
        #expect(LanguageNames.variants(of: "english") == ["英語", "English"])
        #expect(LanguageNames.variants(of: "英語") == ["英語", "English"])
        #expect(LanguageNames.variants(of: "Klingon") == ["Klingon"])
    }

    @Test("Strength counts what is filled in and lists what is missing, most valuable first")
    func strength() {
        var p = Self.profile()
        let empty = ProfileStrength(p)
        // The fixture has a certification and a language only.
        #expect(empty.score == 10)
        #expect(empty.missing.first == .currentPosition)
        #expect(empty.missing.map(\.weight) == empty.missing.map(\.weight).sorted(by: >))
        p.photo = PhotoRef(id: String(repeating: "a", count: 64))
        p.fields.headline = "iOS エンジニア"
        p.skills = ["Swift", "Kotlin", "SQL", "Go"]
        #expect(ProfileStrength(p).score == 35)
        #expect(ProfileStrength(p).missing.contains(.skills))
        p.skills.append("AWS")
        #expect(ProfileStrength(p).score == 50)
        #expect(ProfileStrength.Step.allCases.map(\.weight).reduce(0, +) == 100)
    }

    @Test("Photo ids are 64 lowercase hex digits, nothing else")
    func photoIDs() {
        #expect(PhotoRef.isWellFormed(String(repeating: "0123456789abcdef", count: 4)))
        #expect(!PhotoRef.isWellFormed(String(repeating: "A", count: 64)))
        #expect(!PhotoRef.isWellFormed(String(repeating: "a", count: 63)))
        #expect(!PhotoRef.isWellFormed("../" + String(repeating: "a", count: 61)))
    }
}

@Suite("Importing profile sections")
struct ProfileEntriesImportTests {
    @Test("An export's entries come in once, with ids, clipped, dates out of order dropped, within each kind's limit")
    func plan() {
        var profile = ProfileEntriesTests.profile()
        profile.certifications = [Certification(id: "have", name: "TOEIC", obtained: YearMonth("2023-06"))]
        profile.languages = [LanguageSkill(id: "have-l", name: "英語", level: .business)]
        var file = ImportedProfile()
        file.entries = [
            .certification(Certification(id: "", name: "ＴＯＥＩＣ", obtained: YearMonth("2023-06"))),
            .certification(Certification(id: "", name: "簿記2級", obtained: YearMonth("2020-06"), expires: YearMonth("2019-01"), url: "ftp://nope")),
            .language(LanguageSkill(id: "", name: "英語", level: .native)),
            .language(LanguageSkill(id: "", name: "中国語", level: .basic)),
            .project(Project(id: "", name: String(repeating: "長", count: 400), start: YearMonth("2022-01"), end: YearMonth("2021-01"))),
            .volunteering(VolunteerRole(id: "", organization: "  ", role: "会計")),
        ]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let (plan, summary) = DataImportService.plan(for: profile, from: file, now: now)
        #expect(summary.certifications == 1 && summary.languages == 1 && summary.projects == 1 && summary.volunteering == 0)
        #expect(plan.entries.count == 3 && !plan.isEmpty)
        #expect(Set(plan.entries.map(\.id)).count == 3 && plan.entries.allSatisfy { OpaqueID.isWellFormed($0.id) })
        guard case .certification(let bookkeeping) = plan.entries[0] else { Issue.record("not a certification"); return }
        #expect(bookkeeping.expires == nil && bookkeeping.url == nil && bookkeeping.obtained == YearMonth("2020-06"))
        guard case .project(let project) = plan.entries[2] else { Issue.record("not a project"); return }
        #expect(project.name.count == TextLimit.projectName && project.end == nil)
    }
}
