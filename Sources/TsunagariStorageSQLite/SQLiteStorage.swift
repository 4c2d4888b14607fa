import Foundation
import GRDB
import Synchronization
import TsunagariCore
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default: one SQLite file in WAL mode with foreign keys on and `synchronous=FULL`,
/// so that a write acknowledged to a client is on disk before the answer leaves (it survives kill -9
/// and power loss alike).
public final class SQLiteStorage: Storage, VersionedProfileReading {
    let pool: DatabasePool
    /// Sessions, profiles and cards in memory, kept current from `member_cache_changes` (see `MemberCache`).
    let cache: MemberCache

    /// The write-ahead log's file: every commit, by any process, changes its size or time.
    let walPath: String
    private let walSeen = NSLock()
    nonisolated(unsafe) private var walSignature: [Int] = []
    /// When the log was last looked at, in nanoseconds of `DispatchTime`'s clock (0: never): read without a lock.
    private let walLooked = Atomic<UInt64>(0)
    static let walLookInterval: UInt64 = 1_000_000

    public init(path: String, cache: MemberCache = MemberCache()) throws {
        self.cache = cache
        walPath = path + "-wal"
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(cached: "PRAGMA synchronous = FULL")
            // Deleted rows are overwritten, so an erased account does not linger in free pages.
            try db.execute(cached: "PRAGMA secure_delete = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    public func migrate() async throws {
        defer { cache.reset() }
        try await pool.write { _ in }
        try SQLiteMigrations.migrator.migrate(pool)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(cached: db, sql: "SELECT 1") }
    }

    public func close() async throws {
        try pool.close()
    }

    /// Runs `body` in one write transaction, mapping unique-constraint failures to domain conflicts.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { cache.wrote() }
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let message = error.message ?? ""
            if message.contains("pair_key") {
                throw DomainError(.conflict, code: "already_invited", message: "An invitation between these members is already open.")
            }
            if message.contains("email") {
                throw DomainError(.conflict, code: "email_taken", message: "An account with this email already exists.")
            }
            if message.contains("handle") {
                throw DomainError(.conflict, code: "handle_taken", message: "This handle is taken.")
            }
            throw DomainError(.conflict, code: "conflict", message: "This conflicts with existing data.")
        }
    }

    // MARK: Accounts

    public func createMember(_ member: NewMember) async throws {
        try await write { db in try Self.insert(member, db) }
    }

    public func createMembers(_ members: [NewMember]) async throws {
        try await write { db in
            // Companies are renamed once each at the end rather than after every position: the same result,
            // without recounting a large company's spellings for each of its members.
            var companies = Set<String>()
            for member in members { try Self.insert(member, db, renaming: &companies) }
            for company in companies.sorted() { try Self.refreshCompanyName(company, db) }
        }
    }

    static func insert(_ member: NewMember, _ db: Database) throws {
        var companies = Set<String>()
        try insert(member, db, renaming: &companies)
        for company in companies.sorted() { try refreshCompanyName(company, db) }
    }

    /// Inserts the member and collects in `companies` those whose names need refreshing.
    static func insert(_ member: NewMember, _ db: Database, renaming companies: inout Set<String>) throws {
        let a = member.account
        let p = member.profile
        try checkHandleFree(Handle.key(p.fields.handle), for: a.memberID, at: p.createdAt, db)
        try db.execute(
            cached: """
                INSERT INTO members (id, email, password_hash, role, name, name_reading, handle, handle_key, headline,
                  location, industry, about, profile_visibility, connections_visibility, open_to_work_enabled,
                  open_to_work_visibility, open_to_work_titles, open_to_work_locations, locale, created_at, updated_at,
                  section_visibility, email_verified)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                a.memberID.rawValue, a.email, a.passwordHash, a.role.rawValue, p.fields.name, p.fields.nameReading,
                p.fields.handle, Handle.key(p.fields.handle), p.fields.headline, p.fields.location, p.fields.industry,
                p.fields.about, p.settings.profileVisibility.rawValue, p.settings.connectionsVisibility.rawValue,
                p.settings.openToWork.enabled, p.settings.openToWork.visibility.rawValue,
                StoredList.encode(p.settings.openToWork.titles), StoredList.encode(p.settings.openToWork.locations),
                p.settings.locale?.rawValue, StoredTime.millis(p.createdAt), StoredTime.millis(p.updatedAt),
                p.settings.sectionVisibility.stored, a.emailVerified,
            ])
        for draft in member.positions {
            try savePosition(draft, member: a.memberID, at: p.updatedAt, db, renaming: &companies)
        }
        for education in p.educations {
            try saveEducation(education, member: a.memberID, isNew: true, at: p.updatedAt, db)
        }
        try replaceSkills(p.skills, member: a.memberID, db)
        try insertEntries(p, db)
        if !p.contact.isEmpty {
            try db.execute(
                cached: "UPDATE members SET contact_info = ? WHERE id = ?", arguments: [p.contact.stored, a.memberID.rawValue])
        }
    }

    public func account(email: String) async throws -> Account? {
        try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT \(Self.accountColumns) FROM members WHERE email = ?", arguments: [email])
                .map(Self.account)
        }
    }

    public func account(id: MemberID) async throws -> Account? {
        try await replayCacheChanges()
        if let account = cache.account(id) { return account }
        let generation = cache.generation
        let account = try await pool.read { db in
            try Row.fetchOne(cached: db, sql: "SELECT \(Self.accountColumns) FROM members WHERE id = ?", arguments: [id.rawValue])
                .map(Self.account)
        }
        if let account { cache.store(account: account, generation: generation) }
        return account
    }

    static let accountColumns = "id, email, password_hash, role, created_at, suspended_at, email_verified"

    static func account(_ row: Row) -> Account {
        Account(
            memberID: MemberID(row["id"]), email: row["email"], passwordHash: row["password_hash"],
            role: MemberRole(rawValue: row["role"]) ?? .member, createdAt: StoredTime.date(row["created_at"]),
            suspendedAt: (row["suspended_at"] as Int64?).map(StoredTime.date),
            emailVerified: row["email_verified"])
    }

    public func setPasswordHash(_ hash: String, for member: MemberID) async throws {
        try await write { db in
            try db.execute(cached: "UPDATE members SET password_hash = ? WHERE id = ?", arguments: [hash, member.rawValue])
        }
    }

    public func setRole(_ role: MemberRole, for member: MemberID) async throws {
        try await write { db in
            try db.execute(cached: "UPDATE members SET role = ? WHERE id = ?", arguments: [role.rawValue, member.rawValue])
        }
    }

    public func deleteMember(_ member: MemberID) async throws {
        try await write { db in
            let companies = try String.fetchAll(
                cached: db, sql: "SELECT DISTINCT company_id FROM positions WHERE member_id = ?", arguments: [member.rawValue])
            let conversations = try String.fetchAll(
                cached: db, sql: "SELECT conversation_id FROM conversation_participants WHERE member_id = ?", arguments: [member.rawValue])
            // Their posts go, and their reactions and comments elsewhere: every instance's feed index learns it.
            let touched = try Int64.fetchAll(
                cached: db,
                sql: """
                    SELECT seq FROM posts WHERE author_id = ?1
                    UNION SELECT p.seq FROM post_reactions r JOIN posts p ON p.id = r.post_id WHERE r.member_id = ?1
                    UNION SELECT p.seq FROM post_comments c JOIN posts p ON p.id = c.post_id WHERE c.author_id = ?1
                    UNION SELECT p.seq FROM posts q JOIN posts p ON p.id = q.repost_of WHERE q.author_id = ?1
                    """, arguments: [member.rawValue])
            // Their jobs go too: every instance's job search index learns it.
            let jobs = try String.fetchAll(cached: db, sql: "SELECT id FROM jobs WHERE poster_id = ?", arguments: [member.rawValue])
            try db.execute(cached: "DELETE FROM members WHERE id = ?", arguments: [member.rawValue])
            for seq in touched { try Self.logFeedChange(seq, actor: member, db) }
            for job in jobs { try Self.logJobChange(job, db) }
            let removed = db.changesCount > 0
            // Other participants keep their copies; a conversation no one is left in goes.
            for conversation in conversations {
                try db.execute(
                    cached: "DELETE FROM conversations WHERE id = ? AND NOT EXISTS (SELECT 1 FROM conversation_participants WHERE conversation_id = ?)",
                    arguments: [conversation, conversation])
            }
            if removed {
                // The member's connections went with the cascade; every instance's graph index learns it from the log.
                try Self.logChange(.memberRemoved, member, nil, at: Date(), db)
                // So does every instance's search index.
                try db.execute(
                    cached: "INSERT INTO search_changes (member_id, at) VALUES (?, ?)", arguments: [member.rawValue, StoredTime.millis(Date())])
            }
            for company in companies { try Self.refreshCompanyName(company, db) }
        }
    }

    public func memberCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM members") ?? 0 }
    }

    public func searchableMemberCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM members WHERE suspended_at IS NULL AND email_verified") ?? 0
        }
    }

    // MARK: Profiles

    public func profile(id: MemberID, includingSuspended: Bool) async throws -> Profile? {
        // Only active members' profiles are kept in memory; a suspended one is read each time.
        if !includingSuspended {
            try await replayCacheChanges()
            if let profile = cache.profile(id) { return profile }
        }
        let generation = cache.generation
        let found = try await pool.read { db in try Self.profile(id.rawValue, db, includingSuspended: false) }
        if let found {
            cache.store(profile: found, generation: generation)
            return found
        }
        guard includingSuspended else { return nil }
        return try await pool.read { db in try Self.profile(id.rawValue, db, includingSuspended: true) }
    }

    public func versionedProfile(id: MemberID) async throws -> (profile: Profile, version: Int64)? {
        try await replayCacheChanges()
        let generation = cache.generation
        // One read transaction: the version and the profile as of one moment.
        let found = try await pool.read { db -> (Profile, Int64)? in
            guard let profile = try Self.profile(id.rawValue, db, includingSuspended: false),
                let version = try Int64.fetchOne(cached: db, sql: "SELECT profile_version FROM members WHERE id = ?", arguments: [id.rawValue])
            else { return nil }
            return (profile, version)
        }
        if let found { cache.store(profile: found.0, generation: generation) }
        return found
    }

    static func profile(_ id: String, _ db: Database, includingSuspended: Bool = true) throws -> Profile? {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM members WHERE id = ?", arguments: [id]),
            includingSuspended || (row["suspended_at"] as Int64?) == nil
        else { return nil }
        let positions = try Row.fetchAll(
            cached: db,
            sql: """
                SELECT p.*, c.name AS company_display_name FROM positions p JOIN companies c ON c.id = p.company_id
                WHERE p.member_id = ? ORDER BY (p.end_month IS NULL) DESC, p.start_month DESC, p.id DESC
                """, arguments: [id]
        ).map { row in
            Position(
                id: row["id"], company: CompanyRef(id: row["company_id"], name: row["company_display_name"]),
                companyNameAsWritten: row["company_name"], title: row["title"], location: row["location"],
                startMonth: YearMonth(row["start_month"] as String) ?? YearMonth(year: 1900, month: 1)!,
                endMonth: (row["end_month"] as String?).flatMap(YearMonth.init), description: row["description"])
        }
        let educations = try Row.fetchAll(
            cached: db, sql: "SELECT * FROM educations WHERE member_id = ? ORDER BY COALESCE(end_year, 9999) DESC, id DESC",
            arguments: [id]
        ).map { row in
            Education(
                id: row["id"], school: row["school"], degree: row["degree"], field: row["field"],
                startYear: row["start_year"], endYear: row["end_year"])
        }
        let skills = try String.fetchAll(cached: db, sql: "SELECT name FROM skills WHERE member_id = ? ORDER BY ordinal", arguments: [id])
        var profile = Profile(
            memberID: MemberID(row["id"]), role: MemberRole(rawValue: row["role"]) ?? .member,
            fields: ProfileFields(
                name: row["name"], nameReading: row["name_reading"], handle: row["handle"], headline: row["headline"],
                location: row["location"], industry: row["industry"], about: row["about"]),
            positions: positions, educations: educations, skills: skills,
            settings: ProfileSettings(
                profileVisibility: ProfileVisibility(rawValue: row["profile_visibility"]) ?? .members,
                connectionsVisibility: ConnectionsVisibility(rawValue: row["connections_visibility"]) ?? .connections,
                openToWork: OpenToWork(
                    enabled: row["open_to_work_enabled"],
                    visibility: OpenToWorkVisibility(rawValue: row["open_to_work_visibility"]) ?? .recruitersOnly,
                    titles: StoredList.decode(row["open_to_work_titles"]),
                    locations: StoredList.decode(row["open_to_work_locations"])),
                locale: (row["locale"] as String?).flatMap(TsunagariCore.Locale.init(rawValue:)),
                sectionVisibility: SectionVisibilities(stored: row["section_visibility"]),
                recruiterMessages: row["recruiter_messages"], shareNetworkWithColleagues: row["share_network_with_colleagues"]),
            createdAt: StoredTime.date(row["created_at"]), updatedAt: StoredTime.date(row["updated_at"]))
        profile.setEntries(try entries(id, db))
        profile.contact = ContactInfo(stored: row["contact_info"])
        profile.photo = (row["photo_id"] as String?).map(PhotoRef.init)
        profile.banner = (row["banner_id"] as String?).map(PhotoRef.init)
        return profile
    }

    public func memberID(handle: String) async throws -> MemberID? {
        try await replayCacheChanges()
        if let id = cache.member(handleKey: Handle.key(handle)) { return id }
        return try await pool.read { db in
            try String.fetchOne(cached: db, sql: "SELECT id FROM members WHERE handle_key = ?", arguments: [Handle.key(handle)])
                .map(MemberID.init)
        }
    }

    /// The write, then the profile read (a read from memory-mapped pages here, not a round trip).
    public func updateFieldsReading(_ change: ProfileFieldsChange, for member: MemberID, at date: Date) async throws
        -> (profile: Profile, version: Int64)?
    {
        guard try await updateFields(change, for: member, at: date) else { return nil }
        return try await versionedProfile(id: member)
    }

    @discardableResult
    public func updateFields(_ change: ProfileFieldsChange, for member: MemberID, at date: Date) async throws -> Bool {
        let columns = ProfileColumns.of(change)
        let assignments = (columns.map { "\($0.column) = ?" } + ["updated_at = ?"]).joined(separator: ", ")
        let values = columns.map(\.value)
        return try await write { db in
            let present = try Bool.fetchOne(
                cached: db, sql: "SELECT 1 FROM members WHERE id = ? AND suspended_at IS NULL", arguments: [member.rawValue]) ?? false
            guard present else { return false }
            if let handle = change.handle { try Self.releaseHandle(of: member, newKey: Handle.key(handle), at: date, db) }
            var arguments = StatementArguments(values)
            arguments += [StoredTime.millis(date), member.rawValue]
            try db.execute(cached: "UPDATE members SET \(assignments) WHERE id = ?", arguments: arguments)
            return true
        }
    }

    public func savePosition(_ draft: PositionDraft, for member: MemberID, at date: Date) async throws -> Bool {
        try await write { db in try Self.savePosition(draft, member: member, at: date, db) }
    }

    @discardableResult
    static func savePosition(_ draft: PositionDraft, member: MemberID, at date: Date, _ db: Database) throws -> Bool {
        var companies = Set<String>()
        let saved = try savePosition(draft, member: member, at: date, db, renaming: &companies)
        for company in companies.sorted() { try refreshCompanyName(company, db) }
        return saved
    }

    /// Saves the position and collects in `companies` those whose names need refreshing.
    @discardableResult
    static func savePosition(
        _ draft: PositionDraft, member: MemberID, at date: Date, _ db: Database, renaming companies: inout Set<String>
    ) throws -> Bool {
        let previousCompany = try String.fetchOne(
            cached: db, sql: "SELECT company_id FROM positions WHERE id = ?", arguments: [draft.id])
        if previousCompany != nil {
            let owner = try String.fetchOne(cached: db, sql: "SELECT member_id FROM positions WHERE id = ?", arguments: [draft.id])
            guard owner == member.rawValue else { return false }
        }
        try db.cachedStatement(
            sql: "INSERT INTO companies (id, name_key, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name_key) DO NOTHING"
        ).execute(arguments: [draft.newCompanyID, draft.companyKey, draft.companyName, StoredTime.millis(date)])
        let companyID = try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM companies WHERE name_key = ?"), arguments: [draft.companyKey])!
        try db.execute(
            cached: """
                INSERT INTO positions (id, member_id, company_id, company_name, title, location, start_month, end_month,
                  description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, company_name = excluded.company_name,
                  title = excluded.title, location = excluded.location, start_month = excluded.start_month,
                  end_month = excluded.end_month, description = excluded.description
                """,
            arguments: [
                draft.id, member.rawValue, companyID, draft.companyName, draft.title, draft.location,
                draft.startMonth.description, draft.endMonth?.description, draft.description, StoredTime.millis(date),
            ])
        try touch(member, date, db)
        companies.insert(companyID)
        if let previousCompany { companies.insert(previousCompany) }
        return true
    }

    /// A company shows the spelling used by most of its current members, then by most members ever (members, not
    /// positions: one member with many positions must not rename a company for everyone); ties go to the earliest.
    static func refreshCompanyName(_ company: String, _ db: Database) throws {
        try db.execute(
            cached: """
                UPDATE companies SET name = COALESCE((SELECT company_name FROM positions WHERE company_id = ?
                  GROUP BY company_name
                  ORDER BY COUNT(DISTINCT CASE WHEN end_month IS NULL THEN member_id END) DESC, COUNT(DISTINCT member_id) DESC,
                    MIN(created_at), company_name LIMIT 1), name) WHERE id = ?
                """, arguments: [company, company])
    }

    static func touch(_ member: MemberID, _ date: Date, _ db: Database) throws {
        try db.execute(cached: "UPDATE members SET updated_at = ? WHERE id = ?", arguments: [StoredTime.millis(date), member.rawValue])
    }

    public func deletePosition(id: String, for member: MemberID, at date: Date) async throws -> Bool {
        try await write { db in
            guard let company = try String.fetchOne(
                cached: db, sql: "SELECT company_id FROM positions WHERE id = ? AND member_id = ?", arguments: [id, member.rawValue])
            else { return false }
            try db.execute(cached: "DELETE FROM positions WHERE id = ?", arguments: [id])
            try Self.refreshCompanyName(company, db)
            try Self.touch(member, date, db)
            return true
        }
    }

    public func saveEducation(_ education: Education, for member: MemberID, isNew: Bool, at date: Date) async throws -> Bool {
        try await write { db in try Self.saveEducation(education, member: member, isNew: isNew, at: date, db) }
    }

    @discardableResult
    static func saveEducation(_ e: Education, member: MemberID, isNew: Bool, at date: Date, _ db: Database) throws -> Bool {
        if isNew {
            try db.execute(
                cached: """
                    INSERT INTO educations (id, member_id, school, school_key, degree, field, start_year, end_year, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    e.id, member.rawValue, e.school, SchoolKey.key(e.school), e.degree, e.field, e.startYear, e.endYear,
                    StoredTime.millis(date),
                ])
        } else {
            try db.execute(
                cached: """
                    UPDATE educations SET school = ?, school_key = ?, degree = ?, field = ?, start_year = ?, end_year = ?
                    WHERE id = ? AND member_id = ?
                    """,
                arguments: [e.school, SchoolKey.key(e.school), e.degree, e.field, e.startYear, e.endYear, e.id, member.rawValue])
            guard db.changesCount > 0 else { return false }
        }
        try touch(member, date, db)
        return true
    }

    public func deleteEducation(id: String, for member: MemberID, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(cached: "DELETE FROM educations WHERE id = ? AND member_id = ?", arguments: [id, member.rawValue])
            guard db.changesCount > 0 else { return false }
            try Self.touch(member, date, db)
            return true
        }
    }

    public func replaceSkills(_ skills: [String], for member: MemberID, at date: Date) async throws {
        try await write { db in
            try Self.replaceSkills(skills, member: member, db)
            try Self.touch(member, date, db)
        }
    }

    static func replaceSkills(_ skills: [String], member: MemberID, _ db: Database) throws {
        try db.execute(cached: "DELETE FROM skills WHERE member_id = ?", arguments: [member.rawValue])
        for (ordinal, skill) in skills.enumerated() {
            try db.execute(
                cached: "INSERT INTO skills (member_id, ordinal, name) VALUES (?, ?, ?)",
                arguments: [member.rawValue, ordinal, skill])
        }
    }

    public func updateSettings(_ s: ProfileSettings, for member: MemberID, at date: Date) async throws {
        try await write { db in
            let previous = try String.fetchOne(
                cached: db, sql: "SELECT connections_visibility FROM members WHERE id = ?", arguments: [member.rawValue])
            try db.execute(
                cached: """
                    UPDATE members SET profile_visibility = ?, connections_visibility = ?, open_to_work_enabled = ?,
                      open_to_work_visibility = ?, open_to_work_titles = ?, open_to_work_locations = ?, locale = ?,
                      section_visibility = ?, recruiter_messages = ?, share_network_with_colleagues = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    s.profileVisibility.rawValue, s.connectionsVisibility.rawValue, s.openToWork.enabled,
                    s.openToWork.visibility.rawValue, StoredList.encode(s.openToWork.titles),
                    StoredList.encode(s.openToWork.locations), s.locale?.rawValue, s.sectionVisibility.stored, s.recruiterMessages,
                    s.shareNetworkWithColleagues,
                    StoredTime.millis(date),
                    member.rawValue,
                ])
            if let previous, previous != s.connectionsVisibility.rawValue {
                try Self.logChange(
                    s.connectionsVisibility == .onlyMe ? .listHidden : .listShown, member, nil, at: date, db)
            }
        }
    }

    public func companyExists(id: String) async throws -> Bool {
        try await cache.companyExists(id) {
            try await pool.read { db in try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM companies WHERE id = ?)", arguments: [id]) ?? false }
        }
    }

    public func company(id: String) async throws -> Company? {
        try await pool.read { db in
            guard let name = try String.fetchOne(cached: db, sql: "SELECT name FROM companies WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let current = try Int.fetchOne(
                cached: db, sql: "SELECT COUNT(DISTINCT member_id) FROM positions WHERE company_id = ? AND end_month IS NULL",
                arguments: [id]) ?? 0
            // Past members are those with a finished position there and none current.
            let past = try Int.fetchOne(
                cached: db,
                sql: """
                    SELECT COUNT(DISTINCT member_id) FROM positions p WHERE company_id = ? AND end_month IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM positions q WHERE q.company_id = p.company_id AND q.member_id = p.member_id
                                    AND q.end_month IS NULL)
                    """, arguments: [id]) ?? 0
            return Company(id: id, name: name, currentMemberCount: current, pastMemberCount: past)
        }
    }

    // MARK: Sessions

    public func createSession(_ s: Session) async throws {
        try await write { db in
            try db.execute(
                cached: "INSERT INTO sessions (token_hash, member_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [s.tokenHash, s.memberID.rawValue, s.kind.rawValue, StoredTime.millis(s.createdAt), StoredTime.millis(s.expiresAt)])
        }
    }

    public func session(tokenHash: String) async throws -> Session? {
        try await replayCacheChanges()
        if let session = cache.session(tokenHash) { return session }
        let generation = cache.generation
        let session = try await pool.read { db in
            // A suspended member's sessions are deleted with the suspension; this also refuses one opened meanwhile.
            try Row.fetchOne(
                cached: db,
                sql: """
                    SELECT s.*, m.role FROM sessions s JOIN members m ON m.id = s.member_id
                    WHERE s.token_hash = ? AND m.suspended_at IS NULL
                    """, arguments: [tokenHash]
            ).map(Self.session)
        }
        if let session { cache.store(session: session, generation: generation) }
        return session
    }

    static func session(_ row: Row) -> Session {
        Session(
            tokenHash: row["token_hash"], memberID: MemberID(row["member_id"]),
            kind: SessionKind(rawValue: row["kind"]) ?? .web, createdAt: StoredTime.date(row["created_at"]),
            expiresAt: StoredTime.date(row["expires_at"]), role: (row["role"] as String?).flatMap(MemberRole.init(rawValue:)) ?? .member)
    }

    /// Replays `member_cache_changes` into the cache when it is due (see `MemberCache`): after this instance wrote, or
    /// every `MemberCache.replayInterval`. A failed replay empties the cache and turns it off until one succeeds, so
    /// nothing unchecked is answered; the caller reads the database.
    /// Requests that need one at once share it (`MemberCache.sharedReplay`): when each read the log itself, every
    /// replay interval ended in a herd of reads queued at the pool's readers.
    func replayCacheChanges() async throws {
        guard cache.enabled else { return }
        // Another process (`tsunagari admin`) may have committed since: the next request sees it, not one 250 ms later.
        if walChanged() { cache.wrote() }
        guard cache.needsReplay() else { return }
        await cache.sharedReplay { covered in await self.replayOnce(covered: covered) }
    }

    /// One read of the log.
    private func replayOnce(covered: UInt64) async {
        let cursor = cache.replayCursor
        do {
            let (changes, end) = try await pool.read { db -> ([MemberCache.Change], Int64?) in
                guard let cursor else {
                    return ([], try Int64.fetchOne(cached: db, sql: "SELECT MAX(seq) FROM member_cache_changes") ?? 0)
                }
                let changes = try Row.fetchAll(
                    cached: db, sql: "SELECT seq, member_id, token_hash FROM member_cache_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                    arguments: [cursor, Self.cacheReplayBatch]
                ).map { MemberCache.Change(sequence: $0["seq"], member: MemberID($0["member_id"]), tokenHash: $0["token_hash"]) }
                guard changes.count < Self.cacheReplayBatch else {
                    return ([], try Int64.fetchOne(cached: db, sql: "SELECT MAX(seq) FROM member_cache_changes") ?? 0)
                }
                return (changes, nil)
            }
            if let end, cursor != nil {
                cache.skip(to: end, writesCovered: covered)
            } else {
                cache.replayed(changes, startingAt: end, writesCovered: covered)
            }
        } catch {
            cache.reset()
        }
    }

    /// More changes than this since the last replay (a bulk import) and the cache starts over instead.
    static let cacheReplayBatch = 1_000

    /// Whether the write-ahead log's file changed since the last look: a `stat`, no trip to the database, at most once
    /// every `walLookInterval`. A request reads the cache several times, and every read looked (3–4% of a profile
    /// page's samples under load, docs/BENCHMARKS.md "Request path, round 8"); another process's commit is now seen
    /// by what begins a millisecond after it instead of at once, which no request could tell apart from having begun a
    /// little earlier.
    private func walChanged() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        let looked = walLooked.load(ordering: .relaxed)
        // One request looks at a time; the others go on as if they had begun a little earlier.
        guard now &- looked >= Self.walLookInterval || looked == 0,
            walLooked.compareExchange(expected: looked, desired: now, ordering: .relaxed).exchanged
        else { return false }
        var info = stat()
        let signature: [Int] =
            stat(walPath, &info) == 0
            ? [Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)] : []
        walSeen.lock()
        defer { walSeen.unlock() }
        guard signature != walSignature else { return false }
        walSignature = signature
        return true
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write { db in try db.execute(cached: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    public func deleteSessions(of member: MemberID, except tokenHash: String?) async throws {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM sessions WHERE member_id = ? AND token_hash <> ?",
                arguments: [member.rawValue, tokenHash ?? ""])
        }
    }

    public func sessions(of member: MemberID) async throws -> [Session] {
        try await pool.read { db in
            try Row.fetchAll(cached: db, sql: "SELECT * FROM sessions WHERE member_id = ? ORDER BY created_at", arguments: [member.rawValue])
                .map(Self.session)
        }
    }

    // MARK: Throttling

    public func reserveAttempt(_ reservations: [AttemptReservation], at date: Date) async throws -> (index: Int, freedBy: Date)? {
        // One write transaction: SQLite runs one writer at a time, so the counts cannot change before the inserts.
        try await write { db in
            for (index, reservation) in reservations.enumerated() {
                guard reservation.limit > 0 else { return (index, date) }
                if let full = try Int64.fetchOne(
                    cached: db,
                    sql: "SELECT at FROM throttle_attempts WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                    arguments: [reservation.key, StoredTime.millis(reservation.since), reservation.limit - 1])
                {
                    return (index, StoredTime.date(full))
                }
            }
            for reservation in reservations {
                try db.execute(
                    cached: "INSERT INTO throttle_attempts (key, at) VALUES (?, ?)", arguments: [reservation.key, StoredTime.millis(date)])
            }
            return nil
        }
    }

    public func releaseAttempt(key: String, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM throttle_attempts WHERE rowid = (SELECT rowid FROM throttle_attempts WHERE key = ? AND at = ? LIMIT 1)",
                arguments: [key, StoredTime.millis(date)])
        }
    }

    public func attempts(key: String, since: Date) async throws -> [Date] {
        try await pool.read { db in
            try Int64.fetchAll(
                cached: db, sql: "SELECT at FROM throttle_attempts WHERE key = ? AND at >= ? ORDER BY at", arguments: [key, StoredTime.millis(since)]
            ).map(StoredTime.date)
        }
    }

    public func clearAttempts(key: String) async throws {
        let prefix = key + "|"
        try await write { db in
            try db.execute(
                cached: "DELETE FROM throttle_attempts WHERE key = ? OR substr(key, 1, ?) = ?",
                arguments: [key, prefix.unicodeScalars.count, prefix])
        }
    }

    public func pruneAttempts(before date: Date) async throws {
        try await write { db in try db.execute(cached: "DELETE FROM throttle_attempts WHERE at < ?", arguments: [StoredTime.millis(date)]) }
    }

    public func pruneMemberCacheChanges(before date: Date) async throws {
        try await write { db in try db.execute(cached: "DELETE FROM member_cache_changes WHERE at < ?", arguments: [StoredTime.millis(date)]) }
    }
}

/// The `members` columns of the profile's text fields; a handle also sets its key.
enum ProfileColumns {
    static func of(_ change: ProfileFieldsChange) -> [(column: String, value: String?)] {
        change.changed.flatMap { field, value -> [(column: String, value: String?)] in
            switch field {
            case .name: [("name", value)]
            case .nameReading: [("name_reading", value)]
            case .handle: [("handle", value), ("handle_key", value.map(Handle.key))]
            case .headline: [("headline", value)]
            case .location: [("location", value)]
            case .industry: [("industry", value)]
            case .about: [("about", value)]
            }
        }
    }
}

/// Times are stored as milliseconds since 1970 in both databases.
enum StoredTime {
    static func date(_ value: Int64) -> Date { Date(timeIntervalSince1970: Double(value) / 1000) }
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// Short lists (open-to-work titles and locations) are stored as JSON arrays of strings.
enum StoredList {
    static func encode(_ values: [String]) -> String {
        let data = (try? JSONEncoder().encode(values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Most lists are empty, read on every profile read: those without the decoder.
    static func decode(_ text: String) -> [String] {
        if text == "[]" { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
