import Testing
@testable import TsunagariPhotos

/// The checks made on the bytes alone, before any library is involved; these run without libvips.
@Suite("Reading headers without a decoder")
struct ImageSnifferTests {
    func identify(_ bytes: [UInt8]) -> ImageSniffer.Identity {
        bytes.withUnsafeBytes { ImageSniffer.identify($0) }
    }

    @Test("PNG: IHDR's size and APNG's acTL")
    func png() {
        let png = ImageBytes.pngDeclaring(width: 50_000, height: 40_000)
        #expect(identify(png) == .accepted(.init(format: .png, size: PixelSize(width: 50_000, height: 40_000))))
        #expect(identify(ImageBytes.insertingACTL(png)) == .accepted(.init(format: .png, size: PixelSize(width: 50_000, height: 40_000), animated: true)))
        // acTL after the image data does not make an animation (and is not looked for).
        let late = Array(png.dropLast(12)) + ImageBytes.pngChunk("acTL", ImageBytes.be32(2) + ImageBytes.be32(0)) + ImageBytes.pngChunk("IEND", [])
        #expect(identify(late) == .accepted(.init(format: .png, size: PixelSize(width: 50_000, height: 40_000))))
        let interlaced = ImageBytes.pngDeclaring(width: 640, height: 480, interlaced: true)
        #expect(identify(interlaced) == .accepted(.init(format: .png, size: PixelSize(width: 640, height: 480), interlaced: true)))
        // A signature and nothing else: no size, left to the decoder (which refuses it).
        #expect(identify(ImageBytes.pngSignature) == .accepted(.init(format: .png, size: nil)))
    }

    @Test("JPEG: the frame header's size, after other segments")
    func jpeg() {
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        let sof: [UInt8] = [0xFF, 0xC2, 0x00, 0x11, 8, 0x0B, 0xB8, 0x0F, 0xA0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        #expect(identify([0xFF, 0xD8] + app0 + sof) == .accepted(.init(format: .jpeg, size: PixelSize(width: 4000, height: 3000))))
        // Truncated inside a segment: no size.
        #expect(identify([0xFF, 0xD8, 0xFF, 0xE0, 0x00]) == .accepted(.init(format: .jpeg, size: nil)))
    }

    @Test("WebP: lossy, lossless and extended headers")
    func webp() {
        func riff(_ chunk: String, _ data: [UInt8]) -> [UInt8] {
            Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + Array(chunk.utf8) + [UInt8(data.count), 0, 0, 0] + data
        }
        let lossy = riff("VP8 ", [0, 0, 0, 0x9D, 0x01, 0x2A, 0x40, 0x06, 0xB0, 0x04])
        #expect(identify(lossy) == .accepted(.init(format: .webp, size: PixelSize(width: 1600, height: 1200))))
        // Lossless: 14 bits of width − 1 (99) then 14 of height − 1 (49).
        let bits = 99 | 49 << 14
        let lossless = riff("VP8L", [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF)])
        #expect(identify(lossless) == .accepted(.init(format: .webp, size: PixelSize(width: 100, height: 50))))
        let extended = riff("VP8X", [0x02, 0, 0, 0, 0x0F, 0x27, 0x00, 0x0F, 0x27, 0x00])
        #expect(identify(extended) == .accepted(.init(format: .webp, size: PixelSize(width: 10_000, height: 10_000))))
    }

    @Test("Other formats are named; unknown bytes are not")
    func others() {
        #expect(identify(ImageBytes.tinyGIF) == .refused("GIF"))
        #expect(identify(Array("<svg/>".utf8)) == .refused("SVG"))
        #expect(identify(Array("<html></html>".utf8)) == .unknown)
        #expect(identify(Array("plain text".utf8)) == .unknown)
        #expect(identify([]) == .unknown)
        #expect(identify([0xFF]) == .unknown)
    }

    @Test("Orientation maps a displayed rectangle onto the stored pixels")
    func orientation() {
        let stored = PixelSize(width: 400, height: 300)
        let rect = CropRect(x: 10, y: 20, width: 30, height: 40)
        #expect(Orientation(exif: 1).storedRect(rect, storedSize: stored) == rect)
        #expect(Orientation(exif: 3).storedRect(rect, storedSize: stored) == CropRect(x: 360, y: 240, width: 30, height: 40))
        #expect(Orientation(exif: 6).storedRect(rect, storedSize: stored) == CropRect(x: 20, y: 260, width: 40, height: 30))
        #expect(Orientation(exif: 8).storedRect(rect, storedSize: stored) == CropRect(x: 340, y: 10, width: 40, height: 30))
        #expect(Orientation(exif: 9) == Orientation(exif: 1))
        #expect(Orientation(exif: 6).displayedSize(of: stored) == PixelSize(width: 300, height: 400))
    }

    @Test("Cover crops are centred and have the output's shape")
    func cover() {
        let square = PixelSize(width: 400, height: 400), banner = PixelSize(width: 1584, height: 396)
        #expect(CropRect(x: 0, y: 0, width: 4000, height: 3000).centredCover(aspect: square) == CropRect(x: 500, y: 0, width: 3000, height: 3000))
        #expect(CropRect(x: 0, y: 0, width: 4000, height: 3000).centredCover(aspect: banner) == CropRect(x: 0, y: 1000, width: 4000, height: 1000))
        #expect(CropRect(x: 0, y: 0, width: 3000, height: 500).centredCover(aspect: banner) == CropRect(x: 500, y: 0, width: 2000, height: 500))
        #expect(PhotoProcessor.decodeShrink(area: CropRect(x: 0, y: 0, width: 3000, height: 3000), target: square) == 1 * 2)
        #expect(PhotoProcessor.decodeShrink(area: CropRect(x: 0, y: 0, width: 1000, height: 1000), target: square) == 1)
        #expect(PhotoProcessor.decodeShrink(area: CropRect(x: 0, y: 0, width: 7000, height: 7000), target: square) == 8)
    }

    @Test("Portrait initials come from a name's words")
    func initials() {
        #expect(Glyphs.render("Émi Kato") == Glyphs.render("EK"))
        #expect(Glyphs.render("ken sato") == Glyphs.render("KS"))
        #expect(Glyphs.render("Anna Maria de la Cruz").count == 3)
        #expect(Glyphs.render("佐藤 健").isEmpty)
        #expect(Glyphs.render("").isEmpty)
    }

    @Test("Error codes and messages are stable")
    func errors() {
        let cases: [(PhotoError, String)] = [
            (.tooLarge(byteCount: 11 * 1024 * 1024, limit: 10 * 1024 * 1024), "too_large"),
            (.notAnImage, "not_an_image"),
            (.unsupportedFormat("GIF"), "unsupported_format"),
            (.tooManyPixels(width: 1, height: 1, limit: 1), "too_many_pixels"),
            (.tooSmall(width: 1, height: 1, minimum: PixelSize(width: 100, height: 100)), "too_small"),
            (.animated(.webp), "animated"),
            (.corrupt(detail: ""), "corrupt"),
            (.badCrop(CropRect(x: 0, y: 0, width: 0, height: 0), imageSize: PixelSize(width: 1, height: 1)), "bad_crop"),
            (.unavailable(reason: "no library"), "unavailable"),
        ]
        for (error, code) in cases {
            #expect(error.code == code)
            #expect(error.message.hasSuffix("."))
            #expect(error.description.hasPrefix(code + ": "))
        }
        #expect(PhotoError.tooLarge(byteCount: 11_010_048, limit: 10_485_760).message == "The file is 10.5 MB; photos can be at most 10 MB.")
        #expect(PhotoError.unavailable(reason: "no library").detail == "no library")
    }
}
