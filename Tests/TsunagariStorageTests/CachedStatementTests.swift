import Foundation
import GRDB
import Testing
@testable import TsunagariStorageSQLite

/// Which SQL is prepared afresh (a varying list of placeholders) is decided on its bytes as Foundation's `contains`
/// decided it, and a list of any length still runs.
@Suite struct CachedStatementTests {
    @Test func aListOfPlaceholdersIsFoundAsFoundationFindsIt() {
        let pieces = ["IN (?,", "IN (?, ", "IN (?", "IN ( ?,", "in (?,", "I", "N", " (", "?", ",", "SELECT ", "営業", "é", "🍣", "\0", ";", " "]
        var generator = SystemRandomNumberGenerator()
        var found = 0
        for _ in 0..<20_000 {
            let sql = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = sql.contains("IN (?,") || sql.contains("IN (?, ")
            #expect(Database.namesAList(sql) == expected, "\(sql)")
            if expected { found += 1 }
        }
        #expect(found > 1_000)
    }

    @Test func listsOfEveryLengthRunFromOneConnection() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)")
            for id in 1...10 { try db.execute(cached: "INSERT INTO t (id) VALUES (?)", arguments: [id]) }
            for count in 1...10 {
                let sql = "SELECT id FROM t WHERE id IN (" + Array(repeating: "?", count: count).joined(separator: ", ") + ")"
                #expect(try Int.fetchAll(cached: db, sql: sql, arguments: StatementArguments(Array(1...count))) == Array(1...count))
            }
        }
    }
}
