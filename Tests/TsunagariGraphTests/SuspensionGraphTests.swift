import Foundation
import Testing
import TsunagariCore
@testable import TsunagariGraph

/// A suspended member in the graph index: no edges (so no degree, mutual, path or suggestion reaches them), nothing
/// connects them meanwhile, and restoring brings back exactly their stored connections to members not suspended.
@Suite struct SuspensionGraphTests {
    let ids = (0..<5).map { MemberID("m\($0)") }

    func graph(_ pairs: [(Int, Int)]) -> MemberGraph {
        let graph = MemberGraph()
        for (a, b) in pairs { graph.apply(GraphChange(sequence: 0, kind: .connected, a: ids[a], b: ids[b])) }
        return graph
    }

    @Test func aSuspendedMemberHasNoEdgesUntilRestored() {
        let g = graph([(0, 1), (0, 2), (1, 3)])
        #expect(g.degrees(from: ids[2], to: [ids[1]]) == [.second])
        g.apply(GraphChange(sequence: 1, kind: .memberSuspended, a: ids[0], b: nil))
        #expect(g.isSuspended(ids[0]) && !g.isSuspended(ids[1]))
        #expect(g.connections(of: ids[0]).isEmpty)
        #expect(!g.areConnected(ids[0], ids[1]))
        #expect(g.connected(to: ids[1], among: ids + [MemberID("unknown")]) == [false, false, false, true, false, false])
        #expect(g.degrees(from: ids[1], to: [ids[0], ids[2], ids[3]]) == [.beyond, .beyond, .first])
        #expect(g.mutualConnections(ids[1], ids[2]).isEmpty)
        // Replayed again: the same.
        g.apply(GraphChange(sequence: 1, kind: .memberSuspended, a: ids[0], b: nil))
        #expect(g.connections(of: ids[0]).isEmpty)

        // An invitation accepted meanwhile is stored, but does not count here yet.
        g.apply(GraphChange(sequence: 2, kind: .connected, a: ids[4], b: ids[0]))
        #expect(!g.areConnected(ids[0], ids[4]))

        // Restored with what storage holds now (one connection was removed meanwhile, one made).
        g.restore(ids[0], connections: [ids[1], ids[4]])
        #expect(!g.isSuspended(ids[0]))
        #expect(Set(g.connections(of: ids[0])) == [ids[1], ids[4]])
        #expect(g.degrees(from: ids[4], to: [ids[1]]) == [.second])
        g.restore(ids[0], connections: [ids[1], ids[4]])
        #expect(g.connectionCount(of: ids[0]) == 2)
    }

    @Test func restoringLeavesOutConnectionsToMembersStillSuspended() {
        let g = graph([(0, 1), (0, 2)])
        g.apply(GraphChange(sequence: 1, kind: .memberSuspended, a: ids[0], b: nil))
        g.apply(GraphChange(sequence: 2, kind: .memberSuspended, a: ids[1], b: nil))
        g.restore(ids[0], connections: [ids[1], ids[2]])
        #expect(g.connections(of: ids[0]) == [ids[2]])
        g.restore(ids[1], connections: [ids[0]])
        #expect(g.areConnected(ids[0], ids[1]))
    }

    @Test func aSnapshotWithSuspendedMembersBuildsThemWithoutEdges() {
        let snapshot = NetworkSnapshot(
            members: Array(ids.prefix(3)), connections: [(ids[0], ids[1]), (ids[1], ids[2])], hiddenLists: [], sequence: 7, suspended: [ids[1]])
        let g = MemberGraph(snapshot: snapshot)
        #expect(g.isSuspended(ids[1]))
        #expect(g.connections(of: ids[1]).isEmpty && g.connections(of: ids[0]).isEmpty)
        #expect(g.degrees(from: ids[0], to: [ids[2]]) == [.beyond])
        g.restore(ids[1], connections: [ids[0], ids[2]])
        #expect(g.degrees(from: ids[0], to: [ids[2]]) == [.second])
    }
}

/// Many candidates asked at once give the answers asked one by one.
@Suite struct ConnectedAmongTests {
    @Test func connectedAmongMatchesAreConnected() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let ids = (0..<60).map { MemberID("m\($0)") }
        let graph = MemberGraph()
        for _ in 0..<300 {
            let (a, b) = (next(ids.count), next(ids.count))
            if a != b { graph.apply(GraphChange(sequence: 0, kind: .connected, a: ids[a], b: ids[b])) }
        }
        let strangers = (0..<5).map { MemberID("stranger-\($0)") }
        for member in ids + strangers.prefix(1) {
            let candidates = (0..<40).map { _ in ids[next(ids.count)] } + strangers
            #expect(graph.connected(to: member, among: candidates) == candidates.map { graph.areConnected(member, $0) })
        }
        #expect(graph.connected(to: ids[0], among: []).isEmpty)
        #expect(graph.connected(to: MemberID("unknown"), among: ids) == ids.map { _ in false })
    }
}
