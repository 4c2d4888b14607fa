import Foundation
import Testing
@testable import TsunagariWeb

/// Times in the API and pages are written by calendar arithmetic, as Foundation's ISO 8601 format style writes them.
@Suite struct TimeFormatTests {
    @Test func timesAreWrittenAsTheFormatStyleWritesThem() {
        let style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
        var generator = SystemRandomNumberGenerator()
        // Around now, across the years written by arithmetic, at day and year boundaries, and fractions of a second.
        var dates = (0..<20_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_208_988_800..<253_402_300_800, using: &generator)) }
        dates += (0..<2_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 1.7e9..<1.9e9, using: &generator)) }
        dates += [0, -1, -0.5, 0.999, 86_399.9, 951_782_400, 951_868_799, 4_107_542_400, -2_208_988_800, 253_402_300_799.9]
            .map { Date(timeIntervalSince1970: $0) }
        for date in dates {
            #expect(Represent.timeString(date) == date.formatted(style), "\(date.timeIntervalSince1970)")
        }
        #expect(Represent.timeString(Date(timeIntervalSince1970: 1_796_467_807)) == "2026-12-05T10:50:07Z")
        // Outside the years 1900–9999 the format style writes them.
        for seconds in [-2_208_988_800.5, -62_135_596_801, 253_402_300_800, 3e11] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Represent.timeString(date) == date.formatted(style))
        }
    }

    @Test func pageTimesAreTheCalendarsToTheMinute() {
        var generator = SystemRandomNumberGenerator()
        var dates = (0..<5_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_208_988_800..<253_402_300_800, using: &generator)) }
        dates += (0..<1_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 1.7e9..<1.9e9, using: &generator)) }
        dates += [0, -1, -0.5, 59.999, 60, 86_399.9, 951_782_400, -2_208_988_800.5, 253_402_300_800].map { Date(timeIntervalSince1970: $0) }
        for date in dates {
            #expect(MessagingPages.time(date) == MessagingPages.calendarTime(date), "\(date.timeIntervalSince1970)")
        }
        #expect(MessagingPages.time(Date(timeIntervalSince1970: 1_796_467_807)) == "2026-12-05 10:50")
    }
}
