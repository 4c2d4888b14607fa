import Foundation
import TsunagariCore

/// LinkedIn's data export ("Get a copy of your data"): reading what a member brings from LinkedIn, and writing the
/// member's own data in the same shape, so that leaving Tsunagari is as easy as arriving.
public enum LinkedInExport {
    /// The CSV files this reader uses; any other entry of the zip is ignored (messages.csv, Invitations.csv, …).
    public static let knownFiles: [String] = LinkedInFile.allCases.map(\.rawValue)

    /// What errors about the zip itself name: `read(zip:)` is not told the name the member's file had.
    static let zipName = "LinkedIn export.zip"

    /// The zip LinkedIn sends ("Get a copy of your data", Basic or Complete). Entries may sit in a folder; match by the
    /// last path component, case-insensitively.
    public static func read(zip: Data, limits: DataFileLimits = .standard) throws -> ImportedProfile {
        var imported = ImportedProfile()
        let found = try DataArchive.extract(
            zip: zip, zipName: zipName, limits: limits, order: LinkedInFile.allCases, select: LinkedInFile.init(fileName:)
        ) { (kind: LinkedInFile, file: DataArchive.Extracted) throws(DataFileError) in
            try read(file.data, as: kind, file: file.name, limits: limits, into: &imported)
        }
        guard !found.isEmpty else {
            throw DataFileError(.malformed, file: zipName, message: "no file of LinkedIn's export in this zip")
        }
        return imported
    }

    /// One of its CSV files, named by `file` (one of knownFiles; another name → DataFileError .malformed "not a file of
    /// LinkedIn's export").
    public static func read(csv: Data, file: String, limits: DataFileLimits = .standard) throws -> ImportedProfile {
        let name = file.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? file
        guard let kind = LinkedInFile(fileName: name) else {
            throw DataFileError(.malformed, file: file, message: "not a file of LinkedIn's export")
        }
        guard csv.count <= limits.maximumUploadBytes else {
            throw DataFileError(
                .tooLarge, file: file, message: "the file is larger than \(DataArchive.megabytes(limits.maximumUploadBytes))")
        }
        var imported = ImportedProfile()
        try read(csv, as: kind, file: file, limits: limits, into: &imported)
        return imported
    }

    /// LinkedIn's CSV files for this member, same headers as LinkedIn, so the export imports here or elsewhere.
    public static func files(profile: Profile, connections: [ExportedConnection]) -> [(name: String, data: Data)] {
        let name = PersonName.split(profile.name)
        let fields = profile.fields
        // The profile has nothing for the other columns (address, birth date, …): they stay empty, as LinkedIn leaves
        // what a member did not fill in.
        let values = [
            "First Name": name.first, "Last Name": name.last, "Headline": fields.headline, "Summary": fields.about,
            "Industry": fields.industry, "Geo Location": fields.location,
        ]
        let profileRow = LinkedInFile.profile.columns.map { values[$0].flatMap { $0 } ?? "" }

        let positions = profile.positions.map { position in
            [
                position.companyNameAsWritten, position.title, position.description ?? "", position.location ?? "",
                DateText.format(month: position.startMonth), position.endMonth.map { DateText.format(month: $0) } ?? "",
            ]
        }
        let educations = profile.educations.map { education in
            [
                education.school, education.startYear.map(String.init) ?? "", education.endYear.map(String.init) ?? "",
                education.field ?? "", education.degree ?? "", "",
            ]
        }
        func month(_ value: YearMonth?) -> String { value.map { DateText.format(month: $0) } ?? "" }
        let certifications = profile.certifications.map { c in
            [c.name, c.url ?? "", c.issuer ?? "", month(c.obtained), month(c.expires), c.credentialID ?? ""]
        }
        let languages = profile.languages.map { [$0.name, $0.level.linkedIn] }
        let projects = profile.projects.map { p in [p.name, p.description ?? "", p.url ?? "", month(p.start), month(p.end)] }
        let volunteering = profile.volunteering.map { v in
            [v.organization, v.role, v.cause ?? "", month(v.start), month(v.end), v.description ?? ""]
        }
        let connectionRows = connections.map { connection in
            let name = PersonName.split(connection.name)
            return [
                name.first, name.last, connection.profileURL, "", connection.company ?? "", connection.position ?? "",
                DateText.format(day: connection.connectedOn),
            ]
        }
        return [
            (LinkedInFile.profile.rawValue, CSVOutput.data(rows: [LinkedInFile.profile.columns, profileRow])),
            (LinkedInFile.positions.rawValue, CSVOutput.data(rows: [LinkedInFile.positions.columns] + positions)),
            (LinkedInFile.education.rawValue, CSVOutput.data(rows: [LinkedInFile.education.columns] + educations)),
            (LinkedInFile.skills.rawValue, CSVOutput.data(rows: [LinkedInFile.skills.columns] + profile.skills.map { [$0] })),
            (LinkedInFile.certifications.rawValue, CSVOutput.data(rows: [LinkedInFile.certifications.columns] + certifications)),
            (LinkedInFile.languages.rawValue, CSVOutput.data(rows: [LinkedInFile.languages.columns] + languages)),
            (LinkedInFile.projects.rawValue, CSVOutput.data(rows: [LinkedInFile.projects.columns] + projects)),
            (LinkedInFile.volunteering.rawValue, CSVOutput.data(rows: [LinkedInFile.volunteering.columns] + volunteering)),
            (
                LinkedInFile.connections.rawValue,
                CSVOutput.data(rows: connectionsPreamble + [LinkedInFile.connections.columns] + connectionRows)
            ),
        ]
    }

    /// LinkedIn puts three lines before Connections.csv's header (`Notes:`, a quoted note, a blank line), and tools
    /// that import it skip them by count; the export writes three such lines so that those tools read it too.
    static let connectionsPreamble: [[String]] = [
        ["Notes:"],
        [
            "This file has the columns of LinkedIn's Connections.csv, so it imports where LinkedIn's does. "
                + "Email addresses are left empty: connections have not agreed to give theirs out."
        ],
        [""],
    ]

    // MARK: - Reading one file

    private static func read(
        _ data: Data, as kind: LinkedInFile, file: String, limits: DataFileLimits, into imported: inout ImportedProfile
    ) throws(DataFileError) {
        let text = try TextDecoding.text(of: data, file: file)
        var table = try LinkedInTable(text: text, kind: kind, file: file, limits: limits)
        switch kind {
        case .profile: try readProfile(&table, into: &imported)
        case .positions: try readPositions(&table, into: &imported)
        case .education: try readEducation(&table, into: &imported)
        case .skills: try readSkills(&table, into: &imported)
        case .certifications, .languages, .projects, .volunteering: try readEntries(kind, &table, into: &imported)
        case .connections: try readConnections(&table, into: &imported)
        }
        imported.filesRead.append(kind.rawValue)
    }

    private static func readProfile(_ table: inout LinkedInTable, into imported: inout ImportedProfile) throws(DataFileError) {
        // LinkedIn writes one row: the member.
        guard let row = try table.next() else { return }
        imported.firstName = row[table.column("First Name")]
        imported.lastName = row[table.column("Last Name")]
        imported.headline = row[table.column("Headline")]
        imported.summary = row[table.column("Summary")]
        imported.industry = row[table.column("Industry")]
        imported.location = row[table.column("Geo Location")]
        imported.websites = row[table.column("Websites")].map(webAddresses(in:)) ?? []
    }

    private static func readPositions(_ table: inout LinkedInTable, into imported: inout ImportedProfile) throws(DataFileError) {
        let (company, title, description, location, started, finished) = (
            table.column("Company Name"), table.column("Title"), table.column("Description"), table.column("Location"),
            table.column("Started On"), table.column("Finished On")
        )
        while let row = try table.next() {
            guard let companyName = row[company], let titleText = row[title] else {
                throw table.error(row, "a position needs a company name and a title")
            }
            imported.positions.append(
                ImportedPosition(
                    company: companyName, title: titleText, description: row[description], location: row[location],
                    start: try table.month(row, started, "Started On"), end: try table.month(row, finished, "Finished On")))
        }
    }

    private static func readEducation(_ table: inout LinkedInTable, into imported: inout ImportedProfile) throws(DataFileError) {
        let (school, start, end, notes, degree) = (
            table.column("School Name"), table.column("Start Date"), table.column("End Date"), table.column("Notes"),
            table.column("Degree Name")
        )
        while let row = try table.next() {
            guard let schoolName = row[school] else { throw table.error(row, "an education needs a school name") }
            imported.educations.append(
                ImportedEducation(
                    school: schoolName, degree: row[degree], notes: row[notes],
                    startYear: try table.year(row, start, "Start Date"), endYear: try table.year(row, end, "End Date")))
        }
    }

    private static func readSkills(_ table: inout LinkedInTable, into imported: inout ImportedProfile) throws(DataFileError) {
        let name = table.column("Name")
        while let row = try table.next() {
            guard let skill = row[name] else { throw table.error(row, "a skill needs a name") }
            imported.skills.append(skill)
        }
    }

    /// Certifications.csv, Languages.csv, Projects.csv, Volunteering.csv. A proficiency this site has no level for reads
    /// as basic rather than refusing the file; dates read as Positions.csv's do.
    private static func readEntries(
        _ kind: LinkedInFile, _ table: inout LinkedInTable, into imported: inout ImportedProfile
    ) throws(DataFileError) {
        func column(_ name: String) -> Int? { table.column(name) }
        while let row = try table.next() {
            switch kind {
            case .certifications:
                guard let name = row[column("Name")] else { throw table.error(row, "a certification needs a name") }
                imported.entries.append(
                    .certification(
                        Certification(
                            id: "", name: name, issuer: row[column("Authority")],
                            obtained: try table.month(row, column("Started On"), "Started On"),
                            expires: try table.month(row, column("Finished On"), "Finished On"), credentialID: row[column("License Number")],
                            url: row[column("Url")])))
            case .languages:
                guard let name = row[column("Name")] else { throw table.error(row, "a language needs a name") }
                let level = row[column("Proficiency")].flatMap(LanguageLevel.init(linkedIn:)) ?? .basic
                imported.entries.append(.language(LanguageSkill(id: "", name: name, level: level)))
            case .projects:
                guard let title = row[column("Title")] else { throw table.error(row, "a project needs a title") }
                imported.entries.append(
                    .project(
                        Project(
                            id: "", name: title, url: row[column("Url")], start: try table.month(row, column("Started On"), "Started On"),
                            end: try table.month(row, column("Finished On"), "Finished On"), description: row[column("Description")])))
            case .volunteering:
                guard let organization = row[column("Company Name")], let role = row[column("Role")] else {
                    throw table.error(row, "volunteer experience needs an organization and a role")
                }
                imported.entries.append(
                    .volunteering(
                        VolunteerRole(
                            id: "", organization: organization, role: role, cause: row[column("Cause")],
                            start: try table.month(row, column("Started On"), "Started On"),
                            end: try table.month(row, column("Finished On"), "Finished On"), description: row[column("Description")])))
            default:
                return
            }
        }
    }

    private static func readConnections(_ table: inout LinkedInTable, into imported: inout ImportedProfile) throws(DataFileError) {
        let (first, last, url, email, company, position, connectedOn) = (
            table.column("First Name"), table.column("Last Name"), table.column("URL"), table.column("Email Address"),
            table.column("Company"), table.column("Position"), table.column("Connected On")
        )
        while let row = try table.next() {
            guard row[first] != nil || row[last] != nil else {
                throw table.error(row, "a connection needs a first or a last name")
            }
            imported.connections.append(
                ContactCard(
                    name: PersonName.join(first: row[first], last: row[last]), company: row[company], title: row[position],
                    emails: row[email].map { [$0] } ?? [], profileURL: row[url],
                    connectedOn: try table.day(row, connectedOn, "Connected On")))
        }
    }

    /// The web addresses in Profile.csv's `Websites`: `[PERSONAL:https://example.com,COMPANY:https://example.co.jp]`,
    /// or addresses separated by commas or spaces. Only http(s) addresses: the labels and anything else are dropped.
    static func webAddresses(in text: String) -> [String] {
        var addresses: [String] = []
        var rest = text[...]
        while let found = rest.range(of: "http", options: .caseInsensitive) {
            let candidate = rest[found.lowerBound...]
            // Never the first character (an `h`), so each turn moves on.
            let end = candidate.firstIndex(where: { " \t\r\n,;[]<>\"'".contains($0) }) ?? candidate.endIndex
            let address = String(candidate[..<end])
            let lowered = address.lowercased()
            let hasHost = address.count > (lowered.hasPrefix("https://") ? 8 : 7)
            if lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), hasHost, !addresses.contains(address) {
                addresses.append(address)
            }
            rest = candidate[end...]
        }
        return addresses
    }
}

/// The files of the export this module reads and writes, with LinkedIn's headers in LinkedIn's order.
enum LinkedInFile: String, CaseIterable, Hashable, Sendable {
    case profile = "Profile.csv"
    case positions = "Positions.csv"
    case education = "Education.csv"
    case skills = "Skills.csv"
    case certifications = "Certifications.csv"
    case languages = "Languages.csv"
    case projects = "Projects.csv"
    case volunteering = "Volunteering.csv"
    case connections = "Connections.csv"

    /// The kind of a file named `fileName`; LinkedIn's own names, matched case-insensitively.
    init?(fileName: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == fileName.lowercased() }) else {
            return nil
        }
        self = kind
    }

    var columns: [String] {
        switch self {
        case .profile:
            [
                "First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary", "Industry", "Zip Code",
                "Geo Location", "Twitter Handles", "Websites", "Instant Messengers",
            ]
        case .positions: ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"]
        case .education: ["School Name", "Start Date", "End Date", "Notes", "Degree Name", "Activities"]
        case .skills: ["Name"]
        case .certifications: ["Name", "Url", "Authority", "Started On", "Finished On", "License Number"]
        case .languages: ["Name", "Proficiency"]
        case .projects: ["Title", "Description", "Url", "Started On", "Finished On"]
        case .volunteering: ["Company Name", "Role", "Cause", "Started On", "Finished On", "Description"]
        case .connections: ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
        }
    }

    /// Columns without which a row cannot be read: the ones that give each row what it needs.
    var requiredColumns: [String] {
        switch self {
        case .profile, .connections: ["First Name", "Last Name"]
        case .positions: ["Company Name", "Title"]
        case .education: ["School Name"]
        case .skills, .certifications, .languages: ["Name"]
        case .projects: ["Title"]
        case .volunteering: ["Company Name", "Role"]
        }
    }
}

/// The data rows of one of the export's files, after its header; columns found by name.
struct LinkedInTable {
    private var rows: CSVRows
    private var columns: [String: Int] = [:]
    private var dataRows = 0
    private let limits: DataFileLimits
    let file: String

    /// How far down the file the header may be: Connections.csv has three lines of notes before it.
    private static let headerSearchRows = 10

    init(text: String, kind: LinkedInFile, file: String, limits: DataFileLimits) throws(DataFileError) {
        self.rows = try CSVRows(text: text, file: file)
        self.limits = limits
        self.file = file
        let known = Set(kind.columns.map { $0.lowercased() })
        var sawRow = false
        for _ in 0..<Self.headerSearchRows {
            guard let row = rows.next() else { break }
            if row.isEmpty { continue }
            sawRow = true
            // The header is the first row that names a column of the file: LinkedIn's notes name none.
            guard row.cells.contains(where: { known.contains($0.lowercased()) }) else { continue }
            for (index, cell) in row.cells.enumerated() where columns[cell.lowercased()] == nil {
                columns[cell.lowercased()] = index
            }
            for required in kind.requiredColumns where columns[required.lowercased()] == nil {
                throw DataFileError(.malformed, file: file, line: row.line, message: "the header has no column “\(required)”")
            }
            return
        }
        // A file with nothing in it has no rows to read; one with rows but no header is not LinkedIn's.
        if sawRow {
            throw DataFileError(
                .malformed, file: file, line: 1,
                message: "no header row with LinkedIn's columns (\(kind.columns.joined(separator: ", ")))")
        }
    }

    /// The index of the column named `name` (case-insensitively), nil when the file has no such column.
    func column(_ name: String) -> Int? { columns[name.lowercased()] }

    /// The next row that has something in it. Blank rows are skipped but counted against the limit.
    mutating func next() throws(DataFileError) -> CSVRow? {
        while let row = rows.next() {
            dataRows += 1
            guard dataRows <= limits.maximumRowsPerFile else {
                throw DataFileError(
                    .tooLarge, file: file, line: row.line, message: "the file has more than \(limits.maximumRowsPerFile) rows")
            }
            if !row.isEmpty { return row }
        }
        return nil
    }

    func error(_ row: CSVRow, _ message: String) -> DataFileError {
        DataFileError(.malformed, file: file, line: row.line, message: message)
    }

    func month(_ row: CSVRow, _ column: Int?, _ name: String) throws(DataFileError) -> YearMonth? {
        guard let text = row[column] else { return nil }
        guard let month = DateText.parseMonth(text) else {
            throw error(row, "\(name) “\(text)” is not a month (like Apr 2021)")
        }
        return month
    }

    func year(_ row: CSVRow, _ column: Int?, _ name: String) throws(DataFileError) -> Int? {
        guard let text = row[column] else { return nil }
        guard let year = DateText.parseYear(text) else { throw error(row, "\(name) “\(text)” is not a year (like 2012)") }
        return year
    }

    func day(_ row: CSVRow, _ column: Int?, _ name: String) throws(DataFileError) -> Date? {
        guard let text = row[column] else { return nil }
        guard let day = DateText.parseDay(text) else { throw error(row, "\(name) “\(text)” is not a date (like 16 Dec 2024)") }
        return day
    }
}

/// Dates as LinkedIn writes them: English month abbreviations, whatever the member's language. Done by hand rather
/// than with a DateFormatter so that neither the server's locale nor its time zone can change what is read.
enum DateText {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let fullMonthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    ]

    /// `Apr 2021` as LinkedIn writes a month.
    static func format(month: YearMonth) -> String {
        "\(monthNames[month.month - 1]) \(month.year)"
    }

    /// `16 Dec 2024`, the day (in UTC) of `date`.
    static func format(day date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        return "\(day < 10 ? "0" : "")\(day) \(monthNames[month - 1]) \(year)"
    }

    /// `Apr 2021`, `April 2021`, `Apr-2021`, `2021-04`, `04/2021`, or a year alone (`2021`, read as January).
    static func parseMonth(_ text: String) -> YearMonth? {
        if let year = fourDigitYear(text) { return YearMonth(year: year, month: 1) }
        if let month = YearMonth(text) { return month }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard parts.count == 2, let year = fourDigitYear(parts[1]) else { return nil }
        if let month = monthNumber(parts[0]) ?? Int(parts[0]) { return YearMonth(year: year, month: month) }
        return nil
    }

    /// A year, from Education.csv's dates: `2012`, or a month or a day that has one.
    static func parseYear(_ text: String) -> Int? {
        if let year = fourDigitYear(text) { return year }
        if let month = parseMonth(text) { return month.year }
        if let day = parseDay(text) { return CivilCalendar.civil(fromDays: Int(day.timeIntervalSince1970 / 86_400)).year }
        return nil
    }

    /// `16 Dec 2024` (today's exports), `16-Dec-24` (older ones), or `2024-12-16`: the day at 00:00 UTC.
    static func parseDay(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "/" }).map(String.init)
        guard parts.count == 3 else { return nil }
        let year: Int
        let month: Int
        let day: Int
        if let isoYear = fourDigitYear(parts[0]), let isoMonth = Int(parts[1]), let isoDay = Int(parts[2]) {
            (year, month, day) = (isoYear, isoMonth, isoDay)
        } else {
            guard let dayNumber = Int(parts[0]), let monthNumber = monthNumber(parts[1]) else { return nil }
            if let fullYear = fourDigitYear(parts[2]) {
                year = fullYear
            } else if parts[2].count == 2, parts[2].allSatisfy(\.isASCII), let shortYear = Int(parts[2]) {
                // Two-digit years are from exports of LinkedIn (founded 2003), so this century.
                year = 2000 + shortYear
            } else {
                return nil
            }
            (month, day) = (monthNumber, dayNumber)
        }
        guard (1900...2100).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = CivilCalendar.days(fromCivil: year, month, day)
        // 31 Feb comes back as another day: not a date.
        guard CivilCalendar.civil(fromDays: days) == (year, month, day) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(days) * 86_400)
    }

    private static func fourDigitYear(_ text: String) -> Int? {
        guard text.utf8.count == 4, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let year = Int(text),
            (1900...2100).contains(year)
        else { return nil }
        return year
    }

    private static func monthNumber(_ text: String) -> Int? {
        let lowered = text.lowercased()
        if let index = monthNames.firstIndex(where: { $0.lowercased() == lowered }) { return index + 1 }
        if let index = fullMonthNames.firstIndex(of: lowered) { return index + 1 }
        if lowered == "sept" { return 9 }
        return nil
    }
}
