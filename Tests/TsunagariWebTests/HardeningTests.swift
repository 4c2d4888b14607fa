import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariGraph
@testable import TsunagariWeb

/// The statuses of `count` requests sent at once.
func statusesInParallel(
    _ count: Int, _ request: @escaping @Sendable (Int) async throws -> HTTPResponse.Status
) async throws -> [HTTPResponse.Status] {
    try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
        for index in 0..<count { group.addTask { try await request(index) } }
        var all: [HTTPResponse.Status] = []
        for try await status in group { all.append(status) }
        return all
    }
}

/// Side doors a careful outsider would try: each test failed before its fix.
@Suite struct LimitsUnderConcurrencyTests {
    /// Someone fires twenty wrong passwords at once: only the allowance of failures is tried, the rest are refused
    /// with 429, and the owner, from their own address, still logs in.
    @Test func parallelFailedLoginsStopAtTheLimitAndDoNotLockTheOwnerOut() async throws {
        var limits = RateLimits.relaxed
        limits.failedLoginsPerAccount = Throttle(limit: 5, window: 15 * 60)
        try await withApp(limits: limits) { client, services in
            _ = try await client.signUp("Owner", email: "owner@example.test")
            let statuses = try await statusesInParallel(20) { index in
                try await client.call(.post, "/api/v1/sessions", json: ["email": "owner@example.test", "password": "guess number \(index)"]).status
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 15)
            // The owner, from another address, is not locked out by the guesser's failures.
            let owner = try await services.accounts.logIn(
                email: "owner@example.test", password: "correct horse battery", address: "198.51.100.7", kind: .api)
            #expect(owner.profile.name == "Owner")
            // A success from the guesser's own address is still refused until the window passes.
            let refused = try await client.call(.post, "/api/v1/sessions", json: ["email": "owner@example.test", "password": "correct horse battery"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.header("Retry-After").flatMap(Int.init) ?? 0 > 0)
        }
    }

    /// Sign-up attempts count whether or not they succeed, so `email_taken` cannot be asked of unlimited emails.
    @Test func signUpAttemptsCountEvenWhenTheEmailIsTaken() async throws {
        var limits = RateLimits.relaxed
        limits.signupsPerAddress = Throttle(limit: 3, window: 60 * 60)
        try await withApp(limits: limits) { client, _ in
            _ = try await client.signUp("First", email: "taken@example.test")
            var codes: [String?] = []
            for index in 0..<4 {
                let reply = try await client.call(
                    .post, "/api/v1/accounts", json: ["email": "taken@example.test", "password": "correct horse battery", "name": "Probe \(index)"])
                codes.append(reply.errorCode)
            }
            #expect(codes == ["email_taken", "email_taken", "rate_limited", "rate_limited"])
        }
    }

    @Test func parallelInvitationsStopAtTheWeeklyLimit() async throws {
        var networkLimits = NetworkLimits.relaxed
        networkLimits.invitationsPerWeek = 3
        try await withApp(networkLimits: networkLimits) { client, _ in
            let names = ["Sender"] + (1...8).map { "Invitee\($0)" }
            let cast = try await Cast.make(client, names)
            let invitees = Array(names.dropFirst())
            let statuses = try await statusesInParallel(invitees.count) { index in
                try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Sender"], json: ["inviteeId": cast.ids[invitees[index]]!]).status
            }
            #expect(statuses.filter { $0 == .created }.count == 3)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 5)
        }
    }

    @Test func parallelSearchesStopAtTheDailyCap() async throws {
        let searchLimits = SearchLimits(perDay: 4, perMonth: 1_000, typeaheadPerDay: 1_000)
        try await withApp(searchLimits: searchLimits) { client, _ in
            let cast = try await Cast.make(client, ["Recruiter"])
            let statuses = try await statusesInParallel(10) { _ in
                try await client.call(.get, "/api/v1/search/people?q=engineer", token: cast.tokens["Recruiter"]).status
            }
            #expect(statuses.filter { $0 == .ok }.count == 4)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 6)
        }
    }
}

@Suite struct PrivacySideDoorTests {
    /// Asking V for an introduction to T must not tell whether V knows T when V hides their list.
    @Test func anIntroductionAnswersAlikeWhetherOrNotTheConnectionLeadsThere() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Asker", "Veiled", "Target", "Stranger", "Other"])
            try await cast.connect(client, "Asker", "Veiled")
            try await cast.connect(client, "Veiled", "Target")
            try await cast.connect(client, "Stranger", "Other")
            let hidden = try await client.call(
                .patch, "/api/v1/me/settings", token: cast.tokens["Veiled"], json: ["connectionsVisibility": "onlyMe"])
            #expect(hidden.status == .ok)

            // The body is checked first: an empty message is refused alike for both.
            for target in ["Target", "Stranger"] {
                let empty = try await client.call(
                    .post, "/api/v1/introductions", token: cast.tokens["Asker"],
                    json: ["targetId": cast.ids[target]!, "viaId": cast.ids["Veiled"]!, "message": ""])
                #expect(empty.status == .unprocessableContent)
                #expect(empty.errorCode == "required")
            }
            var answers: [String: Reply] = [:]
            for target in ["Target", "Stranger"] {
                answers[target] = try await client.call(
                    .post, "/api/v1/introductions", token: cast.tokens["Asker"],
                    json: ["targetId": cast.ids[target]!, "viaId": cast.ids["Veiled"]!, "message": "お願いします"])
            }
            #expect(answers["Target"]?.status == .created)
            #expect(answers["Stranger"]?.status == answers["Target"]?.status)
            #expect(answers["Stranger"]?.json["status"] as? String == answers["Target"]?.json["status"] as? String)
            #expect(Set((answers["Stranger"]?.json ?? [:]).keys) == Set((answers["Target"]?.json ?? [:]).keys))
            // The requester sees both pending; the intermediary is asked only the possible one.
            let mine = try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Asker"])
            let statuses = (mine.json["items"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
            #expect(statuses == ["pending", "pending"])
            let asked = try await client.call(.get, "/api/v1/introductions", token: cast.tokens["Veiled"])
            #expect((asked.json["items"] as? [[String: Any]])?.count == 1)
        }
    }

    /// A connections-only member shows name and headline to others: not their location, in any list.
    @Test func aConnectionsOnlyMembersLocationStaysOutOfEveryList() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Viewer", "Bridge", "Private"])
            try await cast.connect(client, "Viewer", "Bridge")
            try await cast.connect(client, "Bridge", "Private")
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Private"], json: ["location": "札幌市", "headline": "Designer"])
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Private"], json: ["profileVisibility": "connections"])

            func location(in reply: Reply) -> Any? {
                let items = reply.json["items"] as? [[String: Any]] ?? []
                let card = items.compactMap { ($0["member"] as? [String: Any]) ?? $0 }.first { $0["name"] as? String == "Private" }
                return card?["location"] ?? "absent"
            }
            let lists = [
                "/api/v1/members/\(cast.ids["Bridge"]!)/connections", "/api/v1/network/suggestions",
            ]
            for path in lists {
                let reply = try await client.call(.get, path, token: cast.tokens["Viewer"])
                #expect(reply.status == .ok, "\(path)")
                #expect(reply.text.contains("Private"), "\(path) lists the member")
                #expect(!reply.text.contains("札幌"), "\(path) names the location: \(reply.text)")
                #expect(location(in: reply) is NSNull, "\(path)")
            }
            // An invitation shows the card too.
            let sent = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Private"], json: ["inviteeId": cast.ids["Viewer"]!])
            #expect(sent.status == .created)
            let received = try await client.call(.get, "/api/v1/invitations?direction=received", token: cast.tokens["Viewer"])
            #expect(received.text.contains("Designer"))
            #expect(!received.text.contains("札幌"))
            // A connection sees it.
            let theirs = try await client.call(.get, "/api/v1/members/\(cast.ids["Private"]!)/connections", token: cast.tokens["Bridge"])
            #expect(theirs.status == .ok)
            let bridgeView = try await client.call(.get, "/api/v1/me/connections", token: cast.tokens["Bridge"])
            #expect(bridgeView.text.contains("札幌"))
        }
    }

    /// A new account connected only to V, who hides their list, is not shown V's connections as suggestions (and
    /// dismissing cannot page through them).
    @Test func suggestionsNeverComeThroughAHiddenList() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Newcomer", "Veiled", "Friend1", "Friend2", "Open", "Visible"])
            for friend in ["Friend1", "Friend2"] { try await cast.connect(client, "Veiled", friend) }
            _ = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Veiled"], json: ["connectionsVisibility": "onlyMe"])
            try await cast.connect(client, "Newcomer", "Veiled")
            try await cast.connect(client, "Newcomer", "Open")
            try await cast.connect(client, "Open", "Visible")
            try await cast.connect(client, "Open", "Friend1")

            let reply = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Newcomer"])
            #expect(reply.status == .ok)
            let suggested = Set(names(reply))
            #expect(suggested.contains("Visible"))
            // Friend1 is suggested through Open (whose list is visible), counted once; Friend2 only through Veiled.
            #expect(suggested.contains("Friend1"))
            #expect(!suggested.contains("Friend2"))
            let friend1 = (reply.json["items"] as? [[String: Any]] ?? []).first { ($0["member"] as? [String: Any])?["name"] as? String == "Friend1" }
            let reasons = friend1?["reasons"] as? [[String: Any]] ?? []
            #expect(reasons.first?["count"] as? Int == 1)
        }
    }
}

@Suite struct ProfileBoundsTests {
    @Test func aProfileHoldsAtMostAHundredPositions() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Busy"])
            for index in 0..<TextLimit.positionCount {
                let reply = try await client.call(
                    .post, "/api/v1/me/positions", token: cast.tokens["Busy"],
                    json: ["company": "Company \(index)", "title": "Engineer", "startMonth": "2020-01"])
                #expect(reply.status == .created)
            }
            let over = try await client.call(
                .post, "/api/v1/me/positions", token: cast.tokens["Busy"], json: ["company": "One more", "title": "Engineer", "startMonth": "2020-01"])
            #expect(over.status == .unprocessableContent)
            #expect(over.errorCode == "too_many")
            for index in 0..<TextLimit.educationCount {
                let reply = try await client.call(.post, "/api/v1/me/educations", token: cast.tokens["Busy"], json: ["school": "School \(index)"])
                #expect(reply.status == .created)
            }
            let school = try await client.call(.post, "/api/v1/me/educations", token: cast.tokens["Busy"], json: ["school": "One more"])
            #expect(school.errorCode == "too_many")
        }
    }

    /// One member with many positions does not rename a company for everyone: members count, current ones first.
    @Test func aCompanyIsNamedByItsMembersNotByOneMembersPositions() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Loud", "Quiet1", "Quiet2"])
            var companyID = ""
            for name in ["Quiet1", "Quiet2"] {
                let reply = try await client.call(
                    .post, "/api/v1/me/positions", token: cast.tokens[name], json: ["company": "Acme Inc.", "title": "Engineer", "startMonth": "2021-04"])
                companyID = (reply.json["company"] as? [String: Any])?["id"] as? String ?? ""
            }
            for month in 1...6 {
                let reply = try await client.call(
                    .post, "/api/v1/me/positions", token: cast.tokens["Loud"],
                    json: ["company": "ACME", "title": "Intern \(month)", "startMonth": "2010-0\(month)", "endMonth": "2010-0\(month)"])
                #expect((reply.json["company"] as? [String: Any])?["id"] as? String == companyID)
            }
            let company = try await client.call(.get, "/api/v1/companies/\(companyID)", token: cast.tokens["Quiet1"])
            #expect(company.json["name"] as? String == "Acme Inc.")
        }
    }
}

@Suite struct SmallerHardeningTests {
    /// Two edits of different fields sent at once both stay, and so does a settings change sent with them.
    @Test func concurrentEditsOfDifferentFieldsDoNotLoseEachOther() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Editor"])
            let token = cast.tokens["Editor"]!
            for round in 0..<12 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try await client.call(.patch, "/api/v1/me/profile", token: token, json: ["headline": "Headline \(round)"]) }
                    group.addTask { _ = try await client.call(.patch, "/api/v1/me/profile", token: token, json: ["location": "Place \(round)"]) }
                    group.addTask { _ = try await client.call(.patch, "/api/v1/me/profile", token: token, json: ["industry": "Industry \(round)"]) }
                    group.addTask {
                        _ = try await client.call(
                            .patch, "/api/v1/me/settings", token: token, json: ["profileVisibility": round % 2 == 0 ? "public" : "members"])
                    }
                    try await group.waitForAll()
                }
                let me = try await client.call(.get, "/api/v1/me", token: token)
                let profile = (me.json["profile"] as? [String: Any]) ?? me.json
                #expect(profile["headline"] as? String == "Headline \(round)", "round \(round): \(me.text)")
                #expect(profile["location"] as? String == "Place \(round)", "round \(round)")
                #expect(profile["industry"] as? String == "Industry \(round)", "round \(round)")
            }
        }
    }

    /// Ignoring an invitation does not stop the one who ignored it from inviting the sender later: they connect.
    @Test func whoIgnoredAnInvitationCanInviteTheSenderBack() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let sent = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ann"], json: ["inviteeId": cast.ids["Ben"]!])
            let id = sent.json["id"] as? String ?? ""
            let ignored = try await client.call(.post, "/api/v1/invitations/\(id)/ignore", token: cast.tokens["Ben"])
            #expect(ignored.status == .noContent)
            let back = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Ben"], json: ["inviteeId": cast.ids["Ann"]!])
            #expect(back.status == .ok, "\(back.text)")
            #expect(back.json["status"] as? String == "accepted")
            #expect(try await cast.degree(client, "Ann", of: "Ben") == 1)
        }
    }

    @Test func cursorsAndIdsWithControlCharactersAreRefused() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann"])
            let cursor = try await client.call(.get, "/api/v1/me/connections?cursor=ab%00cd", token: cast.tokens["Ann"])
            #expect(cursor.status == .badRequest)
            #expect(cursor.errorCode == "bad_cursor")
            let member = try await client.call(.get, "/api/v1/members/ab%00cd", token: cast.tokens["Ann"])
            #expect(member.status == .notFound)
            let invitation = try await client.call(.post, "/api/v1/invitations/ab%00cd/accept", token: cast.tokens["Ann"])
            #expect(invitation.status == .notFound)
        }
    }

    /// After logging in, only local paths are followed: no scheme, no `//`, nothing a browser reads as `//`.
    @Test(arguments: [
        ("/network", "/network"), ("/\t/evil.example", nil), ("/\\evil.example", nil), ("//evil.example", nil),
        ("https://evil.example", nil), ("javascript:alert(1)", nil), ("/%0A/evil.example", "/%0A/evil.example"), ("/\u{2028}/x", nil),
    ] as [(String, String?)])
    func theNextPathAfterLoggingInStaysOnTheSite(_ next: String, _ expected: String?) async throws {
        try await withApp { client, _ in
            let member = try await client.signUp("Taro", email: "taro@example.test")
            let browser = Browser(client)
            let reply = try await browser.post("/login", ["email": "taro@example.test", "password": "correct horse battery", "next": next])
            #expect(reply.status == .seeOther)
            #expect(reply.header("Location") == (expected ?? "/in/\(member.handle)"))
        }
    }

    /// The CSRF token of a logged-in page belongs to its session: another session's token is refused, and logging
    /// in gives a new one.
    @Test func theCSRFTokenIsBoundToTheSessionAndRotatedAtLogin() async throws {
        try await withApp { client, _ in
            _ = try await client.signUp("Ann", email: "ann@example.test")
            _ = try await client.signUp("Ben", email: "ben@example.test")
            let ann = Browser(client)
            let before = try await ann.csrfToken()
            let login = try await ann.post("/login", ["email": "ann@example.test", "password": "correct horse battery"])
            #expect(login.status == .seeOther)
            let annToken = try #require(try await ann.csrfToken())
            #expect(annToken != before)

            let ben = Browser(client)
            _ = try await ben.post("/login", ["email": "ben@example.test", "password": "correct horse battery"])
            let benToken = try #require(try await ben.csrfToken())
            #expect(benToken != annToken)
            // Ann's own token works for Ann; Ben's page token in Ann's browser does not.
            let stolen = try await ann.post("/language", ["locale": "ja", "_csrf": benToken], csrf: false)
            #expect(stolen.status == .forbidden)
            let own = try await ann.post("/language", ["locale": "ja", "_csrf": annToken], csrf: false)
            #expect(own.status == .seeOther)
        }
    }
}

@Suite struct TrustedProxyTests {
    @Test func theClientIsTheRightMostAddressNotWrittenByATrustedProxy() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 192.0.2.10, fd00::/8")
        // The client wrote a fake first entry; the proxy appended what it saw.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 203.0.113.9"]) == "203.0.113.9")
        // Two proxies in a row.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 203.0.113.9, 192.0.2.10"]) == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["6.6.6.6", "203.0.113.9"]) == "203.0.113.9")
        // A peer that is not a trusted proxy is the client, whatever it writes.
        #expect(proxies.clientAddress(peer: "203.0.113.50", forwardedFor: ["10.0.0.1"]) == "203.0.113.50")
        // Garbage ends the walk; IPv6 and IPv4-mapped addresses are understood.
        #expect(proxies.clientAddress(peer: "10.0.0.1", forwardedFor: ["1.1.1.1, not-an-address, 10.9.9.9"]) == "10.9.9.9")
        #expect(proxies.clientAddress(peer: "fd00::1", forwardedFor: ["2001:db8::5"]) == "2001:db8::5")
        #expect(proxies.contains("::ffff:10.2.3.4"))
        #expect(!proxies.contains("11.0.0.1"))
        #expect(proxies.forwardedHTTPS(peer: "10.0.0.1", forwardedProto: "https"))
        #expect(!proxies.forwardedHTTPS(peer: "203.0.113.50", forwardedProto: "https"))
        #expect(throws: TrustedProxies.Invalid.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: TrustedProxies.Invalid.self) { try TrustedProxies(parsing: "example.com") }
    }

    @Test func configurationReadsTrustedProxies() throws {
        let config = try AppConfiguration.resolve(flags: ["--trust-proxy": "true", "--trusted-proxies": "172.16.0.0/12"], environment: [:])
        #expect(config.trustedProxies.contains("172.20.1.1"))
        #expect(!config.trustedProxies.contains("127.0.0.1"))
        #expect(throws: AppConfiguration.Invalid.self) { try AppConfiguration.resolve(flags: ["--trusted-proxies": "nonsense"], environment: [:]) }
    }
}

/// A change log whose numbers commit out of order, as PostgreSQL's do under concurrent transactions.
final class ScriptedGraphLog: GraphChangeSource, @unchecked Sendable {
    private let lock = NSLock()
    var committed: [GraphChange] = []
    var connected: Set<String> = []

    func commit(_ change: GraphChange, connectedNow: Bool) {
        lock.withLock {
            committed.append(change)
            let key = [change.a.rawValue, change.b?.rawValue ?? ""].sorted().joined(separator: "|")
            if connectedNow { connected.insert(key) } else { connected.remove(key) }
        }
    }

    func graphChanges(after sequence: Int64, limit: Int) async throws -> [GraphChange] {
        lock.withLock { Array(committed.filter { $0.sequence > sequence }.sorted { $0.sequence < $1.sequence }.prefix(limit)) }
    }

    func graphChanges(sequences: [Int64]) async throws -> [GraphChange] {
        lock.withLock { committed.filter { sequences.contains($0.sequence) } }
    }

    func connectedAt(_ a: MemberID, _ b: MemberID) async throws -> Date? {
        lock.withLock { connected.contains([a.rawValue, b.rawValue].sorted().joined(separator: "|")) ? Date() : nil }
    }

    func hidesList(_ member: MemberID) async throws -> Bool? { false }

    var suspendedMembers: Set<MemberID> = []
    func suspended(_ member: MemberID) async throws -> Bool? { lock.withLock { suspendedMembers.contains(member) } }

    func storedConnections(of member: MemberID) async throws -> [MemberID] {
        lock.withLock {
            connected.compactMap { key -> MemberID? in
                let ends = key.split(separator: "|").map(String.init)
                guard ends.count == 2, ends.contains(member.rawValue) else { return nil }
                return MemberID(ends[0] == member.rawValue ? ends[1] : ends[0])
            }
        }
    }

    /// Connected members follow each other, as storage makes them.
    func follows(_ follower: MemberID, _ followee: MemberID) async throws -> Bool {
        try await connectedAt(follower, followee) != nil
    }
}

@Suite struct GraphCatchUpGapTests {
    /// A removal whose transaction commits after the gap before it was given up on still reaches this instance: a
    /// removed connection does not stay alive here.
    @Test func aRemovalCommittedAfterItsGapWasPassedIsStillApplied() async throws {
        let graph = MemberGraph()
        let (a, b, c, d) = (MemberID("member-a"), MemberID("member-b"), MemberID("member-c"), MemberID("member-d"))
        let log = ScriptedGraphLog()
        var cursor = ChangeLogCursor()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        log.commit(GraphChange(sequence: 1, kind: .connected, a: a, b: b), connectedNow: true)
        try await GraphCatchUp.step(&cursor, source: log, graph: graph, now: t0)
        #expect(graph.areConnected(a, b))

        // Change 2 (A and B part) is written but not committed; 3 (C and D connect) commits first.
        log.commit(GraphChange(sequence: 3, kind: .connected, a: c, b: d), connectedNow: true)
        try await GraphCatchUp.step(&cursor, source: log, graph: graph, now: t0.addingTimeInterval(1))
        #expect(!graph.areConnected(c, d))  // waiting for 2
        try await GraphCatchUp.step(&cursor, source: log, graph: graph, now: t0.addingTimeInterval(3.5))
        #expect(graph.areConnected(c, d))  // 2 given up on

        // Now 2 commits.
        log.commit(GraphChange(sequence: 2, kind: .disconnected, a: a, b: b), connectedNow: false)
        try await GraphCatchUp.step(&cursor, source: log, graph: graph, now: t0.addingTimeInterval(5))
        #expect(!graph.areConnected(a, b))
        #expect(cursor.lateSequences(now: t0.addingTimeInterval(6)).isEmpty)
    }

    /// A suspension and a restore made through another instance reach this one from the log; a suspension replayed after
    /// the restore committed is applied as storage has it now, so the member is not cut off again.
    @Test func suspensionsAndRestoresArriveFromTheLogAsStoredNow() async throws {
        let graph = MemberGraph()
        let (a, b, c) = (MemberID("member-a"), MemberID("member-b"), MemberID("member-c"))
        let log = ScriptedGraphLog()
        var cursor = ChangeLogCursor()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        log.commit(GraphChange(sequence: 1, kind: .connected, a: a, b: b), connectedNow: true)
        log.commit(GraphChange(sequence: 2, kind: .connected, a: a, b: c), connectedNow: true)
        log.suspendedMembers = [a]
        log.commit(GraphChange(sequence: 3, kind: .memberSuspended, a: a, b: nil), connectedNow: false)
        try await GraphCatchUp.step(&cursor, source: log, graph: graph, now: t0)
        #expect(graph.isSuspended(a) && graph.connections(of: a).isEmpty && !graph.areConnected(a, b))

        log.suspendedMembers = []
        log.commit(GraphChange(sequence: 4, kind: .memberRestored, a: a, b: nil), connectedNow: false)
        try await GraphCatchUp.step(&cursor, source: log, graph: graph, now: t0.addingTimeInterval(1))
        #expect(!graph.isSuspended(a) && Set(graph.connections(of: a)) == [b, c])

        // An instance that reads the whole log only now sees the member restored, never suspended at the end.
        let late = MemberGraph()
        var fresh = ChangeLogCursor()
        try await GraphCatchUp.step(&fresh, source: log, graph: late, now: t0.addingTimeInterval(2))
        #expect(!late.isSuspended(a) && Set(late.connections(of: a)) == [b, c])
    }
}

@Suite struct SectionVisibilityHTTPTests {
    /// Positions shown to connections only: a connection sees them, another member does not — not on the profile,
    /// not on the company page, not through a search by the company's name — while skills shown to everyone are.
    @Test func eachSectionIsShownOnlyToWhomItsSettingAllowsInEveryAnswer() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Private", "Colleague", "Outsider"])
            try await cast.connect(client, "Private", "Colleague")
            let position = try await client.call(
                .post, "/api/v1/me/positions", token: cast.tokens["Private"],
                json: ["company": "秘密商事株式会社", "title": "Strategist", "startMonth": "2021-04"])
            let companyID = (position.json["company"] as? [String: Any])?["id"] as? String ?? ""
            _ = try await client.call(.put, "/api/v1/me/skills", token: cast.tokens["Private"], json: ["skills": ["Kubernetes"]])
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Private"], json: ["about": "Ask me about growth"])
            let settings = try await client.call(
                .patch, "/api/v1/me/settings", token: cast.tokens["Private"],
                json: ["sectionVisibility": ["positions": "connections", "about": "onlyMe"]])
            #expect(settings.status == .ok, "\(settings.text)")
            let sections = settings.json["sectionVisibility"] as? [String: String]
            #expect(sections?["positions"] == "connections" && sections?["about"] == "onlyMe" && sections?["skills"] == "everyone")

            let id = cast.ids["Private"]!
            let own = try await client.call(.get, "/api/v1/me", token: cast.tokens["Private"])
            #expect(own.text.contains("Strategist") && own.text.contains("Ask me about growth"))
            let byConnection = try await client.call(.get, "/api/v1/members/\(id)", token: cast.tokens["Colleague"])
            #expect(byConnection.text.contains("Strategist"))
            #expect(!byConnection.text.contains("Ask me about growth"))
            let byOutsider = try await client.call(.get, "/api/v1/members/\(id)", token: cast.tokens["Outsider"])
            #expect(byOutsider.status == .ok)
            #expect(!byOutsider.text.contains("Strategist") && !byOutsider.text.contains("秘密商事"))
            #expect(!byOutsider.text.contains("Ask me about growth"))
            #expect(byOutsider.text.contains("Kubernetes"))
            let page = try await client.call(.get, "/in/\(cast.handles["Private"]!)", token: nil)
            #expect(!page.text.contains("Strategist"))

            // Company pages and search name the employer to no one who may not see the positions.
            let people = try await client.call(.get, "/api/v1/companies/\(companyID)/people", token: cast.tokens["Outsider"])
            #expect(!names(people).contains("Private"))
            let peopleForColleague = try await client.call(.get, "/api/v1/companies/\(companyID)/people", token: cast.tokens["Colleague"])
            #expect(names(peopleForColleague).contains("Private"))
            for query in ["秘密商事", "Strategist", "growth"] {
                let found = try await client.call(.get, "/api/v1/search/people?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: cast.tokens["Outsider"])
                #expect(!names(found).contains("Private"), "\(query)")
            }
            let bySkill = try await client.call(.get, "/api/v1/search/people?q=Kubernetes", token: cast.tokens["Outsider"])
            #expect(names(bySkill).contains("Private"))
            let byFilter = try await client.call(.get, "/api/v1/search/people?q=Kubernetes&currentCompany=\(companyID)", token: cast.tokens["Outsider"])
            #expect(!names(byFilter).contains("Private"))

            // Bad input is refused with a message.
            let unknown = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Private"], json: ["sectionVisibility": ["hobbies": "onlyMe"]])
            #expect(unknown.status == .unprocessableContent)
            let bad = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Private"], json: ["sectionVisibility": ["skills": "friends"]])
            #expect(bad.status == .unprocessableContent)
        }
    }
}
