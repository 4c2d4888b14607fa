import Foundation

// What a member's files say, read by `TsunagariDataFiles` (LinkedIn's export, business-card CSV and vCard) and
// applied by `DataImportService`. Plain values: the readers know files, the service knows the rules.

/// A LinkedIn export (the whole zip or one of its CSV files) as read: what it says about its member.
public struct ImportedProfile: Hashable, Sendable {
    public var firstName: String?
    public var lastName: String?
    public var headline: String?
    /// `Summary` in Profile.csv: the profile's about text.
    public var summary: String?
    public var industry: String?
    /// `Geo Location` in Profile.csv.
    public var location: String?
    public var websites: [String]
    public var positions: [ImportedPosition]
    public var educations: [ImportedEducation]
    public var skills: [String]
    /// Certifications.csv, Languages.csv, Projects.csv and Volunteering.csv, as entries without ids yet.
    public var entries: [ProfileEntry] = []
    /// Rows of Connections.csv: each becomes a contact.
    public var connections: [ContactCard]
    /// The CSV files that were read, in the order read (`Profile.csv`, `Positions.csv`, …).
    public var filesRead: [String]

    public init(
        firstName: String? = nil, lastName: String? = nil, headline: String? = nil, summary: String? = nil, industry: String? = nil,
        location: String? = nil, websites: [String] = [], positions: [ImportedPosition] = [], educations: [ImportedEducation] = [],
        skills: [String] = [], connections: [ContactCard] = [], filesRead: [String] = []
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.headline = headline
        self.summary = summary
        self.industry = industry
        self.location = location
        self.websites = websites
        self.positions = positions
        self.educations = educations
        self.skills = skills
        self.connections = connections
        self.filesRead = filesRead
    }
}

/// A row of Positions.csv.
public struct ImportedPosition: Hashable, Sendable {
    public var company: String
    public var title: String
    public var description: String?
    public var location: String?
    /// `Started On` (`Apr 2021`; a year alone reads as January); nil when the file has none.
    public var start: YearMonth?
    /// `Finished On`; nil for a current role.
    public var end: YearMonth?

    public init(company: String, title: String, description: String? = nil, location: String? = nil, start: YearMonth?, end: YearMonth?) {
        self.company = company
        self.title = title
        self.description = description
        self.location = location
        self.start = start
        self.end = end
    }
}

/// A row of Education.csv.
public struct ImportedEducation: Hashable, Sendable {
    public var school: String
    public var degree: String?
    /// `Notes` in Education.csv (LinkedIn keeps the field of study there when it has one).
    public var notes: String?
    public var startYear: Int?
    public var endYear: Int?

    public init(school: String, degree: String? = nil, notes: String? = nil, startYear: Int? = nil, endYear: Int? = nil) {
        self.school = school
        self.degree = degree
        self.notes = notes
        self.startYear = startYear
        self.endYear = endYear
    }
}

/// One person as a business card or a row of Connections.csv gives them: only what the importer's file says.
public struct ContactCard: Hashable, Sendable {
    /// The name as people write it: `山田 太郎`, `Taro Yamada`.
    public var name: String
    /// The reading of the name (フリガナ, `X-PHONETIC-*`, `SORT-STRING`), when the card has one.
    public var nameReading: String?
    public var company: String?
    public var department: String?
    public var title: String?
    public var emails: [String]
    public var phones: [String]
    /// `URL` in Connections.csv (the person's profile address on the other network).
    public var profileURL: String?
    /// `Connected On` in Connections.csv.
    public var connectedOn: Date?

    public init(
        name: String, nameReading: String? = nil, company: String? = nil, department: String? = nil, title: String? = nil,
        emails: [String] = [], phones: [String] = [], profileURL: String? = nil, connectedOn: Date? = nil
    ) {
        self.name = name
        self.nameReading = nameReading
        self.company = company
        self.department = department
        self.title = title
        self.emails = emails
        self.phones = phones
        self.profileURL = profileURL
        self.connectedOn = connectedOn
    }
}

/// Why a member's file could not be read; answered 413 (`tooLarge`) or 422, naming the file and the line.
public struct DataFileError: Error, Hashable, Sendable {
    public enum Reason: String, Sendable {
        /// Not what the format says (a broken CSV row, a card without a name, a date that is no date, not a zip).
        case malformed
        /// Over a limit: the upload, the entries of a zip, what they expand to, rows in a file.
        case tooLarge
        /// Neither UTF-8 (with or without BOM) nor Shift_JIS, or a `CHARSET=` the reader does not know.
        case unknownEncoding
    }

    public var reason: Reason
    /// The file's name (`Positions.csv`, `contacts.vcf`); the name the member uploaded when there is no other.
    public var file: String
    /// 1-based line of the file where the problem is, when there is one.
    public var line: Int?
    public var message: String

    public init(_ reason: Reason, file: String, line: Int? = nil, message: String) {
        self.reason = reason
        self.file = file
        self.line = line
        self.message = message
    }

    /// What a member reads: `Positions.csv, line 12: …`.
    public var description: String {
        if let line { return "\(file), line \(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Bounds on what a member may upload, so a file cannot take a server's memory or time.
public struct DataFileLimits: Hashable, Sendable {
    /// The upload as sent (the zip or the CSV/vCard file).
    public var maximumUploadBytes: Int
    /// Entries a zip may list.
    public var maximumZipEntries: Int
    /// What the entries the reader uses may expand to, together; checked from the zip's directory before expanding.
    public var maximumExpandedBytes: Int
    /// Rows (CSV) or cards (vCard) in one file.
    public var maximumRowsPerFile: Int

    public init(maximumUploadBytes: Int, maximumZipEntries: Int, maximumExpandedBytes: Int, maximumRowsPerFile: Int) {
        self.maximumUploadBytes = maximumUploadBytes
        self.maximumZipEntries = maximumZipEntries
        self.maximumExpandedBytes = maximumExpandedBytes
        self.maximumRowsPerFile = maximumRowsPerFile
    }

    /// 50 MB uploads (LinkedIn's Complete export of a busy member is a few MB); 2,000 entries (the Complete export
    /// has about 60); 200 MB expanded; 100,000 rows (LinkedIn caps connections at 30,000).
    public static let standard = DataFileLimits(
        maximumUploadBytes: 50 * 1024 * 1024, maximumZipEntries: 2_000, maximumExpandedBytes: 200 * 1024 * 1024,
        maximumRowsPerFile: 100_000)
}

/// One connection as the export writes it to Connections.csv (LinkedIn's columns).
public struct ExportedConnection: Hashable, Sendable {
    public var name: String
    public var profileURL: String
    public var company: String?
    public var position: String?
    public var connectedOn: Date

    public init(name: String, profileURL: String, company: String?, position: String?, connectedOn: Date) {
        self.name = name
        self.profileURL = profileURL
        self.company = company
        self.position = position
        self.connectedOn = connectedOn
    }
}
