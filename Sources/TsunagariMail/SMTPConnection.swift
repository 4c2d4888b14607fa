import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP reply: a code and its text lines (several for `250-…` multi-line replies).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: " ") }
}

/// Reads SMTP replies off the wire and hands them, one per command, to the single waiting caller.
/// Lives on the channel's event loop; every method is called there.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; generous, but a bound all the same.
    static let maxLineLength = 8192

    private var buffer = ByteBuffer()
    private var pendingLines: [String] = []
    private var replies: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var timeout: Scheduled<Void>?
    private var failure: SMTPError?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        parseLines()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPConnection.map(error))
    }

    /// Writes `bytes` (when given) and answers with the next reply, or fails after `timeout`.
    func nextReply(writing bytes: ByteBuffer?, timeout: TimeAmount, eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        precondition(waiter == nil, "one command at a time")
        if let bytes, failure == nil, let context {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        }
        if !replies.isEmpty {
            // A reply the server sent unasked (such as 421 before closing) answers this command.
            return eventLoop.makeSucceededFuture(replies.removeFirst())
        }
        if let failure {
            return eventLoop.makeFailedFuture(failure)
        }
        // Out of the pipeline without a failure seen: the connection is gone all the same.
        guard context != nil else { return eventLoop.makeFailedFuture(SMTPError.connectionClosed) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        self.timeout = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(.timedOut)
        }
        return promise.futureResult
    }

    /// Puts TLS under the conversation, right after the server's `220` to STARTTLS.
    func startTLS(_ tlsHandler: NIOSSLClientHandler) throws {
        guard let context else { throw failure ?? SMTPError.connectionClosed }
        // Anything already read was sent in plain text after the 220 and could be injected.
        guard buffer.readableBytes == 0, pendingLines.isEmpty, replies.isEmpty else {
            throw SMTPError.tlsFailed("the server sent more data after agreeing to STARTTLS")
        }
        try context.pipeline.syncOperations.addHandler(tlsHandler, position: .first)
    }

    private func parseLines() {
        while failure == nil, let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = buffer.readableBytesView.distance(from: buffer.readableBytesView.startIndex, to: newline)
            var bytes = buffer.readBytes(length: length + 1)!
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            parse(line: String(decoding: bytes, as: UTF8.self))
        }
        if buffer.readableBytes > Self.maxLineLength {
            fail(.connectionFailed("the server sent a reply line longer than \(Self.maxLineLength) bytes"))
        }
        buffer.discardReadBytes()
    }

    private func parse(line: String) {
        let characters = Array(line.utf8)
        guard characters.count >= 3,
            characters[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            characters.count == 3 || characters[3] == UInt8(ascii: " ") || characters[3] == UInt8(ascii: "-"),
            let code = Int(String(decoding: characters[0...2], as: UTF8.self))
        else {
            fail(.connectionFailed("the server's reply is not SMTP: \(String(line.prefix(80)).debugDescription)"))
            return
        }
        let text = characters.count > 4 ? String(decoding: characters[4...], as: UTF8.self) : ""
        pendingLines.append(text)
        guard characters.count == 3 || characters[3] == UInt8(ascii: " ") else { return }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingLines = []
        if let waiter {
            self.waiter = nil
            timeout?.cancel()
            timeout = nil
            waiter.succeed(reply)
        } else {
            replies.append(reply)
        }
    }

    /// Records the first failure, fails the waiting caller and closes the connection.
    private func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        timeout?.cancel()
        timeout = nil
        if let waiter {
            self.waiter = nil
            waiter.fail(failure ?? error)
        }
        context?.close(promise: nil)
    }
}

/// An open SMTP connection: commands go out one at a time, each answered by one reply.
struct SMTPConnection: Sendable {
    let channel: any Channel
    /// Held here rather than looked up in the pipeline: once the connection closes the pipeline is empty, and the
    /// handler still knows why it closed (a failed TLS handshake, not merely a closed connection).
    let replies: NIOLoopBound<SMTPReplyHandler>
    let commandTimeout: TimeAmount

    static func connect(
        host: String,
        port: Int,
        connectTimeout: TimeAmount,
        commandTimeout: TimeAmount,
        implicitTLS: NIOSSLContext?
    ) async throws(SMTPError) -> SMTPConnection {
        let serverHostname = tlsServerHostname(host)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let replies: NIOLoopBound<SMTPReplyHandler>
        do {
            replies = try await loop.submit { NIOLoopBound(SMTPReplyHandler(), eventLoop: loop) }.get()
        } catch {
            throw .connectionFailed("\(error)")
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        let tls = try NIOSSLClientHandler(context: implicitTLS, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHandler(replies.value)
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            return SMTPConnection(channel: channel, replies: replies, commandTimeout: commandTimeout)
        } catch let error as ChannelError {
            if case .connectTimeout = error { throw .timedOut }
            throw .connectionFailed("\(host):\(port): \(error)")
        } catch let error as SMTPError {
            throw error
        } catch {
            if let tls = tlsFailure(error) { throw tls }
            throw .connectionFailed("\(host):\(port): \(error)")
        }
    }

    /// The name sent for SNI and checked against the certificate; nil for an IP address, whose
    /// certificate is then checked against the address connected to.
    static func tlsServerHostname(_ host: String) -> String? {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        return (try? SocketAddress(ipAddress: name, port: 0)) == nil ? host : nil
    }

    /// Sends one command line (CRLF added; nil sends nothing, to read the greeting) and waits for its reply.
    func command(_ line: String?) async throws(SMTPError) -> SMTPReply {
        try await exchange(line.map { $0 + "\r\n" }, timeout: commandTimeout)
    }

    /// Sends the dot-stuffed message and the final "." line, and waits for the server's verdict.
    func sendData(_ dotStuffed: String) async throws(SMTPError) -> SMTPReply {
        try await exchange(dotStuffed + ".\r\n", timeout: commandTimeout)
    }

    /// QUIT with a short wait for its reply; failures are of no interest any more.
    func quit() async {
        _ = try? await exchange("QUIT\r\n", timeout: min(commandTimeout, .seconds(2)))
    }

    func startTLS(_ context: NIOSSLContext, host: String) async throws(SMTPError) {
        let channel = self.channel
        let serverHostname = Self.tlsServerHostname(host)
        let replies = self.replies
        do {
            try await channel.eventLoop.submit {
                try replies.value.startTLS(NIOSSLClientHandler(context: context, serverHostname: serverHostname))
            }.get()
        } catch {
            throw Self.map(error)
        }
    }

    func close() async {
        try? await channel.close()
    }

    private func exchange(_ text: String?, timeout: TimeAmount) async throws(SMTPError) -> SMTPReply {
        let (channel, replies) = (self.channel, self.replies)
        do {
            return try await channel.eventLoop.flatSubmit {
                let bytes = text.map { channel.allocator.buffer(string: $0) }
                return replies.value.nextReply(writing: bytes, timeout: timeout, eventLoop: channel.eventLoop)
            }.get()
        } catch {
            throw Self.map(error)
        }
    }

    /// Any error met on the wire as an `SMTPError`.
    static func map(_ error: any Error) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if let tls = tlsFailure(error) { return tls }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timedOut
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed: return .connectionClosed
            default: return .connectionFailed("\(error)")
            }
        }
        // Reset by peer, broken pipe: the server went away in the middle.
        if error is IOError { return .connectionClosed }
        return .connectionFailed("\(error)")
    }

    private static func tlsFailure(_ error: any Error) -> SMTPError? {
        if let error = error as? NIOSSLError {
            // The peer closed TCP without close_notify: a dropped connection, not a TLS problem.
            if case .uncleanShutdown = error { return .connectionClosed }
            return .tlsFailed("\(error)")
        }
        if error is NIOSSLExtraError || error is BoringSSLError {
            return .tlsFailed("\(error)")
        }
        return nil
    }
}
