import Foundation
import Testing
import TsunagariCore

@testable import TsunagariDataFiles

@Suite struct PersonNameTests {
    @Test(arguments: [
        ("太郎", "山田", "山田 太郎"),
        ("Taro", "Yamada", "Taro Yamada"),
        ("Mary Ann", "Smith", "Mary Ann Smith"),
        ("Cher", "", "Cher"),
        ("", "山田", "山田"),
        ("たろう", "やまだ", "やまだ たろう"),
        ("タロウ", "ヤマダ", "ヤマダ タロウ"),
        ("Taro", "山田", "山田 Taro"),
        ("次郎", "佐々木", "佐々木 次郎"),
    ])
    func joinAndSplitInvertEachOther(first: String, last: String, name: String) {
        #expect(PersonName.join(first: first, last: last) == name)
        let split = PersonName.split(name)
        #expect(split.first == first)
        #expect(split.last == last)
    }

    @Test func cjkNameWithoutSpaceIsAllLastName() {
        let split = PersonName.split("山田太郎")
        #expect(split.first == "")
        #expect(split.last == "山田太郎")
        #expect(PersonName.join(first: split.first, last: split.last) == "山田太郎")
    }

    @Test func emptyPartsAndExtraSpacesAreDropped() {
        #expect(PersonName.join(first: "  Mary   Ann ", last: nil) == "Mary Ann")
        #expect(PersonName.join(first: nil, last: nil) == "")
        #expect(PersonName.join(first: " 太郎", last: "山田\u{3000}") == "山田 太郎")
        #expect(PersonName.split("山田\u{3000}太郎") == ("太郎", "山田"))
        #expect(PersonName.split("   ") == ("", ""))
    }
}

@Suite struct SpreadsheetSafetyTests {
    @Test func exportPutsAQuoteBeforeFormulaStarts() {
        for cell in ["=1+1", "+81 3", "-5", "@SUM(A1)", "\tindent", "\rx", "\r\nx"] {
            #expect(SpreadsheetSafety.neutralized(cell) == "'" + cell)
        }
        for cell in ["Engineer", "'quoted", "", "a=b", " =1"] {
            #expect(SpreadsheetSafety.neutralized(cell) == cell)
        }
    }

    @Test func importRemovesOnlyThatQuote() {
        for cell in ["=1+1", "+81 3", "-5", "@SUM(A1)", "\tindent", "\r\nx"] {
            #expect(SpreadsheetSafety.restored("'" + cell) == cell)
        }
        for cell in ["'quoted", "'", "''=x", "Engineer", "=raw"] {
            #expect(SpreadsheetSafety.restored(cell) == cell)
        }
    }

    @Test func writtenCSVReadsBackToTheSameCells() {
        let rows = [["=HYPERLINK(\"http://evil.example\")", "plain", "-", "multi\nline, \"quoted\""]]
        let data = CSVOutput.data(rows: rows)
        // The first cell is quoted by the writer (it has quotes) after its `'` was put in front.
        #expect(
            String(decoding: data, as: UTF8.self)
                == #""'=HYPERLINK(""http://evil.example"")",plain,'-,"multi"# + "\n" + #"line, ""quoted""""#)
        var read = try? CSVRows(text: String(decoding: data, as: UTF8.self), file: "x.csv")
        #expect(read?.next()?.cells == rows[0])
    }
}

@Suite struct TextDecodingTests {
    @Test func utf8WithAndWithoutBOM() throws {
        #expect(try TextDecoding.text(of: Data([0xEF, 0xBB, 0xBF]) + Data("名前".utf8), file: "a.csv") == "名前")
        #expect(try TextDecoding.text(of: Data("名前".utf8), file: "a.csv") == "名前")
    }

    @Test func shiftJISIncludingCP932Extensions() throws {
        let data = try #require("髙橋①,ｶﾅ".data(using: .shiftJIS))
        #expect(try TextDecoding.text(of: data, file: "a.csv") == "髙橋①,ｶﾅ")
    }

    @Test func otherBytesAreAnUnknownEncoding() {
        let error = #expect(throws: DataFileError.self) { try TextDecoding.text(of: Data([0x41, 0x80, 0xFF]), file: "a.csv") }
        #expect(error?.reason == .unknownEncoding)
        #expect(error?.file == "a.csv")
        let bom = #expect(throws: DataFileError.self) { try TextDecoding.text(of: Data([0xEF, 0xBB, 0xBF, 0x93, 0xFA]), file: "b.csv") }
        #expect(bom?.reason == .unknownEncoding)
    }
}

@Suite struct DateTextTests {
    @Test func linkedInsDates() {
        #expect(DateText.parseDay("16 Dec 2024") == .utc(2024, 12, 16))
        #expect(DateText.parseDay("16-Dec-24") == .utc(2024, 12, 16))
        #expect(DateText.parseDay("29 Feb 2023") == nil)
        #expect(DateText.parseDay("Dec 2024") == nil)
        #expect(DateText.parseMonth("Apr 2021") == YearMonth(year: 2021, month: 4))
        #expect(DateText.parseMonth("2021") == YearMonth(year: 2021, month: 1))
        #expect(DateText.parseMonth("Foo 2021") == nil)
        #expect(DateText.parseYear("Mar 2014") == 2014)
        #expect(DateText.format(day: .utc(2024, 3, 5).addingTimeInterval(86_399)) == "05 Mar 2024")
        #expect(DateText.format(day: .utc(1999, 12, 31)) == "31 Dec 1999")
    }
}
