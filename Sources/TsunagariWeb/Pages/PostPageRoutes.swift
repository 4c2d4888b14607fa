import Foundation
import Hummingbird
import TsunagariCore
import TsunagariSearch

/// The post pages: the home feed (`/` when logged in, and `/feed` for its later pages), a post, a member's activity,
/// hashtags and post search, with the forms that write. Every form redirects (303); a reaction asked for by app.js
/// (`Accept: application/json`) is answered with the post's counts instead, so the page updates in place.
struct PostPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("feed", use: feed)
        router.post("posts", use: create)
        router.get("posts/{id}", use: show)
        router.post("posts/{id}/edit", use: edit)
        router.post("posts/{id}/delete", use: delete)
        router.post("posts/{id}/react", use: react)
        router.post("posts/{id}/comments", use: comment)
        router.post("posts/{id}/comments/{commentId}/delete", use: deleteComment)
        router.post("posts/{id}/repost", use: repost)
        router.post("posts/{id}/report", use: report)
        router.get("in/{handle}/activity", use: activity)
        router.get("hashtags/{tag}", use: hashtag)
        router.post("hashtags/{tag}/follow", use: followHashtag)
        router.get("search/posts", use: search)
    }

    private func chrome(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
    }

    private func postID(_ context: AppRequestContext, _ name: String = "id") throws -> String {
        let id = try parameter(context, name).lowercased()
        guard OpaqueID.isWellFormed(id) else { throw DomainError.notFound(name == "id" ? "Post" : "Comment") }
        return id
    }

    /// The home page of a member: the feed with the composer.
    func home(_ request: Request, _ context: AppRequestContext, viewer: MemberID, composer: PostPages.Composer = .init(), status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        let cursor = try PostAPIRoutes.feedCursor(request)
        let page = try await services.posts.feed(viewer: viewer, cursor: cursor, limit: 20)
        let model = PostPages.FeedModel(
            entries: page.items, next: page.next, composer: composer, hashtags: page.hashtags, viewer: viewer)
        return HTMLResponse.make(PostPages.feed(await chrome(request, context), model), status: status)
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await home(request, context, viewer: try context.requireMember())
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let text = context.form["text"] ?? ""
        let visibility = PostVisibility(rawValue: context.form["visibility"] ?? "") ?? .public
        let jobID = context.form["jobId"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        do {
            let view = try await services.posts.create(text: text, visibility: visibility, jobID: jobID, viewer: viewer)
            return .redirect(to: "/#post-\(view.post.id)")
        } catch let error as DomainError where error.kind == .invalid {
            return try await home(
                request, context, viewer: viewer, composer: .init(draft: text, visibility: visibility, error: error.message),
                status: .unprocessableContent)
        }
    }

    func page(
        _ request: Request, _ context: AppRequestContext, id: String, viewer: MemberID, draft: String = "", error: String? = nil,
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let view = try await services.posts.get(id, viewer: viewer)
        let after = request.uri.queryParameters.get("after").map { String($0) }.flatMap { OpaqueID.isWellFormed($0) ? $0 : nil }
        let comments = try await services.posts.comments(on: id, viewer: viewer, after: after, limit: 50)
        let model = PostPages.PostModel(
            view: view, comments: comments.items, moreComments: comments.next, viewer: viewer, commentDraft: draft, error: error, notice: notice)
        return HTMLResponse.make(PostPages.show(await chrome(request, context), model), status: status)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let notice = request.uri.queryParameters.get("reported") != nil ? Text.reportReceived(context.locale) : nil
        return try await page(request, context, id: try postID(context), viewer: viewer, notice: notice)
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        do {
            _ = try await services.posts.edit(id, text: context.form["text"] ?? "", viewer: viewer)
            return .redirect(to: "/posts/\(id)")
        } catch let error as DomainError where error.kind == .invalid {
            return try await page(request, context, id: id, viewer: viewer, error: error.message, status: .unprocessableContent)
        }
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.posts.delete(try postID(context), viewer: try context.requireMember())
        return .redirect(to: "/")
    }

    @Sendable func react(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let raw = context.form["type"] ?? ""
        let type: ReactionType?
        if raw == "none" {
            type = nil
        } else {
            guard let chosen = ReactionType(rawValue: raw) else {
                throw DomainError.invalid("invalid_value", "Choose one of: \(ReactionType.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            type = chosen
        }
        let view = try await services.posts.react(id, type: type, viewer: viewer)
        if request.headers[.accept]?.contains("application/json") == true {
            return APIResponse.json(Represent.post(view))
        }
        return .redirect(to: Response.localPath(context.form["next"], fallback: "/posts/\(id)"))
    }

    @Sendable func comment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        let text = context.form["text"] ?? ""
        do {
            let comment = try await services.posts.comment(on: id, text: text, viewer: viewer)
            return .redirect(to: "/posts/\(id)#comment-\(comment.comment.id)")
        } catch let error as DomainError where error.kind == .invalid {
            return try await page(request, context, id: id, viewer: viewer, draft: text, error: error.message, status: .unprocessableContent)
        }
    }

    @Sendable func deleteComment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try postID(context)
        try await services.posts.deleteComment(try postID(context, "commentId"), on: id, viewer: try context.requireMember())
        return .redirect(to: "/posts/\(id)#comments")
    }

    @Sendable func repost(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await services.posts.repost(try postID(context), text: context.form["text"], viewer: try context.requireMember())
        return .redirect(to: "/#post-\(view.post.id)")
    }

    @Sendable func report(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let id = try postID(context)
        do {
            try await services.posts.report(id, comment: nil, reason: context.form["reason"] ?? "", viewer: viewer)
            return .redirect(to: "/posts/\(id)?reported=1")
        } catch let error as DomainError where error.kind == .invalid {
            return try await page(request, context, id: id, viewer: viewer, error: error.message, status: .unprocessableContent)
        }
    }

    @Sendable func activity(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let handle = try parameter(context, "handle")
        guard handle.utf8.count <= 64, let member = try await services.storage.memberID(handle: handle),
            let person = try await services.network.summary(member, for: context.viewer)
        else { throw DomainError.notFound("Member") }
        let cursor = try NetworkAPIRoutes.cursor(request)
        let page = try await services.posts.memberPosts(member, viewer: viewer, cursor: cursor, limit: 20)
        let l = context.locale
        return HTMLResponse.make(
            PostPages.list(
                await chrome(request, context), title: "\(person.card.name) · \(Text.activity(l))", viewer: viewer, views: page.items,
                more: page.next.map { "/in/\(person.card.handle)/activity?cursor=\($0)" }
            ) {
                el("p") { el("a", .href("/in/\(person.card.handle)")) { "← \(person.card.name)" } }
            })
    }

    @Sendable func hashtag(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let page = try await services.posts.tagged(
            try PostAPIRoutes.tag(context), viewer: viewer, cursor: try NetworkAPIRoutes.cursor(request), limit: 20)
        let chrome = await chrome(request, context)
        let l = context.locale
        let path = PostPages.tagPath(page.tag)
        return HTMLResponse.make(
            PostPages.list(chrome, title: "#\(page.tag)", viewer: viewer, views: page.items, more: page.next.map { "\(path)?cursor=\($0)" }) {
                el("p", .class("muted")) { Text.hashtagPosts(l) }
                Layout.postButton(
                    chrome, action: "\(path)/follow?on=\(page.following ? "0" : "1")",
                    label: page.following ? Text.unfollowHashtag(l) : Text.followHashtag(l), style: "button small secondary", id: "follow-hashtag")
            })
    }

    @Sendable func followHashtag(_ request: Request, context: AppRequestContext) async throws -> Response {
        let on = request.uri.queryParameters.get("on") != "0"
        let tag = try services.posts.tag(try PostAPIRoutes.tag(context))
        try await services.posts.followHashtag(tag, viewer: try context.requireMember(), on)
        return .redirect(to: PostPages.tagPath(tag))
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.requireMember()
        let q = request.form["q"] ?? ""
        let l = context.locale
        var views: [PostService.View] = []
        var highlights: [String: String] = [:]
        var error: String?
        var more: String?
        if !q.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                let (tags, query, index) = try PostAPIRoutes.postQuery(q)
                if query == nil || index != nil {
                    let ranked = try await services.posts.search(index, tags: tags, viewer: viewer)
                    let cursor = try NetworkAPIRoutes.cursor(request)
                    let page = Page.slice(Array(ranked.enumerated()), key: { String(format: "%06d", $0.offset) }, cursor: cursor, limit: 20)
                    views = try await services.posts.views(page.entries.map(\.element), viewer: viewer)
                    more = page.nextCursor.map { "/search/posts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&cursor=\($0)" }
                    // A long post is shown by its excerpt around the words found; a short one whole is enough.
                    let terms = query.map(QueryMatcher.positiveTexts) ?? []
                    for view in views where !terms.isEmpty && view.post.text.count > 280 {
                        if let h = Highlighter.highlight(view.post.text, terms: terms, width: 120) { highlights[view.post.id] = h.text }
                    }
                }
            } catch let failure as DomainError where failure.kind == .malformed {
                error = failure.message
            }
        }
        return HTMLResponse.make(
            PostPages.list(
                await chrome(request, context), title: Text.searchPosts(l), viewer: viewer, views: views, highlights: highlights, more: more
            ) {
                el("form", Attribute("method", "get"), Attribute("action", "/search/posts"), Attribute("role", "search"), .class("stack")) {
                    el("label", .class("field")) {
                        el("span") { Text.searchPosts(l) }
                        el("input", .type("search"), .name("q"), .value(q), .id("post-search"))
                    }
                    el("button", .type("submit"), .class("button small")) { Text.search(l) }
                }
                Layout.errors(error)
                el("p", .class("small-text")) {
                    el("a", .href("/search?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")) { Text.searchPeople(l) }
                }
            })
    }
}
