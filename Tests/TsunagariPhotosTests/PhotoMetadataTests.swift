import Testing
import TsunagariPhotos

/// Metadata: a phone photo's GPS position never leaves the server, and its EXIF
/// orientation is applied to the pixels rather than passed on.
@Suite("Metadata and orientation", .enabled(if: Libvips.shouldRun, Libvips.skipNotice))
struct PhotoMetadataTests {
    let processor = PhotoProcessor()

    /// 300×200 stored, in four coloured quadrants: red top left, green top right, blue
    /// bottom left, yellow bottom right.
    static func quadrants(width: Int = 300, height: Int = 200) -> Raster {
        var raster = Raster(width: width, height: height, colour: Colour.red)
        raster.fill(CropRect(x: width / 2, y: 0, width: width / 2, height: height / 2), colour: Colour.green)
        raster.fill(CropRect(x: 0, y: height / 2, width: width / 2, height: height / 2), colour: Colour.blue)
        raster.fill(CropRect(x: width / 2, y: height / 2, width: width / 2, height: height / 2), colour: Colour.yellow)
        return raster
    }

    /// The EXIF rule for how a stored picture is displayed: the stored pixel shown at (x, y).
    static func storedPoint(displayedX x: Int, y: Int, orientation: Int, storedWidth w: Int, storedHeight h: Int) -> (Int, Int) {
        switch orientation {
        case 2: (w - 1 - x, y)
        case 3: (w - 1 - x, h - 1 - y)
        case 4: (x, h - 1 - y)
        case 5: (y, x)
        case 6: (y, h - 1 - x)
        case 7: (w - 1 - y, h - 1 - x)
        case 8: (w - 1 - y, x)
        default: (x, y)
        }
    }

    @Test("GPS EXIF and XMP are read from the upload and absent from every output")
    func gpsIsStripped() throws {
        let plain = try PhotoProcessingTests.sample(width: 800, height: 600).encoded(as: .jpeg(quality: 90))
        var input = ImageBytes.insertingAfterSOI(plain, marker: 0xE1, payload: ImageBytes.xmpPayload())
        input = ImageBytes.insertingAfterSOI(input, marker: 0xE1, payload: ImageBytes.exifPayload(orientation: 1, gps: true))

        // The upload really carries the position, as libvips reads it.
        let fields = try PhotoInspector.inspect(input).metadataFields
        #expect(fields.contains("exif-data"))
        #expect(fields.contains("xmp-data"))
        #expect(fields.contains { $0.contains("GPSLatitude") }, "libvips saw no GPS field in \(fields)")

        for kind in PhotoKind.allCases {
            let photo = try processor.process(input, kind: kind)
            for rendition in photo.renditions {
                let segments = try #require(ImageBytes.jpegSegments(rendition.jpeg))
                // APP0 (JFIF) is the only application segment allowed: APP1 is EXIF and XMP,
                // APP2 ICC, APP13 IPTC; COM is free text.
                let markers = segments.map(\.marker)
                #expect(markers.allSatisfy { !(0xE1...0xEF).contains($0) && $0 != 0xFE }, "segments \(markers.map { String($0, radix: 16) })")
                for text in ["Exif", "GPS", "http://ns.adobe.com", "ICC_PROFILE", "Photoshop"] {
                    #expect(!ImageBytes.contains(rendition.jpeg, text), "\(text) found in \(rendition.size)")
                }
                let outputFields = try PhotoInspector.inspect(rendition.jpeg).metadataFields
                #expect(!outputFields.contains("exif-data"))
                #expect(!outputFields.contains("xmp-data"))
                #expect(!outputFields.contains("icc-profile-data"))
                #expect(!outputFields.contains { $0.localizedCaseInsensitiveContains("gps") })
            }
        }
    }

    @Test("EXIF orientation 6 is applied: the picture is turned a quarter clockwise")
    func orientationSix() throws {
        let plain = try Self.quadrants().encoded(as: .jpeg(quality: 95))
        let input = ImageBytes.insertingAfterSOI(plain, marker: 0xE1, payload: ImageBytes.exifPayload(orientation: 6))
        #expect(try PhotoInspector.inspect(input).orientation == 6)

        let photo = try processor.process(input, kind: .photo)
        // Displayed 200 wide and 300 tall; its centred square is rows 50–249.
        #expect(photo.sourceSize == PixelSize(width: 200, height: 300))
        #expect(photo.crop == CropRect(x: 0, y: 50, width: 200, height: 200))
        let output = try PhotoInspector.decodeRGB(photo.renditions[0].jpeg)
        // Turned clockwise, the stored left column becomes the top row: blue | red over yellow | green.
        #expect(Colour.near(output.pixel(x: 100, y: 100), Colour.blue))
        #expect(Colour.near(output.pixel(x: 300, y: 100), Colour.red))
        #expect(Colour.near(output.pixel(x: 100, y: 300), Colour.yellow))
        #expect(Colour.near(output.pixel(x: 300, y: 300), Colour.green))
        #expect(try PhotoInspector.inspect(photo.renditions[0].jpeg).orientation == 1)
    }

    @Test("Every EXIF orientation, with a chosen area, shows what the member saw", arguments: 1...8)
    func orientation(_ orientation: Int) throws {
        // 400×240 stored, so every quadrant is at least 120 pixels each way.
        let stored = Self.quadrants(width: 400, height: 240)
        let plain = try stored.encoded(as: .jpeg(quality: 95))
        let input = ImageBytes.insertingAfterSOI(plain, marker: 0xE1, payload: ImageBytes.exifPayload(orientation: orientation))
        let displayed = orientation >= 5 ? PixelSize(width: 240, height: 400) : PixelSize(width: 400, height: 240)

        // The displayed picture's top-left and bottom-right 120-pixel squares.
        for corner in [CropRect(x: 0, y: 0, width: 120, height: 120),
                       CropRect(x: displayed.width - 120, y: displayed.height - 120, width: 120, height: 120)] {
            let photo = try processor.process(input, kind: .photo, crop: corner)
            #expect(photo.sourceSize == displayed)
            #expect(photo.crop == corner)
            let point = Self.storedPoint(displayedX: corner.x + 60, y: corner.y + 60, orientation: orientation,
                                         storedWidth: stored.width, storedHeight: stored.height)
            let expected = try #require(stored.pixel(x: point.0, y: point.1))
            let output = try PhotoInspector.decodeRGB(photo.renditions[0].jpeg)
            #expect(Colour.near(output.pixel(x: 200, y: 200), expected), "orientation \(orientation), area \(corner)")
        }
    }
}
