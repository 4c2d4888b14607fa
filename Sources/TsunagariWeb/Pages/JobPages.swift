import Foundation
import TsunagariCore

/// The job pages: search with filters and facets (and suggestions for members open to work), a job with the people the
/// viewer knows there and Apply / Ask for a referral, the post-a-job form, the poster's applicants, and "My jobs". Every
/// action is a form that works without JavaScript.
enum JobPages {
    static func workplaceLabel(_ w: Workplace, _ l: TsunagariCore.Locale) -> String {
        switch w {
        case .onsite: Text.workplaceOnsite(l)
        case .hybrid: Text.workplaceHybrid(l)
        case .remote: Text.workplaceRemote(l)
        }
    }

    static func typeLabel(_ t: EmploymentType, _ l: TsunagariCore.Locale) -> String {
        switch t {
        case .fullTime: Text.typeFullTime(l)
        case .partTime: Text.typePartTime(l)
        case .contract: Text.typeContract(l)
        case .temporary: Text.typeTemporary(l)
        case .internship: Text.typeInternship(l)
        }
    }

    static func periodLabel(_ p: SalaryPeriod, _ l: TsunagariCore.Locale) -> String {
        switch p {
        case .year: Text.periodYear(l)
        case .month: Text.periodMonth(l)
        case .hour: Text.periodHour(l)
        }
    }

    static func salaryText(_ s: Salary, _ l: TsunagariCore.Locale) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        func amount(_ v: Int64) -> String { formatter.string(from: NSNumber(value: v)) ?? String(v) }
        return "\(s.currency) \(amount(s.min))–\(amount(s.max)) / \(periodLabel(s.period, l))"
    }

    static func statusText(_ status: ApplicationStatus, _ l: TsunagariCore.Locale) -> String {
        switch status {
        case .submitted: Text.statusSubmitted(l)
        case .viewed: Text.statusViewed(l)
        case .rejected: Text.statusRejected(l)
        }
    }

    static func knownLine(_ count: Int, _ l: TsunagariCore.Locale) -> String {
        if l == .ja { return "\(count)\(Text.peopleYouKnowCount(l))" }
        return count == 1 ? "1 person you know works here" : "\(count) \(Text.peopleYouKnowCount(l))"
    }

    /// A job in a list: title, company, place, kind, and how many people the viewer knows there.
    static func card(_ job: Job, known: Int?, _ l: TsunagariCore.Locale, highlight: String? = nil) -> HTML {
        el("li", .class("job-card")) {
            el("p", .class("person-name")) { el("a", .href("/jobs/\(job.id)")) { job.title } }
            el("p") {
                el("a", .href("/companies/\(job.company.id)")) { job.company.name }
                " · \(job.location) · \(workplaceLabel(job.workplace, l)) · \(typeLabel(job.employmentType, l))"
            }
            if let salary = job.salary { el("p", .class("small-text muted")) { salaryText(salary, l) } }
            if let highlight { el("p", .class("highlight small-text muted")) { highlight } }
            if let known, known > 0 { el("p", .class("small-text known")) { knownLine(known, l) } }
            if job.status == .closed { el("p", .class("small-text muted")) { Text.jobClosed(l) } }
        }
    }

    /// The job a hiring post shares, inside the post.
    static func embedded(_ job: Job, _ l: TsunagariCore.Locale) -> HTML {
        el("div", .class("job-embed")) {
            el("p", .class("small-text muted")) { Text.hiringPost(l) }
            el("p", .class("person-name")) { el("a", .href("/jobs/\(job.id)")) { job.title } }
            el("p", .class("small-text")) { "\(job.company.name) · \(job.location)" }
            el("a", .href("/jobs/\(job.id)"), .class("button small secondary")) { Text.viewJob(l) }
        }
    }

    // MARK: Search

    struct SearchModel: Sendable {
        var q = ""
        var location = ""
        var company = ""
        var workplace = ""
        var employmentType = ""
        var postedWithin = ""
        var hits: [JobService.Hit] = []
        var highlights: [String: String] = [:]
        var total = 0
        var facets = JobService.Facets()
        var next: String?
        var suggestions: [JobService.Hit] = []
        /// Before a search, for a member with no suggestions: new jobs and jobs where they know people.
        var recommended: [JobService.Hit] = []
        var searched = false
        var error: String?

        func query(with changes: [String: String]) -> String {
            var values = ["q": q, "location": location, "company": company, "workplace": workplace, "employmentType": employmentType, "postedWithin": postedWithin]
            for (k, v) in changes { values[k] = v }
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return values.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        }
    }

    static func select(_ label: String, name: String, selected: String, options: [(String, String)], _ l: TsunagariCore.Locale) -> HTML {
        el("label", .class("field")) {
            el("span") { label }
            el("select", .name(name)) {
                el("option", .value(""), .flag("selected", selected.isEmpty)) { Text.anyOption(l) }
                for (value, text) in options { el("option", .value(value), .flag("selected", selected == value)) { text } }
            }
        }
    }

    static func search(_ chrome: PageChrome, _ model: SearchModel) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.jobs(l)) {
            el("div", .class("title-row")) {
                el("h1") { Text.jobs(l) }
                el("p") {
                    el("a", .href("/jobs/new"), .class("button small"), .id("post-job")) { Text.postJob(l) }
                    " "
                    el("a", .href("/jobs/mine"), .class("button small secondary"), .id("my-jobs")) { Text.myJobs(l) }
                }
            }
            el("form", .class("card stack"), Attribute("method", "get"), Attribute("action", "/jobs"), Attribute("role", "search"), .id("job-search")) {
                Layout.field(Text.jobSearch(l), name: "q", value: model.q, type: "search", maxLength: 500, placeholder: Text.jobSearchPlaceholder(l))
                el("div", .class("filters")) {
                    Layout.field(Text.jobLocation(l), name: "location", value: model.location, maxLength: 100)
                    Layout.field(Text.company(l), name: "company", value: model.company, maxLength: 100)
                    select(Text.jobWorkplace(l), name: "workplace", selected: model.workplace, options: Workplace.allCases.map { ($0.rawValue, workplaceLabel($0, l)) }, l)
                    select(
                        Text.employmentTypeLabel(l), name: "employmentType", selected: model.employmentType,
                        options: EmploymentType.allCases.map { ($0.rawValue, typeLabel($0, l)) }, l)
                    select(
                        Text.postedWithin(l), name: "postedWithin", selected: model.postedWithin,
                        options: [("1", Text.pastDay(l)), ("7", Text.pastWeek(l)), ("30", Text.pastMonth(l))], l)
                }
                el("button", .type("submit"), .class("button"), .id("job-search-submit")) { Text.search(l) }
            }
            Layout.errors(model.error)
            if model.searched {
                el("div", .class("feed-layout")) {
                    el("section", .class("card feed-main"), .id("job-results")) {
                        el("h2") { l == .ja ? "\(model.total) \(Text.results(l))" : model.total == 1 ? "1 result" : "\(model.total) \(Text.results(l))" }
                        if model.hits.isEmpty { el("p", .class("muted")) { Text.noResults(l) } }
                        el("ul", .class("plain-list jobs")) {
                            for hit in model.hits { card(hit.job, known: hit.peopleYouKnowCount, l, highlight: model.highlights[hit.job.id]) }
                        }
                        if let next = model.next {
                            el("p") { el("a", .href("/jobs?" + model.query(with: ["cursor": next])), .class("button secondary")) { Text.nextPage(l) } }
                        }
                        el("details", .class("save-search")) {
                            el("summary") { Text.saveSearch(l) }
                            Layout.form(chrome, action: "/jobs/saved", id: "save-job-search") {
                                for (name, value) in [
                                    ("q", model.q), ("location", model.location), ("company", model.company), ("workplace", model.workplace),
                                    ("employmentType", model.employmentType),
                                ] where !value.isEmpty {
                                    el("input", .type("hidden"), .name(name), .value(value))
                                }
                                Layout.field(Text.savedSearchName(l), name: "name", value: model.q, maxLength: 100)
                                el("button", .type("submit"), .class("button small secondary")) { Text.saveSearch(l) }
                            }
                        }
                    }
                    el("aside", .class("card feed-side"), .id("job-facets")) {
                        el("h2") { Text.refine(l) }
                        facet(Text.company(l), model.facets.companies, name: "company", model: model, label: { $0.label })
                        facet(Text.jobLocation(l), model.facets.locations, name: "location", model: model, label: { $0.label })
                        facet(
                            Text.jobWorkplace(l), model.facets.workplaces, name: "workplace", model: model,
                            label: { Workplace(rawValue: $0.value).map { workplaceLabel($0, l) } ?? $0.label })
                        facet(
                            Text.employmentTypeLabel(l), model.facets.employmentTypes, name: "employmentType", model: model,
                            label: { EmploymentType(rawValue: $0.value).map { typeLabel($0, l) } ?? $0.label })
                    }
                }
            }
            if !model.suggestions.isEmpty {
                el("section", .class("card"), .id("job-suggestions")) {
                    el("h2") { Text.jobsYouMayLike(l) }
                    el("ul", .class("plain-list jobs")) { for hit in model.suggestions { card(hit.job, known: hit.peopleYouKnowCount, l) } }
                }
            } else if !model.recommended.isEmpty {
                el("section", .class("card"), .id("job-recommended")) {
                    el("h2") { Text.recommendedJobs(l) }
                    el("p", .class("muted small-text")) { Text.recommendedJobsWhy(l) }
                    el("ul", .class("plain-list jobs")) { for hit in model.recommended { card(hit.job, known: hit.peopleYouKnowCount, l) } }
                }
            }
        }
    }

    static func facet(
        _ title: String, _ values: [SearchFacets.Value], name: String, model: SearchModel, label: (SearchFacets.Value) -> String
    ) -> HTML {
        guard !values.isEmpty else { return .empty }
        return el("div", .class("facet")) {
            el("h3") { title }
            el("ul", .class("plain-list")) {
                for value in values {
                    el("li") { el("a", .href("/jobs?" + model.query(with: [name: value.value]))) { "\(label(value)) (\(value.count))" } }
                }
            }
        }
    }

    // MARK: A job

    struct JobModel: Sendable {
        var view: JobService.View
        var viewer: MemberID
        /// The viewer's connections who work at the company now (those they may ask for a referral).
        var referrers: [PersonSummary]
        var notice: String?
        var error: String?
    }

    static func show(_ chrome: PageChrome, _ model: JobModel) -> HTML {
        let l = chrome.locale
        let job = model.view.job
        let mine = job.poster == model.viewer
        return Layout.page(chrome, title: "\(job.title) — \(job.company.name)") {
            el("p") { el("a", .href("/jobs")) { "← \(Text.jobs(l))" } }
            if let notice = model.notice { el("p", .class("notice"), Attribute("role", "status")) { notice } }
            Layout.errors(model.error)
            el("section", .class("card"), .id("job")) {
                el("h1", .id("job-title")) { job.title }
                el("p") {
                    el("a", .href("/companies/\(job.company.id)"), .id("job-company")) { job.company.name }
                    " · \(job.location) · \(workplaceLabel(job.workplace, l)) · \(typeLabel(job.employmentType, l))"
                }
                if let salary = job.salary { el("p") { "\(Text.salary(l)): \(salaryText(salary, l))" } }
                if job.status == .closed { el("p", .class("notice"), .id("job-closed")) { Text.jobClosed(l) } }
                if !job.skills.isEmpty {
                    el("ul", .class("tags")) { for skill in job.skills { el("li", .class("tag")) { skill } } }
                }
                el("div", .class("prewrap job-description")) { job.description }
                el("p", .class("small-text muted")) {
                    "\(Text.postedBy(l)) "
                    el("a", .href("/in/\(model.view.poster.card.handle)")) { model.view.poster.card.name }
                    " · "
                    el("time", Attribute("datetime", Represent.timeString(job.createdAt))) { MessagingPages.time(job.createdAt) }
                }
            }
            if mine {
                el("section", .class("card"), .id("poster-tools")) {
                    el("p") {
                        el("a", .href("/jobs/\(job.id)/applicants"), .class("button small"), .id("applicants-link")) {
                            "\(Text.applicants(l)) (\(model.view.applicantCount ?? 0))"
                        }
                        " "
                        el("a", .href("/jobs/\(job.id)/edit"), .class("button small secondary")) { Text.editJob(l) }
                        " "
                        Layout.postButton(
                            chrome, action: "/jobs/\(job.id)/status?to=\(job.status == .open ? "closed" : "open")",
                            label: job.status == .open ? Text.closeJob(l) : Text.reopenJob(l), style: "button small secondary", id: "job-status")
                    }
                }
            } else {
                el("section", .class("card"), .id("apply")) {
                    if let application = model.view.application {
                        el("p", .id("application-status")) { "\(Text.applied(l)) · \(statusText(application.status, l))" }
                    } else if job.status == .open {
                        el("h2") { Text.apply(l) }
                        Layout.form(chrome, action: "/jobs/\(job.id)/apply", id: "apply-form") {
                            Layout.textArea(Text.applyNote(l), name: "note", value: "", rows: 3, maxLength: JobText.noteLength)
                            el("button", .type("submit"), .class("button"), .id("apply-button")) { Text.apply(l) }
                        }
                    }
                }
            }
            el("section", .class("card"), .id("people-you-know")) {
                el("h2") { Text.peopleYouKnowHere(l) }
                if model.view.peopleYouKnow.isEmpty { el("p", .class("muted")) { Text.nobodyHere(l) } }
                el("ul", .class("people")) {
                    for entry in model.view.peopleYouKnow {
                        NetworkPages.person(entry.person, l) {
                            if !entry.via.isEmpty {
                                el("p", .class("small-text via")) { "\(Text.via(l)) " + entry.via.prefix(3).map(\.card.name).joined(separator: ", ") }
                            }
                        }
                    }
                }
            }
            if !mine && job.status == .open {
                el("section", .class("card"), .id("referral")) {
                    el("h2") { Text.askReferral(l) }
                    for request in model.view.referralRequests {
                        el("p", .class("small-text referral-asked")) {
                            "\(Text.referralAsked(l)) · \(request.status == .accepted ? Text.referralAccepted(l) : Text.referralPending(l))"
                        }
                    }
                    if model.referrers.isEmpty {
                        el("p", .class("muted")) { Text.noOneToAsk(l) }
                    } else {
                        Layout.form(chrome, action: "/jobs/\(job.id)/referral", id: "referral-form") {
                            el("label", .class("field")) {
                                el("span") { Text.referralVia(l) }
                                el("select", .name("via"), .id("referral-via")) {
                                    for person in model.referrers { el("option", .value(person.card.id.rawValue)) { person.card.name } }
                                }
                            }
                            Layout.textArea(Text.referralNote(l), name: "note", value: "", rows: 2, maxLength: JobText.noteLength)
                            el("button", .type("submit"), .class("button secondary"), .id("referral-button")) { Text.askReferral(l) }
                        }
                    }
                }
            }
            if job.status == .open {
                el("details", .class("card")) {
                    el("summary") { Text.shareJob(l) }
                    Layout.form(chrome, action: "/posts", id: "share-job") {
                        el("input", .type("hidden"), .name("jobId"), .value(job.id))
                        Layout.textArea(Text.composerLabel(l), name: "text", value: "", rows: 3, maxLength: PostText.postLength)
                        el("button", .type("submit"), .class("button small")) { Text.publish(l) }
                    }
                }
            }
        }
    }

    // MARK: Posting

    struct FormModel: Sendable {
        var jobID: String?
        var company = ""
        var title = ""
        var location = ""
        var workplace = Workplace.onsite
        var employmentType = EmploymentType.fullTime
        var description = ""
        var skills = ""
        var salaryMin = ""
        var salaryMax = ""
        var currency = "JPY"
        var period = SalaryPeriod.year
        var companies: [CompanyRef] = []
        var error: String?
    }

    static func form(_ chrome: PageChrome, _ model: FormModel) -> HTML {
        let l = chrome.locale
        let title = model.jobID == nil ? Text.postJob(l) : Text.editJob(l)
        return Layout.page(chrome, title: title) {
            el("section", .class("card")) {
                el("h1") { title }
                Layout.errors(model.error)
                Layout.form(chrome, action: model.jobID.map { "/jobs/\($0)/edit" } ?? "/jobs", id: "job-form") {
                    if model.jobID == nil {
                        el("label", .class("field")) {
                            el("span") { Text.company(l) }
                            el("input", .type("text"), .name("company"), .value(model.company), .flag("required", true), Attribute("list", "my-companies"), Attribute("maxlength", "200"))
                            el("small") { Text.jobCompanyHint(l) }
                        }
                        el("datalist", .id("my-companies")) { for company in model.companies { el("option", .value(company.name)) } }
                    }
                    Layout.field(Text.jobTitle(l), name: "title", value: model.title, required: true, maxLength: JobText.titleLength)
                    Layout.field(Text.jobLocation(l), name: "location", value: model.location, required: true, maxLength: JobText.locationLength)
                    Layout.radios(
                        Text.jobWorkplace(l), name: "workplace", options: Workplace.allCases.map { ($0, workplaceLabel($0, l)) }, selected: model.workplace)
                    Layout.radios(
                        Text.employmentTypeLabel(l), name: "employmentType", options: EmploymentType.allCases.map { ($0, typeLabel($0, l)) },
                        selected: model.employmentType)
                    Layout.textArea(Text.jobDescription(l), name: "description", value: model.description, rows: 10, maxLength: JobText.descriptionLength)
                    Layout.textArea(Text.jobSkills(l), name: "skills", value: model.skills, rows: 4)
                    el("fieldset", .class("field")) {
                        el("legend") { Text.salary(l) }
                        Layout.field(Text.salaryMin(l), name: "salaryMin", value: model.salaryMin, type: "number")
                        Layout.field(Text.salaryMax(l), name: "salaryMax", value: model.salaryMax, type: "number")
                        Layout.field(Text.salaryCurrency(l), name: "currency", value: model.currency, maxLength: 3)
                        Layout.radios(
                            Text.salaryPeriod(l), name: "period", options: SalaryPeriod.allCases.map { ($0, periodLabel($0, l)) }, selected: model.period)
                    }
                    el("button", .type("submit"), .class("button"), .id("job-submit")) { title }
                }
            }
        }
    }

    // MARK: Applicants

    static func applicants(_ chrome: PageChrome, job: Job, _ list: [JobService.Applicant]) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: "\(Text.applicants(l)): \(job.title)") {
            el("p") { el("a", .href("/jobs/\(job.id)")) { "← \(job.title)" } }
            el("section", .class("card"), .id("applicants")) {
                el("h1") { "\(Text.applicants(l)): \(job.title)" }
                if list.isEmpty { el("p", .class("muted")) { Text.noApplicants(l) } }
                el("ul", .class("people")) {
                    for applicant in list {
                        NetworkPages.person(applicant.member, l) {
                            if !applicant.referredBy.isEmpty {
                                el("p", .class("small-text referred-by")) {
                                    "\(Text.referredBy(l)): " + applicant.referredBy.map(\.card.name).joined(separator: ", ")
                                }
                            }
                            if let note = applicant.application.note { el("p", .class("prewrap small-text")) { note } }
                            el("p", .class("small-text muted")) {
                                el("time", Attribute("datetime", Represent.timeString(applicant.application.appliedAt))) {
                                    MessagingPages.time(applicant.application.appliedAt)
                                }
                                " · \(statusText(applicant.application.status, l).split(separator: ".").first.map(String.init) ?? "")"
                            }
                            el("p") {
                                let base = "/jobs/\(job.id)/applicants/\(applicant.application.id)/status"
                                if applicant.application.status == .submitted {
                                    Layout.postButton(chrome, action: base + "?to=viewed", label: Text.markViewed(l), style: "button small secondary")
                                }
                                if applicant.application.status != .rejected {
                                    " "
                                    Layout.postButton(chrome, action: base + "?to=rejected", label: Text.markRejected(l), style: "link-button small-text")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: My jobs

    struct MineModel: Sendable {
        var applications: [(application: JobApplication, job: Job)]
        var referrals: [JobService.ReferralView]
        var postings: [(job: Job, applicants: Int)]
        var viewer: MemberID
    }

    static func mine(_ chrome: PageChrome, _ model: MineModel) -> HTML {
        let l = chrome.locale
        let toMe = model.referrals.filter { $0.request.via == model.viewer }
        let byMe = model.referrals.filter { $0.request.requester == model.viewer }
        return Layout.page(chrome, title: Text.myJobs(l)) {
            el("h1") { Text.myJobs(l) }
            el("section", .class("card"), .id("referrals-to-me")) {
                el("h2") { Text.referralRequestsToYou(l) }
                if toMe.isEmpty { el("p", .class("muted")) { Text.noReferralRequests(l) } }
                el("ul", .class("people")) {
                    for r in toMe {
                        NetworkPages.person(r.requester, l) {
                            el("p", .class("small-text")) { el("a", .href("/jobs/\(r.job.id)")) { "\(r.job.title) — \(r.job.company.name)" } }
                            if let note = r.request.note { el("p", .class("prewrap small-text")) { note } }
                            if r.status == .pending {
                                el("p") {
                                    Layout.postButton(
                                        chrome, action: "/referral-requests/\(r.request.id)/accept", label: Text.refer(l), style: "button small",
                                        id: "refer-\(r.request.id)")
                                    " "
                                    Layout.postButton(chrome, action: "/referral-requests/\(r.request.id)/decline", label: Text.decline(l), style: "link-button small-text")
                                }
                            } else {
                                el("p", .class("small-text muted")) { r.status == .accepted ? Text.referralAccepted(l) : Text.decline(l) }
                            }
                        }
                    }
                }
            }
            el("section", .class("card"), .id("my-applications")) {
                el("h2") { Text.myApplications(l) }
                if model.applications.isEmpty { el("p", .class("muted")) { Text.noApplications(l) } }
                el("ul", .class("plain-list jobs")) {
                    for item in model.applications {
                        el("li", .class("job-card")) {
                            el("p", .class("person-name")) { el("a", .href("/jobs/\(item.job.id)")) { item.job.title } }
                            el("p", .class("small-text")) { item.job.company.name }
                            el("p", .class("small-text application-status")) { statusText(item.application.status, l) }
                        }
                    }
                }
            }
            el("section", .class("card"), .id("referrals-by-me")) {
                el("h2") { Text.referralRequestsByYou(l) }
                if byMe.isEmpty { el("p", .class("muted")) { Text.noReferralRequests(l) } }
                el("ul", .class("plain-list")) {
                    for r in byMe {
                        el("li") {
                            el("a", .href("/jobs/\(r.job.id)")) { r.job.title }
                            " · \(r.via.card.name) · \(r.status == .accepted ? Text.referralAccepted(l) : Text.referralPending(l))"
                        }
                    }
                }
            }
            el("section", .class("card"), .id("my-postings")) {
                el("h2") { Text.myPostings(l) }
                if model.postings.isEmpty { el("p", .class("muted")) { Text.noPostings(l) } }
                el("ul", .class("plain-list jobs")) {
                    for item in model.postings {
                        el("li", .class("job-card")) {
                            el("p", .class("person-name")) { el("a", .href("/jobs/\(item.job.id)")) { item.job.title } }
                            el("p", .class("small-text")) {
                                el("a", .href("/jobs/\(item.job.id)/applicants")) {
                                    l == .ja ? "\(item.applicants)\(Text.applicantCountLabel(l))" : "\(item.applicants) \(Text.applicantCountLabel(l))"
                                }
                                item.job.status == .closed ? " · \(Text.jobClosed(l))" : ""
                            }
                        }
                    }
                }
            }
        }
    }

    /// The company page's open jobs.
    static func companyJobs(_ jobs: [Job], _ l: TsunagariCore.Locale) -> HTML {
        el("section", .class("card"), .id("company-jobs")) {
            el("h2") { Text.openJobs(l) }
            if jobs.isEmpty { el("p", .class("muted")) { Text.noOpenJobs(l) } }
            el("ul", .class("plain-list jobs")) { for job in jobs { card(job, known: nil, l) } }
        }
    }
}
