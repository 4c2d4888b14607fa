import Foundation

/// Reads an image without processing it: what its header says, or its pixels. For
/// checking outputs (tests, the benchmark) and for operators looking at stored files.
public enum PhotoInspector {
    /// What a JPEG, PNG or WebP header says.
    public struct Inspection: Sendable, Hashable {
        public var format: PhotoFormat
        /// As stored, before orientation.
        public var size: PixelSize
        /// Frames (more than 1 for an animation).
        public var pages: Int
        /// EXIF orientation, 1–8 (1 when there is none).
        public var orientation: Int
        /// The metadata libvips found, by its names: "exif-data", "exif-ifd3-GPSLatitude",
        /// "xmp-data", "icc-profile-data", "orientation", …, besides the basic header
        /// fields ("width", "height", "bands", …).
        public var metadataFields: [String]
    }

    /// The header of a JPEG, PNG or WebP (other formats are refused as uploads are).
    public static func inspect(_ bytes: [UInt8], limits: PhotoLimits = .standard) throws(PhotoError) -> Inspection {
        try withBytes(of: bytes) { buffer throws(PhotoError) in
            let format = try PhotoProcessor(limits: limits).admit(buffer)
            let header = try Vips.probe(buffer, format: format, fields: true)
            return Inspection(format: format, size: PixelSize(width: header.width, height: header.height),
                              pages: header.pages, orientation: header.orientation, metadataFields: header.fields)
        }
    }

    /// The pixels of a JPEG, PNG or WebP as 8-bit sRGB (3 bands, transparency on white),
    /// as stored (orientation not applied). The pixel limit applies.
    public static func decodeRGB(_ bytes: [UInt8], limits: PhotoLimits = .standard) throws(PhotoError) -> Raster {
        try withBytes(of: bytes) { buffer throws(PhotoError) in
            let processor = PhotoProcessor(limits: limits)
            let format = try processor.admit(buffer)
            let header = try Vips.probe(buffer, format: format)
            try processor.checkPixels(width: header.width, height: header.height)
            return try Vips.decodeRGB(buffer, format: format)
        }
    }
}
