import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TsunagariQR

/// The PNG and SVG renderings, checked by re-reading them with independent code.
@Suite("QR Code images")
struct QRImageTests {
    static let connectURL = "https://example.test/in/taro-yamada?connect=1"

    // MARK: PNG

    struct Chunk {
        let type: String
        let data: [UInt8]
        let storedCRC: UInt32
    }

    /// Bit-by-bit CRC-32 (no table), deliberately unlike the encoder's table version.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320)
            }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func chunks(of png: [UInt8]) throws -> [Chunk] {
        var chunks: [Chunk] = []
        var offset = 8
        while offset < png.count {
            try #require(offset + 12 <= png.count, "truncated chunk header")
            let length = Int(bigEndian(png[offset..<(offset + 4)]))
            try #require(offset + 12 + length <= png.count, "truncated chunk")
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let data = Array(png[(offset + 8)..<(offset + 8 + length)])
            let crc = bigEndian(png[(offset + 8 + length)..<(offset + 12 + length)])
            chunks.append(Chunk(type: type, data: data, storedCRC: crc))
            offset += 12 + length
        }
        return chunks
    }

    /// Inflates a zlib stream made only of stored blocks, checking every header on the way.
    static func inflateStored(_ stream: [UInt8]) throws -> [UInt8] {
        try #require(stream.count >= 6)
        #expect(stream[0] & 0x0F == 8, "compression method must be deflate")
        #expect((Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0, "zlib header check bits")
        #expect(stream[1] & 0x20 == 0, "no preset dictionary")
        var output: [UInt8] = []
        var offset = 2
        var sawFinal = false
        while !sawFinal {
            try #require(offset + 5 <= stream.count, "truncated block header")
            let header = stream[offset]
            sawFinal = header & 1 == 1
            #expect(header >> 1 == 0, "only stored blocks are expected")
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            #expect(length ^ complement == 0xFFFF, "NLEN is the one's complement of LEN")
            #expect(length <= 65_535)
            offset += 5
            try #require(offset + length <= stream.count, "truncated block")
            output += stream[offset..<(offset + length)]
            offset += length
        }
        try #require(offset + 4 == stream.count, "Adler-32 trailer must end the stream")
        #expect(bigEndian(stream[offset...]) == adler32(output), "Adler-32")
        return output
    }

    @Test("PNG structure: signature, IHDR, CRCs, zlib stream, pixels", arguments: [
        (connectURL, QRErrorCorrection.medium, 8, 4),
        ("a", QRErrorCorrection.low, 1, 0),
        ("山田太郎", QRErrorCorrection.high, 3, 2),
        (String(repeating: "x", count: 2_900), QRErrorCorrection.low, 8, 4),  // version 40: several stored blocks
    ])
    func png(text: String, level: QRErrorCorrection, scale: Int, quietZone: Int) throws {
        let code = try QRCode(encoding: text, correction: level)
        let png = code.png(scale: scale, quietZone: quietZone)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        let chunks = try Self.chunks(of: png)
        #expect(chunks.map(\.type).first == "IHDR")
        #expect(chunks.map(\.type).last == "IEND")
        for chunk in chunks {
            #expect(chunk.storedCRC == Self.crc32(Array(chunk.type.utf8) + chunk.data), "CRC of \(chunk.type)")
        }

        let header = try #require(chunks.first).data
        try #require(header.count == 13)
        let dimension = (code.size + 2 * quietZone) * scale
        #expect(Int(Self.bigEndian(header[0..<4])) == dimension)
        #expect(Int(Self.bigEndian(header[4..<8])) == dimension)
        #expect(Array(header[8...]) == [1, 0, 0, 0, 0], "1-bit grayscale, no interlace")

        let stream = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        let raw = try Self.inflateStored(stream)
        let rowBytes = (dimension + 7) / 8
        try #require(raw.count == (rowBytes + 1) * dimension)
        if dimension > 1_000 {
            #expect(stream.count > 65_535 * 2, "large images must span several stored blocks")
        }

        func pixelIsWhite(_ x: Int, _ y: Int) -> Bool {
            let byte = raw[y * (rowBytes + 1) + 1 + x / 8]
            return (byte >> (7 - UInt8(x % 8))) & 1 == 1
        }
        for y in 0..<dimension {
            #expect(raw[y * (rowBytes + 1)] == 0, "filter type of row \(y)")
        }
        // Every module's centre pixel matches the matrix; the quiet zone is white.
        var mismatches = 0
        for moduleY in -quietZone..<(code.size + quietZone) {
            for moduleX in -quietZone..<(code.size + quietZone) {
                let x = (moduleX + quietZone) * scale + scale / 2
                let y = (moduleY + quietZone) * scale + scale / 2
                if pixelIsWhite(x, y) == code[moduleX, moduleY] { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("rendering parameters are clamped: no empty image, no huge allocation, no overflow")
    func clamping() throws {
        let code = try QRCode(encoding: "x")
        let tiny = try #require(try Self.chunks(of: code.png(scale: 0, quietZone: -3)).first).data
        #expect(Self.bigEndian(tiny[0..<4]) == UInt32(code.size))
        let huge = try #require(try Self.chunks(of: code.png(scale: 1_000_000, quietZone: 4)).first).data
        #expect(Self.bigEndian(huge[0..<4]) == UInt32((code.size + 8) * 64))
        let reader = try Self.read(code.svg(moduleSize: .max, quietZone: .max))
        #expect(reader.rootAttributes["viewBox"] == "0 0 \(code.size + 128) \(code.size + 128)")
        #expect(reader.rootAttributes["width"] == "\((code.size + 128) * 64)")
    }

    // MARK: SVG

    /// Collects what the tests need from an SVG while checking that it parses as XML.
    final class SVGReader: NSObject, XMLParserDelegate {
        var rootAttributes: [String: String] = [:]
        var elements: [String] = []
        var title = ""
        var pathData: [String] = []
        private var inTitle = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if elements.isEmpty { rootAttributes = attributes }
            elements.append(name)
            if name == "title" { inTitle = true }
            if name == "path", let d = attributes["d"] { pathData.append(d) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "title" { inTitle = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inTitle { title += string }
        }
    }

    static func read(_ svg: String) throws -> SVGReader {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = SVGReader()
        parser.delegate = reader
        let ok = parser.parse()
        #expect(ok, "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        #expect(parser.parserError == nil)
        return reader
    }

    /// Dark modules drawn by a path of "M x y h n v1 h-n z" runs.
    static func paintedModules(_ d: String) throws -> Set<[Int]> {
        var modules = Set<[Int]>()
        let runs = d.split(separator: "M").filter { !$0.isEmpty }
        for run in runs {
            let pattern = /^(\d+) (\d+)h(\d+)v1h-(\d+)z$/
            let match = try #require(try pattern.wholeMatch(in: String(run)), "unexpected path command M\(run)")
            let x = try #require(Int(match.1)), y = try #require(Int(match.2))
            let length = try #require(Int(match.3))
            #expect(Int(match.4) == length)
            for dx in 0..<length {
                let inserted = modules.insert([x + dx, y]).inserted
                #expect(inserted, "module (\(x + dx), \(y)) painted twice")
            }
        }
        return modules
    }

    @Test("SVG is well-formed, sized in modules and pixels, and draws exactly the dark modules", arguments: [
        (connectURL, 8, 4), ("山田太郎", 3, 0), (String(repeating: "Q", count: 1_500), 1, 2),
    ])
    func svg(text: String, moduleSize: Int, quietZone: Int) throws {
        let code = try QRCode(encoding: text)
        let svg = code.svg(moduleSize: moduleSize, quietZone: quietZone)
        let reader = try Self.read(svg)
        let extent = code.size + 2 * quietZone
        #expect(reader.elements.first == "svg")
        #expect(reader.rootAttributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(reader.rootAttributes["width"] == "\(extent * moduleSize)")
        #expect(reader.rootAttributes["height"] == "\(extent * moduleSize)")
        #expect(reader.rootAttributes["viewBox"] == "0 0 \(extent) \(extent)")
        #expect(reader.rootAttributes["shape-rendering"] == "crispEdges")
        #expect(reader.rootAttributes["role"] == nil)
        #expect(!reader.elements.contains("title"))
        #expect(reader.elements.contains("rect"))
        #expect(reader.pathData.count == 1)

        let painted = try Self.paintedModules(try #require(reader.pathData.first))
        var expected = Set<[Int]>()
        for y in 0..<code.size {
            for x in 0..<code.size where code[x, y] {
                expected.insert([x + quietZone, y + quietZone])
            }
        }
        #expect(painted.count == expected.count)
        #expect(painted == expected)
    }

    @Test("SVG title is escaped and exposed to assistive technology")
    func svgTitle() throws {
        let code = try QRCode(encoding: Self.connectURL)
        let title = "<script>alert(\"x\")</script> & 山田's card"
        let svg = code.svg(title: title)
        #expect(svg.contains("&lt;script&gt;"))
        #expect(!svg.contains("<script>"))
        let reader = try Self.read(svg)
        #expect(reader.title == title)
        #expect(reader.rootAttributes["aria-label"] == title)
        #expect(reader.rootAttributes["role"] == "img")
        #expect(reader.elements.prefix(2) == ["svg", "title"])
    }

    @Test("SVG with default parameters is 8 pixels per module with a 4-module quiet zone")
    func svgDefaults() throws {
        let code = try QRCode(encoding: "a", correction: .low)  // version 1: 21 modules
        let reader = try Self.read(code.svg())
        #expect(reader.rootAttributes["width"] == "232")
        #expect(reader.rootAttributes["viewBox"] == "0 0 29 29")
    }
}
