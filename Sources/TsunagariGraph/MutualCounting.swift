/// People you may know: for every member two steps from a viewer, how many of the viewer's connections they share,
/// and the best of them.
///
/// A viewer with recruiters among their connections reaches hundreds of thousands of list entries. Counting each
/// straight into a member-sized array (4 MB at a million members) missed the processor's cache on most of them. So the
/// members are counted a bucket of 16,384 at a time, in an array of 64 KB that stays in the cache. A long list is
/// sorted, so each bucket's entries are a run of it, read through a cursor; the short lists, whose run in a bucket is
/// an entry or none, are first spread into buckets by their high bits (docs/BENCHMARKS.md "People you may know,
/// counted by buckets"). The buffers are kept between queries.
struct MutualCounting {
    static let bucketShift = 14

    /// The short lists' entries, grouped by bucket.
    private var spread: [Node] = []
    /// After spreading, `ends[b]` is where bucket `b` ends (and bucket `b + 1` starts).
    private var ends: [Int] = []
    /// The long lists, and how far each has been read.
    private var long: [Node] = []
    private var cursors: [Int] = []
    private var counts = [UInt32](repeating: 0, count: 1 << bucketShift)
    /// One more than a bucket holds: every entry is written at the end, and kept only if it is new.
    private var found = [Node](repeating: 0, count: (1 << bucketShift) + 1)

    /// The `limit` members best by shared connections (then by node), among those reached through `first`'s lists
    /// that are not `known` and that `excluded` does not reject; `excluded` is asked only of those good enough to enter.
    mutating func rank(
        lists: UnsafeBufferPointer<[Node]>, first: [Node], known: Bitset, limit: Int, excluded: (Node) -> Bool
    ) -> [(node: Node, mutualCount: Int)] {
        let shift = Self.bucketShift
        let buckets = (lists.count + (1 << shift) - 1) >> shift
        if ends.count < buckets + 1 { ends = [Int](repeating: 0, count: buckets + 1) }
        // A list with fewer than two entries a bucket would cost a cursor step per bucket for an entry or none: spread.
        long.removeAll(keepingCapacity: true)
        for node in first where lists[Int(node)].count >= buckets * 2 { long.append(node) }
        cursors.removeAll(keepingCapacity: true)
        cursors.append(contentsOf: repeatElement(0, count: long.count))
        let total = spreadByBucket(lists: lists, first: first, buckets: buckets)
        var ranked: [(node: Node, mutualCount: Int)] = []
        ranked.reserveCapacity(min(limit, 1024))
        spread.withUnsafeBufferPointer { spread in
            counts.withUnsafeMutableBufferPointer { counts in
                found.withUnsafeMutableBufferPointer { found in
                    cursors.withUnsafeMutableBufferPointer { cursors in
                        var start = 0
                        var floor: UInt32 = 0
                        for bucket in 0..<buckets {
                            let end = ends[bucket]
                            defer { start = end }
                            let base = Node(bucket << shift)
                            let next = bucket + 1 < buckets ? Node((bucket + 1) << shift) : Node.max
                            // Every entry is counted, the viewer's own connections too (they are few, and passed over
                            // below), without a branch: each is written after the candidates, and kept there only when
                            // its count was zero.
                            var candidates = 0
                            for i in start..<end {
                                let member = spread[i]
                                let slot = Int(member &- base)
                                let count = counts[slot]
                                found[candidates] = member
                                candidates &+= count == 0 ? 1 : 0
                                counts[slot] = count &+ 1
                            }
                            for (k, node) in long.enumerated() {
                                lists[Int(node)].withUnsafeBufferPointer { entries in
                                    var i = cursors[k]
                                    while i < entries.count {
                                        let member = entries[i]
                                        if member >= next { break }
                                        let slot = Int(member &- base)
                                        let count = counts[slot]
                                        found[candidates] = member
                                        candidates &+= count == 0 ? 1 : 0
                                        counts[slot] = count &+ 1
                                        i += 1
                                    }
                                    cursors[k] = i
                                }
                            }
                            // Keep the best `limit` in a small sorted buffer; the counts are cleared as they are read.
                            // Once it is full, a count below its last one's is passed over by one comparison.
                            for k in 0..<candidates {
                                let member = found[k]
                                let slot = Int(member &- base)
                                let count = counts[slot]
                                counts[slot] = 0
                                if count < floor || known.contains(member) { continue }
                                let entry = (node: member, mutualCount: Int(count))
                                if ranked.count == limit, let last = ranked.last, !SocialGraph.better(entry, than: last) { continue }
                                if excluded(member) { continue }
                                let index = ranked.firstIndex { SocialGraph.better(entry, than: $0) } ?? ranked.count
                                ranked.insert(entry, at: index)
                                if ranked.count > limit { ranked.removeLast() }
                                if ranked.count == limit, let last = ranked.last { floor = UInt32(last.mutualCount) }
                            }
                        }
                        precondition(start == total)
                    }
                }
            }
        }
        return ranked
    }

    /// Writes every entry of the short lists among `first` into `spread`, grouped by bucket (a counting sort on the
    /// high bits), and sets `ends`; returns how many entries there are.
    private mutating func spreadByBucket(lists: UnsafeBufferPointer<[Node]>, first: [Node], buckets: Int) -> Int {
        let shift = Self.bucketShift
        let threshold = buckets * 2
        return ends.withUnsafeMutableBufferPointer { ends in
            // ends[b + 1] counts bucket b's entries, then (summed) is where it ends; ends[b] is where it starts.
            for i in 0...buckets { ends[i] = 0 }
            for node in first {
                lists[Int(node)].withUnsafeBufferPointer { next in
                    guard next.count < threshold else { return }
                    for member in next { ends[Int(member >> shift) &+ 1] &+= 1 }
                }
            }
            for bucket in 0..<buckets { ends[bucket + 1] += ends[bucket] }
            let total = ends[buckets]
            if spread.count < total { spread = [Node](repeating: 0, count: total + total / 4) }
            // Each bucket's start is its cursor: after the spread, ends[b] is where bucket b ends.
            spread.withUnsafeMutableBufferPointer { spread in
                for node in first {
                    lists[Int(node)].withUnsafeBufferPointer { next in
                        guard next.count < threshold else { return }
                        for member in next {
                            let bucket = Int(member >> shift)
                            spread[ends[bucket]] = member
                            ends[bucket] &+= 1
                        }
                    }
                }
            }
            return total
        }
    }
}
