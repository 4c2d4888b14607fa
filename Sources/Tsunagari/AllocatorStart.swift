import Foundation
import TsunagariWeb

#if canImport(Glibc)
import Glibc
#endif

/// Puts `MemoryAllocator`'s plan into effect for `serve`.
enum AllocatorStart {
    /// Returns what this process runs with; when the plan is to start again with a library preloaded, it does not
    /// return unless that failed.
    static func apply(_ allocator: MemoryAllocator) -> (description: String, expected: Bool) {
        let plan = allocator.plan(
            environment: ProcessInfo.processInfo.environment,
            exists: { FileManager.default.fileExists(atPath: $0) },
            isLoaded: isLoaded)
        switch plan {
        case .keep(let description, let expected):
            return (description, expected)
        case .startAgain(let library, let environment):
            #if os(Linux)
            let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
            let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            execve("/proc/self/exe", arguments, variables)
            let failure = String(cString: strerror(errno))
            arguments.forEach { free($0) }
            variables.forEach { free($0) }
            return ("the C library's malloc: could not start again with \(library) (\(failure))", false)
            #else
            return ("the system's malloc", true)
            #endif
        }
    }

    /// Whether the library (after its links are followed) is mapped into this process.
    private static func isLoaded(_ library: String) -> Bool {
        // Read to its end: a file of /proc tells no size.
        guard let data = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd(),
            let maps = String(data: data, encoding: .utf8)
        else { return false }
        let target = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
        return maps.split(separator: "\n").contains { $0.hasSuffix(" " + target) || $0.hasSuffix(" " + library) }
    }
}
