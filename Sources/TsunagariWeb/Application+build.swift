import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Crypto
import TsunagariCore
import TsunagariPhotos
import TsunagariMail
import TsunagariGraph
import TsunagariSearch
import TsunagariStoragePostgres

/// Builds the router with every middleware and route; the server and the in-process tests both use it.
public func buildRouter(_ services: AppServices) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: [.autoGenerateHeadEndpoints])
    let routeTable = RouteTable()
    AppMetrics.start()
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: ShallowConnectionMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: PageCompressionMiddleware())
    router.add(middleware: ViewerMiddleware(services: services))
    router.add(middleware: ErrorMiddleware(services: services, routes: routeTable))
    router.add(middleware: FormMiddleware(routes: routeTable))

    router.get("healthz") { _, _ -> Response in
        do {
            try await services.storage.ping()
            return APIResponse.json(.object(["status": .string("ok")]))
        } catch {
            return APIResponse.error(.serviceUnavailable, code: "database_unavailable", message: "The database does not answer.")
        }
    }
    router.get("openapi.json") { _, _ -> Response in
        var response = Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: StaticAssets.openAPIDocument)))
        response.headers[.cacheControl] = "public, max-age=300"
        return response
    }
    router.get("static/{file}") { request, context -> Response in
        guard let name = context.parameters.get("file"), let asset = StaticAssets.files[name] else {
            throw DomainError.notFound("File")
        }
        return StaticAssets.response(asset, request: request)
    }
    // Pages name their icon; a browser that asks the old address anyway is sent to it, not given a page saying no.
    router.get("favicon.ico") { _, _ -> Response in
        Response(status: .movedPermanently, headers: [.location: StaticAssets.url("icon.svg"), .cacheControl: "public, max-age=86400"])
    }
    // Readiness, apart from liveness (`/healthz`): the database answers and every index has caught up with its change
    // log lately, so a load balancer sends requests only to an instance whose answers are current.
    router.get("readyz") { _, _ -> Response in
        do {
            try await services.storage.ping()
        } catch {
            return APIResponse.error(.serviceUnavailable, code: "database_unavailable", message: "The database does not answer.")
        }
        let behind = services.catchUp.behind(maximumAge: CatchUpMonitor.readinessAge)
        guard behind.isEmpty else {
            return APIResponse.error(
                .serviceUnavailable, code: "not_ready", message: "Catching up with the change logs: \(behind.joined(separator: ", ")).")
        }
        return APIResponse.json(.object(["status": .string("ready")]))
    }
    AppMetrics.register(on: router, services: services)
    APIRoutes(services: services).register(on: router)
    NetworkAPIRoutes(services: services).register(on: router)
    SearchAPIRoutes(services: services).register(on: router)
    MessagingAPIRoutes(services: services).register(on: router)
    NotificationAPIRoutes(services: services).register(on: router)
    PostAPIRoutes(services: services).register(on: router)
    PageRoutes(services: services).register(on: router)
    NetworkPageRoutes(services: services).register(on: router)
    SearchPageRoutes(services: services).register(on: router)
    MessagingPageRoutes(services: services).register(on: router)
    NotificationPageRoutes(services: services).register(on: router)
    PostPageRoutes(services: services).register(on: router)
    JobAPIRoutes(services: services).register(on: router)
    DataAPIRoutes(services: services).register(on: router)
    DataPageRoutes(services: services).register(on: router)
    JobPageRoutes(services: services).register(on: router)
    ModerationPageRoutes(services: services).register(on: router)
    MailAPIRoutes(services: services).register(on: router)
    ProfileEntriesAPIRoutes(services: services).register(on: router)
    ProfileEntriesPageRoutes(services: services).register(on: router)
    PublicProfileRoutes(services: services).register(on: router)
    PhotoRoutes(services: services).register(on: router)
    MailPageRoutes(services: services).register(on: router)
    routeTable.load(router.routes.map { ($0.path.description, $0.method.rawValue) })
    return router
}

/// Which methods each registered path takes, so that a known path asked with another method is
/// answered 405 with `Allow` rather than 404.
final class RouteTable: @unchecked Sendable {
    private var entries: [(segments: [Substring], methods: Set<String>)] = []

    /// Called once, before the server starts; read-only afterwards.
    func load(_ routes: [(path: String, method: String)]) {
        var byPath: [String: Set<String>] = [:]
        for route in routes {
            byPath[route.path, default: []].insert(route.method)
            // HEAD is answered wherever GET is.
            if route.method == "GET" { byPath[route.path, default: []].insert("HEAD") }
        }
        entries = byPath.map { (segments: $0.key.split(separator: "/"), methods: $0.value) }
    }

    /// The methods allowed on `path`, or nil if no route has that shape. As in the router, a literal segment wins over
    /// a parameter at the same place: `/invitations/bulk` takes only what that route takes, not `/invitations/{id}`'s.
    func methods(for path: String) -> Set<String>? {
        let parts = path.split(separator: "/")
        var found: Set<String>?
        var best: [Bool] = []
        for entry in entries where entry.segments.count == parts.count {
            var literal: [Bool] = []
            let matches = zip(entry.segments, parts).allSatisfy { pattern, part in
                let parameter = pattern.hasPrefix("{") && pattern.hasSuffix("}")
                literal.append(!parameter)
                return parameter || pattern == part
            }
            guard matches else { continue }
            if found == nil || Self.moreSpecific(literal, than: best) {
                found = entry.methods
                best = literal
            } else if literal == best {
                found?.formUnion(entry.methods)
            }
        }
        return found
    }

    /// True when, at the first segment where the two shapes differ, `a` has a literal and `b` a parameter.
    static func moreSpecific(_ a: [Bool], than b: [Bool]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x }
        return false
    }
}

/// The whole application for `serve`: storage opened and migrated, sample data if asked, the HTTP server.
public func buildApplication(_ configuration: AppConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let storage = try await AppServices.openStorage(configuration, logger: logger)
    let progress = ProgressReport.shown(to: logger)
    if configuration.demo, try await storage.memberCount() == 0 {
        let members = try await SampleData.fill(
            storage, hasher: BcryptPasswordHasher(cost: configuration.bcryptCost), members: configuration.demoMembers, seed: 1,
            now: SampleData.referenceDate, progress: progress)
        let photos = try await SamplePhotos.fill(storage, count: min(members, 300), logger: logger)
        logger.info(
            "filled an empty database with sample data", metadata: ["members": .stringConvertible(members), "photos": .stringConvertible(photos)])
    }
    let snapshots = configuration.indexSnapshotInterval > 0 ? IndexSnapshotFiles(dataDirectory: configuration.dataDirectory) : nil
    let services = try await AppServices(
        configuration: configuration, storage: storage, events: AppServices.eventChannel(for: storage, logger: logger), progress: progress,
        snapshots: snapshots)
    var searchSnapshotAt: Int64?
    switch services.searchStart {
    case .snapshot(let position, let replayed):
        searchSnapshotAt = position.sequence
        logger.info(
            "search index loaded from its snapshot",
            metadata: [
                "sequence": .stringConvertible(position.sequence), "changes replayed": .stringConvertible(replayed),
                "snapshot age seconds": .stringConvertible(Int(Date().timeIntervalSince(position.takenAt))),
            ])
    case .storage(let reason?):
        logger.info("search index filled from storage", metadata: ["snapshot not used": .string(reason)])
    case .storage(nil):
        break
    }
    var graphSnapshotAt: Int64?
    switch services.graphStart {
    case .snapshot(let sequence, let takenAt, let replayedTo):
        graphSnapshotAt = sequence
        logger.info(
            "graph index loaded from its snapshot",
            metadata: [
                "sequence": .stringConvertible(sequence), "replayed to": .stringConvertible(replayedTo),
                "snapshot age seconds": .stringConvertible(Int(Date().timeIntervalSince(takenAt))),
            ])
    case .storage(let reason?):
        logger.info("graph index built from storage", metadata: ["snapshot not used": .string(reason)])
    case .storage(nil):
        break
    }
    let indexed = try await services.searchIndexing.rebuildIfIncomplete()
    if indexed > 0 { logger.info("search index rebuilt", metadata: ["members": .stringConvertible(indexed)]) }
    logger.info(
        "search index in memory",
        metadata: [
            "members": .stringConvertible(services.searchIndex.index.count),
            "megabytes": .stringConvertible(services.searchIndex.index.approximateBytes / 1_048_576),
        ])
    logger.info(
        "graph index built",
        metadata: ["members": .stringConvertible(services.graph.graph.nodeCount), "connections": .stringConvertible(services.graph.graph.edgeCount)])
    let app = Application(
        router: buildRouter(services),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tsunagari"),
        // A graceful shutdown stops services in the reverse of this order, each after the one before has ended: the
        // database is closed last, when nothing reads it any more (closed first, a catch-up under way logged a
        // failed read at one stop in ten).
        services: [
            StorageCloser(storage: storage, events: services.events),
            GraphCatchUp(
                source: StoredGraphChanges(storage: storage), graph: services.graph, replay: services.graphReplay, monitor: services.catchUp,
                logger: logger),
            SearchCatchUp(engine: services.searchIndex, monitor: services.catchUp, logger: logger),
            IndexSnapshotWriter(
                engine: services.searchIndex, graph: services.graph, graphReplay: services.graphReplay,
                graphSource: StoredGraphChanges(storage: storage),
                files: snapshots ?? IndexSnapshotFiles(dataDirectory: configuration.dataDirectory),
                interval: .seconds(configuration.indexSnapshotInterval), searchStartedAt: searchSnapshotAt, graphStartedAt: graphSnapshotAt,
                logger: logger, enabled: snapshots != nil),
            ChangeLogReplay(log: "feed", applied: services.feedIndex.appliedSequence, monitor: services.catchUp, logger: logger) {
                [posts = services.posts] cursor, now in
                try await posts.catchUp(&cursor, now: now)
            },
            ChangeLogReplay(log: "job", applied: services.jobsApplied, monitor: services.catchUp, logger: logger) { [jobs = services.jobs] cursor, now in
                try await jobs.catchUp(&cursor, now: now)
            },
            ThrottlePruner(storage: storage, clock: services.clock, logger: logger),
            SavedSearchWatcher(service: services.savedSearches, interval: configuration.savedSearchInterval, logger: logger),
            MailDelivery(
                storage: storage, mail: services.mail, transport: services.mailTransport ?? NoMailTransport(),
                from: MailAddress(configuration.mail?.from ?? "no-reply@localhost", name: configuration.mail?.fromName), logger: logger,
                enabled: configuration.mail != nil),
            services.eventHub,
        ],
        logger: logger)
    return app
}

/// Closes the database when the server shuts down (SIGTERM / SIGINT), after requests drain.
struct StorageCloser: Service {
    let storage: any Storage
    let events: any LiveEventChannel

    func run() async throws {
        try? await gracefulShutdown()
        // The live events' listening connection first: closed under it, it took the shutdown for a lost connection
        // and said so in a warning.
        (events as? PostgresEventChannel)?.stop()
        try await storage.close()
    }
}

/// What replaying the graph change log reads: the log, and the present truth of a change found late.
protocol GraphChangeSource: Sendable {
    func graphChanges(after sequence: Int64, limit: Int) async throws -> [GraphChange]
    func graphChanges(sequences: [Int64]) async throws -> [GraphChange]
    func connectedAt(_ a: MemberID, _ b: MemberID) async throws -> Date?
    func hidesList(_ member: MemberID) async throws -> Bool?
    func follows(_ follower: MemberID, _ followee: MemberID) async throws -> Bool
    /// Whether an operator suspended the member; nil when there is no such member.
    func suspended(_ member: MemberID) async throws -> Bool?
    /// The member's stored connections (a suspended member's too).
    func storedConnections(of member: MemberID) async throws -> [MemberID]
}

struct StoredGraphChanges: GraphChangeSource {
    let storage: any AppServices.Store

    func graphChanges(after sequence: Int64, limit: Int) async throws -> [GraphChange] {
        try await storage.graphChanges(after: sequence, limit: limit)
    }

    func graphChanges(sequences: [Int64]) async throws -> [GraphChange] { try await storage.graphChanges(sequences: sequences) }

    func connectedAt(_ a: MemberID, _ b: MemberID) async throws -> Date? { try await storage.connectedAt(a, b) }

    func follows(_ follower: MemberID, _ followee: MemberID) async throws -> Bool { try await storage.follows(follower, followee) }

    func hidesList(_ member: MemberID) async throws -> Bool? {
        try await storage.profile(id: member, includingSuspended: true).map { $0.settings.connectionsVisibility == .onlyMe }
    }

    func suspended(_ member: MemberID) async throws -> Bool? {
        try await storage.account(id: member).map { !$0.isActive }
    }

    func storedConnections(of member: MemberID) async throws -> [MemberID] {
        try await storage.connections(of: member).map(\.other)
    }
}

/// Replays the graph change log so that this instance sees connections made through other instances
/// sharing the database within a second. Changes this instance made itself are already applied and
/// replay harmlessly. A gap in the sequence (a transaction that has not committed yet) is waited for
/// up to two seconds; a number passed over is asked for again for ten minutes (`ChangeLogCursor`), and a change
/// found late is applied as the database now has it (connected or not, list hidden or not, member there or not),
/// since later changes of the same pair may have been applied already.
struct GraphCatchUp: Service {
    let source: any GraphChangeSource
    let graph: MemberGraph
    /// How far the log is replayed; shared with the snapshot writer, which stands a snapshot there.
    let replay: LockedValue<ChangeLogCursor>
    let monitor: CatchUpMonitor
    let logger: Logger
    static let interval: Duration = .milliseconds(250)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    var cursor = replay.withLock { $0 }
                    try await Self.step(&cursor, source: source, graph: graph, now: Date())
                    let done = cursor
                    replay.withLock { $0 = done }
                    monitor.passed("graph")
                } catch {
                    logger.warning("could not read the graph change log", metadata: ["error": .string("\(type(of: error))")])
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    /// One pass: the changes after the cursor, in order, then any passed-over numbers that have since committed.
    static func step(_ cursor: inout ChangeLogCursor, source: any GraphChangeSource, graph: MemberGraph, now: Date) async throws {
        for change in try await source.graphChanges(after: cursor.applied, limit: 5_000) {
            guard cursor.admit(change.sequence, now: now) else { break }
            switch change.kind {
            // Restoring needs the stored connections; a suspension is applied as it stands now, so a restore that
            // came after it is not undone.
            case .memberSuspended, .memberRestored: try await applyAsStoredNow(change, source: source, graph: graph)
            default: graph.apply(change)
            }
        }
        let late = cursor.lateSequences(now: now)
        guard !late.isEmpty else { return }
        for change in try await source.graphChanges(sequences: late) {
            try await applyAsStoredNow(change, source: source, graph: graph)
            cursor.found(change.sequence)
        }
    }

    static func applyAsStoredNow(_ change: GraphChange, source: any GraphChangeSource, graph: MemberGraph) async throws {
        switch change.kind {
        case .connected, .disconnected:
            guard let b = change.b else { return }
            let connected = try await source.connectedAt(change.a, b) != nil
            graph.apply(GraphChange(sequence: 0, kind: connected ? .connected : .disconnected, a: change.a, b: b))
            // Connecting and disconnecting reset the pair's follows; set them as stored now.
            for (x, y) in [(change.a, b), (b, change.a)] {
                let follows = try await source.follows(x, y)
                graph.apply(GraphChange(sequence: 0, kind: follows ? .followed : .unfollowed, a: x, b: y))
            }
        case .followed, .unfollowed:
            guard let b = change.b else { return }
            let follows = try await source.follows(change.a, b)
            graph.apply(GraphChange(sequence: 0, kind: follows ? .followed : .unfollowed, a: change.a, b: b))
        case .memberSuspended, .memberRestored:
            switch try await source.suspended(change.a) {
            case nil: graph.apply(GraphChange(sequence: 0, kind: .memberRemoved, a: change.a, b: nil))
            case true?: graph.apply(GraphChange(sequence: 0, kind: .memberSuspended, a: change.a, b: nil))
            case false?: graph.restore(change.a, connections: try await source.storedConnections(of: change.a))
            }
        case .listHidden, .listShown, .memberRemoved:
            guard let hidden = try await source.hidesList(change.a) else {
                graph.apply(GraphChange(sequence: 0, kind: .memberRemoved, a: change.a, b: nil))
                return
            }
            graph.apply(GraphChange(sequence: 0, kind: hidden ? .listHidden : .listShown, a: change.a, b: nil))
        }
    }
}

/// Replays the search change log into this instance's index in memory, so that profile changes made through
/// other instances sharing the database are found here within a second (see `SearchEngine.catchUp`).
struct SearchCatchUp: Service {
    let engine: SearchEngine
    let monitor: CatchUpMonitor
    let logger: Logger
    static let interval: Duration = .milliseconds(250)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    // A long backlog (another instance indexing in bulk) is read without pausing.
                    while try await engine.catchUp() == 5_000 {}
                    monitor.passed("search")
                } catch {
                    logger.warning("could not read the search change log", metadata: ["error": .string("\(type(of: error))")])
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}

/// Replays a change log into this instance's index in memory every 250 ms (see `ChangeLogCursor`), so that what any
/// instance writes reaches every instance's feed or job search within a second.
struct ChangeLogReplay: Service {
    /// What the log is of, for the log message.
    let log: String
    let applied: Int64
    let monitor: CatchUpMonitor
    let logger: Logger
    /// Applies the changes after the cursor and returns how many were read (a full batch is read again at once).
    let replay: @Sendable (inout ChangeLogCursor, Date) async throws -> Int
    static let interval: Duration = .milliseconds(250)
    static let batch = 5_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var cursor = ChangeLogCursor(applied: applied, anchored: applied > 0)
            while !Task.isCancelled {
                do {
                    while try await replay(&cursor, Date()) == Self.batch {}
                    monitor.passed(log)
                } catch {
                    logger.warning("could not read the \(log) change log", metadata: ["error": .string("\(type(of: error))")])
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}

/// Drops rate-limit attempts older than the longest window (the monthly search cap) every ten minutes.
struct ThrottlePruner: Service {
    let storage: any AppServices.Store
    let clock: any TsunagariCore.Clock
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await storage.pruneAttempts(before: clock.now().addingTimeInterval(-RateLimits.longestWindow))
                    // Every instance has caught up with changes older than an hour long ago.
                    try await storage.pruneGraphChanges(before: clock.now().addingTimeInterval(-60 * 60))
                    try await storage.pruneSearchChanges(before: clock.now().addingTimeInterval(-60 * 60))
                    try await storage.pruneFeedChanges(before: clock.now().addingTimeInterval(-60 * 60))
                    try await storage.pruneJobChanges(before: clock.now().addingTimeInterval(-60 * 60))
                    // Its rows are written with the database's clock, not this instance's: an hour covers any skew.
                    try await storage.pruneMemberCacheChanges(before: Date().addingTimeInterval(-60 * 60))
                } catch {
                    logger.warning("could not prune rate-limit attempts", metadata: ["error": .string("\(type(of: error))")])
                }
                try? await Task.sleep(for: .seconds(600))
            }
        }
    }
}

/// Checks the saved searches that are due for members who newly match them, and notifies their owners.
/// Instances sharing a database claim each search before checking it, so only one announces.
struct SavedSearchWatcher: Service {
    let service: SavedSearchService
    let interval: Int
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let made = try await service.checkDue(interval: TimeInterval(interval))
                    if made > 0 { logger.info("saved searches found new members", metadata: ["notifications": .stringConvertible(made)]) }
                } catch {
                    logger.warning("could not check saved searches", metadata: ["error": .string("\(type(of: error))")])
                }
                try? await Task.sleep(for: .seconds(max(1, min(interval, 10))))
            }
        }
    }
}

enum StaticAssets {
    struct Asset: Sendable {
        let data: [UInt8]
        let contentType: String
        /// The first 16 hex digits of the content's SHA-256: the ETag, and the `v` of the address pages link to.
        let version: String
        /// The same bytes gzip-compressed once at start, for clients that accept it; nil when that saves nothing.
        let gzipped: [UInt8]?

        init(data: [UInt8], contentType: String) {
            self.data = data
            self.contentType = contentType
            version = SHA256.hash(data: data).prefix(8).hexString
            let compressed = GzipEncoder.shared.compress(data, effort: .smallest)
            gzipped = compressed.flatMap { $0.readableBytes < data.count * 9 / 10 ? Array($0.readableBytesView) : nil }
        }
    }

    /// The address pages link to: versioned by content, so it may be cached for ever and changes with the file.
    static func url(_ name: String) -> String {
        guard let asset = files[name] else { return "/static/\(name)" }
        return "/static/\(name)?v=\(asset.version)"
    }

    /// The asset with its validator: a year and `immutable` when asked by its versioned address (an hour otherwise),
    /// 304 when the client has it, gzip when the client accepts it.
    static func response(_ asset: Asset, request: Request) -> Response {
        let etag = "\"\(asset.version)\""
        let versioned = request.uri.queryParameters.get("v") == asset.version
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: etag, .vary: "Accept-Encoding",
            .cacheControl: versioned ? "public, max-age=31536000, immutable" : "public, max-age=3600",
        ]
        if let sent = request.headers[.ifNoneMatch], sent.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        if let gzipped = asset.gzipped, accepts("gzip", request.headers[.acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: gzipped)))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.data)))
    }

    /// Whether an Accept-Encoding header accepts `coding` (named with a non-zero quality, or `*`).
    static func accepts(_ coding: String, _ header: String?) -> Bool {
        // Read over the header's bytes: every page and asset asks, and splitting, lowercasing and trimming through
        // Foundation was about 1% of a profile page. `coding` is lowercase ASCII.
        guard let header else { return false }
        func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
            let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
            guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
                return bytes[bytes.endIndex...]
            }
            return bytes[first...last]
        }
        func lowered(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        var star = false
        for part in header.utf8.split(separator: UInt8(ascii: ",")) {
            let pieces = part.split(separator: UInt8(ascii: ";"))
            guard let first = pieces.first else { continue }
            let name = trimmed(first)
            var quality = 1.0
            for piece in pieces.dropFirst() {
                let parameter = trimmed(piece)
                guard parameter.count >= 2, lowered(parameter[parameter.startIndex]) == UInt8(ascii: "q"),
                    parameter[parameter.index(after: parameter.startIndex)] == UInt8(ascii: "=")
                else { continue }
                quality = Double(String(decoding: parameter.dropFirst(2), as: UTF8.self)) ?? 1
                break
            }
            if name.elementsEqual(coding.utf8, by: { lowered($0) == $1 }) { return quality > 0 }
            if name.elementsEqual("*".utf8) { star = quality > 0 }
        }
        return star
    }

    static let files: [String: Asset] = {
        var files: [String: Asset] = [:]
        let types = [("app.css", "text/css; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"), ("icon.svg", "image/svg+xml")]
        for (name, type) in types {
            if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/static"),
                let data = try? Data(contentsOf: url)
            {
                files[name] = Asset(data: Array(data), contentType: type)
            }
        }
        return files
    }()

    static let openAPIDocument: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url)
        else { return Array("{}".utf8) }
        return Array(data)
    }()
}
