import Foundation
import Testing
@testable import TsunagariQR

/// The real check: symbols written as PNG must decode to exactly the encoded text with an
/// independent decoder (zbarimg). Skipped without zbar-tools, except under CI=true, where
/// a missing decoder fails (see `ZBar.shouldRun`).
@Suite("QR Code decoding with zbarimg", .enabled(if: ZBar.shouldRun))
struct QRDecodeTests {
    /// Deterministic pseudo-random text, so failures reproduce.
    static func text(length: Int, alphabet: String, seed: UInt64) -> String {
        let characters = Array(alphabet)
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var result = ""
        for _ in 0..<length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            result.append(characters[Int((state >> 33) % UInt64(characters.count))])
        }
        return result
    }

    static let urlAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_./?=&:ABCXYZ"
    static let japaneseAlphabet = "つながりはひとをむすぶ山田太郎花子東京大阪営業技術部長アイウエオカキクケコー、。"

    @Test("ASCII URLs at every level")
    func urls() throws {
        let urls = [
            "https://example.test/in/taro-yamada?connect=1",
            "https://example.test/in/hanako-sato-1987?connect=1&ref=card",
            "http://a.test/",
        ]
        try ZBar.expectRoundTrips(urls.flatMap { url in QRErrorCorrection.allCases.map { (url, $0) } })
    }

    @Test("lengths from 1 to 1,200 characters at every level", arguments: QRErrorCorrection.allCases)
    func lengths(level: QRErrorCorrection) throws {
        let lengths = [1, 2, 3, 7, 16, 31, 64, 100, 180, 250, 400, 600, 850, 1_000, 1_200]
        try ZBar.expectRoundTrips(lengths.map { length in
            (Self.text(length: length, alphabet: Self.urlAlphabet, seed: UInt64(length)), level)
        })
    }

    @Test("byte-mode texts that exactly fill a version, and one byte more", arguments: QRErrorCorrection.allCases)
    func versionBoundaries(level: QRErrorCorrection) throws {
        // 9/10 and 26/27 are where the character-count field widens; 39/40 is the largest symbol.
        let versions = [1, 2, 6, 9, 10, 26, 27, 39]
        var cases: [(String, QRErrorCorrection)] = []
        var expectedVersions: [Int] = []
        for version in versions {
            let countBits = QRMode.byte.characterCountBits(version: version)
            let capacity = (QRCapacity.dataCodewords(version: version, correction: level) * 8 - 4 - countBits) / 8
            // Lowercase letters only, so the text can never fall into numeric or alphanumeric mode.
            let full = Self.text(length: capacity, alphabet: "abcdefghijklmnopqrstuvwxyz_~", seed: UInt64(version))
            cases += [(full, level), (full + "x", level)]
            expectedVersions += [version, version + 1]
        }
        let codes = try ZBar.expectRoundTrips(cases)
        #expect(codes.map(\.version) == expectedVersions)
    }

    @Test("Japanese UTF-8 texts at every level")
    func japanese() throws {
        let texts = [
            "https://つながり.example/in/山田太郎?connect=1",
            "山田太郎",
            "つ",
            Self.text(length: 120, alphabet: Self.japaneseAlphabet, seed: 7),
            Self.text(length: 400, alphabet: Self.japaneseAlphabet, seed: 8),
        ]
        var cases = texts.flatMap { text in QRErrorCorrection.allCases.map { (text, $0) } }
        // The longest Japanese text version 40-L holds: (2,956 × 8 − 4 − 8 − 4 − 16) / 8 = 2,952 bytes, 984 kana.
        cases.append((String(repeating: "な", count: 984), .low))
        try ZBar.expectRoundTrips(cases)
        #expect(throws: QRCodeError.tooLong) { try QRCode(encoding: String(repeating: "な", count: 985), correction: .low) }
    }

    @Test("ECI 26 both ways: raw bytes always survive, and with ECI the text does too")
    func eciBothWays() throws {
        try ZBar.requireInstalled()
        for text in ["山田太郎", "https://つながり.example/in/山田太郎?connect=1", "héllo wörld", "Ünïcödé ✓"] {
            for useECI in [true, false] {
                let code = try QRCode(segments: QRSegment.segments(for: text, utf8ECI: useECI), correction: .medium)
                let bytes = try ZBar.decode(png: code.png(scale: 2), output: .binary)
                let exact = ZBar.isExact(bytes, text)
                #expect(exact, "ECI \(useECI): \(ZBar.describe(bytes))")
                if useECI {
                    // The reason the encoder writes the designator: decoders that convert to text
                    // (as phones do) get the UTF-8 text exactly. Without it zbar guessed Shift JIS
                    // for "héllo wörld" and returned mojibake, so no assertion is made for that case.
                    let converted = try ZBar.decode(png: code.png(scale: 2), output: .text)
                    let convertedExact = ZBar.isExact(converted, text)
                    #expect(convertedExact, "ECI text output: \(ZBar.describe(converted))")
                }
            }
        }
        // Pure ASCII never carries the designator: it costs 12 bits and some old readers print it.
        #expect(QRSegment.segments(for: "https://example.test/").map(\.mode) == [.byte])
        #expect(QRSegment.usesUTF8ECI)
    }

    @Test("digits-only and uppercase alphanumeric texts")
    func denserModes() throws {
        let digits = [
            "0", "42", "01234567", "8675309",
            Self.text(length: 100, alphabet: "0123456789", seed: 1),
            Self.text(length: 1_000, alphabet: "0123456789", seed: 2),
            Self.text(length: 3_000, alphabet: "0123456789", seed: 3),
        ]
        let alphanumeric = [
            "HELLO WORLD", "A", "HTTPS://EXAMPLE.TEST/IN/TARO-YAMADA",
            Self.text(length: 301, alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", seed: 4),
            Self.text(length: 1_100, alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", seed: 5),
        ]
        var cases: [(String, QRErrorCorrection)] = []
        for (index, text) in (digits + alphanumeric).enumerated() {
            cases.append((text, QRErrorCorrection.allCases[index % 4]))
            cases.append((text, QRErrorCorrection.allCases[(index + 2) % 4]))
        }
        for (text, _) in cases {
            let mode = QRSegment.segments(for: text).first?.mode
            #expect(mode == (digits.contains(text) ? .numeric : .alphanumeric))
        }
        try ZBar.expectRoundTrips(cases)
    }

    @Test("every mask pattern decodes, not only the ones the penalty rules pick")
    func everyMask() throws {
        try ZBar.requireInstalled()
        let samples: [(String, QRErrorCorrection)] = [
            ("https://example.test/in/taro-yamada?connect=1", .medium),
            ("https://つながり.example/in/山田太郎?connect=1", .high),
            (Self.text(length: 200, alphabet: Self.urlAlphabet, seed: 9), .low),  // version 7+: version information
        ]
        for (text, level) in samples {
            for mask in 0..<8 {
                let code = try QRCode(segments: QRSegment.segments(for: text), correction: level, mask: mask)
                let bytes = try ZBar.decode(png: code.png(scale: 2))
                let exact = ZBar.isExact(bytes, text)
                #expect(exact, "mask \(mask), version \(code.version): \(ZBar.describe(bytes))")
            }
        }
    }

    @Test("default rendering parameters decode")
    func defaultRendering() throws {
        try ZBar.requireInstalled()
        let text = "https://example.test/in/taro-yamada?connect=1"
        let bytes = try ZBar.decode(png: QRCode(encoding: text).png())
        let exact = ZBar.isExact(bytes, text)
        #expect(exact, "\(ZBar.describe(bytes))")
    }
}
