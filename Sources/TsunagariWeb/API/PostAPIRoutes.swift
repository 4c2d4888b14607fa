import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// API.md "Posts and the feed".
struct PostAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("posts", use: create)
        api.get("posts/{id}", use: get)
        api.patch("posts/{id}", use: edit)
        api.delete("posts/{id}", use: delete)
        api.post("posts/{id}/comments", use: comment)
        api.get("posts/{id}/comments", use: comments)
        api.delete("posts/{id}/comments/{commentId}", use: deleteComment)
        api.put("posts/{id}/reaction", use: react)
        api.delete("posts/{id}/reaction", use: unreact)
        api.post("posts/{id}/reposts", use: repost)
        api.post("posts/{id}/report", use: report)
        api.post("posts/{id}/comments/{commentId}/report", use: reportComment)
        api.get("members/{idOrHandle}/posts", use: memberPosts)
        api.get("feed", use: feed)
        api.get("search/posts", use: search)
        api.get("hashtags/{tag}/posts", use: tagged)
        api.put("hashtags/{tag}/follow", use: follow)
        api.delete("hashtags/{tag}/follow", use: unfollow)
        api.get("me/hashtags", use: followedHashtags)
    }

    /// A hashtag from the path, percent-decoded.
    static func tag(_ context: AppRequestContext) throws -> String {
        guard let raw = context.parameters.get("tag"), let tag = raw.removingPercentEncoding else { throw DomainError.invalid("bad_hashtag", "A hashtag is 1–100 letters, digits or '_'.") }
        return tag
    }

    private func postID(_ context: AppRequestContext, _ name: String = "id") throws -> String {
        let id = try parameter(context, name).lowercased()
        guard OpaqueID.isWellFormed(id) else { throw DomainError.notFound(name == "id" ? "Post" : "Comment") }
        return id
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["text", "visibility", "jobId"])
        let view = try await services.posts.create(
            text: try json.requiredString("text"), visibility: try json.enumValue("visibility", PostVisibility.self) ?? .public,
            jobID: try json.string("jobId")?.lowercased(), viewer: viewer)
        return APIResponse.json(Represent.post(view), status: .created)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        APIResponse.json(Represent.post(try await services.posts.get(try postID(context), viewer: try context.requireMember())))
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let json = try await body(request, context)
        try json.allowOnly(["text"])
        return APIResponse.json(Represent.post(try await services.posts.edit(id, text: try json.requiredString("text"), viewer: viewer)))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.posts.delete(try postID(context), viewer: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func comment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let json = try await body(request, context)
        try json.allowOnly(["text"])
        let comment = try await services.posts.comment(on: id, text: try json.requiredString("text"), viewer: viewer)
        return APIResponse.json(Represent.comment(comment), status: .created)
    }

    @Sendable func comments(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let cursor = try NetworkAPIRoutes.cursor(request)
        if let cursor, !OpaqueID.isWellFormed(cursor) {
            throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.")
        }
        let page = try await services.posts.comments(
            on: try postID(context), viewer: viewer, after: cursor, limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.items.map(Represent.comment), next: page.next))
    }

    @Sendable func deleteComment(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.posts.deleteComment(try postID(context, "commentId"), on: try postID(context), viewer: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func react(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let json = try await body(request, context)
        try json.allowOnly(["type"])
        guard let type = try json.enumValue("type", ReactionType.self) else { throw DomainError.invalid("required", "Field 'type' is required.") }
        return APIResponse.json(Represent.post(try await services.posts.react(id, type: type, viewer: viewer)))
    }

    @Sendable func unreact(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await services.posts.react(try postID(context), type: nil, viewer: try context.requireMember())
        return APIResponse.noContent()
    }

    @Sendable func repost(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let json = try await body(request, context)
        try json.allowOnly(["text"])
        return APIResponse.json(Represent.post(try await services.posts.repost(id, text: try json.string("text"), viewer: viewer)), status: .created)
    }

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await report(request, context, comment: nil)
    }

    @Sendable func reportComment(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await report(request, context, comment: try postID(context, "commentId"))
    }

    private func report(_ request: Request, _ context: AppRequestContext, comment: String?) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let json = try await body(request, context)
        try json.allowOnly(["reason"])
        try await services.posts.report(id, comment: comment, reason: try json.requiredString("reason"), viewer: viewer)
        return APIResponse.json(.object(["status": .string("received")]), status: .accepted)
    }

    @Sendable func memberPosts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let member = try await NetworkAPIRoutes(services: services).member(context, "idOrHandle")
        let page = try await services.posts.memberPosts(
            member, viewer: viewer, cursor: try NetworkAPIRoutes.cursor(request), limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.items.map(Represent.post), next: page.next))
    }

    /// A feed cursor carries the posts shown so far (at most 500: about 3,000 characters), so it may be longer than other
    /// cursors; at most 4,096, which keeps any request line within what the HTTP parser takes.
    static func feedCursor(_ request: Request) throws -> String? {
        guard let raw = request.uri.queryParameters.get("cursor"), !raw.isEmpty else { return nil }
        guard raw.utf8.count <= 4_096, raw.utf8.allSatisfy({ (48...57).contains($0) || (97...122).contains($0) || $0 == 46 || $0 == 45 }) else {
            throw DomainError(.malformed, code: "bad_cursor", message: "The cursor is not valid.")
        }
        return String(raw)
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.posts.feed(viewer: viewer, cursor: try Self.feedCursor(request), limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(Represent.list(page.items.map(Represent.feedEntry), next: page.next))
    }

    /// Splits `q` into hashtags and the rest, which is parsed as people search parses it.
    static func postQuery(_ raw: String?) throws -> (tags: [String], query: SearchQuery?, index: IndexQuery?) {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DomainError(.malformed, code: "bad_query", message: "q is required: some words or #hashtags to search for.")
        }
        let (tags, rest) = PostSearchIndex.split(raw)
        guard tags.count <= 8 else { throw DomainError(.malformed, code: "too_complex", message: "A search may name at most 8 hashtags.") }
        if rest.isEmpty {
            // Hashtags alone (a raw text of punctuation is checked by the parser).
            if tags.isEmpty { _ = try SearchAPIRoutes.parse(raw) }
            return (tags, nil, nil)
        }
        let (query, index) = try SearchAPIRoutes.parse(rest)
        return (tags, query, index)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let (tags, query, index) = try Self.postQuery(request.form["q"])
        let limit = try NetworkAPIRoutes.limit(request)
        let cursor = try NetworkAPIRoutes.cursor(request)
        if query != nil && index == nil { return APIResponse.json(Represent.list([], next: nil)) }
        let ranked = try await services.posts.search(index, tags: tags, viewer: viewer)
        let page = Page.slice(Array(ranked.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: cursor, limit: limit)
        let views = try await services.posts.views(page.entries.map(\.element), viewer: viewer)
        let terms = query.map(QueryMatcher.positiveTexts) ?? []
        let items: [JSONValue] = views.map { view in
            let highlight = terms.isEmpty ? nil : Highlighter.highlight(view.post.text, terms: terms, width: 120)
            return .object(["post": Represent.post(view), "highlights": .array(highlight.map { [.string($0.text)] } ?? [])])
        }
        return APIResponse.json(Represent.list(items, next: page.nextCursor))
    }

    @Sendable func tagged(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.posts.tagged(
            try Self.tag(context), viewer: viewer, cursor: try NetworkAPIRoutes.cursor(request), limit: try NetworkAPIRoutes.limit(request))
        return APIResponse.json(
            .object([
                "tag": .string(page.tag), "following": .bool(page.following), "items": .array(page.items.map(Represent.post)),
                "nextCursor": .string(page.next),
            ]))
    }

    @Sendable func follow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.posts.followHashtag(try Self.tag(context), viewer: try context.requireMember(), true)
        return APIResponse.noContent()
    }

    @Sendable func unfollow(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.posts.followHashtag(try Self.tag(context), viewer: try context.requireMember(), false)
        return APIResponse.noContent()
    }

    @Sendable func followedHashtags(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tags = try await services.posts.followedHashtags(viewer: try context.requireMember())
        return APIResponse.json(.object(["items": .array(tags.map(JSONValue.string))]))
    }
}

extension Represent {
    static func post(_ view: PostService.View) -> JSONValue {
        var object = postFields(view.post, author: view.author, mentions: view.mentions, counts: view.counts, viewerReaction: view.viewerReaction)
        object["job"] = view.job.map(jobSummary) ?? .null
        if let original = view.repostOf, let author = view.repostAuthor {
            var inner = postFields(original, author: author, mentions: [], counts: view.repostCounts, viewerReaction: nil)
            inner["repostOf"] = .null
            inner["job"] = view.repostJob.map(jobSummary) ?? .null
            object["repostOf"] = .object(inner)
        } else {
            object["repostOf"] = .null
        }
        if view.post.repostOf != nil { object["repostDeleted"] = .bool(view.repostGone) }
        return .object(object)
    }

    private static func postFields(
        _ post: Post, author: PersonSummary, mentions: [PersonSummary], counts: PostCounts?, viewerReaction: ReactionType?
    ) -> JSONFields {
        var object: JSONFields = [
            "id": .string(post.id), "author": summary(author), "text": .string(post.text), "visibility": .string(post.visibility.rawValue),
            "createdAt": time(post.createdAt), "hashtags": .array(post.hashtags.map(JSONValue.string)), "mentions": .array(mentions.map(summary)),
            "viewerReaction": .string(viewerReaction?.rawValue),
        ]
        if let edited = post.editedAt { object["editedAt"] = time(edited) }
        let counts = counts ?? PostCounts()
        object["reactionCounts"] = .object(JSONFields(Dictionary(uniqueKeysWithValues: ReactionType.allCases.map { ($0.rawValue, JSONValue.int(counts.reactions[$0] ?? 0)) })))
        object["commentCount"] = .int(counts.comments)
        object["repostCount"] = .int(counts.reposts)
        return object
    }

    static func comment(_ view: PostService.CommentView) -> JSONValue {
        .object([
            "id": .string(view.comment.id), "postId": .string(view.comment.postID), "author": summary(view.author), "text": .string(view.comment.text),
            "createdAt": time(view.comment.createdAt),
        ])
    }

    static func feedEntry(_ entry: PostService.FeedEntry) -> JSONValue {
        var object: JSONFields = ["post": post(entry.view), "reason": .string(entry.reason.rawValue)]
        if let actor = entry.actor { object["actor"] = summary(actor) }
        return .object(object)
    }
}
