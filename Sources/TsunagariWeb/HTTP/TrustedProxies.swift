import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed: addresses and CIDR ranges,
/// IPv4 and IPv6. A client writes whatever it likes into `X-Forwarded-For`, and each proxy appends the address it
/// saw, so the client's address is the right-most entry not written by a trusted proxy — never the first.
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        /// 4 or 16 bytes.
        var network: [UInt8]
        var prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == network.count else { return false }
            var bits = prefix
            for index in 0..<address.count where bits > 0 {
                let take = min(8, bits)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if address[index] & mask != network[index] & mask { return false }
                bits -= take
            }
            return true
        }
    }

    var ranges: [Range]

    /// Loopback only: a proxy on the same machine (the usual nginx in front of one instance).
    public static let loopback = try! TrustedProxies(parsing: "127.0.0.0/8,::1")

    /// Parses `10.0.0.5, 10.1.0.0/16, fd00::/8`; throws naming the first entry that is not an address or range.
    public init(parsing text: String) throws {
        ranges = []
        for raw in text.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = Self.bytes(String(parts[0])) else { throw Invalid(entry: entry) }
            var prefix = address.count * 8
            if parts.count == 2 {
                guard let given = Int(parts[1]), (0...prefix).contains(given) else { throw Invalid(entry: entry) }
                prefix = given
            }
            ranges.append(Range(network: address, prefix: prefix))
        }
        guard !ranges.isEmpty else { throw Invalid(entry: text) }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let entry: String
        public var description: String { "'\(entry)' is not an IP address or CIDR range" }
    }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address: the socket peer, unless the peer is a trusted proxy; then the right-most
    /// `X-Forwarded-For` entry that is not itself a trusted proxy (or the left-most, when every entry is one).
    /// An entry that is not an address ends the walk: what stands left of it was written by someone untrusted.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String {
        guard let peer else { return "unknown" }
        guard contains(peer) else { return peer }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for entry in entries.reversed() {
            guard Self.bytes(entry) != nil else { break }
            client = entry
            if !contains(entry) { break }
        }
        return client
    }

    /// Whether the request reached the proxy over TLS: believed only from a trusted peer.
    public func forwardedHTTPS(peer: String?, forwardedProto: String?) -> Bool {
        guard let peer, contains(peer), let forwardedProto else { return false }
        // Several proxies append their own; the last was written by the proxy next to us.
        return forwardedProto.split(separator: ",").last?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var text = text
        // `[::1]` as some proxies write IPv6 entries, and an IPv6 zone (`fe80::1%eth0`) are taken without their dressing.
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        guard text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            // An IPv4 address mapped into IPv6 (::ffff:a.b.c.d) is that IPv4 address.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12..<16]) }
            return bytes
        }
        return nil
    }
}
