import Foundation
import Testing
import TsunagariPhotos

/// Whether the tests that need libvips run. On a machine without libvips (the
/// `libvips42` package) they are skipped with a notice; under CI (`CI` set to true, 1 or
/// yes) they run anyway and fail, so a CI image missing the library never passes silently.
enum Libvips {
    static var isRequired: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return ["true", "1", "yes"].contains(value)
    }

    /// For `.enabled(if:)`.
    static var shouldRun: Bool { PhotoProcessor.isAvailable || isRequired }

    static let skipNotice: Comment =
        "libvips is not installed (apt-get install libvips42); skipped here, but CI=true runs these and fails"
}

/// Colours used by the generated test pictures.
enum Colour {
    static let red: [UInt8] = [220, 30, 30]
    static let green: [UInt8] = [30, 200, 60]
    static let blue: [UInt8] = [30, 60, 220]
    static let yellow: [UInt8] = [240, 220, 30]
    static let magenta: [UInt8] = [200, 40, 200]
    static let white: [UInt8] = [255, 255, 255]

    /// Within JPEG's error of `expected`.
    static func near(_ actual: [UInt8]?, _ expected: [UInt8], tolerance: Int = 40) -> Bool {
        guard let actual, actual.count >= 3 else { return false }
        return (0..<3).allSatisfy { abs(Int(actual[$0]) - Int(expected[$0])) <= tolerance }
    }
}

/// The refusal a call throws, for `#expect(refusal { … } == "code")`.
func refusal(_ body: () throws(PhotoError) -> ProcessedPhoto) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}

/// The error a call throws, or nil.
func photoError(_ body: () throws(PhotoError) -> ProcessedPhoto) -> PhotoError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
