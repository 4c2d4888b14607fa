import Foundation
import Testing
import TsunagariCore

/// What every `Storage` must do, run against SQLite and PostgreSQL alike.
@Suite("Storage contract", .postgresTemplate)
struct StorageContractTests {
    // MARK: Members

    @Test("A new member reads back with every field", arguments: StorageKind.tested)
    func createAndReadBack(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let current = Make.draft(
                "株式会社メルカリ", title: "iOS エンジニア", start: "2021-04", end: nil, location: "東京都",
                description: "Swift で\nアプリを作る <b>&amp;</b>")
            let past = Make.draft("Sony Corp.", title: "Software Engineer", start: "2016-04", end: "2021-03", location: nil, description: nil)
            let older = Make.draft("ＳＯＮＹ", title: "Intern", start: "2014-01", end: "2016-03")
            let university = Make.education("東京大学", start: 2010, end: 2014)
            let mba = Make.education("Stanford University", degree: "MBA", field: nil, start: 2018, end: nil)
            var member = Make.member(
                "Taro-Yamada", email: "taro@example.test", role: .recruiter, visibility: .public, positions: [past, current, older],
                educations: [university, mba], skills: ["Swift", "英語", "SQL"],
                openToWork: OpenToWork(enabled: true, visibility: .everyone, titles: ["PM", "エンジニア"], locations: ["東京都", "Remote"]),
                created: Make.at(0))
            member.profile.fields = ProfileFields(
                name: "山田 太郎", nameReading: "やまだ たろう", handle: "Taro-Yamada", headline: "Swift engineer / iOS エンジニア",
                location: "東京都", industry: "IT・通信", about: "はじめまして。\nI build apps <script>&amp;</script> and tools.")
            member.profile.settings.connectionsVisibility = .onlyMe
            member.profile.settings.locale = .en
            try await s.createMember(member)
            let id = member.account.memberID

            #expect(try await s.account(email: "taro@example.test") == member.account)
            #expect(try await s.account(id: id) == member.account)
            #expect(try await s.memberCount() == 1)
            let profile = try #require(try await s.profile(id: id))
            #expect(profile.memberID == id)
            #expect(profile.role == .recruiter)
            #expect(profile.fields == member.profile.fields)
            #expect(profile.settings == member.profile.settings)
            #expect(profile.skills == ["Swift", "英語", "SQL"])
            // Educations: the unfinished one first, then by end year, newest first.
            #expect(profile.educations == [mba, university])
            #expect(profile.createdAt == Make.at(0))
            #expect(profile.updatedAt == Make.at(0))

            // Positions: current first, then by start month, newest first. Both Sony spellings are one company,
            // created by the first position saved.
            try #require(profile.positions.count == 3)
            let sony = profile.positions[1].company
            #expect(sony.id == past.newCompanyID)
            #expect(["Sony Corp.", "ＳＯＮＹ"].contains(sony.name))
            let expected = [
                Position(
                    id: current.id, company: CompanyRef(id: current.newCompanyID, name: "株式会社メルカリ"),
                    companyNameAsWritten: "株式会社メルカリ", title: "iOS エンジニア", location: "東京都", startMonth: Make.month("2021-04"),
                    endMonth: nil, description: "Swift で\nアプリを作る <b>&amp;</b>"),
                Position(
                    id: past.id, company: sony, companyNameAsWritten: "Sony Corp.", title: "Software Engineer", location: nil,
                    startMonth: Make.month("2016-04"), endMonth: Make.month("2021-03"), description: nil),
                Position(
                    id: older.id, company: sony, companyNameAsWritten: "ＳＯＮＹ", title: "Intern", location: "東京都",
                    startMonth: Make.month("2014-01"), endMonth: Make.month("2016-03"), description: "iOS アプリの開発"),
            ]
            #expect(profile.positions == expected)
            #expect(profile.currentPositions.map(\.id) == [current.id])

            #expect(try await s.company(id: current.newCompanyID) == Company(id: current.newCompanyID, name: "株式会社メルカリ", currentMemberCount: 1, pastMemberCount: 0))
            #expect(try await s.company(id: sony.id) == Company(id: sony.id, name: sony.name, currentMemberCount: 0, pastMemberCount: 1))
            // The unused company id of the second Sony position made no company.
            #expect(try await s.company(id: older.newCompanyID) == nil)
            // Asked twice (held the second time, or read again when the cache is off): the same answers.
            for _ in 0..<2 {
                #expect(try await s.companyExists(id: current.newCompanyID))
                #expect(try await s.companyExists(id: sony.id))
                #expect(try await !s.companyExists(id: older.newCompanyID))
                #expect(try await !s.companyExists(id: "no-such-company"))
            }
        }
    }

    @Test("createMember keeps the profile's updatedAt, also with positions and educations", arguments: StorageKind.tested)
    func createKeepsUpdatedAt(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            // An imported profile: created long ago, last changed an hour after.
            let member = Make.member(
                "imported", positions: [Make.draft("Acme Inc.")], educations: [Make.education("京都大学")], skills: ["Go"],
                created: Make.at(0), updated: Make.at(3_600))
            try await store.storage.createMember(member)
            let profile = try #require(try await store.storage.profile(id: member.account.memberID))
            #expect(profile.createdAt == Make.at(0))
            #expect(profile.updatedAt == Make.at(3_600))
        }
    }

    @Test("Email and handle conflicts; a refused member leaves nothing behind", arguments: StorageKind.tested)
    func conflicts(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let taro = Make.member("Taro", email: "taro@example.test")
            try await s.createMember(taro)

            let sameEmailDraft = Make.draft("Only Here Inc.")
            let sameEmail = Make.member("someone-else", email: "taro@example.test", positions: [sameEmailDraft])
            let emailError = await domainError { try await s.createMember(sameEmail) }
            #expect(emailError?.kind == .conflict)
            #expect(emailError?.code == "email_taken")

            let sameHandleDraft = Make.draft("Also Only Here Inc.")
            let sameHandle = Make.member("TARO", email: "other@example.test", positions: [sameHandleDraft], skills: ["Go"])
            let handleError = await domainError { try await s.createMember(sameHandle) }
            #expect(handleError?.kind == .conflict)
            #expect(handleError?.code == "handle_taken")

            #expect(try await s.memberCount() == 1)
            #expect(try await s.account(email: "other@example.test") == nil)
            #expect(try await s.profile(id: sameEmail.account.memberID) == nil)
            #expect(try await s.company(id: sameEmailDraft.newCompanyID) == nil)
            #expect(try await s.company(id: sameHandleDraft.newCompanyID) == nil)

            // A batch with one bad member writes none of them.
            let good1 = Make.member("good-one", positions: [Make.draft("Batch Co. Ltd.")])
            let good2 = Make.member("good-two")
            let bad = Make.member("bad-one", email: "taro@example.test")
            let batchError = await domainError { try await s.createMembers([good1, good2, bad]) }
            #expect(batchError?.code == "email_taken")
            #expect(try await s.memberCount() == 1)
            #expect(try await s.account(email: good1.account.email) == nil)
            #expect(try await s.memberID(handle: "good-one") == nil)
            #expect(try await s.company(id: good1.positions[0].newCompanyID) == nil)
        }
    }

    @Test("Writing the same members twice is a conflict, not a database error", arguments: StorageKind.tested)
    func sameMembersTwice(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let member = Make.member("twice", positions: [Make.draft("Acme Inc.")])
            try await s.createMember(member)
            let again = await domainError { try await s.createMember(member) }
            #expect(again?.kind == .conflict)

            // Loading the same sample data twice (`tsunagari demo` run again with the same seed).
            let sample = SampleData.members(count: 5, seed: 1, passwordHash: "plain:x", now: Make.t0)
            try await s.createMembers(sample)
            let reload = await domainError { try await s.createMembers(sample) }
            #expect(reload?.kind == .conflict)
            #expect(try await s.memberCount() == 6)
        }
    }

    @Test("memberID(handle:) ignores case", arguments: StorageKind.tested)
    func handleLookup(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let taro = Make.member("Taro-Yamada_1")
            let hanako = Make.member("hanako")
            try await s.createMembers([taro, hanako])
            for handle in ["Taro-Yamada_1", "taro-yamada_1", "TARO-YAMADA_1"] {
                #expect(try await s.memberID(handle: handle) == taro.account.memberID)
            }
            #expect(try await s.memberID(handle: "HANAKO") == hanako.account.memberID)
            #expect(try await s.memberID(handle: "taro-yamada") == nil)
            #expect(try await s.memberID(handle: "") == nil)
            #expect(try await s.memberID(handle: "' OR '1'='1") == nil)
        }
    }

    @Test("updateFields changes, clears and refuses a taken handle", arguments: StorageKind.tested)
    func updateFields(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let taro = Make.member("taro-yamada", created: Make.at(0))
            let hanako = Make.member("hanako", created: Make.at(0))
            try await s.createMembers([taro, hanako])
            let id = taro.account.memberID

            let full = ProfileFields(
                name: "Yamada Taro", nameReading: "やまだ たろう", handle: "Taro-Y", headline: "PM at メルカリ", location: "Osaka",
                industry: "Software", about: "line 1\nline 2")
            try await s.updateFields(full, for: id, at: Make.at(60))
            var profile = try #require(try await s.profile(id: id))
            #expect(profile.fields == full)
            #expect(profile.updatedAt == Make.at(60))
            #expect(profile.createdAt == Make.at(0))
            #expect(try await s.memberID(handle: "taro-yamada") == nil)
            #expect(try await s.memberID(handle: "taro-y") == id)

            let cleared = ProfileFields(name: "Yamada Taro", handle: "Taro-Y")
            try await s.updateFields(cleared, for: id, at: Make.at(120))
            profile = try #require(try await s.profile(id: id))
            #expect(profile.fields == cleared)
            #expect(profile.fields.headline == nil && profile.fields.about == nil && profile.fields.nameReading == nil)

            let error = await domainError {
                try await s.updateFields(ProfileFields(name: "Thief", handle: "HANAKO"), for: id, at: Make.at(180))
            }
            #expect(error?.kind == .conflict)
            #expect(error?.code == "handle_taken")
            profile = try #require(try await s.profile(id: id))
            #expect(profile.fields == cleared)
            #expect(profile.updatedAt == Make.at(120))

            // Changing only the case of one's own handle is no conflict.
            #expect(try await s.updateFields(ProfileFields(name: "Yamada Taro", handle: "TARO-y"), for: id, at: Make.at(240)))
            #expect(try await s.profile(id: id)?.fields.handle == "TARO-y")
            // The other member is untouched.
            #expect(try await s.profile(id: hanako.account.memberID)?.fields == hanako.profile.fields)

            // The write giving back the profile as written with its version: what a read right after it gives, the
            // member's other rows (positions, schools, skills) included.
            let versioned = try #require(s as? any VersionedProfileReading)
            #expect(try await s.savePosition(Make.draft("株式会社メルカリ", end: "2023-03"), for: id, at: Make.at(241)))
            #expect(try await s.savePosition(Make.draft("Sansan株式会社", location: nil, description: nil), for: id, at: Make.at(242)))
            #expect(try await s.saveEducation(Make.education("東京大学"), for: id, isNew: true, at: Make.at(243)))
            try await s.replaceSkills(["Swift", "営業"], for: id, at: Make.at(244))
            let changes: [(String, ProfileFieldsChange)] = [
                ("headline", ProfileFieldsChange(headline: .some("見出し"), about: .some(nil))),
                ("name", ProfileFieldsChange(name: "山田 太郎", nameReading: .some("やまだ たろう"))),
                ("handle", ProfileFieldsChange(handle: "Taro-Z")),
            ]
            for (step, change) in changes {
                let before = try #require(try await versioned.versionedProfile(id: id)).version
                let written = try #require(try await s.updateFieldsReading(change, for: id, at: Make.at(250)), "\(step)")
                let read = try #require(try await versioned.versionedProfile(id: id))
                #expect(written.profile == read.profile, "\(step)")
                #expect(written.version == read.version && written.version > before, "\(step)")
                #expect(written.profile.positions.count == 2 && written.profile.educations.count == 1 && written.profile.skills == ["Swift", "営業"])
            }
            #expect(try await s.profile(id: id)?.fields.headline == "見出し")
            #expect(try await s.updateFieldsReading(ProfileFieldsChange(headline: .some("Ghost")), for: MemberID(Make.id(404)), at: Make.at(300)) == nil)

            // No member, or a suspended one: false, and nothing written (a handle change neither).
            #expect(try await s.updateFields(ProfileFieldsChange(headline: .some("Ghost")), for: MemberID(Make.id(404)), at: Make.at(300)) == false)
            #expect(try await s.updateFields(ProfileFieldsChange(handle: "ghost"), for: MemberID(Make.id(404)), at: Make.at(300)) == false)
            #expect(try await s.memberID(handle: "ghost") == nil)
            let moderation = try #require(s as? any ModerationStore)
            let audit = AuditEntry(id: Make.id(9), at: Make.at(9), actor: "cli:ops", action: "member.suspend", subject: "member", detail: "")
            #expect(try await moderation.suspendMember(hanako.account.memberID, reason: "spam", audit: audit))
            #expect(try await s.updateFields(ProfileFieldsChange(headline: .some("Back")), for: hanako.account.memberID, at: Make.at(300)) == false)
            #expect(try await s.updateFieldsReading(ProfileFieldsChange(headline: .some("Back")), for: hanako.account.memberID, at: Make.at(300)) == nil)
            #expect(try await s.updateFields(ProfileFieldsChange(handle: "hanako-2"), for: hanako.account.memberID, at: Make.at(300)) == false)
            let suspended = try #require(try await s.profile(id: hanako.account.memberID, includingSuspended: true))
            #expect(suspended.fields == hanako.profile.fields)
            #expect(try await s.memberID(handle: "hanako-2") == nil)
        }
    }

    // MARK: Positions and companies

    @Test("savePosition inserts and updates; another member's position is refused", arguments: StorageKind.tested)
    func savePosition(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let a = Make.member("owner")
            let b = Make.member("intruder")
            try await s.createMembers([a, b])
            let ownerID = a.account.memberID
            let intruderID = b.account.memberID

            let draft = Make.draft("Acme Inc.", title: "Engineer", start: "2019-01")
            #expect(try await s.savePosition(draft, for: ownerID, at: Make.at(10)))
            var profile = try #require(try await s.profile(id: ownerID))
            #expect(profile.positions.map(\.title) == ["Engineer"])
            #expect(profile.positions.first?.company.id == draft.newCompanyID)
            #expect(profile.updatedAt == Make.at(10))

            var changed = draft
            changed.title = "Senior Engineer"
            changed.endMonth = Make.month("2022-06")
            changed.location = nil
            changed.description = "説明\n二行目"
            changed.newCompanyID = Make.id()
            #expect(try await s.savePosition(changed, for: ownerID, at: Make.at(20)))
            profile = try #require(try await s.profile(id: ownerID))
            try #require(profile.positions.count == 1)
            let saved = profile.positions[0]
            #expect(saved.id == draft.id)
            #expect(saved.title == "Senior Engineer")
            #expect(saved.endMonth == Make.month("2022-06"))
            #expect(saved.location == nil)
            #expect(saved.description == "説明\n二行目")
            #expect(saved.company.id == draft.newCompanyID)
            #expect(profile.updatedAt == Make.at(20))

            var stolen = draft
            stolen.title = "Hacked"
            #expect(try await s.savePosition(stolen, for: intruderID, at: Make.at(30)) == false)
            #expect(try await s.profile(id: ownerID)?.positions.map(\.title) == ["Senior Engineer"])
            #expect(try await s.profile(id: intruderID)?.positions.isEmpty == true)

            #expect(try await s.deletePosition(id: draft.id, for: intruderID, at: Make.at(40)) == false)
            #expect(try await s.deletePosition(id: Make.id(), for: ownerID, at: Make.at(40)) == false)
            #expect(try await s.profile(id: ownerID)?.positions.count == 1)
            #expect(try await s.deletePosition(id: draft.id, for: ownerID, at: Make.at(50)))
            profile = try #require(try await s.profile(id: ownerID))
            #expect(profile.positions.isEmpty)
            #expect(profile.updatedAt == Make.at(50))
            #expect(try await s.deletePosition(id: draft.id, for: ownerID, at: Make.at(60)) == false)
        }
    }

    @Test("Spellings of one company resolve to one company named by the most common spelling", arguments: StorageKind.tested)
    func companyResolution(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let a = Make.member("member-a")
            let b = Make.member("member-b")
            try await s.createMembers([a, b])
            let aID = a.account.memberID
            let bID = b.account.memberID

            var a1 = Make.draft("株式会社メルカリ", start: "2015-01", end: "2017-12")
            var a2 = Make.draft("株式会社メルカリ", start: "2018-01")
            var b1 = Make.draft("(株)メルカリ", start: "2019-04")
            #expect(try await s.savePosition(a1, for: aID, at: Make.at(1)))
            #expect(try await s.savePosition(a2, for: aID, at: Make.at(2)))
            #expect(try await s.savePosition(b1, for: bID, at: Make.at(3)))

            let mercari = a1.newCompanyID
            let positions = try #require(try await s.profile(id: aID)).positions + #require(try await s.profile(id: bID)).positions
            #expect(Set(positions.map(\.company.id)) == [mercari])
            #expect(Set(positions.map(\.company.name)) == ["株式会社メルカリ"])
            #expect(positions.map(\.companyNameAsWritten).sorted() == ["(株)メルカリ", "株式会社メルカリ", "株式会社メルカリ"].sorted())
            #expect(try await s.company(id: mercari)?.name == "株式会社メルカリ")
            #expect(try await s.company(id: b1.newCompanyID) == nil)

            // Member A switches to the short spelling: now three write (株)メルカリ.
            for index in [0, 1] {
                var draft = index == 0 ? a1 : a2
                draft.companyName = "(株)メルカリ"
                draft.companyKey = CompanyName.key(draft.companyName)
                if index == 0 { a1 = draft } else { a2 = draft }
                #expect(try await s.savePosition(draft, for: aID, at: Make.at(10 + index)))
            }
            #expect(try await s.company(id: mercari)?.name == "(株)メルカリ")
            #expect(try await s.profile(id: bID)?.positions.first?.company == CompanyRef(id: mercari, name: "(株)メルカリ"))

            // Member B's position moves to another company; both companies are renamed as needed.
            b1.companyName = "ソニー株式会社"
            b1.companyKey = CompanyName.key(b1.companyName)
            #expect(try await s.savePosition(b1, for: bID, at: Make.at(20)))
            let bPosition = try #require(try await s.profile(id: bID)?.positions.first)
            #expect(bPosition.company == CompanyRef(id: b1.newCompanyID, name: "ソニー株式会社"))
            #expect(try await s.company(id: mercari)?.name == "(株)メルカリ")
            #expect(try await s.company(id: mercari)?.currentMemberCount == 1)

            // Member A writes their past position another way: the spelling of a current member wins.
            a1.companyName = "メルカリ株式会社"
            a1.companyKey = CompanyName.key(a1.companyName)
            #expect(try await s.savePosition(a1, for: aID, at: Make.at(30)))
            #expect(try await s.company(id: mercari)?.name == "(株)メルカリ")
            // Members count, not positions: B comes back with three past positions spelled one way, and A's one
            // current spelling still names the company.
            for index in 0..<3 {
                let past = Make.draft("メルカリ株式会社", start: "200\(index)-01", end: "200\(index)-12")
                #expect(try await s.savePosition(past, for: bID, at: Make.at(31 + index)))
            }
            #expect(try await s.company(id: mercari)?.name == "(株)メルカリ")

            // Deleting a position renames too.
            #expect(try await s.deletePosition(id: a1.id, for: aID, at: Make.at(40)))
            #expect(try await s.company(id: mercari)?.name == "(株)メルカリ")
        }
    }

    @Test("Concurrent writers of a new company's name all land in one company", arguments: StorageKind.tested)
    func concurrentCompanyCreation(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let members = (0..<8).map { Make.member("writer-\($0)") }
            try await s.createMembers(members)
            let spellings = ["株式会社新会社", "(株)新会社", "新会社株式会社", "㈱新会社"]
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, member) in members.enumerated() {
                    let draft = Make.draft(spellings[index % spellings.count])
                    group.addTask { try await s.savePosition(draft, for: member.account.memberID, at: Make.at(index)) }
                }
                for try await saved in group { #expect(saved) }
            }
            var companies: Set<String> = []
            for member in members {
                let profile = try #require(try await s.profile(id: member.account.memberID))
                companies.formUnion(profile.positions.map(\.company.id))
            }
            #expect(companies.count == 1)
            let companyID = try #require(companies.first)
            let company = try #require(try await s.company(id: companyID))
            #expect(company.currentMemberCount == 8)
            #expect(spellings.contains(company.name))
        }
    }

    @Test("company(id:) counts current and past members once each", arguments: StorageKind.tested)
    func companyCounts(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let first = Make.draft("Acme Inc.", start: "2020-01")
            let current = Make.member("current", positions: [first])
            let past = Make.member("past", positions: [Make.draft("ACME, Inc.", start: "2015-01", end: "2018-12")])
            let returned = Make.member(
                "returned", positions: [Make.draft("Acme Inc.", start: "2010-01", end: "2012-12"), Make.draft("Acme", start: "2019-01")])
            let twicePast = Make.member(
                "twice-past",
                positions: [Make.draft("Acme Inc.", start: "2005-01", end: "2006-12"), Make.draft("Acme Inc.", start: "2008-01", end: "2009-12")])
            let elsewhereDraft = Make.draft("Other Corp.", start: "2021-01")
            let elsewhere = Make.member("elsewhere", positions: [elsewhereDraft])
            try await s.createMembers([current, past, returned, twicePast, elsewhere])

            let acme = first.newCompanyID
            #expect(try await s.company(id: acme) == Company(id: acme, name: "Acme Inc.", currentMemberCount: 2, pastMemberCount: 2))
            #expect(
                try await s.company(id: elsewhereDraft.newCompanyID)
                    == Company(id: elsewhereDraft.newCompanyID, name: "Other Corp.", currentMemberCount: 1, pastMemberCount: 0))
            #expect(try await s.company(id: Make.id()) == nil)
            #expect(try await s.company(id: "") == nil)
        }
    }

    // MARK: Other sections and settings

    @Test("Educations are saved, updated and deleted by their owner only", arguments: StorageKind.tested)
    func educations(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let a = Make.member("student")
            let b = Make.member("intruder")
            try await s.createMembers([a, b])
            let id = a.account.memberID
            let other = b.account.memberID

            let tokyo = Make.education("東京大学", start: 2010, end: 2014)
            let stanford = Make.education("Stanford University", degree: "MBA", field: nil, start: 2018, end: 2020)
            #expect(try await s.saveEducation(tokyo, for: id, isNew: true, at: Make.at(5)))
            #expect(try await s.saveEducation(stanford, for: id, isNew: true, at: Make.at(6)))
            var profile = try #require(try await s.profile(id: id))
            #expect(profile.educations == [stanford, tokyo])
            #expect(profile.updatedAt == Make.at(6))

            var changed = tokyo
            changed.degree = nil
            changed.field = "Computer Science"
            changed.startYear = nil
            changed.endYear = 2021
            #expect(try await s.saveEducation(changed, for: id, isNew: false, at: Make.at(7)))
            profile = try #require(try await s.profile(id: id))
            #expect(profile.educations == [changed, stanford])
            #expect(profile.updatedAt == Make.at(7))

            var hacked = changed
            hacked.school = "Hacked"
            #expect(try await s.saveEducation(hacked, for: other, isNew: false, at: Make.at(8)) == false)
            #expect(try await s.saveEducation(Make.education("Nowhere"), for: id, isNew: false, at: Make.at(8)) == false)
            #expect(try await s.deleteEducation(id: tokyo.id, for: other, at: Make.at(8)) == false)
            profile = try #require(try await s.profile(id: id))
            #expect(profile.educations == [changed, stanford])
            #expect(profile.updatedAt == Make.at(7))
            #expect(try await s.profile(id: other)?.educations.isEmpty == true)

            #expect(try await s.deleteEducation(id: tokyo.id, for: id, at: Make.at(9)))
            profile = try #require(try await s.profile(id: id))
            #expect(profile.educations == [stanford])
            #expect(profile.updatedAt == Make.at(9))
            #expect(try await s.deleteEducation(id: tokyo.id, for: id, at: Make.at(10)) == false)
        }
    }

    @Test("replaceSkills keeps the given order", arguments: StorageKind.tested)
    func skills(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let a = Make.member("skilled")
            let b = Make.member("bystander", skills: ["Go"])
            try await s.createMembers([a, b])
            let id = a.account.memberID

            try await s.replaceSkills(["Swift", "英語", "SQL", "B2B Sales", "C++"], for: id, at: Make.at(7))
            var profile = try #require(try await s.profile(id: id))
            #expect(profile.skills == ["Swift", "英語", "SQL", "B2B Sales", "C++"])
            #expect(profile.updatedAt == Make.at(7))
            try await s.replaceSkills(["SQL", "Swift"], for: id, at: Make.at(8))
            #expect(try await s.profile(id: id)?.skills == ["SQL", "Swift"])
            try await s.replaceSkills([], for: id, at: Make.at(9))
            profile = try #require(try await s.profile(id: id))
            #expect(profile.skills.isEmpty)
            #expect(profile.updatedAt == Make.at(9))
            #expect(try await s.profile(id: b.account.memberID)?.skills == ["Go"])
        }
    }

    @Test("updateSettings round-trips every setting, open-to-work lists and a nil locale", arguments: StorageKind.tested)
    func settings(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let a = Make.member("settled")
            let b = Make.member("bystander")
            try await s.createMembers([a, b])
            let id = a.account.memberID

            let chosen = ProfileSettings(
                profileVisibility: .public, connectionsVisibility: .onlyMe,
                openToWork: OpenToWork(
                    enabled: true, visibility: .everyone, titles: ["iOS Engineer", "プロダクトマネージャー", "a, \"quoted\" [title]"],
                    locations: ["東京都", "Remote"]),
                locale: .ja)
            try await s.updateSettings(chosen, for: id, at: Make.at(9))
            var profile = try #require(try await s.profile(id: id))
            #expect(profile.settings == chosen)
            #expect(profile.updatedAt == Make.at(9))

            let plain = ProfileSettings(
                profileVisibility: .connections, connectionsVisibility: .connections,
                openToWork: OpenToWork(enabled: false, visibility: .recruitersOnly, titles: [], locations: []), locale: nil)
            try await s.updateSettings(plain, for: id, at: Make.at(10))
            profile = try #require(try await s.profile(id: id))
            #expect(profile.settings == plain)
            #expect(profile.settings.locale == nil)

            for visibility in ProfileVisibility.allCases {
                for locale in [AppLocale.en, .ja, nil] {
                    var settings = plain
                    settings.profileVisibility = visibility
                    settings.locale = locale
                    try await s.updateSettings(settings, for: id, at: Make.at(11))
                    #expect(try await s.profile(id: id)?.settings == settings)
                }
            }
            #expect(try await s.profile(id: b.account.memberID)?.settings == ProfileSettings())
        }
    }

    // MARK: Sessions and throttling

    @Test("Sessions are created, read and deleted, one or all but one", arguments: StorageKind.tested)
    func sessions(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let a = Make.member("session-a")
            let b = Make.member("session-b")
            try await s.createMembers([a, b])
            let aID = a.account.memberID
            let bID = b.account.memberID

            let s1 = Make.session(aID, "hash-1", kind: .web, at: 0)
            let s2 = Make.session(aID, "hash-2", kind: .api, at: 10)
            let s3 = Make.session(aID, "hash-3", kind: .web, at: 20)
            let sb = Make.session(bID, "hash-b", kind: .web, at: 5)
            for session in [s3, s1, sb, s2] { try await s.createSession(session) }

            #expect(try await s.session(tokenHash: "hash-2") == s2)
            #expect(try await s.session(tokenHash: "hash-b") == sb)
            #expect(try await s.session(tokenHash: "hash-9") == nil)
            #expect(try await s.sessions(of: aID) == [s1, s2, s3])

            try await s.deleteSession(tokenHash: "hash-1")
            #expect(try await s.session(tokenHash: "hash-1") == nil)
            #expect(try await s.sessions(of: aID) == [s2, s3])
            try await s.deleteSession(tokenHash: "hash-1")

            try await s.deleteSessions(of: aID, except: "hash-3")
            #expect(try await s.sessions(of: aID) == [s3])
            #expect(try await s.sessions(of: bID) == [sb])

            try await s.createSession(s1)
            try await s.deleteSessions(of: aID, except: nil)
            #expect(try await s.sessions(of: aID).isEmpty)
            #expect(try await s.sessions(of: bID) == [sb])
            // Another member's token is not an exception for this member.
            try await s.createSession(s1)
            try await s.deleteSessions(of: aID, except: "hash-b")
            #expect(try await s.sessions(of: aID).isEmpty)
            #expect(try await s.session(tokenHash: "hash-b") == sb)
        }
    }

    @Test("Throttle attempts are counted per key, oldest first, cleared and pruned", arguments: StorageKind.tested)
    func throttle(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let account = "login:account:taro@example.test"
            let address = "login:addr:192.0.2.1"
            for seconds in [20, 0, 10] { try await s.recordAttempt(key: account, at: Make.at(seconds)) }
            try await s.recordAttempt(key: address, at: Make.at(5))
            try await s.recordAttempt(key: address, at: Make.at(5))

            #expect(try await s.attempts(key: account, since: Make.at(5)) == [Make.at(10), Make.at(20)])
            #expect(try await s.attempts(key: account, since: Make.at(0)) == [Make.at(0), Make.at(10), Make.at(20)])
            #expect(try await s.attempts(key: account, since: Make.at(21)).isEmpty)
            #expect(try await s.attempts(key: address, since: Make.at(0)) == [Make.at(5), Make.at(5)])
            #expect(try await s.attempts(key: "login:account:nobody", since: Make.at(-1_000)).isEmpty)
            #expect(try await s.attemptCount(key: account, since: Make.at(5)) == 2)
            #expect(try await s.attemptCount(key: account, since: Make.at(0)) == 3)
            #expect(try await s.attemptCount(key: address, since: Make.at(0)) == 2)
            #expect(try await s.attemptCount(key: "login:account:nobody", since: Make.at(-1_000)) == 0)

            try await s.clearAttempts(key: account)
            #expect(try await s.attempts(key: account, since: Make.at(-1_000)).isEmpty)
            #expect(try await s.attempts(key: address, since: Make.at(0)).count == 2)

            try await s.recordAttempt(key: account, at: Make.at(30))
            try await s.recordAttempt(key: account, at: Make.at(40))
            try await s.pruneAttempts(before: Make.at(35))
            #expect(try await s.attempts(key: account, since: Make.at(-1_000)) == [Make.at(40)])
            #expect(try await s.attempts(key: address, since: Make.at(-1_000)).isEmpty)
        }
    }

    @Test("Reserving attempts is atomic: of many parallel reservations only the limit pass, on every key at once", arguments: StorageKind.tested)
    func reserveAttemptsAtomically(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let key = "search:day:member-1"
            let other = "search:month:member-1"
            let limits = [
                AttemptReservation(key: key, limit: 5, since: Make.at(0)), AttemptReservation(key: other, limit: 100, since: Make.at(0)),
            ]
            let passed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<24 {
                    group.addTask { try await s.reserveAttempt(limits, at: Make.at(10 + index % 3)) == nil }
                }
                var count = 0
                for try await ok in group where ok { count += 1 }
                return count
            }
            #expect(passed == 5)
            // All or nothing: the refused ones recorded nothing under the other key either.
            #expect(try await s.attemptCount(key: key, since: Make.at(0)) == 5)
            #expect(try await s.attemptCount(key: other, since: Make.at(0)) == 5)

            // Refused, with the time whose leaving the window frees a place: the 5th newest.
            let times = try await s.attempts(key: key, since: Make.at(0))
            let refused = try #require(try await s.reserveAttempt(limits, at: Make.at(20)))
            #expect(refused.index == 0)
            #expect(refused.freedBy == times[times.count - 5])
            // Attempts before `since` do not count.
            #expect(try await s.reserveAttempt([AttemptReservation(key: key, limit: 5, since: Make.at(13))], at: Make.at(20)) == nil)

            // Releasing takes back exactly one attempt.
            try await s.releaseAttempt(key: key, at: Make.at(20))
            #expect(try await s.attemptCount(key: key, since: Make.at(0)) == 5)
            #expect(try await s.reserveAttempt([AttemptReservation(key: key, limit: 6, since: Make.at(0))], at: Make.at(21)) == nil)
            #expect(try await s.attemptCount(key: key, since: Make.at(0)) == 6)
        }
    }

    @Test("Section visibility is stored with the settings and given with the cards", arguments: StorageKind.tested)
    func sectionVisibilityRoundTrip(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let member = Make.member("sections")
            try await s.createMember(member)
            let id = member.account.memberID
            var settings = try #require(try await s.profile(id: id)).settings
            #expect(settings.sectionVisibility == SectionVisibilities())
            settings.sectionVisibility[.positions] = .connections
            settings.sectionVisibility[.educations] = .onlyMe
            try await s.updateSettings(settings, for: id, at: Make.at(5))
            #expect(try await s.profile(id: id)?.settings.sectionVisibility == settings.sectionVisibility)
            #expect(try await (try store.network).memberCards(ids: [id]).first?.sectionVisibility == settings.sectionVisibility)
        }
    }

    @Test("Clearing a key clears the keys below it (key|…) and no other", arguments: StorageKind.tested)
    func clearAttemptsBelowKey(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            for key in ["login:account:a@example.test", "login:account:a@example.test|192.0.2.1", "login:account:a@example.test.jp",
                "login:account:b@example.test|192.0.2.1"]
            {
                try await s.recordAttempt(key: key, at: Make.at(1))
            }
            try await s.clearAttempts(key: "login:account:a@example.test")
            #expect(try await s.attemptCount(key: "login:account:a@example.test", since: Make.at(0)) == 0)
            #expect(try await s.attemptCount(key: "login:account:a@example.test|192.0.2.1", since: Make.at(0)) == 0)
            #expect(try await s.attemptCount(key: "login:account:a@example.test.jp", since: Make.at(0)) == 1)
            #expect(try await s.attemptCount(key: "login:account:b@example.test|192.0.2.1", since: Make.at(0)) == 1)
        }
    }

    // MARK: Deletion

    @Test("deleteMember erases everything the member owns and renames their companies", arguments: StorageKind.tested)
    func deleteMember(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let aCurrent = Make.draft("株式会社メルカリ", start: "2020-01")
            let aPast = Make.draft("株式会社メルカリ", start: "2015-01", end: "2019-12")
            let leaving = Make.member(
                "Leaving", email: "leaving@example.test", positions: [aCurrent, aPast],
                educations: [Make.education("大阪大学")], skills: ["Swift", "SQL"], created: Make.at(0))
            let staying = Make.member("staying", positions: [Make.draft("(株)メルカリ", start: "2018-01")], created: Make.at(10))
            try await s.createMember(leaving)
            try await s.createMember(staying)
            let leavingID = leaving.account.memberID
            let stayingID = staying.account.memberID
            try await s.createSession(Make.session(leavingID, "leaving-web"))
            try await s.createSession(Make.session(leavingID, "leaving-api", kind: .api, at: 1))
            try await s.createSession(Make.session(stayingID, "staying-web"))
            let mercari = aCurrent.newCompanyID
            #expect(try await s.company(id: mercari)?.name == "株式会社メルカリ")
            #expect(try await s.company(id: mercari)?.currentMemberCount == 2)

            try await s.deleteMember(leavingID)

            #expect(try await s.profile(id: leavingID) == nil)
            #expect(try await s.account(id: leavingID) == nil)
            #expect(try await s.account(email: "leaving@example.test") == nil)
            #expect(try await s.memberID(handle: "leaving") == nil)
            #expect(try await s.sessions(of: leavingID).isEmpty)
            #expect(try await s.session(tokenHash: "leaving-web") == nil)
            #expect(try await s.session(tokenHash: "leaving-api") == nil)
            #expect(try await s.memberCount() == 1)
            // The company now shows the spelling of those who remain, and counts only them.
            #expect(try await s.company(id: mercari) == Company(id: mercari, name: "(株)メルカリ", currentMemberCount: 1, pastMemberCount: 0))
            // The other member is untouched.
            #expect(try await s.profile(id: stayingID)?.positions.count == 1)
            #expect(try await s.session(tokenHash: "staying-web") != nil)

            // Nothing of the old member survives to be picked up by a new account with the same id, email and handle.
            var again = Make.member("Leaving", email: "leaving@example.test", created: Make.at(100))
            again.account.memberID = leavingID
            again.profile.memberID = leavingID
            try await s.createMember(again)
            let fresh = try #require(try await s.profile(id: leavingID))
            #expect(fresh.positions.isEmpty)
            #expect(fresh.educations.isEmpty)
            #expect(fresh.skills.isEmpty)
            #expect(try await s.sessions(of: leavingID).isEmpty)
            #expect(try await s.company(id: mercari)?.currentMemberCount == 1)

            // Deleting someone who does not exist changes nothing.
            try await s.deleteMember(MemberID(Make.id()))
            #expect(try await s.memberCount() == 2)
        }
    }

    // MARK: Bulk, durability, housekeeping

    @Test("createMembers writes 200 sample members with their companies", arguments: StorageKind.tested)
    func bulkSampleData(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let members = SampleData.members(count: 200, seed: 2024, passwordHash: "plain:" + SampleData.password, now: Make.t0)
            try await s.createMembers(members)
            #expect(try await s.memberCount() == 200)

            var companyIDsByKey: [String: Set<String>] = [:]
            var namesByCompany: [String: String] = [:]
            for member in members {
                let id = member.account.memberID
                #expect(try await s.account(email: member.account.email) == member.account)
                let profile = try #require(try await s.profile(id: id))
                #expect(profile.fields == member.profile.fields)
                #expect(profile.settings == member.profile.settings)
                #expect(profile.skills == member.profile.skills)
                #expect(profile.educations == member.profile.educations)
                #expect(profile.role == member.profile.role)
                #expect(Set(profile.positions.map(\.id)) == Set(member.positions.map(\.id)))
                for position in profile.positions {
                    let draft = try #require(member.positions.first { $0.id == position.id })
                    #expect(position.companyNameAsWritten == draft.companyName)
                    #expect(position.title == draft.title)
                    #expect(position.startMonth == draft.startMonth)
                    #expect(position.endMonth == draft.endMonth)
                    companyIDsByKey[draft.companyKey, default: []].insert(position.company.id)
                    namesByCompany[position.company.id] = position.company.name
                }
            }
            // One company per key, and one key per company.
            #expect(companyIDsByKey.values.allSatisfy { $0.count == 1 })
            #expect(Set(companyIDsByKey.values.flatMap { $0 }).count == companyIDsByKey.count)

            // Each company is named by its most common spelling (where one spelling is clearly most common)
            // and counts its current and past members.
            let drafts = members.flatMap { member in member.positions.map { (member: member.account.memberID, draft: $0) } }
            for (key, entries) in Dictionary(grouping: drafts, by: \.draft.companyKey) {
                let companyID = try #require(companyIDsByKey[key]?.first)
                let company = try #require(try await s.company(id: companyID))
                #expect(company.name == namesByCompany[companyID])
                // Named by the spelling of the most current members, then of the most members ever.
                let current = Dictionary(grouping: entries.filter { $0.draft.endMonth == nil }, by: \.draft.companyName)
                    .mapValues { Set($0.map(\.member)).count }
                let ever = Dictionary(grouping: entries, by: \.draft.companyName).mapValues { Set($0.map(\.member)).count }
                func rank(_ name: String) -> [Int] { [current[name] ?? 0, ever[name] ?? 0] }
                let top = ever.keys.map(rank).max { $0.lexicographicallyPrecedes($1) }!
                let leaders = ever.keys.filter { rank($0) == top }
                if leaders.count == 1 { #expect(company.name == leaders[0], "company \(key)") }
                let currentMembers = Set(entries.filter { $0.draft.endMonth == nil }.map(\.member))
                let pastMembers = Set(entries.filter { $0.draft.endMonth != nil }.map(\.member)).subtracting(currentMembers)
                #expect(company.currentMemberCount == currentMembers.count, "company \(key)")
                #expect(company.pastMemberCount == pastMembers.count, "company \(key)")
            }
        }
    }

    @Test("A newly opened store sees what was written, and the other way round", arguments: StorageKind.tested)
    func reopen(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            let member = Make.member("durable", positions: [Make.draft("Acme Inc.")], skills: ["Swift"])
            try await s.createMember(member)
            try await s.createSession(Make.session(member.account.memberID, "durable-token"))
            let written = try await s.profile(id: member.account.memberID)

            let reopened = try store.reopen()
            do {
                try await reopened.migrate()
                #expect(try await reopened.memberCount() == 1)
                #expect(try await reopened.profile(id: member.account.memberID) == written)
                #expect(try await reopened.session(tokenHash: "durable-token")?.memberID == member.account.memberID)
                try await reopened.replaceSkills(["Go"], for: member.account.memberID, at: Make.at(99))
                // Another store's write reaches what this one keeps in memory within one replay interval (MemberCache).
                try await Task.sleep(for: MemberCacheContractTests.afterReplay)
                #expect(try await s.profile(id: member.account.memberID)?.skills == ["Go"])
                try await reopened.close()
            } catch {
                try? await reopened.close()
                throw error
            }
        }
    }

    @Test("ping answers and migrate is safe to repeat", arguments: StorageKind.tested)
    func housekeeping(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = store.storage
            try await s.ping()
            try await s.createMember(Make.member("kept"))
            try await s.migrate()
            try await s.migrate()
            #expect(try await s.memberCount() == 1)
            #expect(try await s.memberID(handle: "kept") != nil)
        }
    }
}
