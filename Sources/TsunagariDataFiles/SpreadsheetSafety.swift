import CSV
import Foundation
import TsunagariCore

/// Formula neutralisation ("CSV injection"). A member's export is opened in Excel or Sheets, where a cell that starts
/// with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip before looking) is run as a
/// formula: a headline like `=HYPERLINK("https://evil.example", "click")`, written by someone else and shown in the
/// member's connections, must stay text. Writing puts a `'` in front, which spreadsheets read as "this is text" and
/// do not show; reading takes that `'` off again, so a file this module wrote reads back as the values it was given.
public enum SpreadsheetSafety {
    /// What a spreadsheet may run as a formula when a cell starts with it.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The cell as it is written to a file: with a leading `'` when the spreadsheet would otherwise run it.
    public static func neutralized(_ cell: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character and would hide the carriage return.
        guard let first = cell.unicodeScalars.first, formulaStarts.contains(first) else { return cell }
        return "'" + cell
    }

    /// The cell as read from a file: the `'` that neutralisation put in front of a formula start is removed; any
    /// other leading `'` (a name like `'quoted`) is part of the value and stays.
    public static func restored(_ cell: String) -> String {
        var scalars = cell.unicodeScalars.makeIterator()
        guard scalars.next() == "'", let second = scalars.next(), formulaStarts.contains(second) else { return cell }
        return String(cell.unicodeScalars.dropFirst())
    }
}

// The two places CSV cells enter and leave this module. Every reader and writer goes through them, so no cell can
// skip neutralisation, and line numbers are counted in one way for every file.

/// One row of a CSV file: its cells trimmed and restored (see `SpreadsheetSafety.restored`), and the line of the file
/// where it starts.
struct CSVRow {
    /// 1-based line of the file where the row starts (a row with a multi-line cell spans more lines).
    let line: Int
    let cells: [String]

    /// The cell at `index`, nil when the row is shorter or the cell is empty: an empty cell means "not given".
    subscript(_ index: Int?) -> String? {
        guard let index, index < cells.count, !cells[index].isEmpty else { return nil }
        return cells[index]
    }

    /// A blank line, or a row of empty cells (`,,,`): spreadsheets leave these at the end of a file.
    var isEmpty: Bool { cells.allSatisfy(\.isEmpty) }
}

/// CSV rows read by CSV.swift's streaming reader straight from the decoded text, without another copy of the file.
struct CSVRows {
    private let reader: CSVReader
    /// The line the next row starts on. CSV.swift does not count lines, so they are counted from what it returns: a
    /// row ends one line, and each line break kept inside a quoted cell is one more.
    private var nextLine = 1

    init(text: String, file: String) throws(DataFileError) {
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false)
        } catch {
            throw DataFileError(.malformed, file: file, line: 1, message: "not a CSV file")
        }
    }

    mutating func next() -> CSVRow? {
        guard let raw = reader.next() else { return nil }
        let line = nextLine
        nextLine += 1
        var cells: [String] = []
        cells.reserveCapacity(raw.count)
        for cell in raw {
            nextLine += Self.lineBreaks(in: cell)
            cells.append(SpreadsheetSafety.restored(cell.trimmed))
        }
        return CSVRow(line: line, cells: cells)
    }

    /// Line breaks inside a cell: CRLF, LF or a lone CR each end one line of the file.
    private static func lineBreaks(in cell: String) -> Int {
        var count = 0
        var afterCR = false
        for byte in cell.utf8 {
            switch byte {
            case 0x0D: count += 1; afterCR = true
            case 0x0A: if !afterCR { count += 1 }; afterCR = false
            default: afterCR = false
            }
        }
        return count
    }
}

/// A CSV file written by CSV.swift's writer, every cell neutralised. LF line ends, as the writer does by default;
/// cells with line breaks, quotes or commas are quoted by it.
enum CSVOutput {
    static func data(rows: [[String]]) -> Data {
        let stream = OutputStream(toMemory: ())
        do {
            // The writer closes its stream when it goes away, so what was written is taken while it is alive.
            let writer = try CSVWriter(stream: stream)
            for row in rows {
                try writer.write(row: row.map(SpreadsheetSafety.neutralized))
            }
            return try withExtendedLifetime(writer) {
                // Taken as NSData and copied in one go: bridging to Data copies it byte by byte on Linux.
                guard let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? NSData else {
                    throw CSVError.cannotWriteStream
                }
                return Data(bytes: data.bytes, count: data.length)
            }
        } catch {
            // The stream is memory: it takes every byte, so there is no failure to report to a member.
            preconditionFailure("writing CSV to memory failed: \(error)")
        }
    }
}
