import Foundation
import GRDB
import TsunagariCore
import TsunagariGraph
import TsunagariSearch

/// `tsunagari bench jobs`: job search as the product answers it from memory — the job search index
/// (`JobSearchIndex`), then every candidate's company weighed by how many of the seeker's connections work there now
/// (`JobService.rank`: the graph index, and the people search index as the `EmployerDirectory`) — over the synthetic
/// network of `bench graph`, each member at one company, and open jobs in Japanese, English and both. Beside it, in the
/// same run and on the same data, each query as one SQL statement on SQLite: `LIKE` conditions on each job's folded
/// text and location, newest first, and for each job of the page how many of the seeker's connections work at its
/// company.
public enum JobBenchmark {
    public struct Options: Sendable {
        public var members: Int
        public var jobs: Int
        public var companies: Int
        public var averageDegree: Int
        public var seed: UInt64
        public var repetitions: Int
        public var viewers: Int

        public init(members: Int, jobs: Int, companies: Int, averageDegree: Int, seed: UInt64, repetitions: Int, viewers: Int) {
            self.members = members
            self.jobs = jobs
            self.companies = companies
            self.averageDegree = averageDegree
            self.seed = seed
            self.repetitions = repetitions
            self.viewers = viewers
        }
    }

    /// The page a search shows first.
    static let pageSize = 20
    /// Jobs per `JobSearchIndex.index` call.
    static let indexBatch = 1_000
    /// A baseline query slower than this (seconds) on its first run is repeated only `slowBaselineRuns` times.
    static let slowBaseline = 0.25
    static let slowBaselineRuns = 10

    /// Three terms each in the people-search language, and a location filter.
    static let querySpecs: [(text: String, location: String)] = [
        ("Swift AND (サーバー OR backend)", "東京"),
        ("iOS エンジニア Swift", "大阪"),
        ("\"data\" analyst SQL", "Tokyo"),
        ("営業 SaaS 法人", "東京"),
        ("Go Kubernetes backend", "Fukuoka"),
        ("デザイナー Figma UI", "東京"),
        ("エンジニア 英語 AWS", "東京"),
    ]

    struct Query {
        var text: String
        var location: String
        var parsed: SearchQuery
        var compiled: IndexQuery
        var filters: JobFilters { JobFilters(location: location) }
    }

    struct JobBenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    static func formatSeconds(_ value: Double) -> String { String(format: "%.1f s", value) }

    public static func run(_ options: Options) throws {
        let runStart = DispatchTime.now().uptimeNanoseconds
        let n = options.members
        var g = SyntheticGraph.Generator(state: options.seed &+ 11)
        let now = Date()

        // The graph, as `bench graph` and `bench feed` make it; members have ids of the product's form.
        var start = DispatchTime.now().uptimeNanoseconds
        var edges = SyntheticGraph.edges(members: n, averageDegree: options.averageDegree, seed: options.seed)
        let social = SocialGraph(nodeCount: n, edges: edges)
        edges = []
        let ids = (0..<n).map { _ in MemberID(OpaqueID.make(at: now.addingTimeInterval(-86_400 * 400), using: &g)) }
        let graph = MemberGraph(members: ids, graph: social)
        print(
            "Graph: \(SearchBenchmark.grouped(n)) members, \(SearchBenchmark.grouped(social.edgeCount)) connections, seed \(options.seed) "
                + "(built in \(formatSeconds(seconds(since: start))))")

        // Companies of heavy-tailed sizes; every member works at one now, as the people search index records it.
        let data = SyntheticJobs(companies: options.companies, using: &g)
        start = DispatchTime.now().uptimeNanoseconds
        var companyOf = [Int32](repeating: 0, count: n)
        for member in 0..<n { companyOf[member] = Int32(data.skewedCompany(using: &g)) }
        let employers = TermIndex()
        let beforeEmployers = residentBytes()
        var batch: [SearchIndexEntry] = []
        batch.reserveCapacity(10_000)
        for member in 0..<n {
            let company = data.companies[Int(companyOf[member])]
            let title = data.roles.randomElement(using: &g)!.titles.randomElement(using: &g)!
            batch.append(
                SearchIndexEntry(
                    member: ids[member], columns: [:],
                    attributes: SearchAttributes(
                        handle: "member-\(member)", name: "会員 \(member)", headline: "\(title) / \(company.name)",
                        location: data.location(using: &g), currentTitle: title,
                        currentCompanies: [SearchCompany(id: company.id, name: company.name)])))
            if batch.count == 10_000 || member == n - 1 {
                employers.upsert(batch, at: now)
                batch.removeAll(keepingCapacity: true)
            }
        }
        batch = []
        let employerSeconds = seconds(since: start)
        let afterEmployers = residentBytes()
        var sizes = [Int](repeating: 0, count: data.companies.count)
        for c in companyOf { sizes[Int(c)] += 1 }
        let largest = sizes.max() ?? 0
        let withStaff = sizes.filter { $0 > 0 }.count
        print(
            "Employers: \(SearchBenchmark.grouped(data.companies.count)) companies (\(SearchBenchmark.grouped(withStaff)) with staff, the largest "
                + "\(SearchBenchmark.grouped(largest)) members); the people search index filled with one entry per member (attributes only) in "
                + "\(formatSeconds(employerSeconds)), about \(SearchBenchmark.megabytes(employers.approximateBytes)) (TermIndex.approximateBytes), "
                + "resident +\(SearchBenchmark.megabytes(afterEmployers - beforeEmployers))")

        // Jobs, posted over 60 days, by companies of the same skew (large companies post more).
        start = DispatchTime.now().uptimeNanoseconds
        var jobs: [Job] = []
        jobs.reserveCapacity(options.jobs)
        for _ in 0..<options.jobs {
            let company = data.companies[data.skewedCompany(using: &g)]
            let poster = ids[Int.random(in: 0..<n, using: &g)]
            jobs.append(data.job(company: company, poster: poster, now: now, using: &g))
        }
        let textBytes = jobs.reduce(0) { $0 + $1.title.utf8.count + $1.description.utf8.count + $1.skills.reduce(0) { $0 + $1.utf8.count } }
        print(
            "Jobs: \(SearchBenchmark.grouped(jobs.count)) open, made in \(formatSeconds(seconds(since: start))); "
                + "\(SearchBenchmark.grouped(textBytes / max(1, jobs.count))) bytes of title, description and skills on average")

        // Indexing: the analysis alone on a sample, then the whole index in batches (analysis and the index).
        let sample = min(jobs.count, 20_000)
        let (analysisSeconds, upsertSeconds) = { () -> (Double, Double) in
            var start = DispatchTime.now().uptimeNanoseconds
            let analysed = jobs.prefix(sample).map(JobSearchIndex.entry)
            let analysis = seconds(since: start)
            let stamped = zip(analysed, jobs.prefix(sample)).map { (entry: $0, at: $1.createdAt) }
            let alone = TermIndex()
            start = DispatchTime.now().uptimeNanoseconds
            for from in stride(from: 0, to: sample, by: indexBatch) { alone.upsert(Array(stamped[from..<min(sample, from + indexBatch)])) }
            let upsert = seconds(since: start)
            precondition(alone.count == sample)
            return (analysis, upsert)
        }()
        let batches = stride(from: 0, to: jobs.count, by: indexBatch).map { Array(jobs[$0..<min(jobs.count, $0 + indexBatch)]) }
        let jobIndex = JobSearchIndex()
        let beforeJobs = residentBytes()
        start = DispatchTime.now().uptimeNanoseconds
        for part in batches { jobIndex.index(part) }
        let indexSeconds = seconds(since: start)
        let afterJobs = residentBytes()
        guard jobIndex.count == jobs.count else { throw JobBenchError("the index holds \(jobIndex.count) jobs for \(jobs.count)") }
        print("")
        print("Indexing \(SearchBenchmark.grouped(jobs.count)) jobs in batches of \(SearchBenchmark.grouped(indexBatch)), one core (target ≥ 5,000 jobs/s):")
        printTable(
            ["step", "time", "jobs/s"],
            [
                ["analysis alone (JobSearchIndex.entry), first \(SearchBenchmark.grouped(sample))", formatSeconds(analysisSeconds),
                 SearchBenchmark.rate(sample, analysisSeconds)],
                ["the index alone (TermIndex.upsert of those entries)", formatSeconds(upsertSeconds), SearchBenchmark.rate(sample, upsertSeconds)],
                ["indexing (JobSearchIndex.index: analysis and the index)", formatSeconds(indexSeconds), SearchBenchmark.rate(jobs.count, indexSeconds)],
            ])
        let jobBytes = jobIndex.index.approximateBytes
        print(
            "Job index in memory: about \(SearchBenchmark.megabytes(jobBytes)) = \(SearchBenchmark.grouped(jobBytes / max(1, jobs.count))) bytes per job "
                + "(TermIndex.approximateBytes); resident +\(SearchBenchmark.megabytes(afterJobs - beforeJobs)) = "
                + "\(SearchBenchmark.grouped((afterJobs - beforeJobs) / max(1, jobs.count))) bytes per job")

        // Seekers: members with connections, as real seekers have.
        var seekers: [MemberID] = []
        while seekers.count < options.viewers {
            let v = Int.random(in: 0..<n, using: &g)
            if social.connectionCount(of: Node(v)) > 0 { seekers.append(ids[v]) }
        }
        let degrees = seekers.map { graph.connectionCount(of: $0) }.sorted()
        print("")
        print(
            "Seekers: \(seekers.count) (connections: median \(degrees[degrees.count / 2]), max \(SearchBenchmark.grouped(degrees.last ?? 0))); "
                + "each query runs \(options.repetitions) times after 2 warm-up runs, the seekers taking turns")

        let queries = try querySpecs.map { spec -> Query in
            let parsed = try QueryParser.parse(spec.text)
            guard let compiled = ProfileIndexing.compile(parsed) else { throw JobBenchError("\(spec.text) compiles to nothing") }
            return Query(text: spec.text, location: spec.location, parsed: parsed, compiled: compiled)
        }

        func search(_ query: Query, _ seeker: MemberID) throws -> (count: Int, page: [JobService.Ranked]) {
            try firstPage(query, seeker: seeker, search: jobIndex, graph: graph, employers: employers, now: now)
        }
        var searchTimes: [Timings] = []
        var indexTimes: [Timings] = []
        var knownTimes: [Timings] = []
        var resultCounts: [Int] = []
        var allMatches: [Int] = []
        var knownOnPage: [Double] = []
        var mostKnown = 0
        var runs: [(seeker: MemberID, page: [JobService.Ranked])] = []
        var runsOfQuery: [[Int]] = []
        for (q, query) in queries.enumerated() {
            for w in 0..<2 { _ = try search(query, seekers[w % seekers.count]) }
            var times = Timings()
            var index = Timings()
            var known = Timings()
            var count = 0
            var withKnown = 0
            var mine: [Int] = []
            for r in 0..<options.repetitions {
                let seeker = seekers[(q * options.repetitions + r) % seekers.count]
                let result = try times.measure { try search(query, seeker) }
                count = result.count
                withKnown += result.page.filter { $0.known > 0 }.count
                mostKnown = max(mostKnown, result.page.map(\.known).max() ?? 0)
                mine.append(runs.count)
                runs.append((seeker, result.page))
                // Where the time goes: the index alone, and the count of people known at each company.
                _ = try index.measure { try jobIndex.search(query.compiled, filters: query.filters, limit: JobService.maximumResults) }
                _ = known.measure { JobService.knownCounts(viewer: seeker, graph: graph, employers: employers) }
            }
            searchTimes.append(times)
            indexTimes.append(index)
            knownTimes.append(known)
            resultCounts.append(count)
            knownOnPage.append(Double(withKnown) / Double(options.repetitions))
            runsOfQuery.append(mine)
            allMatches.append(try jobIndex.search(query.compiled, filters: query.filters, limit: Int.max).count)
        }

        // Beside the goals: the member with the most connections (a recruiter) as the seeker, every query.
        let busiest = ids[(0..<n).max { social.connectionCount(of: Node($0)) < social.connectionCount(of: Node($1)) }!]
        let busyRuns = max(5, options.repetitions / 3)
        var busy = Timings()
        var busyKnown = Timings()
        for query in queries {
            for _ in 0..<2 { _ = try search(query, busiest) }
            for _ in 0..<busyRuns {
                _ = try busy.measure { try search(query, busiest) }
                _ = busyKnown.measure { JobService.knownCounts(viewer: busiest, graph: graph, employers: employers) }
            }
        }

        // The baseline on SQLite: the same jobs, every member's current company, and the sampled seekers' connections.
        start = DispatchTime.now().uptimeNanoseconds
        let baseline = try SQLJobBaseline(
            jobs: jobs, members: ids, companyOf: companyOf, companies: data.companies, seekers: Array(Set(seekers + [busiest])), graph: graph)
        let loadSeconds = seconds(since: start)
        jobs = []
        print("")
        print(
            "LIKE baseline: SQLite tables loaded in \(formatSeconds(loadSeconds)) (jobs with a folded text column, \(SearchBenchmark.grouped(n)) current "
                + "positions, \(SearchBenchmark.grouped(baseline.connectionRows)) connections of the \(Set(seekers).count) seekers and the busiest "
                + "member); "
                + "file \(SearchBenchmark.megabytes(baseline.fileBytes))")
        var likeTimes: [Timings] = []
        var likeMatches: [Int] = []
        var slow = 0
        for (q, query) in queries.enumerated() {
            let condition = JobBaselineSQL.condition(query.parsed, location: query.location)
            likeMatches.append(try baseline.count(condition.sql, condition.arguments))
            let first = DispatchTime.now().uptimeNanoseconds
            _ = try baseline.page(condition.sql, condition.arguments, seeker: seekers[0], limit: pageSize)
            let count = seconds(since: first) > slowBaseline ? min(slowBaselineRuns, options.repetitions) : options.repetitions
            if count < options.repetitions { slow += 1 }
            var times = Timings()
            for r in 0..<count {
                let run = runs[runsOfQuery[q][r]]
                let rows = try times.measure { try baseline.page(condition.sql, condition.arguments, seeker: run.seeker, limit: pageSize) }
                // The baseline's counts of people known must be the product's for the same companies.
                let known = JobService.knownCounts(viewer: run.seeker, graph: graph, employers: employers)
                for row in rows where row.known != known[row.company] ?? 0 {
                    throw JobBenchError(
                        "query \(q + 1): SQL counts \(row.known) people known at \(row.company), the product \(known[row.company] ?? 0)")
                }
            }
            likeTimes.append(times)
        }
        var busyLike = Timings()
        let busiestKnown = JobService.knownCounts(viewer: busiest, graph: graph, employers: employers)
        for query in queries {
            let condition = JobBaselineSQL.condition(query.parsed, location: query.location)
            let first = DispatchTime.now().uptimeNanoseconds
            let rows = try baseline.page(condition.sql, condition.arguments, seeker: busiest, limit: pageSize)
            for row in rows where row.known != busiestKnown[row.company] ?? 0 {
                throw JobBenchError("SQL counts \(row.known) people known at \(row.company), the product \(busiestKnown[row.company] ?? 0)")
            }
            let count = seconds(since: first) > slowBaseline ? min(2, busyRuns) : busyRuns
            for _ in 0..<count {
                _ = try busyLike.measure { try baseline.page(condition.sql, condition.arguments, seeker: busiest, limit: pageSize) }
            }
        }
        if slow > 0 {
            print(
                "The LIKE baseline took more than \(Int(slowBaseline * 1000)) ms on its first run for \(slow) queries; those ran "
                    + "\(slowBaselineRuns) times.")
        }
        withExtendedLifetime(baseline) {}

        // The tables.
        print("")
        print(
            "Job search, 3 terms and a location (search = JobService.rank, every candidate with peopleYouKnowCount, then the first "
                + "\(pageSize); index = JobSearchIndex.search alone; known = JobService.knownCounts alone; LIKE = one SQL statement, newest first, "
                + "with the count of connections at each company of the page):")
        func ratio(_ like: Timings, _ search: Timings) -> String {
            like.samples.isEmpty ? "—" : String(format: "%.1f×", like.median / max(search.median, 1e-9))
        }
        var rows: [[String]] = []
        for (q, query) in queries.enumerated() {
            rows.append([
                "\(q + 1)", query.text, query.location, "\(resultCounts[q])", SearchBenchmark.grouped(allMatches[q]),
                SearchBenchmark.grouped(likeMatches[q]), String(format: "%.1f", knownOnPage[q]), "\(searchTimes[q].samples.count)",
                formatMilliseconds(searchTimes[q].median), formatMilliseconds(searchTimes[q].percentile(90)), formatMilliseconds(searchTimes[q].p99),
                formatMilliseconds(indexTimes[q].median), formatMilliseconds(knownTimes[q].median), "\(likeTimes[q].samples.count)",
                formatMilliseconds(likeTimes[q].median), formatMilliseconds(likeTimes[q].p99), ratio(likeTimes[q], searchTimes[q]),
            ])
        }
        func merged(_ all: [Timings]) -> Timings { Timings(samples: all.flatMap(\.samples)) }
        let allSearch = merged(searchTimes)
        let allLike = merged(likeTimes)
        rows.append([
            "all", "", "", "", "", "", String(format: "%.1f", knownOnPage.reduce(0, +) / Double(max(1, knownOnPage.count))),
            "\(allSearch.samples.count)", formatMilliseconds(allSearch.median), formatMilliseconds(allSearch.percentile(90)),
            formatMilliseconds(allSearch.p99), formatMilliseconds(merged(indexTimes).median), formatMilliseconds(merged(knownTimes).median),
            "\(allLike.samples.count)", formatMilliseconds(allLike.median), formatMilliseconds(allLike.p99), ratio(allLike, allSearch),
        ])
        printTable(
            [
                "#", "query", "location", "results", "index matches", "LIKE matches", "known on page", "runs", "search p50", "p90", "p99",
                "index p50", "known p50", "LIKE runs", "LIKE p50", "LIKE p99", "LIKE/search p50",
            ], rows)
        print(
            "results: what the search ranks (at most \(JobService.maximumResults)); index and LIKE matches: every job each finds; known on page: "
                + "jobs of the first page at a company where the seeker knows someone, on average (at most \(mostKnown) people at one). "
                + "Targets: p50 ≤ 20 ms, p99 ≤ 100 ms.")
        print("")
        print("Beside the goals, the member with the most connections as the seeker (all queries, \(busyRuns) runs each):")
        printTable(
            ["seeker", "runs", "search p50", "p90", "p99", "known p50", "LIKE runs", "LIKE p50", "LIKE p99", "LIKE/search p50"],
            [[
                "\(SearchBenchmark.grouped(graph.connectionCount(of: busiest))) connections", "\(busy.samples.count)", formatMilliseconds(busy.median),
                formatMilliseconds(busy.percentile(90)), formatMilliseconds(busy.p99), formatMilliseconds(busyKnown.median), "\(busyLike.samples.count)",
                formatMilliseconds(busyLike.median), formatMilliseconds(busyLike.p99), ratio(busyLike, busy),
            ]])
        print("")
        print("Whole run: \(formatSeconds(seconds(since: runStart))); resident \(SearchBenchmark.megabytes(residentBytes())) at the end")
        withExtendedLifetime((graph, employers, jobIndex)) {}
    }
}

extension JobBenchmark {
    /// The search: every candidate ranked (with the people the seeker knows at its company), then the first page.
    /// Out of line: inlined where a warm-up run drops the result, Swift 6.3's optimiser released the page's new buffer
    /// before copying into it (a use after free that crashed the run).
    @inline(never)
    static func firstPage(
        _ query: Query, seeker: MemberID, search: JobSearchIndex, graph: MemberGraph, employers: TermIndex, now: Date
    ) throws -> (count: Int, page: [JobService.Ranked]) {
        let ranked = try JobService.rank(
            query.compiled, filters: query.filters, viewer: seeker, search: search, graph: graph, employers: employers, now: now)
        return (ranked.count, Array(ranked.prefix(pageSize)))
    }
}

/// The benchmark's companies and jobs: realistic titles, descriptions and skills in Japanese, English and both, from
/// template lists by role, and locations weighted as postings in Japan are (Tokyo first).
struct SyntheticJobs {
    struct Role {
        var titles: [String]
        var skills: [String]
        var sentences: [String]
    }

    var companies: [CompanyRef]
    let roles = SyntheticJobs.allRoles
    let locationTable: [String]

    init(companies count: Int, using g: inout SyntheticGraph.Generator) {
        let kana = Array("アイカキクサシスタチツナニノハヒフマミムヤユヨラリルレロワ")
        let romaji = ["a", "i", "ka", "ki", "ku", "sa", "shi", "su", "ta", "chi", "tsu", "na", "ni", "no", "ha", "hi", "fu", "ma", "mi", "mu", "ya", "yu",
                      "yo", "ra", "ri", "ru", "re", "ro", "wa"]
        precondition(kana.count == romaji.count)
        let japaneseKinds = ["テクノロジーズ", "システムズ", "商事", "電機", "ソフトウェア", "ホールディングス", "ネットワークス", "フィナンシャル", "製作所", "コンサルティング"]
        let englishKinds = ["Labs", "Systems", "Works", "Software", "Partners", "Holdings", "Technologies"]
        var made: [CompanyRef] = []
        made.reserveCapacity(count)
        for _ in 0..<count {
            let syllables = (0..<Int.random(in: 2...4, using: &g)).map { _ in Int.random(in: 0..<kana.count, using: &g) }
            let name: String
            if Int.random(in: 0..<10, using: &g) < 6 {
                name = "株式会社" + String(syllables.map { kana[$0] }) + japaneseKinds.randomElement(using: &g)!
            } else {
                name = syllables.map { romaji[$0] }.joined().capitalized + " " + englishKinds.randomElement(using: &g)!
            }
            made.append(CompanyRef(id: OpaqueID.make(at: Date(timeIntervalSince1970: 1_600_000_000), using: &g), name: name))
        }
        companies = made
        locationTable = SyntheticJobs.locations.flatMap { Array(repeating: $0.name, count: $0.weight) }
    }

    /// A company of rank r is picked with weight ~ 1/r (a log-uniform rank), as `SyntheticGraph` sizes its companies.
    func skewedCompany(using g: inout SyntheticGraph.Generator) -> Int {
        let u = Double.random(in: 0..<1, using: &g)
        return min(companies.count - 1, Int(pow(Double(companies.count), u)) - 1)
    }

    func location(using g: inout SyntheticGraph.Generator) -> String { locationTable.randomElement(using: &g)! }

    func job(company: CompanyRef, poster: MemberID, now: Date, using g: inout SyntheticGraph.Generator) -> Job {
        let role = roles.randomElement(using: &g)!
        let place = location(using: &g)
        let remote = place == "Remote" || place.hasPrefix("リモート")
        let roll = Int.random(in: 0..<10, using: &g)
        let workplace: Workplace = remote ? .remote : roll < 5 ? .onsite : roll < 9 ? .hybrid : .remote
        let kind = Int.random(in: 0..<100, using: &g)
        let type: EmploymentType = kind < 80 ? .fullTime : kind < 90 ? .contract : kind < 95 ? .partTime : kind < 98 ? .internship : .temporary
        var sentences = Array(role.sentences.shuffled(using: &g).prefix(Int.random(in: 2...3, using: &g)))
        sentences.insert(
            Bool.random(using: &g)
                ? "\(company.name)は、働く人と仕事をつなぐサービスを開発・運営しています。" : "\(company.name) builds products for teams across Japan and Asia.",
            at: 0)
        sentences += SyntheticJobs.benefits.shuffled(using: &g).prefix(Int.random(in: 1...2, using: &g))
        let skills = Array(role.skills.shuffled(using: &g).prefix(Int.random(in: 2...min(5, role.skills.count), using: &g)))
        let created = now.addingTimeInterval(-Double.random(in: 0..<(60 * 86_400), using: &g))
        let low = Int64(Int.random(in: 4...8, using: &g)) * 1_000_000
        let high = Int64(Int.random(in: 9...15, using: &g)) * 1_000_000
        let salary = Bool.random(using: &g) ? Salary(min: low, max: high, currency: "JPY", period: .year) : nil
        return Job(
            id: OpaqueID.make(at: created, using: &g), company: company, poster: poster, title: role.titles.randomElement(using: &g)!,
            location: place, workplace: workplace, employmentType: type, description: sentences.joined(separator: " "), skills: skills,
            salary: salary, createdAt: created)
    }

    static let locations: [(name: String, weight: Int)] = [
        ("東京都渋谷区", 10), ("東京都港区", 10), ("東京都千代田区", 8), ("東京都新宿区", 6), ("東京都品川区", 4), ("Tokyo", 8), ("Tokyo, Japan", 3),
        ("大阪市", 5), ("大阪府大阪市北区", 3), ("Osaka", 2), ("福岡市", 3), ("福岡県福岡市中央区", 2), ("Fukuoka", 2), ("名古屋市", 3), ("Nagoya", 1),
        ("京都市", 2), ("横浜市", 3), ("札幌市", 2), ("仙台市", 1), ("神戸市", 1), ("那覇市", 1), ("Remote", 4), ("リモート（全国）", 3),
        ("Singapore", 1), ("San Francisco", 1), ("London", 1), ("Berlin", 1), ("Seoul", 1), ("Taipei", 1), ("New York", 1), ("Bangkok", 1),
    ]

    static let benefits = [
        "フレックスタイム制、リモートワーク可。", "We offer flexible hours and remote work.", "年間休日125日、各種社会保険完備。", "英語を使う機会があります。",
        "Our team is small, international and growing.", "書籍購入・カンファレンス参加を支援します。", "Visa sponsorship available.", "副業OK、服装自由。",
    ]

    static let allRoles: [Role] = [
        Role(
            titles: ["iOSエンジニア", "iOS Engineer", "シニアiOSエンジニア（Swift）", "iOSアプリ開発エンジニア", "Senior iOS Engineer (Swift)"],
            skills: ["Swift", "iOS", "SwiftUI", "UIKit", "Xcode", "Objective-C", "Combine"],
            sentences: [
                "SwiftUIとUIKitで自社のiOSアプリを開発します。", "You will build our iOS app in Swift and SwiftUI.", "App Storeでのアプリ公開・運用経験を歓迎します。",
                "Work closely with designers and backend engineers.", "Swiftでの開発経験3年以上。",
            ]),
        Role(
            titles: ["サーバーサイドエンジニア", "Backend Engineer", "バックエンドエンジニア（Go）", "Server-side Engineer (Swift)", "Senior Backend Engineer"],
            skills: ["Go", "Swift", "Kubernetes", "AWS", "PostgreSQL", "gRPC", "Docker", "Java", "Kotlin", "Ruby on Rails"],
            sentences: [
                "マイクロサービスのAPI設計と開発を担当します。", "Design and operate backend services on Kubernetes.", "サーバーサイドSwiftの経験者歓迎。",
                "Go言語でのバックエンド開発経験3年以上。", "You will own APIs used by millions of members.", "AWS上での運用経験があれば尚可。",
            ]),
        Role(
            titles: ["SREエンジニア", "Site Reliability Engineer", "インフラエンジニア（AWS）", "Platform Engineer", "クラウドインフラエンジニア"],
            skills: ["Kubernetes", "AWS", "Terraform", "Go", "Linux", "GCP", "Prometheus"],
            sentences: [
                "KubernetesとTerraformでクラウド基盤を構築・運用します。", "Keep our platform reliable: on-call, monitoring and capacity planning.",
                "AWSまたはGCPでのインフラ構築経験。", "Automate everything with Go and Terraform.", "障害対応とポストモーテムの文化があります。",
            ]),
        Role(
            titles: ["フロントエンドエンジニア", "Frontend Engineer (React)", "Webエンジニア（TypeScript）", "Senior Frontend Engineer"],
            skills: ["TypeScript", "React", "Next.js", "Vue.js", "JavaScript", "CSS"],
            sentences: [
                "ReactとTypeScriptでWebアプリケーションを開発します。", "Build accessible, fast web interfaces with React.", "デザイナーと協力してUIを改善します。",
                "Next.jsでの開発経験を歓迎します。",
            ]),
        Role(
            titles: ["Androidエンジニア", "Android Engineer (Kotlin)", "モバイルアプリエンジニア"],
            skills: ["Kotlin", "Android", "Jetpack Compose", "Java"],
            sentences: [
                "KotlinとJetpack ComposeでAndroidアプリを開発します。", "Ship features to millions of Android users.", "モバイルアプリの設計から運用まで担当します。",
            ]),
        Role(
            titles: ["データアナリスト", "Data Analyst", "シニアデータアナリスト", "Business Data Analyst"],
            skills: ["SQL", "Python", "Tableau", "BigQuery", "Excel", "統計"],
            sentences: [
                "SQLとPythonを用いたデータ分析を担当します。", "Analyse product data with SQL and build dashboards.", "データ分析の結果を経営陣に提案します。",
                "As a data analyst you will define our key metrics.", "BigQueryを使った分析基盤があります。",
            ]),
        Role(
            titles: ["データエンジニア", "Data Engineer", "機械学習エンジニア", "Machine Learning Engineer"],
            skills: ["Python", "Spark", "SQL", "BigQuery", "機械学習", "TensorFlow", "PyTorch"],
            sentences: [
                "データ基盤の設計・構築を担当します。", "Build data pipelines and machine learning models in Python.", "機械学習モデルの本番運用経験を歓迎します。",
                "Own the data platform from ingestion to serving.",
            ]),
        Role(
            titles: ["法人営業", "法人営業（SaaS）", "Account Executive", "インサイドセールス", "フィールドセールス", "Sales Manager"],
            skills: ["法人営業", "SaaS", "Salesforce", "新規開拓", "英語"],
            sentences: [
                "SaaSプロダクトの法人営業をお任せします。", "大手企業向けの新規開拓営業を担当します。", "Sell our SaaS platform to enterprise customers.",
                "営業経験3年以上（業界不問）。", "Salesforceを使った営業活動の経験を歓迎します。",
            ]),
        Role(
            titles: ["カスタマーサクセス", "Customer Success Manager", "カスタマーサクセスマネージャー（SaaS）"],
            skills: ["SaaS", "カスタマーサクセス", "英語", "Salesforce"],
            sentences: [
                "導入企業のオンボーディングと活用支援を担当します。", "Help our customers succeed with our SaaS product.", "解約率の改善に取り組みます。",
            ]),
        Role(
            titles: ["UI/UXデザイナー", "プロダクトデザイナー", "Product Designer", "Webデザイナー"],
            skills: ["Figma", "UI", "UX", "Adobe XD", "Photoshop"],
            sentences: [
                "FigmaでUI/UXデザインを担当します。", "Design end-to-end experiences, from research to UI.", "デザインシステムの構築経験を歓迎します。",
                "デザイナーとしてプロダクトの体験を設計します。",
            ]),
        Role(
            titles: ["プロダクトマネージャー", "Product Manager", "PdM（SaaS）"],
            skills: ["プロダクトマネジメント", "SQL", "アジャイル", "英語"],
            sentences: [
                "プロダクトの戦略とロードマップを策定します。", "Lead a cross-functional team of engineers and designers.", "SaaSのプロダクトマネジメント経験。",
            ]),
        Role(
            titles: ["人事・採用担当", "Recruiter", "Talent Acquisition", "採用担当（エンジニア採用）"],
            skills: ["採用", "人事", "労務", "英語"],
            sentences: ["エンジニア採用の戦略立案から実行までを担当します。", "Hire great engineers across Japan.", "人事制度の企画・運用にも携わります。"]),
        Role(
            titles: ["経理", "経理・財務", "Accountant"],
            skills: ["経理", "簿記", "Excel", "IFRS"],
            sentences: ["月次・年次決算を担当します。", "Prepare monthly and annual accounts under IFRS.", "日商簿記2級以上。"]),
        Role(
            titles: ["マーケティング担当", "デジタルマーケター", "Marketing Manager"],
            skills: ["SEO", "広告運用", "Google Analytics", "SNS"],
            sentences: ["Web広告の運用とSEOを担当します。", "Grow our brand in Japan and abroad.", "データに基づくマーケティング施策を企画します。"]),
        Role(
            titles: ["QAエンジニア", "QA Engineer", "テストエンジニア"],
            skills: ["テスト自動化", "Selenium", "Python", "JSTQB"],
            sentences: ["テスト設計と自動化を推進します。", "Automate our end-to-end tests.", "品質保証のプロセスを改善します。"]),
        Role(
            titles: ["エンジニアリングマネージャー", "Engineering Manager", "VPoE"],
            skills: ["マネジメント", "Go", "Swift", "AWS", "採用"],
            sentences: ["10名規模のエンジニアチームをマネジメントします。", "Grow engineers and ship reliably.", "エンジニア組織の採用と育成を担当します。"]),
        Role(
            titles: ["テクニカルサポート", "カスタマーサポート", "Customer Support Specialist"],
            skills: ["英語", "SaaS", "Zendesk"],
            sentences: ["お客様からの技術的なお問い合わせに対応します。", "Answer customers by mail and chat, in Japanese and English."]),
    ]
}

/// A query's Boolean structure as `LIKE` conditions on the jobs' folded text, and the location as a `LIKE` on theirs.
enum JobBaselineSQL {
    static func condition(_ query: SearchQuery, location: String) -> (sql: String, arguments: [String]) {
        var arguments: [String] = []
        func like(_ column: String, _ pattern: String) -> String {
            arguments.append(pattern)
            return "\(column) LIKE ? ESCAPE '\\'"
        }
        func build(_ query: SearchQuery) -> String {
            switch query {
            // Field prefixes are not modelled: the whole text is searched.
            case .term(let text, _), .phrase(let text, _): return like("folded", BaselineSQL.pattern(text))
            case .and(let parts): return "(" + parts.map(build).joined(separator: " AND ") + ")"
            case .or(let parts): return "(" + parts.map(build).joined(separator: " OR ") + ")"
            case .not(let inner): return "(NOT \(build(inner)))"
            }
        }
        let text = build(query)
        return (text + " AND " + like("location", BaselineSQL.pattern(location)), arguments)
    }
}

/// The baseline's database: `jobs` as the product's table (its columns and indexes) with the folded text of title,
/// description, skills and company beside; `positions` with every member's current company; `connections` of the
/// sampled seekers only (the statement reads no one else's, and writing 100 million rows would take most of an hour).
final class SQLJobBaseline {
    let queue: DatabaseQueue
    let path: String
    private(set) var connectionRows = 0

    init(jobs: [Job], members: [MemberID], companyOf: [Int32], companies: [CompanyRef], seekers: [MemberID], graph: MemberGraph) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-jobs-baseline-\(UUID().uuidString).sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var rows = 0
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                      id TEXT PRIMARY KEY, company_id TEXT NOT NULL, company_name TEXT NOT NULL, poster_id TEXT NOT NULL, title TEXT NOT NULL,
                      location TEXT NOT NULL, workplace TEXT NOT NULL, employment_type TEXT NOT NULL, description TEXT NOT NULL,
                      skills TEXT NOT NULL DEFAULT '', salary_min INTEGER, salary_max INTEGER, salary_currency TEXT, salary_period TEXT,
                      status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1,
                      folded TEXT NOT NULL
                    );
                    CREATE INDEX jobs_company ON jobs (company_id, status, created_at);
                    CREATE INDEX jobs_poster ON jobs (poster_id, created_at);
                    CREATE TABLE positions (member_id TEXT NOT NULL, company_id TEXT NOT NULL, end_month TEXT);
                    CREATE INDEX positions_member ON positions (member_id);
                    CREATE TABLE connections (member_id TEXT NOT NULL, other_id TEXT NOT NULL, PRIMARY KEY (member_id, other_id)) WITHOUT ROWID;
                    """)
            let job = try db.makeStatement(
                sql: """
                    INSERT INTO jobs (id, company_id, company_name, poster_id, title, location, workplace, employment_type, description, skills,
                      salary_min, salary_max, salary_currency, salary_period, status, created_at, updated_at, version, folded)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                    """)
            for j in jobs {
                let skills = j.skills.joined(separator: "\u{1E}")
                let folded = SearchFold.fold([j.title, j.description, j.skills.joined(separator: " "), j.company.name].joined(separator: "\n"))
                let created = Int64((j.createdAt.timeIntervalSince1970 * 1000).rounded())
                try job.execute(arguments: [
                    j.id, j.company.id, j.company.name, j.poster.rawValue, j.title, j.location, j.workplace.rawValue, j.employmentType.rawValue,
                    j.description, skills, j.salary?.min, j.salary?.max, j.salary?.currency, j.salary?.period.rawValue, j.status.rawValue, created,
                    created, folded,
                ])
            }
            let position = try db.makeStatement(sql: "INSERT INTO positions (member_id, company_id, end_month) VALUES (?, ?, NULL)")
            for (member, company) in zip(members, companyOf) { try position.execute(arguments: [member.rawValue, companies[Int(company)].id]) }
            let connection = try db.makeStatement(sql: "INSERT OR IGNORE INTO connections (member_id, other_id) VALUES (?, ?)")
            for seeker in seekers {
                for other in graph.connections(of: seeker) {
                    try connection.execute(arguments: [seeker.rawValue, other.rawValue])
                    rows += 1
                }
            }
            try db.execute(sql: "ANALYZE")
        }
        connectionRows = rows
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var fileBytes: Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }

    /// How many open jobs the condition finds (not timed).
    func count(_ condition: String, _ arguments: [String]) throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE status = 'open' AND \(condition)", arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// The newest open jobs the condition finds, each with how many of the seeker's connections work at its company now.
    func page(_ condition: String, _ arguments: [String], seeker: MemberID, limit: Int) throws -> [(id: String, company: String, known: Int)] {
        try queue.read { db in
            let values: [(any DatabaseValueConvertible)?] = [seeker.rawValue] + arguments.map { $0 } + [limit]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.company_id,
                      (SELECT COUNT(*) FROM connections c JOIN positions m ON m.member_id = c.other_id
                       WHERE c.member_id = ? AND m.end_month IS NULL AND m.company_id = p.company_id) AS known
                    FROM (SELECT id, company_id, created_at FROM jobs WHERE status = 'open' AND \(condition)
                          ORDER BY created_at DESC, id DESC LIMIT ?) p
                    ORDER BY p.created_at DESC, p.id DESC
                    """, arguments: StatementArguments(values)
            ).map { row -> (id: String, company: String, known: Int) in (row["id"], row["company_id"], row["known"]) }
        }
    }
}
