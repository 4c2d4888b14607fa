import Foundation
import TsunagariCore

/// What a profile is indexed as, and what a parsed query asks the index: the bridge between the query
/// language and the domain's `SearchIndexStore` port.
public enum ProfileIndexing {
    /// Stands between two separate texts of one column (two titles, two schools), so that a phrase or a
    /// CJK substring never matches across them. The analyser never emits it.
    public static let boundary = "\u{E000}"

    public static func entry(for full: Profile) -> SearchIndexEntry {
        // Search finds a member only by what everyone who sees the profile sees: a section shown to connections only
        // (or to no one) is left out of the index, so no search, filter or facet can reveal it.
        let profile = full.sectionsShownToEveryone
        var texts: [SearchColumn: [String]] = [:]
        texts[.name] = [profile.name] + [profile.fields.nameReading].compactMap { $0 }
            + [profile.fields.nameReading.map(TextAnalyzer.foldKana)].compactMap { $0 }
        texts[.title] = profile.positions.map(\.title)
        texts[.company] = profile.positions.flatMap { [$0.companyNameAsWritten, $0.company.name] }
        texts[.school] = profile.educations.map(\.school)
        texts[.skill] = profile.skills + credentialTexts(profile)
        texts[.headline] = [profile.headline].compactMap { $0 }
        texts[.about] = [profile.fields.about].compactMap { $0 } + profile.positions.compactMap(\.description)
            + profile.educations.compactMap(\.field) + profile.educations.compactMap(\.degree) + activityTexts(profile)
        texts[.location] = [profile.fields.location].compactMap { $0 } + profile.positions.compactMap(\.location)
        var columns: [SearchColumn: String] = [:]
        for (column, list) in texts {
            // The texts' terms apart by spaces, texts apart by the boundary, written into one string.
            var written = ""
            for text in list {
                let terms = TextAnalyzer.indexTerms(text)
                guard !terms.isEmpty else { continue }
                if !written.isEmpty { written += " \(boundary) " }
                for (index, term) in terms.enumerated() {
                    if index > 0 { written += " " }
                    written += term
                }
            }
            columns[column] = written
        }
        let attributes = SearchAttributes(profile: full)
        columns[.filters] = filterTerms(attributes).joined(separator: " ")
        return SearchIndexEntry(member: profile.memberID, columns: columns, attributes: attributes)
    }

    // MARK: Filters as terms

    /// Starts every filter term, so that none can be mistaken for a word (the analyser never emits it).
    static let filterMark = "\u{E001}"

    enum FilterKind: String {
        case currentCompany = "cc", pastCompany = "pc", skill = "sk", industry = "in", openToWork = "ow", location = "lo", school = "sc"
    }

    static func filterTerm(_ kind: FilterKind, _ value: String) -> String {
        // Most values hold no space: joined as they are.
        if !value.unicodeScalars.contains(where: { $0.isASCII ? ($0 == " " || $0.value &- 0x09 < 5) : $0.properties.isWhitespace }) {
            return filterMark + kind.rawValue + value
        }
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where !scalar.properties.isWhitespace { scalars.append(scalar) }
        return filterMark + kind.rawValue + String(scalars)
    }

    /// Company names repeat from profile to profile, and their key takes several string searches: the keys of
    /// the names seen last are kept (at most `companyKeyCacheSize`, then forgotten together).
    private static let companyKeys = LockedValue<[String: String]>([:])
    static let companyKeyCacheSize = 50_000

    static func companyKey(_ name: String) -> String {
        if let key = companyKeys.withLock({ $0[name] }) { return key }
        let key = CompanyName.key(name)
        companyKeys.withLock { keys in
            if keys.count >= companyKeyCacheSize { keys.removeAll(keepingCapacity: true) }
            keys[name] = key
        }
        return key
    }

    /// A whole value (a skill, an industry), folded as the filter is.
    static func wholeValue(_ text: String) -> String { SearchFold.fold(text) }

    /// The terms of the `filters` column: companies by id and by normalised name, skills and the industry as
    /// whole values, open to work, and the words of the location and of each school in order, so that a
    /// filter is a phrase of them (separate texts apart by the boundary).
    public static func filterTerms(_ a: SearchAttributes) -> [String] {
        var terms: [String] = []
        for company in a.currentCompanies {
            terms += [filterTerm(.currentCompany, company.id.lowercased()), filterTerm(.currentCompany, companyKey(company.name))]
        }
        for company in a.pastCompanies {
            terms += [filterTerm(.pastCompany, company.id.lowercased()), filterTerm(.pastCompany, companyKey(company.name))]
        }
        terms += a.skills.map { filterTerm(.skill, wholeValue($0)) }
        if let industry = a.industry { terms.append(filterTerm(.industry, wholeValue(industry))) }
        if a.openToWork != nil { terms.append(filterTerm(.openToWork, "")) }
        for text in [a.location].compactMap({ $0 }) {
            terms.append(boundary)
            terms += TextAnalyzer.indexTerms(text).map { filterTerm(.location, $0) }
        }
        for school in a.schools {
            terms.append(boundary)
            terms += TextAnalyzer.indexTerms(school).map { filterTerm(.school, $0) }
        }
        return terms
    }

    /// The filters as index queries on the `filters` column, to be ANDed with the query. A filter whose
    /// value holds no words (only punctuation) narrows nothing.
    public static func filterQueries(_ filters: SearchFilters) -> [IndexQuery] {
        var queries: [IndexQuery] = []
        func term(_ kind: FilterKind, _ value: String) -> IndexQuery { .sequence([filterTerm(kind, value)], column: .filters) }
        func company(_ kind: FilterKind, _ value: String?) {
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return }
            let key = CompanyName.key(value)
            queries.append(key.isEmpty ? term(kind, value.lowercased()) : .or([term(kind, value.lowercased()), term(kind, key)]))
        }
        func words(_ kind: FilterKind, _ value: String?) {
            guard let value else { return }
            let analysed = TextAnalyzer.indexTerms(value)
            if !analysed.isEmpty { queries.append(.sequence(analysed.map { filterTerm(kind, $0) }, column: .filters)) }
        }
        func whole(_ kind: FilterKind, _ value: String?) {
            guard let value = value.map(wholeValue)?.filter({ !$0.isWhitespace }), !value.isEmpty else { return }
            queries.append(term(kind, value))
        }
        company(.currentCompany, filters.currentCompany)
        company(.pastCompany, filters.pastCompany)
        whole(.skill, filters.skill)
        whole(.industry, filters.industry)
        if filters.openToWork { queries.append(term(.openToWork, "")) }
        words(.location, filters.location)
        words(.school, filters.school)
        return queries
    }

    static func column(_ field: SearchQuery.Field) -> SearchColumn {
        switch field {
        case .name: .name
        case .title: .title
        case .company: .company
        case .school: .school
        case .skill: .skill
        }
    }

    /// The index query for a parsed query; nil when nothing in it can be looked up (only punctuation).
    public static func compile(_ query: SearchQuery) -> IndexQuery? {
        switch query {
        case .term(let text, let field), .phrase(let text, let field):
            let terms = TextAnalyzer.indexTerms(text)
            guard !terms.isEmpty else { return nil }
            let column = field.map(column)
            let sequence = IndexQuery.sequence(terms, column: column)
            // Readings are indexed folded to katakana too: ヤマダ finds やまだ.
            let folded = TextAnalyzer.indexTerms(TextAnalyzer.foldKana(text))
            if folded != terms, column == nil || column == .name {
                return .or([sequence, .sequence(folded, column: .name)])
            }
            return sequence
        case .and(let parts):
            let compiled = parts.compactMap(compile)
            return compiled.isEmpty ? nil : (compiled.count == 1 ? compiled[0] : .and(compiled))
        case .or(let parts):
            let compiled = parts.compactMap(compile)
            return compiled.isEmpty ? nil : (compiled.count == 1 ? compiled[0] : .or(compiled))
        case .not(let inner):
            return compile(inner).map { .not($0) }
        }
    }

    /// The profile's text as the exact matcher reads it, field by field.
    public static func document(for profile: Profile) -> SearchDocument {
        SearchDocument(
            fields: [
                .name: [profile.name] + [profile.fields.nameReading, profile.fields.nameReading.map(TextAnalyzer.foldKana)].compactMap { $0 },
                .title: profile.positions.map(\.title),
                .company: profile.positions.flatMap { [$0.companyNameAsWritten, $0.company.name] },
                .school: profile.educations.map(\.school),
                .skill: profile.skills + credentialTexts(profile),
            ],
            other: [profile.headline, profile.fields.about, profile.fields.location].compactMap { $0 }
                + profile.positions.compactMap(\.description) + profile.positions.compactMap(\.location)
                + profile.educations.compactMap(\.field) + profile.educations.compactMap(\.degree) + activityTexts(profile))
    }

    /// Certifications (name, issuer and score, so that `TOEIC 905` finds "TOEIC" scored 905) and languages with
    /// their level, each in Japanese and English (`英語 ビジネス` finds English at business level), searched as
    /// skills are.
    static func credentialTexts(_ profile: Profile) -> [String] {
        profile.certifications.map { [$0.name, $0.issuer, $0.score].compactMap { $0 }.joined(separator: " ") }
            + profile.languages.map { language in
                (LanguageNames.variants(of: language.name) + language.level.searchWords + [language.jlpt.map { "JLPT \($0.label)" }]
                    .compactMap { $0 }).joined(separator: " ")
            }
    }

    /// Projects and volunteer work, searched as the rest of the profile's text is.
    static func activityTexts(_ profile: Profile) -> [String] {
        profile.projects.flatMap { [$0.name, $0.role, $0.description].compactMap { $0 } }
            + profile.volunteering.flatMap { [$0.organization, $0.role, $0.cause, $0.description].compactMap { $0 } }
    }
}

extension ProfileIndexing {
    /// Indexes many profiles in batches: while one batch is written, the next is analysed, itself split over
    /// the cores, so the rate approaches that of the slower of the two rather than their sum. Each entry carries
    /// its profile's version from `versions` (0 when absent). Returns how many were indexed.
    @discardableResult
    public static func index(
        _ profiles: [Profile], versions: [MemberID: Int64] = [:], into store: any SearchIndexStore, at date: Date, batch: Int = 1_000
    ) async throws -> Int {
        guard !profiles.isEmpty else { return 0 }
        let size = max(1, batch)
        let starts = Array(stride(from: 0, to: profiles.count, by: size))
        @Sendable func analyse(_ start: Int) async -> [SearchIndexEntry] {
            let slice = profiles[start..<min(start + size, profiles.count)]
            let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, slice.count / 100))
            let chunk = (slice.count + parts - 1) / parts
            return await withTaskGroup(of: (Int, [SearchIndexEntry]).self) { group in
                for part in 0..<parts {
                    let from = slice.startIndex + part * chunk
                    let to = min(from + chunk, slice.endIndex)
                    guard from < to else { continue }
                    group.addTask {
                        (
                            part,
                            profiles[from..<to].map { profile in
                                var made = entry(for: profile)
                                made.version = versions[profile.memberID] ?? 0
                                return made
                            }
                        )
                    }
                }
                var done: [(Int, [SearchIndexEntry])] = []
                for await result in group { done.append(result) }
                return done.sorted { $0.0 < $1.0 }.flatMap(\.1)
            }
        }
        var next = Task { await analyse(starts[0]) }
        for (position, _) in starts.enumerated() {
            let entries = await next.value
            if position + 1 < starts.count {
                let start = starts[position + 1]
                next = Task { await analyse(start) }
            }
            try await store.upsertSearchEntries(entries, at: date)
        }
        return profiles.count
    }
}
