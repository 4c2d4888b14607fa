import GRDB

// Reads and writes through each connection's prepared-statement cache. A statement prepared from text runs SQLite's
// parser and GRDB's authorizer (which works out the tables a statement reads) every time; on the request path that
// was a tenth of the server's time (docs/BENCHMARKS.md "Request path"). SQL built with a varying number of
// placeholders is prepared afresh, so the caches hold only the fixed statements.

extension Row {
    static func fetchAll(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try fetchAll(db.statement(sql), arguments: arguments)
    }

    static func fetchOne(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try fetchOne(db.statement(sql), arguments: arguments)
    }
}

extension DatabaseValueConvertible {
    static func fetchAll(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Self] {
        try fetchAll(db.statement(sql), arguments: arguments)
    }

    static func fetchOne(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.statement(sql), arguments: arguments)
    }
}

extension Database {
    /// Several statements separated by `;` run as before, one after another, prepared afresh.
    func execute(cached sql: String, arguments: StatementArguments = StatementArguments()) throws {
        if sql.utf8.contains(UInt8(ascii: ";")) {
            try execute(sql: sql, arguments: arguments)
        } else {
            try statement(sql).execute(arguments: arguments)
        }
    }

    /// The connection's cached statement for fixed SQL; a fresh one when the SQL names a varying number of values
    /// (`IN (?, ?, …)`), which would otherwise fill the cache with one statement per count.
    fileprivate func statement(_ sql: String) throws -> Statement {
        Self.namesAList(sql) ? try makeStatement(sql: sql) : try cachedStatement(sql: sql)
    }

    /// Whether the SQL holds `IN (?,` (which `IN (?, ` begins with too), looked for in its bytes: Foundation's
    /// `contains` went through `NSString` on every query, a percent of a list request's time.
    static func namesAList(_ sql: String) -> Bool {
        let needle: StaticString = "IN (?,"
        var sql = sql
        return sql.withUTF8 { bytes in
            needle.withUTF8Buffer { needle in
                guard bytes.count >= needle.count else { return false }
                for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
                    var index = 1
                    while index < needle.count && bytes[start + index] == needle[index] { index += 1 }
                    if index == needle.count { return true }
                }
                return false
            }
        }
    }
}
