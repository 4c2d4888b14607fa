import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
import TsunagariPhotos
@testable import TsunagariWeb

/// Photos and banners through the pages and the API: processed with the real libvips, served by content address,
/// stripped of metadata, shown only where the viewer sees the full profile. Skipped without libvips, except on CI.
@Suite("Photos", .enabled(if: PhotoProcessor.isAvailable || runningUnderCI))
struct PhotoTests {
    /// Width and height from a JPEG's frame header.
    static func jpegSize(_ bytes: [UInt8]) -> (Int, Int)? {
        guard let frame = ImageBytes.jpegSegments(bytes)?.first(where: { $0.marker == 0xC0 || $0.marker == 0xC2 }), frame.payload.count >= 5
        else { return nil }
        return (Int(frame.payload[3]) << 8 | Int(frame.payload[4]), Int(frame.payload[1]) << 8 | Int(frame.payload[2]))
    }

    static func bytes(_ client: any TestClientProtocol, _ path: String) async throws -> (HTTPResponse.Status, HTTPFields, [UInt8]) {
        let response = try await client.executeRequest(uri: path, method: .get, headers: [:], body: nil)
        return (response.status, response.headers, Array(response.body.readableBytesView))
    }

    @Test func aPhotoWithAPositionIsStoredWithoutItInEverySizeAndServedForEver() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Taro", "Hanako", "Jiro"])
            try await cast.connect(client, "Taro", "Hanako")
            let picture = try PhotoSynth.portrait(seed: 7, initials: "TY", size: 800)
            let withGPS = ImageBytes.insertingAfterSOI(picture, marker: 0xE1, payload: ImageBytes.exifPayload(orientation: 1, gps: true))
            let browser = try await Browser.logIn(client, "Taro")
            let uploaded = try await browser.postFile("/me/photo", field: "photo", fileName: "IMG_0001.jpg", type: "image/jpeg", withGPS)
            #expect(uploaded.status == .seeOther && uploaded.header("Location") == "/me/edit?saved=1#photo", "\(uploaded.text)")

            let me = try await client.call(.get, "/api/v1/me", token: cast.tokens["Taro"])
            let photo = try #require(me.json["photo"] as? [String: String])
            let large = try #require(photo["large"]), small = try #require(photo["small"])
            #expect(large.hasPrefix("/photos/") && large.hasSuffix("/large.jpg"))
            let (status, headers, bytes) = try await Self.bytes(client, large)
            #expect(status == .ok && headers[.contentType] == "image/jpeg")
            #expect(headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(Self.jpegSize(bytes).map { [$0.0, $0.1] } == [400, 400])
            #expect(Self.jpegSize(try await Self.bytes(client, small).2).map { [$0.0, $0.1] } == [100, 100])
            // No metadata segment survives: no EXIF (with its GPS position), no XMP.
            let segments = try #require(ImageBytes.jpegSegments(bytes))
            #expect(!segments.contains { $0.marker == 0xE1 })
            #expect(!ImageBytes.contains(bytes, "Exif") && !ImageBytes.contains(bytes, "GPS"))
            // A cache that asks again is told nothing changed.
            let etag = try #require(headers[.eTag])
            let again = try await client.executeRequest(uri: large, method: .get, headers: [.ifNoneMatch: etag], body: nil)
            #expect(again.status == .notModified && again.body.readableBytes == 0)

            // Shown on the profile and in lists to those who see the full profile; initials to anyone else.
            #expect(try await Browser.logIn(client, "Hanako").get("/in/\(cast.handles["Taro"]!)").text.contains("src=\"\(large)\""))
            #expect(try await client.call(.patch, "/api/v1/me/settings", token: cast.tokens["Taro"], json: ["profileVisibility": "connections"]).status == .ok)
            let limited = try await Browser.logIn(client, "Jiro").get("/in/\(cast.handles["Taro"]!)")
            #expect(limited.status == .ok && !limited.text.contains("/photos/"))
            let limitedAPI = try await client.call(.get, "/api/v1/members/\(cast.ids["Taro"]!)", token: cast.tokens["Jiro"])
            #expect(limitedAPI.json["photo"] is NSNull)
            let connections = try await client.call(.get, "/api/v1/me/connections", token: cast.tokens["Hanako"])
            let listed = (connections.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["member"] as? [String: Any]) ?? $0 }
            #expect(listed.contains { ($0["photo"] as? [String: String])?["small"] == small })

            // Removing it: the address is gone and the profile shows initials again.
            #expect(try await browser.post("/me/photo/delete", [:]).status == .seeOther)
            #expect(try await Self.bytes(client, large).0 == .notFound)
            #expect(try await client.call(.get, "/api/v1/me", token: cast.tokens["Taro"]).json["photo"] is NSNull)
        }
    }

    @Test func theAPITakesAnImageBodyWithACropAndRefusesWhatIsNotAStillPicture() async throws {
        try await withApp { client, _ in
            let taro = try await client.signUp("Taro", email: "taro@example.test")
            let picture = try PhotoSynth.photograph(width: 1200, height: 800, seed: 3, quality: 85)
            let put = try await client.call(
                .put, "/api/v1/me/photo?x=100&y=50&size=600", token: taro.token, raw: picture, headers: ["Content-Type": "image/jpeg"])
            #expect(put.status == .created, "\(put.text)")
            let banner = try await client.call(.put, "/api/v1/me/banner", token: taro.token, raw: picture, headers: ["Content-Type": "image/jpeg"])
            #expect(banner.status == .created, "\(banner.text)")
            let large = try #require((banner.json["large"] as? String))
            #expect(Self.jpegSize(try await Self.bytes(client, large).2).map { [$0.0, $0.1] } == [1584, 396])
            // Above a profile that shows everything, with its size; not above one shown with less.
            let shown = "<img class=\"profile-banner\" src=\"\(large)\" alt=\"\" width=\"1584\" height=\"396\">"
            #expect(!(try await client.call(.get, "/in/\(taro.handle)").text.contains("profile-banner")))
            _ = try await client.call(.patch, "/api/v1/me/settings", token: taro.token, json: ["profileVisibility": "public"])
            #expect(try await client.call(.get, "/in/\(taro.handle)").text.contains(shown))

            let svg = Array(#"<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><script>alert(1)</script></svg>"#.utf8)
            let cases: [([UInt8], String, String, HTTPResponse.Status, String)] = [
                (Array("just some text, not a picture".utf8), "image/jpeg", "", .unprocessableContent, "not_an_image"),
                (Array(picture.prefix(picture.count / 2)), "image/jpeg", "", .unprocessableContent, "corrupt"),
                (svg, "image/png", "", .unprocessableContent, "unsupported_format"),
                (ImageBytes.pngDeclaring(width: 50_000, height: 50_000), "image/png", "", .unprocessableContent, "too_many_pixels"),
                (picture, "image/gif", "", .unprocessableContent, "unsupported_type"),
                (picture, "image/jpeg", "?x=1100&y=0&size=400", .unprocessableContent, "bad_crop"),
                (picture, "image/jpeg", "?x=1&y=2", .unprocessableContent, "bad_crop"),
                ([UInt8](repeating: 0xFF, count: 10 * 1024 * 1024 + 1), "image/jpeg", "", .contentTooLarge, "too_large"),
            ]
            for (body, type, query, status, code) in cases {
                let reply = try await client.call(.put, "/api/v1/me/photo\(query)", token: taro.token, raw: body, headers: ["Content-Type": type])
                #expect(reply.status == status && reply.errorCode == code, "\(code): \(reply.status) \(reply.text)")
            }
            // None of them replaced the photo.
            let me = try await client.call(.get, "/api/v1/me", token: taro.token)
            #expect((me.json["photo"] as? [String: String])?["large"] == (put.json["large"] as? String))
            #expect(try await client.call(.delete, "/api/v1/me/photo", token: taro.token).status == .noContent)
            #expect(try await client.call(.delete, "/api/v1/me/photo", token: taro.token).status == .notFound)
            #expect(try await client.call(.put, "/api/v1/me/photo", raw: picture, headers: ["Content-Type": "image/jpeg"]).status == .unauthorized)
            // Addresses that could name no photo are not found.
            for path in ["/photos/../../etc/passwd", "/photos/\(String(repeating: "a", count: 64))/huge.jpg", "/photos/xyz/large.jpg"] {
                #expect(try await Self.bytes(client, path).0 == .notFound, "\(path)")
            }
        }
    }

    @Test func aFailedUploadShowsTheEditPageWithTheMessage() async throws {
        try await withApp { client, _ in
            _ = try await Cast.make(client, ["Taro"])
            let browser = try await Browser.logIn(client, "Taro")
            let reply = try await browser.postFile("/me/photo", field: "photo", fileName: "notes.txt", type: "text/plain", Array("hello".utf8))
            #expect(reply.status == .unprocessableContent && reply.text.contains("not an image") && reply.text.contains("id=\"photo-form\""))
        }
    }
}
