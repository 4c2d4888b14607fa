/// People you may know, chosen and ranked for each viewer (before the people are summarised), kept while everything
/// the choice was made from is as it was. A viewer opening their network page asks the same question again and again;
/// its answer changes only when one of its inputs does.
///
/// The inputs are what the request has just read, each as current as it is anywhere else: the viewer's blocks both
/// ways, dismissals, open invitations, shared affiliations and matched contacts (from the member cache, which replays
/// the database's change log first), and the graph's stamp of the viewer's neighbourhood
/// (`ConnectionGraph.suggestionStamp`: the viewer's list, each connection's list and whether they hide it). A kept
/// ranking is given only when every input equals the one it was made from; a block or a dismissal is seen by the next
/// request, on every instance, exactly as without the copy. Equal inputs are mostly the very storage the cache gave
/// last time, which compares in constant time.
///
/// What a person shows (their card, and which reasons their settings let the viewer see) is not kept: it is looked up
/// for each request. Their degree and mutual count are kept for those in the second degree (`near`).
public final class SuggestionRankings: Sendable {
    public typealias Ranked = [(member: MemberID, reasons: [NetworkService.Reason])]

    struct Inputs {
        let stamp: UInt64
        let limit: Int
        let blocked: Set<MemberID>
        let dismissed: Set<MemberID>
        let pending: Set<MemberID>
        let shared: [SharedAffiliation]
        let contacts: [ContactMatch]

        /// Rows held for these inputs, for the bound on what all kept rankings hold.
        var rows: Int { blocked.count + dismissed.count + pending.count + shared.count + contacts.count }

        func same(as other: Inputs) -> Bool {
            return stamp == other.stamp && limit == other.limit && blocked == other.blocked && dismissed == other.dismissed
                && pending == other.pending && shared == other.shared && Self.same(contacts, other.contacts)
        }

        static func same(_ a: [ContactMatch], _ b: [ContactMatch]) -> Bool {
            guard a.count == b.count else { return false }
            if a.withUnsafeBufferPointer({ $0.baseAddress }) == b.withUnsafeBufferPointer({ $0.baseAddress }) { return true }
            return zip(a, b).allSatisfy { $0.owner == $1.owner && $0.member == $1.member && $0.source == $1.source }
        }
    }

    private struct Kept {
        let inputs: Inputs
        let ranked: Ranked
        /// The mutual counts shown of the ranked in the second degree, once summarised: the neighbourhood the stamp
        /// covers decides both that degree and that count, so they hold while the ranking does. (A third degree does
        /// not: it depends on lists beyond the stamp, and is asked of the graph each time.)
        var near: [MemberID: Int]? = nil

        var rows: Int { inputs.rows + 2 * ranked.count }
    }

    private let kept = LockedValue((rankings: [MemberID: Kept](), rows: 0))
    /// At most this many rows (inputs and answers) are held in all; past that the map starts over.
    public let rowLimit: Int
    private let made = LockedValue(0)

    public init(rowLimit: Int = 500_000) {
        self.rowLimit = rowLimit
    }

    /// How many rankings were made rather than given again (for tests).
    public var rankingsMade: Int { made.withLock { $0 } }

    /// The kept ranking when `inputs` equal those it was made from, else `make()`'s, kept under `inputs`. Nil `inputs`
    /// (a viewer the graph does not know) keeps nothing.
    func ranking(of viewer: MemberID, inputs: Inputs?, make: () -> Ranked) -> Ranked {
        if let inputs, let copy = kept.withLock({ $0.rankings[viewer] }), copy.inputs.same(as: inputs) {
            // Kept again with these inputs, equal but perhaps not the same storage: the cache gives the same storage
            // next time, which compares at once instead of element by element.
            keep(Kept(inputs: inputs, ranked: copy.ranked, near: copy.near), for: viewer)
            return copy.ranked
        }
        let ranked = make()
        made.withLock { $0 += 1 }
        if let inputs { keep(Kept(inputs: inputs, ranked: ranked), for: viewer) }
        return ranked
    }

    /// The second-degree mutual counts kept with the ranking made from `inputs`, if they were.
    func near(of viewer: MemberID, inputs: Inputs) -> [MemberID: Int]? {
        kept.withLock { kept in
            guard let entry = kept.rankings[viewer], entry.inputs.same(as: inputs) else { return nil }
            return entry.near
        }
    }

    /// Keeps `near` with the ranking made from `inputs`, if that is still the one kept.
    func keep(near: [MemberID: Int], of viewer: MemberID, inputs: Inputs) {
        kept.withLock { kept in
            guard var entry = kept.rankings[viewer], entry.inputs.same(as: inputs) else { return }
            entry.near = near
            kept.rankings[viewer] = entry
        }
    }

    private func keep(_ entry: Kept, for viewer: MemberID) {
        let rows = entry.rows
        guard rows <= rowLimit else { return }
        kept.withLock { kept in
            let replaced = kept.rankings[viewer]?.rows ?? 0
            if kept.rows - replaced + rows > rowLimit {
                kept = ([:], 0)
            } else {
                kept.rows -= replaced
            }
            kept.rows += rows
            kept.rankings[viewer] = entry
        }
    }
}
