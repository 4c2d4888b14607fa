import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// PostgreSQL storage, chosen when `DATABASE_URL` is set. Several app instances may share one database:
/// everything shared (sessions, throttling) lives here, not in one process's memory.
public final class PostgresStorage: Storage, VersionedProfileReading {
    let client: TrackedPostgresClient
    let logger: Logger
    /// Sessions, profiles and cards in memory, kept current from `member_cache_changes` (see `MemberCache`).
    let cache: MemberCache
    private let runner: Task<Void, Never>
    /// Listens on `tsunagari_cache` (the cache log's triggers notify it), so that a change made anywhere is replayed
    /// by the next request here; until it listens, and whenever it cannot, the 250 ms replay interval stands.
    private let cacheListener = LockedValue<Task<Void, Never>?>(nil)

    /// This instance's connections' `application_name`, which the cache log's notifications carry (migration 23).
    let instanceName: String

    public init(url: String, logger: Logger = Logger(label: "tsunagari.postgres"), cache: MemberCache = MemberCache()) throws {
        var configuration = try PostgresURL.parse(url)
        let name = "tsunagari-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        configuration.options.additionalStartupParameters.append(("application_name", name))
        instanceName = name
        let base = PostgresClient(configuration: configuration, backgroundLogger: logger)
        client = TrackedPostgresClient(base: base, cache: cache)
        self.logger = logger
        self.cache = cache
        let (started, starting) = AsyncStream<Never>.makeStream()
        runner = Task {
            starting.finish()
            await base.run()
        }
        runnerStarted = Task { for await _ in started {} }
    }

    /// Ends when the client's run task has begun: `run()` is the first thing it does after, so a lease made past this
    /// point does not find the client unstarted (PostgresNIO warns of that at each start otherwise). A task, so that
    /// any number of callers may wait for it.
    private let runnerStarted: Task<Void, Never>

    public func close() async throws {
        cacheListener.withLock { task in
            task?.cancel()
            task = nil
        }
        runner.cancel()
    }

    static let cacheChannel = "tsunagari_cache"

    /// Starts the listener once; it reconnects after a failure until the store is closed.
    private func listenForCacheChanges() {
        cacheListener.withLock { task in
            guard task == nil else { return }
            let (base, cache, logger, me) = (client.base, cache, logger, instanceName)
            task = Task {
                while !Task.isCancelled {
                    do {
                        try await base.withConnection { connection in
                            try await connection.listen(on: Self.cacheChannel) { notifications in
                                // Listening from now on: whatever came before is in the log, replayed next.
                                cache.wrote()
                                // This instance's own writes told the cache themselves.
                                for try await notification in notifications where notification.payload != me { cache.wrote() }
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.debug("the member cache's listener was lost; reconnecting", metadata: ["error": .string("\(type(of: error))")])
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    public func migrate() async throws {
        defer { cache.reset() }
        await runnerStarted.value
        await Task.yield()
        try await PostgresMigrations.run(client.base, logger: logger)
    }

    /// What a write statement's triggers write to the member cache's log (`member_cache_changes`).
    enum CacheLogging: Sendable {
        /// Nothing: it writes only tables the cache does not follow (search entries, rate limits), so the next answer
        /// from memory need not replay the log first.
        case none
        /// Something not known here (sessions, members, companies, blocks, invitations): the next answer from memory
        /// replays the log first.
        case unknown
        /// These changes, sequence numbers aside: applied to the cache at once, so no replay is needed for them.
        case known([MemberCache.Change])
    }

    /// How many times a transaction is tried when the server aborts it for a deadlock or a serialization failure.
    static let transactionAttempts = 5

    @discardableResult
    /// One transaction; unique violations become domain conflicts and the closure's own errors come out unwrapped.
    /// A transaction the server aborted to break a deadlock (or for a serialization failure) is run again from the
    /// start: it was rolled back, and `body` has no effect outside the database.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            let failure: any Error
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                failure = error.closureError ?? error.commitError ?? error
            } catch {
                failure = error
            }
            guard attempt < Self.transactionAttempts, Self.isTransient(failure) else { throw Self.mapped(failure) }
            attempt += 1
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 * attempt))))
        }
    }

    /// One write statement in a transaction of its own (PostgreSQL runs every statement outside `BEGIN` atomically): one
    /// round trip instead of `transaction`'s three (`BEGIN`, the statement, `COMMIT`), with the same error mapping and
    /// retries. Returns the rows the statement returns.
    /// `logs`: what the statement's triggers write to the member cache's log (`CacheLogging`).
    @discardableResult
    func statement(_ query: PostgresQuery, logs: CacheLogging = .unknown) async throws -> [PostgresRandomAccessRow] {
        try await retried(logs: logs) {
            var result: [PostgresRandomAccessRow] = []
            for try await row in try await self.client.base.query(query, logger: self.logger) { result.append(row.makeRandomAccess()) }
            return result
        }
    }

    /// Runs one write statement, again after a deadlock or serialization failure as `transaction` does, its errors
    /// mapped; tells the member cache what it logged (`logs`).
    func retried<T>(logs: CacheLogging, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                let result = try await body()
                switch logs {
                case .none: break
                case .unknown: cache.wrote()
                case .known(let changes): cache.wroteKnown(changes)
                }
                return result
            } catch {
                // Whether a failed statement wrote cannot always be told (a connection lost after its commit).
                if case .none = logs {} else { cache.wrote() }
                guard attempt < Self.transactionAttempts, Self.isTransient(error) else { throw Self.mapped(error) }
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 * attempt))))
            }
        }
    }

    /// Deadlock detected (40P01) or serialization failure (40001): the transaction may succeed if run again.
    static func isTransient(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// PostgreSQL text cannot hold U+0000 (SQLSTATE 22021); SQLite can. No stored value contains it.
    static func isNULText(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "22021"
    }

    static func mapped(_ error: any Error) -> any Error {
        if isNULText(error) {
            return DomainError.invalid("invalid_text", "Text may not contain the NUL character.")
        }
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" else { return error }
        let constraint = error.serverInfo?[.constraintName] ?? ""
        if constraint.contains("pair_key") {
            return DomainError(.conflict, code: "already_invited", message: "An invitation between these members is already open.")
        }
        if constraint.contains("email") {
            return DomainError(.conflict, code: "email_taken", message: "An account with this email already exists.")
        }
        if constraint.contains("handle") {
            return DomainError(.conflict, code: "handle_taken", message: "This handle is taken.")
        }
        return DomainError(.conflict, code: "conflict", message: "This conflicts with existing data.")
    }

    /// Runs a read. A lookup by text holding U+0000 finds nothing, as on SQLite, rather than failing.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        defer { if TrackedPostgresClient.writes(query.sql) { cache.wrote() } }
        var result: [PostgresRandomAccessRow] = []
        do {
            for try await row in try await client.query(query, logger: logger) { result.append(row.makeRandomAccess()) }
        } catch where Self.isNULText(error) {
            return []
        }
        return result
    }

    // MARK: Accounts

    public func createMember(_ member: NewMember) async throws {
        try await transaction { try await Self.insert(member, $0, self.logger) }
    }

    public func createMembers(_ members: [NewMember]) async throws {
        guard !members.isEmpty else { return }
        try await transaction { connection in try await Self.insertMany(members, connection, self.logger) }
    }

    static func insert(_ member: NewMember, _ c: PostgresConnection, _ logger: Logger) async throws {
        let a = member.account
        let p = member.profile
        let f = p.fields
        let s = p.settings
        try await checkHandleFree(Handle.key(f.handle), for: a.memberID, at: p.createdAt, c, logger)
        try await c.query(
            """
            INSERT INTO members (id, email, password_hash, role, name, name_reading, handle, handle_key, headline,
              location, industry, about, profile_visibility, connections_visibility, open_to_work_enabled,
              open_to_work_visibility, open_to_work_titles, open_to_work_locations, locale, created_at, updated_at,
              section_visibility, email_verified)
            VALUES (\(a.memberID.rawValue), \(a.email), \(a.passwordHash), \(a.role.rawValue), \(f.name), \(f.nameReading),
              \(f.handle), \(Handle.key(f.handle)), \(f.headline), \(f.location), \(f.industry), \(f.about),
              \(s.profileVisibility.rawValue), \(s.connectionsVisibility.rawValue), \(s.openToWork.enabled),
              \(s.openToWork.visibility.rawValue), \(StoredList.encode(s.openToWork.titles)),
              \(StoredList.encode(s.openToWork.locations)), \(s.locale?.rawValue), \(StoredTime.millis(p.createdAt)),
              \(StoredTime.millis(p.updatedAt)), \(s.sectionVisibility.stored), \(a.emailVerified))
            """, logger: logger)
        for draft in member.positions {
            try await savePosition(draft, member: a.memberID, at: p.updatedAt, c, logger)
        }
        for education in p.educations {
            try await saveEducation(education, member: a.memberID, isNew: true, at: p.updatedAt, c, logger)
        }
        try await replaceSkills(p.skills, member: a.memberID, c, logger)
        try await insertEntries(p, c, logger)
    }

    public func account(email: String) async throws -> Account? {
        try await rows("SELECT id, email, password_hash, role, created_at, suspended_at, email_verified FROM members WHERE email = \(email)")
            .first.map(Self.account)
    }

    public func account(id: MemberID) async throws -> Account? {
        await replayCacheChanges()
        if let account = cache.account(id) { return account }
        let generation = cache.generation
        let account = try await rows(
            "SELECT id, email, password_hash, role, created_at, suspended_at, email_verified FROM members WHERE id = \(id.rawValue)"
        ).first.map(Self.account)
        if let account { cache.store(account: account, generation: generation) }
        return account
    }

    static func account(_ row: PostgresRandomAccessRow) throws -> Account {
        Account(
            memberID: MemberID(try row["id"].decode(String.self)), email: try row["email"].decode(String.self),
            passwordHash: try row["password_hash"].decode(String.self),
            role: MemberRole(rawValue: try row["role"].decode(String.self)) ?? .member,
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            suspendedAt: try row["suspended_at"].decode(Int64?.self).map(StoredTime.date),
            emailVerified: try row["email_verified"].decode(Bool.self))
    }

    public func setPasswordHash(_ hash: String, for member: MemberID) async throws {
        try await client.query("UPDATE members SET password_hash = \(hash) WHERE id = \(member.rawValue)", logger: logger)
    }

    public func setRole(_ role: MemberRole, for member: MemberID) async throws {
        try await client.query("UPDATE members SET role = \(role.rawValue) WHERE id = \(member.rawValue)", logger: logger)
    }

    public func deleteMember(_ member: MemberID) async throws {
        try await transaction { c in
            var companies: [String] = []
            for try await (company) in try await c.query(
                "SELECT DISTINCT company_id FROM positions WHERE member_id = \(member.rawValue)", logger: self.logger
            ).decode(String.self) { companies.append(company) }
            let conversations = try await Self.collect(
                "SELECT conversation_id FROM conversation_participants WHERE member_id = \(member.rawValue)", c, self.logger
            ).map { try $0["conversation_id"].decode(String.self) }
            // Their posts go, and their reactions and comments elsewhere: every instance's feed index learns it.
            let touched = try await Self.collect(
                """
                SELECT seq FROM posts WHERE author_id = \(member.rawValue)
                UNION SELECT p.seq FROM post_reactions r JOIN posts p ON p.id = r.post_id WHERE r.member_id = \(member.rawValue)
                UNION SELECT p.seq FROM post_comments c JOIN posts p ON p.id = c.post_id WHERE c.author_id = \(member.rawValue)
                UNION SELECT p.seq FROM posts q JOIN posts p ON p.id = q.repost_of WHERE q.author_id = \(member.rawValue)
                """, c, self.logger
            ).map { try $0["seq"].decode(Int64.self) }
            // Their jobs go too: every instance's job search index learns it.
            let jobs = try await Self.collect("SELECT id FROM jobs WHERE poster_id = \(member.rawValue)", c, self.logger)
                .map { try $0["id"].decode(String.self) }
            let deleted = try await Self.collect(
                "DELETE FROM members WHERE id = \(member.rawValue) RETURNING id", c, self.logger)
            try await Self.logJobChanges(jobs, c, self.logger)
            // Other participants keep their copies; a conversation no one is left in goes.
            if !conversations.isEmpty {
                try await c.query(
                    """
                    DELETE FROM conversations c WHERE c.id = ANY(\(conversations))
                      AND NOT EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id)
                    """, logger: self.logger)
            }
            for company in companies { try await Self.refreshCompanyName(company, c, self.logger) }
            if !touched.isEmpty { try await Self.logFeedChanges(touched.map { ($0, member) }, c, self.logger) }
            if !deleted.isEmpty {
                // The member's connections went with the cascade; every instance's graph index learns it from the log.
                try await Self.logChange(.memberRemoved, member, nil, at: Date(), c, self.logger)
                // So does every instance's search index.
                try await c.query(
                    "INSERT INTO search_changes (member_id, at) VALUES (\(member.rawValue), \(StoredTime.millis(Date())))", logger: self.logger)
            }
        }
    }

    public func memberCount() async throws -> Int {
        try await rows("SELECT COUNT(*) AS n FROM members").first?["n"].decode(Int.self) ?? 0
    }

    public func searchableMemberCount() async throws -> Int {
        try await rows("SELECT COUNT(*) AS n FROM members WHERE suspended_at IS NULL AND email_verified").first?["n"]
            .decode(Int.self) ?? 0
    }

    // MARK: Profiles

    public func profile(id: MemberID, includingSuspended: Bool) async throws -> Profile? {
        // Only active members' profiles are kept in memory; a suspended one is read each time.
        if !includingSuspended {
            await replayCacheChanges()
            if let profile = cache.profile(id) { return profile }
        }
        let generation = cache.generation
        guard let read = try await readProfile(id: id) else { return nil }
        if !read.suspended { cache.store(profile: read.profile, generation: generation) }
        return read.suspended && !includingSuspended ? nil : read.profile
    }

    public func versionedProfile(id: MemberID) async throws -> (profile: Profile, version: Int64)? {
        await replayCacheChanges()
        let generation = cache.generation
        guard let read = try await readProfile(id: id), !read.suspended else { return nil }
        cache.store(profile: read.profile, generation: generation)
        return (read.profile, read.version)
    }

    /// The whole profile in one round trip (a prepared statement: `ProfileRead`).
    private func readProfile(id: MemberID) async throws -> ProfileRead.Row? {
        do {
            for try await read in try await client.base.execute(ProfileRead(id: id), logger: logger) { return read }
            return nil
        } catch where Self.isNULText(error) {
            return nil
        }
    }

    public func memberID(handle: String) async throws -> MemberID? {
        await replayCacheChanges()
        if let id = cache.member(handleKey: Handle.key(handle)) { return id }
        return try await rows("SELECT id FROM members WHERE handle_key = \(Handle.key(handle))").first
            .map { MemberID(try $0["id"].decode(String.self)) }
    }

    /// A change without a new handle: the update and the profile's read in one prepared statement
    /// (`UpdateFieldsReading`). An edit was three round trips: the update, the read, the search entry's write.
    public func updateFieldsReading(_ change: ProfileFieldsChange, for member: MemberID, at date: Date) async throws
        -> (profile: Profile, version: Int64)?
    {
        guard change.handle == nil else {
            guard try await updateFields(change, for: member, at: date) else { return nil }
            return try await versionedProfile(id: member)
        }
        var values = Values()
        let changed = Dictionary(change.changed.map { ($0.0, $0.1) }, uniquingKeysWith: { _, b in b })
        for field in UpdateFieldsReading.fields {
            values.add(changed[field] != nil)
            values.add(changed[field] ?? nil)
        }
        values.add(StoredTime.millis(date))
        values.add(member.rawValue)
        let rows = try await write(
            UpdateFieldsReading.self, values,
            logs: .known([MemberCache.Change(sequence: 0, member: member, tokenHash: MemberCache.Change.profile)]))
        guard let row = rows.first else { return nil }
        let read = try ProfileRead.decode(row, id: member)
        return (read.profile, read.version)
    }

    @discardableResult
    public func updateFields(_ change: ProfileFieldsChange, for member: MemberID, at date: Date) async throws -> Bool {
        var bindings = PostgresBindings()
        var assignments: [String] = []
        // Column names come from `ProfileColumns`, a fixed list; every value is bound.
        for (column, value) in ProfileColumns.of(change) {
            if let value { bindings.append(value) } else { bindings.appendNull() }
            assignments.append("\(column) = $\(bindings.count)")
        }
        bindings.append(StoredTime.millis(date))
        assignments.append("updated_at = $\(bindings.count)")
        bindings.append(member.rawValue)
        let query = PostgresQuery(
            unsafeSQL: "UPDATE members SET \(assignments.joined(separator: ", ")) WHERE id = $\(bindings.count) AND suspended_at IS NULL RETURNING 1",
            binds: bindings)
        guard let handle = change.handle else {
            // The member's row changes, not the account's columns: a change of the profile alone (migration 22).
            let written = try await statement(
                query, logs: .known([MemberCache.Change(sequence: 0, member: member, tokenHash: MemberCache.Change.profile)]))
            return !written.isEmpty
        }
        return try await transaction { c in
            let present = try await c.query(
                "SELECT 1 FROM members WHERE id = \(member.rawValue) AND suspended_at IS NULL FOR UPDATE", logger: self.logger)
            var found = false
            for try await _ in present { found = true }
            guard found else { return false }
            try await Self.releaseHandle(of: member, newKey: Handle.key(handle), at: date, c, self.logger)
            // The rows read to the end: a taken handle's error comes with them.
            for try await _ in try await c.query(query, logger: self.logger) {}
            return true
        }
    }

    public func savePosition(_ draft: PositionDraft, for member: MemberID, at date: Date) async throws -> Bool {
        try await transaction { try await Self.savePosition(draft, member: member, at: date, $0, self.logger) }
    }

    @discardableResult
    static func savePosition(
        _ d: PositionDraft, member: MemberID, at date: Date, _ c: PostgresConnection, _ logger: Logger
    ) async throws -> Bool {
        var previous: (company: String, owner: String)?
        for try await (company, owner) in try await c.query(
            "SELECT company_id, member_id FROM positions WHERE id = \(d.id) FOR UPDATE", logger: logger
        ).decode((String, String).self) { previous = (company, owner) }
        if let previous, previous.owner != member.rawValue { return false }
        try await c.query(
            """
            INSERT INTO companies (id, name_key, name, created_at)
            VALUES (\(d.newCompanyID), \(d.companyKey), \(d.companyName), \(StoredTime.millis(date)))
            ON CONFLICT (name_key) DO NOTHING
            """, logger: logger)
        var companyID = ""
        for try await (id) in try await c.query("SELECT id FROM companies WHERE name_key = \(d.companyKey)", logger: logger)
            .decode(String.self) { companyID = id }
        try await c.query(
            """
            INSERT INTO positions (id, member_id, company_id, company_name, title, location, start_month, end_month,
              description, created_at)
            VALUES (\(d.id), \(member.rawValue), \(companyID), \(d.companyName), \(d.title), \(d.location),
              \(d.startMonth.description), \(d.endMonth?.description), \(d.description), \(StoredTime.millis(date)))
            ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, company_name = excluded.company_name,
              title = excluded.title, location = excluded.location, start_month = excluded.start_month,
              end_month = excluded.end_month, description = excluded.description
            """, logger: logger)
        try await touch(member, date, c, logger)
        try await refreshCompanyName(companyID, c, logger)
        if let previous, previous.company != companyID { try await refreshCompanyName(previous.company, c, logger) }
        return true
    }

    /// A company shows the spelling used by most of its current members, then by most members ever (members, not
    /// positions: one member with many positions must not rename a company for everyone); ties go to the earliest.
    static func refreshCompanyName(_ company: String, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            """
            UPDATE companies SET name = COALESCE((SELECT company_name FROM positions WHERE company_id = \(company)
              GROUP BY company_name
              ORDER BY COUNT(DISTINCT CASE WHEN end_month IS NULL THEN member_id END) DESC, COUNT(DISTINCT member_id) DESC,
                MIN(created_at), company_name COLLATE "C" LIMIT 1), name)
            WHERE id = \(company)
            """, logger: logger)
    }

    static func touch(_ member: MemberID, _ date: Date, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            "UPDATE members SET updated_at = \(StoredTime.millis(date)) WHERE id = \(member.rawValue)", logger: logger)
    }

    public func deletePosition(id: String, for member: MemberID, at date: Date) async throws -> Bool {
        try await transaction { c in
            var company: String?
            for try await (found) in try await c.query(
                "DELETE FROM positions WHERE id = \(id) AND member_id = \(member.rawValue) RETURNING company_id",
                logger: self.logger
            ).decode(String.self) { company = found }
            guard let company else { return false }
            try await Self.refreshCompanyName(company, c, self.logger)
            try await Self.touch(member, date, c, self.logger)
            return true
        }
    }

    public func saveEducation(_ education: Education, for member: MemberID, isNew: Bool, at date: Date) async throws -> Bool {
        try await transaction { try await Self.saveEducation(education, member: member, isNew: isNew, at: date, $0, self.logger) }
    }

    @discardableResult
    static func saveEducation(
        _ e: Education, member: MemberID, isNew: Bool, at date: Date, _ c: PostgresConnection, _ logger: Logger
    ) async throws -> Bool {
        if isNew {
            try await c.query(
                """
                INSERT INTO educations (id, member_id, school, school_key, degree, field, start_year, end_year, created_at)
                VALUES (\(e.id), \(member.rawValue), \(e.school), \(SchoolKey.key(e.school)), \(e.degree), \(e.field),
                  \(e.startYear), \(e.endYear), \(StoredTime.millis(date)))
                """, logger: logger)
        } else {
            var updated = false
            for try await _ in try await c.query(
                """
                UPDATE educations SET school = \(e.school), school_key = \(SchoolKey.key(e.school)), degree = \(e.degree),
                  field = \(e.field),
                  start_year = \(e.startYear), end_year = \(e.endYear)
                WHERE id = \(e.id) AND member_id = \(member.rawValue) RETURNING id
                """, logger: logger) { updated = true }
            guard updated else { return false }
        }
        try await touch(member, date, c, logger)
        return true
    }

    public func deleteEducation(id: String, for member: MemberID, at date: Date) async throws -> Bool {
        try await transaction { c in
            var deleted = false
            for try await _ in try await c.query(
                "DELETE FROM educations WHERE id = \(id) AND member_id = \(member.rawValue) RETURNING id", logger: self.logger
            ) { deleted = true }
            guard deleted else { return false }
            try await Self.touch(member, date, c, self.logger)
            return true
        }
    }

    public func replaceSkills(_ skills: [String], for member: MemberID, at date: Date) async throws {
        try await transaction { c in
            try await Self.replaceSkills(skills, member: member, c, self.logger)
            try await Self.touch(member, date, c, self.logger)
        }
    }

    static func replaceSkills(_ skills: [String], member: MemberID, _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query("DELETE FROM skills WHERE member_id = \(member.rawValue)", logger: logger)
        for (ordinal, skill) in skills.enumerated() {
            try await c.query(
                "INSERT INTO skills (member_id, ordinal, name) VALUES (\(member.rawValue), \(ordinal), \(skill))",
                logger: logger)
        }
    }

    public func updateSettings(_ s: ProfileSettings, for member: MemberID, at date: Date) async throws {
        try await transaction { c in
            var previous: String?
            for try await value in try await c.query(
                "SELECT connections_visibility FROM members WHERE id = \(member.rawValue) FOR UPDATE", logger: self.logger
            ).decode(String.self) { previous = value }
            try await c.query(
                """
                UPDATE members SET profile_visibility = \(s.profileVisibility.rawValue),
                  connections_visibility = \(s.connectionsVisibility.rawValue), open_to_work_enabled = \(s.openToWork.enabled),
                  open_to_work_visibility = \(s.openToWork.visibility.rawValue),
                  open_to_work_titles = \(StoredList.encode(s.openToWork.titles)),
                  open_to_work_locations = \(StoredList.encode(s.openToWork.locations)), locale = \(s.locale?.rawValue),
                  section_visibility = \(s.sectionVisibility.stored), recruiter_messages = \(s.recruiterMessages),
                  share_network_with_colleagues = \(s.shareNetworkWithColleagues),
                  updated_at = \(StoredTime.millis(date))
                WHERE id = \(member.rawValue)
                """, logger: self.logger)
            if let previous, previous != s.connectionsVisibility.rawValue {
                try await Self.logChange(
                    s.connectionsVisibility == .onlyMe ? .listHidden : .listShown, member, nil, at: date, c, self.logger)
            }
        }
    }

    public func companyExists(id: String) async throws -> Bool {
        try await cache.companyExists(id) { !(try await rows("SELECT 1 FROM companies WHERE id = \(id)").isEmpty) }
    }

    public func company(id: String) async throws -> Company? {
        guard let row = try await rows(
            """
            SELECT name,
              (SELECT COUNT(DISTINCT member_id) FROM positions WHERE company_id = \(id) AND end_month IS NULL) AS current,
              (SELECT COUNT(DISTINCT member_id) FROM positions p WHERE company_id = \(id) AND end_month IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM positions q WHERE q.company_id = p.company_id
                                 AND q.member_id = p.member_id AND q.end_month IS NULL)) AS past
            FROM companies WHERE id = \(id)
            """
        ).first else { return nil }
        return Company(
            id: id, name: try row["name"].decode(String.self), currentMemberCount: try row["current"].decode(Int.self),
            pastMemberCount: try row["past"].decode(Int.self))
    }

    // MARK: Sessions

    public func createSession(_ s: Session) async throws {
        try await client.query(
            """
            INSERT INTO sessions (token_hash, member_id, kind, created_at, expires_at)
            VALUES (\(s.tokenHash), \(s.memberID.rawValue), \(s.kind.rawValue), \(StoredTime.millis(s.createdAt)),
              \(StoredTime.millis(s.expiresAt)))
            """, logger: logger)
    }

    public func session(tokenHash: String) async throws -> Session? {
        await replayCacheChanges()
        if let session = cache.session(tokenHash) { return session }
        let generation = cache.generation
        var values = Values()
        values.add(tokenHash)
        let session = try await read(SessionByToken.self, values).first.map(Self.session)
        if let session { cache.store(session: session, generation: generation) }
        return session
    }

    /// Replays `member_cache_changes` into the cache when it is due (see `MemberCache`): after this instance wrote, or
    /// every `MemberCache.replayInterval`. A failed replay empties the cache and turns it off until one succeeds, so
    /// nothing unchecked is answered; the caller reads the database.
    /// Requests that need one at once share it (`MemberCache.sharedReplay`).
    func replayCacheChanges() async {
        guard cache.enabled else { return }
        listenForCacheChanges()
        guard cache.needsReplay() else { return }
        await cache.sharedReplay { covered in await self.replayOnce(covered: covered) }
    }

    /// One read of the log.
    private func replayOnce(covered: UInt64) async {
        do {
            guard let cursor = cache.replayCursor else {
                cache.replayed([], startingAt: try await cacheLogEnd(), writesCovered: covered)
                return
            }
            var changes: [MemberCache.Change] = []
            var values = Values()
            values.add(cursor)
            values.add(Int64(Self.cacheReplayBatch))
            for row in try await read(CacheChangesAfter.self, values) {
                changes.append(
                    MemberCache.Change(
                        sequence: try row["seq"].decode(Int64.self), member: MemberID(try row["member_id"].decode(String.self)),
                        tokenHash: try row["token_hash"].decode(String?.self)))
            }
            if changes.count >= Self.cacheReplayBatch {
                cache.skip(to: try await cacheLogEnd(), writesCovered: covered)
            } else {
                cache.replayed(changes, writesCovered: covered)
            }
        } catch {
            cache.reset()
        }
    }

    private func cacheLogEnd() async throws -> Int64 {
        for try await end in try await client.base.query("SELECT COALESCE(MAX(seq), 0) FROM member_cache_changes", logger: logger)
            .decode(Int64.self) { return end }
        return 0
    }

    /// More changes than this since the last replay (a bulk import) and the cache starts over instead.
    static let cacheReplayBatch = 1_000

    static func session(_ row: PostgresRandomAccessRow) throws -> Session {
        Session(
            tokenHash: try row["token_hash"].decode(String.self), memberID: MemberID(try row["member_id"].decode(String.self)),
            kind: SessionKind(rawValue: try row["kind"].decode(String.self)) ?? .web,
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            expiresAt: StoredTime.date(try row["expires_at"].decode(Int64.self)),
            // Read with the session by `session(tokenHash:)` only; lists of sessions have no role.
            role: row.contains("role") ? try row["role"].decode(String?.self).flatMap(MemberRole.init(rawValue:)) ?? .member : .member)
    }

    public func deleteSession(tokenHash: String) async throws {
        try await client.query("DELETE FROM sessions WHERE token_hash = \(tokenHash)", logger: logger)
    }

    public func deleteSessions(of member: MemberID, except tokenHash: String?) async throws {
        try await client.query(
            "DELETE FROM sessions WHERE member_id = \(member.rawValue) AND token_hash <> \(tokenHash ?? "")", logger: logger)
    }

    public func sessions(of member: MemberID) async throws -> [Session] {
        try await rows("SELECT * FROM sessions WHERE member_id = \(member.rawValue) ORDER BY created_at").map(Self.session)
    }

    // MARK: Throttling

    public func reserveAttempt(_ reservations: [AttemptReservation], at date: Date) async throws -> (index: Int, freedBy: Date)? {
        guard !reservations.isEmpty else { return nil }
        // The count and the insert under a lock per key, in one statement (the function of migration 22): instances
        // reserving the same keys at once queue on the locks, which are held to the statement's end.
        let keys = reservations.map(\.key)
        let limits = reservations.map { Int32(clamping: $0.limit) }
        let since = reservations.map { StoredTime.millis($0.since) }
        var values = Values()
        values.add(keys)
        values.add(limits)
        values.add(since)
        values.add(StoredTime.millis(date))
        let rows = try await write(ReserveAttempts.self, values, logs: .none)
        guard let row = rows.first else { return nil }
        return (try row["refused"].decode(Int.self), StoredTime.date(try row["freed_by"].decode(Int64.self)))
    }

    public func releaseAttempt(key: String, at date: Date) async throws {
        try await client.query(
            """
            DELETE FROM throttle_attempts WHERE ctid = (
              SELECT ctid FROM throttle_attempts WHERE key = \(key) AND at = \(StoredTime.millis(date)) LIMIT 1)
            """, logger: logger)
    }

    public func attempts(key: String, since: Date) async throws -> [Date] {
        try await rows(
            "SELECT at FROM throttle_attempts WHERE key = \(key) AND at >= \(StoredTime.millis(since)) ORDER BY at"
        ).map { StoredTime.date(try $0["at"].decode(Int64.self)) }
    }

    public func clearAttempts(key: String) async throws {
        let prefix = key + "|"
        try await client.query(
            "DELETE FROM throttle_attempts WHERE key = \(key) OR left(key, \(prefix.unicodeScalars.count)::int) = \(prefix)", logger: logger)
    }

    public func pruneAttempts(before date: Date) async throws {
        try await client.query("DELETE FROM throttle_attempts WHERE at < \(StoredTime.millis(date))", logger: logger)
    }

    public func pruneMemberCacheChanges(before date: Date) async throws {
        try await client.query("DELETE FROM member_cache_changes WHERE at < \(StoredTime.millis(date))", logger: logger)
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

/// The connection pool, telling the member cache of every write made through it (after it is done), so that this
/// instance's next request replays the cache's change log first (see `MemberCache`).
struct TrackedPostgresClient: Sendable {
    let base: PostgresClient
    let cache: MemberCache

    /// Whether a statement may write: anything but a plain read. A `WITH` is a read unless one of its parts inserts,
    /// updates or deletes (a message's one statement does all three, and since migration 25 its triggers log what the
    /// cache holds).
    static func writes(_ sql: String) -> Bool {
        let start = sql.drop(while: { $0.isWhitespace }).prefix(6).uppercased()
        if start.hasPrefix("WITH") {
            let text = sql.uppercased()
            return ["INSERT ", "UPDATE ", "DELETE "].contains { text.contains($0) }
        }
        return start != "SELECT"
    }

    @discardableResult
    func query(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        defer { if Self.writes(query.sql) { cache.wrote() } }
        return try await base.query(query, logger: logger, file: file, line: line)
    }

    func execute<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row {
        defer { if Self.writes(Statement.sql) { cache.wrote() } }
        return try await base.execute(statement, logger: logger, file: file, line: line)
    }

    func withTransaction<Result>(
        logger: Logger, file: String = #file, line: Int = #line, isolation: isolated (any Actor)? = #isolation,
        _ closure: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        defer { cache.wrote() }
        return try await base.withTransaction(logger: logger, file: file, line: line, isolation: isolation, closure)
    }

    func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation, _ closure: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        defer { cache.wrote() }
        return try await base.withConnection(isolation: isolation, closure)
    }
}

/// A member's whole profile in one statement, prepared once per connection: the member's row with their positions,
/// educations, skills and entries as flat arrays of texts, a fixed number per item in the item's order. It was five
/// statements, each a round trip parsed and planned anew, and a profile is read after every edit (for the search
/// index) and on every profile not held in the member cache (docs/BENCHMARKS.md "Request path, round 3").
/// - PostgresNIO's arrays cannot hold NULL, so an optional text travels as `""` for none and `"=" + text` for one
///   (`ProfileRead.optional`); years as their digits or `""`.
/// - JSON arrays were tried first: decoding them took a fifth of the request's time in Swift.
/// - The columns are named, not `m.*`: a prepared statement whose result changes shape (a column added by another
///   instance's migration) fails.
struct ProfileRead: PostgresPreparedStatement {
    static let sql = "SELECT \(columns)\nFROM members m WHERE m.id = $1"

    /// What is read of `m`, a member's row (or the row an update returns).
    static let columns = """
        m.role, m.name, m.name_reading, m.handle, m.headline, m.location, m.industry, m.about, m.profile_visibility,
          m.connections_visibility, m.open_to_work_enabled, m.open_to_work_visibility, m.open_to_work_titles,
          m.open_to_work_locations, m.locale, m.section_visibility, m.recruiter_messages, m.share_network_with_colleagues,
          m.created_at, m.updated_at, m.contact_info, m.photo_id, m.banner_id, m.suspended_at IS NOT NULL AS suspended,
          m.profile_version,
          ARRAY(
            SELECT u.v FROM positions p JOIN companies c ON c.id = p.company_id,
              unnest(ARRAY[p.id, p.company_id, c.name, p.company_name, p.title, COALESCE('=' || p.location, ''), p.start_month,
                COALESCE('=' || p.end_month, ''), COALESCE('=' || p.description, '')]) WITH ORDINALITY AS u(v, k)
            WHERE p.member_id = m.id ORDER BY (p.end_month IS NULL) DESC, p.start_month DESC, p.id DESC, u.k
          ) AS positions,
          ARRAY(
            SELECT u.v FROM educations e,
              unnest(ARRAY[e.id, e.school, COALESCE('=' || e.degree, ''), COALESCE('=' || e.field, ''),
                COALESCE(e.start_year::text, ''), COALESCE(e.end_year::text, '')]) WITH ORDINALITY AS u(v, k)
            WHERE e.member_id = m.id ORDER BY COALESCE(e.end_year, 9999) DESC, e.id DESC, u.k
          ) AS educations,
          ARRAY(SELECT s.name FROM skills s WHERE s.member_id = m.id ORDER BY s.ordinal) AS skills,
          ARRAY(
            SELECT u.v FROM profile_entries x, unnest(ARRAY[x.kind, x.body]) WITH ORDINALITY AS u(v, k)
            WHERE x.member_id = m.id ORDER BY x.created_at, x.id COLLATE "C", u.k
          ) AS entries
        """
    typealias Row = (profile: Profile, suspended: Bool, version: Int64)

    var id: MemberID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id.rawValue)
        return bindings
    }

    /// An optional text as the statement writes it: `""` for none, else the text after its `=`.
    static func optional(_ text: String) -> String? { text.isEmpty ? nil : String(text.dropFirst()) }

    /// A flat array cut into items of `width` texts.
    static func items(_ texts: [String], width: Int) -> [ArraySlice<String>] {
        stride(from: 0, to: texts.count - width + 1, by: width).map { texts[$0..<$0 + width] }
    }

    func decodeRow(_ postgresRow: PostgresRow) throws -> Row { try Self.decode(postgresRow.makeRandomAccess(), id: id) }

    static func decode(_ row: PostgresRandomAccessRow, id: MemberID) throws -> Row {
        let positions = Self.items(try row["positions"].decode([String].self), width: 9).map { p in
            let f = Array(p)
            return Position(
                id: f[0], company: CompanyRef(id: f[1], name: f[2]), companyNameAsWritten: f[3], title: f[4],
                location: Self.optional(f[5]), startMonth: YearMonth(f[6]) ?? YearMonth(year: 1900, month: 1)!,
                endMonth: Self.optional(f[7]).flatMap(YearMonth.init), description: Self.optional(f[8]))
        }
        let educations = Self.items(try row["educations"].decode([String].self), width: 6).map { e in
            let f = Array(e)
            return Education(
                id: f[0], school: f[1], degree: Self.optional(f[2]), field: Self.optional(f[3]), startYear: Int(f[4]), endYear: Int(f[5]))
        }
        let entries = Self.items(try row["entries"].decode([String].self), width: 2).compactMap { x in
            ProfileEntry.decode(kind: x[x.startIndex], body: x[x.startIndex + 1])
        }
        var profile = Profile(
            memberID: id, role: MemberRole(rawValue: try row["role"].decode(String.self)) ?? .member,
            fields: ProfileFields(
                name: try row["name"].decode(String.self), nameReading: try row["name_reading"].decode(String?.self),
                handle: try row["handle"].decode(String.self), headline: try row["headline"].decode(String?.self),
                location: try row["location"].decode(String?.self), industry: try row["industry"].decode(String?.self),
                about: try row["about"].decode(String?.self)),
            positions: positions, educations: educations, skills: try row["skills"].decode([String].self),
            settings: ProfileSettings(
                profileVisibility: ProfileVisibility(rawValue: try row["profile_visibility"].decode(String.self)) ?? .members,
                connectionsVisibility: ConnectionsVisibility(rawValue: try row["connections_visibility"].decode(String.self))
                    ?? .connections,
                openToWork: OpenToWork(
                    enabled: try row["open_to_work_enabled"].decode(Bool.self),
                    visibility: OpenToWorkVisibility(rawValue: try row["open_to_work_visibility"].decode(String.self))
                        ?? .recruitersOnly,
                    titles: StoredList.decode(try row["open_to_work_titles"].decode(String.self)),
                    locations: StoredList.decode(try row["open_to_work_locations"].decode(String.self))),
                locale: try row["locale"].decode(String?.self).flatMap(TsunagariCore.Locale.init(rawValue:)),
                sectionVisibility: SectionVisibilities(stored: try row["section_visibility"].decode(String.self)),
                recruiterMessages: try row["recruiter_messages"].decode(Bool.self),
                shareNetworkWithColleagues: try row["share_network_with_colleagues"].decode(Bool.self)),
            createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            updatedAt: StoredTime.date(try row["updated_at"].decode(Int64.self)))
        profile.setEntries(entries)
        profile.contact = ContactInfo(stored: try row["contact_info"].decode(String.self))
        profile.photo = try row["photo_id"].decode(String?.self).map(PhotoRef.init)
        profile.banner = try row["banner_id"].decode(String?.self).map(PhotoRef.init)
        return (profile, try row["suspended"].decode(Bool.self), try row["profile_version"].decode(Int64.self))
    }
}

/// The fields a change names set, the others assigned their own value (so a concurrent change of another field stays:
/// PostgreSQL evaluates the assignments again on the row as it is after that change), and the profile read from the
/// row the update returns (its version raised by the trigger) with the member's other rows, which it does not touch.
/// One statement for every combination of fields, prepared once: sent as text, parsing and planning the read with it
/// cost more than the round trip it saves (docs/BENCHMARKS.md "Request path, round 11"). `$1`/`$2` … `$11`/`$12`: whether
/// each field of `fields` is set, and its value; `$13` the time, `$14` the member.
enum UpdateFieldsReading: FixedSQL {
    static let fields: [ProfileFieldsChange.Field] = [.name, .nameReading, .headline, .location, .industry, .about]
    static let columns = ["name", "name_reading", "headline", "location", "industry", "about"]
    static let sql = """
        WITH m AS (
          UPDATE members SET
            \(columns.enumerated().map { "\($1) = CASE WHEN $\(2 * $0 + 1)::boolean THEN $\(2 * $0 + 2)::text ELSE \($1) END" }.joined(separator: ",\n    "))
            , updated_at = $13::bigint
          WHERE id = $14::text AND suspended_at IS NULL
          RETURNING *
        )
        SELECT \(ProfileRead.columns)
        FROM m
        """
}

/// The member cache's log after a sequence number, in order (`replayCacheChanges`: after every write and every 250 ms).
enum CacheChangesAfter: FixedSQL {
    static let sql = "SELECT seq, member_id, token_hash FROM member_cache_changes WHERE seq > $1::bigint ORDER BY seq LIMIT $2::bigint"
}

/// A session with its member's role, unless the member is suspended (a suspended member's sessions are deleted with
/// the suspension; this also refuses one opened meanwhile).
enum SessionByToken: FixedSQL {
    static let sql = """
        SELECT s.*, m.role FROM sessions s JOIN members m ON m.id = s.member_id
        WHERE s.token_hash = $1::text AND m.suspended_at IS NULL
        """
}

/// A reservation under rate limits (the function of migration 22).
enum ReserveAttempts: FixedSQL {
    static let sql = "SELECT refused, freed_by FROM reserve_attempts($1::text[], $2::int[], $3::bigint[], $4::bigint)"
}
