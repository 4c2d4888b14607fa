import Foundation
import TsunagariCore

/// Everything the server needs to start, read once from flags, then the environment, then defaults.
/// A bad value stops the start with a message naming the flag and its environment variable.
public struct AppConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: String = "./tsunagari-data"
    /// `postgres://…` selects PostgreSQL; nil selects SQLite in the data directory.
    public var databaseURL: String?
    public var demo: Bool = false
    public var demoMembers: Int = 2_000
    public var rateLimits: RateLimits = .standard
    public var networkLimits: NetworkLimits = .standard
    public var searchLimits: SearchLimits = .standard
    public var rateLimitProfile: String = "standard"
    /// bcrypt cost; 12 or more outside tests.
    public var bcryptCost: UInt8 = 12
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy in front of the server.
    public var trustProxy: Bool = false
    /// Which peers are such proxies (with `trustProxy`); loopback unless configured.
    public var trustedProxies: TrustedProxies = .loopback
    public var logLevel: String = "info"
    /// How often each saved search is checked for new matches, in seconds.
    public var savedSearchInterval: Int = 60
    public var messagingLimits: MessagingLimits = .standard
    public var postLimits: PostLimits = .standard
    public var jobLimits: JobLimits = .standard
    /// Seconds between heartbeats on an idle event stream.
    public var heartbeatInterval: Int = 20
    /// Seconds between snapshots of the search index in the data directory (when it changed); 0 writes and reads none.
    public var indexSnapshotInterval: Int = 600
    /// The address members reach the site at (`https://tsunagari.example`), written into QR codes and exported
    /// profile links; nil takes it from each request's Host header.
    public var publicURL: String?
    /// `text` (one line of `key=value` metadata each) or `json` (a JSON object per line, for log collectors).
    public var logFormat: LogFormat = .text
    /// The bearer token `GET /metrics` asks for; nil turns the endpoint off (404).
    public var metricsToken: String?
    /// Outgoing mail; nil (no `--smtp-host`) sends none.
    public var mail: MailSettings?
    /// Which `malloc` `serve` runs with (`MemoryAllocator`).
    public var allocator: MemoryAllocator = .automatic

    /// Where outgoing mail goes and whom it is from.
    public struct MailSettings: Sendable, Equatable {
        public enum Security: String, Sendable { case none, starttls, tls }
        public var host: String
        public var port: Int?
        public var security: Security = .starttls
        public var username: String?
        public var password: String?
        /// The sender: `Tsunagari <no-reply@tsunagari.example>` is written as address and name.
        public var from: String
        public var fromName: String = "Tsunagari"
        /// A PEM file of CA certificates to trust instead of the system's (a private mail server).
        public var caFile: String?

        public init(host: String, from: String) {
            self.host = host
            self.from = from
        }
    }

    public enum LogFormat: String, Sendable { case text, json }

    public init() {}

    public struct Setting: Sendable {
        public let flag: String
        public let environment: String
        public let meaning: String
    }

    /// The documented settings; docs/CONFIGURATION.md lists the same table.
    public static let settings: [Setting] = [
        Setting(flag: "--host", environment: "TSUNAGARI_HOST", meaning: "address to listen on"),
        Setting(flag: "--port", environment: "TSUNAGARI_PORT", meaning: "port to listen on (1–65535)"),
        Setting(flag: "--data-dir", environment: "TSUNAGARI_DATA_DIR", meaning: "folder for the SQLite database"),
        Setting(flag: "--database-url", environment: "DATABASE_URL", meaning: "postgres://… selects PostgreSQL"),
        Setting(flag: "--demo", environment: "TSUNAGARI_DEMO", meaning: "fill an empty database with sample data"),
        Setting(flag: "--demo-members", environment: "TSUNAGARI_DEMO_MEMBERS", meaning: "members made by --demo"),
        Setting(flag: "--rate-limits", environment: "TSUNAGARI_RATE_LIMITS", meaning: "standard or relaxed"),
        Setting(flag: "--bcrypt-cost", environment: "TSUNAGARI_BCRYPT_COST", meaning: "bcrypt cost, 12–16"),
        Setting(flag: "--invitations-per-week", environment: "TSUNAGARI_INVITATIONS_PER_WEEK", meaning: "invitations a member may send in 7 days"),
        Setting(flag: "--pending-invitations", environment: "TSUNAGARI_PENDING_INVITATIONS", meaning: "unanswered invitations a member may have"),
        Setting(
            flag: "--saved-search-interval", environment: "TSUNAGARI_SAVED_SEARCH_INTERVAL",
            meaning: "seconds between checks of a saved search for new matches"),
        Setting(
            flag: "--recruiter-allowance", environment: "TSUNAGARI_RECRUITER_ALLOWANCE",
            meaning: "conversations a recruiter may open with non-connections per month"),
        Setting(flag: "--heartbeat-interval", environment: "TSUNAGARI_HEARTBEAT_INTERVAL", meaning: "seconds between heartbeats on event streams"),
        Setting(
            flag: "--index-snapshot-interval", environment: "TSUNAGARI_INDEX_SNAPSHOT_INTERVAL",
            meaning: "seconds between snapshots of the search index for a quick restart; 0 turns them off"),
        Setting(flag: "--trust-proxy", environment: "TSUNAGARI_TRUST_PROXY", meaning: "trust X-Forwarded-* headers from trusted proxies"),
        Setting(
            flag: "--trusted-proxies", environment: "TSUNAGARI_TRUSTED_PROXIES",
            meaning: "addresses and CIDR ranges of the proxies trusted with --trust-proxy"),
        Setting(flag: "--log-level", environment: "TSUNAGARI_LOG_LEVEL", meaning: "trace, debug, info, notice, warning, error"),
        Setting(flag: "--log-format", environment: "TSUNAGARI_LOG_FORMAT", meaning: "text or json (a JSON object per line)"),
        Setting(
            flag: "--metrics-token", environment: "TSUNAGARI_METRICS_TOKEN",
            meaning: "bearer token for GET /metrics (Prometheus); unset turns the endpoint off"),
        Setting(
            flag: "--public-url", environment: "TSUNAGARI_PUBLIC_URL",
            meaning: "the site's address for QR codes, exported links and links in mail (default: the request's Host)"),
        Setting(flag: "--smtp-host", environment: "TSUNAGARI_SMTP_HOST", meaning: "SMTP server for outgoing mail; unset sends no mail"),
        Setting(flag: "--smtp-port", environment: "TSUNAGARI_SMTP_PORT", meaning: "SMTP port (default 587, 465 with tls, 25 with none)"),
        Setting(flag: "--smtp-security", environment: "TSUNAGARI_SMTP_SECURITY", meaning: "starttls (default), tls or none (loopback only with credentials)"),
        Setting(flag: "--smtp-username", environment: "TSUNAGARI_SMTP_USERNAME", meaning: "SMTP user name, if the server asks"),
        Setting(flag: "--smtp-password", environment: "TSUNAGARI_SMTP_PASSWORD", meaning: "SMTP password (prefer the environment variable)"),
        Setting(flag: "--smtp-ca-file", environment: "TSUNAGARI_SMTP_CA_FILE", meaning: "PEM file of CA certificates trusted for the SMTP server"),
        Setting(flag: "--mail-from", environment: "TSUNAGARI_MAIL_FROM", meaning: "sender address of outgoing mail (needed with --smtp-host)"),
        Setting(
            flag: "--allocator", environment: "TSUNAGARI_ALLOCATOR",
            meaning: "auto (jemalloc when installed), system, or the path of a malloc library to preload"),
    ]

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// Resolves each setting from `flags` (keyed by flag name), then `environment`, then the default.
    public static func resolve(flags: [String: String], environment: [String: String]) throws -> AppConfiguration {
        var config = AppConfiguration()
        var problems: [String] = []
        func value(_ flag: String) -> (String, String)? {
            let setting = settings.first { $0.flag == flag }!
            if let raw = flags[flag] { return (raw, flag) }
            if let raw = environment[setting.environment], !raw.isEmpty { return (raw, setting.environment) }
            return nil
        }
        func bad(_ source: String, _ raw: String, _ expected: String) {
            problems.append("Invalid value '\(raw)' for \(source): expected \(expected).")
        }
        func boolean(_ raw: String) -> Bool? {
            switch raw.lowercased() {
            case "1", "true", "yes", "on": true
            case "0", "false", "no", "off": false
            default: nil
            }
        }
        if let (raw, source) = value("--host") {
            if raw.isEmpty || raw.contains(" ") { bad(source, raw, "a host name or address") } else { config.host = raw }
        }
        if let (raw, source) = value("--port") {
            if let port = Int(raw), (1...65_535).contains(port) { config.port = port } else { bad(source, raw, "a port 1–65535") }
        }
        if let (raw, source) = value("--data-dir") {
            if raw.isEmpty { bad(source, raw, "a folder") } else { config.dataDirectory = raw }
        }
        if let (raw, source) = value("--database-url") {
            if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
                config.databaseURL = raw
            } else {
                bad(source, "…", "a URL starting with postgres://")
            }
        }
        if let (raw, source) = value("--demo") {
            if let flag = boolean(raw) { config.demo = flag } else { bad(source, raw, "true or false") }
        }
        if let (raw, source) = value("--demo-members") {
            if let count = Int(raw), (1...2_000_000).contains(count) { config.demoMembers = count } else {
                bad(source, raw, "a number of members 1–2000000")
            }
        }
        if let (raw, source) = value("--rate-limits") {
            switch raw {
            case "standard":
                config.rateLimits = .standard
                config.networkLimits = .standard
                config.searchLimits = .standard
                config.messagingLimits = .standard
                config.postLimits = .standard
                config.jobLimits = .standard
            case "relaxed":
                config.rateLimits = .relaxed
                config.networkLimits = .relaxed
                config.searchLimits = .relaxed
                config.messagingLimits = .relaxed
                config.postLimits = .relaxed
                config.jobLimits = .relaxed
            default: bad(source, raw, "standard or relaxed")
            }
            if raw == "standard" || raw == "relaxed" { config.rateLimitProfile = raw }
        }
        if let (raw, source) = value("--bcrypt-cost") {
            if let cost = UInt8(raw), (12...16).contains(cost) { config.bcryptCost = cost } else { bad(source, raw, "a cost 12–16") }
        }
        // Explicit invitation limits win over the profile chosen with --rate-limits.
        if let (raw, source) = value("--invitations-per-week") {
            if let count = Int(raw), (1...1_000_000).contains(count) { config.networkLimits.invitationsPerWeek = count } else {
                bad(source, raw, "a number 1–1000000")
            }
        }
        if let (raw, source) = value("--pending-invitations") {
            if let count = Int(raw), (1...1_000_000).contains(count) { config.networkLimits.pendingInvitations = count } else {
                bad(source, raw, "a number 1–1000000")
            }
        }
        if let (raw, source) = value("--saved-search-interval") {
            if let seconds = Int(raw), (1...86_400).contains(seconds) { config.savedSearchInterval = seconds } else {
                bad(source, raw, "a number of seconds 1–86400")
            }
        }
        // Like the invitation limits, the allowance wins over the profile.
        if let (raw, source) = value("--recruiter-allowance") {
            if let count = Int(raw), (0...100_000).contains(count) { config.messagingLimits.recruiterAllowance = count } else {
                bad(source, raw, "a number 0–100000")
            }
        }
        if let (raw, source) = value("--heartbeat-interval") {
            if let seconds = Int(raw), (1...300).contains(seconds) { config.heartbeatInterval = seconds } else {
                bad(source, raw, "a number of seconds 1–300")
            }
        }
        if let (raw, source) = value("--index-snapshot-interval") {
            if let seconds = Int(raw), (0...86_400).contains(seconds) { config.indexSnapshotInterval = seconds } else {
                bad(source, raw, "a number of seconds 0–86400")
            }
        }
        if let (raw, source) = value("--trust-proxy") {
            if let flag = boolean(raw) { config.trustProxy = flag } else { bad(source, raw, "true or false") }
        }
        if let (raw, source) = value("--trusted-proxies") {
            do { config.trustedProxies = try TrustedProxies(parsing: raw) } catch { bad(source, raw, "IP addresses or CIDR ranges separated by commas") }
        }
        if let (raw, source) = value("--log-level") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(raw) { config.logLevel = raw } else { bad(source, raw, levels.joined(separator: ", ")) }
        }
        if let (raw, source) = value("--log-format") {
            if let format = LogFormat(rawValue: raw) { config.logFormat = format } else { bad(source, raw, "text or json") }
        }
        if let (raw, source) = value("--allocator") {
            switch MemoryAllocator(parsing: raw) {
            case .library(let path)? where !FileManager.default.fileExists(atPath: path):
                bad(source, raw, "auto, system, or the path of an installed malloc library (no file is there)")
            case let allocator?: config.allocator = allocator
            case nil: bad(source, raw, "auto, system, or the absolute path of a malloc library such as /usr/lib/x86_64-linux-gnu/libjemalloc.so.2")
            }
        }
        if let (raw, source) = value("--metrics-token") {
            // Sent in a header by a scraper: printable ASCII, long enough not to be guessed.
            if raw.count >= 16, raw.count <= 256, raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
                config.metricsToken = raw
            } else {
                bad(source, "…", "a token of 16–256 printable ASCII characters without spaces")
            }
        }
        if let (raw, source) = value("--public-url") {
            let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            if let url = URLComponents(string: trimmed), ["http", "https"].contains(url.scheme ?? ""), !(url.host ?? "").isEmpty,
                url.query == nil, url.fragment == nil
            {
                config.publicURL = trimmed
            } else {
                bad(source, raw, "an http(s) address such as https://tsunagari.example")
            }
        }
        if let (host, source) = value("--smtp-host") {
            if host.isEmpty || host.utf8.count > 253 || host.contains(where: { $0.isWhitespace || $0 == "/" }) {
                bad(source, host, "a host name or IP address")
            }
            var mail = MailSettings(host: host, from: "")
            if let (raw, source) = value("--smtp-port") {
                if let port = Int(raw), (1...65_535).contains(port) { mail.port = port } else { bad(source, raw, "a port 1–65535") }
            }
            if let (raw, source) = value("--smtp-security") {
                if let security = MailSettings.Security(rawValue: raw) { mail.security = security } else { bad(source, raw, "starttls, tls or none") }
            }
            mail.username = value("--smtp-username")?.0
            mail.password = value("--smtp-password")?.0
            if let (raw, source) = value("--smtp-ca-file") {
                if FileManager.default.isReadableFile(atPath: raw) { mail.caFile = raw } else { bad(source, raw, "a readable PEM file") }
            }
            if let (raw, source) = value("--mail-from") {
                let address = raw.trimmingCharacters(in: .whitespaces)
                if (try? EmailAddress.canonical(address)) != nil { mail.from = address } else { bad(source, raw, "an email address") }
            } else {
                problems.append("--smtp-host needs --mail-from (TSUNAGARI_MAIL_FROM): the address mail is sent from")
            }
            if config.publicURL == nil {
                problems.append("--smtp-host needs --public-url (TSUNAGARI_PUBLIC_URL): links in mail must name the site")
            }
            config.mail = mail
        }
        if !problems.isEmpty { throw Invalid(problems: problems) }
        return config
    }
}
