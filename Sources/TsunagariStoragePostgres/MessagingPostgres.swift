import Foundation
import Logging
import PostgresNIO
import TsunagariCore

extension PostgresStorage: MessagingStore {
    static func message(_ row: PostgresRandomAccessRow) throws -> Message {
        Message(
            id: try row["id"].decode(String.self), conversationID: try row["conversation_id"].decode(String.self),
            sender: MemberID(try row["sender_id"].decode(String.self)), text: try row["text"].decode(String.self),
            sentAt: StoredTime.date(try row["sent_at"].decode(Int64.self)))
    }

    static func conversation(_ row: PostgresRandomAccessRow, participants: [MemberID]) throws -> Conversation {
        let last = try row["last_message_id"].decode(String.self)
        return Conversation(
            id: try row["id"].decode(String.self), kind: ConversationKind(rawValue: try row["kind"].decode(String.self)) ?? .group,
            creator: MemberID(try row["creator_id"].decode(String.self)), participants: participants,
            pairKey: try row["pair_key"].decode(String?.self), createdAt: StoredTime.date(try row["created_at"].decode(Int64.self)),
            updatedAt: StoredTime.date(try row["updated_at"].decode(Int64.self)), lastMessageID: last.isEmpty ? nil : last,
            creditSpentAt: try row["credit_spent_at"].decode(Int64?.self).map(StoredTime.date))
    }

    /// Runs a read on a connection of a transaction, or on the pool.
    private func read(_ query: PostgresQuery, _ c: PostgresConnection?) async throws -> [PostgresRandomAccessRow] {
        if let c { return try await Self.collect(query, c, logger) }
        return try await rows(query)
    }

    private func participants(_ conversations: [String], _ c: PostgresConnection? = nil) async throws -> [String: [MemberID]] {
        guard !conversations.isEmpty else { return [:] }
        var result: [String: [MemberID]] = [:]
        for row in try await read(
            """
            SELECT conversation_id, member_id FROM conversation_participants WHERE conversation_id = ANY(\(conversations))
            ORDER BY ordinal
            """, c)
        {
            result[try row["conversation_id"].decode(String.self), default: []].append(MemberID(try row["member_id"].decode(String.self)))
        }
        return result
    }

    /// The conversation with its participants, in one round trip.
    private func conversation(_ id: String, _ c: PostgresConnection?) async throws -> Conversation? {
        guard
            let row = try await read(
                """
                SELECT c.*, ARRAY(SELECT member_id FROM conversation_participants p WHERE p.conversation_id = c.id ORDER BY ordinal)
                  AS participant_ids
                FROM conversations c WHERE c.id = \(id)
                """, c
            ).first
        else { return nil }
        return try Self.conversation(row, participants: try row["participant_ids"].decode([String].self).map(MemberID.init))
    }

    static func insertMessage(_ m: Message, _ c: PostgresConnection, _ logger: Logger) async throws {
        // One round trip: the message, the conversation's latest, the sender's read marker.
        try await c.query(
            """
            WITH added AS (
              INSERT INTO messages (id, conversation_id, sender_id, text, sent_at)
              VALUES (\(m.id), \(m.conversationID), \(m.sender.rawValue), \(m.text), \(StoredTime.millis(m.sentAt)))
            ), latest AS (
              UPDATE conversations SET last_message_id = GREATEST(last_message_id, \(m.id)),
                updated_at = GREATEST(updated_at, \(StoredTime.millis(m.sentAt)))
              WHERE id = \(m.conversationID)
            )
            UPDATE conversation_participants SET last_read_id = GREATEST(last_read_id, \(m.id))
            WHERE conversation_id = \(m.conversationID) AND member_id = \(m.sender.rawValue)
            """, logger: logger)
    }

    static func insertConversation(_ conversation: Conversation, messages: [Message], _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query(
            """
            INSERT INTO conversation_participants (conversation_id, member_id, ordinal)
            SELECT \(conversation.id), member, ordinal - 1 FROM unnest(\(conversation.participants.map(\.rawValue))::text[])
              WITH ORDINALITY AS t(member, ordinal)
            """, logger: logger)
        for message in messages { try await insertMessage(message, c, logger) }
    }

    public func startConversation(_ conversation: Conversation, messages: [Message]) async throws -> (conversation: Conversation, created: Bool) {
        try await transaction { c in
            let inserted = try await Self.collect(
                """
                INSERT INTO conversations (id, kind, creator_id, pair_key, created_at, updated_at, credit_spent_at)
                VALUES (\(conversation.id), \(conversation.kind.rawValue), \(conversation.creator.rawValue), \(conversation.pairKey),
                  \(StoredTime.millis(conversation.createdAt)), \(StoredTime.millis(conversation.updatedAt)),
                  \(conversation.creditSpentAt.map(StoredTime.millis)))
                ON CONFLICT (pair_key) DO NOTHING RETURNING id
                """, c, self.logger)
            if inserted.isEmpty, let key = conversation.pairKey {
                // The pair has a conversation (perhaps committed a moment ago by another request): the messages go there.
                guard let row = try await Self.collect("SELECT id FROM conversations WHERE pair_key = \(key) FOR UPDATE", c, self.logger).first
                else { throw DomainError(.conflict, code: "conflict", message: "The conversation changed; try again.") }
                let id = try row["id"].decode(String.self)
                for var message in messages {
                    message.conversationID = id
                    try await Self.insertMessage(message, c, self.logger)
                }
                return (try await self.conversation(id, c)!, false)
            }
            try await Self.insertConversation(conversation, messages: messages, c, self.logger)
            return (try await self.conversation(conversation.id, c)!, true)
        }
    }

    public func conversation(id: String) async throws -> Conversation? {
        try await conversation(id, nil)
    }

    public func conversation(id: String, participant member: MemberID) async throws -> (conversation: Conversation, blocked: Set<MemberID>)? {
        var found: (conversation: Conversation, blocked: Set<MemberID>)?
        for try await row in try await client.execute(ConversationForParticipant(id: id, member: member.rawValue), logger: logger) {
            found = row
        }
        guard let found, found.conversation.participants.contains(member) else { return nil }
        return found
    }

    public func conversation(pairKey: String) async throws -> Conversation? {
        guard let row = try await rows("SELECT * FROM conversations WHERE pair_key = \(pairKey)").first else { return nil }
        let id = try row["id"].decode(String.self)
        return try Self.conversation(row, participants: try await participants([id])[id] ?? [])
    }

    /// One statement, so one round trip and one commit; nothing is written unless the sender is a participant.
    public func addMessage(_ message: Message) async throws -> Bool {
        var added = 0
        for try await count in try await client.execute(AddMessage(message), logger: logger) { added = count }
        return added == 1
    }

    public func message(id: String) async throws -> Message? {
        try await rows("SELECT * FROM messages WHERE id = \(id)").first.map(Self.message)
    }

    private func entries(_ rows: [PostgresRandomAccessRow]) async throws -> [ConversationEntry] {
        let ids = try rows.map { try $0["id"].decode(String.self) }
        let participants = try await participants(ids)
        let lastIDs = try rows.map { try $0["last_message_id"].decode(String.self) }.filter { !$0.isEmpty }
        var last: [String: Message] = [:]
        if !lastIDs.isEmpty {
            for row in try await self.rows("SELECT * FROM messages WHERE id = ANY(\(lastIDs))") {
                let message = try Self.message(row)
                last[message.conversationID] = message
            }
        }
        return try rows.map { row in
            let id = try row["id"].decode(String.self)
            return ConversationEntry(
                conversation: try Self.conversation(row, participants: participants[id] ?? []), lastMessage: last[id],
                unreadCount: try row["unread"].decode(Int.self))
        }
    }

    public func conversations(of member: MemberID, before cursor: String?, limit: Int) async throws -> [ConversationEntry] {
        try await entries(
            try await rows(
                """
                SELECT c.*, (SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.id > p.last_read_id
                  LIMIT \(MessagingLimits.unreadCap)) u)::int AS unread
                FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                WHERE p.member_id = \(member.rawValue) AND (\(cursor)::text IS NULL OR c.last_message_id < \(cursor))
                ORDER BY c.last_message_id DESC LIMIT \(limit)
                """))
    }

    public func conversationEntry(id: String, for member: MemberID) async throws -> ConversationEntry? {
        try await entries(
            try await rows(
                """
                SELECT c.*, (SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.id > p.last_read_id
                  LIMIT \(MessagingLimits.unreadCap)) u)::int AS unread
                FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
                WHERE p.member_id = \(member.rawValue) AND c.id = \(id)
                """)
        ).first
    }

    public func messages(in conversation: String, before cursor: String?, limit: Int) async throws -> [Message] {
        try await rows(
            """
            SELECT * FROM messages WHERE conversation_id = \(conversation) AND (\(cursor)::text IS NULL OR id < \(cursor))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.message)
    }

    public func messages(for member: MemberID, after: String, limit: Int) async throws -> [Message] {
        try await rows(
            """
            SELECT m.* FROM conversation_participants p JOIN messages m ON m.conversation_id = p.conversation_id
            WHERE p.member_id = \(member.rawValue) AND m.id > \(after) ORDER BY m.id LIMIT \(limit)
            """
        ).map(Self.message)
    }

    public func markRead(conversation: String, member: MemberID, upTo: String) async throws -> Bool {
        try await !rows(
            """
            UPDATE conversation_participants SET last_read_id = GREATEST(last_read_id, \(upTo))
            WHERE conversation_id = \(conversation) AND member_id = \(member.rawValue) RETURNING 1
            """
        ).isEmpty
    }

    public func unreadConversationCount(of member: MemberID) async throws -> Int {
        // Held in memory: the header of every page counts them (the conversation triggers log the member's change).
        await replayCacheChanges()
        return try await cache.unreadConversations(of: member) {
            var values = Values()
            values.add(member.rawValue)
            return try await read(UnreadConversationCount.self, values).first?["n"].decode(Int.self) ?? 0
        }
    }

    public func forwardIntroduction(id: String, note: String?, at date: Date, conversation: Conversation, messages: [Message]) async throws -> Bool {
        try await transaction { c in
            let updated = try await Self.collect(
                """
                UPDATE introductions SET status = 'forwarded', forward_note = \(note), updated_at = \(StoredTime.millis(date)),
                  conversation_id = \(conversation.id)
                WHERE id = \(id) AND status = 'pending' RETURNING id
                """, c, self.logger)
            guard !updated.isEmpty else { return false }
            try await c.query(
                """
                INSERT INTO conversations (id, kind, creator_id, pair_key, created_at, updated_at)
                VALUES (\(conversation.id), \(conversation.kind.rawValue), \(conversation.creator.rawValue), \(conversation.pairKey),
                  \(StoredTime.millis(conversation.createdAt)), \(StoredTime.millis(conversation.updatedAt)))
                """, logger: self.logger)
            try await Self.insertConversation(conversation, messages: messages, c, self.logger)
            return true
        }
    }

    public func returnCredit(conversation: String) async throws -> Date? {
        // The old value, from the row as it was before the update.
        try await rows(
            """
            UPDATE conversations c SET credit_spent_at = NULL FROM conversations old
            WHERE c.id = \(conversation) AND old.id = c.id AND c.credit_spent_at IS NOT NULL RETURNING old.credit_spent_at
            """
        ).first.map { StoredTime.date(try $0["credit_spent_at"].decode(Int64.self)) }
    }
}

/// The statements of sending a message, prepared once per connection: a message is the busiest write there is, and
/// parsing and planning these on every send cost the database more than running them (docs/BENCHMARKS.md).
struct ConversationForParticipant: PostgresPreparedStatement {
    static let sql = """
        SELECT c.id, c.kind, c.creator_id, c.pair_key, c.created_at, c.updated_at, c.last_message_id, c.credit_spent_at,
          ARRAY(SELECT member_id FROM conversation_participants p WHERE p.conversation_id = c.id ORDER BY ordinal) AS participant_ids,
          ARRAY(
            SELECT b.blocked_id FROM blocks b WHERE b.blocker_id = $2
              AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.member_id = b.blocked_id)
            UNION ALL
            SELECT b.blocker_id FROM blocks b WHERE b.blocked_id = $2
              AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.member_id = b.blocker_id)
          ) AS blocked_ids
        FROM conversations c WHERE c.id = $1
        """
    typealias Row = (conversation: Conversation, blocked: Set<MemberID>)

    var id: String
    var member: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(id)
        bindings.append(member)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, kind, creator, pairKey, createdAt, updatedAt, last, credit, participants, blocked) = try row.decode(
            (String, String, String, String?, Int64, Int64, String, Int64?, [String], [String]).self)
        let conversation = Conversation(
            id: id, kind: ConversationKind(rawValue: kind) ?? .group, creator: MemberID(creator), participants: participants.map(MemberID.init),
            pairKey: pairKey, createdAt: StoredTime.date(createdAt), updatedAt: StoredTime.date(updatedAt), lastMessageID: last.isEmpty ? nil : last,
            creditSpentAt: credit.map(StoredTime.date))
        return (conversation, Set(blocked.map(MemberID.init)))
    }
}

/// The message, the conversation's latest message and time, and the sender's read marker, in one statement; nothing
/// unless the sender is a participant (the marker's row is found, and locked, by the same probe that checks it).
/// Answers how many messages it added (0 or 1).
struct AddMessage: PostgresPreparedStatement {
    static let sql = """
        WITH marker AS (
          UPDATE conversation_participants SET last_read_id = GREATEST(last_read_id, $1)
          WHERE conversation_id = $2 AND member_id = $3
          RETURNING 1
        ), added AS (
          INSERT INTO messages (id, conversation_id, sender_id, text, sent_at)
          SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM marker)
          RETURNING id
        ), latest AS (
          UPDATE conversations SET last_message_id = GREATEST(last_message_id, $1), updated_at = GREATEST(updated_at, $5)
          WHERE id = $2 AND EXISTS (SELECT 1 FROM added)
        )
        SELECT COUNT(*)::int FROM added
        """
    typealias Row = Int

    var message: Message

    init(_ message: Message) { self.message = message }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(message.id)
        bindings.append(message.conversationID)
        bindings.append(message.sender.rawValue)
        bindings.append(message.text)
        bindings.append(StoredTime.millis(message.sentAt))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
}

/// How many of a member's conversations hold a message they have not read: every page's header asks it.
enum UnreadConversationCount: FixedSQL {
    static let sql = """
        SELECT COUNT(*)::int AS n FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.member_id = $1::text AND c.last_message_id > p.last_read_id
        """
}
