#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CompressNIO
import NIOCore
import TsunagariCore

/// gzip for pages and static files. libdeflate (Debian's `libdeflate0`) when the system has it, else zlib through
/// compress-nio. A page is compressed whole, from one buffer into another: libdeflate does exactly that and nothing
/// of a stream, and took 20 µs for a 14.5 KB profile page where zlib's fastest level took 35, with smaller output
/// (docs/BENCHMARKS.md "Request path, round 13"). Like libvips, the library is opened at run time: the build needs no
/// header, and a machine without it compresses with zlib.
public struct GzipEncoder: Sendable {
    public enum Effort: Sendable {
        /// For pages, made for each request: each library's fastest level.
        case fast
        /// For static files, compressed once at start: each library's smallest output.
        case smallest
    }

    /// The library in use, for the start-up log.
    public var engine: String { library == nil ? "zlib" : "libdeflate" }

    private let library: Libdeflate?

    /// The encoder every response uses: libdeflate when it opens.
    public static let shared = GzipEncoder(library: Libdeflate.soname)

    /// `library` names the libdeflate to open (`nil`, or a library that does not open: zlib).
    init(library name: String?) {
        library = name.flatMap(Libdeflate.init(opening:))
    }

    /// `bytes` as one gzip member; nil if the library failed (no memory), and the bytes are then sent as they are.
    public func compress(_ bytes: [UInt8], effort: Effort) -> ByteBuffer? {
        if let library {
            return library.compress(bytes, level: effort == .fast ? 1 : 12)
        }
        var input = ByteBuffer(bytes: bytes)
        let configuration = ZlibConfiguration(compressionLevel: effort == .fast ? 1 : 9)
        return try? input.compress(with: .gzip(configuration: configuration))
    }
}

/// libdeflate's four functions, resolved once. A compressor holds its tables (a few hundred KB at level 12) and is
/// not for two threads at once: each level keeps a few for reuse.
private final class Libdeflate: @unchecked Sendable {
    static let soname = "libdeflate.so.0"

    private typealias Allocate = @convention(c) (Int32) -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias Bound = @convention(c) (OpaquePointer?, Int) -> Int
    private typealias Compress = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int) -> Int

    private let allocate: Allocate
    private let free: Free
    private let bound: Bound
    private let gzip: Compress
    /// Compressors not in use, by level.
    private let idle = LockedValue<[Int32: [OpaquePointer]]>([:])
    private static let idleKept = 16

    init?(opening name: String) {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { return nil }
        guard let allocate = dlsym(handle, "libdeflate_alloc_compressor"),
            let free = dlsym(handle, "libdeflate_free_compressor"),
            let bound = dlsym(handle, "libdeflate_gzip_compress_bound"),
            let gzip = dlsym(handle, "libdeflate_gzip_compress")
        else {
            dlclose(handle)
            return nil
        }
        self.allocate = unsafeBitCast(allocate, to: Allocate.self)
        self.free = unsafeBitCast(free, to: Free.self)
        self.bound = unsafeBitCast(bound, to: Bound.self)
        self.gzip = unsafeBitCast(gzip, to: Compress.self)
    }

    func compress(_ bytes: [UInt8], level: Int32) -> ByteBuffer? {
        // No compressor (no memory): the caller sends the bytes as they are.
        guard let compressor = idle.withLock({ $0[level]?.popLast() }) ?? allocate(level) else { return nil }
        defer {
            let kept = idle.withLock { idle in
                guard idle[level, default: []].count < Self.idleKept else { return false }
                idle[level, default: []].append(compressor)
                return true
            }
            if !kept { free(compressor) }
        }
        let capacity = bound(compressor, bytes.count)
        var output = ByteBuffer()
        output.reserveCapacity(capacity)
        let written = output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { space in
            bytes.withUnsafeBytes { input in
                // 0 only when the output does not fit, which the bound rules out.
                gzip(compressor, input.baseAddress, input.count, space.baseAddress, capacity)
            }
        }
        return written > 0 ? output : nil
    }
}
