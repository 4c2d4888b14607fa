import CompressNIO
import Foundation
import NIOCore
import Testing

@testable import TsunagariWeb

/// Pages and static files are gzip-compressed by libdeflate when it is installed, by zlib otherwise. Each output is
/// read back by zlib's inflate (through compress-nio), which checks the member's CRC-32 and length: for libdeflate's
/// output that is another implementation reading it, as a browser would.
@Suite("gzip")
struct GzipTests {
    /// Both encoders where libdeflate opens; zlib alone where it does not.
    static var encoders: [GzipEncoder] {
        let libdeflate = GzipEncoder(library: "libdeflate.so.0")
        return libdeflate.engine == "libdeflate" ? [libdeflate, GzipEncoder(library: nil)] : [GzipEncoder(library: nil)]
    }

    static func inflate(_ compressed: ByteBuffer) throws -> [UInt8] {
        var buffer = compressed
        return Array(try buffer.decompress(with: .gzip()).readableBytesView)
    }

    /// A page's kind of text: markup repeated with names in two scripts, and an escape now and then.
    static func pageLike(bytes: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        let pieces = ["<li class=\"person\"><a href=\"/in/", "hanako-mori", "\">森 花子</a>", "<span class=\"badge\">2nd</span>",
                      "営業部長 · 東京", "Sales lead at Acme", "&amp;", "</li>\n", "<p class=\"muted\">共通のつながり 12人</p>"]
        var out: [UInt8] = []
        while out.count < bytes { out += Array(pieces.randomElement(using: &generator)!.utf8) }
        return Array(out.prefix(bytes))
    }

    @Test func libdeflateIsUsedWhereInstalledAndRequiredUnderCI() {
        let installed = GzipEncoder(library: "libdeflate.so.0").engine == "libdeflate"
        // The shared encoder is the one pages use: it takes libdeflate whenever it opens.
        #expect(GzipEncoder.shared.engine == (installed ? "libdeflate" : "zlib"))
        if runningUnderCI {
            #expect(installed, "CI installs libdeflate0: pages would be compressed by zlib")
        }
        // A library that is not there, or is not libdeflate: zlib.
        #expect(GzipEncoder(library: "libno-such-library.so.9").engine == "zlib")
        #expect(GzipEncoder(library: "libz.so.1").engine == "zlib")
        #expect(GzipEncoder(library: nil).engine == "zlib")
    }

    @Test func everyOutputInflatesToItsInput() throws {
        var generator = SeededGenerator(seed: 13)
        var inputs: [[UInt8]] = [[], [0x41], Array("<!doctype html>".utf8), Array(repeating: 0x20, count: 100_000)]
        inputs += [1_023, 14_522, 62_448, 300_000].map { Self.pageLike(bytes: $0, seed: UInt64($0)) }
        // Random bytes: nothing to find, so the output is larger than the input; the bound must hold.
        inputs += [1, 4_096, 200_000].map { count in (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        for encoder in Self.encoders {
            for effort in [GzipEncoder.Effort.fast, .smallest] {
                for input in inputs {
                    let compressed = try #require(encoder.compress(input, effort: effort))
                    #expect(Array(compressed.readableBytesView.prefix(3)) == [0x1F, 0x8B, 0x08], "\(encoder.engine) \(input.count)")
                    #expect(try Self.inflate(compressed) == input, "\(encoder.engine) \(effort) \(input.count) bytes")
                }
            }
        }
    }

    @Test func aPageShrinksAndTheSmallestEffortIsSmaller() throws {
        let page = Self.pageLike(bytes: 14_522, seed: 1)
        for encoder in Self.encoders {
            let fast = try #require(encoder.compress(page, effort: .fast)).readableBytes
            let smallest = try #require(encoder.compress(page, effort: .smallest)).readableBytes
            #expect(fast < page.count / 3, "\(encoder.engine): \(fast) of \(page.count)")
            #expect(smallest <= fast, "\(encoder.engine): \(smallest) against \(fast)")
        }
    }

    /// libdeflate's compressors are kept for reuse and never used by two requests at once: many pages compressed
    /// at the same time each come back whole.
    @Test func pagesCompressedAtOnceEachComeBackWhole() async throws {
        let pages = (0..<64).map { Self.pageLike(bytes: 2_000 + $0 * 997, seed: UInt64($0)) }
        for encoder in Self.encoders {
            let outputs = await withTaskGroup(of: (Int, ByteBuffer?).self) { group in
                for round in 0..<4 {
                    for (index, page) in pages.enumerated() {
                        group.addTask { (index, encoder.compress(page, effort: round % 2 == 0 ? .fast : .smallest)) }
                    }
                }
                var outputs: [(Int, ByteBuffer?)] = []
                for await output in group { outputs.append(output) }
                return outputs
            }
            #expect(outputs.count == pages.count * 4)
            for (index, compressed) in outputs {
                #expect(try Self.inflate(try #require(compressed)) == pages[index], "\(encoder.engine) page \(index)")
            }
        }
    }

    /// Static files are compressed once, at the smallest effort, and a page's answer inflates to the page.
    @Test func staticFilesAndPagesAreServedCompressed() async throws {
        let asset = StaticAssets.Asset(data: Self.pageLike(bytes: 17_890, seed: 7), contentType: "text/css")
        let gzipped = try #require(asset.gzipped)
        #expect(try Self.inflate(ByteBuffer(bytes: gzipped)) == asset.data)
        #expect(gzipped.count == GzipEncoder.shared.compress(asset.data, effort: .smallest)?.readableBytes)
        // Nothing to gain: sent as it is.
        var generator = SeededGenerator(seed: 5)
        let noise = StaticAssets.Asset(data: (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &generator) }, contentType: "image/x-test")
        #expect(noise.gzipped == nil)
    }
}
