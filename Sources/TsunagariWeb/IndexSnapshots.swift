import Foundation
import Logging
import ServiceLifecycle
import TsunagariCore
import TsunagariGraph
import TsunagariSearch

#if canImport(Glibc)
import Glibc
#endif

/// Snapshots of the search index in memory, kept as files in the data directory, so that a restarting instance
/// loads the index and replays the change log after it instead of filling it from every stored entry (docs/
/// ARCHITECTURE.md, "Start-up"). A file is written beside the old one and renamed over it after `fsync`: a crash
/// leaves the old snapshot or the new, never half of one; a damaged, foreign or outdated one is refused by its
/// checksum, its header or its place in the change log, and the index is then built from storage as before.
public struct IndexSnapshotFiles: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The snapshots' folder inside a data directory.
    public init(dataDirectory: String) {
        self.init(directory: (dataDirectory as NSString).appendingPathComponent("snapshots"))
    }

    public var searchPath: String { (directory as NSString).appendingPathComponent("search.snapshot") }
    public var graphPath: String { (directory as NSString).appendingPathComponent("graph.snapshot") }

    /// Writes a snapshot to `path` through `body`, which hands its bytes to the flush it is given; the file replaces
    /// the old one only when `body` returns a value (nil: nothing worth writing now). Returns `body`'s value.
    public func write<T: Sendable>(
        _ path: String, _ body: (_ flush: @escaping @Sendable ([UInt8]) throws -> Void) async throws -> T?
    ) async throws -> T? {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SnapshotError("could not create \(temporary): \(String(cString: strerror(errno)))") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
            unlink(temporary)
        }
        let written = try await body { bytes in
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw SnapshotError("could not write \(temporary): \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
        }
        guard let written else { return nil }
        guard fsync(descriptor) == 0 else { throw SnapshotError("could not sync \(temporary): \(String(cString: strerror(errno)))") }
        close(descriptor)
        closed = true
        guard rename(temporary, path) == 0 else { throw SnapshotError("could not rename \(temporary): \(String(cString: strerror(errno)))") }
        // The rename itself survives a crash once the folder is synced.
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return written
    }

    /// The file at `path` mapped into memory, or nil when there is none.
    public func map(_ path: String) throws -> MappedFile? {
        try MappedFile(path: path)
    }
}

/// A file mapped read-only into memory until this is released.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer

    /// Nil when there is no file at `path`.
    init?(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw SnapshotError("could not open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SnapshotError("could not read \(path): \(String(cString: strerror(errno)))") }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw SnapshotError("could not map \(path): \(String(cString: strerror(errno)))")
        }
        // Read front to back once: ask the kernel to read ahead.
        madvise(address, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let address = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: address), bytes.count) }
    }
}

/// How the search index was filled at start, for the log and `bench`.
public enum SearchIndexStart: Sendable, Equatable {
    /// From a snapshot, then the change log after it (`replayed` changes).
    case snapshot(SearchEngine.SnapshotPosition, replayed: Int)
    /// From every stored entry; `reason` says why no snapshot was used (nil: snapshots are off).
    case storage(reason: String?)
}

extension SearchEngine {
    /// Fills the index from the snapshot in `files` when there is one that fits this database, else from storage
    /// (`load`), and says which it did. A snapshot that fits is followed by the change log to its end, and its
    /// entries are counted against storage's: a difference means it missed something, and the index is built again.
    public func start(from files: IndexSnapshotFiles?, expected: Int?, report: ProgressReport = .none) async throws -> SearchIndexStart {
        var reason: String?
        if let files {
            do {
                if let file = try files.map(files.searchPath) {
                    report("search index (snapshot)", 0)
                    let position = try await restore(from: file.bytes)
                    let replayed = try await ChangeLogCursor.replayToEnd { now in try await catchUp(now: now) }
                    let stored = try await searchEntryCount()
                    if stored == index.count {
                        report("search index (snapshot)", index.count, of: index.count)
                        return .snapshot(position, replayed: replayed)
                    }
                    reason = "the snapshot and its changes hold \(index.count) entries, storage \(stored)"
                } else {
                    reason = "there is no snapshot yet"
                }
            } catch let error as SnapshotError {
                reason = error.description
            }
            reset()
        }
        try await load(expected: expected, report: report)
        return .storage(reason: reason)
    }
}

/// How the graph index was filled at start.
public enum GraphIndexStart: Sendable, Equatable {
    /// From a snapshot standing at change `sequence`, then the change log after it.
    case snapshot(sequence: Int64, takenAt: Date, replayedTo: Int64)
    /// From storage; `reason` says why no snapshot was used (nil: snapshots are off).
    case storage(reason: String?)
}

/// The graph index's snapshot: its place in the graph change log (the sequence and a description of the change
/// there, checked against the log at start), then `MemberGraph.writeSnapshot`.
enum GraphSnapshot {
    static func describe(_ change: GraphChange) -> String {
        "\(change.kind.rawValue) \(change.a.rawValue) \(change.b?.rawValue ?? "")"
    }

    /// Writes the graph through `flush`, standing where `replay` has replayed the log to (before any number passed
    /// over at a gap). Nil, having written nothing, when the change there is not in the log.
    static func write(
        _ graph: MemberGraph, replay: LockedValue<ChangeLogCursor>, source: any GraphChangeSource, now: Date = Date(), on queue: DispatchQueue?,
        flush: @escaping @Sendable ([UInt8]) throws -> Void
    ) async throws -> Int64? {
        let sequence = replay.withLock { $0 }.snapshotSequence(now: now)
        var anchor = ""
        if sequence > 0 {
            guard let change = try await source.graphChanges(sequences: [sequence]).first else { return nil }
            anchor = describe(change)
        }
        try await SnapshotWriter.write(kind: MemberGraph.snapshotKind, format: MemberGraph.snapshotFormat, on: queue, flush: flush) { [anchor] writer in
            writer.write(sequence)
            writer.write(anchor)
            writer.write(now.timeIntervalSince1970)
            graph.writeSnapshot(to: &writer)
        }
        return sequence
    }

    /// The graph from the snapshot in `files` when there is one that fits this database's graph change log, replayed
    /// to the log's end; else built from storage. Returns the graph, how far the log is replayed, and which it did.
    static func start(
        storage: any AppServices.Store, source: any GraphChangeSource, files: IndexSnapshotFiles?
    ) async throws -> (MemberGraph, ChangeLogCursor, GraphIndexStart) {
        var reason: String?
        if let files {
            do {
                if let file = try files.map(files.graphPath) {
                    var reader = try SnapshotReader(file.bytes, kind: MemberGraph.snapshotKind, formats: MemberGraph.snapshotFormat...MemberGraph.snapshotFormat)
                    let sequence = try reader.read(Int64.self)
                    let anchor = try reader.readString()
                    let takenAt = Date(timeIntervalSince1970: try reader.readDouble())
                    if sequence > 0 {
                        guard let change = try await source.graphChanges(sequences: [sequence]).first else {
                            throw SnapshotError("graph change \(sequence), where the snapshot was taken, is not in the log")
                        }
                        guard describe(change) == anchor else { throw SnapshotError("the graph snapshot is of another database") }
                    } else if let first = try await source.graphChanges(after: 0, limit: 1).first, first.sequence != 1 {
                        throw SnapshotError("the graph changes since the snapshot are no longer all in the log")
                    }
                    let graph = try MemberGraph(snapshot: &reader, sequence: sequence)
                    var cursor = ChangeLogCursor()
                    cursor.advance(to: sequence)
                    _ = try await ChangeLogCursor.replayToEnd { now in
                        let before = cursor.applied
                        try await GraphCatchUp.step(&cursor, source: source, graph: graph, now: now)
                        return Int(cursor.applied - before)
                    }
                    return (graph, cursor, .snapshot(sequence: sequence, takenAt: takenAt, replayedTo: cursor.applied))
                } else {
                    reason = "there is no snapshot yet"
                }
            } catch let error as SnapshotError {
                reason = error.description
            }
        }
        let graph = MemberGraph(snapshot: try await storage.networkSnapshot())
        return (graph, ChangeLogCursor(applied: graph.appliedSequence, anchored: graph.appliedSequence > 0), .storage(reason: reason))
    }
}

/// Writes the snapshots of the search and graph indexes every `interval` when the index has moved along its change
/// log since the last, and soon after a start that built it from storage (the next restart is then quick). The bytes
/// are written on a thread of their own: at 1,000,000 members a snapshot takes seconds, too long for a thread of the
/// pool that serves requests.
struct IndexSnapshotWriter: Service {
    let engine: SearchEngine
    let graph: MemberGraph
    let graphReplay: LockedValue<ChangeLogCursor>
    let graphSource: any GraphChangeSource
    let files: IndexSnapshotFiles
    let interval: Duration
    /// Where each index started from: a snapshot at this sequence needs no new one until the index moves past it.
    let searchStartedAt: Int64?
    let graphStartedAt: Int64?
    let logger: Logger
    /// False when snapshots are off: the service then only waits for shutdown.
    var enabled = true

    static let queue = DispatchQueue(label: "tsunagari.snapshots", qos: .utility)

    func run() async throws {
        guard enabled else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            var written: [String: Int64] = [:]
            if let searchStartedAt { written["search"] = searchStartedAt }
            if let graphStartedAt { written["graph"] = graphStartedAt }
            // The first soon after start, unless both indexes came from snapshots.
            var wait = written.count < 2 ? min(interval, .seconds(30)) : interval
            while !Task.isCancelled {
                try? await Task.sleep(for: wait)
                wait = interval
                guard !Task.isCancelled else { break }
                for kind in ["search", "graph"] {
                    let applied = kind == "search" ? engine.appliedSequence : graphReplay.withLock { $0.applied }
                    if let last = written[kind], last == applied { continue }
                    do {
                        let started = ContinuousClock.now
                        if let sequence = try await writeOnce(kind) {
                            written[kind] = sequence
                            logger.info(
                                "\(kind) index snapshot written",
                                metadata: [
                                    "sequence": .stringConvertible(sequence),
                                    "seconds": .string(String(format: "%.2f", (ContinuousClock.now - started).seconds)),
                                ])
                        } else {
                            wait = .seconds(5)
                        }
                    } catch {
                        logger.warning("could not write the \(kind) index snapshot", metadata: ["error": .string("\(error)")])
                    }
                }
            }
        }
    }

    func writeOnce(_ kind: String) async throws -> Int64? {
        if kind == "search" { return try await Self.write(engine, to: files)?.sequence }
        return try await Self.write(graph, replay: graphReplay, source: graphSource, to: files)
    }

    /// One snapshot of `engine` into `files`, written on the snapshot thread.
    static func write(_ engine: SearchEngine, to files: IndexSnapshotFiles) async throws -> SearchEngine.SnapshotPosition? {
        try await files.write(files.searchPath) { flush in
            try await engine.writeSnapshot(on: queue, flush: flush)
        }
    }

    /// One snapshot of `graph` into `files`, written on the snapshot thread.
    static func write(
        _ graph: MemberGraph, replay: LockedValue<ChangeLogCursor>, source: any GraphChangeSource, to files: IndexSnapshotFiles
    ) async throws -> Int64? {
        try await files.write(files.graphPath) { flush in
            try await GraphSnapshot.write(graph, replay: replay, source: source, on: queue, flush: flush)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
