import Foundation
import TsunagariCore

/// The job search index: a `TermIndex` of its own over open jobs, analysed as profiles are (NFKC, width and case
/// folding, Latin words, CJK bigrams), so that the people-search language works on jobs unchanged: the title, company,
/// skills and location are columns of their own and the description is the `about` column. Filters are marked terms
/// of the `filters` column; each entry is stamped with its job's creation, so "posted within" is the index's `since`.
/// What ranking and facets read (company, location, workplace, type, creation) travels in the entry's attributes, so a
/// search reads no job from storage but the page it shows. No I/O.
public final class JobSearchIndex: JobSearching, @unchecked Sendable {
    public let index = TermIndex()

    public init() {}

    enum FilterKind: String {
        case open = "jo", company = "jc", workplace = "jw", employmentType = "je", location = "jl"
    }

    static func filterTerm(_ kind: FilterKind, _ value: String) -> String {
        ProfileIndexing.filterMark + kind.rawValue + value.filter { !$0.isWhitespace }
    }

    static func companyTerms(id: String, name: String) -> [String] {
        var terms = [filterTerm(.company, id.lowercased())]
        // Company names repeat from job to job: their keys are cached, as for profiles.
        let key = ProfileIndexing.companyKey(name)
        if !key.isEmpty { terms.append(filterTerm(.company, key)) }
        return terms
    }

    public static func entry(for job: Job) -> SearchIndexEntry {
        var filters = [filterTerm(.open, "")] + companyTerms(id: job.company.id, name: job.company.name)
        filters += [filterTerm(.workplace, job.workplace.rawValue), filterTerm(.employmentType, job.employmentType.rawValue)]
        filters += TextAnalyzer.indexTerms(job.location).map { filterTerm(.location, $0) }
        func analysed(_ texts: [String]) -> String {
            texts.map { TextAnalyzer.indexTerms($0).joined(separator: " ") }.joined(separator: " \(ProfileIndexing.boundary) ")
        }
        return SearchIndexEntry(
            member: MemberID(job.id),
            columns: [
                .title: analysed([job.title]), .company: analysed([job.company.name]), .skill: analysed(job.skills),
                .location: analysed([job.location]), .about: analysed([job.description]), .filters: filters.joined(separator: " "),
            ],
            attributes: attributes(job), version: job.version)
    }

    /// What a candidate carries, in the fields of the stored attributes: the company's id and name as handle and name, the
    /// location as location, workplace and employment type as industry, and the creation (milliseconds) as the title.
    static func attributes(_ job: Job) -> SearchAttributes {
        SearchAttributes(
            handle: job.company.id, name: job.company.name, location: job.location,
            industry: job.workplace.rawValue + " " + job.employmentType.rawValue,
            currentTitle: String(Int64((job.createdAt.timeIntervalSince1970 * 1000).rounded())))
    }

    static func candidate(_ hit: TermIndex.Hit) -> JobSearchCandidate? {
        let a = hit.attributes
        guard let kinds = a.industry?.split(separator: " "), kinds.count == 2,
            let workplace = Workplace(rawValue: String(kinds[0])), let type = EmploymentType(rawValue: String(kinds[1])),
            let millis = a.currentTitle.flatMap({ Double($0) })
        else { return nil }
        return JobSearchCandidate(
            jobID: hit.member.rawValue, relevance: hit.relevance, companyID: a.handle, companyName: a.name, location: a.location ?? "",
            workplace: workplace, employmentType: type, createdAt: Date(timeIntervalSince1970: millis / 1000))
    }

    public func index(_ jobs: [Job]) {
        let open = jobs.filter { $0.status == .open }
        for job in jobs where job.status != .open { index.remove(MemberID(job.id)) }
        index.upsert(Self.entries(open))
    }

    /// The entries of many jobs, analysed on every core when there are enough to share (analysis is most of the cost of
    /// indexing; the index itself is written under its lock by one thread).
    static func entries(_ jobs: [Job]) -> [(entry: SearchIndexEntry, at: Date)] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, jobs.count / 100))
        guard parts > 1 else { return jobs.map { (entry(for: $0), $0.createdAt) } }
        let chunk = (jobs.count + parts - 1) / parts
        let results = LockedValue([[(entry: SearchIndexEntry, at: Date)]](repeating: [], count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let slice = jobs[min(jobs.count, part * chunk)..<min(jobs.count, (part + 1) * chunk)]
            let made = slice.map { (entry: entry(for: $0), at: $0.createdAt) }
            results.withLock { $0[part] = made }
        }
        return results.withLock { $0.flatMap { $0 } }
    }

    public func remove(_ jobID: String) {
        index.remove(MemberID(jobID))
    }

    public var count: Int { index.count }

    public func analyse(_ text: String) -> [String] { TextAnalyzer.indexTerms(text) }

    /// The filters as index queries on the `filters` column, to be ANDed with the query.
    static func filterQueries(_ filters: JobFilters) -> [IndexQuery] {
        var queries: [IndexQuery] = []
        func term(_ kind: FilterKind, _ value: String) -> IndexQuery { .sequence([filterTerm(kind, value)], column: .filters) }
        if let company = filters.company?.trimmingCharacters(in: .whitespaces), !company.isEmpty {
            let key = CompanyName.key(company)
            queries.append(key.isEmpty ? term(.company, company.lowercased()) : .or([term(.company, company.lowercased()), term(.company, key)]))
        }
        if let workplace = filters.workplace { queries.append(term(.workplace, workplace.rawValue)) }
        if let type = filters.employmentType { queries.append(term(.employmentType, type.rawValue)) }
        if let location = filters.location {
            let words = TextAnalyzer.indexTerms(location)
            if !words.isEmpty { queries.append(.sequence(words.map { filterTerm(.location, $0) }, column: .filters)) }
        }
        return queries
    }

    public func search(_ query: IndexQuery?, filters: JobFilters, limit: Int) throws -> [JobSearchCandidate] {
        let parts = [query ?? .sequence([Self.filterTerm(.open, "")], column: .filters)] + Self.filterQueries(filters)
        let hits = try index.search(parts.count == 1 ? parts[0] : .and(parts), among: nil, since: filters.postedSince, limit: limit)
        return hits.compactMap(Self.candidate)
    }
}
