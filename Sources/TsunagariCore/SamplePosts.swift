import Foundation

/// Sample posts, comments and reactions for `tsunagari demo`: hiring posts, event reports, comments on articles and
/// career news in Japanese and English, spread over the two weeks before `now`, with reactions and comments from each
/// author's connections. Deterministic for a seed and a time.
public struct SampleActivity: Sendable {
    public var posts: [Post]
    public var reactions: [(post: String, member: MemberID, type: ReactionType, at: Date)]
    public var comments: [PostComment]

    static let japanesePosts: [String] = [
        "#採用 {company}で{title}を募集しています。リモート勤務も相談できます。興味のある方はお気軽にメッセージください！",
        "昨日の{skill}勉強会に参加しました。登壇資料はこちら https://example.com/slides/{n} #勉強会",
        "この記事、{skill}の現場の感覚がよく分かります。 https://example.com/articles/{n}",
        "{company}に入社して{years}年が経ちました。支えてくれたチームの皆さんに感謝です。",
        "来月{location}で{skill}のミートアップを開きます。一緒に運営してくれる方を探しています #コミュニティ",
        "{title}として大事にしていること：小さく試して、早く学ぶ。#仕事術",
    ]
    static let englishPosts: [String] = [
        "We're hiring a {title} at {company} ({location}). Message me if you'd like to hear more! #hiring",
        "Great {skill} meetup last night — slides are up: https://example.com/talks/{n} #meetup",
        "Worth reading for anyone working with {skill}: https://example.com/blog/{n}",
        "Excited to share that I've started a new position as {title} at {company}!",
        "Three things I learned shipping our {skill} migration this quarter. Happy to compare notes. #engineering",
        "Our team at {company} is growing. Referrals welcome! #hiring",
    ]
    static let japaneseComments = ["おめでとうございます！", "参考になります。", "ぜひ話を聞かせてください。", "素晴らしいですね。", "シェアします！"]
    static let englishComments = ["Congratulations!", "Thanks for sharing.", "Would love to chat about this.", "Great write-up.", "Sharing with my team."]

    public static func make(for members: [NewMember], connections: [(MemberID, MemberID, Date)], seed: UInt64, now: Date) -> SampleActivity {
        var g = SampleData.Generator(seed: seed &+ 11)
        var neighbours: [MemberID: [MemberID]] = [:]
        for (a, b, _) in connections {
            neighbours[a, default: []].append(b)
            neighbours[b, default: []].append(a)
        }
        var activity = SampleActivity(posts: [], reactions: [], comments: [])
        let window: TimeInterval = 14 * 24 * 60 * 60
        for member in members where Double.random(in: 0..<1, using: &g) < 0.45 {
            let position = member.positions.last
            let japanese = (member.profile.name + (position?.title ?? "")).unicodeScalars.contains { $0.value >= 0x3040 }
            for _ in 0..<Int.random(in: 1...3, using: &g) {
                let templates = japanese ? japanesePosts : englishPosts
                var text = templates.randomElement(using: &g)!
                let values = [
                    "{company}": position?.companyName ?? "Tsunagari", "{title}": position?.title ?? "Engineer",
                    "{skill}": SampleData.skills.randomElement(using: &g)!, "{location}": member.profile.fields.location ?? "Tokyo",
                    "{years}": String(Int.random(in: 1...10, using: &g)), "{n}": String(Int.random(in: 100...999, using: &g)),
                ]
                for (key, value) in values { text = text.replacingOccurrences(of: key, with: value) }
                let created = now.addingTimeInterval(-Double.random(in: 600..<window, using: &g))
                let visibility: PostVisibility = Double.random(in: 0..<1, using: &g) < 0.2 ? .connections : .public
                let post = Post(
                    id: OpaqueID.make(at: created, using: &g), author: member.account.memberID, text: text, visibility: visibility,
                    createdAt: created, hashtags: PostText.hashtags(in: text))
                activity.posts.append(post)
                let audience = neighbours[member.account.memberID] ?? []
                guard !audience.isEmpty else { continue }
                var reacted: Set<MemberID> = []
                for _ in 0..<Int.random(in: 0...min(8, audience.count), using: &g) {
                    let who = audience.randomElement(using: &g)!
                    guard reacted.insert(who).inserted else { continue }
                    let type: ReactionType = Double.random(in: 0..<1, using: &g) < 0.6 ? .like : ReactionType.allCases.randomElement(using: &g)!
                    let at = min(now, created.addingTimeInterval(Double.random(in: 60..<86_400, using: &g)))
                    activity.reactions.append((post.id, who, type, at))
                }
                for _ in 0..<Int.random(in: 0...2, using: &g) {
                    let who = audience.randomElement(using: &g)!
                    let at = min(now, created.addingTimeInterval(Double.random(in: 60..<172_800, using: &g)))
                    let text = (japanese ? japaneseComments : englishComments).randomElement(using: &g)!
                    activity.comments.append(PostComment(id: OpaqueID.make(at: at, using: &g), postID: post.id, author: who, text: text, createdAt: at))
                }
            }
        }
        activity.posts.sort { $0.createdAt < $1.createdAt }
        return activity
    }
}
