import Foundation

public struct CompanyRef: Hashable, Sendable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct Position: Hashable, Sendable {
    public var id: String
    /// The company as resolved from the name the member typed; `name` is the company's most common spelling.
    public var company: CompanyRef
    /// The company name exactly as this member wrote it.
    public var companyNameAsWritten: String
    public var title: String
    public var location: String?
    public var startMonth: YearMonth
    public var endMonth: YearMonth?
    public var description: String?

    public init(
        id: String, company: CompanyRef, companyNameAsWritten: String, title: String, location: String?,
        startMonth: YearMonth, endMonth: YearMonth?, description: String?
    ) {
        self.id = id
        self.company = company
        self.companyNameAsWritten = companyNameAsWritten
        self.title = title
        self.location = location
        self.startMonth = startMonth
        self.endMonth = endMonth
        self.description = description
    }

    public var isCurrent: Bool { endMonth == nil }
}

public struct Education: Hashable, Sendable {
    public var id: String
    public var school: String
    public var degree: String?
    public var field: String?
    public var startYear: Int?
    public var endYear: Int?

    public init(id: String, school: String, degree: String?, field: String?, startYear: Int?, endYear: Int?) {
        self.id = id
        self.school = school
        self.degree = degree
        self.field = field
        self.startYear = startYear
        self.endYear = endYear
    }
}

public struct OpenToWork: Hashable, Sendable {
    public var enabled: Bool
    public var visibility: OpenToWorkVisibility
    public var titles: [String]
    public var locations: [String]

    public init(enabled: Bool = false, visibility: OpenToWorkVisibility = .recruitersOnly, titles: [String] = [], locations: [String] = []) {
        self.enabled = enabled
        self.visibility = visibility
        self.titles = titles
        self.locations = locations
    }
}

public struct ProfileSettings: Hashable, Sendable {
    public var profileVisibility: ProfileVisibility
    public var connectionsVisibility: ConnectionsVisibility
    public var openToWork: OpenToWork
    /// The interface language the member chose; nil follows the browser.
    public var locale: Locale?
    /// Who sees each section, among those who see the profile.
    public var sectionVisibility: SectionVisibilities
    /// Whether recruiters who are not connections may write to the member.
    public var recruiterMessages: Bool
    /// Whether colleagues at the member's verified employer may reach people through the member's connections and
    /// business cards ("Reach through your colleagues"). Off unless the member turns it on.
    public var shareNetworkWithColleagues: Bool

    /// The defaults PRODUCT.md sets for a new member.
    public init(
        profileVisibility: ProfileVisibility = .members, connectionsVisibility: ConnectionsVisibility = .connections,
        openToWork: OpenToWork = OpenToWork(), locale: Locale? = nil, sectionVisibility: SectionVisibilities = SectionVisibilities(),
        recruiterMessages: Bool = true, shareNetworkWithColleagues: Bool = false
    ) {
        self.recruiterMessages = recruiterMessages
        self.shareNetworkWithColleagues = shareNetworkWithColleagues
        self.profileVisibility = profileVisibility
        self.connectionsVisibility = connectionsVisibility
        self.openToWork = openToWork
        self.locale = locale
        self.sectionVisibility = sectionVisibility
    }
}

/// The parts of a profile a member can show to fewer people than the profile itself (PRODUCT.md "each section's
/// visibility"). Contact details have an audience of their own per detail (`ContactInfo`).
public enum ProfileSection: String, Sendable, CaseIterable {
    case about, positions, educations, skills, certifications, languages, projects, volunteering
}

/// Who sees a section: everyone the profile is shown to, the member's connections, or no one but the member.
public enum SectionVisibility: String, Sendable, CaseIterable {
    case everyone, connections, onlyMe
}

/// Each section's visibility; every section is shown to everyone who sees the profile unless set otherwise.
public struct SectionVisibilities: Hashable, Sendable {
    private var values: [ProfileSection: SectionVisibility]

    public init(_ values: [ProfileSection: SectionVisibility] = [:]) {
        self.values = values.filter { $0.value != .everyone }
    }

    public subscript(section: ProfileSection) -> SectionVisibility {
        get { values[section] ?? .everyone }
        set { values[section] = newValue == .everyone ? nil : newValue }
    }

    /// Stored as `section=visibility` pairs joined by commas, only those not shown to everyone ("" for none).
    public var stored: String {
        ProfileSection.allCases.compactMap { section in values[section].map { "\(section.rawValue)=\($0.rawValue)" } }.joined(separator: ",")
    }

    /// Reads `stored`; a part it does not know is left out (shown to everyone is the safe reading only for
    /// sections that did not exist, so unknown values of known sections are read as connections).
    public init(stored: String) {
        var values: [ProfileSection: SectionVisibility] = [:]
        for part in stored.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let section = ProfileSection(rawValue: String(pair[0])) else { continue }
            values[section] = SectionVisibility(rawValue: String(pair[1])) ?? .connections
        }
        self.init(values)
    }
}

/// The editable text fields of a profile, as one value.
public struct ProfileFields: Hashable, Sendable {
    public var name: String
    public var nameReading: String?
    public var handle: String
    public var headline: String?
    public var location: String?
    public var industry: String?
    public var about: String?

    public init(name: String, nameReading: String? = nil, handle: String, headline: String? = nil, location: String? = nil, industry: String? = nil, about: String? = nil) {
        self.name = name
        self.nameReading = nameReading
        self.handle = handle
        self.headline = headline
        self.location = location
        self.industry = industry
        self.about = about
    }
}

/// A member's whole profile: what they show the world and their settings.
public struct Profile: Hashable, Sendable {
    public var memberID: MemberID
    public var role: MemberRole
    public var fields: ProfileFields
    public var positions: [Position]
    public var educations: [Education]
    public var skills: [String]
    public var certifications: [Certification] = []
    public var languages: [LanguageSkill] = []
    public var projects: [Project] = []
    public var volunteering: [VolunteerRole] = []
    public var contact = ContactInfo()
    /// The current photo, if the member uploaded one (initials are shown otherwise).
    public var photo: PhotoRef?
    /// The banner above the profile, if any.
    public var banner: PhotoRef?
    public var settings: ProfileSettings
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        memberID: MemberID, role: MemberRole, fields: ProfileFields, positions: [Position], educations: [Education],
        skills: [String], settings: ProfileSettings, createdAt: Date, updatedAt: Date
    ) {
        self.memberID = memberID
        self.role = role
        self.fields = fields
        self.positions = positions
        self.educations = educations
        self.skills = skills
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var name: String { fields.name }
    public var handle: String { fields.handle }
    public var headline: String? { fields.headline }

    /// Positions held now, the most recently started first.
    public var currentPositions: [Position] { positions.filter(\.isCurrent) }

    /// The profile with the sections `shows` refuses emptied: what a viewer who sees the full profile is shown.
    public func showing(_ shows: (ProfileSection) -> Bool) -> Profile {
        var shown = self
        if !shows(.about) { shown.fields.about = nil }
        if !shows(.positions) { shown.positions = [] }
        if !shows(.educations) { shown.educations = [] }
        if !shows(.skills) { shown.skills = [] }
        if !shows(.certifications) { shown.certifications = [] }
        if !shows(.languages) { shown.languages = [] }
        if !shows(.projects) { shown.projects = [] }
        if !shows(.volunteering) { shown.volunteering = [] }
        return shown
    }

    /// The profile as a viewer standing in `relation` to the member sees its sections and contact details.
    public func sections(shownTo relation: ViewerRelation) -> Profile {
        var shown = showing { ProfilePolicy.showsSection(settings.sectionVisibility[$0], relation: relation) }
        shown.contact = contact.shown(to: relation)
        return shown
    }

    /// The sections shown to everyone who sees the profile: what search indexes and lists of people may name.
    /// Contact details are never among them.
    public var sectionsShownToEveryone: Profile {
        var shown = showing { settings.sectionVisibility[$0] == .everyone }
        shown.contact = contact.shown(to: .member)
        return shown
    }
}

public struct Account: Hashable, Sendable {
    public var memberID: MemberID
    public var email: String
    public var passwordHash: String
    public var role: MemberRole
    public var createdAt: Date
    /// Set while an operator has suspended the member: they cannot log in and are shown nowhere.
    public var suspendedAt: Date?
    /// Whether the member proved the address by a link mailed to it (see `MailService`); until then search does not show
    /// them. True for members who signed up while outgoing mail was off.
    public var emailVerified: Bool

    public init(
        memberID: MemberID, email: String, passwordHash: String, role: MemberRole, createdAt: Date, suspendedAt: Date? = nil,
        emailVerified: Bool = true
    ) {
        self.memberID = memberID
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
        self.suspendedAt = suspendedAt
        self.emailVerified = emailVerified
    }

    /// Not suspended: the member may log in, and others may see and name them.
    public var isActive: Bool { suspendedAt == nil }
}

public struct Company: Hashable, Sendable {
    public var id: String
    public var name: String
    public var currentMemberCount: Int
    public var pastMemberCount: Int

    public init(id: String, name: String, currentMemberCount: Int, pastMemberCount: Int) {
        self.id = id
        self.name = name
        self.currentMemberCount = currentMemberCount
        self.pastMemberCount = pastMemberCount
    }
}
