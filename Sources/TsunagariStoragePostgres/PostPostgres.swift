import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: PostStore {
    /// An arbitrary constant naming the feed change log's lock: as for the graph's, numbers are handed out in commit
    /// order, so a reader that sees change n has seen every change before it. Taken last in a transaction.
    static let feedLogLockID: Int64 = 0x7473_756e_6665

    static func logFeedChanges(_ changes: [(post: Int64, actor: MemberID?)], _ c: PostgresConnection, _ logger: Logger) async throws {
        guard !changes.isEmpty else { return }
        try await c.query("SELECT pg_advisory_xact_lock(\(feedLogLockID))", logger: logger)
        try await c.query(
            """
            INSERT INTO feed_changes (post_seq, actor_id, at)
            SELECT post, NULLIF(actor, ''), \(StoredTime.millis(Date()))
            FROM unnest(\(changes.map(\.post))::bigint[], \(changes.map { $0.actor?.rawValue ?? "" })::text[]) AS t(post, actor)
            """, logger: logger)
    }

    static func post(_ row: PostgresRandomAccessRow) throws -> Post {
        Post(
            id: try row["id"].decode(String.self), seq: try row["seq"].decode(Int64.self), author: MemberID(try row["author_id"].decode(String.self)),
            text: try row["text"].decode(String.self),
            visibility: PostVisibility(rawValue: try row["visibility"].decode(String.self)) ?? .connections,
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            editedAt: try row["edited_at"].decode(Int64?.self).map(StoredTime.date),
            hashtags: try row["hashtags"].decode(String.self).split(separator: " ").map(String.init),
            mentions: try row["mentions"].decode(String.self).split(separator: " ").map { MemberID(String($0)) },
            repostOf: try row["repost_of"].decode(String?.self), version: try row["version"].decode(Int64.self),
            jobID: try row["job_id"].decode(String?.self))
    }

    public func createPost(_ post: Post) async throws -> Post {
        try await transaction { c in
            guard
                let row = try await Self.collect(
                    """
                    INSERT INTO posts (id, author_id, text, visibility, hashtags, mentions, repost_of, created_at, version, job_id)
                    VALUES (\(post.id), \(post.author.rawValue), \(post.text), \(post.visibility.rawValue), \(post.hashtags.joined(separator: " ")),
                      \(post.mentions.map(\.rawValue).joined(separator: " ")), \(post.repostOf), \(StoredTime.millis(post.createdAt)), 1, \(post.jobID))
                    RETURNING seq
                    """, c, self.logger
                ).first
            else { throw DomainError.notFound("Post") }
            var stored = post
            stored.seq = try row["seq"].decode(Int64.self)
            stored.version = 1
            var changes: [(post: Int64, actor: MemberID?)] = [(stored.seq, nil)]
            if let original = post.repostOf, post.text.isEmpty,
                let seq = try await Self.collect("SELECT seq FROM posts WHERE id = \(original)", c, self.logger).first
            {
                changes.append((try seq["seq"].decode(Int64.self), post.author))
            }
            try await Self.logFeedChanges(changes, c, self.logger)
            return stored
        }
    }

    // The reads of every feed and profile page are prepared statements (`FixedSQL`): planning each anew cost the
    // database more than running it.

    public func post(id: String) async throws -> Post? {
        var values = Values()
        values.add(id)
        return try await read(PostByID.self, values).first.map(Self.post)
    }

    public func posts(ids: [String]) async throws -> [Post] {
        guard !ids.isEmpty else { return [] }
        var values = Values()
        values.add(ids)
        return try await read(PostsByIDs.self, values).map(Self.post)
    }

    public func posts(seqs: [Int64]) async throws -> [Post] {
        guard !seqs.isEmpty else { return [] }
        var values = Values()
        values.add(seqs)
        return try await read(PostsBySeqs.self, values).map(Self.post)
    }

    public func editPost(id: String, text: String, hashtags: [String], mentions: [MemberID], at date: Date) async throws -> Post? {
        try await transaction { c in
            guard
                let row = try await Self.collect(
                    """
                    UPDATE posts SET text = \(text), hashtags = \(hashtags.joined(separator: " ")),
                      mentions = \(mentions.map(\.rawValue).joined(separator: " ")), edited_at = \(StoredTime.millis(date)), version = version + 1
                    WHERE id = \(id) RETURNING *
                    """, c, self.logger
                ).first
            else { return nil }
            let post = try Self.post(row)
            try await Self.logFeedChanges([(post.seq, nil)], c, self.logger)
            return post
        }
    }

    public func deletePost(id: String) async throws -> Bool {
        try await transaction { c in try await Self.deletePost(id: id, c, self.logger) }
    }

    /// Deletes the post in the caller's transaction and logs the feed changes; false when there is no such post.
    static func deletePost(id: String, _ c: PostgresConnection, _ logger: Logger) async throws -> Bool {
        guard let row = try await collect("DELETE FROM posts WHERE id = \(id) RETURNING seq, author_id, repost_of", c, logger).first else {
            return false
        }
        var changes: [(post: Int64, actor: MemberID?)] = [(try row["seq"].decode(Int64.self), nil)]
        if let original = try row["repost_of"].decode(String?.self),
            let seq = try await collect("SELECT seq FROM posts WHERE id = \(original)", c, logger).first
        {
            changes.append((try seq["seq"].decode(Int64.self), MemberID(try row["author_id"].decode(String.self))))
        }
        try await logFeedChanges(changes, c, logger)
        return true
    }

    public func postCounts(_ ids: [String], viewer: MemberID?) async throws -> [String: (counts: PostCounts, viewerReaction: ReactionType?)] {
        guard !ids.isEmpty else { return [:] }
        // One round trip: a row per post, with the reactions by type as parallel arrays.
        var values = Values()
        values.add(viewer?.rawValue ?? "")
        values.add(ids)
        var result: [String: (counts: PostCounts, viewerReaction: ReactionType?)] = [:]
        for row in try await read(PostCountsOf.self, values) { result[try row["id"].decode(String.self)] = try Self.counts(row) }
        return result
    }

    public func postsWithCounts(by author: MemberID, before: Int64?, includeConnectionsOnly: Bool, limit: Int, viewer: MemberID?) async throws
        -> (posts: [Post], counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)])
    {
        var values = Values()
        values.add(author.rawValue)
        values.add(before ?? Int64.max)
        values.add(includeConnectionsOnly)
        values.add(Int64(max(0, limit)))
        values.add(viewer?.rawValue ?? "")
        var posts: [Post] = []
        var counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)] = [:]
        for row in try await read(PostsWithCountsByAuthor.self, values) {
            let post = try Self.post(row)
            posts.append(post)
            counts[post.id] = try Self.counts(row)
        }
        return (posts, counts)
    }

    public func recentPosts(by author: MemberID, limit: Int) async throws -> RecentPosts.Entry {
        let limit = max(0, limit)
        let (batch, byID) = try await postsWithCounts(by: author, before: nil, includeConnectionsOnly: true, limit: limit + 1, viewer: nil)
        let posts = Array(batch.prefix(limit))
        var counts: [String: PostCounts] = [:]
        for post in posts { counts[post.id] = byID[post.id]?.counts ?? PostCounts() }
        var originals: [String: Post] = [:]
        let originalIDs = Array(Set(posts.compactMap(\.repostOf)))
        if !originalIDs.isEmpty {
            var values = Values()
            values.add("")
            values.add(originalIDs)
            for row in try await read(PostsWithCountsByIDs.self, values) {
                let post = try Self.post(row)
                originals[post.id] = post
                counts[post.id] = try Self.counts(row).counts
            }
        }
        var reactions: [String: [MemberID: ReactionType]] = [:]
        if !posts.isEmpty {
            var values = Values()
            values.add(posts.map(\.id))
            for row in try await read(ReactionsOnPosts.self, values) {
                guard let type = ReactionType(rawValue: try row["type"].decode(String.self)) else { continue }
                reactions[try row["post_id"].decode(String.self), default: [:]][MemberID(try row["member_id"].decode(String.self))] = type
            }
        }
        return RecentPosts.Entry(posts: posts, more: batch.count > limit, counts: counts, reactions: reactions, originals: originals)
    }

    public func heldPosts(seqs: [Int64]) async throws -> [RecentPosts.HeldPost] {
        guard !seqs.isEmpty else { return [] }
        var values = Values()
        values.add(seqs)
        values.add("")
        return try await read(HeldPostsBySeqs.self, values).map { row in
            var reactions: [MemberID: ReactionType] = [:]
            for (member, type) in zip(try row["reactors"].decode([String].self), try row["reactor_types"].decode([String].self)) {
                if let type = ReactionType(rawValue: type) { reactions[MemberID(member)] = type }
            }
            return RecentPosts.HeldPost(post: try Self.post(row), counts: try Self.counts(row).counts, reactions: reactions)
        }
    }

    /// A row's counts, as `PostCountsOf` and `PostsWithCountsByAuthor` give them.
    static func counts(_ row: PostgresRandomAccessRow) throws -> (counts: PostCounts, viewerReaction: ReactionType?) {
        var counts = PostCounts(comments: Int(try row["comments"].decode(Int64.self)), reposts: Int(try row["reposts"].decode(Int64.self)))
        for (type, count) in zip(try row["types"].decode([String].self), try row["counts"].decode([Int64].self)) {
            if let type = ReactionType(rawValue: type) { counts.reactions[type] = Int(count) }
        }
        return (counts, try row["mine"].decode(String?.self).flatMap(ReactionType.init))
    }

    public func addComment(_ comment: PostComment, postSeq: Int64) async throws -> Bool {
        try await transaction { c in
            let added = try await Self.collect(
                """
                INSERT INTO post_comments (id, post_id, author_id, text, created_at)
                SELECT \(comment.id), \(comment.postID), \(comment.author.rawValue), \(comment.text), \(StoredTime.millis(comment.createdAt))
                WHERE EXISTS (SELECT 1 FROM posts WHERE id = \(comment.postID) FOR KEY SHARE)
                RETURNING id
                """, c, self.logger)
            guard !added.isEmpty else { return false }
            try await Self.logFeedChanges([(postSeq, comment.author)], c, self.logger)
            return true
        }
    }

    static func comment(_ row: PostgresRandomAccessRow) throws -> PostComment {
        PostComment(
            id: try row["id"].decode(String.self), postID: try row["post_id"].decode(String.self),
            author: MemberID(try row["author_id"].decode(String.self)), text: try row["text"].decode(String.self),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)))
    }

    public func comment(id: String) async throws -> PostComment? {
        try await rows("SELECT * FROM post_comments WHERE id = \(id)").first.map(Self.comment)
    }

    public func comments(on post: String, after: String?, limit: Int) async throws -> [PostComment] {
        try await rows(
            "SELECT * FROM post_comments WHERE post_id = \(post) AND id > \(after ?? "") ORDER BY id LIMIT \(max(0, limit))"
        ).map(Self.comment)
    }

    public func deleteComment(id: String, postSeq: Int64) async throws -> Bool {
        try await transaction { c in try await Self.deleteComment(id: id, postSeq: postSeq, c, self.logger) }
    }

    static func deleteComment(id: String, postSeq: Int64, _ c: PostgresConnection, _ logger: Logger) async throws -> Bool {
        guard let row = try await collect("DELETE FROM post_comments WHERE id = \(id) RETURNING author_id", c, logger).first else {
            return false
        }
        try await logFeedChanges([(postSeq, MemberID(try row["author_id"].decode(String.self)))], c, logger)
        return true
    }

    public func setReaction(post: String, postSeq: Int64, member: MemberID, type: ReactionType?, at date: Date) async throws -> (exists: Bool, added: Bool) {
        try await transaction { c in
            // The post's row is locked against deletion while the reaction is written.
            guard !(try await Self.collect("SELECT 1 AS one FROM posts WHERE id = \(post) FOR KEY SHARE", c, self.logger)).isEmpty else {
                return (false, false)
            }
            let had = try await Self.collect(
                "SELECT type FROM post_reactions WHERE post_id = \(post) AND member_id = \(member.rawValue) FOR UPDATE", c, self.logger
            ).first.map { try $0["type"].decode(String.self) }
            var added = false
            if let type {
                let inserted = try await Self.collect(
                    """
                    INSERT INTO post_reactions (post_id, member_id, type, created_at)
                    VALUES (\(post), \(member.rawValue), \(type.rawValue), \(StoredTime.millis(date)))
                    ON CONFLICT (post_id, member_id) DO UPDATE SET type = EXCLUDED.type
                    RETURNING (xmax = 0) AS inserted
                    """, c, self.logger)
                added = try inserted.first?["inserted"].decode(Bool.self) ?? false
            } else if had != nil {
                try await c.query("DELETE FROM post_reactions WHERE post_id = \(post) AND member_id = \(member.rawValue)", logger: self.logger)
            }
            if had != type?.rawValue { try await Self.logFeedChanges([(postSeq, member)], c, self.logger) }
            return (true, added)
        }
    }

    public func followedHashtags(of member: MemberID) async throws -> [String] {
        var values = Values()
        values.add(member.rawValue)
        return try await read(FollowedHashtags.self, values).map { try $0["tag"].decode(String.self) }
    }

    public func setHashtagFollow(member: MemberID, tag: String, _ on: Bool, at date: Date) async throws {
        if on {
            try await client.query(
                """
                INSERT INTO hashtag_follows (member_id, tag, created_at) VALUES (\(member.rawValue), \(tag), \(StoredTime.millis(date)))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        } else {
            try await client.query("DELETE FROM hashtag_follows WHERE member_id = \(member.rawValue) AND tag = \(tag)", logger: logger)
        }
    }

    public func createReport(_ report: PostReport) async throws -> Bool {
        !(try await rows(
            """
            INSERT INTO post_reports (id, post_id, comment_id, reporter_id, reason, created_at)
            VALUES (\(report.id), \(report.postID), \(report.commentID ?? ""), \(report.reporter.rawValue), \(report.reason),
              \(StoredTime.millis(report.createdAt)))
            ON CONFLICT DO NOTHING RETURNING id
            """)).isEmpty
    }

    public func openReports(limit: Int) async throws -> [PostReport] {
        try await rows("SELECT * FROM post_reports WHERE status = 'open' ORDER BY id LIMIT \(max(0, limit))").map { row in
            let comment = try row["comment_id"].decode(String.self)
            return PostReport(
                id: try row["id"].decode(String.self), postID: try row["post_id"].decode(String.self), commentID: comment.isEmpty ? nil : comment,
                reporter: MemberID(try row["reporter_id"].decode(String.self)), reason: try row["reason"].decode(String.self),
                createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)))
        }
    }

    public func importSampleActivity(_ activity: SampleActivity) async throws {
        let posts = activity.posts
        let reactions = activity.reactions
        let comments = activity.comments
        try await transaction { c in
            try await c.query(
                """
                INSERT INTO posts (id, author_id, text, visibility, hashtags, created_at)
                SELECT * FROM unnest(\(posts.map(\.id))::text[], \(posts.map(\.author.rawValue))::text[], \(posts.map(\.text))::text[],
                  \(posts.map(\.visibility.rawValue))::text[], \(posts.map { $0.hashtags.joined(separator: " ") })::text[],
                  \(posts.map { StoredTime.millis($0.createdAt) })::bigint[])
                ORDER BY 6
                """, logger: self.logger)
            try await c.query(
                """
                INSERT INTO post_reactions (post_id, member_id, type, created_at)
                SELECT * FROM unnest(\(reactions.map(\.post))::text[], \(reactions.map(\.member.rawValue))::text[],
                  \(reactions.map(\.type.rawValue))::text[], \(reactions.map { StoredTime.millis($0.at) })::bigint[])
                ON CONFLICT DO NOTHING
                """, logger: self.logger)
            try await c.query(
                """
                INSERT INTO post_comments (id, post_id, author_id, text, created_at)
                SELECT * FROM unnest(\(comments.map(\.id))::text[], \(comments.map(\.postID))::text[], \(comments.map(\.author.rawValue))::text[],
                  \(comments.map(\.text))::text[], \(comments.map { StoredTime.millis($0.createdAt) })::bigint[])
                """, logger: self.logger)
        }
    }

    // MARK: The feed index

    static let stateColumns = """
        p.seq, p.author_id, p.created_at, p.visibility, p.hashtags, (p.repost_of IS NOT NULL AND p.text = '') AS plain,
        (SELECT COUNT(*) FROM post_reactions r WHERE r.post_id = p.id)
          + 2 * (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = p.id)
          + 3 * (SELECT COUNT(*) FROM posts q WHERE q.repost_of = p.id) AS engagement
        """

    static func state(_ row: PostgresRandomAccessRow) throws -> FeedPostState {
        FeedPostState(
            seq: try row["seq"].decode(Int64.self), author: MemberID(try row["author_id"].decode(String.self)),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            visibility: PostVisibility(rawValue: try row["visibility"].decode(String.self)) ?? .connections,
            isPlainRepost: try row["plain"].decode(Bool.self),
            hashtags: try row["hashtags"].decode(String.self).split(separator: " ").map(String.init),
            engagement: Int(try row["engagement"].decode(Int64.self)))
    }

    public func feedPostStates(after: Int64, limit: Int) async throws -> [FeedPostState] {
        try await rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.stateColumns) FROM posts p WHERE p.seq > $1 ORDER BY p.seq LIMIT $2",
                binds: Self.binds(after, Int64(max(0, limit))))
        ).map(Self.state)
    }

    public func feedPostStates(seqs: [Int64]) async throws -> [FeedPostState] {
        guard !seqs.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(seqs)
        return try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.stateColumns) FROM posts p WHERE p.seq = ANY($1)", binds: binds))
            .map(Self.state)
    }

    static func binds(_ values: Int64...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    static func activity(_ row: PostgresRandomAccessRow) throws -> PostActivity? {
        guard let kind = PostActivityKind(rawValue: UInt8(try row["kind"].decode(Int32.self))) else { return nil }
        return PostActivity(
            actor: MemberID(try row["actor"].decode(String.self)), post: try row["post"].decode(Int64.self), kind: kind,
            at: StoredTime.date(try row["at"].decode(Int64.self)))
    }

    public func feedActivities(since: Date) async throws -> [PostActivity] {
        let millis = StoredTime.millis(since)
        return try await rows(
            """
            SELECT r.member_id AS actor, p.seq AS post, 1 AS kind, r.created_at AS at
            FROM post_reactions r JOIN posts p ON p.id = r.post_id WHERE r.created_at >= \(millis)
            UNION ALL
            SELECT c.author_id, p.seq, 2, MAX(c.created_at)
            FROM post_comments c JOIN posts p ON p.id = c.post_id WHERE c.created_at >= \(millis) GROUP BY c.author_id, p.seq
            UNION ALL
            SELECT q.author_id, p.seq, 3, q.created_at
            FROM posts q JOIN posts p ON p.id = q.repost_of WHERE q.text = '' AND q.created_at >= \(millis)
            ORDER BY at
            """
        ).compactMap(Self.activity)
    }

    public func feedActivities(of actor: MemberID, on post: Int64) async throws -> [PostActivity] {
        try await rows(
            """
            WITH target AS (SELECT id FROM posts WHERE seq = \(post))
            SELECT \(actor.rawValue)::text AS actor, \(post)::bigint AS post, 1 AS kind, r.created_at AS at
            FROM post_reactions r, target WHERE r.post_id = target.id AND r.member_id = \(actor.rawValue)
            UNION ALL
            SELECT \(actor.rawValue)::text, \(post)::bigint, 2, MAX(c.created_at)
            FROM post_comments c, target WHERE c.post_id = target.id AND c.author_id = \(actor.rawValue) GROUP BY c.author_id
            UNION ALL
            SELECT \(actor.rawValue)::text, \(post)::bigint, 3, MAX(q.created_at)
            FROM posts q, target WHERE q.repost_of = target.id AND q.author_id = \(actor.rawValue) AND q.text = '' GROUP BY q.author_id
            """
        ).compactMap(Self.activity)
    }

    public func feedChangeSequence() async throws -> Int64 {
        try await rows("SELECT COALESCE(MAX(seq), 0) AS seq FROM feed_changes").first?["seq"].decode(Int64.self) ?? 0
    }

    static func feedChange(_ row: PostgresRandomAccessRow) throws -> FeedChange {
        FeedChange(
            sequence: try row["seq"].decode(Int64.self), post: try row["post_seq"].decode(Int64.self),
            actor: try row["actor_id"].decode(String?.self).map(MemberID.init))
    }

    public func feedChanges(after: Int64, limit: Int) async throws -> [FeedChange] {
        try await rows("SELECT seq, post_seq, actor_id FROM feed_changes WHERE seq > \(after) ORDER BY seq LIMIT \(max(0, limit))")
            .map(Self.feedChange)
    }

    public func feedChanges(sequences: [Int64]) async throws -> [FeedChange] {
        guard !sequences.isEmpty else { return [] }
        return try await rows("SELECT seq, post_seq, actor_id FROM feed_changes WHERE seq = ANY(\(sequences)) ORDER BY seq").map(Self.feedChange)
    }

    public func pruneFeedChanges(before date: Date) async throws {
        try await client.query("DELETE FROM feed_changes WHERE at < \(StoredTime.millis(date))", logger: logger)
    }
}

enum PostByID: FixedSQL {
    static let sql = "SELECT * FROM posts WHERE id = $1::text"
}

enum PostsByIDs: FixedSQL {
    static let sql = "SELECT * FROM posts WHERE id = ANY($1::text[])"
}

enum PostsBySeqs: FixedSQL {
    static let sql = "SELECT * FROM posts WHERE seq = ANY($1::bigint[])"
}

/// A post's counts as columns: the reactions by type as parallel arrays, comments, reposts, and the reaction of the
/// viewer, the parameter numbered `viewer`.
private func postCountColumns(viewer: Int) -> String {
    """
      ARRAY(SELECT r.type FROM post_reactions r WHERE r.post_id = p.id GROUP BY r.type ORDER BY r.type) AS types,
      ARRAY(SELECT COUNT(*) FROM post_reactions r WHERE r.post_id = p.id GROUP BY r.type ORDER BY r.type) AS counts,
      (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = p.id) AS comments,
      (SELECT COUNT(*) FROM posts q WHERE q.repost_of = p.id) AS reposts,
      (SELECT r.type FROM post_reactions r WHERE r.post_id = p.id AND r.member_id = $\(viewer)::text) AS mine
    """
}

/// One row per post with its counts (`postCountColumns`); `$1` is the viewer.
enum PostCountsOf: FixedSQL {
    static let sql = "SELECT p.id,\n\(postCountColumns(viewer: 1))\nFROM posts p WHERE p.id = ANY($2::text[])"
}

/// A member's posts before a position, newest first (connections-only ones when `$3`), each with its counts for the
/// viewer `$5`: a profile's activity section in one round trip.
enum PostsWithCountsByAuthor: FixedSQL {
    static let sql = """
        SELECT p.*,
        \(postCountColumns(viewer: 5))
        FROM posts p WHERE p.author_id = $1::text AND p.seq < $2::bigint AND (p.visibility = 'public' OR $3::boolean)
        ORDER BY p.seq DESC LIMIT $4::bigint
        """
}

/// Posts by id, each with its counts for the viewer `$1` (the originals a member's recent posts repost).
enum PostsWithCountsByIDs: FixedSQL {
    static let sql = "SELECT p.*,\n\(postCountColumns(viewer: 1))\nFROM posts p WHERE p.id = ANY($2::text[])"
}

/// Posts by number, each with its counts (`$2`, no viewer, is the empty string) and every member's reaction on it as two
/// parallel arrays: what `RecentPosts` holds of posts a feed shows, in one round trip.
enum HeldPostsBySeqs: FixedSQL {
    static let sql = """
        SELECT p.*,
        \(postCountColumns(viewer: 2)),
          ARRAY(SELECT r.member_id FROM post_reactions r WHERE r.post_id = p.id ORDER BY r.member_id) AS reactors,
          ARRAY(SELECT r.type FROM post_reactions r WHERE r.post_id = p.id ORDER BY r.member_id) AS reactor_types
        FROM posts p WHERE p.seq = ANY($1::bigint[])
        """
}

/// Every member's reaction on these posts.
enum ReactionsOnPosts: FixedSQL {
    static let sql = "SELECT post_id, member_id, type FROM post_reactions WHERE post_id = ANY($1::text[])"
}

enum FollowedHashtags: FixedSQL {
    static let sql = "SELECT tag FROM hashtag_follows WHERE member_id = $1::text ORDER BY tag"
}
