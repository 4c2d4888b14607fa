import Foundation

/// A position as the profile service hands it to storage: the company is given by name and key,
/// and storage finds or creates the company in the same transaction.
public struct PositionDraft: Hashable, Sendable {
    public var id: String
    public var companyName: String
    public var companyKey: String
    /// Used only if no company with `companyKey` exists yet.
    public var newCompanyID: String
    public var title: String
    public var location: String?
    public var startMonth: YearMonth
    public var endMonth: YearMonth?
    public var description: String?

    public init(
        id: String, companyName: String, companyKey: String, newCompanyID: String, title: String, location: String?,
        startMonth: YearMonth, endMonth: YearMonth?, description: String?
    ) {
        self.id = id
        self.companyName = companyName
        self.companyKey = companyKey
        self.newCompanyID = newCompanyID
        self.title = title
        self.location = location
        self.startMonth = startMonth
        self.endMonth = endMonth
        self.description = description
    }
}

public enum SessionKind: String, Sendable {
    /// A browser session held in a cookie.
    case web
    /// A bearer token for the API.
    case api
}

public struct Session: Hashable, Sendable {
    /// SHA-256 of the token; the token itself is never stored.
    public var tokenHash: String
    public var memberID: MemberID
    public var kind: SessionKind
    public var createdAt: Date
    public var expiresAt: Date
    /// The member's role, read with the session (not stored with it): one read tells who is asking and what they may do.
    public var role: MemberRole

    public init(tokenHash: String, memberID: MemberID, kind: SessionKind, createdAt: Date, expiresAt: Date, role: MemberRole = .member) {
        self.tokenHash = tokenHash
        self.memberID = memberID
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.role = role
    }
}

/// A new member with their first profile, as written in one transaction.
public struct NewMember: Sendable {
    public var account: Account
    public var profile: Profile
    public var positions: [PositionDraft]

    public init(account: Account, profile: Profile, positions: [PositionDraft] = []) {
        self.account = account
        self.profile = profile
        self.positions = positions
    }
}

/// Changes to a profile's text fields: nil leaves a field alone; `.some(nil)` clears an optional one.
public struct ProfileFieldsChange: Hashable, Sendable {
    public var name: String?
    public var nameReading: String??
    public var handle: String?
    public var headline: String??
    public var location: String??
    public var industry: String??
    public var about: String??

    public init(
        name: String? = nil, nameReading: String?? = nil, handle: String? = nil, headline: String?? = nil,
        location: String?? = nil, industry: String?? = nil, about: String?? = nil
    ) {
        self.name = name
        self.nameReading = nameReading
        self.handle = handle
        self.headline = headline
        self.location = location
        self.industry = industry
        self.about = about
    }

    /// Every field set to these values.
    public init(_ fields: ProfileFields) {
        self.init(
            name: fields.name, nameReading: .some(fields.nameReading), handle: fields.handle, headline: .some(fields.headline),
            location: .some(fields.location), industry: .some(fields.industry), about: .some(fields.about))
    }

    public enum Field: Sendable, CaseIterable {
        case name, nameReading, handle, headline, location, industry, about
    }

    /// The fields the change sets, with their values (nil clears one), in a fixed order.
    public var changed: [(field: Field, value: String?)] {
        var changed: [(Field, String?)] = []
        if let name { changed.append((.name, name)) }
        if let nameReading { changed.append((.nameReading, nameReading)) }
        if let handle { changed.append((.handle, handle)) }
        if let headline { changed.append((.headline, headline)) }
        if let location { changed.append((.location, location)) }
        if let industry { changed.append((.industry, industry)) }
        if let about { changed.append((.about, about)) }
        return changed
    }
}

extension ProfileStore {
    /// Sets every text field.
    @discardableResult
    public func updateFields(_ fields: ProfileFields, for member: MemberID, at date: Date) async throws -> Bool {
        try await updateFields(ProfileFieldsChange(fields), for: member, at: date)
    }
}

public protocol AccountStore: Sendable {
    /// Creates the account, the profile and its sections at once. Throws `email_taken` or
    /// `handle_taken` (conflict) when either is in use.
    func createMember(_ member: NewMember) async throws
    /// Many members in one transaction; for sample data and imports.
    func createMembers(_ members: [NewMember]) async throws
    func account(email: String) async throws -> Account?
    func account(id: MemberID) async throws -> Account?
    func setPasswordHash(_ hash: String, for member: MemberID) async throws
    func setRole(_ role: MemberRole, for member: MemberID) async throws
    /// Erases the member and everything they own.
    func deleteMember(_ member: MemberID) async throws
    /// Every member, suspended or not.
    func memberCount() async throws -> Int
    /// The members search shows: neither suspended nor waiting for their email address to be verified.
    func searchableMemberCount() async throws -> Int
}

public protocol ProfileStore: Sendable {
    /// A suspended member's profile only `includingSuspended`: to everything else they are not there.
    func profile(id: MemberID, includingSuspended: Bool) async throws -> Profile?
    /// Case-insensitive.
    func memberID(handle: String) async throws -> MemberID?
    /// Writes the fields the change names, and no other (a concurrent change of other fields stays). Throws
    /// `handle_taken` (conflict) if another member has the handle. False, and nothing written, when no member who is
    /// not suspended has the id.
    @discardableResult
    func updateFields(_ change: ProfileFieldsChange, for member: MemberID, at: Date) async throws -> Bool
    /// `updateFields`, giving back the profile as written with its version (what a search entry is made from), read
    /// by the write itself where the database allows. Nil, and nothing written, when no member who is not suspended
    /// has the id.
    func updateFieldsReading(_ change: ProfileFieldsChange, for member: MemberID, at: Date) async throws -> (profile: Profile, version: Int64)?
    /// Inserts or replaces the position with `draft.id` of this member; false if the id belongs to no position of theirs.
    func savePosition(_ draft: PositionDraft, for member: MemberID, at: Date) async throws -> Bool
    func deletePosition(id: String, for member: MemberID, at: Date) async throws -> Bool
    /// Inserts or replaces; false if the id belongs to no education of theirs.
    func saveEducation(_ education: Education, for member: MemberID, isNew: Bool, at: Date) async throws -> Bool
    func deleteEducation(id: String, for member: MemberID, at: Date) async throws -> Bool
    func replaceSkills(_ skills: [String], for member: MemberID, at: Date) async throws
    /// Inserts a new entry (`isNew`) or replaces the member's entry of that kind and id; false if they have none.
    func saveEntry(_ entry: ProfileEntry, for member: MemberID, isNew: Bool, at: Date) async throws -> Bool
    func deleteEntry(kind: ProfileEntryKind, id: String, for member: MemberID, at: Date) async throws -> Bool
    func updateContact(_ contact: ContactInfo, for member: MemberID, at: Date) async throws
    /// Members whose profile is public, neither suspended nor unverified: the sitemap's pages, by handle.
    func publicProfileCount() async throws -> Int
    func publicProfiles(offset: Int, limit: Int) async throws -> [(handle: String, updatedAt: Date)]
    /// Who gave up this handle less than `Handle.reservation` before `at` (their old address redirects to them).
    func formerHandleOwner(_ handle: String, at: Date) async throws -> MemberID?
    func updateSettings(_ settings: ProfileSettings, for member: MemberID, at: Date) async throws
    func company(id: String) async throws -> Company?
    /// Whether the company exists, without counting its members (services that take a company's id check it first).
    func companyExists(id: String) async throws -> Bool
}

public protocol SessionStore: Sendable {
    func createSession(_ session: Session) async throws
    func session(tokenHash: String) async throws -> Session?
    func deleteSession(tokenHash: String) async throws
    /// Ends every session of the member except the one given.
    func deleteSessions(of member: MemberID, except tokenHash: String?) async throws
    func sessions(of member: MemberID) async throws -> [Session]
}

/// One limit to reserve an attempt under: at most `limit` attempts under `key` since `since`.
public struct AttemptReservation: Hashable, Sendable {
    public var key: String
    public var limit: Int
    public var since: Date

    public init(key: String, limit: Int, since: Date) {
        self.key = key
        self.limit = limit
        self.since = since
    }
}

/// Attempts counted across every instance that shares the database (failed log-ins, sign-ups, searches,
/// invitations).
public protocol ThrottleStore: Sendable {
    /// Records one attempt at `at` under every key, unless one of them already holds its `limit` attempts since its
    /// `since`: then records nothing and returns which reservation was full and the time of the attempt whose
    /// leaving the window frees a place (its `limit`-th newest). One transaction, serialised per key across
    /// instances, so parallel requests cannot all pass a limit that only one of them fits under.
    func reserveAttempt(_ reservations: [AttemptReservation], at: Date) async throws -> (index: Int, freedBy: Date)?
    /// Takes back one attempt recorded under `key` at `at` (a reserved attempt that turned out not to count).
    func releaseAttempt(key: String, at: Date) async throws
    /// Times of the attempts under `key` since `since`, oldest first.
    func attempts(key: String, since: Date) async throws -> [Date]
    /// Deletes the attempts under `key` and under every key that starts with `key|`.
    func clearAttempts(key: String) async throws
    func pruneAttempts(before: Date) async throws
    /// Deletes the member cache's change log (`MemberCache`) older than `before`: every instance replays it within a
    /// second, so an hour's rows are plenty.
    func pruneMemberCacheChanges(before: Date) async throws
}

/// Everything the domain needs from a database.
public protocol Storage: AccountStore, ProfileStore, SessionStore, ThrottleStore {
    /// Answers once the database answers; for health checks.
    func ping() async throws
    /// Applies pending migrations; safe to call on every start.
    func migrate() async throws
    func close() async throws
}

/// Password hashing, implemented outside the domain (bcrypt in the web layer).
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) -> String
    func verify(_ password: String, hash: String) -> Bool
}

extension PasswordHasher {
    /// bcrypt takes milliseconds of CPU by design: it runs on a thread of Dispatch's pool, not on Swift's
    /// cooperative pool (one thread per core), where it would hold up every other request on that core.
    public func verifyOffPool(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { done in
            DispatchQueue.global(qos: .userInitiated).async { done.resume(returning: self.verify(password, hash: hash)) }
        }
    }

    public func hashOffPool(_ password: String) async -> String {
        await withCheckedContinuation { done in
            DispatchQueue.global(qos: .userInitiated).async { done.resume(returning: self.hash(password)) }
        }
    }
}

/// Random bearer tokens and their one-way digests.
public protocol TokenIssuer: Sendable {
    func newToken() -> String
    func digest(_ token: String) -> String
}

extension ProfileStore {
    /// The profile of a member who is not suspended.
    public func profile(id: MemberID) async throws -> Profile? {
        try await profile(id: id, includingSuspended: false)
    }
}
