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

@Suite struct ReplayToEndTests {
    /// A log with a number that never commits (3): the start-up replay passes it as the running replay would after its
    /// wait, reads on to the end, and keeps 3 to ask for again.
    @Test func aGapIsPassedAndTheLogIsReadToItsEnd() async throws {
        let log: [Int64] = [1, 2, 4, 5, 6]
        var cursor = ChangeLogCursor()
        var applied: [Int64] = []
        var passes = 0
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let total = try await ChangeLogCursor.replayToEnd(from: t0) { now in
            passes += 1
            var count = 0
            for sequence in log where sequence > cursor.applied {
                guard cursor.admit(sequence, now: now) else { break }
                applied.append(sequence)
                count += 1
            }
            return count
        }
        #expect(total == 5 && applied == log)
        #expect(cursor.lateSequences(now: t0.addingTimeInterval(10)) == [3])
        #expect(passes <= 6)
    }

    @Test func anEmptyLogEndsAtOnce() async throws {
        var passes = 0
        #expect(try await ChangeLogCursor.replayToEnd { _ in passes += 1; return 0 } == 0)
        #expect(passes == 2)
    }
}
