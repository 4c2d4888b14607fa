import Foundation
import Testing
import TsunagariCore

typealias AppLocale = TsunagariCore.Locale

/// A password "hash" that is cheap to compute, so service tests do not spend seconds in bcrypt.
struct PlainHasher: PasswordHasher {
    func hash(_ password: String) -> String { "plain:" + password }
    func verify(_ password: String, hash: String) -> Bool { hash == "plain:" + password }
}

/// Random tokens with a readable, one-way-enough digest for tests.
struct TestTokens: TokenIssuer {
    func newToken() -> String { UUID().uuidString.lowercased() + UUID().uuidString.lowercased() }
    func digest(_ token: String) -> String { "digest:" + String(token.reversed()) }
}

/// Builders for the values storage takes, with every field filled in.
enum Make {
    /// Whole seconds, so times survive storage's millisecond precision exactly.
    static let t0 = Date(timeIntervalSince1970: 1_796_000_000)

    static func at(_ seconds: Int) -> Date { t0.addingTimeInterval(TimeInterval(seconds)) }

    static func id(_ seconds: Int = 0) -> String { OpaqueID.make(at: at(seconds)) }

    static func month(_ text: String) -> YearMonth { YearMonth(text)! }

    static func draft(
        _ company: String, title: String = "Engineer", start: String = "2020-01", end: String? = nil, id: String = Make.id(),
        location: String? = "東京都", description: String? = "iOS アプリの開発"
    ) -> PositionDraft {
        PositionDraft(
            id: id, companyName: company, companyKey: CompanyName.key(company), newCompanyID: Make.id(), title: title,
            location: location, startMonth: month(start), endMonth: end.map(month), description: description)
    }

    static func member(
        _ handle: String, email: String? = nil, name: String = "山田 太郎", role: MemberRole = .member,
        visibility: ProfileVisibility = .members, positions: [PositionDraft] = [], educations: [Education] = [],
        skills: [String] = [], openToWork: OpenToWork = OpenToWork(), created: Date = Make.t0, updated: Date? = nil
    ) -> NewMember {
        let id = MemberID(OpaqueID.make(at: created))
        let profile = Profile(
            memberID: id, role: role, fields: ProfileFields(name: name, handle: handle), positions: [],
            educations: educations, skills: skills,
            settings: ProfileSettings(profileVisibility: visibility, openToWork: openToWork), createdAt: created,
            updatedAt: updated ?? created)
        let account = Account(
            memberID: id, email: email ?? "\(handle.lowercased())@example.test", passwordHash: "plain:unused-password",
            role: role, createdAt: created)
        return NewMember(account: account, profile: profile, positions: positions)
    }

    static func education(
        _ school: String, degree: String? = "学士（工学）", field: String? = "情報工学", start: Int? = 2010, end: Int? = 2014
    ) -> Education {
        Education(id: Make.id(), school: school, degree: degree, field: field, startYear: start, endYear: end)
    }

    static func session(_ member: MemberID, _ hash: String, kind: SessionKind = .web, at seconds: Int = 0) -> Session {
        Session(
            tokenHash: hash, memberID: member, kind: kind, createdAt: at(seconds),
            expiresAt: at(seconds + 30 * 24 * 60 * 60))
    }
}

/// Awaits `body` and returns the `DomainError` it throws, recording an issue if it throws nothing or something else.
func domainError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> DomainError? {
    do {
        try await body()
        Issue.record("Expected a DomainError, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as DomainError {
        return error
    } catch {
        Issue.record("Expected a DomainError, got \(String(reflecting: error))", sourceLocation: sourceLocation)
        return nil
    }
}
