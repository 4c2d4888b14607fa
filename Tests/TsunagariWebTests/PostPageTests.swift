import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// The feed and post pages, as a browser without JavaScript uses them, in Japanese and English.
@Suite struct PostPageTests {
    static func postID(_ location: String?) -> String {
        String((location ?? "").split(separator: "-").last ?? "")
    }

    @Test func postReactCommentAndRepostByForms() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cho"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cho")
            let ann = try await Browser.logIn(client, "Ann", language: "ja")
            let home = try await ann.get("/")
            #expect(home.text.contains("id=\"post-composer\""))
            #expect(home.text.contains("仕事について共有しましょう"))
            let empty = try await ann.post("/posts", ["text": " ", "visibility": "public"])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("role=\"alert\""))
            let created = try await ann.post(
                "/posts", ["text": "<script>alert(1)</script> #採用 エンジニア募集 https://example.test/jobs?a=1 @\(cast.handles["Ben"]!)", "visibility": "public"])
            #expect(created.status == .seeOther)
            let id = Self.postID(created.header("Location"))
            #expect(OpaqueID.isWellFormed(id), "\(created.header("Location") ?? "")")
            let page = try await ann.get("/posts/\(id)")
            #expect(page.status == .ok)
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.text.contains("<script>alert(1)"))
            #expect(page.text.contains("href=\"https://example.test/jobs?a=1\" rel=\"nofollow ugc noopener\""))
            #expect(page.text.contains("class=\"hashtag\""))
            #expect(page.text.contains("href=\"/in/\(cast.handles["Ben"]!)\" class=\"mention\""))
            #expect(page.text.contains("id=\"edit-form\""))

            // Ben reacts by form (303 back), then by app.js (JSON with the counts).
            let ben = try await Browser.logIn(client, "Ben")
            let reacted = try await ben.post("/posts/\(id)/react", ["type": "like", "next": "/#post-\(id)"])
            #expect(reacted.status == .seeOther)
            #expect(reacted.header("Location") == "/#post-\(id)")
            let benPage = try await ben.get("/posts/\(id)")
            #expect(benPage.text.contains("class=\"reaction chosen\""))
            #expect(!benPage.text.contains("id=\"edit-form\""))
            #expect(benPage.text.contains("id=\"report-form\""))
            let bad = try await ben.post("/posts/\(id)/react", ["type": "angry"])
            #expect(bad.status == .unprocessableContent)
            let outside = try await ben.post("/posts/\(id)/react", ["type": "like", "next": "https://evil.example/"])
            #expect(outside.header("Location") == "/posts/\(id)")

            // Cho, not Ann's connection, sees it in the feed because Ben reacted, and comments.
            let cho = try await Browser.logIn(client, "Cho")
            let feed = try await cho.get("/")
            #expect(feed.text.contains("id=\"post-\(id)\""))
            #expect(feed.text.contains("reacted to this"))
            let commented = try await cho.post("/posts/\(id)/comments", ["text": "興味があります"])
            #expect(commented.status == .seeOther)
            #expect(try await cho.get("/posts/\(id)").text.contains("興味があります"))
            let reposted = try await cho.post("/posts/\(id)/repost", ["text": "シェアします"])
            #expect(reposted.status == .seeOther)
            #expect(try await cho.get("/in/\(cast.handles["Cho"]!)/activity").text.contains("シェアします"))
            // The profile shows its latest activity, but not where only the name and headline may be seen.
            #expect(try await cho.get("/in/\(cast.handles["Cho"]!)").text.contains("id=\"all-activity\""))
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Cho"], json: ["profileVisibility": "connections"])
            #expect(try await ann.get("/in/\(cast.handles["Cho"]!)").status == .ok)
            #expect(!(try await ann.get("/in/\(cast.handles["Cho"]!)")).text.contains("id=\"activity\""))
            #expect(try await ben.get("/in/\(cast.handles["Cho"]!)").text.contains("id=\"activity\""))

            // Reports are taken with a notice; the post stays.
            let reported = try await cho.post("/posts/\(id)/report", ["reason": "spam"])
            #expect(reported.header("Location") == "/posts/\(id)?reported=1")
            #expect(try await cho.get("/posts/\(id)?reported=1").text.contains("An operator will look at it"))

            // Only the author deletes.
            #expect(try await cho.post("/posts/\(id)/delete", [:]).status == .forbidden)
            #expect(try await ann.post("/posts/\(id)/delete", [:]).status == .seeOther)
            #expect(try await cho.get("/posts/\(id)").status == .notFound)
        }
    }

    @Test func hashtagPagesAndPostSearch() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            _ = try await PostTests.post(client, cast, "Ann", "勉強会のレポートです #Swift勉強会")
            let ben = try await Browser.logIn(client, "Ben")
            let tag = "/hashtags/\("swift勉強会".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            let page = try await ben.get(tag)
            #expect(page.status == .ok)
            #expect(page.text.contains("勉強会のレポートです"))
            #expect(page.text.contains("id=\"follow-hashtag\""))
            let followed = try await ben.post("\(tag)/follow?on=1", [:])
            #expect(followed.status == .seeOther)
            #expect(try await ben.get("/").text.contains("#swift勉強会"))
            let found = try await ben.get("/search/posts?q=\("レポート".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(found.text.contains("勉強会のレポートです"))
            let broken = try await ben.get("/search/posts?q=%28a")
            #expect(broken.status == .ok)
            #expect(broken.text.contains("role=\"alert\""))
        }
    }

    @Test func theFeedReadsInBothLanguages() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            let id = try await PostTests.post(client, cast, "Ann", "Hello")
            _ = try await client.call(.post, "/api/v1/posts/\(id)/comments", token: cast.tokens["Ben"], json: ["text": "Hi"])
            let cho = try await Cast.make(client, ["Cho"])
            _ = cho
            // The counts read as words do: one comment, no reactions, no reposts.
            let english = ["Share something about your work", "Like", "Comment", "0 reactions · ", ">1 comment<", " · 0 reposts"]
            let japanese = ["仕事について共有しましょう", "いいね", "コメントする", "0 リアクション · ", ">1 コメント<", " · 0 リポスト"]
            for (language, words) in [("en", english), ("ja", japanese)] {
                let ben = try await Browser.logIn(client, "Ben", language: language)
                let home = try await ben.get("/")
                for word in words { #expect(home.text.contains(word), "\(language): \(word)") }
                #expect(!home.text.contains("1 comments"))
                #expect(home.text.contains("lang=\"\(language)\""))
            }
        }
    }
}
