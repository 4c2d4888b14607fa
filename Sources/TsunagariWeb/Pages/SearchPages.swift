import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// The people search page (the query box, filters with facet counts, results with degree badges, mutual
/// connections, current titles and highlighted snippets), saved searches and notifications.
enum SearchPages {
    struct Model: Sendable {
        var query: String
        var filters: [String: String]
        var results: [(person: PersonSummary, title: String?, highlights: [Highlight])] = []
        var total = 0
        var facets = SearchFacets()
        var page = 1
        var error: String?

        static let perPage = 25
        var pageCount: Int { max(1, (total + Self.perPage - 1) / Self.perPage) }
    }

    /// A query string with `percent`-encoded values, for links.
    static func queryString(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    /// The search link for the query and filters, with `changes` applied (an empty value removes a filter).
    static func link(_ model: Model, _ changes: [String: String] = [:], page: Int? = nil) -> String {
        var filters = model.filters
        for (name, value) in changes { filters[name] = value }
        var pairs = [("q", model.query)] + SearchAPIRoutes.filterNames.compactMap { name in filters[name].map { (name, $0) } }
        if let page, page > 1 { pairs.append(("page", String(page))) }
        return "/search?" + queryString(pairs)
    }

    /// The excerpt with its marks, every piece escaped.
    static func marked(_ highlight: Highlight) -> HTML {
        let characters = Array(highlight.text)
        var parts: [HTML] = []
        var position = 0
        for mark in highlight.marks {
            parts.append(HTML(escaping: String(characters[position..<mark.lowerBound])))
            parts.append(el("mark") { String(characters[mark]) })
            position = mark.upperBound
        }
        parts.append(HTML(escaping: String(characters[position...])))
        return HTML.joined(parts)
    }

    static func degreeLabel(_ value: String, _ l: TsunagariCore.Locale) -> String {
        switch value {
        case "1": Text.degreeFirst(l)
        case "2": Text.degreeSecond(l)
        case "3": Text.degreeThird(l)
        default: value
        }
    }

    /// One facet: its values with counts, each a link that adds the filter; the active one clears it.
    static func facet(_ model: Model, name: String, title: String, values: [SearchFacets.Value], l: TsunagariCore.Locale) -> HTML {
        let active = model.filters[name]
        return el("div", .class("facet"), Attribute("data-facet", name)) {
            el("h3", .class("facet-title")) { title }
            if let active, !active.isEmpty {
                el("p", .class("facet-active small-text")) {
                    el("strong") { name == "degree" ? degreeLabel(active, l) : active }
                    " "
                    el("a", .href(link(model, [name: ""])), .class("facet-clear")) { Text.clearFilter(l) }
                }
            }
            el("ul", .class("facet-values")) {
                for value in values where value.value != active && value.label != active {
                    el("li") {
                        el("a", .href(link(model, [name: value.value])), .class("facet-link")) {
                            name == "degree" ? degreeLabel(value.value, l) : value.label
                        }
                        " "
                        el("span", .class("facet-count")) { String(value.count) }
                    }
                }
            }
        }
    }

    static func page(_ chrome: PageChrome, _ model: Model) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: model.query.isEmpty ? Text.search(l) : model.query) {
            el("div", .class("title-row")) {
                el("h1") { Text.search(l) }
                el("a", .href("/search/saved"), .id("saved-searches-link")) { Text.savedSearches(l) }
            }
            el("form", .class("card search-form"), Attribute("method", "get"), Attribute("action", "/search"), .id("search-form")) {
                el(
                    "input", .type("search"), .name("q"), .value(model.query), .id("search-q"), Attribute("placeholder", Text.searchPlaceholder(l)),
                    Attribute("aria-label", Text.search(l)))
                el("p", .class("muted small-text")) { Text.searchHelp(l) }
                el("div", .class("grid-3")) {
                    Layout.field(Text.filterCompany(l), name: "currentCompany", value: model.filters["currentCompany"])
                    Layout.field(Text.filterPastCompany(l), name: "pastCompany", value: model.filters["pastCompany"])
                    Layout.field(Text.filterSchool(l), name: "school", value: model.filters["school"])
                    Layout.field(Text.filterLocation(l), name: "location", value: model.filters["location"])
                    Layout.field(Text.filterSkill(l), name: "skill", value: model.filters["skill"])
                    el("label", .class("field")) {
                        el("span") { Text.filterDegree(l) }
                        el("select", .name("degree")) {
                            let degree = model.filters["degree"] ?? ""
                            for (value, label) in [
                                ("", Text.anyDegree(l)), ("1", Text.degreeFirst(l)), ("2", Text.degreeSecond(l)), ("3", Text.degreeThird(l)),
                                ("1,2", "\(Text.degreeFirst(l)) + \(Text.degreeSecond(l))"),
                            ] {
                                el("option", .value(value), .flag("selected", degree == value)) { label }
                            }
                        }
                    }
                }
                el("button", .type("submit"), .class("button")) { Text.search(l) }
            }
            Layout.errors(model.error)
            if !model.query.isEmpty && model.error == nil {
                el("div", .class("search-layout")) {
                    el("aside", .class("card facets"), .id("search-facets"), Attribute("aria-label", Text.refine(l))) {
                        el("h2") { Text.refine(l) }
                        facet(model, name: "currentCompany", title: Text.filterCompany(l), values: model.facets.currentCompanies, l: l)
                        facet(model, name: "location", title: Text.filterLocation(l), values: model.facets.locations, l: l)
                        facet(model, name: "skill", title: Text.filterSkill(l), values: model.facets.skills, l: l)
                        facet(model, name: "degree", title: Text.filterDegree(l), values: model.facets.degrees, l: l)
                    }
                    el("section", .class("card search-results"), .id("search-results")) {
                        el("p", .class("muted"), .id("result-count")) { Text.results.counted(model.total, l) }
                        if model.results.isEmpty { el("p") { Text.noResults(l) } }
                        el("ul", .class("people")) {
                            for result in model.results {
                                NetworkPages.person(result.person, l) {
                                    // The current title is shown once: with its matches marked when it is one of the excerpts,
                                    // which then are the others (it was shown plain and again as the first excerpt). The
                                    // headline may come again as an excerpt: the line under the name does not mark what matched.
                                    let titleMarked = result.highlights.first { $0.text == result.title }
                                    if let title = result.title {
                                        el("p", .class("current-title small-text")) { titleMarked.map(marked) ?? HTML(escaping: title) }
                                    }
                                    for highlight in result.highlights.filter({ $0.text != result.title }).prefix(2) {
                                        el("p", .class("snippet small-text")) { marked(highlight) }
                                    }
                                }
                            }
                        }
                        if model.pageCount > 1 {
                            el("nav", .class("pager"), Attribute("aria-label", "pages")) {
                                if model.page > 1 { el("a", .href(link(model, page: model.page - 1)), Attribute("rel", "prev")) { Text.previousPage(l) } }
                                el("span", .class("muted")) { "\(model.page) / \(model.pageCount)" }
                                if model.page < model.pageCount {
                                    el("a", .href(link(model, page: model.page + 1)), Attribute("rel", "next"), .id("next-page")) { Text.nextPage(l) }
                                }
                            }
                        }
                        Layout.form(chrome, action: "/search/saved", id: "save-search") {
                            el("input", .type("hidden"), .name("q"), .value(model.query))
                            for name in SearchAPIRoutes.filterNames {
                                if let value = model.filters[name], !value.isEmpty { el("input", .type("hidden"), .name(name), .value(value)) }
                            }
                            el("div", .class("inline-fields")) {
                                Layout.field(Text.savedSearchName(l), name: "name", value: model.query, maxLength: 100)
                                el("button", .type("submit"), .class("button secondary")) { Text.saveSearch(l) }
                            }
                        }
                    }
                }
            }
        }
    }

    static func filtersText(_ saved: SavedSearch, _ l: TsunagariCore.Locale) -> String {
        if saved.kind == .jobs {
            let filters = JobFilters(formEncoded: saved.filters)
            var parts = [Text.jobs(l)]
            if let location = filters.location { parts.append("\(Text.jobLocation(l)): \(location)") }
            if let company = filters.company { parts.append("\(Text.company(l)): \(company)") }
            if let workplace = filters.workplace { parts.append(JobPages.workplaceLabel(workplace, l)) }
            if let type = filters.employmentType { parts.append(JobPages.typeLabel(type, l)) }
            return parts.joined(separator: " · ")
        }
        let filters = SearchFilters(formEncoded: saved.filters)
        var parts: [String] = []
        for (label, value) in [
            (Text.filterCompany(l), filters.currentCompany), (Text.filterPastCompany(l), filters.pastCompany), (Text.filterSchool(l), filters.school),
            (Text.filterLocation(l), filters.location), (Text.filterSkill(l), filters.skill),
        ] {
            if let value { parts.append("\(label): \(value)") }
        }
        if let degrees = filters.degrees { parts.append("\(Text.filterDegree(l)): " + degrees.sorted().map { degreeLabel(String($0.rawValue), l) }.joined(separator: "+")) }
        return parts.joined(separator: " · ")
    }

    static func runLink(_ saved: SavedSearch) -> String {
        (saved.kind == .jobs ? "/jobs?" : "/search?") + queryString([("q", saved.query)]) + (saved.filters.isEmpty ? "" : "&" + saved.filters)
    }

    static func savedSearches(_ chrome: PageChrome, _ list: [SavedSearch]) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.savedSearches(l)) {
            el("h1") { Text.savedSearches(l) }
            el("section", .class("card"), .id("saved-searches")) {
                if list.isEmpty { el("p", .class("muted")) { Text.noSavedSearches(l) } }
                el("ul", .class("plain-list")) {
                    for saved in list {
                        el("li", .class("saved-search"), Attribute("data-id", saved.id)) {
                            el("p") {
                                el("a", .href(runLink(saved)), .class("saved-search-name")) { saved.name }
                            }
                            el("p", .class("muted small-text")) {
                                el("code") { saved.query }
                                let filters = filtersText(saved, l)
                                if !filters.isEmpty { " · \(filters)" }
                            }
                            Layout.postButton(chrome, action: "/search/saved/\(saved.id)/delete", label: Text.delete(l), style: "link-button danger")
                        }
                    }
                }
            }
        }
    }
}

struct SearchPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("search", use: searchPage)
        // The header's typeahead asks here with the session cookie (the API takes bearer tokens only).
        router.get("search/typeahead") { request, context in
            try await SearchAPIRoutes(services: services).typeahead(request, context: context)
        }
        router.get("search/saved", use: savedPage)
        router.post("search/saved", use: saveSearch)
        router.post("search/saved/{id}/delete", use: deleteSaved)
    }

    @Sendable func searchPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .member(let viewer, let role) = context.viewer else { throw DomainError.unauthenticated }
        let form = request.form
        var model = SearchPages.Model(query: String((form["q"] ?? "").prefix(QueryParser.maximumLength)), filters: [:])
        for name in SearchAPIRoutes.filterNames {
            if let value = form[name], !value.isEmpty { model.filters[name] = String(value.prefix(100)) }
        }
        model.page = max(1, min(Int(form["page"] ?? "") ?? 1, 1_000))
        let chrome = await PageChromeBuilder.make(services, context, path: request.uri.path)
        guard !model.query.trimmingCharacters(in: .whitespaces).isEmpty else {
            return HTMLResponse.make(SearchPages.page(chrome, model))
        }
        do {
            let (query, parsed) = try SearchAPIRoutes.parse(model.query)
            let filters = try SearchAPIRoutes.filters(request)
            if let parsed {
                let results = try await services.search.search(parsed, filters: filters, viewer: viewer, role: role)
                model.total = results.hits.count
                model.facets = results.facets
                model.page = min(model.page, model.pageCount)
                let first = (model.page - 1) * SearchPages.Model.perPage
                let shown = try await results.shown(first..<(first + SearchPages.Model.perPage))
                let highlights = try await SearchAPIRoutes.highlights(shown.map(\.person.card.id), query: query, storage: services.storage)
                model.results = shown.map { ($0.person, $0.attributes.currentTitle, highlights[$0.person.card.id] ?? []) }
            }
            return HTMLResponse.make(SearchPages.page(chrome, model))
        } catch let error as DomainError where error.kind == .malformed {
            model.error = error.message
            return HTMLResponse.make(SearchPages.page(chrome, model), status: .badRequest)
        }
    }

    @Sendable func savedPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        var notice: String?
        switch request.uri.queryParameters.get("done") {
        case "saved": notice = Text.savedSearchCreated(context.locale)
        case "deleted": notice = Text.savedSearchDeleted(context.locale)
        default: notice = nil
        }
        let chrome = await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
        return HTMLResponse.make(SearchPages.savedSearches(chrome, try await services.savedSearches.list(viewer: viewer)))
    }

    @Sendable func saveSearch(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .member(let viewer, let role) = context.viewer else { throw DomainError.unauthenticated }
        let form = context.form
        let q = form["q"] ?? ""
        _ = try SearchAPIRoutes.parse(q)
        let filters = try SearchAPIRoutes.filters { form[$0] }
        _ = try await services.savedSearches.create(name: form["name"], query: q, filters: filters, viewer: viewer, role: role)
        return .redirect(to: "/search/saved?done=saved")
    }

    @Sendable func deleteSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        try await services.savedSearches.delete(id: try parameter(context, "id"), viewer: viewer)
        return .redirect(to: "/search/saved?done=deleted")
    }
}
