import Foundation
import GRDB
import TsunagariCore

// Certifications, languages, projects, volunteer work and contact details (migration 018).
extension SQLiteStorage {
    public func saveEntry(_ entry: ProfileEntry, for member: MemberID, isNew: Bool, at date: Date) async throws -> Bool {
        let body = try entry.encoded()
        return try await write { db in try Self.saveEntry(entry, body: body, member: member, isNew: isNew, at: date, db) }
    }

    @discardableResult
    static func saveEntry(_ entry: ProfileEntry, body: String, member: MemberID, isNew: Bool, at date: Date, _ db: Database) throws -> Bool {
        if isNew {
            try db.execute(
                cached: "INSERT INTO profile_entries (member_id, kind, id, body, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [member.rawValue, entry.kind.rawValue, entry.id, body, StoredTime.millis(date)])
        } else {
            try db.execute(
                cached: "UPDATE profile_entries SET body = ? WHERE member_id = ? AND kind = ? AND id = ?",
                arguments: [body, member.rawValue, entry.kind.rawValue, entry.id])
            guard db.changesCount > 0 else { return false }
        }
        try touch(member, date, db)
        return true
    }

    public func deleteEntry(kind: ProfileEntryKind, id: String, for member: MemberID, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM profile_entries WHERE member_id = ? AND kind = ? AND id = ?",
                arguments: [member.rawValue, kind.rawValue, id])
            guard db.changesCount > 0 else { return false }
            try Self.touch(member, date, db)
            return true
        }
    }

    public func updateContact(_ contact: ContactInfo, for member: MemberID, at date: Date) async throws {
        let stored = contact.stored
        try await write { db in
            try db.execute(
                cached: "UPDATE members SET contact_info = ?, updated_at = ? WHERE id = ?",
                arguments: [stored, StoredTime.millis(date), member.rawValue])
        }
    }

    /// The member's entries in the order they were added.
    static func entries(_ member: String, _ db: Database) throws -> [ProfileEntry] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, body FROM profile_entries WHERE member_id = ? ORDER BY created_at, id"),
            arguments: [member]
        ).compactMap { ProfileEntry.decode(kind: $0["kind"], body: $0["body"]) }
    }

    /// Writes a new member's entries (sample data and imports).
    static func insertEntries(_ profile: Profile, _ db: Database) throws {
        // Spaced a millisecond apart so that they keep their order when read back; the profile keeps its own time.
        for (offset, entry) in profile.entries.enumerated() {
            try db.execute(
                cached: "INSERT INTO profile_entries (member_id, kind, id, body, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    profile.memberID.rawValue, entry.kind.rawValue, entry.id, try entry.encoded(),
                    StoredTime.millis(profile.updatedAt) + Int64(offset),
                ])
        }
    }

    // MARK: Public profiles

    static let publicProfileCondition = "profile_visibility = 'public' AND suspended_at IS NULL AND email_verified"

    public func publicProfileCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM members WHERE \(Self.publicProfileCondition)") ?? 0 }
    }

    public func publicProfiles(offset: Int, limit: Int) async throws -> [(handle: String, updatedAt: Date)] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT handle, updated_at FROM members WHERE \(Self.publicProfileCondition) ORDER BY handle_key LIMIT ? OFFSET ?",
                arguments: [limit, offset]
            ).map { (handle: $0["handle"], updatedAt: StoredTime.date($0["updated_at"])) }
        }
    }

    // MARK: Handles given up

    /// Refuses a handle another member gave up less than `Handle.reservation` ago.
    static func checkHandleFree(_ key: String, for member: MemberID, at date: Date, _ db: Database) throws {
        let holder = try String.fetchOne(
            cached: db, sql: "SELECT member_id FROM handle_history WHERE handle_key = ? AND released_at > ?",
            arguments: [key, StoredTime.millis(date.addingTimeInterval(-Handle.reservation))])
        if let holder, holder != member.rawValue {
            throw DomainError(.conflict, code: "handle_taken", message: "This handle is taken.")
        }
    }

    /// Before the member's handle changes to `newKey`: keeps the old one for them, and takes back a handle of theirs
    /// they gave up before.
    static func releaseHandle(of member: MemberID, newKey: String, at date: Date, _ db: Database) throws {
        guard let oldKey = try String.fetchOne(cached: db, sql: "SELECT handle_key FROM members WHERE id = ?", arguments: [member.rawValue]),
            oldKey != newKey
        else { return }
        try checkHandleFree(newKey, for: member, at: date, db)
        try db.execute(
            cached: """
                INSERT INTO handle_history (handle_key, member_id, released_at) VALUES (?, ?, ?)
                ON CONFLICT (handle_key) DO UPDATE SET member_id = excluded.member_id, released_at = excluded.released_at
                """, arguments: [oldKey, member.rawValue, StoredTime.millis(date)])
        try db.execute(cached: "DELETE FROM handle_history WHERE handle_key = ?", arguments: [newKey])
    }

    public func formerHandleOwner(_ handle: String, at date: Date) async throws -> MemberID? {
        try await pool.read { db in
            try String.fetchOne(
                cached: db, sql: "SELECT member_id FROM handle_history WHERE handle_key = ? AND released_at > ?",
                arguments: [Handle.key(handle), StoredTime.millis(date.addingTimeInterval(-Handle.reservation))]
            ).map(MemberID.init)
        }
    }

}

// Photos and banners (migration 018): stored in the database, so backups hold them.
extension SQLiteStorage: PhotoStore {
    public func setPhoto(_ photo: ProcessedPhoto, kind: PhotoKind, for member: MemberID, at date: Date) async throws {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM photos WHERE member_id = ? AND kind = ?", arguments: [member.rawValue, kind.rawValue])
            for (variant, bytes) in photo.images {
                try db.execute(
                    cached: "INSERT INTO photos (id, variant, member_id, kind, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [photo.id, variant.rawValue, member.rawValue, kind.rawValue, Data(bytes), StoredTime.millis(date)])
            }
            try db.execute(
                cached: "UPDATE members SET \(kind == .photo ? "photo_id" : "banner_id") = ?, updated_at = ? WHERE id = ?",
                arguments: [photo.id, StoredTime.millis(date), member.rawValue])
        }
    }

    public func removePhoto(kind: PhotoKind, for member: MemberID, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM photos WHERE member_id = ? AND kind = ?", arguments: [member.rawValue, kind.rawValue])
            let column = kind == .photo ? "photo_id" : "banner_id"
            try db.execute(
                cached: "UPDATE members SET \(column) = NULL, updated_at = ? WHERE id = ? AND \(column) IS NOT NULL",
                arguments: [StoredTime.millis(date), member.rawValue])
            return db.changesCount > 0
        }
    }

    public func photoImage(id: String, variant: PhotoVariant) async throws -> [UInt8]? {
        try await pool.read { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT bytes FROM photos WHERE id = ? AND variant = ? LIMIT 1"),
                arguments: [id, variant.rawValue]
            ).map { [UInt8]($0) }
        }
    }
}
