import Foundation
import GRDB
import Testing
import TsunagariCore
@testable import TsunagariStorageSQLite

/// `tsunagari backup` / `restore` on SQLite: a backup taken while members are being written holds every write
/// acknowledged before it began, restores into a fresh folder, and bad paths and files are refused with a reason.
@Suite struct BackupTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes members one by one until stopped, and returns the handles whose writes were acknowledged, in order.
    final class Writer: @unchecked Sendable {
        private let lock = NSLock()
        private var acknowledged: [String] = []
        private var stopped = false
        var handles: [String] { lock.withLock { acknowledged } }
        func stop() { lock.withLock { stopped = true } }
        var isStopped: Bool { lock.withLock { stopped } }

        func run(_ storage: SQLiteStorage, prefix: String) async throws {
            var n = 0
            while !isStopped {
                n += 1
                let handle = "\(prefix)-\(n)"
                try await storage.createMember(Make.member(handle, email: "\(handle)@example.test", created: Date()))
                lock.withLock { acknowledged.append(handle) }
            }
        }
    }

    @Test func aBackupUnderWriteLoadHoldsEveryWriteAcknowledgedBeforeItAndRestoresElsewhere() async throws {
        let live = try Self.folder()
        let elsewhere = try Self.folder()
        defer {
            try? FileManager.default.removeItem(atPath: live)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        let storage = try SQLiteStorage(path: SQLiteBackup.databasePath(in: live))
        try await storage.migrate()
        let writers = [Writer(), Writer()]
        let tasks = writers.enumerated().map { index, writer in Task { try await writer.run(storage, prefix: "w\(index)") } }
        // Let the writers get going, then back up while they write.
        while writers.map(\.handles.count).min()! < 50 { try await Task.sleep(for: .milliseconds(5)) }
        let before = Set(writers.flatMap(\.handles))
        let backupPath = (live as NSString).appendingPathComponent("backup.sqlite")
        let summary = try await Task.detached { try SQLiteBackup.backup(from: SQLiteBackup.databasePath(in: live), to: backupPath) }.value
        // The writers went on during the backup: it did not stop them.
        while writers.map(\.handles.count).min()! < before.count / 2 + 60 { try await Task.sleep(for: .milliseconds(5)) }
        for writer in writers { writer.stop() }
        for task in tasks { try await task.value }
        let written = Set(writers.flatMap(\.handles))
        #expect(written.count > before.count)
        try await storage.close()

        #expect(summary.members >= before.count && summary.members <= written.count)
        #expect(summary.migrations.last == SQLiteMigrations.migrator.migrations.last)
        // One self-contained file, nothing left beside it.
        let names = try FileManager.default.contentsOfDirectory(atPath: live)
        #expect(!names.contains { $0.contains("partial") || $0.hasPrefix("backup.sqlite-") }, "\(names)")

        let restored = try SQLiteBackup.restore(from: backupPath, into: elsewhere, replace: false)
        #expect(restored.members == summary.members)
        let copy = try SQLiteStorage(path: SQLiteBackup.databasePath(in: elsewhere))
        try await copy.migrate()
        for handle in before {
            #expect(try await copy.account(email: "\(handle)@example.test") != nil, "\(handle) acknowledged before the backup is missing")
        }
        #expect(try await copy.memberCount() == summary.members)
        try await copy.close()
    }

    @Test func badPathsAndFilesAreRefusedWithAReasonAndLeaveNothingBehind() async throws {
        let live = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: live) }
        let database = SQLiteBackup.databasePath(in: live)
        let storage = try SQLiteStorage(path: database)
        try await storage.migrate()
        try await storage.createMember(Make.member("someone", email: "someone@example.test"))
        try await storage.close()

        func refusal(_ body: () throws -> Any) -> String {
            do {
                _ = try body()
                return "accepted"
            } catch let failure as SQLiteBackup.Failure {
                return failure.description
            } catch {
                return "unexpected \(error)"
            }
        }
        let existing = (live as NSString).appendingPathComponent("taken.sqlite")
        FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))
        #expect(refusal { try SQLiteBackup.backup(from: database, to: existing) }.contains("exists already"))
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        #expect(refusal { try SQLiteBackup.backup(from: database, to: "/nonexistent-folder/b.sqlite") }.contains("does not exist"))
        #expect(refusal { try SQLiteBackup.backup(from: live + "/none.sqlite", to: live + "/b.sqlite") }.contains("no database"))

        // Restores: not a database, not ours, from a newer version, onto a database without --replace.
        #expect(refusal { try SQLiteBackup.restore(from: existing, into: live + "/r1", replace: false) }.contains("not an SQLite database"))
        #expect(!FileManager.default.fileExists(atPath: live + "/r1"))
        let foreign = (live as NSString).appendingPathComponent("foreign.sqlite")
        let other = try DatabaseQueue(path: foreign)
        try await other.write { db in try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)") }
        try other.close()
        #expect(refusal { try SQLiteBackup.restore(from: foreign, into: live + "/r2", replace: false) }.contains("not Tsunagari's"))

        let backup = (live as NSString).appendingPathComponent("b.sqlite")
        _ = try SQLiteBackup.backup(from: database, to: backup)
        let newer = (live as NSString).appendingPathComponent("newer.sqlite")
        try FileManager.default.copyItem(atPath: backup, toPath: newer)
        let future = try DatabaseQueue(path: newer)
        try await future.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('999_from_the_future')") }
        try future.close()
        #expect(refusal { try SQLiteBackup.restore(from: newer, into: live + "/r3", replace: false) }.contains("newer version"))

        let target = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: target) }
        _ = try SQLiteBackup.restore(from: backup, into: target, replace: false)
        #expect(refusal { try SQLiteBackup.restore(from: backup, into: target, replace: false) }.contains("--replace"))
        _ = try SQLiteBackup.restore(from: backup, into: target, replace: true, now: Date(timeIntervalSince1970: 1_800_000_000))
        let kept = try FileManager.default.contentsOfDirectory(atPath: target)
        #expect(kept.contains("tsunagari.sqlite") && kept.contains { $0.hasPrefix("tsunagari.sqlite.before-restore-20270115T") }, "\(kept)")
        #expect(!kept.contains { $0.contains("partial") })
    }
}
