import Testing
@testable import TsunagariQR

/// Known answers for the pieces of the encoder, from ISO/IEC 18004 and its worked examples,
/// so a wrong table or polynomial shows up here with a precise message rather than only as
/// "the decoder could not read it".
@Suite("QR Code internals")
struct QRInternalsTests {
    @Test("ISO/IEC 18004 annex I example: \"01234567\" at 1-M")
    func isoExampleCodewords() throws {
        let segments = QRSegment.segments(for: "01234567")
        #expect(segments.map(\.mode) == [.numeric])
        let version = try #require(QRSegment.smallestVersion(for: segments, correction: .medium))
        #expect(version == 1)
        let data = QRSegment.dataCodewords(for: segments, version: 1, correction: .medium)
        #expect(data == [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        let all = ReedSolomon.codewordsWithErrorCorrection(data, version: 1, correction: .medium)
        #expect(Array(all.suffix(10)) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test("worked example: \"HELLO WORLD\" at 1-Q")
    func helloWorldCodewords() throws {
        let segments = QRSegment.segments(for: "HELLO WORLD")
        #expect(segments.map(\.mode) == [.alphanumeric])
        let data = QRSegment.dataCodewords(for: segments, version: 1, correction: .quartile)
        #expect(data == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236])
        let all = ReedSolomon.codewordsWithErrorCorrection(data, version: 1, correction: .quartile)
        #expect(Array(all.suffix(13)) == [168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16])
    }

    /// Full matrices, cross-checked at development time against an independent encoder
    /// (the Python `qrcode` package 8.2, which produced identical modules for mask 0).
    @Test("whole-symbol known answers", arguments: [
        ("HELLO WORLD", QRErrorCorrection.quartile, [
            "#######.##....#######",
            "#.....#.#..#..#.....#",
            "#.###.#.#..##.#.###.#",
            "#.###.#.#.....#.###.#",
            "#.###.#.#.#...#.###.#",
            "#.....#...#...#.....#",
            "#######.#.#.#.#######",
            "........#............",
            ".##.#.##....#.#.#####",
            ".#......####....#...#",
            "..##.###.##...#.##...",
            ".##.##.#..##.#.#.###.",
            "#...#.#.#.###.###.#.#",
            "........##.#..#...#.#",
            "#######.#.#....#.##..",
            "#.....#..#.##.##.#...",
            "#.###.#.#.#...#######",
            "#.###.#..#.#.#.#...#.",
            "#.###.#.#..#.###.#..#",
            "#.....#.#.####...#.##",
            "#######....#.###....#",
        ]),
        ("01234567", QRErrorCorrection.medium, [
            "#######...###.#######",
            "#.....#.###...#.....#",
            "#.###.#..##...#.###.#",
            "#.###.#..#.##.#.###.#",
            "#.###.#.##.##.#.###.#",
            "#.....#....#..#.....#",
            "#######.#.#.#.#######",
            ".....................",
            "#.#.#.#...#.#...#..#.",
            "##.#....#.##.#.#...#.",
            "...##.###.##.###.###.",
            "##..##.#.#.###.##..#.",
            "..#..###.###.###....#",
            "........#.#...#....#.",
            "#######.....#...#...#",
            "#.....#...#...#..#.##",
            "#.###.#.###.#.#.###.#",
            "#.###.#..#.#.#.#.###.",
            "#.###.#.##.#.###..#.#",
            "#.....#....###.###...",
            "#######.#..#.###..#.#",
        ]),
    ])
    func wholeSymbol(text: String, level: QRErrorCorrection, rows: [String]) throws {
        let code = try QRCode(segments: QRSegment.segments(for: text), correction: level, mask: 0)
        let drawn = (0..<code.size).map { y in
            String((0..<code.size).map { x in code[x, y] ? "#" : "." })
        }
        #expect(drawn == rows)
        // The penalty rules pick mask 0 for both, as the reference encoder does.
        #expect(try QRCode(encoding: text, correction: level) == code)
    }

    @Test("generator polynomial of degree 7 (α exponents 87, 229, 146, 149, 238, 102, 21)")
    func generatorPolynomial() {
        let expected = [87, 229, 146, 149, 238, 102, 21].map { GaloisField.exp[$0] }
        #expect(ReedSolomon.generator(degree: 7) == expected)
    }

    @Test("GF(256) multiplication agrees with carry-less multiply and reduction")
    func fieldMultiply() {
        func slowMultiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
            var product = 0
            for bit in 0..<8 where (Int(b) >> bit) & 1 != 0 {
                product ^= Int(a) << bit
            }
            for bit in stride(from: 14, through: 8, by: -1) where (product >> bit) & 1 != 0 {
                product ^= 0x11D << (bit - 8)
            }
            return UInt8(product)
        }
        for a in stride(from: 0, through: 255, by: 7) {
            for b in stride(from: 0, through: 255, by: 3) {
                #expect(GaloisField.multiply(UInt8(a), UInt8(b)) == slowMultiply(UInt8(a), UInt8(b)))
            }
        }
    }

    @Test("format information strings (ISO/IEC 18004 annex C)")
    func formatBits() {
        #expect(QRMatrix.formatBits(correction: .low, mask: 0) == 0b111011111000100)
        #expect(QRMatrix.formatBits(correction: .medium, mask: 0) == 0b101010000010010)
        #expect(QRMatrix.formatBits(correction: .quartile, mask: 0) == 0b011010101011111)
        #expect(QRMatrix.formatBits(correction: .high, mask: 7) == 0b000100000111011)
    }

    @Test("version information strings (ISO/IEC 18004 annex D)")
    func versionBits() {
        #expect(QRMatrix.versionBits(version: 7) == 0x07C94)
        #expect(QRMatrix.versionBits(version: 8) == 0x085BC)
        #expect(QRMatrix.versionBits(version: 40) == 0x28C69)
    }

    @Test("alignment pattern centres (ISO/IEC 18004 annex E)")
    func alignmentPositions() {
        #expect(QRMatrix.alignmentPatternPositions(version: 1) == [])
        #expect(QRMatrix.alignmentPatternPositions(version: 2) == [6, 18])
        #expect(QRMatrix.alignmentPatternPositions(version: 7) == [6, 22, 38])
        #expect(QRMatrix.alignmentPatternPositions(version: 15) == [6, 26, 48, 70])
        #expect(QRMatrix.alignmentPatternPositions(version: 16) == [6, 26, 50, 74])
        #expect(QRMatrix.alignmentPatternPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRMatrix.alignmentPatternPositions(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(QRMatrix.alignmentPatternPositions(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test("codeword totals and data capacities (ISO/IEC 18004 table 9)")
    func capacityTable() {
        #expect(QRCapacity.totalCodewords(version: 1) == 26)
        #expect(QRCapacity.totalCodewords(version: 2) == 44)
        #expect(QRCapacity.totalCodewords(version: 7) == 196)
        #expect(QRCapacity.totalCodewords(version: 14) == 581)
        #expect(QRCapacity.totalCodewords(version: 40) == 3_706)
        let version40 = QRErrorCorrection.allCases.map { QRCapacity.dataCodewords(version: 40, correction: $0) }
        #expect(version40 == [2_956, 2_334, 1_666, 1_276])
        let version1 = QRErrorCorrection.allCases.map { QRCapacity.dataCodewords(version: 1, correction: $0) }
        #expect(version1 == [19, 16, 13, 9])
        // Every block must hold at least one data codeword, and capacity grows with the version.
        for level in QRErrorCorrection.allCases {
            var previous = 0
            for version in QRCapacity.versions {
                let blocks = QRCapacity.blockCount(version: version, correction: level)
                let ecc = QRCapacity.eccCodewordsPerBlock(version: version, correction: level)
                let data = QRCapacity.dataCodewords(version: version, correction: level)
                #expect(data >= blocks, "version \(version) \(level)")
                #expect(data > previous, "version \(version) \(level)")
                #expect((7...30).contains(ecc), "version \(version) \(level)")
                previous = data
            }
        }
    }

    @Test("bit buffer packs most significant bit first")
    func bitBuffer() {
        var buffer = QRBitBuffer()
        buffer.append(0b101, bits: 3)
        buffer.append(0b11110000_1, bits: 9)
        buffer.append(0, bits: 0)
        #expect(buffer.count == 12)
        #expect(buffer.bytes == [0b1011_1110, 0b0001_0000])
        var joined = QRBitBuffer()
        joined.append(1, bits: 1)
        joined.append(contentsOf: buffer)
        #expect(joined.count == 13)
        #expect(joined.bytes == [0b1101_1111, 0b0000_1000])
    }

    @Test("mode selection and the UTF-8 ECI designator")
    func modeSelection() {
        #expect(QRSegment.segments(for: "0123").map(\.mode) == [.numeric])
        #expect(QRSegment.segments(for: "ABC-123 $%*+./:").map(\.mode) == [.alphanumeric])
        #expect(QRSegment.segments(for: "abc").map(\.mode) == [.byte])
        #expect(QRSegment.segments(for: "").map(\.mode) == [.byte])
        let japanese = QRSegment.segments(for: "山田太郎")
        #expect(japanese.map(\.mode) == [.eci, .byte])
        #expect(japanese.last?.characterCount == 12)
        #expect(japanese.first?.bits.bytes == [26])
        #expect(QRSegment.segments(for: "山田太郎", utf8ECI: false).map(\.mode) == [.byte])
    }
}
