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
    /// Imports per member (`RateLimits.importsPerMember`).
    let imports: Throttle

    public init(
        storage: any Store, clock: any Clock, observer: (any ProfileChangeObserver)? = nil,
        imports: Throttle = RateLimits.standard.importsPerMember
    ) {
        self.storage = storage
        self.clock = clock
        self.observer = observer
        self.imports = imports
    }

    /// What came into the profile.
    public struct ProfileSummary: Hashable, Sendable {
        /// Fields that were empty and now hold the export's value (`headline`, `about`, `industry`, `location`).
        public var fieldsFilled: [String]
        public var positions: Int
        public var educations: Int
        public var skills: Int
        /// Certifications, languages, projects and volunteer roles added.
        public var certifications = 0
        public var languages = 0
        public var projects = 0
        public var volunteering = 0

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

    /// Counts one import against the member's limit (20 an hour by default), before the file is read: 429
    /// `import_limit` past it.
    public func admitImport(member: MemberID) async throws {
        _ = try await AttemptLimiter(store: storage, clock: clock).reserve(
            [("import:hour:\(member.rawValue)", imports)], code: "import_limit",
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
        let entries = newEntries(for: profile, from: file.entries, now: now)
        for entry in entries {
            switch entry.kind {
            case .certification: summary.certifications += 1
            case .language: summary.languages += 1
            case .project: summary.projects += 1
            case .volunteering: summary.volunteering += 1
            }
        }
        let plan = ProfileImportPlan(
            fields: fields, positions: positions, educations: educations, skills: summary.skills > 0 ? skills : nil, entries: entries)
        return (plan, summary)
    }

    /// The file's certifications, languages, projects and volunteer roles the profile does not have yet (the same name,
    /// compared as search compares, and for languages the same language), clipped to this site's limits, with ids;
    /// within each kind's limit. Dates out of order are dropped, not refused: the rest of the history still comes in.
    static func newEntries(for profile: Profile, from file: [ProfileEntry], now: Date) -> [ProfileEntry] {
        func key(_ entry: ProfileEntry) -> String {
            switch entry {
            case .certification(let c): "c\u{1F}" + Folding.nfkcLowercased(c.name) + "\u{1F}" + (c.obtained?.description ?? "")
            case .language(let l): "l\u{1F}" + Folding.nfkcLowercased(l.name)
            case .project(let p): "p\u{1F}" + Folding.nfkcLowercased(p.name)
            case .volunteering(let v): "v\u{1F}" + Folding.nfkcLowercased(v.organization) + "\u{1F}" + Folding.nfkcLowercased(v.role)
            }
        }
        func url(_ text: String?) -> String? { (try? EntryRule.url(clipped(text, TextLimit.url), field: "URL")) ?? nil }
        var keys = Set(profile.entries.map(key))
        var counts: [ProfileEntryKind: Int] = [:]
        for entry in profile.entries { counts[entry.kind, default: 0] += 1 }
        var added: [ProfileEntry] = []
        for (index, raw) in file.enumerated() {
            let id = OpaqueID.make(at: now.addingTimeInterval(Double(index) / 1000))
            let entry: ProfileEntry
            switch raw {
            case .certification(let c):
                guard let name = clipped(c.name, TextLimit.certificationName) else { continue }
                let expires = c.expires.flatMap { expires in c.obtained.map { expires < $0 } == true ? nil : expires }
                entry = .certification(
                    Certification(
                        id: id, name: name, issuer: clipped(c.issuer, TextLimit.issuer), obtained: c.obtained, expires: expires,
                        credentialID: clipped(c.credentialID, TextLimit.credentialID), url: url(c.url), score: clipped(c.score, TextLimit.score)))
            case .language(let l):
                guard let name = clipped(l.name, TextLimit.languageName) else { continue }
                entry = .language(LanguageSkill(id: id, name: name, level: l.level, jlpt: l.jlpt))
            case .project(let p):
                guard let name = clipped(p.name, TextLimit.projectName) else { continue }
                let end = p.end.flatMap { end in p.start.map { end < $0 } == true ? nil : end }
                entry = .project(
                    Project(
                        id: id, name: name, role: clipped(p.role, TextLimit.title), url: url(p.url), start: p.start, end: end,
                        description: clipped(p.description, TextLimit.projectDescription, multiline: true)))
            case .volunteering(let v):
                guard let organization = clipped(v.organization, TextLimit.companyName), let role = clipped(v.role, TextLimit.title) else { continue }
                let end = v.end.flatMap { end in v.start.map { end < $0 } == true ? nil : end }
                entry = .volunteering(
                    VolunteerRole(
                        id: id, organization: organization, role: role, cause: clipped(v.cause, TextLimit.cause), start: v.start, end: end,
                        description: clipped(v.description, TextLimit.projectDescription, multiline: true)))
            }
            guard counts[entry.kind, default: 0] < entry.kind.limit, keys.insert(key(entry)).inserted else { continue }
            counts[entry.kind, default: 0] += 1
            added.append(entry)
        }
        return added
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
        func keeps(_ scalar: Unicode.Scalar) -> Bool {
            if multiline && scalar == "\n" { return true }
            if scalar == "\t" || scalar == "\r" || scalar == "\n" { return false }
            return !scalar.properties.generalCategory.isControlOrUnassigned
        }
        // Most values have nothing to remove, trim or cut and are kept as they are: an import of 10,000 cards clips
        // 70,000 values, and rebuilding and trimming each through Foundation took about 0.4 s of it.
        let kept = value.unicodeScalars.allSatisfy(keeps) ? value : String(String.UnicodeScalarView(value.unicodeScalars.filter(keeps)))
        let text = trimmed(kept)
        guard !text.isEmpty else { return nil }
        if text.utf8.count <= limit { return text }
        return text.count > limit ? trimmed(String(text.prefix(limit))) : text
    }

    private static let spaces = CharacterSet.whitespacesAndNewlines

    /// Without white space at either end; the text itself when it has none there.
    private static func trimmed(_ text: String) -> String {
        if let first = text.unicodeScalars.first, let last = text.unicodeScalars.last, !spaces.contains(first), !spaces.contains(last) {
            return text
        }
        return text.trimmingCharacters(in: spaces)
    }

    // MARK: Contacts and matching

    /// Longest text kept from a card's field: a card is not an essay.
    static let cardFieldLimit = 200
    static let cardListLimit = 10

    /// Contacts for these cards (their fields cut to size), each matched to a member when one fits; the number
    /// matched.
    func contacts(from cards: [ContactCard], source: ContactSource, owner: MemberID, at now: Date) async throws -> ([Contact], Int) {
        let cleaned = await Self.concurrentMap(cards) { Self.cleaned($0) }.compactMap { $0 }
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

    /// The card as a contact keeps it, or nil when it has no name.
    static func cleaned(_ card: ContactCard) -> ContactCard? {
        guard let name = clipped(card.name, TextLimit.name) else { return nil }
        func field(_ value: String?) -> String? { clipped(value, cardFieldLimit) }
        func list(_ values: [String]) -> [String] { Array(values.compactMap(field).prefix(cardListLimit)) }
        return ContactCard(
            name: name, nameReading: clipped(card.nameReading, TextLimit.nameReading), company: field(card.company),
            department: field(card.department), title: field(card.title), emails: list(card.emails).map { $0.lowercased() },
            phones: list(card.phones), profileURL: field(card.profileURL), connectedOn: card.connectedOn)
    }

    /// The member each card names, if exactly one fits: by email first, else by name or reading at the card's company
    /// (only members who work there now). Never the owner; a name that fits two members at a company matches neither.
    ///
    /// Keying names and companies is most of an import's work: a file of 10,000 cards can name companies where
    /// 100,000 members work. So only cards no email matched are matched by name, each company spelling is keyed once,
    /// keys are made on every core, and a member's names are kept only when a card at their company asks for them.
    func match(_ cards: [ContactCard], owner: MemberID) async throws -> [MemberID?] {
        let emails = Array(Set(cards.flatMap(\.emails)))
        let byEmail = emails.isEmpty ? [:] : try await storage.memberIDs(emails: emails)
        var matches: [MemberID?] = cards.map { card in card.emails.lazy.compactMap { byEmail[$0] }.first { $0 != owner } }

        let unmatched = cards.indices.filter { matches[$0] == nil && cards[$0].company != nil }
        let spellings = Array(Set(unmatched.map { cards[$0].company! }))
        let companyKeyOf = Dictionary(uniqueKeysWithValues: zip(spellings, await Self.concurrentMap(spellings) { CompanyName.key($0) }))
        // What each card asks for: its company's key and the keys of its name and reading.
        let asks = await Self.concurrentMap(unmatched) { index in
            let card = cards[index]
            return (index: index, company: companyKeyOf[card.company!] ?? "", names: [card.name, card.nameReading].compactMap { $0.map(PersonNameKey.key) })
        }.filter { !$0.company.isEmpty }
        var asked: [String: Set<String>] = [:]  // company key → name and reading keys cards ask for there
        for ask in asks { asked[ask.company, default: []].formUnion(ask.names) }
        guard !asked.isEmpty else { return matches }

        let people = try await storage.currentMembers(companyKeys: Array(asked.keys)).filter { $0.member != owner }
        let keys = await Self.concurrentMap(people) { person in [person.name, person.nameReading].compactMap { $0.map(PersonNameKey.key) } }
        var byName: [String: [String: [MemberID]]] = [:]  // company key → name or reading key → members
        for (person, names) in zip(people, keys) {
            guard let wanted = asked[person.companyKey] else { continue }
            for key in names where !key.isEmpty && wanted.contains(key) {
                byName[person.companyKey, default: [:]][key, default: []].append(person.member)
            }
        }
        for ask in asks {
            guard let names = byName[ask.company] else { continue }
            var found: Set<MemberID> = []
            for key in ask.names { found.formUnion(names[key] ?? []) }
            if found.count == 1 { matches[ask.index] = found.first }
        }
        return matches
    }

    /// `transform` of every element, in order; split over the cores when there are enough elements to share.
    static func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) -> R) async -> [R] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / 500))
        guard parts > 1 else { return items.map(transform) }
        let chunk = (items.count + parts - 1) / parts
        return await withTaskGroup(of: (Int, [R]).self) { group in
            for part in 0..<parts {
                let range = min(items.count, part * chunk)..<min(items.count, (part + 1) * chunk)
                group.addTask { (part, items[range].map(transform)) }
            }
            var done = [[R]](repeating: [], count: parts)
            for await (part, mapped) in group { done[part] = mapped }
            return done.flatMap { $0 }
        }
    }
}

extension Contact {
    /// The duplicate keys of many contacts, in order, made on every core: keying a company's name is slow enough that
    /// storage works these out before it opens the transaction that writes an import.
    public static func duplicateKeys(_ contacts: [Contact]) async -> [String] {
        await DataImportService.concurrentMap(contacts) { $0.duplicateKey }
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
