import Logging
import TsunagariCore
import TsunagariSearch

/// Keeps the search index current: every stored profile change re-indexes that member in the same
/// request (a deleted member leaves it), and at start an index that does not cover every member is rebuilt.
public struct SearchIndexing: ProfileChangeObserver {
    let storage: any AppServices.Store
    /// Where entries are written: the index in memory, which writes them through to storage.
    let index: any SearchIndexStore
    let clock: any Clock
    let logger = Logger(label: "tsunagari.search-index")

    public func profileChanged(_ member: MemberID) async {
        do {
            guard let profile = try await storage.profile(id: member) else {
                try await index.deleteSearchEntry(member)
                return
            }
            try await index.upsertSearchEntries([ProfileIndexing.entry(for: profile)], at: clock.now())
        } catch {
            // The profile change itself is stored; the index catches up at the next change or start.
            logger.error("could not index a profile", metadata: ["error": .string("\(type(of: error))")])
        }
    }

    /// Indexes every member when the index holds fewer entries than there are members (first start after
    /// an upgrade, sample data, an import). Returns how many were indexed.
    public func rebuildIfIncomplete() async throws -> Int {
        guard try await storage.searchEntryCount() < storage.memberCount() else { return 0 }
        let members = try await storage.networkSnapshot().members
        var batch: [Profile] = []
        for member in members {
            guard let profile = try await storage.profile(id: member) else { continue }
            batch.append(profile)
            if batch.count == 1_000 {
                try await ProfileIndexing.index(batch, into: index, at: clock.now())
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await ProfileIndexing.index(batch, into: index, at: clock.now())
        return members.count
    }
}
