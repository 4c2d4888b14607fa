import TsunagariCore

/// What a profile is indexed as, and what a parsed query asks the index: the bridge between the query
/// language and the domain's `SearchIndexStore` port.
public enum ProfileIndexing {
    /// Stands between two separate texts of one column (two titles, two schools), so that a phrase or a
    /// CJK substring never matches across them. The analyser never emits it.
    public static let boundary = "\u{E000}"

    public static func entry(for profile: Profile) -> SearchIndexEntry {
        var texts: [SearchColumn: [String]] = [:]
        texts[.name] = [profile.name] + [profile.fields.nameReading].compactMap { $0 }
            + [profile.fields.nameReading.map(TextAnalyzer.foldKana)].compactMap { $0 }
        texts[.title] = profile.positions.map(\.title)
        texts[.company] = profile.positions.flatMap { [$0.companyNameAsWritten, $0.company.name] }
        texts[.school] = profile.educations.map(\.school)
        texts[.skill] = profile.skills
        texts[.headline] = [profile.headline].compactMap { $0 }
        texts[.about] = [profile.fields.about].compactMap { $0 } + profile.positions.compactMap(\.description)
            + profile.educations.compactMap(\.field) + profile.educations.compactMap(\.degree)
        texts[.location] = [profile.fields.location].compactMap { $0 } + profile.positions.compactMap(\.location)
        var columns: [SearchColumn: String] = [:]
        for (column, list) in texts {
            let analysed = list.map { TextAnalyzer.indexTerms($0) }.filter { !$0.isEmpty }
            columns[column] = analysed.map { $0.joined(separator: " ") }.joined(separator: " \(boundary) ")
        }
        return SearchIndexEntry(member: profile.memberID, columns: columns, attributes: SearchAttributes(profile: profile))
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
                .skill: profile.skills,
            ],
            other: [profile.headline, profile.fields.about, profile.fields.location].compactMap { $0 }
                + profile.positions.compactMap(\.description) + profile.positions.compactMap(\.location)
                + profile.educations.compactMap(\.field) + profile.educations.compactMap(\.degree))
    }
}
