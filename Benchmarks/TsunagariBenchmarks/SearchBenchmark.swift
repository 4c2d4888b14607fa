import Foundation
import TsunagariCore
import TsunagariGraph
import TsunagariSearch
import TsunagariWeb

/// What the search benchmark needs of storage: the product's ports.
typealias SearchBenchStore = Storage & NetworkStore & SearchEntryStore

/// `tsunagari bench search`: writes synthetic Japanese, English and mixed profiles into a fresh database,
/// indexes them as the product does (storage and the index in memory), and times recruiter queries and
/// typeahead through `PeopleSearchService`, beside the same queries answered by a plain `LIKE` scan of each
/// profile's folded text in the same database.
public enum SearchBenchmark {
    public struct Options: Sendable {
        public var members: Int
        public var seed: UInt64
        public var databaseURL: String?
        public var sqlite: Bool
        public var repetitions: Int
        public var averageDegree: Int
        public var keep: Bool
        public var memberBatch: Int
        /// A SQLite file kept by an earlier run with the same members and seed: its members are not written again.
        public var sqliteFile: String?

        public init(
            members: Int, seed: UInt64, databaseURL: String?, sqlite: Bool, repetitions: Int, averageDegree: Int, keep: Bool, memberBatch: Int,
            sqliteFile: String? = nil
        ) {
            self.sqliteFile = sqliteFile
            self.members = members
            self.seed = seed
            self.databaseURL = databaseURL
            self.sqlite = sqlite
            self.repetitions = repetitions
            self.averageDegree = averageDegree
            self.keep = keep
            self.memberBatch = memberBatch
        }
    }

    /// Entries per `upsertSearchEntries` call.
    static let indexBatch = 1_000
    /// What the service asks the index for (`PeopleSearchService.candidateLimit`); the baseline returns as many.
    static let candidateLimit = PeopleSearchService.standardCandidateLimit
    /// A baseline query slower than this on its first run is repeated only `slowBaselineRuns` times.
    static let slowBaseline = 0.25
    static let slowBaselineRuns = 5
    /// A query slower than this on its first run is repeated only `slowRuns` times; a typeahead prefix slower than
    /// `slowTypeahead`, `slowRuns` times.
    static let slowQuery = 1.0
    static let slowTypeahead = 0.2
    static let slowRuns = 5

    struct SearchBenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    public static func run(_ options: Options) async throws {
        let data = Dataset(members: options.members, seed: options.seed, averageDegree: options.averageDegree)
        if options.sqlite {
            let database = try SQLiteBenchDatabase(reusing: options.sqliteFile)
            try await measure(database, data, options)
        }
        if let url = options.databaseURL {
            let database = try await PostgresBenchDatabase.create(serverURL: url)
            try await measure(database, data, options)
        }
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    static func rate(_ count: Int, _ seconds: Double) -> String { "\(grouped(Int((Double(count) / max(seconds, 1e-9)).rounded())))/s" }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    static func measure(_ database: any SearchBenchDatabase, _ data: Dataset, _ options: Options) async throws {
        let storage = database.storage
        print("")
        print("== \(database.name): \(grouped(data.members.count)) profiles, seed \(options.seed) ==")
        print(database.location)
        var failure: (any Error)?
        do {
            try await measureSteps(database, storage, data, options)
        } catch {
            failure = error
        }
        try? await database.finish(keep: options.keep)
        if let failure { throw failure }
    }

    static func measureSteps(
        _ database: any SearchBenchDatabase, _ storage: any SearchBenchStore, _ data: Dataset, _ options: Options
    ) async throws {
        let n = data.members.count
        try await storage.migrate()

        // 1. Members.
        var start = DispatchTime.now().uptimeNanoseconds
        var index = 0
        let existing = try await storage.memberCount()
        if existing == n {
            print("Members: \(grouped(n)) already in the reused database (not written again)")
            index = n
        } else if existing != 0 {
            throw SearchBenchError("the reused database holds \(existing) members, not \(n)")
        }
        while index < n {
            let end = min(index + options.memberBatch, n)
            try await storage.createMembers(Array(data.members[index..<end]))
            index = end
        }
        let writeSeconds = seconds(since: start)
        if existing == 0 { print("Members written with createMembers in batches of \(grouped(options.memberBatch)): \(String(format: "%.1f", writeSeconds)) s (\(rate(n, writeSeconds)))") }
        if !data.connections.isEmpty {
            start = DispatchTime.now().uptimeNanoseconds
            var imported = 0
            var from = 0
            while from < data.connections.count {
                let to = min(from + 50_000, data.connections.count)
                imported += try await storage.importConnections(Array(data.connections[from..<to]))
                from = to
            }
            print("Connections imported: \(grouped(imported)) in \(String(format: "%.1f", seconds(since: start))) s")
        } else {
            print("Connections: none (every result is beyond the 3rd degree; the graph part of the service has no work)")
        }

        // 2. Indexing: the shared analyser, then storage, in batches.
        let sizeBefore = try await database.databaseBytes()
        // The analyser alone, on one core, over a sample; then the whole indexing as the product does it
        // (ProfileIndexing.index: the next batch analysed on every core while the last one is written).
        let sample = min(n, 50_000)
        var t0 = DispatchTime.now().uptimeNanoseconds
        let analysed = data.profiles[0..<sample].map { ProfileIndexing.entry(for: $0) }
        let analysis = seconds(since: t0)
        precondition(analysed.count == sample)
        t0 = DispatchTime.now().uptimeNanoseconds
        let written = SearchEngine(store: storage)
        try await ProfileIndexing.index(Array(data.profiles), into: written, at: Date(), batch: indexBatch)
        let together = seconds(since: t0)
        // What a (re)starting instance does: the index in memory filled from storage.
        let residentBeforeLoad = residentBytes()
        t0 = DispatchTime.now().uptimeNanoseconds
        let engine = SearchEngine(store: storage)
        let loaded = try await engine.load()
        let loadSeconds = seconds(since: t0)
        let residentForLoad = residentBytes() - residentBeforeLoad
        precondition(loaded == n && engine.index.count == n, "the index in memory holds \(engine.index.count) entries for \(n) profiles")
        let indexed = try await storage.searchEntryCount()
        precondition(indexed == n, "the index holds \(indexed) entries for \(n) profiles")
        let sizeAfter = try await database.databaseBytes()
        let indexBytes = try await database.indexBytes()
        print("")
        print("Indexing \(grouped(n)) profiles in batches of \(grouped(indexBatch)) (target ≥ 5,000 profiles/s):")
        printTable(
            ["step", "time", "profiles/s"],
            [
                ["analysis alone, one core, first \(grouped(sample))", String(format: "%.1f s", analysis), rate(sample, analysis)],
                ["indexing (ProfileIndexing.index: analysis on every core, storage and the index in memory)", String(format: "%.1f s", together), rate(n, together)],
                ["start-up: the index in memory filled from storage", String(format: "%.1f s", loadSeconds), rate(n, loadSeconds)],
            ])
        print("")
        print(
            "Index size: \(megabytes(indexBytes.bytes)) = \(grouped(indexBytes.bytes / max(n, 1))) bytes per profile (\(indexBytes.how)); "
                + "database \(megabytes(sizeBefore)) before indexing, \(megabytes(sizeAfter)) after (+\(grouped((sizeAfter - sizeBefore) / max(n, 1))) bytes per profile)")
        let memory = engine.index.approximateBytes
        print("Index in memory: about \(megabytes(memory)) = \(grouped(memory / max(n, 1))) bytes per profile (TermIndex.approximateBytes); "
            + "resident +\(megabytes(residentForLoad)) = \(grouped(residentForLoad / max(n, 1))) bytes per profile while filled from storage")
        for (part, bytes) in engine.index.memoryParts { print("  \(part): \(grouped(bytes / max(n, 1))) bytes per profile") }

        // What a restart with a snapshot does instead (as the server does: the snapshot written in the background,
        // then at start read back, checked against the change log, and followed by it); answers compared below.
        let snapshotFolder = (NSTemporaryDirectory() as NSString).appendingPathComponent("tsunagari-bench-snapshot-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: snapshotFolder) }
        let files = IndexSnapshotFiles(directory: snapshotFolder)
        t0 = DispatchTime.now().uptimeNanoseconds
        let position = try await files.write(files.searchPath) { flush in try await engine.writeSnapshot(flush: flush) }
        let snapshotWrite = seconds(since: t0)
        precondition(position != nil, "no snapshot was written")
        let snapshotBytes = (try FileManager.default.attributesOfItem(atPath: files.searchPath)[.size] as? NSNumber)?.intValue ?? 0
        t0 = DispatchTime.now().uptimeNanoseconds
        let residentBeforeRestore = residentBytes()
        let restarted = SearchEngine(store: storage)
        let started = try await restarted.start(from: files, expected: n)
        let snapshotStart = seconds(since: t0)
        let residentForRestore = residentBytes() - residentBeforeRestore
        print("Index restored from its snapshot: resident +\(megabytes(residentForRestore)) = \(grouped(residentForRestore / max(n, 1))) bytes per profile")
        guard case .snapshot = started else { throw SearchBenchError("the snapshot was not used: \(started)") }
        precondition(restarted.index.count == n, "the restored index holds \(restarted.index.count) entries for \(n) profiles")
        for query in data.queries {
            let narrowing = ProfileIndexing.filterQueries(query.filters)
            let indexQuery: IndexQuery = narrowing.isEmpty ? query.compiled : .and([query.compiled] + narrowing)
            let expected = try await engine.searchCandidates(indexQuery, filters: IndexFilters(), limit: candidateLimit)
            let found = try await restarted.searchCandidates(indexQuery, filters: IndexFilters(), limit: candidateLimit)
            guard expected.map(\.member) == found.map(\.member) else { throw SearchBenchError("the restored index answers \(query.text) otherwise") }
        }
        // Kept until the queries have run: the index alone is timed on it too, beside the one filled from storage (the same
        // entries, another layout on the heap).
        defer { restarted.index.removeAll() }
        print("")
        print("Start-up from a snapshot (docs/ARCHITECTURE.md, Start-up):")
        printTable(
            ["step", "time", "profiles/s"],
            [
                ["snapshot written (\(megabytes(snapshotBytes)), \(grouped(snapshotBytes / max(n, 1))) bytes per profile)", String(format: "%.1f s", snapshotWrite), rate(n, snapshotWrite)],
                ["start-up: the index read from the snapshot, checked, the log replayed", String(format: "%.1f s", snapshotStart), rate(n, snapshotStart)],
                ["start-up: the index filled from storage (above)", String(format: "%.1f s", loadSeconds), rate(n, loadSeconds)],
            ])

        // 3. Queries through the service.
        let graph = MemberGraph(snapshot: try await storage.networkSnapshot())
        let service = PeopleSearchService(
            storage: storage, index: engine, graph: graph, clock: SystemClock(), limits: .relaxed, filterQueries: ProfileIndexing.filterQueries)
        let viewer = data.members[0].account.memberID
        print("")
        print("Viewer: \(data.members[0].profile.name), \(graph.connectionCount(of: viewer)) connections; searches as a recruiter")
        let queries = data.queries
        let repetitions = max(1, options.repetitions)
        var serviceTimes: [Timings] = []
        var indexTimes: [Timings] = []
        var snapshotTimes: [Timings] = []

        var resultCounts: [Int] = []
        var candidateCounts: [Int] = []
        var workUnits: [Int] = []
        for query in queries {
            let compiled = query.compiled
            // The index alone: the query with its filters as terms, as the service asks it (degrees are the graph's).
            let narrowing = ProfileIndexing.filterQueries(query.filters)
            let indexQuery: IndexQuery = narrowing.isEmpty ? compiled : .and([compiled] + narrowing)
            let indexFilters = IndexFilters()
            workUnits.append(engine.index.work(indexQuery, among: nil, limit: candidateLimit))
            let first = DispatchTime.now().uptimeNanoseconds
            _ = try await service.search(compiled, filters: query.filters, viewer: viewer, role: .recruiter)
            let runs = seconds(since: first) > slowQuery ? slowRuns : repetitions
            if runs == repetitions {
                for _ in 0..<2 { _ = try await service.search(compiled, filters: query.filters, viewer: viewer, role: .recruiter) }
            }
            var serviceTime = Timings()
            var indexTime = Timings()
            var results = 0
            var candidates = 0
            for _ in 0..<runs {
                results = try await serviceTime.measureAsync {
                    try await service.search(compiled, filters: query.filters, viewer: viewer, role: .recruiter)
                }.hits.count
                candidates = try await indexTime.measureAsync {
                    try await engine.searchCandidates(indexQuery, filters: indexFilters, limit: candidateLimit)
                }.count
            }
            var snapshotTime = Timings()
            for _ in 0..<runs {
                _ = try await snapshotTime.measureAsync { try await restarted.searchCandidates(indexQuery, filters: indexFilters, limit: candidateLimit) }
            }
            snapshotTimes.append(snapshotTime)
            serviceTimes.append(serviceTime)
            indexTimes.append(indexTime)
            resultCounts.append(results)
            candidateCounts.append(candidates)
        }

        // 4. Hostile queries: each is refused (by the parser, or by the index past its work limit) or answered.
        let hostile = try await measureHostile(Dataset.hostileQueries, engine: engine, service: service, viewer: viewer, repetitions: repetitions)

        // 5. Typeahead.
        var typeahead: [(String, Timings)] = []
        var all = Timings()
        let typeaheadRuns = max(5, repetitions / 2)
        for group in data.prefixes {
            var times = Timings()
            for prefix in group.prefixes {
                let terms = TextAnalyzer.indexTerms(prefix)
                let first = DispatchTime.now().uptimeNanoseconds
                _ = try await service.typeahead(terms, viewer: viewer)
                let runs = seconds(since: first) > slowTypeahead ? slowRuns : typeaheadRuns
                for _ in 0..<runs {
                    let elapsed = try await Timings.time { _ = try await service.typeahead(terms, viewer: viewer) }
                    times.samples.append(elapsed)
                    all.samples.append(elapsed)
                }
            }
            typeahead.append(("\(group.label): \(group.prefixes.joined(separator: " "))", times))
        }

        // 6. The LIKE baseline on the same database.
        start = DispatchTime.now().uptimeNanoseconds
        try await database.loadBaseline(data.baselineRows)
        let baselineBytes = try await database.baselineBytes()
        print("")
        print(
            "LIKE baseline: bench_profile_text loaded in \(String(format: "%.1f", seconds(since: start))) s, \(megabytes(baselineBytes)) "
                + "(\(grouped(baselineBytes / max(n, 1))) bytes per profile)")
        var baselineTimes: [Timings] = []
        var baselineCounts: [Int] = []
        var slow: [String] = []
        for query in queries {
            let condition = BaselineSQL.condition(query.parsed, filters: query.filters, placeholder: database.placeholder)
            var times = Timings()
            var rows = 0
            let first = DispatchTime.now().uptimeNanoseconds
            rows = try await database.baseline(condition.sql, condition.arguments)
            let runs = seconds(since: first) > slowBaseline ? slowBaselineRuns : repetitions
            if runs < repetitions { slow.append(query.label) }
            for _ in 0..<runs {
                rows = try await times.measureAsync { try await database.baseline(condition.sql, condition.arguments) }
            }
            baselineTimes.append(times)
            baselineCounts.append(rows)
        }
        if !slow.isEmpty {
            print("The LIKE baseline took more than \(Int(slowBaseline * 1000)) ms on its first run for \(slow.count) queries; those ran \(slowBaselineRuns) times after it, the others \(repetitions).")
        }

        // 7. The tables.
        print("")
        print(
            "Queries (\(repetitions) runs each after 3 warm-up runs, or \(slowRuns) after 1 when the first took over \(Int(slowQuery)) s; "
                + "service = PeopleSearchService.search, index = the index in memory alone (searchCandidates), "
                + "index from its snapshot = the same on the index read from the snapshot above, LIKE = the baseline):")
        var rows: [[String]] = []
        for (i, query) in queries.enumerated() {
            rows.append([
                query.label, query.text, query.filterDescription, "\(resultCounts[i])", "\(candidateCounts[i])", "\(serviceTimes[i].samples.count)",
                formatMilliseconds(serviceTimes[i].median), formatMilliseconds(serviceTimes[i].p99),
                formatMilliseconds(indexTimes[i].median), formatMilliseconds(indexTimes[i].p99), formatMilliseconds(snapshotTimes[i].median),
                "\(baselineCounts[i])", "\(baselineTimes[i].samples.count)",
                formatMilliseconds(baselineTimes[i].median), formatMilliseconds(baselineTimes[i].p99),
                String(format: "%.1f×", baselineTimes[i].median / max(serviceTimes[i].median, 1e-9)),
            ])
        }
        printTable(
            [
                "#", "query", "filters", "results", "index hits", "runs", "service p50", "service p99", "index p50", "index p99",
                "index from its snapshot p50", "LIKE rows",
                "LIKE runs",
                "LIKE p50", "LIKE p99", "LIKE/service p50",
            ], rows)
        print("")
        print(
            "Work of each query in the index (TermIndex.work, units of TermIndex.workLimit = \(grouped(TermIndex.workLimit))): "
                + queries.indices.map { "#\(queries[$0].label) \(grouped(workUnits[$0]))" }.joined(separator: ", "))
        print("")
        print(
            "Hostile queries (\(repetitions) runs each after 3 warm-up runs, through PeopleSearchService.search; a refusal is timed "
                + "until the error; work = TermIndex.work, the index's work without its limit):")
        printTable(
            ["query", "characters", "answer", "results", "work", "runs", "p50", "p99"],
            hostile.map { row in
                [
                    row.label, "\(row.characters)", row.answer, row.results.map { "\($0)" } ?? "—", row.work.map(grouped) ?? "—",
                    "\(row.times.samples.count)", row.times.samples.isEmpty ? "—" : formatMilliseconds(row.times.median),
                    row.times.samples.isEmpty ? "—" : formatMilliseconds(row.times.p99),
                ]
            })
        print("")
        print(
            "Typeahead (\(typeaheadRuns) runs per prefix after 1 warm-up run, or \(slowRuns) when that took over \(Int(slowTypeahead * 1000)) ms; "
                + "PeopleSearchService.typeahead; target p50 ≤ 5 ms):")
        printTable(
            ["prefixes", "runs", "p50", "p99"],
            typeahead.map { [$0.0, "\($0.1.samples.count)", formatMilliseconds($0.1.median), formatMilliseconds($0.1.p99)] }
                + [["all", "\(all.samples.count)", formatMilliseconds(all.median), formatMilliseconds(all.p99)]])
        if let target = queries.firstIndex(where: { $0.isTarget }) {
            print("")
            print(
                "Target query (#\(queries[target].label), 3 terms + 1 filter): p50 \(formatMilliseconds(serviceTimes[target].median)) (target ≤ 30 ms at 1,000,000), "
                    + "p99 \(formatMilliseconds(serviceTimes[target].p99)) (target ≤ 150 ms); typeahead p50 \(formatMilliseconds(all.median)) (target ≤ 5 ms); "
                    + "indexing \(rate(n, together)) (target ≥ 5,000/s)")
        }
    }
}

extension SearchBenchmark {
    struct HostileResult {
        var label: String
        var characters: Int
        /// "answered", "refused: too_complex (parser)", "refused: too_complex (index)", "refused: bad_query".
        var answer: String
        var results: Int?
        var work: Int?
        var times = Timings()
    }

    /// Each hostile query as the API takes it: parsed (a refusal there costs microseconds, timed too), then through the
    /// service; a `too_complex` from the index is a refusal timed until it is thrown.
    static func measureHostile(
        _ queries: [(label: String, text: String)], engine: SearchEngine, service: PeopleSearchService, viewer: MemberID, repetitions: Int
    ) async throws -> [HostileResult] {
        var results: [HostileResult] = []
        for (label, text) in queries {
            var row = HostileResult(label: label, characters: text.unicodeScalars.count, answer: "answered")
            var compiled: IndexQuery?
            do {
                compiled = ProfileIndexing.compile(try QueryParser.parse(text))
            } catch let error as QueryTooComplexError {
                row.answer = "refused: too_complex (parser: \(error.limit))"
            } catch {
                row.answer = "refused: bad_query"
            }
            guard let compiled else {
                if row.answer == "answered" { row.answer = "no words: finds no one" }
                for _ in 0..<repetitions {
                    row.times.samples.append(Timings.timeSync { _ = try? ProfileIndexing.compile(QueryParser.parse(text)) })
                }
                results.append(row)
                continue
            }
            row.work = engine.index.work(compiled, among: nil, limit: candidateLimit)
            func run() async throws -> Int? {
                do {
                    return try await service.search(compiled, filters: SearchFilters(), viewer: viewer, role: .recruiter).hits.count
                } catch let error as DomainError where error.code == "too_complex" {
                    return nil
                }
            }
            for _ in 0..<3 { _ = try await run() }
            for _ in 0..<repetitions {
                let found = try await row.times.measureAsync { try await run() }
                row.results = found
                row.answer = found == nil ? "refused: too_complex (index)" : "answered"
            }
            results.append(row)
        }
        return results
    }
}

extension Timings {
    /// Milliseconds `body` took.
    static func timeSync(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }

    mutating func measureAsync<T>(_ body: () async throws -> T) async rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try await body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        return result
    }

    /// Milliseconds `body` took.
    static func time(_ body: () async throws -> Void) async rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }
}

/// One database the benchmark runs on: the product's storage, and a side connection of the benchmark's own for
/// sizes and the baseline table.
protocol SearchBenchDatabase: Sendable {
    var name: String { get }
    /// Where the data lives, for the log.
    var location: String { get }
    var storage: any SearchBenchStore { get }
    /// The SQL placeholder for the n-th argument (from 1).
    var placeholder: @Sendable (Int) -> String { get }
    func databaseBytes() async throws -> Int
    /// The search index's own size and how it was measured.
    func indexBytes() async throws -> (bytes: Int, how: String)
    func loadBaseline(_ rows: [BaselineRow]) async throws
    func baselineBytes() async throws -> Int
    /// Runs the baseline query with this condition; returns how many rows it gave.
    func baseline(_ condition: String, _ arguments: [String]) async throws -> Int
    /// Closes everything and removes the database unless `keep`.
    func finish(keep: Bool) async throws
}

/// A profile's searchable text for the baseline, NFKC- and case-folded, and the filter columns: current companies
/// as `|key|key|` (CompanyName.key), skills and schools as `|value|`, the profile's location.
struct BaselineRow: Sendable {
    var member: String
    var body: String
    var currentCompanies: String
    var location: String
    var skills: String
    var schools: String
}

/// A query's Boolean structure as `LIKE` conditions on `bench_profile_text`.
enum BaselineSQL {
    static func pattern(_ text: String) -> String {
        let folded = TextAnalyzer.normalize(text).trimmingCharacters(in: .whitespaces)
        return "%" + folded.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func condition(
        _ query: SearchQuery, filters: SearchFilters, placeholder: (Int) -> String
    ) -> (sql: String, arguments: [String]) {
        var arguments: [String] = []
        func like(_ column: String, _ pattern: String) -> String {
            arguments.append(pattern)
            return "\(column) LIKE \(placeholder(arguments.count)) ESCAPE '\\'"
        }
        func build(_ query: SearchQuery) -> String {
            switch query {
            // Field prefixes are not modelled: the whole text is searched.
            case .term(let text, _), .phrase(let text, _): return like("body", pattern(text))
            case .and(let parts): return "(" + parts.map(build).joined(separator: " AND ") + ")"
            case .or(let parts): return "(" + parts.map(build).joined(separator: " OR ") + ")"
            case .not(let inner): return "(NOT \(build(inner)))"
            }
        }
        var conditions = [build(query)]
        if let company = filters.currentCompany { conditions.append(like("current_companies", "%|" + CompanyName.key(company) + "|%")) }
        if let location = filters.location { conditions.append(like("location", pattern(location))) }
        if let skill = filters.skill { conditions.append(like("skills", "%|" + TextAnalyzer.normalize(skill) + "|%")) }
        if let school = filters.school { conditions.append(like("schools", pattern(school))) }
        return (conditions.joined(separator: " AND "), arguments)
    }
}

/// The benchmark's data, made once and written to each database.
struct Dataset: Sendable {
    struct Query: Sendable {
        var label: String
        var text: String
        var filters: SearchFilters
        var filterDescription: String
        var parsed: SearchQuery
        var compiled: IndexQuery
        /// The query the 1,000,000-profile latency target is set for.
        var isTarget: Bool
    }

    struct PrefixGroup: Sendable {
        var label: String
        var prefixes: [String]
    }

    /// A fixed string in bcrypt's format: no member of the benchmark logs in.
    static let passwordHash = "$2b$12$benchmarkbenchmarkbenchOz6mVH5m7c4fYJ2yq2lqI8ZkX9d3hQeW"

    var members: [NewMember]
    var profiles: [Profile]
    var connections: [(MemberID, MemberID, Date)]
    var baselineRows: [BaselineRow]
    var queries: [Query]
    var prefixes: [PrefixGroup]
    /// The most and the fifth most common current employers, which the queries' filters name.
    var filterCompanies: (top: String, fifth: String)

    /// Queries written to cost as much as possible (the hardening issue's list, and the most the parser lets through),
    /// each at most `QueryParser.maximumLength` characters as the API takes them.
    static let hostileQueries: [(label: String, text: String)] = {
        let common = ["英語", "営業", "東京", "大学", "分析", "担当", "エン", "マネ", "データ", "学士"]
        let phrases4 = ["東京大学", "法人営業", "ソフトウ", "機械学習", "採用担当", "エンジニ", "早稲田大", "情報工学"]
        let words = ["swift", "python", "sql", "aws", "go", "excel", "saas", "ios", "engineer", "manager", "sales", "data"]
        func cycle(_ items: [String], _ count: Int) -> [String] { (0..<count).map { items[$0 % items.count] } }
        let cjk = "ソフトウェアエンジニアリングマネージャーデータサイエンティストカスタマーサクセス"
        return [
            ("150 ORed phrases", cycle(common, 150).map { "\"\($0)\"" }.joined(separator: "||")),
            ("42 ORed 4-character phrases (126 bigrams: about the most the parser takes)", cycle(phrases4, 42).map { "\"\($0)\"" }.joined(separator: "||")),
            ("62 ORed two-word phrases", Array(repeating: "\"ios engineer\"", count: 62).joined(separator: "||")),
            ("64 ORed words", cycle(words, 64).joined(separator: " OR ")),
            ("999 '-' (- - - …)", String(repeating: "- ", count: 500).trimmingCharacters(in: .whitespaces)),
            ("'-a -b …' (333 negations)", cycle(words, 333).map { "-\($0.prefix(1))" }.joined(separator: " ")),
            ("64 negations of common words", cycle(common, 64).map { "-\($0)" }.joined(separator: " ")),
            ("400 nested parentheses", String(repeating: "(", count: 400) + "英語" + String(repeating: ")", count: 400)),
            ("16 nested parentheses of ORs", (0..<16).reduce("英語") { inner, i in "(\(common[i % common.count]) OR \(inner))" }),
            ("240 NOT", String(repeating: "NOT ", count: 240) + "英語"),
            ("'NOT a' 160 times", cycle(words, 160).map { "NOT \($0.prefix(1))" }.joined(separator: " ")),
            ("a run of quotes", String(repeating: "\"", count: 999)),
            ("a 997-character CJK phrase", "\"" + String(cycle(cjk.map { String($0) }, 997).joined()) + "\""),
            ("a 33-character CJK phrase (32 bigrams, the most per phrase)", "\"" + String(cjk.prefix(33)) + "\""),
            ("4 ORed 33-character CJK phrases (128 bigrams, the most in all)",
             (0..<4).map { i in "\"" + String(cjk.dropFirst(i).prefix(33)) + "\"" }.joined(separator: " OR ")),
        ]
    }()

    /// The recruiter queries, their filters naming the most (`top`) and the fifth most common current employers.
    static func queries(top: String, fifth: String) -> [Query] {
        func filters(company: String? = nil, location: String? = nil, skill: String? = nil, degrees: Set<Degree>? = nil) -> SearchFilters {
            var filters = SearchFilters()
            filters.currentCompany = company
            filters.location = location
            filters.skill = skill
            filters.degrees = degrees
            return filters
        }
        let specs: [(String, SearchFilters, Bool)] = [
            ("英語", filters(), false),
            ("Swift", filters(), false),
            ("英語 営業 東京", filters(company: top), true),
            ("英語 AND (営業 OR sales) -intern", filters(), false),
            ("\"product manager\" OR プロダクトマネージャー", filters(location: "東京都"), false),
            ("データ分析 Python SQL", filters(skill: "英語"), false),
            ("(Kubernetes OR AWS) AND TypeScript NOT Excel", filters(company: fifth), false),
            ("Patel (Python OR 機械学習)", filters(), false),
            ("iOS Swift engineer 東京 英語 TOEIC", filters(), false),
            ("「カスタマーサクセス」 SaaS -営業", filters(skill: "英語", degrees: [.second, .third]), false),
            ("(採用 OR recruiter OR 人事) 東京大学", filters(), false),
            ("早稲田大学 マーケティング", filters(location: "大阪府"), false),
        ]
        return specs.enumerated().map { index, spec in
            let parsed = try! QueryParser.parse(spec.0)
            var described: [String] = []
            if let company = spec.1.currentCompany { described.append("current company \(company)") }
            if let location = spec.1.location { described.append("location \(location)") }
            if let skill = spec.1.skill { described.append("skill \(skill)") }
            if let degrees = spec.1.degrees { described.append("degree " + degrees.sorted().map { "\($0.rawValue)" }.joined(separator: "+")) }
            return Query(
                label: "\(index + 1)", text: spec.0, filters: spec.1, filterDescription: described.isEmpty ? "—" : described.joined(separator: ", "),
                parsed: parsed, compiled: ProfileIndexing.compile(parsed)!, isTarget: spec.2)
        }
    }

    init(members count: Int, seed: UInt64, averageDegree: Int) {
        let start = DispatchTime.now().uptimeNanoseconds
        members = SampleData.members(count: count, seed: seed, passwordHash: Self.passwordHash, now: SampleData.referenceDate)

        // Each company as storage makes it: created by the first position naming it, shown by its most common spelling.
        var companyIDs: [String: String] = [:]
        var spellings: [String: [String: Int]] = [:]
        for member in members {
            for position in member.positions {
                if companyIDs[position.companyKey] == nil { companyIDs[position.companyKey] = position.newCompanyID }
                spellings[position.companyKey, default: [:]][position.companyName, default: 0] += 1
            }
        }
        var companies: [String: CompanyRef] = [:]
        var currentCounts: [String: Int] = [:]
        for (key, counts) in spellings {
            let name = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
            companies[key] = CompanyRef(id: companyIDs[key]!, name: name)
        }
        profiles = members.map { member in
            var profile = member.profile
            profile.positions = member.positions.map { draft in
                Position(
                    id: draft.id, company: companies[draft.companyKey]!, companyNameAsWritten: draft.companyName, title: draft.title,
                    location: draft.location, startMonth: draft.startMonth, endMonth: draft.endMonth, description: draft.description)
            }
            // As storage returns them: current first, then the most recently started.
            .sorted { ($0.isCurrent ? 1 : 0, $0.startMonth, $0.id) > ($1.isCurrent ? 1 : 0, $1.startMonth, $1.id) }
            return profile
        }
        for profile in profiles {
            for position in profile.currentPositions { currentCounts[CompanyName.key(position.company.name), default: 0] += 1 }
        }

        if averageDegree > 0 && count > 10 {
            let ids = members.map(\.account.memberID)
            connections = SyntheticGraph.edges(members: count, averageDegree: averageDegree, seed: seed).compactMap { a, b in
                a == b ? nil : (ids[Int(a)], ids[Int(b)], SampleData.referenceDate)
            }
        } else {
            connections = []
        }

        baselineRows = profiles.map { profile in
            let fold = TextAnalyzer.normalize
            var texts: [String] = [profile.name]
            texts += [profile.fields.nameReading, profile.fields.nameReading.map(TextAnalyzer.foldKana), profile.headline, profile.fields.about]
                .compactMap { $0 }
            for position in profile.positions {
                texts += [position.title, position.companyNameAsWritten, position.company.name]
                texts += [position.description, position.location].compactMap { $0 }
            }
            for education in profile.educations { texts += [education.school, education.degree, education.field].compactMap { $0 } }
            texts += profile.skills
            texts += [profile.fields.location].compactMap { $0 }
            func markers(_ values: [String]) -> String { values.isEmpty ? "" : "|" + values.joined(separator: "|") + "|" }
            return BaselineRow(
                member: profile.memberID.rawValue, body: texts.map(fold).joined(separator: "\n"),
                currentCompanies: markers(profile.currentPositions.flatMap { [CompanyName.key($0.companyNameAsWritten), CompanyName.key($0.company.name)] }),
                location: fold(profile.fields.location ?? ""), skills: markers(profile.skills.map(fold)),
                schools: markers(profile.educations.map { fold($0.school) }))
        }

        // Filters name companies, a location and a skill that are in the data: the most and the fifth most common
        // current employers.
        let ranked = currentCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        func companyName(_ rank: Int) -> String {
            let key = ranked[min(rank, ranked.count - 1)]
            return spellings[key]!.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
        }
        let top = companyName(0)
        let fifth = companyName(4)
        queries = Self.queries(top: top, fifth: fifth)
        filterCompanies = (top, fifth)
        prefixes = [
            PrefixGroup(label: "family name, 1 character", prefixes: ["佐", "山", "高", "伊", "中", "小"]),
            PrefixGroup(label: "family name, 2–3 characters", prefixes: ["佐藤", "山田", "高橋", "渡辺", "佐々木", "松本", "中村", "井上"]),
            PrefixGroup(label: "kana reading, 2–3 characters", prefixes: ["やま", "すず", "たな", "ヤマモ", "こばや"]),
            PrefixGroup(label: "romaji and English, 2–4 letters", prefixes: ["sa", "ya", "ta", "suzu", "tana", "em", "ol", "pat", "chen", "smi", "kim"]),
        ]
        print(
            "Data: \(SearchBenchmark.grouped(count)) profiles made in \(String(format: "%.1f", SearchBenchmark.seconds(since: start))) s "
                + "(SampleData, seed \(seed); 60% Japanese, 20% English, 20% mixed); \(SearchBenchmark.grouped(connections.count)) connections; "
                + "filter companies: \(top) (most common current employer), \(fifth) (fifth)")
    }
}
