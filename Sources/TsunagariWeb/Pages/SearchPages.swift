import Hummingbird
import TsunagariCore
import TsunagariSearch

/// The people search page: the query box with its filters, and each result with its degree badge,
/// mutual connections and the matched words highlighted.
enum SearchPages {
    struct Model: Sendable {
        var query: String
        var company: String
        var location: String
        var skill: String
        var degree: String
        var results: [(PersonSummary, [Highlight])]
        var total: Int
        var error: String?
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

    static func page(_ chrome: PageChrome, _ model: Model) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: model.query.isEmpty ? Text.search(l) : model.query) {
            el("h1") { Text.search(l) }
            el("form", .class("card search-form"), Attribute("method", "get"), Attribute("action", "/search"), .id("search-form")) {
                el("input", .type("search"), .name("q"), .value(model.query), Attribute("placeholder", Text.searchPlaceholder(l)), Attribute("aria-label", Text.search(l)))
                el("p", .class("muted small-text")) { Text.searchHelp(l) }
                el("div", .class("grid-3")) {
                    Layout.field(Text.filterCompany(l), name: "currentCompany", value: model.company)
                    Layout.field(Text.filterLocation(l), name: "location", value: model.location)
                    Layout.field(Text.filterSkill(l), name: "skill", value: model.skill)
                }
                el("label", .class("field")) {
                    el("span") { Text.filterDegree(l) }
                    el("select", .name("degree")) {
                        for (value, label) in [("", Text.anyDegree(l)), ("1", Text.degreeFirst(l)), ("2", Text.degreeSecond(l)), ("3", Text.degreeThird(l)), ("1,2", "\(Text.degreeFirst(l)) + \(Text.degreeSecond(l))")] {
                            el("option", .value(value), .flag("selected", model.degree == value)) { label }
                        }
                    }
                }
                el("button", .type("submit"), .class("button")) { Text.search(l) }
            }
            Layout.errors(model.error)
            if !model.query.isEmpty && model.error == nil {
                el("section", .class("card"), .id("search-results")) {
                    el("p", .class("muted")) { l == .ja ? "\(model.total)\(Text.results(l))" : "\(model.total) \(Text.results(l))" }
                    if model.results.isEmpty { el("p") { Text.noResults(l) } }
                    el("ul", .class("people")) {
                        for (person, highlights) in model.results {
                            NetworkPages.person(person, l) {
                                for highlight in highlights.prefix(2) { el("p", .class("snippet small-text")) { marked(highlight) } }
                            }
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
    }

    @Sendable func searchPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .member(let viewer, let role) = context.viewer else { throw DomainError.unauthenticated }
        let form = request.form
        func value(_ name: String) -> String { form[name] ?? "" }
        var model = SearchPages.Model(
            query: String(value("q").prefix(QueryParser.maximumLength)), company: value("currentCompany"), location: value("location"),
            skill: value("skill"), degree: value("degree"), results: [], total: 0, error: nil)
        let chrome = await PageChromeBuilder.make(services, context, path: request.uri.path)
        guard !model.query.trimmingCharacters(in: .whitespaces).isEmpty else {
            return HTMLResponse.make(SearchPages.page(chrome, model))
        }
        do {
            let (query, parsed) = try SearchAPIRoutes.parse(model.query)
            let filters = try SearchAPIRoutes.filters(request)
            if let parsed {
                let hits = try await services.search.search(
                    parsed, matches: { QueryMatcher.matches(query, ProfileIndexing.document(for: $0)) }, filters: filters, viewer: viewer,
                    role: role)
                let terms = QueryMatcher.positiveTexts(query)
                model.total = hits.count
                model.results = hits.prefix(50).map { hit in
                    let document = ProfileIndexing.document(for: hit.profile)
                    let highlights = (document.fields.values.flatMap { $0 } + document.other).compactMap {
                        Highlighter.highlight($0, terms: terms)
                    }
                    return (hit.person, highlights)
                }
            }
            return HTMLResponse.make(SearchPages.page(chrome, model))
        } catch let error as DomainError where error.kind == .malformed {
            model.error = error.message
            return HTMLResponse.make(SearchPages.page(chrome, model), status: .badRequest)
        }
    }
}
