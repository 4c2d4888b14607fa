import Dispatch
import Foundation

/// Turns an uploaded picture into the JPEGs the pages show.
///
/// Checks run cheapest first and decode nothing until everything that can be judged
/// from the bytes and the header has passed: size in bytes, format (by signature; only
/// JPEG, PNG and WebP reach a decoder), declared pixel count, animation, and the
/// minimum size. Then the image is decoded once, cropped, flattened onto white,
/// resized, turned upright by its EXIF orientation, converted to sRGB and encoded with
/// no metadata at all: a phone photo's EXIF carries the GPS position it was taken at.
public struct PhotoProcessor: Sendable {
    public let limits: PhotoLimits
    /// Bounds how many images are decoded at once, across every processor sharing it.
    public let gate: PhotoGate

    public init(limits: PhotoLimits = .standard, gate: PhotoGate = .shared) {
        self.limits = limits
        self.gate = gate
    }

    /// Whether libvips could be loaded; processing throws `unavailable` when not.
    public static var isAvailable: Bool { Vips.loadFailure == nil }

    /// Why libvips is not available (e.g. "cannot open libvips.so.42 (…); install the
    /// libvips42 package"), or nil when it is.
    public static var unavailableReason: String? { Vips.loadFailure }

    /// The libvips version in use ("8.14.1"), or nil when unavailable.
    public static var libraryVersion: String? { Vips.version }

    // MARK: Processing

    /// Processes on the calling thread. The checks run at once; the decoding first waits
    /// (blocking the thread) for a place in the gate.
    public func process(_ bytes: [UInt8], kind: PhotoKind, crop: CropRect? = nil) throws(PhotoError) -> ProcessedPhoto {
        try withBytes(of: bytes) { buffer throws(PhotoError) in try processNow(buffer, kind: kind, crop: crop) }
    }

    /// As `process(_:kind:crop:)` for `Data`.
    public func process(_ data: Data, kind: PhotoKind, crop: CropRect? = nil) throws(PhotoError) -> ProcessedPhoto {
        try withBytes(of: data) { buffer throws(PhotoError) in try processNow(buffer, kind: kind, crop: crop) }
    }

    /// For servers: the checks run at once; the decoding waits for a place in the gate
    /// without blocking a thread, then runs on a Dispatch worker thread, so neither the
    /// request's task nor Swift's cooperative pool is held during the tenth of a second
    /// (or more) that decoding takes.
    public func submit(_ bytes: [UInt8], kind: PhotoKind, crop: CropRect? = nil) async throws(PhotoError) -> ProcessedPhoto {
        let plan = try withBytes(of: bytes) { buffer throws(PhotoError) in try self.plan(buffer, kind: kind, crop: crop) }
        await gate.acquire()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<ProcessedPhoto, PhotoError>, Never>) in
            DispatchQueue.global(qos: .userInitiated).async {
                let result = Result { () throws(PhotoError) -> ProcessedPhoto in
                    try withBytes(of: bytes) { buffer throws(PhotoError) in try render(plan, from: buffer) }
                }
                gate.release()
                continuation.resume(returning: result)
            }
        }
        return try result.get()
    }

    /// As `submit(_:kind:crop:)` for `Data`.
    public func submit(_ data: Data, kind: PhotoKind, crop: CropRect? = nil) async throws(PhotoError) -> ProcessedPhoto {
        // Checked here so an oversized body is not copied.
        if data.count > limits.maxBytes { throw .tooLarge(byteCount: data.count, limit: limits.maxBytes) }
        return try await submit([UInt8](data), kind: kind, crop: crop)
    }

    func processNow(_ bytes: UnsafeRawBufferPointer, kind: PhotoKind, crop: CropRect?) throws(PhotoError) -> ProcessedPhoto {
        let plan = try plan(bytes, kind: kind, crop: crop)
        gate.acquireBlocking()
        defer { gate.release() }
        return try render(plan, from: bytes)
    }

    /// What to decode and how, decided from the bytes and the header alone.
    struct Plan {
        var kind: PhotoKind
        var format: PhotoFormat
        /// The source as displayed (after EXIF orientation).
        var displayed: PixelSize
        /// The part kept, in displayed pixels, and the same pixels in the stored image.
        var area: CropRect
        var storedArea: CropRect
        /// Decode-time reduction (1, 2, 4 or 8).
        var shrink: Int
    }

    /// Every check that needs no decoding: the refusals happen here, outside the gate, so a
    /// bad upload never waits behind other members' photos.
    func plan(_ bytes: UnsafeRawBufferPointer, kind: PhotoKind, crop: CropRect?) throws(PhotoError) -> Plan {
        let format = try admit(bytes)
        let header = try Vips.probe(bytes, format: format)
        if header.pages > 1 { throw .animated(format) }
        try checkPixels(width: header.width, height: header.height)

        let orientation = Orientation(exif: header.orientation)
        let stored = PixelSize(width: header.width, height: header.height)
        let displayed = orientation.displayedSize(of: stored)
        let minimum = kind.minimumSize
        if displayed.width < minimum.width || displayed.height < minimum.height {
            throw .tooSmall(width: displayed.width, height: displayed.height, minimum: minimum)
        }

        // The member's area (or the whole picture), then the largest centred part of it
        // with the shape of the output.
        let region: CropRect
        if let crop {
            guard crop.isInside(displayed) else { throw .badCrop(crop, imageSize: displayed) }
            region = crop
        } else {
            region = CropRect(x: 0, y: 0, width: displayed.width, height: displayed.height)
        }
        let largest = kind.sizes[0]
        let area = region.centredCover(aspect: largest)
        if area.width < minimum.width || area.height < minimum.height {
            throw .tooSmall(width: area.width, height: area.height, minimum: minimum)
        }

        let storedArea = orientation.storedRect(area, storedSize: stored)
        // PNG has no decode-time scaling.
        let shrink = format == .png
            ? 1
            : Self.decodeShrink(area: storedArea, target: orientation.swapsAxes
                ? PixelSize(width: largest.height, height: largest.width) : largest)
        return Plan(kind: kind, format: format, displayed: displayed, area: area, storedArea: storedArea, shrink: shrink)
    }

    /// The decoding and encoding. Runs inside the gate.
    func render(_ plan: Plan, from bytes: UnsafeRawBufferPointer) throws(PhotoError) -> ProcessedPhoto {
        let renditions = try Vips.process(bytes, format: plan.format, shrink: plan.shrink, crop: plan.storedArea,
                                          sizes: plan.kind.sizes, quality: limits.jpegQuality)
        return ProcessedPhoto(kind: plan.kind, sourceFormat: plan.format, sourceSize: plan.displayed,
                              sourceByteCount: bytes.count, crop: plan.area, renditions: renditions)
    }

    /// The checks that need no decoder beyond reading a header: byte size, signature,
    /// declared size and APNG's animation chunk. Returns the format to decode with.
    func admit(_ bytes: UnsafeRawBufferPointer) throws(PhotoError) -> PhotoFormat {
        if bytes.count > limits.maxBytes { throw .tooLarge(byteCount: bytes.count, limit: limits.maxBytes) }
        if bytes.isEmpty { throw .notAnImage }
        switch ImageSniffer.identify(bytes) {
        case .accepted(let declared):
            if declared.animated { throw .animated(declared.format) }
            if let size = declared.size {
                // An interlaced PNG is decoded whole rather than streamed, up to 8 bytes a
                // pixel: a quarter of the limit keeps it to what a streamed image costs.
                let limit = declared.interlaced ? limits.maxPixels / 4 : limits.maxPixels
                try checkPixels(width: size.width, height: size.height, limit: limit)
            }
            try Vips.requireLoaded()
            return declared.format
        case .refused(let name):
            throw .unsupportedFormat(name)
        case .unknown:
            // vips's sniffers know more formats than ours; use one only to name the refusal.
            if let name = Vips.loaderName(bytes) { throw .unsupportedFormat(name.uppercased()) }
            throw .notAnImage
        }
    }

    func checkPixels(width: Int, height: Int, limit: Int? = nil) throws(PhotoError) {
        let limit = limit ?? limits.maxPixels
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > limit {
            throw .tooManyPixels(width: width, height: height, limit: limit)
        }
        if width < 1 || height < 1 { throw .corrupt(detail: "the header declares a \(width)×\(height) image") }
    }

    /// How much smaller the JPEG or WebP decoder should decode (1, 2, 4 or 8): libjpeg's
    /// DCT scaling skips most of the decoding work, and libwebp's scaling shrinks the
    /// frame it holds in memory. It keeps at least twice the target size, so the final
    /// resampling still has pixels to average (libvips's thumbnailer uses the same rule).
    static func decodeShrink(area: CropRect, target: PixelSize) -> Int {
        let factor = min(Double(area.width) / Double(target.width), Double(area.height) / Double(target.height))
        if factor >= 16 { return 8 }
        if factor >= 8 { return 4 }
        if factor >= 4 { return 2 }
        return 1
    }
}

extension CropRect {
    /// Non-empty and entirely inside an image of `size` (computed without overflow, the
    /// values come from a request).
    func isInside(_ size: PixelSize) -> Bool {
        x >= 0 && y >= 0 && width > 0 && height > 0
            && x <= size.width && width <= size.width - x
            && y <= size.height && height <= size.height - y
    }

    /// The largest rectangle with `aspect`'s proportions inside this one, centred.
    func centredCover(aspect: PixelSize) -> CropRect {
        // Compare width/height with aspect.width/aspect.height without division.
        if width * aspect.height > height * aspect.width {
            let fitted = max(1, min(width, (height * aspect.width + aspect.height / 2) / aspect.height))
            return CropRect(x: x + (width - fitted) / 2, y: y, width: fitted, height: height)
        } else {
            let fitted = max(1, min(height, (width * aspect.height + aspect.width / 2) / aspect.width))
            return CropRect(x: x, y: y + (height - fitted) / 2, width: width, height: fitted)
        }
    }
}

/// An EXIF orientation: how the stored pixels must be turned to be seen upright.
struct Orientation: Equatable {
    /// 1 to 8, as in the EXIF Orientation tag (1 = as stored).
    let exif: Int

    init(exif: Int) {
        self.exif = (1...8).contains(exif) ? exif : 1
    }

    /// 5 to 8 turn the picture a quarter, exchanging width and height.
    var swapsAxes: Bool { exif >= 5 }

    func displayedSize(of stored: PixelSize) -> PixelSize {
        swapsAxes ? PixelSize(width: stored.height, height: stored.width) : stored
    }

    /// A rectangle of the displayed picture as the same pixels in the stored one.
    func storedRect(_ r: CropRect, storedSize: PixelSize) -> CropRect {
        let w = storedSize.width, h = storedSize.height
        switch exif {
        case 2: return CropRect(x: w - r.x - r.width, y: r.y, width: r.width, height: r.height)
        case 3: return CropRect(x: w - r.x - r.width, y: h - r.y - r.height, width: r.width, height: r.height)
        case 4: return CropRect(x: r.x, y: h - r.y - r.height, width: r.width, height: r.height)
        case 5: return CropRect(x: r.y, y: r.x, width: r.height, height: r.width)
        case 6: return CropRect(x: r.y, y: h - r.x - r.width, width: r.height, height: r.width)
        case 7: return CropRect(x: w - r.y - r.height, y: h - r.x - r.width, width: r.height, height: r.width)
        case 8: return CropRect(x: w - r.y - r.height, y: r.x, width: r.height, height: r.width)
        default: return r
        }
    }
}

/// `withUnsafeBytes` keeping the closure's typed error (the standard library's is `rethrows`).
func withBytes<T>(of bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(PhotoError) -> T) throws(PhotoError) -> T {
    let result = bytes.withUnsafeBytes { buffer in Result { () throws(PhotoError) -> T in try body(buffer) } }
    return try result.get()
}
