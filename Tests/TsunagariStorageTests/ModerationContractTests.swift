import Foundation
import Testing
import TsunagariCore

/// What every `ModerationStore` must do, on SQLite and PostgreSQL alike.
@Suite("Moderation storage contract", .postgresTemplate)
struct ModerationContractTests {
    static func audit(_ n: Int, _ action: String) -> AuditEntry {
        AuditEntry(id: Make.id(100 + n), at: Make.at(100 + n), actor: "cli:ops", action: action, subject: "s\(n)", detail: "")
    }

    @Test("Resolving ends every open report of the same thing at once, removes it when asked, and is audited", arguments: StorageKind.tested)
    func resolve(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.posts
            guard let m = s as? any ModerationStore else { Issue.record("\(kind) has no ModerationStore"); return }
            let ids = try await makeMembers(s, 3)
            let (a, b, c) = (ids[0], ids[1], ids[2])
            let post = try await s.createPost(Make.post(by: a, "通報される投稿", at: 1))
            let other = try await s.createPost(Make.post(by: a, "残る投稿", at: 2))
            let comment = PostComment(id: Make.id(3), postID: post.id, author: b, text: "通報されるコメント", createdAt: Make.at(3))
            #expect(try await s.addComment(comment, postSeq: post.seq))
            func report(_ n: Int, _ postID: String, _ commentID: String?, by reporter: MemberID) -> PostReport {
                PostReport(id: Make.id(10 + n), postID: postID, commentID: commentID, reporter: reporter, reason: "理由 \(n)", createdAt: Make.at(10 + n))
            }
            let reports = [report(1, post.id, nil, by: b), report(2, post.id, nil, by: c), report(3, post.id, comment.id, by: c), report(4, other.id, nil, by: b)]
            for r in reports { #expect(try await s.createReport(r)) }
            let (onPost, alsoOnPost, onComment, onOther) = (reports[0].id, reports[1].id, reports[2].id, reports[3].id)
            #expect(try await m.report(id: onComment)?.commentID == comment.id)
            #expect(try await m.report(id: "nope") == nil)

            // Dismissing the comment's report ends it alone and keeps the comment.
            let dismissed = try #require(try await m.resolveReport(id: onComment, resolution: .dismissed, audit: Self.audit(1, "report.dismissed")))
            #expect(dismissed.reports == 1 && !dismissed.removed && dismissed.commentID == comment.id && dismissed.postSeq == post.seq)
            #expect(try await s.comment(id: comment.id) != nil)
            #expect(try await m.resolveReport(id: onComment, resolution: .removed, audit: Self.audit(2, "x")) == nil)

            // Removing the post ends both reports of it, deletes it and logs a feed change for the instances to replay.
            let before = try await s.feedChanges(after: 0, limit: 10_000).last?.sequence ?? 0
            let removed = try #require(try await m.resolveReport(id: onPost, resolution: .removed, audit: Self.audit(3, "report.removed")))
            #expect(removed.reports == 2 && removed.removed && removed.commentID == nil)
            #expect(try await s.post(id: post.id) == nil)
            #expect(try await s.feedChanges(after: before, limit: 100).contains { $0.post == post.seq })
            #expect(try await s.openReports(limit: 10).map(\.id) == [onOther])
            #expect(try await m.resolveReport(id: alsoOnPost, resolution: .dismissed, audit: Self.audit(4, "x")) == nil)
            #expect(try await s.post(id: other.id) != nil)

            // Only the resolutions that happened are in the audit log, newest first.
            try await m.recordAudit(Self.audit(5, "role.set"))
            #expect(try await m.auditLog(limit: 10).map(\.action) == ["role.set", "report.removed", "report.dismissed"])
            #expect(try await m.auditLog(limit: 1).count == 1)
        }
    }
}
