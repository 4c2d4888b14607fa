import Foundation
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Counts shown before their nouns are grouped by threes, as a recruiter's 19,343 connections should read.
@Suite("Counted text")
struct TextCountTests {
    @Test func countsAreGroupedByThrees() {
        #expect(Text.connectionsCount.counted(19_343, .en) == "19,343 connections")
        #expect(Text.connectionsCount.counted(19_343, .ja) == "19,343人のつながり")
        #expect(Text.connectionsCount.counted(0, .en) == "0 connections")
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Foundation.Locale(identifier: "en_US")
        for count in [0, 7, 999, 1_000, 12_345, 999_999, 1_000_000, 123_456_789, -4_321] {
            #expect(Text.grouped(count) == formatter.string(from: NSNumber(value: count)), "\(count)")
        }
    }
}
