import Foundation
import Testing
import TsunagariCore
@testable import TsunagariGraph

/// People-you-may-know's ranking is kept per viewer while their neighbourhood is unchanged: through every kind of
/// change (connections made and removed, lists hidden and shown, suspensions, a restored snapshot) and any
/// exclusions, each answer equals the ranking computed afresh.
@Suite struct TriangleRankingTests {
    let ids = (0..<80).map { MemberID("member-\($0)") }

    /// The ranking asked of the graph directly, nothing kept.
    func fresh(_ graph: MemberGraph, _ viewer: MemberID, limit: Int, excluded: Set<MemberID>) -> [String] {
        guard let v = graph.nodeOf(viewer) else { return [] }
        let hidden = graph.hidden.withLock { $0 }
        let members = graph.directory.withLock { $0.members }
        return graph.graph.mostMutualStrangers(
            of: v, limit: limit, excluded: { excluded.contains(members[Int($0)]) }, through: hidden.isEmpty ? nil : { !hidden.contains($0) }
        ).map { "\(members[Int($0.node)])×\($0.mutualCount)" }
    }

    func kept(_ graph: MemberGraph, _ viewer: MemberID, limit: Int, excluded: Set<MemberID>) -> [String] {
        graph.triangleCandidates(of: viewer, limit: limit, excluded: { excluded.contains($0) }, disclosedOnly: true)
            .map { "\($0.member)×\($0.mutualCount)" }
    }

    @Test func keptRankingsEqualFreshOnesThroughEveryKindOfChange() throws {
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var graph = MemberGraph()
        for _ in 0..<600 { graph.apply(GraphChange(sequence: 0, kind: .connected, a: ids[next(80)], b: ids[next(80)])) }
        let viewers = Array(ids.prefix(12))
        var checked = 0
        for round in 0..<200 {
            // Ask every viewer (filling and then hitting what is kept), with and without exclusions.
            for viewer in viewers {
                let excluded: Set<MemberID> = round % 3 == 0 ? Set((0..<next(120)).map { _ in ids[next(80)] }) : []
                let limit = [3, 10, 40][round % 3]
                #expect(kept(graph, viewer, limit: limit, excluded: excluded) == fresh(graph, viewer, limit: limit, excluded: excluded))
                checked += 1
            }
            // Then one change of any kind.
            let a = ids[next(80)]
            let b = ids[(ids.firstIndex(of: a)! + 1 + next(79)) % 80]
            switch next(9) {
            case 0, 1, 2: graph.apply(GraphChange(sequence: 0, kind: .connected, a: a, b: b))
            case 3, 4: graph.apply(GraphChange(sequence: 0, kind: .disconnected, a: a, b: b))
            case 5: graph.apply(GraphChange(sequence: 0, kind: .listHidden, a: a, b: nil))
            case 6: graph.apply(GraphChange(sequence: 0, kind: .listShown, a: a, b: nil))
            case 7: graph.apply(GraphChange(sequence: 0, kind: next(4) == 0 ? .memberSuspended : .followed, a: a, b: b))
            default:
                // A restart from a snapshot: every list replaced at once.
                var bytes: [UInt8] = []
                var writer = SnapshotWriter(kind: MemberGraph.snapshotKind, format: MemberGraph.snapshotFormat) { bytes += $0 }
                graph.writeSnapshot(to: &writer)
                try writer.finish()
                let sequence = graph.appliedSequence
                graph = try bytes.withUnsafeBytes { raw in
                    var reader = try SnapshotReader(raw, kind: MemberGraph.snapshotKind, formats: MemberGraph.snapshotFormat...MemberGraph.snapshotFormat)
                    return try MemberGraph(snapshot: &reader, sequence: sequence)
                }
            }
        }
        #expect(checked == 2_400)
    }

    /// A change two steps away (between two of the viewer's connections' connections) keeps the stamp; one at a
    /// connection's list, or a connection hiding theirs, changes it.
    @Test func theStampMovesWithTheNeighbourhoodOnly() {
        let graph = SocialGraph(nodeCount: 8)
        graph.connect(0, 1)
        graph.connect(1, 2)
        graph.connect(2, 3)
        let first = graph.neighbourhoodStamp(of: 0)
        graph.connect(3, 4)
        #expect(graph.neighbourhoodStamp(of: 0) == first)
        graph.connect(1, 5)
        let second = graph.neighbourhoodStamp(of: 0)
        #expect(second != first)
        #expect(graph.neighbourhoodStamp(of: 0, flagged: { $0 == 1 }) != second)
        graph.disconnect(1, 5)
        #expect(graph.neighbourhoodStamp(of: 0) != second && graph.neighbourhoodStamp(of: 0) != first)
    }
}
