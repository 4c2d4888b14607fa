import Foundation
import TsunagariCore

/// The search index written out whole (`SnapshotWriter`) and read back without analysing or merging anything: the
/// arrays are copied as they are, and only the two dictionaries (term text to term, member to document) are hashed
/// again. A restarting instance loads this and replays the change log after it, instead of filling the index from
/// every stored entry.
extension TermIndex {
    public static let snapshotKind = "search index"
    /// Raised whenever the layout below, the analyser's columns or their weights change: an older snapshot is then
    /// refused and the index is built from storage.
    public static let snapshotFormat: UInt32 = 3

    /// What the index holds at one moment. Taking it costs no copy (Swift's arrays are shared until written), so the
    /// lock is held only for that; a writer afterwards copies the outer arrays and the lists it changes.
    struct Frozen: Sendable {
        let termText: [String]
        let postings: [PostingList]
        let namePostings: [Term: [Doc]]
        let nameTermIDs: [Term]
        let members: DocumentMembers
        let forward: [[UInt8]]
        let lengths: [Float]
        let attributes: [[UInt8]]
        let attributeTable: AttributeTable
        let stamps: [Double]
        let versions: [Int64]
        let liveCount: Int
        let totalLength: Double
    }

    func frozen() -> Frozen {
        lock.read {
            Frozen(
                termText: termText, postings: postings, namePostings: namePostings, nameTermIDs: nameTermIDs,
                members: members, forward: forward, lengths: lengths, attributes: attributes, attributeTable: attributeTable,
                stamps: stamps, versions: versions, liveCount: liveCount, totalLength: totalLength)
        }
    }

    /// Writes the index as it stands now. The lock is held only to take `frozen()`: queries and writers go on
    /// while the bytes are written.
    public func writeSnapshot(to writer: inout SnapshotWriter) {
        Self.write(frozen(), to: &writer)
    }

    static func write(_ index: Frozen, to writer: inout SnapshotWriter) {
        writer.write(UInt32(Self.columns.count))
        writer.write(Self.columnWeights)
        // Terms: their text as one block of bytes with the end of each.
        var ends: [UInt32] = []
        ends.reserveCapacity(index.termText.count)
        var text: [UInt8] = []
        for term in index.termText {
            text.append(contentsOf: term.utf8)
            ends.append(UInt32(text.count))
        }
        writer.write(ends)
        writer.write(text)
        text = []
        // Postings: each term's length and runs, then every list's documents' low bits, runs and frequencies.
        writer.write(index.postings.map { UInt32($0.count) })
        writer.write(index.postings.map { UInt32($0.runs.count) })
        for list in index.postings { writer.writeElements(list.lows) }
        for list in index.postings { writer.writeElements(list.runs) }
        for list in index.postings { writer.writeElements(list.frequencies) }
        // Typeahead's postings, by term, and its sorted terms (their text is the terms').
        let named = index.namePostings.keys.sorted()
        writer.write(named)
        writer.write(named.map { UInt32(index.namePostings[$0]!.count) })
        for term in named { writer.writeElements(index.namePostings[term]!) }
        writer.write(index.nameTermIDs)
        // Documents: members (an empty id for a removed document), forward lists, the per-document columns.
        writer.write(UInt64(index.members.count))
        for doc in 0..<index.members.count { writer.write(index.members.isLive(doc) ? index.members.id(doc) : "") }
        writer.write(index.forward.map { UInt32($0.count) })
        for tokens in index.forward { writer.writeElements(tokens) }
        writer.write(index.lengths)
        // Attributes: the table's pieces as one block of bytes with the end of each, then each document's bytes.
        writer.write(index.attributeTable.ends)
        writer.write(index.attributeTable.text)
        writer.write(index.attributes.map { UInt32($0.count) })
        for bytes in index.attributes { writer.writeElements(bytes) }
        writer.write(index.stamps)
        writer.write(index.versions)
        writer.write(Int64(index.liveCount))
        writer.write(index.totalLength)
    }

    /// Replaces what the index holds with an index written by `writeSnapshot`. Throws, and leaves the index as it
    /// was, when the bytes are not such an index, are of another format, or do not hold together (lengths that
    /// disagree, a term or document out of range).
    public func readSnapshot(from reader: inout SnapshotReader) throws(SnapshotError) {
        guard Int(try reader.read(UInt32.self)) == Self.columns.count, try reader.readFloats() == Self.columnWeights else {
            throw SnapshotError("the search index's columns have changed since the snapshot")
        }
        let ends = try reader.readArray(UInt32.self)
        let text = try reader.readArray(UInt8.self)
        var termText: [String] = []
        termText.reserveCapacity(ends.count)
        var termIDs: [TermKey: Term] = [:]
        termIDs.reserveCapacity(ends.count)
        var start = 0
        try text.withUnsafeBufferPointer { (bytes) throws(SnapshotError) in
            for end in ends {
                let end = Int(end)
                guard end >= start, end <= bytes.count else { throw SnapshotError("the terms' text is out of order") }
                let term = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                termIDs[TermKey(term)] = Term(termText.count)
                termText.append(term)
                start = end
            }
        }
        let termCount = termText.count
        let postingCounts = try reader.readArray(UInt32.self)
        let runCounts = try reader.readArray(UInt32.self)
        guard postingCounts.count == termCount, runCounts.count == termCount else { throw SnapshotError("the postings do not match the terms") }
        var lows: [[UInt16]] = []
        lows.reserveCapacity(termCount)
        for count in postingCounts { lows.append(try reader.readElements(UInt16.self, count: Int(count))) }
        var runs: [[UInt64]] = []
        runs.reserveCapacity(termCount)
        for count in runCounts { runs.append(try reader.readElements(UInt64.self, count: Int(count))) }
        var frequencyLists: [[UInt8]] = []
        frequencyLists.reserveCapacity(termCount)
        for count in postingCounts { frequencyLists.append(try reader.readElements(UInt8.self, count: Int(count))) }
        let named = try reader.readArray(UInt32.self)
        let namedCounts = try reader.readArray(UInt32.self)
        guard named.count == namedCounts.count, named.allSatisfy({ Int($0) < termCount }) else {
            throw SnapshotError("the typeahead postings do not match the terms")
        }
        var namePostings: [Term: [Doc]] = [:]
        namePostings.reserveCapacity(named.count)
        for (term, count) in zip(named, namedCounts) { namePostings[term] = try reader.readElements(Doc.self, count: Int(count)) }
        let nameTermIDs = try reader.readArray(UInt32.self)
        guard nameTermIDs.allSatisfy({ Int($0) < termCount }) else { throw SnapshotError("a typeahead term is out of range") }
        let documentCount = try reader.readCount(elementSize: 4)
        var members: [MemberID?] = []
        members.reserveCapacity(documentCount)
        for _ in 0..<documentCount {
            let raw = try reader.readString()
            members.append(raw.isEmpty ? nil : MemberID(raw))
        }
        let forwardCounts = try reader.readArray(UInt32.self)
        guard forwardCounts.count == documentCount else { throw SnapshotError("the forward lists do not match the documents") }
        var forward: [[UInt8]] = []
        forward.reserveCapacity(documentCount)
        for count in forwardCounts { forward.append(try reader.readElements(UInt8.self, count: Int(count))) }
        let lengths = try reader.readFloats()
        let pieceEnds = try reader.readArray(UInt32.self)
        let pieceText = try reader.readArray(UInt8.self)
        guard let attributeTable = AttributeTable(text: pieceText, ends: pieceEnds) else {
            throw SnapshotError("the attributes' pieces are out of order")
        }
        let attributeCounts = try reader.readArray(UInt32.self)
        var attributes: [[UInt8]] = []
        attributes.reserveCapacity(attributeCounts.count)
        for count in attributeCounts { attributes.append(try reader.readElements(UInt8.self, count: Int(count))) }
        let stamps = try reader.readDoubles()
        let versions = try reader.readArray(Int64.self)
        let liveCount = Int(try reader.read(Int64.self))
        let totalLength = try reader.readDouble()
        guard [lengths.count, attributes.count, stamps.count, versions.count].allSatisfy({ $0 == documentCount }),
            let documents = DocumentMembers(members), liveCount == documents.liveCount, reader.isAtEnd
        else { throw SnapshotError("the documents' columns do not match the documents") }
        // A posting's document and a forward list's term must exist, or a query would read out of range.
        var postings: [PostingList] = []
        postings.reserveCapacity(termCount)
        for term in 0..<termCount {
            guard let list = PostingList(lows: lows[term], runs: runs[term], frequencies: frequencyLists[term], documents: documentCount) else {
                throw SnapshotError("a posting list is out of order or names a document the snapshot does not hold")
            }
            postings.append(list)
        }
        lows = []
        runs = []
        frequencyLists = []
        for list in namePostings.values where !(list.last.map { Int($0) < documentCount } ?? true) {
            throw SnapshotError("a typeahead posting names a document the snapshot does not hold")
        }
        for list in forward where !ForwardList.isValid(list, columns: Self.columns.count, terms: termCount) {
            throw SnapshotError("a forward list is torn or names a term the snapshot does not hold")
        }
        for bytes in attributes where !attributeTable.isValid(bytes) {
            throw SnapshotError("a document's attributes are torn or name a piece the snapshot does not hold")
        }
        lock.write {
            self.termIDs = termIDs
            self.termText = termText
            self.postings = postings
            self.namePostings = namePostings
            self.nameTermIDs = nameTermIDs
            self.nameTerms = nameTermIDs.map { termText[Int($0)] }
            self.members = documents
            self.forward = forward
            self.lengths = lengths
            self.attributes = attributes
            self.attributeTable = attributeTable
            self.stamps = stamps
            self.versions = versions
            self.totalLength = totalLength
        }
    }
}

extension SearchEngine {
    /// Where in the search change log a snapshot was taken: every change up to `sequence` is in it. `anchor` is the
    /// member that change named, which a database with another history almost surely does not have at that number.
    public struct SnapshotPosition: Sendable, Equatable {
        public var sequence: Int64
        public var anchor: String
        public var takenAt: Date
    }

    /// Writes the index and its place in the change log through `flush`. Returns nil, having written nothing, when
    /// this is not a good moment: the index holds a write of this instance that storage has not yet acknowledged,
    /// or the change it stands at is not in the log (rolled back, or pruned); a later try will do.
    /// The bytes are written on `queue` when given (a snapshot of 1,000,000 profiles takes seconds of one core).
    public func writeSnapshot(
        now: Date = Date(), on queue: DispatchQueue? = nil, flush: @escaping @Sendable ([UInt8]) throws -> Void
    ) async throws -> SnapshotPosition? {
        // Numbers passed over at a gap may still commit: the snapshot stands before the first of them, so that a
        // restarted instance asks for them again.
        let sequence = progress.withLock { $0 }.snapshotSequence(now: now)
        var anchor = ""
        if sequence > 0 {
            guard let change = try await store.searchChanges(sequences: [sequence]).first else { return nil }
            anchor = change.member.rawValue
        }
        let index = self.index
        guard let frozen = ownWrites.withLock({ $0 == 0 ? index.frozen() : nil }) else { return nil }
        try await SnapshotWriter.write(kind: TermIndex.snapshotKind, format: TermIndex.snapshotFormat, on: queue, flush: flush) { [anchor] writer in
            writer.write(sequence)
            writer.write(anchor)
            writer.write(now.timeIntervalSince1970)
            TermIndex.write(frozen, to: &writer)
        }
        return SnapshotPosition(sequence: sequence, anchor: anchor, takenAt: now)
    }

    /// Fills the index from a snapshot instead of from every stored entry, after checking that it belongs to this
    /// database's present history: the change it was taken at must still be in the log, naming the same member,
    /// and the log must not end before it (a restored or another database). Throws `SnapshotError` saying why when
    /// it does not fit; the index is then left empty, to be loaded from storage. Call `catchUp()` after it, as
    /// after `load`.
    @discardableResult
    public func restore(from bytes: UnsafeRawBufferPointer) async throws -> SnapshotPosition {
        var reader = try SnapshotReader(bytes, kind: TermIndex.snapshotKind, formats: TermIndex.snapshotFormat...TermIndex.snapshotFormat)
        let sequence = try reader.read(Int64.self)
        let anchor = try reader.readString()
        let takenAt = Date(timeIntervalSince1970: try reader.readDouble())
        let last = try await store.lastSearchChange()
        guard last >= sequence else {
            throw SnapshotError("the search change log ends at \(last), before the snapshot's \(sequence): it is of another or an older database")
        }
        if sequence > 0 {
            guard let change = try await store.searchChanges(sequences: [sequence]).first else {
                throw SnapshotError("change \(sequence), where the snapshot was taken, is no longer in the log")
            }
            guard change.member.rawValue == anchor else { throw SnapshotError("the snapshot is of another database") }
        } else if last > 0 {
            // Taken on an empty log: every change since must still be there, from the first.
            guard let first = try await store.searchChanges(after: 0, limit: 1).first, first.sequence == 1 else {
                throw SnapshotError("the changes since the snapshot are no longer all in the log")
            }
        }
        try index.readSnapshot(from: &reader)
        progress.withLock { cursor in
            cursor = ChangeLogCursor()
            cursor.advance(to: sequence)
        }
        return SnapshotPosition(sequence: sequence, anchor: anchor, takenAt: takenAt)
    }

    /// Empties the index and forgets where the change log stood (before filling it from storage instead).
    public func reset() {
        index.removeAll()
        progress.withLock { $0 = ChangeLogCursor() }
    }
}
