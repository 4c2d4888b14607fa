import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// API.md "Jobs and referrals".
struct JobAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("jobs", use: create)
        api.get("jobs/{id}", use: get)
        api.patch("jobs/{id}", use: edit)
        api.get("companies/{id}/jobs", use: companyJobs)
        api.get("search/jobs", use: search)
        api.get("search/jobs/saved", use: listSaved)
        api.post("search/jobs/saved", use: createSaved)
        api.post("jobs/{id}/applications", use: apply)
        api.get("jobs/{id}/applications", use: applicants)
        api.patch("jobs/{id}/applications/{applicationId}", use: setStatus)
        api.get("me/applications", use: myApplications)
        api.get("me/jobs", use: myJobs)
        api.get("me/job-suggestions", use: suggestions)
        api.post("jobs/{id}/referral-requests", use: requestReferral)
        api.get("referral-requests", use: referralRequests)
        api.post("referral-requests/{id}/accept", use: accept)
        api.post("referral-requests/{id}/decline", use: decline)
    }

    static func id(_ context: AppRequestContext, _ name: String = "id", _ what: String = "Job") throws -> String {
        let id = try parameter(context, name).lowercased()
        guard OpaqueID.isWellFormed(id) else { throw DomainError.notFound(what) }
        return id
    }

    /// A whole amount from JSON: an integer from 0 to `Salary.maximumAmount`.
    static func amount(_ object: JSONObject, _ key: String) throws -> Int64 {
        guard let value = object.members[key], value != .null else { throw DomainError.invalid("required", "Field 'salary.\(key)' is required.") }
        guard case .number(let number) = value, number.rounded() == number, abs(number) <= Double(Salary.maximumAmount) else {
            throw DomainError.invalid("bad_salary", "Field 'salary.\(key)' must be a whole number from 0 to \(Salary.maximumAmount).")
        }
        return Int64(number)
    }

    /// `salary` from JSON: absent (nil), `null` (.some(nil)) or a range.
    static func salary(_ json: JSONObject) throws -> Salary?? {
        guard let value = json.members["salary"] else { return nil }
        if value == .null { return .some(nil) }
        guard let object = try json.object("salary") else { return nil }
        try object.allowOnly(["min", "max", "currency", "period"])
        guard let period = try object.enumValue("period", SalaryPeriod.self) else {
            throw DomainError.invalid("required", "Field 'salary.period' is required.")
        }
        return .some(Salary(min: try amount(object, "min"), max: try amount(object, "max"), currency: try object.requiredString("currency"), period: period))
    }

    static let jobFields: Set<String> = ["company", "title", "location", "workplace", "employmentType", "description", "skills", "salary"]

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(Self.jobFields)
        func required<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E where E.RawValue == String {
            guard let value = try json.enumValue(key, type) else { throw DomainError.invalid("required", "Field '\(key)' is required.") }
            return value
        }
        let draft = JobDraft(
            company: try json.requiredString("company"), title: try json.requiredString("title"), location: try json.requiredString("location"),
            workplace: try required("workplace", Workplace.self), employmentType: try required("employmentType", EmploymentType.self),
            description: try json.requiredString("description"), skills: try json.stringArray("skills", max: JobText.skillCount) ?? [],
            salary: try Self.salary(json) ?? nil)
        let view = try await services.jobs.post(draft, viewer: viewer)
        return APIResponse.json(Represent.job(view), status: .created)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        APIResponse.json(Represent.job(try await services.jobs.get(try Self.id(context), viewer: try context.requireMember())))
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try Self.id(context)
        let json = try await body(request, context)
        try json.allowOnly(Self.jobFields.union(["status"]))
        if json.members["company"] != nil {
            throw DomainError.invalid("immutable_field", "A job's company cannot change; close it and post a new one.")
        }
        var patch = JobPatch()
        patch.title = try json.string("title")
        patch.location = try json.string("location")
        patch.description = try json.string("description")
        patch.workplace = try json.enumValue("workplace", Workplace.self)
        patch.employmentType = try json.enumValue("employmentType", EmploymentType.self)
        patch.skills = try json.stringArray("skills", max: JobText.skillCount)
        patch.salary = try Self.salary(json)
        patch.status = try json.enumValue("status", JobStatus.self)
        return APIResponse.json(Represent.job(try await services.jobs.edit(id, patch, viewer: viewer)))
    }

    @Sendable func companyJobs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let jobs = try await services.jobs.companyJobs(try parameter(context, "id"), viewer: viewer)
        let page = Page.slice(
            Array(jobs.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: try NetworkAPIRoutes.cursor(request),
            limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.entries.map { Represent.jobSummary($0.element) }, next: page.nextCursor))
    }

    /// The query and filters of a job search, from query parameters (the API) or a form (the page).
    static func searchInput(_ value: (String) -> String?) throws -> (query: SearchQuery?, index: IndexQuery?, filters: JobFilters, empty: Bool) {
        var filters = JobFilters()
        func text(_ name: String) throws -> String? {
            guard let raw = value(name)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard raw.unicodeScalars.count <= 100, PathText.isPlain(raw) else {
                throw DomainError(.malformed, code: "bad_filter", message: "\(name) must be at most 100 characters.")
            }
            return raw
        }
        func choice<E: RawRepresentable & CaseIterable>(_ name: String, _ type: E.Type) throws -> E? where E.RawValue == String {
            guard let raw = try text(name) else { return nil }
            guard let value = E(rawValue: raw) else {
                throw DomainError(
                    .malformed, code: "bad_filter", message: "\(name) must be one of: \(E.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return value
        }
        filters.location = try text("location")
        filters.company = try text("company")
        filters.workplace = try choice("workplace", Workplace.self)
        filters.employmentType = try choice("employmentType", EmploymentType.self)
        if let days = try text("postedWithin") {
            guard let number = Int(days), (1...365).contains(number) else {
                throw DomainError(.malformed, code: "bad_filter", message: "postedWithin is a number of days from 1 to 365.")
            }
            filters.postedSince = Date().addingTimeInterval(-Double(number) * 86_400)
        }
        guard let raw = value("q"), !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return (nil, nil, filters, false) }
        let (query, index) = try SearchAPIRoutes.parse(raw)
        // A query of punctuation alone finds nothing.
        return (query, index, filters, index == nil)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let form = request.form
        let input = try Self.searchInput { form[$0] }
        let limit = try NetworkAPIRoutes.limit(request)
        let offset = try Self.offset(try NetworkAPIRoutes.cursor(request))
        guard !input.empty else {
            return APIResponse.json(.object(["items": .array([]), "nextCursor": .null, "total": .int(0), "facets": Represent.jobFacets(.init())]))
        }
        let result = try await services.jobs.searchPage(input.index, filters: input.filters, viewer: viewer, offset: offset, limit: limit)
        let terms = input.query.map(QueryMatcher.positiveTexts) ?? []
        let items: [JSONValue] = result.hits.map { hit in
            .object([
                "job": Represent.job(hit.job, poster: hit.poster, applicantCount: nil), "peopleYouKnowCount": .int(hit.peopleYouKnowCount),
                "highlights": .array(Self.highlights(hit.job, terms: terms).map(JSONValue.string)),
            ])
        }
        let next = offset + limit < result.total ? String(offset + limit) : nil
        return APIResponse.json(
            .object(["items": .array(items), "nextCursor": .string(next), "total": .int(result.total), "facets": Represent.jobFacets(result.facets)]))
    }

    @Sendable func listSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        return APIResponse.json(.object(["items": .array(try await services.savedSearches.list(viewer: viewer, kind: .jobs).map(SearchAPIRoutes.saved))]))
    }

    @Sendable func createSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["name", "q", "filters"])
        let q = try json.string("q") ?? ""
        var filters = JobFilters()
        if let object = try json.object("filters") {
            try object.allowOnly(["location", "company", "workplace", "employmentType"])
            filters.location = try TextRule.optional(try object.string("location"), field: "location", limit: 100)
            filters.company = try TextRule.optional(try object.string("company"), field: "company", limit: 100)
            filters.workplace = try object.enumValue("workplace", Workplace.self)
            filters.employmentType = try object.enumValue("employmentType", EmploymentType.self)
        }
        if !q.trimmingCharacters(in: .whitespaces).isEmpty { _ = try SearchAPIRoutes.parse(q) }
        let saved = try await services.savedSearches.createJobSearch(name: try json.string("name"), query: q, filters: filters, viewer: viewer)
        return APIResponse.json(SearchAPIRoutes.saved(saved), status: .created)
    }

    /// The rank to start from: job search's cursor is the number of results already shown.
    static func offset(_ cursor: String?) throws -> Int {
        guard let cursor else { return 0 }
        guard let value = Int(cursor), value >= 0, value < JobService.maximumResults else {
            throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.")
        }
        return value
    }

    /// Up to two excerpts with the query's words marked: from the description, skills, company and title, in that order
    /// (the title is shown anyway; the description says most about why the job matched).
    static func highlights(_ job: Job, terms: [String]) -> [String] {
        guard !terms.isEmpty else { return [] }
        var seen: Set<String> = []
        return ([job.description, job.skills.joined(separator: ", "), job.company.name, job.title].compactMap {
            Highlighter.highlight($0, terms: terms, width: 120)?.text
        }).filter { seen.insert($0).inserted }.prefix(2).map { $0 }
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try Self.id(context)
        let json = try await body(request, context)
        try json.allowOnly(["note"])
        let (application, job) = try await services.jobs.apply(id, note: try json.string("note"), viewer: viewer)
        return APIResponse.json(Represent.application(application, job: job), status: .created)
    }

    @Sendable func applicants(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.jobs.applicants(try Self.id(context), viewer: viewer)
        let page = Page.slice(
            Array(list.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: try NetworkAPIRoutes.cursor(request),
            limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.entries.map { Represent.applicant($0.element) }, next: page.nextCursor))
    }

    @Sendable func setStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try Self.id(context)
        let applicationID = try Self.id(context, "applicationId", "Application")
        let json = try await body(request, context)
        try json.allowOnly(["status"])
        guard let status = try json.enumValue("status", ApplicationStatus.self) else {
            throw DomainError.invalid("required", "Field 'status' is required.")
        }
        return APIResponse.json(Represent.applicant(try await services.jobs.setStatus(status, application: applicationID, job: id, viewer: viewer)))
    }

    @Sendable func myApplications(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.jobs.myApplications(viewer: viewer)
        let page = Page.slice(
            Array(list.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: try NetworkAPIRoutes.cursor(request),
            limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.entries.map { Represent.application($0.element.application, job: $0.element.job) }, next: page.nextCursor))
    }

    @Sendable func myJobs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.jobs.postings(viewer: viewer)
        let page = Page.slice(
            Array(list.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: try NetworkAPIRoutes.cursor(request),
            limit: try NetworkAPIRoutes.limit(request))
        let items: [JSONValue] = page.entries.map { entry in
            var object = Represent.jobSummaryFields(entry.element.job)
            object["applicantCount"] = .int(entry.element.applicants)
            return .object(object)
        }
        return APIResponse.json(Represent.list(items, next: page.nextCursor))
    }

    @Sendable func suggestions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let hits = try await services.jobs.suggestions(viewer: viewer)
        let items: [JSONValue] = hits.map {
            .object(["job": Represent.job($0.job, poster: $0.poster, applicantCount: nil), "peopleYouKnowCount": .int($0.peopleYouKnowCount)])
        }
        return APIResponse.json(.object(["items": .array(items)]))
    }

    @Sendable func requestReferral(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try Self.id(context)
        let json = try await body(request, context)
        try json.allowOnly(["viaId", "note"])
        let view = try await services.jobs.requestReferral(
            id, via: MemberID(try json.requiredString("viaId")), note: try json.string("note"), viewer: viewer)
        return APIResponse.json(Represent.referral(view), status: .created)
    }

    @Sendable func referralRequests(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.jobs.referralRequests(viewer: viewer)
        let page = Page.slice(
            Array(list.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: try NetworkAPIRoutes.cursor(request),
            limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.entries.map { Represent.referral($0.element) }, next: page.nextCursor))
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let view = try await services.jobs.acceptReferral(try Self.id(context, "id", "Referral request"), viewer: viewer)
        return APIResponse.json(Represent.referral(view))
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        try await services.jobs.declineReferral(try Self.id(context, "id", "Referral request"), viewer: viewer)
        return APIResponse.noContent()
    }
}

extension Represent {
    static func jobSummaryFields(_ job: Job) -> JSONFields {
        [
            "id": .string(job.id), "company": .object(["id": .string(job.company.id), "name": .string(job.company.name)]), "title": .string(job.title),
            "location": .string(job.location), "status": .string(job.status.rawValue),
        ]
    }

    static func jobSummary(_ job: Job) -> JSONValue { .object(jobSummaryFields(job)) }

    static func job(_ job: Job, poster: PersonSummary, applicantCount: Int?) -> JSONValue {
        var object = jobSummaryFields(job)
        object["poster"] = summary(poster)
        object["workplace"] = .string(job.workplace.rawValue)
        object["employmentType"] = .string(job.employmentType.rawValue)
        object["description"] = .string(job.description)
        object["skills"] = .array(job.skills.map(JSONValue.string))
        if let salary = job.salary {
            object["salary"] = .object([
                "min": .number(Double(salary.min)), "max": .number(Double(salary.max)), "currency": .string(salary.currency),
                "period": .string(salary.period.rawValue),
            ])
        }
        object["createdAt"] = time(job.createdAt)
        if let applicantCount { object["applicantCount"] = .int(applicantCount) }
        return .object(object)
    }

    static func job(_ view: JobService.View) -> JSONValue {
        guard case .object(var object) = job(view.job, poster: view.poster, applicantCount: view.applicantCount) else { return .null }
        object["peopleYouKnow"] = .array(
            view.peopleYouKnow.map { .object(["member": summary($0.person), "via": .array($0.via.map(summary))]) })
        object["viewerApplication"] = view.application.map { application($0, job: view.job) } ?? .null
        return .object(object)
    }

    static func application(_ application: JobApplication, job: Job) -> JSONValue {
        .object([
            "id": .string(application.id), "job": jobSummary(job), "appliedAt": time(application.appliedAt),
            "status": .string(application.status.rawValue), "note": .string(application.note),
        ])
    }

    static func applicant(_ applicant: JobService.Applicant) -> JSONValue {
        .object([
            "id": .string(applicant.application.id), "member": summary(applicant.member), "note": .string(applicant.application.note),
            "appliedAt": time(applicant.application.appliedAt), "status": .string(applicant.application.status.rawValue),
            "referredBy": .array(applicant.referredBy.map(summary)),
        ])
    }

    static func referral(_ view: JobService.ReferralView) -> JSONValue {
        .object([
            "id": .string(view.request.id), "job": jobSummary(view.job), "requester": summary(view.requester), "via": summary(view.via),
            "note": .string(view.request.note), "status": .string(view.status.rawValue), "createdAt": time(view.request.createdAt),
        ])
    }

    static func jobFacets(_ facets: JobService.Facets) -> JSONValue {
        func values(_ list: [SearchFacets.Value]) -> JSONValue {
            .array(list.map { .object(["value": .string($0.value), "label": .string($0.label), "count": .int($0.count)]) })
        }
        return .object([
            "company": values(facets.companies), "location": values(facets.locations), "workplace": values(facets.workplaces),
            "employmentType": values(facets.employmentTypes),
        ])
    }
}
