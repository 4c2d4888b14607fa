import Foundation

/// Reading and editing profiles, with the privacy rules applied in one place.
public struct ProfileService: Sendable {
    let storage: any Storage
    let clock: any Clock
    /// The graph index, which tells who is connected; without it every other member is a stranger.
    let graph: (any ConnectionGraph)?
    /// Told of every stored change (the search index listens here).
    let observer: (any ProfileChangeObserver)?

    public init(
        storage: any Storage, clock: any Clock, graph: (any ConnectionGraph)? = nil, observer: (any ProfileChangeObserver)? = nil
    ) {
        self.storage = storage
        self.clock = clock
        self.graph = graph
        self.observer = observer
    }

    /// The profile as the observer read it after the change, when it read one.
    @discardableResult
    func changed(_ member: MemberID) async -> Profile? {
        await observer?.profileChanged(member)
    }

    // MARK: Reading

    /// A profile as one viewer may see it.
    public struct View: Sendable {
        public var profile: Profile
        public var access: ProfileAccess
        public var relation: ViewerRelation
        public var showsOpenToWork: Bool
        public var indexable: Bool

        public init(profile: Profile, access: ProfileAccess, relation: ViewerRelation, showsOpenToWork: Bool, indexable: Bool) {
            self.profile = profile
            self.access = access
            self.relation = relation
            self.showsOpenToWork = showsOpenToWork
            self.indexable = indexable
        }
    }

    public func own(_ member: MemberID) async throws -> Profile {
        guard let profile = try await storage.profile(id: member) else { throw DomainError.unauthenticated }
        return profile
    }

    /// Finds a member by id or handle and applies the visibility rules; 404 when the viewer may not know them.
    public func view(_ idOrHandle: String, by viewer: Viewer) async throws -> View {
        guard let profile = try await find(idOrHandle) else { throw DomainError.notFound("Member") }
        let relation: ViewerRelation
        switch viewer {
        case .anonymous: relation = .anonymous
        case .member(let id, _) where id == profile.memberID: relation = .oneself
        case .member(let id, _):
            // A member blocked either way does not exist for the other.
            if let network = storage as? any NetworkStore, try await network.blockedEitherWay(id).contains(profile.memberID) {
                throw DomainError.notFound("Member")
            }
            relation = graph?.areConnected(id, profile.memberID) == true ? .connection : .member
        }
        guard let access = ProfilePolicy.access(visibility: profile.settings.profileVisibility, relation: relation) else {
            throw DomainError.notFound("Member")
        }
        var showsOpenToWork = false
        if access == .full, profile.settings.openToWork.enabled {
            let viewerRole: MemberRole? = if case .member(_, let role) = viewer { role } else { nil }
            var viewerCompanies: Set<String> = []
            // Only a recruiter's employer matters, and only for "recruiters only".
            if viewerRole == .recruiter, let id = viewer.memberID, let viewerProfile = try await storage.profile(id: id) {
                viewerCompanies = Set(viewerProfile.currentPositions.map(\.company.id))
            }
            showsOpenToWork = ProfilePolicy.showsOpenToWork(
                profile.settings.openToWork, relation: relation, viewerRole: viewerRole,
                viewerCurrentCompanyIDs: viewerCompanies,
                memberCurrentCompanyIDs: Set(profile.currentPositions.map(\.company.id)))
        }
        return View(
            profile: profile.sections(shownTo: relation), access: access, relation: relation, showsOpenToWork: showsOpenToWork,
            indexable: ProfilePolicy.indexable(visibility: profile.settings.profileVisibility))
    }

    /// By id when the text has an id's shape and names a member, else by handle (case-insensitive).
    private func find(_ idOrHandle: String) async throws -> Profile? {
        guard idOrHandle.utf8.count <= 64 else { return nil }
        let lowered = idOrHandle.lowercased()
        if OpaqueID.isWellFormed(lowered), let profile = try await storage.profile(id: MemberID(lowered)) {
            return profile
        }
        guard let id = try await storage.memberID(handle: idOrHandle) else { return nil }
        return try await storage.profile(id: id)
    }

    /// The current handle of the member who gave up `handle` lately, so that their old address can redirect; nil
    /// when no one did (or the member is suspended).
    public func currentHandle(forFormer handle: String) async throws -> String? {
        guard handle.utf8.count <= 64, let id = try await storage.formerHandleOwner(handle, at: clock.now()) else { return nil }
        return try await storage.profile(id: id)?.handle
    }

    public func company(id: String) async throws -> Company {
        guard id.utf8.count <= 64, let company = try await storage.company(id: id) else {
            throw DomainError.notFound("Company")
        }
        return company
    }

    // MARK: Editing

    public typealias FieldsChange = ProfileFieldsChange

    /// Only the fields the change names are written, so two edits of different fields made at once both stay.
    public func updateFields(_ member: MemberID, _ change: FieldsChange) async throws -> Profile {
        var clean = FieldsChange()
        if let name = change.name { clean.name = try TextRule.required(name, field: "Name", limit: TextLimit.name) }
        if let handle = change.handle { clean.handle = try Handle.validate(handle) }
        if let value = change.nameReading {
            clean.nameReading = .some(try TextRule.optional(value, field: "Name reading", limit: TextLimit.nameReading))
        }
        if let value = change.headline {
            clean.headline = .some(try TextRule.optional(value, field: "Headline", limit: TextLimit.headline))
        }
        if let value = change.location {
            clean.location = .some(try TextRule.optional(value, field: "Location", limit: TextLimit.location))
        }
        if let value = change.industry {
            clean.industry = .some(try TextRule.optional(value, field: "Industry", limit: TextLimit.industry))
        }
        if let value = change.about {
            clean.about = .some(try TextRule.optional(value, field: "About", limit: TextLimit.about, multiline: true))
        }
        // The write itself tells whether the member is there (and not suspended) and gives back the profile as written,
        // which the search index is written from and which is the answer: on PostgreSQL an edit is one round trip for
        // both (docs/BENCHMARKS.md "Request path, round 5" and "round 11").
        guard let written = try await storage.updateFieldsReading(clean, for: member, at: clock.now()) else { throw DomainError.unauthenticated }
        return await observer?.profileChanged(member, as: written) ?? written.profile
    }

    /// A position as a member enters it; for a change, nil fields keep their value and `.some(nil)` clears.
    public struct PositionInput: Sendable {
        public var company: String?
        public var title: String?
        public var location: String??
        public var startMonth: String?
        public var endMonth: String??
        public var description: String??

        public init(
            company: String? = nil, title: String? = nil, location: String?? = nil, startMonth: String? = nil,
            endMonth: String?? = nil, description: String?? = nil
        ) {
            self.company = company
            self.title = title
            self.location = location
            self.startMonth = startMonth
            self.endMonth = endMonth
            self.description = description
        }
    }

    public func addPosition(_ member: MemberID, _ input: PositionInput) async throws -> Position {
        let now = clock.now()
        let draft = try makeDraft(id: OpaqueID.make(at: now), input: input, existing: nil)
        guard try await own(member).positions.count < TextLimit.positionCount else {
            throw DomainError.invalid("too_many", "A profile can hold at most \(TextLimit.positionCount) positions.")
        }
        _ = try await storage.savePosition(draft, for: member, at: now)
        await changed(member)
        return try await position(draft.id, of: member)
    }

    public func updatePosition(_ member: MemberID, id: String, _ input: PositionInput) async throws -> Position {
        let existing = try await position(id, of: member)
        let draft = try makeDraft(id: id, input: input, existing: existing)
        guard try await storage.savePosition(draft, for: member, at: clock.now()) else { throw DomainError.notFound("Position") }
        await changed(member)
        return try await position(id, of: member)
    }

    public func deletePosition(_ member: MemberID, id: String) async throws {
        guard id.utf8.count <= 64, try await storage.deletePosition(id: id, for: member, at: clock.now()) else {
            throw DomainError.notFound("Position")
        }
        await changed(member)
    }

    private func position(_ id: String, of member: MemberID) async throws -> Position {
        guard let position = try await own(member).positions.first(where: { $0.id == id }) else {
            throw DomainError.notFound("Position")
        }
        return position
    }

    private func makeDraft(id: String, input: PositionInput, existing: Position?) throws -> PositionDraft {
        let company: String
        if let raw = input.company {
            company = try TextRule.required(raw, field: "Company", limit: TextLimit.companyName)
        } else if let existing {
            company = existing.companyNameAsWritten
        } else {
            throw DomainError.invalid("required", "Company is required.")
        }
        let title: String
        if let raw = input.title {
            title = try TextRule.required(raw, field: "Title", limit: TextLimit.title)
        } else if let existing {
            title = existing.title
        } else {
            throw DomainError.invalid("required", "Title is required.")
        }
        let start: YearMonth
        if let raw = input.startMonth {
            guard let month = YearMonth(raw) else {
                throw DomainError.invalid("invalid_month", "Start month must be a month written YYYY-MM.")
            }
            start = month
        } else if let existing {
            start = existing.startMonth
        } else {
            throw DomainError.invalid("required", "Start month is required.")
        }
        var end = existing?.endMonth
        if let raw = input.endMonth {
            if let raw {
                guard let month = YearMonth(raw) else {
                    throw DomainError.invalid("invalid_month", "End month must be a month written YYYY-MM.")
                }
                end = month
            } else {
                end = nil
            }
        }
        if let end, end < start {
            throw DomainError.invalid("invalid_dates", "The end month is before the start month.")
        }
        var location = existing?.location
        if let raw = input.location {
            location = try TextRule.optional(raw, field: "Location", limit: TextLimit.location)
        }
        var description = existing?.description
        if let raw = input.description {
            description = try TextRule.optional(
                raw, field: "Description", limit: TextLimit.positionDescription, multiline: true)
        }
        return PositionDraft(
            id: id, companyName: company, companyKey: CompanyName.key(company),
            newCompanyID: OpaqueID.make(at: clock.now()), title: title, location: location, startMonth: start,
            endMonth: end, description: description)
    }

    public struct EducationInput: Sendable {
        public var school: String?
        public var degree: String??
        public var field: String??
        public var startYear: Int??
        public var endYear: Int??

        public init(school: String? = nil, degree: String?? = nil, field: String?? = nil, startYear: Int?? = nil, endYear: Int?? = nil) {
            self.school = school
            self.degree = degree
            self.field = field
            self.startYear = startYear
            self.endYear = endYear
        }
    }

    public func addEducation(_ member: MemberID, _ input: EducationInput) async throws -> Education {
        let now = clock.now()
        let education = try makeEducation(id: OpaqueID.make(at: now), input: input, existing: nil)
        guard try await own(member).educations.count < TextLimit.educationCount else {
            throw DomainError.invalid("too_many", "A profile can hold at most \(TextLimit.educationCount) educations.")
        }
        _ = try await storage.saveEducation(education, for: member, isNew: true, at: now)
        await changed(member)
        return education
    }

    public func updateEducation(_ member: MemberID, id: String, _ input: EducationInput) async throws -> Education {
        guard let existing = try await own(member).educations.first(where: { $0.id == id }) else {
            throw DomainError.notFound("Education")
        }
        let education = try makeEducation(id: id, input: input, existing: existing)
        guard try await storage.saveEducation(education, for: member, isNew: false, at: clock.now()) else {
            throw DomainError.notFound("Education")
        }
        await changed(member)
        return education
    }

    public func deleteEducation(_ member: MemberID, id: String) async throws {
        guard id.utf8.count <= 64, try await storage.deleteEducation(id: id, for: member, at: clock.now()) else {
            throw DomainError.notFound("Education")
        }
        await changed(member)
    }

    private func makeEducation(id: String, input: EducationInput, existing: Education?) throws -> Education {
        let school: String
        if let raw = input.school {
            school = try TextRule.required(raw, field: "School", limit: TextLimit.school)
        } else if let existing {
            school = existing.school
        } else {
            throw DomainError.invalid("required", "School is required.")
        }
        var education = existing ?? Education(id: id, school: school, degree: nil, field: nil, startYear: nil, endYear: nil)
        education.school = school
        if let raw = input.degree { education.degree = try TextRule.optional(raw, field: "Degree", limit: TextLimit.degree) }
        if let raw = input.field { education.field = try TextRule.optional(raw, field: "Field of study", limit: TextLimit.field) }
        if let year = input.startYear { education.startYear = year }
        if let year = input.endYear { education.endYear = year }
        for year in [education.startYear, education.endYear].compactMap({ $0 }) where !(1900...2100).contains(year) {
            throw DomainError.invalid("invalid_year", "Years must be between 1900 and 2100.")
        }
        if let start = education.startYear, let end = education.endYear, end < start {
            throw DomainError.invalid("invalid_dates", "The end year is before the start year.")
        }
        return education
    }

    /// Replaces the skills; duplicates (compared after NFKC and case folding) are dropped, order is kept.
    public func setSkills(_ member: MemberID, _ raw: [String]) async throws -> [String] {
        guard raw.count <= TextLimit.skillCount else {
            throw DomainError.invalid("too_many", "At most \(TextLimit.skillCount) skills.")
        }
        var seen: Set<String> = []
        var skills: [String] = []
        for entry in raw {
            guard let skill = try TextRule.clean(entry, field: "Skill", limit: TextLimit.skill) else { continue }
            if seen.insert(skill.precomposedStringWithCompatibilityMapping.lowercased()).inserted { skills.append(skill) }
        }
        try await storage.replaceSkills(skills, for: member, at: clock.now())
        await changed(member)
        return skills
    }

    public struct SettingsChange: Sendable {
        public var profileVisibility: ProfileVisibility?
        public var connectionsVisibility: ConnectionsVisibility?
        public var openToWorkEnabled: Bool?
        public var openToWorkVisibility: OpenToWorkVisibility?
        public var openToWorkTitles: [String]?
        public var openToWorkLocations: [String]?
        public var locale: Locale??
        /// Only the sections named change.
        public var sectionVisibility: [ProfileSection: SectionVisibility]?
        public var recruiterMessages: Bool?
        public var shareNetworkWithColleagues: Bool?

        public init(
            profileVisibility: ProfileVisibility? = nil, connectionsVisibility: ConnectionsVisibility? = nil,
            openToWorkEnabled: Bool? = nil, openToWorkVisibility: OpenToWorkVisibility? = nil,
            openToWorkTitles: [String]? = nil, openToWorkLocations: [String]? = nil, locale: Locale?? = nil,
            sectionVisibility: [ProfileSection: SectionVisibility]? = nil, recruiterMessages: Bool? = nil,
            shareNetworkWithColleagues: Bool? = nil
        ) {
            self.recruiterMessages = recruiterMessages
            self.shareNetworkWithColleagues = shareNetworkWithColleagues
            self.profileVisibility = profileVisibility
            self.connectionsVisibility = connectionsVisibility
            self.openToWorkEnabled = openToWorkEnabled
            self.openToWorkVisibility = openToWorkVisibility
            self.openToWorkTitles = openToWorkTitles
            self.openToWorkLocations = openToWorkLocations
            self.locale = locale
            self.sectionVisibility = sectionVisibility
        }
    }

    public func updateSettings(_ member: MemberID, _ change: SettingsChange) async throws -> ProfileSettings {
        var settings = try await own(member).settings
        let listWasHidden = settings.connectionsVisibility == .onlyMe
        if let value = change.profileVisibility { settings.profileVisibility = value }
        if let value = change.connectionsVisibility { settings.connectionsVisibility = value }
        if let value = change.openToWorkEnabled { settings.openToWork.enabled = value }
        if let value = change.openToWorkVisibility { settings.openToWork.visibility = value }
        if let value = change.openToWorkTitles { settings.openToWork.titles = try cleanList(value, field: "Open-to-work title") }
        if let value = change.openToWorkLocations {
            settings.openToWork.locations = try cleanList(value, field: "Open-to-work location")
        }
        if let value = change.locale { settings.locale = value }
        if let value = change.recruiterMessages { settings.recruiterMessages = value }
        if let value = change.shareNetworkWithColleagues { settings.shareNetworkWithColleagues = value }
        for (section, visibility) in change.sectionVisibility ?? [:] { settings.sectionVisibility[section] = visibility }
        try await storage.updateSettings(settings, for: member, at: clock.now())
        await changed(member)
        let listHidden = settings.connectionsVisibility == .onlyMe
        if listHidden != listWasHidden {
            graph?.apply(GraphChange(sequence: 0, kind: listHidden ? .listHidden : .listShown, a: member, b: nil))
        }
        return settings
    }

    private func cleanList(_ values: [String], field: String) throws -> [String] {
        guard values.count <= TextLimit.openToWorkEntries else {
            throw DomainError.invalid("too_many", "At most \(TextLimit.openToWorkEntries) entries for \(field).")
        }
        return try values.compactMap { try TextRule.clean($0, field: field, limit: TextLimit.title) }
    }
}
