// Data encoding for QR Code symbols (ISO/IEC 18004, Model 2): the bit stream of mode
// indicators, character counts and data, plus the capacity of every version and level.

/// An append-only sequence of bits, packed most significant bit first, because that is
/// the order in which QR codewords are filled.
struct QRBitBuffer: Sendable, Equatable {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    init() {}

    /// Appends the `width` low bits of `value`, most significant first.
    mutating func append(_ value: Int, bits width: Int) {
        precondition(width >= 0 && width <= 31 && value >> width == 0, "value does not fit in \(width) bits")
        var remaining = width
        while remaining > 0 {
            if count & 7 == 0 { bytes.append(0) }
            let free = 8 - (count & 7)
            let take = min(free, remaining)
            let chunk = (value >> (remaining - take)) & ((1 << take) - 1)
            bytes[bytes.count - 1] |= UInt8(chunk << (free - take))
            remaining -= take
            count += take
        }
    }

    /// Appends every bit of another buffer; segments are built separately and then concatenated.
    mutating func append(contentsOf other: QRBitBuffer) {
        var index = 0
        while index < other.count {
            let take = min(8, other.count - index)
            let byte = Int(other.bytes[index >> 3])
            // `index` is always a multiple of 8 here, so `take` bits start at the top of the byte.
            append(byte >> (8 - take), bits: take)
            index += take
        }
    }
}

/// The encodings a segment can use. Kanji mode is left out on purpose: it covers only
/// Shift JIS characters, and byte mode with UTF-8 handles all of Unicode (including the
/// Japanese names this project shows) in a form every decoder understands.
enum QRMode: Sendable, Equatable {
    case numeric
    case alphanumeric
    case byte
    case eci

    /// The 4-bit mode indicator written before each segment.
    var indicator: Int {
        switch self {
        case .numeric: 0b0001
        case .alphanumeric: 0b0010
        case .byte: 0b0100
        case .eci: 0b0111
        }
    }

    /// Width of the character-count field. It grows with the version because larger symbols
    /// hold longer texts; the three version groups are 1–9, 10–26 and 27–40.
    func characterCountBits(version: Int) -> Int {
        let group = version <= 9 ? 0 : (version <= 26 ? 1 : 2)
        switch self {
        case .numeric: return [10, 12, 14][group]
        case .alphanumeric: return [9, 11, 13][group]
        case .byte: return [8, 16, 16][group]
        case .eci: return 0
        }
    }
}

/// One run of data in a single mode, already converted to bits.
struct QRSegment: Sendable, Equatable {
    let mode: QRMode
    /// Characters for numeric and alphanumeric mode, bytes for byte mode, zero for ECI.
    let characterCount: Int
    let bits: QRBitBuffer

    /// The 45 characters of alphanumeric mode, in code-value order.
    static let alphanumericCharset: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// Code value of each ASCII byte in alphanumeric mode, or -1; a table keeps the
    /// per-character test cheap for long texts.
    private static let alphanumericValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, byte) in alphanumericCharset.enumerated() {
            table[Int(byte)] = Int8(value)
        }
        return table
    }()

    /// ECI assignment number for UTF-8. Without it, byte mode means ISO 8859-1 by the
    /// standard, and decoders fall back to guessing the character set.
    static let utf8ECIAssignment = 26

    /// Whether texts that are not pure ASCII get an ECI 26 (UTF-8) designator before their
    /// byte segment. It is on because zbar (and other ECI-aware decoders) then return the
    /// exact UTF-8 text instead of guessing between Shift JIS, ISO 8859-1 and UTF-8; the
    /// test suite decodes Japanese texts both with and without it to keep this choice honest.
    static let usesUTF8ECI = true

    // MARK: Building segments

    static func numeric(_ digits: [UInt8]) -> QRSegment {
        var bits = QRBitBuffer()
        var index = 0
        while index < digits.count {
            // Three digits fit in 10 bits, two in 7 and one in 4.
            let take = min(3, digits.count - index)
            var value = 0
            for byte in digits[index..<(index + take)] {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            bits.append(value, bits: take * 3 + 1)
            index += take
        }
        return QRSegment(mode: .numeric, characterCount: digits.count, bits: bits)
    }

    static func alphanumeric(_ text: [UInt8]) -> QRSegment {
        var bits = QRBitBuffer()
        var index = 0
        while index + 1 < text.count {
            let pair = Int(alphanumericValues[Int(text[index])]) * 45 + Int(alphanumericValues[Int(text[index + 1])])
            bits.append(pair, bits: 11)
            index += 2
        }
        if index < text.count {
            bits.append(Int(alphanumericValues[Int(text[index])]), bits: 6)
        }
        return QRSegment(mode: .alphanumeric, characterCount: text.count, bits: bits)
    }

    static func bytes(_ data: [UInt8]) -> QRSegment {
        var bits = QRBitBuffer()
        for byte in data {
            bits.append(Int(byte), bits: 8)
        }
        return QRSegment(mode: .byte, characterCount: data.count, bits: bits)
    }

    /// An ECI designator; only the one-byte form (assignments below 128) is needed here.
    static func eci(_ assignment: Int) -> QRSegment {
        precondition((0..<128).contains(assignment), "only one-byte ECI designators are supported")
        var bits = QRBitBuffer()
        bits.append(assignment, bits: 8)
        return QRSegment(mode: .eci, characterCount: 0, bits: bits)
    }

    static func isNumeric(_ text: [UInt8]) -> Bool {
        text.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func isAlphanumeric(_ text: [UInt8]) -> Bool {
        text.allSatisfy { $0 < 128 && alphanumericValues[Int($0)] >= 0 }
    }

    /// Chooses one mode for the whole text: the densest one that can hold every character.
    /// Mixing modes inside one text would save a few bits on some inputs, but links and
    /// names gain little from it and a single segment is easier to reason about.
    static func segments(for text: String, utf8ECI: Bool = usesUTF8ECI) -> [QRSegment] {
        let utf8 = Array(text.utf8)
        if utf8.isEmpty {
            return [bytes(utf8)]
        }
        if isNumeric(utf8) {
            return [numeric(utf8)]
        }
        if isAlphanumeric(utf8) {
            return [alphanumeric(utf8)]
        }
        let isASCII = utf8.allSatisfy { $0 < 128 }
        if utf8ECI && !isASCII {
            return [eci(utf8ECIAssignment), bytes(utf8)]
        }
        return [bytes(utf8)]
    }

    // MARK: Fitting segments into a symbol

    /// Bits the segments need at `version`, or nil when a count does not fit its field.
    static func totalBits(_ segments: [QRSegment], version: Int) -> Int? {
        var total = 0
        for segment in segments {
            let countBits = segment.mode.characterCountBits(version: version)
            guard segment.characterCount < 1 << countBits else { return nil }
            total += 4 + countBits + segment.bits.count
        }
        return total
    }

    /// The smallest version whose data capacity at `correction` holds the segments.
    static func smallestVersion(for segments: [QRSegment], correction: QRErrorCorrection) -> Int? {
        for version in QRCapacity.versions {
            let capacity = QRCapacity.dataCodewords(version: version, correction: correction) * 8
            if let used = totalBits(segments, version: version), used <= capacity {
                return version
            }
        }
        return nil
    }

    /// The data codewords for `version`: segments, terminator, zero bits up to a byte
    /// boundary, then the alternating pad bytes 0xEC 0x11 the standard prescribes.
    static func dataCodewords(for segments: [QRSegment], version: Int, correction: QRErrorCorrection) -> [UInt8] {
        let capacity = QRCapacity.dataCodewords(version: version, correction: correction) * 8
        var buffer = QRBitBuffer()
        for segment in segments {
            buffer.append(segment.mode.indicator, bits: 4)
            buffer.append(segment.characterCount, bits: segment.mode.characterCountBits(version: version))
            buffer.append(contentsOf: segment.bits)
        }
        precondition(buffer.count <= capacity, "segments were not checked against the capacity")
        buffer.append(0, bits: min(4, capacity - buffer.count))
        buffer.append(0, bits: (8 - buffer.count % 8) % 8)
        var codewords = buffer.bytes
        var pad: UInt8 = 0xEC
        while codewords.count * 8 < capacity {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }
}

/// Capacity of every version and error-correction level (ISO/IEC 18004, table 9).
/// The standard lists block counts and error-correction codewords per block; the number of
/// data codewords follows from them and from the modules left over after function patterns.
enum QRCapacity {
    static let versions = 1...40

    /// Error-correction codewords per block, indexed [level][version]; index 0 is unused.
    private static let eccCodewordsPerBlock: [[Int]] = [
        // 0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20  21  22  23  24  25  26  27  28  29  30  31  32  33  34  35  36  37  38  39  40
        [-1,  7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30], // L
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28], // M
        [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30], // Q
        [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30], // H
    ]

    /// Number of error-correction blocks, indexed [level][version]; index 0 is unused.
    private static let errorCorrectionBlocks: [[Int]] = [
        // 0  1  2  3  4  5  6  7  8  9 10  11  12  13  14  15  16  17  18  19  20  21  22  23  24  25  26  27  28  29  30  31  32  33  34  35  36  37  38  39  40
        [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4,  4,  4,  4,  4,  6,  6,  6,  6,  7,  8,  8,  9,  9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25], // L
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5,  5,  8,  9,  9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49], // M
        [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8,  8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68], // Q
        [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81], // H
    ]

    private static func row(_ correction: QRErrorCorrection) -> Int {
        switch correction {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    static func eccCodewordsPerBlock(version: Int, correction: QRErrorCorrection) -> Int {
        eccCodewordsPerBlock[row(correction)][version]
    }

    static func blockCount(version: Int, correction: QRErrorCorrection) -> Int {
        errorCorrectionBlocks[row(correction)][version]
    }

    /// Modules left for codewords once finder, timing, alignment, format and version
    /// patterns are placed; includes the 0–7 remainder bits that hold no codeword.
    static func rawDataModules(version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 {
                result -= 36  // two 6×3 version information blocks
            }
        }
        return result
    }

    /// All codewords (data and error correction) a symbol of this version holds.
    static func totalCodewords(version: Int) -> Int {
        rawDataModules(version: version) / 8
    }

    static func dataCodewords(version: Int, correction: QRErrorCorrection) -> Int {
        totalCodewords(version: version)
            - eccCodewordsPerBlock(version: version, correction: correction) * blockCount(version: version, correction: correction)
    }
}
