import TsunagariCore

/// The graph index in the domain's words: member ids mapped to dense nodes over a `SocialGraph`, plus the
/// few facts the privacy rules need from memory (whose connection list is hidden). Built from storage at
/// start; every change is applied in the request that made it and again, idempotently, when the change
/// log is replayed, which is how instances sharing one database catch up with each other.
public final class MemberGraph: ConnectionGraph, @unchecked Sendable {
    public let graph: SocialGraph
    let directory = LockedValue(Directory())
    let hidden = LockedValue(Set<Node>())
    /// Members an operator suspended: they have no edges here while storage keeps their connections, and nothing
    /// connects them until they are restored (`restore`). Their follow exceptions stay, for the day they return.
    let suspendedNodes = LockedValue(Set<Node>())
    let sequence = LockedValue<Int64>(0)
    /// Follows that differ from the connections: connections a member does not follow, and members followed
    /// without a connection. Connecting makes both follow each other, so both are small.
    let followExceptionSets = LockedValue(FollowExceptions())

    struct FollowExceptions {
        var unfollowed: [Node: Set<Node>] = [:]
        var extra: [Node: Set<Node>] = [:]

        mutating func clear(_ a: Node, _ b: Node) {
            for (x, y) in [(a, b), (b, a)] {
                if unfollowed[x]?.remove(y) != nil, unfollowed[x]?.isEmpty == true { unfollowed[x] = nil }
                if extra[x]?.remove(y) != nil, extra[x]?.isEmpty == true { extra[x] = nil }
            }
        }
    }

    struct Directory {
        var nodes: [MemberID: Node] = [:]
        var members: [MemberID] = []

        mutating func node(for member: MemberID) -> Node {
            if let node = nodes[member] { return node }
            let node = Node(members.count)
            nodes[member] = node
            members.append(member)
            return node
        }
    }

    public init() {
        graph = SocialGraph()
    }

    /// An index over a graph already built, member `i` being node `i` (benchmarks).
    public init(members: [MemberID], graph: SocialGraph) {
        self.graph = graph
        var directory = Directory()
        directory.nodes.reserveCapacity(members.count)
        directory.members.reserveCapacity(members.count)
        for member in members { _ = directory.node(for: member) }
        self.directory.withLock { $0 = directory }
    }

    /// Builds the index from a storage snapshot in one pass.
    public init(snapshot: NetworkSnapshot) {
        var directory = Directory()
        directory.nodes.reserveCapacity(snapshot.members.count)
        directory.members.reserveCapacity(snapshot.members.count)
        for member in snapshot.members { _ = directory.node(for: member) }
        var edges: [(Node, Node)] = []
        edges.reserveCapacity(snapshot.connections.count)
        for (a, b) in snapshot.connections { edges.append((directory.node(for: a), directory.node(for: b))) }
        graph = SocialGraph(nodeCount: directory.members.count, edges: edges)
        let hiddenNodes = Set(snapshot.hiddenLists.map { directory.node(for: $0) })
        self.directory.withLock { $0 = directory }
        hidden.withLock { $0 = hiddenNodes }
        sequence.withLock { $0 = snapshot.sequence }
        var exceptions = FollowExceptions()
        for (a, b) in snapshot.unfollowedConnections {
            exceptions.unfollowed[self.directory.withLock { $0.node(for: a) }, default: []].insert(self.directory.withLock { $0.node(for: b) })
        }
        for (a, b) in snapshot.followsWithoutConnection {
            exceptions.extra[self.directory.withLock { $0.node(for: a) }, default: []].insert(self.directory.withLock { $0.node(for: b) })
        }
        followExceptionSets.withLock { $0 = exceptions }
        let suspended = Set(snapshot.suspended.map { member in self.directory.withLock { $0.node(for: member) } })
        suspendedNodes.withLock { $0 = suspended }
        for node in suspended { graph.isolate(node) }
    }

    /// The last change-log entry applied.
    public var appliedSequence: Int64 { sequence.withLock { $0 } }

    private func node(_ member: MemberID) -> Node? { directory.withLock { $0.nodes[member] } }

    /// The member's node, if they have one.
    public func nodeOf(_ member: MemberID) -> Node? { node(member) }
    /// The member's node, given now if they had none.
    public func assignNode(_ member: MemberID) -> Node { assign(member) }
    public func membersOf(_ nodes: [Node]) -> [MemberID] { members(nodes) }

    /// The connections the member does not follow, and the members they follow without a connection.
    public func followExceptions(of node: Node) -> (unfollowed: Set<Node>, extra: Set<Node>) {
        followExceptionSets.withLock { ($0.unfollowed[node] ?? [], $0.extra[node] ?? []) }
    }

    /// Whether `follower` follows `followee`: a connection unless unfollowed, or a follow without a connection.
    public func follows(_ follower: MemberID, _ followee: MemberID) -> Bool {
        guard let a = node(follower), let b = node(followee) else { return false }
        let exceptions = followExceptions(of: a)
        return graph.areConnected(a, b) ? !exceptions.unfollowed.contains(b) : exceptions.extra.contains(b)
    }
    private func nodes(_ members: [MemberID]) -> [Node?] { directory.withLock { d in members.map { d.nodes[$0] } } }
    private func members(_ nodes: [Node]) -> [MemberID] { directory.withLock { d in nodes.map { d.members[Int($0)] } } }
    private func assign(_ member: MemberID) -> Node {
        let node = directory.withLock { $0.node(for: member) }
        graph.ensureNode(node)
        return node
    }

    // MARK: Changes

    /// Whether an operator suspended the member (as far as this instance has heard).
    public func isSuspended(_ member: MemberID) -> Bool {
        guard let x = node(member) else { return false }
        return suspendedNodes.withLock { $0.contains(x) }
    }

    /// Ends a suspension here: the member's stored connections (to members not suspended themselves) count again.
    /// Idempotent, like every change.
    public func restore(_ member: MemberID, connections: [MemberID]) {
        let x = assign(member)
        suspendedNodes.withLock { _ = $0.remove(x) }
        let others = connections.map(assign)
        let suspended = suspendedNodes.withLock { $0 }
        // Not `.connected`: that would reset follows that are as stored.
        for y in others where !suspended.contains(y) { graph.connect(x, y) }
    }

    public func apply(_ change: GraphChange) {
        switch change.kind {
        case .connected:
            guard let b = change.b else { return }
            let (x, y) = (assign(change.a), assign(b))
            // Storage keeps a connection a suspended member is part of; it counts once they are restored.
            guard !suspendedNodes.withLock({ $0.contains(x) || $0.contains(y) }) else { return }
            graph.connect(x, y)
            // Connecting makes both follow each other.
            followExceptionSets.withLock { $0.clear(x, y) }
        case .disconnected:
            guard let b = change.b, let x = node(change.a), let y = node(b) else { return }
            graph.disconnect(x, y)
            // Removing a connection (or blocking) ends the follows both ways.
            followExceptionSets.withLock { $0.clear(x, y) }
        case .followed, .unfollowed:
            guard let b = change.b else { return }
            let (x, y) = (assign(change.a), assign(b))
            let connected = graph.areConnected(x, y)
            let on = change.kind == .followed
            followExceptionSets.withLock { sets in
                if connected {
                    if on { sets.unfollowed[x]?.remove(y) } else { sets.unfollowed[x, default: []].insert(y) }
                } else {
                    if on { sets.extra[x, default: []].insert(y) } else { sets.extra[x]?.remove(y) }
                }
            }
        case .memberSuspended:
            let x = assign(change.a)
            suspendedNodes.withLock { _ = $0.insert(x) }
            graph.isolate(x)
        case .memberRestored:
            // The connections come from storage: see `restore(_:connections:)`.
            guard let x = node(change.a) else { return }
            suspendedNodes.withLock { _ = $0.remove(x) }
        case .memberRemoved:
            guard let x = node(change.a) else { return }
            graph.isolate(x)
            suspendedNodes.withLock { _ = $0.remove(x) }
            hidden.withLock { _ = $0.remove(x) }
            followExceptionSets.withLock { sets in
                sets.unfollowed[x] = nil
                sets.extra[x] = nil
            }
        case .listHidden:
            let x = assign(change.a)
            hidden.withLock { _ = $0.insert(x) }
        case .listShown:
            guard let x = node(change.a) else { return }
            hidden.withLock { _ = $0.remove(x) }
        }
        if change.sequence > 0 {
            sequence.withLock { $0 = max($0, change.sequence) }
        }
    }

    // MARK: Questions

    public func degrees(from viewer: MemberID, to targets: [MemberID]) -> [Degree] {
        guard let v = node(viewer) else { return targets.map { $0 == viewer ? .oneself : .beyond } }
        let targetNodes = nodes(targets)
        // Unknown members (never connected to anyone) are beyond; map them to the viewer's own node and fix up.
        let distances = graph.distances(from: v, to: targetNodes.map { $0 ?? v })
        return zip(targetNodes, distances).map { node, distance in
            guard node != nil else { return .beyond }
            return Degree(rawValue: Int(distance.rawValue)) ?? .beyond
        }
    }

    public func mutualConnections(_ a: MemberID, _ b: MemberID) -> [MemberID] {
        guard let x = node(a), let y = node(b) else { return [] }
        return members(graph.mutualConnections(x, y))
    }

    public func mutualCounts(of viewer: MemberID, with targets: [MemberID]) -> [Int] {
        guard let v = node(viewer) else { return targets.map { _ in 0 } }
        let targetNodes = nodes(targets)
        return shownCounts(of: v, targetNodes, graph.mutualCounts(of: v, with: targetNodes.map { $0 ?? v }))
    }

    /// Both answers of a list of people, the members looked up once. (Both questions in one pass over the graph measured
    /// no faster than one after the other: the second finds the targets' lists in the cache.)
    public func summaries(from viewer: MemberID, to targets: [MemberID]) -> [(degree: Degree, mutualCount: Int)] {
        guard let v = node(viewer) else { return targets.map { ($0 == viewer ? .oneself : .beyond, 0) } }
        let targetNodes = nodes(targets)
        let asked = targetNodes.map { $0 ?? v }
        let distances = graph.distances(from: v, to: asked)
        let shown = shownCounts(of: v, targetNodes, graph.mutualCounts(of: v, with: asked))
        return targetNodes.indices.map { index in
            guard targetNodes[index] != nil else { return (.beyond, 0) }
            return (Degree(rawValue: Int(distances[index].rawValue)) ?? .beyond, shown[index])
        }
    }

    /// The mutual counts the viewer may be shown, from the graph's counts of every mutual connection.
    private func shownCounts(of v: Node, _ targetNodes: [Node?], _ counts: [Int]) -> [Int] {
        let hiddenNodes = hidden.withLock { $0 }
        // A mutual connection who hides their list may be counted only where the target's own list is
        // visible to the viewer (the target is the viewer's connection and does not hide theirs).
        let hiddenFriends = hiddenNodes.isEmpty ? [] : hiddenConnections(of: v, hiddenNodes)
        let friendSet = hiddenFriends.count > Self.hiddenAskedOneByOne ? Set(hiddenFriends) : nil
        return targetNodes.indices.map { index in
            guard let target = targetNodes[index], target != v else { return 0 }
            guard !hiddenFriends.isEmpty else { return counts[index] }
            let listVisible = !hiddenNodes.contains(target) && graph.areConnected(v, target)
            if listVisible { return counts[index] }
            guard let friendSet else {
                // A few: each looked up in the target's list, and taken from the count.
                return counts[index] - graph.connectedCount(target, among: hiddenFriends)
            }
            return graph.mutualConnections(v, target).filter { !friendSet.contains($0) }.count
        }
    }

    /// Up to this many of the viewer's connections who hide their lists are looked up in each target's list; more are
    /// put in a set, and the target's mutual connections looked up in it.
    static let hiddenAskedOneByOne = 32

    /// The viewer's connections who hide their lists, in no particular order. From the shorter side: when far fewer
    /// members hide their lists than the viewer has connections (a recruiter with tens of thousands), each of those
    /// is looked up in the viewer's sorted list, instead of every connection in the set of those who hide.
    private func hiddenConnections(of v: Node, _ hiddenNodes: Set<Node>) -> [Node] {
        // A lookup in a sorted list of n takes about log2(n) steps, one in the set about one: 16 covers lists of 65,536.
        if hiddenNodes.count * 16 < graph.connectionCount(of: v) {
            let hiding = Array(hiddenNodes)
            let connected = graph.areConnected(v, hiding)
            return hiding.indices.compactMap { connected[$0] ? hiding[$0] : nil }
        }
        return graph.connections(of: v).filter { hiddenNodes.contains($0) }
    }

    public func connectionCount(of member: MemberID) -> Int {
        node(member).map(graph.connectionCount(of:)) ?? 0
    }

    public func areConnected(_ a: MemberID, _ b: MemberID) -> Bool {
        guard let x = node(a), let y = node(b) else { return false }
        return graph.areConnected(x, y)
    }

    public func connected(to member: MemberID, among candidates: [MemberID]) -> [Bool] {
        guard let x = node(member) else { return candidates.map { _ in false } }
        return graph.areConnected(x, nodes(candidates))
    }

    public func connections(of member: MemberID) -> [MemberID] {
        node(member).map { members(graph.connections(of: $0)) } ?? []
    }

    public func listStamp(of member: MemberID) -> UInt64? {
        node(member).map(graph.listStamp(of:))
    }

    public func hidesList(_ member: MemberID) -> Bool {
        guard let x = node(member) else { return false }
        return hidden.withLock { $0.contains(x) }
    }

    /// Asked per member, each took both locks and hashed the id: the few hundred mutual connections of a profile page
    /// cost 2% of its samples. Nobody hiding a list (the set empty) asks nothing more.
    public func withoutHiddenLists(_ members: [MemberID]) -> [MemberID] {
        let hiding = hidden.withLock { $0 }
        guard !hiding.isEmpty, !members.isEmpty else { return members }
        let found = nodes(members)
        return members.indices.compactMap { index in found[index].map(hiding.contains) == true ? nil : members[index] }
    }

    public func secondDegreeCount(of viewer: MemberID) -> Int {
        node(viewer).map(graph.secondDegreeCount(of:)) ?? 0
    }

    /// Triangle closing through only the viewer's connections who do not hide their lists (`disclosedOnly`) is what
    /// people-you-may-know asks on every visit: its ranking, before exclusions, is kept per viewer while their
    /// neighbourhood stays as it was (`SocialGraph.neighbourhoodStamp`, which counts who hides their list too), with
    /// room for this many excluded members beyond the limit.
    static let rankingSpare = 100
    /// Viewers whose ranking is kept; the map starts over when full.
    static let rankingsKept = 10_000
    private let rankings = LockedValue([Node: (stamp: UInt64, limit: Int, ranked: [(node: Node, mutualCount: Int)])]())

    public func suggestionStamp(of viewer: MemberID) -> UInt64? {
        guard let v = node(viewer) else { return nil }
        let hiddenNodes = hidden.withLock { $0 }
        return graph.neighbourhoodStamp(of: v, flagged: hiddenNodes.isEmpty ? nil : { hiddenNodes.contains($0) })
    }

    public func triangleCandidates(
        of viewer: MemberID, limit: Int, excluded: (MemberID) -> Bool, disclosedOnly: Bool
    ) -> [(member: MemberID, mutualCount: Int)] {
        guard let v = node(viewer) else { return [] }
        let snapshot = directory.withLock { $0.members }
        var through: ((Node) -> Bool)?
        var hiddenNodes: Set<Node> = []
        if disclosedOnly {
            hiddenNodes = hidden.withLock { $0 }
            if !hiddenNodes.isEmpty { through = { [hiddenNodes] in !hiddenNodes.contains($0) } }
        }
        func isExcluded(_ node: Node) -> Bool { excluded(snapshot[Int(node)]) }
        guard disclosedOnly else {
            let ranked = graph.mostMutualStrangers(of: v, limit: limit, excluded: isExcluded, through: through)
            return ranked.map { (member: snapshot[Int($0.node)], mutualCount: $0.mutualCount) }
        }
        // The stamp is taken before the ranking is computed: a change in between makes the next stamp differ.
        let stamp = graph.neighbourhoodStamp(of: v, flagged: hiddenNodes.isEmpty ? nil : { hiddenNodes.contains($0) })
        let wanted = limit + Self.rankingSpare
        var ranked: [(node: Node, mutualCount: Int)]
        if let kept = rankings.withLock({ $0[v] }), kept.stamp == stamp, kept.limit >= wanted {
            ranked = kept.ranked
        } else {
            ranked = graph.mostMutualStrangers(of: v, limit: wanted, excluded: { _ in false }, through: through)
            rankings.withLock { kept in
                if kept.count >= Self.rankingsKept { kept = [:] }
                kept[v] = (stamp, wanted, ranked)
            }
        }
        let cut = ranked.count == wanted
        ranked = ranked.filter { !isExcluded($0.node) }
        if ranked.count < limit && cut {
            // More excluded than the spare: asked afresh, exclusions applied as the ranking is made.
            ranked = graph.mostMutualStrangers(of: v, limit: limit, excluded: isExcluded, through: through)
        }
        return ranked.prefix(limit).map { (member: snapshot[Int($0.node)], mutualCount: $0.mutualCount) }
    }

    public func introducers(from viewer: MemberID, to target: MemberID) -> (degree: Degree, via: [MemberID]) {
        if viewer == target { return (.oneself, []) }
        guard let v = node(viewer), let t = node(target) else { return (.beyond, []) }
        let (distance, via) = graph.introducers(from: v, to: t)
        return (Degree(rawValue: Int(distance.rawValue)) ?? .beyond, members(via))
    }
}
