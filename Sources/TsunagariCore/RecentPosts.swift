/// Each member's newest posts as a profile's activity shows them, kept in memory: the posts of every visibility, their
/// counts, every member's reaction on each (so that any viewer's own reaction is known) and the originals they repost
/// with their counts. Every profile page shows the first few of its member's posts; reading them cost a trip to the
/// database on each view, and on PostgreSQL the page's only statement (docs/BENCHMARKS.md "Request path, round 11").
///
/// Posts a feed shows are held too, by number (`HeldPost`): each with its counts and every member's reaction. A post
/// reaches the feeds of its author's connections and of those who follow its hashtags, so most feeds read posts
/// another feed has just read; reading them and their counts was a fifth of a feed page (docs/BENCHMARKS.md "Request
/// path, round 14").
///
/// Who may see which post is not kept: the service decides it on every request (blocks, connection, the author's
/// account), as for posts read from the database.
///
/// **Staying current.** Everything that changes a post or a count writes the feed change log, naming the post
/// (`FeedChange`): a post written, edited or deleted, a reaction, a comment, a repost, a moderator's removal. Whatever
/// replays that log into the feed index tells `invalidate` too, on every instance: this instance's own writes at once,
/// another instance's when the feed catches up (every 250 ms, as for the member cache). An entry is dropped when its
/// member or any post it holds changes, and is not trusted past `maximumAge`, a bound on any change the log could miss.
///
/// **No stale fill.** A read that began before an invalidation of what it read must not be kept after it. Each
/// invalidation has a number (`generation`); the member and the post it named remember it, and `store` keeps an entry
/// only when neither its member nor any post in it was invalidated since its read began. A removed post's member is
/// not known when the post is gone, which is why posts are remembered as well as members.
///
/// At most about `byteLimit` bytes are held in all (a post counts its text and 256 bytes, a reaction 64); past that the
/// maps start over. A member whose posts carry more than `reactionLimit` reactions is not held: their activity is read
/// from the database each time; nor is a post with more.
public final class RecentPosts: Sendable {
    /// What is kept of one member: their newest posts, of every visibility, newest first.
    public struct Entry: Sendable {
        public var posts: [Post]
        /// Whether the member has more posts than `posts` holds.
        public var more: Bool
        /// By post id: counts of the posts and of the originals they repost.
        public var counts: [String: PostCounts]
        /// By post id: every member's reaction on the member's own posts.
        public var reactions: [String: [MemberID: ReactionType]]
        /// By post id: the originals the posts repost that still exist (whether a viewer may see one is decided on use).
        public var originals: [String: Post]

        public init(
            posts: [Post], more: Bool, counts: [String: PostCounts], reactions: [String: [MemberID: ReactionType]], originals: [String: Post]
        ) {
            self.posts = posts
            self.more = more
            self.counts = counts
            self.reactions = reactions
            self.originals = originals
        }

        /// About the bytes held for the entry.
        var bytes: Int {
            posts.reduce(0) { $0 + 256 + $1.text.utf8.count } + originals.values.reduce(0) { $0 + 256 + $1.text.utf8.count }
                + 64 * reactions.values.reduce(0) { $0 + $1.count }
        }
        /// Every post the entry depends on.
        var seqs: [Int64] { posts.map(\.seq) + originals.values.map(\.seq) }
    }

    /// A page of a member's activity from memory, as the database would give it to one viewer.
    public struct Page: Sendable {
        public var posts: [Post]
        public var more: Bool
        public var counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)]
        public var originals: [String: Post]
    }

    /// A post as feeds show it: with its counts and every member's reaction on it.
    public struct HeldPost: Sendable {
        public var post: Post
        public var counts: PostCounts
        public var reactions: [MemberID: ReactionType]

        public init(post: Post, counts: PostCounts, reactions: [MemberID: ReactionType]) {
            self.post = post
            self.counts = counts
            self.reactions = reactions
        }

        var bytes: Int { 256 + post.text.utf8.count + 64 * reactions.count }
    }

    private struct Held {
        let entry: Entry
        let stored: ContinuousClock.Instant
        let bytes: Int
    }

    private struct HeldOne {
        let held: HeldPost
        let stored: ContinuousClock.Instant
        let bytes: Int
    }

    private struct State {
        var entries: [MemberID: Held] = [:]
        var posts: [Int64: HeldOne] = [:]
        /// Which members' entries hold each post (their own, or an original they repost).
        var holders: [Int64: Set<MemberID>] = [:]
        var bytes = 0
        var generation: UInt64 = 0
        /// The generation of each member's and each post's last invalidation, and below which every fill is refused
        /// (raised when those are forgotten).
        var memberInvalidated: [MemberID: UInt64] = [:]
        var postInvalidated: [Int64: UInt64] = [:]
        var floor: UInt64 = 0
        var reads = 0
        var hits = 0
        var postReads = 0
        var postHits = 0

        mutating func drop(_ member: MemberID) {
            guard let held = entries.removeValue(forKey: member) else { return }
            bytes -= held.bytes
            for seq in held.entry.seqs {
                holders[seq]?.remove(member)
                if holders[seq]?.isEmpty == true { holders[seq] = nil }
            }
        }

        mutating func drop(post seq: Int64) {
            guard let held = posts.removeValue(forKey: seq) else { return }
            bytes -= held.bytes
        }

        /// Past the byte limit: everything goes.
        mutating func startOver() {
            entries = [:]
            holders = [:]
            posts = [:]
            bytes = 0
        }
    }

    /// How many posts are kept of each member. A page of activity is given from memory when it asks for fewer.
    public let depth: Int
    public let byteLimit: Int
    public let reactionLimit: Int
    public let maximumAge: Duration
    /// Members and posts whose last invalidation is remembered; past this, every fill begun before is refused instead.
    static let invalidationsKept = 100_000
    private let state = LockedValue(State())

    public init(depth: Int = 10, byteLimit: Int = 64 << 20, reactionLimit: Int = 20_000, maximumAge: Duration = .seconds(60)) {
        self.depth = depth
        self.byteLimit = byteLimit
        self.reactionLimit = reactionLimit
        self.maximumAge = maximumAge
    }

    /// How many pages were asked of memory, and how many it gave (for tests).
    public var asked: (reads: Int, hits: Int) { state.withLock { ($0.reads, $0.hits) } }
    /// How many members are held (for tests).
    public var held: Int { state.withLock { $0.entries.count } }

    /// The first page of the member's activity for the viewer: `limit` posts, public ones only unless
    /// `includeConnectionsOnly`, with one more to tell whether there are more. Nil when memory cannot say (nothing held,
    /// too old, or the held posts are too few to fill the page while the member has more).
    public func page(of member: MemberID, viewer: MemberID, includeConnectionsOnly: Bool, limit: Int) -> Page? {
        let now = ContinuousClock.now
        return state.withLock { state -> Page? in
            state.reads += 1
            guard limit < depth, let held = state.entries[member] else { return nil }
            guard now - held.stored < maximumAge else {
                state.drop(member)
                return nil
            }
            let entry = held.entry
            let shown = entry.posts.filter { includeConnectionsOnly || $0.visibility == .public }
            guard shown.count > limit || !entry.more else { return nil }
            state.hits += 1
            let posts = Array(shown.prefix(limit))
            var counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)] = [:]
            var originals: [String: Post] = [:]
            for post in posts {
                counts[post.id] = (entry.counts[post.id] ?? PostCounts(), entry.reactions[post.id]?[viewer])
                if let id = post.repostOf, let original = entry.originals[id] {
                    originals[id] = original
                    counts[id] = (entry.counts[id] ?? PostCounts(), nil)
                }
            }
            return Page(posts: posts, more: shown.count > limit, counts: counts, originals: originals)
        }
    }

    /// Whether anything is held of the member (a page may still not be given from it).
    public func holds(_ member: MemberID) -> Bool { state.withLock { $0.entries[member] != nil } }

    /// The number to give `store` with what is read from now on.
    public func begin() -> UInt64 { state.withLock { $0.generation } }

    /// Keeps what was read since `begun`, unless the member or a post in it was invalidated meanwhile.
    public func store(_ entry: Entry, of member: MemberID, begun: UInt64) {
        let bytes = entry.bytes
        guard entry.posts.count <= depth, bytes <= byteLimit, entry.reactions.values.reduce(0, { $0 + $1.count }) <= reactionLimit else { return }
        let seqs = entry.seqs
        let stored = ContinuousClock.now
        state.withLock { state in
            guard begun >= state.floor, (state.memberInvalidated[member] ?? 0) <= begun,
                seqs.allSatisfy({ (state.postInvalidated[$0] ?? 0) <= begun })
            else { return }
            state.drop(member)
            if state.bytes + bytes > byteLimit { state.startOver() }
            state.entries[member] = Held(entry: entry, stored: stored, bytes: bytes)
            state.bytes += bytes
            for seq in seqs { state.holders[seq, default: []].insert(member) }
        }
    }

    /// How many posts were asked of memory, and how many it gave (for tests).
    public var askedPosts: (reads: Int, hits: Int) { state.withLock { ($0.postReads, $0.postHits) } }

    /// The posts held among `seqs`, as the database would give them to `viewer`: each with its counts and the viewer's
    /// own reaction. `missing`: those memory cannot give (not held, or held too long), to be read.
    public func posts(_ seqs: [Int64], viewer: MemberID) -> (
        posts: [Post], counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)], missing: [Int64]
    ) {
        let now = ContinuousClock.now
        return state.withLock { state in
            var posts: [Post] = []
            var counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)] = [:]
            var missing: [Int64] = []
            posts.reserveCapacity(seqs.count)
            for seq in seqs {
                state.postReads += 1
                guard let one = state.posts[seq] else {
                    missing.append(seq)
                    continue
                }
                guard now - one.stored < maximumAge else {
                    state.drop(post: seq)
                    missing.append(seq)
                    continue
                }
                state.postHits += 1
                posts.append(one.held.post)
                counts[one.held.post.id] = (one.held.counts, one.held.reactions[viewer])
            }
            return (posts, counts, missing)
        }
    }

    /// Keeps posts read since `begun`, each unless it was invalidated meanwhile.
    public func store(posts read: [HeldPost], begun: UInt64) {
        let stored = ContinuousClock.now
        state.withLock { state in
            guard begun >= state.floor else { return }
            for held in read where held.reactions.count <= reactionLimit && (state.postInvalidated[held.post.seq] ?? 0) <= begun {
                let bytes = held.bytes
                guard bytes <= byteLimit else { continue }
                state.drop(post: held.post.seq)
                if state.bytes + bytes > byteLimit { state.startOver() }
                state.posts[held.post.seq] = HeldOne(held: held, stored: stored, bytes: bytes)
                state.bytes += bytes
            }
        }
    }

    /// A post changed (written, edited, deleted, reacted to, commented on, reposted, removed): whatever holds it is
    /// dropped, and so is its author's entry when the author is known (a new post is in no entry yet).
    public func invalidate(post seq: Int64, author: MemberID?) {
        state.withLock { state in
            state.generation += 1
            if state.postInvalidated.count >= Self.invalidationsKept || state.memberInvalidated.count >= Self.invalidationsKept {
                state.postInvalidated = [:]
                state.memberInvalidated = [:]
                state.floor = state.generation
            }
            state.postInvalidated[seq] = state.generation
            if let author {
                state.memberInvalidated[author] = state.generation
                state.drop(author)
            }
            for member in state.holders[seq] ?? [] { state.drop(member) }
            state.drop(post: seq)
        }
    }

    /// Drops everything, and refuses every fill begun before.
    public func clear() {
        state.withLock { state in
            state.generation += 1
            state.floor = state.generation
            state.startOver()
            state.postInvalidated = [:]
            state.memberInvalidated = [:]
        }
    }
}
