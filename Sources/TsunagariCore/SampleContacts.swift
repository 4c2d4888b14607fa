import Foundation

/// Demo data for "Your data": business cards and imported connections for the first sample member (some of them
/// members of the site, some not), and a verified employer shared by the first member's colleagues, half of whom share
/// their network, so that "Reach through your colleagues" has something to show. Deterministic for a seed.
enum SampleContacts {
    static func fill(
        _ storage: any ContactStore & Storage, members: [NewMember], connections: [(MemberID, MemberID, Date)], seed: UInt64, now: Date
    ) async throws {
        guard let first = members.first, let employer = first.positions.last(where: { $0.endMonth == nil }) else { return }
        var g = SampleData.Generator(seed: seed &+ 41)
        let owner = first.account.memberID
        let connected = Set(connections.compactMap { $0.0 == owner ? $0.1 : $0.1 == owner ? $0.0 : nil })
        // Cards of members the first member does not know yet, as they would be typed from a card.
        let strangers = members.dropFirst().filter { !connected.contains($0.account.memberID) && $0.positions.contains { $0.endMonth == nil } }
        var cards: [Contact] = []
        for (index, member) in strangers.shuffled(using: &g).prefix(6).enumerated() {
            guard let position = member.positions.last(where: { $0.endMonth == nil }) else { continue }
            let card = ContactCard(
                name: member.profile.name, nameReading: member.profile.fields.nameReading, company: position.companyName,
                title: position.title, emails: index == 0 ? [member.account.email] : [], phones: ["03-\(5000 + index * 111)-\(1000 + index * 7)"])
            cards.append(
                Contact(
                    id: OpaqueID.make(at: now.addingTimeInterval(Double(index)), using: &g), owner: owner, source: index < 4 ? .card : .linkedin,
                    card: card, member: member.account.memberID, createdAt: now.addingTimeInterval(Double(index))))
        }
        // And people who are not members (yet).
        let outsiders: [(String, String?, String, String)] = [
            ("森 直樹", "もり なおき", "株式会社さくら物産", "営業部長"), ("Grace Tan", nil, "Harbor Analytics Pte. Ltd.", "Head of Data"),
            ("清水 彩", "しみず あや", "みどり法律事務所", "弁護士"),
        ]
        for (index, outsider) in outsiders.enumerated() {
            let card = ContactCard(name: outsider.0, nameReading: outsider.1, company: outsider.2, title: outsider.3)
            cards.append(
                Contact(
                    id: OpaqueID.make(at: now.addingTimeInterval(Double(10 + index)), using: &g), owner: owner, source: .card, card: card,
                    member: nil, createdAt: now.addingTimeInterval(Double(10 + index))))
        }
        let nothing = ProfileImportPlan(fields: ProfileFieldsChange(), positions: [], educations: [], skills: nil)
        _ = try await storage.applyImport(nothing, contacts: cards, for: owner, at: now)

        // The first member and up to 40 colleagues at their employer are verified there; every other one shares.
        guard let company = try await storage.company(key: employer.companyKey) else { return }
        let colleagues = members.filter { member in
            member.positions.contains { $0.endMonth == nil && $0.companyKey == employer.companyKey }
        }.prefix(41)
        for (index, member) in colleagues.enumerated() {
            try await storage.setVerifiedEmployer(company.id, for: member.account.memberID)
            guard index % 2 == 1, var profile = try await storage.profile(id: member.account.memberID) else { continue }
            profile.settings.shareNetworkWithColleagues = true
            try await storage.updateSettings(profile.settings, for: member.account.memberID, at: now)
        }
    }
}
