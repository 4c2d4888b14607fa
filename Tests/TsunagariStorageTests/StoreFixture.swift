import Foundation
import PostgresNIO
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The databases every storage test runs against.
enum StorageKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The kinds this run tests. PostgreSQL needs `TSUNAGARI_TEST_DATABASE_URL`. Without it the PostgreSQL
    /// cases are left out on a developer machine (with a notice), but kept on CI (`CI=true`), where they fail.
    static let tested: [StorageKind] = {
        let environment = ProcessInfo.processInfo.environment
        let url = environment[PostgresTestDatabase.urlVariable] ?? ""
        if !url.isEmpty || environment["CI"] == "true" { return allCases }
        print(
            """
            notice: \(PostgresTestDatabase.urlVariable) is not set, so the PostgreSQL storage tests are skipped. \
            Set it to a local server, e.g. postgres://postgres@127.0.0.1:5432/postgres, to run them.
            """)
        return [.sqlite]
    }()
}

/// A fresh, migrated store for one test.
struct TestStore: Sendable {
    let kind: StorageKind
    let storage: any Storage
    /// Where the data lives: the SQLite file's path or the PostgreSQL URL.
    let location: String

    /// A second, independent store on the same data, as a restarted server would open it.
    func reopen() throws -> any Storage {
        switch kind {
        case .sqlite: try SQLiteStorage(path: location)
        case .postgres: try PostgresStorage(url: location, logger: PostgresTestDatabase.storageLogger)
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` with a fresh, migrated store of `kind`: SQLite in a new temporary directory, removed afterwards;
/// PostgreSQL in an empty copy of a migrated template database (see `PostgresTestDatabase`).
func withStore<T: Sendable>(_ kind: StorageKind, _ body: (TestStore) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tsunagari-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tsunagari.sqlite").path
        let storage = try SQLiteStorage(path: path)
        do {
            try await storage.migrate()
            let result = try await body(TestStore(kind: kind, storage: storage, location: path))
            try await storage.close()
            return result
        } catch {
            try? await storage.close()
            throw error
        }
    case .postgres:
        let database = try await PostgresTestDatabase.shared.acquire()
        do {
            let storage = try PostgresStorage(url: database.url, logger: PostgresTestDatabase.storageLogger)
            do {
                // The copy is already migrated; migrating again must be a no-op.
                try await storage.migrate()
                let result = try await body(TestStore(kind: kind, storage: storage, location: database.url))
                try await storage.close()
                await PostgresTestDatabase.shared.release(database)
                return result
            } catch {
                try? await storage.close()
                throw error
            }
        } catch {
            await PostgresTestDatabase.shared.release(database)
            throw error
        }
    }
}

/// Runs `body` with a store of `kind` on an empty database that no migration has touched (a new SQLite file, a new
/// PostgreSQL database), removed afterwards; for tests of a migration on data written before it.
func withUnmigratedStore<T: Sendable>(_ kind: StorageKind, _ body: (TestStore) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tsunagari-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tsunagari.sqlite").path
        let storage = try SQLiteStorage(path: path)
        do {
            let result = try await body(TestStore(kind: kind, storage: storage, location: path))
            try await storage.close()
            return result
        } catch {
            try? await storage.close()
            throw error
        }
    case .postgres:
        let (name, url) = try await PostgresTestDatabase.shared.emptyDatabase()
        do {
            let storage = try PostgresStorage(url: url, logger: PostgresTestDatabase.storageLogger)
            do {
                let result = try await body(TestStore(kind: kind, storage: storage, location: url))
                try await storage.close()
                await PostgresTestDatabase.shared.drop(name)
                return result
            } catch {
                try? await storage.close()
                throw error
            }
        } catch {
            await PostgresTestDatabase.shared.drop(name)
            throw error
        }
    }
}

/// Test databases on the PostgreSQL server named by `TSUNAGARI_TEST_DATABASE_URL`. The schema is migrated once
/// into a template database; test databases are copies of it (`CREATE DATABASE … TEMPLATE …`). Creating and
/// dropping a database costs the server a checkpoint of several megabytes, so a handful of copies are made and
/// each is emptied (every table truncated) before the next test gets it; at most `poolSize` PostgreSQL tests
/// run at once. Everything is dropped when the last suite using it ends. Only a server on this machine is
/// accepted, since the helper creates and drops databases.
actor PostgresTestDatabase {
    static let shared = PostgresTestDatabase()
    static let urlVariable = "TSUNAGARI_TEST_DATABASE_URL"
    static let poolSize = 4

    /// Stores under test log errors only, not connection chatter.
    static var storageLogger: Logger {
        var logger = Logger(label: "tsunagari.tests.storage")
        logger.logLevel = .error
        return logger
    }

    struct Database: Sendable {
        let name: String
        let url: String
        /// A connection of the helper's own to the database, to empty it between tests.
        fileprivate let client: PostgresClient
        fileprivate let runner: Task<Void, Never>
    }

    private let logger = PostgresTestDatabase.storageLogger
    private var admin: (client: PostgresClient, runner: Task<Void, Never>, url: URLComponents)?
    private var template: Task<String, any Error>?
    private var templateCount = 0
    private var idle: [Database] = []
    private var made = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var suitesRunning = 0

    private var pid: Int32 { getpid() }

    // MARK: Admin connection

    private func adminClient() throws -> (client: PostgresClient, url: URLComponents) {
        if let admin { return (admin.client, admin.url) }
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment[Self.urlVariable], !text.isEmpty else {
            throw TestSetupError(
                description: """
                    \(Self.urlVariable) is not set, and CI=true requires the PostgreSQL storage tests to run. \
                    Point it at a local server, e.g. postgres://postgres@127.0.0.1:5432/postgres
                    """)
        }
        let (configuration, url) = try Self.configuration(text)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        admin = (client, runner, url)
        return (client, url)
    }

    static func configuration(_ text: String) throws -> (PostgresClient.Configuration, URLComponents) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql",
            let rawHost = url.host, !rawHost.isEmpty
        else {
            throw TestSetupError(
                description: "\(urlVariable) must look like postgres://user[:password]@127.0.0.1:5432/database")
        }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        guard ["127.0.0.1", "localhost", "::1"].contains(host) else {
            throw TestSetupError(
                description: """
                    \(urlVariable) names the host '\(rawHost)'. The tests create and drop databases, so they only use a \
                    server on this machine (127.0.0.1, localhost or ::1).
                    """)
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: database.isEmpty ? "postgres" : database, tls: .disable)
        return (configuration, url)
    }

    private func execute(_ sql: String, on client: PostgresClient? = nil) async throws {
        let client = try client ?? adminClient().client
        for try await _ in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) {}
    }

    private func url(of database: String) throws -> String {
        var url = try adminClient().url
        url.path = "/" + database
        return url.string!
    }

    // MARK: Databases for tests

    /// An empty, migrated database for one test; waits while `poolSize` tests hold one.
    func acquire() async throws -> Database {
        while true {
            if let database = idle.popLast() { return database }
            if made < Self.poolSize {
                made += 1
                do {
                    return try await makeDatabase()
                } catch {
                    made -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    /// Empties the database and hands it to the next test; a database that cannot be emptied is dropped.
    func release(_ database: Database) async {
        do {
            var tables: [String] = []
            let rows = try await database.client.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
                logger: logger)
            for try await table in rows.decode(String.self) { tables.append(table) }
            if !tables.isEmpty {
                let list = tables.map { "\"\($0)\"" }.joined(separator: ", ")
                try await execute("TRUNCATE \(list) CASCADE", on: database.client)
            }
            idle.append(database)
        } catch {
            print("warning: could not empty the test database \(database.name): \(String(reflecting: error))")
            database.runner.cancel()
            made -= 1
            await dropDatabase(database.name)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    private func makeDatabase() async throws -> Database {
        let template = try await templateName()
        let name = "tsunagari_test_\(pid)_\(Self.randomSuffix())"
        try await execute("CREATE DATABASE \(name) TEMPLATE \(template)")
        let url = try url(of: name)
        let (configuration, _) = try Self.configuration(url)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        return Database(name: name, url: url, client: client, runner: runner)
    }

    /// A new database with no tables at all, outside the pool; the caller drops it with `drop(_:)`.
    func emptyDatabase() async throws -> (name: String, url: String) {
        let name = "tsunagari_test_\(pid)_\(Self.randomSuffix())"
        try await execute("CREATE DATABASE \(name)")
        return (name, try url(of: name))
    }

    func drop(_ name: String) async {
        await dropDatabase(name)
    }

    private func dropDatabase(_ name: String) async {
        do {
            try await execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        } catch {
            print("warning: could not drop the test database \(name): \(String(reflecting: error))")
        }
    }

    private func dropDatabases(_ names: [String]) async {
        await withTaskGroup(of: Void.self) { group in
            for name in names { group.addTask { await self.dropDatabase(name) } }
        }
    }

    private func templateName() async throws -> String {
        if let template { return try await template.value }
        templateCount += 1
        let name = "tsunagari_template_\(pid)_\(templateCount)"
        let task = Task { try await self.makeTemplate(name) }
        template = task
        do {
            return try await task.value
        } catch {
            template = nil
            throw error
        }
    }

    private func makeTemplate(_ name: String) async throws -> String {
        await dropLeftovers()
        try await execute("CREATE DATABASE \(name)")
        let storage = try PostgresStorage(url: try url(of: name), logger: logger)
        do {
            try await storage.migrate()
            try await storage.close()
        } catch {
            try? await storage.close()
            throw error
        }
        // A template may have no open connections while it is copied; end the migrating store's at once.
        try await execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()")
        return name
    }

    /// Drops test databases left behind by test processes that are gone (a crash, a kill).
    private func dropLeftovers() async {
        do {
            let client = try adminClient().client
            var names: [String] = []
            let rows = try await client.query(
                "SELECT datname FROM pg_database WHERE datname ~ '^tsunagari_(template|test)_[0-9]+_[0-9a-z]+$'", logger: logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            await dropDatabases(names.filter { name in
                guard let owner = name.split(separator: "_").dropLast().last.flatMap({ Int32($0) }) else { return false }
                return owner != pid && !Self.isRunning(owner)
            })
        } catch {
            print("warning: could not look for leftover test databases: \(String(reflecting: error))")
        }
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next(upperBound: UInt64(1) << 60), radix: 36)
    }

    // MARK: Suite scope

    func suiteStarted() {
        suitesRunning += 1
    }

    /// When the last suite using the databases ends, they and the template are dropped.
    func suiteEnded() async {
        suitesRunning -= 1
        guard suitesRunning == 0, let task = template else { return }
        template = nil
        let databases = idle
        idle = []
        made -= databases.count
        for database in databases { database.runner.cancel() }
        var names = databases.map(\.name)
        if let name = try? await task.value { names.append(name) }
        await dropDatabases(names)
    }
}

/// Keeps the PostgreSQL template database for as long as a suite that uses it runs, and drops it after.
struct PostgresTemplateScope: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await PostgresTestDatabase.shared.suiteStarted()
        do {
            try await function()
        } catch {
            await PostgresTestDatabase.shared.suiteEnded()
            throw error
        }
        await PostgresTestDatabase.shared.suiteEnded()
    }
}

extension Trait where Self == PostgresTemplateScope {
    static var postgresTemplate: Self { Self() }
}

extension TestStore {
    /// Writes members as the first version of the schema had them (no positions or educations): what a test of an
    /// upgrade finds in the database before the migration it tests. The code of today writes columns that version
    /// did not have.
    func writeAsFirstVersion(_ members: [NewMember]) async throws {
        for member in members {
            let a = member.account
            let f = member.profile.fields
            let s = member.profile.settings
            let sql = """
                INSERT INTO members (id, email, password_hash, role, name, handle, handle_key, profile_visibility,
                  connections_visibility, open_to_work_visibility, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0)
                """
            let arguments = [
                a.memberID.rawValue, a.email, a.passwordHash, a.role.rawValue, f.name, f.handle, Handle.key(f.handle),
                s.profileVisibility.rawValue, s.connectionsVisibility.rawValue, s.openToWork.visibility.rawValue,
            ]
            switch kind {
            case .sqlite:
                // SQLite reads ?1, ?2… where PostgreSQL reads $1, $2…
                try await #require(storage as? SQLiteStorage).execute(sql: sql.replacingOccurrences(of: "$", with: "?"), arguments: arguments)
            case .postgres:
                try await #require(storage as? PostgresStorage).execute(sql: sql, arguments: arguments)
            }
        }
    }
}

extension ThrottleStore {
    /// Records an attempt whatever the count (a reservation under a limit no test reaches).
    func recordAttempt(key: String, at date: Date) async throws {
        _ = try await reserveAttempt([AttemptReservation(key: key, limit: 1_000_000, since: date)], at: date)
    }

    func attemptCount(key: String, since: Date) async throws -> Int { try await attempts(key: key, since: since).count }
}
