import Foundation
import GRDB
import TsunagariGraph

/// `tsunagari bench fill-connections`: writes a synthetic graph's connections into a SQLite database that
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
        let edges = SyntheticGraph.edges(members: ids.count, averageDegree: averageDegree, seed: seed)
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
}
