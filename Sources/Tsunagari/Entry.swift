import ArgumentParser
import Foundation
import Hummingbird
import Logging
import TsunagariBenchmarks
import TsunagariCore
import TsunagariPhotos
import TsunagariStorageSQLite
import TsunagariWeb

@main
struct Tsunagari: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsunagari",
        abstract: "A self-hostable professional network.",
        subcommands: [Serve.self, Migrate.self, Demo.self, Bench.self, Admin.self, Backup.self, Restore.self],
        defaultSubcommand: Serve.self)
}

/// Flags shared by every subcommand that opens the database. Each has an environment variable;
/// AppConfiguration.resolve reads both and names any bad value.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Folder for the SQLite database (TSUNAGARI_DATA_DIR).")
    var dataDir: String?
    @Option(name: .customLong("database-url"), help: "postgres://… selects PostgreSQL (DATABASE_URL).")
    var databaseURL: String?
    @Option(name: .customLong("log-level"), help: "trace … critical (TSUNAGARI_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text or json, a JSON object per line (TSUNAGARI_LOG_FORMAT).")
    var logFormat: String?

    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags["--data-dir"] = dataDir
        flags["--database-url"] = databaseURL
        flags["--log-level"] = logLevel
        flags["--log-format"] = logFormat
        return flags
    }
}

func resolve(_ flags: [String: String]) throws -> AppConfiguration {
    do {
        return try AppConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
    } catch let error as AppConfiguration.Invalid {
        throw ValidationError(error.description)
    }
}

func makeLogger(_ configuration: AppConfiguration) -> Logger {
    if configuration.logFormat == .json {
        // Every logger of the process, the libraries' too, writes JSON lines from here on.
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
    }
    var logger = Logger(label: "tsunagari")
    logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web app and the API.")

    @Option(help: "Address to listen on (TSUNAGARI_HOST).") var host: String?
    @Option(help: "Port to listen on (TSUNAGARI_PORT).") var port: String?
    @Flag(help: "Fill an empty database with sample data (TSUNAGARI_DEMO).") var demo = false
    @Option(name: .customLong("demo-members"), help: "How many sample members --demo makes (TSUNAGARI_DEMO_MEMBERS).")
    var demoMembers: String?
    @Option(name: .customLong("rate-limits"), help: "standard or relaxed (TSUNAGARI_RATE_LIMITS).") var rateLimits: String?
    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt cost 12–16 (TSUNAGARI_BCRYPT_COST).") var bcryptCost: String?
    @Option(name: .customLong("invitations-per-week"), help: "Invitations per member per 7 days, default 100 (TSUNAGARI_INVITATIONS_PER_WEEK).")
    var invitationsPerWeek: String?
    @Option(name: .customLong("pending-invitations"), help: "Unanswered invitations per member, default 500 (TSUNAGARI_PENDING_INVITATIONS).")
    var pendingInvitations: String?
    @Option(
        name: .customLong("saved-search-interval"),
        help: "Seconds between checks of a saved search for new matches, default 60 (TSUNAGARI_SAVED_SEARCH_INTERVAL).")
    var savedSearchInterval: String?
    @Flag(name: .customLong("trust-proxy"), help: "Trust X-Forwarded-For/-Proto from trusted proxies (TSUNAGARI_TRUST_PROXY).")
    var trustProxy = false
    @Option(
        name: .customLong("trusted-proxies"),
        help: "Addresses and CIDR ranges of the trusted proxies, default 127.0.0.0/8,::1 (TSUNAGARI_TRUSTED_PROXIES).")
    var trustedProxies: String?
    @Option(
        name: .customLong("recruiter-allowance"),
        help: "Conversations a recruiter may open with non-connections per month, default 30 (TSUNAGARI_RECRUITER_ALLOWANCE).")
    var recruiterAllowance: String?
    @Option(
        name: .customLong("heartbeat-interval"), help: "Seconds between heartbeats on event streams, default 20 (TSUNAGARI_HEARTBEAT_INTERVAL).")
    var heartbeatInterval: String?
    @Option(
        name: .customLong("index-snapshot-interval"),
        help: "Seconds between snapshots of the search index for a quick restart, default 600; 0 turns them off (TSUNAGARI_INDEX_SNAPSHOT_INTERVAL).")
    var indexSnapshotInterval: String?
    @Option(
        name: .customLong("metrics-token"),
        help: "Bearer token for GET /metrics (Prometheus text); unset turns it off (TSUNAGARI_METRICS_TOKEN).")
    var metricsToken: String?
    @Option(
        name: .customLong("public-url"),
        help: "The site's address for QR codes and exported links, default the request's Host (TSUNAGARI_PUBLIC_URL).")
    var publicURL: String?
    @Option(name: .customLong("smtp-host"), help: "SMTP server for outgoing mail; unset sends none (TSUNAGARI_SMTP_HOST).") var smtpHost: String?
    @Option(name: .customLong("smtp-port"), help: "SMTP port, default by --smtp-security (TSUNAGARI_SMTP_PORT).") var smtpPort: String?
    @Option(name: .customLong("smtp-security"), help: "starttls (default), tls or none (TSUNAGARI_SMTP_SECURITY).") var smtpSecurity: String?
    @Option(name: .customLong("smtp-username"), help: "SMTP user name (TSUNAGARI_SMTP_USERNAME).") var smtpUsername: String?
    @Option(name: .customLong("smtp-password"), help: "SMTP password; prefer TSUNAGARI_SMTP_PASSWORD.") var smtpPassword: String?
    @Option(name: .customLong("smtp-ca-file"), help: "PEM file of CA certificates for the SMTP server (TSUNAGARI_SMTP_CA_FILE).") var smtpCAFile: String?
    @Option(name: .customLong("mail-from"), help: "Sender address of outgoing mail (TSUNAGARI_MAIL_FROM).") var mailFrom: String?
    @Option(help: "auto (jemalloc when installed, the default), system, or the path of a malloc library (TSUNAGARI_ALLOCATOR).")
    var allocator: String?
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        var flags = storage.flags
        flags["--allocator"] = allocator
        flags["--smtp-host"] = smtpHost
        flags["--smtp-port"] = smtpPort
        flags["--smtp-security"] = smtpSecurity
        flags["--smtp-username"] = smtpUsername
        flags["--smtp-password"] = smtpPassword
        flags["--smtp-ca-file"] = smtpCAFile
        flags["--mail-from"] = mailFrom
        flags["--host"] = host
        flags["--port"] = port
        flags["--demo-members"] = demoMembers
        flags["--rate-limits"] = rateLimits
        flags["--bcrypt-cost"] = bcryptCost
        flags["--invitations-per-week"] = invitationsPerWeek
        flags["--pending-invitations"] = pendingInvitations
        flags["--saved-search-interval"] = savedSearchInterval
        flags["--trusted-proxies"] = trustedProxies
        flags["--recruiter-allowance"] = recruiterAllowance
        flags["--heartbeat-interval"] = heartbeatInterval
        flags["--index-snapshot-interval"] = indexSnapshotInterval
        flags["--public-url"] = publicURL
        flags["--metrics-token"] = metricsToken
        if demo { flags["--demo"] = "true" }
        if trustProxy { flags["--trust-proxy"] = "true" }
        let configuration = try resolve(flags)
        // Before anything is opened: this may start the process again with another malloc.
        let allocation = AllocatorStart.apply(configuration.allocator)
        let logger = makeLogger(configuration)
        if allocation.expected {
            logger.info("memory allocator", metadata: ["allocator": "\(allocation.description)"])
        } else {
            logger.warning("memory allocator", metadata: ["allocator": "\(allocation.description)"])
        }
        logger.info("page compression", metadata: ["gzip": "\(GzipEncoder.shared.engine)"])
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService()
    }
}

/// What an operator of PostgreSQL uses instead of `backup` and `restore`.
let postgresBackupAdvice = """
    With PostgreSQL, back up with its own tools (docs/OPERATIONS.md):
      pg_dump --format=custom --file=tsunagari.dump "$DATABASE_URL"
      pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" tsunagari.dump
    """

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database to a new file, consistent while the server writes (PostgreSQL: pg_dump).")
    @Argument(help: "The backup file to write; it must not exist yet.") var path: String
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try resolve(storage.flags)
        guard configuration.databaseURL == nil else { throw CommandFailure(postgresBackupAdvice) }
        let started = Date()
        do {
            let summary = try SQLiteBackup.backup(from: SQLiteBackup.databasePath(in: configuration.dataDirectory), to: path)
            print(
                "Backed up \(summary.members) members (\(summary.bytes / 1024) KiB, schema \(summary.migrations.last ?? "-")) to \(path) "
                    + "in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        } catch let failure as SQLiteBackup.Failure {
            throw CommandFailure(failure.description)
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place as the SQLite database of --data-dir; stop the server first (PostgreSQL: pg_restore).")
    @Argument(help: "The backup file made by `tsunagari backup`.") var path: String
    @Flag(help: "Replace a database already in the folder (it is kept beside, renamed .before-restore-<time>).") var replace = false
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try resolve(storage.flags)
        guard configuration.databaseURL == nil else { throw CommandFailure(postgresBackupAdvice) }
        let summary: SQLiteBackup.Summary
        do {
            summary = try SQLiteBackup.restore(from: path, into: configuration.dataDirectory, replace: replace)
        } catch let failure as SQLiteBackup.Failure {
            throw CommandFailure(failure.description)
        }
        // A backup from an older version gets this version's migrations now rather than at the next start.
        let logger = makeLogger(configuration)
        let store = try await AppServices.openStorage(configuration, logger: logger)
        try await store.close()
        print("Restored \(summary.members) members into \(configuration.dataDirectory); start the server on it.")
    }
}

/// A command that could not do its work: the message on standard error, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let configuration = try resolve(storage.flags)
        let logger = makeLogger(configuration)
        let store = try await AppServices.openStorage(configuration, logger: logger)
        try await store.close()
        logger.info("migrations applied")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill the database with realistic, deterministic sample members (password: tsunagari-demo).")
    @Option(help: "How many members.") var members: Int = 2_000
    @Option(help: "Seed; the same seed makes the same members.") var seed: UInt64 = 1
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        guard (1...2_000_000).contains(members) else { throw ValidationError("--members must be 1–2000000") }
        let configuration = try resolve(storage.flags)
        let logger = makeLogger(configuration)
        let store = try await AppServices.openStorage(configuration, logger: logger)
        let written = try await SampleData.fill(
            store, hasher: BcryptPasswordHasher(cost: configuration.bcryptCost), members: members, seed: seed,
            now: SampleData.referenceDate, progress: .shown(to: logger))
        try await SamplePhotos.fill(store, count: min(written, 300), logger: logger)
        try await store.close()
        print("Wrote \(written) sample members. Log in as member1@example.test with password \(SampleData.password).")
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Operator tasks on the same database as serve (safe while the server runs); each is kept in the audit log.",
        subcommands: [
            Role.self, Suspend.self, RestoreMember.self, Suspended.self, ResetLink.self, VerifyEmployer.self, Reports.self, Resolve.self,
            Audit.self,
        ])

    /// Who runs the command, for the audit log: the user behind sudo, else the user.
    static var operatorActor: ModerationService.Actor {
        let environment = ProcessInfo.processInfo.environment
        return .commandLine(environment["SUDO_USER"] ?? environment["USER"] ?? "uid \(getuid())")
    }

    /// Opens the storage as `serve` would (migrated), runs `body`, and closes it; a refusal from the domain becomes the
    /// command's message and exit status 1.
    static func withStore<T>(_ options: StorageOptions, _ body: (any AppServices.Store) async throws -> T) async throws -> T {
        let configuration = try resolve(options.flags)
        let store = try await AppServices.openStorage(configuration, logger: makeLogger(configuration))
        do {
            let result = try await body(store)
            try? await store.close()
            return result
        } catch let error as DomainError {
            try? await store.close()
            throw CommandFailure(error.message)
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The member an argument names: an email address, a handle (with or without @) or a member id.
    static func member(_ text: String, in store: any AppServices.Store) async throws -> Account {
        guard let account = try await ModerationService.account(named: text, in: store) else {
            throw ValidationError("No member has the email, handle or id \(text).")
        }
        return account
    }

    /// The moderation service as the command line uses it: a restored member's search entry is written again here, so
    /// every running instance finds them (the graph follows from the change log).
    static func moderation(_ store: any AppServices.Store) -> ModerationService {
        ModerationService(
            storage: store, clock: SystemClock(),
            suspension: { member, suspended in
                if !suspended { await SearchIndexing.reindex(member, storage: store) }
            })
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant or take back a role: admin role MEMBER member|recruiter|moderator|admin.")
        @Argument(help: "The member's email address, handle or id.") var member: String
        @Argument(help: "member, recruiter, moderator or admin.") var role: String
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard let role = MemberRole(rawValue: role) else { throw ValidationError("The role must be member, recruiter, moderator or admin.") }
            try await Admin.withStore(storage) { store in
                let account = try await Admin.member(member, in: store)
                try await Admin.moderation(store).setRole(role, for: account.memberID, by: Admin.operatorActor)
                print("\(account.email) is now a \(role.rawValue).")
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a member: they cannot log in and are shown nowhere until restored; nothing is deleted.")
        @Argument(help: "The member's email address, handle or id.") var member: String
        @Option(help: "Why (1–500 characters), for the audit log.") var reason: String
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await Admin.withStore(storage) { store in
                let account = try await Admin.member(member, in: store)
                try await Admin.moderation(store).suspend(account.memberID, reason: reason, by: Admin.operatorActor)
                print("\(account.email) is suspended; their sessions have ended.")
            }
        }
    }

    struct RestoreMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "End a member's suspension: they may log in again and are shown as before.")
        @Argument(help: "The member's email address, handle or id.") var member: String
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await Admin.withStore(storage) { store in
                let account = try await Admin.member(member, in: store)
                try await Admin.moderation(store).restore(account.memberID, by: Admin.operatorActor)
                print("\(account.email) is restored.")
            }
        }
    }

    struct ResetLink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-link",
            abstract: "Print a one-time link (an hour) that sets a member's new password, to hand over when the site sends no mail.")
        @Argument(help: "The member's email address, handle or id.") var member: String
        @Option(name: .customLong("public-url"), help: "The site's address the link starts with (TSUNAGARI_PUBLIC_URL).") var publicURL: String?
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            var flags = storage.flags
            flags["--public-url"] = publicURL
            let configuration = try resolve(flags)
            try await Admin.withStore(storage) { store in
                let account = try await Admin.member(member, in: store)
                let mail = MailService(
                    storage: store, tokens: RandomTokens(), hasher: BcryptPasswordHasher(cost: configuration.bcryptCost), clock: SystemClock(),
                    settings: MailService.Settings(enabled: false, publicURL: configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)"))
                let link = try await mail.resetLink(for: account.memberID)
                try await Admin.moderation(store).record("member.reset-link", subject: "member \(account.memberID.rawValue)", by: Admin.operatorActor)
                print("A link for \(account.email), valid once within an hour:\n\(link)")
            }
        }
    }

    struct Suspended: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the suspended members, newest suspension first.")
        @Option(help: "How many, at most (1–1000).") var limit = 100
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1–1000") }
            try await Admin.withStore(storage) { store in
                let members = try await Admin.moderation(store).suspended(Admin.operatorActor, limit: limit)
                if members.isEmpty { print("No member is suspended.") }
                let formatter = ISO8601DateFormatter()
                for member in members {
                    print("\(formatter.string(from: member.since))  \(member.email)  @\(member.handle)  \(member.name)\n    reason: \(member.reason)")
                }
            }
        }
    }

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the open reports of posts and comments, oldest first.")
        @Option(help: "How many, at most (1–500).") var limit = 50
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be 1–500") }
            try await Admin.withStore(storage) { store in
                let items = try await Admin.moderation(store).queue(Admin.operatorActor, limit: limit)
                if items.isEmpty { print("No open reports.") }
                let authors = try await Admin.names(Set(items.compactMap(\.author)), in: store)
                for item in items {
                    let what = item.report.commentID.map { "comment \($0) on post \(item.report.postID)" } ?? "post \(item.report.postID)"
                    let text = item.text.map { String($0.replacingOccurrences(of: "\n", with: " ").prefix(120)) } ?? "(gone)"
                    let author = item.author.map { authors[$0] ?? $0.rawValue } ?? "-"
                    print("\(item.report.id)  \(what) by \(author)\n    reported: \(item.report.reason)\n    text: \(text)")
                }
            }
        }
    }

    /// "email (@handle)" for each member that still exists, suspended or not.
    static func names(_ members: Set<MemberID>, in store: any AppServices.Store) async throws -> [MemberID: String] {
        var names: [MemberID: String] = [:]
        for member in members {
            guard let account = try await store.account(id: member) else { continue }
            let handle = try await store.profile(id: member, includingSuspended: true)?.handle
            names[member] = handle.map { "\(account.email) (@\($0))" } ?? account.email
        }
        return names
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a report: remove the post or comment, dismiss the report, or remove and suspend the author (others of the same thing end with it).")
        @Argument(help: "The report's id (from `admin reports`).") var report: String
        @Argument(help: "remove, dismiss or suspend.") var action: String
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard ["remove", "dismiss", "suspend"].contains(action) else { throw ValidationError("The action must be remove, dismiss or suspend.") }
            try await Admin.withStore(storage) { store in
                let moderation = Admin.moderation(store)
                if action == "suspend" {
                    let (done, author) = try await moderation.removeAndSuspendAuthor(report, by: Admin.operatorActor)
                    let what = done.commentID.map { "the comment \($0)" } ?? "the post \(done.postID)"
                    print("Removed \(what); \(done.reports) report(s) ended; " + (author.map { "suspended member \($0.rawValue)." } ?? "the author was gone or suspended already."))
                    return
                }
                let resolution: ReportResolution = action == "remove" ? .removed : .dismissed
                let done = try await moderation.resolve(report, as: resolution, by: Admin.operatorActor)
                let what = done.commentID.map { "the comment \($0)" } ?? "the post \(done.postID)"
                switch resolution {
                case .removed: print(done.removed ? "Removed \(what); \(done.reports) report(s) ended." : "\(what) was gone already; \(done.reports) report(s) ended.")
                case .dismissed: print("Dismissed \(done.reports) report(s) of \(what).")
                }
            }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the newest operator actions, from the site and the command line.")
        @Option(help: "How many, at most (1–1000).") var limit = 50
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1–1000") }
            try await Admin.withStore(storage) { store in
                let formatter = ISO8601DateFormatter()
                let entries = try await Admin.moderation(store).audit(Admin.operatorActor, limit: limit)
                // Ids become names where they name members: "member ID" subjects and member actors.
                var ids = Set<MemberID>()
                for entry in entries {
                    if entry.subject.hasPrefix("member ") { ids.insert(MemberID(String(entry.subject.dropFirst(7)))) }
                    if !entry.actor.hasPrefix("cli:") { ids.insert(MemberID(entry.actor)) }
                }
                let names = try await Admin.names(ids, in: store)
                for entry in entries {
                    let actor = names[MemberID(entry.actor)] ?? entry.actor
                    var subject = entry.subject
                    if subject.hasPrefix("member "), let name = names[MemberID(String(subject.dropFirst(7)))] { subject += " \(name)" }
                    print("\(formatter.string(from: entry.at))  \(actor)  \(entry.action)  \(subject)  \(entry.detail)")
                }
            }
        }
    }

    struct VerifyEmployer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-employer",
            abstract: "Record that a member works at a company (for reaching through colleagues): admin verify-employer MEMBER COMPANY.")
        @Argument(help: "The member's email address, handle or id.") var member: String
        @Argument(help: "The company's id or name, as on its company page.") var company: String
        @Flag(help: "Take the verification back instead.") var clear = false
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await Admin.withStore(storage) { store in
                let account = try await Admin.member(member, in: store)
                if clear {
                    try await store.setVerifiedEmployer(nil, for: account.memberID)
                    try await Admin.moderation(store).record(
                        "employer.clear", subject: "member \(account.memberID.rawValue)", by: Admin.operatorActor)
                    print("\(account.email) has no verified employer now.")
                    return
                }
                let found: CompanyRef?
                if company.utf8.count <= 64, let byID = try await store.company(id: company) {
                    found = CompanyRef(id: byID.id, name: byID.name)
                } else {
                    found = try await store.company(key: CompanyName.key(company))
                }
                guard let found else { throw ValidationError("No company is named \(company): a member must list it as a position first.") }
                try await store.setVerifiedEmployer(found.id, for: account.memberID)
                try await Admin.moderation(store).record(
                    "employer.verify", subject: "member \(account.memberID.rawValue)", detail: "company \(found.id)", by: Admin.operatorActor)
                print("\(account.email) is verified as working at \(found.name) (\(found.id)).")
            }
        }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks and their baselines.",
        subcommands: [GraphBench.self, SearchBench.self, SearchIndexBench.self, MessagingBench.self, FeedBench.self, JobsBench.self, DataBench.self, PhotosBench.self, FillConnections.self, BareServer.self])
}

struct GraphBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Time the graph index against SQL on SQLite (docs/BENCHMARKS.md).")
    @Option(help: "Members of the synthetic graph.") var members = 100_000
    @Option(name: .customLong("average-degree"), help: "Connections per member in the synthetic graph.") var averageDegree = 100
    @Option(help: "An edge list instead: `u v` lines, `#` comments, or CSV with a header.") var edges: String?
    @Option(help: "Seed of the synthetic graph and the sampled viewers.") var seed: UInt64 = 1
    @Option(help: "Viewers sampled for the index.") var viewers = 200
    @Option(name: .customLong("sql-viewers"), help: "Viewers also asked through SQL (0 skips the baseline).") var sqlViewers = 20
    @Option(help: "A folder to write the index's snapshot to and read it back from, timed as a restart.") var snapshot: String?

    func run() throws {
        try GraphBenchmark.run(
            .init(
                members: members, edgesFile: edges, seed: seed, averageDegree: averageDegree, viewers: viewers, sqlViewers: sqlViewers,
                snapshotFolder: snapshot))
    }
}

struct SearchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Time indexing, recruiter queries and typeahead against a LIKE scan, on SQLite and PostgreSQL (docs/BENCHMARKS.md).")
    @Option(help: "Synthetic profiles to write and index.") var members = 20_000
    @Option(help: "Seed of the sample profiles.") var seed: UInt64 = 1
    @Option(
        name: .customLong("database-url"),
        help: "postgres://… of a server where the benchmark may create and drop a database bench_<random>; adds a PostgreSQL run.")
    var databaseURL: String?
    @Flag(inversion: .prefixedNo, help: "Run on SQLite (in a temporary folder).") var sqlite = true
    @Option(help: "Runs of each query after the warm-up.") var queries = 30
    @Option(name: .customLong("average-degree"), help: "Connections per member of a synthetic graph imported first (0: none).")
    var averageDegree = 0
    @Option(name: .customLong("member-batch"), help: "Members per createMembers call.") var memberBatch = 5_000
    @Flag(help: "Keep the database for inspection instead of removing it.") var keep = false
    @Option(
        name: .customLong("sqlite-file"),
        help: "Reuse a SQLite file kept (--keep) by an earlier run with the same --members and --seed: its members are not written again.")
    var sqliteFile: String?

    func run() async throws {
        guard (1_000...2_000_000).contains(members) else { throw ValidationError("--members must be 1000–2000000") }
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1") }
        guard memberBatch >= 1 else { throw ValidationError("--member-batch must be at least 1") }
        guard averageDegree >= 0 else { throw ValidationError("--average-degree must be 0 or more") }
        try await SearchBenchmark.run(
            .init(
                members: members, seed: seed, databaseURL: databaseURL, sqlite: sqlite, repetitions: queries, averageDegree: averageDegree,
                keep: keep, memberBatch: memberBatch, sqliteFile: sqliteFile))
    }
}

struct SearchIndexBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-index",
        abstract: "Time the recruiter queries against the search index in memory alone, built without a database or read from a snapshot file.")
    @Option(help: "Synthetic profiles to index.") var members = 100_000
    @Option(help: "Seed of the sample profiles.") var seed: UInt64 = 1
    @Option(help: "Runs of each query after the warm-up.") var queries = 20
    @Option(help: "A snapshot file: read when an earlier run wrote it for the same --members and --seed, else written after the index is built.") var snapshot: String?
    @Option(help: "Only this query (its number, 1–12); may be repeated.") var only: [String] = []

    func run() throws {
        guard (1_000...2_000_000).contains(members) else { throw ValidationError("--members must be 1000–2000000") }
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1") }
        try SearchIndexBenchmark.run(.init(members: members, seed: seed, repetitions: queries, snapshot: snapshot, only: only))
    }
}

struct MessagingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messaging",
        abstract: "Messages per second through the messaging service against plain INSERTs, on SQLite and PostgreSQL (docs/BENCHMARKS.md).")
    @Option(help: "Messages to send in all.") var messages = 20_000
    @Option(help: "Senders writing at once, each pair in its own conversation.") var senders = 32
    @Option(
        name: .customLong("database-url"),
        help: "postgres://… of a server where the benchmark may create and drop a database bench_<random>; adds a PostgreSQL run.")
    var databaseURL: String?
    @Flag(inversion: .prefixedNo, help: "Run on SQLite (in a temporary folder).") var sqlite = true

    func run() async throws {
        guard (100...10_000_000).contains(messages) else { throw ValidationError("--messages must be 100–10000000") }
        guard (1...1_000).contains(senders) else { throw ValidationError("--senders must be 1–1000") }
        try await MessagingBenchmark.run(.init(messages: messages, senders: senders, databaseURL: databaseURL, sqlite: sqlite))
    }
}

struct FeedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Time the feed index against a join of connections and posts on SQLite, and writing a post (docs/BENCHMARKS.md).")
    @Option(help: "Members of the synthetic graph.") var members = 100_000
    @Option(name: .customLong("average-degree"), help: "Connections per member in the synthetic graph.") var averageDegree = 100
    @Option(help: "Posts, spread over --days days.") var posts = 1_000_000
    @Option(help: "Reactions, comments and reposts.") var activities = 3_000_000
    @Option(help: "Days the posts are spread over.") var days = 60
    @Option(help: "Seed of the synthetic data.") var seed: UInt64 = 1
    @Option(help: "Ordinary viewers sampled.") var viewers = 200
    @Option(name: .customLong("sql-viewers"), help: "Viewers also asked through SQL (0 skips the baseline).") var sqlViewers = 20
    @Option(help: "Posts written through the service on SQLite (0 skips).") var writes = 200

    func run() async throws {
        guard (1_000...5_000_000).contains(members) else { throw ValidationError("--members must be 1000–5000000") }
        guard (1_000...50_000_000).contains(posts) else { throw ValidationError("--posts must be 1000–50000000") }
        guard (0...200_000_000).contains(activities) else { throw ValidationError("--activities must be 0–200000000") }
        guard (1...365).contains(days), viewers >= 1, sqlViewers >= 0, writes >= 0 else { throw ValidationError("check --days, --viewers, --sql-viewers, --writes") }
        try await FeedBenchmark.run(
            .init(
                members: members, averageDegree: averageDegree, posts: posts, activities: activities, days: days, seed: seed, viewers: viewers,
                sqlViewers: sqlViewers, writes: writes))
    }
}

struct PhotosBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photos",
        abstract: "Time photo processing (decode, crop, two sizes, encode) and its peak memory (docs/BENCHMARKS.md).",
        discussion: """
            synth FILE [WIDTH HEIGHT]              write a generated photograph (default 4000×3000, 12 megapixels)
            run FILE [RUNS] [photo|banner] [AT-ONCE]   process FILE RUNS times; prints p50/p90/p99 and peak RSS
            Run `run` in a fresh process: its peak RSS is then processing's own.
            """)
    @Argument(help: "synth FILE [WIDTH HEIGHT] | run FILE [RUNS] [KIND] [AT-ONCE]") var arguments: [String]

    func run() throws {
        let status = PhotoBenchmark.commandLine(arguments)
        if status != 0 { throw ExitCode(status) }
    }
}

struct JobsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Time job search with people you know against a LIKE scan on SQLite, and indexing jobs (docs/BENCHMARKS.md).")
    @Option(help: "Members of the synthetic graph, each working at one company.") var members = 100_000
    @Option(help: "Open jobs to index.") var jobs = 20_000
    @Option(help: "Companies the members work at and the jobs are posted by (default: members / 50).") var companies: Int?
    @Option(name: .customLong("average-degree"), help: "Connections per member in the synthetic graph.") var averageDegree = 100
    @Option(help: "Seed of the synthetic data.") var seed: UInt64 = 1
    @Option(help: "Runs of each query after the warm-up.") var queries = 30
    @Option(help: "Seekers sampled (members with connections); the runs take turns among them.") var viewers = 100

    func run() throws {
        guard (1_000...5_000_000).contains(members) else { throw ValidationError("--members must be 1000–5000000") }
        guard (1_000...5_000_000).contains(jobs) else { throw ValidationError("--jobs must be 1000–5000000") }
        let companies = companies ?? max(1, members / 50)
        guard (1...members).contains(companies) else { throw ValidationError("--companies must be 1–\(members)") }
        guard (2...1_000).contains(averageDegree) else { throw ValidationError("--average-degree must be 2–1000") }
        guard (1...10_000).contains(queries) else { throw ValidationError("--queries must be 1–10000") }
        guard (1...10_000).contains(viewers) else { throw ValidationError("--viewers must be 1–10000") }
        try JobBenchmark.run(
            .init(
                members: members, jobs: jobs, companies: companies, averageDegree: averageDegree, seed: seed, repetitions: queries,
                viewers: viewers))
    }
}

struct DataBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Time importing a business-card CSV (parse, match, write) against plain INSERTs, on SQLite and PostgreSQL (docs/BENCHMARKS.md).")
    @Option(help: "Members, each working now at one of members / 50 companies.") var members = 100_000
    @Option(help: "Rows of the business-card CSV imported in each run.") var contacts = 10_000
    @Option(help: "Runs after one warm-up run; each imports the file for a new member.") var runs = 7
    @Option(help: "Seed of the members and the cards.") var seed: UInt64 = 1
    @Option(
        name: .customLong("database-url"),
        help: "postgres://… of a server where the benchmark may create and drop a database bench_<random>; adds a PostgreSQL run.")
    var databaseURL: String?
    @Flag(inversion: .prefixedNo, help: "Run on SQLite (in a temporary folder).") var sqlite = true

    func run() async throws {
        guard (1_000...2_000_000).contains(members) else { throw ValidationError("--members must be 1000–2000000") }
        guard (10...100_000).contains(contacts) else { throw ValidationError("--contacts must be 10–100000 (a file's row limit)") }
        guard (1...1_000).contains(runs) else { throw ValidationError("--runs must be 1–1000") }
        guard contacts * 3 / 10 * 2 <= members else { throw ValidationError("--members must be at least 60% of --contacts (distinct members are named)") }
        try await DataBenchmark.run(
            .init(members: members, contacts: contacts, runs: runs, seed: seed, databaseURL: databaseURL, sqlite: sqlite))
    }
}

struct FillConnections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-connections",
        abstract: "Write a synthetic graph's connections into a database kept by `bench search --keep`, for start-up measurements.")
    @Option(name: .customLong("sqlite-file"), help: "The SQLite database kept by `bench search --keep`, without connections.")
    var sqliteFile: String?
    @Option(
        name: .customLong("database-url"),
        help: "postgres://…/bench_… : the PostgreSQL database kept by `bench search --keep --database-url`, without connections (as a superuser).")
    var databaseURL: String?
    @Option(name: .customLong("average-degree"), help: "Connections per member in the synthetic graph.") var averageDegree = 106
    @Option(help: "Seed of the synthetic graph.") var seed: UInt64 = 1

    func run() async throws {
        guard (2...1_000).contains(averageDegree) else { throw ValidationError("--average-degree must be 2–1000") }
        switch (sqliteFile, databaseURL) {
        case (let file?, nil): try ConnectionFill.run(sqliteFile: file, averageDegree: averageDegree, seed: seed)
        case (nil, let url?): try await ConnectionFill.run(databaseURL: url, averageDegree: averageDegree, seed: seed)
        default: throw ValidationError("give either --sqlite-file or --database-url")
        }
    }
}

/// The baseline for HTTP measurements: Hummingbird with one JSON route and nothing else, so that a
/// benchmark of the app can be read against the framework's own cost on the same machine in the same run.
struct BareServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-server", abstract: "Serve GET /json from a bare Hummingbird app (benchmark baseline).")
    @Option var host = "127.0.0.1"
    @Option var port = 8090

    func run() async throws {
        let router = Router()
        router.get("json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            let body = #"{"id":"01m8gcek18bs05n8p1y0a8v3he","handle":"hanako-inoue-0","name":"井上 花子","headline":"株式会社大和電機の経理"}"#
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        var logger = Logger(label: "bare")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await app.runService()
    }
}
