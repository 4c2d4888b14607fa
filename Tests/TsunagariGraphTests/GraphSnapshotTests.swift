import Foundation
import Testing
import TsunagariCore
@testable import TsunagariGraph

/// A snapshot of the graph index read back answers every question as the graph it was taken from (degrees, mutual
/// connections, paths, suggestions, follows, hidden lists, suspensions), before and after both go through the same
/// further changes.
@Suite struct GraphSnapshotTests {
    struct Random {
        var state: UInt64
        mutating func int(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    let ids = (0..<120).map { MemberID("member-\($0)") }

    func change(_ random: inout Random) -> GraphChange {
        let kinds: [GraphChange.Kind] = [.connected, .connected, .connected, .connected, .disconnected, .followed, .unfollowed, .listHidden, .listShown]
        // A few suspensions: each takes a member out of the graph for good here.
        let kind = random.int(100) == 0 ? .memberSuspended : kinds[random.int(kinds.count)]
        let a = ids[random.int(ids.count)]
        var b = ids[random.int(ids.count)]
        if b == a { b = ids[(ids.firstIndex(of: a)! + 1) % ids.count] }
        switch kind {
        case .listHidden, .listShown, .memberSuspended: return GraphChange(sequence: 0, kind: kind, a: a, b: nil)
        default: return GraphChange(sequence: 0, kind: kind, a: a, b: b)
        }
    }

    static func snapshot(_ graph: MemberGraph) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var writer = SnapshotWriter(kind: MemberGraph.snapshotKind, format: MemberGraph.snapshotFormat) { bytes += $0 }
        graph.writeSnapshot(to: &writer)
        try writer.finish()
        return bytes
    }

    static func restored(_ bytes: [UInt8], sequence: Int64 = 7) throws -> MemberGraph {
        try bytes.withUnsafeBytes { raw in
            var reader = try SnapshotReader(raw, kind: MemberGraph.snapshotKind, formats: MemberGraph.snapshotFormat...MemberGraph.snapshotFormat)
            return try MemberGraph(snapshot: &reader, sequence: sequence)
        }
    }

    func answers(_ graph: MemberGraph) -> [String] {
        var out = ["edges \(graph.graph.edgeCount)"]
        for (i, a) in ids.enumerated() {
            let b = ids[(i * 7 + 3) % ids.count]
            out.append("\(a): \(graph.degrees(from: a, to: ids).map(\.rawValue)) conn \(graph.connections(of: a).sorted()) hidden \(graph.hidesList(a))")
            out.append("  suspended \(graph.isSuspended(a)) follows \(ids.filter { graph.follows(a, $0) })")
            out.append("  mutual \(graph.mutualConnections(a, b).sorted()) counts \(graph.mutualCounts(of: a, with: ids))")
            let path = graph.introducers(from: a, to: b)
            out.append("  path \(path.degree) via \(path.via.sorted())")
            let suggested = graph.triangleCandidates(of: a, limit: 5, excluded: { _ in false }, disclosedOnly: true)
            out.append("  suggest \(suggested.map { "\($0.member)×\($0.mutualCount)" })")
        }
        return out
    }

    @Test func aRestoredGraphAnswersAsTheOriginalThroughFurtherChanges() throws {
        var random = Random(state: 11)
        let original = MemberGraph()
        for _ in 0..<900 { original.apply(change(&random)) }
        original.restore(ids[5], connections: [ids[6], ids[7]])
        let copy = try Self.restored(try Self.snapshot(original))
        #expect(copy.appliedSequence == 7)
        #expect(answers(copy) == answers(original))
        #expect(original.graph.edgeCount > 100)

        for _ in 0..<300 {
            let next = change(&random)
            original.apply(next)
            copy.apply(next)
        }
        // A member the snapshot did not know, connected afterwards.
        let newcomer = GraphChange(sequence: 0, kind: .connected, a: MemberID("newcomer"), b: ids[0])
        original.apply(newcomer)
        copy.apply(newcomer)
        #expect(answers(copy) == answers(original))
        #expect(copy.areConnected(MemberID("newcomer"), ids[0]) || copy.isSuspended(ids[0]))
        #expect(try Self.snapshot(copy) == Self.snapshot(original))
    }

    @Test func anEmptyGraphRoundTrips() throws {
        let copy = try Self.restored(try Self.snapshot(MemberGraph()), sequence: 0)
        #expect(copy.graph.nodeCount == 0)
        copy.apply(GraphChange(sequence: 0, kind: .connected, a: ids[0], b: ids[1]))
        #expect(copy.degrees(from: ids[0], to: [ids[1]]) == [.first])
    }

    @Test func anAdjacencyListThatDoesNotHoldTogetherIsRefused() throws {
        let graph = SocialGraph(nodeCount: 3)
        #expect(throws: SnapshotError.self) { try graph.replace(adjacency: [[1, 2], [0], []]) }  // not symmetric in total
        #expect(throws: SnapshotError.self) { try graph.replace(adjacency: [[2, 1], [0], [0]]) }  // unsorted
        #expect(throws: SnapshotError.self) { try graph.replace(adjacency: [[1], [0, 5]]) }  // out of range
        #expect(throws: SnapshotError.self) { try graph.replace(adjacency: [[0], []]) }  // self-loop
        try graph.replace(adjacency: [[1, 2], [0], [0]])
        #expect(graph.edgeCount == 2)
    }
}
