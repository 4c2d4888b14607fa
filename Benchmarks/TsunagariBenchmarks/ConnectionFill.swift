import Foundation
import GRDB
import Logging
import NIOCore
import PostgresNIO
import TsunagariGraph

/// `tsunagari bench fill-connections`: writes a synthetic graph's connections into a SQLite or PostgreSQL database that
/// `bench search --keep` made, so that a whole server's start-up can be measured at the size of its target
/// (docs/BENCHMARKS.md "A whole server at 50,000,000 connections").
///
/// The product's own import (`importConnections`) inserts each batch into B-trees that grow past the page cache, and
/// slowed from 23,000 to 4,700 connections a second. This writes the same rows as it (both directions of each
/// connection, and the two follows it implies) in key order into tables without their secondary indexes, then builds
/// those, with the journal off: a database made only to be read by the benchmarks. The change log is not written: a
/// start reads the connections themselves, and the product prunes log entries after an hour.
public enum ConnectionFill {
    public static func run(sqliteFile: String, averageDegree: Int, seed: UInt64) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000")
        }
        let queue = try DatabaseQueue(path: sqliteFile, configuration: configuration)
        let start = Date()
        func elapsed() -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }
        // Node i is the i-th member in the database's own order of ids, so pairs sorted by node are sorted by key.
        let ids = try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM members ORDER BY id") }
        let existing = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM connections") ?? 0 }
        guard existing == 0 else {
            throw ValidationFailure(description: "the database already holds \(existing) connection rows; fill a database without connections")
        }
        let directed = directedPairs(members: ids.count, averageDegree: averageDegree, seed: seed)
        print("\(ids.count) members; \(directed.count / 2) connections generated and sorted (\(elapsed()))")
        let at = Int64(Date().timeIntervalSince1970 * 1000)
        try queue.write { db in
            try db.execute(sql: "DROP INDEX IF EXISTS connections_other; DROP INDEX IF EXISTS follows_followee")
            for (table, columns) in [("connections", "member_id, other_id, connected_at"), ("follows", "follower_id, followee_id, created_at")] {
                let insert = try db.makeStatement(sql: "INSERT INTO \(table) (\(columns)) VALUES (?, ?, ?)")
                for pair in directed {
                    try insert.execute(arguments: [ids[Int(pair >> 32)], ids[Int(pair & 0xFFFF_FFFF)], at])
                }
                print("\(table): \(directed.count) rows written (\(elapsed()))")
            }
            try db.execute(sql: "CREATE INDEX connections_other ON connections(other_id)")
            try db.execute(sql: "CREATE INDEX follows_followee ON follows(followee_id)")
            print("secondary indexes built (\(elapsed()))")
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        let size = (try? FileManager.default.attributesOfItem(atPath: sqliteFile)[.size] as? Int) ?? 0
        print("done in \(elapsed()); the database is \(size / 1_048_576) MiB")
    }

    /// Both directions of every connection of the synthetic graph over `members` nodes, as `from << 32 | to`, sorted
    /// and without repeats: node i is the i-th member in the database's order of ids, so the pairs come in key order.
    static func directedPairs(members: Int, averageDegree: Int, seed: UInt64) -> [UInt64] {
        let edges = SyntheticGraph.edges(members: members, averageDegree: averageDegree, seed: seed)
        var directed: [UInt64] = []
        directed.reserveCapacity(edges.count * 2)
        for (a, b) in edges where a != b {
            directed.append(UInt64(a) << 32 | UInt64(b))
            directed.append(UInt64(b) << 32 | UInt64(a))
        }
        directed.sort()
        var unique = 0
        for value in directed where unique == 0 || directed[unique - 1] != value {
            directed[unique] = value
            unique += 1
        }
        directed.removeLast(directed.count - unique)
        return directed
    }

    /// The same rows into a PostgreSQL database kept by `bench search --keep --database-url …`, through `COPY … FROM
    /// STDIN` into the tables without their indexes, then the indexes built, as a restore of a dump would. Foreign keys
    /// are not checked row by row (`session_replication_role = replica`, which needs a superuser): every id comes from
    /// the members table. The change log is not written, as for SQLite.
    public static func run(databaseURL: String, averageDegree: Int, seed: UInt64) async throws {
        guard let url = URLComponents(string: databaseURL) else { throw ValidationFailure(description: "--database-url is not a URL") }
        let logger = { var logger = Logger(label: "tsunagari.bench"); logger.logLevel = .error; return logger }()
        let client = PostgresClient(configuration: try PostgresBenchDatabase.configuration(url), backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        let start = Date()
        func elapsed() -> String { String(format: "%.1f s", Date().timeIntervalSince(start)) }
        try await client.withConnection { connection in
            // One statement a call: the extended protocol takes no lists of statements.
            let execute = { @Sendable (sql: String) async throws in
                _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            }
            var ids: [String] = []
            for try await id in try await connection.query(#"SELECT id FROM members ORDER BY id COLLATE "C""#, logger: logger)
                .decode(String.self) { ids.append(id) }
            var existing = 0
            for try await count in try await connection.query("SELECT COUNT(*) FROM connections", logger: logger).decode(Int64.self) {
                existing = Int(count)
            }
            guard existing == 0 else {
                throw ValidationFailure(description: "the database already holds \(existing) connection rows; fill a database without connections")
            }
            let directed = directedPairs(members: ids.count, averageDegree: averageDegree, seed: seed)
            print("\(ids.count) members; \(directed.count / 2) connections generated and sorted (\(elapsed()))")
            let at = String(Int64(Date().timeIntervalSince1970 * 1000))
            let idBytes = ids.map { Array($0.utf8) }
            try await execute("SET session_replication_role = replica")
            try await execute("SET maintenance_work_mem = '2GB'")
            for statement in [
                "ALTER TABLE connections DROP CONSTRAINT connections_pkey", "DROP INDEX IF EXISTS connections_other",
                "DROP INDEX IF EXISTS connections_recent", "ALTER TABLE follows DROP CONSTRAINT follows_pkey",
                "DROP INDEX IF EXISTS follows_followee",
            ] { try await execute(statement) }
            for (table, columns) in [("connections", ["member_id", "other_id", "connected_at"]), ("follows", ["follower_id", "followee_id", "created_at"])] {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(1 << 21)
                    for pair in directed {
                        buffer.writeBytes(idBytes[Int(pair >> 32)])
                        buffer.writeInteger(UInt8(ascii: "\t"))
                        buffer.writeBytes(idBytes[Int(pair & 0xFFFF_FFFF)])
                        buffer.writeInteger(UInt8(ascii: "\t"))
                        buffer.writeString(at)
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        if buffer.readableBytes >= 1 << 20 {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
                print("\(table): \(directed.count) rows written (\(elapsed()))")
            }
            try await execute("ALTER TABLE connections ADD PRIMARY KEY (member_id, other_id)")
            try await execute("CREATE INDEX connections_other ON connections(other_id)")
            try await execute(#"CREATE INDEX connections_recent ON connections (member_id, connected_at DESC, other_id COLLATE "C")"#)
            try await execute("ALTER TABLE follows ADD PRIMARY KEY (follower_id, followee_id)")
            try await execute("CREATE INDEX follows_followee ON follows(followee_id)")
            print("indexes built (\(elapsed()))")
            try await execute("ANALYZE connections")
            try await execute("ANALYZE follows")
            var bytes = 0
            for try await size in try await connection.query("SELECT pg_database_size(current_database())", logger: logger).decode(Int64.self) {
                bytes = Int(size)
            }
            print("done in \(elapsed()); the database is \(bytes / 1_048_576) MiB")
        }
    }
}
