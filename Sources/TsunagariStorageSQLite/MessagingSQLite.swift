import Foundation
import GRDB
import TsunagariCore

extension SQLiteStorage: MessagingStore {
    static func message(_ row: Row) -> Message {
        Message(
            id: row["id"], conversationID: row["conversation_id"], sender: MemberID(row["sender_id"]), text: row["text"],
            sentAt: StoredTime.date(row["sent_at"]))
    }

    static func conversation(_ id: String, _ db: Database) throws -> Conversation? {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM conversations WHERE id = ?", arguments: [id]) else { return nil }
        return try conversation(row, participants: participants([id], db)[id] ?? [])
    }

    static func conversation(_ row: Row, participants: [MemberID]) throws -> Conversation {
        let last: String = row["last_message_id"]
        return Conversation(
            id: row["id"], kind: ConversationKind(rawValue: row["kind"]) ?? .group, creator: MemberID(row["creator_id"]),
            participants: participants, pairKey: row["pair_key"], createdAt: StoredTime.date(row["created_at"]),
            updatedAt: StoredTime.date(row["updated_at"]), lastMessageID: last.isEmpty ? nil : last,
            creditSpentAt: (row["credit_spent_at"] as Int64?).map(StoredTime.date))
    }

    static func participants(_ conversations: [String], _ db: Database) throws -> [String: [MemberID]] {
        guard !conversations.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: conversations.count).joined(separator: ",")
        var result: [String: [MemberID]] = [:]
        for row in try Row.fetchAll(
            cached: db,
            sql: "SELECT conversation_id, member_id FROM conversation_participants WHERE conversation_id IN (\(marks)) ORDER BY ordinal",
            arguments: StatementArguments(conversations))
        {
            result[row["conversation_id"], default: []].append(MemberID(row["member_id"]))
        }
        return result
    }

    static func insertMessage(_ m: Message, _ db: Database) throws {
        try db.execute(
            cached: "INSERT INTO messages (id, conversation_id, sender_id, text, sent_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [m.id, m.conversationID, m.sender.rawValue, m.text, StoredTime.millis(m.sentAt)])
        try db.execute(
            cached: "UPDATE conversations SET last_message_id = MAX(last_message_id, ?), updated_at = MAX(updated_at, ?) WHERE id = ?",
            arguments: [m.id, StoredTime.millis(m.sentAt), m.conversationID])
        try db.execute(
            cached: "UPDATE conversation_participants SET last_read_id = MAX(last_read_id, ?) WHERE conversation_id = ? AND member_id = ?",
            arguments: [m.id, m.conversationID, m.sender.rawValue])
    }

    static func insertConversation(_ c: Conversation, messages: [Message], _ db: Database) throws {
        try db.execute(
            cached: """
                INSERT INTO conversations (id, kind, creator_id, pair_key, created_at, updated_at, credit_spent_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                c.id, c.kind.rawValue, c.creator.rawValue, c.pairKey, StoredTime.millis(c.createdAt), StoredTime.millis(c.updatedAt),
                c.creditSpentAt.map(StoredTime.millis),
            ])
        for (ordinal, member) in c.participants.enumerated() {
            try db.execute(
                cached: "INSERT INTO conversation_participants (conversation_id, member_id, ordinal) VALUES (?, ?, ?)",
                arguments: [c.id, member.rawValue, ordinal])
        }
        for message in messages { try insertMessage(message, db) }
    }

    public func startConversation(_ conversation: Conversation, messages: [Message]) async throws -> (conversation: Conversation, created: Bool) {
        try await write { db in
            // SQLite has one writer: no other transaction can take the pair between this look and the insert.
            if let key = conversation.pairKey,
                let id = try String.fetchOne(cached: db, sql: "SELECT id FROM conversations WHERE pair_key = ?", arguments: [key])
            {
                for var message in messages {
                    message.conversationID = id
                    try Self.insertMessage(message, db)
                }
                return (try Self.conversation(id, db)!, false)
            }
            try Self.insertConversation(conversation, messages: messages, db)
            return (try Self.conversation(conversation.id, db)!, true)
        }
    }

    public func conversation(id: String) async throws -> Conversation? {
        try await pool.read { db in try Self.conversation(id, db) }
    }

    public func conversation(id: String, participant member: MemberID) async throws -> (conversation: Conversation, blocked: Set<MemberID>)? {
        try await pool.read { db in
            guard let conversation = try Self.conversation(id, db), conversation.participants.contains(member) else { return nil }
            let blocked = try String.fetchAll(
                cached: db,
                sql: """
                    SELECT p.member_id FROM conversation_participants p JOIN blocks b
                      ON (b.blocker_id = ? AND b.blocked_id = p.member_id) OR (b.blocked_id = ? AND b.blocker_id = p.member_id)
                    WHERE p.conversation_id = ?
                    """,
                arguments: [member.rawValue, member.rawValue, id])
            return (conversation, Set(blocked.map(MemberID.init)))
        }
    }

    public func conversation(pairKey: String) async throws -> Conversation? {
        try await pool.read { db in
            guard let id = try String.fetchOne(cached: db, sql: "SELECT id FROM conversations WHERE pair_key = ?", arguments: [pairKey]) else {
                return nil
            }
            return try Self.conversation(id, db)
        }
    }

    public func addMessage(_ message: Message) async throws -> Bool {
        try await write { db in
            guard
                try Bool.fetchOne(
                    cached: db, sql: "SELECT 1 FROM conversation_participants WHERE conversation_id = ? AND member_id = ?",
                    arguments: [message.conversationID, message.sender.rawValue]) != nil
            else { return false }
            try Self.insertMessage(message, db)
            return true
        }
    }

    public func message(id: String) async throws -> Message? {
        try await pool.read { db in try Row.fetchOne(cached: db, sql: "SELECT * FROM messages WHERE id = ?", arguments: [id]).map(Self.message) }
    }

    static let entryColumns = """
        c.*, p.last_read_id AS read_marker,
          (SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.id > p.last_read_id LIMIT \(MessagingLimits.unreadCap)))
          AS unread
        """

    static func entries(_ rows: [Row], _ db: Database) throws -> [ConversationEntry] {
        let ids: [String] = rows.map { $0["id"] }
        let participants = try participants(ids, db)
        let lastIDs: [String] = rows.map { $0["last_message_id"] }.filter { !($0 as String).isEmpty }
        var last: [String: Message] = [:]
        if !lastIDs.isEmpty {
            let marks = Array(repeating: "?", count: lastIDs.count).joined(separator: ",")
            for row in try Row.fetchAll(cached: db, sql: "SELECT * FROM messages WHERE id IN (\(marks))", arguments: StatementArguments(lastIDs)) {
                let message = message(row)
                last[message.conversationID] = message
            }
        }
        return try rows.map { row in
            let id: String = row["id"]
            return ConversationEntry(
                conversation: try conversation(row, participants: participants[id] ?? []), lastMessage: last[id], unreadCount: row["unread"])
        }
    }

    public func conversations(of member: MemberID, before cursor: String?, limit: Int) async throws -> [ConversationEntry] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT \(Self.entryColumns)
                    FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                    WHERE p.member_id = ? AND (? IS NULL OR c.last_message_id < ?)
                    ORDER BY c.last_message_id DESC LIMIT ?
                    """,
                arguments: [member.rawValue, cursor, cursor, limit])
            return try Self.entries(rows, db)
        }
    }

    public func conversationEntry(id: String, for member: MemberID) async throws -> ConversationEntry? {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT \(Self.entryColumns)
                    FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                    WHERE p.member_id = ? AND c.id = ?
                    """,
                arguments: [member.rawValue, id])
            return try Self.entries(rows, db).first
        }
    }

    public func messages(in conversation: String, before cursor: String?, limit: Int) async throws -> [Message] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db, sql: "SELECT * FROM messages WHERE conversation_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
                arguments: [conversation, cursor, cursor, limit]
            ).map(Self.message)
        }
    }

    public func messages(for member: MemberID, after: String, limit: Int) async throws -> [Message] {
        try await pool.read { db in
            try Row.fetchAll(
                cached: db,
                sql: """
                    SELECT m.* FROM conversation_participants p JOIN messages m ON m.conversation_id = p.conversation_id
                    WHERE p.member_id = ? AND m.id > ? ORDER BY m.id LIMIT ?
                    """,
                arguments: [member.rawValue, after, limit]
            ).map(Self.message)
        }
    }

    public func markRead(conversation: String, member: MemberID, upTo: String) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: "UPDATE conversation_participants SET last_read_id = MAX(last_read_id, ?) WHERE conversation_id = ? AND member_id = ?",
                arguments: [upTo, conversation, member.rawValue])
            return db.changesCount > 0
        }
    }

    public func unreadConversationCount(of member: MemberID) async throws -> Int {
        // Held in memory: the header of every page counts them (the conversation triggers log the member's change).
        try await replayCacheChanges()
        return try await cache.unreadConversations(of: member) {
            try await pool.read { db in
                try Int.fetchOne(
                    cached: db,
                    sql: """
                        SELECT COUNT(*) FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                        WHERE p.member_id = ? AND c.last_message_id > p.last_read_id
                        """,
                    arguments: [member.rawValue]) ?? 0
            }
        }
    }

    public func forwardIntroduction(id: String, note: String?, at date: Date, conversation: Conversation, messages: [Message]) async throws -> Bool {
        try await write { db in
            try db.execute(
                cached: """
                    UPDATE introductions SET status = 'forwarded', forward_note = ?, updated_at = ?, conversation_id = ?
                    WHERE id = ? AND status = 'pending'
                    """,
                arguments: [note, StoredTime.millis(date), conversation.id, id])
            guard db.changesCount > 0 else { return false }
            try Self.insertConversation(conversation, messages: messages, db)
            return true
        }
    }

    public func returnCredit(conversation: String) async throws -> Date? {
        try await write { db in
            guard
                let spent = try Int64.fetchOne(
                    cached: db, sql: "SELECT credit_spent_at FROM conversations WHERE id = ? AND credit_spent_at IS NOT NULL", arguments: [conversation])
            else { return nil }
            try db.execute(cached: "UPDATE conversations SET credit_spent_at = NULL WHERE id = ?", arguments: [conversation])
            return StoredTime.date(spent)
        }
    }
}
