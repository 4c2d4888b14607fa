import Foundation
import Hummingbird
import TsunagariCore

/// What search engines and link previews read of a profile: a description, the canonical address, Open Graph tags
/// and schema.org `Person` — only for a public profile seen logged out, and only from the sections it shows
/// everyone. Every other profile page says `noindex` (`Layout.page`).
enum PublicProfilePages {
    /// The `<head>` additions of `/in/{handle}`: empty unless the profile may be indexed.
    static func head(_ view: ProfileService.View, site: String) -> HTML {
        guard view.indexable, view.relation == .anonymous, view.access == .full else { return .empty }
        let p = view.profile
        let url = "\(site)/in/\(p.handle)"
        let description = self.description(p)
        let image = p.photo.map { site + PhotoURL.path($0, .large) }
        return HTML.group {
            el("meta", .name("description"), Attribute("content", description))
            el("link", Attribute("rel", "canonical"), .href(url))
            el("meta", Attribute("property", "og:type"), Attribute("content", "profile"))
            el("meta", Attribute("property", "og:title"), Attribute("content", p.name))
            el("meta", Attribute("property", "og:description"), Attribute("content", description))
            el("meta", Attribute("property", "og:url"), Attribute("content", url))
            el("meta", Attribute("property", "og:site_name"), Attribute("content", "Tsunagari"))
            if let image { el("meta", Attribute("property", "og:image"), Attribute("content", image)) }
            HTML.jsonLD(person(p, url: url, image: image))
        }
    }

    /// The headline, the current employer and the location, as one sentence for a search result.
    static func description(_ p: Profile) -> String {
        var parts: [String] = []
        if let headline = p.headline { parts.append(headline) }
        if let current = p.currentPositions.first { parts.append("\(current.title) @ \(current.company.name)") }
        if let location = p.fields.location { parts.append(location) }
        let text = parts.isEmpty ? p.name : parts.joined(separator: " · ")
        return String(text.prefix(300))
    }

    /// schema.org `Person` as JSON: name, job title, employers, schools, skills.
    static func person(_ p: Profile, url: String, image: String?) -> String {
        var object: [String: Any] = ["@context": "https://schema.org", "@type": "Person", "name": p.name, "url": url]
        if let image { object["image"] = image }
        if let reading = p.fields.nameReading { object["alternateName"] = reading }
        if let headline = p.headline { object["description"] = headline }
        let current = p.currentPositions
        if let title = current.first?.title { object["jobTitle"] = title }
        if !current.isEmpty {
            object["worksFor"] = unique(current.map(\.company.name)).map { ["@type": "Organization", "name": $0] }
        }
        if !p.educations.isEmpty {
            object["alumniOf"] = unique(p.educations.map(\.school)).map { ["@type": "EducationalOrganization", "name": $0] }
        }
        if let location = p.fields.location { object["homeLocation"] = ["@type": "Place", "name": location] }
        if !p.skills.isEmpty { object["knowsAbout"] = p.skills }
        if !p.languages.isEmpty { object["knowsLanguage"] = p.languages.map(\.name) }
        if !p.certifications.isEmpty {
            object["hasCredential"] = p.certifications.map { ["@type": "EducationalOccupationalCredential", "name": $0.name] }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}

/// `/robots.txt` and `/sitemap.xml`: the public profiles for the operator to submit to search engines.
struct PublicProfileRoutes {
    let services: AppServices
    /// The most addresses one sitemap file may hold (sitemaps.org).
    static let perSitemap = 50_000

    func register(on router: Router<AppRequestContext>) {
        router.get("robots.txt", use: robots)
        router.get("sitemap.xml", use: sitemapIndex)
        router.get("sitemaps/{file}", use: sitemap)
    }

    private func site(_ request: Request, _ context: AppRequestContext) -> String {
        ConnectLink.site(request: request, context: context, configuration: services.configuration)
    }

    @Sendable func robots(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = """
            User-agent: *
            Disallow: /api/
            Disallow: /me/
            Disallow: /settings
            Disallow: /search
            Disallow: /messages
            Sitemap: \(site(request, context))/sitemap.xml

            """
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A sitemap index naming one sitemap per 50,000 public profiles.
    @Sendable func sitemapIndex(_ request: Request, context: AppRequestContext) async throws -> Response {
        let count = try await services.storage.publicProfileCount()
        let pages = max(1, (count + Self.perSitemap - 1) / Self.perSitemap)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for page in 1...pages {
            xml += "<sitemap><loc>\(HTML.escape(site(request, context)))/sitemaps/profiles-\(page).xml</loc></sitemap>\n"
        }
        xml += "</sitemapindex>\n"
        return Self.xml(xml)
    }

    @Sendable func sitemap(_ request: Request, context: AppRequestContext) async throws -> Response {
        // `profiles-N.xml`; the router matches whole path segments only.
        let file = context.parameters.get("file") ?? ""
        guard file.hasPrefix("profiles-"), file.hasSuffix(".xml"), let page = Int(file.dropFirst(9).dropLast(4)), page >= 1, page <= 100_000 else {
            throw DomainError.notFound("Sitemap")
        }
        let profiles = try await services.storage.publicProfiles(offset: (page - 1) * Self.perSitemap, limit: Self.perSitemap)
        guard page == 1 || !profiles.isEmpty else { throw DomainError.notFound("Sitemap") }
        let site = HTML.escape(site(request, context))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for profile in profiles {
            xml += "<url><loc>\(site)/in/\(HTML.escape(profile.handle))</loc><lastmod>\(formatter.string(from: profile.updatedAt))</lastmod></url>\n"
        }
        xml += "</urlset>\n"
        return Self.xml(xml)
    }

    static func xml(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/xml; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
