/// Why an upload was refused. `code` is stable (for the API and logs); `message` is
/// English for the member; `detail` adds what only an operator needs.
public enum PhotoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file is larger than the byte limit.
    case tooLarge(byteCount: Int, limit: Int)
    /// The bytes are no image format at all (text, a document, random data).
    case notAnImage
    /// An image, but not JPEG, PNG or WebP; the format found (e.g. "GIF", "SVG", "HEIC").
    case unsupportedFormat(String)
    /// The header declares more pixels than the limit; refused before decoding.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The image (or the chosen area) is smaller than the use needs.
    case tooSmall(width: Int, height: Int, minimum: PixelSize)
    /// An animation (animated WebP or PNG); profiles show still pictures.
    case animated(PhotoFormat)
    /// The file claims a supported format but cannot be decoded (damaged or truncated).
    case corrupt(detail: String)
    /// The chosen area is empty, not inside the image, or too small.
    case badCrop(CropRect, imageSize: PixelSize)
    /// libvips could not be loaded on this machine.
    case unavailable(reason: String)

    /// A stable identifier, snake case.
    public var code: String {
        switch self {
        case .tooLarge: "too_large"
        case .notAnImage: "not_an_image"
        case .unsupportedFormat: "unsupported_format"
        case .tooManyPixels: "too_many_pixels"
        case .tooSmall: "too_small"
        case .animated: "animated"
        case .corrupt: "corrupt"
        case .badCrop: "bad_crop"
        case .unavailable: "unavailable"
        }
    }

    /// An English sentence for the member who uploaded the file.
    public var message: String {
        switch self {
        case .tooLarge(let byteCount, let limit):
            "The file is \(Self.megabytes(byteCount)); photos can be at most \(Self.megabytes(limit))."
        case .notAnImage:
            "The file is not an image. Upload a JPEG, PNG or WebP picture."
        case .unsupportedFormat(let format):
            "\(format) images are not accepted. Upload a JPEG, PNG or WebP picture."
        case .tooManyPixels(let width, let height, let limit):
            "The image is \(width)×\(height) pixels; at most \(limit / 1_000_000) megapixels are accepted."
        case .tooSmall(let width, let height, let minimum):
            "The picture is \(width)×\(height) pixels; it needs to be at least \(minimum.width)×\(minimum.height)."
        case .animated:
            "Animated images are not accepted. Upload a still JPEG, PNG or WebP picture."
        case .corrupt:
            "The image could not be read; the file may be damaged or incomplete."
        case .badCrop:
            "The chosen area is not inside the picture."
        case .unavailable:
            "Photo uploads are not available on this server at the moment."
        }
    }

    /// What an operator needs beyond the member's message, if anything.
    public var detail: String? {
        switch self {
        case .corrupt(let detail): detail.isEmpty ? nil : detail
        case .unavailable(let reason): reason
        case .badCrop(let crop, let size): "crop \(crop) in a \(size) image"
        case .animated(let format): "animated \(format.displayName)"
        default: nil
        }
    }

    public var description: String {
        if let detail { "\(code): \(message) (\(detail))" } else { "\(code): \(message)" }
    }

    /// "12.0 MB", in mebibytes as the limit is set (10 MB is 10 × 1024 × 1024 bytes).
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024)
        return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10).\(tenths % 10) MB"
    }
}
