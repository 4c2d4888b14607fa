/// Why a message was not sent. `isTemporary` tells a caller whether to retry later or give up.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TCP connection could not be made (refused, unknown host, unreachable), or the server
    /// spoke something that is not SMTP.
    case connectionFailed(String)
    /// Connecting, the greeting or a command's reply took longer than its configured timeout.
    case timedOut
    /// `.startTLS` was required and the server does not offer STARTTLS. Nothing was sent.
    case startTLSUnavailable
    /// The TLS handshake failed (untrusted certificate, wrong host name, no common protocol).
    case tlsFailed(String)
    /// The server refused the credentials (`535`), offers no mechanism this client speaks, or
    /// failed temporarily (`454`, then `isTemporary` is true).
    case authenticationFailed(code: Int, reply: String)
    /// The server refused a step: 5xx is permanent (a bounce), 4xx temporary (retry later).
    case rejected(code: Int, reply: String, permanent: Bool)
    /// The server dropped the connection in the middle of the conversation.
    case connectionClosed
    /// The message cannot be sent as it is (header injection, bad address, no recipient).
    /// Found before connecting.
    case invalidMessage(String)
    /// The configuration is unsafe or incomplete (credentials over an unencrypted connection to a
    /// host that is not loopback, certificate checks turned off for such a host). Found before connecting.
    case invalidConfiguration(String)

    /// True when the same message may succeed later unchanged: the caller should retry.
    public var isTemporary: Bool {
        switch self {
        case .connectionFailed, .timedOut, .connectionClosed:
            return true
        case .rejected(_, _, let permanent):
            return !permanent
        case .authenticationFailed(let code, _):
            return (400..<500).contains(code)
        case .startTLSUnavailable, .tlsFailed, .invalidMessage, .invalidConfiguration:
            return false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let reason): return "SMTP connection failed: \(reason)"
        case .timedOut: return "SMTP server did not answer in time"
        case .startTLSUnavailable: return "SMTP server does not offer STARTTLS, which is required"
        case .tlsFailed(let reason): return "TLS with the SMTP server failed: \(reason)"
        case .authenticationFailed(let code, let reply): return "SMTP authentication failed: \(code) \(reply)"
        case .rejected(let code, let reply, let permanent):
            return "SMTP server rejected the message (\(permanent ? "permanent" : "temporary")): \(code) \(reply)"
        case .connectionClosed: return "SMTP server closed the connection"
        case .invalidMessage(let reason): return "Invalid mail message: \(reason)"
        case .invalidConfiguration(let reason): return "Invalid SMTP configuration: \(reason)"
        }
    }
}
