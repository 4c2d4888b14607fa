import Testing
@testable import TsunagariCore

/// The kept rankings of people you may know: given again only while every input equals the one they were made from
/// (the same storage or equal contents), made again when any input differs, never kept for a viewer the graph does not
/// know, and bounded.
@Suite struct SuggestionRankingsTests {
    static let ann = MemberID("ann")
    static let ben = MemberID("ben")

    static func inputs(
        stamp: UInt64 = 1, limit: Int = 20, blocked: Set<MemberID> = [], dismissed: Set<MemberID> = [], pending: Set<MemberID> = [],
        shared: [SharedAffiliation] = sharedRows(), contacts: [ContactMatch] = contactRows()
    ) -> SuggestionRankings.Inputs {
        SuggestionRankings.Inputs(
            stamp: stamp, limit: limit, blocked: blocked, dismissed: dismissed, pending: pending, shared: shared, contacts: contacts)
    }

    /// New storage each call, with the same contents.
    static func sharedRows(overlap: Bool = true) -> [SharedAffiliation] {
        (0..<30).map {
            SharedAffiliation(member: MemberID("m\($0)"), kind: .company, organisationID: "c1", organisationName: "株式会社さくら", overlap: overlap)
        }
    }

    static func contactRows(source: ContactSource = .card) -> [ContactMatch] {
        (0..<5).map { (owner: ann, member: MemberID("k\($0)"), source: source) }
    }

    final class Made: @unchecked Sendable {
        var count = 0
    }

    @Test func aRankingIsGivenAgainWhileEveryInputIsEqual() {
        let rankings = SuggestionRankings()
        let made = Made()
        func rank(_ inputs: SuggestionRankings.Inputs?, as mark: String = "first") -> [String] {
            rankings.ranking(of: Self.ann, inputs: inputs) {
                made.count += 1
                return [(member: MemberID(mark), reasons: [NetworkService.Reason(kind: .mutualConnections, count: 2)])]
            }.map(\.member.rawValue)
        }
        #expect(rank(Self.inputs()) == ["first"] && made.count == 1)
        // Equal contents in other storage: given again.
        #expect(rank(Self.inputs(), as: "second") == ["first"] && made.count == 1)
        #expect(rankings.rankingsMade == 1)
        // Each input in turn: made again, and that ranking is the one kept.
        let changed: [SuggestionRankings.Inputs] = [
            Self.inputs(stamp: 2),
            Self.inputs(stamp: 2, limit: 10),
            Self.inputs(stamp: 2, limit: 10, blocked: [Self.ben]),
            Self.inputs(stamp: 2, limit: 10, blocked: [Self.ben], dismissed: [Self.ben]),
            Self.inputs(stamp: 2, limit: 10, blocked: [Self.ben], dismissed: [Self.ben], pending: [Self.ben]),
            Self.inputs(stamp: 2, limit: 10, blocked: [Self.ben], dismissed: [Self.ben], pending: [Self.ben], shared: Self.sharedRows(overlap: false)),
            Self.inputs(
                stamp: 2, limit: 10, blocked: [Self.ben], dismissed: [Self.ben], pending: [Self.ben], shared: Self.sharedRows(overlap: false),
                contacts: Self.contactRows(source: .linkedin)),
            Self.inputs(
                stamp: 2, limit: 10, blocked: [Self.ben], dismissed: [Self.ben], pending: [Self.ben], shared: Self.sharedRows(overlap: false),
                contacts: Array(Self.contactRows(source: .linkedin).dropLast())),
        ]
        for (index, inputs) in changed.enumerated() {
            #expect(rank(inputs, as: "change \(index)") == ["change \(index)"], "input \(index)")
            #expect(rank(inputs, as: "again") == ["change \(index)"], "input \(index) again")
        }
        #expect(made.count == 1 + changed.count)
        // Another viewer's ranking is their own.
        #expect(rankings.ranking(of: Self.ben, inputs: Self.inputs()) { [(member: Self.ben, reasons: [])] }.map(\.member) == [Self.ben])
        #expect(rank(changed.last!, as: "unchanged") == ["change \(changed.count - 1)"])
    }

    @Test func nothingIsKeptForAViewerTheGraphDoesNotKnowOrPastTheBound() {
        let rankings = SuggestionRankings(rowLimit: 80)
        let made = Made()
        func rank(_ viewer: MemberID, _ inputs: SuggestionRankings.Inputs?) {
            _ = rankings.ranking(of: viewer, inputs: inputs) {
                made.count += 1
                return [(member: Self.ben, reasons: [])]
            }
        }
        rank(Self.ann, nil)
        rank(Self.ann, nil)
        #expect(made.count == 2)
        // 30 shared rows, 5 contacts and one answer: two viewers fit under 80 rows, a third starts the map over.
        rank(Self.ann, Self.inputs())
        rank(MemberID("cat"), Self.inputs())
        rank(Self.ann, Self.inputs())
        rank(MemberID("cat"), Self.inputs())
        #expect(made.count == 4)
        rank(MemberID("dan"), Self.inputs())
        rank(Self.ann, Self.inputs())
        #expect(made.count == 6)
        // Inputs larger than the whole bound are never kept.
        let large = Self.inputs(blocked: Set((0..<100).map { MemberID("b\($0)") }))
        rank(Self.ann, large)
        rank(Self.ann, large)
        #expect(made.count == 8)
    }
}
