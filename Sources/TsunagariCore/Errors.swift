/// A failure the domain reports to its callers. Every case maps to one HTTP status in the web
/// layer's single error contract; `message` is written for people and may be shown to them.
public struct DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The input could not be understood at all (HTTP 400).
        case malformed
        /// No or bad credentials (HTTP 401).
        case unauthenticated
        /// Known viewer, not allowed (HTTP 403).
        case forbidden
        /// Does not exist, or the viewer may not know it exists (HTTP 404).
        case notFound
        /// Clashes with the current state (HTTP 409).
        case conflict
        /// Too large (HTTP 413).
        case tooLarge
        /// Well-formed but breaks a rule (HTTP 422).
        case invalid
        /// Too many attempts; try again after the given number of seconds (HTTP 429).
        case rateLimited(retryAfterSeconds: Int)
    }

    public let kind: Kind
    public let code: String
    public let message: String

    public init(_ kind: Kind, code: String, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func invalid(_ code: String, _ message: String) -> DomainError {
        DomainError(.invalid, code: code, message: message)
    }

    public static func notFound(_ what: String) -> DomainError {
        DomainError(.notFound, code: "not_found", message: "\(what) was not found.")
    }

    public static let unauthenticated = DomainError(
        .unauthenticated, code: "unauthenticated", message: "Log in to continue.")

    /// An invitation between members already connected (refused by the service, or by storage's insert).
    public static let alreadyConnected = DomainError(.conflict, code: "already_connected", message: "You are already connected.")
}
