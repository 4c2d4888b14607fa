import Foundation

/// Where the work is done.
public enum Workplace: String, Sendable, CaseIterable {
    case onsite
    case hybrid
    case remote
}

public enum EmploymentType: String, Sendable, CaseIterable {
    case fullTime
    case partTime
    case contract
    case temporary
    case internship
}

public enum SalaryPeriod: String, Sendable, CaseIterable {
    case year
    case month
    case hour
}

/// A salary range: whole amounts in `currency` (ISO 4217, three capital letters) per `period`, 0 ≤ min ≤ max.
public struct Salary: Hashable, Sendable {
    public var min: Int64
    public var max: Int64
    public var currency: String
    public var period: SalaryPeriod

    public init(min: Int64, max: Int64, currency: String, period: SalaryPeriod) {
        self.min = min
        self.max = max
        self.currency = currency
        self.period = period
    }

    /// The largest amount accepted (above any real salary, far below overflow).
    public static let maximumAmount: Int64 = 1_000_000_000_000
}

public enum JobStatus: String, Sendable, CaseIterable {
    case open
    case closed
}

/// A job posting. `company` is resolved from the poster's current position, so it names a company page.
public struct Job: Hashable, Sendable {
    public var id: String
    public var company: CompanyRef
    public var poster: MemberID
    public var title: String
    public var location: String
    public var workplace: Workplace
    public var employmentType: EmploymentType
    public var description: String
    public var skills: [String]
    public var salary: Salary?
    public var status: JobStatus
    public var createdAt: Date
    public var updatedAt: Date
    /// Raised by every change (the search index keeps the newest).
    public var version: Int64

    public init(
        id: String, company: CompanyRef, poster: MemberID, title: String, location: String, workplace: Workplace,
        employmentType: EmploymentType, description: String, skills: [String] = [], salary: Salary? = nil, status: JobStatus = .open,
        createdAt: Date, updatedAt: Date? = nil, version: Int64 = 1
    ) {
        self.id = id
        self.company = company
        self.poster = poster
        self.title = title
        self.location = location
        self.workplace = workplace
        self.employmentType = employmentType
        self.description = description
        self.skills = skills
        self.salary = salary
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.version = version
    }
}

/// The lengths and counts a job may have.
public enum JobText {
    public static let titleLength = 200
    public static let locationLength = 200
    public static let descriptionLength = 20_000
    public static let skillLength = 80
    public static let skillCount = 50
    public static let noteLength = 2_000
    public static let companyLength = 200
}

/// Where an application stands. Only the poster moves it; a rejection is shown to the applicant gently and never
/// announced.
public enum ApplicationStatus: String, Sendable, CaseIterable {
    case submitted
    case viewed
    case rejected
}

public struct JobApplication: Hashable, Sendable {
    public var id: String
    public var jobID: String
    public var member: MemberID
    public var note: String?
    public var status: ApplicationStatus
    public var appliedAt: Date

    public init(id: String, jobID: String, member: MemberID, note: String?, status: ApplicationStatus = .submitted, appliedAt: Date) {
        self.id = id
        self.jobID = jobID
        self.member = member
        self.note = note
        self.status = status
        self.appliedAt = appliedAt
    }
}

/// A declined request looks pending to its requester (PRODUCT.md).
public enum ReferralStatus: String, Sendable, CaseIterable {
    case pending
    case accepted
    case declined
}

/// A seeker asks a connection who works at the hiring company to refer them for a job.
public struct ReferralRequest: Hashable, Sendable {
    public var id: String
    public var jobID: String
    public var requester: MemberID
    public var via: MemberID
    public var note: String?
    public var status: ReferralStatus
    public var createdAt: Date
    public var answeredAt: Date?

    public init(
        id: String, jobID: String, requester: MemberID, via: MemberID, note: String?, status: ReferralStatus = .pending, createdAt: Date,
        answeredAt: Date? = nil
    ) {
        self.id = id
        self.jobID = jobID
        self.requester = requester
        self.via = via
        self.note = note
        self.status = status
        self.createdAt = createdAt
        self.answeredAt = answeredAt
    }

    /// What the requester is shown: a declined request stays pending in their eyes.
    public func status(as viewer: MemberID) -> ReferralStatus {
        viewer == requester && status == .declined ? .pending : status
    }
}

/// One line of the job change log: the job was written or removed. Replaying re-reads it, so it is idempotent.
public struct JobChange: Hashable, Sendable {
    public var sequence: Int64
    public var jobID: String

    public init(sequence: Int64, jobID: String) {
        self.sequence = sequence
        self.jobID = jobID
    }
}

/// What came of applying (checked and written in one transaction).
public enum ApplyOutcome: Sendable, Equatable {
    case applied(JobApplication)
    case alreadyApplied
    case closed
    case missing
}

/// What came of accepting a referral request (one transaction: the request, and the application made if absent).
public enum AcceptOutcome: Sendable, Equatable {
    case accepted(JobApplication)
    case notPending
    case closed
    case missing
}

/// Storage of jobs, applications and referral requests. Each method is one transaction; every change to a job appends
/// to the job change log in the same transaction, so that every instance's job search index catches up.
public protocol JobStore: Sendable {
    func createJob(_ job: Job) async throws
    func job(id: String) async throws -> Job?
    /// Those that exist among `ids`, in no particular order.
    func jobs(ids: [String]) async throws -> [Job]
    /// Replaces the job's fields (not its id, company, poster or creation), raising its version; nil when it is gone.
    func updateJob(_ job: Job, at date: Date) async throws -> Job?
    /// Open jobs at the company, newest first.
    func openJobs(company: String, limit: Int) async throws -> [Job]
    /// The member's postings, newest first.
    func jobs(postedBy member: MemberID) async throws -> [Job]
    /// Every open job by id, those after `after`: pages through the index's source.
    func openJobs(after: String?, limit: Int) async throws -> [Job]
    func jobChanges(after sequence: Int64, limit: Int) async throws -> [JobChange]
    func jobChanges(sequences: [Int64]) async throws -> [JobChange]
    func lastJobChange() async throws -> Int64
    func pruneJobChanges(before date: Date) async throws

    /// Stores the application unless the job is gone or closed, or the member applied already.
    func apply(_ application: JobApplication) async throws -> ApplyOutcome
    func application(id: String) async throws -> JobApplication?
    func application(job: String, member: MemberID) async throws -> JobApplication?
    /// Oldest first.
    func applications(job: String) async throws -> [JobApplication]
    /// The member's own, newest first.
    func applications(of member: MemberID) async throws -> [JobApplication]
    /// How many applied to each of these jobs (jobs without any left out).
    func applicantCounts(jobs: [String]) async throws -> [String: Int]
    func setApplicationStatus(id: String, _ status: ApplicationStatus) async throws -> Bool

    /// Stores the request unless the same requester already asked the same member about the same job (false).
    func createReferralRequest(_ request: ReferralRequest) async throws -> Bool
    func referralRequest(id: String) async throws -> ReferralRequest?
    /// Those asked by or of the member, newest first.
    func referralRequests(involving member: MemberID) async throws -> [ReferralRequest]
    /// Accepts a pending request; the requester's application is made now (with `application`'s id, note and time)
    /// if absent and the job is open.
    func acceptReferral(id: String, application: JobApplication, at date: Date) async throws -> AcceptOutcome
    /// Declines a pending request; false when it was not pending.
    func declineReferral(id: String, at date: Date) async throws -> Bool
    /// For each applicant of the job, the members whose referral they accepted.
    func referrers(job: String) async throws -> [MemberID: [MemberID]]
}

/// The job search index in memory (`TsunagariSearch.JobSearchIndex`): open jobs only.
public protocol JobSearching: Sendable {
    func index(_ jobs: [Job])
    func remove(_ jobID: String)
    /// Open jobs matching the query (nil: every job) and the filters, best by relevance first, at most `limit`.
    func search(_ query: IndexQuery?, filters: JobFilters, limit: Int) throws -> [JobSearchCandidate]
    var count: Int { get }
    /// A text's terms as the index analyses it (words and CJK bigrams).
    func analyse(_ text: String) -> [String]
}

/// What narrows a job search.
public struct JobFilters: Hashable, Sendable {
    public var location: String?
    /// A company id or name (normalised as company names are).
    public var company: String?
    public var workplace: Workplace?
    public var employmentType: EmploymentType?
    /// Only jobs posted at or after this moment.
    public var postedSince: Date?

    public init(
        location: String? = nil, company: String? = nil, workplace: Workplace? = nil, employmentType: EmploymentType? = nil, postedSince: Date? = nil
    ) {
        self.location = location
        self.company = company
        self.workplace = workplace
        self.employmentType = employmentType
        self.postedSince = postedSince
    }
}

/// A job the index found, with what ranking and facets need (no storage read per candidate).
public struct JobSearchCandidate: Hashable, Sendable {
    public var jobID: String
    public var relevance: Double
    public var companyID: String
    public var companyName: String
    public var location: String
    public var workplace: Workplace
    public var employmentType: EmploymentType
    public var createdAt: Date

    public init(
        jobID: String, relevance: Double, companyID: String, companyName: String, location: String, workplace: Workplace,
        employmentType: EmploymentType, createdAt: Date
    ) {
        self.jobID = jobID
        self.relevance = relevance
        self.companyID = companyID
        self.companyName = companyName
        self.location = location
        self.workplace = workplace
        self.employmentType = employmentType
        self.createdAt = createdAt
    }
}

/// Where members work now, as search may name it (the positions shown to everyone who sees the profile), asked for a
/// whole list of members at once: `SearchEngine` answers from the people search index in memory.
public protocol EmployerDirectory: Sendable {
    /// For each member, the ids of the companies they work at now; members unknown are left out.
    func currentCompanies(of members: [MemberID]) -> [MemberID: [String]]
}

/// The job search's ranking, in one place (docs/ARCHITECTURE.md, "Jobs"):
///
///     score = (1 + relevance) × (1 + 0.5 × log2(1 + people you know there)) / (1 + age in days / 14)
///
/// so that a job at a company where the seeker knows three people outranks an equally relevant one where they know no
/// one, and a job a month old weighs a third of one posted today.
public enum JobScore {
    public static func score(relevance: Double, known: Int, ageDays: Double) -> Double {
        (1 + max(0, relevance)) * (1 + 0.5 * log2(1 + Double(max(0, known)))) / (1 + max(0, ageDays) / 14)
    }
}

/// Daily caps on what can be abused.
public struct JobLimits: Hashable, Sendable {
    public var postsPerDay: Int
    public var applicationsPerDay: Int
    public var referralRequestsPerDay: Int
    public var searchesPerDay: Int

    public init(postsPerDay: Int, applicationsPerDay: Int, referralRequestsPerDay: Int, searchesPerDay: Int) {
        self.postsPerDay = postsPerDay
        self.applicationsPerDay = applicationsPerDay
        self.referralRequestsPerDay = referralRequestsPerDay
        self.searchesPerDay = searchesPerDay
    }

    public static let standard = JobLimits(postsPerDay: 20, applicationsPerDay: 50, referralRequestsPerDay: 20, searchesPerDay: 1_000)
    public static let relaxed = JobLimits(postsPerDay: 100_000, applicationsPerDay: 100_000, referralRequestsPerDay: 100_000, searchesPerDay: 10_000_000)
}

extension JobFilters {
    /// The filters a saved job search keeps, as the search form writes them (`location=…&workplace=…`); "posted within"
    /// is not kept, since a saved search looks at what is new anyway.
    public var formEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let pairs: [(String, String?)] = [
            ("location", location), ("company", company), ("workplace", workplace?.rawValue), ("employmentType", employmentType?.rawValue),
        ]
        return pairs.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }

    public init(formEncoded: String) {
        self.init()
        for pair in formEncoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = parts[1].removingPercentEncoding, !value.isEmpty else { continue }
            switch parts[0] {
            case "location": location = value
            case "company": company = value
            case "workplace": workplace = Workplace(rawValue: value)
            case "employmentType": employmentType = EmploymentType(rawValue: value)
            default: continue
            }
        }
    }

    public var isEmpty: Bool { location == nil && company == nil && workplace == nil && employmentType == nil && postedSince == nil }
}
