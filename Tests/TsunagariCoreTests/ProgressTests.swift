import Foundation
import Testing
@testable import TsunagariCore

@Suite struct ProgressTests {
    final class FakeTime: @unchecked Sendable {
        var seconds: TimeInterval = 0
        var date: Date { Date(timeIntervalSince1970: 1_000_000 + seconds) }
    }

    @Test func linesComeAtMostEveryIntervalWithRateAndTimeLeftAndAlwaysAtTheEnd() {
        let time = FakeTime()
        let meter = ProgressMeter(interval: 5) { time.date }
        #expect(meter.line("members", done: 0, total: 50_000) == nil)  // just started
        time.seconds = 2
        #expect(meter.line("members", done: 4_000, total: 50_000) == nil)  // within the first interval
        time.seconds = 6
        let line = meter.line("members", done: 12_000, total: 50_000)
        #expect(line?.text == "members: 12,000 of 50,000 (24%), 2,000/s, about 19 s left")
        #expect(line?.finished == false)
        time.seconds = 9
        #expect(meter.line("members", done: 18_000, total: 50_000) == nil)
        // Another phase keeps its own clock.
        #expect(meter.line("connections", done: 0, total: nil) == nil)
        time.seconds = 25
        #expect(meter.line("members", done: 50_000, total: 50_000)?.text == "members: 50,000 in 25 s (2,000/s)")
        #expect(meter.line("members", done: 50_000, total: 50_000) == nil, "a finished phase is shown once")
        time.seconds = 40
        #expect(meter.line("connections", done: 300_000, total: nil)?.text == "connections: 300,000, 9,677/s")  // 31 s since its first report
        time.seconds = 250
        #expect(meter.line("connections", done: 600_000, total: 10_000_000)?.text.hasSuffix("of 10,000,000 (6%), 2,489/s, about 62 min 55 s left") == true)
    }

    @Test func aOneStepPhaseIsShownWhenItEnds() {
        let time = FakeTime()
        let meter = ProgressMeter(interval: 5) { time.date }
        #expect(meter.line("graph index", done: 0, total: nil) == nil)
        time.seconds = 1.25
        #expect(meter.line("graph index", done: 2_000, total: 2_000)?.text == "graph index: 2,000 in 1.2 s (1,600/s)")
    }
}
