import Foundation

/// Who may see a post: everyone logged in, or the author's connections (and the author).
public enum PostVisibility: String, Sendable, CaseIterable {
    case `public`
    case connections
}

/// The reactions a member can give a post (one per member per post).
public enum ReactionType: String, Sendable, CaseIterable, Comparable {
    case like
    case celebrate
    case support
    case insightful
    case funny
    case love

    public static func < (a: ReactionType, b: ReactionType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A post. `seq` is storage's dense number for it, which the feed index in memory uses in place of the id.
public struct Post: Hashable, Sendable {
    public var id: String
    public var seq: Int64
    public var author: MemberID
    public var text: String
    public var visibility: PostVisibility
    public var createdAt: Date
    public var editedAt: Date?
    /// Normalised hashtags (`PostText.hashtags`), in order of first appearance.
    public var hashtags: [String]
    /// Members mentioned by handle when the text was last written.
    public var mentions: [MemberID]
    /// The post this one reposts (the id is kept after the original is deleted).
    public var repostOf: String?
    /// Raised by every edit (the search index keeps the newest).
    public var version: Int64
    /// The job a hiring post shares.
    public var jobID: String?

    public init(
        id: String, seq: Int64 = 0, author: MemberID, text: String, visibility: PostVisibility, createdAt: Date, editedAt: Date? = nil,
        hashtags: [String] = [], mentions: [MemberID] = [], repostOf: String? = nil, version: Int64 = 1, jobID: String? = nil
    ) {
        self.jobID = jobID
        self.id = id
        self.seq = seq
        self.author = author
        self.text = text
        self.visibility = visibility
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.hashtags = hashtags
        self.mentions = mentions
        self.repostOf = repostOf
        self.version = version
    }

    /// A repost without text of its own: the feed shows the original, with the reposter as the reason.
    public var isPlainRepost: Bool { repostOf != nil && text.isEmpty }
}

/// What a post has gathered, counted when it is shown.
public struct PostCounts: Hashable, Sendable {
    public var reactions: [ReactionType: Int]
    public var comments: Int
    public var reposts: Int

    public init(reactions: [ReactionType: Int] = [:], comments: Int = 0, reposts: Int = 0) {
        self.reactions = reactions
        self.comments = comments
        self.reposts = reposts
    }

    public var reactionTotal: Int { reactions.values.reduce(0, +) }
    /// The engagement the feed's ranking reads: a comment is worth two reactions, a repost three.
    public var engagement: Int { reactionTotal + 2 * comments + 3 * reposts }
}

public struct PostComment: Hashable, Sendable {
    public var id: String
    public var postID: String
    public var author: MemberID
    public var text: String
    public var createdAt: Date

    public init(id: String, postID: String, author: MemberID, text: String, createdAt: Date) {
        self.id = id
        self.postID = postID
        self.author = author
        self.text = text
        self.createdAt = createdAt
    }
}

/// A member's report of a post or of one of its comments, for the operators' queue. Reported content stays up
/// until an operator acts.
public struct PostReport: Hashable, Sendable {
    public var id: String
    public var postID: String
    public var commentID: String?
    public var reporter: MemberID
    public var reason: String
    public var createdAt: Date

    public init(id: String, postID: String, commentID: String?, reporter: MemberID, reason: String, createdAt: Date) {
        self.id = id
        self.postID = postID
        self.commentID = commentID
        self.reporter = reporter
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// Why a post is in a member's feed.
public enum FeedReason: String, Sendable, CaseIterable {
    case own
    case connectionPosted
    case following
    case connectionCommented
    case connectionReacted
    case connectionReposted
    case hashtag
}

/// What a member did to a post that carries it to their connections' feeds.
public enum PostActivityKind: UInt8, Sendable {
    case reaction = 1
    case comment = 2
    case repost = 3

    public var reason: FeedReason {
        switch self {
        case .reaction: .connectionReacted
        case .comment: .connectionCommented
        case .repost: .connectionReposted
        }
    }
}

/// One member's activity on one post, as the feed index keeps it.
public struct PostActivity: Hashable, Sendable {
    public var actor: MemberID
    public var post: Int64
    public var kind: PostActivityKind
    public var at: Date

    public init(actor: MemberID, post: Int64, kind: PostActivityKind, at: Date) {
        self.actor = actor
        self.post = post
        self.kind = kind
        self.at = at
    }
}

/// What the feed index holds of one post: enough to choose and rank it, nothing to show it.
public struct FeedPostState: Hashable, Sendable {
    public var seq: Int64
    public var author: MemberID
    public var createdAt: Date
    public var visibility: PostVisibility
    /// A plain repost is not a post of its author's in the feed: its reposter's activity carries the original.
    public var isPlainRepost: Bool
    public var hashtags: [String]
    public var engagement: Int

    public init(
        seq: Int64, author: MemberID, createdAt: Date, visibility: PostVisibility, isPlainRepost: Bool, hashtags: [String], engagement: Int
    ) {
        self.seq = seq
        self.author = author
        self.createdAt = createdAt
        self.visibility = visibility
        self.isPlainRepost = isPlainRepost
        self.hashtags = hashtags
        self.engagement = engagement
    }
}

/// An entry of the feed change log: the post changed (written, edited, deleted, or its counts moved), and the member
/// whose activity on it changed, if any. Replaying re-reads both as storage has them now, so it is idempotent.
public struct FeedChange: Hashable, Sendable {
    public var sequence: Int64
    public var post: Int64
    public var actor: MemberID?

    public init(sequence: Int64, post: Int64, actor: MemberID?) {
        self.sequence = sequence
        self.post = post
        self.actor = actor
    }
}

/// Storage of posts, comments, reactions, hashtag follows and reports. Each method is one transaction; every change
/// that the feed index must learn of appends to the feed change log in the same transaction.
public protocol PostStore: Sendable {
    /// Stores a new post and gives it its `seq`.
    func createPost(_ post: Post) async throws -> Post
    func post(id: String) async throws -> Post?
    /// The posts that exist among these, in no particular order.
    func posts(ids: [String]) async throws -> [Post]
    func posts(seqs: [Int64]) async throws -> [Post]
    /// Replaces the text (and what was read from it), marks it edited and raises its version; nil when it is gone.
    func editPost(id: String, text: String, hashtags: [String], mentions: [MemberID], at: Date) async throws -> Post?
    /// Deletes the post with its comments and reactions; false when it was gone.
    func deletePost(id: String) async throws -> Bool
    /// Counts for each post that exists, and the viewer's own reaction on each.
    func postCounts(_ ids: [String], viewer: MemberID?) async throws -> [String: (counts: PostCounts, viewerReaction: ReactionType?)]
    /// The author's posts newest first, those with `seq` below `before`, only public ones unless
    /// `includeConnectionsOnly`; with the `postCounts` of those posts for `viewer`, in one read (a profile's activity).
    func postsWithCounts(by author: MemberID, before: Int64?, includeConnectionsOnly: Bool, limit: Int, viewer: MemberID?) async throws
        -> (posts: [Post], counts: [String: (counts: PostCounts, viewerReaction: ReactionType?)])
    /// What `RecentPosts` keeps of a member: their newest `limit` posts of every visibility, newest first (and whether
    /// they have more); the counts of those posts and of the originals they repost that still exist; every member's
    /// reaction on each of their posts.
    func recentPosts(by author: MemberID, limit: Int) async throws -> RecentPosts.Entry
    /// What `RecentPosts` holds of posts a feed shows: those that exist among `seqs`, each with its counts and every
    /// member's reaction on it, in one read.
    func heldPosts(seqs: [Int64]) async throws -> [RecentPosts.HeldPost]

    /// False (nothing written) when the post is gone.
    func addComment(_ comment: PostComment, postSeq: Int64) async throws -> Bool
    func comment(id: String) async throws -> PostComment?
    /// Oldest first, those after `after`.
    func comments(on post: String, after: String?, limit: Int) async throws -> [PostComment]
    func deleteComment(id: String, postSeq: Int64) async throws -> Bool
    /// Sets (or with nil removes) the member's reaction; false when the post is gone. Returns whether a reaction is
    /// new (none was there before).
    func setReaction(post: String, postSeq: Int64, member: MemberID, type: ReactionType?, at: Date) async throws -> (exists: Bool, added: Bool)

    func followedHashtags(of member: MemberID) async throws -> [String]
    func setHashtagFollow(member: MemberID, tag: String, _ on: Bool, at: Date) async throws

    /// Stores a report; a member's second report of the same thing is not stored again (false).
    func createReport(_ report: PostReport) async throws -> Bool
    /// The open reports, oldest first (the operators' queue).
    func openReports(limit: Int) async throws -> [PostReport]

    /// Writes sample posts, reactions and comments in one transaction (`tsunagari demo`, before the server starts).
    func importSampleActivity(_ activity: SampleActivity) async throws

    // For the feed index.
    /// Posts' states in pages by `seq`: those after `after`, in order.
    func feedPostStates(after: Int64, limit: Int) async throws -> [FeedPostState]
    func feedPostStates(seqs: [Int64]) async throws -> [FeedPostState]
    /// Reactions, comments and plain reposts made since `since` (each member's latest per post and kind), for loading
    /// the index.
    func feedActivities(since: Date) async throws -> [PostActivity]
    /// What the member has done to the post, as stored now (their reaction, latest comment, plain repost).
    func feedActivities(of actor: MemberID, on post: Int64) async throws -> [PostActivity]
    /// The last sequence of the feed change log.
    func feedChangeSequence() async throws -> Int64
    func feedChanges(after: Int64, limit: Int) async throws -> [FeedChange]
    func feedChanges(sequences: [Int64]) async throws -> [FeedChange]
    func pruneFeedChanges(before: Date) async throws
}

/// How posts read and write text: hashtags and mentions are found in it, normalised as search normalises words.
public enum PostText {
    public static let postLength = 3_000
    public static let commentLength = 1_250
    public static let reportLength = 1_000
    public static let tagLength = 100

    /// `#` followed by letters, digits, marks or `_` (Japanese or English; a full-width `＃` too), not preceded by a
    /// letter or digit (so `C#` and `issue#12` are not tags). Returned NFKC-folded and lower-cased, each once.
    public static func hashtags(in text: String) -> [String] {
        words(after: ["#", "＃"], in: text).compactMap(normalizedTag)
    }

    /// `@handle` words (ASCII letters, digits, `-`, `_`), each once, as written.
    public static func mentionedHandles(in text: String) -> [String] {
        var seen: Set<String> = []
        return words(after: ["@", "＠"], in: text, asciiOnly: true).filter { (3...TextLimit.handle).contains($0.count) && seen.insert($0.lowercased()).inserted }
    }

    /// A tag as it is stored and followed: NFKC, lower case, without its `#`; nil when nothing is left or it is too long.
    public static func normalizedTag(_ raw: String) -> String? {
        var text = Folding.nfkcLowercased(raw)
        while text.hasPrefix("#") { text.removeFirst() }
        guard !text.isEmpty, text.count <= tagLength, text.unicodeScalars.allSatisfy(isTagScalar) else { return nil }
        return text
    }

    static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        let p = scalar.properties
        return scalar == "_" || p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
            || p.generalCategory == .spacingMark || scalar == "ー" || scalar == "ｰ" || scalar == "々"
    }

    private static func words(after marks: Set<Character>, in text: String, asciiOnly: Bool = false) -> [String] {
        var found: [String] = []
        var seen: Set<String> = []
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if marks.contains(c), i == 0 || !(characters[i - 1].isLetter || characters[i - 1].isNumber || characters[i - 1] == "_") {
                var j = i + 1
                while j < characters.count, accepts(characters[j], asciiOnly: asciiOnly) { j += 1 }
                if j > i + 1 {
                    var word = String(characters[(i + 1)..<j])
                    while word.hasSuffix("-") { word.removeLast() }
                    if !word.isEmpty, seen.insert(word).inserted { found.append(word) }
                }
                i = j
            } else {
                i += 1
            }
        }
        return found
    }

    private static func accepts(_ c: Character, asciiOnly: Bool) -> Bool {
        if asciiOnly { return c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") }
        return c.unicodeScalars.allSatisfy(isTagScalar)
    }

    /// The `http(s)://` links in a text, as ranges, for pages to show as links (the server never fetches them).
    public static func links(in text: String) -> [Range<String.Index>] {
        // Most posts hold no link: one pass over the bytes tells, cheaper than the search below finding nothing.
        let mayHoldLink =
            text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard bytes.count >= 7 else { return false }
                for i in 0...(bytes.count - 4) where bytes[i] == UInt8(ascii: "h") {
                    if bytes[i + 1] == UInt8(ascii: "t"), bytes[i + 2] == UInt8(ascii: "t"), bytes[i + 3] == UInt8(ascii: "p") { return true }
                }
                return false
            } ?? true
        guard mayHoldLink else { return [] }
        var ranges: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while let start = text.range(of: "http", range: searchStart..<text.endIndex) {
            let rest = text[start.lowerBound...]
            guard rest.hasPrefix("http://") || rest.hasPrefix("https://") else {
                searchStart = start.upperBound
                continue
            }
            var end = start.lowerBound
            while end < text.endIndex, let scalar = text[end].unicodeScalars.first, scalar.isASCII, scalar.value > 0x20,
                !"<>\"'`".unicodeScalars.contains(scalar)
            {
                end = text.index(after: end)
            }
            // Trailing punctuation belongs to the sentence.
            while end > start.lowerBound, ".,;:!?)".contains(text[text.index(before: end)]) { end = text.index(before: end) }
            let minimum = text.index(start.lowerBound, offsetBy: 8, limitedBy: text.endIndex) ?? text.endIndex
            if end > minimum { ranges.append(start.lowerBound..<end) }
            searchStart = max(end, start.upperBound)
        }
        return ranges
    }
}

/// Limits on writing: per member, reserved in the throttle store like every limit.
public struct PostLimits: Hashable, Sendable {
    public var postsPerDay: Int
    public var commentsPerDay: Int
    public var reportsPerDay: Int
    /// Most mentions notified from one post.
    public var mentionsPerPost: Int

    public init(postsPerDay: Int = 100, commentsPerDay: Int = 500, reportsPerDay: Int = 50, mentionsPerPost: Int = 20) {
        self.postsPerDay = postsPerDay
        self.commentsPerDay = commentsPerDay
        self.reportsPerDay = reportsPerDay
        self.mentionsPerPost = mentionsPerPost
    }

    public static let standard = PostLimits()
    public static let relaxed = PostLimits(postsPerDay: 1_000_000, commentsPerDay: 1_000_000, reportsPerDay: 1_000_000)
}

/// One post the feed index chose for a viewer, with why, and its score.
public struct FeedCandidate: Hashable, Sendable {
    public var post: Int64
    public var reason: FeedReason
    public var actor: MemberID?
    public var score: Double

    public init(post: Int64, reason: FeedReason, actor: MemberID?, score: Double) {
        self.post = post
        self.reason = reason
        self.actor = actor
        self.score = score
    }
}

/// The question the feed asks the index in memory.
public struct FeedQuestion: Sendable {
    public var viewer: MemberID
    public var hashtags: [String]
    /// Members the viewer blocked or who blocked the viewer.
    public var blocked: Set<MemberID>
    /// The feed as it stood then: posts and activity after it are left for the next first page.
    public var asOf: Date
    /// Posts already shown on earlier pages.
    public var shown: Set<Int64>
    public var limit: Int

    public init(viewer: MemberID, hashtags: [String], blocked: Set<MemberID>, asOf: Date, shown: Set<Int64>, limit: Int) {
        self.viewer = viewer
        self.hashtags = hashtags
        self.blocked = blocked
        self.asOf = asOf
        self.shown = shown
        self.limit = limit
    }
}

/// The feed index in memory (`TsunagariGraph.FeedIndex`): per-author recent posts and per-member recent activity,
/// asked over the graph index. No method touches storage.
public protocol FeedIndexing: Sendable {
    /// Adds or replaces a post's state.
    func apply(_ state: FeedPostState)
    func removePost(_ seq: Int64)
    /// Replaces what `actor` did to `post` with `activities` (empty: nothing any more).
    func setActivities(actor: MemberID, post: Int64, _ activities: [PostActivity])
    /// The best posts for the viewer, best first, at most `limit`, none already shown.
    func feed(_ question: FeedQuestion) -> [FeedCandidate]
    /// Posts with the tag, newest first, with `seq` below `before`.
    func postsTagged(_ tag: String, before: Int64?, limit: Int, visibleTo viewer: MemberID, blocked: Set<MemberID>) -> [Int64]
    /// Whether a post by `author` would reach `viewer`'s feed as theirs or a followed member's.
    func follows(_ viewer: MemberID, author: MemberID) -> Bool
    /// The last feed change applied.
    var appliedSequence: Int64 { get }
    func setApplied(_ sequence: Int64)
}

/// The post search index (`TsunagariSearch.PostSearchIndex`): posts' text and hashtags analysed as profiles are.
public protocol PostSearching: Sendable {
    func index(_ posts: [Post])
    func remove(_ seq: Int64)
    /// Posts matching the query (nil: any) and having every tag, best first with their relevance, at most `limit`.
    func search(_ query: IndexQuery?, tags: [String], limit: Int) throws -> [(post: Int64, relevance: Double)]
}

/// The feed's cursor: when the first page was made, and the posts shown since. The next page is the best of what is
/// left, so no post is shown twice and none that ranked between pages is skipped, while posts arriving meanwhile
/// wait for the next first page.
public struct FeedCursor: Hashable, Sendable {
    public var asOf: Date
    public var shown: [Int64]

    public init(asOf: Date, shown: [Int64]) {
        self.asOf = asOf
        self.shown = shown
    }

    /// `<asOf milliseconds>.<shown, sorted, as base-36 differences joined by '-'>`.
    public var encoded: String {
        var previous: Int64 = 0
        let parts = shown.sorted().map { seq -> String in
            defer { previous = seq }
            return String(seq - previous, radix: 36)
        }
        return "\(Int64((asOf.timeIntervalSince1970 * 1000).rounded(.down))).\(parts.joined(separator: "-"))"
    }

    public init?(encoded text: String) {
        let halves = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // Digits only, no leading zero: one spelling per time, as the API document's pattern says.
        guard halves.count == 2, (1...15).contains(halves[0].count), halves[0].utf8.allSatisfy({ (48...57).contains($0) }),
            halves[0].first != "0", let millis = Int64(halves[0])
        else { return nil }
        var shown: [Int64] = []
        var previous: Int64 = 0
        if !halves[1].isEmpty {
            for part in halves[1].split(separator: "-", omittingEmptySubsequences: false) {
                guard (1...12).contains(part.count), part.utf8.allSatisfy({ (48...57).contains($0) || (97...122).contains($0) }),
                    let delta = Int64(part, radix: 36)
                else { return nil }
                // Numbers past any post's are of no use: the rest is ignored, as is anything past the deepest page.
                let (sum, overflow) = previous.addingReportingOverflow(delta)
                if overflow || shown.count >= FeedCursor.maximumShown { break }
                previous = sum
                if delta > 0 { shown.append(sum) }
            }
        }
        self.asOf = Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
        self.shown = shown
    }

    /// How deep a feed goes: past this many posts it ends (a cursor stays a few kilobytes at most).
    public static let maximumShown = 500
}
