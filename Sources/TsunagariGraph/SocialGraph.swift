import CPrefetch
import TsunagariCore

/// A member in the graph: a dense index, assigned by whoever builds the graph.
public typealias Node = UInt32

/// How far a member is from a viewer.
public enum Distance: UInt8, Sendable, Comparable {
    case oneself = 0
    case first = 1
    case second = 2
    case third = 3
    case beyond = 4

    public static func < (a: Distance, b: Distance) -> Bool { a.rawValue < b.rawValue }
}

/// The connection graph in memory: for each member, the sorted array of their connections. Answers
/// degrees, mutual connections, second-degree sizes, triangle-closing candidates and introduction paths
/// without touching storage.
///
/// Readers run concurrently; a change takes the write side of a reader-writer lock for the few
/// microseconds it needs to insert into or remove from two sorted arrays. Queries that walk
/// neighbourhoods use scratch buffers from a pool: bitsets of one bit per member, and people you may
/// know's counts of one bucket of members at a time (`MutualCounting`), so no query allocates a
/// member-sized buffer.
public final class SocialGraph: @unchecked Sendable {
    var adjacency: [[Node]]
    var undirectedEdges = 0
    /// Per node, how many times its list changed; with `layout` (raised when every list is replaced) they tell
    /// whether a neighbourhood is as it was when an answer about it was cached (`neighbourhoodStamp`).
    var versions: [UInt32] = []
    var layout: UInt64 = 0
    let lock = ReadWriteLock()
    private let scratchPool = LockedValue<[Scratch]>([])

    public init(nodeCount: Int = 0) {
        adjacency = Array(repeating: [], count: nodeCount)
    }

    /// Builds from an edge list in two passes (count, then fill exactly sized arrays); self-loops and
    /// duplicates (in either direction) are dropped.
    public init(nodeCount: Int, edges: [(Node, Node)]) {
        var count = max(nodeCount, 0)
        for (a, b) in edges { count = max(count, Int(max(a, b)) + 1) }
        var degrees = [Int](repeating: 0, count: count)
        for (a, b) in edges where a != b {
            degrees[Int(a)] += 1
            degrees[Int(b)] += 1
        }
        var lists = [[Node]]()
        lists.reserveCapacity(count)
        for degree in degrees {
            var list = [Node]()
            list.reserveCapacity(degree)
            lists.append(list)
        }
        for (a, b) in edges where a != b {
            lists[Int(a)].append(b)
            lists[Int(b)].append(a)
        }
        var total = 0
        for i in lists.indices {
            lists[i].sort()
            lists[i] = Self.deduplicated(lists[i])
            total += lists[i].count
        }
        adjacency = lists
        undirectedEdges = total / 2
    }

    private static func deduplicated(_ sorted: [Node]) -> [Node] {
        guard sorted.count > 1 else { return sorted }
        var needsWork = false
        for i in 1..<sorted.count where sorted[i] == sorted[i - 1] {
            needsWork = true
            break
        }
        guard needsWork else { return sorted }
        var result = [Node]()
        result.reserveCapacity(sorted.count)
        for value in sorted where result.last != value { result.append(value) }
        return result
    }

    // MARK: Size

    public var nodeCount: Int { lock.read { adjacency.count } }
    public var edgeCount: Int { lock.read { undirectedEdges } }

    /// Bytes held by the adjacency: the element storage of every list plus each list's header.
    public var memoryBytes: Int {
        lock.read {
            var bytes = adjacency.capacity * MemoryLayout<[Node]>.stride
            for list in adjacency where list.capacity > 0 {
                bytes += list.capacity * MemoryLayout<Node>.stride + 32
            }
            return bytes
        }
    }

    // MARK: Changes

    /// Makes room for `node` (members are added as they sign up).
    public func ensureNode(_ node: Node) {
        lock.write { growIfNeeded(node) }
    }

    private func growIfNeeded(_ node: Node) {
        if Int(node) >= adjacency.count {
            adjacency.append(contentsOf: repeatElement([], count: Int(node) + 1 - adjacency.count))
        }
        if versions.count < adjacency.count { versions.append(contentsOf: repeatElement(0, count: adjacency.count - versions.count)) }
    }

    private func changed(_ node: Node) {
        if versions.count < adjacency.count { versions.append(contentsOf: repeatElement(0, count: adjacency.count - versions.count)) }
        versions[Int(node)] &+= 1
    }

    /// A number that changes whenever the list of `node` changes (or every list is replaced): what is kept about that
    /// list alone, such as its connections' times, is still right while the stamp is the same.
    public func listStamp(of node: Node) -> UInt64 {
        lock.read { layout &<< 32 | UInt64(Int(node) < versions.count ? versions[Int(node)] : 0) }
    }

    /// A number that changes whenever the list of `node` or of any of its connections changes, or whether one of
    /// its connections is `flagged` (hides their list, say): an answer computed from that neighbourhood after the
    /// stamp was taken is still right while the stamp is the same. Versions only grow, so a stamp does not come back.
    /// Asked on every request for suggestions, over all of the viewer's connections: read through buffers, and with no
    /// `flagged` (nobody flagged) nothing asked per connection.
    public func neighbourhoodStamp(of node: Node, flagged: ((Node) -> Bool)? = nil) -> UInt64 {
        lock.read {
            func mix(_ node: Node, _ version: UInt32, _ flag: Bool) -> UInt64 {
                var x = UInt64(node) << 32 | UInt64(version)
                x = (x ^ (flag ? 0xA5A5_A5A5_A5A5_A5A5 : 0)) &* 0x9E37_79B9_7F4A_7C15
                x ^= x >> 29
                x &*= 0xBF58_476D_1CE4_E5B9
                return x ^ (x >> 32)
            }
            var stamp = layout &* 0xD6E8_FEB8_6659_FD93
            guard Int(node) < adjacency.count else { return stamp }
            return versions.withUnsafeBufferPointer { versions in
                func version(_ n: Node) -> UInt32 { Int(n) < versions.count ? versions[Int(n)] : 0 }
                stamp ^= mix(node, version(node), false)
                adjacency[Int(node)].withUnsafeBufferPointer { list in
                    if let flagged {
                        for other in list { stamp &+= mix(other, version(other), flagged(other)) }
                    } else {
                        for other in list { stamp &+= mix(other, version(other), false) }
                    }
                }
                return stamp
            }
        }
    }

    /// Adds the connection; false if it was already there or `a == b`.
    @discardableResult
    public func connect(_ a: Node, _ b: Node) -> Bool {
        guard a != b else { return false }
        return lock.write {
            growIfNeeded(max(a, b))
            guard Self.insert(b, into: &adjacency[Int(a)]) else { return false }
            Self.insert(a, into: &adjacency[Int(b)])
            undirectedEdges += 1
            changed(a)
            changed(b)
            return true
        }
    }

    /// Removes the connection; false if there was none.
    @discardableResult
    public func disconnect(_ a: Node, _ b: Node) -> Bool {
        lock.write {
            guard Int(max(a, b)) < adjacency.count, Self.remove(b, from: &adjacency[Int(a)]) else { return false }
            Self.remove(a, from: &adjacency[Int(b)])
            undirectedEdges -= 1
            changed(a)
            changed(b)
            return true
        }
    }

    /// Removes every connection of `node` (the member left).
    public func isolate(_ node: Node) {
        lock.write {
            guard Int(node) < adjacency.count else { return }
            for other in adjacency[Int(node)] {
                Self.remove(node, from: &adjacency[Int(other)])
                changed(other)
            }
            undirectedEdges -= adjacency[Int(node)].count
            adjacency[Int(node)] = []
            changed(node)
        }
    }

    @discardableResult
    private static func insert(_ value: Node, into list: inout [Node]) -> Bool {
        let index = lowerBound(list, value)
        if index < list.count && list[index] == value { return false }
        list.insert(value, at: index)
        return true
    }

    @discardableResult
    private static func remove(_ value: Node, from list: inout [Node]) -> Bool {
        let index = lowerBound(list, value)
        guard index < list.count && list[index] == value else { return false }
        list.remove(at: index)
        return true
    }

    static func lowerBound(_ list: [Node], _ value: Node) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: Queries

    public func connections(of node: Node) -> [Node] {
        lock.read { Int(node) < adjacency.count ? adjacency[Int(node)] : [] }
    }

    public func connectionCount(of node: Node) -> Int {
        lock.read { Int(node) < adjacency.count ? adjacency[Int(node)].count : 0 }
    }

    public func areConnected(_ a: Node, _ b: Node) -> Bool {
        lock.read { contains(a, b) }
    }

    /// For each of `others` (nil: no node), whether it is connected to `a`; under one lock.
    public func areConnected(_ a: Node, _ others: [Node?]) -> [Bool] {
        lock.read { others.map { other in other.map { contains(a, $0) } ?? false } }
    }

    /// How many of `others` are connected to `a`; under one lock.
    public func connectedCount(_ a: Node, among others: [Node]) -> Int {
        lock.read { others.reduce(0) { $0 + (contains(a, $1) ? 1 : 0) } }
    }

    private func contains(_ a: Node, _ b: Node) -> Bool {
        guard Int(max(a, b)) < adjacency.count else { return false }
        let list = adjacency[Int(a)]
        let index = Self.lowerBound(list, b)
        return index < list.count && list[index] == b
    }

    private func list(_ node: Node) -> [Node] {
        Int(node) < adjacency.count ? adjacency[Int(node)] : []
    }

    /// The distance of every target from `viewer`, in one pass: mark the viewer's first and second
    /// degree once, then each target is looked up, or its own connections are checked for a second-degree
    /// member (third degree).
    ///
    /// The marks are two bitsets of one bit per member (125 KB each at a million members), which stay in
    /// the processor's cache while the second degree, often hundreds of thousands of members through
    /// recruiters, is marked; member-sized arrays of stamps did not (docs/BENCHMARKS.md).
    public func distances(from viewer: Node, to targets: [Node]) -> [Distance] {
        lock.read {
            guard Int(viewer) < adjacency.count else {
                return targets.map { _ in .beyond }
            }
            return withScratch { scratch in
                scratch.beginBits(count: adjacency.count)
                let first = adjacency[Int(viewer)]
                scratch.first.insert(contentsOf: first)
                // Targets in the first two degrees are known from the first marks and their own lists: the viewer's
                // connections (a profile page's mutual connections, those who can introduce) and a second-degree
                // profile, before the viewer's connections' lists are counted below. Any other target, or more than
                // `quickWork` entries read, and the answer is found as before.
                let firstMarks = scratch.first
                if let answers = Self.nearDistances(from: viewer, to: targets, first: firstMarks, adjacency: adjacency) {
                    return answers
                }
                // A few targets (a profile, a page of people) are cheaper asked one by one, through their own lists,
                // than by marking the whole second degree. A third-degree target costs its connections' lists, about
                // `directWorkPerTarget` entries, so many targets go straight to the marking, without reading their
                // lists twice; for the others the work either way is counted before it is done.
                // Counted with each list asked for ahead: the marking below then finds them in the cache.
                var expansion = 0
                adjacency.withUnsafeBufferPointer { lists in
                    first.withUnsafeBufferPointer { nodes in
                        for i in nodes.indices {
                            lists.prefetch(ahead: i, of: nodes)
                            expansion += lists[Int(nodes[i])].count
                        }
                    }
                }
                if targets.count * Self.directWorkPerTarget < expansion {
                    var direct = 0
                    for target in targets where Int(target) < adjacency.count { direct += adjacency[Int(target)].count }
                    if direct < expansion,
                        let answers = directDistances(from: viewer, to: targets, first: scratch.first, budget: expansion - direct)
                    {
                        return answers
                    }
                }
                // The hot loop: hundreds of thousands of inserts through recruiters' lists.
                markNeighbours(of: first, into: &scratch.second)
                let secondMarks = scratch.second
                // Each target's own list through its raw buffer: no reference counting per list.
                return adjacency.withUnsafeBufferPointer { lists in
                    targets.withUnsafeBufferPointer { wanted in
                        var answers: [Distance] = []
                        answers.reserveCapacity(wanted.count)
                        for i in 0..<wanted.count {
                            lists.prefetch(ahead: i, of: wanted)
                            let target = wanted[i]
                            guard Int(target) < lists.count else { answers.append(.beyond); continue }
                            if target == viewer { answers.append(.oneself); continue }
                            if firstMarks.contains(target) { answers.append(.first); continue }
                            if secondMarks.contains(target) { answers.append(.second); continue }
                            answers.append(lists[Int(target)].withUnsafeBufferPointer { own in
                                for neighbour in own where secondMarks.contains(neighbour) && neighbour != viewer { return .third }
                                return .beyond
                            })
                        }
                        return answers
                    }
                }
            }
        }
    }

    /// Sets the bit of every connection of each of `nodes`: an OR per entry, without a branch or a list's reference
    /// count, since the same member is reached through many lists.
    private func markNeighbours(of nodes: [Node], into marks: inout Bitset) {
        marks.withWords { words in
            adjacency.withUnsafeBufferPointer { lists in
                for node in nodes {
                    lists[Int(node)].withUnsafeBufferPointer { next in
                        for member in next { words[Int(member >> 6)] |= 1 << UInt64(member & 63) }
                    }
                }
            }
        }
    }

    /// About how many list entries `directDistances` reads for a third-degree target.
    static let directWorkPerTarget = 1_024

    /// Each target's distance when every one is the viewer, a connection or in the second degree, reading at most
    /// `quickWork` entries of the targets' lists; nil otherwise.
    private static func nearDistances(from viewer: Node, to targets: [Node], first: Bitset, adjacency: [[Node]]) -> [Distance]? {
        var answers: [Distance] = []
        answers.reserveCapacity(targets.count)
        var work = 0
        for target in targets {
            guard Int(target) < adjacency.count else { answers.append(.beyond); continue }
            if target == viewer { answers.append(.oneself); continue }
            if first.contains(target) { answers.append(.first); continue }
            let own = adjacency[Int(target)]
            work += own.count
            guard work <= quickWork, own.contains(where: { first.contains($0) }) else { return nil }
            answers.append(.second)
        }
        return answers
    }

    static let quickWork = 4_096

    /// Each target's distance through its own list: 2nd when it shares a connection with the viewer (`first` marks
    /// the viewer's), 3rd when one of its connections does. nil when the third degree would cost more than `budget`
    /// list entries: marking the viewer's second degree is then cheaper.
    private func directDistances(from viewer: Node, to targets: [Node], first: Bitset, budget: Int) -> [Distance]? {
        var budget = budget
        var answers: [Distance] = []
        answers.reserveCapacity(targets.count)
        for target in targets {
            guard Int(target) < adjacency.count else { answers.append(.beyond); continue }
            if target == viewer { answers.append(.oneself); continue }
            if first.contains(target) { answers.append(.first); continue }
            let own = adjacency[Int(target)]
            if own.contains(where: { first.contains($0) }) { answers.append(.second); continue }
            var third = false
            for neighbour in own where neighbour != viewer {
                let next = adjacency[Int(neighbour)]
                budget -= next.count
                if budget < 0 { return nil }
                if next.contains(where: { first.contains($0) }) { third = true; break }
            }
            answers.append(third ? .third : .beyond)
        }
        return answers
    }

    /// How many members are exactly two steps from `viewer`.
    public func secondDegreeCount(of viewer: Node) -> Int {
        lock.read {
            guard Int(viewer) < adjacency.count else { return 0 }
            return withScratch { scratch in
                scratch.beginBits(count: adjacency.count)
                let first = adjacency[Int(viewer)]
                scratch.first.insert(contentsOf: first)
                scratch.first.insert(viewer)
                // Every connection's connections marked without a branch, then counted a word at a time: those marked
                // that are neither the viewer nor a connection.
                markNeighbours(of: first, into: &scratch.second)
                return scratch.second.countNotIn(scratch.first)
            }
        }
    }

    /// The members connected to both `a` and `b`, sorted.
    public func mutualConnections(_ a: Node, _ b: Node) -> [Node] {
        lock.read { Self.intersection(list(a), list(b)) }
    }

    /// For each target, how many connections it shares with `viewer`.
    ///
    /// Each target's connections are counted without a branch, a bit added for each: the people a list shows (a
    /// suggestion, a mutual connection's page) share many connections with the viewer, so whether the next one is
    /// shared cannot be guessed, and a branch on it was mispredicted as often as not (docs/BENCHMARKS.md). Every
    /// entry is read either way: a count stops nowhere early.
    public func mutualCounts(of viewer: Node, with targets: [Node]) -> [Int] {
        lock.read {
            withScratch { scratch in
                scratch.beginFirst(count: adjacency.count)
                scratch.first.insert(contentsOf: list(viewer))
                // Every member in a list has a node below `adjacency.count`, so inside the marks' words.
                return scratch.first.words.withUnsafeBufferPointer { words in
                    adjacency.withUnsafeBufferPointer { lists in
                        targets.map { target in
                            guard Int(target) < lists.count else { return 0 }
                            return lists[Int(target)].withUnsafeBufferPointer { own in
                                var count = 0
                                for node in own { count &+= Int(truncatingIfNeeded: (words[Int(node >> 6)] >> UInt64(node & 63)) & 1) }
                                return count
                            }
                        }
                    }
                }
            }
        }
    }

    /// Sorted intersection; gallops through the longer list when the lengths differ a lot
    /// (a member's few connections against a recruiter's thousands).
    static func intersection(_ x: [Node], _ y: [Node]) -> [Node] {
        let (small, large) = x.count <= y.count ? (x, y) : (y, x)
        var result: [Node] = []
        if small.isEmpty { return result }
        if large.count > small.count * 16 {
            var low = 0
            for value in small {
                var step = 1
                var high = low
                while high < large.count && large[high] < value {
                    low = high
                    high += step
                    step *= 2
                }
                high = min(high, large.count)
                while low < high {
                    let mid = (low + high) / 2
                    if large[mid] < value { low = mid + 1 } else { high = mid }
                }
                if low < large.count && large[low] == value { result.append(value) }
            }
            return result
        }
        var i = 0
        var j = 0
        while i < small.count && j < large.count {
            if small[i] < large[j] {
                i += 1
            } else if small[i] > large[j] {
                j += 1
            } else {
                result.append(small[i])
                i += 1
                j += 1
            }
        }
        return result
    }

    /// Triangle closing: second-degree members ranked by how many connections they share with `viewer`,
    /// best first (ties by node), skipping what `excluded` rejects.
    /// Second-degree members by how many of the viewer's connections they share, best first; with `through`, only
    /// the viewer's connections it accepts are walked (and counted).
    public func mostMutualStrangers(
        of viewer: Node, limit: Int, excluded: (Node) -> Bool, through: ((Node) -> Bool)? = nil
    ) -> [(node: Node, mutualCount: Int)] {
        lock.read {
            guard Int(viewer) < adjacency.count else { return [] }
            return withScratch { scratch in
                scratch.beginFirst(count: adjacency.count)
                let all = list(viewer)
                scratch.first.insert(viewer)
                scratch.first.insert(contentsOf: all)
                let first = through.map { accepts in all.filter(accepts) } ?? all
                return adjacency.withUnsafeBufferPointer { lists in
                    scratch.counting.rank(
                        lists: lists, first: first, known: scratch.first, limit: limit, excluded: excluded)
                }
            }
        }
    }

    static func better(_ a: (node: Node, mutualCount: Int), than b: (node: Node, mutualCount: Int)) -> Bool {
        a.mutualCount != b.mutualCount ? a.mutualCount > b.mutualCount : a.node < b.node
    }

    /// How `viewer` reaches `target`: for the second degree every mutual connection; for the third, each of
    /// the viewer's own connections who is connected to one of the target's connections. Nothing beyond.
    public func introducers(from viewer: Node, to target: Node) -> (distance: Distance, via: [Node]) {
        lock.read {
            if viewer == target { return (.oneself, []) }
            guard Int(max(viewer, target)) < adjacency.count else { return (.beyond, []) }
            if contains(viewer, target) { return (.first, []) }
            let mutual = Self.intersection(adjacency[Int(viewer)], adjacency[Int(target)])
            if !mutual.isEmpty { return (.second, mutual) }
            return withScratch { scratch in
                scratch.beginFirst(count: adjacency.count)
                scratch.first.insert(contentsOf: adjacency[Int(target)])
                var via: [Node] = []
                for node in adjacency[Int(viewer)] where adjacency[Int(node)].contains(where: { scratch.first.contains($0) }) {
                    via.append(node)
                }
                return (via.isEmpty ? .beyond : .third, via)
            }
        }
    }

    // MARK: Scratch

    private func withScratch<T>(_ body: (inout Scratch) -> T) -> T {
        var scratch = scratchPool.withLock { $0.popLast() } ?? Scratch()
        let result = body(&scratch)
        scratchPool.withLock { $0.append(scratch) }
        return result
    }
}

extension UnsafeBufferPointer where Element == [Node] {
    /// How far ahead `prefetch(ahead:of:)` asks: the list `lookAhead` places on, the slot twice as far.
    static var lookAhead: Int { 16 }

    /// Asks the processor for the lists of the nodes that come after `index` in `nodes`, without waiting.
    ///
    /// Reading the lists of members in no order waits on memory twice a list: its slot in the adjacency, then its
    /// start. A loop over such members calls this at each step: the slot of the node twice `lookAhead` places on is
    /// asked for, and the start of the list of the node `lookAhead` on, whose slot was asked for earlier. The waits
    /// then overlap the work instead of following it (docs/BENCHMARKS.md). Nodes outside the adjacency are skipped.
    @inline(__always)
    func prefetch(ahead index: Int, of nodes: UnsafeBufferPointer<Node>) {
        let far = index + 2 * Self.lookAhead
        if far < nodes.count, Int(nodes[far]) < count {
            tsunagari_prefetch(baseAddress! + Int(nodes[far]))
        }
        let near = index + Self.lookAhead
        if near < nodes.count, Int(nodes[near]) < count {
            // An array is one reference to its storage: a header of 32 bytes, then the elements.
            let storage = UnsafeRawPointer(baseAddress! + Int(nodes[near])).load(as: UnsafeRawPointer.self)
            tsunagari_prefetch(storage + 16)
        }
    }
}

/// One bit per member.
struct Bitset {
    private(set) var words: [UInt64] = []

    mutating func reset(count: Int) {
        let needed = (count + 63) / 64
        if words.count < needed {
            words = [UInt64](repeating: 0, count: needed)
        } else {
            words.withUnsafeMutableBufferPointer { buffer in
                buffer.initialize(repeating: 0)
            }
        }
    }

    mutating func withWords<T>(_ body: (UnsafeMutableBufferPointer<UInt64>) -> T) -> T {
        words.withUnsafeMutableBufferPointer { body($0) }
    }

    @inline(__always)
    mutating func insert(_ node: Node) {
        words[Int(node >> 6)] |= 1 << UInt64(node & 63)
    }

    /// Every node's bit, through the words' buffer: the array's uniqueness was checked for each node (1.7% of a
    /// profile page). Each node must be below the count the set was reset to, as every node of a list is.
    mutating func insert(contentsOf nodes: [Node]) {
        words.withUnsafeMutableBufferPointer { words in
            nodes.withUnsafeBufferPointer { nodes in
                for node in nodes {
                    precondition(Int(node >> 6) < words.count)
                    words[Int(node >> 6)] |= 1 << UInt64(node & 63)
                }
            }
        }
    }

    @inline(__always)
    func contains(_ node: Node) -> Bool {
        words[Int(node >> 6)] & (1 << UInt64(node & 63)) != 0
    }

    /// How many members are in this set and not in `other` (of the same size).
    func countNotIn(_ other: Bitset) -> Int {
        words.withUnsafeBufferPointer { mine in
            other.words.withUnsafeBufferPointer { theirs in
                var count = 0
                for i in 0..<min(mine.count, theirs.count) { count += (mine[i] & ~theirs[i]).nonzeroBitCount }
                return count
            }
        }
    }
}

/// A query's marks and buffers, kept in a pool between queries so that none allocates member-sized memory.
struct Scratch {
    var first = Bitset()
    var second = Bitset()
    var counting = MutualCounting()

    mutating func beginBits(count size: Int) {
        first.reset(count: size)
        second.reset(count: size)
    }

    /// For questions that mark one set only.
    mutating func beginFirst(count size: Int) {
        first.reset(count: size)
    }
}
