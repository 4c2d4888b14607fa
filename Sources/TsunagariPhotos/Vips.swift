import CVips
import Foundation

/// libvips through the CVips shim: loading it once, and each call turned into Swift
/// values and typed errors. Everything here is internal; the module's public types
/// are the API.
enum Vips {
    /// The environment variable that names another library file to open (a path, or a
    /// soname such as `libvips.42.dylib` on macOS). Unset: `libvips.so.42`.
    static let libraryVariable = "TSUNAGARI_LIBVIPS"

    /// nil when libvips is loaded and initialised, else why not. Loaded on first use,
    /// once per process (a static is initialised exactly once, thread-safely).
    static let loadFailure: String? = {
        let library = ProcessInfo.processInfo.environment[libraryVariable].flatMap { $0.isEmpty ? nil : $0 }
        let status = library.map { tv_load($0) } ?? tv_load(nil)
        if status == TV_OK { return nil }
        return tv_load_error().map { String(cString: $0) } ?? "libvips could not be loaded"
    }()

    static func requireLoaded() throws(PhotoError) {
        if let loadFailure { throw .unavailable(reason: loadFailure) }
    }

    /// "8.14.1", or nil when not loaded.
    static var version: String? {
        guard loadFailure == nil else { return nil }
        var major: Int32 = 0, minor: Int32 = 0, micro: Int32 = 0
        tv_version(&major, &minor, &micro)
        return "\(major).\(minor).\(micro)"
    }

    /// The process's accumulated vips error text (cleared by reading), for `corrupt`'s detail.
    static func takeErrorText() -> String {
        guard loadFailure == nil, let text = tv_last_error() else { return "" }
        defer { tv_free(text) }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func code(_ format: PhotoFormat) -> Int32 {
        switch format {
        case .jpeg: Int32(TV_FORMAT_JPEG)
        case .png: Int32(TV_FORMAT_PNG)
        case .webp: Int32(TV_FORMAT_WEBP)
        }
    }

    /// A failed call, as the error the caller reports.
    static func failure(_ status: Int32, doing what: String) -> PhotoError {
        if status == TV_ERR_UNAVAILABLE { return .unavailable(reason: loadFailure ?? "libvips is not loaded") }
        let text = takeErrorText()
        return .corrupt(detail: text.isEmpty ? what : "\(what): \(text)")
    }

    /// The name of the vips loader that recognises the bytes, without "VipsForeignLoad"
    /// and "Buffer" ("Gif", "Svg", "Magick"), or nil when none does.
    static func loaderName(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard loadFailure == nil, let base = bytes.baseAddress else { return nil }
        var name = [CChar](repeating: 0, count: 128)
        guard tv_find_loader(base, bytes.count, &name, name.count) == 0 else { return nil }
        var text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VipsForeignLoad") { text.removeFirst("VipsForeignLoad".count) }
        for suffix in ["Buffer", "Source"] where text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text.isEmpty ? nil : text
    }

    /// What a header says.
    struct Header {
        var width: Int
        var height: Int
        var pages: Int
        var orientation: Int
        var fields: [String]
    }

    /// Reads the header with `format`'s loader only; decodes no pixel.
    static func probe(_ bytes: UnsafeRawBufferPointer, format: PhotoFormat, fields wantFields: Bool = false)
        throws(PhotoError) -> Header
    {
        try requireLoaded()
        guard let base = bytes.baseAddress else { throw .notAnImage }
        var width: Int32 = 0, height: Int32 = 0, pages: Int32 = 0, orientation: Int32 = 0
        var fields: UnsafeMutablePointer<CChar>?
        let status = wantFields
            ? tv_probe(base, bytes.count, code(format), &width, &height, &pages, &orientation, &fields)
            : tv_probe(base, bytes.count, code(format), &width, &height, &pages, &orientation, nil)
        guard status == TV_OK else { throw failure(status, doing: "reading the \(format.displayName) header") }
        var names: [String] = []
        if let fields {
            names = String(cString: fields).split(separator: "\n").map(String.init)
            tv_free(fields)
        }
        return Header(width: Int(width), height: Int(height), pages: max(1, Int(pages)),
                      orientation: (1...8).contains(orientation) ? Int(orientation) : 1, fields: names)
    }

    /// Decodes, crops (stored pixels, full resolution), resizes, orients and encodes; see `tv_process`.
    static func process(_ bytes: UnsafeRawBufferPointer, format: PhotoFormat, shrink: Int, crop: CropRect,
                        sizes: [PixelSize], quality: Int) throws(PhotoError) -> [Rendition]
    {
        try requireLoaded()
        guard let base = bytes.baseAddress, !sizes.isEmpty else { throw .notAnImage }
        let widths = sizes.map { Int32($0.width) }, heights = sizes.map { Int32($0.height) }
        var outputs = [tv_rendition](repeating: tv_rendition(), count: sizes.count)
        let status = tv_process(base, bytes.count, code(format), Int32(shrink),
                                Int32(crop.x), Int32(crop.y), Int32(crop.width), Int32(crop.height),
                                widths, heights, Int32(sizes.count), Int32(quality), &outputs)
        guard status == TV_OK else { throw failure(status, doing: "decoding the \(format.displayName) image") }
        defer { for output in outputs { tv_free(output.data) } }
        return outputs.map { output in
            let jpeg = output.data.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: output.length)) } ?? []
            return Rendition(size: PixelSize(width: Int(output.width), height: Int(output.height)), jpeg: jpeg)
        }
    }

    /// 8-bit sRGB pixels, transparency on white, without orientation applied.
    static func decodeRGB(_ bytes: UnsafeRawBufferPointer, format: PhotoFormat) throws(PhotoError) -> Raster {
        try requireLoaded()
        guard let base = bytes.baseAddress else { throw .notAnImage }
        var pixels: UnsafeMutableRawPointer?
        var length = 0
        var width: Int32 = 0, height: Int32 = 0
        let status = tv_decode_rgb(base, bytes.count, code(format), &pixels, &length, &width, &height)
        guard status == TV_OK, let pixels else { throw failure(status, doing: "decoding the \(format.displayName) image") }
        defer { tv_free(pixels) }
        let expected = Int(width) * Int(height) * 3
        guard length == expected else { throw .corrupt(detail: "decoded \(length) bytes, expected \(expected)") }
        return Raster(width: Int(width), height: Int(height), bands: 3,
                      pixels: [UInt8](UnsafeRawBufferPointer(start: pixels, count: length)))
    }

    /// Encodes a raster; see `tv_encode`.
    static func encode(_ raster: Raster, format: Int32, quality: Int, pageHeight: Int) throws(PhotoError) -> [UInt8] {
        try requireLoaded()
        // libvips reads width × height × bands bytes from the buffer, whatever its length.
        guard raster.pixels.count == raster.width * raster.height * raster.bands else {
            throw .corrupt(detail: "a raster of \(raster.pixels.count) bytes is not \(raster.width)×\(raster.height)×\(raster.bands)")
        }
        var output: UnsafeMutableRawPointer?
        var length = 0
        let status = raster.pixels.withUnsafeBytes { pixels in
            tv_encode(pixels.baseAddress, Int32(raster.width), Int32(raster.height), Int32(raster.bands),
                      format, Int32(quality), Int32(pageHeight), &output, &length)
        }
        guard status == TV_OK, let output else { throw failure(status, doing: "encoding a generated image") }
        defer { tv_free(output) }
        return [UInt8](UnsafeRawBufferPointer(start: output, count: length))
    }
}
