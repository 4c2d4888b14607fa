import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

typealias ContactStorage = ContactStore & NetworkStore & Storage

extension TestStore {
    var contactStore: any ContactStorage {
        get throws { try #require(storage as? any ContactStorage, "\(kind) storage does not implement ContactStore") }
    }
}

extension Make {
    static func contact(
        owner: MemberID, _ name: String, company: String? = nil, emails: [String] = [], member: MemberID? = nil, source: ContactSource = .card,
        at seconds: Int = 0
    ) -> Contact {
        Contact(
            id: id(seconds), owner: owner, source: source,
            card: ContactCard(
                name: name, nameReading: "やまだ たろう", company: company, department: "営業部", title: "部長", emails: emails,
                phones: ["03-1234-5678", "090-1111-2222"], profileURL: source == .linkedin ? "https://www.linkedin.com/in/x" : nil,
                connectedOn: source == .linkedin ? at(seconds) : nil),
            member: member, createdAt: at(seconds))
    }
}

/// What every `ContactStore` must do, on SQLite and PostgreSQL alike.
@Suite("Contact storage contract", .postgresTemplate)
struct ContactContractTests {
    @Test("An import writes fields, positions, educations, skills and contacts at once; the same contacts again add nothing", arguments: StorageKind.tested)
    func importsOnce(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.contactStore
            let ids = try await makeMembers(s, 2)
            let plan = ProfileImportPlan(
                fields: ProfileFieldsChange(headline: .some("Platform engineer"), about: .some("I build things.\nAnd teams.")),
                positions: [Make.draft("株式会社つながり", title: "Engineer", start: "2021-04"), Make.draft("Old Corp", start: "2015-01", end: "2021-03")],
                educations: [Make.education("京都大学")], skills: ["Swift", "PostgreSQL"])
            let contacts = [
                Make.contact(owner: ids[0], "山田 太郎", company: "株式会社テスト", emails: ["taro@example.test"], member: ids[1], at: 1),
                Make.contact(owner: ids[0], "Hanako Sato", company: nil, source: .linkedin, at: 2),
            ]
            #expect(try await s.applyImport(plan, contacts: contacts, for: ids[0], at: Make.at(10)) == 2)
            let profile = try #require(try await s.profile(id: ids[0]))
            #expect(profile.headline == "Platform engineer")
            #expect(profile.fields.about == "I build things.\nAnd teams.")
            #expect(Set(profile.positions.map(\.companyNameAsWritten)) == ["株式会社つながり", "Old Corp"])
            #expect(profile.educations.map(\.school) == ["京都大学"])
            #expect(profile.skills == ["Swift", "PostgreSQL"])

            let stored = try await s.contacts(of: ids[0])
            #expect(stored.map(\.card.name) == ["Hanako Sato", "山田 太郎"])
            #expect(stored.last == contacts[0])
            #expect(stored.first == contacts[1])
            #expect(try await s.contacts(of: ids[1]).isEmpty)

            // The same people from the same kind of file, with new ids: nothing is added.
            let again = [
                Make.contact(owner: ids[0], "山田  太郎", company: "株式会社テスト", emails: ["TARO@example.test"], at: 5),
                Make.contact(owner: ids[0], "Hanako Sato", source: .linkedin, at: 6),
                Make.contact(owner: ids[0], "Hanako Sato", source: .card, at: 7),
            ]
            let empty = ProfileImportPlan(fields: ProfileFieldsChange(), positions: [], educations: [], skills: nil)
            #expect(try await s.applyImport(empty, contacts: again, for: ids[0], at: Make.at(20)) == 1)
            #expect(try await s.contacts(of: ids[0]).count == 3)
        }
    }

    @Test("A failed import keeps nothing: the contacts and the profile's changes go together", arguments: StorageKind.tested)
    func atomic(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.contactStore
            let ids = try await makeMembers(s, 1)
            let plan = ProfileImportPlan(
                fields: ProfileFieldsChange(headline: .some("Imported")), positions: [Make.draft("Acme")], educations: [], skills: ["Go"])
            // A contact naming a member who does not exist breaks the foreign key: the whole import is rolled back.
            let broken = [Make.contact(owner: ids[0], "Ghost", member: MemberID(Make.id(99)), at: 1)]
            await #expect(throws: (any Error).self) { try await s.applyImport(plan, contacts: broken, for: ids[0], at: Make.at(5)) }
            let profile = try #require(try await s.profile(id: ids[0]))
            #expect(profile.headline == nil)
            #expect(profile.positions.isEmpty)
            #expect(profile.skills.isEmpty)
            #expect(try await s.contacts(of: ids[0]).isEmpty)
        }
    }

    @Test("Matching reads members by email and by current company; matched contacts are listed per owner", arguments: StorageKind.tested)
    func matching(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.contactStore
            let ids = try await makeMembers(s, 4)
            #expect(try await s.savePosition(Make.draft("株式会社つながり", start: "2020-01"), for: ids[1], at: Make.at(0)))
            #expect(try await s.savePosition(Make.draft("つながり株式会社", start: "2019-01", end: "2020-01"), for: ids[2], at: Make.at(0)))
            try await s.updateFields(ProfileFieldsChange(nameReading: .some("やまだ たろう")), for: ids[1], at: Make.at(1))

            let emails = try await s.memberIDs(emails: ["MEMBER-0@example.test", "member-3@example.test", "nobody@example.test"])
            #expect(emails.count == 2)
            let byEmail = Dictionary(try await makeEmails(s, ids), uniquingKeysWith: { a, _ in a })
            #expect(emails["member-0@example.test"] == byEmail["member-0@example.test"])

            let key = CompanyName.key("株式会社つながり")
            let current = try await s.currentMembers(companyKeys: [key, "nothing-here"])
            // Only the member who works there now; the one who left is not there.
            #expect(current.map(\.member) == [ids[1]])
            #expect(current.first?.nameReading == "やまだ たろう")
            #expect(current.first?.companyKey == key)
            #expect(try await s.company(key: key)?.name.contains("つながり") == true)

            let contacts = [
                Make.contact(owner: ids[0], "A", member: ids[1], at: 1), Make.contact(owner: ids[0], "B", at: 2),
                Make.contact(owner: ids[3], "C", member: ids[1], source: .linkedin, at: 3),
            ]
            let empty = ProfileImportPlan(fields: ProfileFieldsChange(), positions: [], educations: [], skills: nil)
            _ = try await s.applyImport(empty, contacts: Array(contacts[0...1]), for: ids[0], at: Make.at(5))
            _ = try await s.applyImport(empty, contacts: [contacts[2]], for: ids[3], at: Make.at(5))
            let matched = try await s.matchedContacts(of: [ids[0], ids[3]])
            #expect(Set(matched.map { "\($0.owner.rawValue)>\($0.member.rawValue)>\($0.source.rawValue)" })
                == ["\(ids[0].rawValue)>\(ids[1].rawValue)>card", "\(ids[3].rawValue)>\(ids[1].rawValue)>linkedin"])
            #expect(try await s.matchedContacts(of: [ids[1]]).isEmpty)

            // The matched member leaves: the cards stay as typed, unmatched; the importer leaves: their cards go.
            try await s.deleteMember(ids[1])
            #expect(try await s.contacts(of: ids[0]).map(\.member) == [nil, nil])
            try await s.deleteMember(ids[0])
            #expect(try await s.contacts(of: ids[0]).isEmpty)
            #expect(try await s.contacts(of: ids[3]).count == 1)
        }
    }

    @Test("A verified employer is set and cleared by id; only colleagues who share are listed", arguments: StorageKind.tested)
    func verifiedEmployer(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.contactStore
            let ids = try await makeMembers(s, 3)
            #expect(try await s.savePosition(Make.draft("株式会社つながり"), for: ids[0], at: Make.at(0)))
            let company = try #require(try await s.profile(id: ids[0])?.currentPositions.first?.company)
            #expect(try await s.verifiedEmployer(of: ids[0]) == nil)
            for member in ids { try await s.setVerifiedEmployer(company.id, for: member) }
            #expect(try await s.verifiedEmployer(of: ids[1]) == company)
            #expect(try await s.sharingColleagues(at: company.id).isEmpty)
            for member in [ids[0], ids[2]] {
                var settings = try #require(try await s.profile(id: member)).settings
                settings.shareNetworkWithColleagues = true
                try await s.updateSettings(settings, for: member, at: Make.at(1))
            }
            #expect(try await s.profile(id: ids[2])?.settings.shareNetworkWithColleagues == true)
            #expect(try await s.profile(id: ids[1])?.settings.shareNetworkWithColleagues == false)
            #expect(try await s.sharingColleagues(at: company.id) == [ids[0], ids[2]].sorted())
            try await s.setVerifiedEmployer(nil, for: ids[2])
            #expect(try await s.verifiedEmployer(of: ids[2]) == nil)
            #expect(try await s.sharingColleagues(at: company.id) == [ids[0]])
        }
    }

    func makeEmails(_ s: any ContactStorage, _ ids: [MemberID]) async throws -> [(String, MemberID)] {
        var pairs: [(String, MemberID)] = []
        for id in ids { if let account = try await s.account(id: id) { pairs.append((account.email, id)) } }
        return pairs
    }
}
