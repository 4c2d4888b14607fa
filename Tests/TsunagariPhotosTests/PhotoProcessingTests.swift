import Foundation
import Testing
import TsunagariPhotos

/// Accepted uploads: every format in, exact JPEG sizes out, transparency, the 12-megapixel
/// phone-sized photo, and the generated pictures.
@Suite("Processing accepted photos", .enabled(if: Libvips.shouldRun, Libvips.skipNotice))
struct PhotoProcessingTests {
    let processor = PhotoProcessor()

    /// A picture with some structure, so the encoders have something to do.
    static func sample(width: Int = 640, height: Int = 480, bands: Int = 3) -> Raster {
        var raster = Raster(width: width, height: height, bands: bands, colour: [40, 110, 180, 255])
        raster.fill(CropRect(x: width / 4, y: height / 4, width: width / 2, height: height / 2), colour: [230, 180, 40, 255])
        return raster
    }

    /// Every rendition is a complete JPEG that decodes to exactly its stated size.
    static func expectValidRenditions(_ photo: ProcessedPhoto) throws {
        #expect(photo.renditions.map(\.size) == photo.kind.sizes)
        for rendition in photo.renditions {
            #expect(ImageBytes.isCompleteJPEG(rendition.jpeg), "rendition \(rendition.size) is not a complete JPEG")
            let inspection = try PhotoInspector.inspect(rendition.jpeg)
            #expect(inspection.format == .jpeg)
            #expect(inspection.size == rendition.size)
            let decoded = try PhotoInspector.decodeRGB(rendition.jpeg)
            #expect(decoded.width == rendition.size.width && decoded.height == rendition.size.height)
        }
    }

    @Test("libvips loads (required under CI)")
    func libvipsLoads() {
        #expect(PhotoProcessor.isAvailable, "libvips did not load: \(PhotoProcessor.unavailableReason ?? "")")
        #expect(PhotoProcessor.unavailableReason == nil)
        #expect(PhotoProcessor.libraryVersion?.hasPrefix("8.") == true)
    }

    @Test("A JPEG becomes a 400 and a 100 pixel square", arguments: PhotoKind.allCases)
    func jpeg(kind: PhotoKind) throws {
        let input = try Self.sample(width: 1800, height: 1200).encoded(as: .jpeg(quality: 90))
        let photo = try processor.process(input, kind: kind)
        #expect(photo.sourceFormat == .jpeg)
        #expect(photo.sourceSize == PixelSize(width: 1800, height: 1200))
        #expect(photo.sourceByteCount == input.count)
        try Self.expectValidRenditions(photo)
    }

    @Test("A PNG is accepted, its transparency flattened onto white")
    func png() throws {
        var raster = Self.sample(width: 600, height: 600, bands: 4)
        // The left half fully transparent (its colour must not show through).
        raster.fill(CropRect(x: 0, y: 0, width: 300, height: 600), colour: [0, 0, 0, 0])
        let input = try raster.encoded(as: .png)
        let photo = try processor.process(input, kind: .photo)
        #expect(photo.sourceFormat == .png)
        try Self.expectValidRenditions(photo)
        let output = try PhotoInspector.decodeRGB(photo.renditions[0].jpeg)
        #expect(Colour.near(output.pixel(x: 50, y: 200), Colour.white, tolerance: 8))
        // Output (250, 200) is source (375, 300), inside the opaque yellow square.
        #expect(Colour.near(output.pixel(x: 250, y: 200), [230, 180, 40]))
    }

    @Test("A WebP is accepted", arguments: PhotoKind.allCases)
    func webp(kind: PhotoKind) throws {
        let input = try Self.sample(width: 1600, height: 900).encoded(as: .webp(quality: 80))
        let photo = try processor.process(input, kind: kind)
        #expect(photo.sourceFormat == .webp)
        try Self.expectValidRenditions(photo)
    }

    @Test("Greyscale input comes out as an sRGB JPEG")
    func greyscale() throws {
        let input = try Raster(width: 300, height: 300, bands: 1, colour: [128]).encoded(as: .png)
        let photo = try processor.process(input, kind: .photo)
        try Self.expectValidRenditions(photo)
        #expect(Colour.near(try PhotoInspector.decodeRGB(photo.renditions[1].jpeg).pixel(x: 50, y: 50), [128, 128, 128], tolerance: 6))
    }

    @Test("Data input and the async path give the same result")
    func dataAndAsync() async throws {
        let input = try Self.sample().encoded(as: .jpeg(quality: 85))
        let fromArray = try processor.process(input, kind: .photo)
        let fromData = try processor.process(Data(input), kind: .photo)
        let submitted = try await processor.submit(input, kind: .photo)
        let submittedData = try await processor.submit(Data(input), kind: .photo)
        #expect(fromArray == fromData)
        #expect(fromArray == submitted)
        #expect(fromArray == submittedData)
    }

    @Test("A 12-megapixel phone-sized JPEG is processed into both uses", .timeLimit(.minutes(2)))
    func twelveMegapixels() throws {
        let input = try PhotoBenchmark.syntheticInput()
        #expect(input.count > 1_000_000 && input.count < PhotoLimits.standard.maxBytes)
        #expect(try PhotoInspector.inspect(input).size == PixelSize(width: 4000, height: 3000))
        for kind in PhotoKind.allCases {
            let photo = try processor.process(input, kind: kind)
            #expect(photo.sourceSize == PixelSize(width: 4000, height: 3000))
            try Self.expectValidRenditions(photo)
        }
        let photo = try processor.process(input, kind: .photo)
        #expect(photo.crop == CropRect(x: 500, y: 0, width: 3000, height: 3000))
    }

    @Test("Generated portraits are deterministic 600-pixel JPEGs that are accepted as photos")
    func portraits() throws {
        let first = try PhotoSynth.portrait(seed: 7, initials: "Émi Kato")
        #expect(first == (try PhotoSynth.portrait(seed: 7, initials: "Émi Kato")))
        #expect(first != (try PhotoSynth.portrait(seed: 8, initials: "Émi Kato")))
        #expect(try PhotoInspector.inspect(first).size == PixelSize(width: 600, height: 600))
        try Self.expectValidRenditions(try processor.process(first, kind: .photo))
        // Initials the font lacks (kanji) leave a plain disc rather than failing.
        #expect(try PhotoInspector.inspect(try PhotoSynth.portrait(seed: 1, initials: "佐藤", size: 200)).size.width == 200)
        // The disc's centre is white where a letter is; the letters are white.
        let raster = PhotoSynth.portraitRaster(seed: 3, initials: "I")
        #expect(raster.pixel(x: 300, y: 300) == [255, 255, 255])
    }

    @Test("The benchmark reports ordered percentiles and the peak memory")
    func benchmark() throws {
        let input = try PhotoSynth.photograph(width: 1200, height: 900, seed: 5)
        let result = try PhotoBenchmark.run(input: input, kind: .photo, iterations: 5)
        #expect(result.iterations == 5)
        #expect(result.inputSize == PixelSize(width: 1200, height: 900))
        #expect(result.p50 > 0 && result.p50 <= result.p90 && result.p90 <= result.p99 && result.p99 <= result.max)
        #expect((result.peakResidentBytes ?? 0) > 0)
        #expect(result.description.contains("p50"))
        let paired = try PhotoBenchmark.run(input: input, kind: .banner, iterations: 2, concurrency: 2)
        #expect(paired.concurrency == 2 && paired.iterations == 2)
        #expect(paired.description.contains("2 at once"))
    }
}
