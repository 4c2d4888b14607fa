import Foundation
import Testing
@testable import TsunagariQR

/// Runs the real decoder, zbarimg from Debian's zbar-tools, on PNGs written by the encoder.
///
/// Findings that shaped this helper (zbar 0.23.92):
/// - `--raw -q -Sbinary` prints the symbol's bytes with no trailing newline and no
///   separator between symbols, so it is run once per file (about 20 ms each). It still
///   honours an ECI designator (an ECI 3 symbol came back converted from Latin-1), so with
///   ECI 26 or no ECI at all the output is exactly the encoded bytes.
/// - `--raw -q` without `-Sbinary` converts the bytes to UTF-8 text and appends a newline.
///   With the ECI 26 designator it returns UTF-8 text exactly; without it zbar guesses the
///   character set and, for example, turns "héllo" into Shift JIS mojibake.
enum ZBar {
    static let path = "/usr/bin/zbarimg"
    static let missingMessage = "zbarimg (Debian zbar-tools) is required: apt-get install zbar-tools"

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// CI must never skip the decoder checks silently: there the tests run and fail when it is missing.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// For `.enabled(if:)`: on a developer machine without zbar-tools the decoder tests are
    /// skipped; under CI=true they run so that the missing tool is reported as a failure.
    static var shouldRun: Bool { isInstalled || isRequired }

    /// Stops the test with a failure that says what to install.
    static func requireInstalled() throws {
        guard isInstalled else { throw MissingDecoder() }
    }

    /// Thrown rather than recorded, so each test reports the missing tool exactly once.
    struct MissingDecoder: Error, CustomStringConvertible {
        var description: String { ZBar.missingMessage }
    }

    enum Output {
        /// `-Sbinary`: the symbol's bytes untouched.
        case binary
        /// Default output: zbar's charset conversion to UTF-8, newline stripped.
        case text
    }

    /// A scratch directory per call, so tests running in parallel never share files.
    static func withScratchDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tsunagari-qr-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    /// Decodes one PNG; nil when zbar found no symbol.
    static func decode(png: [UInt8], output: Output = .binary) throws -> [UInt8]? {
        try withScratchDirectory { directory in
            let file = directory.appendingPathComponent("code.png")
            try Data(png).write(to: file)
            return try decode(file: file, output: output)
        }
    }

    static func decode(file: URL, output: Output) throws -> [UInt8]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        var arguments = ["--nodbus", "--raw", "-q"]
        if output == .binary { arguments.append("-Sbinary") }
        process.arguments = arguments + [file.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read before waiting, so a large symbol cannot fill the pipe and stall zbarimg.
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var bytes = [UInt8](data)
        if output == .text, bytes.last == UInt8(ascii: "\n") {
            bytes.removeLast()
        }
        return bytes
    }

    /// Encodes every text at its level, writes the PNGs, decodes each with zbarimg and
    /// expects the exact UTF-8 bytes back. Returns the symbols so callers can check their
    /// versions without encoding again (encoding is slow in unoptimised test builds).
    @discardableResult
    static func expectRoundTrips(
        _ cases: [(text: String, correction: QRErrorCorrection)],
        scale: Int = 2,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [QRCode] {
        try requireInstalled()
        return try withScratchDirectory { directory in
            try cases.enumerated().map { index, item in
                let code = try QRCode(encoding: item.text, correction: item.correction)
                let file = directory.appendingPathComponent("case-\(index).png")
                try Data(code.png(scale: scale)).write(to: file)
                let decoded = try decode(file: file, output: .binary)
                let exact = isExact(decoded, item.text)
                #expect(
                    exact,
                    "\(item.text.count) characters at \(item.correction) (version \(code.version)): \(describe(decoded))",
                    sourceLocation: sourceLocation
                )
                return code
            }
        }
    }

    /// A plain Bool, so a failure prints the short description instead of two long byte arrays.
    static func isExact(_ decoded: [UInt8]?, _ text: String) -> Bool {
        decoded == Array(text.utf8)
    }

    static func describe(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "no symbol decoded" }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.count > 80 ? "decoded \(bytes.count) bytes starting \(text.prefix(80))…" : "decoded \"\(text)\""
    }
}
