import Foundation

/// The searchable columns of a profile, each weighted in relevance ranking (title and headline above
/// descriptions, as recruiters expect).
public enum SearchColumn: String, Sendable, CaseIterable {
    case name
    case title
    case company
    case school
    case skill
    case headline
    case about
    case location
    /// Terms that filters match (a current company, a skill, words of the location …); never ranked.
    case filters

    /// Relevance weight (BM25-like ranking multiplies a column's score by it).
    public var weight: Double {
        switch self {
        case .name: 8
        case .title, .headline: 5
        case .company, .skill: 3
        case .school: 2
        case .about, .location: 1
        case .filters: 0
        }
    }
}

/// A profile as the search index stores it: for each column, its text already analysed into terms
/// (words and CJK bigrams) by the one analyser both databases share, in order, space-separated; and the
/// facts that filters, result cards and facets need, so that a search never loads a profile per candidate.
public struct SearchIndexEntry: Hashable, Sendable {
    public var member: MemberID
    public var columns: [SearchColumn: String]
    public var attributes: SearchAttributes
    /// The version of the profile the entry was made from (`SearchEntryStore.profileVersions`), or an earlier one:
    /// an entry never replaces one of a higher version, so that of two edits indexed in the reverse order the newer
    /// stays. 0 for an entry made without reading the version.
    public var version: Int64

    public init(member: MemberID, columns: [SearchColumn: String], attributes: SearchAttributes, version: Int64 = 0) {
        self.member = member
        self.columns = columns
        self.attributes = attributes
        self.version = version
    }
}

extension SearchIndexEntry {
    private static let columnSeparator: Character = "\u{1F}"

    /// Every column's terms in one string (in `SearchColumn` order), for storage that keeps no column of its own.
    public var storedColumns: String {
        SearchColumn.allCases.map { columns[$0] ?? "" }.joined(separator: String(Self.columnSeparator))
    }

    /// Reads `storedColumns` back.
    public static func columns(stored: String) -> [SearchColumn: String] {
        var columns: [SearchColumn: String] = [:]
        for (column, text) in zip(SearchColumn.allCases, stored.split(separator: columnSeparator, omittingEmptySubsequences: false))
        where !text.isEmpty {
            columns[column] = String(text)
        }
        return columns
    }
}

/// A company as a search result or facet names it.
public struct SearchCompany: Hashable, Sendable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// What search knows of a member besides the text: the card, the current title, the privacy settings,
/// and the values the filters and facets work on.
public struct SearchAttributes: Hashable, Sendable {
    public var handle: String
    public var name: String
    public var headline: String?
    public var location: String?
    public var industry: String?
    public var currentTitle: String?
    public var profileVisibility: ProfileVisibility
    public var connectionsVisibility: ConnectionsVisibility
    /// nil when the member is not open to work.
    public var openToWork: OpenToWorkVisibility?
    public var currentCompanies: [SearchCompany]
    public var pastCompanies: [SearchCompany]
    public var schools: [String]
    public var skills: [String]
    /// The ids of the member's current employers, even when their positions are not shown to everyone: only for
    /// the open-to-work rule (never shown to recruiters at the member's employer), never shown, filtered or counted.
    public var employerIDs: [String]
    /// The photo search results show (to viewers who see the full profile).
    public var photo: PhotoRef?
    /// `ProfileStrength.score`, a small factor in ranking.
    public var strength: Int

    public init(
        handle: String, name: String, headline: String? = nil, location: String? = nil, industry: String? = nil, currentTitle: String? = nil,
        profileVisibility: ProfileVisibility = .members, connectionsVisibility: ConnectionsVisibility = .connections,
        openToWork: OpenToWorkVisibility? = nil, currentCompanies: [SearchCompany] = [], pastCompanies: [SearchCompany] = [],
        schools: [String] = [], skills: [String] = [], employerIDs: [String]? = nil, photo: PhotoRef? = nil, strength: Int = 0
    ) {
        self.photo = photo
        self.strength = strength
        self.employerIDs = employerIDs ?? currentCompanies.map(\.id)
        self.handle = handle
        self.name = name
        self.headline = headline
        self.location = location
        self.industry = industry
        self.currentTitle = currentTitle
        self.profileVisibility = profileVisibility
        self.connectionsVisibility = connectionsVisibility
        self.openToWork = openToWork
        self.currentCompanies = currentCompanies
        self.pastCompanies = pastCompanies
        self.schools = schools
        self.skills = skills
    }

    /// What search may name of the profile: only the sections shown to everyone who sees it (a section shown to
    /// connections only is not found by anyone's search, nor counted in facets); the employers, for the rule only.
    public init(profile full: Profile) {
        let profile = full.sectionsShownToEveryone
        let current = profile.currentPositions
        func companies(_ positions: [Position]) -> [SearchCompany] {
            var seen: Set<String> = []
            return positions.compactMap { seen.insert($0.company.id).inserted ? SearchCompany(id: $0.company.id, name: $0.company.name) : nil }
        }
        self.init(
            handle: profile.handle, name: profile.name, headline: profile.headline, location: profile.fields.location,
            industry: profile.fields.industry, currentTitle: current.first?.title,
            profileVisibility: profile.settings.profileVisibility, connectionsVisibility: profile.settings.connectionsVisibility,
            openToWork: profile.settings.openToWork.enabled ? profile.settings.openToWork.visibility : nil,
            currentCompanies: companies(current), pastCompanies: companies(profile.positions.filter { !$0.isCurrent }),
            schools: profile.educations.map(\.school), skills: profile.skills,
            employerIDs: Array(Set(full.currentPositions.map(\.company.id))).sorted(), photo: full.photo,
            strength: ProfileStrength(profile).score)
    }

    public func card(_ member: MemberID) -> MemberCard {
        var card = MemberCard(
            id: member, handle: handle, name: name, headline: headline, location: location,
            profileVisibility: profileVisibility, connectionsVisibility: connectionsVisibility)
        card.photo = photo
        return card
    }

    // MARK: Stored form

    // Stored text never holds control characters (validation refuses them), so they can separate the parts.
    private static let field: Character = "\u{1F}"
    private static let item: Character = "\u{1E}"
    private static let pair: Character = "\u{1D}"

    /// One string for storage; `init(stored:)` reads it back.
    public var stored: String {
        func list(_ values: [String]) -> String { values.joined(separator: String(Self.item)) }
        func companies(_ values: [SearchCompany]) -> String { list(values.map { $0.id + String(Self.pair) + $0.name }) }
        return [
            "3", handle, name, headline ?? "", location ?? "", industry ?? "", currentTitle ?? "", profileVisibility.rawValue,
            connectionsVisibility.rawValue, openToWork?.rawValue ?? "", companies(currentCompanies), companies(pastCompanies), list(schools),
            list(skills), list(employerIDs), photo?.id ?? "", String(strength),
        ].joined(separator: String(Self.field))
    }

    public init?(stored: String) {
        // Read byte by byte (the separators are ASCII): splitting by Character costs several times more.
        var text = stored
        let decoded: SearchAttributes? = text.withUTF8 { bytes in
            var reader = StoredReader()
            var start = 0
            for index in 0..<bytes.count where bytes[index] >= 0x1D && bytes[index] <= 0x1F {
                if start < index { reader.text(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
                reader.separator(bytes[index])
                start = index + 1
            }
            if start < bytes.count { reader.text(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)) }
            return reader.finish()
        }
        guard let decoded else { return nil }
        self = decoded
    }

    /// Reads the stored form given as its pieces of text and its separators in order, so that the text
    /// (`init(stored:)`) and the search index's own encoding of it (whose repeated pieces are strings made once, and
    /// only shared here) are read by one reading, into no intermediate strings or arrays. A search reads this for
    /// every candidate, up to 1,200.
    public struct StoredReader {
        private var field = 0
        private var version = ""
        private var handle = ""
        private var name = ""
        private var headline: String?
        private var location: String?
        private var industry: String?
        private var currentTitle: String?
        private var profileVisibility = ""
        private var connectionsVisibility = ""
        private var openToWork = ""
        private var currentCompanies: [SearchCompany] = []
        private var pastCompanies: [SearchCompany] = []
        private var schools: [String] = []
        private var skills: [String] = []
        private var employerIDs: [String] = []
        private var photo: String?
        private var strength = ""
        /// The current item's text so far, and its first half when a pair separator came.
        private var pending: String?
        private var pairFirst: String?
        /// Whether the current field held a separator of items or pairs (an empty item still counts then).
        private var fieldHasItems = false

        public init() {}

        /// A piece of text of the current item.
        public mutating func text(_ value: String) {
            if let pending { self.pending = pending + value } else { pending = value }
        }

        /// One of the separators: 0x1F between fields, 0x1E between items, 0x1D between a company's id and name.
        /// Where a field has no items or pairs, its separators are part of its text, as in `init(stored:)` before.
        public mutating func separator(_ byte: UInt8) {
            let isList = (10...14).contains(field)
            switch byte {
            case 0x1D where isList && field <= 11 && pairFirst == nil:
                fieldHasItems = true
                pairFirst = pending ?? ""
                pending = nil
            case 0x1E where isList:
                fieldHasItems = true
                endItem()
            case 0x1D, 0x1E:
                text(String(UnicodeScalar(byte)))
            default:
                endField()
            }
        }

        /// The attributes read, or nil when the pieces are not a stored form of a version this reads.
        public mutating func finish() -> SearchAttributes? {
            endField()
            // Version 1 (14 fields) had no employers: its current companies were all of them. Version 2 (15) had no
            // photo or strength.
            guard version == "1" && field == 14 || version == "2" && field == 15 || version == "3" && field == 17,
                let visibility = ProfileVisibility(rawValue: profileVisibility),
                let connections = ConnectionsVisibility(rawValue: connectionsVisibility)
            else { return nil }
            return SearchAttributes(
                handle: handle, name: name, headline: headline, location: location, industry: industry, currentTitle: currentTitle,
                profileVisibility: visibility, connectionsVisibility: connections, openToWork: OpenToWorkVisibility(rawValue: openToWork),
                currentCompanies: currentCompanies, pastCompanies: pastCompanies, schools: schools, skills: skills,
                employerIDs: version == "1" ? nil : employerIDs, photo: version == "3" ? photo.map(PhotoRef.init) : nil,
                strength: version == "3" ? Int(strength) ?? 0 : 0)
        }

        /// Ends an item of a list field.
        private mutating func endItem() {
            let item = pending ?? ""
            let first = pairFirst
            pending = nil
            pairFirst = nil
            switch field {
            case 10, 11:
                // A company is its id and name; an item without the pair separator is none.
                guard let first else { return }
                let company = SearchCompany(id: first, name: item)
                if field == 10 { currentCompanies.append(company) } else { pastCompanies.append(company) }
            case 12: schools.append(item)
            case 13: skills.append(item)
            default: employerIDs.append(item)
            }
        }

        private mutating func endField() {
            if (10...14).contains(field), pending != nil || pairFirst != nil || fieldHasItems { endItem() }
            let value = pending ?? ""
            pending = nil
            fieldHasItems = false
            func optional() -> String? { value.isEmpty ? nil : value }
            switch field {
            case 0: version = value
            case 1: handle = value
            case 2: name = value
            case 3: headline = optional()
            case 4: location = optional()
            case 5: industry = optional()
            case 6: currentTitle = optional()
            case 7: profileVisibility = value
            case 8: connectionsVisibility = value
            case 9: openToWork = value
            case 15: photo = optional()
            case 16: strength = value
            default: break
            }
            field += 1
        }
    }
}

/// What narrows a search besides its terms and is not itself a term: the filters (company, school,
/// location, skill, industry, open to work) are terms of the `filters` column and join the query.
public struct IndexFilters: Hashable, Sendable {
    /// Only these members (for example the viewer's connections).
    public var among: [MemberID]?
    /// Only entries indexed at or after this moment.
    public var changedSince: Date?

    public init(among: [MemberID]? = nil, changedSince: Date? = nil) {
        self.among = among
        self.changedSince = changedSince
    }
}

/// A member the index found, with what search shows and filters on.
public struct SearchCandidate: Sendable {
    public var member: MemberID
    public var relevance: Double
    public var attributes: SearchAttributes

    public init(member: MemberID, relevance: Double, attributes: SearchAttributes) {
        self.member = member
        self.relevance = relevance
        self.attributes = attributes
    }
}

/// A facet's value as the index holds it: the text, and a number the index gives every equal text (nil: none given),
/// so that counting a thousand results' values compares numbers instead of hashing text.
public struct FacetText: Hashable, Sendable {
    public var text: String
    public var key: Int32?

    public init(_ text: String, key: Int32? = nil) {
        self.text = text
        self.key = key
    }
}

/// A current company's id and name as facets count them.
public struct FacetCompany: Hashable, Sendable {
    public var id: FacetText
    public var name: FacetText

    public init(id: FacetText, name: FacetText) {
        self.id = id
        self.name = name
    }
}

/// What ranking, the privacy rules and the facets need of a candidate. A search reads this for every candidate (up to
/// 1,200) and the whole attributes (`SearchAttributes`) only for the results a page shows.
public struct SearchRanking: Hashable, Sendable {
    public var profileVisibility: ProfileVisibility
    public var openToWork: OpenToWorkVisibility?
    /// The ids of the member's current employers, for the open-to-work rule: read only for members open to work, whom
    /// alone the rule concerns (empty for the others).
    public var employerIDs: [String]
    public var strength: Int
    public var location: FacetText?
    public var skills: [FacetText]
    public var currentCompanies: [FacetCompany]

    public init(
        profileVisibility: ProfileVisibility, openToWork: OpenToWorkVisibility?, employerIDs: [String], strength: Int, location: FacetText?,
        skills: [FacetText], currentCompanies: [FacetCompany]
    ) {
        self.profileVisibility = profileVisibility
        self.openToWork = openToWork
        self.employerIDs = employerIDs
        self.strength = strength
        self.location = location
        self.skills = skills
        self.currentCompanies = currentCompanies
    }

    /// The ranking of whole attributes, its texts without keys.
    public init(_ attributes: SearchAttributes) {
        self.init(
            profileVisibility: attributes.profileVisibility, openToWork: attributes.openToWork,
            employerIDs: attributes.openToWork == nil ? [] : attributes.employerIDs, strength: attributes.strength,
            location: attributes.location.map { FacetText($0) }, skills: attributes.skills.map { FacetText($0) },
            currentCompanies: attributes.currentCompanies.map { FacetCompany(id: FacetText($0.id), name: FacetText($0.name)) })
    }
}

/// A member the index found, with what ranking needs (`SearchIndexStore.rankedCandidates`).
public struct RankedCandidate: Sendable {
    public var member: MemberID
    public var relevance: Double
    public var ranking: SearchRanking

    public init(member: MemberID, relevance: Double, ranking: SearchRanking) {
        self.member = member
        self.relevance = relevance
        self.ranking = ranking
    }
}

/// A query as the index evaluates it: sequences of analysed terms that must stand consecutively
/// (a word is a sequence of one; a phrase or a CJK substring of two or more characters is longer),
/// optionally in one column, combined with AND, OR and NOT.
public indirect enum IndexQuery: Hashable, Sendable {
    case sequence([String], column: SearchColumn?)
    case and([IndexQuery])
    case or([IndexQuery])
    case not(IndexQuery)
}

/// The search index as the services ask it (kept in memory over storage's entries: `SearchEngine`).
public protocol SearchIndexStore: Sendable {
    /// Inserts the entries, or replaces those of a version no higher (`SearchIndexEntry.version`), stamped with `at`
    /// (what `IndexFilters.changedSince` compares).
    func upsertSearchEntries(_ entries: [SearchIndexEntry], at: Date) async throws
    func deleteSearchEntry(_ member: MemberID) async throws
    /// Members matching the query and the filters, best first by weighted relevance (ties by member id), at
    /// most `limit`. A query that is only negations matches every member not excluded, by member id.
    func searchCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [SearchCandidate]
    /// The same members as `searchCandidates`, in the same order, with what ranking needs instead of their attributes.
    func rankedCandidates(_ query: IndexQuery, filters: IndexFilters, limit: Int) async throws -> [RankedCandidate]
    /// The attributes the index holds of these members, in their order (nil for a member it does not hold).
    func attributes(of members: [MemberID]) async throws -> [SearchAttributes?]
    /// Typeahead: members whose name column holds the terms consecutively, the last one as a prefix; unranked
    /// (the service orders them by degree, mutual connections and name), at most `limit`, optionally only among
    /// `among`.
    func nameCandidates(_ terms: [String], among: [MemberID]?, limit: Int) async throws -> [SearchCandidate]
    func searchEntryCount() async throws -> Int
}

/// The one seam through which profile changes reach side effects such as the search index.
public protocol ProfileChangeObserver: Sendable {
    /// Called after a change to the member's profile was stored. Returns the profile as the observer read it after the
    /// change (nil when it read none), so that the caller can answer with it instead of reading it again.
    @discardableResult
    func profileChanged(_ member: MemberID) async -> Profile?
    /// The same, for a change whose write gave back the profile as written with its version: nothing to read again.
    @discardableResult
    func profileChanged(_ member: MemberID, as written: (profile: Profile, version: Int64)) async -> Profile?
}

extension ProfileChangeObserver {
    /// An observer that reads the profile itself reads it again.
    @discardableResult
    public func profileChanged(_ member: MemberID, as written: (profile: Profile, version: Int64)) async -> Profile? {
        await profileChanged(member)
    }
}

/// An index entry as storage holds it, with when it was indexed.
public struct StoredSearchEntry: Sendable {
    public var entry: SearchIndexEntry
    public var indexedAt: Date

    public init(entry: SearchIndexEntry, indexedAt: Date) {
        self.entry = entry
        self.indexedAt = indexedAt
    }
}

/// One line of the search change log: the member's entry was written or removed.
public struct SearchChange: Hashable, Sendable {
    public var sequence: Int64
    public var member: MemberID

    public init(sequence: Int64, member: MemberID) {
        self.sequence = sequence
        self.member = member
    }
}

/// A member's profile with the version it is at, read at once: what indexing one change needs, in one read where
/// the two were two (`SearchEntryStore.profileVersions`, then the profile). Read together, the version is no newer
/// than what the profile holds, as the order of the two reads ensured.
public protocol VersionedProfileReading: Sendable {
    /// Nil for a member who does not exist or is suspended.
    func versionedProfile(id: MemberID) async throws -> (profile: Profile, version: Int64)?
}

/// Storage's side of the search index: it keeps each member's entry (the record the index in memory is filled
/// from at start) and a log of the members whose entry changed, written in the same transaction as the change,
/// so that every instance's index can catch up with the others. Each method is one transaction.
public protocol SearchEntryStore: Sendable {
    /// Inserts the entries, or replaces those of a version no higher (`SearchIndexEntry.version`), stamped with `at`,
    /// and logs each written.
    func upsertSearchEntries(_ entries: [SearchIndexEntry], at: Date) async throws
    /// The version of each member's profile: a number storage raises in the same transaction as every change to the
    /// profile. Read before the profile an entry is made from, it is no newer than what the entry holds. A member
    /// that does not exist is left out.
    func profileVersions(of members: [MemberID]) async throws -> [MemberID: Int64]
    /// Removes a member's entry and logs it (nothing happens when there is none).
    func deleteSearchEntry(_ member: MemberID) async throws
    func searchEntryCount() async throws -> Int
    /// Entries by member id, those after `after`, at most `limit`: pages through the whole index.
    func searchEntries(after: MemberID?, limit: Int) async throws -> [StoredSearchEntry]
    /// The entries of these members; a member without one is left out.
    func searchEntries(of members: [MemberID]) async throws -> [StoredSearchEntry]
    /// Changes after `sequence`, in sequence order, at most `limit`. Deleting a member logs one too.
    func searchChanges(after sequence: Int64, limit: Int) async throws -> [SearchChange]
    /// The changes with these sequence numbers, those that exist (numbers passed over earlier, asked for again).
    func searchChanges(sequences: [Int64]) async throws -> [SearchChange]
    /// The sequence of the last change (0 when there is none).
    func lastSearchChange() async throws -> Int64
    /// Forgets changes logged before `date`, except the last one (a snapshot of the index is checked against it).
    func pruneSearchChanges(before date: Date) async throws
}
