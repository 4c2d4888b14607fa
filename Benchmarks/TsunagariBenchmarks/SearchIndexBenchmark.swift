import Foundation
import TsunagariCore
import TsunagariSearch
import TsunagariWeb

/// `tsunagari bench search-index`: the recruiter queries of `bench search` against the index in memory alone, with
/// no database: the index is built from the synthetic profiles (analysed on every core), or read from a snapshot
/// file an earlier run wrote, so that a change to the index's queries can be measured at 1,000,000 profiles in a
/// minute or two rather than the half hour `bench search` spends writing and indexing through storage. Prints, for
/// each query, the index's time (`TermIndex.search`: the query, the ranking and the hits' attributes).
public enum SearchIndexBenchmark {
    public struct Options: Sendable {
        public var members: Int
        public var seed: UInt64
        public var repetitions: Int
        /// A snapshot file: read when it exists (written by an earlier run with the same members and seed), else
        /// written after the build.
        public var snapshot: String?
        /// Only the queries with these numbers (`4`), when given.
        public var only: [String]

        public init(members: Int, seed: UInt64, repetitions: Int, snapshot: String?, only: [String]) {
            self.members = members
            self.seed = seed
            self.repetitions = repetitions
            self.snapshot = snapshot
            self.only = only
        }
    }

    public static func run(_ options: Options) throws {
        let index = TermIndex()
        let queries: [Dataset.Query]
        var start = DispatchTime.now().uptimeNanoseconds
        // Beside the snapshot, the profiles' count and seed and the two companies the queries' filters name, so that a
        // run from the snapshot need not make the profiles again (three minutes at 1,000,000). A snapshot of other
        // profiles is built again and overwritten.
        let companiesPath = options.snapshot.map { $0 + ".companies" }
        if let path = options.snapshot, let companiesPath, FileManager.default.fileExists(atPath: path),
            let companies = try? String(contentsOfFile: companiesPath, encoding: .utf8).split(separator: "\n").map(String.init), companies.count == 4,
            Int(companies[0]) == options.members, UInt64(companies[1]) == options.seed
        {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            try bytes.withUnsafeBytes { raw in
                var reader = try SnapshotReader(raw, kind: TermIndex.snapshotKind, formats: TermIndex.snapshotFormat...TermIndex.snapshotFormat)
                try index.readSnapshot(from: &reader)
            }
            guard index.count == options.members else {
                throw SearchBenchmark.SearchBenchError("\(path) holds \(index.count) profiles, not \(options.members): remove it or give another")
            }
            queries = Dataset.queries(top: companies[2], fifth: companies[3])
            print("Index read from \(path) in \(String(format: "%.1f", SearchBenchmark.seconds(since: start))) s")
        } else {
            let data = Dataset(members: options.members, seed: options.seed, averageDegree: 0)
            queries = data.queries
            // The analysis alone, on one core: what every profile edit and every start without a snapshot pays per profile.
            let analysed = data.profiles.prefix(20_000)
            start = DispatchTime.now().uptimeNanoseconds
            var columns = 0
            for profile in analysed { columns += ProfileIndexing.entry(for: profile).columns.count }
            let perProfile = SearchBenchmark.seconds(since: start) / Double(max(analysed.count, 1)) * 1e6
            print("Analysis: \(analysed.count) profiles made into index entries on one core, \(String(format: "%.1f", perProfile)) µs each (\(columns) columns)")
            start = DispatchTime.now().uptimeNanoseconds
            build(index, from: data.profiles)
            print("Index built in memory in \(String(format: "%.1f", SearchBenchmark.seconds(since: start))) s")
            if let path = options.snapshot, let companiesPath {
                let handle = try FileHandle(forWritingTo: createFile(path))
                var writer = SnapshotWriter(kind: TermIndex.snapshotKind, format: TermIndex.snapshotFormat) { try handle.write(contentsOf: $0) }
                index.writeSnapshot(to: &writer)
                _ = try writer.finish()
                try handle.close()
                let companies = [String(options.members), String(options.seed), data.filterCompanies.top, data.filterCompanies.fifth]
                try companies.joined(separator: "\n").write(toFile: companiesPath, atomically: true, encoding: .utf8)
                print("Snapshot written to \(path)")
            }
        }
        print("Index in memory: \(SearchBenchmark.grouped(index.approximateBytes / max(index.count, 1))) bytes per profile")

        let limit = SearchBenchmark.candidateLimit
        var rows: [[String]] = []
        for query in queries where options.only.isEmpty || options.only.contains(query.label) {
            let narrowing = ProfileIndexing.filterQueries(query.filters)
            let indexQuery: IndexQuery = narrowing.isEmpty ? query.compiled : .and([query.compiled] + narrowing)
            let work = index.work(indexQuery, among: nil, limit: limit)
            for _ in 0..<2 { _ = try? index.search(indexQuery, among: nil, since: nil, limit: limit) }
            var search = Timings()
            var hits: [TermIndex.Hit] = []
            for _ in 0..<options.repetitions {
                hits = try search.measure { try index.search(indexQuery, among: nil, since: nil, limit: limit) }
            }
            rows.append([
                query.label, query.text, query.filterDescription, "\(hits.count)", SearchBenchmark.grouped(work),
                formatMilliseconds(search.median), formatMilliseconds(search.p99),
            ])
        }
        print("")
        print("Queries against the index alone (\(options.repetitions) runs each after 2 warm-up runs; at most \(limit) hits):")
        printTable(["#", "query", "filters", "hits", "work", "index p50", "index p99"], rows)
    }

    /// The index filled as storage's load fills it, the profiles analysed on every core a batch at a time.
    static func build(_ index: TermIndex, from profiles: [Profile]) {
        let batch = 20_000
        let date = Date()
        var from = 0
        while from < profiles.count {
            let (lowest, to) = (from, min(from + batch, profiles.count))
            let slices = 8
            let entries = LockedEntries(count: slices)
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                let lower = lowest + (to - lowest) * slice / slices
                let upper = lowest + (to - lowest) * (slice + 1) / slices
                entries.set(slice, profiles[lower..<upper].map { ProfileIndexing.entry(for: $0) })
            }
            index.upsert(entries.all, at: date)
            from = to
        }
    }

    private static func createFile(_ path: String) throws -> URL {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw SearchBenchmark.SearchBenchError("cannot create \(path)")
        }
        return URL(fileURLWithPath: path)
    }

    /// The analysed slices of one batch, filled from several threads.
    private final class LockedEntries: @unchecked Sendable {
        private let lock = NSLock()
        private var slices: [[SearchIndexEntry]]

        init(count: Int) { slices = Array(repeating: [], count: count) }

        func set(_ slice: Int, _ entries: [SearchIndexEntry]) { lock.withLock { slices[slice] = entries } }

        var all: [SearchIndexEntry] { lock.withLock { slices.flatMap { $0 } } }
    }
}
