import Foundation
import Testing
import TsunagariCore

/// Suspending a member, on SQLite and PostgreSQL alike: every row stays, but they cannot hold a session and storage shows
/// them to no one (no profile, no card, no search entry) until restored; both changes are logged for every instance.
@Suite("Suspension storage contract", .postgresTemplate)
struct SuspensionContractTests {
    static func audit(_ n: Int, _ action: String, _ member: MemberID) -> AuditEntry {
        AuditEntry(id: Make.id(200 + n), at: Make.at(200 + n), actor: "cli:ops", action: action, subject: "member \(member.rawValue)", detail: "spam")
    }

    @Test("A suspended member has no session, profile, card or search entry, keeps every connection, and comes back whole", arguments: StorageKind.tested)
    func suspendAndRestore(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let entries = try store.entries
            guard let m = s as? any ModerationStore else { Issue.record("\(kind) has no ModerationStore"); return }
            let ids = try await makeMembers(s, 3)
            let (x, y, z) = (ids[0], ids[1], ids[2])
            #expect(try await s.importConnections([(x, y, Make.at(1)), (x, z, Make.at(2))]) == 2)
            try await s.createSession(Make.session(x, "hash-x"))
            try await s.createSession(Make.session(y, "hash-y"))
            try await entries.upsertSearchEntries(
                ids.map { SearchIndexEntry(member: $0, columns: [.name: "member"], attributes: SearchAttributes(handle: "h", name: "Member")) }, at: Make.at(3))
            let searchedBefore = try await entries.lastSearchChange()
            let graphBefore = try await s.graphChanges(after: 0, limit: 1_000).last?.sequence ?? 0
            #expect(try await s.searchableMemberCount() == 3)

            #expect(try await m.suspendMember(x, reason: "spam", audit: Self.audit(1, "member.suspend", x)))
            // Once only: a second suspension changes nothing and is not audited again.
            #expect(try await !m.suspendMember(x, reason: "again", audit: Self.audit(2, "member.suspend", x)))

            let account = try #require(try await s.account(id: x))
            #expect(!account.isActive && account.suspendedAt == Make.at(201))
            #expect(try await s.profile(id: x) == nil)
            #expect(try await s.profile(id: x, includingSuspended: true)?.memberID == x)
            #expect(try await s.memberCards(ids: ids).map(\.id).sorted() == [y, z])
            #expect(try await s.session(tokenHash: "hash-x") == nil)
            #expect(try await s.session(tokenHash: "hash-y")?.memberID == y)
            // A session written after the suspension (a login racing it) is refused too.
            try await s.createSession(Make.session(x, "hash-x2"))
            #expect(try await s.session(tokenHash: "hash-x2") == nil)
            // The search entry is gone and the change logged, so every instance's index forgets it.
            #expect(try await entries.searchEntries(of: [x]).isEmpty)
            #expect(try await entries.searchChanges(after: searchedBefore, limit: 10).map(\.member) == [x])
            #expect(try await s.searchableMemberCount() == 2)
            #expect(try await s.memberCount() == 3)
            // The graph log says so; the snapshot names them and still holds their connections.
            let logged = try await s.graphChanges(after: graphBefore, limit: 10)
            #expect(logged.map { LoggedChange($0.kind, $0.a, $0.b) } == [LoggedChange(.memberSuspended, x)])
            let snapshot = try await s.networkSnapshot()
            #expect(snapshot.suspended == [x])
            #expect(Set(snapshot.connections.map { Set([$0.0, $0.1]) }) == [Set([x, y]), Set([x, z])])
            #expect(try await s.connections(of: x).map(\.other).sorted() == [y, z])

            let listed = try await m.suspendedMembers(limit: 10)
            #expect(listed.map(\.member) == [x] && listed.first?.reason == "spam" && listed.first?.since == Make.at(201))

            #expect(try await m.restoreMember(x, audit: Self.audit(3, "member.restore", x)))
            #expect(try await !m.restoreMember(x, audit: Self.audit(4, "member.restore", x)))
            #expect(try await s.account(id: x)?.isActive == true)
            #expect(try await s.profile(id: x)?.memberID == x)
            #expect(try await s.memberCards(ids: [x]).count == 1)
            #expect(try await s.session(tokenHash: "hash-x2")?.memberID == x)
            #expect(try await s.networkSnapshot().suspended.isEmpty)
            #expect(try await m.suspendedMembers(limit: 10).isEmpty)
            #expect(try await s.graphChanges(after: graphBefore, limit: 10).map(\.kind) == [.memberSuspended, .memberRestored])
            #expect(try await m.auditLog(limit: 10).map(\.action) == ["member.restore", "member.suspend"])
        }
    }
}
