import Foundation
import TsunagariCore

/// vCard 2.1 (Japanese feature phones, old Outlook), 3.0 (iPhone, macOS) and 4.0. There is no maintained Swift
/// package for it, and the format is line-based: this reader works on the file's bytes, because in 2.1 each property
/// may carry its own `CHARSET` and `ENCODING=QUOTED-PRINTABLE`, so text can only be made once a property's bytes are
/// known (a Shift_JIS name is quoted-printable bytes first, and Shift_JIS text only after decoding them).
enum VCard {
    static func read(_ data: Data, file: String, limits: DataFileLimits) throws(DataFileError) -> [ContactCard] {
        var bytes = [UInt8](data)
        if bytes.starts(with: TextDecoding.byteOrderMark) { bytes.removeFirst(TextDecoding.byteOrderMark.count) }
        // Text without a CHARSET is in the file's charset: a whole file in Shift_JIS is common from Japanese phones.
        let fileCharset = TextDecoding.charset(of: bytes)

        var cards: [ContactCard] = []
        var open: CardBuilder?
        for line in logicalLines(of: bytes) {
            guard let property = Property(line) else { continue }  // not a property (a stray line): nothing to read
            switch property.name {
            case "BEGIN" where property.isVCardMarker:
                if let open { throw open.missingEnd(file: file) }
                guard cards.count < limits.maximumRowsPerFile else {
                    throw DataFileError(
                        .tooLarge, file: file, line: line.number, message: "the file has more than \(limits.maximumRowsPerFile) cards")
                }
                open = CardBuilder(beginLine: line.number)
            case "END" where property.isVCardMarker:
                // An END without its BEGIN closes nothing.
                if let card = open {
                    cards.append(try card.contact(file: file))
                    open = nil
                }
            default:
                guard open != nil, CardBuilder.reads(property) else { continue }
                let text = try property.text(fileCharset: fileCharset, file: file)
                open?.add(property, text: text)
            }
        }
        if let open { throw open.missingEnd(file: file) }
        guard !cards.isEmpty else {
            throw DataFileError(.malformed, file: file, line: 1, message: "no card in this file (no BEGIN:VCARD)")
        }
        return cards
    }

    /// A property after unfolding: its bytes and the line of the file where it starts.
    struct LogicalLine {
        var number: Int
        var bytes: [UInt8]
    }

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let equals = UInt8(ascii: "=")

    /// The file's lines with folding undone: a line that starts with a space or tab continues the one before (the
    /// line break and that one character removed); in quoted-printable values a line ending in `=` is continued by
    /// the next line, whatever it starts with (a soft line break).
    static func logicalLines(of bytes: [UInt8]) -> [LogicalLine] {
        let physical = physicalLines(of: bytes)
        var lines: [LogicalLine] = []
        var index = 0
        while index < physical.count {
            let (number, line) = physical[index]
            index += 1
            if let first = line.first, first == space || first == tab, !lines.isEmpty {
                lines[lines.count - 1].bytes.append(contentsOf: line.dropFirst())
            } else if line.isEmpty {
                continue
            } else {
                lines.append(LogicalLine(number: number, bytes: Array(line)))
            }
            guard isQuotedPrintable(lines[lines.count - 1].bytes) else { continue }
            while lines[lines.count - 1].bytes.last == equals, index < physical.count, !isEndLine(physical[index].bytes) {
                lines[lines.count - 1].bytes.removeLast()
                lines[lines.count - 1].bytes.append(contentsOf: physical[index].bytes)
                index += 1
            }
        }
        return lines
    }

    /// Lines split at CRLF, LF or a lone CR, numbered from 1.
    private static func physicalLines(of bytes: [UInt8]) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        var lines: [(number: Int, bytes: ArraySlice<UInt8>)] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            lines.append((lines.count + 1, bytes[start..<index]))
            index += byte == 0x0D && index + 1 < bytes.endIndex && bytes[index + 1] == 0x0A ? 2 : 1
            start = index
        }
        if start < bytes.endIndex { lines.append((lines.count + 1, bytes[start..<bytes.endIndex])) }
        return lines
    }

    /// Whether a line's parameters (before its first `:`) ask for quoted-printable, as `ENCODING=QUOTED-PRINTABLE` or
    /// 2.1's bare `QUOTED-PRINTABLE`.
    private static func isQuotedPrintable(_ line: [UInt8]) -> Bool {
        let head = line.prefix(while: { $0 != UInt8(ascii: ":") })
        let marker = Array("QUOTED-PRINTABLE".utf8)
        guard head.count >= marker.count else { return false }
        let upper = head.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        return upper.indices.contains { upper[$0...].starts(with: marker) }
    }

    /// A soft line break never swallows the end of the card, even when a phone wrote a stray `=` before it.
    private static func isEndLine(_ line: ArraySlice<UInt8>) -> Bool {
        let upper = line.prefix(9).map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        return upper.starts(with: Array("END:VCARD".utf8))
    }
}

/// One `[group.]NAME;PARAM=VALUE;…:value` line.
struct Property {
    let line: Int
    /// Upper-cased, without its group (`item1.EMAIL` → `EMAIL`).
    let name: String
    /// Upper-cased names (nil for 2.1's bare parameters such as `WORK` or `X-IRMC-N`) and their values, quotes removed.
    let parameters: [(name: String?, value: String)]
    /// 2.1's bare parameters and the values of `TYPE`, upper-cased: what `hasBare` looks for.
    private let markers: [String]
    let value: ArraySlice<UInt8>

    init?(_ line: VCard.LogicalLine) {
        let bytes = line.bytes
        // The head ends at the first `:` outside a quoted parameter value (4.0 allows `SORT-AS="a:b"`); its pieces are
        // separated by `;` outside quotes. Scanned as bytes: `"`, `;`, `:`, `.` and `=` are below 0x40, so they are
        // never part of a UTF-8 or Shift_JIS multi-byte character.
        var quoted = false
        var colon: Int?
        var separators: [Int] = []
        scan: for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "\""): quoted.toggle()
            case UInt8(ascii: ";") where !quoted: separators.append(index)
            case UInt8(ascii: ":") where !quoted:
                colon = index
                break scan
            default: continue
            }
        }
        guard let colon else { return nil }
        let bounds = [bytes.startIndex - 1] + separators + [colon]
        let pieces = zip(bounds, bounds.dropFirst()).map { bytes[($0 + 1)..<$1] }
        guard let namePiece = pieces.first else { return nil }
        // `item1.EMAIL` → `EMAIL`.
        let withoutGroup = namePiece.lastIndex(of: UInt8(ascii: ".")).map { namePiece[($0 + 1)...] } ?? namePiece
        let name = String(decoding: withoutGroup, as: UTF8.self).trimmed.uppercased()
        guard !name.isEmpty else { return nil }
        self.line = line.number
        self.name = name
        self.parameters = pieces.dropFirst().map { piece in
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else {
                return (nil, String(decoding: piece, as: UTF8.self).trimmed)
            }
            var value = String(decoding: piece[(equals + 1)...], as: UTF8.self).trimmed
            if value.utf8.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return (String(decoding: piece[..<equals], as: UTF8.self).trimmed.uppercased(), value)
        }
        self.markers = parameters.compactMap { $0.name == nil || $0.name == "TYPE" ? $0.value.uppercased() : nil }
        self.value = bytes[(colon + 1)...]
    }

    /// The value of the parameter `name` (`CHARSET`, `ENCODING`, `SORT-AS`).
    func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// Whether 2.1's bare parameter `value` (upper-case: `QUOTED-PRINTABLE`, `X-IRMC-N`) is present, or the same as a
    /// `TYPE`.
    func hasBare(_ value: String) -> Bool {
        markers.contains(value)
    }

    /// `BEGIN:VCARD` / `END:VCARD` (and not, say, a `BEGIN:VCALENDAR` in the same file).
    var isVCardMarker: Bool {
        String(decoding: value, as: UTF8.self).trimmed.uppercased() == "VCARD"
    }

    /// The value as text: quoted-printable or base64 undone, then decoded with the property's `CHARSET`, or the
    /// file's charset when it names none (UTF-8 for quoted-printable without one, as phones that write UTF-8 do).
    func text(fileCharset: TextDecoding.Charset?, file: String) throws(DataFileError) -> String {
        let encoding = parameter("ENCODING")?.uppercased()
        let bytes: [UInt8]
        if encoding == "QUOTED-PRINTABLE" || hasBare("QUOTED-PRINTABLE") {
            bytes = Property.quotedPrintable(value)
        } else if encoding == "B" || encoding == "BASE64" || hasBare("BASE64") {
            guard let decoded = Data(base64Encoded: Data(value), options: .ignoreUnknownCharacters) else {
                throw DataFileError(.malformed, file: file, line: line, message: "\(name) is not valid base64")
            }
            bytes = [UInt8](decoded)
        } else {
            bytes = Array(value)
        }
        if let named = parameter("CHARSET") {
            guard let charset = TextDecoding.Charset(parameter: named) else {
                throw DataFileError(.unknownEncoding, file: file, line: line, message: "CHARSET=\(named) is not a charset this reader knows")
            }
            guard let text = TextDecoding.decode(bytes, as: charset) else {
                throw DataFileError(.unknownEncoding, file: file, line: line, message: "\(name) is not \(named) text")
            }
            return text
        }
        // Without a CHARSET the file's own charset is the best guess; a file mixing both is read property by property.
        for charset in [fileCharset ?? .utf8, .utf8, .shiftJIS] {
            if let text = TextDecoding.decode(bytes, as: charset) { return text }
        }
        throw DataFileError(.unknownEncoding, file: file, line: line, message: "\(name) is neither UTF-8 nor Shift_JIS text")
    }

    /// `=XX` to the byte XX. Soft line breaks were joined when unfolding; a `=` not followed by two hex digits is kept,
    /// as lenient decoders do.
    static func quotedPrintable(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == UInt8(ascii: "="), let high = hexValue(value, index + 1), let low = hexValue(value, index + 2) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return bytes
    }

    private static func hexValue(_ value: ArraySlice<UInt8>, _ index: Int) -> UInt8? {
        guard index < value.endIndex else { return nil }
        switch value[index] {
        case 0x30...0x39: return value[index] - 0x30
        case 0x41...0x46: return value[index] - 0x41 + 10
        case 0x61...0x66: return value[index] - 0x61 + 10
        default: return nil
        }
    }
}

/// What the properties of one card (between BEGIN and END) say, as far as a contact needs.
struct CardBuilder {
    let beginLine: Int
    private var version = "3.0"
    private var formattedName: String?
    private var structuredName: [String]?
    private var sortAs: [String]?
    private var organization: [String]?
    private var title: String?
    private var emails: [String] = []
    private var phones: [String] = []
    private var phoneticFirst: String?
    private var phoneticLast: String?
    private var sortString: String?
    private var soundName: [String]?
    /// Texts kept raw until END, since VERSION (which says how to unescape) may come after the properties.
    private var raw: [(property: String, text: String)] = []

    init(beginLine: Int) {
        self.beginLine = beginLine
    }

    private static let readProperties: Set<String> = [
        "VERSION", "FN", "N", "ORG", "TITLE", "EMAIL", "TEL", "X-PHONETIC-FIRST-NAME", "X-PHONETIC-LAST-NAME", "SORT-STRING",
        "SOUND",
    ]

    /// Whether the card uses this property: the rest (PHOTO, ADR, NOTE, …) is never decoded, so an unknown charset or
    /// a large photo there costs nothing.
    static func reads(_ property: Property) -> Bool {
        guard readProperties.contains(property.name) else { return false }
        // SOUND is an audio clip, except with X-IRMC-N, where Japanese phones keep the name's reading.
        return property.name != "SOUND" || property.hasBare("X-IRMC-N")
    }

    mutating func add(_ property: Property, text: String) {
        if property.name == "VERSION" {
            version = text.trimmed
            return
        }
        if property.name == "N", let sortAs = property.parameter("SORT-AS") {
            // 4.0: `N;SORT-AS="ヤマダ,タロウ":山田;太郎;;;`, the family and given names' readings.
            self.sortAs = sortAs.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        raw.append((property.name, text))
    }

    func missingEnd(file: String) -> DataFileError {
        DataFileError(.malformed, file: file, line: beginLine, message: "BEGIN:VCARD without END:VCARD")
    }

    func contact(file: String) throws(DataFileError) -> ContactCard {
        var card = self
        card.interpret()
        let structured = card.structuredName ?? []
        let name = card.formattedName ?? nonEmpty(PersonName.join(first: part(structured, 1), last: part(structured, 0)))
        guard let name else {
            throw DataFileError(.malformed, file: file, line: beginLine, message: "a card needs a name (FN or N)")
        }
        let organization = card.organization ?? []
        let department = organization.dropFirst().compactMap(nonEmpty).joined(separator: " ")
        return ContactCard(
            name: name, nameReading: card.reading, company: part(organization, 0), department: nonEmpty(department),
            title: card.title, emails: card.emails, phones: card.phones)
    }

    private var reading: String? {
        if phoneticFirst != nil || phoneticLast != nil {
            return nonEmpty(PersonName.join(first: phoneticFirst, last: phoneticLast))
        }
        for parts in [soundName, sortAs].compactMap({ $0 }) {
            if let reading = nonEmpty(PersonName.join(first: part(parts, 1), last: part(parts, 0))) { return reading }
        }
        return sortString
    }

    private mutating func interpret() {
        // 2.1 escapes only `;` inside structured values; 3.0 and 4.0 also `,`, `\n` and `\\` everywhere.
        let escapes = version != "2.1"
        for (property, text) in raw {
            switch property {
            case "FN": formattedName = formattedName ?? nonEmpty(Self.unescape(text[...], all: escapes))
            case "N": structuredName = structuredName ?? Self.components(text, all: escapes)
            case "ORG": organization = organization ?? Self.components(text, all: escapes)
            case "TITLE": title = title ?? nonEmpty(Self.unescape(text[...], all: escapes))
            case "EMAIL":
                if let email = nonEmpty(Self.unescape(text[...], all: escapes)) { emails.append(email) }
            case "TEL":
                // 4.0 may write `TEL;VALUE=uri:tel:+81-3-1234-5678`.
                var phone = Self.unescape(text[...], all: escapes)
                if phone.lowercased().hasPrefix("tel:") { phone.removeFirst(4) }
                if let phone = nonEmpty(phone) { phones.append(phone) }
            case "X-PHONETIC-FIRST-NAME": phoneticFirst = phoneticFirst ?? nonEmpty(Self.unescape(text[...], all: escapes))
            case "X-PHONETIC-LAST-NAME": phoneticLast = phoneticLast ?? nonEmpty(Self.unescape(text[...], all: escapes))
            case "SORT-STRING": sortString = sortString ?? nonEmpty(Self.unescape(text[...], all: escapes))
            case "SOUND": soundName = soundName ?? Self.components(text, all: escapes)
            default: break
            }
        }
    }

    /// A structured value (`N`, `ORG`) split at its unescaped `;`, each part unescaped and trimmed. Scanned as UTF-8
    /// bytes (the text is decoded by now): `;` and `\\` are ASCII, never inside a multi-byte character.
    static func components(_ text: String, all escapes: Bool) -> [String] {
        let bytes = Array(text.utf8)
        var parts: [String] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                index += 2
            case UInt8(ascii: ";"):
                parts.append(unescape(bytes[start..<index], all: escapes))
                index += 1
                start = index
            default:
                index += 1
            }
        }
        parts.append(unescape(bytes[min(start, bytes.count)...], all: escapes))
        return parts
    }

    /// Backslash escapes undone: `\;` always; `\,`, `\n`/`\N` and `\\` when `all` (3.0, 4.0). An unknown escape keeps
    /// its backslash, as a 2.1 value with a Windows path does.
    static func unescape(_ text: Substring, all: Bool) -> String {
        unescape(Array(text.utf8)[...], all: all)
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>, all: Bool) -> String {
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self).trimmed }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                continue
            }
            guard index < bytes.endIndex else {
                result.append(byte)
                break
            }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: ";"): result.append(escaped)
            case UInt8(ascii: ",") where all, UInt8(ascii: "\\") where all: result.append(escaped)
            case UInt8(ascii: "n") where all, UInt8(ascii: "N") where all: result.append(UInt8(ascii: "\n"))
            default: result += [byte, escaped]
            }
        }
        return String(decoding: result, as: UTF8.self).trimmed
    }
}

private func nonEmpty(_ text: String) -> String? {
    let trimmed = text.trimmed
    return trimmed.isEmpty ? nil : trimmed
}

private func part(_ parts: [String], _ index: Int) -> String? {
    index < parts.count ? nonEmpty(parts[index]) : nil
}
