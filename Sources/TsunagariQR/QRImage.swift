// Renderings of a QR Code: SVG for pages (sharp at any zoom, tiny) and PNG for clients
// that want a bitmap. Both are written by hand so the module needs no image library.

extension QRCode {
    /// A standalone SVG document. Dark modules are one `<path>` made of horizontal runs,
    /// which keeps the markup small; `crispEdges` stops anti-aliasing seams between modules,
    /// and the white background makes the code scannable on dark page themes too.
    /// - Parameters:
    ///   - moduleSize: CSS pixels per module for the `width`/`height` attributes; the
    ///     `viewBox` is in modules, so the image still scales cleanly. Clamped to 1...64,
    ///     and the quiet zone to 0...64, so request parameters passed straight through
    ///     cannot overflow the arithmetic.
    ///   - quietZone: light border in modules; the standard asks for 4, and scanners fail
    ///     more often with less.
    ///   - title: accessible name; when given, the SVG gets `role="img"`, `aria-label`
    ///     and a `<title>`, all XML-escaped because titles may contain member names.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4, title: String? = nil) -> String {
        let moduleSize = Self.clamp(moduleSize, to: Self.scaleLimits)
        let quietZone = Self.clamp(quietZone, to: Self.quietZoneLimits)
        let extent = size + 2 * quietZone
        let pixels = extent * moduleSize

        var path = ""
        path.reserveCapacity(darkModuleCount * 4)
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else {
                    x += 1
                    continue
                }
                let start = x
                while x < size && self[x, y] { x += 1 }
                let run = x - start
                path += "M\(start + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
            }
        }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""
        svg += " width=\"\(pixels)\" height=\"\(pixels)\" viewBox=\"0 0 \(extent) \(extent)\""
        svg += " shape-rendering=\"crispEdges\""
        if let title {
            let escaped = Self.xmlEscaped(title)
            svg += " role=\"img\" aria-label=\"\(escaped)\">"
            svg += "<title>\(escaped)</title>"
        } else {
            svg += ">"
        }
        svg += "<rect width=\"\(extent)\" height=\"\(extent)\" fill=\"#ffffff\"/>"
        svg += "<path fill=\"#000000\" d=\"\(path)\"/>"
        svg += "</svg>\n"
        return svg
    }

    /// Pixels per module accepted by `png(scale:)` and `svg(moduleSize:)`.
    static let scaleLimits = 1...64
    /// Quiet-zone widths, in modules, accepted by both renderers.
    static let quietZoneLimits = 0...64

    static func clamp(_ value: Int, to limits: ClosedRange<Int>) -> Int {
        min(max(value, limits.lowerBound), limits.upperBound)
    }

    /// Escapes the five XML special characters so text is safe both as element content
    /// and inside a double- or single-quoted attribute.
    static func xmlEscaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default:
                // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
                if character.value < 0x20 && character != "\t" && character != "\n" && character != "\r" {
                    result += " "
                } else {
                    result.unicodeScalars.append(character)
                }
            }
        }
        return result
    }

    /// A PNG image: 1-bit grayscale, `scale` pixels per module and a `quietZone`-module
    /// white border. Both are clamped (scale 1...64, quiet zone 0...64) so that a value taken
    /// from a request cannot make the server allocate gigabytes; the largest image is then
    /// 11,840 pixels square, about 17 MB. The pixel data is stored without compression
    /// because a two-colour image of a few hundred rows stays small and writing deflate
    /// by hand is not worth the risk; 1-bit depth already makes it 8 times smaller than 8-bit.
    public func png(scale: Int = 8, quietZone: Int = 4) -> [UInt8] {
        let scale = Self.clamp(scale, to: Self.scaleLimits)
        let quietZone = Self.clamp(quietZone, to: Self.quietZoneLimits)
        let dimension = (size + 2 * quietZone) * scale
        let rowBytes = (dimension + 7) / 8

        // Raw scanlines: a filter byte (0, none) then 8 pixels per byte, 1 = white.
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * dimension)
        var row = [UInt8](repeating: 0, count: rowBytes)
        var previousModuleRow = Int.min
        for pixelY in 0..<dimension {
            let moduleY = pixelY / scale - quietZone
            if moduleY != previousModuleRow {
                // Each module row repeats `scale` times, so it is packed only once.
                for i in row.indices { row[i] = 0 }
                for pixelX in 0..<dimension {
                    let moduleX = pixelX / scale - quietZone
                    if !self[moduleX, moduleY] {
                        row[pixelX >> 3] |= 0x80 >> UInt8(pixelX & 7)
                    }
                }
                previousModuleRow = moduleY
            }
            raw.append(0)
            raw.append(contentsOf: row)
        }

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header.appendBigEndian(UInt32(dimension))
        header.appendBigEndian(UInt32(dimension))
        header += [1, 0, 0, 0, 0]  // bit depth 1, grayscale, deflate, adaptive filtering, no interlace
        PNGWriter.appendChunk("IHDR", header, to: &png)
        PNGWriter.appendChunk("IDAT", PNGWriter.zlibStored(raw), to: &png)
        PNGWriter.appendChunk("IEND", [], to: &png)
        return png
    }
}

/// The container formats a PNG needs: chunks with CRC-32, and a zlib stream.
enum PNGWriter {
    static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png.appendBigEndian(UInt32(data.count))
        let start = png.count
        png += typeBytes
        png += data
        // The CRC covers the chunk type and data, not the length.
        png.appendBigEndian(crc32(png[start...]))
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4): valid for any
    /// inflater, with no compressor to get wrong. Blocks carry at most 65,535 bytes each.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window, no dictionary; 0x7801 % 31 == 0
        out.reserveCapacity(data.count + data.count / 65_535 * 5 + 11)
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let isFinal = offset + length == data.count
            out.append(isFinal ? 1 : 0)  // BFINAL bit, BTYPE 00 (stored)
            out.append(UInt8(length & 0xFF))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF))
            out.append(UInt8((~length >> 8) & 0xFF))
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        out.appendBigEndian(adler32(data))
        return out
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1
        }
        return crc
    }

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        // 5,552 bytes is the most that can be summed before b could overflow 32 bits.
        var index = 0
        while index < bytes.count {
            let end = min(index + 5_552, bytes.count)
            for byte in bytes[index..<end] {
                a += UInt32(byte)
                b += a
            }
            a %= 65_521
            b %= 65_521
            index = end
        }
        return b << 16 | a
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }
}
