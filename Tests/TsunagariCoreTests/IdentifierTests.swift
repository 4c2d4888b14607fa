import Foundation
import Testing
import TsunagariCore

@Suite("OpaqueID")
struct OpaqueIDTests {
    static let alphabet = Set("0123456789abcdefghjkmnpqrstvwxyz")
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    @Test("26 lower-case Crockford base32 characters, without i, l, o or u")
    func shape() {
        for offset: TimeInterval in [0, 1, 86_400 * 365 * 50] {
            let id = OpaqueID.make(at: Self.start.addingTimeInterval(offset))
            #expect(id.count == 26)
            #expect(id.allSatisfy { Self.alphabet.contains($0) })
            #expect(!id.contains(where: { "ilou".contains($0) }))
            #expect(OpaqueID.isWellFormed(id))
        }
    }

    @Test("Ids sort by the time they were made")
    func ordering() {
        var generator = SampleData.Generator(seed: 42)
        var ids: [String] = []
        var date = Self.start
        for step in 0..<300 {
            ids.append(OpaqueID.make(at: date, using: &generator))
            // Steps of a few milliseconds up to a day.
            date = date.addingTimeInterval(step % 3 == 0 ? 0.002 : Double(step * step))
        }
        #expect(ids.sorted() == ids)
        #expect(Set(ids).count == ids.count)
        let early = OpaqueID.make(at: Date(timeIntervalSince1970: 1_000_000_000))
        let late = OpaqueID.make(at: Date(timeIntervalSince1970: 4_000_000_000))
        #expect(early < late)
        #expect(MemberID(early) < MemberID(late))
    }

    /// Two messages of one conversation sent within a millisecond must keep the order they were sent in: ids made in
    /// one millisecond by this process follow one another, each one more than the last in its last sixteen characters.
    @Test("Ids made in the same millisecond sort in the order they were made")
    func sameMillisecond() async {
        // Later than any other test's times: ids of an earlier millisecond made meanwhile by other tests leave it be.
        let date = Date(timeIntervalSince1970: 4_100_000_000.345)
        let ids = (0..<2_000).map { _ in OpaqueID.make(at: date) }
        #expect(ids.sorted() == ids && Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(10) }).count == 1 && ids.allSatisfy(OpaqueID.isWellFormed))
        // Made at once from several tasks: still all different, all of the same millisecond.
        let concurrent = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<500).map { _ in OpaqueID.make(at: date) } } }
            var all: [String] = []
            for await part in group { all += part }
            return all
        }
        #expect(Set(concurrent).count == 2_000)
        // Another millisecond starts from random bits again, and earlier times still sort first.
        #expect(OpaqueID.make(at: date.addingTimeInterval(-1)) < ids[0])
    }

    @Test("The first ten characters are the millisecond; the rest is random")
    func timePrefix() {
        let a = OpaqueID.make(at: Self.start)
        let b = OpaqueID.make(at: Self.start)
        #expect(a.prefix(10) == b.prefix(10))
        #expect(a != b)
        let later = OpaqueID.make(at: Self.start.addingTimeInterval(0.002))
        #expect(later.prefix(10) != a.prefix(10))
        #expect(later > a)
        #expect(OpaqueID.make(at: Date(timeIntervalSince1970: 0)).prefix(10) == "0000000000")
        #expect(OpaqueID.make(at: Date(timeIntervalSince1970: -5)).prefix(10) == "0000000000")
    }

    @Test("A seeded generator makes the same ids; another seed makes others")
    func deterministic() {
        var g1 = SampleData.Generator(seed: 7)
        var g2 = SampleData.Generator(seed: 7)
        var g3 = SampleData.Generator(seed: 8)
        let a = (0..<5).map { _ in OpaqueID.make(at: Self.start, using: &g1) }
        let b = (0..<5).map { _ in OpaqueID.make(at: Self.start, using: &g2) }
        let c = (0..<5).map { _ in OpaqueID.make(at: Self.start, using: &g3) }
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a).count == 5)
    }

    @Test("Junk is not well-formed", arguments: [
        "", "0", String(repeating: "0", count: 25), String(repeating: "0", count: 27), "01HZYX" + String(repeating: "A", count: 20),
        String(repeating: "i", count: 26), String(repeating: "u", count: 26), String(repeating: "-", count: 26),
        String(repeating: "あ", count: 26), "0000000000abcdefghjkmnpqr ", "../../../../../etc/passwd00",
    ])
    func junk(_ text: String) {
        #expect(!OpaqueID.isWellFormed(text))
    }

    @Test("Member ids compare by their text")
    func memberIDs() {
        #expect(MemberID("a") < MemberID("b"))
        #expect(MemberID("x") == MemberID("x"))
        #expect(MemberID("x").description == "x")
    }
}
