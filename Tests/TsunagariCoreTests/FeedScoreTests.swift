import Foundation
import Testing
@testable import TsunagariCore

/// How a feed ranks a post: closer reasons, more connections acting and more engagement rank higher, and age decays
/// every score as `(1 + hours / 12)^-1.5`.
@Suite struct FeedScoreTests {
    @Test func ageDecaysAsThePowerItIsWrittenFor() {
        var random = SystemRandomNumberGenerator()
        let ages = [0, 0.5, 1, 6, 12, 24, 100, 720, 10_000, -5] + (0..<10_000).map { _ in Double.random(in: 0...2_000, using: &random) }
        for age in ages {
            let expected = 1 / pow(1 + max(0, age) / 12, 1.5)
            #expect(abs(FeedScore.decay(ageHours: age) - expected) <= expected * 1e-15, "\(age)")
        }
        #expect(FeedScore.decay(ageHours: 0) == 1)
        #expect(FeedScore.decay(ageHours: 36) == 0.125)
        #expect(FeedScore.decay(ageHours: -1) == 1)
    }

    @Test func closerMoreActedOnAndNewerRankHigher() {
        let base = FeedScore.score(reason: .connectionReacted, actors: 1, engagement: 3, ageHours: 5)
        #expect(FeedScore.score(reason: .connectionPosted, actors: 1, engagement: 3, ageHours: 5) > base)
        #expect(FeedScore.score(reason: .connectionReacted, actors: 3, engagement: 3, ageHours: 5) > base)
        #expect(FeedScore.score(reason: .connectionReacted, actors: 1, engagement: 30, ageHours: 5) > base)
        #expect(FeedScore.score(reason: .connectionReacted, actors: 1, engagement: 3, ageHours: 2) > base)
        // More than five connections acting count as five.
        #expect(
            FeedScore.score(reason: .connectionReacted, actors: 9, engagement: 3, ageHours: 5)
                == FeedScore.score(reason: .connectionReacted, actors: 5, engagement: 3, ageHours: 5))
    }
}
