import Foundation
import Hummingbird
import TsunagariCore

/// The Messaging pages (session cookie, forms with CSRF tokens); the same services as the API.
struct MessagingPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("messages", use: inbox)
        router.get("messages/new", use: newMessage)
        router.post("messages", use: start)
        router.get("messages/{id}", use: conversation)
        router.post("messages/{id}", use: send)
        router.post("messages/{id}/read", use: read)
    }

    private func chrome(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
    }

    private static func cursor(_ raw: String?) -> String? {
        guard let raw, OpaqueID.isWellFormed(raw) else { return nil }
        return raw
    }

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.messaging.conversations(viewer: viewer, cursor: Self.cursor(request.form["cursor"]), limit: 30)
        let people = try await MessagingPeople.load(for: page.entries, viewer: viewer, services: services)
        return HTMLResponse.make(MessagingPages.inbox(await chrome(request, context), viewer: viewer, page.entries, next: page.nextCursor, people: people))
    }

    /// The member written to, as the viewer may see them; 404 when they may not.
    private func recipient(_ raw: String?, viewer: MemberID) async throws -> PersonSummary {
        guard let raw, OpaqueID.isWellFormed(raw.lowercased()),
            let person = try await services.network.summary(MemberID(raw.lowercased()), for: .member(viewer, .member)), person.card.id != viewer
        else { throw DomainError.notFound("Member") }
        return person
    }

    @Sendable func newMessage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let to = try await recipient(request.form["to"], viewer: viewer)
        // A pair keeps one conversation: go on in it.
        if let existing = try await services.messaging.existingConversation(with: to.card.id, viewer: viewer) {
            return .redirect(to: "/messages/\(existing.id)#composer")
        }
        return HTMLResponse.make(MessagingPages.newMessage(await chrome(request, context), .init(to: to)))
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .member(let viewer, let role) = context.viewer else { throw DomainError.unauthenticated }
        let to = try await recipient(context.form["to"], viewer: viewer)
        let text = context.form["text"] ?? ""
        do {
            let started = try await services.messaging.start(with: [to.card.id], text: text, viewer: viewer, role: role)
            return .redirect(to: "/messages/\(started.entry.conversation.id)#composer")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .forbidden {
            let page = MessagingPages.newMessage(await chrome(request, context), .init(to: to, draft: text, error: error.message))
            return HTMLResponse.make(page, status: error.kind == .forbidden ? .forbidden : .unprocessableContent)
        }
    }

    private func model(_ id: String, viewer: MemberID, before: String?, draft: String = "", error: String? = nil) async throws
        -> MessagingPages.ConversationModel
    {
        let entry = try await services.messaging.entry(id, viewer: viewer)
        let page = try await services.messaging.messages(in: id, viewer: viewer, cursor: before, limit: 50)
        let people = try await MessagingPeople.load(
            entry.conversation.participants + page.messages.map(\.sender), viewer: viewer, services: services)
        var closed: String?
        let others = entry.conversation.participants.filter { $0 != viewer }
        if entry.conversation.kind == .direct || entry.conversation.kind == .recruiter {
            if others.isEmpty {
                closed = "ended"
            } else if case .unavailable = people[others[0]] ?? .deleted {
                closed = "blocked"
            }
        }
        return .init(entry: entry, messages: page.messages, older: page.nextCursor, people: people, closed: closed, draft: draft, error: error)
    }

    private func localized(_ model: MessagingPages.ConversationModel, _ locale: TsunagariCore.Locale) -> MessagingPages.ConversationModel {
        var model = model
        model.closed = model.closed.map { $0 == "ended" ? Text.conversationEnded(locale) : Text.youCanNoLongerWrite(locale) }
        return model
    }

    @Sendable func conversation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try parameter(context, "id")
        let before = Self.cursor(request.form["before"])
        let model = try await model(id, viewer: viewer, before: before)
        // Seeing the newest messages reads them.
        if before == nil { try await services.messaging.markAllRead(id, viewer: viewer) }
        return HTMLResponse.make(MessagingPages.conversation(await chrome(request, context), viewer: viewer, localized(model, context.locale)))
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try parameter(context, "id")
        let text = context.form["text"] ?? ""
        do {
            _ = try await services.messaging.send(text: text, to: id, viewer: viewer)
            return .redirect(to: "/messages/\(id)#composer")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .forbidden || error.kind == .conflict {
            let model = try await model(id, viewer: viewer, before: nil, draft: text, error: error.message)
            let status: HTTPResponse.Status = error.kind == .invalid ? .unprocessableContent : error.kind == .forbidden ? .forbidden : .conflict
            return HTMLResponse.make(
                MessagingPages.conversation(await chrome(request, context), viewer: viewer, localized(model, context.locale)), status: status)
        }
    }

    /// Read up to a message (app.js, when a message arrives on an open conversation).
    @Sendable func read(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        try await services.messaging.markRead(try parameter(context, "id"), upTo: context.form["upTo"] ?? "", viewer: viewer)
        return Response(status: .noContent)
    }
}
