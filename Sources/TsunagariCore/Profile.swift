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

    /// The defaults PRODUCT.md sets for a new member.
    public init(
        profileVisibility: ProfileVisibility = .members, connectionsVisibility: ConnectionsVisibility = .connections,
        openToWork: OpenToWork = OpenToWork(), locale: Locale? = nil
    ) {
        self.profileVisibility = profileVisibility
        self.connectionsVisibility = connectionsVisibility
        self.openToWork = openToWork
        self.locale = locale
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
}

public struct Account: Hashable, Sendable {
    public var memberID: MemberID
    public var email: String
    public var passwordHash: String
    public var role: MemberRole
    public var createdAt: Date

    public init(memberID: MemberID, email: String, passwordHash: String, role: MemberRole, createdAt: Date) {
        self.memberID = memberID
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
    }
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
