import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// Live events between instances sharing one PostgreSQL: `NOTIFY` to publish, one `LISTEN` connection per instance
/// to receive (the instance's own events come back the same way). The database fans out; no instance polls a table.
/// While the listening connection is lost, events are missed live; streams that reconnect catch up from storage.
/// Each event received from another instance also tells the member cache to replay its log before its next answer, so
/// that a stream that answers an event with a count held in memory (unread messages) counts what the event announced.
public final class PostgresEventChannel: LiveEventChannel, @unchecked Sendable {
    public static let channel = "tsunagari_events"

    private let storage: PostgresStorage
    private let logger: Logger
    private let local = LocalEventChannel()
    private let listening = LockedValue<Task<Void, Never>?>(nil)

    public init(storage: PostgresStorage, logger: Logger) {
        self.storage = storage
        self.logger = logger
    }

    /// Events waiting to be sent, and whether a task is sending them.
    private let outbox = LockedValue<(events: [String], sending: Bool)>(([], false))
    /// Events this instance sent that have not come back yet, by payload (a count for each): the write an event
    /// announces told this instance's cache already, so only other instances' events call for a replay. Forgotten
    /// past `unheardKept` (a listening connection lost while they were sent): those then replay once more, as any.
    private let unheard = LockedValue<[String: Int]>([:])
    static let unheardKept = 10_000

    /// Queues the event; one task at a time sends what is queued, as one statement per batch. Under load many events
    /// share a round trip and a commit (NOTIFY takes a lock on the database's one notification queue at commit, so
    /// one statement per event would queue the senders behind each other), and the request does not wait for it.
    /// The order is kept: batches go one after another, and within one the notifications are delivered in order.
    public func publish(_ event: LiveEvent) async {
        let start = outbox.withLock { outbox -> Bool in
            outbox.events.append(event.encoded)
            guard !outbox.sending else { return false }
            outbox.sending = true
            return true
        }
        guard start else { return }
        Task { await self.send() }
    }

    private func send() async {
        while true {
            let batch = outbox.withLock { outbox -> [String] in
                let batch = Array(outbox.events.prefix(500))
                outbox.events.removeFirst(batch.count)
                if batch.isEmpty { outbox.sending = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            unheard.withLock { unheard in
                if unheard.count + batch.count > Self.unheardKept { unheard = [:] }
                for payload in batch { unheard[payload, default: 0] += 1 }
            }
            do {
                try await storage.client.query(
                    "SELECT pg_notify(\(Self.channel), payload) FROM unnest(\(batch)::text[]) WITH ORDINALITY AS t(payload, n) ORDER BY n",
                    logger: logger)
            } catch {
                logger.warning("could not publish live events", metadata: ["error": .string("\(type(of: error))"), "events": .stringConvertible(batch.count)])
            }
        }
    }

    public func events() -> AsyncStream<LiveEvent> {
        let stream = local.events()
        startListening()
        return stream
    }

    /// One listening connection for every consumer, kept open (and reopened after a failure) until `stop`.
    private func startListening() {
        listening.withLock { task in
            guard task == nil else { return }
            let client = storage.client
            let cache = storage.cache
            let unheard = unheard
            let logger = logger
            let local = local
            task = Task {
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: Self.channel) { notifications in
                                for try await notification in notifications {
                                    // What another instance's event announces was committed before it was sent, and may
                                    // have changed what the member cache holds without a notification of its own (the
                                    // unread counts' triggers send none: migration 25). Whoever answers it replays the
                                    // log first. This instance's own writes told its cache already.
                                    let own = unheard.withLock { unheard -> Bool in
                                        guard let count = unheard[notification.payload] else { return false }
                                        unheard[notification.payload] = count > 1 ? count - 1 : nil
                                        return true
                                    }
                                    if !own { cache.wrote() }
                                    if let event = LiveEvent(encoded: notification.payload) { await local.publish(event) }
                                }
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("the live event connection was lost; reconnecting", metadata: ["error": .string("\(type(of: error))")])
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    public func stop() {
        listening.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}
