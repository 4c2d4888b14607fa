/// A term's documents in order, each with the term's weighted frequency in it: three bytes a posting, not six.
///
/// Documents are numbers below 2³²; they are kept by chunk of 65,536 as the low 16 bits of each (`lows`), with
/// each chunk present, its number and where its documents start (`runs`). The frequency is the sum of the term's
/// columns' weights over its occurrences, at most 255 (a term would have to stand 32 times in a name to pass it).
/// A query intersects its candidates with the list as it is, run by run; only a term whose whole list is the answer
/// is written out as documents (`docs()`).
struct PostingList: Sendable, Equatable {
    typealias Doc = UInt32

    /// The low 16 bits of every document, in order.
    private(set) var lows: [UInt16] = []
    /// Per chunk present, in order: the chunk's number in the high 32 bits, where its documents start in `lows` in
    /// the low 32.
    private(set) var runs: [UInt64] = []
    /// Parallel to `lows`.
    private(set) var frequencies: [UInt8] = []

    init() {}

    var count: Int { lows.count }

    /// The memory the list holds, about: its three arrays' elements and headers.
    var bytes: Int { lows.capacity * 2 + frequencies.capacity + runs.capacity * 8 + 3 * 32 }

    static func frequency(_ weight: Float) -> UInt8 { UInt8(min(255, max(0, weight.rounded()))) }
    static func frequency(_ weight: UInt32) -> UInt8 { UInt8(min(255, weight)) }

    private static func chunk(_ run: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: run >> 32) }
    private static func start(_ run: UInt64) -> Int { Int(UInt32(truncatingIfNeeded: run)) }
    private static func run(_ chunk: UInt32, _ start: Int) -> UInt64 { UInt64(chunk) << 32 | UInt64(start) }

    /// Where run `r`'s documents stand in `lows`.
    private func range(_ r: Int) -> Range<Int> {
        Self.start(runs[r])..<(r + 1 < runs.count ? Self.start(runs[r + 1]) : lows.count)
    }

    /// The documents, in order.
    func docs() -> [Doc] {
        var docs = [Doc](repeating: 0, count: lows.count)
        docs.withUnsafeMutableBufferPointer { out in
            lows.withUnsafeBufferPointer { lows in
                for r in runs.indices {
                    let base = Self.chunk(runs[r]) << 16
                    for i in range(r) { out[i] = base | Doc(lows[i]) }
                }
            }
        }
        return docs
    }

    /// The last document, if any.
    var last: Doc? {
        guard let run = runs.last, let low = lows.last else { return nil }
        return Self.chunk(run) << 16 | Doc(low)
    }

    /// Adds a document above every one held.
    mutating func append(_ doc: Doc, _ frequency: UInt8) {
        precondition(last.map { $0 < doc } ?? true, "postings are appended in order")
        let chunk = doc >> 16
        if runs.last.map(Self.chunk) != chunk { runs.append(Self.run(chunk, lows.count)) }
        reserveOneMore()
        lows.append(UInt16(truncatingIfNeeded: doc))
        frequencies.append(frequency)
    }

    /// Makes room for one more posting, growing by an eighth rather than by Swift's doubling: a list filled from
    /// storage posting by posting would otherwise keep a third of its room empty on average, and a list just read
    /// from a snapshot (no room to spare) would double at its first new posting. The copies cost about eight moves
    /// a posting over a list's life, measured as no slower a fill (docs/BENCHMARKS.md).
    private mutating func reserveOneMore() {
        if lows.count == lows.capacity { lows.reserveCapacity(lows.count + lows.count / 8 + 8) }
        if frequencies.count == frequencies.capacity { frequencies.reserveCapacity(frequencies.count + frequencies.count / 8 + 16) }
    }

    /// The run holding chunk `chunk`, or where it would go.
    private func runIndex(_ chunk: UInt32) -> (index: Int, found: Bool) {
        var low = 0
        var high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if Self.chunk(runs[mid]) < chunk { low = mid + 1 } else { high = mid }
        }
        return (low, low < runs.count && Self.chunk(runs[low]) == chunk)
    }

    /// Where `doc` stands in `lows` (or would), and whether it is there; `run` is its chunk's run, if any.
    private func position(_ doc: Doc) -> (run: Int, found: Bool, index: Int, present: Bool) {
        let (r, found) = runIndex(doc >> 16)
        guard found else { return (r, false, r < runs.count ? Self.start(runs[r]) : lows.count, false) }
        let bounds = range(r)
        let low = UInt16(truncatingIfNeeded: doc)
        var a = bounds.lowerBound
        var b = bounds.upperBound
        while a < b {
            let mid = (a + b) / 2
            if lows[mid] < low { a = mid + 1 } else { b = mid }
        }
        return (r, true, a, a < bounds.upperBound && lows[a] == low)
    }

    /// Adds `doc`, or sets its frequency when it is held.
    mutating func insert(_ doc: Doc, _ frequency: UInt8) {
        if last.map({ $0 < doc }) ?? true {
            append(doc, frequency)
            return
        }
        let at = position(doc)
        if at.present {
            frequencies[at.index] = frequency
            return
        }
        if !at.found { runs.insert(Self.run(doc >> 16, at.index), at: at.run) }
        reserveOneMore()
        lows.insert(UInt16(truncatingIfNeeded: doc), at: at.index)
        frequencies.insert(frequency, at: at.index)
        for r in (at.run + 1)..<runs.count { runs[r] += 1 }
    }

    /// Removes `doc`; nothing happens when it is not held.
    mutating func remove(_ doc: Doc) {
        let at = position(doc)
        guard at.present else { return }
        lows.remove(at: at.index)
        frequencies.remove(at: at.index)
        for r in (at.run + 1)..<runs.count { runs[r] -= 1 }
        if range(at.run).isEmpty { runs.remove(at: at.run) }
    }

    /// Calls `body(i, j)` for each `docs[i]` that is the list's `j`-th document, in order. Run by run: the candidates
    /// of a chunk are found by bisection, then merged with the run, or galloped through it when far fewer.
    func forEachCommon(_ docs: [Doc], _ body: (Int, Int) -> Void) {
        guard !docs.isEmpty, !lows.isEmpty else { return }
        // Unless the candidates are few beside the list, the list is written out and the two merged: writing it costs
        // less than the merge itself, and the merge of two plain arrays is the fastest (measured: run by run, query
        // 3 of `tsunagari bench search` took 11.4 ms against 6.5 ms).
        guard docs.count * 8 < lows.count else {
            TermIndex.forEachCommon(docs, self.docs(), body)
            return
        }
        docs.withUnsafeBufferPointer { docs in
            lows.withUnsafeBufferPointer { lows in
                var from = 0
                for r in runs.indices where from < docs.count {
                    let chunk = Self.chunk(runs[r])
                    // The candidates of this chunk: [from, to).
                    from = Self.lowerBound(docs, chunk << 16, from: from)
                    let to = chunk == 0xFFFF ? docs.count : Self.lowerBound(docs, (chunk + 1) << 16, from: from)
                    guard from < to else { continue }
                    let bounds = range(r)
                    Self.common(docs, from..<to, lows, bounds, body)
                    from = to
                }
            }
        }
    }

    /// The candidates (sorted) that the list holds.
    func intersection(_ docs: [Doc]) -> [Doc] {
        let documents = max(DocumentBitmap.documents(docs), last.map { Int($0) + 1 } ?? 0)
        if DocumentBitmap.pays(docs.count, lows.count, documents: documents) {
            // Long beside each other: the candidates marked, then the list read run by run, each of its documents kept
            // when marked, without a branch.
            var bitmap = DocumentBitmap(documents: documents)
            bitmap.insert(docs)
            return [Doc](unsafeUninitializedCapacity: min(docs.count, lows.count)) { out, count in
                var k = 0
                lows.withUnsafeBufferPointer { lows in
                    for r in runs.indices {
                        let base = Self.chunk(runs[r]) << 16
                        for i in range(r) where k < out.count {
                            let doc = base | Doc(lows[i])
                            out[k] = doc
                            k += bitmap.contains(doc) ? 1 : 0
                        }
                    }
                }
                count = k
            }
        }
        var result: [Doc] = []
        forEachCommon(docs) { i, _ in result.append(docs[i]) }
        return result
    }

    private static func lowerBound(_ docs: UnsafeBufferPointer<Doc>, _ value: Doc, from: Int) -> Int {
        var low = from
        var high = docs.count
        while low < high {
            let mid = (low + high) / 2
            if docs[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// `docs[a]` (one chunk's, compared by their low 16 bits) against `lows[b]`.
    private static func common(
        _ docs: UnsafeBufferPointer<Doc>, _ a: Range<Int>, _ lows: UnsafeBufferPointer<UInt16>, _ b: Range<Int>, _ body: (Int, Int) -> Void
    ) {
        @inline(__always) func low(_ i: Int) -> UInt16 { UInt16(truncatingIfNeeded: docs[i]) }
        if a.count * 8 < b.count {
            // Few candidates: each found by galloping from the last.
            var j = b.lowerBound
            for i in a {
                let value = low(i)
                var step = 1
                var high = j
                while high < b.upperBound, lows[high] < value {
                    j = high + 1
                    high += step
                    step *= 2
                }
                high = min(high, b.upperBound)
                while j < high {
                    let mid = (j + high) / 2
                    if lows[mid] < value { j = mid + 1 } else { high = mid }
                }
                if j == b.upperBound { return }
                if lows[j] == value { body(i, j) }
            }
        } else if b.count * 8 < a.count {
            var i = a.lowerBound
            for j in b {
                let value = lows[j]
                var step = 1
                var high = i
                while high < a.upperBound, low(high) < value {
                    i = high + 1
                    high += step
                    step *= 2
                }
                high = min(high, a.upperBound)
                while i < high {
                    let mid = (i + high) / 2
                    if low(mid) < value { i = mid + 1 } else { high = mid }
                }
                if i == a.upperBound { return }
                if low(i) == value { body(i, j) }
            }
        } else {
            var i = a.lowerBound
            var j = b.lowerBound
            while i < a.upperBound, j < b.upperBound {
                let x = low(i)
                let y = lows[j]
                if x < y {
                    i += 1
                } else if y < x {
                    j += 1
                } else {
                    body(i, j)
                    i += 1
                    j += 1
                }
            }
        }
    }

    // MARK: Snapshots

    /// A list from a snapshot's parts, or nil when they do not hold together (runs out of order or past the
    /// documents, documents out of order, or one at or past `documents`).
    init?(lows: [UInt16], runs: [UInt64], frequencies: [UInt8], documents: Int) {
        guard frequencies.count == lows.count, lows.isEmpty == runs.isEmpty else { return nil }
        self.lows = lows
        self.runs = runs
        self.frequencies = frequencies
        var previous: Int64 = -1
        for r in runs.indices {
            if r > 0 && Self.chunk(runs[r]) <= Self.chunk(runs[r - 1]) { return nil }
            let start = Self.start(runs[r])
            if r == 0 ? start != 0 : start <= Self.start(runs[r - 1]) { return nil }
            if start >= lows.count { return nil }
        }
        for r in runs.indices {
            let base = Int64(Self.chunk(runs[r])) << 16
            for i in range(r) {
                let doc = base | Int64(lows[i])
                guard doc > previous else { return nil }
                previous = doc
            }
        }
        guard previous < Int64(documents) else { return nil }
    }
}
