import Testing
import TsunagariPhotos

/// Which part of the picture is kept: centred by default, the member's area otherwise.
@Suite("Cropping", .enabled(if: Libvips.shouldRun, Libvips.skipNotice))
struct PhotoCropTests {
    let processor = PhotoProcessor()

    /// Sizes and formats of the wide picture: the larger ones are decoded at a half or a
    /// quarter of their size (JPEG and WebP), which must not move the crop.
    static let wide: [(Int, Raster.FileFormat)] = [
        (300, .png), (300, .jpeg(quality: 95)), (2_000, .jpeg(quality: 95)), (3_300, .jpeg(quality: 95)),
        (2_000, .webp(quality: 90)), (3_300, .webp(quality: 90)),
    ]

    @Test("The centred square of a wide picture is its centre", arguments: wide)
    func centredSquare(side: Int, format: Raster.FileFormat) throws {
        // 3 sides × 1 side: magenta thirds either side of a green centre third.
        var raster = Raster(width: 3 * side, height: side, colour: Colour.magenta)
        raster.fill(CropRect(x: side, y: 0, width: side, height: side), colour: Colour.green)
        let photo = try processor.process(try raster.encoded(as: format), kind: .photo)
        #expect(photo.crop == CropRect(x: side, y: 0, width: side, height: side))
        for rendition in photo.renditions {
            let output = try PhotoInspector.decodeRGB(rendition.jpeg)
            let edge = rendition.size.width / 20
            for (x, y) in [(edge, edge), (rendition.size.width - 1 - edge, edge), (rendition.size.width / 2, rendition.size.height / 2),
                           (edge, rendition.size.height - 1 - edge), (rendition.size.width - 1 - edge, rendition.size.height - 1 - edge)] {
                #expect(Colour.near(output.pixel(x: x, y: y), Colour.green), "\(rendition.size) at (\(x), \(y))")
            }
        }
    }

    @Test("A banner from a square picture is its middle band")
    func centredBanner() throws {
        // 800×800: red, with a blue band across rows 300–499 (the centred 4:1 strip).
        var raster = Raster(width: 800, height: 800, colour: Colour.red)
        raster.fill(CropRect(x: 0, y: 300, width: 800, height: 200), colour: Colour.blue)
        let photo = try processor.process(try raster.encoded(as: .jpeg(quality: 95)), kind: .banner)
        #expect(photo.crop == CropRect(x: 0, y: 300, width: 800, height: 200))
        let output = try PhotoInspector.decodeRGB(photo.renditions[0].jpeg)
        for (x, y) in [(40, 20), (1540, 20), (792, 198), (40, 375), (1540, 375)] {
            #expect(Colour.near(output.pixel(x: x, y: y), Colour.blue), "at (\(x), \(y))")
        }
    }

    @Test("The member's area is what is kept")
    func chosenArea() throws {
        let raster = PhotoMetadataTests.quadrants(width: 600, height: 400)
        let input = try raster.encoded(as: .webp(quality: 90))
        let photo = try processor.process(input, kind: .photo, crop: CropRect(x: 320, y: 220, width: 160, height: 160))
        let output = try PhotoInspector.decodeRGB(photo.renditions[0].jpeg)
        for (x, y) in [(20, 20), (380, 20), (200, 200), (20, 380), (380, 380)] {
            #expect(Colour.near(output.pixel(x: x, y: y), Colour.yellow), "at (\(x), \(y))")
        }
    }

    @Test("A non-square area keeps its centred square")
    func nonSquareArea() throws {
        var raster = Raster(width: 600, height: 400, colour: Colour.magenta)
        raster.fill(CropRect(x: 200, y: 100, width: 200, height: 200), colour: Colour.green)
        let photo = try processor.process(try raster.encoded(as: .png), kind: .photo,
                                          crop: CropRect(x: 100, y: 100, width: 400, height: 200))
        #expect(photo.crop == CropRect(x: 200, y: 100, width: 200, height: 200))
        let output = try PhotoInspector.decodeRGB(photo.renditions[1].jpeg)
        #expect(Colour.near(output.pixel(x: 5, y: 5), Colour.green))
        #expect(Colour.near(output.pixel(x: 94, y: 94), Colour.green))
    }

    @Test("An area outside the picture, empty or absurd is refused", arguments: [
        CropRect(x: 500, y: 0, width: 200, height: 200),
        CropRect(x: -1, y: 0, width: 200, height: 200),
        CropRect(x: 0, y: 300, width: 200, height: 200),
        CropRect(x: 0, y: 0, width: 0, height: 200),
        CropRect(x: 0, y: 0, width: 200, height: -5),
        CropRect(x: Int.max, y: Int.max, width: Int.max, height: Int.max),
        CropRect(x: 10, y: 10, width: Int.max, height: 100),
    ])
    func badCrop(_ crop: CropRect) throws {
        let input = try PhotoProcessingTests.sample(width: 600, height: 400).encoded(as: .jpeg(quality: 80))
        let error = photoError { () throws(PhotoError) in try processor.process(input, kind: .photo, crop: crop) }
        #expect(error == .badCrop(crop, imageSize: PixelSize(width: 600, height: 400)))
    }

    @Test("An area smaller than the use needs is refused as too small")
    func tinyArea() throws {
        let input = try PhotoProcessingTests.sample(width: 600, height: 400).encoded(as: .jpeg(quality: 80))
        #expect(refusal { () throws(PhotoError) in
            try processor.process(input, kind: .photo, crop: CropRect(x: 0, y: 0, width: 50, height: 50))
        } == "too_small")
        // 400×100 is a banner's minimum: a 300-pixel-wide area is not enough.
        #expect(refusal { () throws(PhotoError) in
            try processor.process(input, kind: .banner, crop: CropRect(x: 0, y: 0, width: 300, height: 300))
        } == "too_small")
    }
}
