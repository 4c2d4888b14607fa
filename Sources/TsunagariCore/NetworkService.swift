import Foundation

/// Who you know and how: degrees and mutual connections for lists of people, someone's connections as
/// their setting allows, people you may know, introduction paths, people at a company and former
/// colleagues, and introductions. Every answer applies the privacy rules of PRODUCT.md here, once.
public struct NetworkService: Sendable {
    public typealias Store = NetworkStore & MessagingStore & ContactStore & Storage

    let storage: any Store
    let graph: any ConnectionGraph
    let clock: any Clock
    let suggestionReads: WindowCounter
    let suggestionReadsPerHour: Int
    let notifications: NotificationService?
    let events: (any LiveEventChannel)?
    let connectionLists: ConnectionLists
    let suggestionRankings: SuggestionRankings

    public init(
        storage: any Store, graph: any ConnectionGraph, clock: any Clock, suggestionReads: WindowCounter = WindowCounter(),
        notifications: NotificationService? = nil, events: (any LiveEventChannel)? = nil, suggestionReadsPerHour: Int = NetworkLimits.standard.suggestionReadsPerHour,
        connectionLists: ConnectionLists = ConnectionLists(), suggestionRankings: SuggestionRankings = SuggestionRankings()
    ) {
        self.connectionLists = connectionLists
        self.suggestionRankings = suggestionRankings
        self.suggestionReadsPerHour = suggestionReadsPerHour
        self.storage = storage
        self.graph = graph
        self.clock = clock
        self.suggestionReads = suggestionReads
        self.notifications = notifications
        self.events = events
    }

    // MARK: People in lists

    /// The people the viewer may be shown among `ids` (blocked members either way are left out), with degree and mutual
    /// count: one read of the cards and one pass over the graph for the whole list. In `ids`' order, or by name; with
    /// `limit`, only the first so many, and the graph is asked about those alone. Without `counted`, see below.
    public func summaries(
        _ ids: [MemberID], for viewer: Viewer, limit: Int = .max, byName: Bool = false, counted: Bool = true
    ) async throws -> [PersonSummary] {
        try await summaries(ids, for: viewer, limit: limit, byName: byName, near: [:], counted: counted)
    }

    /// As above; `near` gives the mutual counts of some known to be in the second degree, which the graph is not asked.
    /// Without `counted`, the mutual counts are left at 0 and only the degrees asked: for a list of the viewer's own
    /// connections on a page that shows no count beside a connection (a profile page's mutual connections and those who
    /// can introduce).
    func summaries(
        _ ids: [MemberID], for viewer: Viewer, limit: Int = .max, byName: Bool = false, near: [MemberID: Int], counted: Bool = true
    ) async throws -> [PersonSummary] {
        guard !ids.isEmpty else { return [] }
        var blocked: Set<MemberID> = []
        if let member = viewer.memberID { blocked = try await storage.blockedEitherWay(member) }
        let allowed = blocked.isEmpty ? ids : ids.filter { !blocked.contains($0) }
        var shown: [MemberCard]
        if byName || limit >= allowed.count {
            shown = try await storage.memberCards(ids: allowed)
            if byName {
                // The names are compared, and the cards moved once: sorting the cards swapped every field of them at
                // each step, a tenth of a profile page's mutual connections.
                let names = shown.map(\.name)
                let order = names.indices.sorted { names[$0] < names[$1] }
                shown = order.prefix(limit).map { shown[$0] }
            }
        } else {
            // In `ids`' order, the first `limit`: only their cards are read, and more only for those who have none.
            shown = []
            var next = allowed[...]
            while shown.count < limit, !next.isEmpty {
                let asked = next.prefix(limit - shown.count)
                next = next.dropFirst(asked.count)
                shown += try await storage.memberCards(ids: Array(asked))
            }
        }
        if shown.count > limit { shown = Array(shown.prefix(limit)) }
        guard let member = viewer.memberID else {
            return shown.map { PersonSummary(card: $0, degree: .beyond, mutualConnectionCount: 0, anonymous: true) }
        }
        let asked = near.isEmpty ? shown.map(\.id) : shown.compactMap { near[$0.id] == nil ? $0.id : nil }
        var answers =
            asked.isEmpty ? [] : counted ? graph.summaries(from: member, to: asked)[...] : degrees(from: member, to: asked).map { ($0, 0) }[...]
        return shown.map { card in
            if let count = near[card.id] { return PersonSummary(card: card, degree: .second, mutualConnectionCount: count) }
            let answer = answers.removeFirst()
            return PersonSummary(card: card, degree: answer.degree, mutualConnectionCount: answer.mutualCount)
        }
    }

    /// The degrees of `targets`, most of them the viewer's connections: each looked up in the viewer's list, and the
    /// graph's distances asked only if one is not there. Marking the viewer's whole list to find the distances was half
    /// of a profile page's summaries of the people it names.
    private func degrees(from viewer: MemberID, to targets: [MemberID]) -> [Degree] {
        let connected = graph.connected(to: viewer, among: targets)
        guard connected.allSatisfy({ $0 }) else { return graph.degrees(from: viewer, to: targets) }
        return targets.map { $0 == viewer ? .oneself : .first }
    }

    public func summary(_ id: MemberID, for viewer: Viewer) async throws -> PersonSummary? {
        try await summaries([id], for: viewer).first
    }

    /// The summary of a profile the viewer was already allowed to see (blocks checked): from memory only. Without
    /// `counted`, the mutual count is left at 0 and only the degree asked (a profile page shows no count beside the name).
    public func summary(of profile: Profile, for viewer: Viewer, counted: Bool = true) -> PersonSummary {
        let card = MemberCard(
            id: profile.memberID, handle: profile.handle, name: profile.name, headline: profile.headline,
            location: profile.fields.location, profileVisibility: profile.settings.profileVisibility,
            connectionsVisibility: profile.settings.connectionsVisibility, sectionVisibility: profile.settings.sectionVisibility)
        guard let member = viewer.memberID else {
            return PersonSummary(card: card, degree: .beyond, mutualConnectionCount: 0, anonymous: true)
        }
        guard counted else {
            return PersonSummary(card: card, degree: graph.degrees(from: member, to: [profile.memberID])[0], mutualConnectionCount: 0)
        }
        let answer = graph.summaries(from: member, to: [profile.memberID])[0]
        return PersonSummary(card: card, degree: answer.degree, mutualConnectionCount: answer.mutualCount)
    }

    private func requireVisible(_ member: MemberID, to viewer: MemberID) async throws {
        try await requireMemberVisible(member, to: viewer, in: storage)
    }

    /// Where someone works and studied is part of their profile: named in a list only to a viewer who sees the full
    /// profile and that section of it (PRODUCT.md), so a connections-only member's employer, or positions shown to
    /// connections only, are never named to others.
    static func reveals(_ section: ProfileSection, of person: PersonSummary) -> Bool {
        let relation: ViewerRelation = person.degree == .oneself ? .oneself : person.degree == .first ? .connection : .member
        return ProfilePolicy.access(visibility: person.card.profileVisibility, relation: relation) == .full
            && ProfilePolicy.showsSection(person.card.sectionVisibility[section], relation: relation)
    }

    static func reveals(_ affiliation: SharedAffiliation, of person: PersonSummary) -> Bool {
        reveals(affiliation.kind == .company ? .positions : .educations, of: person)
    }

    /// Whether the viewer may see `member`'s connection list: their own, or a connection's list shown to connections.
    public func maySeeList(of member: MemberID, viewer: MemberID) -> Bool {
        viewer == member || (!graph.hidesList(member) && graph.areConnected(viewer, member))
    }

    // MARK: Connections

    public struct ConnectionEntry: Sendable {
        public var person: PersonSummary
        public var connectedAt: Date?

        public init(person: PersonSummary, connectedAt: Date?) {
            self.person = person
            self.connectedAt = connectedAt
        }
    }

    public enum ConnectionSort: String, Sendable, CaseIterable {
        case recent
        case name
    }

    /// A page of `member`'s connections as the viewer may see them: all of them when the list is visible
    /// to the viewer, otherwise only those the viewer shares (PRODUCT.md). `query` filters by name or headline.
    public func connections(
        of member: MemberID, viewer: MemberID, query: String?, sort: ConnectionSort, cursor: String?, limit: Int
    ) async throws -> (entries: [ConnectionEntry], nextCursor: String?) {
        try await requireVisible(member, to: viewer)
        // Only the connections the viewer shares with `member` when the list is not theirs to see.
        let shared: Set<MemberID>? = maySeeList(of: member, viewer: viewer)
            ? nil : Set(graph.withoutHiddenLists(graph.mutualConnections(viewer, member)))
        let blocked = try await storage.blockedEitherWay(viewer)
        let trimmed = query?.trimmingCharacters(in: .whitespaces) ?? ""
        if sort == .recent && trimmed.isEmpty {
            guard shared != nil || connectionLists.keeps(graph.connectionCount(of: member)) else {
                // A list too long to keep whole: a page at a time from storage, however long it is.
                return try await recentConnections(viewer: viewer, blocked: blocked, cursor: cursor, limit: limit) { after, count in
                    try await self.storage.connections(of: member, after: after, limit: count)
                }
            }
            var rows = try await connectionRows(of: member)
            if let shared { rows = rows.filter { shared.contains($0.other) } }
            return try await recentConnections(viewer: viewer, blocked: blocked, cursor: cursor, limit: limit) { [rows] after, count in
                ConnectionLists.rows(rows, after: after, limit: count)
            }
        }
        var rows = try await connectionRows(of: member)
        if let shared { rows = rows.filter { shared.contains($0.other) } }
        // Cards for the whole list (from memory, mostly): the filter and the order by name need names; degrees and
        // mutual counts, which cost a walk of the graph each, only for the page shown.
        let unblocked = blocked.isEmpty ? rows : rows.filter { !blocked.contains($0.other) }
        let cards = try await storage.memberCards(ids: unblocked.map(\.other))
        var listed: [(card: MemberCard, connectedAt: Date?)] = MemberCard.paired(unblocked, id: \.other, with: cards).map {
            ($0.card, $0.item.connectedAt)
        }
        if !trimmed.isEmpty {
            let needle = SearchFold.fold(trimmed)
            listed = listed.filter { SearchFold.fold($0.card.name).contains(needle) || SearchFold.fold($0.card.headline ?? "").contains(needle) }
        }
        let key: ((card: MemberCard, connectedAt: Date?)) -> String = switch sort {
        case .recent: { Self.recentKey($0.connectedAt, $0.card.id) }
        case .name: { SearchFold.fold($0.card.name) + "|" + $0.card.id.rawValue }
        }
        let page = Page.slice(listed, key: key, cursor: cursor, limit: limit)
        return (entries(page.entries, viewer: viewer), page.nextCursor)
    }

    /// `member`'s connections newest first (then by id), from the copy kept while the graph's list is unchanged.
    private func connectionRows(of member: MemberID) async throws -> [Connection] {
        try await connectionLists.rows(of: member, stamp: graph.listStamp(of: member)) { try await storage.connections(of: member) }
    }

    /// Newest first: the time subtracted from a constant, zero-padded, so that ascending keys run newest to oldest.
    static func recentKey(_ connectedAt: Date?, _ id: MemberID) -> String {
        let inverted = String(invertedTime(connectedAt))
        return String(repeating: "0", count: max(0, 15 - inverted.utf8.count)) + inverted + "|" + id.rawValue
    }

    static func invertedTime(_ connectedAt: Date?) -> Int64 {
        100_000_000_000_000 - Int64(((connectedAt?.timeIntervalSince1970 ?? 0) * 1000).rounded())
    }

    /// The default list (newest first, unfiltered) orders by the connection's time alone, so only the page's rows and
    /// cards are read: rows in order after the cursor, a page's worth at a time from `rows` (newest first, then by id),
    /// skipping blocked members and members without a card (suspended, or gone).
    private func recentConnections(
        viewer: MemberID, blocked: Set<MemberID>, cursor: String?, limit: Int,
        rows: (_ after: (connectedAt: Date, other: MemberID)?, _ limit: Int) async throws -> [Connection]
    ) async throws -> (entries: [ConnectionEntry], nextCursor: String?) {
        // A key that does not read as a time and an id starts from the top, as text comparison would put it.
        var position = cursor.flatMap(Page.decode).flatMap(Self.recentPosition)
        var listed: [(card: MemberCard, connectedAt: Date?)] = []
        var last: Connection?
        // Rows read but not yet looked at, and whether storage holds none after them. Each read asks for one row more
        // than needed, so that a full page usually knows whether another follows without a second read.
        var buffered: ArraySlice<Connection> = []
        var exhausted = false
        /// The next `count` rows that may be shown, with their cards (fewer where some are skipped).
        func window(_ count: Int) async throws -> [(row: Connection, card: MemberCard)] {
            if buffered.count < count && !exhausted {
                let wanted = count - buffered.count + 1
                let fetched = try await rows(position, wanted)
                exhausted = fetched.count < wanted
                if let last = fetched.last { position = (last.connectedAt, last.other) }
                buffered += fetched
            }
            let taken = buffered.prefix(count)
            buffered = buffered.dropFirst(taken.count)
            let visible = taken.filter { !blocked.contains($0.other) }
            let cards = try await storage.memberCards(ids: visible.map(\.other))
            return MemberCard.paired(visible, id: \.other, with: cards).map { ($0.item, $0.card) }
        }
        var done: Bool { buffered.isEmpty && exhausted }
        while listed.count < limit && !done {
            for (row, card) in try await window(limit - listed.count) {
                listed.append((card, row.connectedAt))
                last = row
            }
        }
        // More may follow when rows remain; a last page that happens to be full names a cursor that finds nothing,
        // as `Page.slice` would not, so look ahead for a member who would be shown: the row read ahead first.
        var more = false
        if listed.count == limit {
            var ahead = 1
            while !more && !done {
                more = !(try await window(ahead)).isEmpty
                ahead = limit
            }
        }
        return (entries(listed, viewer: viewer), more ? last.map { Page.encode(Self.recentKey($0.connectedAt, $0.other)) } : nil)
    }

    /// The time and member a `recentKey` names.
    static func recentPosition(_ key: String) -> (connectedAt: Date, other: MemberID)? {
        let parts = key.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let inverted = Int64(parts[0]) else { return nil }
        let millis = 100_000_000_000_000 - inverted
        return (Date(timeIntervalSince1970: Double(millis) / 1000), MemberID(String(parts[1])))
    }

    /// Connection entries with each person's degree and mutual count, for a page.
    private func entries(_ listed: [(card: MemberCard, connectedAt: Date?)], viewer: MemberID) -> [ConnectionEntry] {
        let ids = listed.map(\.card.id)
        let answers = graph.summaries(from: viewer, to: ids)
        return listed.indices.map { index in
            ConnectionEntry(
                person: PersonSummary(card: listed[index].card, degree: answers[index].degree, mutualConnectionCount: answers[index].mutualCount),
                connectedAt: listed[index].connectedAt)
        }
    }

    /// Mutual connections the viewer may be shown: each is the viewer's own connection, and the edge to
    /// `member` is disclosed only when that connection's list (or `member`'s) is visible to the viewer.
    /// By name; with `limit`, the first so many (a profile page shows a few). Without `counted`, each person's own
    /// mutual count is left at 0 (`summaries`).
    public func mutualConnections(with member: MemberID, viewer: MemberID, limit: Int = .max, counted: Bool = true) async throws -> [PersonSummary] {
        try await requireVisible(member, to: viewer)
        guard member != viewer else { return [] }
        let listVisible = maySeeList(of: member, viewer: viewer)
        let all = graph.mutualConnections(viewer, member)
        let mutual = listVisible ? all : graph.withoutHiddenLists(all)
        return try await summaries(mutual, for: .member(viewer, .member), limit: limit, byName: true, counted: counted)
    }

    // MARK: Paths

    public struct Paths: Sendable {
        public var degree: Degree
        /// Each path names only the viewer's own connection who leads there.
        public var via: [PersonSummary]

        public init(degree: Degree, via: [PersonSummary]) {
            self.degree = degree
            self.via = via
        }
    }

    /// With `limit`, only the first so many of those who lead there (a profile page shows a few). Without `counted`, each
    /// person's own mutual count is left at 0 (`summaries`).
    public func paths(to target: MemberID, viewer: MemberID, limit: Int = .max, counted: Bool = true) async throws -> Paths {
        try await requireVisible(target, to: viewer)
        let (degree, via) = graph.introducers(from: viewer, to: target)
        var shown = via
        if degree == .second {
            // Naming a mutual connection discloses their tie to the target.
            shown = graph.withoutHiddenLists(via)
        }
        return Paths(degree: degree, via: try await summaries(shown, for: .member(viewer, .member), limit: limit, counted: counted))
    }

    // MARK: People you may know

    public struct Reason: Hashable, Sendable {
        public enum Kind: String, Sendable {
            case mutualConnections
            case sameCompany
            case sameSchool
            /// The member is in the viewer's contacts (an imported connection or a business card).
            case contact
        }

        public var kind: Kind
        public var count: Int?
        public var company: CompanyRef?
        public var school: String?

        public init(kind: Kind, count: Int? = nil, company: CompanyRef? = nil, school: String? = nil) {
            self.kind = kind
            self.count = count
            self.company = company
            self.school = school
        }
    }

    public struct Suggestion: Sendable {
        public var person: PersonSummary
        public var reasons: [Reason]

        public init(person: PersonSummary, reasons: [Reason]) {
            self.person = person
            self.reasons = reasons
        }
    }

    /// Triangle closing weighted by mutual count, plus shared employers with overlapping dates and
    /// shared schools; never connections, open invitations, blocked members, dismissed suggestions or oneself.
    public func suggestions(for viewer: MemberID, limit: Int) async throws -> [Suggestion] {
        if let retry = suggestionReads.count(viewer.rawValue, window: 60 * 60, limit: suggestionReadsPerHour, now: clock.now()) {
            throw DomainError(
                .rateLimited(retryAfterSeconds: retry), code: "rate_limited", message: "Too many requests for suggestions; try again later.")
        }
        let blocked = try await storage.blockedEitherWay(viewer)
        let dismissed = try await storage.dismissedSuggestions(viewer)
        let pending = try await storage.openInvitationPartners(viewer)
        let shared = try await storage.sharedAffiliations(of: viewer, limit: limit * 10)
        let contacts = try await storage.matchedContacts(of: [viewer])
        // The stamp is taken before the ranking is made: a change in between makes the next request's stamp differ.
        let inputs = graph.suggestionStamp(of: viewer).map {
            SuggestionRankings.Inputs(
                stamp: $0, limit: limit, blocked: blocked, dismissed: dismissed, pending: pending, shared: shared, contacts: contacts)
        }
        let best = suggestionRankings.ranking(of: viewer, inputs: inputs) {
            rankSuggestions(
                for: viewer, limit: limit, excluded: blocked.union(dismissed).union(pending), shared: shared, contacts: contacts)
        }
        let near = inputs.flatMap { suggestionRankings.near(of: viewer, inputs: $0) }
        let people = try await summaries(best.map(\.member), for: .member(viewer, .member), near: near ?? [:])
        if let inputs, near == nil {
            let second = people.filter { $0.degree == .second }.map { ($0.card.id, $0.mutualConnectionCount) }
            suggestionRankings.keep(near: Dictionary(second, uniquingKeysWith: { a, _ in a }), of: viewer, inputs: inputs)
        }
        // `people` keeps the ranking's order (some left out): each person's reasons are found by walking both.
        var ranked = best[...]
        return people.compactMap { person in
            while let first = ranked.first, first.member != person.card.id { ranked = ranked.dropFirst() }
            guard let reasons = ranked.popFirst()?.reasons else { return nil }
            let shown = reasons.filter { reason in
                switch reason.kind {
                case .mutualConnections, .contact: true
                case .sameCompany: Self.reveals(.positions, of: person)
                case .sameSchool: Self.reveals(.educations, of: person)
                }
            }
            return shown.isEmpty ? nil : Suggestion(person: person, reasons: shown)
        }
    }

    /// The viewer's suggestions best first, with every reason for each: the ranking `suggestions` keeps while its inputs
    /// stay as they were (`SuggestionRankings`).
    private func rankSuggestions(
        for viewer: MemberID, limit: Int, excluded: Set<MemberID>, shared: [SharedAffiliation], contacts: [ContactMatch]
    ) -> SuggestionRankings.Ranked {
        // Only a past or present colleague (whose time there overlapped the viewer's) or a fellow student is a reason.
        // Their places in `shared` are kept rather than copies of them. The graph is asked once for all of these
        // candidates (not the viewer's whole list put into a set: a recruiter's is tens of thousands long), and its
        // answer is read by position, not by hashing each id into a set and again to look it up.
        let reasonable = shared.indices.filter { shared[$0].kind == .school || (shared[$0].kind == .company && shared[$0].overlap) }
        var candidates = reasonable.map { shared[$0].member }
        candidates.append(contentsOf: contacts.lazy.map(\.member))
        let connected = graph.connected(to: viewer, among: candidates)
        func allowed(_ position: Int) -> Bool {
            !connected[position] && candidates[position] != viewer && !excluded.contains(candidates[position])
        }
        // Each candidate's place in `noted`, found by one lookup of their id per reason.
        var place: [MemberID: Int] = [:]
        var noted: [(member: MemberID, score: Double, reasons: [Reason])] = []
        func note(_ member: MemberID, _ points: Double, _ reason: Reason) {
            guard let index = place[member] else {
                place[member] = noted.count
                noted.append((member, points, [reason]))
                return
            }
            noted[index].score += points
            if !noted[index].reasons.contains(reason) { noted[index].reasons.append(reason) }
        }
        // Only through connections whose lists the viewer may see: a suggestion found through one who hides theirs
        // would name their connections one by one (dismiss, ask again, and so on through the whole list).
        // Triangle candidates are neither the viewer nor their connections already (and the graph is not asked again
        // while it answers).
        for candidate in graph.triangleCandidates(of: viewer, limit: limit * 3, excluded: { excluded.contains($0) }, disclosedOnly: true) {
            note(candidate.member, Double(candidate.mutualCount), Reason(kind: .mutualConnections, count: candidate.mutualCount))
        }
        for (position, index) in reasonable.enumerated() where allowed(position) {
            if shared[index].kind == .school {
                note(shared[index].member, 1, Reason(kind: .sameSchool, school: shared[index].organisationName))
            } else {
                let company = CompanyRef(id: shared[index].organisationID, name: shared[index].organisationName)
                note(shared[index].member, 2, Reason(kind: .sameCompany, company: company))
            }
        }
        // A card or an imported connection is someone the viewer already knows: the strongest single reason.
        for (offset, match) in contacts.enumerated() where allowed(reasonable.count + offset) {
            note(match.member, 3, Reason(kind: .contact))
        }
        return noted.sorted { ($0.score, $1.member.rawValue) > ($1.score, $0.member.rawValue) }.prefix(limit).map { ($0.member, $0.reasons) }
    }

    /// Dismissals a member may make in a day: far more than anyone clears by hand, too few to page through
    /// the network by dismissing.
    public static let dismissalsPerDay = 300
    /// Suggestion lists a member may ask for in an hour (counted per instance, like typeahead).

    public func dismissSuggestion(_ member: MemberID, viewer: MemberID) async throws {
        try await requireVisible(member, to: viewer)
        try await AttemptLimiter(store: storage, clock: clock).reserve(
            [("dismiss:day:\(viewer.rawValue)", Throttle(limit: Self.dismissalsPerDay, window: 24 * 60 * 60))],
            code: "dismiss_limit", message: { _ in "You have dismissed many suggestions today; try again tomorrow." })
        try await storage.dismissSuggestion(viewer, member, at: clock.now())
    }

    public func secondDegreeCount(of viewer: MemberID) -> Int { graph.secondDegreeCount(of: viewer) }

    public func connectionCount(of member: MemberID) -> Int { graph.connectionCount(of: member) }

    // MARK: Companies

    public struct CompanyPerson: Sendable {
        public var person: PersonSummary
        /// The viewer's connections who lead there (for 2nd and 3rd degree).
        public var via: [PersonSummary]
    }

    /// Members at the company (now or before), by degree, each with the viewer's connections who lead there.
    public func people(
        at companyID: String, current: Bool, degrees: Set<Degree>, viewer: MemberID, cursor: String?, limit: Int
    ) async throws -> (entries: [CompanyPerson], nextCursor: String?) {
        guard companyID.utf8.count <= 64, try await storage.companyExists(id: companyID) else {
            throw DomainError.notFound("Company")
        }
        let members = try await storage.membersAt(company: companyID, current: current).filter { $0 != viewer }
        let people = try await summaries(members, for: .member(viewer, .member))
            .filter { degrees.contains($0.degree) && Self.reveals(.positions, of: $0) }
        let page = Page.slice(
            people, key: { "\($0.degree.rawValue)|" + SearchFold.fold($0.card.name) + "|" + $0.card.id.rawValue }, cursor: cursor,
            limit: limit)
        var entries: [CompanyPerson] = []
        for person in page.entries {
            var via: [PersonSummary] = []
            if person.degree == .second || person.degree == .third {
                via = try await paths(to: person.card.id, viewer: viewer).via
            }
            entries.append(CompanyPerson(person: person, via: via))
        }
        return (entries, page.nextCursor)
    }

    public struct FormerColleague: Sendable {
        public var person: PersonSummary
        public var shared: [SharedAffiliation]
    }

    /// Members working at the company now who shared an employer (other than this one) or a school with the viewer.
    public func formerColleagues(at companyID: String, viewer: MemberID) async throws -> [FormerColleague] {
        guard companyID.utf8.count <= 64, try await storage.companyExists(id: companyID) else {
            throw DomainError.notFound("Company")
        }
        let there = Set(try await storage.membersAt(company: companyID, current: true))
        var shared: [MemberID: [SharedAffiliation]] = [:]
        var order: [MemberID] = []
        for affiliation in try await storage.sharedAffiliations(of: viewer, limit: 10_000)
        where there.contains(affiliation.member) && affiliation.organisationID != companyID {
            if shared[affiliation.member] == nil { order.append(affiliation.member) }
            shared[affiliation.member, default: []].append(affiliation)
        }
        // Working there now is their positions; what they share with the viewer is their positions or educations.
        let people = try await summaries(order, for: .member(viewer, .member)).filter { Self.reveals(.positions, of: $0) }
        return people.compactMap { person in
            let shown = (shared[person.card.id] ?? []).filter { Self.reveals($0, of: person) }
            return shown.isEmpty ? nil : FormerColleague(person: person, shared: shown)
        }
            .sorted { ($0.shared.contains(where: \.overlap) ? 0 : 1, $0.person.degree, $0.person.card.name) < ($1.shared.contains(where: \.overlap) ? 0 : 1, $1.person.degree, $1.person.card.name) }
    }

    public func companies(matching query: String, limit: Int) async throws -> [(company: Company, memberCount: Int)] {
        // The limit counts what was sent, white space included, as the API document's maxLength does.
        guard query.unicodeScalars.count <= 100 else { throw DomainError.invalid("too_long", "The query is too long.") }
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        // No company name holds a control character.
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return [] }
        return try await storage.companies(matching: trimmed, limit: limit)
    }

    // MARK: Introductions

    public static let introductionMessageLimit = 1_000

    /// Asks `via`, a connection of the viewer who leads to `target`, to introduce them.
    ///
    /// Whether `via` is connected to `target` may be hidden from the viewer (`via` hides their list), so the answer
    /// must not depend on it (PRODUCT.md: an error never tells more than success would). The whole request is
    /// checked first; then an introduction through a connection who does not lead there is accepted like any
    /// other and stored unroutable: it reaches no one, and the requester sees it pending, as they see a declined one.
    /// Only what the viewer knows anyway is refused: someone who is not their connection, or someone they are
    /// connected to already.
    public func requestIntroduction(to target: MemberID, via: MemberID, message raw: String, viewer: MemberID) async throws -> Introduction {
        let message = try TextRule.required(raw, field: "Message", limit: Self.introductionMessageLimit, multiline: true)
        try await requireVisible(target, to: viewer)
        try await requireVisible(via, to: viewer)
        guard graph.areConnected(viewer, via) else {
            throw DomainError.invalid("not_a_connection", "Ask one of your own connections for an introduction.")
        }
        guard target != viewer, !graph.areConnected(viewer, target) else {
            throw DomainError.invalid("no_path", "You are already connected to this member.")
        }
        let (degree, leaders) = graph.introducers(from: viewer, to: target)
        let leads = (degree == .second || degree == .third) && leaders.contains(via)
        let now = clock.now()
        var introduction = Introduction(
            id: OpaqueID.make(at: now), requester: viewer, via: via, target: target, message: message,
            status: leads ? .pending : .unroutable, forwardNote: nil, createdAt: now, updatedAt: now)
        try await storage.createIntroduction(introduction)
        await notifications?.record(.introductionRequested(introduction))
        introduction.status = introduction.status(seenBy: viewer)
        return introduction
    }

    /// The introduction as the viewer may know it; 404 for anyone but the three people involved.
    public func introduction(_ id: String, viewer: MemberID) async throws -> Introduction {
        guard id.utf8.count <= 64, var introduction = try await storage.introduction(id: id), introduction.isVisible(to: viewer) else {
            throw DomainError.notFound("Introduction")
        }
        introduction.status = introduction.status(seenBy: viewer)
        return introduction
    }

    public func introductions(viewer: MemberID) async throws -> [Introduction] {
        let blocked = try await storage.blockedEitherWay(viewer)
        // A block between the viewer and anyone involved hides the introduction from the viewer.
        return try await storage.introductions(involving: viewer).filter {
            $0.isVisible(to: viewer) && !blocked.contains($0.requester) && !blocked.contains($0.via) && !blocked.contains($0.target)
        }.map {
            var introduction = $0
            introduction.status = $0.status(seenBy: viewer)
            return introduction
        }
    }

    /// The intermediary passes the request on to the target with a note: a conversation of the three opens, holding
    /// the requester's message and the note. Returns the introduction with its conversation.
    @discardableResult
    public func forward(_ id: String, note raw: String?, viewer: MemberID) async throws -> Introduction {
        let introduction = try await introduction(id, viewer: viewer)
        guard introduction.via == viewer else {
            throw DomainError(.forbidden, code: "not_intermediary", message: "Only the member asked can forward it.")
        }
        guard introduction.status == .pending else {
            throw DomainError(.conflict, code: "introduction_closed", message: "This introduction was already answered.")
        }
        let note = try TextRule.optional(raw, field: "Note", limit: Self.introductionMessageLimit, multiline: true)
        if try await storage.blockedEitherWay(introduction.requester).contains(introduction.target) {
            // One of them blocked the other since: it can no longer reach the target. Nobody is told why.
            try await storage.setIntroductionStatus(id: id, .declined, note: nil, at: clock.now())
            throw DomainError(.conflict, code: "introduction_closed", message: "This introduction can no longer be forwarded.")
        }
        let now = clock.now()
        let conversation = Conversation(
            id: OpaqueID.make(at: now), kind: .introduction, creator: viewer,
            participants: [introduction.requester, viewer, introduction.target], pairKey: nil, createdAt: now, updatedAt: now)
        var messages = [
            Message(
                id: OpaqueID.make(at: now), conversationID: conversation.id, sender: introduction.requester, text: introduction.message,
                sentAt: now)
        ]
        if let note {
            // A millisecond later, so that the note sorts after the request.
            messages.append(
                Message(id: OpaqueID.make(at: now.addingTimeInterval(0.001)), conversationID: conversation.id, sender: viewer, text: note, sentAt: now))
        }
        guard try await storage.forwardIntroduction(id: id, note: note, at: now, conversation: conversation, messages: messages) else {
            throw DomainError(.conflict, code: "introduction_closed", message: "This introduction was already answered.")
        }
        var forwarded = introduction
        forwarded.status = .forwarded
        forwarded.forwardNote = note
        forwarded.conversationID = conversation.id
        await notifications?.record(.introductionForwarded(forwarded))
        if let last = messages.last {
            await events?.publish(.message(conversation: conversation.id, message: last.id, recipients: conversation.participants))
        }
        return forwarded
    }

    /// Declines silently: the requester keeps seeing it pending.
    public func decline(_ id: String, viewer: MemberID) async throws {
        let introduction = try await introduction(id, viewer: viewer)
        guard introduction.via == viewer else {
            throw DomainError(.forbidden, code: "not_intermediary", message: "Only the member asked can decline it.")
        }
        guard introduction.status == .pending else {
            throw DomainError(.conflict, code: "introduction_closed", message: "This introduction was already answered.")
        }
        try await storage.setIntroductionStatus(id: id, .declined, note: nil, at: clock.now())
        await notifications?.record(.introductionDeclined(introduction))
    }
}

/// Folding for simple in-memory filters: NFKC, case and width folded.
public enum SearchFold {
    public static func fold(_ text: String) -> String { Folding.nfkcLowercased(text) }
}

/// Keyset pagination over an in-memory list: the cursor is the last key of the previous page.
public enum Page {
    public static func slice<T>(_ items: [T], key: (T) -> String, cursor: String?, limit: Int) -> (entries: [T], nextCursor: String?) {
        let keyed = items.map { (key($0), $0) }.sorted { $0.0 < $1.0 }
        let after = cursor.flatMap(decode)
        let rest = after.map { last in keyed.drop { $0.0 <= last } } ?? keyed[...]
        let page = Array(rest.prefix(limit))
        let next = rest.count > limit ? page.last.map { encode($0.0) } : nil
        return (page.map(\.1), next)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The key as base64url without padding, written byte by byte (Foundation's string replacing, three times, was a
    /// fortieth of a list's time).
    public static func encode(_ key: String) -> String { base64URL(Array(key.utf8)) }

    /// Bytes as base64url without padding.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0...count { out.append(alphabet[Int(group >> (18 - 6 * UInt32(position)) & 0x3F)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The key a cursor names: base64url (or base64) with or without its padding at the end; nil when it is none, or
    /// not UTF-8. Stricter than Foundation's reading, which passes over `=` anywhere: what this reads, it reads alike.
    public static func decode(_ cursor: String) -> String? {
        var values: [UInt8] = []
        values.reserveCapacity(cursor.utf8.count)
        var padding = 0
        for byte in cursor.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: return nil
            }
            // Nothing after the padding.
            guard padding == 0 else { return nil }
            values.append(value)
        }
        // A last group holds at least two characters (one byte); padding, when written, at most two.
        guard values.count % 4 != 1, padding <= 2, !values.isEmpty || padding == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let count = min(4, values.count - index)
            var group: UInt32 = 0
            for position in 0..<4 { group = group << 6 | (position < count ? UInt32(values[index + position]) : 0) }
            for position in 0..<(count - 1) { bytes.append(UInt8(truncatingIfNeeded: group >> (16 - 8 * UInt32(position)))) }
            index += 4
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
