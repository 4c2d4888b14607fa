import Foundation
import Testing
import TsunagariCore

/// Certifications, languages, projects, volunteer work, contact details, photos and handles given up, on SQLite and
/// PostgreSQL alike.
@Suite("Profile sections storage contract", .postgresTemplate)
struct ProfileEntriesContractTests {
    static let toeic = Certification(id: "c1", name: "TOEIC", issuer: "IIBC", obtained: Make.month("2023-06"), score: "905")
    static let fe = Certification(
        id: "c2", name: "基本情報技術者", issuer: "IPA", obtained: Make.month("2019-11"), expires: nil, credentialID: "FE-2019-123",
        url: "https://www.ipa.go.jp/")
    static let english = LanguageSkill(id: "l1", name: "英語", level: .business)
    static let japanese = LanguageSkill(id: "l2", name: "Japanese", level: .native, jlpt: .n1)

    @Test("Entries are saved, read back sorted, replaced, deleted; each write raises the profile's time", arguments: StorageKind.tested)
    func entries(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let member = try await makeMembers(s, 2)
            let (x, y) = (member[0], member[1])
            #expect(try await s.saveEntry(.certification(Self.fe), for: x, isNew: true, at: Make.at(10)))
            #expect(try await s.saveEntry(.certification(Self.toeic), for: x, isNew: true, at: Make.at(11)))
            #expect(try await s.saveEntry(.language(Self.english), for: x, isNew: true, at: Make.at(12)))
            #expect(try await s.saveEntry(.language(Self.japanese), for: x, isNew: true, at: Make.at(13)))
            let project = Project(id: "p1", name: "決済基盤の刷新", role: "テックリード", url: "https://example.test/pay", start: Make.month("2021-04"))
            let volunteer = VolunteerRole(id: "v1", organization: "Code for Japan", role: "Mentor", cause: "Civic tech", start: Make.month("2020-01"))
            #expect(try await s.saveEntry(.project(project), for: x, isNew: true, at: Make.at(14)))
            #expect(try await s.saveEntry(.volunteering(volunteer), for: x, isNew: true, at: Make.at(15)))

            var profile = try #require(try await s.profile(id: x))
            // Certifications newest first; languages as added.
            #expect(profile.certifications == [Self.toeic, Self.fe])
            #expect(profile.languages == [Self.english, Self.japanese])
            #expect(profile.projects == [project] && profile.volunteering == [volunteer])
            #expect(profile.updatedAt == Make.at(15))
            // Another member's profile holds none of them.
            #expect(try await s.profile(id: y)?.entries.isEmpty == true)

            // Replacing an entry of theirs; an entry id of someone else (or of another kind) replaces nothing.
            var changed = Self.toeic
            changed.score = "945"
            #expect(try await s.saveEntry(.certification(changed), for: x, isNew: false, at: Make.at(20)))
            #expect(try await !s.saveEntry(.certification(changed), for: y, isNew: false, at: Make.at(21)))
            #expect(try await !s.saveEntry(.language(LanguageSkill(id: "c1", name: "x", level: .basic)), for: x, isNew: false, at: Make.at(21)))
            profile = try #require(try await s.profile(id: x))
            #expect(profile.certifications.first?.score == "945" && profile.updatedAt == Make.at(20))

            #expect(try await !s.deleteEntry(kind: .language, id: "l1", for: y, at: Make.at(30)))
            #expect(try await s.deleteEntry(kind: .language, id: "l1", for: x, at: Make.at(30)))
            #expect(try await !s.deleteEntry(kind: .language, id: "l1", for: x, at: Make.at(31)))
            profile = try #require(try await s.profile(id: x))
            #expect(profile.languages == [Self.japanese] && profile.updatedAt == Make.at(30))

            // A new member's entries and contact details are written with the member (sample data, imports).
            var new = Make.member("with-entries")
            new.profile.certifications = [Self.fe]
            new.profile.languages = [Self.english, Self.japanese]
            new.profile.contact = ContactInfo(email: "work@example.test", phone: "03-1234-5678")
            try await s.createMembers([new])
            let read = try #require(try await s.profile(id: new.account.memberID))
            #expect(read.certifications == [Self.fe] && read.languages == [Self.english, Self.japanese])
            #expect(read.contact == new.profile.contact)

            // Deleting the member deletes their entries.
            try await s.deleteMember(x)
            #expect(try await s.profile(id: x) == nil)
        }
    }

    @Test("Contact details round-trip with each detail's audience", arguments: StorageKind.tested)
    func contact(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let x = try await makeMembers(s, 1)[0]
            #expect(try await s.profile(id: x)?.contact.isEmpty == true)
            let contact = ContactInfo(
                email: "taro@example.test", emailVisibility: .connections, phone: "+81 90-1234-5678", phoneVisibility: .onlyMe,
                websites: [Website(url: "https://taro.example.test/", label: "ブログ")], websitesVisibility: .connections)
            try await s.updateContact(contact, for: x, at: Make.at(5))
            let profile = try #require(try await s.profile(id: x))
            #expect(profile.contact == contact && profile.updatedAt == Make.at(5))
        }
    }

    @Test("A photo is stored in every size, replaced whole, served by id and removed", arguments: StorageKind.tested)
    func photos(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            guard let s = store.storage as? any Storage & PhotoStore & NetworkStore else { Issue.record("\(kind) has no PhotoStore"); return }
            let ids = try await makeMembers(s, 2)
            let (x, y) = (ids[0], ids[1])
            let first = ProcessedPhoto(id: String(repeating: "a", count: 64), images: [.large: [0xFF, 0xD8, 1, 2, 3], .small: [0xFF, 0xD8, 4]])
            try await s.setPhoto(first, kind: .photo, for: x, at: Make.at(1))
            #expect(try await s.profile(id: x)?.photo == PhotoRef(id: first.id))
            #expect(try await s.profile(id: x)?.banner == nil)
            #expect(try await s.photoImage(id: first.id, variant: .large) == [0xFF, 0xD8, 1, 2, 3])
            #expect(try await s.photoImage(id: first.id, variant: .small) == [0xFF, 0xD8, 4])
            #expect(try await s.memberCards(ids: [x]).first?.photo == PhotoRef(id: first.id))

            // The same picture uploaded by someone else is theirs too; replacing x's deletes only x's.
            try await s.setPhoto(first, kind: .photo, for: y, at: Make.at(2))
            let second = ProcessedPhoto(id: String(repeating: "b", count: 64), images: [.large: [9], .small: [8]])
            try await s.setPhoto(second, kind: .photo, for: x, at: Make.at(3))
            #expect(try await s.profile(id: x)?.photo == PhotoRef(id: second.id))
            #expect(try await s.photoImage(id: second.id, variant: .large) == [9])
            #expect(try await s.photoImage(id: first.id, variant: .large) == [0xFF, 0xD8, 1, 2, 3])

            let banner = ProcessedPhoto(id: String(repeating: "c", count: 64), images: [.large: [7, 7], .small: [7]])
            try await s.setPhoto(banner, kind: .banner, for: x, at: Make.at(4))
            #expect(try await s.profile(id: x)?.banner == PhotoRef(id: banner.id))
            #expect(try await s.profile(id: x)?.photo == PhotoRef(id: second.id))

            #expect(try await s.removePhoto(kind: .photo, for: x, at: Make.at(5)))
            #expect(try await !s.removePhoto(kind: .photo, for: x, at: Make.at(6)))
            #expect(try await s.profile(id: x)?.photo == nil)
            #expect(try await s.photoImage(id: second.id, variant: .large) == nil)
            #expect(try await s.profile(id: x)?.banner != nil)
            #expect(try await s.memberCards(ids: [x]).first?.photo == nil)

            // A deleted member's photos go with them.
            try await s.deleteMember(y)
            #expect(try await s.photoImage(id: first.id, variant: .small) == nil)
        }
    }

    @Test("A handle given up stays its member's: the old one names them, and no one else may take it", arguments: StorageKind.tested)
    func handles(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let ids = try await makeMembers(s, 2, prefix: "person")
            let (x, y) = (ids[0], ids[1])
            let oldHandle = try #require(try await s.profile(id: x)?.handle)
            let now = Date()
            var change = ProfileFieldsChange()
            change.handle = "taro-new"
            try await s.updateFields(change, for: x, at: now)
            #expect(try await s.memberID(handle: "taro-new") == x)
            #expect(try await s.memberID(handle: oldHandle) == nil)
            #expect(try await s.formerHandleOwner(oldHandle, at: now) == x)
            #expect(try await s.formerHandleOwner(oldHandle.uppercased(), at: now) == x)
            // After the reservation it names no one.
            #expect(try await s.formerHandleOwner(oldHandle, at: now.addingTimeInterval(Handle.reservation + 60)) == nil)

            // Someone else cannot take it meanwhile, neither by a change nor by signing up.
            var steal = ProfileFieldsChange()
            steal.handle = oldHandle
            let refused = await domainError { try await s.updateFields(steal, for: y, at: now) }
            #expect(refused?.code == "handle_taken")
            let signup = await domainError { try await s.createMember(Make.member(oldHandle, email: "other@example.test", created: now)) }
            #expect(signup?.code == "handle_taken")
            // After the reservation they can.
            try await s.updateFields(steal, for: y, at: now.addingTimeInterval(Handle.reservation + 60))
            #expect(try await s.memberID(handle: oldHandle) == y)

            // The member may take a handle of theirs back; it is then no longer a former one.
            var back = ProfileFieldsChange()
            back.handle = "taro-second"
            try await s.updateFields(back, for: x, at: now)
            back.handle = "taro-new"
            try await s.updateFields(back, for: x, at: now)
            #expect(try await s.memberID(handle: "taro-new") == x)
            #expect(try await s.formerHandleOwner("taro-new", at: now) == nil)
            #expect(try await s.formerHandleOwner("taro-second", at: now) == x)
        }
    }

    @Test("The sitemap lists public, active, verified profiles by handle", arguments: StorageKind.tested)
    func publicProfiles(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let members = [
                Make.member("b-public", visibility: .public), Make.member("a-public", visibility: .public),
                Make.member("c-members", visibility: .members), Make.member("d-public-suspended", visibility: .public),
            ]
            try await s.createMembers(members)
            if let m = s as? any ModerationStore {
                let suspended = members[3].account.memberID
                _ = try await m.suspendMember(
                    suspended, reason: "spam",
                    audit: AuditEntry(id: Make.id(9), at: Make.at(9), actor: "cli:ops", action: "member.suspend", subject: "member", detail: ""))
            }
            #expect(try await s.publicProfileCount() == 2)
            #expect(try await s.publicProfiles(offset: 0, limit: 10).map(\.handle) == ["a-public", "b-public"])
            #expect(try await s.publicProfiles(offset: 1, limit: 10).map(\.handle) == ["b-public"])
        }
    }
}
