import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: ContactStore {
    /// Lists of emails and phones are stored one per line (a card's field never holds a line break).
    static func storedLines(_ values: [String]) -> String { values.joined(separator: "\n") }
    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    static func contact(_ row: PostgresRandomAccessRow) throws -> Contact {
        Contact(
            id: try row["id"].decode(String.self), owner: MemberID(try row["owner_id"].decode(String.self)),
            source: ContactSource(rawValue: try row["source"].decode(String.self)) ?? .card,
            card: ContactCard(
                name: try row["name"].decode(String.self), nameReading: try row["name_reading"].decode(String?.self),
                company: try row["company"].decode(String?.self), department: try row["department"].decode(String?.self),
                title: try row["title"].decode(String?.self), emails: lines(try row["emails"].decode(String.self)),
                phones: lines(try row["phones"].decode(String.self)), profileURL: try row["profile_url"].decode(String?.self),
                connectedOn: try row["connected_on"].decode(Int64?.self).map(StoredTime.date)),
            member: try row["matched_member_id"].decode(String?.self).map(MemberID.init),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)))
    }

    public func applyImport(_ plan: ProfileImportPlan, contacts: [Contact], for member: MemberID, at date: Date) async throws -> Int {
        // Before the transaction: keying 10,000 cards takes about half a second, with a connection held for nothing.
        let keys = await Contact.duplicateKeys(contacts)
        return try await transaction { c in
            let columns = ProfileColumns.of(plan.fields)
            if !columns.isEmpty {
                var bindings = PostgresBindings()
                var assignments: [String] = []
                // Column names come from `ProfileColumns`, a fixed list; every value is bound.
                for (column, value) in columns {
                    if let value { bindings.append(value) } else { bindings.appendNull() }
                    assignments.append("\(column) = $\(bindings.count)")
                }
                bindings.append(member.rawValue)
                try await c.query(
                    PostgresQuery(
                        unsafeSQL: "UPDATE members SET \(assignments.joined(separator: ", ")) WHERE id = $\(bindings.count)", binds: bindings),
                    logger: self.logger)
            }
            for position in plan.positions {
                try await Self.savePosition(position, member: member, at: date, c, self.logger)
            }
            for education in plan.educations {
                try await Self.saveEducation(education, member: member, isNew: true, at: date, c, self.logger)
            }
            if let skills = plan.skills { try await Self.replaceSkills(skills, member: member, c, self.logger) }
            for (offset, entry) in plan.entries.enumerated() {
                try await Self.saveEntry(
                    entry, body: try entry.encoded(), member: member, isNew: true, at: date.addingTimeInterval(Double(offset) / 1000), c,
                    self.logger)
            }
            if !plan.isEmpty { try await Self.touch(member, date, c, self.logger) }
            // One statement for all the contacts: 10,000 round trips would take seconds.
            var added = 0
            for start in stride(from: 0, to: contacts.count, by: 1_000) {
                let part = Array(contacts[start..<min(start + 1_000, contacts.count)])
                let partKeys = Array(keys[start..<min(start + 1_000, contacts.count)])
                let cards = part.map(\.card)
                // Arrays cannot hold NULL through the driver: empty text (and Int64.min) stand for none.
                for try await _ in try await c.query(
                    """
                    INSERT INTO contacts (id, owner_id, source, duplicate_key, name, name_reading, company, department, title, emails,
                      phones, profile_url, connected_on, matched_member_id, created_at)
                    SELECT id, \(member.rawValue), source, duplicate_key, name, NULLIF(name_reading, ''), NULLIF(company, ''),
                      NULLIF(department, ''), NULLIF(title, ''), emails, phones, NULLIF(profile_url, ''),
                      NULLIF(connected_on, \(Int64.min)), NULLIF(matched_member_id, ''), created_at
                    FROM UNNEST(\(part.map(\.id))::text[], \(part.map(\.source.rawValue))::text[], \(partKeys)::text[],
                      \(cards.map(\.name))::text[], \(cards.map { $0.nameReading ?? "" })::text[], \(cards.map { $0.company ?? "" })::text[],
                      \(cards.map { $0.department ?? "" })::text[], \(cards.map { $0.title ?? "" })::text[],
                      \(cards.map { Self.storedLines($0.emails) })::text[], \(cards.map { Self.storedLines($0.phones) })::text[],
                      \(cards.map { $0.profileURL ?? "" })::text[], \(cards.map { $0.connectedOn.map(StoredTime.millis) ?? Int64.min })::bigint[],
                      \(part.map { $0.member?.rawValue ?? "" })::text[], \(part.map { StoredTime.millis($0.createdAt) })::bigint[])
                      AS t(id, source, duplicate_key, name, name_reading, company, department, title, emails, phones, profile_url,
                        connected_on, matched_member_id, created_at)
                    ON CONFLICT (owner_id, duplicate_key) DO NOTHING RETURNING id
                    """, logger: self.logger)
                { added += 1 }
            }
            return added
        }
    }

    public func contacts(of owner: MemberID) async throws -> [Contact] {
        try await rows("SELECT * FROM contacts WHERE owner_id = \(owner.rawValue) ORDER BY created_at DESC, id DESC").map(Self.contact)
    }

    public func matchedContacts(of owners: [MemberID]) async throws -> [ContactMatch] {
        guard !owners.isEmpty else { return [] }
        // One owner's (a suggestions request's viewer) are held in memory; the contact triggers log the owner's change.
        if owners.count == 1 {
            await replayCacheChanges()
            return try await cache.contactMatches(of: owners[0]) { try await matchedContactsBySQL(of: owners) }
        }
        return try await matchedContactsBySQL(of: owners)
    }

    func matchedContactsBySQL(of owners: [MemberID]) async throws -> [ContactMatch] {
        try await rows(
            """
            SELECT owner_id, matched_member_id, source FROM contacts
            WHERE owner_id = ANY(\(owners.map(\.rawValue))) AND matched_member_id IS NOT NULL ORDER BY owner_id, created_at
            """
        ).map { row in
            (
                MemberID(try row["owner_id"].decode(String.self)), MemberID(try row["matched_member_id"].decode(String.self)),
                ContactSource(rawValue: try row["source"].decode(String.self)) ?? .card
            )
        }
    }

    public func memberIDs(emails: [String]) async throws -> [String: MemberID] {
        guard !emails.isEmpty else { return [:] }
        let pairs = try await rows("SELECT id, email FROM members WHERE email = ANY(\(emails.map { $0.lowercased() }))").map {
            (try $0["email"].decode(String.self), MemberID(try $0["id"].decode(String.self)))
        }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    public func currentMembers(companyKeys: [String]) async throws -> [CompanyMember] {
        guard !companyKeys.isEmpty else { return [] }
        // An import's match reads here every member of the companies its cards name, often 100,000: the rows are
        // decoded as they come, and the rare member with two current positions at one company is dropped here rather
        // than by a DISTINCT, whose sort spilled to disk.
        var members: [CompanyMember] = []
        do {
            for try await (id, key, name, reading) in try await client.query(
                """
                SELECT m.id, c.name_key, m.name, m.name_reading FROM companies c
                JOIN positions p ON p.company_id = c.id AND p.end_month IS NULL
                JOIN members m ON m.id = p.member_id
                WHERE c.name_key = ANY(\(companyKeys))
                """, logger: logger
            ).decode((String, String, String, String?).self) {
                members.append(CompanyMember(member: MemberID(id), companyKey: key, name: name, nameReading: reading))
            }
        } catch where Self.isNULText(error) {
            return []
        }
        return CompanyMember.withoutRepeats(members)
    }

    public func setVerifiedEmployer(_ companyID: String?, for member: MemberID) async throws {
        try await transaction { c in
            try await c.query("UPDATE members SET verified_company_id = \(companyID) WHERE id = \(member.rawValue)", logger: self.logger)
        }
    }

    public func verifiedEmployer(of member: MemberID) async throws -> CompanyRef? {
        await replayCacheChanges()
        if let held = cache.employer(member) { return held }
        let generation = cache.generation
        let employer = try await rows(
            "SELECT c.id, c.name FROM members m JOIN companies c ON c.id = m.verified_company_id WHERE m.id = \(member.rawValue)"
        ).first.map { CompanyRef(id: try $0["id"].decode(String.self), name: try $0["name"].decode(String.self)) }
        cache.store(employer: employer, of: member, generation: generation)
        return employer
    }

    public func sharingColleagues(at companyID: String) async throws -> [MemberID] {
        try await rows(
            "SELECT id FROM members WHERE verified_company_id = \(companyID) AND share_network_with_colleagues ORDER BY id"
        ).map { MemberID(try $0["id"].decode(String.self)) }
    }

    public func company(key: String) async throws -> CompanyRef? {
        try await rows("SELECT id, name FROM companies WHERE name_key = \(key)").first.map {
            CompanyRef(id: try $0["id"].decode(String.self), name: try $0["name"].decode(String.self))
        }
    }
}
