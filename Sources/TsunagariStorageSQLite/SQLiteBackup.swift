import Foundation
import GRDB

/// `tsunagari backup` and `tsunagari restore` for the embedded database.
///
/// A backup is made with SQLite's online backup API inside one read transaction, so it is the database as of one
/// moment — every write acknowledged before the backup began, none half-done — while the server goes on writing
/// (WAL: readers do not block the writer). It is written beside the destination, checked, flushed to disk and only then
/// renamed into place, so a crash or a full disk never leaves a file that looks like a backup but is not.
public enum SQLiteBackup {
    public struct Summary: Sendable {
        public let bytes: Int
        /// Applied migrations, the newest last: which version of the schema the file holds.
        public let migrations: [String]
        public let members: Int
    }

    /// A backup or restore that cannot be made, in words an operator can act on.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The database file in a data folder.
    public static func databasePath(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("tsunagari.sqlite")
    }

    /// Copies the live database at `source` to a new file at `destination` (which must not exist).
    public static func backup(from source: String, to destination: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: source) else {
            throw Failure("There is no database at \(source): check --data-dir (TSUNAGARI_DATA_DIR).")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw Failure("\(destination) exists already: choose a new file name, or remove it first.")
        }
        let partial = try writablePartial(for: destination)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            let live = try DatabasePool(path: source, configuration: configuration)
            try copy(from: live, to: partial)
            try live.close()
            let summary = try check(partial)
            try durablyRename(partial, to: destination)
            return summary
        } catch {
            removeDatabaseFiles(partial)
            if let failure = error as? Failure { throw failure }
            throw Failure("The backup to \(destination) failed: \(describe(error)). Nothing was written there.")
        }
    }

    /// Puts the backup at `backup` in place as the database of `dataDirectory`. A database already there is kept
    /// beside it (`tsunagari.sqlite.before-restore-<time>`) with `replace`, else the restore is refused. Stop every
    /// server using the folder first: a running server would keep its indexes of the old data.
    public static func restore(from backup: String, into dataDirectory: String, replace: Bool, now: Date = Date()) throws -> Summary {
        guard FileManager.default.fileExists(atPath: backup) else { throw Failure("There is no file at \(backup).") }
        let summary = try check(backup)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let target = databasePath(in: dataDirectory)
        let partial = try writablePartial(for: target)
        do {
            try copy(from: DatabaseQueue(path: backup, configuration: readOnly()), to: partial)
            _ = try check(partial)
            if FileManager.default.fileExists(atPath: target) {
                guard replace else {
                    throw Failure(
                        "\(dataDirectory) holds a database already. Stop the server, then run restore again with --replace "
                            + "(the database there is kept beside it), or restore into an empty folder.")
                }
                let stamp = ISO8601DateFormatter.string(from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay, .withTime])
                for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
                    try FileManager.default.moveItem(atPath: target + suffix, toPath: "\(target).before-restore-\(stamp)\(suffix)")
                }
            }
            try durablyRename(partial, to: target)
            return summary
        } catch {
            removeDatabaseFiles(partial)
            if let failure = error as? Failure { throw failure }
            throw Failure("The restore into \(dataDirectory) failed: \(describe(error)). The folder is as it was.")
        }
    }

    /// Opens `path` read-only and checks that it is a whole Tsunagari database this version can open.
    public static func check(_ path: String) throws -> Summary {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: readOnly())
        } catch {
            throw Failure("\(path) is not an SQLite database (\(describe(error))).")
        }
        defer { try? queue.close() }
        let (result, applied, members): (String, [String], Int)
        do {
            (result, applied, members) = try queue.read { db in
                let result = try String.fetchOne(cached: db, sql: "PRAGMA quick_check") ?? "no answer"
                guard try db.tableExists("grdb_migrations"), try db.tableExists("members") else { return (result, [], -1) }
                let applied = try String.fetchAll(cached: db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
                return (result, applied, try Int.fetchOne(cached: db, sql: "SELECT count(*) FROM members") ?? 0)
            }
        } catch {
            throw Failure("\(path) is not an SQLite database, or is damaged (\(describe(error))).")
        }
        guard result == "ok" else { throw Failure("\(path) is damaged: SQLite's check says \(result).") }
        guard members >= 0 else { throw Failure("\(path) is an SQLite database, but not Tsunagari's.") }
        let known = Set(SQLiteMigrations.migrator.migrations)
        if let newer = applied.first(where: { !known.contains($0) }) {
            throw Failure("\(path) comes from a newer version of Tsunagari (migration \(newer)): restore it with that version or later.")
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Summary(bytes: bytes, migrations: applied, members: members)
    }

    // MARK: Files

    static func readOnly() -> Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }

    /// Copies every page in one step, as of one read transaction, into a new file that keeps no WAL beside it.
    static func copy(from source: any DatabaseReader, to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try source.backup(to: destination)
        try destination.writeWithoutTransaction { db in
            // One self-contained file: the live database's WAL mode is in the copied header.
            try db.execute(cached: "PRAGMA journal_mode = DELETE")
        }
        try destination.close()
    }

    /// A fresh file name beside `path`, after making sure its folder can be written.
    static func writablePartial(for path: String) throws -> String {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure("The folder \(folder) does not exist.")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else { throw Failure("The folder \(folder) cannot be written.") }
        return "\(path).partial-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Flushes the file to disk, renames it into place and flushes the folder, so the new name survives a crash.
    static func durablyRename(_ partial: String, to path: String) throws {
        try sync(partial)
        guard rename(partial, path) == 0 else {
            throw Failure("Could not move the new file into place at \(path): \(String(cString: strerror(errno))).")
        }
        try sync((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }

    static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure("Could not open \(path) to flush it: \(String(cString: strerror(errno))).") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure("Could not flush \(path) to disk: \(String(cString: strerror(errno))).") }
    }

    static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func describe(_ error: any Error) -> String {
        if let database = error as? DatabaseError { return database.message ?? "\(database.resultCode)" }
        return "\(error)"
    }
}
