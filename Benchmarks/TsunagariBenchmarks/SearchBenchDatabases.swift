import Foundation
import GRDB
import Logging
import PostgresNIO
import TsunagariCore
import TsunagariStoragePostgres
import TsunagariStorageSQLite

/// SQLite: a fresh file in a temporary folder, written by `SQLiteStorage`; the benchmark's own GRDB connection on
/// the same file measures sizes and holds the baseline table.
final class SQLiteBenchDatabase: SearchBenchDatabase {
    let name = "SQLite"
    let folder: URL
    let path: String
    let sqlite: SQLiteStorage
    let queue: DatabaseQueue

    /// A database kept by an earlier run (`--keep`), reused so that its members need not be written again.
    let reused: Bool

    init(reusing file: String? = nil) throws {
        if let file {
            path = file
            folder = URL(fileURLWithPath: file).deletingLastPathComponent()
            reused = true
        } else {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-search-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            path = folder.appendingPathComponent("tsunagari.sqlite").path
            reused = false
        }
        sqlite = try SQLiteStorage(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    var location: String { "Database: \(path)" }
    var storage: any SearchBenchStore { sqlite }
    var placeholder: @Sendable (Int) -> String { { _ in "?" } }

    func databaseBytes() async throws -> Int {
        try await queue.read { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return pages * size
        }
    }

    /// The pages of the stored entries and the change log, from the dbstat table.
    func indexBytes() async throws -> (bytes: Int, how: String) {
        let bytes = try await queue.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT SUM(pgsize) FROM dbstat
                    WHERE name IN ('search_entries', 'search_changes', 'search_changes_at') OR name LIKE 'sqlite_autoindex_search_entries%'
                    """) ?? 0
        }
        return (bytes, "pages of search_entries and search_changes with their indexes, from dbstat")
    }

    func loadBaseline(_ rows: [BaselineRow]) async throws {
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP TABLE IF EXISTS bench_profile_text;
                    CREATE TABLE bench_profile_text (
                      member_id TEXT PRIMARY KEY, body TEXT NOT NULL, current_companies TEXT NOT NULL, location TEXT NOT NULL,
                      skills TEXT NOT NULL, schools TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
            let insert = try db.makeStatement(sql: "INSERT INTO bench_profile_text VALUES (?, ?, ?, ?, ?, ?)")
            for row in rows {
                try insert.execute(arguments: [row.member, row.body, row.currentCompanies, row.location, row.skills, row.schools])
            }
        }
    }

    func baselineBytes() async throws -> Int {
        try await queue.read { db in try Int.fetchOne(db, sql: "SELECT SUM(pgsize) FROM dbstat WHERE name = 'bench_profile_text'") ?? 0 }
    }

    func baseline(_ condition: String, _ arguments: [String]) async throws -> Int {
        try await queue.read { db in
            try String.fetchAll(
                db, sql: "SELECT member_id FROM bench_profile_text WHERE \(condition) ORDER BY member_id LIMIT \(SearchBenchmark.candidateLimit)",
                arguments: StatementArguments(arguments)
            ).count
        }
    }

    func finish(keep: Bool) async throws {
        try queue.close()
        try await sqlite.close()
        if keep || reused {
            print("Kept \(path)")
        } else {
            try FileManager.default.removeItem(at: folder)
        }
    }
}

/// PostgreSQL: a database `bench_<random>` created on the server the URL names (from template0, UTF-8) and dropped
/// at the end; `PostgresStorage` writes it, a client of the benchmark's own measures sizes and holds the baseline.
final class PostgresBenchDatabase: SearchBenchDatabase {
    let name = "PostgreSQL"
    let database: String
    let admin: PostgresClient
    let adminRunner: Task<Void, Never>
    let client: PostgresClient
    let runner: Task<Void, Never>
    let postgres: PostgresStorage
    let logger: Logger

    static func configuration(_ url: URLComponents) throws -> PostgresClient.Configuration {
        guard url.scheme == "postgres" || url.scheme == "postgresql", let host = url.host, !host.isEmpty else {
            throw ValidationFailure(description: "--database-url must look like postgres://user[:password]@host:5432/database")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        return PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: database.isEmpty ? "postgres" : database, tls: .disable)
    }

    static func create(serverURL: String) async throws -> PostgresBenchDatabase {
        guard let url = URLComponents(string: serverURL) else {
            throw ValidationFailure(description: "--database-url is not a URL")
        }
        var logger = Logger(label: "tsunagari.bench")
        logger.logLevel = .error
        let admin = PostgresClient(configuration: try configuration(url), backgroundLogger: logger)
        let adminRunner = Task { await admin.run() }
        let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        do {
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8'"), logger: logger)
        } catch {
            adminRunner.cancel()
            throw error
        }
        var benchURL = url
        benchURL.path = "/" + name
        return try PostgresBenchDatabase(database: name, url: benchURL, admin: admin, adminRunner: adminRunner, logger: logger)
    }

    private init(database: String, url: URLComponents, admin: PostgresClient, adminRunner: Task<Void, Never>, logger: Logger) throws {
        self.database = database
        self.admin = admin
        self.adminRunner = adminRunner
        self.logger = logger
        postgres = try PostgresStorage(url: url.string!, logger: logger)
        let client = PostgresClient(configuration: try Self.configuration(url), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    var location: String { "Database: \(database) (created for this run)" }
    var storage: any SearchBenchStore { postgres }
    var placeholder: @Sendable (Int) -> String { { "$\($0)" } }

    func scalar(_ sql: String) async throws -> Int {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) {
            return Int(value)
        }
        return 0
    }

    func databaseBytes() async throws -> Int {
        try await scalar("SELECT pg_database_size(current_database())")
    }

    func indexBytes() async throws -> (bytes: Int, how: String) {
        (
            try await scalar("SELECT pg_total_relation_size('profile_search') + pg_total_relation_size('search_changes')"),
            "pg_total_relation_size of profile_search (the entries) and search_changes: tables, TOAST and indexes"
        )
    }

    func loadBaseline(_ rows: [BaselineRow]) async throws {
        try await client.query(
            """
            CREATE TABLE bench_profile_text (
              member_id TEXT PRIMARY KEY, body TEXT NOT NULL, current_companies TEXT NOT NULL, location TEXT NOT NULL,
              skills TEXT NOT NULL, schools TEXT NOT NULL
            )
            """, logger: logger)
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + 5_000, rows.count)]
            var bindings = PostgresBindings()
            bindings.append(batch.map(\.member))
            bindings.append(batch.map(\.body))
            bindings.append(batch.map(\.currentCompanies))
            bindings.append(batch.map(\.location))
            bindings.append(batch.map(\.skills))
            bindings.append(batch.map(\.schools))
            try await client.query(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO bench_profile_text SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
                    binds: bindings), logger: logger)
            start += batch.count
        }
        // Statistics for the planner, as autovacuum would gather them.
        try await client.query("ANALYZE bench_profile_text", logger: logger)
    }

    func baselineBytes() async throws -> Int {
        try await scalar("SELECT pg_total_relation_size('bench_profile_text')")
    }

    func baseline(_ condition: String, _ arguments: [String]) async throws -> Int {
        var bindings = PostgresBindings()
        for argument in arguments { bindings.append(argument) }
        let sql = "SELECT member_id FROM bench_profile_text WHERE \(condition) ORDER BY member_id LIMIT \(SearchBenchmark.candidateLimit)"
        var count = 0
        for try await _ in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) { count += 1 }
        return count
    }

    func finish(keep: Bool) async throws {
        try await postgres.close()
        runner.cancel()
        if keep {
            print("Kept the database \(database)")
        } else {
            // WITH (FORCE) ends the storage's and the client's connections, which may still be closing.
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"), logger: logger)
        }
        adminRunner.cancel()
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
}
