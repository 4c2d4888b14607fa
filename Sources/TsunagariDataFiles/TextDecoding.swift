import Foundation
import TsunagariCore

/// Bytes of an uploaded file to text. Members upload what their tools wrote: LinkedIn writes UTF-8 (sometimes with a
/// BOM), Excel's "CSV UTF-8" writes a BOM, and Japanese card apps and Excel's plain "CSV" write Shift_JIS (CP932).
/// No header says which, so the bytes decide: UTF-8 is tried first and strictly, because Shift_JIS text is almost never
/// valid UTF-8 while the reverse guess would turn UTF-8 into mojibake without failing.
enum TextDecoding {
    /// The encodings a vCard's `CHARSET=` may name, and what a whole file may be in.
    enum Charset: Sendable {
        case utf8
        case shiftJIS
        case latin1

        /// The charset a `CHARSET=` parameter names; nil for one this reader does not know.
        init?(parameter: String) {
            switch parameter.uppercased() {
            case "UTF-8", "UTF8", "US-ASCII", "ASCII":
                // ASCII is a subset of UTF-8, so it reads the same.
                self = .utf8
            case "SHIFT_JIS", "SHIFT-JIS", "SJIS", "CP932", "MS932", "WINDOWS-31J", "X-SJIS":
                // Phones label CP932 as Shift_JIS; Foundation's Shift_JIS decodes CP932's extensions (①, 髙).
                self = .shiftJIS
            case "ISO-8859-1", "ISO8859-1", "LATIN1":
                self = .latin1
            default:
                return nil
            }
        }
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The text of a whole file: UTF-8 (BOM dropped), else Shift_JIS, else `.unknownEncoding`.
    static func text(of data: Data, file: String) throws(DataFileError) -> String {
        if data.starts(with: byteOrderMark) {
            // A BOM promises UTF-8; bytes after it that are not UTF-8 are a broken file, not Shift_JIS.
            guard let text = String(validating: data.dropFirst(byteOrderMark.count), as: UTF8.self) else {
                throw DataFileError(.unknownEncoding, file: file, message: "the file starts like UTF-8 but is not UTF-8")
            }
            return text
        }
        if let text = String(validating: data, as: UTF8.self) { return text }
        if let text = String(data: data, encoding: .shiftJIS) { return text }
        throw DataFileError(
            .unknownEncoding, file: file, message: "the file is neither UTF-8 nor Shift_JIS; save it as CSV UTF-8 and upload it again")
    }

    /// Which charset a whole file is in, for formats (vCard) that decode property by property: the one the file reads
    /// in without error, UTF-8 first; nil when neither reads the whole file.
    static func charset(of bytes: [UInt8]) -> Charset? {
        let body = bytes.starts(with: byteOrderMark) ? bytes.dropFirst(byteOrderMark.count) : bytes[...]
        if String(validating: body, as: UTF8.self) != nil { return .utf8 }
        if String(data: Data(body), encoding: .shiftJIS) != nil { return .shiftJIS }
        return nil
    }

    /// Some bytes in one charset; nil when they are not text in it.
    static func decode(_ bytes: some Collection<UInt8>, as charset: Charset) -> String? {
        switch charset {
        case .utf8: String(validating: bytes, as: UTF8.self)
        case .shiftJIS: String(data: Data(bytes), encoding: .shiftJIS)
        case .latin1: String(data: Data(bytes), encoding: .isoLatin1)
        }
    }
}

extension String {
    /// Without leading and trailing whitespace and line breaks (Unicode's, so also U+3000, the ideographic space).
    /// Done natively: Foundation's `trimmingCharacters(in:)` goes through NSString on Linux and took a third of the
    /// time of reading a CSV.
    var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        // Most cells have nothing to trim: no copy then.
        if !isSpace(first), !isSpace(last) { return self }
        return self[...].trimmed
    }
}

extension String {
    /// The non-empty pieces between the scalars `isSeparator` accepts. Split by scalars rather than Characters:
    /// grapheme breaking showed in the time of reading 10,000 cards.
    func pieces(separatedBy isSeparator: (Unicode.Scalar) -> Bool) -> [String] {
        let scalars = unicodeScalars
        var pieces: [String] = []
        var start: String.Index?
        var index = scalars.startIndex
        while index < scalars.endIndex {
            if isSeparator(scalars[index]) {
                if let pieceStart = start { pieces.append(String(Substring(scalars[pieceStart..<index]))) }
                start = nil
            } else if start == nil {
                start = index
            }
            index = scalars.index(after: index)
        }
        if let pieceStart = start { pieces.append(String(Substring(scalars[pieceStart...]))) }
        return pieces
    }
}

extension Substring {
    var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(Substring(scalars[first...last]))
    }
}

/// Unicode's White_Space, listed: looking the property up for every kana and kanji showed in the time of reading
/// 10,000 cards.
func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
    default: false
    }
}
