import Foundation
import Testing
@testable import TsunagariMail

/// The encoders alone, no server: RFC 2047 encoded-words, header folding, base64 and
/// quoted-printable bodies, dot-stuffing, and the rendered message's shape.
@Suite("Mail encoders")
struct MIMETests {
    static let longJapaneseSubject =
        "件名：面接のご案内（株式会社つながり 技術本部 ソフトウェアエンジニア職）一次面接の日程調整と当日の持ち物、会場までの道順について"

    /// Decodes `=?UTF-8?B?…?=` words (the only kind the client writes) and unfolds.
    static func decodeEncodedWords(_ header: String) -> String? {
        var bytes = [UInt8]()
        for word in header.split(whereSeparator: \.isWhitespace) {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return nil }
            guard let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return nil }
            // Each word must hold whole characters (RFC 2047 §5).
            guard String(bytes: data, encoding: .utf8) != nil else { return nil }
            bytes += data
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    static func decodeQuotedPrintable(_ text: String) -> String? {
        var bytes = [UInt8]()
        for line in text.components(separatedBy: "\r\n").dropLast() {
            var scalars = Array(line.utf8)
            let soft = scalars.last == UInt8(ascii: "=")
            if soft { scalars.removeLast() }
            var index = 0
            while index < scalars.count {
                if scalars[index] == UInt8(ascii: "=") {
                    guard index + 2 < scalars.count,
                        let value = UInt8(String(decoding: scalars[index + 1...index + 2], as: UTF8.self), radix: 16)
                    else { return nil }
                    bytes.append(value)
                    index += 3
                } else {
                    bytes.append(scalars[index])
                    index += 1
                }
            }
            if !soft { bytes += [13, 10] }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    static func headerLines(_ header: String) -> [Substring] {
        header.split(separator: "\r\n")
    }

    @Test("a long Japanese subject becomes encoded-words on lines of at most 76 characters")
    func longJapaneseSubject() throws {
        let header = MIME.unstructuredHeader("Subject", value: Self.longJapaneseSubject)
        #expect(header.hasPrefix("Subject: =?UTF-8?B?"))
        #expect(header.hasSuffix("\r\n"))
        let lines = Self.headerLines(header)
        #expect(lines.count > 3, "the subject is long enough to need several lines")
        for (index, line) in lines.enumerated() {
            #expect(line.utf8.count <= 76, "line \(index) has \(line.utf8.count) characters")
            #expect(index == 0 || line.hasPrefix(" "), "continuation lines start with a space")
            #expect(line.allSatisfy { $0.isASCII })
        }
        let words = MIME.encodedWords(Self.longJapaneseSubject)
        #expect(words.allSatisfy { $0.utf8.count <= 64 })
        let value = String(header.dropFirst("Subject:".count))
        #expect(Self.decodeEncodedWords(value) == Self.longJapaneseSubject)
    }

    @Test("encoded-words never split a character, emoji and combining marks included")
    func encodedWordsKeepCharactersWhole() {
        let texts = [
            String(repeating: "あ", count: 100),
            String(repeating: "👨‍👩‍👧‍👦", count: 10),
            "が" + String(repeating: "\u{3099}", count: 30) + "面接",
            "e" + String(repeating: "\u{301}", count: 40),
            "Yamada 山田 🇯🇵 太郎",
        ]
        for text in texts {
            let words = MIME.encodedWords(text)
            #expect(words.allSatisfy { $0.utf8.count <= 75 })
            #expect(Self.decodeEncodedWords(words.joined(separator: "\r\n ")) == text, "\(text)")
        }
    }

    @Test("ASCII subjects stay readable and fold at spaces; '=?' is always encoded")
    func asciiSubjects() {
        #expect(MIME.unstructuredHeader("Subject", value: "Interview on Monday") == "Subject: Interview on Monday\r\n")
        let long = Array(repeating: "interview", count: 20).joined(separator: " ")
        let folded = MIME.unstructuredHeader("Subject", value: long)
        #expect(Self.headerLines(folded).allSatisfy { $0.utf8.count <= 76 })
        #expect(folded.replacingOccurrences(of: "\r\n ", with: " ") == "Subject: \(long)\r\n")
        let tricky = "=?UTF-8?B?5Lu2?= is not an encoded word"
        let header = MIME.unstructuredHeader("Subject", value: tricky)
        #expect(Self.decodeEncodedWords(String(header.dropFirst("Subject:".count))) == tricky)
        let unbreakable = String(repeating: "x", count: 120)
        let encoded = MIME.unstructuredHeader("Subject", value: unbreakable)
        #expect(Self.headerLines(encoded).allSatisfy { $0.utf8.count <= 76 })
        #expect(Self.decodeEncodedWords(String(encoded.dropFirst("Subject:".count))) == unbreakable)
    }

    @Test("display names: atoms, quoted-strings and encoded-words")
    func displayNames() {
        let header = MIME.addressHeader("To", addresses: [
            MailAddress("taro@example.test", name: "山田 太郎"),
            MailAddress("ken@example.test", name: "Sato, Ken \"K\""),
            MailAddress("plain@example.test"),
            MailAddress("anne@example.test", name: "Anne Smith"),
        ])
        #expect(Self.headerLines(header).allSatisfy { $0.utf8.count <= 76 })
        let unfolded = header.replacingOccurrences(of: "\r\n ", with: " ")
        #expect(unfolded.contains("<taro@example.test>,"))
        #expect(unfolded.contains("\"Sato, Ken \\\"K\\\"\" <ken@example.test>,"))
        #expect(unfolded.contains(" plain@example.test,"))
        #expect(unfolded.hasSuffix(" Anne Smith <anne@example.test>\r\n"))
        let encodedName = unfolded.dropFirst("To: ".count).prefix { $0 != "<" }
        #expect(Self.decodeEncodedWords(String(encodedName)) == "山田 太郎")
    }

    @Test("dot-stuffing doubles every leading dot, so a lone '.' cannot end DATA early")
    func dotStuffing() {
        #expect(MIME.dotStuffed(".\r\n") == "..\r\n")
        #expect(MIME.dotStuffed("a\r\n.\r\nb\r\n") == "a\r\n..\r\nb\r\n")
        #expect(MIME.dotStuffed("..x\r\n.y\r\nz.\r\n") == "...x\r\n..y\r\nz.\r\n")
        #expect(MIME.dotStuffed("no dots\r\n") == "no dots\r\n")
        #expect(MIME.dotStuffed("a. b\r\n .c\r\n") == "a. b\r\n .c\r\n")
        let stuffed = MIME.dotStuffed("x\r\n.\r\n.\r\n")
        #expect(!stuffed.contains("\r\n.\r\n"))
    }

    @Test("base64 bodies: lines of at most 76 characters ending CRLF, decoding to the input")
    func base64Lines() throws {
        for length in [0, 1, 2, 3, 56, 57, 58, 1000, 4099] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
            let body = MIME.base64Body(bytes)
            let lines = body.components(separatedBy: "\r\n")
            #expect(lines.last == "")
            #expect(lines.dropLast().allSatisfy { $0.utf8.count <= 76 && !$0.isEmpty })
            #expect(lines.dropLast().dropLast().allSatisfy { $0.utf8.count == 76 })
            #expect(Data(base64Encoded: lines.joined()) == Data(bytes))
        }
        #expect(MIME.base64(Array("Man".utf8)) == "TWFu")
        #expect(MIME.base64(Array("Ma".utf8)) == "TWE=")
        #expect(MIME.base64(Array("M".utf8)) == "TQ==")
    }

    @Test("quoted-printable: soft breaks within 76 characters, trailing spaces and '=' encoded")
    func quotedPrintable() throws {
        let texts = [
            "Hello  \nこんにちは、山田さん。\n",
            String(repeating: "a=b ", count: 60),
            String(repeating: "面接", count: 40),
            "trailing tab\t\nlast line no newline",
            ".dot line\n..two\n",
        ]
        for text in texts {
            let encoded = MIME.quotedPrintable(text)
            let lines = encoded.components(separatedBy: "\r\n")
            #expect(lines.last == "")
            for line in lines {
                #expect(line.utf8.count <= 76, "\(line)")
                #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
                #expect(line.allSatisfy { $0.isASCII })
            }
            #expect(Self.decodeQuotedPrintable(encoded) == MIME.crlfNormalized(text))
        }
    }

    @Test("bodies: every line ending becomes CRLF; the smaller encoding is chosen")
    func bodies() {
        #expect(MIME.crlfNormalized("a\nb\r\nc\rd") == "a\r\nb\r\nc\r\nd\r\n")
        #expect(MIME.crlfNormalized("a\n") == "a\r\n")
        #expect(MIME.encodeBody("Hello,\nsee you on Monday.\n").encoding == "quoted-printable")
        #expect(MIME.encodeBody(String(repeating: "面接のご案内です。", count: 20)).encoding == "base64")
    }

    static let sample = MailMessage(
        from: MailAddress("recruiting@tsunagari.test", name: "つながり 採用チーム"),
        to: [MailAddress("taro@example.test", name: "山田 太郎")],
        subject: "件名：面接のご案内",
        textBody: "山田様\n\n.\n面接の日程です。\n",
        htmlBody: "<p>山田様</p>\n<p>面接の日程です。</p>\n",
        date: Date(timeIntervalSince1970: 1_709_598_600),
        timeZone: TimeZone(identifier: "Asia/Tokyo")!,
        messageID: "interview-42@tsunagari.test"
    )

    @Test("a rendered message: RFC 5322 headers, MIME, CRLF only, lines within limits")
    func renderedMessage() throws {
        let rendered = try Self.sample.rendered()
        #expect(rendered.hasSuffix("\r\n"))
        let bytes = Array(rendered.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == 10 { #expect(index > 0 && bytes[index - 1] == 13, "bare LF at \(index)") }
            if byte == 13 { #expect(index + 1 < bytes.count && bytes[index + 1] == 10, "bare CR at \(index)") }
        }
        #expect(bytes.allSatisfy { $0 < 128 }, "7-bit clean")
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        let headerEnd = try #require(lines.firstIndex(of: ""))
        let headers = lines[..<headerEnd].joined(separator: "\r\n").replacingOccurrences(of: "\r\n ", with: " ")
        #expect(headers.contains("Date: Tue, 05 Mar 2024 09:30:00 +0900"))
        #expect(headers.contains("Message-ID: <interview-42@tsunagari.test>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("Content-Type: multipart/alternative; boundary=\"=_"))
        #expect(rendered.contains("Content-Type: text/plain; charset=UTF-8\r\n"))
        #expect(rendered.contains("Content-Type: text/html; charset=UTF-8\r\n"))

        var single = Self.sample
        single.htmlBody = nil
        single.messageID = nil
        let plain = try single.rendered()
        #expect(!plain.contains("multipart"))
        #expect(plain.contains("Content-Type: text/plain; charset=UTF-8\r\n"))
        #expect(plain.range(of: #"Message-ID: <[0-9a-f-]{36}@tsunagari\.test>"#, options: .regularExpression) != nil)
    }

    @Test("RFC 5322 dates in any zone, English names")
    func dates() {
        let date = Date(timeIntervalSince1970: 1_709_598_600)
        #expect(MailMessage.rfc5322Date(date, timeZone: TimeZone(identifier: "UTC")!) == "Tue, 05 Mar 2024 00:30:00 +0000")
        #expect(MailMessage.rfc5322Date(date, timeZone: TimeZone(identifier: "America/New_York")!) == "Mon, 04 Mar 2024 19:30:00 -0500")
        #expect(MailMessage.rfc5322Date(date, timeZone: TimeZone(secondsFromGMT: 19_800)!) == "Tue, 05 Mar 2024 06:00:00 +0530")
    }

    @Test("header injection and bad addresses are refused with .invalidMessage")
    func headerInjection() {
        func error(_ change: (inout MailMessage) -> Void) -> SMTPError? {
            var message = Self.sample
            change(&message)
            do {
                _ = try message.rendered()
                return nil
            } catch {
                return error
            }
        }
        func isInvalid(_ error: SMTPError?) -> Bool {
            if case .invalidMessage = error { return true }
            return false
        }
        #expect(isInvalid(error { $0.subject = "面接\r\nBcc: x@y" }))
        #expect(isInvalid(error { $0.subject = "a\nb" }))
        #expect(isInvalid(error { $0.subject = "a\rb" }))
        #expect(isInvalid(error { $0.from.name = "Taro\r\nBcc: x@y" }))
        #expect(isInvalid(error { $0.to[0].name = "Taro\nX-Evil: 1" }))
        #expect(isInvalid(error { $0.to[0].address = "taro@example.test\r\nRCPT TO:<x@y>" }))
        #expect(isInvalid(error { $0.from.address = "a@b>\r\nBcc: x@y" }))
        #expect(isInvalid(error { $0.to = [] }))
        #expect(isInvalid(error { $0.to[0].address = "no-at-sign" }))
        #expect(isInvalid(error { $0.to[0].address = "@example.test" }))
        #expect(isInvalid(error { $0.to[0].address = "taro@" }))
        #expect(isInvalid(error { $0.to[0].address = "山田@example.test" }))
        #expect(isInvalid(error { $0.to[0].address = "a b@example.test" }))
        #expect(isInvalid(error { $0.to[0].address = "a@b@example.test" }))
        #expect(isInvalid(error { $0.messageID = "x\r\ny" }))
        #expect(isInvalid(error { $0.subject = "bell\u{07}" }))
        #expect(error { $0.subject = "tab\tis fine" } == nil)
    }

    @Test("isTemporary: retry later or give up")
    func temporary() {
        #expect(SMTPError.connectionFailed("refused").isTemporary)
        #expect(SMTPError.timedOut.isTemporary)
        #expect(SMTPError.connectionClosed.isTemporary)
        #expect(SMTPError.rejected(code: 451, reply: "4.3.0 busy", permanent: false).isTemporary)
        #expect(!SMTPError.rejected(code: 550, reply: "5.1.1 No such user", permanent: true).isTemporary)
        #expect(SMTPError.authenticationFailed(code: 454, reply: "4.7.0 try later").isTemporary)
        #expect(!SMTPError.authenticationFailed(code: 535, reply: "5.7.8 bad credentials").isTemporary)
        #expect(!SMTPError.startTLSUnavailable.isTemporary)
        #expect(!SMTPError.tlsFailed("unknown CA").isTemporary)
        #expect(!SMTPError.invalidMessage("x").isTemporary)
        #expect(!SMTPError.invalidConfiguration("x").isTemporary)
    }

    @Test("loopback hosts, and the configurations refused before connecting")
    func configuration() async {
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "LOCALHOST"] {
            #expect(SMTPConfiguration.isLoopback(host), "\(host)")
        }
        for host in ["mail.example.test", "127.0.0.256", "128.0.0.1", "10.0.0.1", "localhost.example.test", "127.0.0"] {
            #expect(!SMTPConfiguration.isLoopback(host), "\(host)")
        }
        #expect(SMTPConfiguration(host: "a", security: .tls).port == 465)
        #expect(SMTPConfiguration(host: "a", security: .startTLS).port == 587)
        #expect(SMTPConfiguration(host: "a", security: .none).port == 25)

        // Each of these is refused by validation before any connection (.invalid hosts never resolve).
        let plainWithPassword = SMTPConfiguration(
            host: "mail.example.invalid", security: .none, username: "u", password: "p")
        let verifyNoneRemote = SMTPConfiguration(
            host: "mail.example.invalid", security: .tls, trustRoots: .verifyNoneForLoopback)
        let onlyUsername = SMTPConfiguration(host: "127.0.0.1", security: .none, username: "u")
        let injectedHELO = SMTPConfiguration(host: "127.0.0.1", security: .none, heloName: "x\r\nMAIL FROM:<a@b>")
        for configuration in [plainWithPassword, verifyNoneRemote, onlyUsername, injectedHELO] {
            let error = await sendError(SMTPClient(configuration: configuration), Self.sample)
            guard case .invalidConfiguration = error else {
                Issue.record("expected .invalidConfiguration, got \(String(describing: error))")
                continue
            }
        }
    }
}
