import Foundation
import Logging
import PostgresNIO
import TsunagariCore

// Certifications, languages, projects, volunteer work and contact details (migration 18).
extension PostgresStorage {
    public func saveEntry(_ entry: ProfileEntry, for member: MemberID, isNew: Bool, at date: Date) async throws -> Bool {
        let body = try entry.encoded()
        return try await transaction { c in
            try await Self.saveEntry(entry, body: body, member: member, isNew: isNew, at: date, c, self.logger)
        }
    }

    @discardableResult
    static func saveEntry(
        _ entry: ProfileEntry, body: String, member: MemberID, isNew: Bool, at date: Date, _ c: PostgresConnection, _ logger: Logger
    ) async throws -> Bool {
        if isNew {
            try await c.query(
                """
                INSERT INTO profile_entries (member_id, kind, id, body, created_at)
                VALUES (\(member.rawValue), \(entry.kind.rawValue), \(entry.id), \(body), \(StoredTime.millis(date)))
                """, logger: logger)
        } else {
            var updated = false
            for try await _ in try await c.query(
                """
                UPDATE profile_entries SET body = \(body)
                WHERE member_id = \(member.rawValue) AND kind = \(entry.kind.rawValue) AND id = \(entry.id) RETURNING id
                """, logger: logger) { updated = true }
            guard updated else { return false }
        }
        try await touch(member, date, c, logger)
        return true
    }

    public func deleteEntry(kind: ProfileEntryKind, id: String, for member: MemberID, at date: Date) async throws -> Bool {
        try await transaction { c in
            var deleted = false
            for try await _ in try await c.query(
                """
                DELETE FROM profile_entries WHERE member_id = \(member.rawValue) AND kind = \(kind.rawValue) AND id = \(id)
                RETURNING id
                """, logger: self.logger) { deleted = true }
            guard deleted else { return false }
            try await Self.touch(member, date, c, self.logger)
            return true
        }
    }

    public func updateContact(_ contact: ContactInfo, for member: MemberID, at date: Date) async throws {
        let stored = contact.stored
        try await transaction { c in
            try await c.query(
                "UPDATE members SET contact_info = \(stored), updated_at = \(StoredTime.millis(date)) WHERE id = \(member.rawValue)",
                logger: self.logger)
        }
    }

    /// Writes a new member's entries and contact details.
    static func insertEntries(_ profile: Profile, _ c: PostgresConnection, _ logger: Logger) async throws {
        // A millisecond apart, so that they keep their order when read back; the profile keeps its own time.
        for (offset, entry) in profile.entries.enumerated() {
            try await c.query(
                """
                INSERT INTO profile_entries (member_id, kind, id, body, created_at)
                VALUES (\(profile.memberID.rawValue), \(entry.kind.rawValue), \(entry.id), \(try entry.encoded()),
                  \(StoredTime.millis(profile.updatedAt) + Int64(offset)))
                """, logger: logger)
        }
        if !profile.contact.isEmpty {
            try await c.query(
                "UPDATE members SET contact_info = \(profile.contact.stored) WHERE id = \(profile.memberID.rawValue)",
                logger: logger)
        }
    }

    // MARK: Public profiles

    public func publicProfileCount() async throws -> Int {
        try await rows(
            "SELECT COUNT(*) AS n FROM members WHERE profile_visibility = 'public' AND suspended_at IS NULL AND email_verified"
        ).first?["n"].decode(Int.self) ?? 0
    }

    public func publicProfiles(offset: Int, limit: Int) async throws -> [(handle: String, updatedAt: Date)] {
        try await rows(
            """
            SELECT handle, updated_at FROM members
            WHERE profile_visibility = 'public' AND suspended_at IS NULL AND email_verified
            ORDER BY handle_key COLLATE "C" LIMIT \(limit) OFFSET \(offset)
            """
        ).map { (handle: try $0["handle"].decode(String.self), updatedAt: StoredTime.date(try $0["updated_at"].decode(Int64.self))) }
    }

    // MARK: Handles given up

    /// Refuses a handle another member gave up less than `Handle.reservation` ago.
    static func checkHandleFree(_ key: String, for member: MemberID, at date: Date, _ c: PostgresConnection, _ logger: Logger) async throws {
        let since = StoredTime.millis(date.addingTimeInterval(-Handle.reservation))
        for try await holder in try await c.query(
            "SELECT member_id FROM handle_history WHERE handle_key = \(key) AND released_at > \(since)", logger: logger
        ).decode(String.self) where holder != member.rawValue {
            throw DomainError(.conflict, code: "handle_taken", message: "This handle is taken.")
        }
    }

    /// Before the member's handle changes to `newKey`: keeps the old one for them, and takes back a handle of theirs
    /// they gave up before. The member's row is locked first, so two changes of one member's handle run one after
    /// the other.
    static func releaseHandle(of member: MemberID, newKey: String, at date: Date, _ c: PostgresConnection, _ logger: Logger) async throws {
        var oldKey: String?
        for try await key in try await c.query(
            "SELECT handle_key FROM members WHERE id = \(member.rawValue) FOR UPDATE", logger: logger
        ).decode(String.self) { oldKey = key }
        guard let oldKey, oldKey != newKey else { return }
        try await checkHandleFree(newKey, for: member, at: date, c, logger)
        try await c.query(
            """
            INSERT INTO handle_history (handle_key, member_id, released_at) VALUES (\(oldKey), \(member.rawValue), \(StoredTime.millis(date)))
            ON CONFLICT (handle_key) DO UPDATE SET member_id = excluded.member_id, released_at = excluded.released_at
            """, logger: logger)
        try await c.query("DELETE FROM handle_history WHERE handle_key = \(newKey)", logger: logger)
    }

    public func formerHandleOwner(_ handle: String, at date: Date) async throws -> MemberID? {
        let since = StoredTime.millis(date.addingTimeInterval(-Handle.reservation))
        return try await rows(
            "SELECT member_id FROM handle_history WHERE handle_key = \(Handle.key(handle)) AND released_at > \(since)"
        ).first.map { MemberID(try $0["member_id"].decode(String.self)) }
    }
}

// Photos and banners (migration 18): stored as bytea, so every instance sharing the database serves them.
extension PostgresStorage: PhotoStore {
    public func setPhoto(_ photo: ProcessedPhoto, kind: PhotoKind, for member: MemberID, at date: Date) async throws {
        let column = kind == .photo ? "photo_id" : "banner_id"
        try await transaction { c in
            try await c.query(
                "DELETE FROM photos WHERE member_id = \(member.rawValue) AND kind = \(kind.rawValue)", logger: self.logger)
            for (variant, bytes) in photo.images {
                try await c.query(
                    """
                    INSERT INTO photos (id, variant, member_id, kind, bytes, created_at)
                    VALUES (\(photo.id), \(variant.rawValue), \(member.rawValue), \(kind.rawValue), \(ByteBuffer(bytes: bytes)),
                      \(StoredTime.millis(date)))
                    """, logger: self.logger)
            }
            var bindings = PostgresBindings()
            bindings.append(photo.id)
            bindings.append(StoredTime.millis(date))
            bindings.append(member.rawValue)
            try await c.query(
                PostgresQuery(unsafeSQL: "UPDATE members SET \(column) = $1, updated_at = $2 WHERE id = $3", binds: bindings),
                logger: self.logger)
        }
    }

    public func removePhoto(kind: PhotoKind, for member: MemberID, at date: Date) async throws -> Bool {
        let column = kind == .photo ? "photo_id" : "banner_id"
        return try await transaction { c in
            try await c.query(
                "DELETE FROM photos WHERE member_id = \(member.rawValue) AND kind = \(kind.rawValue)", logger: self.logger)
            var bindings = PostgresBindings()
            bindings.append(StoredTime.millis(date))
            bindings.append(member.rawValue)
            var removed = false
            for try await _ in try await c.query(
                PostgresQuery(
                    unsafeSQL: "UPDATE members SET \(column) = NULL, updated_at = $1 WHERE id = $2 AND \(column) IS NOT NULL RETURNING id",
                    binds: bindings), logger: self.logger) { removed = true }
            return removed
        }
    }

    public func photoImage(id: String, variant: PhotoVariant) async throws -> [UInt8]? {
        guard let row = try await rows(
            "SELECT bytes FROM photos WHERE id = \(id) AND variant = \(variant.rawValue) LIMIT 1"
        ).first else { return nil }
        var buffer = try row["bytes"].decode(ByteBuffer.self)
        return buffer.readBytes(length: buffer.readableBytes)
    }
}
