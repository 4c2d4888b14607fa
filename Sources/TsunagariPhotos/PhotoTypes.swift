/// The image formats a member may upload. Everything else is refused before a decoder
/// sees it: each decoder is attack surface, and these three cover every phone and browser.
public enum PhotoFormat: String, Sendable, Hashable, CaseIterable {
    case jpeg
    case png
    case webp

    /// The name shown to members.
    public var displayName: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .webp: "WebP"
        }
    }
}

/// A width and height in pixels.
public struct PixelSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)" }
}

/// A rectangle a member chose in the uploaded image, in that image's pixels as it is
/// displayed, that is after its EXIF orientation is applied (browsers show it rotated,
/// and the member picks on what they see).
public struct CropRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height) at (\(x), \(y))" }
}

/// What the image is for; each use has its own shape and sizes.
public enum PhotoKind: String, Sendable, Hashable, CaseIterable {
    /// The member's face: square, shown at 400 px on the profile and 100 px in lists.
    case photo
    /// The strip across the top of a profile: 4:1, LinkedIn's 1584×396 and its half.
    case banner

    /// The sizes produced, largest first.
    public var sizes: [PixelSize] {
        switch self {
        case .photo: [PixelSize(width: 400, height: 400), PixelSize(width: 100, height: 100)]
        case .banner: [PixelSize(width: 1584, height: 396), PixelSize(width: 792, height: 198)]
        }
    }

    /// The smallest picture (or chosen area) accepted: smaller ones would be blown up
    /// into a blur on the page.
    public var minimumSize: PixelSize {
        switch self {
        case .photo: PixelSize(width: 100, height: 100)
        case .banner: PixelSize(width: 400, height: 100)
        }
    }

    /// The name used in messages.
    var displayName: String {
        switch self {
        case .photo: "a profile photo"
        case .banner: "a banner"
        }
    }
}

/// The limits applied to every upload.
public struct PhotoLimits: Sendable, Hashable {
    /// Larger files are refused before anything reads them. Phones' JPEGs are 2 to 6 MB.
    public var maxBytes: Int
    /// Width × height, checked from the file's header before any pixel is decoded: a
    /// small file can declare a huge image (a "decompression bomb").
    public var maxPixels: Int
    /// JPEG quality of the outputs (1–100).
    public var jpegQuality: Int

    public init(maxBytes: Int = 10 * 1024 * 1024, maxPixels: Int = 50_000_000, jpegQuality: Int = 85) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.jpegQuality = min(100, max(1, jpegQuality))
    }

    /// 10 MiB, 50 megapixels, quality 85.
    public static let standard = PhotoLimits()
}

/// One encoded size of a processed image.
public struct Rendition: Sendable, Hashable {
    public var size: PixelSize
    /// A baseline JPEG, 8-bit sRGB, with no metadata at all (no EXIF, XMP, IPTC or ICC).
    public var jpeg: [UInt8]

    public init(size: PixelSize, jpeg: [UInt8]) {
        self.size = size
        self.jpeg = jpeg
    }
}

/// The result of processing an upload.
public struct ProcessedPhoto: Sendable, Hashable {
    public var kind: PhotoKind
    /// The uploaded file's format.
    public var sourceFormat: PhotoFormat
    /// The uploaded image's size as displayed (after its EXIF orientation).
    public var sourceSize: PixelSize
    /// The uploaded file's length in bytes.
    public var sourceByteCount: Int
    /// The area of the source that the renditions show, in displayed pixels.
    public var crop: CropRect
    /// One per size of `kind.sizes`, in that order (largest first).
    public var renditions: [Rendition]

    public init(kind: PhotoKind, sourceFormat: PhotoFormat, sourceSize: PixelSize, sourceByteCount: Int,
                crop: CropRect, renditions: [Rendition]) {
        self.kind = kind
        self.sourceFormat = sourceFormat
        self.sourceSize = sourceSize
        self.sourceByteCount = sourceByteCount
        self.crop = crop
        self.renditions = renditions
    }

    /// The rendition of the given size, if it was produced.
    public func rendition(_ size: PixelSize) -> Rendition? {
        renditions.first { $0.size == size }
    }
}
