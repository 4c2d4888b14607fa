import Foundation

/// Filters a recruiter narrows a search with. Company and school filters take an id or a name
/// (company names normalised as companies are).
public struct SearchFilters: Sendable {
    public var currentCompany: String?
    public var pastCompany: String?
    public var school: String?
    public var location: String?
    public var skill: String?
    public var industry: String?
    public var degrees: Set<Degree>?
    public var openToWork = false

    public init() {}
}

/// Daily and monthly search caps per member, so that bulk search cannot scrape the site.
public struct SearchLimits: Hashable, Sendable {
    public var perDay: Int
    public var perMonth: Int

    public init(perDay: Int, perMonth: Int) {
        self.perDay = perDay
        self.perMonth = perMonth
    }

    public static let standard = SearchLimits(perDay: 500, perMonth: 5_000)
    public static let relaxed = SearchLimits(perDay: 1_000_000, perMonth: 10_000_000)
}

/// People search: the index finds candidates, then this service applies the privacy rules, the exact
/// query, the filters, and ranks by relevance blended with network proximity (1st > 2nd > 3rd > beyond).
public struct PeopleSearchService: Sendable {
    public typealias Store = Storage & NetworkStore & SearchIndexStore

    let storage: any Store
    let graph: any ConnectionGraph
    let clock: any Clock
    let limits: SearchLimits

    /// Like LinkedIn Recruiter, a query yields at most this many results.
    public static let maximumResults = 1_000

    public init(storage: any Store, graph: any ConnectionGraph, clock: any Clock, limits: SearchLimits) {
        self.storage = storage
        self.graph = graph
        self.clock = clock
        self.limits = limits
    }

    public struct Hit: Sendable {
        public var person: PersonSummary
        public var profile: Profile
        public var score: Double
    }

    static func boost(_ degree: Degree) -> Double {
        switch degree {
        case .first: 2.0
        case .second: 1.5
        case .third: 1.2
        default: 1.0
        }
    }

    /// All results the viewer may see, best first, at most `maximumResults`. `matches` is the exact query
    /// (the index narrows; it decides).
    public func search(
        _ query: IndexQuery, matches: @Sendable (Profile) -> Bool, filters: SearchFilters, viewer: MemberID, role: MemberRole
    ) async throws -> [Hit] {
        if filters.openToWork && role != .recruiter {
            throw DomainError(.forbidden, code: "recruiters_only", message: "Only recruiters can filter by open to work.")
        }
        try await checkLimits(viewer)
        let candidates = try await storage.searchCandidates(query, limit: Self.maximumResults * 2)
        let blocked = try await storage.blockedEitherWay(viewer)
        let ids = candidates.map(\.member).filter { $0 != viewer && !blocked.contains($0) }
        let relevance = Dictionary(candidates.map { ($0.member, $0.relevance) }, uniquingKeysWith: { a, _ in a })
        let degrees = Dictionary(uniqueKeysWithValues: zip(ids, graph.degrees(from: viewer, to: ids)))
        let mutuals = Dictionary(uniqueKeysWithValues: zip(ids, graph.mutualCounts(of: viewer, with: ids)))
        var viewerCompanies: Set<String> = []
        if filters.openToWork, let me = try await storage.profile(id: viewer) {
            viewerCompanies = Set(me.currentPositions.map(\.company.id))
        }
        var hits: [Hit] = []
        for id in ids {
            guard let profile = try await storage.profile(id: id) else { continue }
            let degree = degrees[id] ?? .beyond
            // A profile shown to connections only is found only by its connections.
            let relation: ViewerRelation = degree == .first ? .connection : .member
            guard ProfilePolicy.access(visibility: profile.settings.profileVisibility, relation: relation) == .full else { continue }
            guard matches(profile), passes(profile, degree: degree, filters: filters, role: role, viewerCompanies: viewerCompanies) else {
                continue
            }
            let card = MemberCard(
                id: id, handle: profile.handle, name: profile.name, headline: profile.headline, location: profile.fields.location,
                profileVisibility: profile.settings.profileVisibility, connectionsVisibility: profile.settings.connectionsVisibility)
            let score = (max(relevance[id] ?? 0, 0) + 1e-6) * Self.boost(degree)
            hits.append(Hit(person: PersonSummary(card: card, degree: degree, mutualConnectionCount: mutuals[id] ?? 0), profile: profile, score: score))
            if hits.count >= Self.maximumResults { break }
        }
        return hits.sorted { ($0.score, $1.person.card.id.rawValue) > ($1.score, $0.person.card.id.rawValue) }
    }

    private func checkLimits(_ viewer: MemberID) async throws {
        let now = clock.now()
        for (key, window, limit) in [
            ("search:day:\(viewer.rawValue)", 24.0 * 60 * 60, limits.perDay), ("search:month:\(viewer.rawValue)", 30.0 * 24 * 60 * 60, limits.perMonth),
        ] {
            let recent = try await storage.attempts(key: key, since: now.addingTimeInterval(-window))
            if recent.count >= limit {
                let retry = max(1, Int(recent[recent.count - limit].addingTimeInterval(window).timeIntervalSince(now).rounded(.up)))
                throw DomainError(
                    .rateLimited(retryAfterSeconds: retry), code: "search_limit", message: "You have reached your search limit; try again later.")
            }
        }
        try await storage.recordAttempt(key: "search:day:\(viewer.rawValue)", at: now)
        try await storage.recordAttempt(key: "search:month:\(viewer.rawValue)", at: now)
    }

    static func fold(_ text: String) -> String { SearchFold.fold(text).trimmingCharacters(in: .whitespaces) }

    static func sameCompany(_ position: Position, _ filter: String) -> Bool {
        position.company.id == filter || CompanyName.key(position.companyNameAsWritten) == CompanyName.key(filter)
            || CompanyName.key(position.company.name) == CompanyName.key(filter)
    }

    func passes(_ p: Profile, degree: Degree, filters: SearchFilters, role: MemberRole, viewerCompanies: Set<String>) -> Bool {
        if let wanted = filters.degrees, !wanted.contains(degree) { return false }
        if let company = filters.currentCompany, !p.positions.contains(where: { $0.isCurrent && Self.sameCompany($0, company) }) { return false }
        if let company = filters.pastCompany, !p.positions.contains(where: { !$0.isCurrent && Self.sameCompany($0, company) }) { return false }
        if let school = filters.school.map(Self.fold), !p.educations.contains(where: { Self.fold($0.school).contains(school) }) { return false }
        if let location = filters.location.map(Self.fold), !Self.fold(p.fields.location ?? "").contains(location) { return false }
        if let skill = filters.skill.map(Self.fold), !p.skills.contains(where: { Self.fold($0) == skill }) { return false }
        if let industry = filters.industry.map(Self.fold), Self.fold(p.fields.industry ?? "") != industry { return false }
        if filters.openToWork {
            let shown = ProfilePolicy.showsOpenToWork(
                p.settings.openToWork, relation: degree == .first ? .connection : .member, viewerRole: role,
                viewerCurrentCompanyIDs: viewerCompanies, memberCurrentCompanyIDs: Set(p.currentPositions.map(\.company.id)))
            if !shown { return false }
        }
        return true
    }
}
