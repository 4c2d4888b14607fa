import Foundation

/// One employer or school of a member, as the shared-affiliation question (people you may know, former colleagues)
/// needs it: which organisation, its name, and when.
public struct AffiliationRow: Sendable, Equatable {
    public enum Key: Hashable, Sendable {
        /// A company, by id.
        case company(String)
        /// A school, by its key (NFKC, lower-cased, trimmed name).
        case school(String)

        var kind: SharedAffiliation.Kind {
            switch self {
            case .company: .company
            case .school: .school
            }
        }

        var id: String {
            switch self {
            case .company(let id), .school(let id): id
            }
        }

        /// The company ids and the school keys among `keys`, for a storage read of each kind.
        public static func split(_ keys: [Key]) -> (companies: [String], schools: [String]) {
            var companies: [String] = []
            var schools: [String] = []
            for key in keys {
                switch key {
                case .company(let id): companies.append(id)
                case .school(let key): schools.append(key)
                }
            }
            return (companies, schools)
        }
    }

    public var member: MemberID
    public var key: Key
    /// The company's name, or the school as this member wrote it.
    public var name: String
    /// The span, in months (year × 12 + month − 1) for a position and in years for a school, both ends included.
    /// `from` is nil when unknown: such a span overlaps nothing.
    public var from: Int?
    public var to: Int

    public init(member: MemberID, key: Key, name: String, from: Int?, to: Int) {
        self.member = member
        self.key = key
        self.name = name
        self.from = from
        self.to = to
    }

    /// A position: months as stored (`YYYY-MM`), an open end as 9999-12.
    public static func position(member: MemberID, companyID: String, name: String, start: String, end: String?) -> AffiliationRow {
        AffiliationRow(
            member: member, key: .company(companyID), name: name, from: month(start), to: end.flatMap(month) ?? month("9999-12")!)
    }

    /// A school: from the start year (or the end year alone) to the end year (open when only the start is known).
    public static func education(member: MemberID, schoolKey: String, school: String, startYear: Int?, endYear: Int?) -> AffiliationRow {
        AffiliationRow(member: member, key: .school(schoolKey), name: school, from: startYear ?? endYear, to: endYear ?? 9999)
    }

    static func month(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-") else { return nil }
        var year = 0
        for byte in bytes[0..<4] {
            guard (48...57).contains(byte) else { return nil }
            year = year * 10 + Int(byte - 48)
        }
        guard (48...57).contains(bytes[5]), (48...57).contains(bytes[6]) else { return nil }
        return year * 12 + Int(bytes[5] - 48) * 10 + Int(bytes[6] - 48) - 1
    }

    func overlaps(_ other: AffiliationRow) -> Bool {
        guard let from, let otherFrom = other.from else { return false }
        return from <= other.to && otherFrom <= to
    }
}

public enum SharedAffiliations {
    /// Who else was at `member`'s companies and schools, one entry per member and organisation, whether any of their
    /// times there overlapped; overlapping first, then by member id, kind and organisation id (byte order), at most
    /// `limit`. `mine` are the member's own rows; `lists` everyone's rows at each of those organisations.
    public static func shared(
        of member: MemberID, mine: [AffiliationRow], lists: [AffiliationRow.Key: [AffiliationRow]], limit: Int
    ) -> [SharedAffiliation] {
        // Ids and keys compare as Strings: ids are ASCII and school keys NFKC-normalised, for which Swift's order is
        // the byte order SQL's was (and much cheaper than comparing byte views).
        var found: [(member: MemberID, key: AffiliationRow.Key, name: String, overlap: Bool)] = []
        for key in Set(mine.map(\.key)) {
            let own = mine.filter { $0.key == key }
            var rows = lists[key] ?? []
            if zip(rows, rows.dropFirst()).contains(where: { $1.member.rawValue < $0.member.rawValue }) {
                rows.sort { $0.member.rawValue < $1.member.rawValue }
            }
            // One entry per member: their rows are next to each other.
            var index = 0
            while index < rows.count {
                let other = rows[index].member
                let first = index
                var name = rows[index].name
                var overlap = false
                while index < rows.count && rows[index].member == other {
                    let row = rows[index]
                    // The company's name is one; of a school's names as written, the least in byte order (names are
                    // not normalised).
                    if index > first && row.name.utf8.lexicographicallyPrecedes(name.utf8) { name = row.name }
                    overlap = overlap || own.contains { $0.overlaps(row) }
                    index += 1
                }
                if other != member { found.append((other, key, name, overlap)) }
            }
        }
        found.sort { a, b in
            if a.overlap != b.overlap { return a.overlap }
            if a.member != b.member { return a.member.rawValue < b.member.rawValue }
            if a.key.kind != b.key.kind { return a.key.kind == .company }
            return a.key.id < b.key.id
        }
        return found.prefix(max(0, limit)).map { entry in
            SharedAffiliation(
                member: entry.member, kind: entry.key.kind, organisationID: entry.key.id, organisationName: entry.name, overlap: entry.overlap)
        }
    }
}
