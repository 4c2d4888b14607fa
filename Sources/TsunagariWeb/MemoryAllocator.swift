/// Which `malloc` the server runs with (`--allocator`, `TSUNAGARI_ALLOCATOR`).
///
/// A page allocates and frees thousands of small objects on several threads. The C library's allocator serves them
/// from shared arenas: under load threads waited on an arena's lock, and a large allocation after many small frees
/// merged them one by one (`malloc_consolidate`). jemalloc keeps a cache per thread: the same build served the
/// profile page in 9–15% less CPU with it, and the feed in 7–17% less (docs/BENCHMARKS.md, "Request path, round 12"). A `malloc` cannot be swapped once the process runs, so `serve` starts itself again with the library
/// preloaded (`LD_PRELOAD`) before it opens anything; the process keeps its id.
public enum MemoryAllocator: Sendable, Equatable {
    /// jemalloc when it is installed (Debian's `libjemalloc2`), else the C library's.
    case automatic
    /// The C library's.
    case system
    /// A `malloc` library to preload, by absolute path.
    case library(String)

    /// The libraries `automatic` looks for, in order, in `folders`.
    static let libraryNames = ["libjemalloc.so.2"]
    static let folders = [
        "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib",
    ]
    /// Set in the environment of the process started again: the library it asked for, so that it does not start
    /// itself once more and can tell whether the library was loaded.
    public static let preloadedVariable = "TSUNAGARI_ALLOCATOR_PRELOADED"

    public init?(parsing raw: String) {
        switch raw {
        case "auto": self = .automatic
        case "system": self = .system
        default:
            guard raw.hasPrefix("/") else { return nil }
            self = .library(raw)
        }
    }

    /// What to do at start.
    public enum Plan: Sendable, Equatable {
        /// Run on as this process is; `description` says with which allocator, for the log (a warning when `expected`
        /// was not met).
        case keep(description: String, expected: Bool)
        /// Start again with this environment (the library in `LD_PRELOAD`).
        case startAgain(library: String, environment: [String: String])
    }

    /// - Parameters:
    ///   - environment: this process's.
    ///   - exists: whether a file is there.
    ///   - isLoaded: whether a library file is mapped into this process (`/proc/self/maps`).
    public func plan(environment: [String: String], exists: (String) -> Bool, isLoaded: (String) -> Bool) -> Plan {
        if let asked = environment[Self.preloadedVariable], !asked.isEmpty {
            return isLoaded(asked)
                ? .keep(description: asked, expected: true)
                : .keep(description: "the C library's malloc: \(asked) could not be preloaded", expected: false)
        }
        let preloaded = environment["LD_PRELOAD"] ?? ""
        switch self {
        case .system:
            return .keep(description: "the C library's malloc", expected: true)
        case .automatic:
            // The operator preloads something already: theirs to choose.
            if !preloaded.isEmpty { return .keep(description: "as preloaded by LD_PRELOAD=\(preloaded)", expected: true) }
            for folder in Self.folders {
                for name in Self.libraryNames where exists(folder + "/" + name) {
                    return startAgain(with: folder + "/" + name, environment: environment)
                }
            }
            return .keep(description: "the C library's malloc (libjemalloc2 is not installed)", expected: true)
        case .library(let path):
            guard exists(path) else {
                return .keep(description: "the C library's malloc: \(path) does not exist", expected: false)
            }
            return startAgain(with: path, environment: environment)
        }
    }

    private func startAgain(with library: String, environment: [String: String]) -> Plan {
        var environment = environment
        let preloaded = environment["LD_PRELOAD"] ?? ""
        environment["LD_PRELOAD"] = preloaded.isEmpty ? library : library + ":" + preloaded
        environment[Self.preloadedVariable] = library
        return .startAgain(library: library, environment: environment)
    }
}
