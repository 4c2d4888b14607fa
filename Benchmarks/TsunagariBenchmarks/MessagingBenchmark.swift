import Foundation
import GRDB
import Logging
import PostgresNIO
import TsunagariCore
import TsunagariGraph
import TsunagariStoragePostgres
import TsunagariStorageSQLite

/// `tsunagari bench messaging`: messages sent per second through `MessagingService.send` (the whole write: checks,
/// the transaction that adds the message and moves the markers, and the live event published: in process on
/// SQLite, `NOTIFY` on PostgreSQL), by many senders at once, with the time of each send; then the baseline in the
/// same database: the same number of rows inserted by plain SQL, one statement each, by as many writers.
public enum MessagingBenchmark {
    public struct Options: Sendable {
        public var messages: Int
        public var senders: Int
        public var databaseURL: String?
        public var sqlite: Bool

        public init(messages: Int, senders: Int, databaseURL: String?, sqlite: Bool) {
            self.messages = messages
            self.senders = senders
            self.databaseURL = databaseURL
            self.sqlite = sqlite
        }
    }

    typealias Store = MessagingStore & NotificationStore & NetworkStore & Storage

    public static func run(_ options: Options) async throws {
        if options.sqlite {
            let database = try SQLiteBenchDatabase()
            try await measure(name: "SQLite", storage: database.sqlite, events: LocalEventChannel(), options) { rows, writers in
                try await sqliteBaseline(database, rows: rows, writers: writers)
            }
            try? await database.finish(keep: false)
        }
        if let url = options.databaseURL {
            let database = try await PostgresBenchDatabase.create(serverURL: url)
            var logger = Logger(label: "tsunagari.bench")
            logger.logLevel = .error
            let events = PostgresEventChannel(storage: database.postgres, logger: logger)
            // Something listens, as on a server with open streams.
            let listener = Task { for await _ in events.events() {} }
            try await measure(name: "PostgreSQL", storage: database.postgres, events: events, options) { rows, writers in
                try await postgresBaseline(database, rows: rows, writers: writers)
            }
            listener.cancel()
            events.stop()
            try? await database.finish(keep: false)
        }
    }

    static func measure(
        name: String, storage: any Store, events: any LiveEventChannel, _ options: Options,
        baseline: (_ rows: Int, _ writers: Int) async throws -> (seconds: Double, timings: Timings)
    ) async throws {
        try await storage.migrate()
        let pairs = options.senders
        print("== \(name): \(SearchBenchmark.grouped(options.messages)) messages by \(pairs) senders, each in their own conversation ==")
        let now = Date()
        let members = (0..<(pairs * 2)).map { index -> NewMember in
            let id = MemberID(OpaqueID.make(at: now))
            let profile = Profile(
                memberID: id, role: .member, fields: ProfileFields(name: "送信者 \(index)", handle: "sender-\(index)"), positions: [],
                educations: [], skills: [], settings: ProfileSettings(), createdAt: now, updatedAt: now)
            return NewMember(
                account: Account(memberID: id, email: "sender\(index)@example.test", passwordHash: "unused", role: .member, createdAt: now),
                profile: profile)
        }
        try await storage.createMembers(members)
        let ids = members.map(\.account.memberID)
        _ = try await storage.importConnections((0..<pairs).map { (ids[2 * $0], ids[2 * $0 + 1], now) })
        let graph = MemberGraph(snapshot: try await storage.networkSnapshot())
        let service = MessagingService(storage: storage, graph: graph, clock: SystemClock(), events: events, limits: .relaxed)
        var conversations: [String] = []
        for pair in 0..<pairs {
            let started = try await service.start(with: [ids[2 * pair + 1]], text: "はじめまして", viewer: ids[2 * pair], role: .member)
            conversations.append(started.entry.conversation.id)
        }
        let conversationIDs = conversations
        let perSender = max(1, options.messages / pairs)
        let text = "来週の打ち合わせの件、資料を共有します。Let's meet on Tuesday at 10:00. よろしくお願いします。"
        let started = DispatchTime.now().uptimeNanoseconds
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for pair in 0..<pairs {
                group.addTask {
                    var timings = Timings()
                    for index in 0..<perSender {
                        // The two of a pair take turns, as in a real exchange.
                        let sender = ids[2 * pair + index % 2]
                        _ = try await timings.measureAsync { try await service.send(text: text, to: conversationIDs[pair], viewer: sender) }
                    }
                    return timings.samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let sent = Timings(samples: samples)
        let base = try await baseline(perSender * pairs, pairs)
        let rate = { (count: Int, seconds: Double) in SearchBenchmark.grouped(Int(Double(count) / seconds)) + "/s" }
        printTable(
            ["what", "messages", "seconds", "rate", "median", "p99"],
            [
                [
                    "MessagingService.send", SearchBenchmark.grouped(samples.count), String(format: "%.2f", seconds), rate(samples.count, seconds),
                    formatMilliseconds(sent.median), formatMilliseconds(sent.p99),
                ],
                [
                    "baseline: INSERT by SQL", SearchBenchmark.grouped(perSender * pairs), String(format: "%.2f", base.seconds),
                    rate(perSender * pairs, base.seconds), formatMilliseconds(base.timings.median), formatMilliseconds(base.timings.p99),
                ],
            ])
        // The counts agree with what was sent: the one who did not send the last message has it unread.
        let unread = try await storage.unreadConversationCount(of: ids[(perSender - 1) % 2 == 0 ? 1 : 0])
        print("check: the reader of the first pair's last message has \(unread) conversation(s) with unread messages")
        print("")
    }

    static func sqliteBaseline(_ database: SQLiteBenchDatabase, rows: Int, writers: Int) async throws -> (seconds: Double, timings: Timings) {
        // As the product's storage: WAL, synchronous=FULL (every commit on disk before it is acknowledged).
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: database.path, configuration: configuration)
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE bench_messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, sender_id TEXT NOT NULL, text TEXT NOT NULL, sent_at INTEGER NOT NULL)")
        }
        let perWriter = rows / writers
        let started = DispatchTime.now().uptimeNanoseconds
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var timings = Timings()
                    for _ in 0..<perWriter {
                        let id = OpaqueID.make(at: Date())
                        try await timings.measureAsync {
                            try await pool.write { db in
                                try db.execute(
                                    sql: "INSERT INTO bench_messages VALUES (?, ?, ?, ?, ?)",
                                    arguments: [id, "conversation-\(writer)", "sender", "来週の打ち合わせの件", 0])
                            }
                        }
                    }
                    return timings.samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        try pool.close()
        return (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, Timings(samples: samples))
    }

    static func postgresBaseline(_ database: PostgresBenchDatabase, rows: Int, writers: Int) async throws -> (seconds: Double, timings: Timings) {
        let client = database.client
        let logger = database.logger
        try await client.query(
            "CREATE TABLE bench_messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, sender_id TEXT NOT NULL, text TEXT NOT NULL, sent_at BIGINT NOT NULL)",
            logger: logger)
        let perWriter = rows / writers
        let started = DispatchTime.now().uptimeNanoseconds
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var timings = Timings()
                    for _ in 0..<perWriter {
                        let id = OpaqueID.make(at: Date())
                        let conversation = "conversation-\(writer)"
                        try await timings.measureAsync {
                            try await client.query(
                                "INSERT INTO bench_messages VALUES (\(id), \(conversation), 'sender', '来週の打ち合わせの件', 0)", logger: logger)
                        }
                    }
                    return timings.samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        return (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, Timings(samples: samples))
    }
}
