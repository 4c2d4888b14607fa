import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

typealias PostStorage = PostStore & NetworkStore & Storage

extension TestStore {
    var posts: any PostStorage {
        get throws { try #require(storage as? any PostStorage, "\(kind) storage does not implement PostStore") }
    }
}

extension Make {
    static func post(
        by author: MemberID, _ text: String = "投稿です #採用", visibility: PostVisibility = .public, at seconds: Int = 0, repostOf: String? = nil
    ) -> Post {
        Post(
            id: id(seconds), author: author, text: text, visibility: visibility, createdAt: at(seconds), hashtags: PostText.hashtags(in: text),
            repostOf: repostOf)
    }
}

/// What every `PostStore` must do, on SQLite and PostgreSQL alike.
@Suite("Post storage contract", .postgresTemplate)
struct PostContractTests {
    @Test("Posts are numbered, read back whole, edited with a new version and deleted with what hangs on them", arguments: StorageKind.tested)
    func lifecycle(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.posts
            let ids = try await makeMembers(s, 3)
            let (a, b, c) = (ids[0], ids[1], ids[2])
            var draft = Make.post(by: a, "#採用 エンジニア募集 @someone", at: 1)
            draft.mentions = [b]
            let first = try await s.createPost(draft)
            #expect(first.seq > 0)
            let second = try await s.createPost(Make.post(by: a, "つながり限定", visibility: .connections, at: 2))
            #expect(second.seq > first.seq)
            #expect(try await s.post(id: first.id) == first)
            #expect(try await s.post(id: first.id)?.hashtags == ["採用"])
            #expect(try await s.post(id: first.id)?.mentions == [b])
            #expect(Set(try await s.posts(seqs: [first.seq, second.seq, 9_999_999]).map(\.id)) == [first.id, second.id])
            #expect(Set(try await s.posts(ids: [first.id, "missing"]).map(\.seq)) == [first.seq])

            // The author's posts newest first; connections-only ones only when asked for.
            func postsOf(_ author: MemberID, before: Int64? = nil, connections: Bool = true, limit: Int = 10) async throws -> [Post] {
                try await s.postsWithCounts(by: author, before: before, includeConnectionsOnly: connections, limit: limit, viewer: nil).posts
            }
            #expect(try await postsOf(a) == [second, first])
            #expect(try await postsOf(a, connections: false).map(\.id) == [first.id])
            #expect(try await postsOf(a, before: second.seq).map(\.id) == [first.id])
            #expect(try await postsOf(a, limit: 1).map(\.id) == [second.id])
            #expect(try await postsOf(a, limit: 0).isEmpty)
            #expect(try await postsOf(b).isEmpty)

            let edited = try #require(try await s.editPost(id: first.id, text: "締め切りました", hashtags: [], mentions: [], at: Make.at(5)))
            #expect(edited.version == 2)
            #expect(edited.editedAt == Make.at(5))
            #expect(edited.text == "締め切りました")
            #expect(try await s.editPost(id: Make.id(99), text: "x", hashtags: [], mentions: [], at: Make.at(5)) == nil)

            // Reactions: one per member; a new type replaces the old; only a first one is "added".
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: b, type: .like, at: Make.at(6)) == (true, true))
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: b, type: .celebrate, at: Make.at(7)) == (true, false))
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: c, type: .celebrate, at: Make.at(7)) == (true, true))
            let comment = PostComment(id: Make.id(8), postID: first.id, author: c, text: "応募します", createdAt: Make.at(8))
            #expect(try await s.addComment(comment, postSeq: first.seq))
            #expect(try await s.comment(id: comment.id) == comment)
            let repost = try await s.createPost(Make.post(by: c, "", at: 9, repostOf: first.id))
            let counts = try #require(try await s.postCounts([first.id, second.id], viewer: b)[first.id])
            #expect(counts.counts == PostCounts(reactions: [.celebrate: 2], comments: 1, reposts: 1))
            #expect(counts.viewerReaction == .celebrate)
            // Two types at once, each with its count.
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: a, type: .like, at: Make.at(9)) == (true, true))
            #expect(
                try await s.postCounts([first.id], viewer: a)[first.id]
                    .map { $0.counts == PostCounts(reactions: [.celebrate: 2, .like: 1], comments: 1, reposts: 1) && $0.viewerReaction == .like } == true)
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: a, type: nil, at: Make.at(9)) == (true, false))
            #expect(try await s.postCounts([second.id], viewer: b)[second.id]?.counts == PostCounts())
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: c, type: nil, at: Make.at(10)) == (true, false))
            #expect(try await s.postCounts([first.id], viewer: c)[first.id]?.viewerReaction == nil)

            // A member's posts with their counts in one read: the counts `postCounts` gives for those posts.
            for viewer in [b, c, nil] {
                for (before, connections, limit) in [(nil, true, 10), (nil, false, 10), (Optional(second.seq), true, 10), (nil, true, 1), (nil, true, 0)] {
                    let both = try await s.postsWithCounts(by: a, before: before, includeConnectionsOnly: connections, limit: limit, viewer: viewer)
                    let counts = try await s.postCounts(both.posts.map(\.id), viewer: viewer)
                    #expect(both.counts.keys.sorted() == counts.keys.sorted() && counts.count == both.posts.count)
                    for (id, expected) in counts {
                        #expect(both.counts[id]?.counts == expected.counts && both.counts[id]?.viewerReaction == expected.viewerReaction)
                    }
                }
            }
            let withCounts = try await s.postsWithCounts(by: a, before: nil, includeConnectionsOnly: true, limit: 10, viewer: b)
            #expect(withCounts.posts.map(\.id) == [second.id, first.id])
            #expect(withCounts.counts[first.id]?.counts == PostCounts(reactions: [.celebrate: 1], comments: 1, reposts: 1))
            #expect(withCounts.counts[first.id]?.viewerReaction == .celebrate)
            #expect(try await s.postsWithCounts(by: c, before: nil, includeConnectionsOnly: true, limit: 10, viewer: b).posts.map(\.id) == [repost.id])

            // What a member's posts in memory are filled from: every visibility, counts, every reaction, the originals.
            let held = try await s.recentPosts(by: a, limit: 10)
            #expect(held.posts == [second, edited] && !held.more)
            #expect(held.counts == withCounts.counts.mapValues(\.counts))
            #expect(held.reactions == [first.id: [b: .celebrate]] && held.originals.isEmpty)
            // What is held of posts a feed shows: those that exist, each with the counts `postCounts` gives and every
            // member's reaction.
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: c, type: .insightful, at: Make.at(11)) == (true, true))
            let heldPosts = try await s.heldPosts(seqs: [first.seq, second.seq, 999_999])
            #expect(heldPosts.map(\.post.seq).sorted() == [first.seq, second.seq].sorted())
            for one in heldPosts {
                #expect(try await s.posts(seqs: [one.post.seq]) == [one.post])
                #expect(try await s.postCounts([one.post.id], viewer: nil)[one.post.id]?.counts == one.counts)
            }
            #expect(heldPosts.first { $0.post.id == first.id }?.reactions == [b: .celebrate, c: .insightful])
            #expect(heldPosts.first { $0.post.id == first.id }?.counts.reactions == [.celebrate: 1, .insightful: 1])
            #expect(heldPosts.first { $0.post.id == second.id }?.reactions == [:])
            #expect(try await s.heldPosts(seqs: []).isEmpty)
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: c, type: nil, at: Make.at(11)) == (true, false))
            let one = try await s.recentPosts(by: a, limit: 1)
            #expect(one.posts.map(\.id) == [second.id] && one.more && one.reactions.isEmpty)
            #expect(one.counts == [second.id: PostCounts()])
            let reposter = try await s.recentPosts(by: c, limit: 10)
            #expect(reposter.posts.map(\.id) == [repost.id] && reposter.originals == [first.id: edited])
            #expect(reposter.counts[first.id] == withCounts.counts[first.id]?.counts && reposter.counts[repost.id] == PostCounts())
            #expect(try await s.recentPosts(by: b, limit: 10).posts.isEmpty)
            #expect(try await s.recentPosts(by: a, limit: 0).posts.isEmpty)

            // The feed's view: state with engagement, and each member's activity on a post.
            let state = try #require(try await s.feedPostStates(seqs: [first.seq]).first)
            #expect(state.engagement == 1 + 2 * 1 + 3 * 1)
            #expect(state.author == a)
            #expect(!state.isPlainRepost)
            #expect(try await s.feedPostStates(seqs: [repost.seq]).first?.isPlainRepost == true)
            #expect(Set(try await s.feedActivities(of: c, on: first.seq).map(\.kind)) == [.comment, .repost])
            #expect(try await s.feedActivities(of: b, on: first.seq).map(\.kind) == [.reaction])
            let recent = try await s.feedActivities(since: Make.at(0))
            #expect(Set(recent.map { "\($0.actor.rawValue) \($0.kind)" }) == ["\(b.rawValue) reaction", "\(c.rawValue) comment", "\(c.rawValue) repost"])
            #expect(try await s.feedPostStates(after: 0, limit: 10).map(\.seq) == [first.seq, second.seq, repost.seq])

            // Deleting a post takes its comments and reactions; the repost keeps its original's id.
            #expect(try await s.deletePost(id: first.id))
            #expect(try await s.deletePost(id: first.id) == false)
            #expect(try await s.comment(id: comment.id) == nil)
            #expect(try await s.post(id: repost.id)?.repostOf == first.id)
            #expect(try await s.addComment(PostComment(id: Make.id(11), postID: first.id, author: b, text: "x", createdAt: Make.at(11)), postSeq: first.seq) == false)
            #expect(try await s.setReaction(post: first.id, postSeq: first.seq, member: b, type: .like, at: Make.at(12)) == (false, false))
            #expect(try await s.feedActivities(of: c, on: first.seq).isEmpty)
            // A deleted original is not given with the repost.
            let orphan = try await s.recentPosts(by: c, limit: 10)
            #expect(orphan.posts.map(\.id) == [repost.id] && orphan.originals.isEmpty && orphan.counts.keys.sorted() == [repost.id])
        }
    }

    @Test("Every change the feed index must learn of is logged, in order, and can be asked for again", arguments: StorageKind.tested)
    func changeLog(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.posts
            let ids = try await makeMembers(s, 2)
            let start = try await s.feedChangeSequence()
            let post = try await s.createPost(Make.post(by: ids[0], at: 1))
            _ = try await s.setReaction(post: post.id, postSeq: post.seq, member: ids[1], type: .like, at: Make.at(2))
            // The same reaction again changes nothing and logs nothing.
            _ = try await s.setReaction(post: post.id, postSeq: post.seq, member: ids[1], type: .like, at: Make.at(3))
            let comment = PostComment(id: Make.id(4), postID: post.id, author: ids[1], text: "なるほど", createdAt: Make.at(4))
            _ = try await s.addComment(comment, postSeq: post.seq)
            _ = try await s.deleteComment(id: comment.id, postSeq: post.seq)
            _ = try await s.editPost(id: post.id, text: "改訂", hashtags: [], mentions: [], at: Make.at(5))
            _ = try await s.deletePost(id: post.id)
            let changes = try await s.feedChanges(after: start, limit: 100)
            #expect(changes.map(\.post) == Array(repeating: post.seq, count: 6))
            #expect(changes.map(\.actor) == [nil, ids[1], ids[1], ids[1], nil, nil])
            #expect(changes.map(\.sequence) == changes.map(\.sequence).sorted())
            #expect(try await s.feedChangeSequence() == changes.last?.sequence)
            #expect(try await s.feedChanges(sequences: [changes[2].sequence]) == [changes[2]])
            try await s.pruneFeedChanges(before: Date().addingTimeInterval(60))
            #expect(try await s.feedChanges(after: start, limit: 100).isEmpty)

            // A member who leaves takes their posts and activity with them, logged for every instance.
            let other = try await s.createPost(Make.post(by: ids[1], at: 6))
            _ = try await s.setReaction(post: other.id, postSeq: other.seq, member: ids[0], type: .love, at: Make.at(7))
            let before = try await s.feedChangeSequence()
            try await s.deleteMember(ids[0])
            let logged = try await s.feedChanges(after: before, limit: 100)
            #expect(logged.contains(FeedChange(sequence: logged.first?.sequence ?? 0, post: other.seq, actor: ids[0])))
            #expect(try await s.postCounts([other.id], viewer: nil)[other.id]?.counts == PostCounts())
        }
    }

    @Test("Hashtag follows and reports are kept once per member", arguments: StorageKind.tested)
    func followsAndReports(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.posts
            let ids = try await makeMembers(s, 2)
            try await s.setHashtagFollow(member: ids[0], tag: "採用", true, at: Make.at(1))
            try await s.setHashtagFollow(member: ids[0], tag: "採用", true, at: Make.at(2))
            try await s.setHashtagFollow(member: ids[0], tag: "hiring", true, at: Make.at(3))
            #expect(try await s.followedHashtags(of: ids[0]) == ["hiring", "採用"])
            try await s.setHashtagFollow(member: ids[0], tag: "hiring", false, at: Make.at(4))
            #expect(try await s.followedHashtags(of: ids[0]) == ["採用"])

            let post = try await s.createPost(Make.post(by: ids[0], at: 1))
            let report = PostReport(id: Make.id(5), postID: post.id, commentID: nil, reporter: ids[1], reason: "spam", createdAt: Make.at(5))
            #expect(try await s.createReport(report))
            var again = report
            again.id = Make.id(6)
            #expect(try await s.createReport(again) == false)
            var onComment = again
            onComment.commentID = Make.id(7)
            #expect(try await s.createReport(onComment))
            #expect(try await s.openReports(limit: 10).map(\.id) == [report.id, onComment.id])
        }
    }

    @Test("Following is logged for the graph index; the snapshot carries the follows that differ from connections", arguments: StorageKind.tested)
    func followsInTheSnapshot(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.posts
            let ids = try await makeMembers(s, 3)
            _ = try await s.importConnections([(ids[0], ids[1], Make.at(1))])
            try await s.setFollow(ids[0], ids[1], false, at: Make.at(2))
            try await s.setFollow(ids[0], ids[2], true, at: Make.at(3))
            let snapshot = try await s.networkSnapshot()
            #expect(snapshot.unfollowedConnections.map { [$0.0, $0.1] } == [[ids[0], ids[1]]])
            #expect(snapshot.followsWithoutConnection.map { [$0.0, $0.1] } == [[ids[0], ids[2]]])
            let kinds = try await s.graphChanges(after: 0, limit: 10).map(\.kind)
            #expect(kinds.suffix(2) == [.unfollowed, .followed])
        }
    }
}
