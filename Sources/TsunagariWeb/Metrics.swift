import Foundation
import Hummingbird
import CoreMetrics
import Metrics
import Prometheus
import Synchronization
import TsunagariCore

/// The process's metrics, through swift-metrics into one Prometheus registry, served as text on `GET /metrics`.
///
/// Requests are counted and timed by `RequestMetricsMiddleware`, under the names Hummingbird's `MetricsMiddleware`
/// gives them (by route pattern, method and status: labels `http_route`, `http_request_method`,
/// `http_response_status_code`); the sizes of the indexes in memory, how long ago each change log was last replayed,
/// open event streams, the database's answer time and the process's memory are read when the endpoint is scraped. Outgoing mail adds its own counters where it is sent.
public enum AppMetrics {
    /// The registry every metric of this process is in. swift-metrics takes one factory per process, so this is made,
    /// and the factory bootstrapped, once — also when tests build many applications in one process.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Prometheus names take letters, digits and underscores: `http.server.request.duration` becomes
        // `http_server_request_duration`.
        factory.nameAndLabelSanitizer = { name, labels in (sanitized(name), labels.map { (sanitized($0.0), $0.1) }) }
        // Request times: the pages and API answer in milliseconds; imports and exports take seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    static func sanitized(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            (("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_") ? scalar : "_"
        }))
    }

    /// Makes sure the registry exists (and swift-metrics is bootstrapped) before the first request is counted.
    public static func start() { _ = registry }

    /// The text a scrape gets: the values read now, then everything in the registry.
    static func scrape(_ services: AppServices) async -> [UInt8] {
        let registry = Self.registry
        func gauge(_ name: String, _ help: String, _ value: Double, _ labels: [(String, String)] = []) {
            registry.makeGauge(name: name, labels: labels, help: help).set(value)
        }
        let graph = services.graph.graph
        gauge("tsunagari_graph_members", "Members in the graph index of this instance.", Double(graph.nodeCount))
        gauge("tsunagari_graph_connections", "Connections in the graph index of this instance.", Double(graph.edgeCount))
        gauge("tsunagari_search_profiles", "Profiles in the people search index of this instance.", Double(services.searchIndex.index.count))
        gauge(
            "tsunagari_search_index_bytes", "Approximate memory of the people search index.", Double(services.searchIndex.index.approximateBytes))
        gauge("tsunagari_job_search_jobs", "Open jobs in the job search index of this instance.", Double(services.jobSearch.count))
        gauge("tsunagari_event_streams_open", "Event streams (server-sent events) open on this instance.", Double(services.eventHub.openStreams))
        let now = Date()
        for (log, last) in services.catchUp.lastPasses() {
            gauge(
                "tsunagari_change_log_age_seconds", "Seconds since this instance last read a change log to its end (graph, search, feed, job).",
                last.map { now.timeIntervalSince($0) } ?? -1, [("log", log)])
        }
        let start = ContinuousClock.now
        let up: Bool
        do {
            try await services.storage.ping()
            up = true
        } catch {
            up = false
        }
        let elapsed = ContinuousClock.now - start
        gauge("tsunagari_database_up", "1 when the database answered the scrape's ping, else 0.", up ? 1 : 0)
        gauge(
            "tsunagari_database_ping_seconds", "How long the database took to answer the scrape's ping.",
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        if up, let mail = try? await services.storage.mailQueueCounts() {
            for (status, count) in [("queued", mail.queued), ("sent", mail.sent), ("failed", mail.failed)] {
                gauge("tsunagari_mail_queue", "Messages in the outgoing mail queue by status (every instance's).", Double(count), [("status", status)])
            }
        }
        gauge("process_resident_memory_bytes", "Resident memory of this process.", Double(residentBytes()))
        gauge("process_start_time_seconds", "When this process started, in seconds since 1970.", processStart.timeIntervalSince1970)
        return registry.emitToBuffer()
    }

    static let processStart = Date()

    /// Resident memory from /proc (Linux); 0 elsewhere.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `GET /metrics`: 404 unless a token is configured; then 401 without `Authorization: Bearer <token>`.
    static func register(on router: Router<AppRequestContext>, services: AppServices) {
        router.get("metrics") { request, _ -> Response in
            guard let token = services.configuration.metricsToken else {
                return APIResponse.error(.notFound, code: "not_found", message: "Metrics are off: no metrics token is configured.")
            }
            let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            guard constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
                var response = APIResponse.error(.unauthorized, code: "unauthorized", message: "The metrics need the metrics token.")
                response.headers[.wwwAuthenticate] = "Bearer realm=\"metrics\""
                return response
            }
            let body = await scrape(services)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// Compares every byte whatever the first difference, so the time taken tells nothing about the token.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0 && a.count == b.count
    }
}

/// When each change-log replay last read its log to the end, so that a stuck replay shows on `/metrics`.
public final class CatchUpMonitor: Sendable {
    private let passes = Mutex<[String: Date]>([:])
    static let logs = ["graph", "search", "feed", "job"]

    public init() {}

    func passed(_ log: String, at date: Date = Date()) {
        passes.withLock { $0[log] = date }
    }

    /// How lately every log must have been replayed to its end for `/readyz` (each is replayed every 250 ms).
    static let readinessAge: TimeInterval = 5

    /// The logs not replayed to their end within `maximumAge` (or never yet).
    func behind(maximumAge: TimeInterval, now: Date = Date()) -> [String] {
        let known = passes.withLock { $0 }
        return Self.logs.filter { log in known[log].map { now.timeIntervalSince($0) > maximumAge } ?? true }
    }

    /// Every log, with the time of its last complete pass (nil before the first).
    func lastPasses() -> [(String, Date?)] {
        let known = passes.withLock { $0 }
        return Self.logs.map { ($0, known[$0]) }
    }
}

/// Counts and times requests under the names and labels of Hummingbird's `MetricsMiddleware`, which this replaces:
/// that one wrapped every body to time it when written, and a wrapped body goes out as a stream, its head and its body
/// in two writes to the socket. A body whose length is known (every page and API answer) is counted when it is made
/// and written in one; a stream (an event stream, a download) is still counted when its last byte is written.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    private struct Endpoint: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    private struct Recorders: Sendable {
        let requests: CoreMetrics.Counter
        let duration: CoreMetrics.Timer
        let errors: CoreMetrics.Counter
    }

    private final class Cache: Sendable {
        let active = Mutex<[HTTPRequest.Method: CoreMetrics.Meter]>([:])
        let endpoints = Mutex<[Endpoint: Recorders]>([:])
    }

    private let cache = Cache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method
        let active = cache.active.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = CoreMetrics.Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.description)])
            meters[method] = meter
            return meter
        }
        active.increment()
        do {
            var response = try await next(request, context)
            let recorders = self.recorders(Endpoint(route: context.endpointPath ?? "Unknown", method: method, status: Int(response.status.code)))
            let record: @Sendable () -> Void = {
                recorders.requests.increment()
                recorders.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
                active.decrement()
            }
            if response.body.contentLength != nil {
                record()
            } else {
                let body = response.body
                response.body = ResponseBody(contentLength: nil) { writer in
                    defer { record() }
                    try await body.write(writer)
                }
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let recorders = self.recorders(Endpoint(route: context.endpointPath ?? "NotFound", method: method, status: Int(status.code)))
            recorders.requests.increment()
            recorders.errors.increment()
            active.decrement()
            throw error
        }
    }

    private func recorders(_ endpoint: Endpoint) -> Recorders {
        cache.endpoints.withLock { all in
            if let found = all[endpoint] { return found }
            let labels = [("http.route", endpoint.route), ("http.request.method", endpoint.method.description)]
            let status = String(endpoint.status)
            let made = Recorders(
                requests: CoreMetrics.Counter(label: "hb.requests", dimensions: labels + [("http.response.status_code", status)]),
                duration: CoreMetrics.Timer(
                    label: "http.server.request.duration", dimensions: labels + [("http.response.status_code", status)],
                    preferredDisplayUnit: .seconds),
                errors: CoreMetrics.Counter(label: "hb.request.errors", dimensions: labels + [("error.type", status)]))
            all[endpoint] = made
            return made
        }
    }
}
