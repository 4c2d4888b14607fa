import Foundation
import TsunagariCore

/// The feed index in memory: for every member their recent posts and their recent activity (reactions, comments,
/// reposts), for every post what ranking needs (author, time, visibility, engagement), and for every hashtag its
/// posts. A feed is fan-out on read: the viewer's connections and follows come from the graph index, each one's
/// recent posts and activity are read from here, scored (`FeedScore`) and the best kept. No I/O: the service fills
/// it from storage at start and keeps it current with the feed change log.
///
/// Posts are numbered by storage (`seq`), so the index keeps no id strings: about 17 bytes per post in the per-post
/// arrays and 4 in its author's list, 12 per activity entry.
public final class FeedIndex: FeedIndexing, @unchecked Sendable {
    let graph: MemberGraph
    private let lock = ReadWriteLock()

    /// Seconds since 2020-01-01, the index's clock (good until 2156).
    static let epoch: TimeInterval = 1_577_836_800
    static func stamp(_ date: Date) -> UInt32 { UInt32(clamping: Int64((date.timeIntervalSince1970 - epoch).rounded(.down))) }

    struct Activity {
        var post: UInt32
        var at: UInt32
        var kind: UInt8
    }

    // Per post, by seq.
    private var authors: [UInt32] = []  // node + 1; 0: no post
    private var created: [UInt32] = []
    private var flags: [UInt8] = []  // 1 public, 2 plain repost
    private var engagement: [UInt32] = []
    private var postTags: [UInt32: [UInt32]] = [:]
    // Per member node.
    private var byAuthor: [[UInt32]] = []
    private var activity: [[Activity]] = []
    /// The newest post and the newest activity of each member (never lowered: a removal leaves it, which costs at most
    /// a look at a list). A feed skips a member with nothing in its window by one read of these flat arrays, rather
    /// than opening two lists per connection, which for 30,000 connections is most of the time.
    private var lastPosted: [UInt32] = []
    private var lastActed: [UInt32] = []
    // Per hashtag.
    private var tagIDs: [String: UInt32] = [:]
    private var tagged: [[UInt32]] = []
    private let sequence = LockedValue<Int64>(0)

    /// How far back a feed looks, and how much of each member it reads.
    public struct Window: Sendable {
        public var days: Double
        public var postsPerAuthor: Int
        public var activitiesPerMember: Int
        public var postsPerTag: Int

        /// A viewer who follows more members than this looks back proportionally less at first (at least a day): a
        /// recruiter with 30,000 connections has plenty of posts in the last day, and reading 30 days of every one of
        /// them would take hundreds of milliseconds. The window widens when it does not fill a page.
        public var fullWindowSources: Int

        public init(days: Double = 30, postsPerAuthor: Int = 20, activitiesPerMember: Int = 50, postsPerTag: Int = 500, fullWindowSources: Int = 1_000) {
            self.days = days
            self.postsPerAuthor = postsPerAuthor
            self.activitiesPerMember = activitiesPerMember
            self.postsPerTag = postsPerTag
            self.fullWindowSources = fullWindowSources
        }
    }

    public let window: Window
    /// Activity kept per member (the oldest goes first).
    static let activityKept = 200

    public init(graph: MemberGraph, window: Window = Window()) {
        self.graph = graph
        self.window = window
    }

    public var appliedSequence: Int64 { sequence.withLock { $0 } }
    public func setApplied(_ value: Int64) { sequence.withLock { $0 = max($0, value) } }

    /// How many posts the index holds.
    public var postCount: Int { lock.read { authors.reduce(0) { $0 + ($1 == 0 ? 0 : 1) } } }

    /// The bytes of the per-post and per-member structures (arrays' elements; not the dictionaries' overhead).
    public var approximateBytes: Int {
        lock.read {
            authors.count * 13 + byAuthor.reduce(0) { $0 + $1.capacity * 4 + 32 } + activity.reduce(0) { $0 + $1.capacity * 12 + 32 }
                + tagged.reduce(0) { $0 + $1.count * 4 } + postTags.count * 40
        }
    }

    // MARK: Changes

    private func grow(post seq: Int) {
        guard seq >= authors.count else { return }
        let size = max(seq + 1, authors.count + authors.count / 2)
        let extra = size - authors.count
        authors.append(contentsOf: repeatElement(0, count: extra))
        created.append(contentsOf: repeatElement(0, count: extra))
        flags.append(contentsOf: repeatElement(0, count: extra))
        engagement.append(contentsOf: repeatElement(0, count: extra))
    }

    private func grow(node: Node) {
        let needed = Int(node) + 1
        if byAuthor.count < needed {
            let extra = max(needed, byAuthor.count + byAuthor.count / 4) - byAuthor.count
            byAuthor.append(contentsOf: repeatElement([], count: extra))
            activity.append(contentsOf: repeatElement([], count: extra))
            lastPosted.append(contentsOf: repeatElement(0, count: extra))
            lastActed.append(contentsOf: repeatElement(0, count: extra))
        }
    }

    public func apply(_ state: FeedPostState) {
        guard state.seq > 0, state.seq < Int64(UInt32.max) else { return }
        let node = graph.assignNode(state.author)
        let tags = state.hashtags.isEmpty ? [] : lock.write { state.hashtags.map(tagID) }
        lock.write { apply(state, node: node, tags: tags) }
    }

    /// Many posts at once (start, the benchmark): the lock is taken once per batch.
    public func apply(_ states: [FeedPostState]) {
        let nodes = states.map { graph.assignNode($0.author) }
        lock.write {
            for (state, node) in zip(states, nodes) where state.seq > 0 && state.seq < Int64(UInt32.max) {
                apply(state, node: node, tags: state.hashtags.map(tagID))
            }
        }
    }

    private func tagID(_ tag: String) -> UInt32 {
        if let id = tagIDs[tag] { return id }
        let id = UInt32(tagged.count)
        tagIDs[tag] = id
        tagged.append([])
        return id
    }

    private func apply(_ state: FeedPostState, node: Node, tags: [UInt32]) {
        let s = Int(state.seq)
        let seq = UInt32(s)
        grow(post: s)
        grow(node: node)
        let previous = authors[s]
        if previous != 0, previous != node + 1 { remove(seq) }
        if authors[s] == 0 || state.isPlainRepost != (flags[s] & 2 != 0) {
            if state.isPlainRepost { Self.erase(seq, from: &byAuthor[Int(node)]) } else { Self.insert(seq, into: &byAuthor[Int(node)]) }
        }
        authors[s] = node + 1
        created[s] = Self.stamp(state.createdAt)
        lastPosted[Int(node)] = max(lastPosted[Int(node)], created[s])
        flags[s] = (state.visibility == .public ? 1 : 0) | (state.isPlainRepost ? 2 : 0)
        engagement[s] = UInt32(clamping: state.engagement)
        let old = postTags[seq] ?? []
        if old != tags {
            for tag in old where !tags.contains(tag) { Self.erase(seq, from: &tagged[Int(tag)]) }
            for tag in tags where !old.contains(tag) { Self.insert(seq, into: &tagged[Int(tag)]) }
            postTags[seq] = tags.isEmpty ? nil : tags
        }
    }

    public func removePost(_ seq: Int64) {
        guard seq > 0, seq < Int64(UInt32.max) else { return }
        lock.write { remove(UInt32(seq)) }
    }

    private func remove(_ seq: UInt32) {
        let s = Int(seq)
        guard s < authors.count, authors[s] != 0 else { return }
        Self.erase(seq, from: &byAuthor[Int(authors[s] - 1)])
        for tag in postTags.removeValue(forKey: seq) ?? [] { Self.erase(seq, from: &tagged[Int(tag)]) }
        authors[s] = 0
        flags[s] = 0
        engagement[s] = 0
        // Activity on it stays in its members' lists until it ages out; a post that is gone is never chosen.
    }

    public func setActivities(actor: MemberID, post: Int64, _ activities: [PostActivity]) {
        guard post > 0, post < Int64(UInt32.max) else { return }
        let node = graph.assignNode(actor)
        let seq = UInt32(post)
        lock.write {
            grow(node: node)
            var list = activity[Int(node)]
            list.removeAll { $0.post == seq }
            for item in activities {
                let entry = Activity(post: seq, at: Self.stamp(item.at), kind: item.kind.rawValue)
                // Kept in time order (the newest last): most arrive in order, so this is an append.
                var index = list.count
                while index > 0 && list[index - 1].at > entry.at { index -= 1 }
                list.insert(entry, at: index)
            }
            if list.count > Self.activityKept { list.removeFirst(list.count - Self.activityKept) }
            if let last = list.last { lastActed[Int(node)] = max(lastActed[Int(node)], last.at) }
            activity[Int(node)] = list
        }
    }

    /// Many activities at once (start, the benchmark), each appended to its member's list in time order.
    public func load(_ activities: [PostActivity]) {
        let nodes = activities.map { graph.assignNode($0.actor) }
        lock.write {
            for (item, node) in zip(activities, nodes) where item.post > 0 && item.post < Int64(UInt32.max) {
                grow(node: node)
                let at = Self.stamp(item.at)
                activity[Int(node)].append(Activity(post: UInt32(item.post), at: at, kind: item.kind.rawValue))
                lastActed[Int(node)] = max(lastActed[Int(node)], at)
            }
            for i in activity.indices where activity[i].count > 1 {
                activity[i].sort { $0.at < $1.at }
                if activity[i].count > Self.activityKept { activity[i].removeFirst(activity[i].count - Self.activityKept) }
            }
        }
    }

    static func insert(_ value: UInt32, into list: inout [UInt32]) {
        if list.last.map({ $0 < value }) ?? true {
            list.append(value)
            return
        }
        let index = SocialGraph.lowerBound(list, value)
        if index < list.count && list[index] == value { return }
        list.insert(value, at: index)
    }

    static func erase(_ value: UInt32, from list: inout [UInt32]) {
        let index = SocialGraph.lowerBound(list, value)
        if index < list.count && list[index] == value { list.remove(at: index) }
    }

    // MARK: Questions

    struct Gathered {
        var reason: FeedReason
        var actor: Node
        /// Connections whose activity brought the post; -1 before the first reason is merged.
        var actors: Int

        /// Keeps the closest reason, and counts each connection's activity once per reason that names another one.
        mutating func merge(_ reason: FeedReason, actor: Node) {
            let activity = reason.isActivity ? 1 : 0
            if actors < 0 {
                self = Gathered(reason: reason, actor: actor, actors: activity)
            } else if FeedScore.closeness(reason) > FeedScore.closeness(self.reason) {
                self = Gathered(reason: reason, actor: actor, actors: actors + activity)
            } else if activity == 1 && self.actor != actor {
                actors += 1
            }
        }
    }

    /// The posts a feed gathers, by seq: open addressing over a power-of-two table, probed in turn from a multiplicative
    /// hash. Seqs start at 1, so 0 marks a free slot. A dictionary hashed every seq with SipHash and checked exclusive
    /// access on each update from the nested functions that gather: a quarter of the feed index's time for a feed
    /// (docs/BENCHMARKS.md "Request path, round 14").
    struct Gathering {
        struct Slot {
            var seq: UInt32
            var gathered: Gathered
        }

        private(set) var slots: [Slot]
        private(set) var count = 0
        private var shift: UInt32

        init(expected: Int) {
            var bits: UInt32 = 4
            while (1 << bits) < expected * 2 { bits += 1 }
            slots = Array(repeating: Slot(seq: 0, gathered: Gathered(reason: .own, actor: 0, actors: -1)), count: 1 << bits)
            shift = 32 - bits
        }

        mutating func merge(_ seq: UInt32, _ reason: FeedReason, actor: Node) {
            if (count + 1) * 2 > slots.count { grow() }
            let mask = slots.count - 1
            var index = Int((seq &* 2_654_435_769) >> shift)
            slots.withUnsafeMutableBufferPointer { slots in
                while true {
                    if slots[index].seq == seq {
                        slots[index].gathered.merge(reason, actor: actor)
                        return
                    }
                    if slots[index].seq == 0 {
                        slots[index] = Slot(seq: seq, gathered: Gathered(reason: reason, actor: actor, actors: -1))
                        slots[index].gathered.merge(reason, actor: actor)
                        count += 1
                        return
                    }
                    index = (index + 1) & mask
                }
            }
        }

        private mutating func grow() {
            let old = slots
            var bigger = Gathering(expected: old.count)
            for slot in old where slot.seq != 0 { bigger.insert(slot) }
            self = bigger
        }

        private mutating func insert(_ slot: Slot) {
            let mask = slots.count - 1
            var index = Int((slot.seq &* 2_654_435_769) >> shift)
            while slots[index].seq != 0 { index = (index + 1) & mask }
            slots[index] = slot
            count += 1
        }
    }

    public func follows(_ viewer: MemberID, author: MemberID) -> Bool {
        guard let v = graph.nodeOf(viewer), let a = graph.nodeOf(author) else { return false }
        let exceptions = graph.followExceptions(of: v)
        if graph.graph.areConnected(v, a) { return !exceptions.unfollowed.contains(a) }
        return exceptions.extra.contains(a)
    }

    public func feed(_ question: FeedQuestion) -> [FeedCandidate] {
        guard let v = graph.nodeOf(question.viewer), question.limit > 0 else { return [] }
        let connections = graph.graph.connections(of: v)
        let exceptions = graph.followExceptions(of: v)
        let blocked = Set(question.blocked.compactMap { graph.nodeOf($0) })
        let sources = connections.count - exceptions.unfollowed.count + exceptions.extra.count
        var days = min(window.days, max(1, window.days * Double(window.fullWindowSources) / Double(max(1, sources))))
        while true {
            let found = feed(question, viewer: v, connections: connections, exceptions: exceptions, blocked: blocked, days: days)
            if found.count >= question.limit || days >= window.days { return found }
            days = min(window.days, days * 4)
        }
    }

    private func feed(
        _ question: FeedQuestion, viewer v: Node, connections: [Node], exceptions: (unfollowed: Set<Node>, extra: Set<Node>), blocked: Set<Node>,
        days: Double
    ) -> [FeedCandidate] {
        let asOf = Self.stamp(question.asOf)
        let since = asOf &- UInt32(min(Double(asOf), days * 86_400))
        let shown = Set(question.shown.compactMap { $0 > 0 && $0 < Int64(UInt32.max) ? UInt32($0) : nil })
        let tags = question.hashtags
        var found = Gathering(expected: min(200_000, connections.count * 4 + 64))

        lock.read {
            // Local copies (references, not elements): reading a class's stored arrays in a hot loop pays for an
            // exclusivity check on every access; the flat arrays are read through their buffers.
            let byAuthor = self.byAuthor
            let activity = self.activity
            let tagged = self.tagged
            let postsPerAuthor = window.postsPerAuthor
            let activitiesPerMember = window.activitiesPerMember
            let unfollowed = exceptions.unfollowed
            let checkShown = !shown.isEmpty
            let checkBlocked = !blocked.isEmpty
            let checkUnfollowed = !unfollowed.isEmpty
            let lastPosted = self.lastPosted
            let lastActed = self.lastActed
            self.created.withUnsafeBufferPointer { created in
                self.authors.withUnsafeBufferPointer { authors in
                    func posts(of author: Node, _ reason: FeedReason, into found: inout Gathering) {
                        guard Int(author) < byAuthor.count else { return }
                        byAuthor[Int(author)].withUnsafeBufferPointer { list in
                            var taken = 0
                            var i = list.count - 1
                            while i >= 0 && taken < postsPerAuthor {
                                let seq = list[i]
                                i -= 1
                                let t = created[Int(seq)]
                                if t > asOf { continue }
                                if t < since { break }
                                taken += 1
                                if !checkShown || !shown.contains(seq) { found.merge(seq, reason, actor: author) }
                            }
                        }
                    }
                    posts(of: v, .own, into: &found)
                    for c in connections {
                        if checkBlocked && blocked.contains(c) { continue }
                        // A connection the viewer unfollowed brings neither posts nor activity.
                        if checkUnfollowed && unfollowed.contains(c) { continue }
                        guard Int(c) < activity.count else { continue }
                        if lastPosted[Int(c)] >= since { posts(of: c, .connectionPosted, into: &found) }
                        if lastActed[Int(c)] < since { continue }
                        activity[Int(c)].withUnsafeBufferPointer { list in
                            var i = list.count - 1
                            var taken = 0
                            while i >= 0 && taken < activitiesPerMember {
                                let item = list[i]
                                i -= 1
                                if item.at > asOf { continue }
                                if item.at < since { break }
                                taken += 1
                                if checkShown && shown.contains(item.post) { continue }
                                guard let kind = PostActivityKind(rawValue: item.kind) else { continue }
                                found.merge(item.post, kind.reason, actor: c)
                            }
                        }
                    }
                    for f in exceptions.extra where !blocked.contains(f) { posts(of: f, .following, into: &found) }
                    for tag in tags {
                        guard let id = tagIDs[tag] else { continue }
                        let list = tagged[Int(id)]
                        var i = list.count - 1
                        var taken = 0
                        while i >= 0 && taken < window.postsPerTag {
                            let seq = list[i]
                            i -= 1
                            let t = created[Int(seq)]
                            if t > asOf { continue }
                            if t < since { break }
                            taken += 1
                            if !shown.contains(seq) { found.merge(seq, .hashtag, actor: authors[Int(seq)] &- 1) }
                        }
                    }
                }
            }
        }

        // Score what the viewer may see, keeping the best `limit` (a small heap, worst on top).
        var best: [(score: Double, seq: UInt32, gathered: Gathered)] = []
        best.reserveCapacity(question.limit + 1)
        func worse(_ a: (score: Double, seq: UInt32, gathered: Gathered), _ b: (score: Double, seq: UInt32, gathered: Gathered)) -> Bool {
            a.score != b.score ? a.score < b.score : a.seq < b.seq
        }
        lock.read {
            let authors = self.authors
            let flags = self.flags
            let created = self.created
            let engagement = self.engagement
            for slot in found.slots where slot.seq != 0 {
                let (seq, gathered) = (slot.seq, slot.gathered)
                let s = Int(seq)
                guard s < authors.count, authors[s] != 0 else { continue }
                let author = authors[s] - 1
                if !blocked.isEmpty && blocked.contains(author) { continue }
                if flags[s] & 2 != 0 { continue }  // a plain repost is shown through its original
                if flags[s] & 1 == 0 && author != v && !graph.graph.areConnected(author, v) { continue }
                let age = Double(asOf > created[s] ? asOf - created[s] : 0) / 3600
                let score = FeedScore.score(
                    reason: gathered.reason, actors: gathered.actors, engagement: Int(engagement[s]), ageHours: age)
                let item = (score: score, seq: seq, gathered: gathered)
                if best.count < question.limit {
                    best.append(item)
                    Self.siftUp(&best, best.count - 1, worse)
                } else if worse(best[0], item) {
                    best[0] = item
                    Self.siftDown(&best, 0, worse)
                }
            }
        }
        best.sort { worse($1, $0) }
        let actorIDs = graph.membersOf(best.map { $0.gathered.actor })
        return zip(best, actorIDs).map { item, actor in
            let reason = item.gathered.reason
            let named: MemberID? = reason.isActivity ? actor : nil
            return FeedCandidate(post: Int64(item.seq), reason: reason, actor: named, score: item.score)
        }
    }

    public func postsTagged(_ tag: String, before: Int64?, limit: Int, visibleTo viewer: MemberID, blocked: Set<MemberID>) -> [Int64] {
        let v = graph.nodeOf(viewer)
        let blockedNodes = Set(blocked.compactMap { graph.nodeOf($0) })
        return lock.read {
            guard let id = tagIDs[tag] else { return [] }
            let list = tagged[Int(id)]
            var result: [Int64] = []
            var i = list.count - 1
            while i >= 0 && result.count < limit {
                let seq = list[i]
                i -= 1
                if let before, Int64(seq) >= before { continue }
                let s = Int(seq)
                let author = authors[s] &- 1
                if authors[s] == 0 || blockedNodes.contains(author) || flags[s] & 2 != 0 { continue }
                if flags[s] & 1 == 0 && author != v && !(v.map { graph.graph.areConnected(author, $0) } ?? false) { continue }
                result.append(Int64(seq))
            }
            return result
        }
    }

    static func siftUp<T>(_ heap: inout [T], _ index: Int, _ less: (T, T) -> Bool) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    static func siftDown<T>(_ heap: inout [T], _ index: Int, _ less: (T, T) -> Bool) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && less(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && less(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension FeedReason {
    /// A reason that names the connection whose activity brought the post.
    var isActivity: Bool { self == .connectionCommented || self == .connectionReacted || self == .connectionReposted }
}
