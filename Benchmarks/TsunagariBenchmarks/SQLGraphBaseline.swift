import Foundation
import GRDB
import TsunagariGraph

/// The same graph questions answered by SQL on SQLite, as the baseline the index is compared with: one
/// `edges(a, b)` table holding both directions, clustered on `(a, b)` (WITHOUT ROWID), as a
/// connections table indexed for "connections of a member" would be.
final class SQLGraphBaseline {
    let queue: DatabaseQueue
    let path: String

    init(edges: [(Node, Node)]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-graph-baseline-\(UUID().uuidString).sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE edges (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID")
            let statement = try db.makeStatement(sql: "INSERT OR IGNORE INTO edges (a, b) VALUES (?, ?)")
            for (a, b) in edges where a != b {
                try statement.execute(arguments: [Int64(a), Int64(b)])
                try statement.execute(arguments: [Int64(b), Int64(a)])
            }
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func degrees(from viewer: Node, to targets: [Node]) throws -> [Int] {
        try queue.write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS targets (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM targets")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO targets (id) VALUES (?)")
            for target in targets { try insert.execute(arguments: [Int64(target)]) }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    WITH f(n) AS (SELECT b FROM edges WHERE a = :v),
                         s(n) AS (SELECT DISTINCT e.b FROM edges e JOIN f ON e.a = f.n)
                    SELECT t.id AS id, CASE
                      WHEN t.id = :v THEN 0
                      WHEN t.id IN (SELECT n FROM f) THEN 1
                      WHEN t.id IN (SELECT n FROM s) THEN 2
                      WHEN EXISTS (SELECT 1 FROM edges e WHERE e.a = t.id AND e.b IN (SELECT n FROM s)) THEN 3
                      ELSE 4 END AS degree
                    FROM targets t
                    """, arguments: ["v": Int64(viewer)])
            let byID = Dictionary(rows.map { (Node($0["id"] as Int64), $0["degree"] as Int) }, uniquingKeysWith: { a, _ in a })
            return targets.map { byID[$0] ?? 4 }
        }
    }

    func mutuals(_ a: Node, _ b: Node) throws -> [Node] {
        try queue.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT x.b FROM edges x JOIN edges y ON y.a = ? AND y.b = x.b WHERE x.a = ? ORDER BY x.b",
                arguments: [Int64(b), Int64(a)]
            ).map { Node($0) }
        }
    }

    func peopleYouMayKnow(_ viewer: Node, limit: Int) throws -> [Node] {
        try queue.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT e2.b FROM edges e1 JOIN edges e2 ON e2.a = e1.b
                    WHERE e1.a = :v AND e2.b <> :v AND e2.b NOT IN (SELECT b FROM edges WHERE a = :v)
                    GROUP BY e2.b ORDER BY COUNT(*) DESC, e2.b LIMIT :limit
                    """, arguments: ["v": Int64(viewer), "limit": limit]
            ).map { Node($0) }
        }
    }

    /// The viewer's connections who lead to a third-degree target.
    func introducers(_ viewer: Node, _ target: Node) throws -> [Node] {
        try queue.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT f.b FROM edges f JOIN edges m ON m.a = f.b JOIN edges t ON t.a = m.b AND t.b = :t
                    WHERE f.a = :v ORDER BY f.b
                    """, arguments: ["v": Int64(viewer), "t": Int64(target)]
            ).map { Node($0) }
        }
    }
}
