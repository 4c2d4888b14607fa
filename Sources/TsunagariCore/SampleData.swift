import Foundation

/// A deterministic generator of realistic members for `tsunagari demo` and benchmarks: Japanese, English
/// and mixed profiles, 1–5 positions each across a few hundred companies of heavy-tailed sizes (a few
/// employ many, most employ few), spelled the many ways people write company names.
public struct SampleData {
    public struct Generator: RandomNumberGenerator {
        private var state: UInt64
        public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
        /// SplitMix64: fast, and the same sequence for the same seed on every platform.
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let familyNames: [(String, String, String)] = [
        ("佐藤", "さとう", "Sato"), ("鈴木", "すずき", "Suzuki"), ("高橋", "たかはし", "Takahashi"), ("田中", "たなか", "Tanaka"),
        ("伊藤", "いとう", "Ito"), ("渡辺", "わたなべ", "Watanabe"), ("山本", "やまもと", "Yamamoto"), ("中村", "なかむら", "Nakamura"),
        ("小林", "こばやし", "Kobayashi"), ("加藤", "かとう", "Kato"), ("吉田", "よしだ", "Yoshida"), ("山田", "やまだ", "Yamada"),
        ("佐々木", "ささき", "Sasaki"), ("松本", "まつもと", "Matsumoto"), ("井上", "いのうえ", "Inoue"), ("木村", "きむら", "Kimura"),
        ("林", "はやし", "Hayashi"), ("清水", "しみず", "Shimizu"), ("山口", "やまぐち", "Yamaguchi"), ("森", "もり", "Mori"),
    ]
    static let givenNames: [(String, String, String)] = [
        ("翔", "しょう", "Sho"), ("陽菜", "ひな", "Hina"), ("蓮", "れん", "Ren"), ("結衣", "ゆい", "Yui"), ("大輝", "だいき", "Daiki"),
        ("美咲", "みさき", "Misaki"), ("健太", "けんた", "Kenta"), ("葵", "あおい", "Aoi"), ("拓也", "たくや", "Takuya"),
        ("さくら", "さくら", "Sakura"), ("直樹", "なおき", "Naoki"), ("彩", "あや", "Aya"), ("悠斗", "ゆうと", "Yuto"),
        ("真由美", "まゆみ", "Mayumi"), ("和也", "かずや", "Kazuya"), ("花子", "はなこ", "Hanako"),
    ]
    static let englishGiven = [
        "Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Grace", "Daniel", "Chloe",
        "Owen", "Hannah", "Samuel", "Priya", "Arjun", "Wei", "Mei",
    ]
    static let englishFamily = [
        "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott",
        "Green", "Baker", "Patel", "Chen", "Kim", "Nguyen", "Garcia", "Martin",
    ]
    static let japaneseCompanyStems = ["さくら", "富士", "東都", "日本", "大和", "みらい", "青空", "北斗", "光", "旭", "瑞穂", "若葉"]
    static let japaneseCompanyKinds = ["商事", "電機", "システム", "ソフト", "物産", "工業", "銀行", "製薬", "不動産", "通信", "ホールディングス", "テクノロジーズ"]
    static let englishCompanyStems = ["Blue", "North", "Bright", "Pacific", "Summit", "Silver", "Nova", "Atlas", "Harbor", "Crest"]
    static let englishCompanyKinds = ["Systems", "Labs", "Analytics", "Partners", "Logistics", "Software", "Robotics", "Capital", "Media", "Health"]
    static let japaneseTitles = [
        "ソフトウェアエンジニア", "営業", "法人営業", "プロダクトマネージャー", "人事", "マーケティング担当", "データサイエンティスト",
        "経理", "コンサルタント", "デザイナー", "カスタマーサクセス", "エンジニアリングマネージャー", "研究員", "採用担当",
    ]
    static let englishTitles = [
        "Software Engineer", "Sales Manager", "Account Executive", "Product Manager", "HR Business Partner", "Marketing Lead",
        "Data Scientist", "Accountant", "Consultant", "Designer", "Customer Success Manager", "Engineering Manager",
        "Research Scientist", "Technical Recruiter", "iOS Engineer (Swift)",
    ]
    static let schools = [
        ("東京大学", "Bachelor of Engineering"), ("京都大学", "学士（経済学）"), ("早稲田大学", "学士（商学）"), ("慶應義塾大学", "学士（法学）"),
        ("大阪大学", "修士（工学）"), ("University of Tokyo", "Master of Science"), ("Stanford University", "MBA"),
        ("University of Washington", "BS Computer Science"), ("名古屋大学", "学士（理学）"), ("National University of Singapore", "BEng"),
    ]
    static let fields = ["Computer Science", "経済学", "情報工学", "Business Administration", "法学", "Mathematics", "English Literature", "機械工学"]
    static let skills = [
        "Swift", "Python", "SQL", "英語", "中国語", "営業", "法人営業", "マーケティング", "Kubernetes", "AWS", "データ分析",
        "プロジェクトマネジメント", "採用", "会計", "UX Design", "Go", "TypeScript", "交渉", "TOEIC 900", "機械学習", "Excel",
        "Leadership", "Public Speaking", "iOS", "PostgreSQL", "財務分析", "B2B Sales", "SaaS",
    ]
    static let locations = ["東京都", "大阪府", "神奈川県", "福岡県", "愛知県", "Tokyo, Japan", "Osaka, Japan", "Singapore", "San Francisco, CA", "London"]
    static let industries = ["IT・通信", "金融", "製造", "Software", "コンサルティング", "人材", "Pharmaceuticals", "Retail", "不動産"]

    /// Company `i` of the catalogue and the ways members write its name, most common first.
    static func companySpellings(_ i: Int) -> [String] {
        let japaneseCount = japaneseCompanyStems.count * japaneseCompanyKinds.count
        if i < japaneseCount {
            let name = japaneseCompanyStems[i % japaneseCompanyStems.count] + japaneseCompanyKinds[i / japaneseCompanyStems.count]
            return ["株式会社" + name, "(株)" + name, "㈱" + name, name + "株式会社", name]
        }
        let j = i - japaneseCount
        let name = englishCompanyStems[j % englishCompanyStems.count] + " " + englishCompanyKinds[(j / englishCompanyStems.count) % englishCompanyKinds.count]
        let fullWidth = String(String.UnicodeScalarView(name.unicodeScalars.map {
            $0.isASCII && $0 != " " ? Unicode.Scalar($0.value + 0xFEE0)! : $0
        }))
        return [name + " Inc.", name + ", Inc.", name.uppercased(), fullWidth, name + " Corp."]
    }

    static var companyCount: Int {
        japaneseCompanyStems.count * japaneseCompanyKinds.count + englishCompanyStems.count * englishCompanyKinds.count
    }

    /// A company index with a heavy tail: rank r is chosen with weight 1/r.
    static func company<G: RandomNumberGenerator>(_ g: inout G) -> Int {
        let n = companyCount
        let harmonic = (1...n).reduce(0.0) { $0 + 1.0 / Double($1) }
        var target = Double.random(in: 0..<harmonic, using: &g)
        for rank in 1...n {
            target -= 1.0 / Double(rank)
            if target <= 0 { return rank - 1 }
        }
        return n - 1
    }

    /// `count` members, the same ones for the same seed. `passwordHash` is shared so that generating
    /// thousands of members does not spend minutes in bcrypt; every sample member logs in with one password.
    public static func members(count: Int, seed: UInt64, passwordHash: String, now: Date) -> [NewMember] {
        var g = Generator(seed: seed)
        var result: [NewMember] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let style = index % 10  // 0–5 Japanese, 6–7 English, 8–9 mixed
            let name: String
            let reading: String?
            let handle: String
            if style < 6 || style >= 8 {
                let family = familyNames.randomElement(using: &g)!
                let given = givenNames.randomElement(using: &g)!
                name = style >= 8 ? "\(given.2) \(family.2)" : "\(family.0) \(given.0)"
                reading = "\(family.1) \(given.1)"
                handle = "\(given.2)-\(family.2)-\(index)".lowercased()
            } else {
                let given = englishGiven.randomElement(using: &g)!
                let family = englishFamily.randomElement(using: &g)!
                name = "\(given) \(family)"
                reading = nil
                handle = "\(given)-\(family)-\(index)".lowercased()
            }
            let japanese = style < 6
            let created = now.addingTimeInterval(-Double(count - index) * 60)
            let id = MemberID(OpaqueID.make(at: created, using: &g))

            var positions: [PositionDraft] = []
            var month = YearMonth(year: Int.random(in: 2000...2018, using: &g), month: Int.random(in: 1...12, using: &g))!
            let positionCount = Int.random(in: 1...5, using: &g)
            for p in 0..<positionCount {
                let company = company(&g)
                let spellings = companySpellings(company)
                // Most members write the usual spelling; some use the others.
                let spelling = Double.random(in: 0..<1, using: &g) < 0.6 ? spellings[0] : spellings.randomElement(using: &g)!
                let length = Int.random(in: 8...60, using: &g)
                let endIndex = month.year * 12 + month.month - 1 + length
                let isLast = p == positionCount - 1
                let current = isLast && Double.random(in: 0..<1, using: &g) < 0.8
                let end = YearMonth(year: endIndex / 12, month: endIndex % 12 + 1)!
                let title = (japanese || (style >= 8 && p % 2 == 0) ? japaneseTitles : englishTitles).randomElement(using: &g)!
                let description: String? =
                    japanese
                    ? "\(title)として\(skills.randomElement(using: &g)!)を活かし、チームの目標達成に貢献。"
                    : "Worked as \(title) using \(skills.randomElement(using: &g)!); led projects with cross-functional teams."
                positions.append(
                    PositionDraft(
                        id: OpaqueID.make(at: created, using: &g), companyName: spelling, companyKey: CompanyName.key(spelling),
                        newCompanyID: OpaqueID.make(at: created, using: &g), title: title,
                        location: locations.randomElement(using: &g), startMonth: month, endMonth: current ? nil : end,
                        description: description))
                let gap = Int.random(in: 0...4, using: &g)
                let next = endIndex + gap
                month = YearMonth(year: next / 12, month: next % 12 + 1) ?? month
                if month.year > 2026 { break }
            }
            let school = schools.randomElement(using: &g)!
            let startYear = Int.random(in: 1990...2016, using: &g)
            let education = Education(
                id: OpaqueID.make(at: created, using: &g), school: school.0, degree: school.1,
                field: fields.randomElement(using: &g), startYear: startYear, endYear: startYear + 4)
            var memberSkills: [String] = []
            for _ in 0..<Int.random(in: 2...8, using: &g) {
                let skill = skills.randomElement(using: &g)!
                if !memberSkills.contains(skill) { memberSkills.append(skill) }
            }
            let latest = positions.last!
            let headline = japanese ? "\(latest.companyName)の\(latest.title)" : "\(latest.title) at \(latest.companyName)"
            let visibility: ProfileVisibility = index % 7 == 0 ? .connections : (index % 3 == 0 ? .public : .members)
            let role: MemberRole = index % 50 == 1 ? .recruiter : .member
            var profile = Profile(
                memberID: id, role: role,
                fields: ProfileFields(
                    name: name, nameReading: reading, handle: handle, headline: headline,
                    location: locations.randomElement(using: &g), industry: industries.randomElement(using: &g),
                    about: japanese
                        ? "\(name)です。\(latest.title)として働いています。お気軽にご連絡ください。"
                        : "I am \(name), \(latest.title). Happy to connect about work."),
                positions: [], educations: [education], skills: memberSkills,
                settings: ProfileSettings(
                    profileVisibility: visibility, openToWork: OpenToWork(enabled: index % 9 == 0, titles: [latest.title]),
                    locale: japanese ? .ja : (style >= 8 ? nil : .en)),
                createdAt: created, updatedAt: created)
            profile.setEntries(sampleEntries(index: index, seed: seed, japanese: japanese, since: positions[0].startMonth))
            let account = Account(
                memberID: id, email: "member\(index + 1)@example.test", passwordHash: passwordHash, role: role, createdAt: created)
            result.append(NewMember(account: account, profile: profile, positions: positions))
        }
        return result
    }

    static let certifications: [(name: String, issuer: String, score: ClosedRange<Int>?)] = [
        ("TOEIC Listening & Reading", "IIBC", 600...990), ("基本情報技術者", "IPA", nil), ("応用情報技術者", "IPA", nil),
        ("日商簿記検定2級", "日本商工会議所", nil), ("AWS Certified Solutions Architect – Associate", "Amazon Web Services", nil),
        ("中小企業診断士", "中小企業庁", nil), ("PMP", "Project Management Institute", nil), ("宅地建物取引士", "不動産適正取引推進機構", nil),
    ]

    /// Certifications and languages for about half the members, from a generator of their own (so the rest of the
    /// sample data is the same with or without them).
    static func sampleEntries(index: Int, seed: UInt64, japanese: Bool, since: YearMonth) -> [ProfileEntry] {
        var g = Generator(seed: seed &* 31 &+ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
        var entries: [ProfileEntry] = []
        if Double.random(in: 0..<1, using: &g) < 0.55 {
            for (n, pick) in certifications.shuffled(using: &g).prefix(Int.random(in: 1...3, using: &g)).enumerated() {
                let year = min(2026, since.year + Int.random(in: 0...8, using: &g))
                let score = pick.score.map { range in String(Int.random(in: range, using: &g) / 5 * 5) }
                entries.append(
                    .certification(
                        Certification(
                            id: "s\(index)c\(n)", name: pick.name, issuer: pick.issuer,
                            obtained: YearMonth(year: year, month: Int.random(in: 1...12, using: &g)), score: score)))
            }
        }
        entries.append(.language(LanguageSkill(id: "s\(index)l0", name: japanese ? "日本語" : "English", level: .native)))
        if Double.random(in: 0..<1, using: &g) < 0.6 {
            let level = LanguageLevel.allCases.dropFirst().randomElement(using: &g)!
            entries.append(
                .language(
                    LanguageSkill(
                        id: "s\(index)l1", name: japanese ? "英語" : "Japanese", level: level,
                        jlpt: japanese ? nil : [JLPTLevel.n1, .n2, .n3].randomElement(using: &g))))
        }
        return entries
    }

    /// The moment sample data is made "as of", so that the same seed makes the same ids too.
    public static let referenceDate = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z

    /// The password every sample member logs in with.
    public static let password = "tsunagari-demo"

    /// Writes `count` sample members in batches, then their connections; returns how many members were written.
    public static func fill(
        _ storage: any Storage & NetworkStore, hasher: any PasswordHasher, members count: Int, seed: UInt64, now: Date,
        postsAsOf: Date = Date(), progress: ProgressReport = .none
    ) async throws -> Int {
        let members = members(count: count, seed: seed, passwordHash: hasher.hash(password), now: now)
        var index = 0
        progress("members", 0, of: members.count)
        while index < members.count {
            let batch = Array(members[index..<min(index + 1_000, members.count)])
            try await storage.createMembers(batch)
            index += batch.count
            progress("members", index, of: members.count)
        }
        let pairs = connections(for: members, seed: seed)
        index = 0
        progress("connections", 0, of: pairs.count)
        while index < pairs.count {
            _ = try await storage.importConnections(Array(pairs[index..<min(index + 50_000, pairs.count)]))
            index = min(index + 50_000, pairs.count)
            progress("connections", index, of: pairs.count)
        }
        // Posts are dated before `postsAsOf` (the real time by default), so that a newcomer's feed is alive.
        if let posts = storage as? any PostStore {
            let activity = SampleActivity.make(for: members, connections: pairs, seed: seed, now: postsAsOf)
            let count = activity.posts.count + activity.reactions.count + activity.comments.count
            progress("posts, reactions and comments", 0, of: count)
            try await posts.importSampleActivity(activity)
            progress("posts, reactions and comments", count, of: count)
        }
        if let jobs = storage as? any JobStore & Storage & NetworkStore {
            progress("jobs", 0)
            let posted = try await SampleJobs.fill(jobs, members: members, connections: pairs, seed: seed, now: postsAsOf)
            progress("jobs", posted, of: posted)
        }
        if let contacts = storage as? any ContactStore & Storage {
            try await SampleContacts.fill(contacts, members: members, connections: pairs, seed: seed, now: postsAsOf)
        }
        return members.count
    }
}

extension SampleData {
    /// A realistic connection graph over sample members: colleagues who overlapped at an employer,
    /// schoolmates of the same years, recruiters with very many connections (a member's network is
    /// often mostly recruiters), and a heavy tail of well-connected members. Deterministic for a seed.
    public static func connections(for members: [NewMember], seed: UInt64) -> [(MemberID, MemberID, Date)] {
        var g = Generator(seed: seed &+ 7)
        var pairs: Set<Pair> = []
        var result: [(MemberID, MemberID, Date)] = []
        func add(_ a: Int, _ b: Int) {
            guard a != b, pairs.insert(Pair(a, b)).inserted else { return }
            let later = max(members[a].profile.createdAt, members[b].profile.createdAt)
            result.append((members[a].account.memberID, members[b].account.memberID, later.addingTimeInterval(Double(result.count % 3600))))
        }
        // Colleagues: members whose times at one company overlapped.
        var byCompany: [String: [(member: Int, start: Int, end: Int)]] = [:]
        for (index, member) in members.enumerated() {
            for position in member.positions {
                let start = position.startMonth.year * 12 + position.startMonth.month
                let end = position.endMonth.map { $0.year * 12 + $0.month } ?? Int.max
                byCompany[position.companyKey, default: []].append((index, start, end))
            }
        }
        for key in byCompany.keys.sorted() {
            let staff = byCompany[key]!
            for person in staff {
                let overlapping = staff.filter { $0.member != person.member && $0.start <= person.end && person.start <= $0.end }
                guard !overlapping.isEmpty else { continue }
                // Most people know a few colleagues; some know many.
                let wanted = min(overlapping.count, Int(2 + pow(Double.random(in: 0..<1, using: &g), 3) * 25))
                for _ in 0..<wanted { add(person.member, overlapping.randomElement(using: &g)!.member) }
            }
        }
        // Schoolmates of the same years.
        var bySchool: [String: [(member: Int, start: Int)]] = [:]
        for (index, member) in members.enumerated() {
            for education in member.profile.educations {
                bySchool[education.school, default: []].append((index, education.startYear ?? 0))
            }
        }
        for key in bySchool.keys.sorted() {
            let alumni = bySchool[key]!
            for person in alumni where Double.random(in: 0..<1, using: &g) < 0.5 {
                let classmates = alumni.filter { $0.member != person.member && abs($0.start - person.start) <= 2 }
                for _ in 0..<min(classmates.count, 3) { add(person.member, classmates.randomElement(using: &g)!.member) }
            }
        }
        // Recruiters connect with a large share of everyone.
        for (index, member) in members.enumerated() where member.account.role == .recruiter {
            let share = Double.random(in: 0.15...0.6, using: &g)
            for other in members.indices where Double.random(in: 0..<1, using: &g) < share { add(index, other) }
        }
        // A heavy tail: a few hubs, chosen with weight 1/rank, collect extra ties.
        let hubs = members.indices.shuffled(using: &g).prefix(max(1, members.count / 100))
        for (rank, hub) in hubs.enumerated() {
            let extra = members.count / (rank + 4)
            for _ in 0..<extra { add(hub, Int.random(in: 0..<members.count, using: &g)) }
        }
        return result
    }

    struct Pair: Hashable {
        let low: Int
        let high: Int
        init(_ a: Int, _ b: Int) {
            low = min(a, b)
            high = max(a, b)
        }
    }
}
