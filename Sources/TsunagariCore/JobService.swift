import Foundation

/// What a job posting asks for, as the poster wrote it (validated by `JobService`).
public struct JobDraft: Sendable {
    /// A company id or name.
    public var company: String
    public var title: String
    public var location: String
    public var workplace: Workplace
    public var employmentType: EmploymentType
    public var description: String
    public var skills: [String]
    public var salary: Salary?

    public init(
        company: String, title: String, location: String, workplace: Workplace, employmentType: EmploymentType, description: String,
        skills: [String] = [], salary: Salary? = nil
    ) {
        self.company = company
        self.title = title
        self.location = location
        self.workplace = workplace
        self.employmentType = employmentType
        self.description = description
        self.skills = skills
        self.salary = salary
    }
}

/// A change to a job: each field present replaces the old (`salary: .some(nil)` removes it).
public struct JobPatch: Sendable {
    public var title: String?
    public var location: String?
    public var workplace: Workplace?
    public var employmentType: EmploymentType?
    public var description: String?
    public var skills: [String]?
    public var salary: Salary??
    public var status: JobStatus?

    public init() {}
}

/// Jobs, applications and referrals. Who may see and do what is decided here, once: any member sees an open or closed
/// job (never one whose poster blocked them or whom they blocked); only a member at the company posts for it; only the
/// poster changes it and sees its applicants; an application is known to the applicant and the poster alone; a
/// referral is asked of a connection who works there now, and a declined one looks pending to the requester.
public struct JobService: Sendable {
    public typealias Store = JobStore & NetworkStore & NotificationStore & MessagingStore & PostStore & Storage

    let storage: any Store
    let graph: any ConnectionGraph
    let search: any JobSearching
    let employers: any EmployerDirectory
    let network: NetworkService
    let notifications: NotificationService?
    let clock: any Clock
    let limits: JobLimits

    /// Like people search, a query yields at most this many results.
    public static let maximumResults = 1_000
    /// How many of the people you know at the company a job page names.
    public static let peopleYouKnowShown = 20
    /// How many suggestions "jobs you may be interested in" shows.
    public static let suggestionCount = 10

    public init(
        storage: any Store, graph: any ConnectionGraph, search: any JobSearching, employers: any EmployerDirectory, network: NetworkService,
        notifications: NotificationService?, clock: any Clock, limits: JobLimits = .standard
    ) {
        self.storage = storage
        self.graph = graph
        self.search = search
        self.employers = employers
        self.network = network
        self.notifications = notifications
        self.clock = clock
        self.limits = limits
    }

    /// A job as one viewer sees it.
    public struct View: Sendable {
        public var job: Job
        public var poster: PersonSummary
        /// For the poster only.
        public var applicantCount: Int?
        /// The viewer's connections at the company (1st degree first), then 2nd-degree members with the connections who
        /// lead to them.
        public var peopleYouKnow: [NetworkService.CompanyPerson]
        /// The viewer's own application, if any.
        public var application: JobApplication?
        /// The viewer's referral requests for this job, as the viewer may see them.
        public var referralRequests: [ReferralRequest]
    }

    public struct Hit: Sendable {
        public var job: Job
        public var poster: PersonSummary
        public var peopleYouKnowCount: Int
        public var score: Double
    }

    public struct Facets: Sendable {
        public var companies: [SearchFacets.Value] = []
        public var locations: [SearchFacets.Value] = []
        public var workplaces: [SearchFacets.Value] = []
        public var employmentTypes: [SearchFacets.Value] = []

        public init(
            companies: [SearchFacets.Value] = [], locations: [SearchFacets.Value] = [], workplaces: [SearchFacets.Value] = [],
            employmentTypes: [SearchFacets.Value] = []
        ) {
            self.companies = companies
            self.locations = locations
            self.workplaces = workplaces
            self.employmentTypes = employmentTypes
        }
    }

    public struct Applicant: Sendable {
        public var application: JobApplication
        public var member: PersonSummary
        public var referredBy: [PersonSummary]
    }

    public struct ReferralView: Sendable {
        public var request: ReferralRequest
        public var job: Job
        public var requester: PersonSummary
        public var via: PersonSummary
        /// As the viewer may see it (declined looks pending to the requester).
        public var status: ReferralStatus
    }

    // MARK: Posting

    private func reserve(_ kind: String, limit: Int, viewer: MemberID) async throws {
        _ = try await AttemptLimiter(store: storage, clock: clock).reserve(
            [("\(kind):day:\(viewer.rawValue)", Throttle(limit: limit, window: 24 * 60 * 60))], code: "rate_limited",
            message: { "You have reached today's limit. Try again in \($0) seconds." })
    }

    static func skills(_ raw: [String]) throws -> [String] {
        guard raw.count <= JobText.skillCount else {
            throw DomainError.invalid("too_many_skills", "A job lists at most \(JobText.skillCount) skills.")
        }
        var seen: Set<String> = []
        var skills: [String] = []
        for value in raw {
            guard let skill = try TextRule.clean(value, field: "Skill", limit: JobText.skillLength) else { continue }
            if seen.insert(SearchFold.fold(skill)).inserted { skills.append(skill) }
        }
        return skills
    }

    static func salary(_ salary: Salary?) throws -> Salary? {
        guard var salary else { return nil }
        guard salary.min >= 0, salary.max >= 0, salary.min <= Salary.maximumAmount, salary.max <= Salary.maximumAmount else {
            throw DomainError.invalid("bad_salary", "Salary amounts are whole numbers from 0 to \(Salary.maximumAmount).")
        }
        guard salary.min <= salary.max else { throw DomainError.invalid("bad_salary", "The salary's min must not exceed its max.") }
        let currency = salary.currency.uppercased()
        guard currency.count == 3, currency.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) else {
            throw DomainError.invalid("bad_currency", "currency is a three-letter ISO 4217 code such as JPY or USD.")
        }
        salary.currency = currency
        return salary
    }

    /// The company among the viewer's current positions that `raw` names (by id, or by name normalised as company names
    /// are); 403 `not_at_company` when none does.
    func posterCompany(_ raw: String, viewer: MemberID) async throws -> CompanyRef {
        let value = try TextRule.required(raw, field: "company", limit: JobText.companyLength)
        guard let profile = try await storage.profile(id: viewer) else { throw DomainError.unauthenticated }
        let key = CompanyName.key(value)
        for position in profile.currentPositions
        where position.company.id == value || CompanyName.key(position.company.name) == key || CompanyName.key(position.companyNameAsWritten) == key {
            return position.company
        }
        throw DomainError(.forbidden, code: "not_at_company", message: "You can post jobs only for a company where you work now.")
    }

    public func post(_ draft: JobDraft, viewer: MemberID) async throws -> View {
        let title = try TextRule.required(draft.title, field: "title", limit: JobText.titleLength)
        let location = try TextRule.required(draft.location, field: "location", limit: JobText.locationLength)
        let description = try TextRule.required(draft.description, field: "description", limit: JobText.descriptionLength, multiline: true)
        let skills = try Self.skills(draft.skills)
        let salary = try Self.salary(draft.salary)
        let company = try await posterCompany(draft.company, viewer: viewer)
        try await reserve("jobs", limit: limits.postsPerDay, viewer: viewer)
        let now = clock.now()
        let job = Job(
            id: OpaqueID.make(at: now), company: company, poster: viewer, title: title, location: location, workplace: draft.workplace,
            employmentType: draft.employmentType, description: description, skills: skills, salary: salary, createdAt: now)
        try await storage.createJob(job)
        search.index([job])
        return try await view(job, viewer: viewer)
    }

    public func edit(_ id: String, _ patch: JobPatch, viewer: MemberID) async throws -> View {
        var job = try await visibleJob(id, viewer: viewer)
        guard job.poster == viewer else {
            throw DomainError(.forbidden, code: "not_poster", message: "Only the member who posted a job can change it.")
        }
        if let title = patch.title { job.title = try TextRule.required(title, field: "title", limit: JobText.titleLength) }
        if let location = patch.location { job.location = try TextRule.required(location, field: "location", limit: JobText.locationLength) }
        if let description = patch.description {
            job.description = try TextRule.required(description, field: "description", limit: JobText.descriptionLength, multiline: true)
        }
        if let workplace = patch.workplace { job.workplace = workplace }
        if let type = patch.employmentType { job.employmentType = type }
        if let skills = patch.skills { job.skills = try Self.skills(skills) }
        if let salary = patch.salary { job.salary = try Self.salary(salary) }
        if let status = patch.status { job.status = status }
        guard let stored = try await storage.updateJob(job, at: clock.now()) else { throw DomainError.notFound("Job") }
        reindex(stored)
        return try await view(stored, viewer: viewer)
    }

    func reindex(_ job: Job) {
        if job.status == .open { search.index([job]) } else { search.remove(job.id) }
    }

    // MARK: Reading

    /// The job, unless its poster and the viewer are blocked either way (404, as if it did not exist).
    func visibleJob(_ id: String, viewer: MemberID) async throws -> Job {
        guard OpaqueID.isWellFormed(id), let job = try await storage.job(id: id),
            !(try await storage.blockedEitherWay(viewer)).contains(job.poster)
        else { throw DomainError.notFound("Job") }
        return job
    }

    /// The viewer's own job, for the poster's pages (its edit form, its applicants); 404 for anyone else's.
    public func postedJob(_ id: String, viewer: MemberID) async throws -> Job {
        let job = try await visibleJob(id, viewer: viewer)
        guard job.poster == viewer else { throw DomainError.notFound("Job") }
        return job
    }

    public func get(_ id: String, viewer: MemberID) async throws -> View {
        try await view(try await visibleJob(id, viewer: viewer), viewer: viewer)
    }

    func view(_ job: Job, viewer: MemberID) async throws -> View {
        guard let poster = try await network.summary(job.poster, for: .member(viewer, .member)) else { throw DomainError.notFound("Job") }
        let count = job.poster == viewer ? try await storage.applicantCounts(jobs: [job.id])[job.id] ?? 0 : nil
        let known = try await network.people(
            at: job.company.id, current: true, degrees: [.first, .second], viewer: viewer, cursor: nil, limit: Self.peopleYouKnowShown
        ).entries
        let requests = try await storage.referralRequests(involving: viewer).filter { $0.jobID == job.id && $0.requester == viewer }
            .map { request -> ReferralRequest in
                var shown = request
                shown.status = request.status(as: viewer)
                return shown
            }
        return View(
            job: job, poster: poster, applicantCount: count, peopleYouKnow: known,
            application: try await storage.application(job: job.id, member: viewer), referralRequests: requests)
    }

    /// Summaries for many jobs at once (hiring posts, notifications, lists), those the viewer may see.
    public func jobs(_ ids: [String], viewer: MemberID) async throws -> [String: Job] {
        guard !ids.isEmpty else { return [:] }
        let blocked = try await storage.blockedEitherWay(viewer)
        return Dictionary(
            try await storage.jobs(ids: ids).filter { !blocked.contains($0.poster) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The company's open jobs, newest first.
    public func companyJobs(_ companyID: String, viewer: MemberID, limit: Int = 100) async throws -> [Job] {
        guard companyID.utf8.count <= 64, try await storage.companyExists(id: companyID) else { throw DomainError.notFound("Company") }
        let blocked = try await storage.blockedEitherWay(viewer)
        return try await storage.openJobs(company: companyID, limit: limit).filter { !blocked.contains($0.poster) }
    }

    /// The viewer's own postings, newest first, each with its applicant count.
    public func postings(viewer: MemberID) async throws -> [(job: Job, applicants: Int)] {
        let jobs = try await storage.jobs(postedBy: viewer)
        let counts = try await storage.applicantCounts(jobs: jobs.map(\.id))
        return jobs.map { ($0, counts[$0.id] ?? 0) }
    }

    // MARK: Search

    /// For each company, how many of the viewer's connections work there now (as their profiles show everyone).
    public static func knownCounts(viewer: MemberID, graph: any ConnectionGraph, employers: any EmployerDirectory) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (_, companies) in employers.currentCompanies(of: graph.connections(of: viewer)) {
            for company in Set(companies) { counts[company, default: 0] += 1 }
        }
        return counts
    }

    public struct Ranked: Sendable {
        public var candidate: JobSearchCandidate
        public var known: Int
        public var score: Double
    }

    /// The index's candidates for the query and filters (at most `maximumResults`), each with how many of the viewer's
    /// connections work at its company, best first by `JobScore`. From memory only: no storage read. (Jobs of blocked
    /// posters are dropped when the page is loaded.)
    public static func rank(
        _ query: IndexQuery?, filters: JobFilters, viewer: MemberID, search: any JobSearching, graph: any ConnectionGraph,
        employers: any EmployerDirectory, now: Date
    ) throws -> [Ranked] {
        let candidates: [JobSearchCandidate]
        do {
            candidates = try search.search(query, filters: filters, limit: maximumResults)
        } catch {
            throw DomainError(.malformed, code: "too_complex", message: "The query asks for too much work; make it narrower.")
        }
        let known = knownCounts(viewer: viewer, graph: graph, employers: employers)
        return candidates.map { c in
            let count = known[c.companyID] ?? 0
            return Ranked(
                candidate: c, known: count, score: JobScore.score(relevance: c.relevance, known: count, ageDays: now.timeIntervalSince(c.createdAt) / 86_400))
        }
        .sorted { ($0.score, $1.candidate.jobID) > ($1.score, $0.candidate.jobID) }
    }

    func rank(_ query: IndexQuery?, filters: JobFilters, viewer: MemberID) throws -> [Ranked] {
        try Self.rank(query, filters: filters, viewer: viewer, search: search, graph: graph, employers: employers, now: clock.now())
    }

    /// Loads the jobs of a page of ranked candidates (one query for the jobs, one for the posters' cards).
    func hits(_ ranked: [Ranked], viewer: MemberID) async throws -> [Hit] {
        let jobs = try await self.jobs(ranked.map(\.candidate.jobID), viewer: viewer)
        let posters = Dictionary(
            try await network.summaries(Array(Set(jobs.values.map(\.poster))), for: .member(viewer, .member)).map { ($0.card.id, $0) },
            uniquingKeysWith: { a, _ in a })
        return ranked.compactMap { r in
            guard let job = jobs[r.candidate.jobID], job.status == .open, let poster = posters[job.poster] else { return nil }
            return Hit(job: job, poster: poster, peopleYouKnowCount: r.known, score: r.score)
        }
    }

    /// Open jobs matching the query (nil: all) and filters, best first: relevance blended with recency and how many
    /// people the viewer knows at the company (`JobScore`); the jobs of one page are loaded. Counts against the viewer's
    /// daily cap.
    public func searchPage(
        _ query: IndexQuery?, filters: JobFilters, viewer: MemberID, offset: Int, limit: Int
    ) async throws -> (hits: [Hit], total: Int, facets: Facets) {
        try await reserve("jobsearch", limit: limits.searchesPerDay, viewer: viewer)
        let ranked = try rank(query, filters: filters, viewer: viewer)
        let page = Array(ranked.dropFirst(offset).prefix(limit))
        return (try await hits(page, viewer: viewer), ranked.count, Self.facets(ranked.map(\.candidate)))
    }

    static func facets(_ candidates: [JobSearchCandidate]) -> Facets {
        func top(_ counts: [String: (label: String, count: Int)], all: Bool = false) -> [SearchFacets.Value] {
            let values = counts.map { SearchFacets.Value(value: $0.key, label: $0.value.label, count: $0.value.count) }
                .sorted { ($1.count, $0.label) < ($0.count, $1.label) }
            return all ? values : Array(values.prefix(PeopleSearchService.facetValues))
        }
        var companies: [String: (label: String, count: Int)] = [:]
        var locations: [String: (label: String, count: Int)] = [:]
        var workplaces: [String: (label: String, count: Int)] = [:]
        var types: [String: (label: String, count: Int)] = [:]
        for c in candidates {
            companies[c.companyID, default: (c.companyName, 0)].count += 1
            let key = SearchFold.fold(c.location).trimmingCharacters(in: .whitespaces)
            if !key.isEmpty { locations[key, default: (c.location, 0)].count += 1 }
            workplaces[c.workplace.rawValue, default: (c.workplace.rawValue, 0)].count += 1
            types[c.employmentType.rawValue, default: (c.employmentType.rawValue, 0)].count += 1
        }
        return Facets(companies: top(companies), locations: top(locations), workplaces: top(workplaces, all: true), employmentTypes: top(types, all: true))
    }

    /// "Jobs you may be interested in", for a member open to work: open jobs matching the titles of their current (or
    /// latest) positions, those near where they live or remote first; none they posted or applied to.
    public func suggestions(viewer: MemberID) async throws -> [Hit] {
        guard let profile = try await storage.profile(id: viewer), profile.settings.openToWork.enabled else { return [] }
        let latest = profile.currentPositions.isEmpty ? Array(profile.positions.prefix(1)) : profile.currentPositions
        let titles = latest.map { search.analyse($0.title) }.filter { !$0.isEmpty }
        guard !titles.isEmpty else { return [] }
        // Any title's words, all of them, anywhere in the job.
        let query = IndexQuery.or(titles.map { words in .and(words.map { .sequence([$0], column: nil) }) })
        var ranked = try rank(query, filters: JobFilters(), viewer: viewer)
        let home = Set(search.analyse(profile.fields.location ?? ""))
        for index in ranked.indices {
            let place = Set(search.analyse(ranked[index].candidate.location))
            if ranked[index].candidate.workplace == .remote || !home.isDisjoint(with: place) { ranked[index].score *= 2 }
        }
        ranked.sort { ($0.score, $1.candidate.jobID) > ($1.score, $0.candidate.jobID) }
        return try await firstToOffer(ranked, viewer: viewer)
    }

    /// What the jobs page shows before any search when there are no suggestions (the member is not open to work, or
    /// nothing fits their title): open jobs ranked as a search without words ranks them, newest and where the viewer
    /// knows people first, without the viewer's own or those they applied to. Not counted against the search caps.
    public func recommended(viewer: MemberID) async throws -> [Hit] {
        try await firstToOffer(try rank(nil, filters: JobFilters(), viewer: viewer), viewer: viewer)
    }

    /// The first `suggestionCount` of `ranked` worth offering: open, visible, not the viewer's own, not applied to.
    private func firstToOffer(_ ranked: [Ranked], viewer: MemberID) async throws -> [Hit] {
        let applied = Set(try await storage.applications(of: viewer).map(\.jobID))
        let hits = try await self.hits(Array(ranked.prefix(Self.suggestionCount * 3)), viewer: viewer)
        return Array(hits.filter { $0.job.poster != viewer && !applied.contains($0.job.id) }.prefix(Self.suggestionCount))
    }

    /// The open jobs a saved job search finds (nil query: every job matching the filters), those posted at or after
    /// `since` when given, without counting against the caps; none by a poster either side blocked.
    public func matches(_ query: IndexQuery?, filters: JobFilters, viewer: MemberID, since: Date?) async throws -> [String] {
        var filters = filters
        filters.postedSince = since
        let ranked = try rank(query, filters: filters, viewer: viewer)
        let visible = try await jobs(ranked.map(\.candidate.jobID), viewer: viewer)
        return ranked.map(\.candidate.jobID).filter { visible[$0].map { $0.poster != viewer && $0.status == .open } ?? false }
    }

    // MARK: Applications

    public func apply(_ id: String, note raw: String?, viewer: MemberID) async throws -> (application: JobApplication, job: Job) {
        let job = try await visibleJob(id, viewer: viewer)
        let note = try TextRule.optional(raw, field: "note", limit: JobText.noteLength, multiline: true)
        guard job.poster != viewer else { throw DomainError.invalid("own_job", "You cannot apply to a job you posted.") }
        guard job.status == .open else { throw Self.closedError }
        try await reserve("applications", limit: limits.applicationsPerDay, viewer: viewer)
        let now = clock.now()
        switch try await storage.apply(JobApplication(id: OpaqueID.make(at: now), jobID: job.id, member: viewer, note: note, appliedAt: now)) {
        case .applied(let application):
            await notifications?.record(.appliedToJob(poster: job.poster, applicant: viewer, job: job.id, title: job.title))
            return (application, job)
        case .alreadyApplied:
            throw DomainError(.conflict, code: "already_applied", message: "You have already applied to this job.")
        case .closed:
            throw Self.closedError
        case .missing:
            throw DomainError.notFound("Job")
        }
    }

    static let closedError = DomainError(.conflict, code: "job_closed", message: "This job is closed and takes no more applications.")

    /// The job's applicants, for its poster only (404 for anyone else), oldest first, each with who referred them.
    public func applicants(_ id: String, viewer: MemberID) async throws -> [Applicant] {
        let job = try await postedJob(id, viewer: viewer)
        let applications = try await storage.applications(job: job.id)
        let referrers = try await storage.referrers(job: job.id)
        let everyone = Array(Set(applications.map(\.member) + referrers.values.flatMap { $0 }))
        let people = Dictionary(
            try await network.summaries(everyone, for: .member(viewer, .member)).map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
        return applications.compactMap { application in
            guard let member = people[application.member] else { return nil }
            return Applicant(application: application, member: member, referredBy: (referrers[application.member] ?? []).compactMap { people[$0] })
        }
    }

    /// The poster marks an application viewed or rejected. A rejection tells the applicant nothing until they look.
    public func setStatus(_ status: ApplicationStatus, application applicationID: String, job id: String, viewer: MemberID) async throws -> Applicant {
        let job = try await visibleJob(id, viewer: viewer)
        guard job.poster == viewer, OpaqueID.isWellFormed(applicationID), let application = try await storage.application(id: applicationID),
            application.jobID == job.id
        else { throw DomainError.notFound("Application") }
        guard status != .submitted else { throw DomainError.invalid("bad_status", "An application can be marked viewed or rejected.") }
        _ = try await storage.setApplicationStatus(id: application.id, status)
        guard let updated = try await applicants(job.id, viewer: viewer).first(where: { $0.application.id == application.id }) else {
            throw DomainError.notFound("Application")
        }
        return updated
    }

    /// The viewer's own applications, newest first, with their jobs.
    public func myApplications(viewer: MemberID) async throws -> [(application: JobApplication, job: Job)] {
        let applications = try await storage.applications(of: viewer)
        let jobs = Dictionary(try await storage.jobs(ids: applications.map(\.jobID)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return applications.compactMap { a in jobs[a.jobID].map { (a, $0) } }
    }

    // MARK: Referrals

    /// Asks `via`, a connection who works at the job's company now (as the viewer may see on their profile), to refer the
    /// viewer.
    public func requestReferral(_ id: String, via: MemberID, note raw: String?, viewer: MemberID) async throws -> ReferralView {
        let job = try await visibleJob(id, viewer: viewer)
        let note = try TextRule.optional(raw, field: "note", limit: JobText.noteLength, multiline: true)
        guard via != viewer, via.rawValue.utf8.count <= 64, graph.areConnected(viewer, via),
            let person = try await network.summary(via, for: .member(viewer, .member))
        else { throw DomainError.invalid("not_connected", "You can ask only your own connections for a referral.") }
        guard NetworkService.reveals(.positions, of: person), let profile = try await storage.profile(id: via),
            profile.currentPositions.contains(where: { $0.company.id == job.company.id })
        else { throw DomainError.invalid("not_at_company", "\(person.card.name) does not work at \(job.company.name) now.") }
        guard job.poster != viewer else { throw DomainError.invalid("own_job", "You cannot ask for a referral to a job you posted.") }
        guard job.status == .open else { throw Self.closedError }
        try await reserve("referrals", limit: limits.referralRequestsPerDay, viewer: viewer)
        let now = clock.now()
        let request = ReferralRequest(id: OpaqueID.make(at: now), jobID: job.id, requester: viewer, via: via, note: note, createdAt: now)
        guard try await storage.createReferralRequest(request) else {
            throw DomainError(.conflict, code: "already_requested", message: "You have already asked \(person.card.name) about this job.")
        }
        await notifications?.record(.referralRequested(referrer: via, by: viewer, job: job.id, title: job.title))
        guard let me = try await network.summary(viewer, for: .member(viewer, .member)) else { throw DomainError.unauthenticated }
        return ReferralView(request: request, job: job, requester: me, via: person, status: .pending)
    }

    /// The requests asked of the viewer and by the viewer, newest first.
    public func referralRequests(viewer: MemberID) async throws -> [ReferralView] {
        let requests = try await storage.referralRequests(involving: viewer)
        let jobs = try await self.jobs(Array(Set(requests.map(\.jobID))), viewer: viewer)
        let people = Dictionary(
            try await network.summaries(Array(Set(requests.flatMap { [$0.requester, $0.via] })), for: .member(viewer, .member))
                .map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
        return requests.compactMap { r in
            guard let job = jobs[r.jobID], let requester = people[r.requester], let via = people[r.via] else { return nil }
            return ReferralView(request: r, job: job, requester: requester, via: via, status: r.status(as: viewer))
        }
    }

    /// A request asked of the viewer; 404 for anyone else's.
    private func askedOfViewer(_ id: String, viewer: MemberID) async throws -> ReferralRequest {
        guard OpaqueID.isWellFormed(id), let request = try await storage.referralRequest(id: id), request.via == viewer,
            !(try await storage.blockedEitherWay(viewer)).contains(request.requester)
        else { throw DomainError.notFound("Referral request") }
        return request
    }

    /// The intermediary refers the requester: their application (made now if absent) carries the referral.
    public func acceptReferral(_ id: String, viewer: MemberID) async throws -> ReferralView {
        let request = try await askedOfViewer(id, viewer: viewer)
        let job = try await visibleJob(request.jobID, viewer: viewer)
        let now = clock.now()
        let application = JobApplication(id: OpaqueID.make(at: now), jobID: job.id, member: request.requester, note: request.note, appliedAt: now)
        switch try await storage.acceptReferral(id: request.id, application: application, at: now) {
        case .accepted(let made):
            if made.id == application.id {
                await notifications?.record(.appliedToJob(poster: job.poster, applicant: request.requester, job: job.id, title: job.title))
            }
            await notifications?.record(.referralGiven(candidate: request.requester, by: viewer, job: job.id, title: job.title))
        case .notPending:
            throw DomainError(.conflict, code: "already_answered", message: "This referral request has already been answered.")
        case .closed:
            throw Self.closedError
        case .missing:
            throw DomainError.notFound("Referral request")
        }
        guard let shown = try await referralRequests(viewer: viewer).first(where: { $0.request.id == request.id }) else {
            throw DomainError.notFound("Referral request")
        }
        return shown
    }

    /// Declines silently: the requester goes on seeing the request pending.
    public func declineReferral(_ id: String, viewer: MemberID) async throws {
        let request = try await askedOfViewer(id, viewer: viewer)
        guard try await storage.declineReferral(id: request.id, at: clock.now()) else {
            throw DomainError(.conflict, code: "already_answered", message: "This referral request has already been answered.")
        }
    }

    // MARK: The index

    /// Fills the job search index from storage (open jobs) and returns the change log's position read first, so that
    /// what changes meanwhile is replayed.
    public static func load(storage: any JobStore, search: any JobSearching) async throws -> Int64 {
        let sequence = try await storage.lastJobChange()
        var after: String?
        while true {
            let jobs = try await storage.openJobs(after: after, limit: 5_000)
            guard let last = jobs.last else { break }
            search.index(jobs)
            after = last.id
        }
        return sequence
    }

    /// Replays the job change log from where `cursor` stands (see `ChangeLogCursor`); returns how many changes it read.
    public func catchUp(_ cursor: inout ChangeLogCursor, now: Date) async throws -> Int {
        let changes = try await storage.jobChanges(after: cursor.applied, limit: 5_000)
        var ids: [String] = []
        for change in changes {
            guard cursor.admit(change.sequence, now: now) else { break }
            ids.append(change.jobID)
        }
        let late = cursor.lateSequences(now: now)
        if !late.isEmpty {
            for change in try await storage.jobChanges(sequences: late) {
                ids.append(change.jobID)
                cursor.found(change.sequence)
            }
        }
        guard !ids.isEmpty else { return changes.count }
        let unique = Array(Set(ids))
        let jobs = try await storage.jobs(ids: unique)
        for job in jobs { reindex(job) }
        let present = Set(jobs.map(\.id))
        for id in unique where !present.contains(id) { search.remove(id) }
        return changes.count
    }
}
