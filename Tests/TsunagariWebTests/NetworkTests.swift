import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariGraph
@testable import TsunagariWeb

/// Members made through the API, by name.
struct Cast {
    var tokens: [String: String] = [:]
    var ids: [String: String] = [:]
    var handles: [String: String] = [:]

    static func make(_ client: any TestClientProtocol, _ names: [String]) async throws -> Cast {
        var cast = Cast()
        for name in names {
            let member = try await client.signUp(name, email: "\(name.lowercased())@example.test")
            cast.tokens[name] = member.token
            cast.ids[name] = member.id
            cast.handles[name] = member.handle
        }
        return cast
    }

    /// Connects two members through an invitation and its acceptance.
    func connect(_ client: any TestClientProtocol, _ a: String, _ b: String) async throws {
        let sent = try await client.call(.post, "/api/v1/invitations", token: tokens[a], json: ["inviteeId": ids[b]!])
        #expect(sent.status == .created, "\(a)→\(b): \(sent.text)")
        let id = sent.json["id"] as? String ?? ""
        let accepted = try await client.call(.post, "/api/v1/invitations/\(id)/accept", token: tokens[b])
        #expect(accepted.status == .ok, "\(b) accepts: \(accepted.text)")
    }

    func degree(_ client: any TestClientProtocol, _ viewer: String, of target: String) async throws -> Int? {
        let reply = try await client.call(.get, "/api/v1/members/\(ids[target]!)", token: tokens[viewer])
        return reply.json["degree"] as? Int
    }
}

func names(_ reply: Reply, _ key: String = "items") -> [String] {
    (reply.json[key] as? [[String: Any]] ?? []).compactMap { item in
        ((item["member"] as? [String: Any]) ?? item)["name"] as? String
    }
}

@Suite struct ConnectionLifecycleTests {
    @Test func inviteIgnoreWithdrawAndTheCooldown() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let sent = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Ben"]!, "message": "会議でお会いしました"])
            #expect(sent.status == .created)
            #expect(sent.json["status"] as? String == "pending")
            let id = sent.json["id"] as? String ?? ""
            let received = try await client.call(.get, "/api/v1/invitations?direction=received", token: cast.tokens["Ben"])
            #expect(names(received, "items").isEmpty)  // items are invitations, not members
            #expect(((received.json["items"] as? [[String: Any]])?.first?["message"] as? String) == "会議でお会いしました")
            let again = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Ben"]!])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "already_invited")
            // Only the invitee may accept or ignore; only the sender may withdraw.
            #expect(try await client.call(.post, "/api/v1/invitations/\(id)/accept", token: cast.tokens["Ann"]).status == .forbidden)
            #expect(try await client.call(.delete, "/api/v1/invitations/\(id)", token: cast.tokens["Ben"]).status == .forbidden)
            // Ignoring is silent: the sender still sees it pending.
            #expect(try await client.call(.post, "/api/v1/invitations/\(id)/ignore", token: cast.tokens["Ben"]).status == .noContent)
            let sentList = try await client.call(.get, "/api/v1/invitations?direction=sent", token: cast.tokens["Ann"])
            #expect((sentList.json["items"] as? [[String: Any]])?.first?["status"] as? String == "pending")
            let receivedAfter = try await client.call(.get, "/api/v1/invitations?direction=received", token: cast.tokens["Ben"])
            #expect((receivedAfter.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.get, "/api/v1/members/\(cast.ids["Ben"]!)", token: cast.tokens["Ann"]).json["relationship"] as? String == "invitationSent")
            // Withdrawn: the same member cannot be invited again for three weeks.
            #expect(try await client.call(.delete, "/api/v1/invitations/\(id)", token: cast.tokens["Ann"]).status == .noContent)
            let soon = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Ben"]!])
            #expect(soon.status == .tooManyRequests)
            #expect(Int(soon.header("Retry-After") ?? "") ?? 0 > 20 * 24 * 3600)
            // A 301-character note is refused.
            let long = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ben"], json: ["inviteeId": cast.ids["Ann"]!, "message": String(repeating: "あ", count: 301)])
            #expect(long.status == .unprocessableContent)
        }
    }

    @Test func aMutualInvitationConnectsAtOnce() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Cat"])
            #expect(try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Cat"]!]).status == .created)
            let back = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Cat"], json: ["inviteeId": cast.ids["Ann"]!])
            #expect(back.status == .ok)
            #expect(back.json["status"] as? String == "accepted")
            #expect(try await cast.degree(client, "Ann", of: "Cat") == 1)
            let profile = try await client.call(.get, "/api/v1/members/\(cast.ids["Ann"]!)", token: cast.tokens["Cat"])
            #expect(profile.json["relationship"] as? String == "connected")
            #expect(profile.json["following"] as? Bool == true)
            let again = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Cat"]!])
            #expect(again.errorCode == "already_connected")
        }
    }

    @Test func removingIsSilentAndLeavesNoTrace() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            #expect(try await client.call(.delete, "/api/v1/connections/\(cast.ids["Ben"]!)", token: cast.tokens["Ann"]).status == .noContent)
            // Ben sees no connection, no invitation, no relationship; nothing tells him.
            let view = try await client.call(.get, "/api/v1/members/\(cast.ids["Ann"]!)", token: cast.tokens["Ben"])
            #expect(view.json["relationship"] as? String == "none")
            #expect(view.json["degree"] is NSNull)
            #expect(view.json["following"] as? Bool == false)
            #expect((try await client.call(.get, "/api/v1/me/connections", token: cast.tokens["Ben"]).json["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/v1/invitations?direction=received", token: cast.tokens["Ben"]).json["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/v1/invitations?direction=sent", token: cast.tokens["Ben"]).json["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.delete, "/api/v1/connections/\(cast.ids["Ben"]!)", token: cast.tokens["Ann"]).status == .notFound)
        }
    }

    @Test func limitsOnInvitationsAndConnections() async throws {
        var limits = NetworkLimits.standard
        limits.invitationsPerWeek = 2
        limits.maximumConnections = 1
        try await withApp(networkLimits: limits) { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan"])
            try await cast.connect(client, "Ann", "Ben")
            let capped = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Cat"], json: ["inviteeId": cast.ids["Ann"]!])
            #expect(capped.status == .unprocessableContent)
            #expect(capped.errorCode == "connection_limit")
            #expect(try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Cat"], json: ["inviteeId": cast.ids["Dan"]!]).status == .created)
            let third = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Cat"], json: ["inviteeId": cast.ids["Ben"]!])
            // Ben is at the cap too: inviting him is refused the same way.
            #expect(third.status == .unprocessableContent)
            #expect(third.errorCode == "connection_limit")
        }
    }

    @Test func weeklyInvitationLimitIs429() async throws {
        var limits = NetworkLimits.standard
        limits.invitationsPerWeek = 2
        try await withApp(networkLimits: limits) { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan"])
            for name in ["Ben", "Cat"] {
                #expect(try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids[name]!]).status == .created)
            }
            let third = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Dan"]!])
            #expect(third.status == .tooManyRequests)
            #expect(third.header("Retry-After") != nil)
        }
    }
}

@Suite struct NetworkQuestionTests {
    /// Ann–Ben–Cat–Dan in a chain, Eve alone.
    func chain(_ client: any TestClientProtocol) async throws -> Cast {
        let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan", "Eve"])
        try await cast.connect(client, "Ann", "Ben")
        try await cast.connect(client, "Ben", "Cat")
        try await cast.connect(client, "Cat", "Dan")
        return cast
    }

    @Test func degreesMutualsAndPaths() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            #expect(try await cast.degree(client, "Ann", of: "Ann") == 0)
            #expect(try await cast.degree(client, "Ann", of: "Ben") == 1)
            #expect(try await cast.degree(client, "Ann", of: "Cat") == 2)
            #expect(try await cast.degree(client, "Ann", of: "Dan") == 3)
            #expect(try await cast.degree(client, "Ann", of: "Eve") == nil)
            let cat = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)", token: cast.tokens["Ann"])
            #expect(cat.json["mutualConnectionCount"] as? Int == 1)
            let mutual = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/mutual-connections", token: cast.tokens["Ann"])
            #expect(names(mutual) == ["Ben"])
            let second = try await client.call(.get, "/api/v1/network/paths/\(cast.ids["Cat"]!)", token: cast.tokens["Ann"])
            #expect(second.json["degree"] as? Int == 2)
            // A path to a third-degree member names only the viewer's own connection.
            let third = try await client.call(.get, "/api/v1/network/paths/\(cast.ids["Dan"]!)", token: cast.tokens["Ann"])
            #expect(third.json["degree"] as? Int == 3)
            let via = (third.json["paths"] as? [[String: Any]] ?? []).flatMap { ($0["via"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
            #expect(via == ["Ben"])
            #expect(!third.text.contains(cast.ids["Cat"]!))
        }
    }

    @Test func connectionListsFollowTheOwnersSetting() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            try await cast.connect(client, "Ann", "Cat")
            // Cat's list is visible to connections (the default): Ann, a connection, sees all of it.
            let all = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/connections?sort=name", token: cast.tokens["Ann"])
            #expect(names(all) == ["Ann", "Ben", "Dan"])
            // Eve is no connection of Cat: she sees only what they share, which is nothing.
            let eve = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/connections", token: cast.tokens["Eve"])
            #expect(names(eve).isEmpty)
            // Dan (not connected to Ann) sees only Cat among Ann's connections: the one they share.
            let dan = try await client.call(.get, "/api/v1/members/\(cast.ids["Ann"]!)/connections", token: cast.tokens["Dan"])
            #expect(names(dan) == ["Cat"])
            // Cat hides the list: even a connection sees only the shared ones.
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Cat"], json: ["connectionsVisibility": "onlyMe"])
            let hidden = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/connections", token: cast.tokens["Ann"])
            #expect(names(hidden) == ["Ben"])
            let own = try await client.call(.get, "/api/v1/me/connections?sort=name", token: cast.tokens["Cat"])
            #expect(names(own) == ["Ann", "Ben", "Dan"])
            let search = try await client.call(.get, "/api/v1/me/connections?q=da", token: cast.tokens["Cat"])
            #expect(names(search) == ["Dan"])
        }
    }

    @Test func aMutualConnectionWhoHidesTheirListIsNotNamed() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            // Ben links Ann and Cat. Ben hides his list, and so does Cat: the Ben–Cat tie may not be shown to Ann.
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Ben"], json: ["connectionsVisibility": "onlyMe"])
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Cat"], json: ["connectionsVisibility": "onlyMe"])
            let mutual = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/mutual-connections", token: cast.tokens["Ann"])
            #expect(names(mutual).isEmpty)
            let paths = try await client.call(.get, "/api/v1/network/paths/\(cast.ids["Cat"]!)", token: cast.tokens["Ann"])
            #expect((paths.json["paths"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)", token: cast.tokens["Ann"]).json["mutualConnectionCount"] as? Int == 0)
        }
    }

    @Test func blockingHidesTheBlockerEverywhere() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            try await cast.connect(client, "Ann", "Cat")
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ben"]!)/block", token: cast.tokens["Ann"]).status == .noContent)
            let blocker = cast.ids["Ann"]!
            for path in ["/api/v1/members/\(blocker)", "/api/v1/members/\(blocker)/connections", "/api/v1/members/\(blocker)/mutual-connections", "/api/v1/network/paths/\(blocker)"] {
                #expect(try await client.call(.get, path, token: cast.tokens["Ben"]).status == .notFound, "\(path)")
            }
            #expect(try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ben"], json: ["inviteeId": blocker]).status == .notFound)
            #expect(try await client.call(.put, "/api/v1/members/\(blocker)/follow", token: cast.tokens["Ben"]).status == .notFound)
            // The connection is gone, silently; Ann appears in none of Ben's lists.
            #expect(try await cast.degree(client, "Cat", of: "Ben") == 1)
            let catsList = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/connections", token: cast.tokens["Ben"])
            #expect(!names(catsList).contains("Ann"))
            let suggestions = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ben"])
            #expect(!suggestions.text.contains(blocker))
            let mutual = try await client.call(.get, "/api/v1/members/\(cast.ids["Cat"]!)/mutual-connections", token: cast.tokens["Ben"])
            #expect(!mutual.text.contains(blocker))
            #expect(try await client.call(.delete, "/api/v1/members/\(cast.ids["Ben"]!)/block", token: cast.tokens["Ann"]).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/members/\(blocker)", token: cast.tokens["Ben"]).status == .ok)
        }
    }

    /// The connection list pages newest first (reading only each page's cards) and by name, with cursors that lead
    /// through every connection once, leaving out a suspended member and ending without a cursor.
    @Test func connectionListPagesThroughEveryConnectionOnce() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay"])
            for other in ["Ben", "Cat", "Dan", "Eve", "Fay"] {
                try await cast.connect(client, "Ann", other)
                try await Task.sleep(for: .milliseconds(5))
            }
            try await services.moderation.suspend(MemberID(cast.ids["Dan"]!), reason: "spam", by: .commandLine("ops"))
            func pages(_ sort: String, limit: Int) async throws -> [[String]] {
                var all: [[String]] = []
                var cursor: String?
                repeat {
                    var path = "/api/v1/me/connections?sort=\(sort)&limit=\(limit)"
                    if let cursor { path += "&cursor=\(cursor)" }
                    let page = try await client.call(.get, path, token: cast.tokens["Ann"])
                    #expect(page.status == .ok)
                    all.append((page.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any])?["name"] as? String })
                    cursor = page.json["nextCursor"] as? String
                } while cursor != nil && all.count < 10
                return all
            }
            #expect(try await pages("recent", limit: 2) == [["Fay", "Eve"], ["Cat", "Ben"]])
            #expect(try await pages("recent", limit: 3) == [["Fay", "Eve", "Cat"], ["Ben"]])
            #expect(try await pages("recent", limit: 10) == [["Fay", "Eve", "Cat", "Ben"]])
            #expect(try await pages("name", limit: 3) == [["Ben", "Cat", "Eve"], ["Fay"]])
        }
    }

    /// A connection list is answered from a copy kept while the graph's list of the member is unchanged: a change the
    /// graph has applied is seen by the next request, whether made here or (as another instance's would be) in storage
    /// alone and then replayed; a connection removed and made again moves to the top with its new time.
    @Test func theListFollowsEveryChangeTheGraphApplies() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan"])
            for other in ["Ben", "Cat"] {
                try await cast.connect(client, "Ann", other)
                try await Task.sleep(for: .milliseconds(5))
            }
            func list(_ query: String = "") async throws -> [String] {
                let page = try await client.call(.get, "/api/v1/me/connections" + query, token: cast.tokens["Ann"])
                #expect(page.status == .ok)
                return (page.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any])?["name"] as? String }
            }
            let (ann, ben, dan) = (MemberID(cast.ids["Ann"]!), MemberID(cast.ids["Ben"]!), MemberID(cast.ids["Dan"]!))
            #expect(try await list() == ["Cat", "Ben"])
            // Through this instance: removed, then made again, newest first.
            #expect(try await client.call(.delete, "/api/v1/connections/\(ben.rawValue)", token: cast.tokens["Ann"]).status == .noContent)
            #expect(try await list() == ["Cat"])
            try await Task.sleep(for: .milliseconds(5))
            try await cast.connect(client, "Ben", "Ann")
            #expect(try await list() == ["Ben", "Cat"])
            #expect(try await list("?sort=name") == ["Ben", "Cat"])

            // In storage alone, as another instance writes: this instance answers as its graph knows the list until it
            // applies the change from the log, and then at once.
            #expect(try await services.storage.importConnections([(ann, dan, Date())]) == 1)
            #expect(try await list() == ["Ben", "Cat"])
            services.graph.apply(GraphChange(sequence: 0, kind: .connected, a: ann, b: dan))
            #expect(try await list() == ["Dan", "Ben", "Cat"])
            #expect(try await services.storage.removeConnection(ann, ben, at: Date()))
            services.graph.apply(GraphChange(sequence: 0, kind: .disconnected, a: ann, b: ben))
            #expect(try await list() == ["Dan", "Cat"])
            #expect(try await list("?q=be").isEmpty)
        }
    }

    /// A list too long to keep whole is read from storage a page at a time (a recruiter's); the pages are the ones the
    /// kept copy gives, for the owner and for others, whole or shared-only, with blocked and suspended members left out.
    @Test func pagesReadFromStorageEqualThePagesOfTheKeptCopy() async throws {
        try await withApp { client, services in
            let names = ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal"]
            let cast = try await Cast.make(client, names)
            for other in names.dropFirst() {
                try await cast.connect(client, "Ann", other)
                try await Task.sleep(for: .milliseconds(3))
            }
            for other in ["Cat", "Eve", "Gus"] { try await cast.connect(client, "Ben", other) }
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Fay"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            try await services.moderation.suspend(MemberID(cast.ids["Dan"]!), reason: "spam", by: .commandLine("ops"))
            // Every list is longer than this one keeps: each page comes from storage.
            let paged = NetworkService(storage: services.storage, graph: services.graph, clock: services.clock, connectionLists: ConnectionLists(longestKept: 0))
            let ann = MemberID(cast.ids["Ann"]!)
            func pages(_ service: NetworkService, viewer: String, limit: Int) async throws -> [[String]] {
                var all: [[String]] = []
                var cursor: String?
                repeat {
                    let page = try await service.connections(
                        of: ann, viewer: MemberID(cast.ids[viewer]!), query: nil, sort: .recent, cursor: cursor, limit: limit)
                    all.append(page.entries.map(\.person.card.name))
                    cursor = page.nextCursor
                } while cursor != nil && all.count < 20
                return all
            }
            for hidden in [false, true] {
                if hidden {
                    _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Ann"], json: ["connectionsVisibility": "onlyMe"])
                }
                for viewer in ["Ann", "Ben", "Cat"] {
                    for limit in 1...8 {
                        let fromStorage = try await pages(paged, viewer: viewer, limit: limit)
                        #expect(fromStorage == (try await pages(services.network, viewer: viewer, limit: limit)), "\(viewer) \(limit) hidden \(hidden)")
                        #expect(!fromStorage.joined().contains("Dan"))
                    }
                }
            }
            // Spot checks of what both give, Ann's list hidden: Ben sees the connections the two share (not Fay, whom
            // he blocked, nor Dan, suspended); Ann sees all of hers but Dan.
            #expect(try await pages(paged, viewer: "Ben", limit: 10) == [["Gus", "Eve", "Cat"]])
            #expect(try await pages(paged, viewer: "Ann", limit: 3) == [["Hal", "Gus", "Fay"], ["Eve", "Cat", "Ben"]])
        }
    }

    /// A profile page names a few mutual connections and a few who can introduce: the first of all of them, whichever
    /// are blocked, suspended or hide their list, and the mutual connections by name.
    @Test func aFewPeopleAreTheFirstOfAllOfThem() async throws {
        try await withApp { client, services in
            let between = ["Wat", "Mia", "Ito", "Bea", "Ola", "Yam", "Cy", "Kai", "Abe", "Eli", "Ivo", "Uma"]
            let cast = try await Cast.make(client, ["Ann", "Zed", "Yan"] + between)
            // Names in both scripts: the order by name is Swift's, as the page's was.
            let shownAs = ["Wat": "渡辺 健", "Ito": "伊藤 蓮", "Yam": "山田 葵", "Abe": "阿部 陽"]
            for (name, japanese) in shownAs {
                let renamed = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens[name], json: ["name": japanese])
                #expect(renamed.status == .ok)
            }
            for name in between {
                try await cast.connect(client, "Ann", name)
                try await cast.connect(client, name, "Zed")
            }
            try await cast.connect(client, "Zed", "Yan")
            // Connections of Ann's who know each other: counts for the page to leave out.
            try await cast.connect(client, "Eli", "Ivo")
            try await cast.connect(client, "Eli", "Uma")
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Mia"]!)/block", token: cast.tokens["Ann"]).status == .noContent)
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Ola"]).status == .noContent)
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Kai"], json: ["connectionsVisibility": "onlyMe"])
            // Another instance's graph, not yet caught up with the suspensions below: it still names the two, whose
            // cards are gone, so its first few must be read past them.
            let lagging = NetworkService(
                storage: services.storage, graph: MemberGraph(snapshot: try await services.storage.networkSnapshot()), clock: services.clock)
            try await services.moderation.suspend(MemberID(cast.ids["Ito"]!), reason: "spam", by: .commandLine("ops"))
            try await services.moderation.suspend(MemberID(cast.ids["Bea"]!), reason: "spam", by: .commandLine("ops"))
            let ann = MemberID(cast.ids["Ann"]!)
            for target in ["Zed", "Yan"] {
                let member = MemberID(cast.ids[target]!)
                let mutual = try await services.network.mutualConnections(with: member, viewer: ann).map(\.card.name)
                let via = try await services.network.paths(to: member, viewer: ann).via.map(\.card.name)
                #expect(mutual == mutual.sorted())
                if target == "Zed" {
                    #expect(Set(mutual) == Set(between.map { shownAs[$0] ?? $0 }).subtracting(["Mia", "Ola", "伊藤 蓮", "Bea", "Kai"]))
                    #expect(Set(via) == Set(mutual))
                } else {
                    // Two steps away: Kai, who hides their list, leads there without naming Zed.
                    #expect(mutual.isEmpty && via.count == 8 && via.contains("Kai"), "\(via)")
                }
                for network in [services.network, lagging] {
                    #expect(try await network.mutualConnections(with: member, viewer: ann).map(\.card.name) == mutual)
                    #expect(try await network.paths(to: member, viewer: ann).via.map(\.card.name) == via)
                    for limit in 0...via.count + 1 {
                        let few = try await network.mutualConnections(with: member, viewer: ann, limit: limit).map(\.card.name)
                        #expect(few == Array(mutual.prefix(limit)), "\(target) \(limit)")
                        let fewVia = try await network.paths(to: member, viewer: ann, limit: limit).via.map(\.card.name)
                        #expect(fewVia == Array(via.prefix(limit)), "\(target) \(limit)")
                    }
                    // As the page asks: the same people and degrees, no count.
                    let counted = try await network.mutualConnections(with: member, viewer: ann) + network.paths(to: member, viewer: ann).via
                    let uncounted =
                        try await network.mutualConnections(with: member, viewer: ann, counted: false)
                        + network.paths(to: member, viewer: ann, counted: false).via
                    #expect(uncounted.map(\.card) == counted.map(\.card) && uncounted.map(\.degree) == counted.map(\.degree))
                    #expect(uncounted.allSatisfy { $0.mutualConnectionCount == 0 } && counted.contains { $0.mutualConnectionCount > 0 })
                }
            }
            // Anyone who is not the viewer's connection is asked the graph's distance: the same degrees either way.
            let everyone = ["Ann", "Zed", "Yan"] + between
            let ids = everyone.map { MemberID(cast.ids[$0]!) }
            let degrees = try await services.network.summaries(ids, for: .member(ann, .member)).map(\.degree)
            #expect(try await services.network.summaries(ids, for: .member(ann, .member), counted: false).map(\.degree) == degrees)
            #expect(Set(degrees) == [.oneself, .first, .second, .third], "\(degrees)")
            // And a profile's own summary, as the page asks it.
            var shown = 0
            for name in everyone {
                // Those blocked either way or suspended are not found.
                guard let profile = try? await services.profiles.view(cast.ids[name]!, by: .member(ann, .member)).profile else { continue }
                shown += 1
                let counted = services.network.summary(of: profile, for: .member(ann, .member))
                let uncounted = services.network.summary(of: profile, for: .member(ann, .member), counted: false)
                #expect(uncounted.degree == counted.degree && uncounted.card == counted.card && uncounted.mutualConnectionCount == 0, "\(name)")
            }
            #expect(shown == everyone.count - 4)
        }
    }

    /// Each suggestion carries its own reasons when some of those ranked are left out: another instance's graph, not yet
    /// caught up with a suspension, still ranks the suspended member, whose card is gone.
    @Test func suggestionsKeepTheirOwnReasonsPastThoseLeftOut() async throws {
        try await withApp { client, services in
            let connectors = ["M1", "M2", "M3", "M4", "M5"]
            let candidates = ["C1", "C2", "C3", "C4", "C5"]
            let cast = try await Cast.make(client, ["Ann"] + connectors + candidates)
            for connector in connectors { try await cast.connect(client, "Ann", connector) }
            // C1 shares one connection with Ann, C5 all five: five ranks, five counts.
            for (index, candidate) in candidates.enumerated() {
                for connector in connectors.prefix(index + 1) { try await cast.connect(client, candidate, connector) }
            }
            let lagging = NetworkService(
                storage: services.storage, graph: MemberGraph(snapshot: try await services.storage.networkSnapshot()), clock: services.clock)
            let ann = MemberID(cast.ids["Ann"]!)
            func counts(_ network: NetworkService) async throws -> [String: [Int?]] {
                let suggestions = try await network.suggestions(for: ann, limit: 10)
                return Dictionary(uniqueKeysWithValues: suggestions.map { ($0.person.card.name, $0.reasons.map(\.count)) })
            }
            #expect(try await counts(lagging) == ["C1": [1], "C2": [2], "C3": [3], "C4": [4], "C5": [5]])
            try await services.moderation.suspend(MemberID(cast.ids["C4"]!), reason: "spam", by: .commandLine("ops"))
            try await services.moderation.suspend(MemberID(cast.ids["C2"]!), reason: "spam", by: .commandLine("ops"))
            for network in [services.network, lagging] {
                #expect(try await counts(network) == ["C1": [1], "C3": [3], "C5": [5]])
            }
        }
    }

    /// Another member's list pages the same way: without those who blocked the viewer, and, when the list is hidden,
    /// through the connections the two share only.
    @Test func anotherMembersListPagesWithoutBlockersAndSharedOnlyWhenHidden() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay"])
            for other in ["Ben", "Cat", "Dan", "Eve", "Fay"] {
                try await cast.connect(client, "Ann", other)
                try await Task.sleep(for: .milliseconds(5))
            }
            for other in ["Cat", "Eve", "Fay"] { try await cast.connect(client, "Ben", other) }
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Eve"]!)/block", token: cast.tokens["Ben"]).status == .noContent)
            func pages(_ viewer: String, limit: Int) async throws -> [[String]] {
                var all: [[String]] = []
                var cursor: String?
                repeat {
                    var path = "/api/v1/members/\(cast.ids["Ann"]!)/connections?limit=\(limit)"
                    if let cursor { path += "&cursor=\(cursor)" }
                    let page = try await client.call(.get, path, token: cast.tokens[viewer])
                    #expect(page.status == .ok)
                    all.append((page.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any])?["name"] as? String })
                    cursor = page.json["nextCursor"] as? String
                } while cursor != nil && all.count < 10
                return all
            }
            // Eve, blocked by Ben, is skipped inside a page; Ben himself is on Ann's list.
            #expect(try await pages("Ben", limit: 2) == [["Fay", "Dan"], ["Cat", "Ben"]])
            #expect(try await pages("Cat", limit: 2) == [["Fay", "Eve"], ["Dan", "Cat"], ["Ben"]])
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Ann"], json: ["connectionsVisibility": "onlyMe"])
            // Hidden: Ben sees only the connections he shares with Ann (Cat and Fay), newest first.
            #expect(try await pages("Ben", limit: 1) == [["Fay"], ["Cat"]])
        }
    }

    /// Reading suggestions is capped per member and hour (against harvesting the graph through them); the cap is one
    /// of the network limits, which a load test relaxes.
    @Test func suggestionReadsAreCappedPerMember() async throws {
        try await withApp(networkLimits: NetworkLimits(suggestionReadsPerHour: 3)) { client, _ in
            let cast = try await chain(client)
            for _ in 0..<3 {
                #expect(try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"]).status == .ok)
            }
            let refused = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])
            #expect(refused.status == .tooManyRequests && refused.text.contains("rate_limited"))
            // Another member has their own allowance.
            #expect(try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ben"]).status == .ok)
        }
        #expect(NetworkLimits.standard.suggestionReadsPerHour == 600)
    }

    @Test func suggestionsWithReasonsAndDismissal() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            for name in ["Ann", "Eve"] {
                _ = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": "株式会社さくら", "title": "営業", "startMonth": "2019-01"])
            }
            let list = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])
            let items = list.json["items"] as? [[String: Any]] ?? []
            func reasons(_ name: String) -> [String] {
                let item = items.first { ($0["member"] as? [String: Any])?["name"] as? String == name }
                return (item?["reasons"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            }
            #expect(reasons("Cat") == ["mutualConnections"])
            #expect(reasons("Eve") == ["sameCompany"])
            #expect(reasons("Ben").isEmpty && reasons("Ann").isEmpty)
            #expect(try await client.call(.delete, "/api/v1/network/suggestions/\(cast.ids["Cat"]!)", token: cast.tokens["Ann"]).status == .noContent)
            let after = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])
            #expect(!names(after).contains("Cat"))
            // An open invitation also removes a suggestion.
            _ = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Eve"]!])
            #expect(!names(try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])).contains("Eve"))
        }
    }

    /// People you may know are ranked once while nothing they come from changes, and again after each change that
    /// could move them: the answers are always those of a service that keeps nothing.
    @Test func suggestionsAreRankedAgainAfterEveryChangeTheyComeFrom() async throws {
        try await withApp { client, services in
            let cast = try await chain(client)
            let extra = try await Cast.make(client, ["Fay", "Gus"])
            let ids = cast.ids.merging(extra.ids) { a, _ in a }
            let tokens = cast.tokens.merging(extra.tokens) { a, _ in a }
            try await cast.connect(client, "Ben", "Eve")
            _ = try await client.call(.post, "/api/v1/me/positions", token: tokens["Ann"], json: ["company": "株式会社さくら", "title": "営業", "startMonth": "2019-01"])
            let rankings = SuggestionRankings()
            let kept = NetworkService(storage: services.storage, graph: services.graph, clock: services.clock, suggestionRankings: rankings)
            let ann = MemberID(ids["Ann"]!)
            func answer(_ service: NetworkService) async throws -> [String] {
                try await service.suggestions(for: ann, limit: 20).map { suggestion in
                    let person = suggestion.person
                    return "\(person.card.name) \(person.degree.rawValue) \(person.mutualConnectionCount): "
                        + suggestion.reasons.map { "\($0.kind.rawValue) \($0.count ?? 0)" }.joined(separator: ", ")
                }
            }
            func check(_ step: String, ranked: Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
                let before = rankings.rankingsMade
                let got = try await answer(kept)
                let fresh = try await answer(NetworkService(storage: services.storage, graph: services.graph, clock: services.clock))
                #expect(got == fresh, "\(step)", sourceLocation: sourceLocation)
                #expect(rankings.rankingsMade == before + (ranked ? 1 : 0), "\(step)", sourceLocation: sourceLocation)
                return got
            }
            #expect(try await check("first", ranked: true).count == 2)  // Cat and Eve, through Ben
            _ = try await check("again", ranked: false)
            // A change elsewhere in the network leaves the ranking as it was.
            try await cast.connect(client, "Dan", "Eve")
            _ = try await check("far away", ranked: false)
            // A new connection of a connection's: a new mutual connection.
            try await Cast(tokens: tokens, ids: ids).connect(client, "Ben", "Fay")
            #expect(try await check("Ben–Fay", ranked: true).contains { $0.hasPrefix("Fay 2 1: mutualConnections 1") })
            #expect(try await client.call(.put, "/api/v1/members/\(ids["Cat"]!)/block", token: tokens["Ann"]).status == .noContent)
            #expect(!(try await check("block", ranked: true)).contains { $0.hasPrefix("Cat ") })
            #expect(try await client.call(.delete, "/api/v1/network/suggestions/\(ids["Eve"]!)", token: tokens["Ann"]).status == .noContent)
            #expect(!(try await check("dismissal", ranked: true)).contains { $0.hasPrefix("Eve ") })
            // Someone who worked at the same company, at the same time.
            _ = try await client.call(.post, "/api/v1/me/positions", token: tokens["Gus"], json: ["company": "株式会社さくら", "title": "経理", "startMonth": "2020-04"])
            #expect(try await check("colleague", ranked: true).contains { $0.hasPrefix("Gus 4 0: sameCompany") })
            // Gus comes within three steps, through Eve: beyond the neighbourhood the ranking is kept for, so it is
            // given again, with Gus's new degree.
            try await Cast(tokens: tokens, ids: ids).connect(client, "Eve", "Gus")
            #expect(try await check("Eve–Gus", ranked: false).contains { $0.hasPrefix("Gus 3 0: sameCompany") })
            _ = try await client.call(.post, "/api/v1/invitations", token: tokens["Ann"], json: ["inviteeId": ids["Gus"]!])
            #expect(!(try await check("invitation", ranked: true)).contains { $0.hasPrefix("Gus ") })
            // Ben hides his list: no one is suggested through him any more.
            _ = try await client.call(.patch, "/api/v1/me/settings", token: tokens["Ben"], json: ["connectionsVisibility": "onlyMe"])
            #expect(try await check("hidden list", ranked: true).isEmpty)
            _ = try await check("again", ranked: false)
        }
    }

    @Test func introductionsAreSeenByTheThreeOnly() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            let notVia = try await client.call(.post, "/api/v1/introductions", token: cast.tokens["Ann"], json: ["targetId": cast.ids["Cat"]!, "viaId": cast.ids["Dan"]!, "message": "Hello"])
            #expect(notVia.status == .notFound || notVia.status == .unprocessableContent)
            let asked = try await client.call(.post, "/api/v1/introductions", token: cast.tokens["Ann"], json: ["targetId": cast.ids["Cat"]!, "viaId": cast.ids["Ben"]!, "message": "営業の件でご紹介いただけますか"])
            #expect(asked.status == .created, "\(asked.text)")
            let id = asked.json["id"] as? String ?? ""
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Ben"]).json["items"] as? [Any])?.count == 1)
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Cat"]).json["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Eve"]).json["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.post, "/api/v1/introductions/\(id)/forward", token: cast.tokens["Eve"], json: [:]).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/introductions/\(id)/forward", token: cast.tokens["Ann"], json: [:]).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/introductions/\(id)/forward", token: cast.tokens["Ben"], json: ["note": "Ann is great"]).status == .noContent)
            let target = try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Cat"])
            #expect((target.json["items"] as? [[String: Any]])?.first?["forwardNote"] as? String == "Ann is great")
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Ann"]).json["items"] as? [[String: Any]])?.first?["status"] as? String == "forwarded")
            #expect(try await client.call(.post, "/api/v1/introductions/\(id)/decline", token: cast.tokens["Ben"]).status == .conflict)
        }
    }

    @Test func aBlockStopsAPendingIntroduction() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            let asked = try await client.call(.post, "/api/v1/introductions", token: cast.tokens["Ann"], json: ["targetId": cast.ids["Cat"]!, "viaId": cast.ids["Ben"]!, "message": "hi"])
            let id = asked.json["id"] as? String ?? ""
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Ann"]!)/block", token: cast.tokens["Cat"]).status == .noContent)
            let forward = try await client.call(.post, "/api/v1/introductions/\(id)/forward", token: cast.tokens["Ben"], json: ["note": "fwd"])
            #expect(forward.status == .conflict)
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Cat"]).json["items"] as? [Any])?.isEmpty == true)
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Ann"]).json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aDeclinedIntroductionStaysPendingForTheRequester() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            let asked = try await client.call(.post, "/api/v1/introductions", token: cast.tokens["Ann"], json: ["targetId": cast.ids["Cat"]!, "viaId": cast.ids["Ben"]!, "message": "Please"])
            let id = asked.json["id"] as? String ?? ""
            #expect(try await client.call(.post, "/api/v1/introductions/\(id)/decline", token: cast.tokens["Ben"]).status == .noContent)
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Ann"]).json["items"] as? [[String: Any]])?.first?["status"] as? String == "pending")
            #expect((try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Cat"]).json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func peopleAtACompanyAndFormerColleagues() async throws {
        try await withApp { client, _ in
            let cast = try await chain(client)
            // Cat and Dan work at みらい商事 now; Ann and Dan worked together at 旭電機 in 2015–2017.
            var company = ""
            for name in ["Cat", "Dan"] {
                let reply = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": "みらい商事株式会社", "title": "Engineer", "startMonth": "2020-01"])
                company = (reply.json["company"] as? [String: Any])?["id"] as? String ?? ""
            }
            _ = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens["Ann"], json: ["company": "旭電機", "title": "Sales", "startMonth": "2014-04", "endMonth": "2016-03"])
            _ = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens["Dan"], json: ["company": "(株)旭電機", "title": "Sales", "startMonth": "2015-04", "endMonth": "2017-03"])
            let people = try await client.call(.get, "/api/v1/companies/\(company)/people", token: cast.tokens["Ann"])
            let items = people.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { ($0["member"] as? [String: Any])?["name"] as? String } == ["Cat", "Dan"])
            #expect(items.compactMap { ($0["member"] as? [String: Any])?["degree"] as? Int } == [2, 3])
            #expect(items.map { ($0["via"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } } == [["Ben"], ["Ben"]])
            let onlySecond = try await client.call(.get, "/api/v1/companies/\(company)/people?degree=2", token: cast.tokens["Ann"])
            #expect(names(onlySecond) == ["Cat"])
            let former = try await client.call(.get, "/api/v1/companies/\(company)/former-colleagues", token: cast.tokens["Ann"])
            let entry = (former.json["items"] as? [[String: Any]])?.first
            #expect((entry?["member"] as? [String: Any])?["name"] as? String == "Dan")
            let shared = entry?["shared"] as? [[String: Any]] ?? []
            #expect(shared.first?["overlap"] as? Bool == true)
            #expect((shared.first?["company"] as? [String: Any])?["name"] as? String == "旭電機")
            #expect(try await client.call(.get, "/api/v1/companies/\(company)/people?degree=7", token: cast.tokens["Ann"]).status == .badRequest)
            let list = try await client.call(.get, "/api/v1/companies?q=みらい", token: cast.tokens["Ann"])
            #expect((list.json["items"] as? [[String: Any]])?.first?["memberCount"] as? Int == 2)
            // At most 100 characters as sent, white space included (the API document's maxLength).
            // A cursor is at most 512 characters as the document counts them (Unicode scalars, not bytes).
            let cursor = String(repeating: "み", count: 512)
            #expect(try await client.call(.get, "/api/v1/invitations?cursor=\(cursor)", token: cast.tokens["Ann"]).status == .ok)
            #expect(try await client.call(.get, "/api/v1/invitations?cursor=\(cursor)み", token: cast.tokens["Ann"]).status == .badRequest)
            let long = String(repeating: "み", count: 100)
            #expect(try await client.call(.get, "/api/v1/companies?q=\(long)", token: cast.tokens["Ann"]).status == .ok)
            #expect(try await client.call(.get, "/api/v1/companies?q=\(long)%20", token: cast.tokens["Ann"]).status == .unprocessableContent)
        }
    }
}

@Suite struct NetworkPageTests {
    /// Logs a browser in as a member made through the API.
    @Test func profilePagesShowDegreesMutualsAndPathsAndHideBlockers() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat", "Dan"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cat")
            try await cast.connect(client, "Cat", "Dan")
            let ann = try await Browser.logIn(client, "Ann")
            let cat = try await ann.get("/in/\(cast.handles["Cat"]!)")
            #expect(cat.status == .ok)
            #expect(cat.text.contains("class=\"degree degree-2\""))
            #expect(cat.text.contains("id=\"mutual-connections\""))
            #expect(cat.text.contains("/introductions/new?target=\(cast.ids["Cat"]!)&amp;via=\(cast.ids["Ben"]!)"))
            let dan = try await ann.get("/in/\(cast.handles["Dan"]!)")
            #expect(dan.text.contains("degree-3"))
            // The path to a third-degree member names Ben, never Cat.
            let paths = dan.text.components(separatedBy: "id=\"paths\"").last ?? ""
            #expect(paths.contains("Ben") && !paths.contains(">Cat<"))

            // Blocked: Ben's pages about Ann are gone.
            _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Ben"]!)/block", token: cast.tokens["Ann"])
            let ben = try await Browser.logIn(client, "Ben")
            #expect(try await ben.get("/in/\(cast.handles["Ann"]!)").status == .notFound)
            #expect(try await ben.get("/in/\(cast.handles["Ann"]!)/connections").status == .notFound)
            let network = try await ben.get("/network")
            #expect(!network.text.contains(cast.ids["Ann"]!))
        }
    }

    @Test func myNetworkAcceptsThroughForms() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let ann = try await Browser.logIn(client, "Ann")
            let invite = try await ann.post("/network/invite/\(cast.ids["Ben"]!)", ["message": "先日はありがとうございました", "next": "/in/\(cast.handles["Ben"]!)"])
            #expect(invite.status == .seeOther)
            #expect(try await ann.get("/in/\(cast.handles["Ben"]!)").text.contains("id=\"pending-badge\""))
            let ben = try await Browser.logIn(client, "Ben")
            let page = try await ben.get("/network")
            #expect(page.text.contains("先日はありがとうございました"))
            let invitationID = page.text.components(separatedBy: "/network/invitations/").dropFirst().first?.prefix(26) ?? ""
            #expect(try await ben.post("/network/invitations/\(invitationID)/accept", ["next": "/network"]).status == .seeOther)
            #expect(try await cast.degree(client, "Ben", of: "Ann") == 1)
            let connections = try await ben.get("/network/connections")
            #expect(connections.text.contains(">Ann<"))
            // The filter's button and order are named in the page's language, in words.
            for (language, search, order) in [("ja", "検索", "並び順"), ("en", "Search", "Sort by")] {
                let page = try await Browser.logIn(client, "Ben", language: language).get("/network/connections")
                #expect(page.text.contains("<button type=\"submit\" class=\"button small\">\(search)</button></form>"), "\(language)")
                #expect(page.text.contains("<select name=\"sort\" aria-label=\"\(order)\">"), "\(language)")
            }
            // Removing leaves Ann no trace on Ben's side and Ben none on Ann's.
            #expect(try await ann.post("/network/connections/\(cast.ids["Ben"]!)/remove", ["next": "/network"]).status == .seeOther)
            #expect(!(try await ben.get("/network/connections")).text.contains(">Ann<"))
            #expect(!(try await ben.get("/in/\(cast.handles["Ann"]!)")).text.contains("degree-1"))
        }
    }

    @Test func companyPageListsPeopleByDegree() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cat")
            var company = ""
            for name in ["Ben", "Cat"] {
                let reply = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": "株式会社あおぞら", "title": "営業", "startMonth": "2021-04"])
                company = (reply.json["company"] as? [String: Any])?["id"] as? String ?? ""
            }
            let ann = try await Browser.logIn(client, "Ann")
            let page = try await ann.get("/companies/\(company)")
            #expect(page.status == .ok)
            let known = page.text.components(separatedBy: "id=\"people-you-know\"").last?.components(separatedBy: "id=\"reach-others\"").first ?? ""
            let reach = page.text.components(separatedBy: "id=\"reach-others\"").last?.components(separatedBy: "id=\"former-colleagues\"").first ?? ""
            #expect(known.contains(">Ben<") && !known.contains(">Cat<"))
            #expect(reach.contains(">Cat<") && reach.contains("degree-2"))
            #expect(try await Browser(client).get("/companies/\(company)").status == .seeOther)  // logged out: log in first
        }
    }
}

/// PRODUCT.md's privacy rules as one table: for each relationship of the viewer to Owen and each of
/// Owen's settings, what every endpoint that shows people reveals about Owen and his connections.
@Suite struct NetworkPrivacyTableTests {
    enum Relationship: String, CaseIterable {
        case oneself, connection, secondDegree, stranger, blockedByOwner, blockerOfOwner
    }

    struct Row: Sendable, CustomStringConvertible {
        let relationship: Relationship
        let listHidden: Bool
        var description: String { "\(relationship.rawValue), list \(listHidden ? "onlyMe" : "connections")" }
    }

    static let rows: [Row] = Relationship.allCases.flatMap { r in [false, true].map { Row(relationship: r, listHidden: $0) } }

    /// Owen is connected to Pat and Sam. The viewer Vic stands to Owen as the row says; Vic is always
    /// connected to Pat, so Pat is shared whenever Vic and Owen are not blocked.
    @Test(arguments: rows)
    func whatEachEndpointReveals(_ row: Row) async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Owen", "Pat", "Sam", "Vic", "Zed"])
            try await cast.connect(client, "Owen", "Pat")
            try await cast.connect(client, "Owen", "Sam")
            let viewer = row.relationship == .oneself ? "Owen" : "Vic"
            if viewer == "Vic" { try await cast.connect(client, "Vic", "Pat") }
            switch row.relationship {
            case .connection: try await cast.connect(client, "Vic", "Owen")
            case .stranger:
                // Vic's only tie is to Zed: Owen is beyond reach.
                _ = try await client.call(.delete, "/api/v1/connections/\(cast.ids["Pat"]!)", token: cast.tokens["Vic"])
                try await cast.connect(client, "Vic", "Zed")
            case .blockedByOwner: _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Vic"]!)/block", token: cast.tokens["Owen"])
            case .blockerOfOwner: _ = try await client.call(.put, "/api/v1/members/\(cast.ids["Owen"]!)/block", token: cast.tokens["Vic"])
            default: break
            }
            if row.listHidden {
                _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Owen"], json: ["connectionsVisibility": "onlyMe"])
            }
            let token = cast.tokens[viewer]!
            let owen = cast.ids["Owen"]!
            let blocked = row.relationship == .blockedByOwner || row.relationship == .blockerOfOwner

            let profile = try await client.call(.get, "/api/v1/members/\(owen)", token: token)
            #expect(profile.status == (blocked ? .notFound : .ok), "profile")

            let list = try await client.call(.get, "/api/v1/members/\(owen)/connections?sort=name", token: token)
            if blocked {
                #expect(list.status == .notFound, "connections")
            } else {
                let expected: [String]
                switch (row.relationship, row.listHidden) {
                case (.oneself, _): expected = ["Pat", "Sam"]
                case (.connection, false): expected = ["Pat", "Sam", "Vic"]
                case (.stranger, _): expected = []
                default: expected = ["Pat"]  // only what Vic shares with Owen
                }
                #expect(names(list) == expected, "connections")
            }

            let mutual = try await client.call(.get, "/api/v1/members/\(owen)/mutual-connections", token: token)
            if blocked {
                #expect(mutual.status == .notFound, "mutual")
            } else if row.relationship == .oneself || row.relationship == .stranger {
                #expect(names(mutual).isEmpty, "mutual")
            } else {
                #expect(names(mutual) == ["Pat"], "mutual")  // Pat shows his list to connections, Vic among them
            }

            let paths = try await client.call(.get, "/api/v1/network/paths/\(owen)", token: token)
            #expect(paths.status == (blocked ? .notFound : .ok), "paths")
            if row.relationship == .secondDegree { #expect(paths.text.contains(cast.ids["Pat"]!)) }
            #expect(!paths.text.contains(cast.ids["Sam"]!), "a path never names Owen's other connections")

            let suggestions = try await client.call(.get, "/api/v1/network/suggestions", token: token)
            if blocked || row.relationship == .oneself || row.relationship == .connection || row.relationship == .stranger {
                #expect(!suggestions.text.contains(owen), "suggestions")
            } else {
                #expect(suggestions.text.contains(owen), "suggestions")
            }
        }
    }
}

@Suite struct EmploymentPrivacyTests {
    /// Cat shows her profile to connections only: Ann (2nd degree) must not learn where she works or
    /// worked, from company pages, former colleagues or suggestion reasons.
    @Test func aConnectionsOnlyMembersEmployerIsNotNamedToOthers() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cat"])
            try await cast.connect(client, "Ann", "Ben")
            try await cast.connect(client, "Ben", "Cat")
            var company = ""
            for name in ["Ann", "Cat"] {
                let reply = try await client.call(.post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": "株式会社ひかり", "title": "営業", "startMonth": "2019-01"])
                company = (reply.json["company"] as? [String: Any])?["id"] as? String ?? ""
            }
            func visible() async throws -> (people: [String], former: [String], reasons: [String]) {
                let people = names(try await client.call(.get, "/api/v1/companies/\(company)/people", token: cast.tokens["Ann"]))
                let former = names(try await client.call(.get, "/api/v1/companies/\(company)/former-colleagues", token: cast.tokens["Ann"]))
                let suggestions = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])
                let cat = (suggestions.json["items"] as? [[String: Any]] ?? []).first { ($0["member"] as? [String: Any])?["name"] as? String == "Cat" }
                return (people, former, (cat?["reasons"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
            }
            let before = try await visible()
            #expect(before.people == ["Cat"])
            #expect(before.reasons.sorted() == ["mutualConnections", "sameCompany"])
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Cat"], json: ["profileVisibility": "connections"])
            let after = try await visible()
            #expect(after.people.isEmpty)
            #expect(after.former.isEmpty)
            #expect(after.reasons == ["mutualConnections"])
            // Her connection Ben still sees her there.
            #expect(names(try await client.call(.get, "/api/v1/companies/\(company)/people", token: cast.tokens["Ben"])) == ["Ann", "Cat"])
        }
    }
}
