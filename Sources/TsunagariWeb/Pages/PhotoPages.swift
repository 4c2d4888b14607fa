import Foundation
import Hummingbird
import TsunagariCore

/// Profile photos and banners: the avatar shown beside a name (initials when there is no photo), the upload card of
/// `/me/edit`, and the routes that upload, remove and serve them.
enum PhotoPages {
    static func t(_ l: TsunagariCore.Locale, _ en: String, _ ja: String) -> String { l == .ja ? ja : en }

    /// The photo, or the name's first letter. `small` is the list size.
    static func avatar(name: String, photo: PhotoRef?, small: Bool = false) -> HTML {
        var writer = HTMLWriter(capacity: 192)
        avatar(name: name, photo: photo, small: small, into: &writer)
        return writer.written
    }

    static func avatar(name: String, photo: PhotoRef?, small: Bool, into w: inout HTMLWriter) {
        if let photo {
            w.markup(small ? "<img class=\"avatar small\" src=\"" : "<img class=\"avatar\" src=\"")
            w.text(PhotoURL.path(photo, small ? .small : .large))
            w.markup(small ? "\" alt=\"\" width=\"44\" height=\"44\" loading=\"lazy\">" : "\" alt=\"\" width=\"96\" height=\"96\" loading=\"lazy\">")
            return
        }
        w.markup(small ? "<div class=\"avatar small\" aria-hidden=\"true\">" : "<div class=\"avatar\" aria-hidden=\"true\">")
        w.text(String(name.prefix(1)))
        w.markup("</div>")
    }

    /// The banner above a profile, if the member has one.
    static func banner(_ banner: PhotoRef?) -> HTML {
        guard let banner else { return .empty }
        var w = HTMLWriter(capacity: 160)
        self.banner(banner, into: &w)
        return w.written
    }

    static func banner(_ banner: PhotoRef, into w: inout HTMLWriter) {
        w.markup("<img class=\"profile-banner\" src=\"")
        w.text(PhotoURL.path(banner, .large))
        w.markup("\" alt=\"\" width=\"1584\" height=\"396\">")
    }

    /// The photo and banner card of `/me/edit`. Without JavaScript the photo is cropped to its centre; with it, the
    /// member drags and zooms a square over a preview and the form sends that square.
    static func edit(_ chrome: PageChrome, _ p: Profile, error: String?) -> HTML {
        let l = chrome.locale
        return el("section", .class("card"), .id("photo")) {
            el("h2") { t(l, "Photo and banner", "写真とバナー") }
            Layout.errors(error)
            el("div", .class("photo-edit")) {
                avatar(name: p.name, photo: p.photo)
                el(
                    "form", .class("stack"), Attribute("method", "post"), Attribute("action", "/me/photo"),
                    Attribute("enctype", "multipart/form-data"), .id("photo-form")
                ) {
                    Layout.csrfField(chrome)
                    el("label", .class("field")) {
                        el("span") { t(l, "Photo (JPEG, PNG or WebP, up to 10 MB)", "写真（JPEG・PNG・WebP、10 MB まで）") }
                        el("input", .type("file"), .name("photo"), Attribute("accept", "image/jpeg,image/png,image/webp"), .flag("required"), .id("photo-file"))
                        el("small") {
                            t(l, "Cropped to a square around the centre, or to the square you choose in the preview.",
                              "中央を正方形に切り抜きます（プレビューで範囲を選ぶこともできます）。")
                        }
                    }
                    // Filled by app.js from the preview; empty means the centre.
                    for name in ["cropX", "cropY", "cropSize"] { el("input", .type("hidden"), .name(name), .value(""), .id("photo-\(name)")) }
                    el("div", .class("crop-preview"), .id("crop-preview"), .flag("hidden")) {
                        el("canvas", .id("crop-canvas"), Attribute("width", "320"), Attribute("height", "320"), Attribute("aria-label", t(l, "Crop preview", "切り抜きのプレビュー"))) { "" }
                        el("label", .class("field")) {
                            el("span") { t(l, "Zoom", "拡大") }
                            el("input", .type("range"), .id("crop-zoom"), Attribute("min", "1"), Attribute("max", "4"), Attribute("step", "0.05"), .value("1"))
                        }
                        el("small") { t(l, "Drag the picture to choose the square.", "画像をドラッグして範囲を選べます。") }
                    }
                    el("button", .type("submit"), .class("button")) { t(l, "Upload photo", "写真をアップロード") }
                }
            }
            if p.photo != nil {
                Layout.postButton(chrome, action: "/me/photo/delete", label: t(l, "Remove photo", "写真を削除"), style: "button small danger", id: "remove-photo")
            }
            el("hr")
            banner(p.banner)
            el(
                "form", .class("stack"), Attribute("method", "post"), Attribute("action", "/me/banner"),
                Attribute("enctype", "multipart/form-data"), .id("banner-form")
            ) {
                Layout.csrfField(chrome)
                el("label", .class("field")) {
                    el("span") { t(l, "Banner (4:1, cropped around the centre)", "バナー（横 4: 縦 1、中央を切り抜き）") }
                    el("input", .type("file"), .name("banner"), Attribute("accept", "image/jpeg,image/png,image/webp"), .flag("required"), .id("banner-file"))
                }
                el("button", .type("submit"), .class("button secondary")) { t(l, "Upload banner", "バナーをアップロード") }
            }
            if p.banner != nil {
                Layout.postButton(chrome, action: "/me/banner/delete", label: t(l, "Remove banner", "バナーを削除"), style: "button small danger", id: "remove-banner")
            }
        }
    }
}

/// Serves photos by content address, with a small cache in memory: a photo's bytes never change under its address,
/// so the cache needs no invalidation but age (a removed photo stops being served within `PhotoCache.maximumAge`).
final class PhotoCache: @unchecked Sendable {
    static let maximumAge: TimeInterval = 600
    private let lock = NSLock()
    private var entries: [String: (bytes: [UInt8], at: Date)] = [:]
    private var total = 0
    let capacity: Int

    init(capacity: Int = 64 * 1024 * 1024) { self.capacity = capacity }

    func get(_ key: String, now: Date = Date()) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[key] else { return nil }
        guard now.timeIntervalSince(entry.at) < Self.maximumAge else {
            entries[key] = nil
            total -= entry.bytes.count
            return nil
        }
        return entry.bytes
    }

    func put(_ key: String, _ bytes: [UInt8], now: Date = Date()) {
        lock.lock()
        defer { lock.unlock() }
        guard bytes.count <= capacity / 8 else { return }
        if total + bytes.count > capacity {
            // Full: start again rather than track recency; photos are re-read from the database in one query.
            entries.removeAll(keepingCapacity: true)
            total = 0
        }
        if let old = entries.updateValue((bytes, now), forKey: key) { total -= old.bytes.count }
        total += bytes.count
    }

    func remove(_ key: String) {
        lock.lock()
        defer { lock.unlock() }
        if let old = entries.removeValue(forKey: key) { total -= old.bytes.count }
    }
}

struct PhotoRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("photos/{id}/{file}", use: serve)
        for kind in PhotoKind.allCases {
            router.post("me/\(kind.rawValue)", use: { try await upload(kind, $0, $1) })
            router.post("me/\(kind.rawValue)/delete", use: { try await remove(kind, $0, $1) })
            router.put("api/v1/me/\(kind.rawValue)", use: { try await apiUpload(kind, $0, $1) })
            router.delete("api/v1/me/\(kind.rawValue)", use: { try await apiRemove(kind, $0, $1) })
        }
    }

    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".jpg"), let variant = PhotoVariant(rawValue: String(file.dropLast(4))), PhotoRef.isWellFormed(id) else {
            throw DomainError.notFound("Photo")
        }
        let etag = "\"\(id)-\(variant.rawValue)\""
        let headers: HTTPFields = [
            .contentType: "image/jpeg", .cacheControl: "public, max-age=31536000, immutable", .eTag: etag,
        ]
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        let key = "\(id)/\(variant.rawValue)"
        let bytes: [UInt8]
        if let cached = services.photoCache.get(key) {
            bytes = cached
        } else {
            bytes = try await services.photos.image(id: id, variant: variant)
            services.photoCache.put(key, bytes)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A crop from the form's or the query's fields: all three (a square) or none (the centre).
    static func crop(x: String?, y: String?, size: String?, width: String? = nil, height: String? = nil) throws -> PhotoCrop? {
        let given = [x, y, size ?? width].map { ($0 ?? "").trimmingCharacters(in: .whitespaces) }
        if given.allSatisfy(\.isEmpty) { return nil }
        guard let left = Int(given[0]), let top = Int(given[1]), let side = Int(given[2]) else {
            throw DomainError.invalid("bad_crop", "The crop must be whole numbers of pixels: x, y and size.")
        }
        let tall = try height.map { raw -> Int in
            guard let value = Int(raw) else { throw DomainError.invalid("bad_crop", "The crop's height must be a whole number.") }
            return value
        }
        return PhotoCrop(x: left, y: top, width: side, height: tall ?? side)
    }

    /// Forgets this instance's cached copy of the member's current picture, which is about to be replaced or removed
    /// (other instances forget theirs within `PhotoCache.maximumAge`).
    func evict(_ member: MemberID, _ kind: PhotoKind) async throws {
        let profile = try await services.profiles.own(member)
        guard let current = kind == .photo ? profile.photo : profile.banner else { return }
        for variant in PhotoVariant.allCases { services.photoCache.remove("\(current.id)/\(variant.rawValue)") }
    }

    func upload(_ kind: PhotoKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await evict(member, kind)
        do {
            guard let file = context.uploads[kind.rawValue] else {
                throw DomainError.invalid("required", kind == .photo ? "Choose a photo to upload." : "Choose a banner to upload.")
            }
            let f = context.form
            let crop = kind == .photo ? try Self.crop(x: f["cropX"], y: f["cropY"], size: f["cropSize"]) : nil
            _ = try await services.photos.upload(member, kind: kind, data: [UInt8](file.data), crop: crop)
            return .redirect(to: "/me/edit?saved=1#photo")
        } catch let error as DomainError where error.kind != .unauthenticated && error.kind != .malformed {
            if case .rateLimited = error.kind { throw error }
            return try await PageRoutes(services: services).editFailed(request, context, form: "photo", error: error)
        }
    }

    func remove(_ kind: PhotoKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await evict(member, kind)
        try await services.photos.remove(member, kind: kind)
        return .redirect(to: "/me/edit?saved=1#photo")
    }

    /// `PUT /api/v1/me/photo`: the image itself as the body (`image/jpeg`, `image/png` or `image/webp`), with an
    /// optional square crop `?x=&y=&size=` (a banner: `?x=&y=&width=&height=`).
    func apiUpload(_ kind: PhotoKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let type, ["image/jpeg", "image/png", "image/webp"].contains(type) else {
            throw DomainError.invalid("unsupported_type", "Send the image as image/jpeg, image/png or image/webp.")
        }
        let q = request.uri.queryParameters
        let crop = try Self.crop(
            x: q.get("x"), y: q.get("y"), size: q.get("size"), width: q.get("width"), height: kind == .banner ? q.get("height") : nil)
        var request = request
        let body = try await request.collectUpload(limit: PhotoService.maximumBytes)
        try await evict(member, kind)
        let ref = try await services.photos.upload(member, kind: kind, data: [UInt8](body.readableBytesView), crop: crop)
        return APIResponse.json(Represent.photo(ref), status: .created)
    }

    func apiRemove(_ kind: PhotoKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await evict(member, kind)
        try await services.photos.remove(member, kind: kind)
        return APIResponse.noContent()
    }
}
