import Foundation
import Hummingbird
import TsunagariCore

/// Pages of the network: My Network, connection lists, profile actions, companies and introductions.
struct NetworkPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("network", use: myNetwork)
        router.get("network/connections", use: myConnections)
        router.get("in/{handle}/connections", use: memberConnections)
        router.post("network/invite/{id}", use: invite)
        router.post("network/invitations/{id}/accept", use: accept)
        router.post("network/invitations/{id}/ignore", use: ignore)
        router.post("network/invitations/{id}/withdraw", use: withdraw)
        router.post("network/connections/{id}/remove", use: remove)
        router.post("network/follow/{id}", use: follow)
        router.post("network/block/{id}", use: block)
        router.post("network/suggestions/{id}/dismiss", use: dismiss)
        router.get("companies/{id}", use: company)
        router.get("introductions", use: introductions)
        router.get("introductions/new", use: introductionForm)
        router.post("introductions", use: requestIntroduction)
        router.post("introductions/{id}/forward", use: forward)
        router.post("introductions/{id}/decline", use: decline)
    }

    private func chrome(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
    }

    private func id(_ context: AppRequestContext) throws -> String {
        guard let value = context.parameters.get("id"), !value.isEmpty, value.utf8.count <= 64, PathText.isPlain(value) else {
            throw DomainError.notFound("Resource")
        }
        return value
    }

    /// Back to where the form was, if that is a local page; else to My Network.
    private func back(_ request: Request, _ context: AppRequestContext) -> Response {
        let next = context.form["next"] ?? request.headers[.referer].flatMap { URL(string: $0)?.path } ?? "/network"
        let safe = Response.localPath(next, fallback: "/network")
        return .redirect(to: safe)
    }

    @Sendable func myNetwork(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let received = try await services.connections.invitations(of: viewer, received: true, cursor: nil, limit: 50)
        let sent = try await services.connections.invitations(of: viewer, received: false, cursor: nil, limit: 50)
        let suggestions = try await services.network.suggestions(for: viewer, limit: 12)
        // One batch for everyone on the page.
        let people = Dictionary(
            try await services.network.summaries(received.map(\.from) + sent.map(\.to), for: context.viewer).map { ($0.card.id, $0) },
            uniquingKeysWith: { a, _ in a })
        let model = NetworkPages.MyNetwork(
            received: received.compactMap { i in people[i.from].map { (i, $0) } },
            sent: sent.compactMap { i in people[i.to].map { (i, $0) } },
            suggestions: suggestions, connectionCount: services.network.connectionCount(of: viewer),
            secondDegreeCount: services.network.secondDegreeCount(of: viewer))
        return HTMLResponse.make(NetworkPages.myNetwork(await chrome(request, context), model))
    }

    private func listPage(
        _ request: Request, _ context: AppRequestContext, of member: MemberID, owner: PersonSummary?, basePath: String
    ) async throws -> Response {
        let viewer = try context.requireMember()
        let query = request.form["q"] ?? ""
        let sort = request.uri.queryParameters.get("sort").flatMap { NetworkService.ConnectionSort(rawValue: String($0)) } ?? .recent
        let cursor = request.uri.queryParameters.get("cursor").map { String($0) }
        let page = try await services.network.connections(
            of: member, viewer: viewer, query: String(query.prefix(100)), sort: sort, cursor: cursor, limit: 50)
        let model = NetworkPages.ConnectionList(
            owner: owner, entries: page.entries, query: query, sort: sort, nextCursor: page.nextCursor,
            sharedOnly: !services.network.maySeeList(of: member, viewer: viewer), basePath: basePath)
        return HTMLResponse.make(NetworkPages.connections(await chrome(request, context), model))
    }

    @Sendable func myConnections(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        return try await listPage(request, context, of: viewer, owner: nil, basePath: "/network/connections")
    }

    @Sendable func memberConnections(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireMember()
        let view = try await services.profiles.view(context.parameters.get("handle") ?? "", by: context.viewer)
        let owner = try await services.network.summary(view.profile.memberID, for: context.viewer)
        return try await listPage(
            request, context, of: view.profile.memberID, owner: owner, basePath: "/in/\(view.profile.handle)/connections")
    }

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let message = context.form["message"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        _ = try await services.connections.invite(from: viewer, to: MemberID(try id(context)), message: message)
        return back(request, context)
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.accept(invitationID: try id(context), by: try context.requireMember())
        return back(request, context)
    }

    @Sendable func ignore(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.ignore(invitationID: try id(context), by: try context.requireMember())
        return back(request, context)
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.withdraw(invitationID: try id(context), by: try context.requireMember())
        return back(request, context)
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.remove(MemberID(try id(context)), by: try context.requireMember())
        return back(request, context)
    }

    @Sendable func follow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let on = request.uri.queryParameters.get("on") != "0"
        try await services.connections.setFollow(MemberID(try id(context)), by: try context.requireMember(), on)
        return back(request, context)
    }

    @Sendable func block(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.connections.block(MemberID(try id(context)), by: try context.requireMember())
        // The blocked member's pages are gone for the viewer now.
        return .redirect(to: "/network")
    }

    @Sendable func dismiss(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.network.dismissSuggestion(MemberID(try id(context)), viewer: try context.requireMember())
        return back(request, context)
    }

    @Sendable func company(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let companyID = try id(context)
        let company = try await services.profiles.company(id: companyID)
        let known = try await services.network.people(at: companyID, current: true, degrees: [.first], viewer: viewer, cursor: nil, limit: 30)
        let reachable = try await services.network.people(
            at: companyID, current: true, degrees: [.second, .third], viewer: viewer, cursor: nil, limit: 30)
        let former = try await services.network.formerColleagues(at: companyID, viewer: viewer)
        // Former colleagues who are not connections: one of the viewer's connections who leads to each.
        var introducers: [MemberID: [MemberID]] = [:]
        for colleague in former.prefix(30) where colleague.person.degree == .second || colleague.person.degree == .third {
            let paths = try await services.network.paths(to: colleague.person.card.id, viewer: viewer)
            introducers[colleague.person.card.id] = paths.via.map(\.card.id)
        }
        let model = NetworkPages.CompanyModel(
            company: company, known: known.entries, reachable: reachable.entries, former: Array(former.prefix(30)), introducers: introducers,
            jobs: try await services.jobs.companyJobs(companyID, viewer: viewer, limit: 20),
            reach: try await reach(at: companyID, viewer: viewer))
        return HTMLResponse.make(NetworkPages.company(await chrome(request, context), model))
    }

    /// "Reach through your colleagues": only for a viewer with a verified employer (others see how to get one).
    private func reach(at companyID: String, viewer: MemberID) async throws -> DataPages.ReachModel {
        guard let employer = try await services.colleagueReach.employer(of: viewer) else { return DataPages.ReachModel(employer: nil, entries: []) }
        return DataPages.ReachModel(employer: employer, entries: try await services.colleagueReach.reach(companyID: companyID, viewer: viewer))
    }

    @Sendable func introductions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let list = try await services.network.introductions(viewer: viewer)
        let people = Dictionary(
            try await services.network.summaries(Array(Set(list.flatMap { [$0.requester, $0.via, $0.target] })), for: context.viewer)
                .map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
        let notice = request.uri.queryParameters.get("sent") != nil ? Text.introductionSent(context.locale) : nil
        return HTMLResponse.make(NetworkPages.introductions(await chrome(request, context, notice: notice), viewer: viewer, list, people: people))
    }

    private func formModel(_ context: AppRequestContext, target: String, via: String, message: String, error: String?) async throws
        -> NetworkPages.IntroductionForm
    {
        let people = try await services.network.summaries([MemberID(target), MemberID(via)], for: context.viewer)
        guard people.count == 2 else { throw DomainError.notFound("Member") }
        return NetworkPages.IntroductionForm(target: people[0], via: people[1], message: message, error: error)
    }

    @Sendable func introductionForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireMember()
        let target = request.uri.queryParameters.get("target").map { String($0) } ?? ""
        let via = request.uri.queryParameters.get("via").map { String($0) } ?? ""
        guard target.utf8.count <= 64, via.utf8.count <= 64 else { throw DomainError.notFound("Member") }
        let model = try await formModel(context, target: target, via: via, message: "", error: nil)
        return HTMLResponse.make(NetworkPages.introductionForm(await chrome(request, context), model))
    }

    @Sendable func requestIntroduction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let target = String((context.form["target"] ?? "").prefix(64))
        let via = String((context.form["via"] ?? "").prefix(64))
        let message = context.form["message"] ?? ""
        do {
            _ = try await services.network.requestIntroduction(to: MemberID(target), via: MemberID(via), message: message, viewer: viewer)
            return .redirect(to: "/introductions?sent=1")
        } catch let error as DomainError where error.kind == .invalid {
            let model = try await formModel(context, target: target, via: via, message: message, error: error.message)
            return HTMLResponse.make(NetworkPages.introductionForm(await chrome(request, context), model), status: .unprocessableContent)
        }
    }

    @Sendable func forward(_ request: Request, context: AppRequestContext) async throws -> Response {
        let note = context.form["note"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        try await services.network.forward(try id(context), note: note, viewer: try context.requireMember())
        return .redirect(to: "/introductions")
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.network.decline(try id(context), viewer: try context.requireMember())
        return .redirect(to: "/introductions")
    }
}
