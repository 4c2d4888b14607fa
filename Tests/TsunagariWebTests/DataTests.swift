import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariDataFiles
@testable import TsunagariWeb

/// LinkedIn exports, business cards, contacts, the QR code, the export and colleague reach through the API and the
/// pages, with the privacy rules of PRODUCT.md: a contact never discloses a member's email, and no member is told
/// they were imported.
@Suite struct DataTests {
    static let positionsCSV = """
        Company Name,Title,Description,Location,Started On,Finished On
        株式会社つながり,Swift エンジニア,"Built the ""core"" platform,
        and led a team of 5.",東京都,Apr 2021,
        Old Corp,=Engineer,,Osaka,Jan 2015,Mar 2021

        """
    static let profileCSV = """
        First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers
        花子,山田,,,,Platform engineer,"I build things.",Software,,Tokyo,,[PERSONAL:https://example.com],

        """
    static let educationCSV = """
        School Name,Start Date,End Date,Notes,Degree Name,Activities
        京都大学,2008,2012,情報工学,学士,

        """
    static let skillsCSV = "Name\nSwift\nPostgreSQL\n"
    static let connectionsCSV = """
        Notes:
        "When exporting your connection data, you may notice that some of the email addresses are missing."

        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        Ben,,https://www.linkedin.com/in/ben,,Acme,Engineer,16 Dec 2024
        Zed,Nobody,https://www.linkedin.com/in/zed,,Nowhere,Chef,03 Jan 2023

        """

    static func linkedInZip() throws -> [UInt8] {
        let files: [(name: String, data: Data)] = [
            ("Basic_LinkedInDataExport_12-01-2026/Profile.csv", Data(("\u{FEFF}" + profileCSV).utf8)),
            ("Basic_LinkedInDataExport_12-01-2026/Positions.csv", Data(positionsCSV.utf8)),
            ("Basic_LinkedInDataExport_12-01-2026/Education.csv", Data(educationCSV.utf8)),
            ("Basic_LinkedInDataExport_12-01-2026/Skills.csv", Data(skillsCSV.utf8)),
            ("Basic_LinkedInDataExport_12-01-2026/Connections.csv", Data(("\u{FEFF}" + connectionsCSV).utf8)),
            ("Basic_LinkedInDataExport_12-01-2026/messages.csv", Data("CONVERSATION ID,FROM\n1,x\n".utf8)),
        ]
        return Array(try DataArchive.zip(files))
    }

    /// The names of the members a list of invitations went to.
    static func invitees(_ reply: Reply) -> [String] {
        (reply.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["to"] as? [String: Any])?["name"] as? String }
    }

    static func upload(_ client: any TestClientProtocol, _ path: String, token: String?, type: String, _ bytes: [UInt8]) async throws -> Reply {
        try await client.call(.post, path, token: token, raw: bytes, headers: ["Content-Type": type])
    }

    static func work(_ client: any TestClientProtocol, _ cast: Cast, _ who: String, at company: String) async throws -> String {
        let reply = try await client.call(
            .post, "/api/v1/me/positions", token: cast.tokens[who], json: ["company": company, "title": "エンジニア", "startMonth": "2020-04"])
        #expect(reply.status == .created, "\(reply.text)")
        return (reply.json["company"] as? [String: Any])?["id"] as? String ?? ""
    }

    @Test func aLinkedInExportFillsTheEmptyProfileOnceAndItsConnectionsBecomeContacts() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            _ = try await Self.work(client, cast, "Ben", at: "Acme")
            let zip = try Self.linkedInZip()
            let first = try await Self.upload(client, "/api/v1/me/imports/linkedin", token: cast.tokens["Ann"], type: "application/zip", zip)
            #expect(first.status == .ok, "\(first.text)")
            let profile = first.json["profile"] as? [String: Any] ?? [:]
            #expect(Set(profile["fieldsFilled"] as? [String] ?? []) == ["headline", "about", "industry", "location"])
            #expect(profile["positions"] as? Int == 2)
            #expect(profile["educations"] as? Int == 1)
            #expect(profile["skills"] as? Int == 2)
            let connections = first.json["connections"] as? [String: Any] ?? [:]
            #expect(connections["rows"] as? Int == 2)
            // Ben works at Acme now: matched by name and current company.
            #expect(connections["matched"] as? Int == 1)

            let me = try await client.call(.get, "/api/v1/me", token: cast.tokens["Ann"])
            #expect(me.json["headline"] as? String == "Platform engineer")
            #expect(me.json["about"] as? String == "I build things.")
            let positions = me.json["positions"] as? [[String: Any]] ?? []
            #expect(positions.count == 2)
            let current = positions.first { $0["endMonth"] is NSNull || $0["endMonth"] == nil }
            #expect(current?["description"] as? String == "Built the \"core\" platform,\nand led a team of 5.")
            #expect(current?["startMonth"] as? String == "2021-04")
            // A cell a spreadsheet would run as a formula comes back as it was typed.
            #expect(positions.contains { $0["title"] as? String == "=Engineer" && $0["endMonth"] as? String == "2021-03" })
            #expect((me.json["educations"] as? [[String: Any]])?.first?["school"] as? String == "京都大学")
            #expect(me.json["skills"] as? [String] == ["Swift", "PostgreSQL"])

            // Again: nothing is added twice, and what the member typed since is kept.
            _ = try await client.call(.patch, "/api/v1/me/profile", token: cast.tokens["Ann"], json: ["headline": "Changed by hand"])
            let second = try await Self.upload(client, "/api/v1/me/imports/linkedin", token: cast.tokens["Ann"], type: "application/zip", zip)
            #expect(second.status == .ok)
            #expect((second.json["profile"] as? [String: Any])?["positions"] as? Int == 0)
            #expect((second.json["connections"] as? [String: Any])?["added"] as? Int == 0)
            let after = try await client.call(.get, "/api/v1/me", token: cast.tokens["Ann"])
            #expect(after.json["headline"] as? String == "Changed by hand")
            #expect((after.json["positions"] as? [Any])?.count == 2)
            #expect(try await services.dataImport.contacts(of: MemberID(cast.ids["Ann"]!)).count == 2)

            // One CSV of the export alone.
            let skills = try await Self.upload(
                client, "/api/v1/me/imports/linkedin?file=Skills.csv", token: cast.tokens["Ann"], type: "text/csv", Array("Name\nGo\n".utf8))
            #expect((skills.json["profile"] as? [String: Any])?["skills"] as? Int == 1)
        }
    }

    @Test func badFilesAreRefusedNamingTheFileAndLineAndChangeNothing() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann"])
            let token = cast.tokens["Ann"]
            let notZip = try await Self.upload(client, "/api/v1/me/imports/linkedin", token: token, type: "application/zip", Array("hello".utf8))
            #expect(notZip.status == .unprocessableContent)
            #expect(notZip.errorCode == "bad_file")

            let badDate = Array("Company Name,Title,Description,Location,Started On,Finished On\nA,B,,,Apr 2021,\nC,D,,,Someday,\n".utf8)
            let dated = try await Self.upload(client, "/api/v1/me/imports/linkedin?file=Positions.csv", token: token, type: "text/csv", badDate)
            #expect(dated.status == .unprocessableContent)
            #expect(dated.errorCode == "bad_file")
            let message = (dated.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("Positions.csv") && message.contains("line 3"), "\(message)")
            // The good first row was not kept: nothing is half-imported.
            #expect((try await client.call(.get, "/api/v1/me", token: token).json["positions"] as? [Any])?.isEmpty == true)

            let unknown = try await Self.upload(client, "/api/v1/me/imports/linkedin?file=passwords.csv", token: token, type: "text/csv", Array("a\n".utf8))
            #expect(unknown.status == .unprocessableContent)
            let wrongType = try await Self.upload(client, "/api/v1/me/imports/linkedin", token: token, type: "image/png", Array("x".utf8))
            #expect(wrongType.status == .unprocessableContent)

            // A file that is neither UTF-8 nor Shift_JIS.
            let latin = try await Self.upload(client, "/api/v1/me/contacts", token: token, type: "text/csv", [0x4E, 0x61, 0x6D, 0x65, 0x0A, 0x80, 0xFF, 0x0A])
            #expect(latin.status == .unprocessableContent)
            #expect(latin.errorCode == "unknown_encoding")

            let huge = try await Self.upload(
                client, "/api/v1/me/imports/linkedin", token: token, type: "application/zip", [UInt8](repeating: 0, count: 50 * 1024 * 1024 + 1))
            #expect(huge.status == .contentTooLarge)
            #expect(huge.errorCode == "too_large")
            #expect(try await services.dataImport.contacts(of: MemberID(cast.ids["Ann"]!)).isEmpty)

            let anonymous = try await Self.upload(client, "/api/v1/me/contacts", token: nil, type: "text/csv", Array("Name\nX\n".utf8))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func importsPerMemberAreLimitedAtomically() async throws {
        try await withApp(limits: .standard) { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let card = Array("Name,Company\nZoe,Acme\n".utf8)
            // 25 imports at once: exactly the 20 an hour allowed go through, whatever the interleaving.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<25 {
                    group.addTask { try await Self.upload(client, "/api/v1/me/contacts", token: cast.tokens["Ann"], type: "text/csv", card).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 20)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 5)
            let refused = try await Self.upload(client, "/api/v1/me/contacts", token: cast.tokens["Ann"], type: "text/csv", card)
            #expect(refused.errorCode == "import_limit")
            #expect(refused.header("Retry-After") != nil)
            // Another member has their own allowance.
            #expect(try await Self.upload(client, "/api/v1/me/contacts", token: cast.tokens["Ben"], type: "text/csv", card).status == .ok)
        }
    }

    @Test func aCardMatchesAMemberByEmailWithoutShowingTheEmailOrTellingThem() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cid"])
            _ = try await Self.work(client, cast, "Cid", at: "株式会社つながり")
            // Ben by the email he signed up with; Cid by name and current company (written differently); Zoe by no one.
            let vcard = """
                BEGIN:VCARD\r
                VERSION:3.0\r
                FN:Benjamin B.\r
                N:B.;Benjamin;;;\r
                EMAIL;TYPE=work:BEN@example.test\r
                END:VCARD\r
                BEGIN:VCARD\r
                VERSION:3.0\r
                FN:Cid\r
                ORG:つながり株式会社;開発部\r
                TITLE:部長\r
                END:VCARD\r
                BEGIN:VCARD\r
                VERSION:3.0\r
                FN:Zoe Nobody\r
                EMAIL:zoe@example.test\r
                END:VCARD\r

                """
            let imported = try await Self.upload(client, "/api/v1/me/contacts", token: cast.tokens["Ann"], type: "text/vcard", Array(vcard.utf8))
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.json["rows"] as? Int == 3)
            #expect(imported.json["matched"] as? Int == 2)

            let list = try await client.call(.get, "/api/v1/me/contacts", token: cast.tokens["Ann"])
            let items = list.json["items"] as? [[String: Any]] ?? []
            let byName = Dictionary(uniqueKeysWithValues: items.map { ($0["name"] as? String ?? "", $0) })
            #expect((byName["Cid"]?["member"] as? [String: Any])?["id"] as? String == cast.ids["Cid"])
            #expect((byName["Benjamin B."]?["member"] as? [String: Any])?["id"] as? String == cast.ids["Ben"])
            #expect(byName["Zoe Nobody"]?["member"] is NSNull)
            // Cid's card had no email: his is not shown anywhere.
            #expect(!list.text.contains("cid@example.test"))
            #expect(byName["Cid"]?["email"] is NSNull)

            // No one is told they were imported.
            for who in ["Ben", "Cid"] {
                let notes = try await client.call(.get, "/api/v1/notifications", token: cast.tokens[who])
                #expect((notes.json["items"] as? [Any])?.isEmpty == true, "\(who): \(notes.text)")
            }
            // The matched members are people Ann may know, for that reason.
            let suggestions = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])
            let reasons = (suggestions.json["items"] as? [[String: Any]] ?? []).filter {
                (($0["reasons"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "contact" }
            }
            #expect(Set(reasons.compactMap { ($0["member"] as? [String: Any])?["id"] as? String }) == [cast.ids["Ben"]!, cast.ids["Cid"]!])
            // Ben's view is unchanged: Ann is not suggested to him for it.
            let his = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ben"])
            #expect(!his.text.contains("\"contact\""))

            // A member who blocks the importer disappears from their contacts and suggestions.
            #expect(try await client.call(.put, "/api/v1/members/\(cast.ids["Cid"]!)/block", token: cast.tokens["Ann"]).status == .noContent)
            let afterBlock = try await client.call(.get, "/api/v1/me/contacts", token: cast.tokens["Ann"])
            #expect(!afterBlock.text.contains(cast.ids["Cid"]!))
            let suggestionsAfter = try await client.call(.get, "/api/v1/network/suggestions", token: cast.tokens["Ann"])
            #expect(!suggestionsAfter.text.contains(cast.ids["Cid"]!))

            // Deleting the account erases the contacts.
            #expect(try await client.call(.delete, "/api/v1/me", token: cast.tokens["Ann"], json: ["password": "correct horse battery"]).status == .noContent)
            #expect(try await services.dataImport.contacts(of: MemberID(cast.ids["Ann"]!)).isEmpty)
        }
    }

    @Test func invitingManySendsWhatItCanAndStopsAtTheWeeklyLimit() async throws {
        var limits = NetworkLimits.relaxed
        limits.invitationsPerWeek = 2
        try await withApp(networkLimits: limits) { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cid", "Dan", "Eve"])
            try await cast.connect(client, "Eve", "Ann")
            let ids = ["Ben", "Ben", "Eve", "Cid", "Dan"].map { cast.ids[$0]! } + ["01nosuchmember0000000000000"]
            let reply = try await client.call(.post, "/api/v1/invitations/bulk", token: cast.tokens["Ann"], json: ["memberIds": ids, "message": "名刺交換のご縁で"])
            #expect(reply.status == .ok, "\(reply.text)")
            // Ben and Cid are invited; the repeat, the connection Eve, Dan (past the weekly 2) and the unknown are skipped.
            #expect(reply.json["sent"] as? Int == 2)
            #expect(reply.json["skipped"] as? Int == 4)
            let sent = try await client.call(.get, "/api/v1/invitations?direction=sent", token: cast.tokens["Ann"])
            #expect(Set(Self.invitees(sent)) == ["Ben", "Cid"])
            let again = try await client.call(.post, "/api/v1/invitations/bulk", token: cast.tokens["Ann"], json: ["memberIds": [cast.ids["Dan"]!]])
            #expect(again.status == .tooManyRequests)
            #expect(again.errorCode == "invitation_limit")
            let tooMany = try await client.call(
                .post, "/api/v1/invitations/bulk", token: cast.tokens["Ann"], json: ["memberIds": (0...100).map { "m\($0)" }])
            #expect(tooMany.status == .unprocessableContent)
        }
    }

    /// Only a plain host goes into a link: checked byte by byte for ASCII, as Foundation's character set decides.
    @Test func aPlainHostIsWhatTheCharacterSetSays() {
        func reference(_ host: String) -> Bool {
            host.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0) }
        }
        let pieces = ["a", "Z", "0", "9", ".", "-", ":", "[", "]", "/", "@", " ", "\"", "<", "_", "%", "\u{7F}", "\u{0}", "例", "é", "٣", "\u{200B}", "🙂"]
        var generator = SystemRandomNumberGenerator()
        var hosts = ["tsunagari.example:8080", "[::1]:80", "", "例え.jp", "evil.example/<script>", "a b"]
        for _ in 0..<5_000 {
            hosts.append((0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for host in hosts { #expect(ConnectLink.isPlain(host) == reference(host), "\(host.unicodeScalars.map(\.value))") }
        #expect(ConnectLink.isPlain("tsunagari.example:8080") && !ConnectLink.isPlain("evil.example/<script>") && ConnectLink.isPlain("例え.jp"))
    }

    @Test func theQRCodeHoldsTheConnectLinkAsSVGAndPNG() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann"])
            let svg = try await client.call(.get, "/api/v1/me/qr", token: cast.tokens["Ann"], headers: ["Host": "tsunagari.example"])
            #expect(svg.status == .ok)
            #expect(svg.header("Content-Type") == "image/svg+xml")
            #expect(svg.text.hasPrefix("<svg") || svg.text.hasPrefix("<?xml"))
            let png = try await client.call(.get, "/api/v1/me/qr?format=png", token: cast.tokens["Ann"])
            #expect(png.header("Content-Type") == "image/png")
            #expect(Array(png.text.utf8.prefix(4)) == [0xEF, 0xBF, 0xBD, 0x50] || png.text.contains("PNG"))
            let bad = try await client.call(.get, "/api/v1/me/qr?format=gif", token: cast.tokens["Ann"])
            #expect(bad.status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/me/qr").status == .unauthorized)
            // The link itself is on the page, for the member to check.
            let browser = try await Browser.logIn(client, "Ann")
            let page = try await browser.get("/me/qr")
            #expect(page.text.contains("/in/\(cast.handles["Ann"]!)?connect=1"))
        }
    }

    @Test func theExportZipHoldsLinkedInsFilesAndRestoresTheProfileElsewhere() async throws {
        let box = ExportBox()
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            try await cast.connect(client, "Ann", "Ben")
            _ = try await Self.upload(client, "/api/v1/me/imports/linkedin", token: cast.tokens["Ann"], type: "application/zip", try Self.linkedInZip())
            let response = try await client.executeRequest(
                uri: "/api/v1/me/export?format=zip", method: .get, headers: [.authorization: "Bearer \(cast.tokens["Ann"]!)"], body: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/zip")
            box.bytes = Array(response.body.readableBytesView)
            let json = try await client.call(.get, "/api/v1/me/export", token: cast.tokens["Ann"])
            #expect((json.json["contacts"] as? [Any])?.count == 2)
            #expect((json.json["connections"] as? [[String: Any]])?.count == 1)
            #expect(try await client.call(.get, "/api/v1/me/export?format=pdf", token: cast.tokens["Ann"]).status == .unprocessableContent)
        }
        let exported = box.bytes
        // The export is read back by the same reader that reads LinkedIn's.
        let read = try LinkedInExport.read(zip: Data(exported))
        #expect(Set(read.filesRead) == Set(LinkedInExport.knownFiles))
        #expect(read.connections.map(\.name) == ["Ben"])
        // Another site: a new member imports it and has Ann's history.
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Kai"])
            let reply = try await Self.upload(client, "/api/v1/me/imports/linkedin", token: cast.tokens["Kai"], type: "application/zip", exported)
            #expect(reply.status == .ok, "\(reply.text)")
            let me = try await client.call(.get, "/api/v1/me", token: cast.tokens["Kai"])
            #expect(me.json["headline"] as? String == "Platform engineer")
            let titles = Set((me.json["positions"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String })
            #expect(titles == ["Swift エンジニア", "=Engineer"])
            #expect(me.json["skills"] as? [String] == ["Swift", "PostgreSQL"])
            let education = (me.json["educations"] as? [[String: Any]])?.first
            #expect(education?["school"] as? String == "京都大学")
            #expect(education?["field"] as? String == "情報工学")
        }
    }

    @Test func colleaguesAtAVerifiedEmployerWhoShareAreTheOnlyOnesCounted() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cid", "Dan", "Eve", "Fay"])
            let acme = try await Self.work(client, cast, "Ann", at: "Acme")
            _ = try await Self.work(client, cast, "Ben", at: "Acme")
            _ = try await Self.work(client, cast, "Fay", at: "Acme")
            let target = try await Self.work(client, cast, "Dan", at: "Target KK")
            _ = try await Self.work(client, cast, "Eve", at: "Target KK")
            // Ben knows Dan by connection and Eve by a business card; Fay knows Dan too but does not share.
            try await cast.connect(client, "Ben", "Dan")
            try await cast.connect(client, "Fay", "Dan")
            let card = "Name,Company,Email\nEve,Target KK,eve@example.test\n"
            _ = try await Self.upload(client, "/api/v1/me/contacts", token: cast.tokens["Ben"], type: "text/csv", Array(card.utf8))

            // Without a verified employer, the viewer gets a clear 403; a position alone is not enough.
            let unverified = try await client.call(.get, "/api/v1/companies/\(target)/colleague-reach", token: cast.tokens["Ann"])
            #expect(unverified.status == .forbidden)
            #expect(unverified.errorCode == "no_verified_employer")

            for who in ["Ann", "Ben", "Fay"] { try await services.storage.setVerifiedEmployer(acme, for: MemberID(cast.ids[who]!)) }
            let me = try await client.call(.get, "/api/v1/me", token: cast.tokens["Ann"])
            #expect((me.json["verifiedEmployer"] as? [String: Any])?["id"] as? String == acme)
            // No one shares yet: nothing is counted.
            let none = try await client.call(.get, "/api/v1/companies/\(target)/colleague-reach", token: cast.tokens["Ann"])
            #expect(none.status == .ok)
            #expect((none.json["items"] as? [Any])?.isEmpty == true)

            let shared = try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Ben"], json: ["shareNetworkWithColleagues": true])
            #expect(shared.status == .ok, "\(shared.text)")
            let reach = try await client.call(.get, "/api/v1/companies/\(target)/colleague-reach", token: cast.tokens["Ann"])
            let items = reach.json["items"] as? [[String: Any]] ?? []
            var found: [String: [String]] = [:]
            for item in items {
                let person = (item["member"] as? [String: Any])?["name"] as? String ?? ""
                found[person] = (item["colleagues"] as? [[String: Any]] ?? []).map {
                    "\((($0["member"] as? [String: Any])?["name"] as? String) ?? "")/\($0["via"] as? String ?? "")"
                }
            }
            #expect(found == ["Dan": ["Ben/connection"], "Eve": ["Ben/card"]])
            // Fay's tie to Dan is not counted: she did not opt in.
            #expect(!reach.text.contains(cast.ids["Fay"]!))

            // The company page shows the same to Ann, and tells Cid (no verified employer) how to get one.
            let page = try await Browser.logIn(client, "Ann", language: "en").get("/companies/\(target)")
            #expect(page.text.contains("colleague-reach"))
            #expect(page.text.contains("Ben"))
            let cidPage = try await Browser.logIn(client, "Cid", language: "en").get("/companies/\(target)")
            #expect(cidPage.text.contains(Text.reachUnverified(.en).replacingOccurrences(of: "'", with: "&#39;")))
        }
    }
}

/// Carries bytes out of an app's test closure.
final class ExportBox: @unchecked Sendable {
    var bytes: [UInt8] = []
}
