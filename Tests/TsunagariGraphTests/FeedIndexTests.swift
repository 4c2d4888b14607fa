import Foundation
import Testing
import TsunagariCore
@testable import TsunagariGraph

/// The feed index alone: what it gathers, what it leaves out, how it ranks, and how far back it looks.
@Suite struct FeedIndexTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ids = (0..<8).map { MemberID("m\($0)") }

    func graph(_ pairs: [(Int, Int)]) -> MemberGraph {
        let graph = MemberGraph()
        for (a, b) in pairs { graph.apply(GraphChange(sequence: 0, kind: .connected, a: ids[a], b: ids[b])) }
        return graph
    }

    func post(_ seq: Int64, by author: Int, hoursAgo: Double, visibility: PostVisibility = .public, engagement: Int = 0, plain: Bool = false)
        -> FeedPostState
    {
        FeedPostState(
            seq: seq, author: ids[author], createdAt: now.addingTimeInterval(-hoursAgo * 3600), visibility: visibility, isPlainRepost: plain,
            hashtags: [], engagement: engagement)
    }

    func ask(_ index: FeedIndex, _ viewer: Int, limit: Int = 20, shown: Set<Int64> = []) -> [FeedCandidate] {
        index.feed(FeedQuestion(viewer: ids[viewer], hashtags: [], blocked: [], asOf: now, shown: shown, limit: limit))
    }

    /// The table a feed gathers into holds what a dictionary would: every seq once, merged as `Gathered.merge` does,
    /// through growth and through seqs that share their low or high bits.
    @Test(arguments: [1, 2, 3])
    func aGatheringHoldsWhatADictionaryWould(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        let reasons = FeedReason.allCases
        for expected in [1, 8, 500] {
            var table = FeedIndex.Gathering(expected: expected)
            var model: [UInt32: FeedIndex.Gathered] = [:]
            let pool: [UInt32] = (0..<3_000).map { i in
                switch i % 3 {
                case 0: UInt32.random(in: 1...UInt32.max, using: &random)
                case 1: UInt32(i + 1) << 16  // equal low bits
                default: UInt32(i + 1)  // a run, as storage numbers posts
                }
            }
            for _ in 0..<20_000 {
                let seq = pool[Int.random(in: 0..<pool.count, using: &random)]
                let reason = reasons[Int.random(in: 0..<reasons.count, using: &random)]
                let actor = Node.random(in: 0..<16, using: &random)
                table.merge(seq, reason, actor: actor)
                model[seq, default: FeedIndex.Gathered(reason: reason, actor: actor, actors: -1)].merge(reason, actor: actor)
            }
            #expect(table.count == model.count)
            var seen: [UInt32: FeedIndex.Gathered] = [:]
            for slot in table.slots where slot.seq != 0 { seen[slot.seq] = slot.gathered }
            #expect(seen.count == model.count)
            #expect(seen.keys.sorted() == model.keys.sorted())
            #expect(model.allSatisfy { seq, g in seen[seq].map { $0.reason == g.reason && $0.actor == g.actor && $0.actors == g.actors } ?? false })
        }
    }

    @Test func gathersConnectionsPostsAndActivityOnceEachWithTheClosestReason() {
        let graph = graph([(0, 1), (0, 2), (1, 3)])
        let index = FeedIndex(graph: graph)
        index.apply(post(1, by: 1, hoursAgo: 1))
        index.apply(post(2, by: 3, hoursAgo: 2))
        index.apply(post(3, by: 3, hoursAgo: 2, visibility: .connections))
        index.apply(post(4, by: 1, hoursAgo: 1, plain: true))
        index.apply(post(5, by: 0, hoursAgo: 3))
        // 1 reacted to 3's posts; 2 commented on 1's.
        index.setActivities(actor: ids[1], post: 2, [PostActivity(actor: ids[1], post: 2, kind: .reaction, at: now.addingTimeInterval(-600))])
        index.setActivities(actor: ids[1], post: 3, [PostActivity(actor: ids[1], post: 3, kind: .reaction, at: now.addingTimeInterval(-600))])
        index.setActivities(actor: ids[2], post: 1, [PostActivity(actor: ids[2], post: 1, kind: .comment, at: now.addingTimeInterval(-60))])
        let feed = ask(index, 0)
        let reasons = Dictionary(uniqueKeysWithValues: feed.map { ($0.post, $0.reason) })
        #expect(reasons == [1: .connectionPosted, 2: .connectionReacted, 5: .own], "\(reasons)")
        #expect(feed.first { $0.post == 2 }?.actor == ids[1])
        #expect(feed.first { $0.post == 1 }?.actor == nil)
        // Shown posts are left out; the rest keep their order.
        #expect(ask(index, 0, shown: [1]).map(\.post).contains(1) == false)
    }

    @Test func anUnfollowedConnectionBringsNothingAndAFollowedStrangerDoes() {
        let graph = graph([(0, 1)])
        let index = FeedIndex(graph: graph)
        index.apply(post(1, by: 1, hoursAgo: 1))
        index.apply(post(2, by: 4, hoursAgo: 1))
        index.setActivities(actor: ids[1], post: 2, [PostActivity(actor: ids[1], post: 2, kind: .comment, at: now.addingTimeInterval(-60))])
        #expect(Set(ask(index, 0).map(\.post)) == [1, 2])
        graph.apply(GraphChange(sequence: 0, kind: .unfollowed, a: ids[0], b: ids[1]))
        #expect(ask(index, 0).isEmpty)
        #expect(graph.areConnected(ids[0], ids[1]))
        graph.apply(GraphChange(sequence: 0, kind: .followed, a: ids[0], b: ids[4]))
        #expect(ask(index, 0).map(\.reason) == [.following])
        #expect(index.follows(ids[0], author: ids[4]))
        #expect(!index.follows(ids[0], author: ids[1]))
    }

    @Test func moreConnectionsActingAndMoreEngagementRankHigherAndRecencyMost() {
        let graph = graph([(0, 1), (0, 2), (0, 3)])
        let index = FeedIndex(graph: graph)
        index.apply(post(1, by: 5, hoursAgo: 5))
        index.apply(post(2, by: 5, hoursAgo: 5))
        for actor in [1, 2, 3] {
            index.setActivities(actor: ids[actor], post: 1, [PostActivity(actor: ids[actor], post: 1, kind: .reaction, at: now.addingTimeInterval(-60))])
        }
        index.setActivities(actor: ids[1], post: 2, [PostActivity(actor: ids[1], post: 2, kind: .reaction, at: now.addingTimeInterval(-60))])
        #expect(ask(index, 0).map(\.post) == [1, 2])
        index.apply(post(3, by: 1, hoursAgo: 100, engagement: 1_000))
        index.apply(post(4, by: 1, hoursAgo: 0.1))
        #expect(ask(index, 0).first?.post == 4)
    }

    @Test func aBusyViewerLooksBackLessAtFirstAndFurtherWhenThePageIsNotFull() {
        let graph = graph((1...7).map { (0, $0) })
        let index = FeedIndex(graph: graph, window: FeedIndex.Window(fullWindowSources: 2))
        // Seven sources against a full window of 2: the first look is 30 × 2 / 7 ≈ 8.6 days back.
        index.apply(post(1, by: 1, hoursAgo: 24))
        index.apply(post(2, by: 2, hoursAgo: 20 * 24))
        #expect(ask(index, 0, limit: 1).map(\.post) == [1])
        // Asking for two widens the window until it finds the older post.
        #expect(ask(index, 0, limit: 2).map(\.post) == [1, 2])
        // Nothing older than the whole window.
        index.apply(post(3, by: 3, hoursAgo: 40 * 24))
        #expect(!ask(index, 0, limit: 5).map(\.post).contains(3))
    }

    @Test func removedPostsAndBlockedAuthorsAreNeverChosen() {
        let graph = graph([(0, 1), (0, 2)])
        let index = FeedIndex(graph: graph)
        index.apply(post(1, by: 1, hoursAgo: 1))
        index.apply(post(2, by: 2, hoursAgo: 1))
        index.removePost(1)
        let blocked = index.feed(FeedQuestion(viewer: ids[0], hashtags: [], blocked: [ids[2]], asOf: now, shown: [], limit: 20))
        #expect(blocked.isEmpty)
        #expect(ask(index, 0).map(\.post) == [2])
    }
}
