import Foundation
import Synchronization

/// What the graph index is built from at start: every member, every connection (each once), and
/// whose connection list is hidden from everyone.
public struct NetworkSnapshot: Sendable {
    public var members: [MemberID]
    public var connections: [(MemberID, MemberID)]
    public var hiddenLists: [MemberID]
    /// The last change-log sequence the snapshot includes.
    public var sequence: Int64
    /// (a, b): a is connected to b but does not follow them.
    public var unfollowedConnections: [(MemberID, MemberID)]
    /// (a, b): a follows b without a connection.
    public var followsWithoutConnection: [(MemberID, MemberID)]
    /// Members an operator suspended: their connections are in `connections` but do not count until they are restored.
    public var suspended: [MemberID]

    public init(
        members: [MemberID], connections: [(MemberID, MemberID)], hiddenLists: [MemberID], sequence: Int64,
        unfollowedConnections: [(MemberID, MemberID)] = [], followsWithoutConnection: [(MemberID, MemberID)] = [],
        suspended: [MemberID] = []
    ) {
        self.suspended = suspended
        self.members = members
        self.connections = connections
        self.hiddenLists = hiddenLists
        self.sequence = sequence
        self.unfollowedConnections = unfollowedConnections
        self.followsWithoutConnection = followsWithoutConnection
    }
}

/// Storage of the network. Each method is one transaction; those that change the graph also append to
/// the change log in the same transaction.
public protocol NetworkStore: Sendable {
    /// Read in one transaction, so that the snapshot and its sequence agree.
    func networkSnapshot() async throws -> NetworkSnapshot
    /// Changes after `sequence`, oldest first, at most `limit`.
    func graphChanges(after sequence: Int64, limit: Int) async throws -> [GraphChange]
    /// The changes with these sequence numbers, those that exist (numbers passed over earlier, asked for again).
    func graphChanges(sequences: [Int64]) async throws -> [GraphChange]
    /// Forgets changes logged before `before`, except the last one (a snapshot of the graph index is checked against it).
    func pruneGraphChanges(before: Date) async throws
    /// Connects many pairs at once (sample data, imports), following each other, logging each; pairs
    /// already connected are skipped. Every id must be a member's. Returns how many were new.
    func importConnections(_ pairs: [(MemberID, MemberID, Date)]) async throws -> Int

    func invitation(id: String) async throws -> Invitation?
    /// The pending (or ignored) invitation between two members, in either direction.
    func openInvitation(between a: MemberID, and b: MemberID) async throws -> Invitation?
    /// The latest withdrawal from `from` to `to`, for the re-invite cooldown.
    func lastWithdrawal(from: MemberID, to: MemberID) async throws -> Date?
    /// How many of `member`'s invitations are open. (The weekly limit is counted in the throttle store.)
    func openInvitationCount(from member: MemberID) async throws -> Int
    /// Throws conflict `already_invited` if an open invitation exists between them in either direction, and
    /// `already_connected` if they are connected (checked in the insert itself, so that a connection another instance
    /// made a moment ago, not yet in this one's graph, is seen).
    func createInvitation(_ invitation: Invitation) async throws
    func setInvitationStatus(id: String, _ status: InvitationStatus, at: Date) async throws
    /// Accepts: marks the invitation accepted, connects both, makes both follow each other, logs the change.
    /// Returns false if the invitation was no longer pending or either member blocked the other.
    func acceptInvitation(id: String, at: Date) async throws -> Bool
    /// Received (to `member`, status pending) or sent (from `member`, pending or ignored), newest first.
    func invitations(received: Bool, member: MemberID, before cursor: String?, limit: Int) async throws -> [Invitation]

    func connectedAt(_ a: MemberID, _ b: MemberID) async throws -> Date?
    /// `member`'s connections with the time of connecting, newest first.
    func connections(of member: MemberID) async throws -> [Connection]
    /// A page of `member`'s connections, newest first and, at one time, by the other member's id ascending: the
    /// `limit` rows after `after` (the time and id of the previous page's last row), read without the rest.
    func connections(of member: MemberID, after: (connectedAt: Date, other: MemberID)?, limit: Int) async throws -> [Connection]
    /// Removes the connection (both directions) and logs it; false if there was none.
    func removeConnection(_ a: MemberID, _ b: MemberID, at: Date) async throws -> Bool

    func follows(_ follower: MemberID, _ followee: MemberID) async throws -> Bool
    func setFollow(_ follower: MemberID, _ followee: MemberID, _ on: Bool, at: Date) async throws

    /// Blocks: also removes the connection, open invitations both ways and follows, logging the changes.
    func block(_ blocker: MemberID, _ blocked: MemberID, at: Date) async throws
    func unblock(_ blocker: MemberID, _ blocked: MemberID, at: Date) async throws
    /// Members `member` blocked or who blocked `member`.
    func blockedEitherWay(_ member: MemberID) async throws -> Set<MemberID>

    func dismissSuggestion(_ member: MemberID, _ dismissed: MemberID, at: Date) async throws
    func dismissedSuggestions(_ member: MemberID) async throws -> Set<MemberID>
    /// Members with an open invitation from or to `member`.
    func openInvitationPartners(_ member: MemberID) async throws -> Set<MemberID>

    func createIntroduction(_ introduction: Introduction) async throws
    func introduction(id: String) async throws -> Introduction?
    func setIntroductionStatus(id: String, _ status: IntroductionStatus, note: String?, at: Date) async throws
    /// Introductions where `member` is the requester, the intermediary, or the target of a forwarded one.
    func introductions(involving member: MemberID) async throws -> [Introduction]

    /// Cards of many members in one query, each once, in the order of its first mention in `ids`; unknown ids are
    /// left out. A caller walks its ids and the cards side by side (`MemberCard.paired`), hashing no id again.
    func memberCards(ids: [MemberID]) async throws -> [MemberCard]

    /// Members with a position at the company: current (no end month) or past (only finished ones there).
    func membersAt(company: String, current: Bool) async throws -> [MemberID]
    /// Members who share a company (any time) or a school with `member`, with whether the times overlapped.
    func sharedAffiliations(of member: MemberID, limit: Int) async throws -> [SharedAffiliation]
    /// Companies whose name key starts with the query's key or whose name contains the query, biggest first.
    func companies(matching query: String, limit: Int) async throws -> [(company: Company, memberCount: Int)]
}

/// Degree of connection as the product shows it.
public enum Degree: Int, Sendable, Comparable, CaseIterable {
    case oneself = 0
    case first = 1
    case second = 2
    case third = 3
    /// Further, or not connected at all.
    case beyond = 4

    public static func < (a: Degree, b: Degree) -> Bool { a.rawValue < b.rawValue }
}

/// The connection graph held in memory (the graph index), asked in the domain's words. Every answer
/// comes from memory; no method touches storage.
public protocol ConnectionGraph: Sendable {
    func degrees(from viewer: MemberID, to targets: [MemberID]) -> [Degree]
    func mutualConnections(_ a: MemberID, _ b: MemberID) -> [MemberID]
    /// For each target, the connections it shares with `viewer` that the viewer may be shown.
    func mutualCounts(of viewer: MemberID, with targets: [MemberID]) -> [Int]
    /// `degrees` and `mutualCounts` of the same targets, asked at once: what every list of people shows.
    func summaries(from viewer: MemberID, to targets: [MemberID]) -> [(degree: Degree, mutualCount: Int)]
    func connectionCount(of member: MemberID) -> Int
    func areConnected(_ a: MemberID, _ b: MemberID) -> Bool
    /// Whether each of `candidates` is connected to `member`, in their order: a few hundred asked at once.
    func connected(to member: MemberID, among candidates: [MemberID]) -> [Bool]
    /// Whether `follower` follows `followee` (connections follow each other unless one unfollows).
    func follows(_ follower: MemberID, _ followee: MemberID) -> Bool
    /// `member`'s connections, in no particular order.
    func connections(of member: MemberID) -> [MemberID]
    /// A number that changes whenever `member`'s list of connections changes in the graph (nil: the graph does not
    /// know them): a copy of the list with its times is right while the number stays the same.
    func listStamp(of member: MemberID) -> UInt64?
    /// Whether `member` hides their connection list from everyone.
    func hidesList(_ member: MemberID) -> Bool
    /// `members` without those who hide their lists, in their order: a list of mutual connections asked at once.
    func withoutHiddenLists(_ members: [MemberID]) -> [MemberID]
    func secondDegreeCount(of viewer: MemberID) -> Int
    /// A number that changes whenever anything people-you-may-know reads from the graph for `viewer` changes: their list,
    /// each connection's list, and which of those connections hide theirs. Nil for a member the graph does not know.
    func suggestionStamp(of viewer: MemberID) -> UInt64?
    /// Second-degree members ranked by shared connections, best first. With `disclosedOnly`, only through the
    /// viewer's connections whose lists the viewer may see (those who do not hide theirs), and counting only those.
    func triangleCandidates(
        of viewer: MemberID, limit: Int, excluded: (MemberID) -> Bool, disclosedOnly: Bool
    ) -> [(member: MemberID, mutualCount: Int)]
    /// For a second-degree target every mutual connection; for a third-degree target the viewer's own
    /// connections who lead there.
    func introducers(from viewer: MemberID, to target: MemberID) -> (degree: Degree, via: [MemberID])
    /// Applies a change that storage has committed (idempotent).
    func apply(_ change: GraphChange)
}

extension ConnectionGraph {
    /// The two questions one after the other, for a graph that has no way of asking them at once.
    public func summaries(from viewer: MemberID, to targets: [MemberID]) -> [(degree: Degree, mutualCount: Int)] {
        zip(degrees(from: viewer, to: targets), mutualCounts(of: viewer, with: targets)).map { ($0, $1) }
    }

    /// One member at a time, for a graph that has no way of asking for many.
    public func withoutHiddenLists(_ members: [MemberID]) -> [MemberID] { members.filter { !hidesList($0) } }

    public func triangleCandidates(of viewer: MemberID, limit: Int, excluded: (MemberID) -> Bool) -> [(member: MemberID, mutualCount: Int)] {
        triangleCandidates(of: viewer, limit: limit, excluded: excluded, disclosedOnly: false)
    }
}

/// What a list of people shows for each person; one query for a whole page.
public struct MemberCard: Hashable, Sendable {
    public var id: MemberID {
        get { box.fields.id }
        set { unique().fields.id = newValue }
    }
    public var handle: String {
        get { box.fields.handle }
        set { unique().fields.handle = newValue }
    }
    public var name: String {
        get { box.fields.name }
        set { unique().fields.name = newValue }
    }
    public var headline: String? {
        get { box.fields.headline }
        set { unique().fields.headline = newValue }
    }
    public var location: String? {
        get { box.fields.location }
        set { unique().fields.location = newValue }
    }
    public var profileVisibility: ProfileVisibility {
        get { box.fields.profileVisibility }
        set { unique().fields.profileVisibility = newValue }
    }
    public var connectionsVisibility: ConnectionsVisibility {
        get { box.fields.connectionsVisibility }
        set { unique().fields.connectionsVisibility = newValue }
    }
    /// Whether lists may name where the member works or studied (their positions and educations sections).
    public var sectionVisibility: SectionVisibilities {
        get { box.fields.sectionVisibility }
        set { unique().fields.sectionVisibility = newValue }
    }
    /// Shown beside the name to viewers who see the full profile; initials otherwise.
    public var photo: PhotoRef? {
        get { box.fields.photo }
        set { unique().fields.photo = newValue }
    }

    /// The fields, in one box shared by copies: a card is copied from the cache into every list and summary that shows
    /// it, and a copy of nine fields retained each of their strings (8% of a connection list's samples,
    /// docs/BENCHMARKS.md "Request path, round 8"). A copy is now one retain; a change copies the box first when it is
    /// shared, so a card still behaves as a value, compared and hashed by its fields.
    private struct Fields: Hashable, Sendable {
        var id: MemberID
        var handle: String
        var name: String
        var headline: String?
        var location: String?
        var profileVisibility: ProfileVisibility
        var connectionsVisibility: ConnectionsVisibility
        var sectionVisibility: SectionVisibilities
        var photo: PhotoRef?
    }

    private final class Box: @unchecked Sendable {
        // Changed only through `unique()`, that is when no other card holds this box and nothing was made of it.
        var fields: Fields
        /// What an adapter made of the fields (`made(by:)`), once.
        let made = AtomicLazyReference<AnyObject>()
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// The same for copies of one card (one read of it): the member cache tells a card given twice by it.
    var identity: ObjectIdentifier { ObjectIdentifier(box) }

    private mutating func unique() -> Box {
        // A box something was made of is not changed in place: what was made would no longer match its fields.
        if !isKnownUniquelyReferenced(&box) || box.made.load() != nil { box = Box(box.fields) }
        return box
    }

    /// What `make` makes of this card's fields, made once for the card and every copy of it: an adapter's rendering of
    /// a person (their JSON), the same for as long as the fields are. A card changed since is a new card, with nothing
    /// made of it yet. Another type was made first: `make`'s answer, not kept.
    ///
    /// A card in the member cache is shared by every request that lists the person: writing its five texts again for
    /// each, and retaining each of them on both cores, was a tenth of a list of suggestions.
    public func made<Made: AnyObject & Sendable>(by make: (MemberCard) -> Made) -> Made {
        if let kept = box.made.load() { return kept as? Made ?? make(self) }
        let new = make(self)
        return box.made.storeIfNil(new) as? Made ?? new
    }

    public init(
        id: MemberID, handle: String, name: String, headline: String?, location: String?,
        profileVisibility: ProfileVisibility, connectionsVisibility: ConnectionsVisibility,
        sectionVisibility: SectionVisibilities = SectionVisibilities()
    ) {
        box = Box(
            Fields(
                id: id, handle: handle, name: name, headline: headline, location: location, profileVisibility: profileVisibility,
                connectionsVisibility: connectionsVisibility, sectionVisibility: sectionVisibility, photo: nil))
    }

    public static func == (a: MemberCard, b: MemberCard) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }
}

extension MemberCard {
    /// Each of `items` with its card, for cards as `memberCards(ids:)` gives them (in the order of the items' ids, each
    /// once, some left out): the two walked side by side. An item whose card is missing, or whose id came before, is
    /// left out.
    public static func paired<Item>(_ items: some Sequence<Item>, id: (Item) -> MemberID, with cards: [MemberCard]) -> [(item: Item, card: MemberCard)] {
        var paired: [(item: Item, card: MemberCard)] = []
        paired.reserveCapacity(cards.count)
        var next = cards.startIndex
        for item in items where next < cards.endIndex && cards[next].id == id(item) {
            paired.append((item, cards[next]))
            next += 1
        }
        return paired
    }
}

/// A card with the viewer's relation to the person, computed for the whole list in one call.
public struct PersonSummary: Hashable, Sendable {
    public var card: MemberCard
    public var degree: Degree
    public var mutualConnectionCount: Int

    /// Every card of a person in a list is made here, and shows what the viewer may see of the profile: a viewer
    /// who may see only name and headline (PRODUCT.md) is not shown the location either. `anonymous` is a viewer
    /// who is not logged in (their `degree` is `.beyond`).
    public init(card: MemberCard, degree: Degree, mutualConnectionCount: Int, anonymous: Bool = false) {
        var card = card
        let relation: ViewerRelation =
            anonymous ? .anonymous : degree == .oneself ? .oneself : degree == .first ? .connection : .member
        if ProfilePolicy.access(visibility: card.profileVisibility, relation: relation) != .full {
            card.location = nil
            card.photo = nil
        }
        self.card = card
        self.degree = degree
        self.mutualConnectionCount = mutualConnectionCount
    }
}

/// A member who worked at the same company or studied at the same school as another.
public struct SharedAffiliation: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case company
        case school
    }

    public var member: MemberID
    public var kind: Kind
    /// The company id, or the school's key (NFKC, lower-cased, trimmed name).
    public var organisationID: String
    public var organisationName: String
    /// Whether their times there overlapped (false when unknown).
    public var overlap: Bool

    public init(member: MemberID, kind: Kind, organisationID: String, organisationName: String, overlap: Bool) {
        self.member = member
        self.kind = kind
        self.organisationID = organisationID
        self.organisationName = organisationName
        self.overlap = overlap
    }
}
