// QR Code symbols (ISO/IEC 18004, Model 2): choosing a version, placing the function
// patterns and the codewords, and choosing the mask.

/// How much of the symbol may be damaged or hidden and still decode: about 7 %, 15 %,
/// 25 % and 30 % of codewords. Higher levels need larger symbols for the same text, so
/// the server picks the level per use (screens need little, printed cards more).
public enum QRErrorCorrection: String, CaseIterable, Sendable {
    case low, medium, quartile, high

    /// The two format-information bits; the standard's order is not the declaration order.
    var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

/// Why a text cannot become a QR Code.
public enum QRCodeError: Error, Equatable, Sendable {
    /// The text does not fit even version 40 at the requested level; callers can shorten
    /// it or lower the error-correction level.
    case tooLong
}

/// A QR Code symbol held as its module matrix, so one encoding can be rendered to SVG
/// for pages and to PNG for downloads without encoding twice.
public struct QRCode: Sendable, Equatable {
    /// The symbol version (1...40): the smallest that holds the text at `correction`,
    /// because smaller symbols scan from farther away and at lower resolution.
    public let version: Int
    /// The level the caller asked for; it is never raised silently, so equal inputs give
    /// equal symbols.
    public let correction: QRErrorCorrection
    /// Modules per side, 17 + 4 × version; renderers add the quiet zone around it.
    public let size: Int
    /// The mask pattern (0...7) chosen by the penalty rules; kept for tests and diagnostics.
    let mask: Int
    /// Row-major modules, true for dark.
    private let modules: [Bool]

    /// Encodes `text` as UTF-8 (or in numeric/alphanumeric mode when every character allows
    /// it, which makes the symbol smaller), in the smallest version that fits.
    /// - Throws: `QRCodeError.tooLong` when no version up to 40 holds the text at that level.
    public init(encoding text: String, correction: QRErrorCorrection = .medium) throws(QRCodeError) {
        // 7,089 is the most characters any QR Code holds (numeric mode, 40-L); checking it
        // first keeps a hostile multi-megabyte input from being converted to bits at all.
        guard text.utf8.count <= 7_089 else { throw .tooLong }
        try self.init(segments: QRSegment.segments(for: text), correction: correction)
    }

    /// Encodes prepared segments; `mask` forces a mask pattern so tests can check that every
    /// pattern decodes, not only the ones the penalty rules happen to pick.
    init(segments: [QRSegment], correction: QRErrorCorrection, mask forcedMask: Int? = nil) throws(QRCodeError) {
        guard let version = QRSegment.smallestVersion(for: segments, correction: correction) else {
            throw .tooLong
        }
        let data = QRSegment.dataCodewords(for: segments, version: version, correction: correction)
        let codewords = ReedSolomon.codewordsWithErrorCorrection(data, version: version, correction: correction)

        var matrix = QRMatrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.drawCodewords(codewords)
        let mask = forcedMask ?? matrix.bestMask(correction: correction)
        matrix.applyMask(mask)
        matrix.drawFormatBits(correction: correction, mask: mask)

        self.version = version
        self.correction = correction
        self.size = matrix.size
        self.mask = mask
        self.modules = matrix.modules
    }

    /// The module at column `x`, row `y`, with (0, 0) at the top left; true means dark.
    /// Coordinates outside the symbol read as light because that is the quiet zone around it,
    /// which lets renderers and callers read a border without bounds checks.
    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }

    /// The number of dark modules, used by renderers to size their output.
    var darkModuleCount: Int {
        modules.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
}

/// The mutable matrix used while building a symbol. It tracks which modules belong to
/// function patterns so codeword placement and masking skip them.
struct QRMatrix {
    let version: Int
    let size: Int
    private(set) var modules: [Bool]
    private var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        self.size = 17 + 4 * version
        self.modules = Array(repeating: false, count: size * size)
        self.isFunction = Array(repeating: false, count: size * size)
    }

    private mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    // MARK: Function patterns

    mutating func drawFunctionPatterns() {
        // Timing patterns first: finders and alignment patterns overwrite their ends.
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinderPattern(centerX: 3, centerY: 3)
        drawFinderPattern(centerX: size - 4, centerY: 3)
        drawFinderPattern(centerX: 3, centerY: size - 4)

        let positions = Self.alignmentPatternPositions(version: version)
        let last = positions.count - 1
        for (i, y) in positions.enumerated() {
            for (j, x) in positions.enumerated() {
                // The three corners that would overlap a finder pattern are skipped.
                let overlapsFinder = (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)
                if !overlapsFinder {
                    drawAlignmentPattern(centerX: x, centerY: y)
                }
            }
        }

        // Reserve the format areas now (their bits are written after masking) so codewords avoid them.
        drawFormatBits(correction: .low, mask: 0)
        drawVersionBits()
    }

    /// A 7×7 finder pattern plus its one-module light separator, clipped at the symbol edge.
    private mutating func drawFinderPattern(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx, y = centerY + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let distance = max(abs(dx), abs(dy))
                setFunction(x, y, distance != 2 && distance != 4)
            }
        }
    }

    private mutating func drawAlignmentPattern(centerX: Int, centerY: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(centerX + dx, centerY + dy, max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// Row and column coordinates of alignment pattern centres (ISO/IEC 18004 annex E):
    /// evenly spaced from the far edge back towards the timing pattern at 6, with even
    /// spacing so centres fall on the timing pattern's dark modules.
    static func alignmentPatternPositions(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2
        // Version 32 is the one exception to the formula in the standard's table.
        let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        let size = 17 + 4 * version
        var positions = [6]
        for i in (0..<(count - 1)).reversed() {
            positions.append(size - 7 - i * step)
        }
        return positions
    }

    /// 15-bit format information: level and mask protected by a BCH(15,5) code and XORed
    /// with 0x5412 so it is never all light. Written twice so one damaged copy is survivable.
    static func formatBits(correction: QRErrorCorrection, mask: Int) -> Int {
        let data = correction.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 {
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        }
        return (data << 10 | remainder) ^ 0x5412
    }

    mutating func drawFormatBits(correction: QRErrorCorrection, mask: Int) {
        let bits = Self.formatBits(correction: correction, mask: mask)
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 != 0 }

        // First copy, around the top-left finder.
        for i in 0...5 { setFunction(8, i, bit(i)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }

        // Second copy, split between the top-right and bottom-left finders.
        for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
        setFunction(8, size - 8, true)  // the dark module, always dark
    }

    /// 18-bit version information (versions 7 and up): the version protected by a
    /// BCH(18,6) code, written as two 6×3 blocks next to the top-right and bottom-left finders.
    static func versionBits(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 {
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        }
        return version << 12 | remainder
    }

    private mutating func drawVersionBits() {
        guard version >= 7 else { return }
        let bits = Self.versionBits(version: version)
        for i in 0..<18 {
            let dark = (bits >> i) & 1 != 0
            let a = size - 11 + i % 3
            let b = i / 3
            setFunction(a, b, dark)
            setFunction(b, a, dark)
        }
    }

    // MARK: Codewords

    /// Places codeword bits in the standard's zigzag: two-module-wide columns from the right,
    /// alternately upwards and downwards, skipping function modules and the vertical timing
    /// column. Remainder bits stay light, as the standard requires before masking.
    mutating func drawCodewords(_ codewords: [UInt8]) {
        let bitCount = codewords.count * 8
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<size {
                let y = upward ? size - 1 - vertical : vertical
                for x in stride(from: right, through: right - 1, by: -1) where !isFunction[y * size + x] && index < bitCount {
                    modules[y * size + x] = (codewords[index >> 3] >> (7 - UInt8(index & 7))) & 1 != 0
                    index += 1
                }
            }
            right -= 2
        }
        precondition(index == bitCount, "codewords do not fill the data area")
    }

    // MARK: Masking

    /// XORs mask pattern `mask` (ISO/IEC 18004 table 10) into the data modules; applying
    /// the same mask twice undoes it. The switch sits outside the loops so that each
    /// pattern gets its own tight loop: masking runs 17 times per symbol.
    mutating func applyMask(_ mask: Int) {
        switch mask {
        case 0: flipDataModules { x, y in (x + y) % 2 == 0 }
        case 1: flipDataModules { _, y in y % 2 == 0 }
        case 2: flipDataModules { x, _ in x % 3 == 0 }
        case 3: flipDataModules { x, y in (x + y) % 3 == 0 }
        case 4: flipDataModules { x, y in (x / 3 + y / 2) % 2 == 0 }
        case 5: flipDataModules { x, y in x * y % 2 + x * y % 3 == 0 }
        case 6: flipDataModules { x, y in (x * y % 2 + x * y % 3) % 2 == 0 }
        case 7: flipDataModules { x, y in ((x + y) % 2 + x * y % 3) % 2 == 0 }
        default: preconditionFailure("mask pattern \(mask) does not exist")
        }
    }

    @inline(__always)
    private mutating func flipDataModules(where condition: (_ x: Int, _ y: Int) -> Bool) {
        for y in 0..<size {
            for x in 0..<size {
                let index = y * size + x
                // Branch-free on purpose: whether a module flips is close to random.
                modules[index] = modules[index] != (!isFunction[index] && condition(x, y))
            }
        }
    }

    /// Tries all eight masks with their real format bits and keeps the lowest penalty,
    /// which avoids large blotches and finder look-alikes that confuse scanners.
    mutating func bestMask(correction: QRErrorCorrection) -> Int {
        var best = 0
        var bestPenalty = Int.max
        for mask in 0..<8 {
            applyMask(mask)
            drawFormatBits(correction: correction, mask: mask)
            let score = penalty()
            if score < bestPenalty {
                best = mask
                bestPenalty = score
            }
            applyMask(mask)
        }
        return best
    }

    /// The four penalty rules of ISO/IEC 18004 §7.8.3.1. Written with few data-dependent
    /// branches, since module colours are close to random and mispredictions dominated;
    /// it runs eight times per symbol.
    func penalty() -> Int {
        let cells = modules
        var score = 0
        // Rules 1 and 3 look at lines; rows and columns are scanned the same way.
        for line in 0..<size {
            score += Self.linePenalty(cells, start: line * size, step: 1, count: size)
            score += Self.linePenalty(cells, start: line, step: size, count: size)
        }
        // Rule 2: 3 points for every 2×2 block of one colour.
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let index = y * size + x
                let dark = (cells[index] ? 1 : 0) + (cells[index + 1] ? 1 : 0)
                    + (cells[index + size] ? 1 : 0) + (cells[index + size + 1] ? 1 : 0)
                score += dark == 0 || dark == 4 ? 3 : 0
            }
        }
        // Rule 4: 10 points for each full 5 % step that the dark share strays from 50 %.
        var dark = 0
        for cell in cells {
            dark += cell ? 1 : 0
        }
        let total = size * size
        score += abs(dark * 20 - total * 10) / total * 10
        return score
    }

    /// Rule 1 (a run of five same-coloured modules: 3 points, and 1 more for each further
    /// module) and rule 3 (the 1:1:3:1:1 finder ratio with four light modules on one side:
    /// 40 each) for one row or column. Outside the symbol counts as light, as the quiet zone is.
    private static func linePenalty(_ cells: [Bool], start: Int, step: Int, count: Int) -> Int {
        var score = 0
        var previous = !cells[start]
        var runLength = 0
        var window = 0  // the last 11 modules, newest in bit 0
        var index = start
        for _ in 0..<count {
            let dark = cells[index]
            runLength = dark == previous ? runLength + 1 : 1
            previous = dark
            score += runLength == 5 ? 3 : (runLength > 5 ? 1 : 0)
            window = ((window << 1) | (dark ? 1 : 0)) & 0x7FF
            score += window == 0b000_0101_1101 || window == 0b101_1101_0000 ? 40 : 0
            index += step
        }
        // Four light modules past the end, so a finder look-alike touching the edge counts too.
        for _ in 0..<4 {
            window = (window << 1) & 0x7FF
            if window == 0b101_1101_0000 { score += 40 }
        }
        return score
    }
}
