import Foundation
import TsunagariCore

/// The pages of posts: the home feed with its composer, a post with its comments, a member's activity, hashtag pages
/// and post search. Reactions, comments and reposts are forms that work without JavaScript; app.js updates reactions
/// in place and announces new posts.
enum PostPages {
    static func reactionLabel(_ type: ReactionType, _ l: TsunagariCore.Locale) -> String {
        switch type {
        case .like: Text.reactionLike(l)
        case .celebrate: Text.reactionCelebrate(l)
        case .support: Text.reactionSupport(l)
        case .insightful: Text.reactionInsightful(l)
        case .funny: Text.reactionFunny(l)
        case .love: Text.reactionLove(l)
        }
    }

    static func tagPath(_ tag: String) -> String {
        "/hashtags/" + (tag.addingPercentEncoding(withAllowedCharacters: tagAllowed) ?? tag)
    }

    /// Made once: made for each tag, the set was a seventieth of a feed page.
    private static let tagAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))

    /// The post's text with its links, hashtags and mentions as links; everything else escaped. Links are followed by
    /// the reader only (`nofollow ugc noopener`); the server never fetches them.
    /// A post's count with its noun: "1 comment", "0 comments", "1,204 reactions"; "3 コメント".
    static func counted(_ count: Int, _ singular: String, _ plural: String, ja: String, _ l: TsunagariCore.Locale) -> String {
        let digits = Text.grouped(count)
        return l == .ja ? "\(digits) \(ja)" : "\(digits) \(count == 1 ? singular : plural)"
    }

    static func richText(_ text: String, mentions: [PersonSummary]) -> HTML {
        var w = HTMLWriter(capacity: text.utf8.count + 128)
        richText(text, mentions: mentions, into: &w)
        return w.written
    }

    /// The same, written into a page's bytes.
    static func richText(_ text: String, mentions: [PersonSummary], into w: inout HTMLWriter) {
        let handles = Dictionary(mentions.map { ($0.card.handle.lowercased(), $0.card.handle) }, uniquingKeysWith: { a, _ in a })
        // Plain text between links, tags and mentions goes out as one run (escaping a run or its pieces writes the same).
        var plain = ""
        func flushPlain() {
            guard !plain.isEmpty else { return }
            w.text(plain)
            plain = ""
        }
        var cursor = text.startIndex
        func words(_ segment: Substring) {
            func word(_ word: Substring) {
                var core = String(word)
                var trailing = ""
                while let last = core.last, ".,!?;:)」』、。！？".contains(last) {
                    trailing = String(last) + trailing
                    core.removeLast()
                }
                if let first = core.first, first == "#" || first == "＃", let tag = PostText.normalizedTag(String(core.dropFirst())) {
                    flushPlain()
                    w.markup("<a href=\"")
                    w.text(tagPath(tag))
                    w.markup("\" class=\"hashtag\">")
                    w.text(core)
                    w.markup("</a>")
                    plain = trailing
                } else if let first = core.first, first == "@" || first == "＠", let handle = handles[String(core.dropFirst()).lowercased()] {
                    flushPlain()
                    w.markup("<a href=\"/in/")
                    w.text(handle)
                    w.markup("\" class=\"mention\">")
                    w.text(core)
                    w.markup("</a>")
                    plain = trailing
                } else {
                    plain += word
                }
            }
            // Words are the runs between whitespace characters (a character whose first scalar is whitespace), and only
            // a word that starts with a tag's or a mention's mark can be either: the marks are looked for, and the word
            // of each that starts one is taken; everything else goes out as plain text. Rich text was a tenth of a feed
            // page, most of it walking every word with a lookup of each scalar's Unicode properties (docs/BENCHMARKS.md
            // "Request path, round 14"). A mark starts a word where it starts a character, at the segment's start or
            // after a whitespace character, as splitting at each whitespace character would find it.
            let scalars = segment.unicodeScalars
            var plainStart = scalars.startIndex
            var i = scalars.startIndex
            while i < scalars.endIndex {
                let scalar = scalars[i]
                guard scalar == "#" || scalar == "＃" || scalar == "@" || scalar == "＠", i.samePosition(in: text) != nil,
                    i == scalars.startIndex || text[text.index(before: i)].unicodeScalars.first!.properties.isWhitespace
                else {
                    i = scalars.index(after: i)
                    continue
                }
                var end = scalars.index(after: i)
                while end < scalars.endIndex, !(scalars[end].properties.isWhitespace && end.samePosition(in: text) != nil) {
                    end = scalars.index(after: end)
                }
                plain += Substring(scalars[plainStart..<i])
                word(Substring(scalars[i..<end]))
                plainStart = end
                i = end
            }
            plain += Substring(scalars[plainStart..<scalars.endIndex])
        }
        for range in PostText.links(in: text) {
            words(text[cursor..<range.lowerBound])
            let url = String(text[range])
            flushPlain()
            w.markup("<a href=\"")
            w.text(url)
            w.markup("\" rel=\"nofollow ugc noopener\" class=\"post-link\">")
            w.text(url)
            w.markup("</a>")
            cursor = range.upperBound
        }
        words(text[cursor...])
        flushPlain()
    }

    /// Who wrote a post and when: written straight into bytes (`HTMLWriter`), as a page of posts has one for each post
    /// and for each original a post reposts.
    static func authorLine(_ person: PersonSummary, _ post: Post, _ l: TsunagariCore.Locale) -> HTML {
        var w = HTMLWriter(capacity: 768)
        w.markup("<header class=\"post-head\">")
        PhotoPages.avatar(name: person.card.name, photo: person.card.photo, small: true, into: &w)
        w.markup("<div class=\"post-byline\">")
        NetworkPages.nameAndHeadline(person, l, into: &w)
        w.markup("<p class=\"muted small-text\"><a href=\"/posts/")
        w.text(post.id)
        w.markup("\" class=\"post-time\"><time datetime=\"")
        w.text(Represent.timeString(post.createdAt))
        w.markup("\">")
        w.text(MessagingPages.time(post.createdAt))
        w.markup("</time></a>")
        if post.editedAt != nil { w.text(" · \(Text.edited(l))") }
        if post.visibility == .connections {
            w.markup(" · <span class=\"tag\">")
            w.text(Text.connectionsOnlyPost(l))
            w.markup("</span>")
        }
        w.markup("</p></div></header>")
        return w.written
    }

    /// Why a post is in the viewer's feed, when it is not a connection's own.
    private static func reasonLine(_ reason: FeedReason, actor: PersonSummary?, _ l: TsunagariCore.Locale, into w: inout HTMLWriter) {
        let suffix: String? =
            switch reason {
            case .connectionCommented: Text.reasonCommented(l)
            case .connectionReacted: Text.reasonReacted(l)
            case .connectionReposted: Text.reasonReposted(l)
            default: nil
            }
        if let suffix, let actor {
            w.markup("<p class=\"post-reason small-text muted\"><a href=\"/in/")
            w.text(actor.card.handle)
            w.markup("\">")
            w.text(actor.card.name)
            w.markup("</a>")
            w.text(l == .ja ? suffix : " " + suffix)
            w.markup("</p>")
            return
        }
        switch reason {
        case .following: w.element("p", class: "post-reason small-text muted", text: Text.reasonFollowing(l))
        case .hashtag: w.element("p", class: "post-reason small-text muted", text: Text.reasonHashtag(l))
        default: break
        }
    }

    /// The reactions as buttons of one form: choosing the one already chosen takes it back.
    static func reactionForm(_ chrome: PageChrome, _ view: PostService.View, back: String) -> HTML {
        reactionForm(chrome, post: view.post.id, counts: view.counts, chosen: view.viewerReaction, back: back)
    }

    /// The reactions under a post, each a button with its count. Written straight into bytes (`HTMLWriter`): a page of
    /// posts has one for each post, six buttons of three elements.
    static func reactionForm(_ chrome: PageChrome, post id: String, counts: PostCounts, chosen viewerReaction: ReactionType?, back: String) -> HTML {
        let l = chrome.locale
        var w = HTMLWriter(capacity: 2_048)
        w.markup("<form class=\"reactions\" method=\"post\" action=\"/posts/")
        w.text(id)
        w.markup("/react\" data-post=\"")
        w.text(id)
        w.markup("\" aria-label=\"")
        w.text(Text.reactions(l))
        w.markup("\"><input type=\"hidden\" name=\"_csrf\" value=\"")
        w.text(chrome.csrfToken)
        w.markup("\"><input type=\"hidden\" name=\"next\" value=\"")
        w.text(back)
        w.markup("\">")
        for type in ReactionType.allCases {
            let chosen = viewerReaction == type
            let label = reactionLabel(type, l)
            w.markup("<button type=\"submit\" name=\"type\" value=\"")
            w.text(chosen ? "none" : type.rawValue)
            w.markup(chosen ? "\" class=\"reaction chosen\" data-type=\"" : "\" class=\"reaction\" data-type=\"")
            w.text(type.rawValue)
            w.markup(chosen ? "\" aria-pressed=\"true\" title=\"" : "\" aria-pressed=\"false\" title=\"")
            w.text(chosen ? Text.removeReaction(l) : label)
            w.markup("\"><span class=\"reaction-label\">")
            w.text(label)
            w.markup("</span> <span class=\"reaction-count\">")
            w.text(String(counts.reactions[type] ?? 0))
            w.markup("</span></button>")
        }
        w.markup("</form>")
        return w.written
    }

    /// A post as feeds, lists and its own page show it. Written straight into bytes (`HTMLWriter`): a page of posts
    /// has twenty, each a tree of some thirty elements before (docs/BENCHMARKS.md "Request path, round 17").
    static func article(
        _ chrome: PageChrome, _ view: PostService.View, viewer: MemberID, reason: FeedReason? = nil, actor: PersonSummary? = nil, back: String,
        detail: Bool = false
    ) -> HTML {
        let l = chrome.locale
        let post = view.post
        var w = HTMLWriter(capacity: 4_096)
        w.markup("<article class=\"card post\" id=\"post-")
        w.text(post.id)
        w.markup("\" data-post=\"")
        w.text(post.id)
        w.markup("\">")
        if let reason { reasonLine(reason, actor: actor, l, into: &w) }
        w.html(authorLine(view.author, post, l))
        if !post.text.isEmpty {
            w.markup("<div class=\"post-text prewrap\">")
            richText(post.text, mentions: view.mentions, into: &w)
            w.markup("</div>")
        }
        if let job = view.job { w.html(JobPages.embedded(job, l)) }
        if post.repostOf != nil {
            if let original = view.repostOf, let author = view.repostAuthor {
                w.markup("<blockquote class=\"repost\">")
                w.html(authorLine(author, original, l))
                if !original.text.isEmpty {
                    w.markup("<div class=\"post-text prewrap\">")
                    richText(original.text, mentions: [], into: &w)
                    w.markup("</div>")
                }
                if let job = view.repostJob { w.html(JobPages.embedded(job, l)) }
                w.markup("</blockquote>")
            } else {
                w.element("p", class: "repost muted", text: Text.postGone(l))
            }
        }
        w.markup("<p class=\"post-counts small-text muted\">")
        w.text("\(counted(view.counts.reactionTotal, "reaction", "reactions", ja: "リアクション", l)) · ")
        w.markup("<a href=\"/posts/")
        w.text(post.id)
        w.markup("#comments\">")
        w.text(counted(view.counts.comments, "comment", "comments", ja: "コメント", l))
        w.markup("</a>")
        w.text(" · \(counted(view.counts.reposts, "repost", "reposts", ja: "リポスト", l))")
        w.markup("</p>")
        w.html(reactionForm(chrome, view, back: back))
        if !detail {
            w.markup("<div class=\"post-actions\"><a href=\"/posts/")
            w.text(post.id)
            w.markup("#comment-form\" class=\"button small secondary\">")
            w.text(Text.addComment(l))
            w.markup("</a>")
            if post.visibility == .public && !post.isPlainRepost {
                w.markup(" ")
                Layout.postButton(chrome, action: "/posts/\(post.id)/repost", label: Text.repost(l), style: "button small secondary", into: &w)
            }
            w.markup("</div>")
        }
        w.markup("</article>")
        return w.written
    }

    struct Composer: Sendable {
        var draft = ""
        var visibility: PostVisibility = .public
        var error: String?
    }

    static func composer(_ chrome: PageChrome, _ composer: Composer) -> HTML {
        let l = chrome.locale
        return el("section", .class("card composer")) {
            Layout.errors(composer.error)
            Layout.form(chrome, action: "/posts", id: "post-composer") {
                Layout.textArea(Text.composerLabel(l), name: "text", value: composer.draft, rows: 3, maxLength: PostText.postLength)
                el("label", .class("field inline-field")) {
                    el("span") { Text.postVisibility(l) }
                    el("select", .name("visibility")) {
                        for (value, label) in [(PostVisibility.public, Text.visibilityAnyone(l)), (.connections, Text.visibilityConnectionsOnly(l))] {
                            el("option", .value(value.rawValue), .flag("selected", composer.visibility == value)) { label }
                        }
                    }
                }
                el("button", .type("submit"), .class("button"), .id("publish")) { Text.publish(l) }
            }
        }
    }

    struct FeedModel: Sendable {
        var entries: [PostService.FeedEntry]
        var next: String?
        var composer = Composer()
        var hashtags: [String] = []
        var viewer: MemberID
    }

    static func feed(_ chrome: PageChrome, _ model: FeedModel) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.feed(l)) {
            el("div", .class("feed-layout")) {
                el("div", .class("feed-main")) {
                    el("h1", .class("visually-hidden")) { Text.feed(l) }
                    composer(chrome, model.composer)
                    el("p", .class("new-posts"), .id("new-posts"), .flag("hidden", true), Attribute("role", "status")) {
                        el("a", .href("/"), .class("button small")) { Text.showNewPosts(l) }
                    }
                    if model.entries.isEmpty { el("p", .class("card muted"), .id("feed-empty")) { Text.feedEmpty(l) } }
                    el("div", .id("feed")) {
                        for entry in model.entries {
                            article(chrome, entry.view, viewer: model.viewer, reason: entry.reason, actor: entry.actor, back: "/#post-\(entry.view.post.id)")
                        }
                    }
                    if let next = model.next {
                        el("p") { el("a", .href("/feed?cursor=\(next)"), .class("button secondary"), .id("more-posts")) { Text.morePosts(l) } }
                    }
                }
                el("aside", .class("feed-side card")) {
                    el("h2") { Text.followedHashtags(l) }
                    if model.hashtags.isEmpty { el("p", .class("muted small-text")) { "—" } }
                    el("ul", .class("plain-list")) {
                        for tag in model.hashtags { el("li") { el("a", .href(tagPath(tag))) { "#\(tag)" } } }
                    }
                    el("form", Attribute("method", "get"), Attribute("action", "/search/posts"), Attribute("role", "search")) {
                        el("label", .class("field")) {
                            el("span") { Text.searchPosts(l) }
                            el("input", .type("search"), .name("q"))
                        }
                        el("button", .type("submit"), .class("button small secondary")) { Text.search(l) }
                    }
                }
            }
        }
    }

    struct PostModel: Sendable {
        var view: PostService.View
        var comments: [PostService.CommentView]
        var moreComments: String?
        var viewer: MemberID
        var commentDraft = ""
        var error: String?
        var notice: String?
    }

    static func show(_ chrome: PageChrome, _ model: PostModel) -> HTML {
        let l = chrome.locale
        let post = model.view.post
        let mine = post.author == model.viewer
        return Layout.page(chrome, title: "\(model.view.author.card.name): \(String(post.text.prefix(40)))") {
            el("p") { el("a", .href("/")) { "← \(Text.feed(l))" } }
            el("h1", .class("visually-hidden")) { "\(Text.post(l)): \(model.view.author.card.name)" }
            if let notice = model.notice { el("p", .class("notice"), Attribute("role", "status")) { notice } }
            article(chrome, model.view, viewer: model.viewer, back: "/posts/\(post.id)", detail: true)
            el("section", .class("card"), .id("comments")) {
                el("h2") { Text.comments(l) }
                if model.comments.isEmpty { el("p", .class("muted")) { Text.noComments(l) } }
                el("ol", .class("plain-list comments")) {
                    for item in model.comments {
                        el("li", .class("comment"), .id("comment-\(item.comment.id)")) {
                            el("p", .class("message-meta small-text")) {
                                el("a", .href("/in/\(item.author.card.handle)")) { item.author.card.name }
                                " · "
                                el("time", Attribute("datetime", Represent.timeString(item.comment.createdAt))) { MessagingPages.time(item.comment.createdAt) }
                            }
                            el("p", .class("prewrap")) { richText(item.comment.text, mentions: []) }
                            if item.deletable {
                                Layout.postButton(
                                    chrome, action: "/posts/\(post.id)/comments/\(item.comment.id)/delete", label: Text.deleteComment(l),
                                    style: "link-button small-text")
                            }
                        }
                    }
                }
                if let more = model.moreComments {
                    el("p") { el("a", .href("/posts/\(post.id)?after=\(more)#comments")) { Text.nextPage(l) } }
                }
                Layout.errors(model.error)
                Layout.form(chrome, action: "/posts/\(post.id)/comments", id: "comment-form") {
                    Layout.textArea(Text.yourComment(l), name: "text", value: model.commentDraft, rows: 2, maxLength: PostText.commentLength)
                    el("button", .type("submit"), .class("button small")) { Text.addComment(l) }
                }
            }
            if post.visibility == .public && !post.isPlainRepost {
                el("section", .class("card")) {
                    el("h2") { Text.repostWithText(l) }
                    Layout.form(chrome, action: "/posts/\(post.id)/repost", id: "repost-form") {
                        Layout.textArea(Text.repostText(l), name: "text", value: "", rows: 2, maxLength: PostText.postLength)
                        el("button", .type("submit"), .class("button small secondary")) { Text.repost(l) }
                    }
                }
            }
            if mine {
                el("section", .class("card")) {
                    el("h2") { Text.editPost(l) }
                    Layout.form(chrome, action: "/posts/\(post.id)/edit", id: "edit-form") {
                        Layout.textArea(Text.postText(l), name: "text", value: post.text, rows: 4, maxLength: PostText.postLength)
                        el("button", .type("submit"), .class("button small")) { Text.save(l) }
                    }
                    Layout.postButton(chrome, action: "/posts/\(post.id)/delete", label: Text.deletePost(l), style: "button small danger", id: "delete-post")
                }
            } else {
                el("details", .class("card report")) {
                    el("summary") { Text.report(l) }
                    Layout.form(chrome, action: "/posts/\(post.id)/report", id: "report-form") {
                        Layout.field(Text.reportReason(l), name: "reason", value: "", required: true, maxLength: PostText.reportLength)
                        el("button", .type("submit"), .class("button small secondary")) { Text.report(l) }
                    }
                }
            }
        }
    }

    /// A list of posts under a heading: a member's activity, a hashtag, search results.
    static func list(
        _ chrome: PageChrome, title: String, viewer: MemberID, views: [PostService.View], highlights: [String: String] = [:], more: String?,
        @HTMLBuilder header: () -> HTML
    ) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: title) {
            el("section", .class("card")) {
                el("h1") { title }
                header()
            }
            if views.isEmpty { el("p", .class("card muted")) { Text.noPosts(l) } }
            for view in views {
                if let highlight = highlights[view.post.id] { el("p", .class("highlight small-text muted")) { highlight } }
                article(chrome, view, viewer: viewer, back: "/posts/\(view.post.id)")
            }
            if let more { el("p") { el("a", .href(more), .class("button secondary"), .id("more-posts")) { Text.nextPage(l) } } }
        }
    }
}
