import Foundation
import Logging
import PostgresNIO
import TsunagariCore

/// The text of a statement that never changes (`$1`, `$2`… for its values), so that it can be prepared once per
/// connection: parsing and planning a statement sent as text cost PostgreSQL more than running most of ours
/// (docs/BENCHMARKS.md "Request path, round 3").
protocol FixedSQL {
    static var sql: String { get }
}

/// A `FixedSQL` prepared under its own name, its rows given as they come.
struct Prepared<Text: FixedSQL>: PostgresPreparedStatement {
    static var name: String { "tsunagari.\(Text.self)" }
    static var sql: String { Text.sql }
    typealias Row = PostgresRandomAccessRow

    var bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

/// The values of a prepared statement, in order. The statements cast every parameter (`$1::text`), so that a NULL
/// given first does not leave a parameter's type to be guessed when the statement is prepared.
struct Values {
    var bindings = PostgresBindings()

    init() {}

    mutating func add<Value: PostgresDynamicTypeEncodable>(_ value: Value) {
        bindings.append(value)
    }

    mutating func add<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
        if let value { bindings.append(value) } else { bindings.appendNull() }
    }
}

extension PostgresStorage {
    /// A read by a prepared statement. A lookup by text holding U+0000 finds nothing, as on SQLite, rather than failing.
    func read<Text: FixedSQL>(_ text: Text.Type, _ values: Values = Values()) async throws -> [PostgresRandomAccessRow] {
        do {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await client.base.execute(Prepared<Text>(bindings: values.bindings), logger: logger) { rows.append(row) }
            return rows
        } catch where Self.isNULText(error) {
            return []
        }
    }

    /// One write statement, prepared, in a transaction of its own (as `statement(_:logs:)`).
    @discardableResult
    func write<Text: FixedSQL>(_ text: Text.Type, _ values: Values, logs: CacheLogging = .unknown) async throws -> [PostgresRandomAccessRow] {
        try await retried(logs: logs) {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await self.client.base.execute(Prepared<Text>(bindings: values.bindings), logger: self.logger) {
                rows.append(row)
            }
            return rows
        }
    }
}

extension PostgresConnection {
    /// A prepared statement run inside a transaction, its rows (if any) passed over.
    func run<Text: FixedSQL>(_ text: Text.Type, _ values: Values, logger: Logger) async throws {
        for try await _ in try await execute(Prepared<Text>(bindings: values.bindings), logger: logger) {}
    }
}
