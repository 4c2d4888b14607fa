import TsunagariCore

/// The graph index written out whole (`SnapshotWriter`) and read back without sorting or deduplicating anything:
/// each member's adjacency list is copied as it is, and only the member dictionary is hashed again. A restarting
/// instance loads this and replays the graph change log after it, instead of reading every connection from storage.
extension SocialGraph {
    /// The adjacency lists and the edge count at one moment; shared, not copied (see `TermIndex.frozen`).
    func frozen() -> (adjacency: [[Node]], edges: Int) {
        lock.read { (adjacency, undirectedEdges) }
    }

    /// Replaces every list, checked: each sorted, without self-loops or nodes out of range, and symmetric in total.
    func replace(adjacency lists: [[Node]]) throws(SnapshotError) {
        var total = 0
        for (node, list) in lists.enumerated() {
            var previous: Node?
            for other in list {
                guard Int(other) < lists.count, Int(other) != node, previous.map({ $0 < other }) ?? true else {
                    throw SnapshotError("the adjacency list of node \(node) is out of order or names a node the snapshot does not hold")
                }
                previous = other
            }
            total += list.count
        }
        guard total % 2 == 0 else { throw SnapshotError("the adjacency lists are not symmetric") }
        lock.write {
            adjacency = lists
            undirectedEdges = total / 2
            // Every list may differ: no stamp taken before stays valid.
            layout &+= 1
            versions = [UInt32](repeating: 0, count: lists.count)
        }
    }
}

extension MemberGraph {
    public static let snapshotKind = "graph index"
    /// Raised whenever the layout below changes: an older snapshot is then refused and the graph is built from storage.
    public static let snapshotFormat: UInt32 = 1

    /// Writes the graph as it stands now. Each part is taken under its own lock in one step, without copying; the
    /// parts may be a few changes apart, which the replay of the change log after the snapshot's position evens
    /// out (every change sets a state, so applying it again is harmless).
    public func writeSnapshot(to writer: inout SnapshotWriter) {
        let members = directory.withLock { $0.members }
        let hiddenNodes = hidden.withLock { $0 }.sorted()
        let suspended = suspendedNodes.withLock { $0 }.sorted()
        let exceptions = followExceptionSets.withLock { $0 }
        let (adjacency, _) = graph.frozen()
        writer.write(UInt64(members.count))
        for member in members { writer.write(member.rawValue) }
        writer.write(adjacency.map { UInt32($0.count) })
        for list in adjacency { writer.writeElements(list) }
        writer.write(hiddenNodes)
        writer.write(suspended)
        for table in [exceptions.unfollowed, exceptions.extra] {
            var from: [Node] = []
            var to: [Node] = []
            for (a, set) in table.sorted(by: { $0.key < $1.key }) {
                for b in set.sorted() {
                    from.append(a)
                    to.append(b)
                }
            }
            writer.write(from)
            writer.write(to)
        }
    }

    /// A graph read from a snapshot written by `writeSnapshot`, standing at change-log `sequence`. Throws when the
    /// bytes do not hold together (lengths that disagree, a node out of range, an unsorted list).
    public convenience init(snapshot reader: inout SnapshotReader, sequence: Int64) throws(SnapshotError) {
        self.init()
        let memberCount = try reader.readCount(elementSize: 4)
        var directory = Directory()
        directory.nodes.reserveCapacity(memberCount)
        directory.members.reserveCapacity(memberCount)
        for _ in 0..<memberCount {
            let member = MemberID(try reader.readString())
            guard directory.nodes[member] == nil else { throw SnapshotError("a member appears twice in the graph snapshot") }
            _ = directory.node(for: member)
        }
        let counts = try reader.readArray(UInt32.self)
        guard counts.count <= memberCount else { throw SnapshotError("the graph snapshot has more nodes than members") }
        var adjacency: [[Node]] = []
        adjacency.reserveCapacity(memberCount)
        for count in counts { adjacency.append(try reader.readElements(Node.self, count: Int(count))) }
        // Members given a node without a connection yet may have no list.
        while adjacency.count < memberCount { adjacency.append([]) }
        try graph.replace(adjacency: adjacency)
        let hiddenNodes = try reader.readArray(UInt32.self)
        let suspended = try reader.readArray(UInt32.self)
        var tables: [[Node: Set<Node>]] = []
        for _ in 0..<2 {
            let from = try reader.readArray(UInt32.self)
            let to = try reader.readArray(UInt32.self)
            guard from.count == to.count else { throw SnapshotError("the follow exceptions do not pair up") }
            var table: [Node: Set<Node>] = [:]
            for (a, b) in zip(from, to) { table[a, default: []].insert(b) }
            tables.append(table)
        }
        let named = hiddenNodes + suspended + tables.flatMap { $0.keys } + tables.flatMap { $0.values.flatMap { $0 } }
        guard named.allSatisfy({ Int($0) < memberCount }), reader.isAtEnd else {
            throw SnapshotError("the graph snapshot names a node it does not hold")
        }
        self.directory.withLock { $0 = directory }
        hidden.withLock { $0 = Set(hiddenNodes) }
        suspendedNodes.withLock { $0 = Set(suspended) }
        followExceptionSets.withLock { $0 = FollowExceptions(unfollowed: tables[0], extra: tables[1]) }
        self.sequence.withLock { $0 = sequence }
    }
}
