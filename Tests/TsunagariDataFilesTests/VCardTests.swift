import Foundation
import Testing
import TsunagariCore

@testable import TsunagariDataFiles

@Suite struct VCardTests {
    func read(_ text: String, limits: DataFileLimits = .standard) throws -> [ContactCard] {
        try BusinessCards.read(Data(text.utf8), format: .vcard, file: "contacts.vcf", limits: limits)
    }

    /// A Japanese feature phone's 2.1 card: Shift_JIS bytes in quoted-printable, with a soft line break in the name.
    @Test func vCard21WithShiftJISQuotedPrintableAndSoftLineBreak() throws {
        let sjis = { (text: String) throws -> String in quotedPrintable([UInt8](try #require(text.data(using: .shiftJIS)))) }
        let formatted = try sjis("髙橋 一郎")
        let middle = formatted.index(formatted.startIndex, offsetBy: 9)  // after three `=XX`
        let card = [
            "BEGIN:VCARD",
            "VERSION:2.1",
            "N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:\(try sjis("髙橋;一郎;;;"))",
            "FN;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:\(formatted[..<middle])=",
            String(formatted[middle...]),
            "SOUND;X-IRMC-N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:\(try sjis("ﾀｶﾊｼ;ｲﾁﾛｳ;;;"))",
            "ORG;CHARSET=SHIFT_JIS;QUOTED-PRINTABLE:\(try sjis("株式会社サンプル;営業部"))",
            "TITLE;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:\(try sjis("部長"))",
            "TEL;WORK;VOICE:03-1234-5678",
            "TEL;CELL:090-1234-5678",
            "EMAIL;INTERNET;PREF:ichiro@example.co.jp",
            "NOTE;CHARSET=KOI8-R:ignored, so its charset does not matter",
            "END:VCARD",
        ].joined(separator: "\r\n")
        #expect(
            try read(card) == [
                ContactCard(
                    name: "髙橋 一郎", nameReading: "ﾀｶﾊｼ ｲﾁﾛｳ", company: "株式会社サンプル", department: "営業部", title: "部長",
                    emails: ["ichiro@example.co.jp"], phones: ["03-1234-5678", "090-1234-5678"])
            ])
    }

    @Test func quotedPrintableWithoutCharsetIsUTF8() throws {
        let card = "BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:\(quotedPrintable(Array("山田;太郎".utf8)))\nEND:VCARD\n"
        let named = "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:\(quotedPrintable(Array("佐藤 花子".utf8)))\nEND:VCARD\n"
        #expect(try read(card + named).map(\.name) == ["山田 太郎", "佐藤 花子"])
    }

    @Test func vCard30WithFoldedLinesEscapesAndSortString() throws {
        let card = #"""
            BEGIN:VCARD
            VERSION:3.0
            N:Yamada;Taro;;;
            FN:Taro Yamada
            SORT-STRING:やまだ たろう
            ORG:Example\, Inc.;Research\; Development
            TITLE:Head of R&D\, Tokyo
            item1.EMAIL;type=INTERNET;type=WORK;type=pref:taro@exa
             mple.com
            item1.X-ABLabel:_$!<Work>!$_
            EMAIL;TYPE=HOME:taro.y@example.org
            TEL;TYPE=CELL:+81 90
            	1234 5678
            NOTE:Line one\nLine two
            END:VCARD
            """#
        #expect(
            try read(card) == [
                ContactCard(
                    name: "Taro Yamada", nameReading: "やまだ たろう", company: "Example, Inc.", department: "Research; Development",
                    title: "Head of R&D, Tokyo", emails: ["taro@example.com", "taro.y@example.org"], phones: ["+81 901234 5678"])
            ])
    }

    @Test func vCard40WithSortAs() throws {
        let card = """
            BEGIN:VCARD
            VERSION:4.0
            N;SORT-AS="ヤマダ,タロウ":山田;太郎;;;
            ORG:株式会社サンプル
            TEL;VALUE=uri;TYPE="cell,voice":tel:+81-90-1234-5678
            EMAIL;TYPE=work:taro@example.jp
            END:VCARD
            """
        #expect(
            try read(card) == [
                ContactCard(
                    name: "山田 太郎", nameReading: "ヤマダ タロウ", company: "株式会社サンプル", emails: ["taro@example.jp"],
                    phones: ["+81-90-1234-5678"])
            ])
    }

    @Test func iPhoneCardWithPhoneticNames() throws {
        let card = """
            BEGIN:VCARD\r
            VERSION:3.0\r
            PRODID:-//Apple Inc.//iPhone OS 17.5//EN\r
            N:鈴木;花子;;;\r
            FN:鈴木 花子\r
            X-PHONETIC-FIRST-NAME:はなこ\r
            X-PHONETIC-LAST-NAME:すずき\r
            ORG:サンプル商事;;\r
            item1.TEL;type=pref:03-9999-0000\r
            PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r
            END:VCARD\r

            """
        #expect(
            try read(card) == [
                ContactCard(name: "鈴木 花子", nameReading: "すずき はなこ", company: "サンプル商事", phones: ["03-9999-0000"])
            ])
    }

    @Test func wholeFileInShiftJISWithoutCharset() throws {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:髙橋;一郎;;;\r\nORG:株式会社①\r\nEND:VCARD\r\n"
        let data = try #require(text.data(using: .shiftJIS))
        let cards = try BusinessCards.read(data, format: .vcard, file: "contacts.vcf")
        #expect(cards == [ContactCard(name: "髙橋 一郎", company: "株式会社①")])
    }

    @Test func severalCards() throws {
        let cards = try read(
            """
            BEGIN:VCARD
            VERSION:3.0
            FN:Ann Lee
            END:VCARD
            BEGIN:VCARD
            VERSION:3.0
            N:Doe;Jane;;;
            END:VCARD
            BEGIN:VCARD
            VERSION:2.1
            N:佐藤;花子
            END:VCARD
            """)
        #expect(cards.map(\.name) == ["Ann Lee", "Jane Doe", "佐藤 花子"])
        let limits = DataFileLimits(maximumUploadBytes: 1 << 20, maximumZipEntries: 1, maximumExpandedBytes: 1, maximumRowsPerFile: 2)
        let error = #expect(throws: DataFileError.self) {
            try read("BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\nBEGIN:VCARD\nFN:C\nEND:VCARD\n", limits: limits)
        }
        #expect(error?.reason == .tooLarge)
        #expect(error?.line == 7)
    }

    @Test func cardWithoutEndIsMalformedAtItsBegin() {
        let error = #expect(throws: DataFileError.self) {
            try read("BEGIN:VCARD\nFN:Ann\nEND:VCARD\n\nBEGIN:VCARD\nVERSION:3.0\nFN:Bob\n")
        }
        #expect(error?.reason == .malformed)
        #expect(error?.file == "contacts.vcf")
        #expect(error?.line == 5)
        // A BEGIN while a card is open means the open one has no END.
        let nested = #expect(throws: DataFileError.self) {
            try read("BEGIN:VCARD\nFN:Ann\nBEGIN:VCARD\nFN:Bob\nEND:VCARD\n")
        }
        #expect(nested?.line == 1)
    }

    @Test func cardWithoutNameIsMalformedAtItsBegin() {
        let error = #expect(throws: DataFileError.self) {
            try read("BEGIN:VCARD\nFN:Ann\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nN:;;;;\nEMAIL:x@example.com\nEND:VCARD\n")
        }
        #expect(error?.reason == .malformed)
        #expect(error?.line == 4)
    }

    @Test func unknownCharsetOnAUsedPropertyIsAnUnknownEncoding() {
        let error = #expect(throws: DataFileError.self) {
            try read("BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=KOI8-R:Ann\nEND:VCARD\n")
        }
        #expect(error?.reason == .unknownEncoding)
        #expect(error?.line == 3)
    }

    @Test func fileWithoutCards() {
        let error = #expect(throws: DataFileError.self) { try read("Name,Company\nAnn,Example\n") }
        #expect(error?.reason == .malformed)
    }

    @Test func escapesAreOnlyThoseOfTheVersion() {
        #expect(CardBuilder.unescape(#"a\,b\;c\\d\ne"#, all: true) == "a,b;c\\d\ne")
        #expect(CardBuilder.unescape(#"C:\temp\;x"#, all: false) == #"C:\temp;x"#)
        #expect(CardBuilder.components(#"a\;b;c;;d"#, all: true) == ["a;b", "c", "", "d"])
    }
}
