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
    /// Typeahead asks once per keystroke; names alone, so a separate, larger daily cap, counted per instance.
    public var typeaheadPerDay: Int

    public init(perDay: Int, perMonth: Int, typeaheadPerDay: Int = 5_000) {
        self.perDay = perDay
        self.perMonth = perMonth
        self.typeaheadPerDay = typeaheadPerDay
    }

    public static let standard = SearchLimits(perDay: 500, perMonth: 5_000, typeaheadPerDay: 5_000)
    public static let relaxed = SearchLimits(perDay: 1_000_000, perMonth: 10_000_000, typeaheadPerDay: 10_000_000)
}

/// What the results page offers to narrow a search with: the most frequent values among all results, each
/// with how many results have it.
public struct SearchFacets: Hashable, Sendable {
    public struct Value: Hashable, Sendable {
        /// What the filter takes (a company id, a location, a skill, a degree number).
        public var value: String
        public var label: String
        public var count: Int

        public init(value: String, label: String, count: Int) {
            self.value = value
            self.label = label
            self.count = count
        }
    }

    public var currentCompanies: [Value] = []
    public var locations: [Value] = []
    public var skills: [Value] = []
    public var degrees: [Value] = []

    public init() {}
}

/// People search: the index finds the candidates that match the query and the filters, then this service
/// applies the privacy rules and ranks by relevance blended with network proximity (1st > 2nd > 3rd > beyond).
/// Cards, filters and facets come from the index; no profile is loaded per candidate.
public struct PeopleSearchService: Sendable {
    public typealias Store = Storage & NetworkStore

    let storage: any Store
    /// The search index (kept in memory; see `SearchEngine`).
    let index: any SearchIndexStore
    let graph: any ConnectionGraph
    let clock: any Clock
    let limits: SearchLimits
    /// The filters as index queries (terms of the `filters` column), ANDed with the query.
    let filterQueries: @Sendable (SearchFilters) -> [IndexQuery]

    /// Like LinkedIn Recruiter, a query yields at most this many results.
    public static let maximumResults = 1_000
    /// How many candidates the index is asked for: more than are shown, since privacy removes some.
    public static let standardCandidateLimit = 1_200
    let candidateLimit: Int
    /// Typeahead's daily cap, counted in memory (see `WindowCounter`).
    let typeaheadCounter = WindowCounter()
    /// Typeahead suggestions per prefix.
    public static let typeaheadResults = 8
    /// How many 2nd-degree members (those with the most mutual connections) typeahead asks among by name.
    static let typeaheadSecondDegree = 2_000
    /// The most values each facet shows.
    public static let facetValues = 8

    public init(
        storage: any Store, index: any SearchIndexStore, graph: any ConnectionGraph, clock: any Clock, limits: SearchLimits,
        filterQueries: @escaping @Sendable (SearchFilters) -> [IndexQuery], candidateLimit: Int = standardCandidateLimit
    ) {
        self.candidateLimit = candidateLimit
        self.storage = storage
        self.index = index
        self.graph = graph
        self.clock = clock
        self.limits = limits
        self.filterQueries = filterQueries
    }

    /// A result: who, how near the viewer, what ranking read of them, and how well they match.
    public struct Hit: Sendable {
        public var member: MemberID
        public var degree: Degree
        public var ranking: SearchRanking
        public var score: Double
    }

    /// A result as a list shows it: the person as the viewer may see them, and what the index holds of them.
    public struct ShownHit: Sendable {
        public var person: PersonSummary
        public var attributes: SearchAttributes
    }

    public struct Results: Sendable {
        /// Every result, best first. Their cards and mutual counts are not among them: the index's attributes and the
        /// graph's counts are read only for the results shown (`shown`), a page of them, not for the thousand ranked.
        public var hits: [Hit]
        public var facets: SearchFacets
        let viewer: MemberID
        let graph: any ConnectionGraph
        let index: any SearchIndexStore

        /// The results in `range` (clamped to the results) as a list shows them: each person's card as the viewer may
        /// see it, with their degree and mutual count. One whose entry left the index since is left out.
        public func shown(_ range: Range<Int>) async throws -> [ShownHit] {
            let page = hits[range.clamped(to: hits.indices)]
            let members = page.map(\.member)
            let attributes = try await index.attributes(of: members)
            let counts = graph.mutualCounts(of: viewer, with: members)
            return page.indices.compactMap { position in
                let offset = position - page.startIndex
                guard let held = attributes[offset] else { return nil }
                let hit = page[position]
                let person = PersonSummary(card: held.card(hit.member), degree: hit.degree, mutualConnectionCount: counts[offset])
                return ShownHit(person: person, attributes: held)
            }
        }
    }

    static func boost(_ degree: Degree) -> Double {
        switch degree {
        case .first: 2.0
        case .second: 1.5
        case .third: 1.2
        default: 1.0
        }
    }

    /// All results the viewer may see, best first, at most `maximumResults`, with the facets of all of them.
    /// Counts against the viewer's search limits.
    public func search(_ query: IndexQuery, filters: SearchFilters, viewer: MemberID, role: MemberRole) async throws -> Results {
        if filters.openToWork && role != .recruiter {
            throw DomainError(.forbidden, code: "recruiters_only", message: "Only recruiters can filter by open to work.")
        }
        try await reserveSearch(viewer)
        let hits = try await matches(query, filters: filters, viewer: viewer, role: role)
        return Results(hits: hits, facets: Self.facets(hits), viewer: viewer, graph: graph, index: index)
    }

    /// The results without counting against the limits (saved searches checked in the background).
    func matches(_ query: IndexQuery, filters: SearchFilters, viewer: MemberID, role: MemberRole, changedSince: Date? = nil) async throws -> [Hit] {
        let narrowing = filterQueries(filters)
        let query: IndexQuery = narrowing.isEmpty ? query : .and([query] + narrowing)
        var indexFilters = IndexFilters(changedSince: changedSince)
        if let wanted = filters.degrees, wanted == [.first] {
            // Only connections: ask the index among them, however common the words.
            indexFilters.among = graph.connections(of: viewer)
            if indexFilters.among?.isEmpty == true { return [] }
        }
        var candidates = try await index.rankedCandidates(query, filters: indexFilters, limit: candidateLimit)
        if indexFilters.among == nil, candidates.count >= candidateLimit, filters.degrees.map({ $0.contains(.first) }) ?? true {
            // A broad query: the best by text alone may leave out the viewer's own connections, who rank first
            // once proximity counts; they are asked for separately.
            let connections = graph.connections(of: viewer)
            if !connections.isEmpty {
                var among = indexFilters
                among.among = connections
                let known = Set(candidates.map(\.member))
                candidates += try await index.rankedCandidates(query, filters: among, limit: Self.maximumResults).filter { !known.contains($0.member) }
            }
        }
        let blocked = try await storage.blockedEitherWay(viewer)
        let found = candidates.filter { $0.member != viewer && !blocked.contains($0.member) }
        let degrees = graph.degrees(from: viewer, to: found.map(\.member))
        var viewerCompanies: Set<String> = []
        if filters.openToWork, let me = try await storage.profile(id: viewer) {
            viewerCompanies = Set(me.currentPositions.map(\.company.id))
        }
        var hits: [Hit] = []
        for (index, candidate) in found.enumerated() {
            let degree = degrees[index]
            let ranking = candidate.ranking
            // A profile shown to connections only is found only by its connections.
            let relation: ViewerRelation = degree == .first ? .connection : .member
            guard ProfilePolicy.access(visibility: ranking.profileVisibility, relation: relation) == .full else { continue }
            if let wanted = filters.degrees, !wanted.contains(degree) { continue }
            if filters.openToWork {
                let open = OpenToWork(enabled: ranking.openToWork != nil, visibility: ranking.openToWork ?? .recruitersOnly)
                let shown = ProfilePolicy.showsOpenToWork(
                    open, relation: relation, viewerRole: role, viewerCurrentCompanyIDs: viewerCompanies,
                    memberCurrentCompanyIDs: Set(ranking.employerIDs))
                if !shown { continue }
            }
            // Completeness is a small factor (at most 10%): relevance and degree still decide.
            let score = (max(candidate.relevance, 0) + 1e-6) * Self.boost(degree)
                * (1 + ProfileStrength.rankingBoost * Double(min(max(ranking.strength, 0), 100)) / 100)
            hits.append(Hit(member: candidate.member, degree: degree, ranking: ranking, score: score))
            if hits.count >= Self.maximumResults { break }
        }
        // Best first, ties by id; the hits themselves (large values) are moved once, not at every comparison.
        let order = hits.indices.sorted { a, b in
            let (x, y) = (hits[a].score, hits[b].score)
            return x != y ? x > y : hits[a].member.rawValue < hits[b].member.rawValue
        }
        return order.map { hits[$0] }
    }

    /// A string hashed and compared by its UTF-8 bytes. Swift's own String hashing normalises non-ASCII text first,
    /// which was most of counting Japanese facet values; the keys here are folded (NFKC) already, and the texts
    /// folded are looked up as stored, so equal bytes are what equal means.
    struct ByteKey: Hashable {
        let text: String

        func hash(into hasher: inout Hasher) {
            let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            if hashed == nil { for byte in text.utf8 { hasher.combine(byte) } }
        }

        static func == (a: ByteKey, b: ByteKey) -> Bool {
            let (x, y) = (a.text.utf8, b.text.utf8)
            guard x.count == y.count else { return false }
            let equal = x.withContiguousStorageIfAvailable { left in
                y.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
            }
            return (equal ?? nil) ?? x.elementsEqual(y)
        }
    }

    static func facets(_ hits: [Hit]) -> SearchFacets {
        /// The values of one facet, each counted in a slot. A text is looked up once for its slot; it is folded (NFKC,
        /// the cost here) only the first time it is seen, and texts folding alike share the slot.
        struct Counts {
            var slots: [ByteKey: Int] = [:]
            /// Each text seen, as written, and its slot (-1: it folds to nothing); by the index's key where it gave one.
            var bySeen: [ByteKey: Int] = [:]
            var byKey: [Int32: Int] = [:]
            var values: [(key: String, label: String, count: Int)] = []

            /// The slot of `value` folded, or nil when it folds to nothing. Equal keys are equal texts.
            mutating func slot(_ value: FacetText) -> Int? {
                guard let key = value.key else { return slot(value.text) }
                if let known = byKey[key] { return known >= 0 ? known : nil }
                let slot = slot(value.text)
                byKey[key] = slot ?? -1
                return slot
            }

            /// The slot of `text` folded, or nil when it folds to nothing.
            mutating func slot(_ text: String) -> Int? {
                if let known = bySeen[ByteKey(text: text)] { return known >= 0 ? known : nil }
                let key = PeopleSearchService.fold(text)
                var slot = -1
                if !key.isEmpty {
                    slot = slots[ByteKey(text: key)] ?? values.count
                    if slot == values.count {
                        slots[ByteKey(text: key)] = slot
                        values.append((key, text, 0))
                    }
                }
                bySeen[ByteKey(text: text)] = slot
                return slot >= 0 ? slot : nil
            }

            mutating func count(_ slot: Int) { values[slot].count += 1 }

            /// Only values counted at least as often as the `facetValues`-th most frequent can be shown: those are
            /// sorted (labels compared only among them; most values share the smallest counts).
            func top() -> [SearchFacets.Value] {
                let threshold = values.count <= PeopleSearchService.facetValues ? 0 : values.map(\.count).sorted(by: >)[PeopleSearchService.facetValues - 1]
                return values.compactMap { $0.count >= threshold ? SearchFacets.Value(value: $0.key, label: $0.label, count: $0.count) : nil }
                    .sorted { ($1.count, $0.label) < ($0.count, $1.label) }
                    .prefix(PeopleSearchService.facetValues).map { $0 }
            }
        }
        var companies = Counts()
        var locations = Counts()
        var skills = Counts()
        var degrees: [Degree: Int] = [:]
        var seen: [Int] = []
        for hit in hits {
            let ranking = hit.ranking
            // A company is counted by its id, under the name the first hit gave it.
            for company in ranking.currentCompanies {
                if let key = company.id.key, let slot = companies.byKey[key] {
                    companies.count(slot)
                } else if let slot = companies.slots[ByteKey(text: company.id.text)] {
                    if let key = company.id.key { companies.byKey[key] = slot }
                    companies.count(slot)
                } else {
                    if let key = company.id.key { companies.byKey[key] = companies.values.count }
                    companies.slots[ByteKey(text: company.id.text)] = companies.values.count
                    companies.values.append((company.id.text, company.name.text, 1))
                }
            }
            if let location = ranking.location, let slot = locations.slot(location) { locations.count(slot) }
            seen.removeAll(keepingCapacity: true)
            for skill in ranking.skills {
                guard let slot = skills.slot(skill), !seen.contains(slot) else { continue }
                seen.append(slot)
                skills.count(slot)
            }
            if hit.degree != .beyond { degrees[hit.degree, default: 0] += 1 }
        }
        var facets = SearchFacets()
        facets.currentCompanies = companies.top()
        facets.locations = locations.top()
        facets.skills = skills.top()
        facets.degrees = degrees.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            SearchFacets.Value(value: String($0.key.rawValue), label: String($0.key.rawValue), count: $0.value)
        }
        return facets
    }

    /// Typeahead over names: members whose name (or reading) starts with the typed words, the viewer's 1st
    /// and then 2nd degree first, under the same privacy rules as search. `terms` are the analysed words.
    public func typeahead(_ terms: [String], viewer: MemberID) async throws -> [PersonSummary] {
        guard !terms.isEmpty else { return [] }
        if let retry = typeaheadCounter.count(viewer.rawValue, window: 24 * 60 * 60, limit: limits.typeaheadPerDay, now: clock.now()) {
            throw DomainError(
                .rateLimited(retryAfterSeconds: retry), code: "search_limit", message: "You have reached your typeahead limit; try again later.")
        }
        let connections = graph.connections(of: viewer)
        // The viewer's own connections are asked for separately, so that a common prefix cannot hide them.
        var candidates = connections.isEmpty ? [] : try await index.nameCandidates(terms, among: connections, limit: Self.typeaheadResults)
        if candidates.count < Self.typeaheadResults {
            // Then the 2nd degree with the most mutual connections, also asked for by name among themselves.
            let second = graph.triangleCandidates(of: viewer, limit: Self.typeaheadSecondDegree, excluded: { _ in false }).map(\.member)
            if !second.isEmpty { candidates += try await index.nameCandidates(terms, among: second, limit: Self.typeaheadResults) }
        }
        candidates += try await index.nameCandidates(terms, among: nil, limit: 200)
        let blocked = try await storage.blockedEitherWay(viewer)
        var seen: Set<MemberID> = [viewer]
        let unique = candidates.filter { !blocked.contains($0.member) && seen.insert($0.member).inserted }
        let ids = unique.map(\.member)
        let answers = graph.summaries(from: viewer, to: ids)
        var people: [(PersonSummary, Double)] = []
        for (index, candidate) in unique.enumerated() {
            let relation: ViewerRelation = answers[index].degree == .first ? .connection : .member
            guard ProfilePolicy.access(visibility: candidate.attributes.profileVisibility, relation: relation) == .full else { continue }
            let person = PersonSummary(
                card: candidate.attributes.card(candidate.member), degree: answers[index].degree, mutualConnectionCount: answers[index].mutualCount)
            people.append((person, candidate.relevance))
        }
        return people.sorted { a, b in
            (a.0.degree.rawValue, -a.0.mutualConnectionCount, -a.1, a.0.card.name) < (b.0.degree.rawValue, -b.0.mutualConnectionCount, -b.1, b.0.card.name)
        }.prefix(Self.typeaheadResults).map(\.0)
    }

    /// Reserves one search under the viewer's daily and monthly caps (429 `search_limit` when either is full).
    func reserveSearch(_ viewer: MemberID) async throws {
        try await AttemptLimiter(store: storage, clock: clock).reserve(
            [
                ("search:day:\(viewer.rawValue)", Throttle(limit: limits.perDay, window: 24 * 60 * 60)),
                ("search:month:\(viewer.rawValue)", Throttle(limit: limits.perMonth, window: 30 * 24 * 60 * 60)),
            ], code: "search_limit", message: { _ in "You have reached your search limit; try again later." })
    }

    static func fold(_ text: String) -> String { SearchFold.fold(text).trimmingCharacters(in: .whitespaces) }
}

extension SearchFilters {
    /// The filters as a query string, the way the search form writes them; `init(formEncoded:)` reads it back.
    public var formEncoded: String {
        var pairs: [(String, String)] = []
        for (name, value) in [
            ("currentCompany", currentCompany), ("pastCompany", pastCompany), ("school", school), ("location", location), ("skill", skill),
            ("industry", industry),
        ] {
            if let value, !value.isEmpty { pairs.append((name, value)) }
        }
        if let degrees, !degrees.isEmpty { pairs.append(("degree", degrees.sorted().map { String($0.rawValue) }.joined(separator: ","))) }
        if openToWork { pairs.append(("openToWork", "true")) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    public init(formEncoded: String) {
        self.init()
        for pair in formEncoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = parts[1].removingPercentEncoding, !value.isEmpty else { continue }
            switch parts[0] {
            case "currentCompany": currentCompany = value
            case "pastCompany": pastCompany = value
            case "school": school = value
            case "location": location = value
            case "skill": skill = value
            case "industry": industry = value
            case "degree": degrees = Set(value.split(separator: ",").compactMap { Int($0).flatMap(Degree.init(rawValue:)) })
            case "openToWork": openToWork = value == "true"
            default: continue
            }
        }
    }
}
