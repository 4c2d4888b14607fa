import Foundation
import Testing
@testable import TsunagariCore

/// The copies of connection lists: kept while the graph's stamp stays, read again when it moves, never kept for a
/// member the graph does not know or for a list longer than the bound; pages found by halving as a scan finds them.
@Suite struct ConnectionListsTests {
    final class Reads: @unchecked Sendable {
        var count = 0
    }

    static func rows(_ count: Int, of member: MemberID, seed: UInt64) -> [Connection] {
        var generator = Xorshift(seed: seed)
        return (0..<count).map { index in
            // Few distinct times, so that many rows share one and the ids order them.
            let millis = Double(Int.random(in: 0..<max(1, count / 3), using: &generator)) * 1000
            return Connection(member: member, other: MemberID(String(format: "m%05d", index)), connectedAt: Date(timeIntervalSince1970: 1_700_000_000 + millis / 1000))
        }.shuffled(using: &generator)
    }

    @Test func aCopyIsKeptWhileTheStampStays() async throws {
        let lists = ConnectionLists(longestKept: 100, rowLimit: 250)
        let ann = MemberID("ann")
        let stored = Self.rows(40, of: ann, seed: 1)
        let reads = Reads()
        func list(_ stamp: UInt64?, _ rows: [Connection] = stored) async throws -> [Connection] {
            try await lists.rows(of: ann, stamp: stamp) { reads.count += 1; return rows }
        }
        let first = try await list(7)
        #expect(first == stored.sorted(by: ConnectionLists.precedes) && reads.count == 1)
        #expect(try await list(7) == first && reads.count == 1)
        // The graph's list moved: read again, whatever the rows.
        let fewer = Array(stored.dropFirst())
        #expect(try await list(8, fewer) == fewer.sorted(by: ConnectionLists.precedes) && reads.count == 2)
        #expect(try await list(8).count == 39 && reads.count == 2)
        // A member the graph does not know: read every time, kept never.
        #expect(try await list(nil).count == 40 && reads.count == 3)
        #expect(try await list(nil).count == 40 && reads.count == 4)
        #expect(try await list(8).count == 39 && reads.count == 4)
    }

    @Test func longListsAreNotKeptAndAFullMapStartsOver() async throws {
        let lists = ConnectionLists(longestKept: 100, rowLimit: 250)
        let reads = Reads()
        func list(_ name: String, _ count: Int) async throws -> Int {
            let member = MemberID(name)
            return try await lists.rows(of: member, stamp: 1) { reads.count += 1; return Self.rows(count, of: member, seed: 2) }.count
        }
        #expect(try await list("long", 101) == 101 && reads.count == 1)
        #expect(try await list("long", 101) == 101 && reads.count == 2)
        #expect(!lists.keeps(101) && lists.keeps(100))
        // 100 + 100 rows are kept; the third list of 100 passes the limit of 250 and the map starts over with it.
        _ = try await list("a", 100)
        _ = try await list("b", 100)
        _ = try await list("a", 100)
        _ = try await list("b", 100)
        #expect(reads.count == 4)
        _ = try await list("c", 100)
        _ = try await list("c", 100)
        #expect(reads.count == 5)
        _ = try await list("a", 100)
        #expect(reads.count == 6)
    }

    /// The page after any position, found by halving, is what a scan of the list in order finds.
    @Test func pagesFoundByHalvingEqualAScan() {
        let member = MemberID("ann")
        for seed in 1...200 as ClosedRange<UInt64> {
            var generator = Xorshift(seed: seed)
            let sorted = Self.rows(Int.random(in: 0...60, using: &generator), of: member, seed: seed).sorted(by: ConnectionLists.precedes)
            // Positions on rows, between them, before the first and after the last.
            var positions: [(connectedAt: Date, other: MemberID)?] = [nil]
            for row in sorted { positions.append((row.connectedAt, row.other)) }
            positions.append((Date(timeIntervalSince1970: 1_700_000_000 + Double(Int.random(in: -5...30, using: &generator))), MemberID("m0001" + "5")))
            positions.append((Date(timeIntervalSince1970: 0), MemberID("")))
            positions.append((Date(timeIntervalSince1970: 2_000_000_000), MemberID("z")))
            for position in positions {
                let limit = Int.random(in: 1...25, using: &generator)
                let scanned: [Connection]
                if let position {
                    let key = (NetworkService.invertedTime(position.connectedAt), position.other)
                    scanned = Array(sorted.drop { (NetworkService.invertedTime($0.connectedAt), $0.other) <= key }.prefix(limit))
                } else {
                    scanned = Array(sorted.prefix(limit))
                }
                #expect(ConnectionLists.rows(sorted, after: position, limit: limit) == scanned, "seed \(seed)")
            }
        }
    }
}

/// Random numbers that repeat for a seed, so that a failing case can be run again.
private struct Xorshift: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
