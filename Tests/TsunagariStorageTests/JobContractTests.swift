import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

typealias JobStorage = JobStore & PostStore & NetworkStore & Storage

extension TestStore {
    var jobs: any JobStorage {
        get throws { try #require(storage as? any JobStorage, "\(kind) storage does not implement JobStore") }
    }
}

extension Make {
    /// A member of `company` now (made by their position) and a job posted by them there.
    static func job(by poster: MemberID, company: CompanyRef, title: String = "Swift サーバーエンジニア", at seconds: Int = 0) -> Job {
        Job(
            id: id(seconds), company: company, poster: poster, title: title, location: "東京都", workplace: .hybrid, employmentType: .fullTime,
            description: "Swift でバックエンドを開発します。", skills: ["Swift", "PostgreSQL"],
            salary: Salary(min: 6_000_000, max: 9_000_000, currency: "JPY", period: .year), createdAt: at(seconds))
    }
}

/// What every `JobStore` must do, on SQLite and PostgreSQL alike.
@Suite("Job storage contract", .postgresTemplate)
struct JobContractTests {
    /// A company made by a member's current position there.
    func company(_ s: any JobStorage, member: MemberID, name: String = "株式会社つながり") async throws -> CompanyRef {
        #expect(try await s.savePosition(Make.draft(name, start: "2020-01"), for: member, at: Make.at(0)))
        return try #require(try await s.profile(id: member)?.currentPositions.first?.company)
    }

    @Test("Jobs are stored whole, updated with a new version, listed by company and poster, and logged for the index", arguments: StorageKind.tested)
    func jobs(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let ids = try await makeMembers(s, 2)
            let acme = try await company(s, member: ids[0])
            let before = try await s.lastJobChange()
            var job = Make.job(by: ids[0], company: acme, at: 1)
            try await s.createJob(job)
            #expect(try await s.job(id: job.id) == job)
            let second = Make.job(by: ids[0], company: acme, title: "iOS エンジニア", at: 2)
            var noSalary = second
            noSalary.salary = nil
            noSalary.skills = []
            try await s.createJob(noSalary)
            #expect(try await s.job(id: second.id) == noSalary)
            #expect(Set(try await s.jobs(ids: [job.id, second.id, Make.id(99)]).map(\.id)) == [job.id, second.id])
            #expect(try await s.openJobs(company: acme.id, limit: 10).map(\.id) == [second.id, job.id])
            #expect(try await s.jobs(postedBy: ids[0]).map(\.id) == [second.id, job.id])
            #expect(try await s.jobs(postedBy: ids[1]).isEmpty)

            job.title = "Swift バックエンドエンジニア"
            job.status = .closed
            job.salary = nil
            let updated = try #require(try await s.updateJob(job, at: Make.at(5)))
            #expect(updated.version == 2)
            #expect(updated.title == job.title)
            #expect(updated.salary == nil)
            #expect(updated.updatedAt == Make.at(5))
            #expect(updated.createdAt == Make.at(1))
            #expect(try await s.updateJob(Make.job(by: ids[0], company: acme, at: 50), at: Make.at(6)) == nil)
            // Closed jobs leave the company's list and the index's source.
            #expect(try await s.openJobs(company: acme.id, limit: 10).map(\.id) == [second.id])
            #expect(try await s.openJobs(after: nil, limit: 10).map(\.id) == [second.id])
            #expect(try await s.openJobs(after: second.id, limit: 10).isEmpty)

            let changes = try await s.jobChanges(after: before, limit: 10)
            #expect(changes.map(\.jobID) == [job.id, second.id, job.id])
            #expect(try await s.lastJobChange() == changes.last?.sequence)
            #expect(try await s.jobChanges(sequences: [changes[1].sequence]).map(\.jobID) == [second.id])
            try await s.pruneJobChanges(before: Date().addingTimeInterval(60))
            #expect(try await s.jobChanges(after: before, limit: 10).isEmpty)

            // Deleting the poster removes their jobs and logs each for every instance's index.
            try await s.deleteMember(ids[0])
            #expect(try await s.job(id: second.id) == nil)
            #expect(Set(try await s.jobChanges(after: before, limit: 10).map(\.jobID)) == [job.id, second.id])
        }
    }

    @Test("Applying: once per member, never to a closed or missing job; statuses, counts and lists", arguments: StorageKind.tested)
    func applications(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let ids = try await makeMembers(s, 3)
            let acme = try await company(s, member: ids[0])
            let job = Make.job(by: ids[0], company: acme, at: 1)
            try await s.createJob(job)
            let first = JobApplication(id: Make.id(2), jobID: job.id, member: ids[1], note: "よろしくお願いします", appliedAt: Make.at(2))
            #expect(try await s.apply(first) == .applied(first))
            let again = JobApplication(id: Make.id(3), jobID: job.id, member: ids[1], note: nil, appliedAt: Make.at(3))
            #expect(try await s.apply(again) == .alreadyApplied)
            #expect(try await s.application(id: again.id) == nil)
            #expect(try await s.apply(JobApplication(id: Make.id(4), jobID: Make.id(90), member: ids[1], note: nil, appliedAt: Make.at(4))) == .missing)
            let other = JobApplication(id: Make.id(5), jobID: job.id, member: ids[2], note: nil, appliedAt: Make.at(5))
            #expect(try await s.apply(other) == .applied(other))
            #expect(try await s.application(job: job.id, member: ids[1]) == first)
            #expect(try await s.applications(job: job.id).map(\.id) == [first.id, other.id])
            #expect(try await s.applications(of: ids[1]).map(\.id) == [first.id])
            #expect(try await s.applicantCounts(jobs: [job.id, Make.id(91)]) == [job.id: 2])
            #expect(try await s.setApplicationStatus(id: first.id, .rejected))
            #expect(try await s.application(id: first.id)?.status == .rejected)
            #expect(!(try await s.setApplicationStatus(id: Make.id(92), .viewed)))

            var closed = job
            closed.status = .closed
            _ = try await s.updateJob(closed, at: Make.at(6))
            let late = try await makeMembers(s, 1, prefix: "late")
            #expect(try await s.apply(JobApplication(id: Make.id(7), jobID: job.id, member: late[0], note: nil, appliedAt: Make.at(7))) == .closed)
            #expect(try await s.applicantCounts(jobs: [job.id]) == [job.id: 2])
        }
    }

    @Test("Concurrent applications by one member store one", arguments: StorageKind.tested)
    func concurrentApplications(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let ids = try await makeMembers(s, 2)
            let acme = try await company(s, member: ids[0])
            let job = Make.job(by: ids[0], company: acme, at: 1)
            try await s.createJob(job)
            let outcomes = try await withThrowingTaskGroup(of: ApplyOutcome.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        try await s.apply(JobApplication(id: Make.id(10 + n), jobID: job.id, member: ids[1], note: nil, appliedAt: Make.at(10 + n)))
                    }
                }
                var all: [ApplyOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { if case .applied = $0 { true } else { false } }.count == 1)
            #expect(outcomes.filter { $0 == .alreadyApplied }.count == 7)
            #expect(try await s.applications(job: job.id).count == 1)
        }
    }

    @Test("Referral requests: one per job, requester and referrer; accepting makes the application once; declining is final", arguments: StorageKind.tested)
    func referrals(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let ids = try await makeMembers(s, 4)
            let (poster, seeker, friend, other) = (ids[0], ids[1], ids[2], ids[3])
            let acme = try await company(s, member: poster)
            let job = Make.job(by: poster, company: acme, at: 1)
            try await s.createJob(job)
            let request = ReferralRequest(id: Make.id(2), jobID: job.id, requester: seeker, via: friend, note: "お願いします", createdAt: Make.at(2))
            #expect(try await s.createReferralRequest(request))
            #expect(!(try await s.createReferralRequest(ReferralRequest(id: Make.id(3), jobID: job.id, requester: seeker, via: friend, note: nil, createdAt: Make.at(3)))))
            #expect(try await s.referralRequest(id: request.id) == request)
            let declined = ReferralRequest(id: Make.id(4), jobID: job.id, requester: seeker, via: other, note: nil, createdAt: Make.at(4))
            #expect(try await s.createReferralRequest(declined))
            #expect(try await s.referralRequests(involving: seeker).map(\.id) == [declined.id, request.id])
            #expect(try await s.referralRequests(involving: friend).map(\.id) == [request.id])

            let made = JobApplication(id: Make.id(5), jobID: "ignored", member: MemberID("ignored"), note: "お願いします", appliedAt: Make.at(5))
            guard case .accepted(let application) = try await s.acceptReferral(id: request.id, application: made, at: Make.at(5)) else {
                Issue.record("not accepted")
                return
            }
            #expect(application.id == made.id)
            #expect(application.jobID == job.id)
            #expect(application.member == seeker)
            #expect(try await s.acceptReferral(id: request.id, application: made, at: Make.at(6)) == .notPending)
            #expect(try await s.applications(job: job.id).map(\.member) == [seeker])
            #expect(try await s.referrers(job: job.id) == [seeker: [friend]])
            #expect(try await s.referralRequest(id: request.id)?.status == .accepted)
            #expect(try await s.referralRequest(id: request.id)?.answeredAt == Make.at(5))

            #expect(try await s.declineReferral(id: declined.id, at: Make.at(7)))
            #expect(!(try await s.declineReferral(id: declined.id, at: Make.at(8))))
            #expect(try await s.acceptReferral(id: declined.id, application: made, at: Make.at(9)) == .notPending)
            #expect(try await s.referralRequest(id: declined.id)?.status == .declined)
            #expect(try await s.acceptReferral(id: Make.id(99), application: made, at: Make.at(9)) == .missing)

            // An accepted request for a member who applied already keeps their application.
            let third = try await makeMembers(s, 1, prefix: "third")
            let own = JobApplication(id: Make.id(10), jobID: job.id, member: third[0], note: nil, appliedAt: Make.at(10))
            #expect(try await s.apply(own) == .applied(own))
            let late = ReferralRequest(id: Make.id(11), jobID: job.id, requester: third[0], via: friend, note: nil, createdAt: Make.at(11))
            #expect(try await s.createReferralRequest(late))
            var closed = job
            closed.status = .closed
            _ = try await s.updateJob(closed, at: Make.at(12))
            #expect(try await s.acceptReferral(id: late.id, application: made, at: Make.at(13)) == .accepted(own))
            // A closed job takes no application made by a referral.
            let fourth = try await makeMembers(s, 1, prefix: "fourth")
            let tooLate = ReferralRequest(id: Make.id(14), jobID: job.id, requester: fourth[0], via: friend, note: nil, createdAt: Make.at(14))
            #expect(try await s.createReferralRequest(tooLate))
            #expect(try await s.acceptReferral(id: tooLate.id, application: made, at: Make.at(15)) == .closed)
            #expect(try await s.referralRequest(id: tooLate.id)?.status == .pending)
        }
    }

    @Test("A hiring post keeps the job it shares", arguments: StorageKind.tested)
    func hiringPost(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let ids = try await makeMembers(s, 1)
            let acme = try await company(s, member: ids[0])
            let job = Make.job(by: ids[0], company: acme, at: 1)
            try await s.createJob(job)
            var draft = Make.post(by: ids[0], "エンジニア募集中 #採用", at: 2)
            draft.jobID = job.id
            let post = try await s.createPost(draft)
            #expect(try await s.post(id: post.id)?.jobID == job.id)
            #expect(try await s.post(id: try await s.createPost(Make.post(by: ids[0], at: 3)).id)?.jobID == nil)
        }
    }

    @Test("A saved job search keeps its kind and the jobs it has announced", arguments: StorageKind.tested)
    func savedJobSearch(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let saves = try #require(store.storage as? any SavedSearchStore & NotificationStore)
            let ids = try await makeMembers(s, 2)
            let acme = try await company(s, member: ids[0])
            let first = Make.job(by: ids[0], company: acme, at: 1)
            let second = Make.job(by: ids[0], company: acme, at: 2)
            try await s.createJob(first)
            try await s.createJob(second)
            let saved = SavedSearch(
                id: Make.id(3), member: ids[1], name: "Swift", query: "Swift", filters: "location=%E6%9D%B1%E4%BA%AC", createdAt: Make.at(3),
                checkedAt: Make.at(3), kind: .jobs)
            try await saves.createSavedSearch(saved, matchingJobs: [first.id, Make.id(90)])
            #expect(try await saves.savedSearch(id: saved.id) == saved)
            #expect(try await saves.savedSearches(of: ids[1]).map(\.kind) == [.jobs])
            #expect(try await saves.unseenJobMatches(of: saved.id, among: [first.id, second.id]) == [second.id])
            let note = MemberNotification(
                id: Make.id(4), member: ids[1], kind: .savedSearchMatches, subjectID: saved.id, subjectName: saved.name, members: [], count: 1,
                createdAt: Make.at(4))
            try await saves.recordJobMatches(of: saved.id, [second.id], notification: note)
            #expect(try await saves.unseenJobMatches(of: saved.id, among: [first.id, second.id]).isEmpty)
            #expect(try await saves.notification(id: note.id)?.count == 1)
            // A people search saved before keeps its kind.
            let people = SavedSearch(id: Make.id(5), member: ids[1], name: "p", query: "営業", filters: "", createdAt: Make.at(5), checkedAt: Make.at(5))
            try await saves.createSavedSearch(people, matching: [])
            #expect(try await saves.savedSearch(id: people.id)?.kind == .people)
        }
    }

    @Test("The sample data posts open jobs with applications and an accepted referral", arguments: StorageKind.tested)
    func sampleJobs(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.jobs
            let reports = ReportRecorder()
            _ = try await SampleData.fill(
                s, hasher: PlainHasher(), members: 400, seed: 3, now: SampleData.referenceDate, postsAsOf: SampleData.referenceDate,
                progress: ProgressReport { phase, done, total in reports.add(phase, done, total) })
            // Progress: every phase ends at its total, and counts only go up (`tsunagari demo` prints these).
            let phases = reports.all
            let first = try #require(phases.first)
            #expect(first.phase == "members" && first.done == 0 && first.total == 400)
            for phase in ["members", "connections", "posts, reactions and comments", "jobs"] {
                let seen = phases.filter { $0.phase == phase }
                let last = try #require(seen.last, "no report of \(phase)")
                #expect(last.total == last.done && last.done > 0, "\(phase) ended at \(last.done) of \(String(describing: last.total))")
                let counts = seen.map(\.done)
                #expect(counts == counts.sorted(), "\(phase) went back")
            }
            let jobs = try await s.openJobs(after: nil, limit: 1_000)
            #expect(jobs.count >= 3)
            for job in jobs.prefix(10) {
                // Posted by a member who works at the company now.
                let poster = try #require(try await s.profile(id: job.poster))
                #expect(poster.currentPositions.contains { $0.company.id == job.company.id })
            }
            let counts = try await s.applicantCounts(jobs: jobs.map(\.id))
            #expect(counts.values.reduce(0, +) > 0)
            var referred = 0
            for job in jobs { referred += try await s.referrers(job: job.id).count }
            #expect(referred > 0)
        }
    }
}

final class ReportRecorder: @unchecked Sendable {
    struct Report: Sendable {
        let phase: String
        let done: Int
        let total: Int?
    }
    private let lock = NSLock()
    private var reports: [Report] = []
    func add(_ phase: String, _ done: Int, _ total: Int?) { lock.withLock { reports.append(Report(phase: phase, done: done, total: total)) } }
    var all: [Report] { lock.withLock { reports } }
}
