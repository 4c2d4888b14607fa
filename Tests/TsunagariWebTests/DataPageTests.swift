import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// The data pages as a person uses them without JavaScript: upload the export, see what came in, upload cards,
/// invite the members among them, scan a QR code's link, download everything.
@Suite struct DataPageTests {
    @Test func aMemberImportsTheirExportOnThePageAndSeesWhatCameIn() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann"])
            let browser = try await Browser.logIn(client, "Ann", language: "ja")
            let page = try await browser.get("/me/data")
            #expect(page.status == .ok)
            #expect(page.text.contains("enctype=\"multipart/form-data\""))
            #expect(page.text.contains(Text.importData(.ja)))
            // Without the CSRF token the upload is refused and nothing is read.
            let forged = try await browser.postFile("/me/data/import", fileName: "export.zip", type: "application/zip", try DataTests.linkedInZip(), csrf: false)
            #expect(forged.status == .forbidden)
            let done = try await browser.postFile("/me/data/import", fileName: "export.zip", type: "application/zip", try DataTests.linkedInZip())
            #expect(done.status == .ok)
            #expect(done.text.contains("id=\"import-summary\""))
            #expect(done.text.contains("<dd id=\"summary-positions\">2</dd>"))
            #expect(done.text.contains("<dd id=\"summary-connections\">2</dd>"))
            let me = try await client.call(.get, "/api/v1/me", token: cast.tokens["Ann"])
            #expect((me.json["positions"] as? [Any])?.count == 2)

            // One CSV, named as LinkedIn names it; a broken one shows the file and the line, in the page's language.
            let csv = try await browser.postFile("/me/data/import", fileName: "Skills.csv", type: "text/csv", Array("Name\nRust\n".utf8))
            #expect(csv.text.contains("<dd id=\"summary-skills\">1</dd>"))
            let broken = try await browser.postFile(
                "/me/data/import", fileName: "Positions.csv", type: "text/csv",
                Array("Company Name,Title,Description,Location,Started On,Finished On\nA,B,,,Never,\n".utf8))
            #expect(broken.status == .unprocessableContent)
            #expect(broken.text.contains("Positions.csv の 2 行目: 読み取れませんでした"))
            let none = try await browser.postFile("/me/data/import", field: "other", fileName: "x.zip", type: "application/zip", [1, 2, 3])
            #expect(none.status == .unprocessableContent)
        }
    }

    @Test func cardsComeInOnTheContactsPageAndTheMembersAmongThemAreInvitedTogether() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben", "Cid"])
            let browser = try await Browser.logIn(client, "Ann", language: "en")
            // Shift_JIS, as Japanese card apps write it.
            let csv = "名前,会社名,メールアドレス\nBen,どこか,ben@example.test\nCid,なにか,cid@example.test\n山田 太郎,株式会社テスト,taro@example.test\n"
            let bytes = Array(csv.data(using: .shiftJIS)!)
            let uploaded = try await browser.postFile("/me/contacts/import", fileName: "meishi.csv", type: "text/csv", bytes)
            #expect(uploaded.status == .seeOther)
            #expect(uploaded.header("Location") == "/me/contacts?rows=3&matched=2")
            let page = try await browser.get("/me/contacts?rows=3&matched=2")
            #expect(page.text.contains("Read 3 cards; 2 of them are members here."))
            #expect(page.text.contains("山田 太郎"))
            #expect(page.text.contains("value=\"\(cast.ids["Ben"]!)\""))
            let invited = try await browser.post("/me/contacts/invite", ["memberIds": cast.ids["Ben"]!])
            #expect(invited.status == .seeOther)
            #expect(invited.header("Location") == "/me/contacts?sent=1&skipped=0")
            let sent = try await client.call(.get, "/api/v1/invitations?direction=sent", token: cast.tokens["Ann"])
            #expect(DataTests.invitees(sent) == ["Ben"])

            let vcf = try await browser.postFile("/me/contacts/import", fileName: "card.vcf", type: "text/x-vcard", Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\n".utf8))
            #expect(vcf.status == .unprocessableContent)
            #expect(vcf.text.contains("card.vcf"))
        }
    }

    @Test func aScannedConnectLinkOpensTheInvitationAfterLoggingIn() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Ann", "Ben"])
            let handle = cast.handles["Ann"]!
            let anonymous = Browser(client)
            let bounced = try await anonymous.get("/in/\(handle)?connect=1")
            #expect(bounced.status == .seeOther)
            let location = bounced.header("Location") ?? ""
            #expect(location.hasPrefix("/login?next="))
            #expect(location.removingPercentEncoding?.contains("/in/\(handle)?connect=1") == true)
            let ben = try await Browser.logIn(client, "Ben", language: "en")
            let ready = try await ben.get("/in/\(handle)?connect=1")
            #expect(ready.status == .ok)
            #expect(ready.text.contains("id=\"connect-ready\""))
            #expect(ready.text.contains("<details open"))
            let plain = try await ben.get("/in/\(handle)")
            #expect(!plain.text.contains("id=\"connect-ready\""))
        }
    }

    @Test func settingsTurnSharingOnAndOffAndTheDataPagesLinkFromThere() async throws {
        try await withApp { client, services in
            let cast = try await Cast.make(client, ["Ann"])
            let browser = try await Browser.logIn(client, "Ann", language: "ja")
            let settings = try await browser.get("/settings")
            #expect(settings.text.contains("href=\"/me/data\""))
            #expect(settings.text.contains("name=\"shareNetworkWithColleagues\""))
            let on = try await browser.post("/settings", ["shareNetworkField": "1", "shareNetworkWithColleagues": "on"])
            #expect(on.status == .seeOther)
            #expect(try await services.profiles.own(MemberID(cast.ids["Ann"]!)).settings.shareNetworkWithColleagues)
            _ = try await browser.post("/settings", ["shareNetworkField": "1"])
            #expect(try await services.profiles.own(MemberID(cast.ids["Ann"]!)).settings.shareNetworkWithColleagues == false)
            let zip = try await browser.get("/me/export.zip")
            #expect(zip.status == .ok)
            #expect(zip.header("Content-Type") == "application/zip")
            #expect(zip.header("Content-Disposition")?.contains("attachment") == true)
            let qr = try await browser.get("/me/qr.svg")
            #expect(qr.header("Content-Type") == "image/svg+xml")
            #expect(try await Browser(client).get("/me/qr.svg").status == .seeOther)
        }
    }
}
