import Foundation
import Testing
import TsunagariCore
import ZIPFoundation

@testable import TsunagariDataFiles

@Suite struct LinkedInReadingTests {
    @Test func connectionsWithBOMAndNotesPreamble() throws {
        let imported = try LinkedInExport.read(csv: LinkedInFixtures.connections, file: "Connections.csv")
        #expect(imported.filesRead == ["Connections.csv"])
        #expect(
            imported.connections == [
                ContactCard(
                    name: "Hanako Suzuki", company: "Acme, Inc.", title: "Product Manager",
                    profileURL: "https://www.linkedin.com/in/hanako-suzuki-1a2b3c", connectedOn: .utc(2024, 12, 16)),
                ContactCard(
                    name: "山田 太郎", company: "株式会社サンプル", title: "エンジニア", emails: ["taro@example.jp"],
                    profileURL: "https://www.linkedin.com/in/taro-yamada", connectedOn: .utc(2023, 1, 3)),
                ContactCard(name: "Jane Doe", profileURL: "https://www.linkedin.com/in/janedoe", connectedOn: .utc(2024, 12, 16)),
            ])
    }

    @Test func connectionsWithoutPreambleAndColumnsInAnotherOrder() throws {
        let csv = Data(
            """
            Connected On,Position,Company,URL,Last Name,First Name,Extra
            01 Feb 2020,CTO,Foo,https://www.linkedin.com/in/foo,Smith,Ann Marie,x
            """.utf8)
        let imported = try LinkedInExport.read(csv: csv, file: "connections.csv")
        #expect(
            imported.connections == [
                ContactCard(
                    name: "Ann Marie Smith", company: "Foo", title: "CTO", profileURL: "https://www.linkedin.com/in/foo",
                    connectedOn: .utc(2020, 2, 1))
            ])
    }

    @Test func positionsWithMultiLineQuotedDescription() throws {
        let imported = try LinkedInExport.read(csv: LinkedInFixtures.positions, file: "Positions.csv")
        #expect(
            imported.positions == [
                ImportedPosition(
                    company: "Example KK", title: "Senior Engineer",
                    description: "Led the \"Atlas\" migration, moving 40 services.\nMentored 5 engineers.", location: "Tokyo, Japan",
                    start: .of(2021, 4), end: nil),
                ImportedPosition(company: "Old Corp", title: "Engineer", location: "Osaka", start: .of(2015, 1), end: .of(2021, 3)),
            ])
    }

    @Test func profileWithWebsites() throws {
        let imported = try LinkedInExport.read(csv: LinkedInFixtures.profile, file: "Profile.csv")
        #expect(imported.firstName == "Taro")
        #expect(imported.lastName == "Yamada")
        #expect(imported.headline == "Engineer at Example")
        #expect(imported.summary == "I build things.\nMostly servers.")
        #expect(imported.industry == "Software Development")
        #expect(imported.location == "Tokyo, Japan")
        #expect(imported.websites == ["https://example.com", "https://example.co.jp/about"])
    }

    @Test func websitesAsAPlainList() {
        #expect(
            LinkedInExport.webAddresses(in: "http://a.example, https://b.example/x?y=1 ftp://no.example https://")
                == ["http://a.example", "https://b.example/x?y=1"])
    }

    @Test func educationYearsFromYearsOrMonths() throws {
        let imported = try LinkedInExport.read(csv: LinkedInFixtures.education, file: "Education.csv")
        #expect(
            imported.educations == [
                ImportedEducation(
                    school: "The University of Tokyo", degree: "Bachelor of Engineering", notes: "Computer Science", startYear: 2008,
                    endYear: 2012),
                ImportedEducation(school: "Keio University", degree: "Master of Engineering", startYear: 2012, endYear: 2014),
            ])
    }

    @Test func skills() throws {
        let imported = try LinkedInExport.read(csv: LinkedInFixtures.skills, file: "Skills.csv")
        #expect(imported.skills == ["Swift", "PostgreSQL"])
    }

    @Test func malformedDateNamesFileLineColumnAndValue() {
        // The multi-line description makes the bad row start on line 5, not row 4.
        var csv = LinkedInFixtures.positions
        csv.append(Data("Bad Co,Developer,,,Foo 2020,\n".utf8))
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(csv: csv, file: "Positions.csv") }
        #expect(error?.reason == .malformed)
        #expect(error?.file == "Positions.csv")
        #expect(error?.line == 5)
        #expect(error?.message.contains("Started On") == true)
        #expect(error?.message.contains("Foo 2020") == true)
    }

    @Test func lineNumbersCountCRLFAndThePreamble() {
        let text = String(decoding: LinkedInFixtures.connections, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
            + "Bad,Date,https://x.example,,,,31 Feb 2024\r\n"
        let error = #expect(throws: DataFileError.self) {
            try LinkedInExport.read(csv: Data(text.utf8), file: "Connections.csv")
        }
        #expect(error?.line == 9)
        #expect(error?.message.contains("Connected On") == true)
    }

    @Test func rowWithoutRequiredValueIsMalformedButEmptyRowsAreSkipped() {
        let csv = Data("Company Name,Title\nA,B\n,\n\nC,\n".utf8)
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(csv: csv, file: "Positions.csv") }
        #expect(error?.reason == .malformed)
        #expect(error?.line == 5)
    }

    @Test func missingRequiredColumnIsNamed() {
        let csv = Data("Company Name,Description,Started On\nA,B,Apr 2020\n".utf8)
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(csv: csv, file: "Positions.csv") }
        #expect(error?.reason == .malformed)
        #expect(error?.message.contains("Title") == true)
    }

    @Test func anotherFileOfTheExportIsRefused() {
        let error = #expect(throws: DataFileError.self) {
            try LinkedInExport.read(csv: LinkedInFixtures.messages, file: "messages.csv")
        }
        #expect(error?.reason == .malformed)
        #expect(error?.message == "not a file of LinkedIn's export")
    }

    @Test func tooManyRowsIsTooLargeNamingTheFile() {
        let limits = DataFileLimits(maximumUploadBytes: 1 << 20, maximumZipEntries: 10, maximumExpandedBytes: 1 << 20, maximumRowsPerFile: 1)
        let error = #expect(throws: DataFileError.self) {
            try LinkedInExport.read(csv: LinkedInFixtures.skills, file: "Skills.csv", limits: limits)
        }
        #expect(error?.reason == .tooLarge)
        #expect(error?.file == "Skills.csv")
    }

    @Test func uploadLargerThanTheLimitIsRefused() {
        let limits = DataFileLimits(maximumUploadBytes: 10, maximumZipEntries: 10, maximumExpandedBytes: 1 << 20, maximumRowsPerFile: 10)
        let error = #expect(throws: DataFileError.self) {
            try LinkedInExport.read(csv: LinkedInFixtures.skills, file: "Skills.csv", limits: limits)
        }
        #expect(error?.reason == .tooLarge)
    }

    @Test func formulaNeutralisationIsUndoneOnRead() throws {
        let csv = Data("Name\n'=SUM(A1)\n'quoted\n'-1\n".utf8)
        #expect(try LinkedInExport.read(csv: csv, file: "Skills.csv").skills == ["=SUM(A1)", "'quoted", "-1"])
    }
}

@Suite struct LinkedInZipTests {
    @Test func zipWithFilesInAFolderAndIgnoredFiles() throws {
        let imported = try LinkedInExport.read(zip: try LinkedInFixtures.exportZip())
        // The fixture has LinkedIn's Basic export: no certifications, languages, projects or volunteering.
        #expect(imported.filesRead == ["Profile.csv", "Positions.csv", "Education.csv", "Skills.csv", "Connections.csv"])
        #expect(imported.firstName == "Taro")
        #expect(imported.positions.count == 2)
        #expect(imported.educations.count == 2)
        #expect(imported.skills == ["Swift", "PostgreSQL"])
        #expect(imported.connections.map(\.name) == ["Hanako Suzuki", "山田 太郎", "Jane Doe"])
    }

    @Test func namesAreMatchedCaseInsensitively() throws {
        let zip = try DataArchive.zip([("export/SKILLS.CSV", LinkedInFixtures.skills)])
        let imported = try LinkedInExport.read(zip: zip)
        #expect(imported.filesRead == ["Skills.csv"])
        #expect(imported.skills == ["Swift", "PostgreSQL"])
    }

    @Test func errorsInAFileOfTheZipNameThatFile() throws {
        let zip = try DataArchive.zip([("x/Positions.csv", Data("Company Name,Title,Started On\nA,B,someday\n".utf8))])
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: zip) }
        #expect(error?.file == "Positions.csv")
        #expect(error?.line == 2)
    }

    @Test func zipWithoutKnownFiles() throws {
        let zip = try DataArchive.zip([("messages.csv", LinkedInFixtures.messages)])
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: zip) }
        #expect(error?.reason == .malformed)
        #expect(error?.message == "no file of LinkedIn's export in this zip")
    }

    @Test func notAZip() {
        for bytes in [Data("First Name,Last Name\n".utf8), Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 0]), Data()] {
            let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: bytes) }
            #expect(error?.reason == .malformed)
            #expect(error?.message == "not a zip file")
        }
    }

    @Test func tooManyEntries() throws {
        let limits = DataFileLimits(maximumUploadBytes: 1 << 20, maximumZipEntries: 3, maximumExpandedBytes: 1 << 20, maximumRowsPerFile: 10)
        let zip = try DataArchive.zip((1...4).map { ("notes/\($0).txt", Data("x".utf8)) } + [("Skills.csv", LinkedInFixtures.skills)])
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: zip, limits: limits) }
        #expect(error?.reason == .tooLarge)
        #expect(error?.message.contains("entries") == true)
        // The same zip is fine under the standard limits.
        #expect(try LinkedInExport.read(zip: zip).skills == ["Swift", "PostgreSQL"])
    }

    /// A real zip bomb: 256 MB of zeros deflated to about 250 KB, built by a streaming provider so the test never
    /// holds the 256 MB. Under the standard limits (200 MB expanded) it is refused from the central directory's
    /// declared size, without being expanded.
    @Test func zipBombIsRefusedFromTheDirectory() throws {
        let size = 256 * 1024 * 1024
        let chunk = Data(count: 1 << 20)
        let archive = try Archive(accessMode: .create)
        try archive.addEntry(
            with: "Basic_LinkedInDataExport/Connections.csv", type: .file, uncompressedSize: Int64(size),
            compressionMethod: .deflate, bufferSize: chunk.count
        ) { _, length in chunk.prefix(length) }
        let zip = try #require(archive.data)
        #expect(zip.count < 1024 * 1024)

        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: zip) }
        #expect(error?.reason == .tooLarge)
        #expect(error?.message.contains("expand") == true)

        // With its compressed data broken near the start, a reader that inflated before deciding would fail on the
        // data (malformed); one that decides from the directory still says tooLarge.
        var broken = zip
        let nameLength = Int(broken[26]) | Int(broken[27]) << 8
        let extraLength = Int(broken[28]) | Int(broken[29]) << 8
        let dataStart = 30 + nameLength + extraLength
        broken.replaceSubrange((dataStart + 2)..<(dataStart + 34), with: [UInt8](repeating: 0xFF, count: 32))
        let brokenError = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: broken) }
        #expect(brokenError?.reason == .tooLarge)
    }

    /// Only the entries the reader would read count towards the expanded size: a large file it ignores is never
    /// looked at.
    @Test func ignoredEntriesDoNotCountTowardsTheExpandedSize() throws {
        let limits = DataFileLimits(
            maximumUploadBytes: 1 << 20, maximumZipEntries: 10, maximumExpandedBytes: 1 << 20, maximumRowsPerFile: 100)
        let large = Data(count: 4 << 20)
        let zip = try DataArchive.zip([("messages.csv", large), ("Skills.csv", LinkedInFixtures.skills)])
        #expect(try LinkedInExport.read(zip: zip, limits: limits).skills == ["Swift", "PostgreSQL"])
        let counted = try DataArchive.zip([("Connections.csv", large), ("Skills.csv", LinkedInFixtures.skills)])
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: counted, limits: limits) }
        #expect(error?.reason == .tooLarge)
    }

    /// A zip whose directory says less than the entry really holds: expanding stops at the declared size.
    @Test func entryExpandingBeyondItsDeclaredSizeIsStopped() throws {
        let content = Data(("Name\n" + (1...2_000).map { "Skill \($0)\n" }.joined()).utf8)
        var zip = try DataArchive.zip([("Skills.csv", content)])
        // Uncompressed size: offset 22 of the local header, offset 24 of the central directory record.
        let declared = withUnsafeBytes(of: UInt32(100).littleEndian, Array.init)
        let local = try #require(zip.range(of: Data([0x50, 0x4B, 0x03, 0x04])))
        zip.replaceSubrange((local.lowerBound + 22)..<(local.lowerBound + 26), with: declared)
        let central = try #require(zip.range(of: Data([0x50, 0x4B, 0x01, 0x02])))
        zip.replaceSubrange((central.lowerBound + 24)..<(central.lowerBound + 28), with: declared)

        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: zip) }
        #expect(error?.reason == .malformed)
        #expect(error?.file == "Skills.csv")
        #expect(error?.message.contains("more than it says") == true)
    }

    @Test func expandedSizeLimitCountsTheFilesRead() throws {
        let zip = try LinkedInFixtures.exportZip()
        let limits = DataFileLimits(
            maximumUploadBytes: 1 << 20, maximumZipEntries: 100, maximumExpandedBytes: LinkedInFixtures.skills.count, maximumRowsPerFile: 100)
        let error = #expect(throws: DataFileError.self) { try LinkedInExport.read(zip: zip, limits: limits) }
        #expect(error?.reason == .tooLarge)
    }
}

@Suite struct LinkedInWritingTests {
    static let memberID = MemberID("01JF0000000000000000000000")

    static func profile() throws -> Profile {
        let company = CompanyRef(id: "c1", name: "Example")
        return Profile(
            memberID: memberID, role: .member,
            fields: ProfileFields(
                name: "山田 太郎", nameReading: "やまだ たろう", handle: "taro", headline: "=cmd|' /C calc'!A0",
                location: "Tokyo, Japan", industry: "Software Development", about: "Builder of \"things\",\nand servers.\n- bullet"),
            positions: [
                Position(
                    id: "p1", company: company, companyNameAsWritten: "Example株式会社", title: "=Lead Engineer", location: "Tokyo",
                    startMonth: try #require(YearMonth(year: 2021, month: 4)), endMonth: nil,
                    description: "Led the \"Atlas\" migration, moving 40 services.\r\nMentored 5 engineers.\n- and more"),
                Position(
                    id: "p2", company: CompanyRef(id: "c2", name: "Old"), companyNameAsWritten: "Old Corp, Ltd.", title: "Engineer",
                    location: nil, startMonth: try #require(YearMonth(year: 2015, month: 1)), endMonth: YearMonth(year: 2021, month: 3),
                    description: nil),
            ],
            educations: [
                Education(id: "e1", school: "東京大学", degree: "学士", field: "情報工学", startYear: 2008, endYear: 2012),
                Education(id: "e2", school: "Night School", degree: nil, field: nil, startYear: nil, endYear: nil),
            ],
            skills: ["Swift", "+1 to everything", "@mentions"], settings: ProfileSettings(), createdAt: .utc(2024, 1, 1),
            updatedAt: .utc(2024, 1, 1))
    }

    static let connections = [
        ExportedConnection(
            name: "Hanako Suzuki", profileURL: "https://tsunagari.example/in/hanako", company: "Acme, Inc.", position: "-PM-",
            connectedOn: .utc(2024, 12, 16).addingTimeInterval(13 * 3600)),
        ExportedConnection(
            name: "佐々木 次郎", profileURL: "https://tsunagari.example/in/jiro", company: nil, position: nil, connectedOn: .utc(2023, 1, 3)),
        ExportedConnection(name: "Cher", profileURL: "https://tsunagari.example/in/cher", company: "Music", position: "Singer", connectedOn: .utc(2020, 2, 29)),
    ]

    @Test func roundTripThroughTheZip() throws {
        let profile = try Self.profile()
        let files = LinkedInExport.files(profile: profile, connections: Self.connections)
        #expect(files.map(\.name) == LinkedInExport.knownFiles)
        let imported = try LinkedInExport.read(zip: try DataArchive.zip(files))

        #expect(imported.filesRead == LinkedInExport.knownFiles)
        #expect(PersonName.join(first: imported.firstName, last: imported.lastName) == "山田 太郎")
        #expect(imported.firstName == "太郎")
        #expect(imported.lastName == "山田")
        #expect(imported.headline == profile.fields.headline)
        #expect(imported.summary == profile.fields.about)
        #expect(imported.industry == "Software Development")
        #expect(imported.location == "Tokyo, Japan")
        #expect(
            imported.positions
                == profile.positions.map {
                    ImportedPosition(
                        company: $0.companyNameAsWritten, title: $0.title, description: $0.description, location: $0.location,
                        start: $0.startMonth, end: $0.endMonth)
                })
        #expect(
            imported.educations == [
                ImportedEducation(school: "東京大学", degree: "学士", notes: "情報工学", startYear: 2008, endYear: 2012),
                ImportedEducation(school: "Night School"),
            ])
        #expect(imported.skills == profile.skills)
        #expect(
            imported.connections == [
                ContactCard(
                    name: "Hanako Suzuki", company: "Acme, Inc.", title: "-PM-", profileURL: "https://tsunagari.example/in/hanako",
                    connectedOn: .utc(2024, 12, 16)),
                ContactCard(name: "佐々木 次郎", profileURL: "https://tsunagari.example/in/jiro", connectedOn: .utc(2023, 1, 3)),
                ContactCard(
                    name: "Cher", company: "Music", title: "Singer", profileURL: "https://tsunagari.example/in/cher",
                    connectedOn: .utc(2020, 2, 29)),
            ])
    }

    @Test func filesHaveLinkedInsShape() throws {
        let files = Dictionary(
            uniqueKeysWithValues: LinkedInExport.files(profile: try Self.profile(), connections: Self.connections).map { ($0.name, $0.data) })
        let connections = String(decoding: try #require(files["Connections.csv"]), as: UTF8.self)
        let lines = connections.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "Notes:")
        #expect(lines[1].hasPrefix("\""))
        #expect(lines[2] == "")
        #expect(lines[3] == "First Name,Last Name,URL,Email Address,Company,Position,Connected On")
        #expect(lines[4] == "Hanako,Suzuki,https://tsunagari.example/in/hanako,,\"Acme, Inc.\",'-PM-,16 Dec 2024")
        #expect(lines[5] == "次郎,佐々木,https://tsunagari.example/in/jiro,,,,03 Jan 2023")
        #expect(connections.utf8.first != 0xEF)  // no BOM, as LinkedIn

        let positions = String(decoding: try #require(files["Positions.csv"]), as: UTF8.self)
        #expect(positions.hasPrefix("Company Name,Title,Description,Location,Started On,Finished On\nExample株式会社,'=Lead Engineer,\"Led the \"\"Atlas\"\""))
        #expect(positions.contains(",Tokyo,Apr 2021,\n"))
        #expect(positions.hasSuffix("Old Corp, Ltd.\",Engineer,,,Jan 2015,Mar 2021"))

        let profile = String(decoding: try #require(files["Profile.csv"]), as: UTF8.self)
        #expect(profile.hasPrefix(LinkedInFile.profile.columns.joined(separator: ",") + "\n太郎,山田,,,,'=cmd|"))
        #expect(String(decoding: try #require(files["Skills.csv"]), as: UTF8.self) == "Name\nSwift\n'+1 to everything\n'@mentions")
        #expect(
            String(decoding: try #require(files["Education.csv"]), as: UTF8.self)
                == "School Name,Start Date,End Date,Notes,Degree Name,Activities\n東京大学,2008,2012,情報工学,学士,\nNight School,,,,,")
    }
}

/// Certifications.csv, Languages.csv, Projects.csv and Volunteering.csv: LinkedIn's columns, read and written.
@Suite struct LinkedInSectionsTests {
    @Test func certificationsAndLanguagesAsLinkedInWritesThem() throws {
        let certifications = try LinkedInExport.read(
            csv: Data(
                """
                Name,Url,Authority,Started On,Finished On,License Number
                TOEIC Listening & Reading,,IIBC,Jun 2023,,
                AWS Certified Solutions Architect – Associate,https://aws.amazon.com/certification/,Amazon Web Services (AWS),Feb 2024,Feb 2027,ABC123
                """.utf8), file: "Certifications.csv")
        #expect(certifications.filesRead == ["Certifications.csv"])
        #expect(
            certifications.entries == [
                .certification(Certification(id: "", name: "TOEIC Listening & Reading", issuer: "IIBC", obtained: YearMonth("2023-06"))),
                .certification(
                    Certification(
                        id: "", name: "AWS Certified Solutions Architect – Associate", issuer: "Amazon Web Services (AWS)",
                        obtained: YearMonth("2024-02"), expires: YearMonth("2027-02"), credentialID: "ABC123",
                        url: "https://aws.amazon.com/certification/")),
            ])
        let languages = try LinkedInExport.read(
            csv: Data("Name,Proficiency\nEnglish,Full professional proficiency\n日本語,Native or bilingual proficiency\nKlingon,\n".utf8),
            file: "Languages.csv")
        #expect(
            languages.entries == [
                .language(LanguageSkill(id: "", name: "English", level: .business)),
                .language(LanguageSkill(id: "", name: "日本語", level: .native)),
                .language(LanguageSkill(id: "", name: "Klingon", level: .basic)),
            ])
        #expect(throws: DataFileError.self) {
            try LinkedInExport.read(csv: Data("Name,Url,Authority,Started On\nX,,,someday\n".utf8), file: "Certifications.csv")
        }
    }

    @Test func theFourFilesRoundTrip() throws {
        var profile = Profile(
            memberID: MemberID("m"), role: .member, fields: ProfileFields(name: "山田 太郎", handle: "taro"), positions: [], educations: [],
            skills: [], settings: ProfileSettings(), createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        profile.certifications = [
            Certification(id: "c", name: "基本情報技術者", issuer: "IPA", obtained: YearMonth("2019-11"), credentialID: "FE-1", url: "https://www.ipa.go.jp/")
        ]
        profile.languages = [LanguageSkill(id: "l", name: "英語", level: .conversational)]
        profile.projects = [Project(id: "p", name: "決済基盤, 刷新", url: "https://example.test/", start: YearMonth("2021-04"), end: YearMonth("2022-03"), description: "複数行\n説明")]
        profile.volunteering = [VolunteerRole(id: "v", organization: "子ども食堂", role: "会計", cause: "貧困対策", start: YearMonth("2020-01"))]
        let files = LinkedInExport.files(profile: profile, connections: [])
        let text = Dictionary(uniqueKeysWithValues: files.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) })
        #expect(text["Certifications.csv"]?.hasPrefix("Name,Url,Authority,Started On,Finished On,License Number\n") == true)
        #expect(text["Languages.csv"] == "Name,Proficiency\n英語,Limited working proficiency")
        let imported = try LinkedInExport.read(zip: try DataArchive.zip(files))
        func withoutIDs(_ entries: [ProfileEntry]) -> [ProfileEntry] {
            entries.map { entry in
                switch entry {
                case .certification(var c): c.id = ""; return .certification(c)
                case .language(var l): l.id = ""; return .language(l)
                case .project(var p): p.id = ""; return .project(p)
                case .volunteering(var v): v.id = ""; return .volunteering(v)
                }
            }
        }
        #expect(imported.entries == withoutIDs(profile.entries))
    }
}
