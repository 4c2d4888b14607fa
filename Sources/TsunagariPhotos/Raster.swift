import CVips

/// Uncompressed 8-bit pixels, row by row: 1 band (grey), 3 (RGB) or 4 (RGBA). Used to
/// generate pictures and to look at decoded ones.
public struct Raster: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let bands: Int
    public private(set) var pixels: [UInt8]

    /// `pixels.count` must be `width × height × bands`; otherwise the raster is blank.
    public init(width: Int, height: Int, bands: Int, pixels: [UInt8]) {
        self.width = max(1, width)
        self.height = max(1, height)
        self.bands = min(4, max(1, bands))
        let expected = self.width * self.height * self.bands
        self.pixels = pixels.count == expected ? pixels : [UInt8](repeating: 0, count: expected)
    }

    /// A raster of one colour (`colour` has one value per band; missing ones are 255).
    public init(width: Int, height: Int, bands: Int = 3, colour: [UInt8]) {
        let bands = min(4, max(1, bands))
        let pixel = (0..<bands).map { $0 < colour.count ? colour[$0] : 255 }
        let total = max(1, width) * max(1, height) * bands
        // Doubling copies: a few memcpys instead of a loop per pixel.
        var pixels = pixel
        pixels.reserveCapacity(total)
        while pixels.count < total { pixels += pixels.prefix(total - pixels.count) }
        self.init(width: width, height: height, bands: bands, pixels: pixels)
    }

    /// The pixel at (x, y), one value per band; nil outside the raster.
    public func pixel(x: Int, y: Int) -> [UInt8]? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let start = (y * width + x) * bands
        return Array(pixels[start..<start + bands])
    }

    /// Paints a rectangle (clipped to the raster).
    public mutating func fill(_ rect: CropRect, colour: [UInt8]) {
        let (xEnd, xOverflow) = rect.x.addingReportingOverflow(rect.width)
        let (yEnd, yOverflow) = rect.y.addingReportingOverflow(rect.height)
        let left = max(0, rect.x), top = max(0, rect.y)
        let right = xOverflow ? width : min(width, xEnd), bottom = yOverflow ? height : min(height, yEnd)
        guard left < right, top < bottom else { return }
        let pixel = (0..<bands).map { $0 < colour.count ? colour[$0] : 255 }
        var row = pixel
        let rowLength = (right - left) * bands
        while row.count < rowLength { row += row.prefix(rowLength - row.count) }
        for y in top..<bottom {
            let start = (y * width + left) * bands
            pixels.replaceSubrange(start..<start + rowLength, with: row)
        }
    }

    /// The file formats a raster can be written as.
    public enum FileFormat: Sendable, Hashable {
        case jpeg(quality: Int)
        case png
        case webp(quality: Int)
        /// Only for producing input that must be refused.
        case gif
    }

    /// The raster as a file, with no metadata. `pageHeight` > 0 makes a WebP or GIF
    /// animation of frames that tall. JPEG needs 1 or 3 bands.
    public func encoded(as format: FileFormat, pageHeight: Int = 0) throws(PhotoError) -> [UInt8] {
        switch format {
        case .jpeg(let quality): try Vips.encode(self, format: Int32(TV_FORMAT_JPEG), quality: quality, pageHeight: pageHeight)
        case .png: try Vips.encode(self, format: Int32(TV_FORMAT_PNG), quality: 0, pageHeight: pageHeight)
        case .webp(let quality): try Vips.encode(self, format: Int32(TV_FORMAT_WEBP), quality: quality, pageHeight: pageHeight)
        case .gif: try Vips.encode(self, format: Int32(TV_FORMAT_GIF), quality: 0, pageHeight: pageHeight)
        }
    }
}
