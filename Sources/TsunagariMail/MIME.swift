/// The encoders a message needs: RFC 2047 encoded-words, RFC 5322 header folding, base64 and
/// quoted-printable bodies (RFC 2045), and SMTP dot-stuffing (RFC 5321 §4.5.2). Pure functions, no I/O.
enum MIME {
    /// Header lines are folded to at most this many characters (RFC 2047 §2 and RFC 5322 §2.1.1's 78).
    static let maxLineLength = 76
    /// UTF-8 bytes in one encoded-word: base64 of 39 bytes is 52 characters, so
    /// `=?UTF-8?B?` + 52 + `?=` is 64, under RFC 2047's 75, and even after `Subject: ` on the
    /// header's first line a word keeps the line within 76.
    static let maxBytesPerEncodedWord = 39

    // MARK: Base64

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let b0 = input[index]
            let b1 = index + 1 < input.count ? input[index + 1] : 0
            let b2 = index + 2 < input.count ? input[index + 2] : 0
            output.append(base64Alphabet[Int(b0 >> 2)])
            output.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(index + 1 < input.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(index + 2 < input.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Base64 in lines of at most 76 characters, each ended by CRLF (RFC 2045 §6.8).
    static func base64Body(_ bytes: some Collection<UInt8>) -> String {
        let encoded = Array(base64(bytes).utf8)
        var output = ""
        output.reserveCapacity(encoded.count + encoded.count / maxLineLength * 2 + 2)
        var start = 0
        while start < encoded.count {
            let end = min(start + maxLineLength, encoded.count)
            output += String(decoding: encoded[start..<end], as: UTF8.self)
            output += "\r\n"
            start = end
        }
        return output
    }

    // MARK: Line endings

    /// The lines of a text whatever its line endings (CRLF, LF or a lone CR).
    static func lines(_ text: String) -> [Substring.UnicodeScalarView] {
        var result: [Substring.UnicodeScalarView] = []
        let scalars = Substring(text).unicodeScalars
        var start = scalars.startIndex
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\r" || scalar == "\n" {
                result.append(scalars[start..<index])
                var next = scalars.index(after: index)
                if scalar == "\r", next < scalars.endIndex, scalars[next] == "\n" { next = scalars.index(after: next) }
                index = next
                start = next
            } else {
                index = scalars.index(after: index)
            }
        }
        result.append(scalars[start..<scalars.endIndex])
        return result
    }

    /// The text with every line ending made CRLF, ending with CRLF.
    static func crlfNormalized(_ text: String) -> String {
        var lines = lines(text)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { String($0) + "\r\n" }.joined()
    }

    // MARK: Quoted-printable

    /// Quoted-printable of UTF-8 text (RFC 2045 §6.7): CRLF hard line breaks, soft breaks keep
    /// lines at most 76 characters, trailing whitespace and `=` always encoded.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output = ""
        var sourceLines = lines(text)
        if sourceLines.count > 1, sourceLines.last?.isEmpty == true { sourceLines.removeLast() }
        for line in sourceLines {
            let bytes = Array(String(line).utf8)
            var current = [UInt8]()
            for (offset, byte) in bytes.enumerated() {
                let isLast = offset == bytes.count - 1
                var piece: [UInt8]
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    piece = isLast ? [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] : [byte]
                case 33...126 where byte != UInt8(ascii: "="):
                    piece = [byte]
                default:
                    piece = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                // A soft break costs one "=", so a continued line holds at most 75 characters.
                let limit = isLast ? maxLineLength : maxLineLength - 1
                if current.count + piece.count > limit {
                    output += String(decoding: current, as: UTF8.self) + "=\r\n"
                    current = []
                }
                current += piece
            }
            output += String(decoding: current, as: UTF8.self) + "\r\n"
        }
        return output
    }

    /// The transfer encoding that makes the smaller body: quoted-printable for mostly-ASCII
    /// text (readable, and what most mailers pick), base64 for mostly-Japanese text.
    static func encodeBody(_ text: String) -> (encoding: String, body: String) {
        let normalized = crlfNormalized(text)
        let qp = quotedPrintable(normalized)
        let b64 = base64Body(normalized.utf8)
        return qp.utf8.count <= b64.utf8.count ? ("quoted-printable", qp) : ("base64", b64)
    }

    // MARK: Headers

    /// Whether a header text can go out as it is: printable ASCII and spaces, nothing a
    /// decoder would take for an encoded-word.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) } && !text.contains("=?")
    }

    /// RFC 2047 encoded-words (`=?UTF-8?B?…?=`) for a text, each at most 64 characters and never
    /// splitting a character: whitespace between adjacent encoded-words is ignored by decoders,
    /// so the words can be folded onto separate lines and still decode to exactly the text.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            if !chunk.isEmpty { words.append("=?UTF-8?B?" + base64(chunk) + "?=") }
            chunk = []
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count > maxBytesPerEncodedWord {
                // A very long grapheme cluster (combining marks): split between its scalars.
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > maxBytesPerEncodedWord { flush() }
                    chunk += scalarBytes
                }
                continue
            }
            if chunk.count + bytes.count > maxBytesPerEncodedWord { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// Folds `Name: token token …` onto lines of at most 76 characters where the tokens allow it,
    /// breaking only between tokens (with CRLF and a space). Ends with CRLF.
    static func foldedHeader(_ name: String, tokens: [String]) -> String {
        var output = ""
        var line = name + ":"
        var lineHasToken = false
        for token in tokens {
            if lineHasToken && line.utf8.count + 1 + token.utf8.count > maxLineLength {
                output += line + "\r\n"
                line = " " + token
            } else {
                line += " " + token
            }
            lineHasToken = true
        }
        return output + line + "\r\n"
    }

    /// An unstructured header (Subject): as it is when plain ASCII that folds within 76
    /// characters, otherwise as encoded-words.
    static func unstructuredHeader(_ name: String, value: String) -> String {
        if isPlainHeaderText(value) {
            let tokens = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let folded = foldedHeader(name, tokens: tokens)
            let fits = folded.split(separator: "\r\n").allSatisfy { $0.utf8.count <= maxLineLength }
            let noBlankLine = !folded.split(separator: "\r\n").contains { $0.allSatisfy { $0 == " " } }
            if (fits && noBlankLine) || value.isEmpty { return folded }
        }
        return foldedHeader(name, tokens: encodedWords(value))
    }

    /// A display name as header tokens: atoms, one quoted-string, or encoded-words.
    static func phraseTokens(_ name: String) -> [String] {
        guard isPlainHeaderText(name) else { return encodedWords(name) }
        let specials = Set("()<>[]:;@\\,.\"")
        if name.contains(where: { specials.contains($0) }) || name.hasPrefix(" ") || name.hasSuffix(" ")
            || name.contains("  ")
        {
            var quoted = "\""
            for character in name {
                if character == "\\" || character == "\"" { quoted.append("\\") }
                quoted.append(character)
            }
            return [quoted + "\""]
        }
        return name.split(separator: " ").map(String.init)
    }

    /// `From`/`To` with each mailbox as `name <address>`, folded between tokens.
    static func addressHeader(_ name: String, addresses: [MailAddress]) -> String {
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            let separator = index < addresses.count - 1 ? "," : ""
            if let displayName = address.name, !displayName.isEmpty {
                tokens += phraseTokens(displayName)
                tokens.append("<" + address.address + ">" + separator)
            } else {
                tokens.append(address.address + separator)
            }
        }
        return foldedHeader(name, tokens: tokens)
    }

    // MARK: SMTP

    /// Dot-stuffing for DATA: every line that starts with "." gets one more, so a line holding a
    /// lone "." can never end the message early. The input's lines end with CRLF.
    static func dotStuffed(_ message: String) -> String {
        var output = ""
        output.reserveCapacity(message.utf8.count + 16)
        var atLineStart = true
        for scalar in message.unicodeScalars {
            if atLineStart && scalar == "." { output.unicodeScalars.append(".") }
            output.unicodeScalars.append(scalar)
            atLineStart = scalar == "\n"
        }
        return output
    }
}
