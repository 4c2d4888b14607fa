import Foundation

/// Who may see a post, in one place: its author; for a public post every member; for a connections-only post the
/// author's connections. Never a member either of them blocked.
public enum PostPolicy {
    public static func canSee(visibility: PostVisibility, author: MemberID, viewer: MemberID, connected: Bool, blocked: Bool) -> Bool {
        if author == viewer { return true }
        if blocked { return false }
        return visibility == .public || connected
    }
}

/// Posts, comments, reactions, reposts, hashtags, the feed and reports. Every rule of who sees what is applied here:
/// the post page, the feed, a member's activity, hashtag pages, search and the notifications that name a post all
/// come through `visiblePosts`.
public struct PostService: Sendable {
    public typealias Store = PostStore & JobStore & NetworkStore & NotificationStore & MessagingStore & Storage

    let storage: any Store
    let graph: any ConnectionGraph
    let index: any FeedIndexing
    let search: (any PostSearching)?
    let network: NetworkService
    let notifications: NotificationService?
    let events: (any LiveEventChannel)?
    let clock: any Clock
    let limits: PostLimits
    /// Members' newest posts in memory, for the first page of a profile's activity (nil: always read).
    public let recent: RecentPosts?

    public init(
        storage: any Store, graph: any ConnectionGraph, index: any FeedIndexing, search: (any PostSearching)?, network: NetworkService,
        notifications: NotificationService?, events: (any LiveEventChannel)?, clock: any Clock, limits: PostLimits = .standard,
        recentPosts: RecentPosts? = RecentPosts()
    ) {
        self.storage = storage
        self.graph = graph
        self.index = index
        self.search = search
        self.network = network
        self.notifications = notifications
        self.events = events
        self.clock = clock
        self.limits = limits
        self.recent = recentPosts
    }

    /// A post as one viewer sees it: its author and mentions as cards, its counts, the viewer's reaction and the
    /// original of a repost (nil when that is gone or hidden from the viewer).
    public struct View: Sendable {
        public var post: Post
        public var author: PersonSummary
        public var mentions: [PersonSummary]
        public var counts: PostCounts
        public var viewerReaction: ReactionType?
        public var repostOf: Post?
        public var repostAuthor: PersonSummary?
        public var repostCounts: PostCounts?
        /// A repost whose original is no longer there (deleted, or no longer visible).
        public var repostGone: Bool
        /// The job a hiring post shares (nil when there is none, or it is gone or hidden from the viewer).
        public var job: Job?
        /// The job the reposted original shares.
        public var repostJob: Job?

        public init(
            post: Post, author: PersonSummary, mentions: [PersonSummary] = [], counts: PostCounts = PostCounts(), viewerReaction: ReactionType? = nil,
            repostOf: Post? = nil, repostAuthor: PersonSummary? = nil, repostCounts: PostCounts? = nil, repostGone: Bool = false, job: Job? = nil,
            repostJob: Job? = nil
        ) {
            self.post = post
            self.author = author
            self.mentions = mentions
            self.counts = counts
            self.viewerReaction = viewerReaction
            self.repostOf = repostOf
            self.repostAuthor = repostAuthor
            self.repostCounts = repostCounts
            self.repostGone = repostGone
            self.job = job
            self.repostJob = repostJob
        }
    }

    public struct CommentView: Sendable {
        public var comment: PostComment
        public var author: PersonSummary
        /// Whether the viewer may delete it (its author or the post's).
        public var deletable: Bool
    }

    public struct FeedEntry: Sendable {
        public var view: View
        public var reason: FeedReason
        public var actor: PersonSummary?
    }

    // MARK: Writing

    private func postText(_ raw: String, allowEmpty: Bool) throws -> String {
        if allowEmpty { return try TextRule.clean(raw, field: "Text", limit: PostText.postLength, multiline: true) ?? "" }
        return try TextRule.required(raw, field: "Text", limit: PostText.postLength, multiline: true)
    }

    private func reserve(_ kind: String, limit: Int, viewer: MemberID) async throws {
        _ = try await AttemptLimiter(store: storage, clock: clock).reserve(
            [("\(kind):day:\(viewer.rawValue)", Throttle(limit: limit, window: 24 * 60 * 60))], code: "rate_limited",
            message: { "You have reached today's limit. Try again in \($0) seconds." })
    }

    /// The members the text mentions by handle (those that exist), at most `mentionsPerPost`.
    private func mentions(in text: String) async throws -> [MemberID] {
        var found: [MemberID] = []
        for handle in PostText.mentionedHandles(in: text).prefix(limits.mentionsPerPost) {
            if let id = try await storage.memberID(handle: handle), !found.contains(id) { found.append(id) }
        }
        return found
    }

    /// Writes a post; with `jobID`, a hiring post sharing that open job.
    public func create(text raw: String, visibility: PostVisibility, jobID: String? = nil, viewer: MemberID) async throws -> View {
        let text = try postText(raw, allowEmpty: false)
        if let jobID {
            guard OpaqueID.isWellFormed(jobID), let job = try await storage.job(id: jobID),
                !(try await storage.blockedEitherWay(viewer)).contains(job.poster)
            else { throw DomainError.notFound("Job") }
            guard job.status == .open else { throw DomainError(.conflict, code: "job_closed", message: "A closed job cannot be shared.") }
        }
        try await reserve("posts", limit: limits.postsPerDay, viewer: viewer)
        let now = clock.now()
        let post = try await storage.createPost(
            Post(
                id: OpaqueID.make(at: now), author: viewer, text: text, visibility: visibility, createdAt: now,
                hashtags: PostText.hashtags(in: text), mentions: try await mentions(in: text), jobID: jobID))
        await stored(post, newMentions: post.mentions)
        return try await view(post, viewer: viewer)
    }

    /// After a post is written: into the indexes, mentions told, the feeds of those who follow the author told live.
    private func stored(_ post: Post, newMentions: [MemberID]) async {
        index.apply(Self.state(of: post, engagement: 0))
        recent?.invalidate(post: post.seq, author: post.author)
        search?.index([post])
        for member in newMentions where member != post.author {
            if post.visibility == .connections, !graph.areConnected(member, post.author) { continue }
            await notifications?.record(.mentioned(member: member, by: post.author, post: post.id))
        }
        await events?.publish(.posted(post: post.id, author: post.author))
    }

    static func state(of post: Post, engagement: Int) -> FeedPostState {
        FeedPostState(
            seq: post.seq, author: post.author, createdAt: post.createdAt, visibility: post.visibility, isPlainRepost: post.isPlainRepost,
            hashtags: post.hashtags, engagement: engagement)
    }

    public func edit(_ id: String, text raw: String, viewer: MemberID) async throws -> View {
        let post = try await ownPost(id, viewer: viewer)
        let text = try postText(raw, allowEmpty: false)
        let mentions = try await mentions(in: text)
        guard let edited = try await storage.editPost(id: id, text: text, hashtags: PostText.hashtags(in: text), mentions: mentions, at: clock.now())
        else { throw DomainError.notFound("Post") }
        await refresh(post: edited.seq, actor: nil)
        search?.index([edited])
        for member in mentions where !post.mentions.contains(member) && member != viewer {
            if edited.visibility == .connections, !graph.areConnected(member, viewer) { continue }
            await notifications?.record(.mentioned(member: member, by: viewer, post: edited.id))
        }
        return try await view(edited, viewer: viewer)
    }

    public func delete(_ id: String, viewer: MemberID) async throws {
        let post = try await ownPost(id, viewer: viewer)
        guard try await storage.deletePost(id: id) else { throw DomainError.notFound("Post") }
        index.removePost(post.seq)
        recent?.invalidate(post: post.seq, author: post.author)
        search?.remove(post.seq)
        if let original = post.repostOf, let source = try await storage.post(id: original) {
            await refresh(post: source.seq, actor: viewer)
        }
    }

    /// A post or comment a moderator removed: this instance's feed and post search forget it now (other instances read
    /// the feed change log the removal wrote).
    public func moderated(_ resolved: ResolvedReport) async {
        guard let seq = resolved.postSeq else { return }
        if resolved.commentID == nil {
            index.removePost(seq)
            recent?.invalidate(post: seq, author: nil)
            search?.remove(seq)
        } else {
            await refresh(post: seq, actor: nil)
        }
    }

    /// The viewer's own post: someone else's is 404 when the viewer may not see it, 403 when they may.
    private func ownPost(_ id: String, viewer: MemberID) async throws -> Post {
        let post = try await visiblePost(id, viewer: viewer)
        guard post.author == viewer else {
            throw DomainError(.forbidden, code: "not_author", message: "Only the author can change or delete a post.")
        }
        return post
    }

    public func comment(on id: String, text raw: String, viewer: MemberID) async throws -> CommentView {
        let text = try TextRule.required(raw, field: "Text", limit: PostText.commentLength, multiline: true)
        let post = try await visiblePost(id, viewer: viewer)
        try await reserve("comments", limit: limits.commentsPerDay, viewer: viewer)
        let now = clock.now()
        let comment = PostComment(id: OpaqueID.make(at: now), postID: post.id, author: viewer, text: text, createdAt: now)
        guard try await storage.addComment(comment, postSeq: post.seq) else { throw DomainError.notFound("Post") }
        await refresh(post: post.seq, actor: viewer)
        await notifications?.record(.commented(postAuthor: post.author, by: viewer, post: post.id, comment: comment.id))
        guard let author = try await network.summary(viewer, for: .member(viewer, .member)) else { throw DomainError.notFound("Member") }
        return CommentView(comment: comment, author: author, deletable: true)
    }

    /// Comments oldest first; those of members either side blocked are left out.
    public func comments(on id: String, viewer: MemberID, after: String?, limit: Int) async throws -> (items: [CommentView], next: String?) {
        let post = try await visiblePost(id, viewer: viewer)
        let batch = try await storage.comments(on: post.id, after: after, limit: limit + 1)
        let page = Array(batch.prefix(limit))
        let people = Dictionary(
            try await network.summaries(Array(Set(page.map(\.author))), for: .member(viewer, .member)).map { ($0.card.id, $0) },
            uniquingKeysWith: { a, _ in a })
        let items = page.compactMap { c -> CommentView? in
            guard let author = people[c.author] else { return nil }
            return CommentView(comment: c, author: author, deletable: c.author == viewer || post.author == viewer)
        }
        return (items, batch.count > limit ? page.last?.id : nil)
    }

    public func deleteComment(_ commentID: String, on id: String, viewer: MemberID) async throws {
        let post = try await visiblePost(id, viewer: viewer)
        guard let comment = try await storage.comment(id: commentID), comment.postID == post.id else { throw DomainError.notFound("Comment") }
        guard comment.author == viewer || post.author == viewer else {
            throw DomainError(.forbidden, code: "not_author", message: "Only the comment's author or the post's author can delete it.")
        }
        guard try await storage.deleteComment(id: commentID, postSeq: post.seq) else { throw DomainError.notFound("Comment") }
        await refresh(post: post.seq, actor: comment.author)
    }

    public func react(_ id: String, type: ReactionType?, viewer: MemberID) async throws -> View {
        let post = try await visiblePost(id, viewer: viewer)
        let result = try await storage.setReaction(post: post.id, postSeq: post.seq, member: viewer, type: type, at: clock.now())
        guard result.exists else { throw DomainError.notFound("Post") }
        await refresh(post: post.seq, actor: viewer)
        if result.added { await notifications?.record(.reacted(postAuthor: post.author, by: viewer, post: post.id)) }
        return try await view(post, viewer: viewer)
    }

    /// Reposts a public post (the original of a repost without text of its own), with optional text.
    public func repost(_ id: String, text raw: String?, viewer: MemberID) async throws -> View {
        var original = try await visiblePost(id, viewer: viewer)
        if original.isPlainRepost, let source = original.repostOf {
            guard let first = try await visiblePosts([source], viewer: viewer).first else { throw DomainError.notFound("Post") }
            original = first
        }
        guard original.visibility == .public else {
            throw DomainError.invalid("not_shareable", "Only public posts can be reposted.")
        }
        let text = try postText(raw ?? "", allowEmpty: true)
        try await reserve("posts", limit: limits.postsPerDay, viewer: viewer)
        let now = clock.now()
        let post = try await storage.createPost(
            Post(
                id: OpaqueID.make(at: now), author: viewer, text: text, visibility: .public, createdAt: now, hashtags: PostText.hashtags(in: text),
                mentions: try await mentions(in: text), repostOf: original.id))
        await stored(post, newMentions: post.mentions)
        await refresh(post: original.seq, actor: viewer)
        await notifications?.record(.reposted(postAuthor: original.author, by: viewer, post: post.id))
        return try await view(post, viewer: viewer)
    }

    /// Re-reads a post's state (and an actor's activity on it) into the feed index: the same path catch-up takes.
    func refresh(post seq: Int64, actor: MemberID?) async {
        do {
            try await Self.replay([FeedChange(sequence: 0, post: seq, actor: actor)], storage: storage, index: index, recent: recent)
        } catch {
            // The change log brings it within a second.
        }
    }

    /// Applies changes as storage has them now: idempotent, so the log may be replayed any number of times.
    /// `recent`: the members' posts held in memory, told of every post changed.
    public static func replay(_ changes: [FeedChange], storage: any PostStore, index: any FeedIndexing, recent: RecentPosts? = nil) async throws {
        guard !changes.isEmpty else { return }
        let seqs = Array(Set(changes.map(\.post)))
        let states = Dictionary(try await storage.feedPostStates(seqs: seqs).map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        for seq in seqs {
            if let state = states[seq] { index.apply(state) } else { index.removePost(seq) }
            recent?.invalidate(post: seq, author: states[seq]?.author)
        }
        var done: Set<String> = []
        for change in changes {
            guard let actor = change.actor, done.insert("\(actor.rawValue) \(change.post)").inserted else { continue }
            let activities = states[change.post] == nil ? [] : try await storage.feedActivities(of: actor, on: change.post)
            index.setActivities(actor: actor, post: change.post, activities)
        }
    }

    /// Fills the feed index (and the post search index) from storage: every post's state, the activity of the feed's
    /// window, then the change log's position, read first so that what changes meanwhile is replayed.
    public static func load(storage: any PostStore, index: any FeedIndexing, search: (any PostSearching)?, since: Date) async throws -> Int {
        let sequence = try await storage.feedChangeSequence()
        var after: Int64 = 0
        var count = 0
        while true {
            let states = try await storage.feedPostStates(after: after, limit: 5_000)
            guard let last = states.last else { break }
            for state in states { index.apply(state) }
            if let search { search.index(try await storage.posts(seqs: states.map(\.seq))) }
            after = last.seq
            count += states.count
        }
        var done: [String: [PostActivity]] = [:]
        for activity in try await storage.feedActivities(since: since) {
            done["\(activity.actor.rawValue) \(activity.post)", default: []].append(activity)
        }
        for (_, activities) in done {
            index.setActivities(actor: activities[0].actor, post: activities[0].post, activities)
        }
        index.setApplied(sequence)
        return count
    }

    /// Replays the feed change log from where `cursor` stands: the changes in order, then any passed-over numbers that
    /// have since committed. Returns how many changes were read.
    public func catchUp(_ cursor: inout ChangeLogCursor, now: Date) async throws -> Int {
        let changes = try await storage.feedChanges(after: cursor.applied, limit: 5_000)
        var admitted: [FeedChange] = []
        for change in changes {
            guard cursor.admit(change.sequence, now: now) else { break }
            admitted.append(change)
        }
        let late = cursor.lateSequences(now: now)
        if !late.isEmpty {
            for change in try await storage.feedChanges(sequences: late) {
                admitted.append(change)
                cursor.found(change.sequence)
            }
        }
        guard !admitted.isEmpty else { return changes.count }
        try await Self.replay(admitted, storage: storage, index: index, recent: recent)
        if let search {
            let seqs = Array(Set(admitted.map(\.post)))
            let posts = try await storage.posts(seqs: seqs)
            search.index(posts)
            let present = Set(posts.map(\.seq))
            for seq in seqs where !present.contains(seq) { search.remove(seq) }
        }
        index.setApplied(cursor.applied)
        return changes.count
    }

    // MARK: Reading

    /// The posts among `ids` the viewer may see, in the order asked.
    func visiblePosts(_ ids: [String], viewer: MemberID) async throws -> [Post] {
        let posts = Dictionary(try await storage.posts(ids: ids).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let blocked = try await storage.blockedEitherWay(viewer)
        return ids.compactMap { posts[$0] }.filter { canSee($0, viewer: viewer, blocked: blocked) }
    }

    func canSee(_ post: Post, viewer: MemberID, blocked: Set<MemberID>) -> Bool {
        PostPolicy.canSee(
            visibility: post.visibility, author: post.author, viewer: viewer,
            connected: post.visibility == .connections && graph.areConnected(post.author, viewer), blocked: blocked.contains(post.author))
    }

    func visiblePost(_ id: String, viewer: MemberID) async throws -> Post {
        guard OpaqueID.isWellFormed(id), let post = try await visiblePosts([id], viewer: viewer).first else { throw DomainError.notFound("Post") }
        return post
    }

    public func get(_ id: String, viewer: MemberID) async throws -> View {
        try await view(try await visiblePost(id, viewer: viewer), viewer: viewer)
    }

    func view(_ post: Post, viewer: MemberID) async throws -> View {
        guard let view = try await views([post], viewer: viewer).first else { throw DomainError.notFound("Post") }
        return view
    }

    /// Views of posts the viewer may see (checked already), in order: one query for the originals of reposts, one for
    /// the counts, one for the cards.
    /// `known`: counts already read with the posts (those of posts they repost are read here).
    /// `knownOriginals`: the originals of reposts already read (those that exist; whether the viewer may see each is
    /// decided here).
    public func views(
        _ posts: [Post], viewer: MemberID, known: [String: (counts: PostCounts, viewerReaction: ReactionType?)] = [:],
        knownOriginals: [String: Post]? = nil
    ) async throws -> [View] {
        guard !posts.isEmpty else { return [] }
        let originalIDs = Array(Set(posts.compactMap(\.repostOf)))
        let originals: [String: Post]
        if originalIDs.isEmpty {
            originals = [:]
        } else if let knownOriginals {
            let blocked = try await storage.blockedEitherWay(viewer)
            originals = knownOriginals.filter { originalIDs.contains($0.key) && canSee($0.value, viewer: viewer, blocked: blocked) }
        } else {
            originals = Dictionary(try await visiblePosts(originalIDs, viewer: viewer).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let all = posts + Array(originals.values)
        var counts = known
        let unknown = Set(all.map(\.id)).subtracting(known.keys)
        if !unknown.isEmpty {
            counts.merge(try await storage.postCounts(Array(unknown), viewer: viewer)) { a, _ in a }
        }
        var people: [MemberID] = []
        for post in all { people += [post.author] + post.mentions }
        let cards = Dictionary(
            try await network.summaries(Array(Set(people)), for: .member(viewer, .member)).map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
        let jobIDs = Array(Set(all.compactMap(\.jobID)))
        let blocked = jobIDs.isEmpty ? [] : try await storage.blockedEitherWay(viewer)
        let jobs = jobIDs.isEmpty
            ? [:] : Dictionary(try await storage.jobs(ids: jobIDs).filter { !blocked.contains($0.poster) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return posts.compactMap { post in
            guard let author = cards[post.author] else { return nil }
            let original = post.repostOf.flatMap { originals[$0] }
            return View(
                post: post, author: author, mentions: post.mentions.compactMap { cards[$0] }, counts: counts[post.id]?.counts ?? PostCounts(),
                viewerReaction: counts[post.id]?.viewerReaction, repostOf: original, repostAuthor: original.flatMap { cards[$0.author] },
                repostCounts: original.flatMap { counts[$0.id]?.counts },
                repostGone: post.repostOf != nil && (original == nil || cards[original!.author] == nil), job: post.jobID.flatMap { jobs[$0] },
                repostJob: original?.jobID.flatMap { jobs[$0] })
        }
    }

    /// A member's posts the viewer may see, newest first (a profile's Activity).
    public func memberPosts(_ member: MemberID, viewer: MemberID, cursor: String?, limit: Int) async throws -> (items: [View], next: String?) {
        let page = try await memberPage(member, viewer: viewer, cursor: cursor, limit: limit)
        return (try await views(page.posts, viewer: viewer, known: page.counts, knownOriginals: page.originals), page.next)
    }

    /// The first posts of `memberPosts`, as they are: without their authors' cards, counts or originals, for a list
    /// that shows each post's text and time alone (a profile page's activity). Making views of them asked the graph for
    /// the member's mutual count with the viewer, which the page does not show.
    public func latestPosts(by member: MemberID, viewer: MemberID, limit: Int) async throws -> [Post] {
        try await memberPage(member, viewer: viewer, cursor: nil, limit: limit).posts
    }

    private struct MemberPage {
        var posts: [Post]
        var counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)]
        /// The originals of reposts, when read with the posts.
        var originals: [String: Post]?
        var next: String?
    }

    /// A page of the member's posts the viewer may see, newest first, with the counts read alongside.
    private func memberPage(_ member: MemberID, viewer: MemberID, cursor: String?, limit: Int) async throws -> MemberPage {
        let blocked = try await storage.blockedEitherWay(viewer)
        guard !blocked.contains(member), try await storage.account(id: member)?.isActive == true else { throw DomainError.notFound("Member") }
        let before = try cursor.map { text -> Int64 in
            guard let seq = Int64(text), seq > 0 else { throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.") }
            return seq
        }
        let includeConnections = member == viewer || graph.areConnected(member, viewer)
        if before == nil, let recent, limit < recent.depth {
            // The first page, from memory (filled here when it is not held).
            var page = recent.page(of: member, viewer: viewer, includeConnectionsOnly: includeConnections, limit: limit)
            if page == nil, !recent.holds(member) {
                let begun = recent.begin()
                recent.store(try await storage.recentPosts(by: member, limit: recent.depth), of: member, begun: begun)
                page = recent.page(of: member, viewer: viewer, includeConnectionsOnly: includeConnections, limit: limit)
            }
            if let page {
                return MemberPage(
                    posts: page.posts, counts: page.counts, originals: page.originals,
                    next: page.more ? page.posts.last.map { String($0.seq) } : nil)
            }
        }
        // The posts and their counts in one read.
        let (batch, counts) = try await storage.postsWithCounts(
            by: member, before: before, includeConnectionsOnly: includeConnections, limit: limit + 1, viewer: viewer)
        let page = Array(batch.prefix(limit))
        return MemberPage(posts: page, counts: counts, originals: nil, next: batch.count > limit ? page.last.map { String($0.seq) } : nil)
    }

    /// The viewer's feed: one page, best first, with why each post is there.
    /// `hashtags`: those the viewer follows, which the feed read (a page lists them beside it).
    public func feed(viewer: MemberID, cursor raw: String?, limit: Int) async throws -> (items: [FeedEntry], next: String?, hashtags: [String]) {
        let cursor: FeedCursor?
        if let raw {
            guard let decoded = FeedCursor(encoded: raw) else { throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.") }
            cursor = decoded
        } else {
            cursor = nil
        }
        let now = clock.now()
        let asOf = min(cursor?.asOf ?? now, now)
        var shown = cursor?.shown ?? []
        let room = FeedCursor.maximumShown - shown.count
        guard room > 0 else { return ([], nil, try await storage.followedHashtags(of: viewer)) }
        let limit = min(limit, room)
        let blocked = try await storage.blockedEitherWay(viewer)
        let hashtags = try await storage.followedHashtags(of: viewer)
        let question = FeedQuestion(
            viewer: viewer, hashtags: hashtags, blocked: blocked,
            // Milliseconds, as the cursor keeps them.
            asOf: Date(timeIntervalSince1970: (asOf.timeIntervalSince1970 * 1000).rounded(.down) / 1000), shown: Set(shown), limit: limit)
        let candidates = index.feed(question)
        let (read, known) = try await posts(candidates.map(\.post), viewer: viewer)
        let posts = Dictionary(read.map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        for candidate in candidates where posts[candidate.post] == nil { index.removePost(candidate.post) }
        // The index keeps seconds: a post written in the second of `asOf` but after it waits for the next first page.
        let chosen = candidates.filter { c in
            posts[c.post].map { $0.createdAt <= question.asOf && canSee($0, viewer: viewer, blocked: blocked) } ?? false
        }
        let views = Dictionary(
            try await self.views(chosen.compactMap { posts[$0.post] }, viewer: viewer, known: known).map { ($0.post.seq, $0) },
            uniquingKeysWith: { a, _ in a })
        let actors = Dictionary(
            try await network.summaries(Array(Set(chosen.compactMap(\.actor))), for: .member(viewer, .member)).map { ($0.card.id, $0) },
            uniquingKeysWith: { a, _ in a })
        let items = chosen.compactMap { c -> FeedEntry? in
            guard let view = views[c.post] else { return nil }
            let actor = c.actor.flatMap { actors[$0] }
            if c.actor != nil && actor == nil { return nil }
            return FeedEntry(view: view, reason: c.reason, actor: actor)
        }
        // Every candidate counts as shown, those left out too, so that the next page does not offer them again.
        shown += candidates.map(\.post)
        let next = candidates.count == limit && shown.count < FeedCursor.maximumShown ? FeedCursor(asOf: question.asOf, shown: shown).encoded : nil
        return (items, next, hashtags)
    }

    /// The posts that exist among `seqs` (a feed's, a hashtag's), with their counts and the viewer's reaction: from memory
    /// (`RecentPosts`) where held; those not held are read, and held from then on.
    private func posts(_ seqs: [Int64], viewer: MemberID) async throws -> (
        posts: [Post], counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)]
    ) {
        guard let recent else { return (try await storage.posts(seqs: seqs), [:]) }
        var (posts, counts, missing) = recent.posts(seqs, viewer: viewer)
        guard !missing.isEmpty else { return (posts, counts) }
        let begun = recent.begin()
        let read = try await storage.heldPosts(seqs: missing)
        recent.store(posts: read, begun: begun)
        for held in read {
            posts.append(held.post)
            counts[held.post.id] = (held.counts, held.reactions[viewer])
        }
        return (posts, counts)
    }

    /// Whether a new post by `author` belongs in `viewer`'s feed (for the live "new posts" notice).
    public func reachesFeed(author: MemberID, viewer: MemberID) -> Bool {
        author != viewer && index.follows(viewer, author: author)
    }

    /// Posts with the hashtag the viewer may see, newest first.
    public func tagged(_ raw: String, viewer: MemberID, cursor: String?, limit: Int) async throws -> (tag: String, items: [View], next: String?, following: Bool) {
        let tag = try tag(raw)
        let before = try cursor.map { text -> Int64 in
            guard let seq = Int64(text), seq > 0 else { throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.") }
            return seq
        }
        let blocked = try await storage.blockedEitherWay(viewer)
        let seqs = index.postsTagged(tag, before: before, limit: limit + 1, visibleTo: viewer, blocked: blocked)
        let (read, known) = try await posts(Array(seqs.prefix(limit)), viewer: viewer)
        let posts = Dictionary(read.map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        let page = seqs.prefix(limit).compactMap { posts[$0] }.filter { canSee($0, viewer: viewer, blocked: blocked) }
        let following = try await storage.followedHashtags(of: viewer).contains(tag)
        return (tag, try await views(page, viewer: viewer, known: known), seqs.count > limit ? seqs.prefix(limit).last.map(String.init) : nil, following)
    }

    public func tag(_ raw: String) throws -> String {
        guard raw.unicodeScalars.count <= PostText.tagLength + 1, let tag = PostText.normalizedTag(raw) else {
            throw DomainError.invalid("bad_hashtag", "A hashtag is 1–100 letters, digits or '_'.")
        }
        return tag
    }

    public func followHashtag(_ raw: String, viewer: MemberID, _ on: Bool) async throws {
        try await storage.setHashtagFollow(member: viewer, tag: try tag(raw), on, at: clock.now())
    }

    public func followedHashtags(viewer: MemberID) async throws -> [String] {
        try await storage.followedHashtags(of: viewer)
    }

    /// Post search: the index's best matches (at most 1,000) the viewer may see, relevance blended with recency.
    public func search(_ query: IndexQuery?, tags: [String], viewer: MemberID) async throws -> [Post] {
        guard let search else { return [] }
        let hits: [(post: Int64, relevance: Double)]
        do {
            hits = try search.search(query, tags: tags, limit: 1_000)
        } catch {
            throw DomainError(.malformed, code: "too_complex", message: "The query asks for too much work; make it narrower.")
        }
        let blocked = try await storage.blockedEitherWay(viewer)
        let visible = try await storage.posts(seqs: hits.map(\.post)).filter { canSee($0, viewer: viewer, blocked: blocked) }
        let relevance = Dictionary(hits.map { ($0.post, $0.relevance) }, uniquingKeysWith: { a, _ in a })
        let now = clock.now()
        let ranked = visible.sorted { a, b in
            let x = (1 + (relevance[a.seq] ?? 0)) * FeedScore.decay(ageHours: now.timeIntervalSince(a.createdAt) / 3600)
            let y = (1 + (relevance[b.seq] ?? 0)) * FeedScore.decay(ageHours: now.timeIntervalSince(b.createdAt) / 3600)
            return x != y ? x > y : a.seq > b.seq
        }
        return ranked
    }

    /// Reports a post, or one of its comments, to the operators. A second report of the same thing by the same member
    /// changes nothing.
    public func report(_ id: String, comment commentID: String?, reason raw: String, viewer: MemberID) async throws {
        let reason = try TextRule.required(raw, field: "Reason", limit: PostText.reportLength, multiline: true)
        let post = try await visiblePost(id, viewer: viewer)
        if let commentID {
            guard OpaqueID.isWellFormed(commentID), let comment = try await storage.comment(id: commentID), comment.postID == post.id else {
                throw DomainError.notFound("Comment")
            }
        }
        try await reserve("reports", limit: limits.reportsPerDay, viewer: viewer)
        let now = clock.now()
        _ = try await storage.createReport(
            PostReport(id: OpaqueID.make(at: now), postID: post.id, commentID: commentID, reporter: viewer, reason: reason, createdAt: now))
    }
}

/// The feed's ranking, in one place (docs/ARCHITECTURE.md, "The feed"):
///
///     score = closeness × (1 + 0.25 × (actors − 1)) × (1 + log2(1 + engagement) / 4) × decay(age)
///     decay(age) = 1 / (1 + age in hours / 12)^1.5
///
/// Closeness: the viewer's own post and a connection's post 1.0; a followed member's 0.7; a post a connection
/// commented on or reposted 0.6, reacted to 0.5; a followed hashtag's 0.4. `actors` counts the connections whose
/// activity brought the post (at most 5). Engagement is reactions + 2 × comments + 3 × reposts.
public enum FeedScore {
    public static func closeness(_ reason: FeedReason) -> Double {
        switch reason {
        case .own, .connectionPosted: 1.0
        case .following: 0.7
        case .connectionCommented, .connectionReposted: 0.6
        case .connectionReacted: 0.5
        case .hashtag: 0.4
        }
    }

    /// `1 / (1 + age / 12)^1.5`, the power taken as `x·√x`: `pow` was a tenth of ranking a feed's candidates.
    public static func decay(ageHours: Double) -> Double {
        let base = 1 + max(0, ageHours) / 12
        return 1 / (base * base.squareRoot())
    }

    public static func score(reason: FeedReason, actors: Int, engagement: Int, ageHours: Double) -> Double {
        closeness(reason) * (1 + 0.25 * Double(min(max(actors, 1), 5) - 1)) * (1 + log2(1 + Double(max(0, engagement))) / 4)
            * decay(ageHours: ageHours)
    }
}
