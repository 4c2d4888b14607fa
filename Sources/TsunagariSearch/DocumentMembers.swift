import TsunagariCore

/// The member of each of the search index's documents, and the document of each member: the ids' bytes one after
/// another, and a hash table of documents (open addressing, linear probing) that finds a member's by comparing
/// those bytes. A `[MemberID?]` beside a `[MemberID: UInt32]` took about 140 bytes a member (a 26-character id is
/// a string on the heap, the dictionary's buckets a key and a value each); this takes about 40.
///
/// A removed document keeps its id's bytes (marked removed), as the index keeps its number for good.
struct DocumentMembers: Sendable {
    typealias Doc = UInt32

    /// The ids' bytes, document after document.
    private var text: [UInt8] = []
    /// Where each document's id ends in `text`, with the high bit set when the document was removed.
    private var ends: [UInt32] = []
    /// Document + 1 in each used bucket, 0 in a free one; the count is a power of two, at most 3/4 used.
    private var buckets: [UInt32] = []
    private(set) var liveCount = 0

    private static let removedBit: UInt32 = 1 << 31

    init() {}

    /// How many documents there are, removed ones included.
    var count: Int { ends.count }

    /// The memory held, about: the ids' bytes, their ends, the buckets, and three arrays' headers.
    var bytes: Int { text.capacity + ends.capacity * 4 + buckets.capacity * 4 + 3 * 32 }

    private func range(_ doc: Int) -> Range<Int> {
        let start = doc == 0 ? 0 : Int(ends[doc - 1] & ~Self.removedBit)
        return start..<Int(ends[doc] & ~Self.removedBit)
    }

    func isLive(_ doc: Int) -> Bool { ends[doc] & Self.removedBit == 0 }

    /// The member of a document, nil when it was removed.
    subscript(doc: Int) -> MemberID? {
        isLive(doc) ? MemberID(id(doc)) : nil
    }

    /// A document's id (a removed one's too).
    func id(_ doc: Int) -> String {
        text.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range(doc)]), as: UTF8.self) }
    }

    /// Whether document `a`'s id sorts before `b`'s (by their bytes: ids are ASCII, so as `MemberID`'s `<`).
    func idPrecedes(_ a: Int, _ b: Int) -> Bool {
        text.withUnsafeBufferPointer { t in
            UnsafeBufferPointer(rebasing: t[range(a)]).lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: t[range(b)]))
        }
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    private func hash(_ doc: Int) -> Int {
        text.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[range(doc)])) }
    }

    /// The bucket holding `member`'s live document, or the free bucket where it would go.
    private func bucket(of member: MemberID) -> (index: Int, found: Bool) {
        var id = member.rawValue
        return id.withUTF8 { key in
            text.withUnsafeBufferPointer { t in
                let mask = buckets.count - 1
                var i = Self.hash(key) & mask
                while true {
                    let entry = buckets[i]
                    if entry == 0 { return (i, false) }
                    let doc = Int(entry - 1)
                    if UnsafeBufferPointer(rebasing: t[range(doc)]).elementsEqual(key) { return (i, true) }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// The live document of `member`, if any.
    func doc(of member: MemberID) -> Doc? {
        guard !buckets.isEmpty else { return nil }
        let (index, found) = bucket(of: member)
        return found ? buckets[index] - 1 : nil
    }

    /// Gives `member`, which has no live document, the next document.
    mutating func add(_ member: MemberID) -> Doc {
        precondition(text.count + member.rawValue.utf8.count < Int(Self.removedBit), "the search index holds too many members' ids")
        if (liveCount + 1) * 4 > buckets.count * 3 { rehash(to: max(16, buckets.count * 2)) }
        let doc = Doc(ends.count)
        text.append(contentsOf: member.rawValue.utf8)
        ends.append(UInt32(text.count))
        let (index, found) = bucket(of: member)
        precondition(!found, "a member has one live document")
        buckets[index] = doc + 1
        liveCount += 1
        return doc
    }

    /// Removes `member`'s live document and returns it; nil when there is none.
    mutating func remove(_ member: MemberID) -> Doc? {
        guard !buckets.isEmpty else { return nil }
        var (hole, found) = bucket(of: member)
        guard found else { return nil }
        let doc = buckets[hole] - 1
        ends[Int(doc)] |= Self.removedBit
        liveCount -= 1
        // Backward shift: move up every later entry of the run that may stand in the hole, so that no search stops early.
        let mask = buckets.count - 1
        buckets[hole] = 0
        var i = (hole + 1) & mask
        while buckets[i] != 0 {
            let home = hash(Int(buckets[i] - 1)) & mask
            // The entry may move to the hole when its home is not in (hole, i], cyclically.
            let movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i)
            if movable {
                buckets[hole] = buckets[i]
                buckets[i] = 0
                hole = i
            }
            i = (i + 1) & mask
        }
        return doc
    }

    private mutating func rehash(to size: Int) {
        let old = buckets
        buckets = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        for entry in old where entry != 0 {
            var i = hash(Int(entry - 1)) & mask
            while buckets[i] != 0 { i = (i + 1) & mask }
            buckets[i] = entry
        }
    }

    /// The table for these documents' members (nil for a removed document), as a snapshot lists them; nil when a
    /// member stands twice.
    init?(_ members: [MemberID?]) {
        var size = 16
        while members.count * 4 > size * 3 { size *= 2 }
        buckets = [UInt32](repeating: 0, count: size)
        text.reserveCapacity(members.reduce(0) { $0 + ($1?.rawValue.utf8.count ?? 0) })
        ends.reserveCapacity(members.count)
        for member in members {
            guard let member else {
                ends.append(UInt32(text.count) | Self.removedBit)
                continue
            }
            guard doc(of: member) == nil, text.count + member.rawValue.utf8.count < Int(Self.removedBit) else { return nil }
            _ = add(member)
        }
    }
}
