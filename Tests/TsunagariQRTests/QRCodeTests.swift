import Testing
import TsunagariQR

/// Structure of the symbols through the public API only: what any decoder relies on
/// before it reads a single data bit.
@Suite("QR Code structure")
struct QRCodeTests {
    static let connectURL = "https://example.test/in/taro-yamada?connect=1"

    @Test("size is 17 + 4 × version", arguments: [
        "a", connectURL, String(repeating: "x", count: 500), String(repeating: "山", count: 300),
    ])
    func sizeFollowsVersion(text: String) throws {
        for level in QRErrorCorrection.allCases {
            let code = try QRCode(encoding: text, correction: level)
            #expect((1...40).contains(code.version))
            #expect(code.size == 17 + 4 * code.version)
            #expect(code.correction == level)
        }
    }

    @Test("finder patterns and separators sit at three corners, not the fourth")
    func finderPatterns() throws {
        for text in ["a", Self.connectURL, String(repeating: "z", count: 900)] {
            let code = try QRCode(encoding: text, correction: .quartile)
            let last = code.size - 1
            for (cx, cy) in [(3, 3), (last - 3, 3), (3, last - 3)] {
                for dy in -4...4 {
                    for dx in -4...4 {
                        let x = cx + dx, y = cy + dy
                        guard (0...last).contains(x), (0...last).contains(y) else { continue }
                        let ring = max(abs(dx), abs(dy))
                        // Rings 0, 1 and 3 are dark (3×3 core and the outer square); 2 and the separator 4 are light.
                        #expect(code[x, y] == (ring != 2 && ring != 4), "module (\(x), \(y)) of the finder at (\(cx), \(cy))")
                    }
                }
            }
            // The bottom-right corner holds data or an alignment pattern, never a 7×7 finder core.
            var looksLikeFinder = true
            for d in 0..<7 where !code[last - d, last] || !code[last, last - d] {
                looksLikeFinder = false
            }
            #expect(!looksLikeFinder)
        }
    }

    @Test("timing patterns alternate dark and light between the finders")
    func timingPatterns() throws {
        for text in ["1", Self.connectURL, String(repeating: "q", count: 1_200)] {
            let code = try QRCode(encoding: text, correction: .low)
            for i in 8...(code.size - 9) {
                #expect(code[i, 6] == (i % 2 == 0), "row 6, column \(i)")
                #expect(code[6, i] == (i % 2 == 0), "column 6, row \(i)")
            }
            // The single dark module next to the bottom-left finder is always dark.
            #expect(code[8, code.size - 8])
        }
    }

    @Test("modules outside the symbol read as light quiet zone")
    func outsideIsLight() throws {
        let code = try QRCode(encoding: Self.connectURL)
        #expect(code[0, 0])
        #expect(!code[-1, 0])
        #expect(!code[0, -1])
        #expect(!code[code.size, 0])
        #expect(!code[0, code.size])
        #expect(!code[Int.max, Int.min])
    }

    @Test("the same input always gives the same symbol; different levels differ")
    func deterministic() throws {
        let a = try QRCode(encoding: Self.connectURL, correction: .high)
        let b = try QRCode(encoding: Self.connectURL, correction: .high)
        let c = try QRCode(encoding: Self.connectURL, correction: .low)
        #expect(a == b)
        #expect(a != c)
    }

    @Test("default level is medium")
    func defaultLevel() throws {
        #expect(try QRCode(encoding: "x").correction == .medium)
    }

    // MARK: Version choice

    /// Byte-mode capacities from ISO/IEC 18004 table 7 (versions 1–10 and 40), written out
    /// here rather than derived from the encoder's own tables so the two are checked
    /// against each other.
    static let byteCapacities: [(version: Int, level: QRErrorCorrection, bytes: Int)] = [
        (1, .low, 17), (1, .medium, 14), (1, .quartile, 11), (1, .high, 7),
        (2, .low, 32), (2, .medium, 26), (2, .quartile, 20), (2, .high, 14),
        (3, .low, 53), (3, .medium, 42), (3, .quartile, 32), (3, .high, 24),
        (4, .low, 78), (4, .medium, 62), (4, .quartile, 46), (4, .high, 34),
        (5, .low, 106), (5, .medium, 84), (5, .quartile, 60), (5, .high, 44),
        (6, .low, 134), (6, .medium, 106), (6, .quartile, 74), (6, .high, 58),
        (7, .low, 154), (7, .medium, 122), (7, .quartile, 86), (7, .high, 64),
        (8, .low, 192), (8, .medium, 152), (8, .quartile, 108), (8, .high, 84),
        (9, .low, 230), (9, .medium, 180), (9, .quartile, 130), (9, .high, 98),
        (10, .low, 271), (10, .medium, 213), (10, .quartile, 151), (10, .high, 119),
        (40, .low, 2_953), (40, .medium, 2_331), (40, .quartile, 1_663), (40, .high, 1_273),
    ]

    @Test("the smallest version that holds the bytes is chosen (ISO table 7)")
    func byteModeVersions() throws {
        for entry in Self.byteCapacities {
            let fits = String(repeating: "a", count: entry.bytes)
            #expect(try QRCode(encoding: fits, correction: entry.level).version == entry.version,
                    "\(entry.bytes) bytes at \(entry.level)")
            let oneMore = fits + "a"
            if entry.version < 40 {
                #expect(try QRCode(encoding: oneMore, correction: entry.level).version == entry.version + 1,
                        "\(entry.bytes + 1) bytes at \(entry.level)")
            } else {
                #expect(throws: QRCodeError.tooLong) { try QRCode(encoding: oneMore, correction: entry.level) }
            }
        }
    }

    @Test("17 bytes at L is version 1, 18 bytes is version 2")
    func seventeenBytes() throws {
        #expect(try QRCode(encoding: "abcdefghijklmnopq", correction: .low).version == 1)
        #expect(try QRCode(encoding: "abcdefghijklmnopqr", correction: .low).version == 2)
    }

    @Test("HELLO WORLD at Q is version 1 in alphanumeric mode")
    func helloWorld() throws {
        // 11 characters take 74 of the 104 data bits of version 1-Q in alphanumeric mode.
        // Byte mode would also just fit (100 bits), so the mode itself is checked by the
        // codeword known-answer test and by the 16-character case below, which only
        // alphanumeric mode fits into version 1-Q.
        #expect(try QRCode(encoding: "HELLO WORLD", correction: .quartile).version == 1)
        #expect(try QRCode(encoding: "HELLO WORLD 2025", correction: .quartile).version == 1)
        #expect(try QRCode(encoding: "Hello World 2025", correction: .quartile).version == 2)
        #expect(try QRCode(encoding: "HELLO WORLD!", correction: .quartile).version == 2)
    }

    @Test("numeric and alphanumeric capacities (ISO table 7)")
    func denserModes() throws {
        // Version 1: numeric 41/34/27/17, alphanumeric 25/20/16/10.
        let numeric: [(QRErrorCorrection, Int)] = [(.low, 41), (.medium, 34), (.quartile, 27), (.high, 17)]
        for (level, digits) in numeric {
            #expect(try QRCode(encoding: String(repeating: "7", count: digits), correction: level).version == 1)
            #expect(try QRCode(encoding: String(repeating: "7", count: digits + 1), correction: level).version == 2)
        }
        let alphanumeric: [(QRErrorCorrection, Int)] = [(.low, 25), (.medium, 20), (.quartile, 16), (.high, 10)]
        for (level, count) in alphanumeric {
            #expect(try QRCode(encoding: String(repeating: "A", count: count), correction: level).version == 1)
            #expect(try QRCode(encoding: String(repeating: "A", count: count + 1), correction: level).version == 2)
        }
        // Version 40-L: 7,089 digits and 4,296 alphanumeric characters.
        #expect(try QRCode(encoding: String(repeating: "1", count: 7_089), correction: .low).version == 40)
        #expect(throws: QRCodeError.tooLong) { try QRCode(encoding: String(repeating: "1", count: 7_090), correction: .low) }
        #expect(try QRCode(encoding: String(repeating: "Z", count: 4_296), correction: .low).version == 40)
        #expect(throws: QRCodeError.tooLong) { try QRCode(encoding: String(repeating: "Z", count: 4_297), correction: .low) }
    }

    @Test("texts beyond version 40 throw tooLong")
    func tooLong() {
        #expect(throws: QRCodeError.tooLong) {
            try QRCode(encoding: String(repeating: "a", count: 3_000), correction: .high)
        }
        #expect(throws: QRCodeError.tooLong) {
            try QRCode(encoding: String(repeating: "山", count: 1_000), correction: .low)  // 3,000 UTF-8 bytes
        }
        #expect(throws: QRCodeError.tooLong) {
            try QRCode(encoding: String(repeating: "a", count: 5_000_000))
        }
    }

    @Test("an empty text still makes a valid version 1 symbol")
    func emptyText() throws {
        let code = try QRCode(encoding: "", correction: .high)
        #expect(code.version == 1)
        #expect(code.size == 21)
    }

    @Test("encoding a 60-character URL is fast")
    func speed() throws {
        // The bound is loose because tests run unoptimised on a shared machine; a release
        // build takes a small fraction of a millisecond per code.
        let url = "https://tsunagari.example/in/taro-yamada?connect=1&ref=qr12"
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<50 {
                _ = try QRCode(encoding: url)
            }
        }
        #expect(elapsed < .seconds(2), "50 encodings took \(elapsed)")
    }
}
