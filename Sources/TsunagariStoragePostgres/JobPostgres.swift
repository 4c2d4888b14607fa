import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: JobStore {
    static let skillSeparator = "\u{1E}"

    static func logJobChanges(_ jobs: [String], _ c: PostgresConnection, _ logger: Logger) async throws {
        guard !jobs.isEmpty else { return }
        try await c.query(
            "INSERT INTO job_changes (job_id, at) SELECT unnest(\(jobs)::text[]), \(StoredTime.millis(Date()))", logger: logger)
    }

    static func job(_ row: PostgresRandomAccessRow) throws -> Job {
        let skills = try row["skills"].decode(String.self)
        var salary: Salary?
        if let min = try row["salary_min"].decode(Int64?.self), let max = try row["salary_max"].decode(Int64?.self),
            let currency = try row["salary_currency"].decode(String?.self),
            let period = try row["salary_period"].decode(String?.self).flatMap(SalaryPeriod.init(rawValue:))
        {
            salary = Salary(min: min, max: max, currency: currency, period: period)
        }
        return Job(
            id: try row["id"].decode(String.self),
            company: CompanyRef(id: try row["company_id"].decode(String.self), name: try row["company_name"].decode(String.self)),
            poster: MemberID(try row["poster_id"].decode(String.self)), title: try row["title"].decode(String.self),
            location: try row["location"].decode(String.self), workplace: Workplace(rawValue: try row["workplace"].decode(String.self)) ?? .onsite,
            employmentType: EmploymentType(rawValue: try row["employment_type"].decode(String.self)) ?? .fullTime,
            description: try row["description"].decode(String.self),
            skills: skills.isEmpty ? [] : skills.components(separatedBy: skillSeparator), salary: salary,
            status: JobStatus(rawValue: try row["status"].decode(String.self)) ?? .closed,
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)), updatedAt: StoredTime.date(try row["updated_at"].decode(Int64.self)),
            version: try row["version"].decode(Int64.self))
    }

    static func application(_ row: PostgresRandomAccessRow) throws -> JobApplication {
        JobApplication(
            id: try row["id"].decode(String.self), jobID: try row["job_id"].decode(String.self), member: MemberID(try row["member_id"].decode(String.self)),
            note: try row["note"].decode(String?.self), status: ApplicationStatus(rawValue: try row["status"].decode(String.self)) ?? .submitted,
            appliedAt: StoredTime.date(try row["applied_at"].decode(Int64.self)))
    }

    static func referral(_ row: PostgresRandomAccessRow) throws -> ReferralRequest {
        ReferralRequest(
            id: try row["id"].decode(String.self), jobID: try row["job_id"].decode(String.self),
            requester: MemberID(try row["requester_id"].decode(String.self)), via: MemberID(try row["via_id"].decode(String.self)),
            note: try row["note"].decode(String?.self), status: ReferralStatus(rawValue: try row["status"].decode(String.self)) ?? .pending,
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            answeredAt: try row["answered_at"].decode(Int64?.self).map(StoredTime.date))
    }

    public func createJob(_ job: Job) async throws {
        try await transaction { c in
            try await c.query(
                """
                INSERT INTO jobs (id, company_id, company_name, poster_id, title, location, workplace, employment_type, description, skills,
                  salary_min, salary_max, salary_currency, salary_period, status, created_at, updated_at, version)
                VALUES (\(job.id), \(job.company.id), \(job.company.name), \(job.poster.rawValue), \(job.title), \(job.location),
                  \(job.workplace.rawValue), \(job.employmentType.rawValue), \(job.description), \(job.skills.joined(separator: Self.skillSeparator)),
                  \(job.salary?.min), \(job.salary?.max), \(job.salary?.currency), \(job.salary?.period.rawValue), \(job.status.rawValue),
                  \(StoredTime.millis(job.createdAt)), \(StoredTime.millis(job.updatedAt)), 1)
                """, logger: self.logger)
            try await Self.logJobChanges([job.id], c, self.logger)
        }
    }

    public func job(id: String) async throws -> Job? {
        try await rows("SELECT * FROM jobs WHERE id = \(id)").first.map(Self.job)
    }

    public func jobs(ids: [String]) async throws -> [Job] {
        guard !ids.isEmpty else { return [] }
        return try await rows("SELECT * FROM jobs WHERE id = ANY(\(ids))").map(Self.job)
    }

    public func updateJob(_ job: Job, at date: Date) async throws -> Job? {
        try await transaction { c in
            guard
                let row = try await Self.collect(
                    """
                    UPDATE jobs SET title = \(job.title), location = \(job.location), workplace = \(job.workplace.rawValue),
                      employment_type = \(job.employmentType.rawValue), description = \(job.description),
                      skills = \(job.skills.joined(separator: Self.skillSeparator)), salary_min = \(job.salary?.min), salary_max = \(job.salary?.max),
                      salary_currency = \(job.salary?.currency), salary_period = \(job.salary?.period.rawValue), status = \(job.status.rawValue),
                      updated_at = \(StoredTime.millis(date)), version = version + 1
                    WHERE id = \(job.id) RETURNING *
                    """, c, self.logger
                ).first
            else { return nil }
            try await Self.logJobChanges([job.id], c, self.logger)
            return try Self.job(row)
        }
    }

    public func openJobs(company: String, limit: Int) async throws -> [Job] {
        try await rows(
            "SELECT * FROM jobs WHERE company_id = \(company) AND status = 'open' ORDER BY created_at DESC, id DESC LIMIT \(max(0, limit))"
        ).map(Self.job)
    }

    public func jobs(postedBy member: MemberID) async throws -> [Job] {
        try await rows("SELECT * FROM jobs WHERE poster_id = \(member.rawValue) ORDER BY created_at DESC, id DESC").map(Self.job)
    }

    public func openJobs(after: String?, limit: Int) async throws -> [Job] {
        try await rows("SELECT * FROM jobs WHERE id > \(after ?? "") AND status = 'open' ORDER BY id LIMIT \(max(0, limit))").map(Self.job)
    }

    public func jobChanges(after sequence: Int64, limit: Int) async throws -> [JobChange] {
        try await rows("SELECT seq, job_id FROM job_changes WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(0, limit))").map {
            JobChange(sequence: try $0["seq"].decode(Int64.self), jobID: try $0["job_id"].decode(String.self))
        }
    }

    public func jobChanges(sequences: [Int64]) async throws -> [JobChange] {
        guard !sequences.isEmpty else { return [] }
        return try await rows("SELECT seq, job_id FROM job_changes WHERE seq = ANY(\(sequences)) ORDER BY seq").map {
            JobChange(sequence: try $0["seq"].decode(Int64.self), jobID: try $0["job_id"].decode(String.self))
        }
    }

    public func lastJobChange() async throws -> Int64 {
        try await rows("SELECT COALESCE(MAX(seq), 0) AS n FROM job_changes").first?["n"].decode(Int64.self) ?? 0
    }

    public func pruneJobChanges(before date: Date) async throws {
        try await client.query("DELETE FROM job_changes WHERE at < \(StoredTime.millis(date))", logger: logger)
    }

    // MARK: Applications

    public func apply(_ application: JobApplication) async throws -> ApplyOutcome {
        try await transaction { c in
            // The job's row is held until commit, so that it cannot close meanwhile.
            guard let job = try await Self.collect("SELECT status FROM jobs WHERE id = \(application.jobID) FOR SHARE", c, self.logger).first else {
                return .missing
            }
            guard try job["status"].decode(String.self) == JobStatus.open.rawValue else { return .closed }
            let inserted = try await Self.collect(
                """
                INSERT INTO job_applications (id, job_id, member_id, note, status, applied_at)
                VALUES (\(application.id), \(application.jobID), \(application.member.rawValue), \(application.note), \(application.status.rawValue),
                  \(StoredTime.millis(application.appliedAt)))
                ON CONFLICT (job_id, member_id) DO NOTHING RETURNING id
                """, c, self.logger)
            return inserted.isEmpty ? .alreadyApplied : .applied(application)
        }
    }

    public func application(id: String) async throws -> JobApplication? {
        try await rows("SELECT * FROM job_applications WHERE id = \(id)").first.map(Self.application)
    }

    public func application(job: String, member: MemberID) async throws -> JobApplication? {
        try await rows("SELECT * FROM job_applications WHERE job_id = \(job) AND member_id = \(member.rawValue)").first.map(Self.application)
    }

    public func applications(job: String) async throws -> [JobApplication] {
        try await rows("SELECT * FROM job_applications WHERE job_id = \(job) ORDER BY applied_at, id").map(Self.application)
    }

    public func applications(of member: MemberID) async throws -> [JobApplication] {
        try await rows("SELECT * FROM job_applications WHERE member_id = \(member.rawValue) ORDER BY applied_at DESC, id DESC").map(Self.application)
    }

    public func applicantCounts(jobs: [String]) async throws -> [String: Int] {
        guard !jobs.isEmpty else { return [:] }
        var counts: [String: Int] = [:]
        for row in try await rows("SELECT job_id, COUNT(*) AS n FROM job_applications WHERE job_id = ANY(\(jobs)) GROUP BY job_id") {
            counts[try row["job_id"].decode(String.self)] = try row["n"].decode(Int.self)
        }
        return counts
    }

    public func setApplicationStatus(id: String, _ status: ApplicationStatus) async throws -> Bool {
        !(try await rows("UPDATE job_applications SET status = \(status.rawValue) WHERE id = \(id) RETURNING id").isEmpty)
    }

    // MARK: Referrals

    public func createReferralRequest(_ request: ReferralRequest) async throws -> Bool {
        !(try await rows(
            """
            INSERT INTO referral_requests (id, job_id, requester_id, via_id, note, status, created_at)
            VALUES (\(request.id), \(request.jobID), \(request.requester.rawValue), \(request.via.rawValue), \(request.note), \(request.status.rawValue),
              \(StoredTime.millis(request.createdAt)))
            ON CONFLICT (job_id, requester_id, via_id) DO NOTHING RETURNING id
            """
        ).isEmpty)
    }

    public func referralRequest(id: String) async throws -> ReferralRequest? {
        try await rows("SELECT * FROM referral_requests WHERE id = \(id)").first.map(Self.referral)
    }

    public func referralRequests(involving member: MemberID) async throws -> [ReferralRequest] {
        try await rows(
            """
            SELECT * FROM referral_requests WHERE requester_id = \(member.rawValue) OR via_id = \(member.rawValue)
            ORDER BY created_at DESC, id DESC
            """
        ).map(Self.referral)
    }

    public func acceptReferral(id: String, application: JobApplication, at date: Date) async throws -> AcceptOutcome {
        try await transaction { c in
            guard let row = try await Self.collect("SELECT * FROM referral_requests WHERE id = \(id) FOR UPDATE", c, self.logger).first else {
                return .missing
            }
            let request = try Self.referral(row)
            guard request.status == .pending else { return .notPending }
            var made: JobApplication
            if let existing = try await Self.collect(
                "SELECT * FROM job_applications WHERE job_id = \(request.jobID) AND member_id = \(request.requester.rawValue)", c, self.logger
            ).first {
                made = try Self.application(existing)
            } else {
                guard let job = try await Self.collect("SELECT status FROM jobs WHERE id = \(request.jobID) FOR SHARE", c, self.logger).first else {
                    return .missing
                }
                guard try job["status"].decode(String.self) == JobStatus.open.rawValue else { return .closed }
                made = application
                made.jobID = request.jobID
                made.member = request.requester
                let inserted = try await Self.collect(
                    """
                    INSERT INTO job_applications (id, job_id, member_id, note, status, applied_at)
                    VALUES (\(made.id), \(made.jobID), \(made.member.rawValue), \(made.note), \(made.status.rawValue), \(StoredTime.millis(made.appliedAt)))
                    ON CONFLICT (job_id, member_id) DO NOTHING RETURNING id
                    """, c, self.logger)
                if inserted.isEmpty, let raced = try await Self.collect(
                    "SELECT * FROM job_applications WHERE job_id = \(request.jobID) AND member_id = \(request.requester.rawValue)", c, self.logger
                ).first {
                    made = try Self.application(raced)
                }
            }
            try await c.query(
                "UPDATE referral_requests SET status = 'accepted', answered_at = \(StoredTime.millis(date)) WHERE id = \(id)", logger: self.logger)
            return .accepted(made)
        }
    }

    public func declineReferral(id: String, at date: Date) async throws -> Bool {
        !(try await rows(
            """
            UPDATE referral_requests SET status = 'declined', answered_at = \(StoredTime.millis(date)) WHERE id = \(id) AND status = 'pending'
            RETURNING id
            """
        ).isEmpty)
    }

    public func referrers(job: String) async throws -> [MemberID: [MemberID]] {
        var result: [MemberID: [MemberID]] = [:]
        for row in try await rows(
            "SELECT requester_id, via_id FROM referral_requests WHERE job_id = \(job) AND status = 'accepted' ORDER BY answered_at, id")
        {
            result[MemberID(try row["requester_id"].decode(String.self)), default: []].append(MemberID(try row["via_id"].decode(String.self)))
        }
        return result
    }
}
