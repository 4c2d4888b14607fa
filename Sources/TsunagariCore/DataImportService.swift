import Foundation

/// A member's data coming in: a LinkedIn export fills their profile and brings their connections as contacts;
/// business cards become contacts too. Contacts are matched to members here, and only here: by an email the member
/// signed up with (never shown to the importer, and the member is never told) or by name — or its reading — and
/// current company.
public struct DataImportService: Sendable {
    public typealias Store = ContactStore & NetworkStore & Storage

    let storage: any Store
    let clock: any Clock
    /// Told of every profile an import changed (the search index listens here).
    let observer: (any ProfileChangeObserver)?

    public init(storage: any Store, clock: any Clock, observer: (any ProfileChangeObserver)? = nil) {
        self.storage = storage
        self.clock = clock
        self.observer = observer
    }

    /// What came into the profile.
    public struct ProfileSummary: Hashable, Sendable {
        /// Fields that were empty and now hold the export's value (`headline`, `about`, `industry`, `location`).
        public var fieldsFilled: [String]
        public var positions: Int
        public var educations: Int
        public var skills: Int

        public init(fieldsFilled: [String] = [], positions: Int = 0, educations: Int = 0, skills: Int = 0) {
            self.fieldsFilled = fieldsFilled
            self.positions = positions
            self.educations = educations
            self.skills = skills
        }
    }

    /// What came in as contacts: rows read, how many of them are members, how many were new.
    public struct ContactSummary: Hashable, Sendable {
        public var rows: Int
        public var matched: Int
        public var added: Int

        public init(rows: Int = 0, matched: Int = 0, added: Int = 0) {
            self.rows = rows
            self.matched = matched
            self.added = added
        }
    }

    public struct LinkedInSummary: Hashable, Sendable {
        public var profile: ProfileSummary
        public var connections: ContactSummary
        public var files: [String]
    }

    // MARK: Importing

    /// Imports a member may start in an hour (LinkedIn exports and card files together): reading a file takes real
    /// work, and no one imports their history more than a few times.
    public static let importsPerHour = 20

    /// Counts one import against the hourly limit, before the file is read: 429 `import_limit` past it.
    public func admitImport(member: MemberID) async throws {
        _ = try await AttemptLimiter(store: storage, clock: clock).reserve(
            [("import:hour:\(member.rawValue)", Throttle(limit: Self.importsPerHour, window: 60 * 60))], code: "import_limit",
            message: { _ in "You have imported many files in the last hour; try again later." })
    }

    /// Fills the empty fields of the member's profile, adds the positions, educations and skills it does not have
    /// yet, and makes each connection a contact; all in one transaction, so importing twice adds nothing and a
    /// failure adds nothing.
    public func importLinkedIn(_ file: ImportedProfile, member: MemberID) async throws -> LinkedInSummary {
        guard let profile = try await storage.profile(id: member) else { throw DomainError.unauthenticated }
        let now = clock.now()
        let (plan, summary) = Self.plan(for: profile, from: file, now: now)
        let (contacts, matched) = try await contacts(from: file.connections, source: .linkedin, owner: member, at: now)
        let added = try await storage.applyImport(plan, contacts: contacts, for: member, at: now)
        if !plan.isEmpty { await observer?.profileChanged(member) }
        return LinkedInSummary(
            profile: summary, connections: ContactSummary(rows: file.connections.count, matched: matched, added: added), files: file.filesRead)
    }

    /// Business cards become contacts (a card the member already has is left as it is).
    public func importCards(_ cards: [ContactCard], member: MemberID) async throws -> ContactSummary {
        guard try await storage.account(id: member) != nil else { throw DomainError.unauthenticated }
        let now = clock.now()
        let (contacts, matched) = try await contacts(from: cards, source: .card, owner: member, at: now)
        let empty = ProfileImportPlan(fields: ProfileFieldsChange(), positions: [], educations: [], skills: nil)
        let added = try await storage.applyImport(empty, contacts: contacts, for: member, at: now)
        return ContactSummary(rows: cards.count, matched: matched, added: added)
    }

    /// The member's contacts, newest first.
    public func contacts(of member: MemberID) async throws -> [Contact] {
        try await storage.contacts(of: member)
    }

    // MARK: The profile

    /// What an export adds to a profile, decided from the profile as it is: pure, so it is tested without storage.
    /// Text longer than this site allows is cut at its limit rather than refused: the member's whole history should
    /// come in, and they can edit what was cut.
    public static func plan(for profile: Profile, from file: ImportedProfile, now: Date) -> (ProfileImportPlan, ProfileSummary) {
        var summary = ProfileSummary()
        var fields = ProfileFieldsChange()
        func fill(_ current: String?, _ value: String?, _ limit: Int, multiline: Bool = false, name: String) -> String?? {
            guard current?.isEmpty ?? true, let value = clipped(value, limit, multiline: multiline) else { return nil }
            summary.fieldsFilled.append(name)
            return .some(value)
        }
        fields.headline = fill(profile.headline, file.headline, TextLimit.headline, name: "headline")
        fields.about = fill(profile.fields.about, file.summary, TextLimit.about, multiline: true, name: "about")
        fields.industry = fill(profile.fields.industry, file.industry, TextLimit.industry, name: "industry")
        fields.location = fill(profile.fields.location, file.location, TextLimit.location, name: "location")

        var positionKeys = Set(profile.positions.map { positionKey($0.companyNameAsWritten, $0.title, $0.startMonth) })
        var positions: [PositionDraft] = []
        for (index, imported) in file.positions.enumerated() {
            guard profile.positions.count + positions.count < TextLimit.positionCount,
                let company = clipped(imported.company, TextLimit.companyName), let title = clipped(imported.title, TextLimit.title),
                let start = imported.start
            else { continue }
            let end = imported.end.flatMap { $0 < start ? nil : $0 }
            guard positionKeys.insert(positionKey(company, title, start)).inserted else { continue }
            positions.append(
                PositionDraft(
                    id: OpaqueID.make(at: now.addingTimeInterval(Double(index) / 1000)), companyName: company,
                    companyKey: CompanyName.key(company), newCompanyID: OpaqueID.make(at: now), title: title,
                    location: clipped(imported.location, TextLimit.location),
                    startMonth: start, endMonth: imported.end == nil ? nil : (end ?? start),
                    description: clipped(imported.description, TextLimit.positionDescription, multiline: true)))
        }
        summary.positions = positions.count

        var educationKeys = Set(profile.educations.map { educationKey($0.school, $0.degree, $0.startYear, $0.endYear) })
        var educations: [Education] = []
        for (index, imported) in file.educations.enumerated() {
            guard profile.educations.count + educations.count < TextLimit.educationCount,
                let school = clipped(imported.school, TextLimit.school)
            else { continue }
            let years = [imported.startYear, imported.endYear].map { $0.flatMap { (1900...2100).contains($0) ? $0 : nil } }
            var (startYear, endYear) = (years[0], years[1])
            if let start = startYear, let end = endYear, end < start { (startYear, endYear) = (end, start) }
            let degree = clipped(imported.degree, TextLimit.degree)
            guard educationKeys.insert(educationKey(school, degree, startYear, endYear)).inserted else { continue }
            // LinkedIn keeps the field of study in Notes when there is one; longer notes are not a field of study.
            let field = imported.notes.flatMap { $0.count <= TextLimit.field ? clipped($0, TextLimit.field) : nil }
            educations.append(
                Education(
                    id: OpaqueID.make(at: now.addingTimeInterval(Double(index) / 1000)), school: school, degree: degree, field: field,
                    startYear: startYear, endYear: endYear))
        }
        summary.educations = educations.count

        var skills = profile.skills
        var skillKeys = Set(skills.map(Folding.nfkcLowercased))
        for raw in file.skills where skills.count < TextLimit.skillCount {
            guard let skill = clipped(raw, TextLimit.skill), skillKeys.insert(Folding.nfkcLowercased(skill)).inserted else { continue }
            skills.append(skill)
        }
        summary.skills = skills.count - profile.skills.count
        let plan = ProfileImportPlan(
            fields: fields, positions: positions, educations: educations, skills: summary.skills > 0 ? skills : nil)
        return (plan, summary)
    }

    static func positionKey(_ company: String, _ title: String, _ start: YearMonth) -> String {
        "\(CompanyName.key(company))\u{1F}\(Folding.nfkcLowercased(title))\u{1F}\(start)"
    }

    static func educationKey(_ school: String, _ degree: String?, _ start: Int?, _ end: Int?) -> String {
        "\(Folding.nfkcLowercased(school))\u{1F}\(Folding.nfkcLowercased(degree ?? ""))\u{1F}\(start ?? 0)\u{1F}\(end ?? 0)"
    }

    /// The text as this site keeps it: trimmed, control characters gone, cut at `limit` characters; nil when empty.
    static func clipped(_ value: String?, _ limit: Int, multiline: Bool = false) -> String? {
        guard let value else { return nil }
        let kept = String(
            String.UnicodeScalarView(
                value.unicodeScalars.filter { scalar in
                    if multiline && scalar == "\n" { return true }
                    if scalar == "\t" || scalar == "\r" || scalar == "\n" { return false }
                    return !scalar.properties.generalCategory.isControlOrUnassigned
                }))
        let text = kept.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        return text.count > limit ? String(text.prefix(limit)).trimmingCharacters(in: .whitespacesAndNewlines) : text
    }

    // MARK: Contacts and matching

    /// Longest text kept from a card's field: a card is not an essay.
    static let cardFieldLimit = 200
    static let cardListLimit = 10

    /// Contacts for these cards (their fields cut to size), each matched to a member when one fits; the number
    /// matched.
    func contacts(from cards: [ContactCard], source: ContactSource, owner: MemberID, at now: Date) async throws -> ([Contact], Int) {
        let cleaned: [ContactCard] = cards.compactMap { card in
            guard let name = Self.clipped(card.name, TextLimit.name) else { return nil }
            func field(_ value: String?) -> String? { Self.clipped(value, Self.cardFieldLimit) }
            func list(_ values: [String]) -> [String] { Array(values.compactMap(field).prefix(Self.cardListLimit)) }
            return ContactCard(
                name: name, nameReading: Self.clipped(card.nameReading, TextLimit.nameReading), company: field(card.company),
                department: field(card.department), title: field(card.title), emails: list(card.emails).map { $0.lowercased() },
                phones: list(card.phones), profileURL: field(card.profileURL), connectedOn: card.connectedOn)
        }
        let matches = try await match(cleaned, owner: owner)
        var contacts: [Contact] = []
        contacts.reserveCapacity(cleaned.count)
        for (index, card) in cleaned.enumerated() {
            contacts.append(
                Contact(
                    id: OpaqueID.make(at: now.addingTimeInterval(Double(index) / 1_000_000)), owner: owner, source: source, card: card,
                    member: matches[index], createdAt: now))
        }
        return (contacts, matches.compactMap { $0 }.count)
    }

    /// The member each card names, if exactly one fits: by email first, else by name or reading at the card's company
    /// (only members who work there now). Never the owner; a name that fits two members at a company matches neither.
    func match(_ cards: [ContactCard], owner: MemberID) async throws -> [MemberID?] {
        let emails = Array(Set(cards.flatMap(\.emails)))
        let byEmail = emails.isEmpty ? [:] : try await storage.memberIDs(emails: emails)
        let companyKeys = Array(Set(cards.compactMap { $0.company.map(CompanyName.key) }.filter { !$0.isEmpty }))
        var byName: [String: [String: [MemberID]]] = [:]  // company key → name or reading key → members
        if !companyKeys.isEmpty {
            for person in try await storage.currentMembers(companyKeys: companyKeys) where person.member != owner {
                for name in [person.name, person.nameReading].compactMap({ $0 }) {
                    let key = PersonNameKey.key(name)
                    guard !key.isEmpty else { continue }
                    var members = byName[person.companyKey, default: [:]][key, default: []]
                    if !members.contains(person.member) { members.append(person.member) }
                    byName[person.companyKey, default: [:]][key] = members
                }
            }
        }
        return cards.map { card in
            for email in card.emails {
                if let member = byEmail[email], member != owner { return member }
            }
            guard let company = card.company.map(CompanyName.key), let names = byName[company] else { return nil }
            var found: Set<MemberID> = []
            for name in [card.name, card.nameReading].compactMap({ $0 }) {
                found.formUnion(names[PersonNameKey.key(name)] ?? [])
            }
            return found.count == 1 ? found.first : nil
        }
    }
}

extension Unicode.GeneralCategory {
    var isControlOrUnassigned: Bool {
        switch self {
        case .control, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }
}
