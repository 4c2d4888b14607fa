import Foundation
import Testing
@testable import TsunagariCore

/// Members' newest posts in memory: a page is given as the database would give it to each viewer; a change to the
/// member or to any post held drops the entry; a read begun before a change is never kept after it; bounds and age.
@Suite struct RecentPostsTests {
    static let ann = MemberID("ann")
    static let ben = MemberID("ben")
    static let cho = MemberID("cho")

    static func post(_ seq: Int64, _ visibility: PostVisibility = .public, by author: MemberID = ann, reposting original: String? = nil) -> Post {
        Post(
            id: "p\(seq)", seq: seq, author: author, text: "post \(seq)", visibility: visibility, createdAt: Date(timeIntervalSince1970: Double(seq)),
            repostOf: original)
    }

    /// Ann's posts 6…1 (4 and 2 for connections only), post 6 reposting Cho's post 100; Ben reacted to post 5.
    static func entry(more: Bool = false) -> RecentPosts.Entry {
        let posts = [post(6, reposting: "p100"), post(5), post(4, .connections), post(3), post(2, .connections), post(1)]
        var counts: [String: PostCounts] = [:]
        for post in posts { counts[post.id] = PostCounts(comments: Int(post.seq)) }
        counts["p5"]?.reactions = [.like: 1]
        counts["p100"] = PostCounts(reactions: [.celebrate: 3])
        return RecentPosts.Entry(
            posts: posts, more: more, counts: counts, reactions: ["p5": [ben: .like]], originals: ["p100": post(100, by: cho)])
    }

    @Test func aPageIsWhatEachViewerMaySee() throws {
        let recent = RecentPosts()
        #expect(recent.page(of: Self.ann, viewer: Self.ben, includeConnectionsOnly: true, limit: 3) == nil)
        recent.store(Self.entry(), of: Self.ann, begun: recent.begin())
        let connected = try #require(recent.page(of: Self.ann, viewer: Self.ben, includeConnectionsOnly: true, limit: 3))
        #expect(connected.posts.map(\.seq) == [6, 5, 4])
        #expect(connected.more)
        #expect(connected.counts["p5"]?.viewerReaction == .like)
        #expect(connected.counts["p5"]?.counts.reactions[.like] == 1)
        #expect(connected.counts["p4"]?.counts.comments == 4)
        #expect(connected.originals["p100"]?.author == Self.cho)
        #expect(connected.counts["p100"]?.counts.reactions[.celebrate] == 3)
        // Someone else: public posts only, and their own reaction (none).
        let other = try #require(recent.page(of: Self.ann, viewer: Self.cho, includeConnectionsOnly: false, limit: 3))
        #expect(other.posts.map(\.seq) == [6, 5, 3])
        #expect(other.more)
        #expect(other.counts["p5"]?.viewerReaction == nil)
        #expect(other.counts["p4"] == nil)
        // The last page of a member with nothing more.
        let all = try #require(recent.page(of: Self.ann, viewer: Self.cho, includeConnectionsOnly: false, limit: 5))
        #expect(all.posts.map(\.seq) == [6, 5, 3, 1])
        #expect(!all.more)
        // A page as long as what is kept, or longer, is not given.
        #expect(recent.page(of: Self.ann, viewer: Self.cho, includeConnectionsOnly: false, limit: recent.depth) == nil)
        #expect(recent.asked == (reads: 5, hits: 3))
    }

    @Test func postsHeldTooFewToFillAPageAreNotGiven() {
        let recent = RecentPosts()
        // Ann has more posts than are kept: the four public ones held cannot fill a page of four and tell what follows.
        recent.store(Self.entry(more: true), of: Self.ann, begun: recent.begin())
        #expect(recent.page(of: Self.ann, viewer: Self.cho, includeConnectionsOnly: false, limit: 3)?.posts.count == 3)
        #expect(recent.page(of: Self.ann, viewer: Self.cho, includeConnectionsOnly: false, limit: 4) == nil)
        #expect(recent.page(of: Self.ann, viewer: Self.ben, includeConnectionsOnly: true, limit: 5)?.more == true)
        #expect(recent.holds(Self.ann))
    }

    @Test func aChangeDropsEveryEntryThatHoldsIt() {
        let recent = RecentPosts()
        func fill() {
            recent.store(Self.entry(), of: Self.ann, begun: recent.begin())
            recent.store(RecentPosts.Entry(posts: [Self.post(100, by: Self.cho)], more: false, counts: [:], reactions: [:], originals: [:]), of: Self.cho, begun: recent.begin())
        }
        fill()
        #expect(recent.held == 2)
        // A new post of Ann's (held nowhere yet) drops Ann's entry by its author.
        recent.invalidate(post: 7, author: Self.ann)
        #expect(!recent.holds(Self.ann) && recent.holds(Self.cho))
        fill()
        // A change to Cho's post drops Cho's entry and Ann's, which holds it as the original of a repost.
        recent.invalidate(post: 100, author: Self.cho)
        #expect(recent.held == 0)
        fill()
        // A deleted post's author is not known: whatever holds it goes.
        recent.invalidate(post: 3, author: nil)
        #expect(!recent.holds(Self.ann) && recent.holds(Self.cho))
        // A post no one holds changes nothing held.
        recent.invalidate(post: 999, author: nil)
        #expect(recent.holds(Self.cho))
        recent.clear()
        #expect(recent.held == 0)
    }

    @Test func aReadBegunBeforeAChangeIsNotKept() {
        let recent = RecentPosts()
        // Ann changed while her posts were read.
        var begun = recent.begin()
        recent.invalidate(post: 7, author: Self.ann)
        recent.store(Self.entry(), of: Self.ann, begun: begun)
        #expect(!recent.holds(Self.ann))
        // A post read was deleted meanwhile (its author unknown then).
        begun = recent.begin()
        recent.invalidate(post: 2, author: nil)
        recent.store(Self.entry(), of: Self.ann, begun: begun)
        #expect(!recent.holds(Self.ann))
        // The original a post reposts changed meanwhile.
        begun = recent.begin()
        recent.invalidate(post: 100, author: Self.cho)
        recent.store(Self.entry(), of: Self.ann, begun: begun)
        #expect(!recent.holds(Self.ann))
        // Someone else's change does not stop it; a read begun after a change is kept.
        begun = recent.begin()
        recent.invalidate(post: 55, author: Self.ben)
        recent.store(Self.entry(), of: Self.ann, begun: begun)
        #expect(recent.holds(Self.ann))
        // After everything was cleared, no read begun before is kept.
        begun = recent.begin()
        recent.clear()
        recent.store(Self.entry(), of: Self.ann, begun: begun)
        #expect(!recent.holds(Self.ann))
    }

    @Test func whatIsHeldIsBoundedAndAges() throws {
        // Bytes: 7 posts of 6 or 8 bytes of text (7 × 256 + 44) and a reaction (64): 1,900 per entry.
        #expect(Self.entry().bytes == 1_900)
        let recent = RecentPosts(byteLimit: 4_000)
        recent.store(Self.entry(), of: Self.ann, begun: recent.begin())
        recent.store(Self.entry(), of: Self.ben, begun: recent.begin())
        #expect(recent.held == 2)
        recent.store(Self.entry(), of: Self.cho, begun: recent.begin())
        #expect(recent.held == 1 && recent.holds(Self.cho))
        // Too many reactions, more bytes than all may hold, or more posts than are kept: not held.
        let small = RecentPosts(byteLimit: 1_899)
        small.store(Self.entry(), of: Self.ann, begun: small.begin())
        #expect(!small.holds(Self.ann))
        let few = RecentPosts(reactionLimit: 0)
        few.store(Self.entry(), of: Self.ann, begun: few.begin())
        #expect(!few.holds(Self.ann))
        let shallow = RecentPosts(depth: 4)
        shallow.store(Self.entry(), of: Self.ann, begun: shallow.begin())
        #expect(!shallow.holds(Self.ann))
        // Past its age an entry is not given, and is dropped.
        let aged = RecentPosts(maximumAge: .zero)
        aged.store(Self.entry(), of: Self.ann, begun: aged.begin())
        #expect(aged.holds(Self.ann))
        #expect(aged.page(of: Self.ann, viewer: Self.ben, includeConnectionsOnly: true, limit: 3) == nil)
        #expect(!aged.holds(Self.ann))
        // Forgetting old invalidations refuses every read begun before.
        let forgetful = RecentPosts()
        let begun = forgetful.begin()
        for seq in 0..<Int64(RecentPosts.invalidationsKept + 1) { forgetful.invalidate(post: 1_000 + seq, author: nil) }
        forgetful.store(Self.entry(), of: Self.ann, begun: begun)
        #expect(!forgetful.holds(Self.ann))
        forgetful.store(Self.entry(), of: Self.ann, begun: forgetful.begin())
        #expect(forgetful.holds(Self.ann))
    }

    // MARK: Posts a feed shows

    /// Post `seq` by Ann with `seq` comments, liked by Ben (and by `extra` more members).
    static func held(_ seq: Int64, extra: Int = 0) -> RecentPosts.HeldPost {
        var reactions: [MemberID: ReactionType] = [ben: .like]
        for i in 0..<extra { reactions[MemberID("m\(i)")] = .celebrate }
        var counts = PostCounts(comments: Int(seq))
        counts.reactions = [.like: 1]
        if extra > 0 { counts.reactions[.celebrate] = extra }
        return RecentPosts.HeldPost(post: post(seq), counts: counts, reactions: reactions)
    }

    @Test func postsAreGivenAsEachViewerWouldReadThem() {
        let recent = RecentPosts()
        #expect(recent.posts([1, 2], viewer: Self.ben).missing == [1, 2])
        recent.store(posts: [Self.held(1), Self.held(2)], begun: recent.begin())
        let ben = recent.posts([2, 1, 3], viewer: Self.ben)
        #expect(ben.posts.map(\.seq) == [2, 1] && ben.missing == [3])
        #expect(ben.counts["p1"]?.viewerReaction == .like && ben.counts["p2"]?.counts.comments == 2)
        #expect(ben.counts["p1"]?.counts.reactions == [.like: 1])
        // Another viewer: the same counts, their own reaction (none).
        let cho = recent.posts([1], viewer: Self.cho)
        #expect(cho.posts.map(\.seq) == [1] && cho.counts["p1"]?.viewerReaction == nil && cho.counts["p1"]?.counts.comments == 1)
        #expect(recent.askedPosts == (reads: 6, hits: 3))
    }

    @Test func aChangedPostIsDroppedAndAReadBegunBeforeItIsNotKept() {
        let recent = RecentPosts()
        recent.store(posts: [Self.held(1), Self.held(2)], begun: recent.begin())
        recent.invalidate(post: 1, author: nil)
        #expect(recent.posts([1, 2], viewer: Self.ben).missing == [1])
        // Post 1 changed while 1 and 2 were read: 2 is kept, 1 is not.
        recent.invalidate(post: 2, author: Self.ann)
        let begun = recent.begin()
        recent.invalidate(post: 1, author: Self.ann)
        recent.store(posts: [Self.held(1), Self.held(2)], begun: begun)
        #expect(recent.posts([1, 2], viewer: Self.ben).missing == [1])
        // Cleared: nothing held, and no read begun before is kept.
        let before = recent.begin()
        recent.clear()
        #expect(recent.posts([2], viewer: Self.ben).missing == [2])
        recent.store(posts: [Self.held(2)], begun: before)
        #expect(recent.posts([2], viewer: Self.ben).missing == [2])
        // A member's entry and a post held by number go with a change to the post.
        recent.store(posts: [Self.held(5)], begun: recent.begin())
        recent.store(Self.entry(), of: Self.ann, begun: recent.begin())
        recent.invalidate(post: 5, author: nil)
        #expect(recent.posts([5], viewer: Self.ben).missing == [5] && !recent.holds(Self.ann))
    }

    @Test func postsHeldAreBoundedAndAge() {
        // A post counts 256 bytes, its text (6 bytes) and 64 a reaction: 326.
        #expect(Self.held(1).bytes == 326)
        let recent = RecentPosts(byteLimit: 700)
        recent.store(posts: [Self.held(1), Self.held(2)], begun: recent.begin())
        #expect(recent.posts([1, 2], viewer: Self.ben).missing.isEmpty)
        // A third is more than all may hold: everything starts over with it.
        recent.store(posts: [Self.held(3)], begun: recent.begin())
        #expect(recent.posts([1, 2, 3], viewer: Self.ben).missing == [1, 2])
        // More reactions than a post may have to be held: read each time.
        let few = RecentPosts(reactionLimit: 3)
        few.store(posts: [Self.held(1, extra: 3), Self.held(2, extra: 2)], begun: few.begin())
        #expect(few.posts([1, 2], viewer: Self.ben).missing == [1])
        // Past its age a post is not given.
        let aged = RecentPosts(maximumAge: .zero)
        aged.store(posts: [Self.held(1)], begun: aged.begin())
        #expect(aged.posts([1], viewer: Self.ben).missing == [1])
    }
}
