import Foundation
import GRDB
import Logging
import PostgresNIO
import TsunagariCore
import TsunagariDataFiles
import TsunagariStoragePostgres
import TsunagariStorageSQLite

/// `tsunagari bench data`: importing a business-card CSV as the product does — `BusinessCards.read`, then
/// `DataImportService.importCards` (the cards cleaned, matched to members by email and by name or reading at their
/// current company, and every contact written in one transaction) — into a database of members who each work at one
/// company now. Beside it, in the same run and the same database, the same contacts written by plain SQL in one
/// transaction with no matching, which is what the write alone costs.
public enum DataBenchmark {
    public struct Options: Sendable {
        public var members: Int
        public var contacts: Int
        public var runs: Int
        public var seed: UInt64
        public var databaseURL: String?
        public var sqlite: Bool

        public init(members: Int, contacts: Int, runs: Int, seed: UInt64, databaseURL: String?, sqlite: Bool) {
            self.members = members
            self.contacts = contacts
            self.runs = runs
            self.seed = seed
            self.databaseURL = databaseURL
            self.sqlite = sqlite
        }
    }

    /// Members per `createMembers` call, as `bench search` writes them.
    static let memberBatch = 5_000
    /// The product's target for 10,000 contacts on 2 cores.
    static let targetSeconds = 5.0

    struct DataBenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    public static func run(_ options: Options) async throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let data = try CardBenchData(options)
        let generateSeconds = SearchBenchmark.seconds(since: start)
        print(
            "Data: \(SearchBenchmark.grouped(data.members.count)) members at \(SearchBenchmark.grouped(data.companyCount)) companies, "
                + "seed \(options.seed), made in \(String(format: "%.1f", generateSeconds)) s")
        print(
            "Cards: one CSV of \(SearchBenchmark.grouped(data.expected.count)) rows (\(SearchBenchmark.grouped(data.csv.count)) bytes, UTF-8 with a BOM, "
                + "Japanese headers): \(SearchBenchmark.grouped(data.emailRows)) with a member's email, \(SearchBenchmark.grouped(data.nameRows)) with "
                + "a member's name and reading at their current company in another legal-form spelling, "
                + "\(SearchBenchmark.grouped(data.otherRows)) people who are not members; \(SearchBenchmark.grouped(data.expectedMatched)) should match. "
                + "Cards without a member's email name \(SearchBenchmark.grouped(data.namedCompanies)) members' companies, where "
                + "\(SearchBenchmark.grouped(data.membersAtNamedCompanies)) members work")
        if options.sqlite {
            let database = try SQLiteBenchDatabase()
            try await measure(
                name: "SQLite", location: database.location, storage: database.sqlite, data: data, options: options,
                baseline: { rows in try await sqliteBaseline(database, rows) }, analyse: {}, finish: { try await database.finish(keep: false) })
        }
        if let url = options.databaseURL {
            let database = try await PostgresBenchDatabase.create(serverURL: url)
            try await measure(
                name: "PostgreSQL", location: database.location, storage: database.postgres, data: data, options: options,
                baseline: { rows in try await postgresBaseline(database, rows) },
                analyse: {
                    // As autovacuum does soon after a bulk load: without statistics the planner misjudges the tables'
                    // sizes and joins 100,000 members by nested loops.
                    try await database.client.query("ANALYZE", logger: database.logger)
                    print("ANALYZE run after the members were written, as autovacuum would")
                }, finish: { try await database.finish(keep: false) })
        }
        print("Peak resident memory of the process (VmHWM): \(SearchBenchmark.megabytes(peakResidentBytes()))")
    }

    static func measure(
        name: String, location: String, storage: any DataImportService.Store, data: CardBenchData, options: Options,
        baseline: @escaping ([BaselineRow]) async throws -> Double, analyse: () async throws -> Void, finish: () async throws -> Void
    ) async throws {
        print("")
        print("== \(name): \(SearchBenchmark.grouped(data.expected.count)) business cards, \(options.runs) runs after one warm-up run ==")
        print(location)
        var failure: (any Error)?
        do {
            try await measureSteps(storage: storage, data: data, options: options, baseline: baseline, analyse: analyse)
        } catch {
            failure = error
        }
        try? await finish()
        if let failure { throw failure }
    }

    static func measureSteps(
        storage: any DataImportService.Store, data: CardBenchData, options: Options, baseline: ([BaselineRow]) async throws -> Double,
        analyse: () async throws -> Void
    ) async throws {
        try await storage.migrate()
        var start = DispatchTime.now().uptimeNanoseconds
        var index = 0
        while index < data.members.count {
            let end = min(index + memberBatch, data.members.count)
            try await storage.createMembers(Array(data.members[index..<end]))
            index = end
        }
        try await storage.createMembers(data.owners)
        let writeSeconds = SearchBenchmark.seconds(since: start)
        print(
            "Members written with createMembers in batches of \(SearchBenchmark.grouped(memberBatch)): \(String(format: "%.1f", writeSeconds)) s "
                + "(\(SearchBenchmark.rate(data.members.count, writeSeconds))); not part of the figures")
        try await analyse()

        let service = DataImportService(storage: storage, clock: SystemClock())
        var parse = Timings()
        var importing = Timings()
        var total = Timings()
        var plain = Timings()
        var cpu = Timings()
        var warmUp: (parse: Double, importing: Double, baseline: Double)?
        print("Load before the runs: \(loadAverage())")
        for run in 0...options.runs {
            let owner = data.owners[run].account.memberID
            // Parse and import as one request does: the file's bytes in, the summary out.
            let cpuStart = cpuSeconds()
            start = DispatchTime.now().uptimeNanoseconds
            let cards = try BusinessCards.read(data.csv, format: .csv, file: "cards.csv")
            let parsed = DispatchTime.now().uptimeNanoseconds
            let summary = try await service.importCards(cards, member: owner)
            let done = DispatchTime.now().uptimeNanoseconds
            let cpuMilliseconds = (cpuSeconds() - cpuStart) * 1000
            try await check(summary, cards: cards, owner: owner, data: data, storage: storage)

            // The baseline writes the same cards for an owner of its own, so that neither run's rows meet the other's.
            let baselineOwner = data.owners[options.runs + 1 + run].account.memberID
            let rows = await BaselineRow.rows(cards, owner: baselineOwner)
            let baselineMilliseconds = try await baseline(rows) * 1000
            let written = try await storage.contacts(of: baselineOwner).count
            guard written == rows.count else { throw DataBenchError("the baseline wrote \(written) contacts of \(rows.count)") }

            let parseMilliseconds = Double(parsed - start) / 1e6
            let importMilliseconds = Double(done - parsed) / 1e6
            if run == 0 {
                warmUp = (parseMilliseconds, importMilliseconds, baselineMilliseconds)
                continue
            }
            parse.samples.append(parseMilliseconds)
            importing.samples.append(importMilliseconds)
            total.samples.append(parseMilliseconds + importMilliseconds)
            plain.samples.append(baselineMilliseconds)
            cpu.samples.append(cpuMilliseconds)
        }
        print("Load after the runs: \(loadAverage())")
        if let warmUp {
            print(
                "Warm-up run (not counted): parse \(duration(warmUp.parse)), match + write \(duration(warmUp.importing)), "
                    + "total \(duration(warmUp.parse + warmUp.importing)), baseline \(duration(warmUp.baseline))")
        }
        print("Every run matched \(SearchBenchmark.grouped(data.expectedMatched)) cards to the expected members and added all of them.")
        print("")
        let many = options.runs >= 100
        let n = data.expected.count
        func row(_ what: String, _ t: Timings) -> [String] {
            [
                what, "\(t.samples.count)", duration(t.median), duration(many ? t.p99 : t.samples.max() ?? .nan),
                duration(t.samples.min() ?? .nan), SearchBenchmark.rate(n, t.median / 1000),
            ]
        }
        printTable(
            ["step", "runs", "p50", many ? "p99" : "max", "min", "rows/s at p50"],
            [
                row("parse (BusinessCards.read, CSV)", parse),
                row("match + write (DataImportService.importCards)", importing),
                row("total", total),
                row("baseline: the same rows by plain SQL, one transaction, no matching", plain),
            ])
        print(
            "CPU time of the process during parse and import (user and system, all threads): p50 \(duration(cpu.median)), "
                + "min \(duration(cpu.samples.min() ?? .nan)), max \(duration(cpu.samples.max() ?? .nan))")
        let verdict = total.median / 1000 < targetSeconds ? "met" : "NOT met"
        print(
            "Target: \(SearchBenchmark.grouped(n)) contacts in under \(Int(targetSeconds)) s — total p50 "
                + "\(String(format: "%.2f", total.median / 1000)) s, \(verdict); total / baseline p50 "
                + String(format: "%.1f×", total.median / max(plain.median, 1e-9)))
    }

    /// Milliseconds as the tables show them: seconds from one second up.
    static func duration(_ milliseconds: Double) -> String {
        milliseconds >= 1000 ? String(format: "%.2f s", milliseconds / 1000) : formatMilliseconds(milliseconds)
    }

    /// The import must be the one the data describes: a benchmark of a broken import measures nothing.
    static func check(
        _ summary: DataImportService.ContactSummary, cards: [ContactCard], owner: MemberID, data: CardBenchData,
        storage: any DataImportService.Store
    ) async throws {
        guard cards.count == data.expected.count, summary.rows == data.expected.count else {
            throw DataBenchError("read \(cards.count) cards and imported \(summary.rows) rows of \(data.expected.count)")
        }
        guard summary.matched == data.expectedMatched else {
            throw DataBenchError("the import matched \(summary.matched) cards; the data has \(data.expectedMatched) cards of members")
        }
        guard summary.added == data.expected.count else {
            throw DataBenchError("the import added \(summary.added) contacts of \(data.expected.count) distinct cards")
        }
        let matched = try await storage.matchedContacts(of: [owner]).map(\.member).sorted()
        guard matched == data.expectedMembers else {
            let wrong = Set(matched).symmetricDifference(data.expectedMembers).count
            throw DataBenchError("the stored contacts are matched to other members than the data says (\(wrong) differ)")
        }
    }

    // MARK: The baseline

    /// A contact as the baseline writes it, its duplicate key worked out before the clock starts.
    struct BaselineRow: Sendable {
        var id: String
        var owner: String
        var duplicateKey: String
        var name: String
        var nameReading: String?
        var company: String?
        var department: String?
        var title: String?
        var emails: String
        var phones: String
        var createdAt: Int64

        static func rows(_ cards: [ContactCard], owner: MemberID) async -> [BaselineRow] {
            let now = Date()
            let millis = Int64(now.timeIntervalSince1970 * 1000)
            let keys = await Contact.duplicateKeys(cards.map { Contact(id: "", owner: owner, source: .card, card: $0, member: nil, createdAt: now) })
            return zip(cards, keys).map { card, key in
                BaselineRow(
                    id: OpaqueID.make(at: now), owner: owner.rawValue, duplicateKey: key, name: card.name, nameReading: card.nameReading,
                    company: card.company, department: card.department, title: card.title, emails: card.emails.joined(separator: "\n"),
                    phones: card.phones.joined(separator: "\n"), createdAt: millis)
            }
        }
    }

    /// A prepared INSERT run for every row in one write transaction, with the product's settings (WAL,
    /// `synchronous=FULL`) on a connection of its own. Seconds.
    static func sqliteBaseline(_ database: SQLiteBenchDatabase, _ rows: [BaselineRow]) async throws -> Double {
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: database.path, configuration: configuration)
        let start = DispatchTime.now().uptimeNanoseconds
        try await pool.write { db in
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO contacts (id, owner_id, source, duplicate_key, name, name_reading, company, department, title, emails,
                      phones, profile_url, connected_on, matched_member_id, created_at)
                    VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)
                    """)
            for r in rows {
                try insert.execute(arguments: [
                    r.id, r.owner, r.duplicateKey, r.name, r.nameReading, r.company, r.department, r.title, r.emails, r.phones, r.createdAt,
                ])
            }
        }
        let seconds = SearchBenchmark.seconds(since: start)
        try pool.close()
        return seconds
    }

    /// One UNNEST insert of every row in one transaction, shaped as the adapter's. Seconds.
    static func postgresBaseline(_ database: PostgresBenchDatabase, _ rows: [BaselineRow]) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await database.client.withTransaction(logger: database.logger) { c in
            for try await _ in try await c.query(
                """
                INSERT INTO contacts (id, owner_id, source, duplicate_key, name, name_reading, company, department, title, emails,
                  phones, matched_member_id, created_at)
                SELECT id, owner_id, 'card', duplicate_key, name, NULLIF(name_reading, ''), NULLIF(company, ''), NULLIF(department, ''),
                  NULLIF(title, ''), emails, phones, NULL, created_at
                FROM UNNEST(\(rows.map(\.id))::text[], \(rows.map(\.owner))::text[], \(rows.map(\.duplicateKey))::text[],
                  \(rows.map(\.name))::text[], \(rows.map { $0.nameReading ?? "" })::text[], \(rows.map { $0.company ?? "" })::text[],
                  \(rows.map { $0.department ?? "" })::text[], \(rows.map { $0.title ?? "" })::text[], \(rows.map(\.emails))::text[],
                  \(rows.map(\.phones))::text[], \(rows.map(\.createdAt))::bigint[])
                  AS t(id, owner_id, duplicate_key, name, name_reading, company, department, title, emails, phones, created_at)
                """, logger: database.logger)
            {}
        }
        return SearchBenchmark.seconds(since: start)
    }

    // MARK: The machine

    /// The most resident memory this process has held, from /proc (Linux).
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }

    /// Processor time this process has used, on all its threads.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The load averages over 1, 5 and 15 minutes: other work on a shared machine moves these figures.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ") + " (1, 5, 15 min), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
}

/// The members and the card file, the same for the same seed: members each at one company now (`members / 50`
/// companies, each member's name and reading told apart from their colleagues'), and a CSV as a card app exports it,
/// whose rows are in a known share members by email, members by name at their company, and people who are not members.
struct CardBenchData {
    var members: [NewMember] = []
    /// Importing members, one per run and the warm-up run, then one per baseline run; they work nowhere.
    var owners: [NewMember] = []
    var csv = Data()
    /// The member each row of the file names, in the file's order (nil: not a member).
    var expected: [MemberID?] = []
    var companyCount = 0
    var emailRows = 0
    var nameRows = 0
    var otherRows = 0
    /// Members' companies named by cards without a member's email, and the members who work there: what the match reads.
    var namedCompanies = 0
    var membersAtNamedCompanies = 0

    var expectedMatched: Int { emailRows + nameRows }
    /// The members the rows name, sorted: what the owner's matched contacts must be.
    var expectedMembers: [MemberID] { expected.compactMap { $0 }.sorted() }

    struct Person {
        var name: String
        /// Hiragana, as members type it; nil for names written in Latin letters with no reading.
        var reading: String?
        var romaji: String
    }

    struct Company {
        /// Without its legal form: `株式会社` is written before or after it, or `(株)`, `㈱`, `（株）`.
        var stem: String
        /// How the members who work there write it: the legal form before (true) or after.
        var formBefore: Bool
        var id: String
        var slug: String
        var written: String { formBefore ? "株式会社" + stem : stem + "株式会社" }
    }

    static let families: [(String, String, String)] = [
        ("佐藤", "さとう", "sato"), ("鈴木", "すずき", "suzuki"), ("高橋", "たかはし", "takahashi"), ("田中", "たなか", "tanaka"),
        ("伊藤", "いとう", "ito"), ("渡辺", "わたなべ", "watanabe"), ("山本", "やまもと", "yamamoto"), ("中村", "なかむら", "nakamura"),
        ("小林", "こばやし", "kobayashi"), ("加藤", "かとう", "kato"), ("吉田", "よしだ", "yoshida"), ("山田", "やまだ", "yamada"),
        ("佐々木", "ささき", "sasaki"), ("山口", "やまぐち", "yamaguchi"), ("松本", "まつもと", "matsumoto"), ("井上", "いのうえ", "inoue"),
        ("木村", "きむら", "kimura"), ("林", "はやし", "hayashi"), ("斎藤", "さいとう", "saito"), ("清水", "しみず", "shimizu"),
        ("山崎", "やまざき", "yamazaki"), ("森", "もり", "mori"), ("池田", "いけだ", "ikeda"), ("橋本", "はしもと", "hashimoto"),
        ("阿部", "あべ", "abe"), ("石川", "いしかわ", "ishikawa"), ("山下", "やました", "yamashita"), ("中島", "なかじま", "nakajima"),
        ("石井", "いしい", "ishii"), ("小川", "おがわ", "ogawa"), ("前田", "まえだ", "maeda"), ("岡田", "おかだ", "okada"),
        ("長谷川", "はせがわ", "hasegawa"), ("藤田", "ふじた", "fujita"), ("後藤", "ごとう", "goto"), ("近藤", "こんどう", "kondo"),
        ("村上", "むらかみ", "murakami"), ("遠藤", "えんどう", "endo"), ("青木", "あおき", "aoki"), ("坂本", "さかもと", "sakamoto"),
    ]
    static let givens: [(String, String, String)] = [
        ("翔", "しょう", "sho"), ("陽菜", "ひな", "hina"), ("蓮", "れん", "ren"), ("結衣", "ゆい", "yui"), ("大輝", "だいき", "daiki"),
        ("美咲", "みさき", "misaki"), ("健太", "けんた", "kenta"), ("葵", "あおい", "aoi"), ("拓也", "たくや", "takuya"),
        ("さくら", "さくら", "sakura"), ("直樹", "なおき", "naoki"), ("彩", "あや", "aya"), ("悠斗", "ゆうと", "yuto"),
        ("真由美", "まゆみ", "mayumi"), ("和也", "かずや", "kazuya"), ("花子", "はなこ", "hanako"), ("太郎", "たろう", "taro"),
        ("恵", "めぐみ", "megumi"), ("亮", "りょう", "ryo"), ("愛", "あい", "ai"), ("誠", "まこと", "makoto"), ("由美", "ゆみ", "yumi"),
        ("大介", "だいすけ", "daisuke"), ("優子", "ゆうこ", "yuko"), ("剛", "つよし", "tsuyoshi"), ("智子", "ともこ", "tomoko"),
        ("翼", "つばさ", "tsubasa"), ("舞", "まい", "mai"), ("隆", "たかし", "takashi"), ("裕太", "ゆうた", "yuta"),
        ("千尋", "ちひろ", "chihiro"), ("浩二", "こうじ", "koji"), ("香織", "かおり", "kaori"), ("修", "おさむ", "osamu"),
        ("奈々", "なな", "nana"), ("健一", "けんいち", "kenichi"), ("朝日", "あさひ", "asahi"), ("陸", "りく", "riku"),
        ("楓", "かえで", "kaede"), ("颯太", "そうた", "sota"),
    ]
    static let latinGivens = [
        "Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Grace", "Daniel", "Chloe", "Owen",
        "Hannah", "Samuel", "Priya", "Arjun", "Wei", "Mei",
    ]
    static let latinFamilies = [
        "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott", "Green",
        "Baker", "Patel", "Chen", "Kim", "Nguyen", "Garcia", "Martin",
    ]
    static let kana = Array("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ")
    static let romajiKana = [
        "a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu", "te", "to", "na", "ni",
        "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo", "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa",
    ]
    static let kinds = [
        "商事", "電機", "システムズ", "ソフトウェア", "物産", "工業", "製薬", "不動産", "通信", "ホールディングス", "テクノロジーズ",
        "コンサルティング", "製作所", "ネットワークス", "フィナンシャル", "食品",
    ]
    static let departments = ["営業部", "開発部", "人事部", "経理部", "マーケティング部", "経営企画部", "情報システム部", "カスタマーサクセス部", ""]
    static let titles = ["部長", "課長", "主任", "マネージャー", "エンジニア", "担当", "代表取締役", "シニアエンジニア", ""]
    static let header = ["名前", "フリガナ", "会社名", "部署", "役職", "メールアドレス", "電話"]

    /// Names compared as the product compares them for these names: without spaces, Latin letters in lower case.
    static func key(_ text: String) -> String { text.lowercased().filter { $0 != " " } }

    static func katakana(_ hiragana: String) -> String {
        String(String.UnicodeScalarView(hiragana.unicodeScalars.map { (0x3041...0x3096).contains($0.value) ? Unicode.Scalar($0.value + 0x60)! : $0 }))
    }

    init(_ options: DataBenchmark.Options) throws {
        let n = options.members
        let contacts = options.contacts
        emailRows = contacts * 3 / 10
        nameRows = contacts * 3 / 10
        otherRows = contacts - emailRows - nameRows
        guard emailRows + nameRows <= n else {
            throw DataBenchmark.DataBenchError("\(emailRows + nameRows) cards name distinct members; --members must be at least that")
        }
        var g = SampleData.Generator(seed: options.seed &+ 41)
        let now = Date()

        // Companies: distinct kana stems, so that no two share a key, and as many outside the membership.
        var stems = Set<String>()
        func company() -> Company {
            while true {
                let syllables = (0..<Int.random(in: 2...4, using: &g)).map { _ in Int.random(in: 0..<Self.kana.count, using: &g) }
                let kind = Self.kinds.randomElement(using: &g)!
                let stem = String(syllables.map { Self.kana[$0] }) + kind
                guard stems.insert(stem).inserted else { continue }
                let slug = syllables.map { Self.romajiKana[$0] }.joined() + "-\(stems.count)"
                return Company(
                    stem: stem, formBefore: Double.random(in: 0..<1, using: &g) < 0.6, id: OpaqueID.make(at: now, using: &g), slug: slug)
            }
        }
        companyCount = max(1, n / 50)
        let companies = (0..<companyCount).map { _ in company() }
        let outside = (0..<max(100, companyCount / 2)).map { _ in company() }

        func person() -> Person {
            if Int.random(in: 0..<10, using: &g) < 8 {
                let family = Self.families.randomElement(using: &g)!
                let given = Self.givens.randomElement(using: &g)!
                return Person(name: "\(family.0) \(given.0)", reading: "\(family.1) \(given.1)", romaji: "\(given.2).\(family.2)")
            }
            let given = Self.latinGivens.randomElement(using: &g)!
            let family = Self.latinFamilies.randomElement(using: &g)!
            return Person(name: "\(given) \(family)", reading: nil, romaji: "\(given).\(family)".lowercased())
        }

        // Members: each at one company, with a name and reading none of their colleagues has, so that a card with
        // the name (or reading) and the company names one member.
        var namesAt = [Set<String>](repeating: [], count: companies.count)
        var people: [Person] = []
        var companyOf: [Int] = []
        people.reserveCapacity(n)
        companyOf.reserveCapacity(n)
        members.reserveCapacity(n)
        let hash = "plain:unused-password"
        for index in 0..<n {
            let c = Int.random(in: 0..<companies.count, using: &g)
            var p = person()
            var attempts = 0
            while namesAt[c].contains(Self.key(p.name)) || p.reading.map({ namesAt[c].contains(Self.key($0)) }) == true {
                attempts += 1
                guard attempts < 10_000 else { throw DataBenchmark.DataBenchError("no free name left at a company of \(namesAt[c].count)") }
                p = person()
            }
            namesAt[c].insert(Self.key(p.name))
            if let reading = p.reading { namesAt[c].insert(Self.key(reading)) }
            people.append(p)
            companyOf.append(c)
            let created = now.addingTimeInterval(-Double(n - index) * 60)
            let id = MemberID(OpaqueID.make(at: created, using: &g))
            let written = companies[c].written
            let title = Self.titles.randomElement(using: &g)!
            let position = PositionDraft(
                id: OpaqueID.make(at: created, using: &g), companyName: written, companyKey: CompanyName.key(written),
                newCompanyID: companies[c].id, title: title.isEmpty ? "担当" : title,
                location: "東京都", startMonth: YearMonth(year: Int.random(in: 2005...2024, using: &g), month: Int.random(in: 1...12, using: &g))!,
                endMonth: nil, description: nil)
            let profile = Profile(
                memberID: id, role: .member, fields: ProfileFields(name: p.name, nameReading: p.reading, handle: "member-\(index)"),
                positions: [], educations: [], skills: [], settings: ProfileSettings(), createdAt: created, updatedAt: created)
            let account = Account(
                memberID: id, email: "\(p.romaji).\(index)@members.example", passwordHash: hash, role: .member, createdAt: created)
            members.append(NewMember(account: account, profile: profile, positions: [position]))
        }
        // From a generator of their own, so that the cards are the same for a seed whatever the number of runs.
        var ownerIDs = SampleData.Generator(seed: options.seed &+ 43)
        for run in 0..<(2 * (options.runs + 1)) {
            let id = MemberID(OpaqueID.make(at: now, using: &ownerIDs))
            let profile = Profile(
                memberID: id, role: .member, fields: ProfileFields(name: "取込 \(run)", handle: "importer-\(run)"), positions: [],
                educations: [], skills: [], settings: ProfileSettings(), createdAt: now, updatedAt: now)
            owners.append(
                NewMember(account: Account(memberID: id, email: "importer\(run)@members.example", passwordHash: hash, role: .member, createdAt: now),
                          profile: profile))
        }

        // The rows: distinct members for the email and the name rows, then people who are not members.
        var chosen = Array(0..<n)
        chosen.shuffle(using: &g)
        chosen = Array(chosen.prefix(emailRows + nameRows))
        func phone() -> String {
            let prefix = ["03", "06", "090", "080", "045"].randomElement(using: &g)!
            return "\(prefix)-\(Int.random(in: 1000...9999, using: &g))-\(Int.random(in: 1000...9999, using: &g))"
        }
        func anotherSpelling(_ company: Company) -> String {
            let roll = Double.random(in: 0..<1, using: &g)
            if roll < 0.6 { return company.formBefore ? company.stem + "株式会社" : "株式会社" + company.stem }
            if roll < 0.8 { return "(株)" + company.stem }
            if roll < 0.9 { return "㈱" + company.stem }
            return company.stem + "（株）"
        }
        func anySpelling(_ company: Company) -> String {
            Bool.random(using: &g) ? company.written : anotherSpelling(company)
        }
        var rows: [(cells: [String], member: MemberID?)] = []
        var named = Set<Int>()
        rows.reserveCapacity(contacts)
        for (k, m) in chosen.enumerated() {
            let p = people[m]
            let member = members[m].account.memberID
            let department = Self.departments.randomElement(using: &g)!
            let title = Self.titles.randomElement(using: &g)!
            if k < emailRows {
                // The email the member signed up with; the card may be from another job, and a few write it capitalised.
                var email = members[m].account.email
                if Int.random(in: 0..<10, using: &g) == 0 { email = email.prefix(1).uppercased() + email.dropFirst() }
                let company = Int.random(in: 0..<10, using: &g) < 7 ? anySpelling(companies[companyOf[m]]) : anySpelling(outside.randomElement(using: &g)!)
                let reading = Int.random(in: 0..<10, using: &g) < 7 ? p.reading.map(Self.katakana) ?? "" : ""
                rows.append(([p.name, reading, company, department, title, email, phone()], member))
            } else {
                // The name as the member wrote it, the reading in katakana as card apps write it, the company in
                // another legal-form spelling; a work email no member signed up with, or none.
                let company = companies[companyOf[m]]
                named.insert(companyOf[m])
                let email = Bool.random(using: &g) ? "\(p.romaji)@\(company.slug).example.co.jp" : ""
                rows.append(([p.name, p.reading.map(Self.katakana) ?? "", anotherSpelling(company), department, title, email, phone()], member))
            }
        }
        // People who are not members: at members' companies (with a name no one there has) or elsewhere; most cards
        // carry an email, and those that do not still differ in name or company.
        var emailless = Set<String>()
        for index in 0..<otherRows {
            var p = person()
            let atMemberCompany = Bool.random(using: &g)
            let c = atMemberCompany ? Int.random(in: 0..<companies.count, using: &g) : Int.random(in: 0..<outside.count, using: &g)
            let company = atMemberCompany ? companies[c] : outside[c]
            let hasEmail = Int.random(in: 0..<10, using: &g) > 0
            var attempts = 0
            while (atMemberCompany && (namesAt[c].contains(Self.key(p.name)) || p.reading.map({ namesAt[c].contains(Self.key($0)) }) == true))
                || (!hasEmail && emailless.contains("\(atMemberCompany) \(c) \(Self.key(p.name))"))
            {
                attempts += 1
                guard attempts < 10_000 else { throw DataBenchmark.DataBenchError("no free name left for a card at a company") }
                p = person()
            }
            if !hasEmail { emailless.insert("\(atMemberCompany) \(c) \(Self.key(p.name))") }
            if atMemberCompany { named.insert(c) }
            let email = hasEmail ? "\(p.romaji).\(index)@\(company.slug).example.co.jp" : ""
            let reading = Int.random(in: 0..<10, using: &g) < 8 ? p.reading.map(Self.katakana) ?? "" : ""
            rows.append(
                ([p.name, reading, anySpelling(company), Self.departments.randomElement(using: &g)!, Self.titles.randomElement(using: &g)!, email,
                  phone()], nil))
        }
        rows.shuffle(using: &g)
        expected = rows.map(\.member)
        namedCompanies = named.count
        membersAtNamedCompanies = companyOf.filter { named.contains($0) }.count

        // As card apps export: every field quoted, CRLF line ends, UTF-8 with a byte-order mark.
        func line(_ cells: [String]) -> String {
            cells.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\r\n"
        }
        var text = "\u{FEFF}" + line(Self.header)
        for row in rows { text += line(row.cells) }
        csv = Data(text.utf8)
    }
}
