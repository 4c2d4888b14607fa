import Foundation

/// Sample jobs for `tsunagari demo`: open positions at the sample companies, posted by members who work there now,
/// with realistic Japanese and English descriptions, some applications, and referrals through colleagues. Deterministic
/// for a seed and a time.
public enum SampleJobs {
    struct Template {
        var title: String
        var description: String
        var skills: [String]
        var workplace: Workplace
        var type: EmploymentType
        var salary: Salary?
    }

    static let templates: [Template] = [
        Template(
            title: "Swift サーバーサイドエンジニア",
            description: """
                【仕事内容】
                Swift（Hummingbird / Vapor）と PostgreSQL で、会員 100 万人規模のサービスのバックエンドを開発します。API 設計から運用まで、\
                少人数のチームで一貫して担当していただきます。

                【必須スキル】
                ・サーバーサイド開発の実務経験 3 年以上
                ・SQL とデータベース設計の経験

                【歓迎スキル】
                ・Swift でのサーバー開発経験
                ・負荷試験やパフォーマンス改善の経験
                """,
            skills: ["Swift", "PostgreSQL", "API設計"], workplace: .hybrid, type: .fullTime,
            salary: Salary(min: 6_000_000, max: 10_000_000, currency: "JPY", period: .year)),
        Template(
            title: "iOS エンジニア",
            description: """
                SwiftUI で新しいアプリを一から作るチームです。デザイナーと並んで、使いやすさにこだわった画面づくりをしませんか。
                ・iOS アプリ開発の経験 2 年以上
                ・App Store へのリリース経験
                リモート中心、月に数回の出社です。
                """,
            skills: ["Swift", "SwiftUI", "iOS"], workplace: .remote, type: .fullTime,
            salary: Salary(min: 5_500_000, max: 9_000_000, currency: "JPY", period: .year)),
        Template(
            title: "Backend Engineer (Go / Kubernetes)",
            description: """
                We are looking for a backend engineer to design and run the services behind our payments platform. \
                You will own features end to end, from the API to monitoring in production.

                Requirements: 3+ years building backend services; experience with Go or a similar language; \
                comfort with containers and Kubernetes. Japanese is a plus, not a must.
                """,
            skills: ["Go", "Kubernetes", "AWS"], workplace: .hybrid, type: .fullTime,
            salary: Salary(min: 8_000_000, max: 13_000_000, currency: "JPY", period: .year)),
        Template(
            title: "法人営業（SaaS）",
            description: """
                中堅・大手企業向けに、自社 SaaS の提案営業をお任せします。インサイドセールスから引き継いだ商談を、導入まで伴走します。
                ・法人営業の経験（業界不問）
                ・顧客の課題を聞き出し、提案に落とし込む力
                """,
            skills: ["法人営業", "SaaS", "提案"], workplace: .onsite, type: .fullTime,
            salary: Salary(min: 5_000_000, max: 8_000_000, currency: "JPY", period: .year)),
        Template(
            title: "Product Designer",
            description: """
                Join a small product team to shape how professionals find each other. You will run research, \
                prototype in Figma, and work closely with engineers to ship and measure.
                """,
            skills: ["Figma", "UX Research", "Prototyping"], workplace: .remote, type: .contract,
            salary: Salary(min: 6_000, max: 9_000, currency: "JPY", period: .hour)),
        Template(
            title: "データアナリスト（インターン）",
            description: """
                SQL と Python を使って、プロダクトの利用データを分析するインターンです。週 3 日から、学年不問。
                分析結果をチームに共有し、改善施策の検討にも参加していただきます。
                """,
            skills: ["SQL", "Python", "データ分析"], workplace: .hybrid, type: .internship,
            salary: Salary(min: 1_500, max: 2_000, currency: "JPY", period: .hour)),
        Template(
            title: "Recruiter (Engineering)",
            description: """
                Help us grow our engineering team across Tokyo and Osaka. You will partner with hiring managers, \
                source candidates, and run a fair, friendly interview process in Japanese and English.
                """,
            skills: ["Recruiting", "Sourcing", "Interviewing"], workplace: .hybrid, type: .fullTime, salary: nil),
    ]

    /// Posts open jobs for members with a current position (about one in fifteen, at most 200), then has some of the
    /// posters' second-degree neighbours apply, and some ask a colleague of the poster for a referral that is accepted.
    public static func fill(
        _ storage: any JobStore & Storage & NetworkStore, members: [NewMember], connections: [(MemberID, MemberID, Date)], seed: UInt64, now: Date
    ) async throws -> Int {
        var g = SampleData.Generator(seed: seed &+ 23)
        var neighbours: [MemberID: [MemberID]] = [:]
        for (a, b, _) in connections {
            neighbours[a, default: []].append(b)
            neighbours[b, default: []].append(a)
        }
        var currentKey: [MemberID: String] = [:]
        for member in members {
            if let position = member.positions.last(where: { $0.endMonth == nil }) { currentKey[member.account.memberID] = position.companyKey }
        }
        let limit = min(200, max(3, members.count / 15))
        var posted = 0
        var sequence = 0
        for member in members where posted < limit && currentKey[member.account.memberID] != nil && Double.random(in: 0..<1, using: &g) < 0.2 {
            let poster = member.account.memberID
            guard let company = try await storage.profile(id: poster)?.currentPositions.first?.company else { continue }
            let template = templates[Int.random(in: 0..<templates.count, using: &g)]
            let location = member.profile.fields.location ?? "東京都"
            sequence += 1
            let created = now.addingTimeInterval(-Double.random(in: 3_600..<(20 * 86_400), using: &g))
            let job = Job(
                id: OpaqueID.make(at: created, using: &g), company: company, poster: poster, title: template.title, location: location,
                workplace: template.workplace, employmentType: template.type, description: template.description, skills: template.skills,
                salary: template.salary, createdAt: created)
            try await storage.createJob(job)
            posted += 1
            // Applicants: a few members two steps away.
            let friends = neighbours[poster] ?? []
            var applied: Set<MemberID> = [poster]
            for _ in 0..<Int.random(in: 0...3, using: &g) {
                guard let friend = friends.randomElement(using: &g), let candidate = neighbours[friend]?.randomElement(using: &g),
                    applied.insert(candidate).inserted
                else { continue }
                let at = created.addingTimeInterval(Double.random(in: 600..<86_400, using: &g))
                _ = try await storage.apply(
                    JobApplication(id: OpaqueID.make(at: at, using: &g), jobID: job.id, member: candidate, note: "ご検討よろしくお願いいたします。", appliedAt: at))
            }
            // A referral: a colleague of the poster at the company refers one of their own connections.
            if let colleague = friends.first(where: { currentKey[$0] == currentKey[poster] }),
                let candidate = neighbours[colleague]?.first(where: { !applied.contains($0) && $0 != colleague })
            {
                let at = created.addingTimeInterval(3_600)
                let request = ReferralRequest(
                    id: OpaqueID.make(at: at, using: &g), jobID: job.id, requester: candidate, via: colleague,
                    note: "この求人に興味があります。ご紹介いただけますか。", createdAt: at)
                if try await storage.createReferralRequest(request) {
                    _ = try await storage.acceptReferral(
                        id: request.id,
                        application: JobApplication(id: OpaqueID.make(at: at, using: &g), jobID: job.id, member: candidate, note: request.note, appliedAt: at),
                        at: at.addingTimeInterval(1_800))
                }
            }
        }
        return posted
    }
}
