import Crypto
import Foundation
import HummingbirdBcrypt
import Logging
import TsunagariCore
import TsunagariStoragePostgres
import TsunagariStorageSQLite

/// The domain services wired to one storage, shared by every request.
public struct AppServices: Sendable {
    public let configuration: AppConfiguration
    public let storage: any Storage
    public let clock: any Clock
    public let tokens: any TokenIssuer
    public let accounts: AccountService
    public let profiles: ProfileService

    public init(configuration: AppConfiguration, storage: any Storage, clock: any Clock = SystemClock(), hasher: (any PasswordHasher)? = nil) {
        self.configuration = configuration
        self.storage = storage
        self.clock = clock
        let tokens = RandomTokens()
        self.tokens = tokens
        let hasher = hasher ?? BcryptPasswordHasher(cost: configuration.bcryptCost)
        accounts = AccountService(storage: storage, hasher: hasher, tokens: tokens, clock: clock, limits: configuration.rateLimits)
        profiles = ProfileService(storage: storage, clock: clock)
    }

    /// SQLite in the data directory, or PostgreSQL when a database URL is configured; migrated.
    public static func openStorage(_ configuration: AppConfiguration, logger: Logger) async throws -> any Storage {
        let storage: any Storage
        if let url = configuration.databaseURL {
            storage = try PostgresStorage(url: url, logger: logger)
        } else {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            storage = try SQLiteStorage(path: (configuration.dataDirectory as NSString).appendingPathComponent("tsunagari.sqlite"))
        }
        try await storage.migrate()
        return storage
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
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
