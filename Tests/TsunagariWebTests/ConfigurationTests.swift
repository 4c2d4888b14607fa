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
}
