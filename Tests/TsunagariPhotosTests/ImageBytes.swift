import Foundation

/// Builds and takes apart image files byte by byte, so the tests check the files
/// themselves rather than what a library reports about them.
enum ImageBytes {
    // MARK: JPEG

    /// A JPEG segment before the scan: its marker (the byte after 0xFF) and payload.
    struct Segment {
        var marker: UInt8
        var payload: [UInt8]
    }

    /// The segments from SOI up to and including SOS (the entropy-coded data is not walked).
    /// nil when the structure is broken.
    static func jpegSegments(_ bytes: [UInt8]) -> [Segment]? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var segments: [Segment] = []
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            segments.append(Segment(marker: marker, payload: Array(bytes[offset + 4..<offset + 2 + length])))
            if marker == 0xDA { return segments }
            offset += 2 + length
        }
        return nil
    }

    /// A complete JPEG: SOI first, EOI last, a frame header and a scan.
    static func isCompleteJPEG(_ bytes: [UInt8]) -> Bool {
        guard let segments = jpegSegments(bytes) else { return false }
        return bytes.suffix(2) == [0xFF, 0xD9]
            && segments.contains { $0.marker == 0xC0 || $0.marker == 0xC2 }
            && segments.last?.marker == 0xDA
    }

    /// `segment` (marker and payload) inserted right after SOI.
    static func insertingAfterSOI(_ jpeg: [UInt8], marker: UInt8, payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        let segment = [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }

    /// The JPEG with its frame header declaring another size (the data no longer matches).
    static func jpegDeclaring(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var bytes = jpeg
        var offset = 2
        while offset + 9 < bytes.count {
            let marker = bytes[offset + 1]
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if marker == 0xC0 || marker == 0xC2 {
                bytes[offset + 5] = UInt8(height >> 8); bytes[offset + 6] = UInt8(height & 0xFF)
                bytes[offset + 7] = UInt8(width >> 8); bytes[offset + 8] = UInt8(width & 0xFF)
                return bytes
            }
            offset += 2 + length
        }
        return bytes
    }

    // MARK: EXIF

    /// An APP1 "Exif" payload, big-endian TIFF: IFD0 with Orientation (when given) and a
    /// pointer to a GPS IFD (when `gps`) holding a latitude and longitude (Kyoto station).
    static func exifPayload(orientation: Int? = nil, gps: Bool = false) -> [UInt8] {
        var tiff: [UInt8] = Array("MM".utf8) + be16(42) + be32(8)
        var ifd0: [[UInt8]] = []
        if let orientation { ifd0.append(entry(tag: 0x0112, type: 3, count: 1, value: be16(orientation) + [0, 0])) }
        let ifd0Size = 2 + (ifd0.count + (gps ? 1 : 0)) * 12 + 4
        let gpsOffset = 8 + ifd0Size
        if gps { ifd0.append(entry(tag: 0x8825, type: 4, count: 1, value: be32(gpsOffset))) }
        tiff += be16(ifd0.count) + ifd0.flatMap { $0 } + be32(0)
        if gps {
            // Five entries, then the two rationals' values after the IFD.
            let valuesOffset = gpsOffset + 2 + 5 * 12 + 4
            let latitude = rationals([(34, 1), (59, 1), (3_720, 100)])
            let longitude = rationals([(135, 1), (45, 1), (5_880, 100)])
            let gpsEntries = [
                entry(tag: 0x0000, type: 1, count: 4, value: [2, 3, 0, 0]), // GPSVersionID
                entry(tag: 0x0001, type: 2, count: 2, value: Array("N".utf8) + [0, 0, 0]), // GPSLatitudeRef
                entry(tag: 0x0002, type: 5, count: 3, value: be32(valuesOffset)), // GPSLatitude
                entry(tag: 0x0003, type: 2, count: 2, value: Array("E".utf8) + [0, 0, 0]), // GPSLongitudeRef
                entry(tag: 0x0004, type: 5, count: 3, value: be32(valuesOffset + latitude.count)), // GPSLongitude
            ]
            tiff += be16(gpsEntries.count) + gpsEntries.flatMap { $0 } + be32(0) + latitude + longitude
        }
        return Array("Exif".utf8) + [0, 0] + tiff
    }

    /// An APP1 XMP payload that also records a position, as photo editors write it.
    static func xmpPayload() -> [UInt8] {
        let xml = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\
            <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" \
            exif:GPSLatitude="34,59.62N" exif:GPSLongitude="135,45.98E"/></rdf:RDF></x:xmpmeta>
            """
        return Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + Array(xml.utf8)
    }

    private static func entry(tag: Int, type: Int, count: Int, value: [UInt8]) -> [UInt8] {
        be16(tag) + be16(type) + be32(count) + value
    }

    private static func rationals(_ values: [(Int, Int)]) -> [UInt8] {
        values.flatMap { be32($0.0) + be32($0.1) }
    }

    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    static func be32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    // MARK: PNG

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// One chunk: length, type, data, CRC-32 of type and data.
    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return be32(data.count) + typed + be32(Int(crc32(typed)))
    }

    /// A PNG whose header declares `width`×`height` RGB pixels, followed by a few bytes of
    /// image data: a decompression bomb's shape, without its body.
    static func pngDeclaring(width: Int, height: Int, interlaced: Bool = false) -> [UInt8] {
        let ihdr = be32(width) + be32(height) + [8, 2, 0, 0, interlaced ? 1 : 0]
        // zlib of a single zero byte: a valid stream, far too short for the image.
        let idat: [UInt8] = [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]
        return pngSignature + pngChunk("IHDR", ihdr) + pngChunk("IDAT", idat) + pngChunk("IEND", [])
    }

    /// The PNG with an APNG animation-control chunk (2 frames, looping) right after IHDR.
    static func insertingACTL(_ png: [UInt8]) -> [UInt8] {
        let afterIHDR = 8 + 12 + 13
        return Array(png[0..<afterIHDR]) + pngChunk("acTL", be32(2) + be32(0)) + Array(png[afterIHDR...])
    }

    /// CRC-32 (ISO-HDLC), as PNG uses.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    // MARK: GIF

    /// A 1×1 GIF89a, written out by hand.
    static let tinyGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, haystack.count >= pattern.count else { return false }
        for start in 0...(haystack.count - pattern.count) where haystack[start] == pattern[0] {
            if Array(haystack[start..<start + pattern.count]) == pattern { return true }
        }
        return false
    }
}
