import Foundation
import Hummingbird
import TsunagariCore

/// API.md "Messaging".
struct MessagingAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("conversations", use: start)
        api.get("conversations", use: list)
        api.get("conversations/{id}", use: conversation)
        api.get("conversations/{id}/messages", use: messages)
        api.post("conversations/{id}/messages", use: send)
        api.post("conversations/{id}/read", use: read)
        api.get("me/allowance", use: allowance)
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, role) = try SearchAPIRoutes.member(context)
        let json = try await body(request, context)
        try json.allowOnly(["participantIds", "text"])
        // The service counts them (too_many_participants); this bound only keeps the body's work small.
        guard let ids = try json.stringArray("participantIds", max: 1_000) else {
            throw DomainError.invalid("participants_required", "Name at least one member to write to.")
        }
        let text = try json.requiredString("text")
        let started = try await services.messaging.start(
            with: ids.map { MemberID($0.lowercased()) }, text: text, viewer: viewer, role: role)
        let people = try await MessagingPeople.load(for: [started.entry], viewer: viewer, services: services)
        return APIResponse.json(Represent.conversation(started.entry, people: people), status: started.created ? .created : .ok)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.messaging.conversations(
            viewer: viewer, cursor: try NetworkAPIRoutes.cursor(request), limit: try NetworkAPIRoutes.limit(request))
        let people = try await MessagingPeople.load(for: page.entries, viewer: viewer, services: services)
        return APIResponse.json(
            .object([
                "items": .array(page.entries.map { Represent.conversation($0, people: people) }), "nextCursor": .string(page.nextCursor),
                "unread": .int(try await services.messaging.unreadConversations(of: viewer)),
            ]))
    }

    @Sendable func conversation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let entry = try await services.messaging.entry(try parameter(context, "id"), viewer: viewer)
        let people = try await MessagingPeople.load(for: [entry], viewer: viewer, services: services)
        return APIResponse.json(Represent.conversation(entry, people: people))
    }

    @Sendable func messages(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.messaging.messages(
            in: try parameter(context, "id"), viewer: viewer, cursor: try NetworkAPIRoutes.cursor(request),
            limit: try NetworkAPIRoutes.limit(request))
        let people = try await MessagingPeople.load(page.messages.map(\.sender), viewer: viewer, services: services)
        return APIResponse.json(Represent.list(page.messages.map { Represent.message($0, people: people) }, next: page.nextCursor))
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try parameter(context, "id")
        let json = try await body(request, context)
        try json.allowOnly(["text"])
        let message = try await services.messaging.send(text: try json.requiredString("text"), to: id, viewer: viewer)
        let people = try await MessagingPeople.load([viewer], viewer: viewer, services: services)
        return APIResponse.json(Represent.message(message, people: people), status: .created)
    }

    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try parameter(context, "id")
        let json = try await body(request, context)
        try json.allowOnly(["upTo"])
        try await services.messaging.markRead(id, upTo: try json.requiredString("upTo"), viewer: viewer)
        return APIResponse.noContent()
    }

    @Sendable func allowance(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (viewer, role) = try SearchAPIRoutes.member(context)
        let allowance = try await services.messaging.allowance(viewer: viewer, role: role)
        return APIResponse.json(
            .object([
                "monthly": .int(allowance.monthly), "remaining": .int(allowance.remaining), "resetsAt": Represent.time(allowance.resetsAt),
            ]))
    }
}

/// How the people of conversations look to the viewer: as `MemberSummary` when the viewer may see them, otherwise a
/// stand-in that names no one: a member who deleted their account is "deleted", one either of them blocked is
/// "unavailable".
enum MessagingPeople {
    enum Person: Sendable {
        case shown(PersonSummary)
        case unavailable
        case deleted
    }

    static func load(for entries: [ConversationEntry], viewer: MemberID, services: AppServices) async throws -> [MemberID: Person] {
        try await load(
            entries.flatMap { $0.conversation.participants + ($0.lastMessage.map { [$0.sender] } ?? []) }, viewer: viewer, services: services)
    }

    static func load(_ ids: [MemberID], viewer: MemberID, services: AppServices) async throws -> [MemberID: Person] {
        let unique = Array(Set(ids))
        var people: [MemberID: Person] = [:]
        for person in try await services.network.summaries(unique, for: .member(viewer, .member)) { people[person.card.id] = .shown(person) }
        let missing = unique.filter { people[$0] == nil }
        if !missing.isEmpty {
            let existing = Set(try await services.storage.memberCards(ids: missing).map(\.id))
            for id in missing { people[id] = existing.contains(id) ? .unavailable : .deleted }
        }
        return people
    }
}

extension Represent {
    static func person(_ id: MemberID, _ people: [MemberID: MessagingPeople.Person]) -> JSONValue {
        switch people[id] ?? .deleted {
        case .shown(let person): return summary(person)
        case .unavailable: return standIn(id, name: "Unavailable member", flag: "unavailable")
        case .deleted: return standIn(id, name: "Deleted member", flag: "deleted")
        }
    }

    private static func standIn(_ id: MemberID, name: String, flag: String) -> JSONValue {
        .object([
            "id": .string(id.rawValue), "handle": .string(""), "name": .string(name), "headline": .null, "location": .null,
            "degree": .null, "mutualConnectionCount": .int(0), flag: .bool(true),
        ])
    }

    static func message(_ m: Message, people: [MemberID: MessagingPeople.Person]) -> JSONValue {
        .object([
            "id": .string(m.id), "conversationId": .string(m.conversationID), "sender": person(m.sender, people), "text": .string(m.text),
            "sentAt": time(m.sentAt),
        ])
    }

    static func conversation(_ entry: ConversationEntry, people: [MemberID: MessagingPeople.Person]) -> JSONValue {
        let c = entry.conversation
        return .object([
            "id": .string(c.id), "kind": .string(c.kind.rawValue), "participants": .array(c.participants.map { person($0, people) }),
            "lastMessage": entry.lastMessage.map { message($0, people: people) } ?? .null, "unreadCount": .int(entry.unreadCount),
            "updatedAt": time(c.updatedAt),
        ])
    }
}
