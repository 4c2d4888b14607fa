import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// API.md "Search": `GET /search/people`, typeahead, saved searches; and the notifications they make.
struct SearchAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.get("search/people", use: searchPeople)
        api.get("search/typeahead", use: typeahead)
        api.get("search/saved", use: listSaved)
        api.post("search/saved", use: createSaved)
        api.get("search/saved/{id}", use: getSaved)
        api.delete("search/saved/{id}", use: deleteSaved)
    }

    /// Parses `q`; a syntax error is 400 `bad_query` naming the position and what was expected, a query past the
    /// parser's limits (words and phrases, nesting, words per phrase) 400 `too_complex` naming the limit.
    /// The parsed query and what to ask the index; nil for the index when the query holds no words at
    /// all (only punctuation), which finds no one.
    static func parse(_ raw: String?) throws -> (SearchQuery, IndexQuery?) {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError(.malformed, code: "bad_query", message: "q is required: some words to search for.")
        }
        // Unicode scalars, as the API document's maxLength counts (a character may be several).
        if raw.unicodeScalars.count > QueryParser.maximumLength {
            throw DomainError(.malformed, code: "bad_query", message: "q must be at most \(QueryParser.maximumLength) characters.")
        }
        let query: SearchQuery
        do {
            query = try QueryParser.parse(raw)
        } catch let error as QuerySyntaxError {
            throw DomainError(.malformed, code: "bad_query", message: error.description)
        } catch let error as QueryTooComplexError {
            throw DomainError(.malformed, code: "too_complex", message: error.description)
        }
        return (query, ProfileIndexing.compile(query))
    }

    static let filterNames = ["currentCompany", "pastCompany", "school", "location", "skill", "industry", "degree", "openToWork"]

    /// The filters from named values (query parameters or a JSON object); an empty value is no filter.
    static func filters(_ value: (String) throws -> String?) throws -> SearchFilters {
        var filters = SearchFilters()
        func text(_ name: String) throws -> String? {
            guard let value = try value(name), !value.isEmpty else { return nil }
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
        if let raw = try value("degree"), !raw.isEmpty {
            var degrees: Set<Degree> = []
            for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(part), (1...3).contains(number), let degree = Degree(rawValue: number) else {
                    throw DomainError(.malformed, code: "bad_degree", message: "degree takes 1, 2 and 3, separated by commas.")
                }
                degrees.insert(degree)
            }
            filters.degrees = degrees
        }
        switch try value("openToWork") {
        case nil, "", "false": filters.openToWork = false
        case "true": filters.openToWork = true
        default: throw DomainError(.malformed, code: "bad_filter", message: "openToWork must be true or false.")
        }
        return filters
    }

    static func filters(_ request: Request) throws -> SearchFilters {
        let form = request.form
        return try filters { form[$0] }
    }

    static func member(_ context: AppRequestContext) throws -> (MemberID, MemberRole) {
        guard case .member(let viewer, let role) = context.viewer else { throw DomainError.unauthenticated }
        return (viewer, role)
    }

    /// Up to three excerpts per result with the query's words marked, from the profiles of the results
    /// shown (never of all candidates), in a fixed order of fields.
    static func highlights(
        _ members: [MemberID], query: SearchQuery, storage: any AppServices.Store
    ) async throws -> [MemberID: [Highlight]] {
        let needles = Highlighter.Needles(QueryMatcher.positiveTexts(query))
        var result: [MemberID: [Highlight]] = [:]
        for member in members {
            guard let profile = try await storage.profile(id: member) else { continue }
            // From what search indexes: the sections shown to everyone who sees the profile.
            let document = ProfileIndexing.document(for: profile.sectionsShownToEveryone)
            let fields: [SearchQuery.Field] = [.title, .company, .skill, .school, .name]
            let texts = fields.flatMap { document.fields[$0] ?? [] } + document.other
            var seen: Set<String> = []
            result[member] = texts.compactMap { Highlighter.highlight($0, needles: needles) }
                .filter { seen.insert($0.text).inserted }.prefix(3).map { $0 }
        }
        return result
    }

    static func facets(_ facets: SearchFacets) -> JSONValue {
        func values(_ list: [SearchFacets.Value]) -> JSONValue {
            .array(list.map { .object(["value": .string($0.value), "label": .string($0.label), "count": .int($0.count)]) })
        }
        return .object([
            "currentCompany": values(facets.currentCompanies), "location": values(facets.locations), "skill": values(facets.skills),
            "degree": values(facets.degrees),
        ])
    }

    @Sendable func searchPeople(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, role) = try Self.member(context)
        let (query, parsed) = try Self.parse(request.form["q"])
        let filters = try Self.filters(request)
        let limit = try NetworkAPIRoutes.limit(request)
        let cursor = try NetworkAPIRoutes.cursor(request)
        guard let indexQuery = parsed else {
            return APIResponse.json(.object(["items": .array([]), "nextCursor": .null, "total": .int(0), "facets": Self.facets(SearchFacets())]))
        }
        let results = try await services.search.search(indexQuery, filters: filters, viewer: viewer, role: role)
        // The order is by score; the cursor is the rank of the last result shown (as six digits).
        var first = 0
        if let key = cursor.flatMap(Page.decode) {
            // Ranks compared as text, as `Page.slice` compares keys: the first rank after the cursor's.
            var high = results.hits.count
            while first < high {
                let middle = (first + high) / 2
                if Self.rank(middle) <= key { first = middle + 1 } else { high = middle }
            }
        }
        let shown = try await results.shown(first..<(first + limit))
        let next = first + limit < results.hits.count ? Page.encode(Self.rank(first + limit - 1)) : nil
        let highlights = try await Self.highlights(shown.map(\.person.card.id), query: query, storage: services.storage)
        let items: [JSONValue] = shown.map { hit in
            .object([
                "member": Represent.summary(hit.person), "currentTitle": .string(hit.attributes.currentTitle),
                "highlights": .array((highlights[hit.person.card.id] ?? []).map { .string($0.text) }),
            ])
        }
        return APIResponse.json(
            .object([
                "items": .array(items), "nextCursor": .string(next), "total": .int(results.hits.count),
                "facets": Self.facets(results.facets),
            ]))
    }

    /// A rank as the cursor names it: six digits.
    static func rank(_ rank: Int) -> String {
        let digits = String(rank)
        return String(repeating: "0", count: max(0, 6 - digits.utf8.count)) + digits
    }

    @Sendable func typeahead(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, _) = try Self.member(context)
        let raw = request.form["q"] ?? ""
        guard raw.unicodeScalars.count <= 100 else {
            throw DomainError(.malformed, code: "bad_query", message: "q must be at most 100 characters.")
        }
        let people = try await services.search.typeahead(TextAnalyzer.indexTerms(raw), viewer: viewer)
        return APIResponse.json(.object(["items": .array(people.map(Represent.summary))]))
    }

    static func saved(_ saved: SavedSearch) -> JSONValue {
        if saved.kind == .jobs {
            let filters = JobFilters(formEncoded: saved.filters)
            var object: JSONFields = [:]
            for (name, value) in [
                ("location", filters.location), ("company", filters.company), ("workplace", filters.workplace?.rawValue),
                ("employmentType", filters.employmentType?.rawValue),
            ] {
                if let value { object[name] = .string(value) }
            }
            return .object([
                "id": .string(saved.id), "name": .string(saved.name), "q": .string(saved.query), "filters": .object(object),
                "createdAt": Represent.time(saved.createdAt), "kind": .string(saved.kind.rawValue),
            ])
        }
        let filters = SearchFilters(formEncoded: saved.filters)
        var object: JSONFields = [:]
        for (name, value) in [
            ("currentCompany", filters.currentCompany), ("pastCompany", filters.pastCompany), ("school", filters.school),
            ("location", filters.location), ("skill", filters.skill), ("industry", filters.industry),
        ] {
            if let value { object[name] = .string(value) }
        }
        if let degrees = filters.degrees { object["degree"] = .string(degrees.sorted().map { String($0.rawValue) }.joined(separator: ",")) }
        if filters.openToWork { object["openToWork"] = .bool(true) }
        return .object([
            "id": .string(saved.id), "name": .string(saved.name), "q": .string(saved.query), "filters": .object(object),
            "createdAt": Represent.time(saved.createdAt), "kind": .string(saved.kind.rawValue),
        ])
    }

    @Sendable func listSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, _) = try Self.member(context)
        return APIResponse.json(.object(["items": .array(try await services.savedSearches.list(viewer: viewer).map(Self.saved))]))
    }

    @Sendable func getSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, _) = try Self.member(context)
        return APIResponse.json(Self.saved(try await services.savedSearches.get(id: try parameter(context, "id"), viewer: viewer)))
    }

    @Sendable func createSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, role) = try Self.member(context)
        let json = try await body(request, context)
        try json.allowOnly(["name", "q", "filters"])
        let q = try json.requiredString("q")
        _ = try Self.parse(q)
        var filters = SearchFilters()
        if let object = try json.object("filters") {
            try object.allowOnly(Set(Self.filterNames))
            filters = try Self.filters { name in
                if name == "openToWork" { return try object.bool(name).map { $0 ? "true" : "false" } }
                return try object.string(name)
            }
        }
        let saved = try await services.savedSearches.create(name: try json.string("name"), query: q, filters: filters, viewer: viewer, role: role)
        return APIResponse.json(Self.saved(saved), status: .created)
    }

    @Sendable func deleteSaved(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, _) = try Self.member(context)
        try await services.savedSearches.delete(id: try parameter(context, "id"), viewer: viewer)
        return APIResponse.noContent()
    }
}
