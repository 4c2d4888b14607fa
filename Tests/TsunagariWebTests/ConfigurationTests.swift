import Testing
import TsunagariCore
@testable import TsunagariWeb

@Suite struct ConfigurationTests {
    @Test func flagsWinOverTheEnvironmentWhichWinsOverDefaults() throws {
        let defaults = try AppConfiguration.resolve(flags: [:], environment: [:])
        #expect(defaults.port == 8080 && defaults.bcryptCost == 12 && defaults.rateLimits == .standard)
        #expect(defaults.networkLimits.invitationsPerWeek == 100 && defaults.networkLimits.pendingInvitations == 500)
        let config = try AppConfiguration.resolve(
            flags: ["--port": "9000", "--invitations-per-week": "20"],
            environment: ["TSUNAGARI_PORT": "7000", "TSUNAGARI_RATE_LIMITS": "relaxed", "TSUNAGARI_PENDING_INVITATIONS": "7"])
        #expect(config.port == 9000)
        #expect(config.rateLimits == .relaxed)
        #expect(config.networkLimits.invitationsPerWeek == 20)
        #expect(config.networkLimits.pendingInvitations == 7)
    }

    @Test func everyBadValueIsNamed() {
        do {
            _ = try AppConfiguration.resolve(
                flags: ["--port": "99999", "--bcrypt-cost": "4"], environment: ["TSUNAGARI_RATE_LIMITS": "fast", "DATABASE_URL": "mysql://x"])
            Issue.record("accepted bad values")
        } catch let error as AppConfiguration.Invalid {
            #expect(error.problems.count == 4)
            for name in ["--port", "--bcrypt-cost", "TSUNAGARI_RATE_LIMITS", "DATABASE_URL"] {
                #expect(error.description.contains(name), "\(name) not named")
            }
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func theAllocatorIsParsedAndAnUninstalledLibraryRefused() throws {
        #expect(try AppConfiguration.resolve(flags: [:], environment: [:]).allocator == .automatic)
        #expect(try AppConfiguration.resolve(flags: [:], environment: ["TSUNAGARI_ALLOCATOR": "system"]).allocator == .system)
        #expect(try AppConfiguration.resolve(flags: ["--allocator": "/bin/sh"], environment: [:]).allocator == .library("/bin/sh"))
        for (raw, expected) in [("jemalloc", "absolute path"), ("/no/such/libjemalloc.so.2", "no file is there")] {
            #expect {
                try AppConfiguration.resolve(flags: ["--allocator": raw], environment: [:])
            } throws: { error in
                let text = "\(error)"
                return text.contains("--allocator") && text.contains(expected)
            }
        }
    }

    @Test func theAllocatorPlanStartsAgainOnceWithTheLibraryPreloaded() {
        let jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
        let installed: (String) -> Bool = { $0 == jemalloc || $0 == "/opt/mimalloc.so" }
        let none: (String) -> Bool = { _ in false }
        let base = ["PATH": "/usr/bin", "LD_PRELOAD": ""]

        // Automatic: the installed jemalloc, with the rest of the environment kept.
        let plan = MemoryAllocator.automatic.plan(environment: base, exists: installed, isLoaded: none)
        guard case .startAgain(let library, let environment) = plan else {
            Issue.record("\(plan)")
            return
        }
        #expect(library == jemalloc)
        #expect(environment["LD_PRELOAD"] == jemalloc && environment["PATH"] == "/usr/bin")
        #expect(environment[MemoryAllocator.preloadedVariable] == jemalloc)
        // The process started again does not start once more; it says whether the library was loaded.
        #expect(
            MemoryAllocator.automatic.plan(environment: environment, exists: installed, isLoaded: { $0 == jemalloc })
                == .keep(description: jemalloc, expected: true))
        if case .keep(_, let expected) = MemoryAllocator.automatic.plan(environment: environment, exists: installed, isLoaded: none) {
            #expect(!expected)
        } else {
            Issue.record("started again twice")
        }

        // Nothing installed, or the C library's asked for: run on.
        #expect(MemoryAllocator.automatic.plan(environment: base, exists: none, isLoaded: none).startsAgain == false)
        #expect(MemoryAllocator.system.plan(environment: base, exists: installed, isLoaded: none).startsAgain == false)
        // An operator's own LD_PRELOAD is theirs under automatic; an explicit library goes in front of it.
        let theirs = ["LD_PRELOAD": "/opt/other.so"]
        #expect(MemoryAllocator.automatic.plan(environment: theirs, exists: installed, isLoaded: none).startsAgain == false)
        guard case .startAgain(_, let both) = MemoryAllocator.library("/opt/mimalloc.so").plan(environment: theirs, exists: installed, isLoaded: none)
        else {
            Issue.record("the library was not preloaded")
            return
        }
        #expect(both["LD_PRELOAD"] == "/opt/mimalloc.so:/opt/other.so")
        #expect(MemoryAllocator.library("/opt/gone.so").plan(environment: base, exists: installed, isLoaded: none).startsAgain == false)
    }
}

extension MemoryAllocator.Plan {
    var startsAgain: Bool {
        if case .startAgain = self { return true }
        return false
    }
}
