import Foundation
import Testing
@testable import TsunagariCore

@Suite("SampleData")
struct SampleDataTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func generate(count: Int = 120, seed: UInt64) -> [NewMember] {
        SampleData.members(count: count, seed: seed, passwordHash: "hash", now: now)
    }

    @Test("The same seed gives the same members")
    func sameSeed() {
        let a = Self.generate(seed: 11)
        let b = Self.generate(seed: 11)
        #expect(a.count == 120)
        #expect(a.map(\.account.email) == b.map(\.account.email))
        #expect(a.map(\.account.memberID) == b.map(\.account.memberID))
        #expect(a.map(\.profile.fields) == b.map(\.profile.fields))
        #expect(a.map(\.profile.skills) == b.map(\.profile.skills))
        #expect(a.map { $0.positions.map(\.companyName) } == b.map { $0.positions.map(\.companyName) })
        #expect(a.map(\.positions) == b.map(\.positions))
        #expect(a.map(\.profile) == b.map(\.profile))
    }

    @Test("Another seed gives other members")
    func otherSeed() {
        let a = Self.generate(seed: 11)
        let b = Self.generate(seed: 12)
        #expect(a.map(\.profile.fields.name) != b.map(\.profile.fields.name))
        #expect(a.map { $0.positions.map(\.companyName) } != b.map { $0.positions.map(\.companyName) })
        #expect(Set(a.map(\.account.memberID)).isDisjoint(with: b.map(\.account.memberID)))
    }

    @Test("Members are unique, valid and well-formed")
    func valid() throws {
        let members = Self.generate(count: 300, seed: 3)
        #expect(Set(members.map(\.account.email)).count == members.count)
        #expect(Set(members.map { Handle.key($0.profile.fields.handle) }).count == members.count)
        #expect(Set(members.map(\.account.memberID)).count == members.count)
        for member in members {
            #expect(member.account.memberID == member.profile.memberID)
            #expect(member.account.role == member.profile.role)
            #expect(OpaqueID.isWellFormed(member.account.memberID.rawValue))
            #expect(try EmailAddress.canonical(member.account.email) == member.account.email)
            #expect(try Handle.validate(member.profile.fields.handle) == member.profile.fields.handle)
            let fields = member.profile.fields
            #expect(try TextRule.required(fields.name, field: "Name", limit: TextLimit.name) == fields.name)
            #expect(try TextRule.optional(fields.headline, field: "Headline", limit: TextLimit.headline) == fields.headline)
            #expect(try TextRule.optional(fields.about, field: "About", limit: TextLimit.about, multiline: true) == fields.about)
            #expect(!member.positions.isEmpty)
            #expect(member.positions.filter { $0.endMonth == nil }.count <= 1)
            for (index, position) in member.positions.enumerated() {
                #expect(position.companyKey == CompanyName.key(position.companyName))
                #expect(try TextRule.required(position.companyName, field: "Company", limit: TextLimit.companyName) == position.companyName)
                if let end = position.endMonth { #expect(!(end < position.startMonth)) }
                // Only the last position may be current.
                if position.endMonth == nil { #expect(index == member.positions.count - 1) }
            }
            #expect(Set(member.profile.skills).count == member.profile.skills.count)
        }
        // The mix the generator promises: recruiters, every visibility, open to work, several languages.
        #expect(members.contains { $0.profile.role == .recruiter })
        #expect(Set(members.map(\.profile.settings.profileVisibility)) == Set(ProfileVisibility.allCases))
        #expect(members.contains { $0.profile.settings.openToWork.enabled })
        #expect(Set(members.map(\.profile.settings.locale)) == [.ja, .en, nil])
    }

    @Test("Every spelling of one catalogue company maps to one key, and companies do not share keys")
    func catalogueSpellings() {
        var keys: Set<String> = []
        for company in 0..<SampleData.companyCount {
            let spellings = SampleData.companySpellings(company)
            #expect(spellings.count > 1)
            let companyKeys = Set(spellings.map(CompanyName.key))
            #expect(companyKeys.count == 1, "company \(company): \(spellings) → \(companyKeys)")
            if let key = companyKeys.first { keys.insert(key) }
        }
        #expect(keys.count == SampleData.companyCount)
    }

    @Test("Generated positions use more than one spelling of the same company")
    func spellingsVary() {
        let members = Self.generate(count: 400, seed: 5)
        let byKey = Dictionary(grouping: members.flatMap(\.positions), by: \.companyKey)
        #expect(byKey.values.contains { Set($0.map(\.companyName)).count > 1 })
        // Heavy tail: the largest company has many more positions than the median one.
        let sizes = byKey.values.map(\.count).sorted()
        #expect(sizes.last! >= 4 * sizes[sizes.count / 2])
    }

    @Test("The generator repeats its sequence for a seed")
    func generator() {
        var a = SampleData.Generator(seed: 99)
        var b = SampleData.Generator(seed: 99)
        var c = SampleData.Generator(seed: 100)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        #expect(Set(first).count == 8)
    }
}
