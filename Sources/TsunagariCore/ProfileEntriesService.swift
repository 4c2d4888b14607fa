import Foundation

/// Editing certifications, languages, projects, volunteer work and contact details. Inputs follow the positions'
/// rule: for a change, a nil field keeps its value and `.some(nil)` clears it.
extension ProfileService {
    public struct CertificationInput: Sendable {
        public var name: String?
        public var issuer: String??
        public var obtained: String??
        public var expires: String??
        public var credentialID: String??
        public var url: String??
        public var score: String??

        public init(
            name: String? = nil, issuer: String?? = nil, obtained: String?? = nil, expires: String?? = nil,
            credentialID: String?? = nil, url: String?? = nil, score: String?? = nil
        ) {
            self.name = name
            self.issuer = issuer
            self.obtained = obtained
            self.expires = expires
            self.credentialID = credentialID
            self.url = url
            self.score = score
        }
    }

    public struct LanguageInput: Sendable {
        public var name: String?
        public var level: String?
        public var jlpt: String??

        public init(name: String? = nil, level: String? = nil, jlpt: String?? = nil) {
            self.name = name
            self.level = level
            self.jlpt = jlpt
        }
    }

    /// A project or a volunteer role: `name` is the project's name or the organisation, `role` the member's part
    /// (required for volunteer work), `detail` the project's URL or the volunteer cause.
    public struct ActivityInput: Sendable {
        public var name: String?
        public var role: String??
        public var detail: String??
        public var start: String??
        public var end: String??
        public var description: String??

        public init(
            name: String? = nil, role: String?? = nil, detail: String?? = nil, start: String?? = nil, end: String?? = nil,
            description: String?? = nil
        ) {
            self.name = name
            self.role = role
            self.detail = detail
            self.start = start
            self.end = end
            self.description = description
        }
    }

    public struct ContactInput: Sendable {
        public var email: String??
        public var emailVisibility: ContactVisibility?
        public var phone: String??
        public var phoneVisibility: ContactVisibility?
        public var websites: [Website]?
        public var websitesVisibility: ContactVisibility?

        public init(
            email: String?? = nil, emailVisibility: ContactVisibility? = nil, phone: String?? = nil,
            phoneVisibility: ContactVisibility? = nil, websites: [Website]? = nil, websitesVisibility: ContactVisibility? = nil
        ) {
            self.email = email
            self.emailVisibility = emailVisibility
            self.phone = phone
            self.phoneVisibility = phoneVisibility
            self.websites = websites
            self.websitesVisibility = websitesVisibility
        }
    }

    // MARK: Certifications

    public func addCertification(_ member: MemberID, _ input: CertificationInput) async throws -> Certification {
        let entry = try makeCertification(id: OpaqueID.make(at: clock.now()), input, existing: nil)
        try await add(.certification(entry), for: member)
        return entry
    }

    public func updateCertification(_ member: MemberID, id: String, _ input: CertificationInput) async throws -> Certification {
        guard case .certification(let existing) = try await entry(.certification, id, of: member) else {
            throw DomainError.notFound("Certification")
        }
        let entry = try makeCertification(id: id, input, existing: existing)
        try await replace(.certification(entry), for: member)
        return entry
    }

    func makeCertification(id: String, _ input: CertificationInput, existing: Certification?) throws -> Certification {
        var c = existing ?? Certification(id: id, name: "")
        if let raw = input.name { c.name = try TextRule.required(raw, field: "Name", limit: TextLimit.certificationName) }
        guard !c.name.isEmpty else { throw DomainError.invalid("required", "Name is required.") }
        if let raw = input.issuer { c.issuer = try TextRule.optional(raw, field: "Issuer", limit: TextLimit.issuer) }
        if let raw = input.obtained { c.obtained = try EntryRule.month(raw, field: "Obtained") }
        if let raw = input.expires { c.expires = try EntryRule.month(raw, field: "Expiry") }
        if let raw = input.credentialID {
            c.credentialID = try TextRule.optional(raw, field: "Credential ID", limit: TextLimit.credentialID)
        }
        if let raw = input.url { c.url = try EntryRule.url(raw, field: "URL") }
        if let raw = input.score { c.score = try TextRule.optional(raw, field: "Score", limit: TextLimit.score) }
        if let obtained = c.obtained, let expires = c.expires, expires < obtained {
            throw DomainError.invalid("invalid_dates", "The expiry month is before the month it was obtained.")
        }
        return c
    }

    // MARK: Languages

    public func addLanguage(_ member: MemberID, _ input: LanguageInput) async throws -> LanguageSkill {
        let entry = try makeLanguage(id: OpaqueID.make(at: clock.now()), input, existing: nil)
        let profile = try await own(member)
        let key = EntryRule.key(entry.name)
        guard !profile.languages.contains(where: { EntryRule.key($0.name) == key }) else {
            throw DomainError(.conflict, code: "language_listed", message: "\(entry.name) is already among your languages.")
        }
        try await add(.language(entry), for: member)
        return entry
    }

    public func updateLanguage(_ member: MemberID, id: String, _ input: LanguageInput) async throws -> LanguageSkill {
        guard case .language(let existing) = try await entry(.language, id, of: member) else { throw DomainError.notFound("Language") }
        let entry = try makeLanguage(id: id, input, existing: existing)
        try await replace(.language(entry), for: member)
        return entry
    }

    func makeLanguage(id: String, _ input: LanguageInput, existing: LanguageSkill?) throws -> LanguageSkill {
        var l = existing ?? LanguageSkill(id: id, name: "", level: .basic)
        if let raw = input.name { l.name = try TextRule.required(raw, field: "Language", limit: TextLimit.languageName) }
        guard !l.name.isEmpty else { throw DomainError.invalid("required", "Language is required.") }
        if let raw = input.level {
            guard let level = LanguageLevel(rawValue: raw) else {
                throw DomainError.invalid(
                    "invalid_value", "Level must be one of \(LanguageLevel.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            l.level = level
        } else if existing == nil {
            throw DomainError.invalid("required", "Level is required.")
        }
        if let raw = input.jlpt {
            if let raw {
                guard let jlpt = JLPTLevel(rawValue: raw.lowercased()) else {
                    throw DomainError.invalid("invalid_value", "JLPT level must be one of N1, N2, N3, N4, N5.")
                }
                l.jlpt = jlpt
            } else {
                l.jlpt = nil
            }
        }
        return l
    }

    // MARK: Projects and volunteer work

    public func addProject(_ member: MemberID, _ input: ActivityInput) async throws -> Project {
        let entry = try makeProject(id: OpaqueID.make(at: clock.now()), input, existing: nil)
        try await add(.project(entry), for: member)
        return entry
    }

    public func updateProject(_ member: MemberID, id: String, _ input: ActivityInput) async throws -> Project {
        guard case .project(let existing) = try await entry(.project, id, of: member) else { throw DomainError.notFound("Project") }
        let entry = try makeProject(id: id, input, existing: existing)
        try await replace(.project(entry), for: member)
        return entry
    }

    func makeProject(id: String, _ input: ActivityInput, existing: Project?) throws -> Project {
        var p = existing ?? Project(id: id, name: "")
        if let raw = input.name { p.name = try TextRule.required(raw, field: "Name", limit: TextLimit.projectName) }
        guard !p.name.isEmpty else { throw DomainError.invalid("required", "Name is required.") }
        if let raw = input.role { p.role = try TextRule.optional(raw, field: "Role", limit: TextLimit.title) }
        if let raw = input.detail { p.url = try EntryRule.url(raw, field: "URL") }
        if let raw = input.start { p.start = try EntryRule.month(raw, field: "Start month") }
        if let raw = input.end { p.end = try EntryRule.month(raw, field: "End month") }
        if let raw = input.description {
            p.description = try TextRule.optional(raw, field: "Description", limit: TextLimit.projectDescription, multiline: true)
        }
        try EntryRule.order(p.start, p.end)
        return p
    }

    public func addVolunteering(_ member: MemberID, _ input: ActivityInput) async throws -> VolunteerRole {
        let entry = try makeVolunteering(id: OpaqueID.make(at: clock.now()), input, existing: nil)
        try await add(.volunteering(entry), for: member)
        return entry
    }

    public func updateVolunteering(_ member: MemberID, id: String, _ input: ActivityInput) async throws -> VolunteerRole {
        guard case .volunteering(let existing) = try await entry(.volunteering, id, of: member) else {
            throw DomainError.notFound("Volunteer role")
        }
        let entry = try makeVolunteering(id: id, input, existing: existing)
        try await replace(.volunteering(entry), for: member)
        return entry
    }

    func makeVolunteering(id: String, _ input: ActivityInput, existing: VolunteerRole?) throws -> VolunteerRole {
        var v = existing ?? VolunteerRole(id: id, organization: "", role: "")
        if let raw = input.name { v.organization = try TextRule.required(raw, field: "Organization", limit: TextLimit.companyName) }
        guard !v.organization.isEmpty else { throw DomainError.invalid("required", "Organization is required.") }
        if let raw = input.role {
            guard let raw else { throw DomainError.invalid("required", "Role is required.") }
            v.role = try TextRule.required(raw, field: "Role", limit: TextLimit.title)
        }
        guard !v.role.isEmpty else { throw DomainError.invalid("required", "Role is required.") }
        if let raw = input.detail { v.cause = try TextRule.optional(raw, field: "Cause", limit: TextLimit.cause) }
        if let raw = input.start { v.start = try EntryRule.month(raw, field: "Start month") }
        if let raw = input.end { v.end = try EntryRule.month(raw, field: "End month") }
        if let raw = input.description {
            v.description = try TextRule.optional(raw, field: "Description", limit: TextLimit.projectDescription, multiline: true)
        }
        try EntryRule.order(v.start, v.end)
        return v
    }

    // MARK: Any entry

    public func deleteEntry(_ member: MemberID, kind: ProfileEntryKind, id: String) async throws {
        guard id.utf8.count <= 64, try await storage.deleteEntry(kind: kind, id: id, for: member, at: clock.now()) else {
            throw DomainError.notFound(EntryRule.noun(kind))
        }
        await changed(member)
    }

    private func entry(_ kind: ProfileEntryKind, _ id: String, of member: MemberID) async throws -> ProfileEntry {
        guard let entry = try await own(member).entries.first(where: { $0.kind == kind && $0.id == id }) else {
            throw DomainError.notFound(EntryRule.noun(kind))
        }
        return entry
    }

    private func add(_ entry: ProfileEntry, for member: MemberID) async throws {
        guard try await own(member).entries.filter({ $0.kind == entry.kind }).count < entry.kind.limit else {
            throw DomainError.invalid("too_many", "A profile can hold at most \(entry.kind.limit) of these.")
        }
        _ = try await storage.saveEntry(entry, for: member, isNew: true, at: clock.now())
        await changed(member)
    }

    private func replace(_ entry: ProfileEntry, for member: MemberID) async throws {
        guard try await storage.saveEntry(entry, for: member, isNew: false, at: clock.now()) else {
            throw DomainError.notFound(EntryRule.noun(entry.kind))
        }
        await changed(member)
    }

    // MARK: Contact details

    public func updateContact(_ member: MemberID, _ input: ContactInput) async throws -> ContactInfo {
        var contact = try await own(member).contact
        if let raw = input.email { contact.email = try raw.map { try EmailAddress.canonical($0) } }
        if let raw = input.phone { contact.phone = try EntryRule.phone(raw) }
        if let websites = input.websites {
            guard websites.count <= TextLimit.websiteCount else {
                throw DomainError.invalid("too_many", "At most \(TextLimit.websiteCount) websites.")
            }
            contact.websites = try websites.compactMap { site in
                guard let url = try EntryRule.url(site.url, field: "Website") else { return nil }
                return Website(url: url, label: try TextRule.optional(site.label, field: "Website label", limit: TextLimit.websiteLabel))
            }
        }
        if let value = input.emailVisibility { contact.emailVisibility = value }
        if let value = input.phoneVisibility { contact.phoneVisibility = value }
        if let value = input.websitesVisibility { contact.websitesVisibility = value }
        try await storage.updateContact(contact, for: member, at: clock.now())
        await changed(member)
        return contact
    }
}

/// The checks the entries share.
enum EntryRule {
    /// nil clears; anything else must be a month (the pages send nil for an empty field).
    static func month(_ raw: String?, field: String) throws -> YearMonth? {
        guard let raw else { return nil }
        guard let month = YearMonth(raw) else {
            throw DomainError.invalid("invalid_month", "\(field) must be a month written YYYY-MM.")
        }
        return month
    }

    static func order(_ start: YearMonth?, _ end: YearMonth?) throws {
        if let start, let end, end < start {
            throw DomainError.invalid("invalid_dates", "The end month is before the start month.")
        }
    }

    /// An http or https address with a host; nil for empty text.
    static func url(_ raw: String?, field: String) throws -> String? {
        guard let text = try TextRule.optional(raw, field: field, limit: TextLimit.url) else { return nil }
        guard text.wholeMatch(of: webAddress) != nil,
            let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw DomainError.invalid("invalid_url", "\(field) must be a web address starting with https:// or http://.")
        }
        return text
    }

    /// The shape of a web address the API document gives (`URL_PATTERN` in docs/api/generate-openapi.py): a host of
    /// ASCII letters, digits, dots and hyphens, an optional port, and a path of URL characters (percent-escapes
    /// included). `URLComponents` alone took hosts such as `example*`.
    nonisolated(unsafe) static let webAddress =
        #/[hH][tT][tT][pP][sS]?://[A-Za-z0-9][A-Za-z0-9.\-]*(:[0-9]{1,4})?(/[A-Za-z0-9._~:/?#@!$&'()*+,;=%\-]*)?/#

    /// Digits with the usual separators, as written (full-width digits are read as digits).
    static func phone(_ raw: String?) throws -> String? {
        guard let text = try TextRule.optional(raw, field: "Phone", limit: TextLimit.phone) else { return nil }
        let normalized = text.precomposedStringWithCompatibilityMapping
        let allowed = Set("0123456789+-() .")
        guard normalized.allSatisfy({ allowed.contains($0) }), normalized.filter(\.isNumber).count >= 5 else {
            throw DomainError.invalid("invalid_phone", "Phone must be a number: digits, spaces, +, -, ( and ).")
        }
        return normalized
    }

    /// Compares names as search does: NFKC and case folded.
    static func key(_ name: String) -> String { name.precomposedStringWithCompatibilityMapping.lowercased() }

    static func noun(_ kind: ProfileEntryKind) -> String {
        switch kind {
        case .certification: "Certification"
        case .language: "Language"
        case .project: "Project"
        case .volunteering: "Volunteer role"
        }
    }
}
