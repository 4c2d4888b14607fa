import Foundation
import PostgresNIO
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres

/// PostgreSQL numbers a change when its transaction writes it, not when it commits: a reader can see change n+1
/// while n is still uncommitted. These hold a real transaction open across the reader's wait, give up on the gap
/// as an instance does, and then commit it: the change is found when the passed-over number is asked for again.
@Suite("Late changes", .postgresTemplate)
struct LateChangeTests {
    static let kinds = StorageKind.tested.filter { $0 == .postgres }

    /// Runs `insert` in a transaction that stays open until `commit` is called; returns once the row is written.
    static func holdOpen(
        _ storage: PostgresStorage, _ insert: PostgresQuery
    ) async throws -> (commit: @Sendable () -> Void, done: Task<Void, any Error>) {
        let (written, writtenSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let logger = storage.logger
        let done = Task {
            try await storage.client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                try await connection.query(insert, logger: logger)
                writtenSignal.yield()
                for await _ in release { break }
                try await connection.query("COMMIT", logger: logger)
            }
        }
        for await _ in written { break }
        return ({ releaseSignal.yield() }, done)
    }

    @Test("A graph change that commits after the reader passed its number is found when the number is asked for again", arguments: kinds)
    func lateGraphChange(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let pg = try #require(store.storage as? PostgresStorage)
            let s = try store.network
            let (a, b, c, d) = (MemberID("late-a"), MemberID("late-b"), MemberID("late-c"), MemberID("late-d"))
            let start = try await s.lastSequence()
            var cursor = ChangeLogCursor(applied: start, anchored: true)
            let held = try await Self.holdOpen(
                pg, "INSERT INTO graph_changes (kind, a, b, at) VALUES ('disconnected', \(a.rawValue), \(b.rawValue), 0)")
            try await pg.execute(sql: "INSERT INTO graph_changes (kind, a, b, at) VALUES ('connected', $1, $2, 0)", arguments: [c.rawValue, d.rawValue])

            let t0 = Date()
            func read(at now: Date) async throws {
                for change in try await s.graphChanges(after: cursor.applied, limit: 100) {
                    guard cursor.admit(change.sequence, now: now) else { break }
                }
            }
            try await read(at: t0)
            #expect(cursor.applied == start)  // waiting for the uncommitted one
            try await read(at: t0.addingTimeInterval(ChangeLogCursor.gapWait))
            #expect(cursor.applied > start + 1)  // given up on
            // The held change's number is among those passed over (numbers taken by rolled-back transactions of the
            // template database may be too).
            let late = cursor.lateSequences(now: t0.addingTimeInterval(3))
            #expect(!late.isEmpty)
            #expect(try await s.graphChanges(sequences: late).isEmpty)  // still not committed

            held.commit()
            try await held.done.value
            let found = try await s.graphChanges(sequences: late)
            #expect(found.map(\.kind) == [.disconnected])
            #expect(found.first?.a == a && found.first?.b == b)
        }
    }

    @Test("A search change that commits late is found the same way", arguments: kinds)
    func lateSearchChange(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let pg = try #require(store.storage as? PostgresStorage)
            let s = try #require(store.storage as? any SearchEntryStore)
            let start = try await s.lastSearchChange()
            var cursor = ChangeLogCursor(applied: start, anchored: true)
            let held = try await Self.holdOpen(pg, "INSERT INTO search_changes (member_id, at) VALUES ('late-member', 0)")
            try await pg.execute(sql: "INSERT INTO search_changes (member_id, at) VALUES ($1, 0)", arguments: ["other-member"])
            let t0 = Date()
            for now in [t0, t0.addingTimeInterval(ChangeLogCursor.gapWait)] {
                for change in try await s.searchChanges(after: cursor.applied, limit: 100) {
                    guard cursor.admit(change.sequence, now: now) else { break }
                }
            }
            let late = cursor.lateSequences(now: t0.addingTimeInterval(3))
            #expect(!late.isEmpty)
            #expect(try await s.searchChanges(sequences: late).isEmpty)
            held.commit()
            try await held.done.value
            #expect(try await s.searchChanges(sequences: late).map(\.member) == [MemberID("late-member")])
        }
    }
}
