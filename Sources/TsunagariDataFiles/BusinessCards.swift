import Foundation
import TsunagariCore

/// Business cards a member uploads: a CSV from a card app or a spreadsheet, or a vCard file from a phone's contacts.
public enum BusinessCards {
    public enum Format: String, Sendable { case csv, vcard }

    /// From the content type (`text/csv`, `text/vcard`, `text/x-vcard`, `text/directory`), else the file name's
    /// extension (.csv, .vcf), else the bytes (`BEGIN:VCARD` after an optional BOM/whitespace → vcard; else csv).
    /// nil only when nothing fits (e.g. a zip or PNG signature).
    ///
    /// The browser's content type comes first because it is what the member's system says the file is; but browsers
    /// often send `application/octet-stream` or nothing, so an unknown type falls through to the name, then the bytes.
    public static func detect(_ data: Data, contentType: String?, fileName: String?) -> Format? {
        if let contentType, let format = format(contentType: contentType) { return format }
        if let fileName, let format = format(fileName: fileName) { return format }
        return format(bytes: data)
    }

    /// The cards in a file. CSV: a header row (Japanese or English column names), one card a row. vCard: 2.1, 3.0 or
    /// 4.0, many cards a file. Throws `DataFileError` only, naming `file` and the line.
    public static func read(_ data: Data, format: Format, file: String, limits: DataFileLimits = .standard) throws -> [ContactCard] {
        guard data.count <= limits.maximumUploadBytes else {
            throw DataFileError(
                .tooLarge, file: file, message: "the file is larger than \(DataArchive.megabytes(limits.maximumUploadBytes))")
        }
        switch format {
        case .csv: return try CardTable.read(data, file: file, limits: limits)
        case .vcard: return try VCard.read(data, file: file, limits: limits)
        }
    }

    private static func format(contentType: String) -> Format? {
        // `text/csv; charset=shift_jis` → `text/csv`.
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmed.lowercased() }
        switch mediaType {
        case "text/csv", "application/csv", "text/x-csv", "text/comma-separated-values": return .csv
        case "text/vcard", "text/x-vcard", "text/directory", "text/x-vcalendar-vcard": return .vcard
        default: return nil
        }
    }

    private static func format(fileName: String) -> Format? {
        guard let dot = fileName.lastIndex(of: ".") else { return nil }
        switch fileName[fileName.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "vcf", "vcard": return .vcard
        default: return nil
        }
    }

    /// Signatures of files that are surely no cards: zip (also .xlsx and .numbers), PNG, JPEG, GIF, PDF, old Excel.
    private static let binarySignatures: [[UInt8]] = [
        [0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x05, 0x06], [0x89, 0x50, 0x4E, 0x47], [0xFF, 0xD8, 0xFF],
        [0x47, 0x49, 0x46, 0x38], [0x25, 0x50, 0x44, 0x46], [0xD0, 0xCF, 0x11, 0xE0],
    ]

    private static func format(bytes data: Data) -> Format? {
        if binarySignatures.contains(where: { data.starts(with: $0) }) { return nil }
        var start = data.prefix(1024)
        if start.starts(with: TextDecoding.byteOrderMark) { start = start.dropFirst(TextDecoding.byteOrderMark.count) }
        // Text files have no NUL byte (UTF-16 does, and this reader does not read UTF-16).
        if start.contains(0) { return nil }
        let text = start.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A })
        let begin = Array("BEGIN:VCARD".utf8)
        if text.count >= begin.count, zip(text.prefix(begin.count), begin).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
            return .vcard
        }
        return .csv
    }
}

/// Business-card CSV: the columns card apps (Eight, Sansan, CAMCARD), Excel address books and Google/Outlook exports
/// use, in Japanese or English.
enum CardTable {
    enum Role: Hashable {
        case fullName, lastName, firstName, reading, readingLast, readingFirst, company, department, title, email, phone
    }

    /// Header names, normalised (see `normalized`), and what each column holds.
    static let roles: [String: Role] = {
        let names: [(Role, [String])] = [
            (.fullName, ["名前", "氏名", "お名前", "Name", "Full Name", "Display Name"]),
            (.lastName, ["姓", "Last Name", "Family Name", "Surname"]),
            (.firstName, ["名", "First Name", "Given Name"]),
            (
                .reading,
                [
                    "フリガナ", "ふりがな", "よみ", "読み", "よみがな", "氏名フリガナ", "氏名（フリガナ）", "Reading", "Phonetic Name",
                    "Name Reading",
                ]
            ),
            (.readingLast, ["姓フリガナ", "姓（フリガナ）", "姓ふりがな", "姓よみ", "セイ", "Phonetic Last Name"]),
            (.readingFirst, ["名フリガナ", "名（フリガナ）", "名ふりがな", "名よみ", "メイ", "Phonetic First Name"]),
            (.company, ["会社名", "会社", "企業名", "Company", "Organization", "Company Name"]),
            (.department, ["部署", "部署名", "所属", "Department"]),
            (.title, ["役職", "肩書", "肩書き", "Title", "Job Title", "Position"]),
            (.email, ["メール", "メールアドレス", "E-mail", "Email", "Email Address", "E-mail Address", "Mail"]),
            (.phone, ["電話", "電話番号", "携帯", "携帯電話", "TEL", "Phone", "Mobile", "Phone Number", "Mobile Phone"]),
        ]
        var roles: [String: Role] = [:]
        for (role, headers) in names {
            for header in headers { roles[normalized(header)] = role }
        }
        return roles
    }()

    /// A header as compared: full-width and half-width forms made one (NFKC: `Ｅｍａｉｌ` → `Email`, `ﾌﾘｶﾞﾅ` →
    /// `フリガナ`, `（` → `(`), lowercased, without spaces.
    static func normalized(_ header: String) -> String {
        String(header.precomposedStringWithCompatibilityMapping.lowercased().filter { !$0.isWhitespace })
    }

    /// What a column holds. Several email and phone columns are usual (`E-mail 2`, `TEL会社`, `TEL直通`,
    /// `E-mail 1 - Value`), so those also match with a number after them or by how they start; columns that describe
    /// an address instead of holding it (`E-mail 1 - Type`) do not.
    static func role(of header: String) -> Role? {
        let key = normalized(header)
        if let role = roles[key] { return role }
        let stem = String(key.reversed().drop(while: { $0.isASCII && $0.isNumber }).reversed())
        if stem != key, let role = roles[stem], role == .email || role == .phone { return role }
        if ["type", "label", "種類", "phonetic"].contains(where: { key.contains($0) }) { return nil }
        if ["tel", "phone", "mobile", "電話", "携帯電話"].contains(where: { key.hasPrefix($0) }) { return .phone }
        if ["e-mail", "email", "メール"].contains(where: { key.hasPrefix($0) }) { return .email }
        return nil
    }

    /// How far down the file the header may be (a title line or LinkedIn's notes may come first).
    private static let headerSearchRows = 10

    static func read(_ data: Data, file: String, limits: DataFileLimits) throws(DataFileError) -> [ContactCard] {
        let text = try TextDecoding.text(of: data, file: file)
        var rows = try CSVRows(text: text, file: file)
        var columns: [Role: [Int]] = [:]
        for _ in 0..<headerSearchRows {
            guard let row = rows.next() else { break }
            if row.isEmpty { continue }
            var found: [Role: [Int]] = [:]
            for (index, cell) in row.cells.enumerated() {
                if let role = role(of: cell) { found[role, default: []].append(index) }
            }
            if found[.fullName] != nil || found[.lastName] != nil || found[.firstName] != nil {
                columns = found
                break
            }
        }
        guard !columns.isEmpty else {
            throw DataFileError(
                .malformed, file: file, line: 1, message: "no name column (名前, 氏名, 姓 and 名, Name, First Name and Last Name)")
        }

        func first(_ role: Role, in row: CSVRow) -> String? {
            columns[role]?.lazy.compactMap { row[$0] }.first
        }

        var cards: [ContactCard] = []
        var count = 0
        while let row = rows.next() {
            count += 1
            guard count <= limits.maximumRowsPerFile else {
                throw DataFileError(
                    .tooLarge, file: file, line: row.line, message: "the file has more than \(limits.maximumRowsPerFile) rows")
            }
            if row.isEmpty { continue }
            let name = first(.fullName, in: row) ?? joined(first(.firstName, in: row), first(.lastName, in: row))
            guard let name else {
                throw DataFileError(.malformed, file: file, line: row.line, message: "a card needs a name")
            }
            let reading = first(.reading, in: row) ?? joined(first(.readingFirst, in: row), first(.readingLast, in: row))
            let emails = (columns[.email] ?? []).compactMap { row[$0] }.flatMap(splitAddresses)
            let phones = (columns[.phone] ?? []).compactMap { row[$0] }
            cards.append(
                ContactCard(
                    name: name, nameReading: reading, company: first(.company, in: row), department: first(.department, in: row),
                    title: first(.title, in: row), emails: emails, phones: phones))
        }
        return cards
    }

    private static func joined(_ first: String?, _ last: String?) -> String? {
        guard first != nil || last != nil else { return nil }
        let name = PersonName.join(first: first, last: last)
        return name.isEmpty ? nil : name
    }

    /// A cell may hold several addresses (`a@example.com; b@example.com`); what has no `@` is no address.
    private static func splitAddresses(_ cell: String) -> [String] {
        cell.pieces(separatedBy: { $0 == ";" || $0 == "," || $0 == "、" || isSpace($0) })
            .filter { $0.utf8.contains(UInt8(ascii: "@")) }
    }
}
