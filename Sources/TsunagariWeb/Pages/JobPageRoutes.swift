import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// The job pages' routes. Every form redirects (303) on success; invalid input shows the form again with the message
/// (422).
struct JobPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("jobs", use: search)
        router.get("jobs/new", use: newJob)
        router.post("jobs", use: create)
        router.get("jobs/mine", use: mine)
        router.post("jobs/saved", use: saveSearch)
        router.get("jobs/{id}", use: show)
        router.get("jobs/{id}/edit", use: editForm)
        router.post("jobs/{id}/edit", use: edit)
        router.post("jobs/{id}/status", use: status)
        router.post("jobs/{id}/apply", use: apply)
        router.post("jobs/{id}/referral", use: referral)
        router.get("jobs/{id}/applicants", use: applicants)
        router.post("jobs/{id}/applicants/{applicationId}/status", use: applicationStatus)
        router.post("referral-requests/{id}/accept", use: accept)
        router.post("referral-requests/{id}/decline", use: decline)
    }

    private func chrome(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        // Read as a form (a GET form writes spaces as '+').
        let query = request.form
        func value(_ name: String) -> String { query[name] ?? "" }
        var model = JobPages.SearchModel(
            q: value("q"), location: value("location"), company: value("company"), workplace: value("workplace"),
            employmentType: value("employmentType"), postedWithin: value("postedWithin"))
        let asked = ["q", "location", "company", "workplace", "employmentType", "postedWithin"].contains { !value($0).isEmpty }
        var status: HTTPResponse.Status = .ok
        if asked {
            do {
                let input = try JobAPIRoutes.searchInput { query[$0] }
                model.searched = true
                if !input.empty {
                    let offset = try JobAPIRoutes.offset(query["cursor"])
                    let result = try await services.jobs.searchPage(input.index, filters: input.filters, viewer: viewer, offset: offset, limit: 20)
                    let terms = input.query.map(QueryMatcher.positiveTexts) ?? []
                    model.hits = result.hits
                    model.total = result.total
                    model.facets = result.facets
                    model.next = offset + 20 < result.total ? String(offset + 20) : nil
                    for hit in result.hits { model.highlights[hit.job.id] = JobAPIRoutes.highlights(hit.job, terms: terms).first }
                }
            } catch let error as DomainError where error.kind == .malformed || error.kind == .invalid {
                model.searched = false
                model.error = error.message
                status = .badRequest
            }
        }
        if !asked {
            model.suggestions = try await services.jobs.suggestions(viewer: viewer)
            if model.suggestions.isEmpty { model.recommended = try await services.jobs.recommended(viewer: viewer) }
        }
        return HTMLResponse.make(JobPages.search(await chrome(request, context), model), status: status)
    }

    /// Saves the job search shown; its new matches are announced like those of a saved people search.
    @Sendable func saveSearch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let form = context.form
        let input = try JobAPIRoutes.searchInput { form[$0] }
        _ = try await services.savedSearches.createJobSearch(name: form["name"], query: form["q"] ?? "", filters: input.filters, viewer: viewer)
        return .redirect(to: "/search/saved?done=saved")
    }

    private func companies(_ viewer: MemberID) async throws -> [CompanyRef] {
        guard let profile = try await services.storage.profile(id: viewer) else { return [] }
        var seen: Set<String> = []
        return profile.currentPositions.map(\.company).filter { seen.insert($0.id).inserted }
    }

    @Sendable func newJob(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        var model = JobPages.FormModel()
        model.companies = try await companies(viewer)
        model.company = model.companies.first?.name ?? ""
        return HTMLResponse.make(JobPages.form(await chrome(request, context), model))
    }

    /// The form's fields as entered, for showing again after an error.
    private func formModel(_ context: AppRequestContext) -> JobPages.FormModel {
        let form = context.form
        var model = JobPages.FormModel()
        model.company = form["company"] ?? ""
        model.title = form["title"] ?? ""
        model.location = form["location"] ?? ""
        model.workplace = Workplace(rawValue: form["workplace"] ?? "") ?? .onsite
        model.employmentType = EmploymentType(rawValue: form["employmentType"] ?? "") ?? .fullTime
        model.description = form["description"] ?? ""
        model.skills = form["skills"] ?? ""
        model.salaryMin = form["salaryMin"] ?? ""
        model.salaryMax = form["salaryMax"] ?? ""
        model.currency = form["currency"] ?? "JPY"
        model.period = SalaryPeriod(rawValue: form["period"] ?? "") ?? .year
        return model
    }

    /// The salary from the form: none when both amounts are empty.
    private func salary(_ model: JobPages.FormModel) throws -> Salary? {
        let min = model.salaryMin.trimmingCharacters(in: .whitespaces)
        let max = model.salaryMax.trimmingCharacters(in: .whitespaces)
        if min.isEmpty && max.isEmpty { return nil }
        guard let low = Int64(min.isEmpty ? max : min), let high = Int64(max.isEmpty ? min : max) else {
            throw DomainError.invalid("bad_salary", "Salary amounts are whole numbers.")
        }
        return Salary(min: low, max: high, currency: model.currency.trimmingCharacters(in: .whitespaces), period: model.period)
    }

    private func skills(_ model: JobPages.FormModel) -> [String] {
        model.skills.split(whereSeparator: { $0.isNewline || $0 == "," || $0 == "、" }).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        var model = formModel(context)
        do {
            let draft = JobDraft(
                company: model.company, title: model.title, location: model.location, workplace: model.workplace, employmentType: model.employmentType,
                description: model.description, skills: skills(model), salary: try salary(model))
            let view = try await services.jobs.post(draft, viewer: viewer)
            return .redirect(to: "/jobs/\(view.job.id)?posted=1")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .forbidden {
            model.error = error.message
            model.companies = try await companies(viewer)
            return HTMLResponse.make(JobPages.form(await chrome(request, context), model), status: .unprocessableContent)
        }
    }

    private func jobID(_ context: AppRequestContext) throws -> String { try JobAPIRoutes.id(context) }

    func page(_ request: Request, _ context: AppRequestContext, id: String, viewer: MemberID, notice: String? = nil, error: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let view = try await services.jobs.get(id, viewer: viewer)
        let asked = Set(view.referralRequests.map(\.via))
        let referrers = view.peopleYouKnow.map(\.person).filter { $0.degree == .first && !asked.contains($0.card.id) }
        let model = JobPages.JobModel(view: view, viewer: viewer, referrers: referrers, notice: notice, error: error)
        return HTMLResponse.make(JobPages.show(await chrome(request, context), model), status: status)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let notice: String? =
            request.uri.queryParameters.get("posted") != nil ? Text.jobPosted(context.locale)
            : request.uri.queryParameters.get("asked") != nil ? Text.referralAsked(context.locale) : nil
        return try await page(request, context, id: try jobID(context), viewer: viewer, notice: notice)
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        // The poster's own job only: the people they know there are not needed for the form.
        let job = try await services.jobs.postedJob(try jobID(context), viewer: viewer)
        var model = JobPages.FormModel()
        model.jobID = job.id
        model.title = job.title
        model.location = job.location
        model.workplace = job.workplace
        model.employmentType = job.employmentType
        model.description = job.description
        model.skills = job.skills.joined(separator: "\n")
        if let salary = job.salary {
            model.salaryMin = String(salary.min)
            model.salaryMax = String(salary.max)
            model.currency = salary.currency
            model.period = salary.period
        }
        return HTMLResponse.make(JobPages.form(await chrome(request, context), model))
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try jobID(context)
        var model = formModel(context)
        model.jobID = id
        do {
            var patch = JobPatch()
            patch.title = model.title
            patch.location = model.location
            patch.workplace = model.workplace
            patch.employmentType = model.employmentType
            patch.description = model.description
            patch.skills = skills(model)
            patch.salary = .some(try salary(model))
            _ = try await services.jobs.edit(id, patch, viewer: viewer)
            return .redirect(to: "/jobs/\(id)")
        } catch let error as DomainError where error.kind == .invalid {
            model.error = error.message
            return HTMLResponse.make(JobPages.form(await chrome(request, context), model), status: .unprocessableContent)
        }
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try jobID(context)
        guard let raw = request.uri.queryParameters.get("to"), let status = JobStatus(rawValue: String(raw)) else {
            throw DomainError.invalid("invalid_value", "to must be open or closed.")
        }
        var patch = JobPatch()
        patch.status = status
        _ = try await services.jobs.edit(id, patch, viewer: viewer)
        return .redirect(to: "/jobs/\(id)")
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try jobID(context)
        do {
            _ = try await services.jobs.apply(id, note: context.form["note"], viewer: viewer)
            return .redirect(to: "/jobs/\(id)")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await page(request, context, id: id, viewer: viewer, error: error.message, status: error.kind == .conflict ? .conflict : .unprocessableContent)
        }
    }

    @Sendable func referral(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try jobID(context)
        do {
            _ = try await services.jobs.requestReferral(id, via: MemberID(context.form["via"] ?? ""), note: context.form["note"], viewer: viewer)
            return .redirect(to: "/jobs/\(id)?asked=1#referral")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await page(request, context, id: id, viewer: viewer, error: error.message, status: error.kind == .conflict ? .conflict : .unprocessableContent)
        }
    }

    @Sendable func applicants(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try jobID(context)
        let list = try await services.jobs.applicants(id, viewer: viewer)
        let job = try await services.jobs.postedJob(id, viewer: viewer)
        return HTMLResponse.make(JobPages.applicants(await chrome(request, context), job: job, list))
    }

    @Sendable func applicationStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try jobID(context)
        let applicationID = try JobAPIRoutes.id(context, "applicationId", "Application")
        guard let raw = request.uri.queryParameters.get("to"), let status = ApplicationStatus(rawValue: String(raw)) else {
            throw DomainError.invalid("invalid_value", "to must be viewed or rejected.")
        }
        _ = try await services.jobs.setStatus(status, application: applicationID, job: id, viewer: viewer)
        return .redirect(to: "/jobs/\(id)/applicants")
    }

    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let model = JobPages.MineModel(
            applications: try await services.jobs.myApplications(viewer: viewer), referrals: try await services.jobs.referralRequests(viewer: viewer),
            postings: try await services.jobs.postings(viewer: viewer), viewer: viewer)
        return HTMLResponse.make(JobPages.mine(await chrome(request, context), model))
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        _ = try await services.jobs.acceptReferral(try JobAPIRoutes.id(context, "id", "Referral request"), viewer: viewer)
        return .redirect(to: "/jobs/mine#referrals-to-me")
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        try await services.jobs.declineReferral(try JobAPIRoutes.id(context, "id", "Referral request"), viewer: viewer)
        return .redirect(to: "/jobs/mine#referrals-to-me")
    }
}
