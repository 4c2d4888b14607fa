import Foundation
import Hummingbird
import TsunagariCore

/// API.md "Notifications and live events".
struct NotificationAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.get("notifications", use: list)
        api.post("notifications/read", use: markRead)
        api.get("events", use: events)
        // The same stream for pages, with the session cookie.
        router.get("events", use: events)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.notifications.list(
            viewer: viewer, cursor: try NetworkAPIRoutes.cursor(request), limit: try NetworkAPIRoutes.limit(request))
        let people = try await NotificationPeople.load(page.items, viewer: viewer, services: services)
        return APIResponse.json(
            .object([
                "items": .array(page.items.map { Represent.notification($0, people: people) }), "nextCursor": .string(page.nextCursor),
                "unread": .int(page.unread),
            ]))
    }

    @Sendable func markRead(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["upTo"])
        try await services.notifications.markRead(viewer: viewer, upTo: try json.requiredString("upTo"))
        return APIResponse.noContent()
    }

    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await EventStream(services: services).response(request, context: context)
    }
}

/// The people a notification names, as the viewer may see them now (blocks and privacy applied again): the actor
/// as any card of a person in a list; the members a saved search found only when the viewer sees their full profile.
enum NotificationPeople {
    static func load(_ list: [MemberNotification], viewer: MemberID, services: AppServices) async throws -> [MemberID: PersonSummary] {
        let ids = Array(Set(list.flatMap { $0.members + ($0.actor.map { [$0] } ?? []) }))
        let people = try await services.network.summaries(ids, for: .member(viewer, .member))
        let actors = Set(list.compactMap(\.actor))
        return Dictionary(
            people.filter { person in
                if actors.contains(person.card.id) { return true }
                let relation: ViewerRelation = person.degree == .first ? .connection : .member
                return ProfilePolicy.access(visibility: person.card.profileVisibility, relation: relation) == .full
            }.map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Represent {
    static func notification(_ n: MemberNotification, people: [MemberID: PersonSummary]) -> JSONValue {
        var object: JSONFields = [
            "id": .string(n.id), "kind": .string(n.kind.rawValue), "createdAt": time(n.createdAt), "read": .bool(n.read),
            "count": .int(n.count), "members": .array(n.members.compactMap { people[$0] }.map(summary)),
        ]
        if let actor = n.actor, let person = people[actor] { object["actor"] = summary(person) }
        if let conversation = n.conversationID { object["conversationId"] = .string(conversation) }
        switch n.kind {
        case .savedSearchMatches:
            object["savedSearch"] = .object(["id": .string(n.subjectID), "name": .string(n.subjectName)])
        case .introductionRequested, .introductionForwarded:
            object["introduction"] = .object(["id": .string(n.subjectID)])
        case .invitationReceived:
            object["invitation"] = .object(["id": .string(n.subjectID)])
        case .mention, .reaction, .repost:
            object["post"] = .object(["id": .string(n.subjectID)])
        case .comment:
            object["post"] = .object(["id": .string(n.subjectID)])
            object["comment"] = .object(["id": .string(n.subjectName)])
        case .jobApplication, .referralRequested, .referralGiven:
            object["job"] = .object(["id": .string(n.subjectID), "title": .string(n.subjectName)])
        case .invitationAccepted:
            break
        }
        return .object(object)
    }
}
