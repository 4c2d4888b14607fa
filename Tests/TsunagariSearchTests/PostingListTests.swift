import Testing

@testable import TsunagariSearch

/// Posting lists kept as runs of 16-bit documents against a plain sorted array of the same documents.
@Suite struct PostingListTests {
    typealias Random = TermIndexTests.Random

    /// Documents over several chunks of 65,536, some dense and some sparse, with chunks left out.
    static func document(_ random: inout Random) -> UInt32 {
        switch random.int(4) {
        case 0: UInt32(random.int(300))  // dense, in chunk 0
        case 1: UInt32(65_536 * 3 + random.int(70_000))  // across chunks 3 and 4
        case 2: UInt32(random.int(1 << 20))  // sparse, over 16 chunks
        default: UInt32.max - UInt32(random.int(100))  // the last chunk
        }
    }

    @Test func insertsRemovesAndAppendsMatchASortedArray() {
        var random = Random(state: 11)
        var list = PostingList()
        var reference: [UInt32: UInt8] = [:]
        for step in 0..<6_000 {
            let doc = Self.document(&random)
            let frequency = UInt8(random.int(256))
            if random.int(3) == 0 {
                list.remove(doc)
                reference[doc] = nil
            } else {
                list.insert(doc, frequency)
                reference[doc] = frequency
            }
            if step % 500 == 0 || step == 5_999 {
                let sorted = reference.keys.sorted()
                #expect(list.docs() == sorted, "step \(step)")
                #expect(list.frequencies == sorted.map { reference[$0]! }, "step \(step)")
                #expect(list.count == sorted.count)
                #expect(list.last == sorted.last)
            }
        }
        // Appends above the last.
        var appended = PostingList()
        var docs: [UInt32] = []
        var doc: UInt32 = 0
        for _ in 0..<5_000 {
            doc += UInt32(1 + random.int(900))
            appended.append(doc, 1)
            docs.append(doc)
        }
        #expect(appended.docs() == docs)
        #expect(appended.runs.count == Int(doc >> 16) + 1)
    }

    @Test func intersectionsMatchAPlainOne() {
        var random = Random(state: 5)
        for round in 0..<60 {
            var list = PostingList()
            var held: Set<UInt32> = []
            // Lists and candidates of very different sizes, so that both the merge and the gallop (either way) run.
            for _ in 0..<[10, 300, 5_000][round % 3] {
                let doc = Self.document(&random)
                list.insert(doc, UInt8(doc % 251))
                held.insert(doc)
            }
            let candidates = Set((0..<[5_000, 300, 10][(round / 3) % 3]).map { _ in Self.document(&random) } + held.prefix(random.int(50))).sorted()
            let expected = candidates.filter(held.contains)
            #expect(list.intersection(candidates) == expected, "round \(round)")
            var pairs: [(Int, Int)] = []
            list.forEachCommon(candidates) { i, j in pairs.append((i, j)) }
            let docs = list.docs()
            #expect(pairs.map { candidates[$0.0] } == expected)
            #expect(pairs.allSatisfy { candidates[$0.0] == docs[$0.1] && list.frequencies[$0.1] == UInt8(docs[$0.1] % 251) })
        }
    }

    @Test func aSnapshotsPartsAreCheckedBeforeUse() {
        var list = PostingList()
        for doc: UInt32 in [3, 70_000, 70_001, 200_000] { list.append(doc, 2) }
        #expect(PostingList(lows: list.lows, runs: list.runs, frequencies: list.frequencies, documents: 200_001) == list)
        // A document at or past the documents held.
        #expect(PostingList(lows: list.lows, runs: list.runs, frequencies: list.frequencies, documents: 200_000) == nil)
        // Runs out of order, documents out of order, and parts of other lengths.
        #expect(PostingList(lows: list.lows, runs: list.runs.reversed(), frequencies: list.frequencies, documents: 300_000) == nil)
        #expect(list.lows == [3, 4_464, 4_465, 3_392])
        #expect(PostingList(lows: [3, 4_465, 4_464, 3_392], runs: list.runs, frequencies: list.frequencies, documents: 300_000) == nil)
        #expect(PostingList(lows: list.lows, runs: list.runs, frequencies: [2], documents: 300_000) == nil)
        #expect(PostingList(lows: list.lows, runs: [], frequencies: list.frequencies, documents: 300_000) == nil)
        #expect(PostingList(lows: [], runs: [], frequencies: [], documents: 0) == PostingList())
    }

    @Test func frequenciesStopAt255() {
        #expect(PostingList.frequency(UInt32(8)) == 8)
        #expect(PostingList.frequency(UInt32(1_000)) == 255)
        #expect(PostingList.frequency(Float(300)) == 255)
        #expect(PostingList.frequency(Float(13)) == 13)
    }
}
