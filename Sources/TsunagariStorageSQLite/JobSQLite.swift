import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: JobStore {
    static let skillSeparator = "\u{1E}"

    static func logJobChange(_ job: String, _ db: Database) throws {
        try db.execute(cached: "INSERT INTO job_changes (job_id, at) VALUES (?, ?)", arguments: [job, StoredTime.millis(Date())])
    }

    static func job(_ row: Row) -> Job {
        let skills: String = row["skills"]
        var salary: Salary?
        if let min: Int64 = row["salary_min"], let max: Int64 = row["salary_max"], let currency: String = row["salary_currency"],
            let period = (row["salary_period"] as String?).flatMap(SalaryPeriod.init(rawValue:))
        {
            salary = Salary(min: min, max: max, currency: currency, period: period)
        }
        return Job(
            id: row["id"], company: CompanyRef(id: row["company_id"], name: row["company_name"]), poster: MemberID(row["poster_id"]),
            title: row["title"], location: row["location"], workplace: Workplace(rawValue: row["workplace"]) ?? .onsite,
            employmentType: EmploymentType(rawValue: row["employment_type"]) ?? .fullTime, description: row["description"],
            skills: skills.isEmpty ? [] : skills.components(separatedBy: skillSeparator), salary: salary,
            status: JobStatus(rawValue: row["status"]) ?? .closed, createdAt: StoredTime.date(row["created_at"]),
            updatedAt: StoredTime.date(row["updated_at"]), version: row["version"])
    }

    static func application(_ row: Row) -> JobApplication {
        JobApplication(
            id: row["id"], jobID: row["job_id"], member: MemberID(row["member_id"]), note: row["note"],
            status: ApplicationStatus(rawValue: row["status"]) ?? .submitted, appliedAt: StoredTime.date(row["applied_at"]))
    }

    static func referral(_ row: Row) -> ReferralRequest {
        ReferralRequest(
            id: row["id"], jobID: row["job_id"], requester: MemberID(row["requester_id"]), via: MemberID(row["via_id"]), note: row["note"],
            status: ReferralStatus(rawValue: row["status"]) ?? .pending, createdAt: StoredTime.date(row["created_at"]),
            answeredAt: (row["answered_at"] as Int64?).map(StoredTime.date))
    }

    public func createJob(_ job: Job) async throws {
        try await write { db in
            try db.execute(
                cached: """
                    INSERT INTO jobs (id, company_id, company_name, poster_id, title, location, workplace, employment_type, description, skills,
                      salary_min, salary_max, salary_currency, salary_period, status, created_at, updated_at, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                    """,
                arguments: [
                    job.id, job.company.id, job.company.name, job.poster.rawValue, job.title, job.location, job.workplace.rawValue,
                    job.employmentType.rawValue, job.description, job.skills.joined(separator: Self.skillSeparator), job.salary?.min, job.salary?.max,
                    job.salary?.currency, job.salary?.period.rawValue, job.status.rawValue, StoredTime.millis(job.createdAt),
                    StoredTime.millis(job.updatedAt),
                ])
            try Self.logJobChange(job.id, db)
        }
    }

    public func job(id: String) async throws -> Job? {
        try await pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map(Self.job) }
    }

    public func jobs(ids: [String]) async throws -> [Job] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            try Self.inSlices(ids) { part, marks in
                try Row.fetchAll(cached: db, sql: "SELECT * FROM jobs WHERE id IN (\(marks))", arguments: StatementArguments(part)).map(Self.job)
            }
        }
    }

    public func updateJob(_ job: Job, at date: Date) async throws -> Job? {
        try await write { db in
            try db.execute(
                cached: """
                    UPDATE jobs SET title = ?, location = ?, workplace = ?, employment_type = ?, description = ?, skills = ?, salary_min = ?,
                      salary_max = ?, salary_currency = ?, salary_period = ?, status = ?, updated_at = ?, version = version + 1
                    WHERE id = ?
                    """,
                arguments: [
                    job.title, job.location, job.workplace.rawValue, job.employmentType.rawValue, job.description,
                    job.skills.joined(separator: Self.skillSeparator), job.salary?.min, job.salary?.max, job.salary?.currency,
                    job.salary?.period.rawValue, job.status.rawValue, StoredTime.millis(date), job.id,
                ])
            guard db.changesCount > 0 else { return nil }
            try Self.logJobChange(job.id, db)
            return try Row.fetchOne(cached: db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [job.id]).map(Self.job)
        }
    }

    public func openJobs(company: String, limit: Int) async throws -> [Job] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM jobs WHERE company_id = ? AND status = 'open' ORDER BY created_at DESC, id DESC LIMIT ?",
                arguments: [company, max(0, limit)]
            ).map(Self.job)
        }
    }

    public func jobs(postedBy member: MemberID) async throws -> [Job] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM jobs WHERE poster_id = ? ORDER BY created_at DESC, id DESC", arguments: [member.rawValue])
                .map(Self.job)
        }
    }

    public func openJobs(after: String?, limit: Int) async throws -> [Job] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM jobs WHERE id > ? AND status = 'open' ORDER BY id LIMIT ?", arguments: [after ?? "", max(0, limit)]
            ).map(Self.job)
        }
    }

    public func jobChanges(after sequence: Int64, limit: Int) async throws -> [JobChange] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT seq, job_id FROM job_changes WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, max(0, limit)])
                .map { JobChange(sequence: $0["seq"], jobID: $0["job_id"]) }
        }
    }

    public func jobChanges(sequences: [Int64]) async throws -> [JobChange] {
        guard !sequences.isEmpty else { return [] }
        return try await pool.read { db in
            try Self.inSlices(sequences) { part, marks in
                try Row.fetchAll(cached: db, sql: "SELECT seq, job_id FROM job_changes WHERE seq IN (\(marks))", arguments: StatementArguments(part))
                    .map { JobChange(sequence: $0["seq"], jobID: $0["job_id"]) }
            }.sorted { $0.sequence < $1.sequence }
        }
    }

    public func lastJobChange() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(cached: db, sql: "SELECT COALESCE(MAX(seq), 0) FROM job_changes") ?? 0 }
    }

    public func pruneJobChanges(before date: Date) async throws {
        try await write { db in try db.execute(cached: "DELETE FROM job_changes WHERE at < ?", arguments: [StoredTime.millis(date)]) }
    }

    // MARK: Applications

    public func apply(_ application: JobApplication) async throws -> ApplyOutcome {
        try await write { db in
            guard let status = try String.fetchOne(cached: db, sql: "SELECT status FROM jobs WHERE id = ?", arguments: [application.jobID]) else {
                return .missing
            }
            guard status == JobStatus.open.rawValue else { return .closed }
            try db.execute(
                cached: """
                    INSERT INTO job_applications (id, job_id, member_id, note, status, applied_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (job_id, member_id) DO NOTHING
                    """,
                arguments: [
                    application.id, application.jobID, application.member.rawValue, application.note, application.status.rawValue,
                    StoredTime.millis(application.appliedAt),
                ])
            return db.changesCount > 0 ? .applied(application) : .alreadyApplied
        }
    }

    public func application(id: String) async throws -> JobApplication? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM job_applications WHERE id = ?", arguments: [id]).map(Self.application)
        }
    }

    public func application(job: String, member: MemberID) async throws -> JobApplication? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM job_applications WHERE job_id = ? AND member_id = ?", arguments: [job, member.rawValue])
                .map(Self.application)
        }
    }

    public func applications(job: String) async throws -> [JobApplication] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM job_applications WHERE job_id = ? ORDER BY applied_at, id", arguments: [job])
                .map(Self.application)
        }
    }

    public func applications(of member: MemberID) async throws -> [JobApplication] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM job_applications WHERE member_id = ? ORDER BY applied_at DESC, id DESC", arguments: [member.rawValue]
            ).map(Self.application)
        }
    }

    public func applicantCounts(jobs: [String]) async throws -> [String: Int] {
        guard !jobs.isEmpty else { return [:] }
        return try await pool.read { db in
            let pairs: [(String, Int)] = try Self.inSlices(jobs) { part, marks in
                try Row.fetchAll(
                    cached: db, sql: "SELECT job_id, COUNT(*) AS n FROM job_applications WHERE job_id IN (\(marks)) GROUP BY job_id",
                    arguments: StatementArguments(part)
                ).map { ($0["job_id"], $0["n"]) }
            }
            return Dictionary(pairs, uniquingKeysWith: +)
        }
    }

    public func setApplicationStatus(id: String, _ status: ApplicationStatus) async throws -> Bool {
        try await write { db in
            try db.execute(cached: "UPDATE job_applications SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
            return db.changesCount > 0
        }
    }

    // MARK: Referrals

    public func createReferralRequest(_ request: ReferralRequest) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: """
                    INSERT INTO referral_requests (id, job_id, requester_id, via_id, note, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (job_id, requester_id, via_id) DO NOTHING
                    """,
                arguments: [
                    request.id, request.jobID, request.requester.rawValue, request.via.rawValue, request.note, request.status.rawValue,
                    StoredTime.millis(request.createdAt),
                ])
            return db.changesCount > 0
        }
    }

    public func referralRequest(id: String) async throws -> ReferralRequest? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT * FROM referral_requests WHERE id = ?", arguments: [id]).map(Self.referral)
        }
    }

    public func referralRequests(involving member: MemberID) async throws -> [ReferralRequest] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM referral_requests WHERE requester_id = ?1 OR via_id = ?1 ORDER BY created_at DESC, id DESC",
                arguments: [member.rawValue]
            ).map(Self.referral)
        }
    }

    public func acceptReferral(id: String, application: JobApplication, at date: Date) async throws -> AcceptOutcome {
        try await write { db in
            guard let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM referral_requests WHERE id = ?", arguments: [id]) else { return .missing }
            let request = Self.referral(row)
            guard request.status == .pending else { return .notPending }
            var made: JobApplication
            if let existing = try Row.fetchOne(
                cached: db, sql: "SELECT * FROM job_applications WHERE job_id = ? AND member_id = ?", arguments: [request.jobID, request.requester.rawValue])
            {
                made = Self.application(existing)
            } else {
                guard let status = try String.fetchOne(cached: db, sql: "SELECT status FROM jobs WHERE id = ?", arguments: [request.jobID]) else {
                    return .missing
                }
                guard status == JobStatus.open.rawValue else { return .closed }
                made = application
                made.jobID = request.jobID
                made.member = request.requester
                try db.execute(
                    cached: "INSERT INTO job_applications (id, job_id, member_id, note, status, applied_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        made.id, made.jobID, made.member.rawValue, made.note, made.status.rawValue, StoredTime.millis(made.appliedAt),
                    ])
            }
            try db.execute(
                cached: "UPDATE referral_requests SET status = 'accepted', answered_at = ? WHERE id = ?", arguments: [StoredTime.millis(date), id])
            return .accepted(made)
        }
    }

    public func declineReferral(id: String, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "UPDATE referral_requests SET status = 'declined', answered_at = ? WHERE id = ? AND status = 'pending'",
                arguments: [StoredTime.millis(date), id])
            return db.changesCount > 0
        }
    }

    public func referrers(job: String) async throws -> [MemberID: [MemberID]] {
        try await pool.read { db in
            var result: [MemberID: [MemberID]] = [:]
            for row in try Row.fetchAll(
                cached: db, sql: "SELECT requester_id, via_id FROM referral_requests WHERE job_id = ? AND status = 'accepted' ORDER BY answered_at, id",
                arguments: [job])
            {
                result[MemberID(row["requester_id"] as String), default: []].append(MemberID(row["via_id"] as String))
            }
            return result
        }
    }
}
