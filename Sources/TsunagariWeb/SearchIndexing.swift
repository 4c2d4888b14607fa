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

    /// Two changes of one profile may be indexed in the reverse order of their storing: each entry carries the
    /// profile's version read before the profile (so no higher than what the entry holds), and neither storage nor
    /// the index in memory replaces an entry with one of a lower version.
    @discardableResult
    public func profileChanged(_ member: MemberID) async -> Profile? {
        do {
            return try await index(member, try await storage.versionedProfile(id: member))
        } catch {
            // The profile change itself is stored; the index catches up at the next change or start.
            logger.error("could not index a profile", metadata: ["error": .string("\(type(of: error))")])
            return nil
        }
    }

    /// The profile as its write gave it back, indexed without reading it again.
    public func profileChanged(_ member: MemberID, as written: (profile: Profile, version: Int64)) async -> Profile? {
        do {
            return try await index(member, written)
        } catch {
            logger.error("could not index a profile", metadata: ["error": .string("\(type(of: error))")])
            return written.profile
        }
    }

    /// Writes the member's entry from the profile found (removes it when none, or when the member may not be found).
    private func index(_ member: MemberID, _ found: (profile: Profile, version: Int64)?) async throws -> Profile? {
        // A member waiting to verify their address is not found yet (nor a suspended or deleted one).
        guard let (profile, version) = found, try await storage.account(id: member)?.emailVerified == true else {
            try await index.deleteSearchEntry(member)
            return found?.profile
        }
        try await index.upsertSearchEntries([Self.entry(for: profile, version: version)], at: clock.now())
        return profile
    }

    /// Writes the member's entry to storage from their profile (logged, so every instance's index follows): for a
    /// process without an index in memory, such as `tsunagari admin`.
    public static func reindex(_ member: MemberID, storage: any AppServices.Store) async {
        await SearchIndexing(storage: storage, index: SearchEngine(store: storage), clock: SystemClock()).profileChanged(member)
    }

    /// Indexes every member when the index holds fewer entries than there are members (first start after
    /// an upgrade, sample data, an import). Returns how many were indexed.
    public func rebuildIfIncomplete() async throws -> Int {
        guard try await storage.searchEntryCount() < storage.searchableMemberCount() else { return 0 }
        let members = try await storage.networkSnapshot().members
        var start = 0
        while start < members.count {
            let slice = Array(members[start..<min(start + 1_000, members.count)])
            start += slice.count
            // As for one change: the versions first, then the profiles.
            let versions = try await storage.profileVersions(of: slice)
            var batch: [Profile] = []
            for member in slice {
                if let profile = try await storage.profile(id: member) { batch.append(profile) }
            }
            try await ProfileIndexing.index(batch, versions: versions, into: index, at: clock.now())
        }
        return members.count
    }

    static func entry(for profile: Profile, version: Int64) -> SearchIndexEntry {
        var entry = ProfileIndexing.entry(for: profile)
        entry.version = version
        return entry
    }
}
