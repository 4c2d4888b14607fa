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
}
