import Foundation

/// Members' connection lists with their times, newest first, kept in memory while the graph's list of the member is
/// as it was when the copy was read (`ConnectionGraph.listStamp`). A list of connections is the one list of people
/// that came from the database on every request, a page of rows at a time; a copy answers its pages, its filters and
/// its order by name without a trip there.
///
/// The copy is exactly as current as the graph that decides who may see the list and what degree each person is:
/// a change made on this instance raises the stamp as soon as it is applied; one made on another instance, when this
/// instance replays the graph's change log (within 250 ms). The stamp is taken before the read, so a copy read
/// across a change is stored under the stamp of before it and read again at the next request.
///
/// Only lists of up to `longestKept` connections are kept (a recruiter's tens of thousands are read a page at a time
/// from storage, as before, not read whole again after each new connection), and at most `rowLimit` rows in all;
/// past that the map starts over.
public final class ConnectionLists: Sendable {
    private struct Kept {
        let stamp: UInt64
        let rows: [Connection]
    }

    private let kept = LockedValue((lists: [MemberID: Kept](), rows: 0))
    public let longestKept: Int
    public let rowLimit: Int

    public init(longestKept: Int = 5_000, rowLimit: Int = 500_000) {
        self.longestKept = longestKept
        self.rowLimit = rowLimit
    }

    /// `member`'s connections newest first, then by id (`ConnectionLists.precedes`): the copy when the graph's stamp
    /// is still `stamp`, else `read()`'s rows, sorted and kept under it. Nil `stamp` (a member the graph does not know)
    /// reads and keeps nothing.
    func rows(of member: MemberID, stamp: UInt64?, read: () async throws -> [Connection]) async throws -> [Connection] {
        if let stamp, let copy = kept.withLock({ $0.lists[member] }), copy.stamp == stamp { return copy.rows }
        let rows = try await read().sorted(by: Self.precedes)
        if let stamp, rows.count <= longestKept {
            kept.withLock { kept in
                if kept.rows + rows.count > rowLimit { kept = ([:], 0) }
                kept.rows += rows.count - (kept.lists[member]?.rows.count ?? 0)
                kept.lists[member] = Kept(stamp: stamp, rows: rows)
            }
        }
        return rows
    }

    /// Whether the list keeps a member's list of `count` connections whole.
    func keeps(_ count: Int) -> Bool { count <= longestKept }

    /// The order of a list newest first: the later time first, then the smaller id, as the database's page reads order
    /// them (`NetworkStore.connections(of:after:limit:)`).
    static func precedes(_ a: Connection, _ b: Connection) -> Bool {
        let (x, y) = (NetworkService.invertedTime(a.connectedAt), NetworkService.invertedTime(b.connectedAt))
        return x != y ? x < y : a.other < b.other
    }

    /// The rows of `sorted` after `position` (a time and an id in the list's order), at most `limit`: found by halving.
    static func rows(_ sorted: [Connection], after position: (connectedAt: Date, other: MemberID)?, limit: Int) -> [Connection] {
        guard let position else { return Array(sorted.prefix(limit)) }
        let time = NetworkService.invertedTime(position.connectedAt)
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            let row = sorted[middle]
            let rowTime = NetworkService.invertedTime(row.connectedAt)
            if rowTime < time || (rowTime == time && row.other <= position.other) { low = middle + 1 } else { high = middle }
        }
        return Array(sorted[low..<min(sorted.count, low + limit)])
    }
}
