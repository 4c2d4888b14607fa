import Testing
import TsunagariCore

@testable import TsunagariSearch

/// The search index's table of documents and members, against a plain dictionary and array.
@Suite struct DocumentMembersTests {
    typealias Random = TermIndexTests.Random

    @Test func addsAndRemovalsAgreeWithADictionary() throws {
        var random = Random(state: 5)
        var table = DocumentMembers()
        var docOf: [MemberID: UInt32] = [:]
        var members: [MemberID?] = []
        // Few distinct ids, so that members come back after removal and the probe runs are long (removal shifts them).
        let ids = (0..<3_000).map { MemberID(OpaqueIDSample.id($0)) }
        for step in 0..<20_000 {
            let member = random.pick(ids)
            if let doc = docOf[member], random.int(3) > 0 {
                #expect(table.remove(member) == doc)
                docOf[member] = nil
                members[Int(doc)] = nil
            } else if docOf[member] == nil {
                let doc = table.add(member)
                #expect(Int(doc) == members.count)
                docOf[member] = doc
                members.append(member)
            }
            if step % 997 == 0 || step == 19_999 {
                #expect(table.count == members.count)
                #expect(table.liveCount == docOf.count)
                for id in ids { #expect(table.doc(of: id) == docOf[id]) }
                for (doc, member) in members.enumerated() { #expect(table[doc] == member) }
            }
        }
        #expect(table.remove(MemberID("never")) == nil)
        // A snapshot's list of members makes the same table, and one naming a member twice is refused.
        let read = try #require(DocumentMembers(members))
        for id in ids { #expect(read.doc(of: id) == docOf[id]) }
        #expect(read.liveCount == docOf.count)
        #expect(DocumentMembers([MemberID("a"), nil, MemberID("a")]) == nil)
    }

    @Test func idsSortByTheirBytes() {
        var table = DocumentMembers()
        let ids = ["01j0000000000000000000000b", "01j0000000000000000000000a", "m10", "m9", "m1"]
        for id in ids { _ = table.add(MemberID(id)) }
        for a in ids.indices {
            for b in ids.indices { #expect(table.idPrecedes(a, b) == (MemberID(ids[a]) < MemberID(ids[b]))) }
        }
        #expect(DocumentMembers().doc(of: MemberID("a")) == nil)
    }
}

/// Ids of the shape the product makes (26 characters), distinct for distinct numbers.
enum OpaqueIDSample {
    static func id(_ n: Int) -> String {
        let digits = String(n, radix: 32)
        return "01j" + String(repeating: "0", count: 23 - digits.count) + digits
    }
}
