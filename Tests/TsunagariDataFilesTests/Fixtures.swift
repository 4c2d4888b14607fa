import Foundation
import TsunagariCore
import TsunagariDataFiles

/// Files shaped like the ones LinkedIn's "Get a copy of your data" sends (Basic export, December 2024).
enum LinkedInFixtures {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// With the BOM and the three lines of notes LinkedIn puts before the header (line 4); rows on lines 5–8.
    static let connections = Data(bom) + Data(
        """
        Notes:
        "When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"

        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        Hanako,Suzuki,https://www.linkedin.com/in/hanako-suzuki-1a2b3c,,"Acme, Inc.",Product Manager,16 Dec 2024
        太郎,山田,https://www.linkedin.com/in/taro-yamada,taro@example.jp,株式会社サンプル,エンジニア,03 Jan 2023
        Jane,Doe,https://www.linkedin.com/in/janedoe,,,,16-Dec-24
        ,,,,,,

        """.utf8)

    /// A description over two lines with quoted quotes and a comma (line 2–3), a past role with a year only (line 4).
    static let positions = Data(
        """
        Company Name,Title,Description,Location,Started On,Finished On
        Example KK,Senior Engineer,"Led the ""Atlas"" migration, moving 40 services.
        Mentored 5 engineers.","Tokyo, Japan",Apr 2021,
        Old Corp,Engineer,,Osaka,2015,Mar 2021

        """.utf8)

    static let profile = Data(
        """
        First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers
        Taro,Yamada,,,"Jan 1, 1990",Engineer at Example,"I build things.
        Mostly servers.",Software Development,100-0001,"Tokyo, Japan",[tyamada],"[PERSONAL:https://example.com,COMPANY:https://example.co.jp/about]",

        """.utf8)

    static let education = Data(
        """
        School Name,Start Date,End Date,Notes,Degree Name,Activities
        The University of Tokyo,2008,2012,Computer Science,Bachelor of Engineering,Robotics club
        Keio University,Apr 2012,Mar 2014,,Master of Engineering,

        """.utf8)

    static let skills = Data(
        """
        Name
        Swift
        PostgreSQL

        """.utf8)

    static let messages = Data(
        """
        CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT
        2-abc,,Hanako Suzuki,https://www.linkedin.com/in/hanako,Taro Yamada,2024-12-16 09:00:00 UTC,,Hello

        """.utf8)

    /// All of them in a folder, as LinkedIn's zip has them, with files this reader ignores.
    static func exportZip() throws -> Data {
        let folder = "Basic_LinkedInDataExport_12-16-2024/"
        return try DataArchive.zip([
            (folder + "messages.csv", messages),
            (folder + "Connections.csv", connections),
            (folder + "Positions.csv", positions),
            (folder + "Profile.csv", profile),
            (folder + "Education.csv", education),
            (folder + "Skills.csv", skills),
            (folder + "Invitations.csv", Data("From,To,Sent At,Message,Direction\n".utf8)),
        ])
    }
}

extension Date {
    /// 00:00 UTC of a day, as the readers give `Connected On`.
    static func utc(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? .distantPast
    }
}

extension YearMonth {
    /// A month the test knows is valid.
    static func of(_ year: Int, _ month: Int) -> YearMonth? { YearMonth(year: year, month: month) }
}

/// Quoted-printable of some bytes, as 2.1 phones write it: every non-ASCII byte (and `=`) as `=XX`.
func quotedPrintable(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=")
            ? String(UnicodeScalar(byte)) : "=" + String(format: "%02X", byte)
    }.joined()
}
