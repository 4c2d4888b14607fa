import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

/// Shared affiliations answered from the member cache's lists (read once, mended as members change) against the same
/// question asked of the database each time.
@Suite("Shared affiliations and open invitations from memory")
struct NetworkCacheContractTests {
    func bySQL(_ kind: StorageKind, _ store: TestStore, _ member: MemberID, limit: Int) async throws -> [SharedAffiliation] {
        switch kind {
        case .sqlite: try await #require(store.storage as? SQLiteStorage).sharedAffiliationsBySQL(of: member, limit: limit)
        case .postgres: try await #require(store.storage as? PostgresStorage).sharedAffiliationsBySQL(of: member, limit: limit)
        }
    }

    @Test("Random histories answer as SQL does, before and after each change", arguments: StorageKind.tested)
    func matchesSQL(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func next(_ bound: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(bound))
            }
            let companies = ["株式会社さくら", "Acme Inc.", "メルカリ", "Sony"]
            let schools = ["東京大学", "京都大学", "Stanford University", "東京大学　"]
            func position() -> PositionDraft {
                let start = 2005 + next(18)
                let end = next(3) == 0 ? nil : String(format: "%04d-%02d", start + next(4), 1 + next(12))
                return Make.draft(companies[next(companies.count)], start: String(format: "%04d-%02d", start, 1 + next(12)), end: end)
            }
            func education() -> Education {
                let start = next(4) == 0 ? nil : 2000 + next(15)
                let end = next(3) == 0 ? nil : (start ?? 2005) + next(5)
                return Make.education(schools[next(schools.count)], start: start, end: end)
            }
            var members: [NewMember] = []
            for index in 0..<24 {
                members.append(
                    Make.member(
                        "m\(index)", positions: (0..<next(4)).map { _ in position() }, educations: (0..<next(3)).map { _ in education() },
                        created: Make.at(index)))
            }
            try await s.createMembers(members)
            let ids = members.map(\.account.memberID)
            func compareAll(_ when: String) async throws {
                for id in ids {
                    let fromMemory = try await s.sharedAffiliations(of: id, limit: 500)
                    #expect(fromMemory == (try await bySQL(kind, store, id, limit: 500)), "\(when): \(id)")
                    #expect(try await s.sharedAffiliations(of: id, limit: 3) == Array(fromMemory.prefix(3)))
                }
            }
            try await compareAll("at first")
            // Everyone's lists are held now. Someone joins a company; someone leaves one; a school is added and one
            // removed; a member goes.
            let joiner = ids[5]
            let joined = Make.draft(companies[0], start: "2015-04")
            #expect(try await s.savePosition(joined, for: joiner, at: Make.at(100)))
            try await compareAll("after joining")
            let leaver = try #require(members.first { !$0.positions.isEmpty })
            #expect(try await s.deletePosition(id: leaver.positions[0].id, for: leaver.account.memberID, at: Make.at(101)))
            try await compareAll("after leaving")
            #expect(try await s.saveEducation(Make.education(schools[1], start: 2009, end: 2013), for: ids[7], isNew: true, at: Make.at(102)))
            if let studied = members.first(where: { !$0.profile.educations.isEmpty }) {
                #expect(try await s.deleteEducation(id: studied.profile.educations[0].id, for: studied.account.memberID, at: Make.at(103)))
            }
            try await compareAll("after school changes")
            try await s.deleteMember(ids[9])
            for id in ids where id != ids[9] {
                let fromMemory = try await s.sharedAffiliations(of: id, limit: 500)
                #expect(!fromMemory.contains { $0.member == ids[9] })
                #expect(fromMemory == (try await bySQL(kind, store, id, limit: 500)), "after a member went: \(id)")
            }
        }
    }

    @Test("A change through another store (another instance) is seen within the replay interval", arguments: StorageKind.tested)
    func anotherInstancesChangeIsSeen(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = try store.network
            let b = try #require(try store.reopen() as? any NetworkStorage)
            defer { Task { try? await b.close() } }
            let me = Make.member("aff-me", positions: [Make.draft("株式会社さくら", start: "2018-04")])
            let other = Make.member("aff-other", positions: [Make.draft("Acme Inc.", start: "2019-01")], created: Make.at(1))
            try await a.createMembers([me, other])
            let (meID, otherID) = (me.account.memberID, other.account.memberID)
            // `b` holds the lists: nobody else at さくら.
            #expect(try await b.sharedAffiliations(of: meID, limit: 10).isEmpty)
            // The other member joins さくら through `a`, then changes their dates.
            #expect(try await a.savePosition(Make.draft("さくら", start: "2020-01"), for: otherID, at: Make.at(10)))
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            let seen = try await b.sharedAffiliations(of: meID, limit: 10)
            #expect(seen.map(\.member) == [otherID] && seen.first?.overlap == true)
            #expect(seen == (try await bySQL(kind, store, meID, limit: 10)))
            // They leave it again: gone from `b`'s answer too.
            let position = try #require(try await a.profile(id: otherID)?.positions.first { $0.startMonth == Make.month("2020-01") })
            #expect(try await a.deletePosition(id: position.id, for: otherID, at: Make.at(11)))
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await b.sharedAffiliations(of: meID, limit: 10).isEmpty)
        }
    }

    @Test("Open invitations held in memory follow every change, through this store and another", arguments: StorageKind.tested)
    func openInvitationsFollowChanges(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = try store.network
            let b = try #require(try store.reopen() as? any NetworkStorage)
            defer { Task { try? await b.close() } }
            let ids = try await makeMembers(a, 3, prefix: "inv")
            // Both stores hold "none" for the pair first.
            for s in [a, b] { #expect(try await s.openInvitation(between: ids[0], and: ids[1]) == nil) }
            let invitation = Make.invitation(ids[0], ids[1], at: 1)
            try await a.createInvitation(invitation)
            #expect(try await a.openInvitation(between: ids[0], and: ids[1])?.id == invitation.id)
            #expect(try await a.openInvitation(between: ids[1], and: ids[0])?.id == invitation.id)
            #expect(try await a.openInvitation(between: ids[0], and: ids[2]) == nil)
            // What `a` holds after writing one is what a store reading afresh finds, to the millisecond.
            let moment = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let precise = Invitation(id: Make.id(77), from: ids[2], to: ids[1], message: "よろしく", status: .pending, createdAt: moment, updatedAt: moment)
            #expect(try await a.openInvitation(between: ids[1], and: ids[2]) == nil)
            try await a.createInvitation(precise)
            // PostgreSQL's store adds it to both lists it holds as it writes (no replay between): as read back.
            let added = (a as? PostgresStorage).map { pg in [ids[1], ids[2]].map { pg.cache.openInvitations(of: $0)?.first { $0.id == precise.id } } }
            let fresh = try #require(try store.reopen() as? any NetworkStorage)
            defer { Task { try? await fresh.close() } }
            let held = try await a.openInvitation(between: ids[1], and: ids[2])
            let read = try await fresh.openInvitation(between: ids[1], and: ids[2])
            #expect(held != nil && held == read)
            if let added { #expect(added == [read, nil], "held for ids[1], whose list was read; not for ids[2], whose was not") }
            #expect(try await a.openInvitation(between: ids[0], and: ids[1])?.id == invitation.id)
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await b.openInvitation(between: ids[1], and: ids[0])?.status == .pending)
            // Ignored is still open; withdrawn is not.
            try await a.setInvitationStatus(id: invitation.id, .ignored, at: Make.at(2))
            #expect(try await a.openInvitation(between: ids[0], and: ids[1])?.status == .ignored)
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await b.openInvitation(between: ids[0], and: ids[1])?.status == .ignored)
            try await b.setInvitationStatus(id: invitation.id, .withdrawn, at: Make.at(3))
            #expect(try await b.openInvitation(between: ids[0], and: ids[1]) == nil)
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await a.openInvitation(between: ids[1], and: ids[0]) == nil)
            // Accepted: no longer open, on both.
            let again = Make.invitation(ids[2], ids[0], at: 4)
            try await a.createInvitation(again)
            #expect(try await a.openInvitation(between: ids[0], and: ids[2])?.id == again.id)
            #expect(try await a.acceptInvitation(id: again.id, at: Make.at(5)))
            #expect(try await a.openInvitation(between: ids[0], and: ids[2]) == nil)
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await b.openInvitation(between: ids[2], and: ids[0]) == nil)
        }
    }

    @Test("Dismissals and matched contacts held in memory follow every change, through this store and another", arguments: StorageKind.tested)
    func suggestionInputsFollowChanges(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = try store.contactStore
            let b = try #require(try store.reopen() as? any ContactStorage)
            defer { Task { try? await b.close() } }
            let ids = try await makeMembers(a, 5, prefix: "sugg")
            let (me, other) = (ids[0], ids[4])
            func matches(_ s: any ContactStorage, _ owner: MemberID = me) async throws -> [String] {
                try await s.matchedContacts(of: [owner]).map { "\($0.owner.rawValue)>\($0.member.rawValue)>\($0.source.rawValue)" }
            }
            // What a store reading afresh finds, which the held answers must equal after every change.
            func expectCurrent(_ s: any ContactStorage, _ when: String) async throws {
                let fresh = try #require(try store.reopen() as? any ContactStorage)
                defer { Task { try? await fresh.close() } }
                #expect(try await s.dismissedSuggestions(me) == (try await fresh.dismissedSuggestions(me)), "\(when)")
                #expect(try await matches(s) == (try await matches(fresh)), "\(when)")
                #expect(try await s.matchedContacts(of: [me, other]).count == (try await fresh.matchedContacts(of: [me, other])).count)
            }
            // Both stores hold "none" first.
            for s in [a, b] {
                #expect(try await s.dismissedSuggestions(me).isEmpty)
                #expect(try await matches(s).isEmpty)
            }
            // A dismissal through `a`: its next read has it; `b` within the replay interval.
            try await a.dismissSuggestion(me, ids[1], at: Make.at(1))
            #expect(try await a.dismissedSuggestions(me) == [ids[1]])
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await b.dismissedSuggestions(me) == [ids[1]])
            // Another member's dismissal changes nothing of mine; dismissing through `b` is seen by `a`.
            try await b.dismissSuggestion(other, ids[2], at: Make.at(2))
            try await b.dismissSuggestion(me, ids[3], at: Make.at(3))
            #expect(try await b.dismissedSuggestions(me) == [ids[1], ids[3]])
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await a.dismissedSuggestions(me) == [ids[1], ids[3]])
            #expect(try await a.dismissedSuggestions(other) == [ids[2]])
            try await expectCurrent(a, "after dismissals")
            // Contacts: an unmatched card changes nothing; a matched one, imported through `a`, is seen by both.
            let empty = ProfileImportPlan(fields: ProfileFieldsChange(), positions: [], educations: [], skills: nil)
            _ = try await a.applyImport(empty, contacts: [Make.contact(owner: me, "名刺のみ", at: 4)], for: me, at: Make.at(4))
            #expect(try await matches(a).isEmpty)
            _ = try await a.applyImport(
                empty, contacts: [Make.contact(owner: me, "A", member: ids[2], at: 5), Make.contact(owner: me, "B", member: ids[3], source: .linkedin, at: 6)],
                for: me, at: Make.at(6))
            let both = ["\(me.rawValue)>\(ids[2].rawValue)>card", "\(me.rawValue)>\(ids[3].rawValue)>linkedin"]
            #expect(try await matches(a) == both)
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await matches(b) == both)
            try await expectCurrent(b, "after the import")
            // A matched member leaves (their contacts' match is cleared, their dismissal row goes): both stores follow.
            try await b.deleteMember(ids[3])
            #expect(try await matches(b) == [both[0]])
            #expect(try await b.dismissedSuggestions(me) == [ids[1]])
            try await Task.sleep(for: MemberCacheContractTests.afterReplay)
            #expect(try await matches(a) == [both[0]])
            #expect(try await a.dismissedSuggestions(me) == [ids[1]])
            try await expectCurrent(a, "after a member left")
        }
    }
}
