import Foundation
import Hummingbird
import TsunagariCore

/// API.md "Connections" and "Network".
struct NetworkAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("invitations", use: invite)
        api.get("invitations", use: invitations)
        api.post("invitations/{id}/accept", use: accept)
        api.post("invitations/{id}/ignore", use: ignore)
        api.delete("invitations/{id}", use: withdraw)
        api.get("me/connections", use: myConnections)
        api.delete("connections/{memberId}", use: removeConnection)
        api.get("members/{idOrHandle}/connections", use: memberConnections)
        api.get("members/{idOrHandle}/mutual-connections", use: mutualConnections)
        api.put("members/{idOrHandle}/follow", use: follow)
        api.delete("members/{idOrHandle}/follow", use: unfollow)
        api.put("members/{idOrHandle}/block", use: block)
        api.delete("members/{idOrHandle}/block", use: unblock)
        api.get("network/suggestions", use: suggestions)
        api.delete("network/suggestions/{memberId}", use: dismissSuggestion)
        api.get("network/paths/{memberId}", use: paths)
        api.post("introductions", use: requestIntroduction)
        api.get("introductions", use: introductions)
        api.post("introductions/{id}/forward", use: forwardIntroduction)
        api.post("introductions/{id}/decline", use: declineIntroduction)
        api.get("companies", use: companies)
        api.get("companies/{id}/people", use: companyPeople)
        api.get("companies/{id}/former-colleagues", use: formerColleagues)
    }

    /// A member named by id, or by handle on the routes under `members/{idOrHandle}`.
    func member(_ context: AppRequestContext, _ name: String) async throws -> MemberID {
        guard let value = context.parameters.get(name), !value.isEmpty, value.utf8.count <= 64, PathText.isPlain(value) else {
            throw DomainError.notFound("Member")
        }
        if OpaqueID.isWellFormed(value.lowercased()) { return MemberID(value.lowercased()) }
        guard name == "idOrHandle", let id = try await services.storage.memberID(handle: value) else {
            throw DomainError.notFound("Member")
        }
        return id
    }

    /// `?limit=` 1–100, default 20; anything else is 400.
    static func limit(_ request: Request) throws -> Int {
        guard let raw = request.uri.queryParameters.get("limit") else { return 20 }
        guard let value = Int(raw), (1...100).contains(value) else {
            throw DomainError(.malformed, code: "bad_limit", message: "limit must be a number from 1 to 100.")
        }
        return value
    }

    static func cursor(_ request: Request) throws -> String? {
        guard let raw = request.uri.queryParameters.get("cursor"), !raw.isEmpty else { return nil }
        // Unicode scalars, as the API document's maxLength counts.
        guard raw.unicodeScalars.count <= 512, PathText.isPlain(raw) else {
            throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.")
        }
        return raw
    }

    private func people(_ ids: [MemberID], _ viewer: MemberID) async throws -> [MemberID: PersonSummary] {
        let list = try await services.network.summaries(Array(Set(ids)), for: .member(viewer, .member))
        return Dictionary(list.map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Invitations

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["inviteeId", "message"])
        let invitee = MemberID(try json.requiredString("inviteeId").lowercased())
        switch try await services.connections.invite(from: viewer, to: invitee, message: try json.nullableString("message") ?? nil) {
        case .sent(let invitation):
            return APIResponse.json(.object(["id": .string(invitation.id), "status": .string("pending")]), status: .created)
        case .connected:
            return APIResponse.json(.object(["status": .string("accepted")]))
        }
    }

    @Sendable func invitations(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let direction = request.uri.queryParameters.get("direction") ?? "received"
        guard direction == "received" || direction == "sent" else {
            throw DomainError(.malformed, code: "bad_direction", message: "direction must be received or sent.")
        }
        let limit = try Self.limit(request)
        let list = try await services.connections.invitations(
            of: viewer, received: direction == "received", cursor: try Self.cursor(request), limit: limit + 1)
        let page = Array(list.prefix(limit))
        let people = try await people(page.flatMap { [$0.from, $0.to] }, viewer)
        let items = page.compactMap { Represent.invitation($0, people: people) }
        return APIResponse.json(Represent.list(items, next: list.count > limit ? page.last?.id : nil))
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        try await services.connections.accept(invitationID: try parameter(context, "id"), by: viewer)
        return APIResponse.json(.object(["status": .string("accepted")]))
    }

    @Sendable func ignore(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.ignore(invitationID: try parameter(context, "id"), by: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.withdraw(invitationID: try parameter(context, "id"), by: try context.requireMember())
        return APIResponse.noContent()
    }

    // MARK: Connections

    @Sendable func myConnections(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        return try await connectionList(of: viewer, viewer: viewer, request)
    }

    @Sendable func memberConnections(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        return try await connectionList(of: try await member(context, "idOrHandle"), viewer: viewer, request)
    }

    private func connectionList(of member: MemberID, viewer: MemberID, _ request: Request) async throws -> Response {
        let sortText = request.uri.queryParameters.get("sort") ?? "recent"
        guard let sort = NetworkService.ConnectionSort(rawValue: sortText) else {
            throw DomainError(.malformed, code: "bad_sort", message: "sort must be recent or name.")
        }
        let query = request.uri.queryParameters.get("q").map { String($0) }
        if let query, query.unicodeScalars.count > 100 {
            throw DomainError(.malformed, code: "bad_query", message: "q must be at most 100 characters.")
        }
        let page = try await services.network.connections(
            of: member, viewer: viewer, query: query, sort: sort, cursor: try Self.cursor(request), limit: try Self.limit(request))
        return APIResponse.json(Represent.list(page.entries, next: page.nextCursor, write: Represent.write))
    }

    @Sendable func removeConnection(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.remove(try await member(context, "memberId"), by: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func mutualConnections(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let mutual = try await services.network.mutualConnections(with: try await member(context, "idOrHandle"), viewer: viewer)
        let limit = try Self.limit(request)
        let page = Page.slice(mutual, key: { $0.card.name + "|" + $0.card.id.rawValue }, cursor: try Self.cursor(request), limit: limit)
        return APIResponse.json(Represent.list(page.entries, next: page.nextCursor, write: Represent.write))
    }

    @Sendable func follow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.setFollow(try await member(context, "idOrHandle"), by: try context.requireMember(), true)
        return APIResponse.noContent()
    }

    @Sendable func unfollow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.setFollow(try await member(context, "idOrHandle"), by: try context.requireMember(), false)
        return APIResponse.noContent()
    }

    @Sendable func block(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.block(try await member(context, "idOrHandle"), by: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func unblock(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.unblock(try await member(context, "idOrHandle"), by: try context.requireMember())
        return APIResponse.noContent()
    }

    // MARK: Network

    @Sendable func suggestions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let limit = try Self.limit(request)
        let list = try await services.network.suggestions(for: viewer, limit: limit)
        return APIResponse.json(Represent.list(list, next: nil, write: Represent.write))
    }

    @Sendable func dismissSuggestion(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.network.dismissSuggestion(try await member(context, "memberId"), viewer: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func paths(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let paths = try await services.network.paths(to: try await member(context, "memberId"), viewer: viewer)
        return APIResponse.json(
            .object([
                "degree": paths.degree == .beyond ? .null : .int(paths.degree.rawValue),
                "paths": .array(paths.via.map { .object(["via": .array([Represent.summary($0)])]) }),
            ]))
    }

    // MARK: Introductions

    @Sendable func requestIntroduction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["targetId", "viaId", "message"])
        let introduction = try await services.network.requestIntroduction(
            to: MemberID(try json.requiredString("targetId").lowercased()), via: MemberID(try json.requiredString("viaId").lowercased()),
            message: try json.requiredString("message"), viewer: viewer)
        let people = try await people([introduction.requester, introduction.via, introduction.target], viewer)
        return APIResponse.json(Represent.introduction(introduction, people: people), status: .created)
    }

    @Sendable func introductions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.network.introductions(viewer: viewer)
        let people = try await people(list.flatMap { [$0.requester, $0.via, $0.target] }, viewer)
        return APIResponse.json(Represent.list(list.map { Represent.introduction($0, people: people) }, next: nil))
    }

    @Sendable func forwardIntroduction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["note"])
        try await services.network.forward(try parameter(context, "id"), note: try json.nullableString("note") ?? nil, viewer: viewer)
        return APIResponse.noContent()
    }

    @Sendable func declineIntroduction(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.network.decline(try parameter(context, "id"), viewer: try context.requireMember())
        return APIResponse.noContent()
    }

    // MARK: Companies

    @Sendable func companies(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireMember()
        let query = request.uri.queryParameters.get("q").map { String($0) } ?? ""
        let list = try await services.network.companies(matching: query, limit: try Self.limit(request))
        let items: [JSONValue] = list.map { entry in
            JSONValue.object([
                "id": .string(entry.company.id), "name": .string(entry.company.name), "memberCount": .int(entry.memberCount),
            ])
        }
        return APIResponse.json(Represent.list(items, next: nil))
    }

    static func degrees(_ request: Request) throws -> Set<Degree> {
        guard let raw = request.uri.queryParameters.get("degree") else { return [.first, .second, .third] }
        if raw.isEmpty { throw DomainError(.malformed, code: "bad_degree", message: "degree takes 1, 2 and 3, separated by commas.") }
        var degrees: Set<Degree> = []
        for part in raw.split(separator: ",") {
            guard let value = Int(part), (1...3).contains(value), let degree = Degree(rawValue: value) else {
                throw DomainError(.malformed, code: "bad_degree", message: "degree takes 1, 2 and 3, separated by commas.")
            }
            degrees.insert(degree)
        }
        return degrees
    }

    @Sendable func companyPeople(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let relation = request.uri.queryParameters.get("relation") ?? "current"
        guard relation == "current" || relation == "past" else {
            throw DomainError(.malformed, code: "bad_relation", message: "relation must be current or past.")
        }
        let page = try await services.network.people(
            at: try parameter(context, "id"), current: relation == "current", degrees: try Self.degrees(request), viewer: viewer,
            cursor: try Self.cursor(request), limit: try Self.limit(request))
        let items: [JSONValue] = page.entries.map {
            .object(["member": Represent.summary($0.person), "via": .array($0.via.map(Represent.summary))])
        }
        return APIResponse.json(Represent.list(items, next: page.nextCursor))
    }

    @Sendable func formerColleagues(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.network.formerColleagues(at: try parameter(context, "id"), viewer: viewer)
        let limit = try Self.limit(request)
        let page = Page.slice(
            Array(list.enumerated()), key: { String(format: "%08d", $0.offset) }, cursor: try Self.cursor(request), limit: limit)
        let items: [JSONValue] = page.entries.map {
            .object(["member": Represent.summary($0.element.person), "shared": .array($0.element.shared.map(Represent.shared))])
        }
        return APIResponse.json(Represent.list(items, next: page.nextCursor))
    }
}
