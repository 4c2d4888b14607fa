import Testing
@testable import TsunagariCore

/// What an adapter makes of a card is made once for the card and its copies, and never outlives a change of it.
@Suite("What is made of a member card")
struct MadeOfACardTests {
    final class Made: Sendable {
        let location: String?
        let serial: Int
        init(_ card: MemberCard, serial: Int) {
            location = card.location
            self.serial = serial
        }
    }

    final class Other: Sendable {}

    static func card() -> MemberCard {
        MemberCard(
            id: MemberID("member-x"), handle: "x", name: "X", headline: "営業", location: "東京都", profileVisibility: .connections,
            connectionsVisibility: .connections)
    }

    @Test func madeOncePerCardAndAnewAfterAChange() {
        var serial = 0
        func make(_ card: MemberCard) -> Made {
            serial += 1
            return Made(card, serial: serial)
        }
        let card = Self.card()
        let copy = card
        #expect(card.made(by: make).serial == 1)
        #expect(copy.made(by: make).serial == 1, "a copy shares what was made")
        #expect(serial == 1)

        // A changed copy is a new card: made again from its own fields; the original keeps its own.
        var changed = copy
        changed.location = nil
        #expect(changed.made(by: make).location == nil && changed.made(by: make).serial == 2)
        #expect(card.made(by: make).location == "東京都" && card.made(by: make).serial == 1)

        // Changed while held by nobody else, after something was made of it: still not changed in place.
        var alone = Self.card()
        #expect(alone.made(by: make).serial == 3)
        alone.location = "大阪府"
        #expect(alone.made(by: make).location == "大阪府" && alone.made(by: make).serial == 4)

        // Another type asked after: made each time, and the first kept.
        #expect(card.made { _ in Other() } !== card.made { _ in Other() })
        #expect(card.made(by: make).serial == 1)
    }

    /// Cards as a list shows them: what a viewer may not see is left out of what is made, however the card was shared.
    @Test func aPersonShownLessIsMadeFromWhatIsShown() {
        let card = Self.card()
        _ = card.made { Made($0, serial: 0) }
        let member = PersonSummary(card: card, degree: .second, mutualConnectionCount: 3)
        #expect(member.card.made { Made($0, serial: 1) }.location == nil)
        let connection = PersonSummary(card: card, degree: .first, mutualConnectionCount: 3)
        #expect(connection.card.made { Made($0, serial: 2) }.serial == 0, "seen whole: the card's own")
    }
}
