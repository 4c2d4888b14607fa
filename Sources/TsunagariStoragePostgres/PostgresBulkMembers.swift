import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// One value of a row written by a multi-row insert.
enum BulkValue {
    case text(String?)
    case bigint(Int64?)
    case int(Int?)
    case bool(Bool)

    func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .text(let value): bindings.append(value)
        case .bigint(let value): bindings.append(value)
        case .int(let value): bindings.append(value)
        case .bool(let value): bindings.append(value)
        }
    }
}

extension PostgresStorage {
    /// Bound parameters per statement; the protocol allows 65,535.
    static let parametersPerStatement = 30_000

    /// `INSERT INTO table (columns) VALUES ($1, …), (…) suffix`, as few statements as the parameter limit allows.
    /// Only placeholders are written into the SQL; every value is bound.
    static func insertRows(
        into table: String, columns: [String], rows: [[BulkValue]], suffix: String = "", _ c: PostgresConnection,
        _ logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, parametersPerStatement / columns.count)
        var start = 0
        while start < rows.count {
            let end = min(start + perStatement, rows.count)
            var bindings = PostgresBindings(capacity: (end - start) * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(end - start)
            var parameter = 0
            for row in rows[start..<end] {
                precondition(row.count == columns.count)
                var marks: [String] = []
                for value in row {
                    parameter += 1
                    marks.append("$\(parameter)")
                    value.bind(into: &bindings)
                }
                tuples.append("(" + marks.joined(separator: ", ") + ")")
            }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) \(suffix)"
            try await c.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            start = end
        }
    }

    /// Many new members in a few statements per table, with the same result as inserting them one by one:
    /// a company per distinct key (created by the first position naming it), then every company renamed to its
    /// most common spelling once all positions are in.
    static func insertMany(_ members: [NewMember], _ c: PostgresConnection, _ logger: Logger) async throws {
        if let first = members.first {
            // A handle someone gave up lately stays theirs (`Handle.reservation`).
            let keys = members.map { Handle.key($0.profile.fields.handle) }
            let since = StoredTime.millis(first.profile.createdAt.addingTimeInterval(-Handle.reservation))
            for try await _ in try await c.query(
                "SELECT 1 FROM handle_history WHERE handle_key = ANY(\(keys)::text[]) AND released_at > \(since) LIMIT 1", logger: logger)
            {
                throw DomainError(.conflict, code: "handle_taken", message: "This handle is taken.")
            }
        }
        try await insertRows(
            into: "members",
            columns: [
                "id", "email", "password_hash", "role", "name", "name_reading", "handle", "handle_key", "headline", "location",
                "industry", "about", "profile_visibility", "connections_visibility", "open_to_work_enabled",
                "open_to_work_visibility", "open_to_work_titles", "open_to_work_locations", "locale", "created_at", "updated_at",
                "section_visibility", "email_verified",
            ],
            rows: members.map { member in
                let a = member.account
                let p = member.profile
                let f = p.fields
                let s = p.settings
                return [
                    .text(a.memberID.rawValue), .text(a.email), .text(a.passwordHash), .text(a.role.rawValue), .text(f.name),
                    .text(f.nameReading), .text(f.handle), .text(Handle.key(f.handle)), .text(f.headline), .text(f.location),
                    .text(f.industry), .text(f.about), .text(s.profileVisibility.rawValue), .text(s.connectionsVisibility.rawValue),
                    .bool(s.openToWork.enabled), .text(s.openToWork.visibility.rawValue),
                    .text(StoredList.encode(s.openToWork.titles)), .text(StoredList.encode(s.openToWork.locations)),
                    .text(s.locale?.rawValue), .bigint(StoredTime.millis(p.createdAt)), .bigint(StoredTime.millis(p.updatedAt)),
                    .text(s.sectionVisibility.stored), .bool(a.emailVerified),
                ]
            }, c, logger)

        // Companies: one row per distinct key, from the first draft that names it.
        var firstByKey: [String: (draft: PositionDraft, at: Int64)] = [:]
        var keys: [String] = []
        for member in members {
            for draft in member.positions where firstByKey[draft.companyKey] == nil {
                firstByKey[draft.companyKey] = (draft, StoredTime.millis(member.profile.updatedAt))
                keys.append(draft.companyKey)
            }
        }
        var companyByKey: [String: String] = [:]
        if !keys.isEmpty {
            try await insertRows(
                into: "companies", columns: ["id", "name_key", "name", "created_at"],
                rows: keys.map { key in
                    let first = firstByKey[key]!
                    return [.text(first.draft.newCompanyID), .text(key), .text(first.draft.companyName), .bigint(first.at)]
                }, suffix: "ON CONFLICT (name_key) DO NOTHING", c, logger)
            for try await (id, key) in try await c.query(
                "SELECT id, name_key FROM companies WHERE name_key = ANY(\(keys)::text[])", logger: logger
            ).decode((String, String).self) { companyByKey[key] = id }

            // A position id that already belongs to someone is skipped, as savePosition refuses another's position.
            try await insertRows(
                into: "positions",
                columns: [
                    "id", "member_id", "company_id", "company_name", "title", "location", "start_month", "end_month", "description",
                    "created_at",
                ],
                rows: members.flatMap { member in
                    member.positions.map { d -> [BulkValue] in
                        [
                            .text(d.id), .text(member.account.memberID.rawValue), .text(companyByKey[d.companyKey]),
                            .text(d.companyName), .text(d.title), .text(d.location), .text(d.startMonth.description),
                            .text(d.endMonth?.description), .text(d.description), .bigint(StoredTime.millis(member.profile.updatedAt)),
                        ]
                    }
                }, suffix: "ON CONFLICT (id) DO NOTHING", c, logger)

            let companies = Array(Set(companyByKey.values))
            try await c.query(
                """
                UPDATE companies SET name = best.company_name
                FROM (
                  SELECT DISTINCT ON (company_id) company_id, company_name
                  FROM (SELECT company_id, company_name,
                          COUNT(DISTINCT member_id) FILTER (WHERE end_month IS NULL) AS current_members,
                          COUNT(DISTINCT member_id) AS members, MIN(created_at) AS first
                        FROM positions WHERE company_id = ANY(\(companies)::text[]) GROUP BY company_id, company_name) spellings
                  ORDER BY company_id, current_members DESC, members DESC, first, company_name COLLATE "C"
                ) best
                WHERE companies.id = best.company_id
                """, logger: logger)
        }

        try await insertRows(
            into: "educations",
            columns: ["id", "member_id", "school", "school_key", "degree", "field", "start_year", "end_year", "created_at"],
            rows: members.flatMap { member in
                member.profile.educations.map { e -> [BulkValue] in
                    [
                        .text(e.id), .text(member.account.memberID.rawValue), .text(e.school), .text(SchoolKey.key(e.school)),
                        .text(e.degree), .text(e.field), .int(e.startYear), .int(e.endYear),
                        .bigint(StoredTime.millis(member.profile.updatedAt)),
                    ]
                }
            }, c, logger)

        try await insertRows(
            into: "skills", columns: ["member_id", "ordinal", "name"],
            rows: members.flatMap { member in
                member.profile.skills.enumerated().map { ordinal, skill -> [BulkValue] in
                    [.text(member.account.memberID.rawValue), .int(ordinal), .text(skill)]
                }
            }, c, logger)

        try await insertRows(
            into: "profile_entries", columns: ["member_id", "kind", "id", "body", "created_at"],
            rows: try members.flatMap { member in
                try member.profile.entries.enumerated().map { offset, entry -> [BulkValue] in
                    // A millisecond apart, so that they keep their order when read back.
                    [
                        .text(member.account.memberID.rawValue), .text(entry.kind.rawValue), .text(entry.id), .text(try entry.encoded()),
                        .bigint(StoredTime.millis(member.profile.updatedAt) + Int64(offset)),
                    ]
                }
            }, c, logger)
        for member in members where !member.profile.contact.isEmpty {
            try await c.query(
                "UPDATE members SET contact_info = \(member.profile.contact.stored) WHERE id = \(member.account.memberID.rawValue)",
                logger: logger)
        }
    }
}
