import Foundation

/// A mailbox: an address and an optional display name (any language: non-ASCII names are
/// sent as RFC 2047 encoded-words).
public struct MailAddress: Sendable, Hashable {
    /// `local@domain`, ASCII (internationalised addresses need SMTPUTF8, which is not spoken).
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }
}

/// One outgoing message: a plain-text body and, optionally, an HTML alternative.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var date: Date
    /// The zone the Date header is written in.
    public var timeZone: TimeZone
    /// Without angle brackets (`id@domain`); generated from a random UUID and the sender's domain when nil.
    public var messageID: String?

    public init(
        from: MailAddress,
        to: [MailAddress],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        date: Date = Date(),
        timeZone: TimeZone = .current,
        messageID: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.timeZone = timeZone
        self.messageID = messageID
    }

    /// Checks everything that can make a header carry more than it should (CR or LF in a name,
    /// address or subject: header injection) and every address. Throws `.invalidMessage`.
    public func validate() throws(SMTPError) {
        if to.isEmpty { throw .invalidMessage("no recipient") }
        try Self.validateHeaderText(subject, what: "subject")
        for (role, mailbox) in [("sender", from)] + to.map({ ("recipient", $0) }) {
            try Self.validateAddress(mailbox.address, what: role)
            if let name = mailbox.name { try Self.validateHeaderText(name, what: "\(role) name") }
        }
        if let messageID {
            try Self.validateAddress(messageID, what: "Message-ID")
        }
    }

    static func validateHeaderText(_ text: String, what: String) throws(SMTPError) {
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw .invalidMessage("the \(what) contains a line break (header injection)")
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
            throw .invalidMessage("the \(what) contains control characters")
        }
    }

    static func validateAddress(_ address: String, what: String) throws(SMTPError) {
        if address.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw .invalidMessage("the \(what) address contains a line break (header injection)")
        }
        let forbidden = Set("<>()[]\\,;:\" \t".unicodeScalars)
        guard address.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && !forbidden.contains($0) })
        else {
            throw .invalidMessage("the \(what) address \(String(reflecting: address)) has characters an address cannot have")
        }
        guard let at = address.firstIndex(of: "@"),
            at != address.startIndex,
            address.index(after: at) != address.endIndex,
            address.utf8.count <= 254,
            address[..<at].utf8.count <= 64,
            !address[address.index(after: at)...].contains("@")
        else {
            throw .invalidMessage("the \(what) address \(String(reflecting: address)) is not local@domain")
        }
    }

    /// The message as sent in DATA (before dot-stuffing): RFC 5322 headers and a MIME body,
    /// CRLF line endings, ending with CRLF.
    public func rendered() throws(SMTPError) -> String {
        try validate()
        var headers = ""
        headers += MIME.addressHeader("From", addresses: [from])
        headers += MIME.addressHeader("To", addresses: to)
        headers += MIME.unstructuredHeader("Subject", value: subject)
        headers += "Date: " + Self.rfc5322Date(date, timeZone: timeZone) + "\r\n"
        headers += "Message-ID: <" + (messageID ?? generatedMessageID()) + ">\r\n"
        headers += "MIME-Version: 1.0\r\n"

        let text = MIME.encodeBody(textBody)
        guard let htmlBody else {
            return headers
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: \(text.encoding)\r\n"
                + "\r\n" + text.body
        }
        let html = MIME.encodeBody(htmlBody)
        // "=_" can appear neither in base64 nor in quoted-printable output.
        let boundary = "=_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        return headers
            + "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n"
            + "\r\n"
            + "This is a multi-part message in MIME format.\r\n"
            + "--\(boundary)\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: \(text.encoding)\r\n"
            + "\r\n" + text.body
            + "--\(boundary)\r\n"
            + "Content-Type: text/html; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: \(html.encoding)\r\n"
            + "\r\n" + html.body
            + "--\(boundary)--\r\n"
    }

    private func generatedMessageID() -> String {
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        return UUID().uuidString.lowercased() + "@" + domain
    }

    /// `Tue, 05 Mar 2024 09:30:00 +0900` (RFC 5322 §3.3), English names whatever the locale.
    static func rfc5322Date(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let offsetMinutes = timeZone.secondsFromGMT(for: date) / 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let zone = sign + two(abs(offsetMinutes) / 60) + two(abs(offsetMinutes) % 60)
        return "\(days[parts.weekday! - 1]), \(two(parts.day!)) \(months[parts.month! - 1]) \(parts.year!) "
            + "\(two(parts.hour!)):\(two(parts.minute!)):\(two(parts.second!)) \(zone)"
    }
}
