/// Where and how to deliver outgoing mail.
public struct SMTPConfiguration: Sendable {
    public enum Security: Sendable, Equatable {
        /// Plain text throughout. Credentials are refused unless the host is loopback.
        case none
        /// Plain connection upgraded with STARTTLS before anything else is said (port 587).
        /// Required: when the server does not offer STARTTLS nothing is sent.
        case startTLS
        /// TLS from the first byte (implicit TLS, port 465).
        case tls
    }

    /// Which certificates the client trusts.
    public enum TrustRoots: Sendable, Equatable {
        /// The system's CA bundle, with host name verification.
        case system
        /// A PEM file of CA certificates (or of the server's own self-signed certificate), with
        /// host name verification.
        case certificateFile(String)
        /// No certificate verification at all. Only accepted for a loopback host; meant for tests.
        case verifyNoneForLoopback
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO/HELO: the sending host's fully qualified domain name.
    public var heloName: String
    public var connectTimeout: Duration
    /// How long each reply (greeting, every command, the end of DATA) may take.
    public var commandTimeout: Duration
    public var trustRoots: TrustRoots

    /// `port` defaults to 465 for `.tls`, 587 for `.startTLS` and 25 for `.none`.
    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(60),
        trustRoots: TrustRoots = .system
    ) {
        self.host = host
        self.port = port ?? Self.defaultPort(for: security)
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.trustRoots = trustRoots
    }

    public static func defaultPort(for security: Security) -> Int {
        switch security {
        case .none: return 25
        case .startTLS: return 587
        case .tls: return 465
        }
    }

    /// True for `localhost`, `127.0.0.0/8` and `::1`.
    public var hostIsLoopback: Bool { Self.isLoopback(host) }

    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." || name == "::1" || name == "0:0:0:0:0:0:0:1" {
            return true
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }

    /// Checks what can be checked before connecting.
    func validate() throws(SMTPError) {
        if host.isEmpty { throw .invalidConfiguration("no host") }
        guard (1...65_535).contains(port) else { throw .invalidConfiguration("port \(port) is out of range") }
        for (label, value) in [("host", host), ("HELO name", heloName), ("username", username ?? "")]
        where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidConfiguration("the \(label) contains control characters")
        }
        if heloName.isEmpty || heloName.contains(" ") { throw .invalidConfiguration("the HELO name must be one word") }
        if (username == nil) != (password == nil) {
            throw .invalidConfiguration("give both a username and a password, or neither")
        }
        if username != nil && security == .none && !hostIsLoopback {
            throw .invalidConfiguration("credentials are never sent over an unencrypted connection to \(host)")
        }
        if trustRoots == .verifyNoneForLoopback && !hostIsLoopback {
            throw .invalidConfiguration("certificate verification can only be turned off for a loopback host")
        }
        if commandTimeout <= .zero || connectTimeout <= .zero {
            throw .invalidConfiguration("timeouts must be positive")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
