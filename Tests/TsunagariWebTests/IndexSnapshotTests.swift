import Foundation
import Testing
import TsunagariCore
import TsunagariSearch
import TsunagariStorageSQLite
@testable import TsunagariWeb

/// A restart loads the search index from its snapshot file and the change log after it, and answers as a fresh
/// build; a damaged file is refused and the index is built from storage.
@Suite struct IndexSnapshotTests {
    static func services(_ storage: SQLiteStorage, _ files: IndexSnapshotFiles?) async throws -> AppServices {
        var configuration = AppConfiguration()
        configuration.rateLimits = .relaxed
        return try await AppServices(configuration: configuration, storage: storage, hasher: BcryptPasswordHasher(cost: 4), snapshots: files)
    }

    static func found(_ services: AppServices, _ word: String) throws -> [MemberID] {
        try services.searchIndex.index.search(.sequence([word], column: nil), among: nil, since: nil, limit: 100).map(\.member).sorted()
    }

    static func headline(_ services: AppServices, _ member: MemberID, _ text: String) async throws {
        _ = try await services.profiles.updateFields(member, ProfileFieldsChange(headline: .some(text)))
    }

    static func connect(_ services: AppServices, _ a: MemberID, _ b: MemberID) async throws {
        _ = try await services.connections.invite(from: a, to: b, message: nil)
        #expect(try await services.connections.invite(from: b, to: a, message: nil) == .connected)
    }

    @Test func aRestartUsesTheSnapshotAndTheChangesAfterItAndRefusesADamagedOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tsunagari-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("test.sqlite").path)
        try await storage.migrate()
        let files = IndexSnapshotFiles(dataDirectory: directory.path)

        let first = try await Self.services(storage, files)
        #expect(first.searchStart == .storage(reason: "there is no snapshot yet"))
        var members: [MemberID] = []
        for (i, name) in ["山田 花子", "Ken Sato", "佐藤 健"].enumerated() {
            let signedUp = try await first.accounts.signUp(
                email: "m\(i)@example.test", password: "correct horse battery \(i)", name: name, locale: nil, address: "10.0.0.\(i)", kind: .api)
            members.append(signedUp.profile.memberID)
            try await Self.headline(first, signedUp.profile.memberID, i == 0 ? "Swift エンジニア" : "営業 manager")
        }
        try await Self.connect(first, members[0], members[1])
        #expect(first.graphStart == .storage(reason: "there is no snapshot yet"))
        let position = try #require(try await IndexSnapshotWriter.write(first.searchIndex, to: files))
        // The server's replay of the graph log has not run in this test: the snapshot stands where the start left it,
        // and the changes since are replayed after a restart.
        let graphAt = try #require(
            try await IndexSnapshotWriter.write(first.graph, replay: first.graphReplay, source: StoredGraphChanges(storage: storage), to: files))
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.directory).sorted() == ["graph.snapshot", "search.snapshot"], "no partial file is left behind")

        // Changes after the snapshot: an edit, a new member, a connection made and one removed.
        try await Self.headline(first, members[1], "Swift 営業")
        try await Self.connect(first, members[1], members[2])
        try await first.connections.remove(members[1], by: members[0])
        let late = try await first.accounts.signUp(
            email: "late@example.test", password: "correct horse battery late", name: "遅い 人", locale: nil, address: "10.0.0.9", kind: .api)

        let restarted = try await Self.services(storage, files)
        guard case .snapshot(let from, let replayed) = restarted.searchStart else {
            Issue.record("the restart did not use the snapshot: \(restarted.searchStart)")
            return
        }
        #expect(from.sequence == position.sequence && from.anchor == position.anchor)
        #expect(replayed >= 2)
        let fresh = try await Self.services(storage, nil)
        #expect(fresh.searchStart == .storage(reason: nil))
        for word in ["swift", "営業", "manager", "エン", "山田", "遅い"] {
            #expect(try Self.found(restarted, word) == Self.found(fresh, word), "\(word)")
        }
        #expect(try Self.found(restarted, "swift") == [members[0], members[1]].sorted())
        #expect(try Self.found(restarted, "遅い") == [late.profile.memberID])
        #expect(restarted.searchIndex.index.count == fresh.searchIndex.index.count)
        guard case .snapshot(let graphFrom, _, let replayedTo) = restarted.graphStart else {
            Issue.record("the restart did not use the graph snapshot: \(restarted.graphStart)")
            return
        }
        #expect(graphFrom == graphAt && replayedTo > graphAt)
        #expect(restarted.graph.areConnected(members[1], members[2]) && !restarted.graph.areConnected(members[0], members[1]))
        for a in members {
            #expect(restarted.graph.degrees(from: a, to: members) == fresh.graph.degrees(from: a, to: members))
            #expect(restarted.graph.connections(of: a).sorted() == fresh.graph.connections(of: a).sorted())
        }

        // A damaged byte in the middle of each file: refused, and the indexes are built from storage.
        for path in [files.searchPath, files.graphPath] {
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let afterDamage = try await Self.services(storage, files)
        guard case .storage(let graphReason?) = afterDamage.graphStart else {
            Issue.record("a damaged graph snapshot was used: \(afterDamage.graphStart)")
            return
        }
        #expect(graphReason.contains("checksum"))
        #expect(afterDamage.graph.areConnected(members[1], members[2]))
        guard case .storage(let reason?) = afterDamage.searchStart else {
            Issue.record("a damaged snapshot was used: \(afterDamage.searchStart)")
            return
        }
        #expect(reason.contains("checksum"))
        #expect(try Self.found(afterDamage, "swift") == Self.found(fresh, "swift"))
        try await storage.close()
    }
}
