import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import TsunagariCore

/// `GET /api/v1/events` (bearer) and `/events` (session cookie): the viewer's events as Server-Sent Events.
///
/// Each `message` and `notification` event has the message's or notification's id as its `id:`; ids are
/// time-ordered, so a reconnect with `Last-Event-ID` is answered from storage with what came after it (within the
/// last hour), then live. Every event is rendered for the viewer when it is delivered, so blocks and privacy apply at
/// that moment. An `unread` event with the counts follows each change, and a comment line every heartbeat keeps
/// proxies from closing an idle stream. At graceful shutdown every stream ends cleanly.
struct EventStream {
    let services: AppServices

    /// How far back a reconnect is answered.
    static let resumeWindow: TimeInterval = 60 * 60
    static let resumeLimit = 500

    func response(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let lastEventID = request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.uri.queryParameters.get("lastEventId").map { String($0) }
        if let lastEventID, !OpaqueID.isWellFormed(lastEventID) {
            throw DomainError(.malformed, code: "bad_last_event_id", message: "Last-Event-ID must be the id of an event this stream sent.")
        }
        // Subscribed before storage is read, so that nothing falls between the catch-up and the live events.
        let subscription = services.eventHub.subscribe(viewer)
        let services = services
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { services.eventHub.end(subscription) }
                let renderer = EventRenderer(services: services, viewer: viewer)
                let now = services.clock.now()
                var cursor = OpaqueID.floor(at: now.addingTimeInterval(-1))
                // What the catch-up sent, in case the live stream brings it again.
                var resumed: Set<String> = []
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                if let lastEventID {
                    let after = max(lastEventID, OpaqueID.floor(at: now.addingTimeInterval(-Self.resumeWindow)))
                    for (id, text) in try await renderer.missed(after: after) {
                        try await writer.write(ByteBuffer(string: text))
                        cursor = max(cursor, id)
                        resumed.insert(id)
                    }
                    cursor = max(cursor, lastEventID)
                }
                try await writer.write(ByteBuffer(string: try await renderer.unread(id: cursor)))
                try await withGracefulShutdownHandler {
                    for await item in subscription.items {
                        switch item {
                        case .heartbeat:
                            try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                        case .event(.posted(let post, _)):
                            // Not resumable and no count: the page offers to show the new posts.
                            guard let text = try await renderer.posted(post) else { continue }
                            try await writer.write(ByteBuffer(string: text))
                        case .event(let event):
                            guard let (id, text) = try await renderer.render(event, skipping: resumed) else { continue }
                            cursor = max(cursor, id ?? cursor)
                            try await writer.write(ByteBuffer(string: text + (try await renderer.unread(id: cursor))))
                        }
                    }
                } onGracefulShutdown: {
                    services.eventHub.end(subscription)
                }
                try await writer.finish(nil)
            })
    }
}

/// Turns live events into the text of Server-Sent Events for one viewer.
struct EventRenderer {
    let services: AppServices
    let viewer: MemberID

    static func frame(event: String, id: String, data: JSONValue) -> String {
        // JSON text holds no raw line breaks, so one `data:` line carries it.
        "event: \(event)\nid: \(id)\ndata: \(String(decoding: data.encoded(), as: UTF8.self))\n\n"
    }

    func message(_ message: Message) async throws -> String {
        let people = try await MessagingPeople.load([message.sender], viewer: viewer, services: services)
        return Self.frame(event: "message", id: message.id, data: Represent.message(message, people: people))
    }

    func notification(_ notification: MemberNotification) async throws -> String {
        let people = try await NotificationPeople.load([notification], viewer: viewer, services: services)
        return Self.frame(event: "notification", id: notification.id, data: Represent.notification(notification, people: people))
    }

    func unread(id: String) async throws -> String {
        let notifications = try await services.notifications.unreadCount(of: viewer)
        let messages = try await services.messaging.unreadConversations(of: viewer)
        return Self.frame(event: "unread", id: id, data: .object(["notifications": .int(notifications), "messages": .int(messages)]))
    }

    /// The event's text and id, or nil when the viewer may not see it (any more) or already had it.
    func render(_ event: LiveEvent, skipping sent: Set<String>) async throws -> (id: String?, text: String)? {
        switch event {
        case .message(_, let id, _):
            guard !sent.contains(id), let message = try await services.messaging.message(id, viewer: viewer) else { return nil }
            return (id, try await self.message(message))
        case .notification(let id, _):
            guard !sent.contains(id), let notification = try await services.notifications.notification(id, viewer: viewer) else { return nil }
            return (id, try await self.notification(notification))
        case .unread, .posted:
            return (nil, "")
        }
    }

    /// `event: post` with the new post's id, when the viewer may see it.
    func posted(_ id: String) async throws -> String? {
        guard (try? await services.posts.get(id, viewer: viewer)) != nil else { return nil }
        let data = JSONValue.object(["postId": .string(id)])
        return "event: post\ndata: \(String(decoding: data.encoded(), as: UTF8.self))\n\n"
    }

    /// What came after `after`, oldest first.
    func missed(after: String) async throws -> [(id: String, text: String)] {
        let messages = try await services.messaging.missed(viewer: viewer, after: after, limit: EventStream.resumeLimit)
        let notifications = try await services.notifications.missed(viewer: viewer, after: after, limit: EventStream.resumeLimit)
        var frames: [(String, String)] = []
        for message in messages { frames.append((message.id, try await self.message(message))) }
        for notification in notifications { frames.append((notification.id, try await self.notification(notification))) }
        return frames.sorted { $0.0 < $1.0 }
    }
}
