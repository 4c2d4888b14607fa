/// Sorted lists of documents met through a bitmap, one bit a document. When two lists are long beside the index (a
/// common word's, hundreds of thousands of documents at 1,000,000 profiles), a merge mispredicts a branch at almost
/// every step. Marking one list and keeping the other's documents whose bit is set costs a few instructions a
/// document with no branch, and the bitmap (125 KB at 1,000,000 documents) stays in the cache.
struct DocumentBitmap {
    typealias Doc = UInt32

    private var words: [UInt64]

    /// A bitmap of documents below `documents`, none set.
    init(documents: Int) {
        words = [UInt64](repeating: 0, count: (documents + 63) / 64)
    }

    /// Whether lists of these lengths, of documents below `documents`, meet faster through a bitmap than by a merge:
    /// neither is short beside the other (a merge would gallop through the longer) and together they are long beside
    /// the bitmap's words, which are cleared and read once.
    static func pays(_ a: Int, _ b: Int, documents: Int) -> Bool {
        let (short, long) = a < b ? (a, b) : (b, a)
        return short * 8 >= long && a + b >= documents / 32
    }

    /// The number of documents a bitmap needs for these sorted lists: one past the highest document in them.
    static func documents(_ lists: [Doc]...) -> Int {
        lists.reduce(0) { max($0, $1.last.map { Int($0) + 1 } ?? 0) }
    }

    mutating func insert(_ docs: [Doc]) {
        words.withUnsafeMutableBufferPointer { words in
            for doc in docs where Int(doc >> 6) < words.count { words[Int(doc >> 6)] |= 1 << UInt64(doc & 63) }
        }
    }

    func contains(_ doc: Doc) -> Bool {
        Int(doc >> 6) < words.count && words[Int(doc >> 6)] & (1 << UInt64(doc & 63)) != 0
    }

    /// The documents of `docs` (sorted) that are set, or with `keeping: false` those that are not, in order. Each is
    /// written, and the end moved on by its bit: no branch.
    func filter(_ docs: [Doc], keeping: Bool = true) -> [Doc] {
        let flip: UInt64 = keeping ? 0 : 1
        return [Doc](unsafeUninitializedCapacity: docs.count) { out, count in
            var k = 0
            words.withUnsafeBufferPointer { words in
                docs.withUnsafeBufferPointer { docs in
                    for doc in docs {
                        let word = Int(doc >> 6)
                        let bit = word < words.count ? (words[word] >> UInt64(doc & 63)) & 1 : 0
                        out[k] = doc
                        k += Int(bit ^ flip)
                    }
                }
            }
            count = k
        }
    }
}
