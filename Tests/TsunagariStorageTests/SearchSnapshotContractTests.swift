import Foundation
import Testing
import TsunagariCore
import TsunagariSearch

/// A snapshot of the search index, restored over a reopened store and followed by the change log, answers as an
/// index filled from storage, on SQLite and on PostgreSQL; pruning the log keeps the change a snapshot stands at.
@Suite("Search snapshot contract", .postgresTemplate)
struct SearchSnapshotContractTests {
    static func entry(_ member: MemberID, _ title: String) -> SearchIndexEntry {
        SearchIndexEntry(member: member, columns: [.title: title, .name: "山田 \(member.rawValue.suffix(2))"], attributes: SearchAttributes(handle: "h", name: "N"))
    }

    static func found(_ engine: SearchEngine, _ word: String) throws -> [MemberID] {
        try engine.index.search(.sequence([word], column: nil), among: nil, since: nil, limit: 100).map(\.member).sorted()
    }

    @Test("A restored snapshot and the changes after it answer as a fresh fill", arguments: StorageKind.tested)
    func restoreThenCatchUp(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let ids = try await makeMembers(store.storage, 6)
            let first = SearchEngine(store: source)
            try await first.upsertSearchEntries(ids.prefix(4).map { Self.entry($0, "engineer 東京") }, at: Date())
            // The server replays the log every 250 ms; the snapshot stands where that left off.
            try await first.catchUp()
            let bytes = LockedValue<[UInt8]>([])
            let position = try #require(try await first.writeSnapshot { chunk in bytes.withLock { $0 += chunk } })
            #expect(position.sequence == (try await source.lastSearchChange()))

            // After the snapshot: an edit, a removal, a new entry, and a deleted member.
            try await first.upsertSearchEntries([Self.entry(ids[0], "designer 大阪"), Self.entry(ids[4], "engineer 大阪")], at: Date())
            try await first.deleteSearchEntry(ids[1])
            try await store.storage.deleteMember(ids[2])

            let reopened = try store.reopen()
            let restarted = SearchEngine(store: try #require(reopened as? any SearchEntryStore))
            let restoredAt = try await withRawBytes(bytes.withLock { $0 }) { try await restarted.restore(from: $0) }
            #expect(restoredAt.sequence == position.sequence && restoredAt.anchor == position.anchor && !position.anchor.isEmpty)
            #expect(try await restarted.catchUp() == 4)
            let fresh = SearchEngine(store: source)
            try await fresh.load()
            for word in ["engineer", "designer", "東京", "大阪", "山田"] {
                #expect(try Self.found(restarted, word) == Self.found(fresh, word), "\(word)")
            }
            #expect(try Self.found(restarted, "engineer") == [ids[3], ids[4]].sorted())
            #expect(restarted.index.count == (try await source.searchEntryCount()))
            try await reopened.close()
        }
    }

    @Test("Pruning the search change log keeps its last change", arguments: StorageKind.tested)
    func pruningKeepsTheLastChange(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let source = try store.entries
            let ids = try await makeMembers(store.storage, 3)
            let engine = SearchEngine(store: source)
            try await engine.upsertSearchEntries(ids.map { Self.entry($0, "engineer") }, at: Date())
            let last = try await source.lastSearchChange()
            try await source.pruneSearchChanges(before: Date().addingTimeInterval(3600))
            #expect(try await source.searchChanges(after: 0, limit: 10).map(\.sequence) == [last])
            #expect(try await source.lastSearchChange() == last)
        }
    }

    @Test("Pruning the graph change log keeps its last change", arguments: StorageKind.tested)
    func pruningKeepsTheLastGraphChange(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let network = try #require(store.storage as? any NetworkStore)
            let ids = try await makeMembers(store.storage, 3)
            _ = try await network.importConnections([(ids[0], ids[1], Date()), (ids[1], ids[2], Date())])
            let all = try await network.graphChanges(after: 0, limit: 100)
            #expect(all.count >= 2)
            try await network.pruneGraphChanges(before: Date().addingTimeInterval(3600))
            #expect(try await network.graphChanges(after: 0, limit: 100).map(\.sequence) == [all.last!.sequence])
        }
    }
}

/// Async work over bytes (an array lends its buffer only to synchronous code).
func withRawBytes<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) async throws -> T) async throws -> T {
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { raw.deallocate() }
    raw.copyBytes(from: bytes)
    return try await body(UnsafeRawBufferPointer(rebasing: raw[0..<bytes.count]))
}
