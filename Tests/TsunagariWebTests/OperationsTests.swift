import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// What an operator watches: `/metrics` and the logs.
@Suite struct OperationsTests {
    static let token = "metrics-token-0123456789abcdef"

    @Test func metricsAreOffWithoutATokenAndNeedTheTokenWithOne() async throws {
        try await withApp { client, _ in
            let reply = try await client.call(.get, "/metrics")
            #expect(reply.status == .notFound)
        }
        try await withApp(metricsToken: Self.token) { client, _ in
            let none = try await client.call(.get, "/metrics")
            #expect(none.status == .unauthorized)
            #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(try await client.call(.get, "/metrics", token: "metrics-token-0123456789abcdeX").status == .unauthorized)
            #expect(try await client.call(.get, "/metrics", token: String(Self.token.dropLast())).status == .unauthorized)
            // A member's session token is not the metrics token.
            let member = try await client.signUp()
            #expect(try await client.call(.get, "/metrics", token: member.token).status == .unauthorized)
            #expect(try await client.call(.get, "/metrics", token: Self.token).status == .ok)
        }
    }

    @Test func metricsCountRequestsByRoutePatternAndTellTheIndexSizes() async throws {
        try await withApp(metricsToken: Self.token) { client, services in
            let member = try await client.signUp("計測 太郎", email: "metrics@example.test")
            for _ in 0..<3 {
                #expect(try await client.call(.get, "/api/v1/members/\(member.id)", token: member.token).status == .ok)
            }
            #expect(try await client.call(.get, "/api/v1/members/nobody", token: member.token).status == .notFound)
            let reply = try await client.call(.get, "/metrics", token: Self.token)
            #expect(reply.status == .ok)
            #expect(reply.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = reply.text.split(separator: "\n").map(String.init)
            func value(_ prefix: String, containing parts: [String] = []) -> Double? {
                lines.first { $0.hasPrefix(prefix) && parts.allSatisfy($0.contains) }.flatMap { Double($0.split(separator: " ").last!) }
            }
            // Requests by route pattern and status: never a member's id (the registry is the process's, so other tests
            // in this process may have counted the same route: at least ours are there).
            let ok = value("hb_requests{", containing: ["http_route=\"/api/v1/members/{idOrHandle}\"", "http_response_status_code=\"200\""])
            #expect((ok ?? 0) >= 3)
            #expect((value("hb_requests{", containing: ["http_route=\"/api/v1/members/{idOrHandle}\"", "http_response_status_code=\"404\""]) ?? 0) >= 1)
            #expect(!reply.text.contains(member.id), "a member's id in the metrics")
            #expect(lines.contains { $0.hasPrefix("http_server_request_duration_bucket{") && $0.contains("/api/v1/members/{idOrHandle}") })
            // The indexes of this instance, read at the scrape.
            #expect(value("tsunagari_graph_members") == Double(services.graph.graph.nodeCount))
            #expect(value("tsunagari_search_profiles") == Double(services.searchIndex.index.count))
            #expect(value("tsunagari_database_up") == 1)
            #expect(value("tsunagari_event_streams_open") == 0)
            #expect((value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            // Without the catch-up services running (an in-process app), no log has been replayed yet.
            #expect(value("tsunagari_change_log_age_seconds{", containing: ["log=\"graph\""]) == -1)
            services.catchUp.passed("graph", at: Date().addingTimeInterval(-2))
            // The registry is the process's: another test's app scraping at the same moment sets the same gauge to its
            // own age between this scrape's setting and its writing. One process serves one app outside tests; here a
            // few scrapes are allowed for one that is this app's alone.
            var age: Double?
            for _ in 0..<20 {
                let later = try await client.call(.get, "/metrics", token: Self.token).text
                age = later.split(separator: "\n").first { $0.hasPrefix("tsunagari_change_log_age_seconds{") && $0.contains("graph") }
                    .flatMap { Double($0.split(separator: " ").last!) }
                if age.map({ $0 >= 2 && $0 < 60 }) == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(age.map { $0 >= 2 && $0 < 60 } == true)
        }
    }

    /// A whole body is counted as it is made; a stream when its last byte is written, with the time it took.
    @Test func requestsAreCountedOnceAndStreamsTimedToTheirEnd() async throws {
        AppMetrics.start()
        let name = "metrics-\(UUID().uuidString.prefix(8).lowercased())"
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware())
        router.get("\(name)/whole") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "whole"))) }
        router.get("\(name)/stream") { _, _ in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "first "))
                try await Task.sleep(for: .milliseconds(300))
                try await writer.write(ByteBuffer(string: "last"))
                try await writer.finish(nil)
            })
        }
        router.get("\(name)/fails") { _, _ -> Response in throw HTTPError(.conflict) }
        func lines() -> [Substring] {
            String(decoding: AppMetrics.registry.emitToBuffer(), as: UTF8.self).split(separator: "\n").filter { $0.contains(name) }
        }
        func value(_ prefix: String, _ route: String, _ status: String = "200") -> Double? {
            lines().first { $0.hasPrefix(prefix) && $0.contains("http_route=\"/\(name)/\(route)\"") && $0.contains("\"\(status)\"") }
                .flatMap { Double($0.split(separator: " ").last!) }
        }
        try await Application(router: router).test(.router) { client in
            let whole = try await client.execute(uri: "/\(name)/whole", method: .get)
            let stream = try await client.execute(uri: "/\(name)/stream", method: .get)
            let fails = try await client.execute(uri: "/\(name)/fails", method: .get)
            #expect(String(buffer: whole.body) == "whole" && String(buffer: stream.body) == "first last" && fails.status == .conflict)
        }
        #expect(value("hb_requests{", "whole") == 1)
        #expect(value("hb_requests{", "stream") == 1)
        #expect(value("hb_requests{", "fails", "409") == 1)
        #expect(value("hb_request_errors{", "fails", "409") == 1)
        #expect((value("hb_request_errors{", "whole") ?? 0) == 0)
        // The stream's time covers its whole body, written after the handler returned.
        #expect((value("http_server_request_duration_sum{", "stream") ?? 0) >= 0.3)
        #expect((value("http_server_request_duration_sum{", "whole") ?? 1) < 0.3)
        #expect(value("http_server_request_duration_count{", "whole") == 1)
    }

    @Test func metricsTokensMustBeLongPrintableASCII() throws {
        #expect(try AppConfiguration.resolve(flags: ["--metrics-token": Self.token], environment: [:]).metricsToken == Self.token)
        #expect(try AppConfiguration.resolve(flags: [:], environment: ["TSUNAGARI_LOG_FORMAT": "json"]).logFormat == .json)
        for bad in ["short", "has a space in it, long enough", "トークン・トークン・トークン・トークン"] {
            #expect(throws: AppConfiguration.Invalid.self) { try AppConfiguration.resolve(flags: ["--metrics-token": bad], environment: [:]) }
        }
        #expect(throws: AppConfiguration.Invalid.self) { try AppConfiguration.resolve(flags: ["--log-format": "xml"], environment: [:]) }
    }

    @Test func jsonLogLinesAreOneObjectEachWithTheMetadataAsFields() throws {
        let lines = LinesBox()
        var logger = Logger(label: "tsunagari") { label in JSONLogHandler(label: label) { lines.append($0) } }
        logger.logLevel = .info
        logger[metadataKey: "instance"] = "a"
        logger.info(
            "request \"quoted\"\n second line",
            metadata: [
                "path": "/in/山田", "status": .stringConvertible(200), "message": "a clash", "control": "\u{1}\u{2028}",
                "list": .array(["x", .dictionary(["k": "v"])]),
            ])
        logger.debug("below the level")
        let written = lines.all
        #expect(written.count == 1)
        #expect(written[0].hasSuffix("}\n") && written[0].filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "request \"quoted\"\n second line")
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "tsunagari")
        #expect(object["path"] as? String == "/in/山田")
        #expect(object["status"] as? String == "200")
        #expect(object["instance"] as? String == "a")
        #expect(object["meta.message"] as? String == "a clash")
        #expect(object["control"] as? String == "\u{1}\u{2028}")
        #expect(((object["list"] as? [Any])?.last as? [String: String])?["k"] == "v")
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: time))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
