import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

typealias NetworkStorage = NetworkStore & Storage

extension TestStore {
    /// The store as the network services use it.
    var network: any NetworkStorage {
        get throws { try #require(storage as? any NetworkStorage, "\(kind) storage does not implement NetworkStore") }
    }
}

extension Make {
    static func invitation(_ from: MemberID, _ to: MemberID, at seconds: Int = 0, message: String? = "よろしくお願いします") -> Invitation {
        Invitation(
            id: id(seconds), from: from, to: to, message: message, status: .pending, createdAt: at(seconds), updatedAt: at(seconds))
    }

    static func introduction(
        _ requester: MemberID, via: MemberID, to target: MemberID, at seconds: Int = 0, message: String = "ご紹介いただけますか？"
    ) -> Introduction {
        Introduction(
            id: id(seconds), requester: requester, via: via, target: target, message: message, status: .pending, forwardNote: nil,
            createdAt: at(seconds), updatedAt: at(seconds))
    }
}

/// `count` plain members (no positions), created in one batch; their ids in ascending order.
func makeMembers(_ s: any Storage, _ count: Int, prefix: String = "member") async throws -> [MemberID] {
    let members = (0..<count).map { Make.member("\(prefix)-\($0)") }
    try await s.createMembers(members)
    return members.map(\.account.memberID).sorted()
}

/// A change without its sequence number, for comparing what was logged.
struct LoggedChange: Hashable, CustomStringConvertible {
    let kind: GraphChange.Kind
    let a: MemberID
    let b: MemberID?

    init(_ kind: GraphChange.Kind, _ a: MemberID, _ b: MemberID? = nil) {
        self.kind = kind
        self.a = a
        self.b = b
    }

    init(_ change: GraphChange) { self.init(change.kind, change.a, change.b) }

    var description: String { "\(kind)(\(a), \(b.map(\.rawValue) ?? "-"))" }
}

extension NetworkStore {
    /// The last logged sequence, where a test starts watching the log.
    func lastSequence() async throws -> Int64 { try await networkSnapshot().sequence }

    func changes(after sequence: Int64) async throws -> [LoggedChange] {
        try await graphChanges(after: sequence, limit: 10_000).map(LoggedChange.init)
    }
}

/// What every `NetworkStore` must do, run against SQLite and PostgreSQL alike.
@Suite("Network storage contract", .postgresTemplate)
struct NetworkContractTests {
    // MARK: Invitations

    @Test("One open invitation per pair, whichever way it goes", arguments: StorageKind.tested)
    func openInvitationUniqueness(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 3)
            let (a, b, c) = (ids[0], ids[1], ids[2])

            let first = Make.invitation(a, b, at: 10)
            try await s.createInvitation(first)
            #expect(try await s.invitation(id: first.id) == first)
            #expect(try await s.openInvitation(between: a, and: b) == first)
            #expect(try await s.openInvitation(between: b, and: a) == first)
            #expect(try await s.openInvitation(between: a, and: c) == nil)

            let again = await domainError { try await s.createInvitation(Make.invitation(a, b, at: 20)) }
            #expect(again?.kind == .conflict)
            #expect(again?.code == "already_invited")
            let reverse = await domainError { try await s.createInvitation(Make.invitation(b, a, at: 20)) }
            #expect(reverse?.kind == .conflict)
            #expect(reverse?.code == "already_invited")

            // Other pairs are free, and a message may be absent.
            let toC = Make.invitation(a, c, at: 30, message: nil)
            try await s.createInvitation(toC)
            #expect(try await s.invitation(id: toC.id) == toC)
            let cToB = Make.invitation(c, b, at: 40)
            try await s.createInvitation(cToB)

            #expect(try await s.openInvitationCount(from: a) == 2)
            #expect(try await s.openInvitationCount(from: b) == 0)
            #expect(try await s.openInvitationPartners(a) == [b, c])
            #expect(try await s.openInvitationPartners(b) == [a, c])
            #expect(try await s.invitation(id: Make.id()) == nil)
        }
    }

    @Test("Crossing invitations sent at the same moment: exactly one is stored", arguments: StorageKind.tested)
    func crossingInvitations(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 2)
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for (from, to) in [(ids[0], ids[1]), (ids[1], ids[0])] {
                    group.addTask {
                        do {
                            try await s.createInvitation(Make.invitation(from, to))
                            return "sent"
                        } catch let error as DomainError {
                            return error.code
                        }
                    }
                }
                var outcomes: [String] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes.sorted()
            }
            #expect(outcomes == ["already_invited", "sent"])
            #expect(try await s.openInvitation(between: ids[0], and: ids[1]) != nil)
            #expect(try await s.openInvitationCount(from: ids[0]) + s.openInvitationCount(from: ids[1]) == 1)
        }
    }

    @Test("An ignored invitation stays open and in the sender's list; a withdrawn one closes", arguments: StorageKind.tested)
    func ignoreAndWithdraw(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 2)
            let (a, b) = (ids[0], ids[1])
            var invitation = Make.invitation(a, b, at: 0)
            try await s.createInvitation(invitation)

            try await s.setInvitationStatus(id: invitation.id, .ignored, at: Make.at(50))
            invitation.status = .ignored
            invitation.updatedAt = Make.at(50)
            #expect(try await s.invitation(id: invitation.id) == invitation)
            #expect(try await s.openInvitation(between: b, and: a) == invitation)
            #expect(try await s.openInvitationCount(from: a) == 1)
            #expect(try await s.openInvitationPartners(a) == [b])
            #expect(try await s.openInvitationPartners(b) == [a])
            #expect(try await s.invitations(received: false, member: a, before: nil, limit: 10) == [invitation])
            #expect(try await s.invitations(received: true, member: b, before: nil, limit: 10).isEmpty)
            #expect(await domainError { try await s.createInvitation(Make.invitation(b, a, at: 60)) }?.code == "already_invited")
            // Only a pending invitation can be accepted.
            #expect(try await s.acceptInvitation(id: invitation.id, at: Make.at(70)) == false)
            #expect(try await s.connectedAt(a, b) == nil)
            #expect(try await s.lastWithdrawal(from: a, to: b) == nil)

            try await s.setInvitationStatus(id: invitation.id, .withdrawn, at: Make.at(100))
            #expect(try await s.invitation(id: invitation.id)?.status == .withdrawn)
            #expect(try await s.openInvitation(between: a, and: b) == nil)
            #expect(try await s.openInvitationCount(from: a) == 0)
            #expect(try await s.openInvitationPartners(a).isEmpty)
            #expect(try await s.invitations(received: false, member: a, before: nil, limit: 10).isEmpty)
            #expect(try await s.lastWithdrawal(from: a, to: b) == Make.at(100))
            #expect(try await s.lastWithdrawal(from: b, to: a) == nil)

            // The pair is free again; the latest withdrawal is the one that counts.
            let second = Make.invitation(a, b, at: 200)
            try await s.createInvitation(second)
            try await s.setInvitationStatus(id: second.id, .withdrawn, at: Make.at(300))
            #expect(try await s.lastWithdrawal(from: a, to: b) == Make.at(300))
            try await s.createInvitation(Make.invitation(b, a, at: 400))
            #expect(try await s.openInvitation(between: a, and: b)?.from == b)
        }
    }

    @Test("Accepting connects both ways, makes both follow and logs one change; a second accept is refused", arguments: StorageKind.tested)
    func accept(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 3)
            let (a, b, c) = (ids[2], ids[0], ids[1])
            let invitation = Make.invitation(a, b, at: 0)
            try await s.createInvitation(invitation)
            let other = Make.invitation(c, b, at: 1)
            try await s.createInvitation(other)
            let start = try await s.lastSequence()

            #expect(try await s.acceptInvitation(id: invitation.id, at: Make.at(60)))
            #expect(try await s.connectedAt(a, b) == Make.at(60))
            #expect(try await s.connectedAt(b, a) == Make.at(60))
            #expect(try await s.connections(of: a) == [Connection(member: a, other: b, connectedAt: Make.at(60))])
            #expect(try await s.connections(of: b) == [Connection(member: b, other: a, connectedAt: Make.at(60))])
            #expect(try await s.follows(a, b))
            #expect(try await s.follows(b, a))
            #expect(try await s.changes(after: start) == [LoggedChange(.connected, a, b)])
            let accepted = try #require(try await s.invitation(id: invitation.id))
            #expect(accepted.status == .accepted)
            #expect(accepted.updatedAt == Make.at(60))
            #expect(try await s.openInvitation(between: a, and: b) == nil)
            #expect(try await s.openInvitationPartners(b) == [c])
            #expect(try await s.invitations(received: true, member: b, before: nil, limit: 10).map(\.id) == [other.id])

            #expect(try await s.acceptInvitation(id: invitation.id, at: Make.at(70)) == false)
            #expect(try await s.acceptInvitation(id: Make.id(), at: Make.at(70)) == false)
            // A withdrawal that lost the race with the accept changes nothing.
            try await s.setInvitationStatus(id: invitation.id, .withdrawn, at: Make.at(80))
            #expect(try await s.invitation(id: invitation.id) == accepted)
            #expect(try await s.lastWithdrawal(from: a, to: b) == nil)
            #expect(try await s.connectedAt(a, b) == Make.at(60))
            #expect(try await s.changes(after: start).count == 1)
            // Nobody else was connected.
            #expect(try await s.connections(of: c).isEmpty)
            #expect(try await s.follows(c, b) == false)
        }
    }

    @Test("Two accepts of one invitation at once: one wins, one change is logged", arguments: StorageKind.tested)
    func concurrentAccept(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 2)
            let invitation = Make.invitation(ids[0], ids[1])
            try await s.createInvitation(invitation)
            let start = try await s.lastSequence()
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<4 { group.addTask { try await s.acceptInvitation(id: invitation.id, at: Make.at(index)) } }
                var results: [Bool] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await s.changes(after: start) == [LoggedChange(.connected, ids[0], ids[1])])
        }
    }

    @Test("Received and sent lists: the right statuses, newest first, paged by id", arguments: StorageKind.tested)
    func invitationLists(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 8)
            let me = ids[0]
            // Five senders invite me at increasing times.
            let received = (1...5).map { Make.invitation(ids[$0], me, at: $0 * 10) }
            for invitation in received.shuffled() { try await s.createInvitation(invitation) }
            try await s.setInvitationStatus(id: received[1].id, .ignored, at: Make.at(100))
            try await s.setInvitationStatus(id: received[3].id, .withdrawn, at: Make.at(100))
            // I invite two members; one ignores me.
            let sent = [Make.invitation(me, ids[6], at: 60), Make.invitation(me, ids[7], at: 70)]
            for invitation in sent { try await s.createInvitation(invitation) }
            try await s.setInvitationStatus(id: sent[0].id, .ignored, at: Make.at(100))

            let pending = [received[4], received[2], received[0]].map(\.id)
            #expect(try await s.invitations(received: true, member: me, before: nil, limit: 10).map(\.id) == pending)
            let page1 = try await s.invitations(received: true, member: me, before: nil, limit: 2)
            #expect(page1.map(\.id) == Array(pending.prefix(2)))
            let page2 = try await s.invitations(received: true, member: me, before: page1.last?.id, limit: 2)
            #expect(page2.map(\.id) == [pending[2]])
            #expect(try await s.invitations(received: true, member: me, before: pending[2], limit: 2).isEmpty)

            let mine = try await s.invitations(received: false, member: me, before: nil, limit: 10)
            #expect(mine.map(\.id) == [sent[1].id, sent[0].id])
            #expect(mine.map(\.status) == [.pending, .ignored])
            #expect(try await s.invitations(received: false, member: me, before: sent[1].id, limit: 10).map(\.id) == [sent[0].id])
            // The senders see their own: the ignored one is listed, the withdrawn one is not.
            #expect(try await s.invitations(received: false, member: ids[2], before: nil, limit: 10).map(\.id) == [received[1].id])
            #expect(try await s.invitations(received: false, member: ids[4], before: nil, limit: 10).isEmpty)
            #expect(try await s.invitations(received: true, member: ids[6], before: nil, limit: 10).isEmpty)
            #expect(try await s.invitations(received: true, member: ids[7], before: nil, limit: 10).map(\.id) == [sent[1].id])
        }
    }

    // MARK: Connections, follows, blocks

    @Test("removeConnection removes both rows and both follows, logs it, and is false the second time", arguments: StorageKind.tested)
    func removeConnection(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 4)
            let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3])
            #expect(try await s.importConnections([(a, b, Make.at(1)), (a, c, Make.at(2))]) == 2)
            // A one-way follow without a connection.
            try await s.setFollow(c, d, true, at: Make.at(3))
            let start = try await s.lastSequence()

            #expect(try await s.removeConnection(b, a, at: Make.at(10)))
            #expect(try await s.connectedAt(a, b) == nil)
            #expect(try await s.connectedAt(b, a) == nil)
            #expect(try await s.follows(a, b) == false)
            #expect(try await s.follows(b, a) == false)
            #expect(try await s.connections(of: a).map(\.other) == [c])
            #expect(try await s.connections(of: b).isEmpty)
            #expect(try await s.changes(after: start) == [LoggedChange(.disconnected, b, a)])
            #expect(try await s.networkSnapshot().connections.map { [$0.0, $0.1].sorted() } == [[a, c].sorted()])

            #expect(try await s.removeConnection(a, b, at: Make.at(20)) == false)
            // Not connected: the follow stays, nothing is logged.
            #expect(try await s.removeConnection(c, d, at: Make.at(20)) == false)
            #expect(try await s.follows(c, d))
            #expect(try await s.follows(a, c))
            #expect(try await s.changes(after: start).count == 1)
        }
    }

    @Test("connections(of:) lists the newest first", arguments: StorageKind.tested)
    func connectionsNewestFirst(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 5)
            let me = ids[0]
            let pairs = [(me, ids[3], Make.at(30)), (ids[1], me, Make.at(10)), (me, ids[4], Make.at(40)), (ids[2], me, Make.at(20))]
            #expect(try await s.importConnections(pairs) == 4)
            let connections = try await s.connections(of: me)
            #expect(connections.map(\.other) == [ids[4], ids[3], ids[2], ids[1]])
            #expect(connections.map(\.connectedAt) == [Make.at(40), Make.at(30), Make.at(20), Make.at(10)])
            #expect(connections.allSatisfy { $0.member == me })
            #expect(try await s.connections(of: ids[1]) == [Connection(member: ids[1], other: me, connectedAt: Make.at(10))])
        }
    }

    @Test("A page of connections is read newest first after a position, ties by id", arguments: StorageKind.tested)
    func connectionPages(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 8)
            let me = ids[0]
            // Three at one time (ties order by id ascending), the rest apart; the other member's rows are left out.
            let pairs = [
                (me, ids[1], Make.at(10)), (ids[2], me, Make.at(30)), (me, ids[3], Make.at(30)), (ids[4], me, Make.at(30)),
                (me, ids[5], Make.at(50)), (ids[6], me, Make.at(20)), (ids[6], ids[7], Make.at(60)),
            ]
            #expect(try await s.importConnections(pairs) == 7)
            let tied = [ids[2], ids[3], ids[4]].sorted()
            let expected = [ids[5]] + tied + [ids[6], ids[1]]
            #expect(try await s.connections(of: me, after: nil, limit: 100).map(\.other) == expected)
            // Walked two at a time from each page's last row, the pages join up to the whole list.
            var walked: [MemberID] = []
            var after: (connectedAt: Date, other: MemberID)?
            while true {
                let page = try await s.connections(of: me, after: after, limit: 2)
                #expect(page.count <= 2 && page.allSatisfy { $0.member == me })
                guard let last = page.last else { break }
                walked += page.map(\.other)
                after = (last.connectedAt, last.other)
            }
            #expect(walked == expected)
            // A position inside the tie starts after that member; one at a time nobody has starts at the next older.
            #expect(try await s.connections(of: me, after: (Make.at(30), tied[0]), limit: 3).map(\.other) == [tied[1], tied[2], ids[6]])
            #expect(try await s.connections(of: me, after: (Make.at(40), ids[0]), limit: 1).map(\.other) == [tied[0]])
            #expect(try await s.connections(of: me, after: nil, limit: 1).first?.connectedAt == Make.at(50))
        }
    }

    @Test("Follows are set, kept once and unset", arguments: StorageKind.tested)
    func follows(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 2)
            #expect(try await s.follows(ids[0], ids[1]) == false)
            try await s.setFollow(ids[0], ids[1], true, at: Make.at(1))
            try await s.setFollow(ids[0], ids[1], true, at: Make.at(2))
            #expect(try await s.follows(ids[0], ids[1]))
            #expect(try await s.follows(ids[1], ids[0]) == false)
            try await s.setFollow(ids[0], ids[1], false, at: Make.at(3))
            #expect(try await s.follows(ids[0], ids[1]) == false)
            try await s.setFollow(ids[0], ids[1], false, at: Make.at(4))
            #expect(try await s.follows(ids[0], ids[1]) == false)
        }
    }

    @Test("Blocking removes the connection, open invitations both ways and follows, and logs it", arguments: StorageKind.tested)
    func block(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 4)
            let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3])
            #expect(try await s.importConnections([(a, b, Make.at(1)), (a, c, Make.at(1))]) == 2)
            // An invitation between c and d, and one from a to d, which blocking b must not touch.
            let untouched = Make.invitation(a, d, at: 2)
            try await s.createInvitation(untouched)
            let start = try await s.lastSequence()

            try await s.block(a, b, at: Make.at(10))
            #expect(try await s.blockedEitherWay(a) == [b])
            #expect(try await s.blockedEitherWay(b) == [a])
            #expect(try await s.blockedEitherWay(c).isEmpty)
            #expect(try await s.connectedAt(a, b) == nil)
            #expect(try await s.connectedAt(b, a) == nil)
            #expect(try await s.follows(a, b) == false)
            #expect(try await s.follows(b, a) == false)
            #expect(try await s.connectedAt(a, c) == Make.at(1))
            #expect(try await s.follows(a, c))
            #expect(try await s.changes(after: start) == [LoggedChange(.disconnected, a, b)])
            #expect(try await s.invitation(id: untouched.id) == untouched)

            // c invited d and d follows c; d blocks c: the invitation the other way round goes too.
            let invitation = Make.invitation(c, d, at: 20)
            try await s.createInvitation(invitation)
            try await s.setInvitationStatus(id: invitation.id, .ignored, at: Make.at(21))
            try await s.setFollow(d, c, true, at: Make.at(22))
            try await s.block(d, c, at: Make.at(30))
            #expect(try await s.invitation(id: invitation.id) == nil)
            #expect(try await s.openInvitation(between: c, and: d) == nil)
            #expect(try await s.openInvitationPartners(c).isEmpty)
            #expect(try await s.follows(d, c) == false)
            // They were not connected: the follow and its end are logged, for the graph index's follows.
            #expect(try await s.changes(after: start).dropFirst() == [LoggedChange(.followed, d, c), LoggedChange(.unfollowed, d, c)])

            // Blocking twice changes nothing; blocked both ways, one unblock leaves the other block.
            try await s.block(a, b, at: Make.at(40))
            try await s.block(b, a, at: Make.at(41))
            #expect(try await s.blockedEitherWay(a) == [b])
            try await s.unblock(a, b, at: Make.at(50))
            #expect(try await s.blockedEitherWay(a) == [b])
            #expect(try await s.blockedEitherWay(b) == [a])
            try await s.unblock(b, a, at: Make.at(51))
            #expect(try await s.blockedEitherWay(a).isEmpty)
            #expect(try await s.blockedEitherWay(b).isEmpty)
            #expect(try await s.blockedEitherWay(d) == [c])
            #expect(try await s.changes(after: start).count == 3)
        }
    }

    @Test("Dismissed suggestions are kept per member, once each", arguments: StorageKind.tested)
    func dismissals(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 3)
            try await s.dismissSuggestion(ids[0], ids[1], at: Make.at(1))
            try await s.dismissSuggestion(ids[0], ids[1], at: Make.at(2))
            try await s.dismissSuggestion(ids[0], ids[2], at: Make.at(3))
            #expect(try await s.dismissedSuggestions(ids[0]) == [ids[1], ids[2]])
            #expect(try await s.dismissedSuggestions(ids[1]).isEmpty)
        }
    }

    // MARK: Introductions

    @Test("Introductions are stored, forwarded with a note and listed for the three people involved", arguments: StorageKind.tested)
    func introductions(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 5)
            let (requester, via, target, outsider, other) = (ids[0], ids[1], ids[2], ids[3], ids[4])
            let first = Make.introduction(requester, via: via, to: target, at: 10, message: "Could you introduce me?\n二行目")
            let second = Make.introduction(other, via: requester, to: via, at: 20)
            try await s.createIntroduction(first)
            try await s.createIntroduction(second)
            #expect(try await s.introduction(id: first.id) == first)
            #expect(try await s.introduction(id: Make.id()) == nil)

            try await s.setIntroductionStatus(id: first.id, .forwarded, note: "Aさん、こちらは山田さんです。", at: Make.at(30))
            var forwarded = first
            forwarded.status = .forwarded
            forwarded.forwardNote = "Aさん、こちらは山田さんです。"
            forwarded.updatedAt = Make.at(30)
            #expect(try await s.introduction(id: first.id) == forwarded)
            // Answered once: a late decline changes nothing.
            try await s.setIntroductionStatus(id: first.id, .declined, note: nil, at: Make.at(35))
            #expect(try await s.introduction(id: first.id) == forwarded)

            #expect(try await s.introductions(involving: requester).map(\.id) == [second.id, first.id])
            #expect(try await s.introductions(involving: via).map(\.id) == [second.id, first.id])
            #expect(try await s.introductions(involving: target) == [forwarded])
            #expect(try await s.introductions(involving: other) == [second])
            #expect(try await s.introductions(involving: outsider).isEmpty)

            try await s.setIntroductionStatus(id: second.id, .declined, note: nil, at: Make.at(40))
            let declined = try #require(try await s.introduction(id: second.id))
            #expect(declined.status == .declined)
            #expect(declined.forwardNote == nil)
        }
    }

    // MARK: Change log and snapshot

    @Test("deleteMember logs memberRemoved and takes the member's network rows with it", arguments: StorageKind.tested)
    func deleteMemberCascades(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 4)
            let (leaving, a, b, c) = (ids[0], ids[1], ids[2], ids[3])
            #expect(try await s.importConnections([(leaving, a, Make.at(1)), (a, b, Make.at(1))]) == 2)
            try await s.setFollow(c, leaving, true, at: Make.at(2))
            try await s.block(b, leaving, at: Make.at(3))
            let invitation = Make.invitation(leaving, c, at: 4)
            try await s.createInvitation(invitation)
            let received = Make.invitation(c, a, at: 5)
            try await s.createInvitation(received)
            try await s.dismissSuggestion(c, leaving, at: Make.at(6))
            let introduction = Make.introduction(c, via: a, to: leaving, at: 7)
            try await s.createIntroduction(introduction)
            let start = try await s.lastSequence()

            try await s.deleteMember(leaving)
            #expect(try await s.changes(after: start) == [LoggedChange(.memberRemoved, leaving)])
            #expect(try await s.connections(of: a).map(\.other) == [b])
            #expect(try await s.connections(of: leaving).isEmpty)
            #expect(try await s.follows(c, leaving) == false)
            #expect(try await s.blockedEitherWay(b).isEmpty)
            #expect(try await s.invitation(id: invitation.id) == nil)
            #expect(try await s.openInvitationPartners(c) == [a])
            #expect(try await s.dismissedSuggestions(c).isEmpty)
            #expect(try await s.introduction(id: introduction.id) == nil)
            let snapshot = try await s.networkSnapshot()
            #expect(Set(snapshot.members) == [a, b, c])
            #expect(snapshot.connections.count == 1)

            // Deleting someone who does not exist logs nothing.
            try await s.deleteMember(MemberID(Make.id()))
            #expect(try await s.changes(after: start).count == 1)
        }
    }

    @Test("updateSettings logs when the connection list is hidden or shown, and only then", arguments: StorageKind.tested)
    func listVisibilityLog(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 2)
            let me = ids[1]
            let start = try await s.lastSequence()

            var settings = ProfileSettings(connectionsVisibility: .onlyMe)
            try await s.updateSettings(settings, for: me, at: Make.at(1))
            #expect(try await s.changes(after: start) == [LoggedChange(.listHidden, me)])
            #expect(try await s.networkSnapshot().hiddenLists == [me])

            // Another setting changes, the list stays hidden: nothing to log.
            settings.profileVisibility = .public
            try await s.updateSettings(settings, for: me, at: Make.at(2))
            #expect(try await s.changes(after: start).count == 1)

            settings.connectionsVisibility = .connections
            try await s.updateSettings(settings, for: me, at: Make.at(3))
            #expect(try await s.changes(after: start) == [LoggedChange(.listHidden, me), LoggedChange(.listShown, me)])
            #expect(try await s.networkSnapshot().hiddenLists.isEmpty)
            #expect(try await s.profile(id: me)?.settings == settings)
        }
    }

    @Test("The snapshot holds every member, each connection once, hidden lists and the log's last sequence", arguments: StorageKind.tested)
    func snapshot(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let empty = try await s.networkSnapshot()
            #expect(empty.members.isEmpty && empty.connections.isEmpty && empty.hiddenLists.isEmpty)
            #expect(empty.sequence == 0)

            let ids = try await makeMembers(s, 6)
            let imported = [(ids[0], ids[1], Make.at(1)), (ids[2], ids[1], Make.at(2)), (ids[3], ids[4], Make.at(3))]
            #expect(try await s.importConnections(imported) == 3)
            let invitation = Make.invitation(ids[5], ids[0], at: 4)
            try await s.createInvitation(invitation)
            #expect(try await s.acceptInvitation(id: invitation.id, at: Make.at(5)))
            #expect(try await s.removeConnection(ids[3], ids[4], at: Make.at(6)))
            try await s.updateSettings(ProfileSettings(connectionsVisibility: .onlyMe), for: ids[2], at: Make.at(7))

            let snapshot = try await s.networkSnapshot()
            #expect(Set(snapshot.members) == Set(ids))
            #expect(snapshot.members.count == 6)
            let pairs = snapshot.connections.map { [$0.0, $0.1].sorted() }
            #expect(Set(pairs) == [[ids[0], ids[1]], [ids[1], ids[2]], [ids[0], ids[5]]])
            #expect(pairs.count == 3)
            #expect(snapshot.hiddenLists == [ids[2]])

            let log = try await s.graphChanges(after: 0, limit: 100)
            #expect(log.map(\.kind) == [.connected, .connected, .connected, .connected, .disconnected, .listHidden])
            #expect(log.map(\.sequence) == log.map(\.sequence).sorted())
            #expect(Set(log.map(\.sequence)).count == log.count)
            #expect(snapshot.sequence == log.last?.sequence)
            #expect(try await s.graphChanges(after: snapshot.sequence, limit: 100).isEmpty)
            // Paging through the log.
            let firstTwo = try await s.graphChanges(after: 0, limit: 2)
            #expect(firstTwo == Array(log.prefix(2)))
            #expect(try await s.graphChanges(after: firstTwo[1].sequence, limit: 100) == Array(log.dropFirst(2)))
        }
    }

    @Test("An invitation between connected members is refused by the insert, and nothing is written", arguments: StorageKind.tested)
    func invitationBetweenConnectedMembers(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 3)
            #expect(try await s.importConnections([(ids[0], ids[1], Make.at(1))]) == 1)
            for (a, b) in [(ids[0], ids[1]), (ids[1], ids[0])] {
                await #expect(throws: DomainError.alreadyConnected) {
                    try await s.createInvitation(Make.invitation(a, b, at: 2))
                }
                #expect(try await s.openInvitation(between: a, and: b) == nil)
            }
            // Not connected: written.
            try await s.createInvitation(Make.invitation(ids[0], ids[2], at: 3))
            #expect(try await s.openInvitation(between: ids[2], and: ids[0])?.from == ids[0])
        }
    }

    @Test("Concurrent writers of the graph finish, and replaying the log gives the stored connections", arguments: StorageKind.tested)
    func concurrentGraphWriters(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 8)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var generator = SampleData.Generator(seed: UInt64(worker))
                        for step in 0..<25 {
                            let a = ids.randomElement(using: &generator)!
                            let b = ids.randomElement(using: &generator)!
                            guard a != b else { continue }
                            let at = Make.at(step)
                            switch generator.next() % 5 {
                            case 0:
                                _ = try await s.importConnections([(a, b, at)])
                            case 1:
                                _ = try await s.removeConnection(a, b, at: at)
                            case 2:
                                try await s.block(a, b, at: at)
                                try await s.unblock(a, b, at: at)
                            case 3:
                                do {
                                    try await s.createInvitation(Make.invitation(a, b, at: step))
                                } catch let error as DomainError where ["already_invited", "already_connected"].contains(error.code) {}
                                if let open = try await s.openInvitation(between: a, and: b) {
                                    _ = try await s.acceptInvitation(id: open.id, at: at)
                                }
                            default:
                                try await s.setFollow(a, b, step % 2 == 0, at: at)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            var replayed = Set<[MemberID]>()
            let log = try await s.graphChanges(after: 0, limit: 10_000)
            #expect(!log.isEmpty)
            for change in log {
                switch change.kind {
                case .connected: replayed.insert([change.a, change.b!].sorted())
                case .disconnected: replayed.remove([change.a, change.b!].sorted())
                case .memberRemoved: replayed = replayed.filter { !$0.contains(change.a) }
                case .listHidden, .listShown, .followed, .unfollowed, .memberSuspended, .memberRestored: break
                }
            }
            let snapshot = try await s.networkSnapshot()
            #expect(Set(snapshot.connections.map { [$0.0, $0.1].sorted() }) == replayed)
            #expect(snapshot.sequence == log.last?.sequence)
        }
    }

    @Test("pruneGraphChanges drops changes older than the given time but the last, and keeps the sequence going", arguments: StorageKind.tested)
    func prune(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 4)
            #expect(try await s.importConnections([(ids[0], ids[1], Make.at(10))]) == 1)
            #expect(try await s.removeConnection(ids[0], ids[1], at: Make.at(20)))
            #expect(try await s.importConnections([(ids[2], ids[3], Make.at(30))]) == 1)
            let before = try await s.graphChanges(after: 0, limit: 10)
            try #require(before.count == 3)

            try await s.pruneGraphChanges(before: Make.at(20))
            #expect(try await s.graphChanges(after: 0, limit: 10) == Array(before.dropFirst()))
            // The last change stays (a snapshot of the graph index is checked against it).
            try await s.pruneGraphChanges(before: Make.at(31))
            #expect(try await s.graphChanges(after: 0, limit: 10) == [before[2]])
            // Sequence numbers are never reused after pruning.
            #expect(try await s.importConnections([(ids[0], ids[3], Make.at(40))]) == 1)
            try await s.pruneGraphChanges(before: Make.at(41))
            let next = try await s.graphChanges(after: 0, limit: 10)
            try #require(next.count == 1)
            #expect(next[0].sequence > before[2].sequence)
        }
    }

    // MARK: Import

    @Test("importConnections skips self-pairs, repeats and existing connections and counts the new ones", arguments: StorageKind.tested)
    func importConnections(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 5)
            let invitation = Make.invitation(ids[0], ids[1])
            try await s.createInvitation(invitation)
            #expect(try await s.acceptInvitation(id: invitation.id, at: Make.at(1)))
            let start = try await s.lastSequence()

            let pairs: [(MemberID, MemberID, Date)] = [
                (ids[1], ids[0], Make.at(10)),  // already connected
                (ids[2], ids[2], Make.at(10)),  // oneself
                (ids[2], ids[3], Make.at(20)),
                (ids[3], ids[2], Make.at(21)),  // the same pair the other way round
                (ids[2], ids[3], Make.at(22)),  // and again
                (ids[4], ids[0], Make.at(30)),
            ]
            #expect(try await s.importConnections(pairs) == 2)
            #expect(try await s.connectedAt(ids[0], ids[1]) == Make.at(1))
            #expect(try await s.connectedAt(ids[2], ids[3]) == Make.at(20))
            #expect(try await s.connectedAt(ids[3], ids[2]) == Make.at(20))
            #expect(try await s.connectedAt(ids[0], ids[4]) == Make.at(30))
            #expect(try await s.connectedAt(ids[2], ids[2]) == nil)
            for (x, y) in [(ids[2], ids[3]), (ids[3], ids[2]), (ids[4], ids[0]), (ids[0], ids[4])] {
                #expect(try await s.follows(x, y))
            }
            #expect(
                Set(try await s.changes(after: start)) == [LoggedChange(.connected, ids[2], ids[3]), LoggedChange(.connected, ids[4], ids[0])])
            #expect(try await s.changes(after: start).count == 2)

            #expect(try await s.importConnections(pairs) == 0)
            #expect(try await s.importConnections([]) == 0)
            #expect(try await s.changes(after: start).count == 2)
            #expect(try await s.networkSnapshot().connections.count == 3)
        }
    }

    @Test("importConnections writes 100,000 pairs in one go, quickly", arguments: StorageKind.tested)
    func importSpeed(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 1_000, prefix: "bulk")
            var generator = SampleData.Generator(seed: 42)
            var pairs: [(MemberID, MemberID, Date)] = []
            var expected = Set<[MemberID]>()
            while pairs.count < 100_000 {
                let a = ids.randomElement(using: &generator)!
                let b = ids.randomElement(using: &generator)!
                pairs.append((a, b, Make.at(pairs.count)))
                if a != b { expected.insert([a, b].sorted()) }
            }
            let started = ContinuousClock.now
            let added = try await s.importConnections(pairs)
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Int(Double(pairs.count) / seconds)
            print("importConnections on \(kind): \(pairs.count) pairs (\(added) new) in \(elapsed), \(rate) pairs/s")
            #expect(added == expected.count)
            let snapshot = try await s.networkSnapshot()
            #expect(snapshot.connections.count == expected.count)
            #expect(try await s.graphChanges(after: 0, limit: 200_000).count == expected.count)
            // Generous, so that a busy machine passes; an import of a statement (or a round trip) per row takes minutes.
            #expect(elapsed < .seconds(60))
        }
    }

    // MARK: People and organisations

    @Test("memberCards answers 1,200 ids at once, in order, each once, leaving out unknown ones", arguments: StorageKind.tested)
    func memberCards(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            var members = (0..<1_200).map { Make.member("card-\($0)", name: "名前 \($0)") }
            members[7].profile.fields.headline = "iOS エンジニア"
            members[7].profile.fields.location = "東京都"
            members[7].profile.settings.profileVisibility = .public
            members[7].profile.settings.connectionsVisibility = .onlyMe
            try await s.createMembers(members)
            let ids = members.map(\.account.memberID)

            let unknown = (0..<30).map { _ in MemberID(Make.id()) }
            // Some held in memory from a first read, the rest read now: each in the order of its first mention.
            let shuffled = ids.shuffled()
            #expect(try await s.memberCards(ids: Array(shuffled[300..<700].reversed())).map(\.id) == shuffled[300..<700].reversed())
            let asked = Array(shuffled.prefix(500)) + unknown + shuffled.prefix(10) + shuffled[500...] + shuffled.prefix(600)
            let cards = try await s.memberCards(ids: asked)
            #expect(cards.count == 1_200)
            #expect(cards.map(\.id) == shuffled)
            #expect(try await s.memberCards(ids: asked).map(\.id) == shuffled, "all held now")
            let byID = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0) })
            #expect(
                byID[ids[7]]
                    == MemberCard(
                        id: ids[7], handle: "card-7", name: "名前 7", headline: "iOS エンジニア", location: "東京都", profileVisibility: .public,
                        connectionsVisibility: .onlyMe))
            #expect(
                byID[ids[1_199]]
                    == MemberCard(
                        id: ids[1_199], handle: "card-1199", name: "名前 1199", headline: nil, location: nil, profileVisibility: .members,
                        connectionsVisibility: .connections))
            #expect(try await s.memberCards(ids: []).isEmpty)
            #expect(try await s.memberCards(ids: unknown).isEmpty)
        }
    }

    @Test("membersAt lists current members, and past members who are not there now", arguments: StorageKind.tested)
    func membersAt(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let first = Make.draft("Acme Inc.", start: "2020-01")
            let current = Make.member("current", positions: [first, Make.draft("Acme", start: "2010-01", end: "2012-12")])
            let past = Make.member("past", positions: [Make.draft("ACME, Inc.", start: "2015-01", end: "2018-12")])
            let twicePast = Make.member(
                "twice-past",
                positions: [Make.draft("Acme Inc.", start: "2005-01", end: "2006-12"), Make.draft("Acme Inc.", start: "2008-01", end: "2009-12")])
            let elsewhere = Make.member("elsewhere", positions: [Make.draft("Other Corp.", start: "2021-01")])
            try await s.createMembers([current, past, twicePast, elsewhere])
            let acme = first.newCompanyID

            #expect(try await s.membersAt(company: acme, current: true) == [current.account.memberID])
            #expect(Set(try await s.membersAt(company: acme, current: false)) == [past.account.memberID, twicePast.account.memberID])
            #expect(try await s.membersAt(company: acme, current: false).count == 2)
            #expect(try await s.membersAt(company: Make.id(), current: true).isEmpty)
        }
    }

    @Test("sharedAffiliations: shared companies and schools, whether the times overlapped, overlapping first", arguments: StorageKind.tested)
    func sharedAffiliations(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let mercari = Make.draft("株式会社メルカリ", start: "2018-04", end: "2020-03")
            let sony = Make.draft("Sony Corp.", start: "2020-04")
            let me = Make.member(
                "me", positions: [mercari, sony],
                educations: [Make.education("東京大学", start: 2010, end: 2014), Make.education("Stanford University", start: 2016, end: 2018)])
            // Overlapped at Mercari (2019) and studied at 東京大学 in overlapping years, spelled with a trailing space.
            let colleague = Make.member(
                "colleague",
                positions: [Make.draft("(株)メルカリ", start: "2019-01", end: "2021-12"), Make.draft("メルカリ", start: "2010-01", end: "2011-01")],
                educations: [Make.education("東京大学 ", start: 2012, end: 2016)])
            // At Mercari after I left, still there (open end); 東京大学 with a full-width space, years not overlapping.
            let later = Make.member(
                "later", positions: [Make.draft("メルカリ株式会社", start: "2020-04")],
                educations: [Make.education("東京大学　", start: 2015, end: 2019)])
            // At Sony now, like me: overlap through both open ends. Stanford in full-width capitals, with no years.
            let sonyNow = Make.member(
                "sony-now", positions: [Make.draft("ＳＯＮＹ", start: "2023-01")],
                educations: [Make.education("ＳＴＡＮＦＯＲＤ　ＵＮＩＶＥＲＳＩＴＹ", start: nil, end: nil)])
            // Stanford, started in 2017 and not finished: overlaps.
            let student = Make.member("student", educations: [Make.education("stanford university", start: 2017, end: nil)])
            let stranger = Make.member(
                "stranger", positions: [Make.draft("Other Inc.", start: "2018-01")], educations: [Make.education("京都大学")])
            try await s.createMembers([me, colleague, later, sonyNow, student, stranger])
            let myID = me.account.memberID
            let profile = try #require(try await s.profile(id: myID))
            let mercariID = try #require(profile.positions.first { $0.id == mercari.id }).company.id
            let sonyID = try #require(profile.positions.first { $0.id == sony.id }).company.id
            let tokyoKey = "東京大学"
            let stanfordKey = "stanford university"

            let shared = try await s.sharedAffiliations(of: myID, limit: 100)
            func entry(_ member: NewMember, _ id: String) -> SharedAffiliation? {
                shared.first { $0.member == member.account.memberID && $0.organisationID == id }
            }
            #expect(shared.count == 7)
            #expect(!shared.contains { $0.member == myID || $0.member == stranger.account.memberID })
            #expect(Set(shared.map { "\($0.member)|\($0.organisationID)" }).count == shared.count)

            let mercariName = try #require(try await s.company(id: mercariID)).name
            func affiliation(
                _ member: NewMember, _ kind: SharedAffiliation.Kind, _ id: String, _ name: String, _ overlap: Bool
            ) -> SharedAffiliation {
                SharedAffiliation(member: member.account.memberID, kind: kind, organisationID: id, organisationName: name, overlap: overlap)
            }
            #expect(entry(colleague, mercariID) == affiliation(colleague, .company, mercariID, mercariName, true))
            #expect(entry(later, mercariID)?.overlap == false)
            #expect(entry(sonyNow, sonyID)?.overlap == true)
            #expect(entry(sonyNow, sonyID)?.kind == .company)
            #expect(entry(colleague, tokyoKey) == affiliation(colleague, .school, tokyoKey, "東京大学 ", true))
            #expect(entry(later, tokyoKey) == affiliation(later, .school, tokyoKey, "東京大学　", false))
            #expect(entry(sonyNow, stanfordKey) == affiliation(sonyNow, .school, stanfordKey, "ＳＴＡＮＦＯＲＤ　ＵＮＩＶＥＲＳＩＴＹ", false))
            #expect(entry(student, stanfordKey)?.overlap == true)

            // Overlapping first, then by member id.
            let overlapping = shared.prefix { $0.overlap }
            #expect(overlapping.count == 4)
            #expect(shared.dropFirst(4).allSatisfy { !$0.overlap })
            #expect(overlapping.map(\.member.rawValue) == overlapping.map(\.member.rawValue).sorted())
            #expect(shared.dropFirst(4).map(\.member.rawValue) == shared.dropFirst(4).map(\.member.rawValue).sorted())
            #expect(try await s.sharedAffiliations(of: myID, limit: 3) == Array(shared.prefix(3)))
            // Seen from the other side.
            let fromColleague = try await s.sharedAffiliations(of: colleague.account.memberID, limit: 100)
            #expect(fromColleague.contains { $0.member == myID && $0.kind == .school && $0.organisationName == "東京大学" && $0.overlap })
            #expect(try await s.sharedAffiliations(of: stranger.account.memberID, limit: 100).isEmpty)
        }
    }

    @Test("companies(matching:) finds by key prefix or by name, biggest first", arguments: StorageKind.tested)
    func companiesMatching(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let mercari = Make.draft("株式会社メルカリ", start: "2019-01")
            let members = [
                Make.member("m1", positions: [mercari, Make.draft("メルカリ", start: "2010-01", end: "2012-01")]),
                Make.member("m2", positions: [Make.draft("(株)メルカリ", start: "2015-01", end: "2016-01")]),
                Make.member("m3", positions: [Make.draft("メルカリ株式会社", start: "2020-01")]),
                Make.member("l1", positions: [Make.draft("株式会社メルカリロジスティクス", start: "2021-01")]),
                Make.member("s1", positions: [Make.draft("Sony Corp.", start: "2021-01")]),
                Make.member("s2", positions: [Make.draft("ソニー株式会社", start: "2021-01")]),
            ]
            try await s.createMembers(members)

            let found = try await s.companies(matching: "メルカリ", limit: 10)
            try #require(found.count == 2)
            #expect(found[0].company.id == mercari.newCompanyID)
            #expect(found[0].memberCount == 3)
            #expect(found[0].company.currentMemberCount == 2)
            #expect(found[0].company.pastMemberCount == 1)
            #expect(found[0].company.name == (try await s.company(id: mercari.newCompanyID))?.name)
            #expect(found[1].company.name == "株式会社メルカリロジスティクス")
            #expect(found[1].memberCount == 1)
            #expect(try await s.companies(matching: "株式会社メルカリ", limit: 10).map(\.company.id) == found.map(\.company.id))
            #expect(try await s.companies(matching: "ＭＥＲＣＡＲＩ", limit: 10).isEmpty)
            #expect(try await s.companies(matching: "メルカリ", limit: 1).map(\.company.id) == [mercari.newCompanyID])
            // By a part of the name that is not a prefix of the key.
            #expect(try await s.companies(matching: "ロジスティクス", limit: 10).map(\.company.name) == ["株式会社メルカリロジスティクス"])
            #expect(try await s.companies(matching: "sony", limit: 10).map(\.company.name) == ["Sony Corp."])
            #expect(try await s.companies(matching: "ニー", limit: 10).map(\.company.name) == ["ソニー株式会社"])
            #expect(try await s.companies(matching: "zzz", limit: 10).isEmpty)
            let all = try await s.companies(matching: "", limit: 10)
            #expect(all.count == 4)
            #expect(all.first?.company.id == mercari.newCompanyID)
            #expect(all.map(\.memberCount) == all.map(\.memberCount).sorted(by: >))
        }
    }

    // MARK: Education keys and bulk members

    @Test("Education school keys are written on insert and update", arguments: StorageKind.tested)
    func schoolKeysFollowEdits(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.network
            let ids = try await makeMembers(s, 2)
            var education = Make.education("京都大学", start: 2010, end: 2014)
            #expect(try await s.saveEducation(education, for: ids[0], isNew: true, at: Make.at(1)))
            let fullWidth = Make.education("ＫＹＯＴＯ Ｕｎｉｖｅｒｓｉｔｙ ", start: 2012, end: 2016)
            #expect(try await s.saveEducation(fullWidth, for: ids[1], isNew: true, at: Make.at(1)))
            #expect(try await s.sharedAffiliations(of: ids[0], limit: 10).isEmpty)

            education.school = "Kyoto University"
            #expect(try await s.saveEducation(education, for: ids[0], isNew: false, at: Make.at(2)))
            let shared = try await s.sharedAffiliations(of: ids[0], limit: 10)
            #expect(
                shared == [
                    SharedAffiliation(
                        member: ids[1], kind: .school, organisationID: "kyoto university", organisationName: "ＫＹＯＴＯ Ｕｎｉｖｅｒｓｉｔｙ ",
                        overlap: true)
                ])
        }
    }

    @Test("Migration 002 gives educations written before it their school key", arguments: StorageKind.tested)
    func schoolKeyBackfill(_ kind: StorageKind) async throws {
        try await withUnmigratedStore(kind) { store in
            switch kind {
            case .sqlite: try await #require(store.storage as? SQLiteStorage).migrate(upTo: "001_members_profiles_sessions")
            case .postgres: try await #require(store.storage as? PostgresStorage).migrate(through: 1)
            }
            let old = Make.member("old-student")
            let new = Make.member("new-student")
            try await store.writeAsFirstVersion([old, new])
            let sql = """
                INSERT INTO educations (id, member_id, school, degree, field, start_year, end_year, created_at)
                VALUES ($1, $2, $3, NULL, NULL, 2010, 2014, 0)
                """
            let arguments = [Make.id(), old.account.memberID.rawValue, "  Stanford University "]
            switch kind {
            case .sqlite:
                // SQLite reads ?1, ?2… where PostgreSQL reads $1, $2…
                try await #require(store.storage as? SQLiteStorage).execute(
                    sql: sql.replacingOccurrences(of: "$", with: "?"), arguments: arguments)
            case .postgres: try await #require(store.storage as? PostgresStorage).execute(sql: sql, arguments: arguments)
            }

            try await store.storage.migrate()
            let s = try store.network
            let later = Make.education("stanford university", start: 2013, end: 2015)
            #expect(try await s.saveEducation(later, for: new.account.memberID, isNew: true, at: Make.at(1)))
            let shared = try await s.sharedAffiliations(of: new.account.memberID, limit: 10)
            #expect(
                shared == [
                    SharedAffiliation(
                        member: old.account.memberID, kind: .school, organisationID: "stanford university",
                        organisationName: "  Stanford University ", overlap: true)
                ])
            #expect(try await s.profile(id: old.account.memberID)?.educations.map(\.school) == ["  Stanford University "])
        }
    }

    @Test("createMembers writes the same members, companies and names as createMember one by one", arguments: StorageKind.tested)
    func bulkEqualsOneByOne(_ kind: StorageKind) async throws {
        let members = SampleData.members(count: 300, seed: 77, passwordHash: "plain:x", now: Make.t0)
        let (single, bulk) = try await withStore(kind) { one in
            try await withStore(kind) { many in
                for member in members { try await one.storage.createMember(member) }
                try await many.storage.createMembers(members)
                var single: [Profile?] = []
                var bulk: [Profile?] = []
                for member in members {
                    single.append(try await one.storage.profile(id: member.account.memberID))
                    bulk.append(try await many.storage.profile(id: member.account.memberID))
                }
                return (single, bulk)
            }
        }
        #expect(single.allSatisfy { $0 != nil })
        #expect(single.count == bulk.count)
        for (a, b) in zip(single, bulk) { #expect(a == b) }
    }

    @Test("createMembers writes 2,000 sample members in a few seconds", arguments: StorageKind.tested)
    func bulkSpeed(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let members = SampleData.members(count: 2_000, seed: 9, passwordHash: "plain:x", now: Make.t0)
            let started = ContinuousClock.now
            try await store.storage.createMembers(members)
            let elapsed = started.duration(to: .now)
            print("createMembers on \(kind): 2,000 members in \(elapsed)")
            #expect(try await store.storage.memberCount() == 2_000)
            let last = try #require(members.last)
            #expect(try await store.storage.profile(id: last.account.memberID)?.positions.count == last.positions.count)
            // Not a benchmark (`tsunagari bench data` is): only a guard against a round trip per row, which took over
            // 30 seconds on PostgreSQL; generous, so that a machine busy with other work passes.
            #expect(elapsed < .seconds(60))
        }
    }
}
