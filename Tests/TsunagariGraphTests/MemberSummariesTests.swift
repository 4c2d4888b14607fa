import Foundation
import Testing
import TsunagariCore
@testable import TsunagariGraph

/// A list of people asks the graph both questions at once (`summaries`): the answers must be the two questions'
/// answers, whatever the graph, whoever hides their list, and for members the graph does not know.
@Suite struct MemberSummariesTests {
    @Test(arguments: [1 as UInt64, 2, 3, 4])
    func summariesAreTheDegreesAndTheMutualCounts(seed: UInt64) {
        var generator = SeededGenerator(state: seed)
        let members = (0..<300).map { MemberID("m\($0)") }
        let graph = MemberGraph()
        // Dense enough that most pairs are 2nd or 3rd; one member with many connections, as a recruiter.
        for (a, b) in randomEdges(nodes: 300, edges: 1_800, seed: seed) {
            graph.apply(GraphChange(sequence: 0, kind: .connected, a: members[Int(a)], b: members[Int(b)]))
        }
        for other in members.shuffled(using: &generator).prefix(120) where other != members[7] {
            graph.apply(GraphChange(sequence: 0, kind: .connected, a: members[7], b: other))
        }
        for hiding in members.shuffled(using: &generator).prefix(40) {
            graph.apply(GraphChange(sequence: 0, kind: .listHidden, a: hiding, b: nil))
        }
        let strangers = [MemberID("never-connected"), MemberID("another")]
        var compared = 0
        for viewer in members.shuffled(using: &generator).prefix(25) + [members[7], strangers[0]] {
            for size in [1, 2, 5, 40, 300] {
                let targets = (members + strangers + [viewer]).shuffled(using: &generator).prefix(size).map { $0 }
                let both = graph.summaries(from: viewer, to: targets)
                #expect(both.map(\.degree) == graph.degrees(from: viewer, to: targets), "viewer \(viewer), \(size) targets")
                #expect(both.map(\.mutualCount) == graph.mutualCounts(of: viewer, with: targets), "viewer \(viewer), \(size) targets")
                compared += targets.count
            }
        }
        #expect(compared > 9_000)
    }

    /// A list without those who hide theirs is the list asked one member at a time: for lists with members the graph
    /// does not know and with repeats, while some hide their lists, after some show them again, and when nobody does.
    @Test func aListWithoutHiddenListsIsTheListAskedOneByOne() {
        var generator = SeededGenerator(state: 9)
        let members = (0..<200).map { MemberID("m\($0)") }
        let graph = MemberGraph()
        for (a, b) in randomEdges(nodes: 200, edges: 600, seed: 9) {
            graph.apply(GraphChange(sequence: 0, kind: .connected, a: members[Int(a)], b: members[Int(b)]))
        }
        let asked = members + [MemberID("never-connected")]
        func check(_ hiding: Int) {
            for size in [0, 1, 5, 60, 201] {
                let list = (0..<size).map { _ in asked.randomElement(using: &generator)! }
                #expect(graph.withoutHiddenLists(list) == list.filter { !graph.hidesList($0) }, "\(hiding) hiding, \(size) asked")
            }
        }
        check(0)
        let hiding = members.shuffled(using: &generator).prefix(50)
        for member in hiding { graph.apply(GraphChange(sequence: 0, kind: .listHidden, a: member, b: nil)) }
        check(50)
        #expect(graph.withoutHiddenLists(members).count == 150)
        for member in hiding.prefix(30) { graph.apply(GraphChange(sequence: 0, kind: .listShown, a: member, b: nil)) }
        check(20)
        #expect(graph.withoutHiddenLists(members).count == 180)
    }

    /// The mutual counts shown are those of the rule, worked out here from the raw mutual connections: a mutual
    /// connection who hides their list is counted only when the target's own list is visible to the viewer. With
    /// nobody, a few, some and many hiding their lists, for a recruiter with many connections and for members with
    /// few, so that each way of finding the viewer's hidden connections and of taking them from a count is used.
    @Test(arguments: [0, 2, 10, 40, 120])
    func mutualCountsFollowTheRuleForHiddenLists(hiding: Int) {
        var generator = SeededGenerator(state: UInt64(hiding) &+ 5)
        let members = (0..<400).map { MemberID("m\($0)") }
        let graph = MemberGraph()
        for (a, b) in randomEdges(nodes: 400, edges: 2_400, seed: UInt64(hiding) &+ 5) {
            graph.apply(GraphChange(sequence: 0, kind: .connected, a: members[Int(a)], b: members[Int(b)]))
        }
        let recruiter = members[3]
        for other in members.shuffled(using: &generator).prefix(300) where other != recruiter {
            graph.apply(GraphChange(sequence: 0, kind: .connected, a: recruiter, b: other))
        }
        for member in members.shuffled(using: &generator).prefix(hiding) {
            graph.apply(GraphChange(sequence: 0, kind: .listHidden, a: member, b: nil))
        }
        let stranger = MemberID("never-connected")
        func reference(_ viewer: MemberID, _ target: MemberID) -> Int {
            guard viewer != target, graph.connectionCount(of: viewer) > 0, graph.connectionCount(of: target) > 0 else { return 0 }
            let mutual = graph.mutualConnections(viewer, target)
            let listVisible = !graph.hidesList(target) && graph.areConnected(viewer, target)
            return listVisible ? mutual.count : mutual.filter { !graph.hidesList($0) }.count
        }
        var hiddenCounted = 0
        for viewer in [recruiter] + members.shuffled(using: &generator).prefix(20) {
            let targets = (members + [stranger, viewer]).shuffled(using: &generator).prefix(120).map { $0 }
            let counts = graph.mutualCounts(of: viewer, with: targets)
            #expect(counts == targets.map { reference(viewer, $0) }, "viewer \(viewer), \(hiding) hiding")
            #expect(graph.summaries(from: viewer, to: targets).map(\.mutualCount) == counts)
            hiddenCounted += zip(targets, counts).filter { $0.0 != viewer && graph.mutualConnections(viewer, $0.0).count != $0.1 }.count
        }
        // Where anyone hides, some counts leave them out.
        #expect((hiddenCounted > 0) == (hiding > 0))
    }
}
