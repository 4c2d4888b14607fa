import Foundation
import Testing
import TsunagariCore

@Suite("ProfilePolicy")
struct ProfilePolicyTests {
    /// Every relation × visibility, with the answer PRODUCT.md asks for: nil means "not found" (the viewer may
    /// not know the profile exists), `.limited` means name and headline only.
    static let accessTable: [(ViewerRelation, ProfileVisibility, ProfileAccess?)] = [
        (.anonymous, .public, .full),
        (.anonymous, .members, nil),
        (.anonymous, .connections, nil),
        (.member, .public, .full),
        (.member, .members, .full),
        (.member, .connections, .limited),
        (.connection, .public, .full),
        (.connection, .members, .full),
        (.connection, .connections, .full),
        (.oneself, .public, .full),
        (.oneself, .members, .full),
        (.oneself, .connections, .full),
    ]

    @Test("The table covers every relation and visibility exactly once")
    func tableIsComplete() {
        var pairs: Set<String> = []
        for (relation, visibility, _) in Self.accessTable { pairs.insert("\(relation)/\(visibility)") }
        #expect(pairs.count == Self.accessTable.count)
        #expect(pairs.count == ViewerRelation.allCases.count * ProfileVisibility.allCases.count)
    }

    @Test("Access for every relation and visibility", arguments: accessTable)
    func access(_ row: (ViewerRelation, ProfileVisibility, ProfileAccess?)) {
        #expect(ProfilePolicy.access(visibility: row.1, relation: row.0) == row.2)
    }

    @Test("Only public profiles are indexable", arguments: [
        (ProfileVisibility.public, true), (.members, false), (.connections, false),
    ])
    func indexable(_ row: (ProfileVisibility, Bool)) {
        #expect(ProfilePolicy.indexable(visibility: row.0) == row.1)
    }

    struct OpenToWorkCase: Sendable, CustomTestStringConvertible {
        var label: String
        var enabled: Bool
        var visibility: OpenToWorkVisibility
        var relation: ViewerRelation
        var role: MemberRole?
        var viewerCompanies: Set<String> = []
        var memberCompanies: Set<String> = []
        var shown: Bool
        var testDescription: String { label }
    }

    static let openToWorkTable: [OpenToWorkCase] = [
        // Switched off: nobody sees it, not even a recruiter or the member.
        .init(label: "off, recruiter", enabled: false, visibility: .recruitersOnly, relation: .member, role: .recruiter, shown: false),
        .init(label: "off, everyone, member", enabled: false, visibility: .everyone, relation: .member, role: .member, shown: false),
        .init(label: "off, oneself", enabled: false, visibility: .everyone, relation: .oneself, role: .member, shown: false),
        // Recruiters only.
        .init(label: "recruiters only, oneself", enabled: true, visibility: .recruitersOnly, relation: .oneself, role: .member, shown: true),
        .init(label: "recruiters only, member", enabled: true, visibility: .recruitersOnly, relation: .member, role: .member, shown: false),
        .init(label: "recruiters only, connection", enabled: true, visibility: .recruitersOnly, relation: .connection, role: .member,
              shown: false),
        .init(label: "recruiters only, anonymous", enabled: true, visibility: .recruitersOnly, relation: .anonymous, role: nil,
              shown: false),
        .init(label: "recruiters only, recruiter elsewhere", enabled: true, visibility: .recruitersOnly, relation: .member,
              role: .recruiter, viewerCompanies: ["c-other"], memberCompanies: ["c-member"], shown: true),
        .init(label: "recruiters only, recruiter without a company", enabled: true, visibility: .recruitersOnly, relation: .member,
              role: .recruiter, viewerCompanies: [], memberCompanies: ["c-member"], shown: true),
        .init(label: "recruiters only, recruiter, member without a company", enabled: true, visibility: .recruitersOnly,
              relation: .member, role: .recruiter, viewerCompanies: ["c-other"], memberCompanies: [], shown: true),
        .init(label: "recruiters only, recruiter at the member's company", enabled: true, visibility: .recruitersOnly,
              relation: .member, role: .recruiter, viewerCompanies: ["c-member"], memberCompanies: ["c-member"], shown: false),
        .init(label: "recruiters only, recruiter sharing one of two current companies", enabled: true, visibility: .recruitersOnly,
              relation: .member, role: .recruiter, viewerCompanies: ["c-a", "c-b"], memberCompanies: ["c-b", "c-c"], shown: false),
        .init(label: "recruiters only, connected recruiter at the member's company", enabled: true, visibility: .recruitersOnly,
              relation: .connection, role: .recruiter, viewerCompanies: ["c-member"], memberCompanies: ["c-member"], shown: false),
        .init(label: "recruiters only, connected recruiter elsewhere", enabled: true, visibility: .recruitersOnly,
              relation: .connection, role: .recruiter, viewerCompanies: ["c-other"], memberCompanies: ["c-member"], shown: true),
        // Everyone: every logged-in viewer, whatever their role or company.
        .init(label: "everyone, member", enabled: true, visibility: .everyone, relation: .member, role: .member, shown: true),
        .init(label: "everyone, connection", enabled: true, visibility: .everyone, relation: .connection, role: .member, shown: true),
        .init(label: "everyone, recruiter at the member's company", enabled: true, visibility: .everyone, relation: .member,
              role: .recruiter, viewerCompanies: ["c-member"], memberCompanies: ["c-member"], shown: true),
        .init(label: "everyone, oneself", enabled: true, visibility: .everyone, relation: .oneself, role: .member, shown: true),
        .init(label: "everyone, anonymous", enabled: true, visibility: .everyone, relation: .anonymous, role: nil, shown: true),
    ]

    @Test("Open to work is shown only to whom the member chose", arguments: openToWorkTable)
    func showsOpenToWork(_ row: OpenToWorkCase) {
        let openToWork = OpenToWork(enabled: row.enabled, visibility: row.visibility, titles: ["iOS Engineer"])
        let shown = ProfilePolicy.showsOpenToWork(
            openToWork, relation: row.relation, viewerRole: row.role, viewerCurrentCompanyIDs: row.viewerCompanies,
            memberCurrentCompanyIDs: row.memberCompanies)
        #expect(shown == row.shown)
    }

    @Test("A new member gets the defaults PRODUCT.md sets")
    func defaults() {
        let settings = ProfileSettings()
        #expect(settings.profileVisibility == .members)
        #expect(settings.connectionsVisibility == .connections)
        #expect(settings.openToWork.enabled == false)
        #expect(settings.openToWork.visibility == .recruitersOnly)
        #expect(settings.locale == nil)
    }

    @Test("A viewer knows its member id")
    func viewer() {
        #expect(Viewer.anonymous.memberID == nil)
        #expect(Viewer.member(MemberID("m1"), .recruiter).memberID == MemberID("m1"))
    }
}

@Suite struct SectionVisibilityTests {
    @Test(arguments: SectionVisibility.allCases)
    func aSectionIsShownAsItsSettingSays(_ visibility: SectionVisibility) {
        for relation in ViewerRelation.allCases {
            let shown = ProfilePolicy.showsSection(visibility, relation: relation)
            let expected =
                switch (visibility, relation) {
                case (_, .oneself): true
                case (.everyone, _): true
                case (.connections, .connection): true
                default: false
                }
            #expect(shown == expected, "\(visibility) to \(relation)")
        }
    }

    @Test func settingsKeepOnlyWhatIsNotShownToEveryoneAndReadBackWhatTheyStored() {
        var sections = SectionVisibilities()
        #expect(sections.stored == "")
        sections[.positions] = .connections
        sections[.about] = .onlyMe
        sections[.skills] = .everyone
        #expect(sections.stored == "about=onlyMe,positions=connections")
        #expect(SectionVisibilities(stored: sections.stored) == sections)
        // An unknown value of a known section is read as the safer connections; unknown sections are left out.
        let odd = SectionVisibilities(stored: "skills=friends,hobbies=onlyMe,educations=onlyMe")
        #expect(odd[.skills] == .connections)
        #expect(odd[.educations] == .onlyMe)
        #expect(odd[.about] == .everyone)
    }

    @Test func aProfileShowsEachViewerTheSectionsTheirRelationAllows() {
        var profile = Profile(
            memberID: MemberID("m"), role: .member,
            fields: ProfileFields(name: "N", handle: "n", about: "はじめまして"),
            positions: [
                Position(
                    id: "p", company: CompanyRef(id: "c", name: "株式会社メルカリ"), companyNameAsWritten: "株式会社メルカリ", title: "Engineer",
                    location: nil, startMonth: YearMonth(year: 2020, month: 1)!, endMonth: nil, description: nil)
            ],
            educations: [], skills: ["Swift"], settings: ProfileSettings(), createdAt: Date(), updatedAt: Date())
        profile.settings.sectionVisibility[.positions] = .connections
        profile.settings.sectionVisibility[.about] = .onlyMe
        #expect(profile.sections(shownTo: .oneself) == profile)
        let connection = profile.sections(shownTo: .connection)
        #expect(connection.positions.count == 1 && connection.fields.about == nil && connection.skills == ["Swift"])
        let member = profile.sections(shownTo: .member)
        #expect(member.positions.isEmpty && member.fields.about == nil && member.skills == ["Swift"])
        #expect(profile.sectionsShownToEveryone == member)
    }
}
