import Foundation
import TsunagariCore

/// The stored attributes of the search index's documents (`SearchAttributes.stored`), kept as bytes in which every
/// repeated piece is a number: places, industries, titles, settings, companies (ids and names), schools, skills and
/// employers are told once in the table, and a document names them by number. Thousands of profiles share a city, a
/// company or a skill, so a document keeps about a third of the bytes of its text (docs/BENCHMARKS.md).
///
/// The handle, name, headline and photo are kept as they are: they are almost never shared, and a table entry would
/// cost more than the text.
///
/// Layout of a document's bytes: varints (`ForwardList`'s), each one of
/// - 0, 1, 2: the separators 0x1F (between fields), 0x1E (between items), 0x1D (between a company's id and name);
/// - `3 + 2n`: the table's piece `n`;
/// - `3 + 2n + 1`: `n` bytes of text, which follow.
/// An empty piece is nothing between two separators. A removed document's bytes are empty.
struct AttributeTable: Sendable {
    /// The pieces' text, one after another, and where each ends.
    private(set) var text: [UInt8] = []
    private(set) var ends: [UInt32] = []
    private var ids: [TermKey: UInt32] = [:]
    /// Each piece as a string, made once: a document's attributes read for a search share them (`attributes(_:)`).
    private var strings: [String] = []

    init() {}

    /// A table of the pieces written by `write`, or nil when their ends are out of order.
    init?(text: [UInt8], ends: [UInt32]) {
        var start: UInt32 = 0
        for end in ends {
            guard end >= start, Int(end) <= text.count else { return nil }
            start = end
        }
        self.text = text
        self.ends = ends
        ids.reserveCapacity(ends.count)
        strings.reserveCapacity(ends.count)
        for piece in 0..<ends.count {
            strings.append(string(piece))
            ids[TermKey(strings[piece])] = UInt32(piece)
        }
    }

    var count: Int { ends.count }

    /// The memory the table holds, about: its text, ends, and a dictionary entry and a string per piece.
    var bytes: Int { text.capacity * 2 + ends.capacity * 4 + ids.count * 40 + ids.capacity * 8 + strings.capacity * 16 + strings.count * 32 }

    /// The fields of the stored form (counted from 0, the form's version) kept as text: handle, name, headline, photo.
    static func isLiteral(field: Int) -> Bool { field == 1 || field == 2 || field == 3 || field == 15 }

    private static let separators: [UInt8] = [0x1F, 0x1E, 0x1D]

    private func range(_ piece: Int) -> Range<Int> {
        (piece == 0 ? 0 : Int(ends[piece - 1]))..<Int(ends[piece])
    }

    private func string(_ piece: Int) -> String {
        text.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range(piece)]), as: UTF8.self) }
    }

    /// The document's bytes for `stored`, adding the pieces the table does not hold yet.
    mutating func encode(_ stored: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(stored.utf8.count + 8)
        var copy = stored
        copy.withUTF8 { bytes in
            var field = 0
            var start = 0
            for index in 0...bytes.count {
                let byte: UInt8 = index < bytes.count ? bytes[index] : 0x1F
                guard byte >= 0x1D && byte <= 0x1F else { continue }
                if start < index {
                    let piece = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    if Self.isLiteral(field: field) {
                        ForwardList.appendVarint(UInt32(3 + 2 * piece.count + 1), to: &out)
                        out.append(contentsOf: piece)
                    } else {
                        ForwardList.appendVarint(3 + 2 * intern(piece), to: &out)
                    }
                }
                if index < bytes.count {
                    out.append(0x1F - byte)
                    if byte == 0x1F { field += 1 }
                }
                start = index + 1
            }
        }
        // Kept for long: no room to spare (the text's length was an upper bound).
        return [UInt8](unsafeUninitializedCapacity: out.count) { buffer, count in
            count = buffer.initialize(from: out).1
        }
    }

    private mutating func intern(_ piece: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let key = TermKey(String(decoding: piece, as: UTF8.self))
        if let id = ids[key] { return id }
        let id = UInt32(ends.count)
        text.append(contentsOf: piece)
        ends.append(UInt32(text.count))
        ids[key] = id
        strings.append(key.text)
        return id
    }

    /// The stored form a document's bytes stand for.
    func decode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 4)
        walk(bytes) { token in
            switch token {
            case .separator(let byte): out.append(byte)
            case .text(let text), .piece(_, let text): out.append(contentsOf: text)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The attributes a document's bytes stand for, read as `SearchAttributes(stored: decode(bytes))` would read them
    /// but without the stored text between: the table's pieces are its strings, shared, and only the handle, name,
    /// headline and photo are made anew. Nil when they are not a stored form this version reads.
    func attributes(_ bytes: [UInt8]) -> SearchAttributes? {
        var reader = SearchAttributes.StoredReader()
        strings.withUnsafeBufferPointer { strings in
            walk(bytes) { token in
                switch token {
                case .separator(let byte): reader.separator(byte)
                case .text(let text): reader.text(String(decoding: text, as: UTF8.self))
                case .piece(let piece, _): reader.text(strings[piece])
                }
            }
        }
        return reader.finish()
    }

    /// What ranking needs of a document (`SearchRanking`), read straight from its bytes: the settings, strength and
    /// facet values, each table piece as its shared string with its number as the key, and nothing else made. A search
    /// reads this for every candidate, up to 1,200; reading their whole attributes was a fifth of a results page's
    /// time. Documents of another version, or of a shape only `StoredReader` tells (a field of two pieces, a separator
    /// inside a field's text), are read whole and ranked from that.
    func ranking(_ bytes: [UInt8]) -> SearchRanking? {
        let read = bytes.withUnsafeBufferPointer { b in
            strings.withUnsafeBufferPointer { strings in
                var reader = RankingReader(bytes: b, strings: strings)
                return reader.read() ? reader.ranking : nil
            }
        }
        return read ?? attributes(bytes).map(SearchRanking.init)
    }

    /// The state of `ranking`'s reading: which field, the current item's piece or text (and its first half after a
    /// pair separator), and what was read so far.
    private struct RankingReader {
        enum Token {
            case none
            case piece(Int)
            case text(Range<Int>)
        }

        let bytes: UnsafeBufferPointer<UInt8>
        let strings: UnsafeBufferPointer<String>
        var field = 0
        var pending = Token.none
        var pairFirst = Token.none
        var hasPair = false
        var fieldHasItems = false
        var version = Token.none
        var visibility: ProfileVisibility?
        var connections: ConnectionsVisibility?
        var openToWork: OpenToWorkVisibility?
        var strength = 0
        var location: FacetText?
        var skills: [FacetText] = []
        var companies: [FacetCompany] = []
        var employers: [String] = []

        init(bytes: UnsafeBufferPointer<UInt8>, strings: UnsafeBufferPointer<String>) {
            self.bytes = bytes
            self.strings = strings
        }

        var ranking: SearchRanking? {
            guard let visibility, connections != nil else { return nil }
            return SearchRanking(
                profileVisibility: visibility, openToWork: openToWork, employerIDs: employers, strength: strength, location: location,
                skills: skills, currentCompanies: companies)
        }

        func facet(_ token: Token) -> FacetText {
            switch token {
            case .none: FacetText("")
            case .piece(let piece): FacetText(strings[piece], key: Int32(piece))
            case .text(let range): FacetText(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
            }
        }

        var hasPending: Bool {
            if case .none = pending { return false }
            return true
        }

        mutating func endItem() {
            switch field {
            case 10 where hasPair: companies.append(FacetCompany(id: facet(pairFirst), name: facet(pending)))
            case 13: skills.append(facet(pending))
            case 14 where openToWork != nil: employers.append(facet(pending).text)
            default: break
            }
            pending = .none
            pairFirst = .none
            hasPair = false
        }

        mutating func endField() {
            if field >= 10 && field <= 14, hasPending || hasPair || fieldHasItems { endItem() }
            switch field {
            case 0: version = pending
            case 4:
                let value = facet(pending)
                location = value.text.isEmpty ? nil : value
            case 7: visibility = ProfileVisibility(rawValue: facet(pending).text)
            case 8: connections = ConnectionsVisibility(rawValue: facet(pending).text)
            case 9: openToWork = OpenToWorkVisibility(rawValue: facet(pending).text)
            case 16: strength = Int(facet(pending).text) ?? 0
            default: break
            }
            pending = .none
            fieldHasItems = false
            field += 1
        }

        /// Reads the document; false when it is not of the version and shape read here.
        mutating func read() -> Bool {
            var i = 0
            while i < bytes.count {
                guard let (value, next) = ForwardList.readVarint(bytes, at: i, end: bytes.count) else { return false }
                i = next
                if value >= 3 {
                    // A second piece in one item is for the general reading.
                    guard !hasPending else { return false }
                    if (value - 3) & 1 == 1 {
                        let length = Int((value - 3) >> 1)
                        guard length <= bytes.count - i else { return false }
                        pending = .text(i..<(i + length))
                        i += length
                    } else {
                        let piece = Int((value - 3) >> 1)
                        guard piece < strings.count else { return false }
                        pending = .piece(piece)
                    }
                } else if value == 0 {
                    endField()
                } else if value == 1 && field >= 10 && field <= 14 {
                    fieldHasItems = true
                    endItem()
                } else if value == 2 && (field == 10 || field == 11) && !hasPair {
                    fieldHasItems = true
                    pairFirst = pending
                    hasPair = true
                    pending = .none
                } else {
                    return false
                }
            }
            guard !bytes.isEmpty else { return false }
            endField()
            return field == 17 && facet(version).text == "3"
        }
    }

    /// The ids of the current companies (field 10: items of `id 0x1D name`), read without decoding the rest.
    func currentCompanyIDs(_ bytes: [UInt8]) -> [String] {
        var field = 0
        var atItemStart = true
        var ids: [String] = []
        walk(bytes) { token in
            switch token {
            case .separator(let byte):
                if byte == 0x1F { field += 1 }
                atItemStart = byte != 0x1D
            case .text(let text), .piece(_, let text):
                if field == 10, atItemStart { ids.append(String(decoding: text, as: UTF8.self)) }
                atItemStart = false
            }
        }
        return ids
    }

    private enum Token {
        case separator(UInt8)
        /// Text kept in the document's own bytes.
        case text(UnsafeBufferPointer<UInt8>)
        /// The table's piece of this number, and its bytes.
        case piece(Int, UnsafeBufferPointer<UInt8>)
    }

    /// Calls `body` with each separator and piece of text in turn. The bytes are the table's own or a checked
    /// snapshot's (`isValid`): anything else stops the walk.
    private func walk(_ bytes: [UInt8], _ body: (Token) -> Void) {
        bytes.withUnsafeBufferPointer { b in
            text.withUnsafeBufferPointer { table in
                var i = 0
                while i < b.count {
                    guard let (value, next) = ForwardList.readVarint(b, at: i, end: b.count) else { return }
                    i = next
                    if value < 3 {
                        body(.separator(Self.separators[Int(value)]))
                    } else if (value - 3) & 1 == 1 {
                        let length = Int((value - 3) >> 1)
                        guard length <= b.count - i else { return }
                        body(.text(UnsafeBufferPointer(rebasing: b[i..<(i + length)])))
                        i += length
                    } else {
                        let piece = Int((value - 3) >> 1)
                        guard piece < ends.count else { return }
                        body(.piece(piece, UnsafeBufferPointer(rebasing: table[range(piece)])))
                    }
                }
            }
        }
    }

    /// Whether a snapshot's bytes are a document's of this table: whole varints, pieces it holds, text that does not
    /// run past the end.
    func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                guard let (value, next) = ForwardList.readVarint(b, at: i, end: b.count) else { return false }
                i = next
                if value < 3 { continue }
                if (value - 3) & 1 == 1 {
                    let length = Int((value - 3) >> 1)
                    guard length <= b.count - i else { return false }
                    i += length
                } else if Int((value - 3) >> 1) >= ends.count {
                    return false
                }
            }
            return true
        }
    }
}
