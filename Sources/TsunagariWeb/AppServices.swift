import Crypto
import Foundation
import HummingbirdBcrypt
import Logging
import TsunagariCore
import TsunagariGraph
import TsunagariMail
import TsunagariSearch
import TsunagariStoragePostgres
import TsunagariStorageSQLite

/// The domain services wired to one storage, shared by every request.
///
/// A class, though nothing in it changes: every route group holds it, and a struct of some forty services (each a
/// struct of its own references) was copied, retained and released field by field with each route's handler, 1–2% of
/// a profile page.
public final class AppServices: Sendable {
    public typealias Store = Storage & NetworkStore & SearchEntryStore & SavedSearchStore & NotificationStore & MessagingStore & PostStore & JobStore
        & ContactStore & ModerationStore & MailStore & PhotoStore & VersionedProfileReading

    public let configuration: AppConfiguration
    public let storage: any Store
    public let graph: MemberGraph
    /// How far the graph change log is replayed into `graph` (by `GraphCatchUp`).
    public let graphReplay: LockedValue<ChangeLogCursor>
    /// Whether the graph index came from a snapshot or from storage at start.
    public let graphStart: GraphIndexStart
    /// The search index in memory over storage's entries.
    public let searchIndex: SearchEngine
    /// Whether the search index came from a snapshot or from storage at start.
    public let searchStart: SearchIndexStart
    public let clock: any Clock
    public let tokens: any TokenIssuer
    public let accounts: AccountService
    public let profiles: ProfileService
    public let connections: ConnectionService
    public let network: NetworkService
    public let searchIndexing: SearchIndexing
    public let search: PeopleSearchService
    public let savedSearches: SavedSearchService
    /// Carries live events between instances (or within this one).
    public let events: any LiveEventChannel
    public let notifications: NotificationService
    public let messaging: MessagingService
    /// The event streams open on this instance.
    public let eventHub: EventHub
    /// The feed index in memory over the graph index.
    public let feedIndex: FeedIndex
    /// The post search index in memory.
    public let postSearch: PostSearchIndex
    public let posts: PostService
    /// The job search index in memory (open jobs).
    public let jobSearch: JobSearchIndex
    /// Where the job change log stood when the job search index was filled.
    public let jobsApplied: Int64
    public let jobs: JobService
    /// LinkedIn exports and business cards coming in; contacts.
    public let dataImport: DataImportService
    /// "Reach through your colleagues" on company pages.
    public let colleagueReach: ColleagueReachService
    /// The moderation queue and operator actions.
    public let moderation: ModerationService
    /// Verification, password reset and the daily digest; `settings.enabled` is false without an SMTP server.
    public let mail: MailService
    /// Where queued mail is sent: an SMTP client for the configured server; nil when mail is off.
    public let mailTransport: (any MailTransport)?
    /// Profile photos and banners.
    public let photos: PhotoService
    /// Photos served lately, by address (they never change under it).
    let photoCache = PhotoCache()
    /// When each change log was last replayed to its end (for `/metrics`).
    public let catchUp = CatchUpMonitor()

    /// Wires the services; the graph and search indexes are built from storage here, before any request.
    public init(
        configuration: AppConfiguration, storage: any Store, clock: any Clock = SystemClock(), hasher: (any PasswordHasher)? = nil,
        events: (any LiveEventChannel)? = nil, progress: ProgressReport = .none, mailTransport: (any MailTransport)? = nil,
        photoProcessor: (any PhotoProcessing)? = nil, snapshots: IndexSnapshotFiles? = nil
    ) async throws {
        self.configuration = configuration
        self.storage = storage
        self.clock = clock
        let events = events ?? LocalEventChannel()
        self.events = events
        let notifications = NotificationService(storage: storage, events: events, clock: clock)
        self.notifications = notifications
        eventHub = EventHub(channel: events, heartbeat: .seconds(configuration.heartbeatInterval))
        let tokens = RandomTokens()
        self.tokens = tokens
        // Each index is built from storage, the longest first; start-up reports each as it completes.
        progress("graph index", 0)
        let (graph, graphCursor, graphStart) = try await GraphSnapshot.start(
            storage: storage, source: StoredGraphChanges(storage: storage), files: snapshots)
        self.graph = graph
        graphReplay = LockedValue(graphCursor)
        self.graphStart = graphStart
        progress("graph index", graph.graph.nodeCount, of: graph.graph.nodeCount)
        let hasher = hasher ?? BcryptPasswordHasher(cost: configuration.bcryptCost)
        let searchIndex = SearchEngine(store: storage)
        searchStart = try await searchIndex.start(from: snapshots, expected: graph.graph.nodeCount, report: progress)
        self.searchIndex = searchIndex
        let searchIndexing = SearchIndexing(storage: storage, index: searchIndex, clock: clock)
        self.searchIndexing = searchIndexing
        let mailEnabled = configuration.mail != nil
        self.mailTransport = mailTransport ?? configuration.mail.map { SMTPClient(configuration: $0.smtp) }
        accounts = AccountService(
            storage: storage, hasher: hasher, tokens: tokens, clock: clock, limits: configuration.rateLimits, graph: graph,
            observer: searchIndexing, verifiesEmail: mailEnabled)
        profiles = ProfileService(storage: storage, clock: clock, graph: graph, observer: searchIndexing)
        photos = PhotoService(
            storage: storage, processor: photoProcessor ?? VipsPhotoProcessing(),
            throttle: configuration.rateLimits.photoUploadsPerMember,
            clock: clock, observer: searchIndexing)
        connections = ConnectionService(
            storage: storage, graph: graph, clock: clock, limits: configuration.networkLimits, notifications: notifications)
        network = NetworkService(
            storage: storage, graph: graph, clock: clock, notifications: notifications, events: events,
            suggestionReadsPerHour: configuration.networkLimits.suggestionReadsPerHour)
        messaging = MessagingService(storage: storage, graph: graph, clock: clock, events: events, limits: configuration.messagingLimits)
        let feedIndex = FeedIndex(graph: graph)
        self.feedIndex = feedIndex
        let postSearch = PostSearchIndex()
        self.postSearch = postSearch
        progress("feed and post search", 0)
        let loadedPosts = try await PostService.load(
            storage: storage, index: feedIndex, search: postSearch, since: clock.now().addingTimeInterval(-feedIndex.window.days * 86_400))
        progress("feed and post search", loadedPosts, of: loadedPosts)
        let posts = PostService(
            storage: storage, graph: graph, index: feedIndex, search: postSearch, network: network, notifications: notifications, events: events,
            clock: clock, limits: configuration.postLimits)
        self.posts = posts
        eventHub.setPostAudience { author, viewer in posts.reachesFeed(author: author, viewer: viewer) }
        let search = PeopleSearchService(
            storage: storage, index: searchIndex, graph: graph, clock: clock, limits: configuration.searchLimits,
            filterQueries: ProfileIndexing.filterQueries)
        self.search = search
        let jobSearch = JobSearchIndex()
        progress("job search", 0)
        jobsApplied = try await JobService.load(storage: storage, search: jobSearch)
        progress("job search", jobSearch.count, of: jobSearch.count)
        self.jobSearch = jobSearch
        let jobs = JobService(
            storage: storage, graph: graph, search: jobSearch, employers: searchIndex, network: network, notifications: notifications, clock: clock,
            limits: configuration.jobLimits)
        self.jobs = jobs
        dataImport = DataImportService(
            storage: storage, clock: clock, observer: searchIndexing, imports: configuration.rateLimits.importsPerMember)
        colleagueReach = ColleagueReachService(storage: storage, graph: graph, network: network)
        mail = MailService(
            storage: storage, tokens: tokens, hasher: hasher, clock: clock,
            settings: MailService.Settings(enabled: mailEnabled, publicURL: configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)"),
            observer: searchIndexing,
            unread: { [notifications, messaging = self.messaging] member in
                (try await notifications.unreadCount(of: member), try await messaging.unreadConversations(of: member))
            })
        moderation = ModerationService(
            storage: storage, clock: clock, removed: { resolved in await posts.moderated(resolved) },
            suspension: { member, suspended in
                if suspended {
                    // Storage has deleted the search entry and logged both changes; this instance follows at once.
                    graph.apply(GraphChange(sequence: 0, kind: .memberSuspended, a: member, b: nil))
                    searchIndex.index.remove(member)
                } else {
                    graph.restore(member, connections: (try? await storage.connections(of: member).map(\.other)) ?? [])
                    await searchIndexing.profileChanged(member)
                }
            })
        savedSearches = SavedSearchService(
            storage: storage, search: search, clock: clock, announce: { await notifications.announce($0) },
            jobMatches: { saved, since in
                // A saved query that no longer compiles (only punctuation) finds nothing rather than every job.
                let query = saved.query.isEmpty ? nil : ProfileIndexing.compile(try QueryParser.parse(saved.query))
                if !saved.query.isEmpty && query == nil { return [] }
                return try await jobs.matches(query, filters: JobFilters(formEncoded: saved.filters), viewer: saved.member, since: since)
            }
        ) { text in
            ProfileIndexing.compile(try QueryParser.parse(text))
        }
    }

    /// After a sign-up: with outgoing mail on, the verification link goes out (queued; a failure to queue is logged and
    /// the sign-up stands: the member can ask again from the banner).
    public func signedUp(_ member: MemberID, logger: Logger) async {
        guard mail.settings.enabled else { return }
        do {
            try await mail.sendVerification(to: member)
        } catch {
            logger.warning("could not queue the verification mail", metadata: ["error": .string("\(error)")])
        }
    }

    /// SQLite in the data directory, or PostgreSQL when a database URL is configured; migrated.
    public static func openStorage(_ configuration: AppConfiguration, logger: Logger) async throws -> any Store {
        let storage: any Store
        if let url = configuration.databaseURL {
            storage = try PostgresStorage(url: url, logger: logger)
        } else {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            storage = try SQLiteStorage(path: (configuration.dataDirectory as NSString).appendingPathComponent("tsunagari.sqlite"))
        }
        try await storage.migrate()
        return storage
    }

    /// The live event channel for the storage: `LISTEN/NOTIFY` on PostgreSQL, in process on SQLite (one process).
    public static func eventChannel(for storage: any Store, logger: Logger) -> any LiveEventChannel {
        if let postgres = storage as? PostgresStorage { return PostgresEventChannel(storage: postgres, logger: logger) }
        return LocalEventChannel()
    }
}

/// bcrypt, after SHA-256: bcrypt reads only the first 72 bytes of its input, and a long Japanese
/// passphrase passes that in 24 characters. The digest (base64, 44 bytes) keeps every character significant.
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8

    public init(cost: UInt8) { self.cost = cost }

    static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    public func hash(_ password: String) -> String { Bcrypt.hash(Self.prehash(password), cost: cost) }

    public func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(Self.prehash(password), hash: hash) }
}

/// 256-bit random tokens (base64url, 43 characters); stored as their SHA-256.
public struct RandomTokens: TokenIssuer {
    public init() {}

    public func newToken() -> String {
        // Four draws of 64 bits: a draw is a system call, and a byte at a time made 32 of them.
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return Page.base64URL(bytes)
    }

    public func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }
}

extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits a byte (what `String(format: "%02x")` wrote, at a fraction of its cost:
    /// a session's token is digested on every request).
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
