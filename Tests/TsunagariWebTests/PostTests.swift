import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariGraph
@testable import TsunagariWeb

/// Posts, comments, reactions, reposts and the feed through the API, with every privacy rule of PRODUCT.md.
@Suite struct PostTests {
    static func post(
        _ client: any TestClientProtocol, _ cast: Cast, _ who: String, _ text: String, visibility: String = "public"
    ) async throws -> String {
        let reply = try await client.call(.post, "/api/v1/posts", token: cast.tokens[who], json: ["text": text, "visibility": visibility])
        #expect(reply.status == .created, "\(who) posts: \(reply.text)")
        return reply.json["id"] as? String ?? ""
    }

    static func feed(_ client: any TestClientProtocol, _ cast: Cast, _ who: String, limit: Int = 100) async throws -> [[String: Any]] {
        let reply = try await client.call(.get, "/api/v1/feed?limit=\(limit)", token: cast.tokens[who])
        #expect(reply.status == .ok, "\(reply.text)")
        return reply.json["items"] as? [[String: Any]] ?? []
    }

    static func ids(_ entries: [[String: Any]]) -> [String] {
        entries.compactMap { ($0["post"] as? [String: Any])?["id"] as? String }
    }

    static func notificationKinds(_ client: any TestClientProtocol, _ cast: Cast, _ who: String) async throws -> [String] {
        let reply = try await client.call(.get, "/api/v1/notifications", token: cast.tokens[who])
        let postKinds: Set<String> = ["mention", "comment", "reaction", "repost"]
        return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }.filter(postKinds.contains)
    }

    @Test func postReactCommentRepostAndTheirNotifications() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho"])
            try await cast.connect(client, "Ann", "Ben")
            let created = try await client.call(
                .post, "/api/v1/posts", token: cast.tokens["Ann"],
                json: ["text": "#採用 エンジニアを募集しています @\(cast.handles["Ben"]!) https://example.test/jobs #Hiring <script>x</script>"])
            #expect(created.status == .created, "\(created.text)")
            let id = created.json["id"] as? String ?? ""
            #expect(created.json["hashtags"] as? [String] == ["採用", "hiring"])
            #expect((created.json["mentions"] as? [[String: Any]])?.first?["name"] as? String == "Ben")
            #expect((created.json["text"] as? String)?.contains("<script>x</script>") == true)
            #expect(created.json["visibility"] as? String == "public")
            #expect(created.json["repostOf"] is NSNull)
            #expect(try await Self.notificationKinds(client, cast, "Ben") == ["mention"])

            // Reactions: one per member, a new type replaces the old, counted per type.
            let liked = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            #expect(liked.status == .ok)
            #expect((liked.json["reactionCounts"] as? [String: Any])?["like"] as? Int == 1)
            #expect(liked.json["viewerReaction"] as? String == "like")
            let changed = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "celebrate"])
            #expect((changed.json["reactionCounts"] as? [String: Any])?["like"] as? Int == 0)
            #expect((changed.json["reactionCounts"] as? [String: Any])?["celebrate"] as? Int == 1)
            _ = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Cho"], json: ["type": "insightful"])
            let annKinds = try await Self.notificationKinds(client, cast, "Ann")
            #expect(annKinds == ["reaction"], "two reactions gather into one: \(annKinds)")
            let annNotes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens["Ann"])
            #expect((annNotes.json["items"] as? [[String: Any]])?.first?["count"] as? Int == 2)
            let bad = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "angry"])
            #expect(bad.status == .unprocessableContent)
            #expect(try await client.call(.delete, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Cho"]).status == .noContent)

            // Comments, oldest first; the post's author may delete any, a commenter their own only.
            let comment = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Cho"], json: ["text": "応募したいです"])
            #expect(comment.status == .created, "\(comment.text)")
            let commentID = comment.json["id"] as? String ?? ""
            _ = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ben"], json: ["text": "素晴らしい"])
            let comments = try await client.call(.get, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ann"])
            #expect((comments.json["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String } == ["応募したいです", "素晴らしい"])
            let benComment = (comments.json["items"] as? [[String: Any]])?.last?["id"] as? String ?? ""
            #expect(try await client.call(.delete, "/api/v1/posts/\(id)/comments/\(benComment)", token: cast.tokens["Cho"]).status == .forbidden)
            #expect(try await client.call(.delete, "/api/v1/posts/\(id)/comments/\(commentID)", token: cast.tokens["Ann"]).status == .noContent)
            #expect(Set(try await Self.notificationKinds(client, cast, "Ann")) == ["reaction", "comment"])
            let empty = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Cho"], json: ["text": "  "])
            #expect(empty.status == .unprocessableContent)
            let long = try await client.call(
                .post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Cho"], json: ["text": String(repeating: "あ", count: 1_251)])
            #expect(long.status == .unprocessableContent)

            // A repost with text of its own; the original counts it and its author is told.
            let repost = try await client.call(.post, "/api/v1/posts/\(id)/reposts", token: cast.tokens["Cho"], json: ["text": "拡散します"])
            #expect(repost.status == .created, "\(repost.text)")
            #expect((repost.json["repostOf"] as? [String: Any])?["id"] as? String == id)
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Ann"]).json["repostCount"] as? Int == 1)
            #expect(try await Self.notificationKinds(client, cast, "Ann").contains("repost"))

            // Only the author edits or deletes; the edit shows.
            let foreign = try await client.call(.patch, "/api/v1/posts/\(id)", token: cast.tokens["Ben"], json: ["text": "改ざん"])
            #expect(foreign.status == .forbidden)
            #expect(try await client.call(.delete, "/api/v1/posts/\(id)", token: cast.tokens["Ben"]).status == .forbidden)
            let edited = try await client.call(.patch, "/api/v1/posts/\(id)", token: cast.tokens["Ann"], json: ["text": "募集は締め切りました #採用"])
            #expect(edited.status == .ok)
            #expect(edited.json["editedAt"] is String)
            #expect(edited.json["hashtags"] as? [String] == ["採用"])

            // Deleted: gone for everyone, its reposts show that it is gone.
            #expect(try await client.call(.delete, "/api/v1/posts/\(id)", token: cast.tokens["Ann"]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Ann"]).status == .notFound)
            let orphan = try await client.call(.get, "/api/v1/posts/\(repost.json["id"] as? String ?? "")", token: cast.tokens["Ben"])
            #expect(orphan.json["repostOf"] is NSNull)
            #expect(orphan.json["repostDeleted"] as? Bool == true)
            // Its notifications are no longer shown either.
            #expect(!(try await Self.notificationKinds(client, cast, "Ann")).contains("reaction"))
        }
    }

    @Test func badInputIsAClearError() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            for body in [["text": ""], ["text": String(repeating: "x", count: 3_001)], ["text": "ok", "visibility": "friends"], ["text": 5] as [String: Any]]
            {
                let reply = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ann"], json: body)
                #expect(reply.status == .unprocessableContent, "\(body): \(reply.status) \(reply.text)")
                #expect(reply.errorCode != nil)
            }
            let unknown = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ann"], json: ["text": "x", "job": "1"])
            #expect(unknown.errorCode == "unknown_field")
            // A job id that names no job.
            #expect(try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ann"], json: ["text": "x", "jobId": "1"]).status == .notFound)
            // A mention of a handle no one has is plain text.
            let plain = try await client.call(.post, "/api/v1/posts", token: cast.tokens["Ann"], json: ["text": "@nobody-here こんにちは"])
            #expect(plain.status == .created)
            #expect((plain.json["mentions"] as? [Any])?.isEmpty == true)
            for path in ["/api/v1/posts/nonsense", "/api/v1/posts/01HZZZZZZZZZZZZZZZZZZZZZZZ"] {
                #expect(try await client.call(.get, path, token: cast.tokens["Ann"]).status == .notFound)
            }
            #expect(try await client.call(.get, "/api/v1/feed?cursor=garbage!", token: cast.tokens["Ann"]).status == .badRequest)
            for cursor in ["1.zz-", "01.a", "+1.a", ".a", "1.A"] {
                #expect(try await client.call(.get, "/api/v1/feed?cursor=\(cursor)", token: cast.tokens["Ann"]).status == .badRequest, "\(cursor)")
            }
            // Any cursor of the documented shape is taken: numbers past every post are of no use and are ignored.
            for cursor in ["1.", "1.0", "999999999999999.zzzzzzzzzzzz-zzzzzzzzzzzz-1"] {
                #expect(try await client.call(.get, "/api/v1/feed?cursor=\(cursor)", token: cast.tokens["Ann"]).status == .ok, "\(cursor)")
            }
            #expect(try await client.call(.get, "/api/v1/search/posts?q=%22", token: cast.tokens["Ann"]).errorCode == "bad_query")
            #expect(try await client.call(.put, "/api/v1/hashtags/%20/follow", token: cast.tokens["Ann"]).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/feed").status == .unauthorized)
        }
    }

    /// PRODUCT.md: a connections-only post is seen by the author's connections only — not through a repost, a comment
    /// notification, search, the feed of anyone else, or a mention of someone who may not see it.
    @Test func aConnectionsOnlyPostNeverReachesASecondDegreeMember() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cho")
            let id = try await Self.post(
                client, cast, "Ann", "社内限定の話 #内緒 @\(cast.handles["Cho"]!) @\(cast.handles["Ben"]!) ひみつ", visibility: "connections")
            #expect(try await Self.notificationKinds(client, cast, "Ben") == ["mention"])
            #expect(try await Self.notificationKinds(client, cast, "Cho").isEmpty, "Cho may not see it: no mention")
            // Ben, a connection, sees it and engages.
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Ben"]).status == .ok)
            _ = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            _ = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ben"], json: ["text": "了解です"])
            let repost = try await client.call(.post, "/api/v1/posts/\(id)/reposts", token: cast.tokens["Ben"], json: [:])
            #expect(repost.status == .unprocessableContent)
            #expect(repost.errorCode == "not_shareable")
            // Cho, Ben's connection but not Ann's, finds it nowhere.
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Cho"]).status == .notFound)
            for path in ["/api/v1/posts/\(id)/comments", "/api/v1/posts/\(id)/reaction"] {
                let method: HTTPRequest.Method = path.hasSuffix("reaction") ? .put : .get
                let reply = try await client.call(method, path, token: cast.tokens["Cho"], json: method == .put ? ["type": "like"] : nil)
                #expect(reply.status == .notFound, "\(path)")
            }
            #expect(!Self.ids(try await Self.feed(client, cast, "Cho")).contains(id))
            #expect(Self.ids(try await Self.feed(client, cast, "Ben")).contains(id))
            let activity = try await client.call(.get, "/api/v1/members/\(cast.ids["Ann"]!)/posts", token: cast.tokens["Cho"])
            #expect((activity.json["items"] as? [Any])?.isEmpty == true)
            for q in ["ひみつ", "#内緒", "社内限定"] {
                let found = try await client.call(.get, "/api/v1/search/posts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: cast.tokens["Cho"])
                #expect((found.json["items"] as? [Any])?.isEmpty == true, "\(q): \(found.text)")
                let mine = try await client.call(.get, "/api/v1/search/posts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: cast.tokens["Ben"])
                #expect((mine.json["items"] as? [Any])?.count == 1, "\(q): \(mine.text)")
            }
            let tagged = try await client.call(.get, "/api/v1/hashtags/\("内緒".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!)/posts", token: cast.tokens["Cho"])
            #expect((tagged.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await Self.notificationKinds(client, cast, "Cho").isEmpty)
            // Removing the connection ends Ben's view of it, notifications included.
            #expect(try await client.call(.delete, "/api/v1/connections/\(cast.ids["Ann"]!)", token: cast.tokens["Ben"]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Ben"]).status == .notFound)
            #expect(!Self.ids(try await Self.feed(client, cast, "Ben")).contains(id))
            #expect(try await Self.notificationKinds(client, cast, "Ben").isEmpty)
        }
    }

    @Test func aBlockHidesEveryPostBothWays() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cho")
            let id = try await Self.post(client, cast, "Ann", "公開の投稿です #公開")
            _ = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            #expect(Self.ids(try await Self.feed(client, cast, "Cho")).contains(id))
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Cho"]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Cho"]).status == .notFound)
            #expect(!Self.ids(try await Self.feed(client, cast, "Cho")).contains(id))
            #expect(try await client.call(.get, "/api/v1/members/\(cast.ids["Ann"]!)/posts", token: cast.tokens["Cho"]).status == .notFound)
            let found = try await client.call(.get, "/api/v1/search/posts?q=%E5%85%AC%E9%96%8B", token: cast.tokens["Cho"])
            #expect((found.json["items"] as? [Any])?.isEmpty == true)
            // Nor does Cho's activity reach Ann.
            let mine = try await Self.post(client, cast, "Cho", "Cho の投稿")
            _ = try await client.call(.put, "/api/v1/posts/\(mine)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            #expect(!Self.ids(try await Self.feed(client, cast, "Ann")).contains(mine))
        }
    }

    @Test func theFeedGivesEachPostOnceWithItsReason() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho", "Dan", "Eve"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cho")
            try await cast.connect(client, "Cho", "Eve")
            let hiring = try await Self.post(client, cast, "Ann", "We are hiring Swift engineers #hiring")
            _ = try await client.call(.put, "/api/v1/posts/\(hiring)/reaction", token: cast.tokens["Ben"], json: ["type": "celebrate"])
            let benPost = try await Self.post(client, cast, "Ben", "Ben の近況")
            let own = try await Self.post(client, cast, "Cho", "Cho の近況")
            let danPost = try await Self.post(client, cast, "Dan", "Dan writes about Tokyo")
            let tagPost = try await Self.post(client, cast, "Eve", "Eve's note #kaizen")
            // Cho follows Dan (no connection) and the hashtag #Kaizen (folded).
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Dan"]!)/follow", token: cast.tokens["Cho"]).status == .noContent)
            #expect(try await client.call(.put, "/api/v1/hashtags/Kaizen/follow", token: cast.tokens["Cho"]).status == .noContent)
            let feed = try await Self.feed(client, cast, "Cho")
            var reasons: [String: String] = [:]
            for entry in feed { reasons[(entry["post"] as? [String: Any])?["id"] as? String ?? ""] = entry["reason"] as? String }
            #expect(reasons[hiring] == "connectionReacted")
            #expect((feed.first { ($0["post"] as? [String: Any])?["id"] as? String == hiring }?["actor"] as? [String: Any])?["name"] as? String == "Ben")
            #expect(reasons[benPost] == "connectionPosted")
            #expect(reasons[own] == "own")
            #expect(reasons[danPost] == "following")
            #expect(reasons[tagPost] == "connectionPosted", "Eve is a connection: the closer reason wins")
            #expect(Set(Self.ids(feed)).count == feed.count)
            // Unfollowing a connection hides their posts and their activity; the connection stays.
            #expect(try await client.call(.delete, "/api/v1/members/\(cast.ids["Ben"]!)/follow", token: cast.tokens["Cho"]).status == .noContent)
            let after = Self.ids(try await Self.feed(client, cast, "Cho"))
            #expect(!after.contains(benPost))
            #expect(!after.contains(hiring))
            #expect(try await cast.degree(client, "Cho", of: "Ben") == 1)
            // The hashtag brings Eve's post once Eve is unfollowed too.
            _ = try await client.call(.delete, "/api/v1/members/\(cast.ids["Eve"]!)/follow", token: cast.tokens["Cho"])
            let tagFeed = try await Self.feed(client, cast, "Cho")
            #expect(tagFeed.first { ($0["post"] as? [String: Any])?["id"] as? String == tagPost }?["reason"] as? String == "hashtag")
            // Several connections' activity ranks a post above one connection's.
            #expect(try await client.call(.get, "/api/v1/me/hashtags", token: cast.tokens["Cho"]).json["items"] as? [String] == ["kaizen"])
        }
    }

    /// A property of the feed: over random networks, posts and activity, every page holds only posts the viewer may
    /// see, no post comes twice across pages, and posts written between pages wait for the next first page without
    /// pushing any post off the pages (no gaps).
    @Test(arguments: [1, 2, 3])
    func feedPagesAreVisibleWithoutRepeatsOrGaps(seed: UInt64) async throws {
        try await withApp { client, services in
            var random = SeededGenerator(seed: seed)
            let names = (0..<9).map { "M\($0)" }
            let cast = try await Cast.make(client, names)
            var connected: Set<[String]> = []
            for a in names.indices {
                for b in names.indices where a < b && Int.random(in: 0..<3, using: &random) == 0 {
                    try await cast.connect(client, names[a], names[b])
                    connected.insert([names[a], names[b]])
                }
            }
            func isConnected(_ a: String, _ b: String) -> Bool { connected.contains([a, b].sorted { names.firstIndex(of: $0)! < names.firstIndex(of: $1)! }) }
            var posts: [(id: String, author: String, visibility: String)] = []
            for i in 0..<40 {
                let author = names.randomElement(using: &random)!
                let visibility = Bool.random(using: &random) ? "public" : "connections"
                posts.append((try await Self.post(client, cast, author, "post \(i)", visibility: visibility), author, visibility))
            }
            var engaged: [String: Set<String>] = [:]
            for _ in 0..<40 {
                let post = posts.randomElement(using: &random)!
                let member = names.randomElement(using: &random)!
                let reply = try await client.call(.put, "/api/v1/posts/\(post.id)/reaction", token: cast.tokens[member], json: ["type": "like"])
                if reply.status == .ok { engaged[member, default: []].insert(post.id) }
            }
            for viewer in names {
                func visible(_ p: (id: String, author: String, visibility: String)) -> Bool {
                    p.author == viewer || p.visibility == "public" || isConnected(p.author, viewer)
                }
                // What the feed should hold: own posts, connections' posts, posts connections reacted to — that the viewer may see.
                let connections = names.filter { isConnected($0, viewer) }
                let expected = Set(posts.filter { p in
                    visible(p) && (p.author == viewer || connections.contains(p.author) || connections.contains { engaged[$0]?.contains(p.id) == true })
                }.map(\.id))
                var seen: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let path = "/api/v1/feed?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let reply = try await client.call(.get, path, token: cast.tokens[viewer])
                    #expect(reply.status == .ok)
                    let page = Self.ids(reply.json["items"] as? [[String: Any]] ?? [])
                    #expect(page.count <= 3)
                    for id in page {
                        let post = posts.first { $0.id == id }
                        #expect(post.map(visible) ?? false, "\(viewer) got a post they may not see")
                    }
                    seen += page
                    cursor = reply.json["nextCursor"] as? String
                    // New posts arrive between pages.
                    if pages == 0 {
                        let author = connections.first ?? viewer
                        posts.append((try await Self.post(client, cast, author, "arriving later"), author, "public"))
                    }
                    pages += 1
                } while cursor != nil && pages < 50
                #expect(Set(seen).count == seen.count, "\(viewer): a post came twice")
                #expect(Set(seen) == expected, "\(viewer): gaps \(expected.subtracting(seen).count), extra \(Set(seen).subtracting(expected).count)")
            }
            _ = services
        }
    }

    @Test func searchFindsJapaneseEnglishAndHashtags() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let ja = try await Self.post(client, cast, "Ann", "東京でiOSエンジニアを採用中です #採用")
            let en = try await Self.post(client, cast, "Ann", "Our Kubernetes platform team is hiring #Hiring")
            _ = try await Self.post(client, cast, "Ann", "週末の勉強会のレポート")
            func search(_ q: String) async throws -> [String] {
                let reply = try await client.call(
                    .get, "/api/v1/search/posts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: cast.tokens["Ben"])
                #expect(reply.status == .ok, "\(q): \(reply.text)")
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["post"] as? [String: Any])?["id"] as? String }
            }
            #expect(try await search("エンジニア") == [ja])
            #expect(try await search("kubernetes AND platform") == [en])
            #expect(try await search("#hiring") == [en])
            #expect(try await search("#採用") == [ja])
            #expect(try await search("採用 OR kubernetes").sorted() == [ja, en].sorted())
            #expect(try await search("エンジニア -東京").isEmpty)
            let highlighted = try await client.call(
                .get, "/api/v1/search/posts?q=\("エンジニア".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: cast.tokens["Ben"])
            #expect(((highlighted.json["items"] as? [[String: Any]])?.first?["highlights"] as? [String])?.first?.contains("エンジニア") == true)
        }
    }

    /// A notification is never made between two members either of whom blocked the other, whichever of them blocked.
    @Test func noNotificationCrossesABlockEitherWay() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho"])
            let (ann, ben, cho) = (MemberID(cast.ids["Ann"]!), MemberID(cast.ids["Ben"]!), MemberID(cast.ids["Cho"]!))
            func made(_ happening: Happening) async -> Int { await services.notifications.record(happening).count }
            #expect(await made(.mentioned(member: ann, by: ben, post: "p1")) == 1)
            #expect(await made(.mentioned(member: ben, by: ann, post: "p2")) == 1)
            // Ann blocks Ben: nothing from Ben to Ann, nor from Ann to Ben; Cho is not concerned.
            #expect(try await client.call(.put, "/api/v1/members/\(ben.rawValue)/block", token: cast.tokens["Ann"]).status == .noContent)
            #expect(await made(.mentioned(member: ann, by: ben, post: "p3")) == 0)
            #expect(await made(.mentioned(member: ben, by: ann, post: "p4")) == 0)
            #expect(await made(.reacted(postAuthor: ann, by: ben, post: "p5")) == 0)
            #expect(await made(.mentioned(member: ann, by: cho, post: "p6")) == 1)
            #expect(await made(.mentioned(member: ben, by: cho, post: "p7")) == 1)
            // Unblocked: both ways again.
            #expect(try await client.call(.delete, "/api/v1/members/\(ben.rawValue)/block", token: cast.tokens["Ann"]).status == .noContent)
            #expect(await made(.mentioned(member: ann, by: ben, post: "p8")) == 1)
            #expect(await made(.mentioned(member: ben, by: ann, post: "p9")) == 1)
        }
    }

    @Test func reportsGoToTheQueueOnce() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let id = try await Self.post(client, cast, "Ann", "怪しい投稿")
            let comment = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ann"], json: ["text": "怪しいコメント"])
            let commentID = comment.json["id"] as? String ?? ""
            #expect(try await client.call(.post, "/api/v1/posts/\(id)/report", token: cast.tokens["Ben"], json: ["reason": "spam"]).status == .accepted)
            #expect(try await client.call(.post, "/api/v1/posts/\(id)/report", token: cast.tokens["Ben"], json: ["reason": "spam"]).status == .accepted)
            let onComment = try await client.call(
                .post, "/api/v1/posts/\(id)/comments/\(commentID)/report", token: cast.tokens["Ben"], json: ["reason": "abuse"])
            #expect(onComment.status == .accepted)
            #expect(try await client.call(.post, "/api/v1/posts/\(id)/report", token: cast.tokens["Ben"], json: ["reason": ""]).status == .unprocessableContent)
            let queue = try await services.storage.openReports(limit: 10)
            #expect(queue.count == 2)
            #expect(Set(queue.map { $0.commentID ?? "" }) == ["", commentID])
            // Reported content stays up until an operator acts.
            #expect(try await client.call(.get, "/api/v1/posts/\(id)", token: cast.tokens["Ben"]).status == .ok)
        }
    }
}

/// A profile's activity given from memory (`RecentPosts`) answers exactly as the database does after every change that
/// can reach it, on this instance at once and on another once its feed catches up.
@Suite struct RecentActivityTests {
    /// One viewer's first page of a member's activity, as text: each post with its visibility, counts, the viewer's
    /// reaction and the original it reposts.
    /// The profile page's list of the same posts (`latestPosts`) is checked against it: the same posts, or the same refusal.
    static func answer(_ service: PostService, of member: MemberID, viewer: MemberID) async throws -> String {
        let latest = try? await service.latestPosts(by: member, viewer: viewer, limit: 3)
        do {
            let page = try await service.memberPosts(member, viewer: viewer, cursor: nil, limit: 3)
            #expect(latest?.map(\.id) == page.items.map(\.post.id))
            let items = page.items.map { view in
                let reactions = view.counts.reactions.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
                var text = "\(view.post.text) [\(view.post.visibility.rawValue)] \(reactions.joined(separator: ",")) c\(view.counts.comments)"
                text += " r\(view.counts.reposts) mine=\(view.viewerReaction?.rawValue ?? "-")"
                if let original = view.repostOf { text += " ↻ \(original.text) (\(view.repostCounts?.reactionTotal ?? -1))" }
                if view.repostGone { text += " ↻ gone" }
                return text
            }
            return items.joined(separator: " | ") + (page.next == nil ? "" : " …")
        } catch let error as DomainError {
            #expect(latest == nil)
            return "error \(error.code)"
        }
    }

    static func storageOnly(_ services: AppServices, index: any FeedIndexing, recent: RecentPosts?) -> PostService {
        PostService(
            storage: services.storage, graph: services.graph, index: index, search: nil, network: services.network, notifications: nil,
            events: nil, clock: services.clock, recentPosts: recent)
    }

    @Test func everyChangeIsSeenByTheNextRequest() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho", "Mod"])
            try await cast.connect(client, "Ann", "Ben")
            try await services.storage.setRole(.moderator, for: MemberID(cast.ids["Mod"]!))
            let recent = try #require(services.posts.recent)
            let fresh = Self.storageOnly(services, index: services.feedIndex, recent: nil)
            let ann = MemberID(cast.ids["Ann"]!)
            func check(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: String] {
                var got: [String: String] = [:]
                for who in ["Ann", "Ben", "Cho"] {
                    let viewer = MemberID(cast.ids[who]!)
                    let kept = try await Self.answer(services.posts, of: ann, viewer: viewer)
                    let hits = recent.asked.hits
                    let again = try await Self.answer(services.posts, of: ann, viewer: viewer)
                    let expected = try await Self.answer(fresh, of: ann, viewer: viewer)
                    #expect(kept == expected, "\(step), \(who)", sourceLocation: sourceLocation)
                    #expect(again == expected, "\(step), \(who) again", sourceLocation: sourceLocation)
                    // Asked again with nothing changed, the page comes from memory (unless the viewer may not see it): once
                    // for the profile page's list, once for the activity's page.
                    if !expected.hasPrefix("error") { #expect(recent.asked.hits == hits + 2, "\(step), \(who)", sourceLocation: sourceLocation) }
                    got[who] = kept
                }
                return got
            }
            let first = try await PostTests.post(client, cast, "Ann", "公開の投稿です")
            _ = try await PostTests.post(client, cast, "Ann", "つながり限定です", visibility: "connections")
            let original = try await PostTests.post(client, cast, "Cho", "元の投稿")
            let repost = try await client.call(.post, "/api/v1/posts/\(original)/reposts", token: cast.tokens["Ann"], json: ["text": "共有します"])
            #expect(repost.status == .created)
            var seen = try await check("first")
            #expect(seen["Ben"]?.contains("つながり限定です") == true)
            #expect(seen["Cho"]?.contains("つながり限定です") == false)
            #expect(seen["Cho"]?.contains("↻ 元の投稿") == true)

            _ = try await client.call(.put, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            #expect(try await check("a reaction")["Ben"]?.contains("like=1 c0 r0 mine=like") == true)
            _ = try await client.call(.put, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ben"], json: ["type": "celebrate"])
            _ = try await client.call(.put, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Cho"], json: ["type": "insightful"])
            seen = try await check("a changed reaction and another")
            #expect(seen["Ben"]?.contains("celebrate=1,insightful=1 c0 r0 mine=celebrate") == true)
            #expect(seen["Cho"]?.contains("mine=insightful") == true)
            _ = try await client.call(.delete, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ben"])
            #expect(try await check("a reaction taken back")["Ben"]?.contains("insightful=1 c0 r0 mine=-") == true)
            _ = try await client.call(.post, "/api/v1/posts/\(first)/comments", token: cast.tokens["Cho"], json: ["text": "いいですね"])
            #expect(try await check("a comment")["Ann"]?.contains("c1") == true)
            _ = try await client.call(.patch, "/api/v1/posts/\(first)", token: cast.tokens["Ann"], json: ["text": "公開の投稿です（追記）"])
            #expect(try await check("an edit")["Cho"]?.contains("（追記）") == true)
            // The original a post reposts is held with it: its edit and its counts are seen too.
            _ = try await client.call(.patch, "/api/v1/posts/\(original)", token: cast.tokens["Cho"], json: ["text": "元の投稿（改訂）"])
            #expect(try await check("the original edited")["Ben"]?.contains("↻ 元の投稿（改訂） (0)") == true)
            _ = try await client.call(.put, "/api/v1/posts/\(original)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            #expect(try await check("the original reacted to")["Ben"]?.contains("↻ 元の投稿（改訂） (1)") == true)
            // New posts: the page is full and says there are more.
            _ = try await PostTests.post(client, cast, "Ann", "三つ目")
            let fourth = try await PostTests.post(client, cast, "Ann", "四つ目")
            seen = try await check("new posts")
            #expect(seen["Cho"]?.hasPrefix("四つ目") == true && seen["Cho"]?.hasSuffix(" …") == true)
            // A moderator removes one.
            #expect(try await client.call(.post, "/api/v1/posts/\(fourth)/report", token: cast.tokens["Cho"], json: ["reason": "spam"]).status == .accepted)
            let report = try #require(try await services.storage.openReports(limit: 10).first)
            _ = try await services.moderation.resolve(report.id, as: .removed, by: .member(MemberID(cast.ids["Mod"]!), .moderator))
            #expect(try await check("removed by a moderator")["Cho"]?.contains("四つ目") == false)
            // The original's author blocks a viewer: to that viewer the repost's original is gone, the others still see it.
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ben"]!)/block", token: cast.tokens["Cho"]).status == .noContent)
            seen = try await check("the original's author blocks Ben")
            #expect(seen["Ben"]?.contains("共有します [public]  c0 r0 mine=- ↻ gone") == true)
            #expect(seen["Ann"]?.contains("↻ 元の投稿（改訂）") == true)
            #expect(try await client.call(.delete, "/api/v1/members/\(cast.ids["Ben"]!)/block", token: cast.tokens["Cho"]).status == .noContent)
            #expect(try await check("unblocked")["Ben"]?.contains("↻ 元の投稿（改訂）") == true)
            // The original deleted: the repost says so.
            #expect(try await client.call(.delete, "/api/v1/posts/\(original)", token: cast.tokens["Cho"]).status == .noContent)
            #expect(try await check("the original deleted")["Ben"]?.contains("共有します [public]  c0 r0 mine=- ↻ gone") == true)
            // No longer connected: the connections-only post is no longer shown to Ben.
            #expect(try await client.call(.delete, "/api/v1/connections/\(cast.ids["Ben"]!)", token: cast.tokens["Ann"]).status == .noContent)
            #expect(try await check("the connection removed")["Ben"]?.contains("つながり限定です") == false)
            _ = try await client.call(.delete, "/api/v1/posts/\(first)", token: cast.tokens["Ann"])
            #expect(try await check("a post deleted")["Ann"]?.contains("公開の投稿です") == false)
            // A block hides the whole profile both ways.
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Cho"]).status == .noContent)
            #expect(try await check("a block")["Cho"] == "error not_found")
        }
    }

    /// One viewer's first feed page, as text: each post with its counts, the viewer's reaction and the original it
    /// reposts.
    static func feed(_ service: PostService, viewer: MemberID) async throws -> String {
        try await service.feed(viewer: viewer, cursor: nil, limit: 20).items.map { describe($0.view) }.sorted().joined(separator: " | ")
    }

    /// One viewer's first page of a hashtag's posts, as `feed` gives a feed.
    static func tagged(_ service: PostService, _ tag: String, viewer: MemberID) async throws -> String {
        try await service.tagged(tag, viewer: viewer, cursor: nil, limit: 20).items.map(describe).joined(separator: " | ")
    }

    static func describe(_ view: PostService.View) -> String {
        let reactions = view.counts.reactions.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
        var text = "\(view.post.text) \(reactions.joined(separator: ",")) c\(view.counts.comments) r\(view.counts.reposts)"
        text += " mine=\(view.viewerReaction?.rawValue ?? "-")"
        if let original = view.repostOf { text += " ↻ \(original.text) (\(view.repostCounts?.reactionTotal ?? -1))" }
        if view.repostGone { text += " ↻ gone" }
        return text
    }

    /// Posts a feed shows are held by number: every change to one is seen by the next feed of every viewer, and a feed
    /// asked again with nothing changed reads its posts from memory.
    @Test func everyChangeIsSeenByTheNextFeed() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho", "Mod"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cho")
            try await services.storage.setRole(.moderator, for: MemberID(cast.ids["Mod"]!))
            let recent = try #require(services.posts.recent)
            let fresh = Self.storageOnly(services, index: services.feedIndex, recent: nil)
            func check(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: String] {
                var got: [String: String] = [:]
                for who in ["Ann", "Ben", "Cho"] {
                    let viewer = MemberID(cast.ids[who]!)
                    let kept = try await Self.feed(services.posts, viewer: viewer)
                    let hits = recent.askedPosts.hits
                    let again = try await Self.feed(services.posts, viewer: viewer)
                    let expected = try await Self.feed(fresh, viewer: viewer)
                    #expect(kept == expected, "\(step), \(who)", sourceLocation: sourceLocation)
                    #expect(again == expected, "\(step), \(who) again", sourceLocation: sourceLocation)
                    if !expected.isEmpty { #expect(recent.askedPosts.hits > hits, "\(step), \(who)", sourceLocation: sourceLocation) }
                    // A hashtag's page reads its posts the same way: asked again, from memory.
                    let tagged = try await Self.tagged(services.posts, "採用", viewer: viewer)
                    let taggedHits = recent.askedPosts.hits
                    #expect(try await Self.tagged(services.posts, "採用", viewer: viewer) == tagged, sourceLocation: sourceLocation)
                    #expect(tagged == (try await Self.tagged(fresh, "採用", viewer: viewer)), "\(step), \(who), #採用", sourceLocation: sourceLocation)
                    if !tagged.isEmpty { #expect(recent.askedPosts.hits > taggedHits, "\(step), \(who), #採用", sourceLocation: sourceLocation) }
                    got[who] = kept
                }
                return got
            }
            let first = try await PostTests.post(client, cast, "Ann", "公開の投稿です")
            _ = try await PostTests.post(client, cast, "Ann", "つながり限定です #採用", visibility: "connections")
            let original = try await PostTests.post(client, cast, "Cho", "元の投稿 #採用")
            #expect(try await client.call(.post, "/api/v1/posts/\(original)/reposts", token: cast.tokens["Ben"], json: ["text": "共有します"]).status == .created)
            #expect(try await Self.tagged(services.posts, "採用", viewer: MemberID(cast.ids["Ben"]!)).contains("元の投稿 #採用"))
            var seen = try await check("first")
            #expect(seen["Ben"]?.contains("つながり限定です") == true && seen["Cho"]?.contains("つながり限定です") == false)
            #expect(seen["Ann"]?.contains("↻ 元の投稿") == true)

            _ = try await client.call(.put, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ben"], json: ["type": "like"])
            #expect(try await check("a reaction")["Ben"]?.contains("公開の投稿です like=1 c0 r0 mine=like") == true)
            _ = try await client.call(.put, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ben"], json: ["type": "celebrate"])
            _ = try await client.call(.put, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ann"], json: ["type": "insightful"])
            seen = try await check("a changed reaction and another")
            #expect(seen["Ben"]?.contains("celebrate=1,insightful=1 c0 r0 mine=celebrate") == true)
            #expect(seen["Ann"]?.contains("celebrate=1,insightful=1 c0 r0 mine=insightful") == true)
            _ = try await client.call(.delete, "/api/v1/posts/\(first)/reaction", token: cast.tokens["Ben"])
            #expect(try await check("a reaction taken back")["Ben"]?.contains("公開の投稿です insightful=1 c0 r0 mine=-") == true)
            _ = try await client.call(.post, "/api/v1/posts/\(first)/comments", token: cast.tokens["Ben"], json: ["text": "いいですね"])
            #expect(try await check("a comment")["Ann"]?.contains("c1") == true)
            _ = try await client.call(.patch, "/api/v1/posts/\(first)", token: cast.tokens["Ann"], json: ["text": "公開の投稿です（追記）"])
            #expect(try await check("an edit")["Ben"]?.contains("（追記）") == true)
            _ = try await client.call(.patch, "/api/v1/posts/\(original)", token: cast.tokens["Cho"], json: ["text": "元の投稿（改訂） #採用"])
            _ = try await client.call(.put, "/api/v1/posts/\(original)/reaction", token: cast.tokens["Ann"], json: ["type": "like"])
            #expect(try await check("the original edited")["Ann"]?.contains("↻ 元の投稿（改訂） #採用 (1)") == true)
            _ = try await client.call(.delete, "/api/v1/posts/\(original)", token: cast.tokens["Cho"])
            let gone = try await check("the original deleted")["Ann"] ?? ""
            #expect(gone.contains("共有します") && !gone.contains("元の投稿"), "\(gone)")
            // A moderator removes one.
            #expect(try await client.call(.post, "/api/v1/posts/\(first)/report", token: cast.tokens["Cho"], json: ["reason": "spam"]).status == .accepted)
            let report = try #require(try await services.storage.openReports(limit: 10).first)
            _ = try await services.moderation.resolve(report.id, as: .removed, by: .member(MemberID(cast.ids["Mod"]!), .moderator))
            #expect(try await check("removed by a moderator")["Ben"]?.contains("公開の投稿です") == false)
            // Blocks and removed connections are decided on each request, as for posts read from the database.
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            #expect(try await check("a block")["Ben"]?.contains("つながり限定です") == false)
            #expect(try await client.call(.delete, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            _ = try await check("unblocked")
        }
    }

    /// Another instance holds a feed's posts until it replays the feed change log; then it sees each change.
    @Test func anotherInstancesFeedSeesChangesWhenItCatchesUp() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            let held = RecentPosts()
            let otherIndex = FeedIndex(graph: services.graph)
            let other = Self.storageOnly(services, index: otherIndex, recent: held)
            let fresh = Self.storageOnly(services, index: services.feedIndex, recent: nil)
            let applied = try await services.storage.feedChangeSequence()
            var cursor = ChangeLogCursor(applied: applied, anchored: applied > 0)
            let ben = MemberID(cast.ids["Ben"]!)
            let id = try await PostTests.post(client, cast, "Ann", "はじめての投稿")
            _ = try await other.catchUp(&cursor, now: Date())
            #expect(try await Self.feed(other, viewer: ben).hasPrefix("はじめての投稿"))
            let changes: [(String, () async throws -> Void)] = [
                ("an edit", { _ = try await client.call(.patch, "/api/v1/posts/\(id)", token: cast.tokens["Ann"], json: ["text": "書き直した投稿"]) }),
                ("a reaction", { _ = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "like"]) }),
                ("a comment", { _ = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ann"], json: ["text": "補足です"]) }),
                ("a deletion", { _ = try await client.call(.delete, "/api/v1/posts/\(id)", token: cast.tokens["Ann"]) }),
            ]
            for (step, change) in changes {
                let before = try await Self.feed(other, viewer: ben)
                try await change()
                let expected = try await Self.feed(fresh, viewer: ben)
                #expect(expected != before, "\(step) changes the answer")
                #expect(try await Self.feed(other, viewer: ben) == before, "\(step): held until the log is replayed")
                _ = try await other.catchUp(&cursor, now: Date())
                #expect(try await Self.feed(other, viewer: ben) == expected, "\(step)")
            }
            #expect(held.askedPosts.hits >= changes.count)
        }
    }

    @Test func anotherInstanceSeesChangesWhenItsFeedCatchesUp() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            // A second instance on the same database: its own feed index and its own posts in memory.
            let held = RecentPosts()
            let other = Self.storageOnly(services, index: FeedIndex(graph: services.graph), recent: held)
            let fresh = Self.storageOnly(services, index: services.feedIndex, recent: nil)
            let applied = try await services.storage.feedChangeSequence()
            var cursor = ChangeLogCursor(applied: applied, anchored: applied > 0)
            let ann = MemberID(cast.ids["Ann"]!)
            let ben = MemberID(cast.ids["Ben"]!)
            let id = try await PostTests.post(client, cast, "Ann", "はじめての投稿")
            #expect(try await Self.answer(other, of: ann, viewer: ben).hasPrefix("はじめての投稿"))
            // Each change made through the first instance: held here until this instance replays the log.
            let changes: [(String, () async throws -> Void)] = [
                ("an edit", { _ = try await client.call(.patch, "/api/v1/posts/\(id)", token: cast.tokens["Ann"], json: ["text": "書き直した投稿"]) }),
                ("a reaction", { _ = try await client.call(.put, "/api/v1/posts/\(id)/reaction", token: cast.tokens["Ben"], json: ["type": "like"]) }),
                ("a comment", { _ = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ben"], json: ["text": "なるほど"]) }),
                ("a new post", { _ = try await PostTests.post(client, cast, "Ann", "二つ目", visibility: "connections") }),
                ("a deletion", { _ = try await client.call(.delete, "/api/v1/posts/\(id)", token: cast.tokens["Ann"]) }),
            ]
            for (step, change) in changes {
                let before = try await Self.answer(other, of: ann, viewer: ben)
                try await change()
                let expected = try await Self.answer(fresh, of: ann, viewer: ben)
                #expect(expected != before, "\(step) changes the answer")
                #expect(try await Self.answer(other, of: ann, viewer: ben) == before, "\(step): held until the log is replayed")
                _ = try await other.catchUp(&cursor, now: Date())
                #expect(try await Self.answer(other, of: ann, viewer: ben) == expected, "\(step)")
            }
            #expect(held.asked.hits >= changes.count)
        }
    }
}

/// A small deterministic generator, so a failing seed can be run again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
