import Foundation
import GRDB
import TsunagariCore
import TsunagariGraph
import TsunagariSearch
import TsunagariStorageSQLite

/// `tsunagari bench feed`: the feed index in memory over a synthetic network (the graph of `bench graph`, posts and
/// reactions, comments and reposts), timing the first page of the feed for ordinary members and for a member with
/// 30,000 connections, beside the same viewers' latest posts of their connections by SQL on SQLite (a join of
/// connections and posts ordered by time, on the same data); then writing a post through `PostService` on SQLite.
public enum FeedBenchmark {
    public struct Options: Sendable {
        public var members: Int
        public var averageDegree: Int
        public var posts: Int
        public var activities: Int
        public var days: Int
        public var seed: UInt64
        public var viewers: Int
        public var sqlViewers: Int
        public var writes: Int

        public init(
            members: Int, averageDegree: Int, posts: Int, activities: Int, days: Int, seed: UInt64, viewers: Int, sqlViewers: Int, writes: Int
        ) {
            self.members = members
            self.averageDegree = averageDegree
            self.posts = posts
            self.activities = activities
            self.days = days
            self.seed = seed
            self.viewers = viewers
            self.sqlViewers = sqlViewers
            self.writes = writes
        }
    }

    static func seconds(since start: UInt64) -> String {
        String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    public static func run(_ options: Options) async throws {
        let n = options.members
        var g = SyntheticGraph.Generator(state: options.seed &+ 7)
        var start = DispatchTime.now().uptimeNanoseconds
        var edges = SyntheticGraph.edges(members: n, averageDegree: options.averageDegree, seed: options.seed)
        // One member with 30,000 connections: the busiest recruiter of the product's limit.
        let big = Node(1)
        for _ in 0..<30_000 { edges.append((big, Node.random(in: 0..<Node(n), using: &g))) }
        let social = SocialGraph(nodeCount: n, edges: edges)
        let ids = (0..<n).map { MemberID("m\($0)") }
        let graph = MemberGraph(members: ids, graph: social)
        print("Graph: \(n) members, \(social.edgeCount) connections; member 1 has \(social.connectionCount(of: big)) (built in \(seconds(since: start)) s)")

        // Posts over `days` days before now, by authors of heavy-tailed activity (a few post often, most rarely).
        let now = Date()
        let span = Double(options.days) * 86_400
        let index = FeedIndex(graph: graph)
        var created = [UInt32](repeating: 0, count: options.posts + 1)
        var authors = [UInt32](repeating: 0, count: options.posts + 1)
        let before = residentBytes()
        start = DispatchTime.now().uptimeNanoseconds
        let tags = (0..<1_000).map { "tag\($0)" }
        var batch: [FeedPostState] = []
        batch.reserveCapacity(100_000)
        for seq in 1...options.posts {
            let u = Double.random(in: 0..<1, using: &g)
            let author = Int(pow(Double(n), u)) - 1
            let age = span * Double.random(in: 0..<1, using: &g)
            let at = now.addingTimeInterval(-age)
            created[seq] = UInt32(at.timeIntervalSince1970)
            authors[seq] = UInt32(author)
            let hashtags = Int.random(in: 0..<20, using: &g) == 0 ? [tags.randomElement(using: &g)!] : []
            batch.append(
                FeedPostState(
                    seq: Int64(seq), author: ids[author], createdAt: at, visibility: Int.random(in: 0..<5, using: &g) == 0 ? .connections : .public,
                    isPlainRepost: false, hashtags: hashtags, engagement: 0))
            if batch.count == 100_000 {
                index.apply(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        index.apply(batch)
        batch = []
        let afterPosts = residentBytes()
        print(
            "Posts: \(options.posts) in the index in \(seconds(since: start)) s; resident +\((afterPosts - before) / 1_048_576) MiB = "
                + String(format: "%.1f", Double(afterPosts - before) / Double(options.posts)) + " bytes per post")

        // Reactions, comments and reposts: members act on recent posts of their connections, within two days of them.
        start = DispatchTime.now().uptimeNanoseconds
        var activities: [PostActivity] = []
        activities.reserveCapacity(1_000_000)
        var engagement = [UInt32](repeating: 0, count: options.posts + 1)
        for i in 0..<options.activities {
            let seq = Int.random(in: 1...options.posts, using: &g)
            let friends = social.connections(of: Node(authors[seq]))
            let actor = friends.isEmpty ? Node.random(in: 0..<Node(n), using: &g) : friends.randomElement(using: &g)!
            let roll = Int.random(in: 0..<20, using: &g)
            let kind: PostActivityKind = roll < 14 ? .reaction : roll < 19 ? .comment : .repost
            engagement[seq] += kind == .reaction ? 1 : kind == .comment ? 2 : 3
            let at = min(now, Date(timeIntervalSince1970: TimeInterval(created[seq]) + Double.random(in: 60..<172_800, using: &g)))
            activities.append(PostActivity(actor: ids[Int(actor)], post: Int64(seq), kind: kind, at: at))
            if activities.count == 1_000_000 || i == options.activities - 1 {
                index.load(activities)
                activities.removeAll(keepingCapacity: true)
            }
        }
        var states: [FeedPostState] = []
        for seq in 1...options.posts where engagement[seq] > 0 {
            states.append(
                FeedPostState(
                    seq: Int64(seq), author: ids[Int(authors[seq])], createdAt: Date(timeIntervalSince1970: TimeInterval(created[seq])),
                    visibility: .public, isPlainRepost: false, hashtags: [], engagement: Int(engagement[seq])))
            if states.count == 100_000 {
                index.apply(states)
                states.removeAll(keepingCapacity: true)
            }
        }
        index.apply(states)
        states = []
        let afterActivity = residentBytes()
        print(
            "Activity: \(options.activities) reactions, comments and reposts in \(seconds(since: start)) s; resident +\((afterActivity - afterPosts) / 1_048_576) MiB = "
                + String(format: "%.1f", Double(afterActivity - afterPosts) / Double(max(1, options.activities))) + " bytes each (kept: the latest \(200) per member)")
        print("Feed index structures: about \(index.approximateBytes / 1_048_576) MiB by their element sizes")

        // Viewers: ordinary members (with connections, as real viewers have), and the member with 30,000 connections.
        var viewers: [Node] = []
        while viewers.count < options.viewers {
            let v = Node.random(in: 2..<Node(n), using: &g)
            if social.connectionCount(of: v) > 0 { viewers.append(v) }
        }
        func ask(_ v: Node) -> [FeedCandidate] {
            index.feed(FeedQuestion(viewer: ids[Int(v)], hashtags: [], blocked: [], asOf: now, shown: [], limit: 20))
        }
        for v in viewers.prefix(10) { _ = ask(v) }
        var ordinary = Timings()
        var candidatesSeen = 0
        for v in viewers { candidatesSeen += ordinary.measure { ask(v) }.count }
        var busy = Timings()
        for _ in 0..<max(20, options.viewers / 10) { _ = busy.measure { ask(big) } }
        let degrees = viewers.map { social.connectionCount(of: $0) }.sorted()
        print("Viewers: \(viewers.count) ordinary (connections: median \(degrees[degrees.count / 2]), max \(degrees.last ?? 0)); pages of 20 returned \(candidatesSeen / max(1, viewers.count)) posts on average")

        // The same viewers by SQL: their connections' latest posts, newest first (no activity, no ranking).
        var sqlOrdinary = Timings()
        var sqlBusy = Timings()
        if options.sqlViewers > 0 {
            start = DispatchTime.now().uptimeNanoseconds
            let baseline = try SQLFeedBaseline(edges: edges, created: created, authors: authors)
            print("SQL baseline: SQLite tables loaded in \(seconds(since: start)) s")
            let windowStart = Int64(now.timeIntervalSince1970) - 30 * 86_400
            for v in viewers.prefix(options.sqlViewers) { _ = try sqlOrdinary.measure { try baseline.latest(v, since: windowStart, limit: 20) } }
            for _ in 0..<max(5, options.sqlViewers / 4) { _ = try sqlBusy.measure { try baseline.latest(big, since: windowStart, limit: 20) } }
            withExtendedLifetime(baseline) {}
        }
        func row(_ name: String, _ index: Timings, _ sql: Timings) -> [String] {
            [
                name, "\(index.samples.count)", formatMilliseconds(index.median), formatMilliseconds(index.p99),
                sql.samples.isEmpty ? "—" : "\(sql.samples.count)", formatMilliseconds(sql.median), formatMilliseconds(sql.p99),
                sql.samples.isEmpty ? "—" : String(format: "%.1f×", sql.median / max(index.median, 1e-9)),
            ]
        }
        printTable(
            ["first feed page (20)", "runs", "index p50", "index p99", "SQL runs", "SQL p50", "SQL p99", "SQL/index p50"],
            [row("ordinary member", ordinary, sqlOrdinary), row("member with 30,000 connections", busy, sqlBusy)])

        try await writes(options.writes, graph: graph, index: index)
    }

    /// Writing a post through `PostService.create` on SQLite (`synchronous=FULL`): the daily limit reserved, the
    /// insert with its change-log entry, the feed and search indexes, the live event.
    static func writes(_ count: Int, graph: MemberGraph, index: FeedIndex) async throws {
        guard count > 0 else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-feed-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = try SQLiteStorage(path: folder.appendingPathComponent("tsunagari.sqlite").path)
        try await storage.migrate()
        let now = Date()
        let members = (0..<20).map { i -> NewMember in
            let id = MemberID(OpaqueID.make(at: now))
            let profile = Profile(
                memberID: id, role: .member, fields: ProfileFields(name: "投稿者 \(i)", handle: "writer-\(i)"), positions: [], educations: [],
                skills: [], settings: ProfileSettings(), createdAt: now, updatedAt: now)
            return NewMember(
                account: Account(memberID: id, email: "writer\(i)@example.test", passwordHash: "unused", role: .member, createdAt: now), profile: profile)
        }
        try await storage.createMembers(members)
        let writerGraph = MemberGraph(snapshot: try await storage.networkSnapshot())
        let feed = FeedIndex(graph: writerGraph)
        let clock = SystemClock()
        let service = PostService(
            storage: storage, graph: writerGraph, index: feed, search: PostSearchIndex(),
            network: NetworkService(storage: storage, graph: writerGraph, clock: clock), notifications: nil, events: LocalEventChannel(), clock: clock,
            limits: .relaxed)
        var timings = Timings()
        let text = "#採用 東京でiOSエンジニアを募集しています。We are hiring Swift engineers in Tokyo — https://example.com/jobs/42"
        for i in 0..<count {
            let author = members[i % members.count].account.memberID
            _ = try await timings.measureAsync { try await service.create(text: text, visibility: .public, viewer: author) }
        }
        printTable(
            ["write a post (SQLite, PostService.create)", "runs", "p50", "p99"],
            [["create: limit, insert and log, indexes, live event", "\(count)", formatMilliseconds(timings.median), formatMilliseconds(timings.p99)]])
        try await storage.close()
        withExtendedLifetime((graph, index)) {}
    }
}

/// The baseline: connections and posts in SQLite, the feed as a join of the viewer's connections with their posts,
/// newest first.
final class SQLFeedBaseline {
    let queue: DatabaseQueue
    let path: String

    init(edges: [(Node, Node)], created: [UInt32], authors: [UInt32]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-feed-baseline-\(UUID().uuidString).sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE edges (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID")
            let edge = try db.makeStatement(sql: "INSERT OR IGNORE INTO edges (a, b) VALUES (?, ?)")
            for (a, b) in edges where a != b {
                try edge.execute(arguments: [Int64(a), Int64(b)])
                try edge.execute(arguments: [Int64(b), Int64(a)])
            }
            try db.execute(sql: "CREATE TABLE posts (seq INTEGER PRIMARY KEY, author INTEGER NOT NULL, created INTEGER NOT NULL)")
            let post = try db.makeStatement(sql: "INSERT INTO posts (seq, author, created) VALUES (?, ?, ?)")
            for seq in 1..<created.count { try post.execute(arguments: [Int64(seq), Int64(authors[seq]), Int64(created[seq])]) }
            try db.execute(sql: "CREATE INDEX posts_author_time ON posts (author, created)")
            try db.execute(sql: "ANALYZE")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func latest(_ viewer: Node, since: Int64, limit: Int) throws -> [Int64] {
        try queue.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT p.seq FROM edges e JOIN posts p ON p.author = e.b
                    WHERE e.a = ? AND p.created >= ? ORDER BY p.created DESC LIMIT ?
                    """, arguments: [Int64(viewer), since, limit])
        }
    }
}
