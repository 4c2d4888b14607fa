import Foundation

/// A document's terms in order, column by column, as the search index keeps them: bytes, not 32-bit numbers.
///
/// Layout: a header of each column's length in bytes, one varint per column (`TermIndex.columns.count` of them), then
/// each column's tokens in turn. A token is a varint (LEB128: seven bits a byte, low bits first, the high bit set on
/// every byte but the last): 0 is the boundary between two texts of a column, a term `t` is `t + 1`. Terms are
/// numbered as first seen, so the common ones are small: most tokens take one or two bytes, against four before.
///
/// A phrase is found by its bytes: varints are prefix-free, so the phrase's encoding found at the start of a token is
/// the phrase, and a token starts where the byte before it has no high bit. The scan for the phrase's first byte is
/// `memchr`'s. A removed document's list is empty (no header).
enum ForwardList {
    /// The encoding of `tokens` in the form the index builds an entry in: each column starts with its mark
    /// (`TermIndex.markBase + column`, every column once and in order), texts are apart by `TermIndex.boundaryToken`.
    static func encode(_ tokens: [UInt32], columns: Int) -> [UInt8] {
        guard !tokens.isEmpty else { return [] }
        var body: [UInt8] = []
        body.reserveCapacity(tokens.count * 2)
        var lengths = [Int](repeating: 0, count: columns)
        var column = -1
        var columnStart = 0
        for token in tokens {
            if token >= TermIndex.markBase && token != TermIndex.boundaryToken {
                if column >= 0 { lengths[column] = body.count - columnStart }
                column = Int(token - TermIndex.markBase)
                precondition(column < columns, "a forward list's column is out of range")
                columnStart = body.count
            } else {
                appendVarint(token == TermIndex.boundaryToken ? 0 : token + 1, to: &body)
            }
        }
        if column >= 0 { lengths[column] = body.count - columnStart }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(columns + body.count)
        for length in lengths { appendVarint(UInt32(length), to: &bytes) }
        bytes.append(contentsOf: body)
        return bytes
    }

    /// The tokens back in the form `encode` took them in (marks and boundaries), or nil when the bytes are not such a
    /// list (a snapshot's, checked before it is used).
    static func decode(_ bytes: [UInt8], columns: Int) -> [UInt32]? {
        guard !bytes.isEmpty else { return [] }
        var tokens: [UInt32] = []
        tokens.reserveCapacity(bytes.count)
        let complete = bytes.withUnsafeBufferPointer { b -> Bool in
            guard let ranges = columnRanges(b, columns: columns) else { return false }
            for (column, range) in ranges.enumerated() {
                tokens.append(TermIndex.markBase + UInt32(column))
                var i = range.lowerBound
                while i < range.upperBound {
                    guard let (value, next) = readVarint(b, at: i, end: range.upperBound) else { return false }
                    tokens.append(value == 0 ? TermIndex.boundaryToken : value - 1)
                    i = next
                }
            }
            return true
        }
        return complete ? tokens : nil
    }

    /// Each column's range of bytes, in order, or nil when the header does not fit the bytes.
    static func columnRanges(_ bytes: UnsafeBufferPointer<UInt8>, columns: Int) -> [Range<Int>]? {
        guard !bytes.isEmpty else { return [] }
        var lengths: [Int] = []
        lengths.reserveCapacity(columns)
        var i = 0
        for _ in 0..<columns {
            guard let (length, next) = readVarint(bytes, at: i, end: bytes.count) else { return nil }
            lengths.append(Int(length))
            i = next
        }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(columns)
        for length in lengths {
            guard length <= bytes.count - i else { return nil }
            ranges.append(i..<(i + length))
            i += length
        }
        return i == bytes.count ? ranges : nil
    }

    /// One column's range of bytes, nil for a removed document's (the list must be well-formed: the index's own, or a
    /// snapshot's checked by `decode`).
    static func columnRange(_ b: UnsafeBufferPointer<UInt8>, _ column: Int, columns: Int) -> Range<Int>? {
        guard !b.isEmpty else { return nil }
        var i = 0
        var before = 0
        var own = 0
        for c in 0..<columns {
            let (value, next) = readVarint(b, at: i, end: b.count)!
            if c < column { before += Int(value) } else if c == column { own = Int(value) }
            i = next
        }
        return (i + before)..<(i + before + own)
    }

    /// The tokens of one column in order: its terms, and `TermIndex.boundaryToken` between two texts.
    static func tokens(_ bytes: [UInt8], column: Int, columns: Int) -> [UInt32] {
        bytes.withUnsafeBufferPointer { b in
            guard let range = columnRange(b, column, columns: columns) else { return [] }
            var tokens: [UInt32] = []
            var i = range.lowerBound
            while i < range.upperBound {
                let (value, next) = readVarint(b, at: i, end: range.upperBound)!
                tokens.append(value == 0 ? TermIndex.boundaryToken : value - 1)
                i = next
            }
            return tokens
        }
    }

    /// Whether the bytes are a well-formed list whose terms are all below `terms` (a snapshot's, before it is used).
    static func isValid(_ bytes: [UInt8], columns: Int, terms: Int) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            guard !b.isEmpty else { return true }
            guard let ranges = columnRanges(b, columns: columns) else { return false }
            var i = ranges.first?.lowerBound ?? b.count
            let end = b.count
            while i < end {
                guard let (value, next) = readVarint(b, at: i, end: end), value <= UInt32(clamping: terms) else { return false }
                i = next
            }
            // A varint never spans two columns: each column's range ends at the end of a token.
            return ranges.allSatisfy { $0.isEmpty || b[$0.upperBound - 1] < 0x80 }
        }
    }

    /// The encoding of a sequence of terms, as `find` looks for it.
    static func pattern(_ terms: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = []
        for term in terms { appendVarint(term + 1, to: &bytes) }
        return bytes
    }

    /// How often the encoded sequence `pattern` stands in the list (in `column` only, when given), and the sum of its
    /// columns' weights over those occurrences.
    static func occurrences(of pattern: [UInt8], in bytes: [UInt8], column wanted: Int?, weights: [Float]) -> (count: Int, weight: Float) {
        guard !bytes.isEmpty, !pattern.isEmpty else { return (0, 0) }
        var count = 0
        var weight: Float = 0
        bytes.withUnsafeBufferPointer { b in
            pattern.withUnsafeBufferPointer { p in
                // Past the header first, to where column 0 starts; then the header again, column by column.
                var start = 0
                for _ in weights.indices { start = readVarint(b, at: start, end: b.count)!.1 }
                var header = 0
                for column in weights.indices {
                    let (length, next) = readVarint(b, at: header, end: b.count)!
                    header = next
                    let end = start + Int(length)
                    defer { start = end }
                    if let wanted, wanted != column { continue }
                    let found = Self.count(p, in: b, from: start, to: end)
                    count += found
                    weight += Float(found) * weights[column]
                }
            }
        }
        return (count, weight)
    }

    /// Occurrences of `p` at the start of a token within `b[from..<to]`.
    private static func count(_ p: UnsafeBufferPointer<UInt8>, in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        let length = p.count
        guard to - from >= length, let base = b.baseAddress, let pattern = p.baseAddress else { return 0 }
        let first = Int32(p[0])
        var found = 0
        var i = from
        while i + length <= to {
            guard let hit = memchr(base + i, first, to - length + 1 - i) else { break }
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if (at == from || b[at - 1] < 0x80) && memcmp(base + at + 1, pattern + 1, length - 1) == 0 { found += 1 }
            i = at + 1
        }
        return found
    }

    static func appendVarint(_ value: UInt32, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The varint at `i` and where the next starts, or nil when it runs past `end` or past 32 bits.
    @inline(__always)
    static func readVarint(_ b: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> (UInt32, Int)? {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        var i = start
        while i < end {
            let byte = b[i]
            i += 1
            guard shift < 32 else { return nil }
            value |= UInt32(byte & 0x7F) << shift
            if byte < 0x80 { return (value, i) }
            shift += 7
        }
        return nil
    }
}
