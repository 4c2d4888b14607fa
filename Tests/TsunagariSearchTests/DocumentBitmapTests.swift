import Testing

@testable import TsunagariSearch

/// Intersections and differences of sorted lists through a bitmap, against sets, at densities on both sides of the
/// point where the bitmap is chosen over a merge.
@Suite struct DocumentBitmapTests {
    typealias Doc = UInt32
    typealias Random = TermIndexTests.Random

    /// A sorted list of about `density` of the documents below `documents`.
    static func list(_ documents: Int, density: Int, _ random: inout Random) -> [Doc] {
        (0..<documents).filter { _ in random.int(1_000) < density }.map(Doc.init)
    }

    static func postings(_ docs: [Doc]) -> PostingList {
        var list = PostingList()
        for doc in docs { list.append(doc, 1) }
        return list
    }

    @Test func intersectionsAndDifferencesEqualTheSetsAtEveryDensity() {
        var random = Random(state: 5)
        // Per mille: from a few documents (merged or galloped) to most of them (through the bitmap).
        let densities = [1, 5, 30, 120, 400, 900, 1_000]
        var throughBitmap = 0
        var merged = 0
        for documents in [70, 1_000, 150_000] {
            for a in densities {
                for b in densities {
                    let x = Self.list(documents, density: a, &random)
                    let y = Self.list(Int(Double(documents) * 0.8), density: b, &random)
                    if DocumentBitmap.pays(x.count, y.count, documents: DocumentBitmap.documents(x, y)) { throughBitmap += 1 } else { merged += 1 }
                    let common = Set(x).intersection(y).sorted()
                    #expect(TermIndex.intersect(x, y) == common, "\(documents): \(x.count) ∩ \(y.count)")
                    #expect(TermIndex.intersect(y, x) == common)
                    #expect(Self.postings(x).intersection(y) == common, "\(documents): list of \(x.count) ∩ \(y.count)")
                    #expect(Self.postings(y).intersection(x) == common)
                    #expect(TermIndex.subtract(x, y) == Set(x).subtracting(y).sorted(), "\(documents): \(x.count) − \(y.count)")
                    #expect(TermIndex.subtract(y, x) == Set(y).subtracting(x).sorted())
                }
            }
        }
        #expect(throughBitmap > 20 && merged > 20, "\(throughBitmap) through the bitmap, \(merged) merged")
    }

    @Test func theBitmapKeepsOrDropsWhatIsMarked() {
        var bitmap = DocumentBitmap(documents: 130)
        bitmap.insert([0, 63, 64, 129, 500])
        #expect(bitmap.contains(63) && bitmap.contains(129) && !bitmap.contains(1) && !bitmap.contains(500), "500 is past the end")
        #expect(bitmap.filter([0, 1, 63, 64, 65, 129, 130, 4_000]) == [0, 63, 64, 129])
        #expect(bitmap.filter([0, 1, 63, 64, 65, 129, 130, 4_000], keeping: false) == [1, 65, 130, 4_000])
        #expect(bitmap.filter([]) == [])
    }
}
