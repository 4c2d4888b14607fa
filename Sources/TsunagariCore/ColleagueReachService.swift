import Foundation

/// "Does anyone in our company know the key person at X?": the network of a company's members pooled for their
/// colleagues, as a business-card service pools cards. Only colleagues at the viewer's *verified* employer who chose
/// to share (`shareNetworkWithColleagues`) are counted or named; a position a member typed never suffices.
public struct ColleagueReachService: Sendable {
    public typealias Store = ContactStore & NetworkService.Store

    let storage: any Store
    let graph: any ConnectionGraph
    let network: NetworkService

    public init(storage: any Store, graph: any ConnectionGraph, network: NetworkService) {
        self.storage = storage
        self.graph = graph
        self.network = network
    }

    /// How a colleague knows the person.
    public enum Via: String, Sendable {
        case connection
        case card
    }

    public struct Colleague: Sendable {
        public var person: PersonSummary
        public var via: Via
    }

    /// A person at the company, with the colleagues who know them.
    public struct Entry: Sendable {
        public var person: PersonSummary
        public var colleagues: [Colleague]
    }

    /// People listed at most: the page is for finding a way in, not for exporting a company.
    public static let limit = 50

    /// The viewer's verified employer, if any.
    public func employer(of viewer: MemberID) async throws -> CompanyRef? {
        try await storage.verifiedEmployer(of: viewer)
    }

    /// People who work at `companyID` now and whom sharing colleagues know, most-known first. 403
    /// `no_verified_employer` for a viewer without a verified employer; 404 for no such company.
    public func reach(companyID: String, viewer: MemberID) async throws -> [Entry] {
        guard let employer = try await storage.verifiedEmployer(of: viewer) else {
            throw DomainError(
                .forbidden, code: "no_verified_employer",
                message: "Reaching through colleagues needs a verified employer: confirm your work email or ask the operator.")
        }
        guard companyID.utf8.count <= 64, let company = try await storage.company(id: companyID) else {
            throw DomainError.notFound("Company")
        }
        let blocked = try await storage.blockedEitherWay(viewer)
        let colleagues = try await storage.sharingColleagues(at: employer.id).filter { $0 != viewer && !blocked.contains($0) }
        guard !colleagues.isEmpty else { return [] }
        let people = try await storage.currentMembers(companyKeys: [CompanyName.key(company.name)]).map(\.member)
        let atCompany = Set(people).subtracting(blocked).subtracting([viewer])
        var known: [MemberID: [(MemberID, Via)]] = [:]
        for colleague in colleagues {
            // Whichever side is smaller is walked: a colleague's connections, or the people at the company.
            if graph.connectionCount(of: colleague) < atCompany.count {
                for person in graph.connections(of: colleague) where atCompany.contains(person) {
                    known[person, default: []].append((colleague, .connection))
                }
            } else {
                for person in atCompany where person != colleague && graph.areConnected(colleague, person) {
                    known[person, default: []].append((colleague, .connection))
                }
            }
        }
        for match in try await storage.matchedContacts(of: colleagues) where atCompany.contains(match.member) && match.member != match.owner {
            if !(known[match.member]?.contains { $0.0 == match.owner } ?? false) {
                known[match.member, default: []].append((match.owner, .card))
            }
        }
        guard !known.isEmpty else { return [] }
        let viewerRef = Viewer.member(viewer, .member)
        let order = known.keys.sorted { (known[$0]!.count, $1.rawValue) > (known[$1]!.count, $0.rawValue) }
        // Each person is named as working at the company only when their positions are shown to the viewer.
        let shownPeople = try await network.summaries(order, for: viewerRef)
            .filter { NetworkService.reveals(.positions, of: $0) }
            .prefix(Self.limit)
        let colleagueIDs = Array(Set(shownPeople.flatMap { known[$0.card.id]!.map(\.0) }))
        let colleagueCards = Dictionary(
            try await network.summaries(colleagueIDs, for: viewerRef).map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
        return shownPeople.compactMap { person in
            let who = known[person.card.id]!.compactMap { id, via in colleagueCards[id].map { Colleague(person: $0, via: via) } }
            return who.isEmpty ? nil : Entry(person: person, colleagues: who)
        }
    }
}
