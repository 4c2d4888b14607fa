import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: PostStore {
    static func logFeedChange(_ post: Int64, actor: MemberID?, _ db: Database) throws {
        try db.execute(
            cached: "INSERT INTO feed_changes (post_seq, actor_id, at) VALUES (?, ?, ?)",
            arguments: [post, actor?.rawValue, StoredTime.millis(Date())])
    }

    /// The columns `post` reads, in its order: read by position, as a name is looked up in the statement's columns on
    /// every read (a feed page decodes twenty posts).
    static let postColumns = "id, seq, author_id, text, visibility, created_at, edited_at, hashtags, mentions, repost_of, version, job_id"

    /// A row of `SELECT \(postColumns)`.
    static func post(_ row: Row) -> Post {
        let hashtags: String = row[7]
        let mentions: String = row[8]
        return Post(
            id: row[0], seq: row[1], author: MemberID(row[2] as String), text: row[3],
            visibility: PostVisibility(rawValue: row[4]) ?? .connections, createdAt: StoredTime.date(row[5]),
            editedAt: (row[6] as Int64?).map(StoredTime.date), hashtags: hashtags.split(separator: " ").map(String.init),
            mentions: mentions.split(separator: " ").map { MemberID(String($0)) }, repostOf: row[9], version: row[10], jobID: row[11])
    }

    /// Runs `body` on the values in slices that fit SQLite's limit of bound values.
    static func inSlices<T, R>(_ values: [T], _ body: ([T], String) throws -> [R]) rethrows -> [R] {
        var result: [R] = []
        for start in stride(from: 0, to: values.count, by: idsPerQuery) {
            let part = Array(values[start..<min(start + idsPerQuery, values.count)])
            result += try body(part, Array(repeating: "?", count: part.count).joined(separator: ","))
        }
        return result
    }

    public func createPost(_ post: Post) async throws -> Post {
        try await write { db in
            try db.execute(
                cached: """
                    INSERT INTO posts (id, author_id, text, visibility, hashtags, mentions, repost_of, created_at, version, job_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                    """,
                arguments: [
                    post.id, post.author.rawValue, post.text, post.visibility.rawValue, post.hashtags.joined(separator: " "),
                    post.mentions.map(\.rawValue).joined(separator: " "), post.repostOf, StoredTime.millis(post.createdAt), post.jobID,
                ])
            var stored = post
            stored.seq = db.lastInsertedRowID
            stored.version = 1
            try Self.logFeedChange(stored.seq, actor: nil, db)
            if let original = post.repostOf, post.text.isEmpty,
                let seq = try Int64.fetchOne(cached: db, sql: "SELECT seq FROM posts WHERE id = ?", arguments: [original])
            {
                try Self.logFeedChange(seq, actor: post.author, db)
            }
            return stored
        }
    }

    public func post(id: String) async throws -> Post? {
        try await pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT \(Self.postColumns) FROM posts WHERE id = ?", arguments: [id]).map(Self.post) }
    }

    public func posts(ids: [String]) async throws -> [Post] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in try Self.posts(ids: ids, db) }
    }

    static func posts(ids: [String], _ db: Database) throws -> [Post] {
        try Self.inSlices(ids) { part, marks in
            try Row.fetchAll(cached: db, sql: "SELECT \(postColumns) FROM posts WHERE id IN (\(marks))", arguments: StatementArguments(part)).map(Self.post)
        }
    }

    public func posts(seqs: [Int64]) async throws -> [Post] {
        guard !seqs.isEmpty else { return [] }
        return try await pool.read { db in try Self.posts(seqs: seqs, db) }
    }

    static func posts(seqs: [Int64], _ db: Database) throws -> [Post] {
        try Self.inSlices(seqs) { part, marks in
            try Row.fetchAll(cached: db, sql: "SELECT \(postColumns) FROM posts WHERE seq IN (\(marks))", arguments: StatementArguments(part)).map(Self.post)
        }
    }

    public func heldPosts(seqs: [Int64]) async throws -> [RecentPosts.HeldPost] {
        guard !seqs.isEmpty else { return [] }
        return try await pool.read { db in
            let posts = try Self.posts(seqs: seqs, db)
            let ids = posts.map(\.id)
            let counts = try Self.postCounts(ids, viewer: nil, db)
            let reactions = try Self.reactions(on: ids, db)
            return posts.map { RecentPosts.HeldPost(post: $0, counts: counts[$0.id]?.counts ?? PostCounts(), reactions: reactions[$0.id] ?? [:]) }
        }
    }

    /// Every member's reaction on these posts, by post.
    static func reactions(on ids: [String], _ db: Database) throws -> [String: [MemberID: ReactionType]] {
        var reactions: [String: [MemberID: ReactionType]] = [:]
        _ = try Self.inSlices(ids) { part, marks -> [Int] in
            for row in try Row.fetchAll(
                cached: db, sql: "SELECT post_id, member_id, type FROM post_reactions WHERE post_id IN (\(marks))", arguments: StatementArguments(part))
            {
                guard let type = ReactionType(rawValue: row[2]) else { continue }
                reactions[row[0], default: [:]][MemberID(row[1] as String)] = type
            }
            return []
        }
        return reactions
    }

    public func editPost(id: String, text: String, hashtags: [String], mentions: [MemberID], at date: Date) async throws -> Post? {
        try await write { db in
            try db.execute(
                cached: "UPDATE posts SET text = ?, hashtags = ?, mentions = ?, edited_at = ?, version = version + 1 WHERE id = ?",
                arguments: [text, hashtags.joined(separator: " "), mentions.map(\.rawValue).joined(separator: " "), StoredTime.millis(date), id])
            guard db.changesCount > 0, let row = try Row.fetchOne(cached: db, sql: "SELECT \(Self.postColumns) FROM posts WHERE id = ?", arguments: [id]) else { return nil }
            let post = Self.post(row)
            try Self.logFeedChange(post.seq, actor: nil, db)
            return post
        }
    }

    public func deletePost(id: String) async throws -> Bool {
        try await write { db in try Self.deletePost(id: id, db) }
    }

    /// Deletes the post in the caller's transaction and logs the feed changes; false when there is no such post.
    static func deletePost(id: String, _ db: Database) throws -> Bool {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT seq, author_id, repost_of, text FROM posts WHERE id = ?", arguments: [id]) else {
            return false
        }
        try db.execute(cached: "DELETE FROM posts WHERE id = ?", arguments: [id])
        try logFeedChange(row["seq"], actor: nil, db)
        // The original of a repost counts one fewer, and loses the reposter's activity.
        if let original: String = row["repost_of"],
            let seq = try Int64.fetchOne(cached: db, sql: "SELECT seq FROM posts WHERE id = ?", arguments: [original])
        {
            try logFeedChange(seq, actor: MemberID(row["author_id"] as String), db)
        }
        return true
    }

    public func postsWithCounts(by author: MemberID, before: Int64?, includeConnectionsOnly: Bool, limit: Int, viewer: MemberID?) async throws
        -> (posts: [Post], counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)])
    {
        try await pool.read { db in
            let posts = try Self.posts(by: author, before: before, includeConnectionsOnly: includeConnectionsOnly, limit: limit, db)
            return (posts, try Self.postCounts(posts.map(\.id), viewer: viewer, db))
        }
    }

    public func recentPosts(by author: MemberID, limit: Int) async throws -> RecentPosts.Entry {
        try await pool.read { db in
            let batch = try Self.posts(by: author, before: nil, includeConnectionsOnly: true, limit: max(0, limit) + 1, db)
            let posts = Array(batch.prefix(max(0, limit)))
            let originalIDs = Array(Set(posts.compactMap(\.repostOf)))
            let originals = try Self.posts(ids: originalIDs, db)
            let counts = try Self.postCounts(posts.map(\.id) + originals.map(\.id), viewer: nil, db).mapValues(\.counts)
            let reactions = try Self.reactions(on: posts.map(\.id), db)
            return RecentPosts.Entry(
                posts: posts, more: batch.count > posts.count, counts: counts, reactions: reactions,
                originals: Dictionary(originals.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    static func posts(by author: MemberID, before: Int64?, includeConnectionsOnly: Bool, limit: Int, _ db: Database) throws -> [Post] {
        try Row.fetchAll(
            cached: db,
            sql: """
                SELECT \(postColumns) FROM posts WHERE author_id = ? AND seq < ? AND (visibility = 'public' OR ?)
                ORDER BY seq DESC LIMIT ?
                """,
            arguments: [author.rawValue, before ?? Int64.max, includeConnectionsOnly, max(0, limit)]
        ).map(Self.post)
    }

    public func postCounts(_ ids: [String], viewer: MemberID?) async throws -> [String: (counts: PostCounts, viewerReaction: ReactionType?)] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in try Self.postCounts(ids, viewer: viewer, db) }
    }

    static func postCounts(_ ids: [String], viewer: MemberID?, _ db: Database) throws -> [String: (counts: PostCounts, viewerReaction: ReactionType?)] {
        guard !ids.isEmpty else { return [:] }
        var result: [String: (counts: PostCounts, viewerReaction: ReactionType?)] = [:]
        _ = try Self.inSlices(ids) { part, marks -> [Int] in
            for row in try Row.fetchAll(
                cached: db, sql: "SELECT p.id, \(postCountColumns) FROM posts p WHERE p.id IN (\(marks))",
                arguments: StatementArguments([viewer?.rawValue ?? ""]) + StatementArguments(part))
            {
                var counts = PostCounts(comments: row[1], reposts: row[2])
                if let reactions: String = row[4] {
                    // "like 2 love 1": each type with its count.
                    let words = reactions.split(separator: " ")
                    for index in stride(from: 0, to: words.count - 1, by: 2) {
                        if let type = ReactionType(rawValue: String(words[index])), let count = Int(words[index + 1]) { counts.reactions[type] = count }
                    }
                }
                result[row[0]] = (counts, (row[3] as String?).flatMap(ReactionType.init))
            }
            return []
        }
        return result
    }

    /// A post's counts as columns of one row (after the post's own), for the viewer bound first: comments, reposts, the
    /// viewer's reaction, and the reactions by type ("like 2 love 1"). One statement for a page of posts, where five
    /// statements were read and grouped (a twentieth of a feed page, docs/BENCHMARKS.md "Request path, round 14").
    static let postCountColumns = """
        (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = p.id),
        (SELECT COUNT(*) FROM posts r WHERE r.repost_of = p.id),
        (SELECT v.type FROM post_reactions v WHERE v.post_id = p.id AND v.member_id = ?1),
        (SELECT group_concat(type || ' ' || n, ' ') FROM (SELECT type, COUNT(*) AS n FROM post_reactions x WHERE x.post_id = p.id GROUP BY type))
        """

    public func addComment(_ comment: PostComment, postSeq: Int64) async throws -> Bool {
        try await write { db in
            guard try Int64.fetchOne(cached: db, sql: "SELECT seq FROM posts WHERE id = ?", arguments: [comment.postID]) != nil else { return false }
            try db.execute(
                cached: "INSERT INTO post_comments (id, post_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [comment.id, comment.postID, comment.author.rawValue, comment.text, StoredTime.millis(comment.createdAt)])
            try Self.logFeedChange(postSeq, actor: comment.author, db)
            return true
        }
    }

    static func comment(_ row: Row) -> PostComment {
        PostComment(
            id: row["id"], postID: row["post_id"], author: MemberID(row["author_id"]), text: row["text"],
            createdAt: StoredTime.date(row["created_at"]))
    }

    public func comment(id: String) async throws -> PostComment? {
        try await pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT * FROM post_comments WHERE id = ?", arguments: [id]).map(Self.comment) }
    }

    public func comments(on post: String, after: String?, limit: Int) async throws -> [PostComment] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM post_comments WHERE post_id = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [post, after ?? "", max(0, limit)]
            ).map(Self.comment)
        }
    }

    public func deleteComment(id: String, postSeq: Int64) async throws -> Bool {
        try await write { db in try Self.deleteComment(id: id, postSeq: postSeq, db) }
    }

    static func deleteComment(id: String, postSeq: Int64, _ db: Database) throws -> Bool {
        guard let author = try String.fetchOne(cached: db, sql: "SELECT author_id FROM post_comments WHERE id = ?", arguments: [id]) else {
            return false
        }
        try db.execute(cached: "DELETE FROM post_comments WHERE id = ?", arguments: [id])
        try logFeedChange(postSeq, actor: MemberID(author), db)
        return true
    }

    public func setReaction(post: String, postSeq: Int64, member: MemberID, type: ReactionType?, at date: Date) async throws -> (exists: Bool, added: Bool) {
        try await write { db in
            guard try Int64.fetchOne(cached: db, sql: "SELECT seq FROM posts WHERE id = ?", arguments: [post]) != nil else { return (false, false) }
            let had = try String.fetchOne(
                cached: db, sql: "SELECT type FROM post_reactions WHERE post_id = ? AND member_id = ?", arguments: [post, member.rawValue])
            if let type {
                if had == nil {
                    try db.execute(
                        cached: "INSERT INTO post_reactions (post_id, member_id, type, created_at) VALUES (?, ?, ?, ?)",
                        arguments: [post, member.rawValue, type.rawValue, StoredTime.millis(date)])
                } else if had != type.rawValue {
                    try db.execute(
                        cached: "UPDATE post_reactions SET type = ? WHERE post_id = ? AND member_id = ?",
                        arguments: [type.rawValue, post, member.rawValue])
                }
            } else if had != nil {
                try db.execute(cached: "DELETE FROM post_reactions WHERE post_id = ? AND member_id = ?", arguments: [post, member.rawValue])
            }
            if had != type?.rawValue { try Self.logFeedChange(postSeq, actor: member, db) }
            return (true, had == nil && type != nil)
        }
    }

    public func followedHashtags(of member: MemberID) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(cached: db, sql: "SELECT tag FROM hashtag_follows WHERE member_id = ? ORDER BY tag", arguments: [member.rawValue])
        }
    }

    public func setHashtagFollow(member: MemberID, tag: String, _ on: Bool, at date: Date) async throws {
        try await write { db in
            if on {
                try db.execute(
                    cached: "INSERT INTO hashtag_follows (member_id, tag, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [member.rawValue, tag, StoredTime.millis(date)])
            } else {
                try db.execute(cached: "DELETE FROM hashtag_follows WHERE member_id = ? AND tag = ?", arguments: [member.rawValue, tag])
            }
        }
    }

    public func createReport(_ report: PostReport) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: """
                    INSERT INTO post_reports (id, post_id, comment_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """,
                arguments: [
                    report.id, report.postID, report.commentID ?? "", report.reporter.rawValue, report.reason, StoredTime.millis(report.createdAt),
                ])
            return db.changesCount > 0
        }
    }

    public func openReports(limit: Int) async throws -> [PostReport] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM post_reports WHERE status = 'open' ORDER BY id LIMIT ?", arguments: [max(0, limit)]).map {
                let comment: String = $0["comment_id"]
                return PostReport(
                    id: $0["id"], postID: $0["post_id"], commentID: comment.isEmpty ? nil : comment, reporter: MemberID($0["reporter_id"]),
                    reason: $0["reason"], createdAt: StoredTime.date($0["created_at"]))
            }
        }
    }

    public func importSampleActivity(_ activity: SampleActivity) async throws {
        try await write { db in
            let post = try db.makeStatement(
                sql: """
                    INSERT INTO posts (id, author_id, text, visibility, hashtags, mentions, repost_of, created_at, version)
                    VALUES (?, ?, ?, ?, ?, '', NULL, ?, 1)
                    """)
            for p in activity.posts {
                try post.execute(arguments: [
                    p.id, p.author.rawValue, p.text, p.visibility.rawValue, p.hashtags.joined(separator: " "), StoredTime.millis(p.createdAt),
                ])
            }
            let reaction = try db.makeStatement(
                sql: "INSERT INTO post_reactions (post_id, member_id, type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            for r in activity.reactions {
                try reaction.execute(arguments: [r.post, r.member.rawValue, r.type.rawValue, StoredTime.millis(r.at)])
            }
            let comment = try db.makeStatement(sql: "INSERT INTO post_comments (id, post_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?)")
            for c in activity.comments {
                try comment.execute(arguments: [c.id, c.postID, c.author.rawValue, c.text, StoredTime.millis(c.createdAt)])
            }
        }
    }

    // MARK: The feed index

    static let stateColumns = """
        p.seq, p.author_id, p.created_at, p.visibility, p.hashtags, (p.repost_of IS NOT NULL AND p.text = '') AS plain,
        (SELECT COUNT(*) FROM post_reactions r WHERE r.post_id = p.id)
          + 2 * (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = p.id)
          + 3 * (SELECT COUNT(*) FROM posts q WHERE q.repost_of = p.id) AS engagement
        """

    static func state(_ row: Row) -> FeedPostState {
        let hashtags: String = row["hashtags"]
        return FeedPostState(
            seq: row["seq"], author: MemberID(row["author_id"]), createdAt: StoredTime.date(row["created_at"]),
            visibility: PostVisibility(rawValue: row["visibility"]) ?? .connections, isPlainRepost: row["plain"],
            hashtags: hashtags.split(separator: " ").map(String.init), engagement: row["engagement"])
    }

    public func feedPostStates(after: Int64, limit: Int) async throws -> [FeedPostState] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT \(Self.stateColumns) FROM posts p WHERE p.seq > ? ORDER BY p.seq LIMIT ?", arguments: [after, max(0, limit)]
            ).map(Self.state)
        }
    }

    public func feedPostStates(seqs: [Int64]) async throws -> [FeedPostState] {
        guard !seqs.isEmpty else { return [] }
        return try await pool.read { db in
            try Self.inSlices(seqs) { part, marks in
                try Row.fetchAll(cached: db, sql: "SELECT \(Self.stateColumns) FROM posts p WHERE p.seq IN (\(marks))", arguments: StatementArguments(part))
                    .map(Self.state)
            }
        }
    }

    static func activity(_ row: Row) -> PostActivity? {
        guard let kind = PostActivityKind(rawValue: UInt8(row["kind"] as Int)) else { return nil }
        return PostActivity(actor: MemberID(row["actor"]), post: row["post"], kind: kind, at: StoredTime.date(row["at"]))
    }

    public func feedActivities(since: Date) async throws -> [PostActivity] {
        let millis = StoredTime.millis(since)
        return try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT r.member_id AS actor, p.seq AS post, 1 AS kind, r.created_at AS at
                    FROM post_reactions r JOIN posts p ON p.id = r.post_id WHERE r.created_at >= ?1
                    UNION ALL
                    SELECT c.author_id, p.seq, 2, MAX(c.created_at)
                    FROM post_comments c JOIN posts p ON p.id = c.post_id WHERE c.created_at >= ?1 GROUP BY c.author_id, p.seq
                    UNION ALL
                    SELECT q.author_id, p.seq, 3, q.created_at
                    FROM posts q JOIN posts p ON p.id = q.repost_of WHERE q.text = '' AND q.created_at >= ?1
                    ORDER BY at
                    """, arguments: [millis]
            ).compactMap(Self.activity)
        }
    }

    public func feedActivities(of actor: MemberID, on post: Int64) async throws -> [PostActivity] {
        try await pool.read { db in
            guard let id = try String.fetchOne(cached: db, sql: "SELECT id FROM posts WHERE seq = ?", arguments: [post]) else { return [] }
            return try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT ?1 AS actor, ?2 AS post, 1 AS kind, created_at AS at FROM post_reactions WHERE post_id = ?3 AND member_id = ?1
                    UNION ALL
                    SELECT ?1, ?2, 2, MAX(created_at) FROM post_comments WHERE post_id = ?3 AND author_id = ?1 GROUP BY author_id
                    UNION ALL
                    SELECT ?1, ?2, 3, MAX(created_at) FROM posts WHERE repost_of = ?3 AND author_id = ?1 AND text = '' GROUP BY author_id
                    """, arguments: [actor.rawValue, post, id]
            ).compactMap(Self.activity)
        }
    }

    public func feedChangeSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(cached: db, sql: "SELECT COALESCE(MAX(seq), 0) FROM feed_changes") ?? 0 }
    }

    static func feedChange(_ row: Row) -> FeedChange {
        FeedChange(sequence: row["seq"], post: row["post_seq"], actor: (row["actor_id"] as String?).map(MemberID.init))
    }

    public func feedChanges(after: Int64, limit: Int) async throws -> [FeedChange] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT seq, post_seq, actor_id FROM feed_changes WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [after, max(0, limit)]
            ).map(Self.feedChange)
        }
    }

    public func feedChanges(sequences: [Int64]) async throws -> [FeedChange] {
        guard !sequences.isEmpty else { return [] }
        return try await pool.read { db in
            try Self.inSlices(sequences) { part, marks in
                try Row.fetchAll(
                    cached: db, sql: "SELECT seq, post_seq, actor_id FROM feed_changes WHERE seq IN (\(marks)) ORDER BY seq",
                    arguments: StatementArguments(part)
                ).map(Self.feedChange)
            }
        }
    }

    public func pruneFeedChanges(before date: Date) async throws {
        try await write { db in try db.execute(cached: "DELETE FROM feed_changes WHERE at < ?", arguments: [StoredTime.millis(date)]) }
    }
}
