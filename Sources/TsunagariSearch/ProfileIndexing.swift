import Foundation
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

extension ProfileIndexing {
    /// Indexes many profiles in batches: while one batch is written, the next is analysed, itself split over
    /// the cores, so the rate approaches that of the slower of the two rather than their sum. Returns how many
    /// were indexed.
    @discardableResult
    public static func index(_ profiles: [Profile], into store: any SearchIndexStore, at date: Date, batch: Int = 1_000) async throws -> Int {
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
                    group.addTask { (part, profiles[from..<to].map(entry(for:))) }
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
