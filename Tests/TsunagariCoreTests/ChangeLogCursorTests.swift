import Foundation
import Testing
import TsunagariCore

@Suite struct ChangeLogCursorTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Change 2 commits after 3 was read and the gap was given up on: it is still found, as late, and applied.
    @Test func aGapPassedOverIsAskedForAgainUntilItCommits() {
        var cursor = ChangeLogCursor(applied: 1, anchored: true)
        let waiting = cursor.admit(3, now: t0)  // 2 is missing: wait
        let stillWaiting = cursor.admit(3, now: t0.addingTimeInterval(1.9))
        let passed = cursor.admit(3, now: t0.addingTimeInterval(2))  // given up on: passed over
        #expect(!waiting && !stillWaiting && passed)
        #expect(cursor.applied == 3)
        #expect(cursor.lateSequences(now: t0.addingTimeInterval(3)) == [2])
        cursor.found(2)
        #expect(cursor.lateSequences(now: t0.addingTimeInterval(4)).isEmpty)
    }

    @Test func lateNumbersAreForgottenAfterTheirWindow() {
        var cursor = ChangeLogCursor(applied: 10, anchored: true)
        _ = cursor.admit(14, now: t0)
        let passed = cursor.admit(14, now: t0.addingTimeInterval(ChangeLogCursor.gapWait))
        #expect(passed)
        #expect(cursor.lateSequences(now: t0.addingTimeInterval(60)) == [11, 12, 13])
        #expect(cursor.lateSequences(now: t0.addingTimeInterval(ChangeLogCursor.lateWindow + 3)).isEmpty)
    }

    @Test func anUnanchoredCursorTakesTheFirstNumberAsItComesAndInOrderChangesPassAtOnce() {
        var cursor = ChangeLogCursor()
        let first = cursor.admit(57, now: t0)
        let next = cursor.admit(58, now: t0)
        let again = cursor.admit(58, now: t0)  // already applied
        #expect(first && next && !again)
        #expect(cursor.lateSequences(now: t0).isEmpty)
        cursor.advance(to: 100)
        #expect(cursor.applied == 100)
    }
}
