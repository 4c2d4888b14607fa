import Foundation
import Testing
import TsunagariCore

@testable import TsunagariDataFiles

@Suite struct BusinessCardCSVTests {
    /// As a Japanese card app exports: Japanese headers, two phone columns, a CP932 character (髙) in a name.
    static let japanese = """
        氏名,フリガナ,会社名,部署名,役職,メールアドレス,電話番号,携帯電話,メモ
        髙橋 一郎,タカハシ イチロウ,株式会社サンプル,営業部 第①課,部長,ichiro@example.co.jp,03-1234-5678,090-1234-5678,展示会で
        ,,,,,,,,
        佐藤 花子,,サンプル商事,,,"hanako@example.jp; h.sato@example.com",,,

        """

    static let expectedJapanese = [
        ContactCard(
            name: "髙橋 一郎", nameReading: "タカハシ イチロウ", company: "株式会社サンプル", department: "営業部 第①課", title: "部長",
            emails: ["ichiro@example.co.jp"], phones: ["03-1234-5678", "090-1234-5678"]),
        ContactCard(name: "佐藤 花子", company: "サンプル商事", emails: ["hanako@example.jp", "h.sato@example.com"]),
    ]

    @Test func japaneseHeadersInUTF8WithBOM() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data(Self.japanese.utf8)
        #expect(try BusinessCards.read(data, format: .csv, file: "cards.csv") == Self.expectedJapanese)
    }

    @Test func japaneseHeadersInShiftJIS() throws {
        let data = try #require(Self.japanese.replacingOccurrences(of: "\n", with: "\r\n").data(using: .shiftJIS))
        #expect(String(data: data, encoding: .utf8) == nil)  // really not UTF-8
        #expect(try BusinessCards.read(data, format: .csv, file: "cards.csv") == Self.expectedJapanese)
    }

    @Test func englishHeadersInAnotherOrder() throws {
        let csv = """
            Email Address,Full Name,Job Title,Organization,Phone,Mobile,Notes
            ann@example.com,Ann Lee,CTO,"Example, Inc.",+1 555 0100,,met at conf
            """
        #expect(
            try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv") == [
                ContactCard(name: "Ann Lee", company: "Example, Inc.", title: "CTO", emails: ["ann@example.com"], phones: ["+1 555 0100"])
            ])
    }

    @Test func familyAndGivenNameColumnsWithReadings() throws {
        let csv = """
            姓,名,セイ,メイ,会社,E-mail,E-mail 2,TEL会社
            山田,太郎,ヤマダ,タロウ,サンプル,taro@example.jp,t.yamada@example.com,03-0000-0000
            Smith,John,,,Acme,,,
            """
        #expect(
            try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv") == [
                ContactCard(
                    name: "山田 太郎", nameReading: "ヤマダ タロウ", company: "サンプル", emails: ["taro@example.jp", "t.yamada@example.com"],
                    phones: ["03-0000-0000"]),
                ContactCard(name: "John Smith", company: "Acme"),
            ])
    }

    @Test func headersMatchAcrossWidthsCaseAndSpaces() throws {
        // Full-width Latin, half-width katakana, spaces and case as spreadsheets leave them.
        let csv = " ＦＵＬＬ　ＮＡＭＥ ,ﾌﾘｶﾞﾅ,company name,Ｅ－ｍａｉｌ\nTaro Yamada,ﾀﾛｳ,Example,taro@example.com\n"
        #expect(
            try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv") == [
                ContactCard(name: "Taro Yamada", nameReading: "ﾀﾛｳ", company: "Example", emails: ["taro@example.com"])
            ])
    }

    @Test func noNameColumnIsMalformedAtLineOne() {
        let csv = "会社名,メールアドレス\nサンプル,a@example.com\n"
        let error = #expect(throws: DataFileError.self) {
            try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv")
        }
        #expect(error?.reason == .malformed)
        #expect(error?.line == 1)
        #expect(error?.file == "cards.csv")
        #expect(error?.message.contains("no name column") == true)
    }

    @Test func rowWithoutNameIsMalformedAtItsLine() {
        let csv = "名前,会社名\n山田 太郎,サンプル\n\n,サンプル\n"
        let error = #expect(throws: DataFileError.self) {
            try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv")
        }
        #expect(error?.reason == .malformed)
        #expect(error?.line == 4)
    }

    @Test func neitherUTF8NorShiftJISIsAnUnknownEncoding() {
        let error = #expect(throws: DataFileError.self) {
            try BusinessCards.read(Data([0x4E, 0x61, 0x6D, 0x65, 0x0A, 0x80, 0xFF, 0xFE, 0x0A]), format: .csv, file: "cards.csv")
        }
        #expect(error?.reason == .unknownEncoding)
        #expect(error?.file == "cards.csv")
    }

    @Test func formulaNeutralisationIsUndone() throws {
        let csv = "Name,Title\n'=Ann,'+1 Manager\n'Bob,-\n"
        let cards = try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv")
        #expect(cards.map(\.name) == ["=Ann", "'Bob"])
        #expect(cards.map(\.title) == ["+1 Manager", "-"])
    }

    @Test func rowLimit() {
        let limits = DataFileLimits(maximumUploadBytes: 1 << 20, maximumZipEntries: 1, maximumExpandedBytes: 1, maximumRowsPerFile: 2)
        let csv = "Name\nA\nB\nC\n"
        let error = #expect(throws: DataFileError.self) {
            try BusinessCards.read(Data(csv.utf8), format: .csv, file: "cards.csv", limits: limits)
        }
        #expect(error?.reason == .tooLarge)
        #expect(error?.line == 4)
    }

    @Test func linkedInConnectionsReadAsCards() throws {
        let cards = try BusinessCards.read(LinkedInFixtures.connections, format: .csv, file: "Connections.csv")
        #expect(cards.map(\.name) == ["Hanako Suzuki", "山田 太郎", "Jane Doe"])
        #expect(cards.map(\.title) == ["Product Manager", "エンジニア", nil])
    }
}

@Suite struct DetectionTests {
    @Test func contentTypeFirst() {
        let csv = Data("Name\nA\n".utf8)
        #expect(BusinessCards.detect(csv, contentType: "text/vcard", fileName: "cards.csv") == .vcard)
        #expect(BusinessCards.detect(csv, contentType: "text/x-vcard; charset=utf-8", fileName: nil) == .vcard)
        #expect(BusinessCards.detect(csv, contentType: "text/directory", fileName: nil) == .vcard)
        #expect(BusinessCards.detect(Data("BEGIN:VCARD".utf8), contentType: "text/csv; charset=Shift_JIS", fileName: "a.vcf") == .csv)
    }

    @Test func thenTheFileName() {
        let bytes = Data("Name\nA\n".utf8)
        #expect(BusinessCards.detect(bytes, contentType: "application/octet-stream", fileName: "Contacts.VCF") == .vcard)
        #expect(BusinessCards.detect(Data("BEGIN:VCARD".utf8), contentType: nil, fileName: "export.csv") == .csv)
    }

    @Test func thenTheBytes() {
        let vcard = Data([0xEF, 0xBB, 0xBF]) + Data("\r\n  begin:vcard\r\nVERSION:3.0\r\n".utf8)
        #expect(BusinessCards.detect(vcard, contentType: nil, fileName: "upload") == .vcard)
        #expect(BusinessCards.detect(Data("名前,会社\n".utf8), contentType: nil, fileName: nil) == .csv)
        #expect(BusinessCards.detect(Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]), contentType: nil, fileName: "cards") == nil)
        #expect(BusinessCards.detect(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), contentType: nil, fileName: nil) == nil)
    }
}
