/// Identifies an upload from its first bytes and reads what its header declares, without
/// any decoder: the format decides which decoder may run at all, and the declared size
/// is checked before one does.
enum ImageSniffer {
    /// What a JPEG, PNG or WebP header declares, as far as it is read here.
    struct Declared: Equatable {
        var format: PhotoFormat
        /// nil leaves the size to the decoder's header reader.
        var size: PixelSize?
        /// APNG's animation chunk is present.
        var animated = false
        /// An interlaced (Adam7) PNG: the decoder needs the whole image in memory at once.
        var interlaced = false
    }

    /// What the bytes are.
    enum Identity: Equatable {
        /// JPEG, PNG or WebP.
        case accepted(Declared)
        /// A recognised image format that is not accepted, by name.
        case refused(String)
        /// Nothing recognised here.
        case unknown
    }

    static func identify(_ bytes: UnsafeRawBufferPointer) -> Identity {
        let reader = ByteReader(bytes)
        if reader.starts(with: [0xFF, 0xD8, 0xFF]) {
            return .accepted(Declared(format: .jpeg, size: jpegSize(reader)))
        }
        if reader.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return .accepted(pngHeader(reader))
        }
        if reader.starts(with: Array("RIFF".utf8)) && reader.matches(Array("WEBP".utf8), at: 8) {
            return .accepted(Declared(format: .webp, size: webpSize(reader)))
        }
        if let name = otherImageFormat(reader) { return .refused(name) }
        return .unknown
    }

    // MARK: JPEG

    /// The size in the first start-of-frame segment, walking the segments before it.
    static func jpegSize(_ reader: ByteReader) -> PixelSize? {
        var offset = 2
        while offset + 4 <= reader.count {
            guard reader[offset] == 0xFF else { return nil }
            let marker = reader[offset + 1]
            if marker == 0xFF { offset += 1; continue } // fill byte
            // Markers without a length: TEM and restart markers.
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            // Start of scan or end of image before any frame header: nothing declared.
            if marker == 0xDA || marker == 0xD9 { return nil }
            guard let length = reader.uint16BE(at: offset + 2), length >= 2 else { return nil }
            // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                guard let height = reader.uint16BE(at: offset + 5), let width = reader.uint16BE(at: offset + 7) else {
                    return nil
                }
                return PixelSize(width: width, height: height)
            }
            offset += 2 + length
        }
        return nil
    }

    // MARK: PNG

    /// IHDR's size and interlace method, and whether an animation control chunk (APNG's
    /// acTL) comes before the image data. The chunks are walked up to the first IDAT only.
    static func pngHeader(_ reader: ByteReader) -> Declared {
        var declared = Declared(format: .png)
        var offset = 8
        while offset + 8 <= reader.count {
            guard let length = reader.uint32BE(at: offset), length <= Int(Int32.max) else { break }
            let type = reader.ascii(at: offset + 4, count: 4)
            if offset == 8 {
                // IHDR must come first: width, height, depth, colour type, compression,
                // filter, interlace.
                guard type == "IHDR", length == 13, offset + 8 + 13 <= reader.count,
                      let width = reader.uint32BE(at: offset + 8), let height = reader.uint32BE(at: offset + 12)
                else { return declared }
                declared.size = PixelSize(width: width, height: height)
                declared.interlaced = reader[offset + 8 + 12] != 0
            }
            if type == "acTL" {
                declared.animated = true
                return declared
            }
            if type == "IDAT" || type == "IEND" { break }
            offset += 12 + length
        }
        return declared
    }

    // MARK: WebP

    /// The canvas size from the first chunk: VP8X (extended), VP8 (lossy) or VP8L (lossless).
    static func webpSize(_ reader: ByteReader) -> PixelSize? {
        let chunk = reader.ascii(at: 12, count: 4)
        let data = 20
        switch chunk {
        case "VP8X":
            guard let width = reader.uint24LE(at: data + 4), let height = reader.uint24LE(at: data + 7) else { return nil }
            return PixelSize(width: width + 1, height: height + 1)
        case "VP8 ":
            // A key frame: 3 bytes of frame tag, the start code 9D 01 2A, then 14-bit sizes.
            guard reader.matches([0x9D, 0x01, 0x2A], at: data + 3),
                  let width = reader.uint16LE(at: data + 6), let height = reader.uint16LE(at: data + 8) else { return nil }
            return PixelSize(width: width & 0x3FFF, height: height & 0x3FFF)
        case "VP8L":
            // Signature 0x2F, then width − 1 and height − 1 in 14 bits each.
            guard reader.count > data + 4, reader[data] == 0x2F, let bits = reader.uint32LE(at: data + 1) else { return nil }
            return PixelSize(width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        default:
            return nil
        }
    }

    // MARK: Other formats

    /// The name of a recognised image format that is not accepted, so the refusal can say
    /// what was found.
    static func otherImageFormat(_ reader: ByteReader) -> String? {
        if reader.starts(with: Array("GIF87a".utf8)) || reader.starts(with: Array("GIF89a".utf8)) { return "GIF" }
        if reader.starts(with: [0x49, 0x49, 0x2A, 0x00]) || reader.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || reader.starts(with: [0x49, 0x49, 0x2B, 0x00]) || reader.starts(with: [0x4D, 0x4D, 0x00, 0x2B]) {
            return "TIFF"
        }
        if reader.matches(Array("ftyp".utf8), at: 4) {
            let brand = reader.ascii(at: 8, count: 4)
            switch brand {
            case "avif", "avis": return "AVIF"
            case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1": return "HEIC"
            case "crx ": return "Canon raw"
            default: break
            }
        }
        if reader.starts(with: [0xFF, 0x0A]) || reader.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) {
            return "JPEG XL"
        }
        if reader.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || reader.starts(with: [0xFF, 0x4F, 0xFF, 0x51]) {
            return "JPEG 2000"
        }
        if reader.starts(with: Array("BM".utf8)) && reader.count >= 26 { return "BMP" }
        if reader.starts(with: [0x00, 0x00, 0x01, 0x00]) || reader.starts(with: [0x00, 0x00, 0x02, 0x00]) { return "ICO" }
        if reader.starts(with: Array("8BPS".utf8)) { return "PSD" }
        if reader.starts(with: Array("%PDF".utf8)) { return "PDF" }
        if reader.starts(with: Array("%!PS".utf8)) { return "PostScript" }
        if reader.starts(with: Array("qoif".utf8)) { return "QOI" }
        if isSVG(reader) { return "SVG" }
        return nil
    }

    /// An SVG document: XML whose first kilobytes open an `<svg` element. (Compressed
    /// SVGZ starts as gzip and falls to the decoder library's sniffer.)
    static func isSVG(_ reader: ByteReader) -> Bool {
        var start = 0
        if reader.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < reader.count, [0x20, 0x09, 0x0A, 0x0D].contains(reader[start]) { start += 1 }
        guard start < reader.count, reader[start] == UInt8(ascii: "<") else { return false }
        let window = reader.ascii(at: start, count: min(4096, reader.count - start)).lowercased()
        return window.contains("<svg")
    }
}

/// Bounds-checked reads over untrusted bytes: every accessor returns nil (or false)
/// rather than trapping when the file is shorter than its header claims.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }

    subscript(_ offset: Int) -> UInt8 { bytes[offset] }

    func starts(with prefix: [UInt8]) -> Bool { matches(prefix, at: 0) }

    func matches(_ expected: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + expected.count <= bytes.count else { return false }
        for (index, byte) in expected.enumerated() where bytes[offset + index] != byte { return false }
        return true
    }

    /// Bytes as Latin-1 text (never fails; non-ASCII bytes map to themselves).
    func ascii(at offset: Int, count: Int) -> String {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else { return "" }
        return String(String.UnicodeScalarView(bytes[offset..<offset + count].map { Unicode.Scalar($0) }))
    }

    func uint16BE(at offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
    }

    func uint16LE(at offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return Int(bytes[offset + 1]) << 8 | Int(bytes[offset])
    }

    func uint24LE(at offset: Int) -> Int? {
        guard offset >= 0, offset + 3 <= bytes.count else { return nil }
        return Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset])
    }

    func uint32BE(at offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }

    func uint32LE(at offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return Int(bytes[offset + 3]) << 24 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset])
    }
}
