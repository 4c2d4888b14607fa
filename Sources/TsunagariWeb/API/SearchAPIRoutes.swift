import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// API.md "Search": `GET /search/people`.
struct SearchAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.group("api/v1").get("search/people", use: searchPeople)
    }

    /// Parses `q`; a syntax error is 400 `bad_query` naming the position and what was expected.
    /// The parsed query and what to ask the index; nil for the index when the query holds no words at
    /// all (only punctuation), which finds no one.
    static func parse(_ raw: String?) throws -> (SearchQuery, IndexQuery?) {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError(.malformed, code: "bad_query", message: "q is required: some words to search for.")
        }
        let query: SearchQuery
        do {
            query = try QueryParser.parse(raw)
        } catch let error as QuerySyntaxError {
            throw DomainError(.malformed, code: "bad_query", message: error.description)
        }
        return (query, ProfileIndexing.compile(query))
    }

    static func filters(_ request: Request) throws -> SearchFilters {
        var filters = SearchFilters()
        func text(_ name: String) throws -> String? {
            guard let value = request.form[name], !value.isEmpty else { return nil }
            guard value.unicodeScalars.count <= 100 else {
                throw DomainError(.malformed, code: "bad_filter", message: "\(name) must be at most 100 characters.")
            }
            return value
        }
        filters.currentCompany = try text("currentCompany")
        filters.pastCompany = try text("pastCompany")
        filters.school = try text("school")
        filters.location = try text("location")
        filters.skill = try text("skill")
        filters.industry = try text("industry")
        if request.uri.queryParameters.get("degree") != nil { filters.degrees = try NetworkAPIRoutes.degrees(request) }
        switch request.form["openToWork"] {
        case nil, "false": filters.openToWork = false
        case "true": filters.openToWork = true
        default: throw DomainError(.malformed, code: "bad_filter", message: "openToWork must be true or false.")
        }
        return filters
    }

    @Sendable func searchPeople(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .member(let viewer, let role) = context.viewer else { throw DomainError.unauthenticated }
        let raw = request.form["q"]
        if let raw, raw.count > QueryParser.maximumLength {
            throw DomainError(.malformed, code: "bad_query", message: "q must be at most \(QueryParser.maximumLength) characters.")
        }
        let (query, parsed) = try Self.parse(raw)
        let filters = try Self.filters(request)
        let limit = try NetworkAPIRoutes.limit(request)
        let cursor = try NetworkAPIRoutes.cursor(request)
        guard let indexQuery = parsed else { return APIResponse.json(Represent.list([], next: nil)) }
        let hits = try await services.search.search(
            indexQuery, matches: { QueryMatcher.matches(query, ProfileIndexing.document(for: $0)) }, filters: filters, viewer: viewer, role: role)
        // The order is by score; the cursor is the rank of the last result shown.
        let page = Page.slice(Array(hits.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: cursor, limit: limit)
        let terms = QueryMatcher.positiveTexts(query)
        let items: [JSONValue] = page.entries.map { entry in
            let document = ProfileIndexing.document(for: entry.element.profile)
            let texts = document.fields.values.flatMap { $0 } + document.other
            let highlights = texts.compactMap { Highlighter.highlight($0, terms: terms)?.text }
            return .object([
                "member": Represent.summary(entry.element.person), "highlights": .array(Array(Set(highlights)).sorted().prefix(3).map(JSONValue.string)),
            ])
        }
        return APIResponse.json(Represent.list(items, next: page.nextCursor))
    }
}
