import Testing

@testable import TsunagariSearch

/// Forward lists as bytes against the tokens they were made from.
@Suite struct ForwardListTests {
    typealias Random = TermIndexTests.Random
    static let columns = TermIndex.columns.count

    /// Tokens as the index builds them: every column's mark in order, then terms (of 1 to 4 bytes once encoded) and
    /// boundaries.
    static func tokens(_ random: inout Random, terms: [UInt32]) -> [UInt32] {
        var tokens: [UInt32] = []
        for column in 0..<columns {
            tokens.append(TermIndex.markBase + UInt32(column))
            for _ in 0..<random.int(12) {
                tokens.append(random.int(9) == 0 ? TermIndex.boundaryToken : random.pick(terms))
            }
        }
        return tokens
    }

    /// A small vocabulary whose encodings share bytes: 1, 127 and 128 + 1 share a last byte, 16,384 + 1 and 1 too.
    static let terms: [UInt32] = [0, 1, 5, 126, 127, 128, 129, 255, 256, 16_383, 16_384, 16_385, 2_097_151, 2_097_152, 300_000_000]

    @Test func listsRoundTrip() {
        var random = Random(state: 3)
        for _ in 0..<300 {
            let tokens = Self.tokens(&random, terms: Self.terms)
            let bytes = ForwardList.encode(tokens, columns: Self.columns)
            #expect(ForwardList.decode(bytes, columns: Self.columns) == tokens)
            #expect(ForwardList.isValid(bytes, columns: Self.columns, terms: 300_000_001))
            #expect(!ForwardList.isValid(bytes, columns: Self.columns, terms: 300_000_000) || !tokens.contains(300_000_000))
            for column in 0..<Self.columns {
                let range = TermIndex.columnRange(tokens, column)!
                #expect(ForwardList.tokens(bytes, column: column, columns: Self.columns) == Array(tokens[range]))
            }
        }
        #expect(ForwardList.encode([], columns: Self.columns).isEmpty)
        #expect(ForwardList.decode([], columns: Self.columns) == [])
    }

    /// The reference: phrases found token by token, as the index did before its lists were bytes.
    static func occurrences(of terms: [UInt32], in tokens: [UInt32], column wanted: Int?) -> (count: Int, weight: Float) {
        var count = 0
        var weight: Float = 0
        var column = 0
        for i in tokens.indices {
            if tokens[i] >= TermIndex.markBase, tokens[i] != TermIndex.boundaryToken { column = Int(tokens[i] - TermIndex.markBase) }
            guard i + terms.count <= tokens.count, Array(tokens[i..<(i + terms.count)]) == terms else { continue }
            if wanted == nil || wanted == column {
                count += 1
                weight += TermIndex.columnWeights[column]
            }
        }
        return (count, weight)
    }

    @Test func phrasesAreFoundAsTokenByToken() {
        var random = Random(state: 17)
        // Few terms, so that phrases of two and three are often there.
        let vocabulary: [UInt32] = [1, 129, 16_385, 127, 128]
        for _ in 0..<2_000 {
            let tokens = Self.tokens(&random, terms: vocabulary)
            let bytes = ForwardList.encode(tokens, columns: Self.columns)
            let phrase = (0..<(1 + random.int(3))).map { _ in random.pick(vocabulary) }
            let column: Int? = random.int(3) == 0 ? random.int(Self.columns) : nil
            let found = ForwardList.occurrences(of: ForwardList.pattern(phrase), in: bytes, column: column, weights: TermIndex.columnWeights)
            let expected = Self.occurrences(of: phrase, in: tokens, column: column)
            #expect(found.count == expected.count && found.weight == expected.weight, "\(phrase) in \(tokens)")
        }
    }

    @Test func tornListsAreRefused() {
        var random = Random(state: 9)
        let tokens = Self.tokens(&random, terms: Self.terms) + [TermIndex.boundaryToken, 2_097_152]
        let bytes = ForwardList.encode(tokens, columns: Self.columns)
        #expect(ForwardList.isValid(bytes, columns: Self.columns, terms: 300_000_001))
        // Cut short, one byte more, a varint left open at the end, a header that claims more than there is.
        #expect(!ForwardList.isValid(Array(bytes.dropLast()), columns: Self.columns, terms: 300_000_001))
        #expect(!ForwardList.isValid(bytes + [0], columns: Self.columns, terms: 300_000_001))
        var open = bytes
        open[open.count - 1] |= 0x80
        #expect(!ForwardList.isValid(open, columns: Self.columns, terms: 300_000_001))
        #expect(ForwardList.decode(open, columns: Self.columns) == nil)
        var header = bytes
        header[0] = 0x7F
        #expect(!ForwardList.isValid(header, columns: Self.columns, terms: 300_000_001))
    }
}
