import Foundation
import ServiceLifecycle
import TsunagariCore

/// The event streams open on this instance, by member. It reads every live event from the channel once and hands
/// each to the streams of the members it is for; a heartbeat goes to every stream. It starts with the first stream
/// (in-process tests run no services) and closes every stream at graceful shutdown.
public final class EventHub: Service, @unchecked Sendable {
    public enum Item: Sendable {
        case event(LiveEvent)
        case heartbeat
    }

    private struct State {
        var streams: [MemberID: [Int: AsyncStream<Item>.Continuation]] = [:]
        var count = 0
        var nextID = 0
        var started = false
        var closed = false
    }

    private let channel: any LiveEventChannel
    private let heartbeat: Duration
    private let state = LockedValue(State())
    private let tasks = LockedValue<[Task<Void, Never>]>([])
    /// Whether a new post by the first member reaches the second's feed (set once the feed is wired).
    private let postAudience = LockedValue<(@Sendable (MemberID, MemberID) -> Bool)?>(nil)

    public func setPostAudience(_ audience: @escaping @Sendable (MemberID, MemberID) -> Bool) {
        postAudience.withLock { $0 = audience }
    }

    public init(channel: any LiveEventChannel, heartbeat: Duration) {
        self.channel = channel
        self.heartbeat = heartbeat
    }

    /// Streams open now.
    public var openStreams: Int { state.withLock { $0.count } }

    public struct Subscription: Sendable {
        public let member: MemberID
        public let id: Int
        public let items: AsyncStream<Item>
    }

    /// A stream of the member's events from now on; `end` it when the client goes.
    public func subscribe(_ member: MemberID) -> Subscription {
        startIfNeeded()
        // A slow client that falls 1,000 events behind loses the oldest; it catches up from storage on reconnecting.
        let (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let id = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.streams[member, default: [:]][state.nextID] = continuation
            state.count += 1
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return Subscription(member: member, id: 0, items: items)
        }
        continuation.onTermination = { [weak self] _ in self?.remove(member, id) }
        return Subscription(member: member, id: id, items: items)
    }

    public func end(_ subscription: Subscription) {
        let continuation = state.withLock { $0.streams[subscription.member]?[subscription.id] }
        continuation?.finish()
        remove(subscription.member, subscription.id)
    }

    private func remove(_ member: MemberID, _ id: Int) {
        state.withLock { state in
            guard state.streams[member]?.removeValue(forKey: id) != nil else { return }
            state.count -= 1
            if state.streams[member]?.isEmpty == true { state.streams[member] = nil }
        }
    }

    private func startIfNeeded() {
        let start = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard start else { return }
        let events = channel.events()
        let deliver = Task { [weak self] in
            for await event in events {
                guard let self else { return }
                self.deliver(event)
            }
        }
        let beat = Task { [weak self, heartbeat] in
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeat)
                guard let self else { return }
                for continuation in self.state.withLock({ $0.streams.values.flatMap(\.values) }) { continuation.yield(.heartbeat) }
            }
        }
        tasks.withLock { $0 += [deliver, beat] }
    }

    func deliver(_ event: LiveEvent) {
        if case .posted(_, let author) = event {
            // Found on each instance from its own graph index: the streams of members whose feed the post reaches.
            guard let audience = postAudience.withLock({ $0 }) else { return }
            let streams = state.withLock { state in state.streams.map { ($0.key, Array($0.value.values)) } }
            for (member, continuations) in streams where audience(author, member) {
                for continuation in continuations { continuation.yield(.event(event)) }
            }
            return
        }
        let targets = state.withLock { state in event.members.flatMap { state.streams[$0].map { Array($0.values) } ?? [] } }
        for continuation in targets { continuation.yield(.event(event)) }
    }

    /// Ends every stream: their responses finish cleanly and clients reconnect elsewhere.
    public func closeAll() {
        let all = state.withLock { state -> [AsyncStream<Item>.Continuation] in
            state.closed = true
            return state.streams.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }

    public func run() async throws {
        // Listen from the start, so that the first stream does not wait for the channel to open.
        startIfNeeded()
        try? await gracefulShutdown()
        closeAll()
    }
}
