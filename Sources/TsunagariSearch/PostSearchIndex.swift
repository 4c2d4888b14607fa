import Foundation
import TsunagariCore

/// The post search index: a `TermIndex` of its own over posts' text (analysed as profiles are: NFKC, width and case
/// folding, Latin words, CJK bigrams), with each hashtag as one marked term (`#tag`) of the filter column, so that
/// `#採用` in a query matches the hashtag exactly. Documents are keyed by the post's number (`seq`), which the feed
/// change log names, so that every instance can drop a deleted post. No I/O.
public final class PostSearchIndex: PostSearching, @unchecked Sendable {
    public let index = TermIndex()

    public init() {}

    public static func entry(for post: Post) -> SearchIndexEntry {
        SearchIndexEntry(
            member: MemberID(String(post.seq)),
            columns: [
                .about: TextAnalyzer.indexTerms(post.text).joined(separator: " "),
                .filters: post.hashtags.map { tagTerm($0) }.joined(separator: " "),
            ],
            attributes: SearchAttributes(handle: "", name: ""), version: post.version)
    }

    /// A hashtag's term in the filter column.
    public static func tagTerm(_ tag: String) -> String { "#" + tag }

    public func index(_ posts: [Post]) {
        index.upsert(posts.map(Self.entry), at: Date())
    }

    public func remove(_ seq: Int64) {
        index.remove(MemberID(String(seq)))
    }

    public func search(_ query: IndexQuery?, tags: [String], limit: Int) throws -> [(post: Int64, relevance: Double)] {
        var parts = tags.map { IndexQuery.sequence([Self.tagTerm($0)], column: .filters) }
        if let query { parts.append(query) }
        guard !parts.isEmpty else { return [] }
        let hits = try index.search(parts.count == 1 ? parts[0] : .and(parts), among: nil, since: nil, limit: limit)
        return hits.compactMap { hit in Int64(hit.member.rawValue).map { (post: $0, relevance: hit.relevance) } }
    }

    /// Splits a post search query into its hashtags (`#tag` words, outside quotes) and the rest, which the people-search
    /// language parses.
    public static func split(_ query: String) -> (tags: [String], rest: String) {
        var tags: [String] = []
        var rest = ""
        var inQuotes = false
        var word = ""
        func flush() {
            if !inQuotes, word.hasPrefix("#") || word.hasPrefix("＃"), let tag = PostText.normalizedTag(String(word.dropFirst())) {
                if !tags.contains(tag) { tags.append(tag) }
            } else {
                rest += word
            }
            word = ""
        }
        for character in query {
            if character == "\"" {
                word.append(character)
                inQuotes.toggle()
            } else if character.isWhitespace && !inQuotes {
                flush()
                rest.append(character)
            } else {
                word.append(character)
            }
        }
        flush()
        return (tags, rest.trimmingCharacters(in: .whitespaces))
    }
}
