import Foundation
import TsunagariCore

/// The search index in memory: an inverted index (for each term, the sorted documents holding it and a
/// weighted term frequency) beside a forward index (for each document, its terms in order, column by
/// column), so that a Boolean query is a few intersections of sorted arrays, a phrase or a CJK substring is
/// checked on the documents its terms share, and ranking (BM25F over the column weights) reads only the
/// matching documents. No I/O: `SearchEngine` fills it from storage and keeps it current.
///
/// A document is a dense number given to a member when first indexed and kept for good; replacing an entry
/// touches only the terms that changed.
public final class TermIndex: @unchecked Sendable {
    typealias Doc = UInt32
    typealias Term = UInt32

    /// BM25 parameters.
    static let k1: Float = 1.2
    static let b: Float = 0.75

    static let columns = SearchColumn.allCases
    static let columnWeights: [Float] = columns.map { Float($0.weight) }
    static let nameColumn = columns.firstIndex(of: .name)!
    /// In the forward index, a column starts with the mark `markBase + column index`; a boundary between two
    /// texts of a column is `boundaryToken`. Neither is a term, so a sequence never spans them.
    static let markBase: UInt32 = UInt32.max - 64
    static let boundaryToken: UInt32 = UInt32.max

    let lock = ReadWriteLock()

    // Terms.
    var termIDs: [TermKey: Term] = [:]
    var termText: [String] = []
    /// Each term's documents, with its weighted frequency in each.
    var postings: [PostingList] = []
    /// For typeahead: the documents holding each term in the name column, and those terms sorted.
    var namePostings: [Term: [Doc]] = [:]
    var nameTerms: [String] = []
    var nameTermIDs: [Term] = []

    // Documents.
    /// Each document's member (nil once removed), and each member's document.
    var members = DocumentMembers()
    /// Each document's terms in order, column by column (`ForwardList`'s bytes).
    var forward: [[UInt8]] = []
    var lengths: [Float] = []
    /// Each document's stored attributes (`SearchAttributes.stored`), as `attributeTable` encodes them.
    var attributes: [[UInt8]] = []
    var attributeTable = AttributeTable()
    var stamps: [Double] = []
    /// The profile version each entry was made from: an entry of a lower version does not replace it.
    var versions: [Int64] = []
    /// How many documents are live: the members table counts them.
    var liveCount: Int { members.liveCount }
    var totalLength: Double = 0

    public init() {}

    /// How many members the index holds.
    public var count: Int { lock.read { liveCount } }

    /// The profile version a member's entry was made from, or nil when the member is not indexed.
    public func version(_ member: MemberID) -> Int64? {
        lock.read { members.doc(of: member).map { versions[Int($0)] } }
    }

    /// When a member's entry was indexed (to the millisecond), or nil when the member is not indexed.
    public func indexedAt(_ member: MemberID) -> Date? {
        lock.read { members.doc(of: member).map { Date(timeIntervalSince1970: stamps[Int($0)] / 1000) } }
    }

    // MARK: Changes

    /// An entry split into its column's terms, ready to be applied under the lock.
    struct Prepared {
        let member: MemberID
        let tokens: [[Substring]]
        let attributes: String
        let stamp: Double
        let version: Int64
    }

    /// Inserts the entries, or replaces those of a version no higher, stamped with `at`.
    public func upsert(_ entries: [SearchIndexEntry], at date: Date) {
        upsert(entries.map { ($0, date) })
    }

    /// Inserts the entries, or replaces those of a version no higher (`SearchIndexEntry.version`), each with its own
    /// stamp. Holds the write side a few hundred entries at a time, so that queries are not held up by a long batch.
    public func upsert(_ entries: [(entry: SearchIndexEntry, at: Date)]) {
        let boundary = Array(ProfileIndexing.boundary.utf8)
        var start = 0
        while start < entries.count {
            let chunk = entries[start..<min(entries.count, start + 256)]
            start += chunk.count
            let prepared = chunk.map { item in
                Prepared(
                    member: item.entry.member,
                    tokens: Self.columns.map { column in
                        // Split on the bytes: analysed text is normalised already, so String's character-wise
                        // (canonical-equivalence) work would be wasted.
                        (item.entry.columns[column] ?? "").utf8.split(separator: UInt8(ascii: " ")).map { Substring($0) }
                    },
                    attributes: item.entry.attributes.stored, stamp: Self.millis(item.at), version: item.entry.version)
            }
            lock.write {
                var newNameTerms: [Term] = []
                for entry in prepared { apply(entry, boundary: boundary, newNameTerms: &newNameTerms) }
                mergeNameTerms(newNameTerms)
            }
        }
    }

    /// Empties the index.
    public func removeAll() {
        lock.write {
            termIDs = [:]
            termText = []
            postings = []
            namePostings = [:]
            nameTerms = []
            nameTermIDs = []
            members = DocumentMembers()
            forward = []
            lengths = []
            attributes = []
            attributeTable = AttributeTable()
            stamps = []
            versions = []
            totalLength = 0
        }
    }

    /// Removes a member's entry; nothing happens when there is none.
    public func remove(_ member: MemberID) {
        lock.write {
            guard let doc = members.remove(member) else { return }
            let d = Int(doc)
            let old = forwardTokens(of: d)
            for (term, _) in termFrequencies(old) { removePosting(term, doc) }
            for term in nameTermsOf(old) { removeNamePosting(term, doc) }
            totalLength -= Double(lengths[d])
            forward[d] = []
            lengths[d] = 0
            attributes[d] = []
        }
    }

    private func intern(_ token: Substring) -> Term {
        let text = String(token)
        let key = TermKey(text)
        if let id = termIDs[key] { return id }
        let id = Term(termText.count)
        precondition(id < Self.markBase, "the search index holds too many distinct terms")
        termIDs[key] = id
        termText.append(text)
        postings.append(PostingList())
        return id
    }

    private func apply(_ entry: Prepared, boundary: [UInt8], newNameTerms: inout [Term]) {
        // Two edits indexed in the reverse order: the newer stays.
        if let existing = members.doc(of: entry.member), entry.version < versions[Int(existing)] { return }
        var tokens: [UInt32] = []
        tokens.reserveCapacity(entry.tokens.reduce(Self.columns.count) { $0 + $1.count })
        var length: Float = 0
        for (column, words) in entry.tokens.enumerated() {
            tokens.append(Self.markBase + UInt32(column))
            for word in words {
                if word.utf8.elementsEqual(boundary) {
                    tokens.append(Self.boundaryToken)
                } else {
                    tokens.append(intern(word))
                    // Length normalisation counts the ranked words (not the filter terms), unweighted: a title
                    // word's weight must not also count against it.
                    if Self.columnWeights[column] > 0 { length += 1 }
                }
            }
        }
        let newTerms = termFrequencies(tokens)
        let newNames = nameTermsOf(tokens)
        let doc: Doc
        if let existing = members.doc(of: entry.member) {
            doc = existing
            let d = Int(doc)
            let oldTokens = forwardTokens(of: d)
            let oldTerms = termFrequencies(oldTokens)
            // Both lists are sorted by term: walk them together.
            var i = 0
            var j = 0
            while i < oldTerms.count || j < newTerms.count {
                if j == newTerms.count || (i < oldTerms.count && oldTerms[i].term < newTerms[j].term) {
                    removePosting(oldTerms[i].term, doc)
                    i += 1
                } else if i == oldTerms.count || newTerms[j].term < oldTerms[i].term {
                    insertPosting(newTerms[j].term, doc, newTerms[j].frequency)
                    j += 1
                } else {
                    if oldTerms[i].frequency != newTerms[j].frequency { insertPosting(newTerms[j].term, doc, newTerms[j].frequency) }
                    i += 1
                    j += 1
                }
            }
            let oldNames = Set(nameTermsOf(oldTokens))
            for term in oldNames where !newNames.contains(term) { removeNamePosting(term, doc) }
            for term in newNames where !oldNames.contains(term) { insertNamePosting(term, doc, &newNameTerms) }
            totalLength -= Double(lengths[d])
            forward[d] = ForwardList.encode(tokens, columns: Self.columns.count)
            lengths[d] = length
            attributes[d] = attributeTable.encode(entry.attributes)
            stamps[d] = entry.stamp
            versions[d] = entry.version
        } else {
            doc = members.add(entry.member)
            forward.append(ForwardList.encode(tokens, columns: Self.columns.count))
            lengths.append(length)
            attributes.append(attributeTable.encode(entry.attributes))
            stamps.append(entry.stamp)
            versions.append(entry.version)
            // The newest document is the highest: every posting is an append.
            for item in newTerms {
                postings[Int(item.term)].append(doc, item.frequency)
            }
            for term in newNames { insertNamePosting(term, doc, &newNameTerms) }
        }
        totalLength += Double(length)
    }

    /// A document's forward list as the entry was built: column marks, boundaries and terms.
    private func forwardTokens(of doc: Int) -> [UInt32] {
        ForwardList.decode(forward[doc], columns: Self.columns.count)!
    }

    /// Each term of a document once, sorted, with its weighted frequency (the sum of its columns' weights over
    /// its occurrences).
    private func termFrequencies(_ tokens: [UInt32]) -> [(term: Term, frequency: UInt8)] {
        var pairs: [(term: Term, weight: UInt32)] = []
        pairs.reserveCapacity(tokens.count)
        var weight: UInt32 = 0
        for token in tokens {
            if token >= Self.markBase {
                if token != Self.boundaryToken { weight = UInt32(Self.columnWeights[Int(token - Self.markBase)]) }
                continue
            }
            pairs.append((token, weight))
        }
        pairs.sort { $0.term < $1.term }
        var result: [(term: Term, frequency: UInt8)] = []
        result.reserveCapacity(pairs.count)
        for pair in pairs {
            if let last = result.last, last.term == pair.term {
                result[result.count - 1].frequency = PostingList.frequency(UInt32(last.frequency) + pair.weight)
            } else {
                result.append((pair.term, PostingList.frequency(pair.weight)))
            }
        }
        return result
    }

    /// The distinct terms of a document's name column.
    private func nameTermsOf(_ tokens: [UInt32]) -> [Term] {
        guard let range = Self.columnRange(tokens, Self.nameColumn) else { return [] }
        var seen: [Term] = []
        for token in tokens[range] where token < Self.markBase && !seen.contains(token) { seen.append(token) }
        return seen
    }

    /// Where a column's tokens stand in a document's forward list.
    static func columnRange(_ tokens: [UInt32], _ column: Int) -> Range<Int>? {
        guard let start = tokens.firstIndex(of: markBase + UInt32(column)) else { return nil }
        var end = start + 1
        while end < tokens.count, tokens[end] < markBase || tokens[end] == boundaryToken { end += 1 }
        return (start + 1)..<end
    }

    private func insertPosting(_ term: Term, _ doc: Doc, _ frequency: UInt8) {
        postings[Int(term)].insert(doc, frequency)
    }

    private func removePosting(_ term: Term, _ doc: Doc) {
        postings[Int(term)].remove(doc)
    }

    private func insertNamePosting(_ term: Term, _ doc: Doc, _ newNameTerms: inout [Term]) {
        if namePostings[term] == nil { newNameTerms.append(term) }
        namePostings[term, default: []].insertSorted(doc)
    }

    private func removeNamePosting(_ term: Term, _ doc: Doc) {
        namePostings[term]?.removeSorted(doc)
    }

    /// Adds the name terms first seen in a batch to the sorted list, in one merge.
    private func mergeNameTerms(_ added: [Term]) {
        guard !added.isEmpty else { return }
        let sorted = added.map { (termText[Int($0)], $0) }.sorted { $0.0 < $1.0 }
        var texts: [String] = []
        var ids: [Term] = []
        texts.reserveCapacity(nameTerms.count + sorted.count)
        ids.reserveCapacity(nameTerms.count + sorted.count)
        var i = 0
        for (text, id) in sorted {
            while i < nameTerms.count, nameTerms[i] < text {
                texts.append(nameTerms[i])
                ids.append(nameTermIDs[i])
                i += 1
            }
            texts.append(text)
            ids.append(id)
        }
        texts.append(contentsOf: nameTerms[i...])
        ids.append(contentsOf: nameTermIDs[i...])
        nameTerms = texts
        nameTermIDs = ids
    }

    /// Stamps are kept to the millisecond, as storage keeps them.
    static func millis(_ date: Date) -> Double { (date.timeIntervalSince1970 * 1000).rounded() }

    static func lowerBound<T: Comparable>(_ array: [T], _ value: T) -> Int {
        var low = 0
        var high = array.count
        while low < high {
            let mid = (low + high) / 2
            if array[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: Queries

    /// A member found, with its relevance and its attributes.
    public struct Hit: Sendable {
        public var member: MemberID
        public var relevance: Double
        public var attributes: SearchAttributes
    }

    /// What a part of a query matches: no document, every document, these, or every document but these.
    enum Match {
        case none
        case all
        case docs([Doc])
        case except([Doc])
    }

    /// A positive term or sequence of the query, with the documents holding it and its weighted frequency in
    /// each, for ranking.
    struct Leaf {
        let list: PostingList
        let idf: Float
        /// The list written out as documents, when the query wrote it out whole: ranking merges with this rather than
        /// writing the list out again.
        var docs: [Doc]? = nil
    }

    /// A query that would do more than its share of work under the lock (`workLimit`).
    public struct TooMuchWork: Error, Equatable, Sendable {}

    /// The most work one query may do under the lock, so that none holds it long: writers wait for the queries
    /// running, and every later query waits for the writers (the lock prefers them). A unit is a posting read by a
    /// merge; a document checked for a phrase costs 48 and an eighth per byte of its forward list (a term takes about
    /// two bytes), choosing the best 4 a document. Measured at 100,000 profiles (release build, docs/BENCHMARKS.md), a unit took 4–8 ns, and
    /// the twelve recruiter queries of `tsunagari bench search` spent at most 1.5 M (query 5, `"product manager" OR
    /// プロダクトマネージャー` in Tokyo), so about 15 M at 1,000,000 profiles, where that query took 79 ms. A query
    /// stopped at the limit has held the lock for 110–150 ms (p50; p99 up to 200 ms with a build running beside),
    /// whatever the size of the index: more would let one query stall every search for longer, less would refuse
    /// query 5 at 1,000,000 profiles.
    public static let workLimit = 20_000_000

    /// Work spent by a query, refused past its limit.
    struct Work {
        let limit: Int
        var spent = 0

        mutating func spend(_ units: Int) throws(TooMuchWork) {
            spent += units
            if spent > limit { throw TooMuchWork() }
        }

        /// What merging two sorted lists reads: both, or the shorter one galloped through the longer.
        static func merge(_ a: Int, _ b: Int) -> Int {
            let (short, long) = a < b ? (a, b) : (b, a)
            return short * 8 < long ? short * 8 : short + long
        }
    }

    /// The members matching the query, best first by BM25F relevance (ties by member id), at most `limit`;
    /// only among `among` when given, only entries stamped at or after `since` when given. Every matching
    /// document is ranked. A query of negations alone matches everyone not excluded, unranked, by member id.
    /// Throws `TooMuchWork` as soon as the query has done more than `workLimit` units of work.
    public func search(_ query: IndexQuery, among: [MemberID]?, since: Date?, limit: Int, workLimit: Int = TermIndex.workLimit) throws(TooMuchWork) -> [Hit] {
        var work = Work(limit: workLimit)
        return try search(query, among: among, since: since, limit: limit, work: &work)
    }

    /// How much work (in `workLimit`'s units) the query takes, done without a limit: for the benchmark, to compare
    /// queries with the limit.
    public func work(_ query: IndexQuery, among: [MemberID]?, limit: Int) -> Int {
        var work = Work(limit: .max)
        _ = try? search(query, among: among, since: nil, limit: limit, work: &work)
        return work.spent
    }

    private func search(_ query: IndexQuery, among: [MemberID]?, since: Date?, limit: Int, work: inout Work) throws(TooMuchWork) -> [Hit] {
        try search(query, among: among, since: since, limit: limit, work: &work) { doc, relevance in
            attributeTable.attributes(attributes[doc]).map { Hit(member: members[doc]!, relevance: relevance, attributes: $0) }
        }
    }

    /// A member found, with what ranking needs (`SearchRanking`) instead of the attributes.
    public struct RankedHit: Sendable {
        public var member: MemberID
        public var relevance: Double
        public var ranking: SearchRanking
    }

    /// `search`'s members, in its order, each with what ranking needs: what a people search reads of every candidate,
    /// the whole attributes only for those shown (`attributes(of:)`).
    public func rankedSearch(_ query: IndexQuery, among: [MemberID]?, since: Date?, limit: Int, workLimit: Int = TermIndex.workLimit) throws(TooMuchWork) -> [RankedHit] {
        var work = Work(limit: workLimit)
        return try search(query, among: among, since: since, limit: limit, work: &work) { doc, relevance in
            attributeTable.ranking(attributes[doc]).map { RankedHit(member: members[doc]!, relevance: relevance, ranking: $0) }
        }
    }

    /// The attributes held of these members, in their order (nil for a member without an entry).
    public func attributes(of members: [MemberID]) -> [SearchAttributes?] {
        lock.read {
            members.map { member in self.members.doc(of: member).flatMap { attributeTable.attributes(attributes[Int($0)]) } }
        }
    }

    /// The matching documents under the read lock, each read by `read` with its relevance; attributes a snapshot or
    /// storage holds in a form this version does not read (`read` gives nil) are no hit (none are written so).
    private func search<Found>(
        _ query: IndexQuery, among: [MemberID]?, since: Date?, limit: Int, work: inout Work, read: (Int, Double) -> Found?
    ) throws(TooMuchWork) -> [Found] {
        guard limit > 0 else { return [] }
        let result = lock.read { () -> Result<[Found], TooMuchWork> in
            do throws(TooMuchWork) {
                return .success(try unlockedSearch(query, among: among, since: since, limit: limit, work: &work).compactMap(read))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// `search` under the read lock: the documents found, best first, with their relevance.
    private func unlockedSearch(
        _ query: IndexQuery, among: [MemberID]?, since: Date?, limit: Int, work: inout Work
    ) throws(TooMuchWork) -> [(doc: Int, relevance: Double)] {
        var leaves: [Leaf] = []
        var amongDocs = among.map { Self.sortedDocs($0.compactMap { members.doc(of: $0) }) }
        if let since {
            // "Indexed since" (a saved search's check) narrows the documents before the query runs, so its phrases
            // and sequences are checked only on the few profiles changed since: one pass over the stamps.
            try work.spend(stamps.count)
            let threshold = Self.millis(since)
            var recent: [Doc] = []
            for (doc, stamp) in stamps.enumerated() where stamp >= threshold && members.isLive(doc) { recent.append(Doc(doc)) }
            amongDocs = amongDocs.map { Self.intersect($0, recent) } ?? recent
            if amongDocs?.isEmpty == true { return [] }
        }
        let match = try evaluate(query, positive: true, within: amongDocs, leaves: &leaves, work: &work)
        var docs: [Doc]
        var ranked = true
        switch match {
        case .none: return []
        case .docs(let found): docs = found
        case .all:
            try work.spend(amongDocs?.count ?? liveCount)
            docs = amongDocs ?? allDocs(nil)
            ranked = false
        case .except(let excluded):
            try work.spend(2 * (amongDocs?.count ?? liveCount) + excluded.count)
            docs = Self.subtract(amongDocs ?? allDocs(nil), excluded)
            ranked = false
        }
        if ranked, let amongDocs {
            try work.spend(Work.merge(docs.count, amongDocs.count))
            docs = Self.intersect(docs, amongDocs)
        }
        var scores = [Float](repeating: 0, count: docs.count)
        if ranked {
            for leaf in leaves { try work.spend(Work.merge(docs.count, leaf.list.count)) }
            score(docs, leaves, into: &scores)
        }
        // The bounded heap: a comparison per document, a few for those that enter it.
        try work.spend(4 * docs.count)
        return best(docs, scores, limit: limit).map { (Int(docs[$0]), Double(scores[$0])) }
    }

    private func allDocs(_ among: [MemberID]?) -> [Doc] {
        if let among { return Self.sortedDocs(among.compactMap { members.doc(of: $0) }) }
        var docs: [Doc] = []
        docs.reserveCapacity(liveCount)
        for doc in 0..<members.count where members.isLive(doc) { docs.append(Doc(doc)) }
        return docs
    }

    static func sortedDocs(_ docs: [Doc]) -> [Doc] {
        var sorted = docs.sorted()
        var last: Doc?
        sorted.removeAll { doc in
            defer { last = doc }
            return doc == last
        }
        return sorted
    }

    /// What `query` matches, correct within `within` when given: documents outside it may be missing (a sequence
    /// is checked only on the documents the rest of an AND leaves) or present (a term's whole posting list).
    private func evaluate(_ query: IndexQuery, positive: Bool, within: [Doc]?, leaves: inout [Leaf], work: inout Work) throws(TooMuchWork) -> Match {
        switch query {
        case .sequence(let terms, let column):
            return try sequence(terms.filter { !$0.isEmpty }, column: column, positive: positive, within: within, leaves: &leaves, work: &work)
        case .not(let inner):
            switch try evaluate(inner, positive: !positive, within: within, leaves: &leaves, work: &work) {
            case .none: return .all
            case .all: return .none
            case .docs(let docs): return .except(docs)
            case .except(let docs): return .docs(docs)
            }
        case .and(let parts):
            var included: [[Doc]] = []
            var excluded: [[Doc]] = []
            // Parts answered by posting lists alone (terms, and ANDs and ORs of terms) first; what they leave narrows
            // the rest, so that a phrase or a CJK word is checked only on documents that can still match, the part
            // with the fewest documents to check first.
            // The plain parts rarest first: the first part's documents are written out whole, and each later part is
            // merged with (or galloped through by) what is left. `英語 営業 東京` at one company starts from the
            // company's documents, not from every profile that mentions English.
            let plain = parts.filter(needsNoCheck).sorted { cost($0) < cost($1) }
            let rest = parts.filter { !needsNoCheck($0) }.sorted { cost($0) < cost($1) }
            var narrowed = within
            for (index, part) in (plain + rest).enumerated() {
                if index == plain.count, rest.count > 1 {
                    // Before any document is checked: a document lacking the terms that the parts need cannot match,
                    // so posting lists narrow the documents first (merges, cheap beside checks).
                    // `早稲田大学 マーケティング` in 大阪府 then checks only documents holding all twelve bigrams, and
                    // `"product manager" OR プロダクトマネージャー` in 東京都 only those holding the location's terms and
                    // either phrase's.
                    narrowed = try possible(.and(rest), within: narrowed, work: &work)
                    if narrowed?.isEmpty == true { return .none }
                }
                switch try evaluate(part, positive: positive, within: narrowed, leaves: &leaves, work: &work) {
                case .none: return .none
                case .all: continue
                case .docs(let docs):
                    included.append(docs)
                    if let narrowed { try work.spend(Work.merge(narrowed.count, docs.count)) }
                    narrowed = narrowed.map { Self.intersect($0, docs) } ?? docs
                    if narrowed?.isEmpty == true { return .none }
                case .except(let docs): excluded.append(docs)
                }
            }
            // p1 AND p2 AND NOT n1 AND NOT n2 = (p1 AND p2) minus (n1 OR n2)
            if included.isEmpty {
                guard !excluded.isEmpty else { return .all }
                return .except(try union(excluded, work: &work))
            }
            var result = narrowed ?? []
            if within != nil {
                // `narrowed` began as `within`; the parts' own intersection is what this AND matches.
                included.sort { $0.count < $1.count }
                result = included[0]
                for docs in included.dropFirst() where !result.isEmpty {
                    try work.spend(Work.merge(result.count, docs.count))
                    result = Self.intersect(result, docs)
                }
            }
            for docs in excluded where !result.isEmpty {
                try work.spend(2 * result.count + Work.merge(result.count, docs.count))
                result = Self.subtract(result, docs)
            }
            return .docs(result)
        case .or(let parts):
            var included: [[Doc]] = []
            var excluded: [[Doc]] = []
            for part in parts {
                switch try evaluate(part, positive: positive, within: within, leaves: &leaves, work: &work) {
                case .none: continue
                case .all: return .all
                case .docs(let docs): included.append(docs)
                case .except(let docs): excluded.append(docs)
                }
            }
            let union = try union(included, work: &work)
            // p1 OR p2 OR NOT n1 OR NOT n2 = everything except ((n1 AND n2) minus (p1 OR p2))
            if excluded.isEmpty { return included.isEmpty ? .none : .docs(union) }
            excluded.sort { $0.count < $1.count }
            var common = excluded[0]
            for docs in excluded.dropFirst() {
                try work.spend(Work.merge(common.count, docs.count))
                common = Self.intersect(common, docs)
            }
            try work.spend(2 * common.count + Work.merge(common.count, union.count))
            return .except(Self.subtract(common, union))
        }
    }

    /// The documents (of `within`, or of all when nil) that can match `query` by their terms alone: a phrase needs all
    /// its terms, an AND all its parts, an OR one of its parts; a negation narrows nothing. Nil: no narrowing (all).
    private func possible(_ query: IndexQuery, within: [Doc]?, work: inout Work) throws(TooMuchWork) -> [Doc]? {
        switch query {
        case .sequence(let words, _):
            var ids: [Term] = []
            for word in words where !word.isEmpty {
                guard let id = termIDs[TermKey(word)] else { return [] }
                ids.append(id)
            }
            guard !ids.isEmpty else { return [] }
            var docs = within
            for term in Set(ids).sorted(by: { postings[Int($0)].count < postings[Int($1)].count }) {
                let list = postings[Int(term)]
                if let current = docs {
                    try work.spend(Work.merge(current.count, list.count))
                    docs = list.intersection(current)
                } else {
                    docs = list.docs()
                }
                if docs?.isEmpty == true { return [] }
            }
            return docs
        case .and(let parts):
            var docs = within
            for part in parts.sorted(by: { cost($0) < cost($1) }) {
                docs = try possible(part, within: docs, work: &work)
                if docs?.isEmpty == true { return [] }
            }
            return docs
        case .or(let parts):
            var lists: [[Doc]] = []
            for part in parts {
                guard let docs = try possible(part, within: within, work: &work) else { return within }
                lists.append(docs)
            }
            return try union(lists, work: &work)
        case .not:
            return within
        }
    }

    /// The union of sorted lists. Merged one after another, each merge would read what the ones before it made (64
    /// common words ORed: 64 times the documents); when the lists are long beside the index, they are marked in a
    /// bitmap of every document instead, which reads each once.
    private func union(_ lists: [[Doc]], work: inout Work) throws(TooMuchWork) -> [Doc] {
        let total = lists.reduce(0) { $0 + $1.count }
        let words = (members.count + 63) / 64
        guard lists.count > 1, total >= words else {
            var union: [Doc] = []
            for docs in lists {
                try work.spend(union.count + docs.count)
                union = Self.union(union, docs)
            }
            return union
        }
        try work.spend(2 * total + words)
        var bits = [UInt64](repeating: 0, count: words)
        bits.withUnsafeMutableBufferPointer { bits in
            for list in lists {
                for doc in list { bits[Int(doc >> 6)] |= 1 << UInt64(doc & 63) }
            }
        }
        var result: [Doc] = []
        result.reserveCapacity(min(total, members.count))
        for (index, word) in bits.enumerated() where word != 0 {
            var rest = word
            while rest != 0 {
                result.append(Doc(index * 64 + rest.trailingZeroBitCount))
                rest &= rest - 1
            }
        }
        return result
    }

    /// A single term that needs no check: its posting list is its answer.
    private func isPlainTerm(_ query: IndexQuery) -> Bool {
        guard case .sequence(let terms, let column) = query else { return false }
        let words = terms.filter { !$0.isEmpty }
        return words.count == 1 && (column == nil || (column == .filters && words[0].hasPrefix(ProfileIndexing.filterMark)))
    }

    /// Whether a part is answered by posting lists alone, with no document checked in the forward index.
    private func needsNoCheck(_ query: IndexQuery) -> Bool {
        switch query {
        case .sequence: isPlainTerm(query)
        case .and(let parts), .or(let parts): parts.allSatisfy(needsNoCheck)
        case .not: false
        }
    }

    /// About how many documents a part may have to check: a sequence's rarest term, an AND's cheapest part, an
    /// OR's parts together; a negation, last.
    private func cost(_ query: IndexQuery) -> Int {
        switch query {
        case .sequence(let terms, _):
            return terms.filter { !$0.isEmpty }.map { termIDs[TermKey($0)].map { postings[Int($0)].count } ?? 0 }.min() ?? 0
        case .and(let parts): return parts.map(cost).min() ?? 0
        case .or(let parts): return parts.map(cost).reduce(0) { $0 > Int.max - $1 ? Int.max : $0 + $1 }
        case .not: return Int.max
        }
    }

    private func sequence(
        _ words: [String], column: SearchColumn?, positive: Bool, within: [Doc]?, leaves: inout [Leaf], work: inout Work
    ) throws(TooMuchWork) -> Match {
        guard !words.isEmpty else { return .none }
        var terms: [Term] = []
        for word in words {
            guard let id = termIDs[TermKey(word)] else { return .none }
            terms.append(id)
        }
        let n = Float(max(liveCount, 1))
        func idf(_ df: Int) -> Float { log(1 + (n - Float(df) + 0.5) / (Float(df) + 0.5)) }
        if isPlainTerm(.sequence(words, column: column)) {
            let list = postings[Int(terms[0])]
            // Only the documents `within` matter: when they are few beside the list, they are galloped through it
            // rather than the whole list written out.
            if let within, within.count * 8 < list.count {
                try work.spend(Work.merge(within.count, list.count))
                if positive { leaves.append(Leaf(list: list, idf: idf(list.count))) }
                return .docs(list.intersection(within))
            }
            let docs = list.docs()
            if positive { leaves.append(Leaf(list: list, idf: idf(list.count), docs: docs)) }
            return .docs(docs)
        }
        var lists = Set(terms).map { postings[Int($0)] }
        lists.sort { $0.count < $1.count }
        // A sequence is at least as rare as its rarest term; its idf is taken from that term (the exact count would
        // need every candidate checked, not only those `within`).
        let rarest = lists[0].count
        if let within { try work.spend(Work.merge(within.count, rarest)) }
        var candidates = within.map { lists[0].intersection($0) } ?? lists[0].docs()
        for list in lists.dropFirst() where !candidates.isEmpty {
            try work.spend(Work.merge(candidates.count, list.count))
            let before = candidates.count
            candidates = list.intersection(candidates)
            // A list that took away under a sixteenth is not followed by the longer ones: every document left is checked
            // in its forward list below, which finds the sequence whatever the lists left. A long CJK word's bigrams
            // (プロダクトマネージャー: ten) all stand in nearly every document holding its rarest two or three.
            if candidates.count * 16 > before * 15 { break }
        }
        let wanted = column.map { Self.columns.firstIndex(of: $0)! }
        let pattern = ForwardList.pattern(terms)
        var found = PostingList()
        try forward.withUnsafeBufferPointer { (forward) throws(TooMuchWork) in
            // Reaching a document's list is a miss of the cache for each of its lines (about seven, at 450 bytes); the
            // scan itself is memchr's. Read one after another, every list's misses would wait in turn. So the lists
            // are checked a batch at a time, each batch's lines reached first: those reads do not depend on one
            // another, so the memory serves them together.
            let batch = 16
            var reached = 0
            var start = 0
            while start < candidates.count {
                let end = min(start + batch, candidates.count)
                for k in start..<end {
                    forward[Int(candidates[k])].withUnsafeBufferPointer { bytes in
                        var offset = 0
                        while offset < bytes.count {
                            reached &+= Int(bytes[offset])
                            offset += 64
                        }
                    }
                }
                for k in start..<end {
                    let doc = candidates[k]
                    let bytes = forward[Int(doc)]
                    try work.spend(48 + bytes.count / 8)
                    let weight = ForwardList.occurrences(of: pattern, in: bytes, column: wanted, weights: Self.columnWeights)
                    guard weight.count > 0 else { continue }
                    found.append(doc, PostingList.frequency(weight.weight))
                }
                start = end
            }
            // Used, so that the reads are not left out as having no effect.
            if reached < 0 { found = PostingList() }
        }
        let docs = found.docs()
        if positive { leaves.append(Leaf(list: found, idf: idf(rarest), docs: docs)) }
        return .docs(docs)
    }

    /// Adds each leaf's BM25F contribution to the score of each document holding it.
    private func score(_ docs: [Doc], _ leaves: [Leaf], into scores: inout [Float]) {
        guard !docs.isEmpty, !leaves.isEmpty else { return }
        let average = Float(totalLength / Double(max(liveCount, 1)))
        lengths.withUnsafeBufferPointer { lengths in
            for leaf in leaves where leaf.idf > 0 {
                let frequencies = leaf.list.frequencies
                func add(_ i: Int, _ j: Int) {
                    let frequency = Float(frequencies[j])
                    guard frequency > 0 else { return }
                    let norm = Self.k1 * (1 - Self.b + Self.b * lengths[Int(docs[i])] / max(average, 1))
                    scores[i] += leaf.idf * frequency * (Self.k1 + 1) / (frequency + norm)
                }
                if let written = leaf.docs {
                    // A query of one term (or whose other parts took nothing away) ranks the very documents the leaf
                    // wrote out: no merge.
                    if Self.same(written, docs) {
                        for i in docs.indices { add(i, i) }
                    } else {
                        Self.forEachCommon(docs, written, add)
                    }
                } else {
                    leaf.list.forEachCommon(docs, add)
                }
            }
        }
    }

    /// The indexes (into `docs`) of the best `limit`, best first: higher score, then lower member id.
    private func best(_ docs: [Doc], _ scores: [Float], limit: Int) -> [Int] {
        func better(_ a: Int, _ b: Int) -> Bool {
            if scores[a] != scores[b] { return scores[a] > scores[b] }
            return members.idPrecedes(Int(docs[a]), Int(docs[b]))
        }
        if docs.count <= limit { return docs.indices.sorted(by: better) }
        // A heap of the best `limit` so far, the worst on top.
        var heap: [Int] = []
        heap.reserveCapacity(limit)
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var worst = i
                if l < heap.count, better(heap[worst], heap[l]) { worst = l }
                if r < heap.count, better(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst)
                i = worst
            }
        }
        for index in docs.indices {
            if heap.count < limit {
                heap.append(index)
                var i = heap.count - 1
                while i > 0 {
                    let parent = (i - 1) / 2
                    guard better(heap[parent], heap[i]) else { break }
                    heap.swapAt(parent, i)
                    i = parent
                }
            } else if better(index, heap[0]) {
                heap[0] = index
                siftDown(0)
            }
        }
        return heap.sorted(by: better)
    }

    // MARK: Typeahead

    /// Members whose name column holds `terms` consecutively, the last as a prefix; unranked, at most
    /// `limit`, only among `among` when given.
    public func names(_ terms: [String], among: [MemberID]?, limit: Int) -> [Hit] {
        let words = terms.filter { !$0.isEmpty }
        guard limit > 0, let prefix = words.last else { return [] }
        return lock.read {
            var exact: [Term] = []
            for word in words.dropLast() {
                guard let id = termIDs[TermKey(word)] else { return [] }
                exact.append(id)
            }
            var prefixed: [Term] = []
            var i = Self.lowerBound(nameTerms, prefix)
            while i < nameTerms.count, nameTerms[i].utf8.starts(with: prefix.utf8) {
                prefixed.append(nameTermIDs[i])
                i += 1
            }
            guard !prefixed.isEmpty else { return [] }
            let prefixSet = Set(prefixed)
            func matches(_ doc: Doc) -> Bool {
                let tokens = ForwardList.tokens(forward[Int(doc)], column: Self.nameColumn, columns: Self.columns.count)
                var start = 0
                while start + exact.count < tokens.count {
                    var k = 0
                    while k < exact.count, tokens[start + k] == exact[k] { k += 1 }
                    if k == exact.count, prefixSet.contains(tokens[start + k]) { return true }
                    start += 1
                }
                return false
            }
            var found: [Doc] = []
            if let among, among.count <= 20_000 {
                for doc in Self.sortedDocs(among.compactMap { members.doc(of: $0) }) where matches(doc) {
                    found.append(doc)
                    if found.count == limit { break }
                }
            } else {
                let allowed = among.map { Set($0.compactMap { members.doc(of: $0) }) }
                var seen: Set<Doc> = []
                search: for term in prefixed {
                    for doc in namePostings[term] ?? [] where allowed?.contains(doc) ?? true {
                        guard !seen.contains(doc), exact.isEmpty || matches(doc) else { continue }
                        seen.insert(doc)
                        found.append(doc)
                        if found.count == limit { break search }
                    }
                }
            }
            return found.compactMap { doc in
                attributeTable.attributes(attributes[Int(doc)]).map { Hit(member: members[Int(doc)]!, relevance: 0, attributes: $0) }
            }
        }
    }

    // MARK: Sorted arrays

    static func intersect(_ a: [Doc], _ b: [Doc]) -> [Doc] {
        let documents = DocumentBitmap.documents(a, b)
        if DocumentBitmap.pays(a.count, b.count, documents: documents) {
            var bitmap = DocumentBitmap(documents: documents)
            bitmap.insert(a.count < b.count ? a : b)
            return bitmap.filter(a.count < b.count ? b : a)
        }
        var result: [Doc] = []
        forEachCommon(a, b) { i, _ in result.append(a[i]) }
        return result
    }

    /// Whether two sorted lists hold the same documents: the same buffer, or the same bytes.
    static func same(_ a: [Doc], _ b: [Doc]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in a.baseAddress == b.baseAddress || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }

    /// Calls `body(i, j)` for each `a[i] == b[j]`, in order; gallops through the longer array when the
    /// other is much shorter.
    static func forEachCommon(_ a: [Doc], _ b: [Doc], _ body: (Int, Int) -> Void) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                guard !a.isEmpty, !b.isEmpty else { return }
                if a.count * 8 < b.count {
                    gallop(a, through: b, body)
                } else if b.count * 8 < a.count {
                    gallop(b, through: a) { j, i in body(i, j) }
                } else {
                    var i = 0
                    var j = 0
                    while i < a.count, j < b.count {
                        if a[i] < b[j] {
                            i += 1
                        } else if b[j] < a[i] {
                            j += 1
                        } else {
                            body(i, j)
                            i += 1
                            j += 1
                        }
                    }
                }
            }
        }
    }

    /// Each value of `short` looked up in `long` by galloping from where the last one was found:
    /// `body(index in short, index in long)` for each found.
    private static func gallop(_ short: UnsafeBufferPointer<Doc>, through long: UnsafeBufferPointer<Doc>, _ body: (Int, Int) -> Void) {
        var low = 0
        for i in 0..<short.count {
            let value = short[i]
            var step = 1
            var high = low
            while high < long.count, long[high] < value {
                low = high + 1
                high += step
                step *= 2
            }
            high = min(high, long.count)
            while low < high {
                let mid = (low + high) / 2
                if long[mid] < value { low = mid + 1 } else { high = mid }
            }
            if low == long.count { return }
            if long[low] == value { body(i, low) }
        }
    }

    static func union(_ a: [Doc], _ b: [Doc]) -> [Doc] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var result: [Doc] = []
        result.reserveCapacity(max(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                result.append(a[i])
                i += 1
            } else if i == a.count || b[j] < a[i] {
                result.append(b[j])
                j += 1
            } else {
                result.append(a[i])
                i += 1
                j += 1
            }
        }
        return result
    }

    static func subtract(_ a: [Doc], _ b: [Doc]) -> [Doc] {
        guard !a.isEmpty, !b.isEmpty else { return a }
        let documents = DocumentBitmap.documents(a)
        if a.count + b.count >= documents / 32, b.count * 8 >= a.count {
            // Only `b`'s documents up to `a`'s last are marked (the bitmap ends there).
            var bitmap = DocumentBitmap(documents: documents)
            bitmap.insert(b)
            return bitmap.filter(a, keeping: false)
        }
        var common = [Bool](repeating: false, count: a.count)
        forEachCommon(a, b) { i, _ in common[i] = true }
        var result: [Doc] = []
        result.reserveCapacity(a.count)
        for i in a.indices where !common[i] { result.append(a[i]) }
        return result
    }

    // MARK: Size

    /// `approximateBytes` by part, with counts that explain them (for the benchmark).
    public var memoryParts: [(part: String, bytes: Int)] { lock.read { parts(detailed: true) } }

    /// An estimate of the memory the index holds, in bytes.
    public var approximateBytes: Int { lock.read { parts(detailed: false).reduce(0) { $0 + $1.bytes } } }

    /// The memory of each part, by the room its arrays hold (their capacity), 32 bytes for each array's or long
    /// string's header, and a dictionary's buckets (4 for every 3 entries it has room for). With `detailed`, the
    /// forward lists' terms are counted by width, which decodes every list.
    private func parts(detailed: Bool) -> [(part: String, bytes: Int)] {
        var postingBytes = 0
        var postingCount = 0
        for list in postings {
            postingBytes += list.bytes
            postingCount += list.count
        }
        var forwardBytes = forward.capacity * 8
        var tokenCount = 0
        var widths = [0, 0, 0, 0]
        for (doc, list) in forward.enumerated() {
            forwardBytes += list.capacity + 32
            guard detailed else { continue }
            for token in forwardTokens(of: doc) where token < Self.markBase {
                tokenCount += 1
                let value = token + 1
                widths[value < 1 << 7 ? 0 : value < 1 << 14 ? 1 : value < 1 << 21 ? 2 : 3] += 1
            }
        }
        let attributeBytes = attributes.reduce(attributes.capacity * 8) { $0 + $1.capacity + 32 }
        let termBytes = termText.reduce(0) { $0 + $1.utf8.count + 40 } + termIDs.capacity * 4 / 3 * 20
        let nameBytes = namePostings.reduce(0) { $0 + $1.value.capacity * 4 + 48 }
        let columnBytes = lengths.capacity * 4 + stamps.capacity * 8 + versions.capacity * 8
        var parts: [(part: String, bytes: Int)] = [
            ("postings (\(postingCount) postings, \(termText.count) terms)", postingBytes),
            ("forward lists", forwardBytes),
            ("attributes", attributeBytes),
            ("attribute pieces (\(attributeTable.count))", attributeTable.bytes),
            ("term text", termBytes),
            ("typeahead postings", nameBytes),
            ("member ids and their documents (\(members.count))", members.bytes),
            ("lengths, stamps, versions", columnBytes),
        ]
        if detailed { parts[1].part = "forward lists (\(tokenCount) terms; of 1/2/3/4 bytes: \(widths))" }
        return parts
    }
}

/// A term as a dictionary key, hashed and compared by its UTF-8 bytes. Terms are normalised (NFKC) by the
/// analyser, so the canonical-equivalence work that String's own hashing and == do for non-ASCII text would
/// only cost time (filling the index from storage: 10,400 profiles/s with String keys, 14,600/s with these).
struct TermKey: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: TermKey, b: TermKey) -> Bool {
        a.text.utf8.count == b.text.utf8.count && a.text.utf8.elementsEqual(b.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}

extension Array where Element == UInt32 {
    mutating func insertSorted(_ value: UInt32) {
        if let last, last < value {
            append(value)
            return
        }
        let index = TermIndex.lowerBound(self, value)
        if index < count, self[index] == value { return }
        insert(value, at: index)
    }

    mutating func removeSorted(_ value: UInt32) {
        let index = TermIndex.lowerBound(self, value)
        if index < count, self[index] == value { remove(at: index) }
    }
}
