import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: ContactStore {
    /// Lists of emails and phones are stored one per line (a card's field never holds a line break).
    static func storedLines(_ values: [String]) -> String { values.joined(separator: "\n") }
    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    static func contact(_ row: Row) -> Contact {
        Contact(
            id: row["id"], owner: MemberID(row["owner_id"]), source: ContactSource(rawValue: row["source"]) ?? .card,
            card: ContactCard(
                name: row["name"], nameReading: row["name_reading"], company: row["company"], department: row["department"],
                title: row["title"], emails: lines(row["emails"]), phones: lines(row["phones"]), profileURL: row["profile_url"],
                connectedOn: (row["connected_on"] as Int64?).map(StoredTime.date)),
            member: (row["matched_member_id"] as String?).map(MemberID.init), createdAt: StoredTime.date(row["created_at"]))
    }

    public func applyImport(_ plan: ProfileImportPlan, contacts: [Contact], for member: MemberID, at date: Date) async throws -> Int {
        // Before the write: keying 10,000 cards takes about half a second, which other writers need not wait for.
        let keys = await Contact.duplicateKeys(contacts)
        return try await write { db in
            let columns = ProfileColumns.of(plan.fields)
            if !columns.isEmpty {
                var arguments = StatementArguments(columns.map(\.value))
                arguments += [member.rawValue]
                try db.execute(
                    cached: "UPDATE members SET \(columns.map { "\($0.column) = ?" }.joined(separator: ", ")) WHERE id = ?", arguments: arguments)
            }
            var companies = Set<String>()
            for position in plan.positions {
                try Self.savePosition(position, member: member, at: date, db, renaming: &companies)
            }
            for company in companies.sorted() { try Self.refreshCompanyName(company, db) }
            for education in plan.educations {
                try Self.saveEducation(education, member: member, isNew: true, at: date, db)
            }
            if let skills = plan.skills { try Self.replaceSkills(skills, member: member, db) }
            for (offset, entry) in plan.entries.enumerated() {
                try Self.saveEntry(
                    entry, body: try entry.encoded(), member: member, isNew: true, at: date.addingTimeInterval(Double(offset) / 1000), db)
            }
            if !plan.isEmpty { try Self.touch(member, date, db) }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO contacts (id, owner_id, source, duplicate_key, name, name_reading, company, department, title, emails,
                      phones, profile_url, connected_on, matched_member_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner_id, duplicate_key) DO NOTHING
                    """)
            var added = 0
            for (contact, key) in zip(contacts, keys) {
                let card = contact.card
                try insert.execute(arguments: [
                    contact.id, member.rawValue, contact.source.rawValue, key, card.name, card.nameReading, card.company,
                    card.department, card.title, Self.storedLines(card.emails), Self.storedLines(card.phones), card.profileURL,
                    card.connectedOn.map(StoredTime.millis), contact.member?.rawValue, StoredTime.millis(contact.createdAt),
                ])
                added += db.changesCount
            }
            return added
        }
    }

    public func contacts(of owner: MemberID) async throws -> [Contact] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM contacts WHERE owner_id = ? ORDER BY created_at DESC, id DESC", arguments: [owner.rawValue]
            ).map(Self.contact)
        }
    }

    public func matchedContacts(of owners: [MemberID]) async throws -> [ContactMatch] {
        guard !owners.isEmpty else { return [] }
        // One owner's (a suggestions request's viewer) are held in memory; the contact triggers log the owner's change.
        if owners.count == 1 {
            try await replayCacheChanges()
            return try await cache.contactMatches(of: owners[0]) { try await matchedContactsBySQL(of: owners) }
        }
        return try await matchedContactsBySQL(of: owners)
    }

    func matchedContactsBySQL(of owners: [MemberID]) async throws -> [ContactMatch] {
        try await pool.read { db in
            try Self.inSlices(owners.map(\.rawValue)) { part, marks in
                try Row.fetchAll(
                    cached: db,
                    sql: """
                        SELECT owner_id, matched_member_id, source FROM contacts
                        WHERE owner_id IN (\(marks)) AND matched_member_id IS NOT NULL ORDER BY owner_id, created_at
                        """, arguments: StatementArguments(part)
                ).map { row in
                    (MemberID(row["owner_id"]), MemberID(row["matched_member_id"]), ContactSource(rawValue: row["source"]) ?? .card)
                }
            }
        }
    }

    public func memberIDs(emails: [String]) async throws -> [String: MemberID] {
        guard !emails.isEmpty else { return [:] }
        let pairs: [(String, MemberID)] = try await pool.read { db in
            try Self.inSlices(emails.map { $0.lowercased() }) { part, marks in
                try Row.fetchAll(cached: db, sql: "SELECT id, email FROM members WHERE email IN (\(marks))", arguments: StatementArguments(part))
                    .map { row in (row["email"], MemberID(row["id"])) }
            }
        }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    public func currentMembers(companyKeys: [String]) async throws -> [CompanyMember] {
        guard !companyKeys.isEmpty else { return [] }
        // An import's match reads here every member of the companies its cards name, often 100,000: columns are read
        // by position from a cursor, and the rare member with two current positions at one company is dropped here
        // rather than by a DISTINCT, whose temporary B-tree took longer than the join.
        let members = try await pool.read { db in
            try Self.inSlices(companyKeys) { part, marks -> [CompanyMember] in
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT m.id, c.name_key, m.name, m.name_reading FROM companies c
                        JOIN positions p ON p.company_id = c.id AND p.end_month IS NULL
                        JOIN members m ON m.id = p.member_id
                        WHERE c.name_key IN (\(marks))
                        """, arguments: StatementArguments(part))
                var found: [CompanyMember] = []
                while let row = try rows.next() {
                    found.append(CompanyMember(member: MemberID(row[0]), companyKey: row[1], name: row[2], nameReading: row[3]))
                }
                return found
            }
        }
        return CompanyMember.withoutRepeats(members)
    }

    public func setVerifiedEmployer(_ companyID: String?, for member: MemberID) async throws {
        try await write { db in
            try db.execute(cached: "UPDATE members SET verified_company_id = ? WHERE id = ?", arguments: [companyID, member.rawValue])
        }
    }

    public func verifiedEmployer(of member: MemberID) async throws -> CompanyRef? {
        try await replayCacheChanges()
        if let held = cache.employer(member) { return held }
        let generation = cache.generation
        let employer = try await pool.read { db in
            try Row.fetchOne(
                cached: db, sql: "SELECT c.id, c.name FROM members m JOIN companies c ON c.id = m.verified_company_id WHERE m.id = ?",
                arguments: [member.rawValue]
            ).map { CompanyRef(id: $0["id"], name: $0["name"]) }
        }
        cache.store(employer: employer, of: member, generation: generation)
        return employer
    }

    public func sharingColleagues(at companyID: String) async throws -> [MemberID] {
        try await pool.read { db in
            try String.fetchAll(
                cached: db, sql: "SELECT id FROM members WHERE verified_company_id = ? AND share_network_with_colleagues ORDER BY id",
                arguments: [companyID]
            ).map(MemberID.init)
        }
    }

    public func company(key: String) async throws -> CompanyRef? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT id, name FROM companies WHERE name_key = ?", arguments: [key])
                .map { CompanyRef(id: $0["id"], name: $0["name"]) }
        }
    }
}
