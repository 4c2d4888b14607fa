import Dispatch
import Foundation

/// Times `PhotoProcessor.process` on one input, for capacity planning (see docs/PHOTOS.md).
public enum PhotoBenchmark {
    /// Timings of repeated processing of one input, in milliseconds.
    public struct Result: Sendable, Hashable, CustomStringConvertible {
        public var kind: PhotoKind
        public var inputBytes: Int
        public var inputSize: PixelSize
        public var iterations: Int
        /// Images processed at once in each timed round (each timing is the whole round's).
        public var concurrency: Int
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
        public var mean: Double
        /// The process's peak resident memory after the runs (Linux VmHWM), if readable.
        public var peakResidentBytes: Int?

        public var description: String {
            var text = "photos \(kind.rawValue): \(inputSize) JPEG of \(inputBytes) bytes, \(iterations) runs"
            text += concurrency > 1 ? " of \(concurrency) at once: " : ": "
            text += String(format: "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms", p50, p90, p99, max, mean)
            if let peakResidentBytes { text += ", peak RSS \(peakResidentBytes / (1024 * 1024)) MiB" }
            return text
        }
    }

    /// Processes `input` once to warm up, then `iterations` times, timing each. With
    /// `concurrency` above 1, each timed round processes that many copies at once, on as
    /// many threads (the processor's gate still applies).
    public static func run(input: [UInt8], kind: PhotoKind = .photo, iterations: Int = 20, concurrency: Int = 1,
                           processor: PhotoProcessor = PhotoProcessor()) throws(PhotoError) -> Result
    {
        let warm = try processor.process(input, kind: kind)
        let concurrency = Swift.max(1, concurrency)
        var timings: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<Swift.max(1, iterations) {
            let failure = Failure()
            let elapsed = clock.measure {
                DispatchQueue.concurrentPerform(iterations: concurrency) { _ in
                    do throws(PhotoError) { _ = try processor.process(input, kind: kind) } catch { failure.record(error) }
                }
            }
            if let error = failure.error { throw error }
            timings.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        timings.sort()
        return Result(kind: kind, inputBytes: input.count, inputSize: warm.sourceSize, iterations: timings.count,
                      concurrency: concurrency,
                      p50: percentile(timings, 0.50), p90: percentile(timings, 0.90), p99: percentile(timings, 0.99),
                      max: timings.last ?? 0, mean: timings.reduce(0, +) / Double(timings.count),
                      peakResidentBytes: peakResidentBytes())
    }

    /// The benchmark's input: a generated 12-megapixel (4000×3000) photograph.
    public static func syntheticInput(seed: UInt64 = 1) throws(PhotoError) -> [UInt8] {
        try PhotoSynth.photograph(width: 4000, height: 3000, seed: seed)
    }

    /// The first error of a round's threads.
    private final class Failure: @unchecked Sendable {
        private let lock = NSLock()
        private var first: PhotoError?

        func record(_ error: PhotoError) { lock.withLock { if first == nil { first = error } } }

        var error: PhotoError? { lock.withLock { first } }
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(sorted.count, Swift.max(1, rank)) - 1]
    }

    /// The process's peak resident set size (VmHWM in /proc/self/status), nil where there is none.
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.dropFirst("VmHWM:".count).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }

    /// A command line over the benchmark, for an executable whose whole `main` is
    /// `exit(PhotoBenchmark.commandLine(Array(CommandLine.arguments.dropFirst())))`:
    ///
    ///     synth FILE [WIDTH HEIGHT]                  write the generated photograph (default 4000×3000)
    ///     run FILE [ITERATIONS] [KIND] [AT-ONCE]     time processing FILE (default 20 runs, photo, 1 at once)
    ///
    /// `run` reads the file and processes it only, so its peak RSS is processing's own.
    public static func commandLine(_ arguments: [String]) -> Int32 {
        func fail(_ message: String) -> Int32 {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return 1
        }
        guard PhotoProcessor.isAvailable else { return fail("photos unavailable: \(PhotoProcessor.unavailableReason ?? "")") }
        switch arguments.first {
        case "synth" where arguments.count == 2 || arguments.count == 4:
            let width = arguments.count == 4 ? Int(arguments[2]) ?? 4000 : 4000
            let height = arguments.count == 4 ? Int(arguments[3]) ?? 3000 : 3000
            do {
                let bytes = try PhotoSynth.photograph(width: width, height: height)
                try Data(bytes).write(to: URL(fileURLWithPath: arguments[1]))
                print("wrote \(arguments[1]): \(width)×\(height), \(bytes.count) bytes")
                return 0
            } catch {
                return fail("synth: \(error)")
            }
        case "run" where (2...5).contains(arguments.count):
            let iterations = arguments.count >= 3 ? Int(arguments[2]) ?? 20 : 20
            let kind = arguments.count >= 4 ? PhotoKind(rawValue: arguments[3]) : .photo
            guard let kind else { return fail("kind is photo or banner") }
            let concurrency = arguments.count == 5 ? Int(arguments[4]) ?? 1 : 1
            guard let data = FileManager.default.contents(atPath: arguments[1]) else { return fail("cannot read \(arguments[1])") }
            let before = peakResidentBytes()
            do {
                let result = try run(input: [UInt8](data), kind: kind, iterations: iterations, concurrency: concurrency)
                print("libvips \(PhotoProcessor.libraryVersion ?? "?")")
                if let before { print("peak RSS before processing: \(before / (1024 * 1024)) MiB") }
                print(result)
                return 0
            } catch {
                return fail("run: \(error)")
            }
        default:
            return fail("usage: synth FILE [WIDTH HEIGHT] | run FILE [ITERATIONS] [photo|banner] [AT-ONCE]")
        }
    }
}
