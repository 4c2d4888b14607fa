import Foundation
import Hummingbird
import TsunagariCore

/// `/api/v1/me/certifications`, `languages`, `projects`, `volunteering` and `contact`: the sections of a profile
/// beyond work and school. Each handler reads its input strictly and calls `ProfileService`.
struct ProfileEntriesAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("me/certifications", use: addCertification)
        api.patch("me/certifications/{id}", use: updateCertification)
        api.delete("me/certifications/{id}", use: { try await delete(.certification, $1) })
        api.post("me/languages", use: addLanguage)
        api.patch("me/languages/{id}", use: updateLanguage)
        api.delete("me/languages/{id}", use: { try await delete(.language, $1) })
        api.post("me/projects", use: addProject)
        api.patch("me/projects/{id}", use: updateProject)
        api.delete("me/projects/{id}", use: { try await delete(.project, $1) })
        api.post("me/volunteering", use: addVolunteering)
        api.patch("me/volunteering/{id}", use: updateVolunteering)
        api.delete("me/volunteering/{id}", use: { try await delete(.volunteering, $1) })
        api.patch("me/contact", use: updateContact)
        // The method this route had first, for clients written against it.
        api.put("me/contact", use: updateContact)
    }

    // MARK: Inputs

    static func certificationInput(_ json: JSONObject) throws -> ProfileService.CertificationInput {
        try json.allowOnly(["name", "issuer", "obtainedMonth", "expiryMonth", "credentialId", "url", "score"])
        return .init(
            name: try json.string("name"), issuer: try json.nullableString("issuer"), obtained: try json.nullableString("obtainedMonth"),
            expires: try json.nullableString("expiryMonth"), credentialID: try json.nullableString("credentialId"),
            url: try json.nullableString("url"), score: try json.nullableString("score"))
    }

    static func languageInput(_ json: JSONObject) throws -> ProfileService.LanguageInput {
        try json.allowOnly(["name", "level", "jlpt"])
        return .init(name: try json.string("name"), level: try json.string("level"), jlpt: try json.nullableString("jlpt"))
    }

    static func projectInput(_ json: JSONObject) throws -> ProfileService.ActivityInput {
        try json.allowOnly(["name", "role", "url", "startMonth", "endMonth", "description"])
        return .init(
            name: try json.string("name"), role: try json.nullableString("role"), detail: try json.nullableString("url"),
            start: try json.nullableString("startMonth"), end: try json.nullableString("endMonth"),
            description: try json.nullableString("description"))
    }

    static func volunteeringInput(_ json: JSONObject) throws -> ProfileService.ActivityInput {
        try json.allowOnly(["organization", "role", "cause", "startMonth", "endMonth", "description"])
        return .init(
            name: try json.string("organization"), role: try json.string("role").map { .some($0) },
            detail: try json.nullableString("cause"), start: try json.nullableString("startMonth"),
            end: try json.nullableString("endMonth"), description: try json.nullableString("description"))
    }

    // MARK: Handlers

    @Sendable func addCertification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let input = try Self.certificationInput(try await body(request, context))
        return APIResponse.json(Represent.certification(try await services.profiles.addCertification(member, input)), status: .created)
    }

    @Sendable func updateCertification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = try parameter(context, "id")
        let input = try Self.certificationInput(try await body(request, context))
        return APIResponse.json(Represent.certification(try await services.profiles.updateCertification(member, id: id, input)))
    }

    @Sendable func addLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let input = try Self.languageInput(try await body(request, context))
        return APIResponse.json(Represent.language(try await services.profiles.addLanguage(member, input)), status: .created)
    }

    @Sendable func updateLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = try parameter(context, "id")
        let input = try Self.languageInput(try await body(request, context))
        return APIResponse.json(Represent.language(try await services.profiles.updateLanguage(member, id: id, input)))
    }

    @Sendable func addProject(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let input = try Self.projectInput(try await body(request, context))
        return APIResponse.json(Represent.project(try await services.profiles.addProject(member, input)), status: .created)
    }

    @Sendable func updateProject(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = try parameter(context, "id")
        let input = try Self.projectInput(try await body(request, context))
        return APIResponse.json(Represent.project(try await services.profiles.updateProject(member, id: id, input)))
    }

    @Sendable func addVolunteering(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let input = try Self.volunteeringInput(try await body(request, context))
        return APIResponse.json(Represent.volunteering(try await services.profiles.addVolunteering(member, input)), status: .created)
    }

    @Sendable func updateVolunteering(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = try parameter(context, "id")
        let input = try Self.volunteeringInput(try await body(request, context))
        return APIResponse.json(Represent.volunteering(try await services.profiles.updateVolunteering(member, id: id, input)))
    }

    func delete(_ kind: ProfileEntryKind, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await services.profiles.deleteEntry(member, kind: kind, id: try parameter(context, "id"))
        return APIResponse.noContent()
    }

    @Sendable func updateContact(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["email", "emailVisibility", "phone", "phoneVisibility", "websites", "websitesVisibility"])
        var websites: [Website]?
        if let value = json.members["websites"] {
            guard case .array(let items) = value else {
                throw DomainError.invalid("invalid_type", "Field 'websites' must be an array of objects.")
            }
            guard items.count <= TextLimit.websiteCount else {
                throw DomainError.invalid("too_many", "At most \(TextLimit.websiteCount) websites.")
            }
            websites = try items.map { item in
                guard case .object(let members) = item else {
                    throw DomainError.invalid("invalid_type", "Field 'websites' must be an array of objects.")
                }
                let site = JSONObject(members: members)
                try site.allowOnly(["url", "label"])
                return Website(url: try site.requiredString("url"), label: try site.nullableString("label") ?? nil)
            }
        }
        let input = ProfileService.ContactInput(
            email: try json.nullableString("email"), emailVisibility: try json.enumValue("emailVisibility", ContactVisibility.self),
            phone: try json.nullableString("phone"), phoneVisibility: try json.enumValue("phoneVisibility", ContactVisibility.self),
            websites: websites, websitesVisibility: try json.enumValue("websitesVisibility", ContactVisibility.self))
        return APIResponse.json(Represent.contact(try await services.profiles.updateContact(member, input)))
    }
}

extension Represent {
    static func month(_ m: YearMonth?) -> JSONValue { .string(m?.description) }

    static func certification(_ c: Certification) -> JSONValue {
        .object([
            "id": .string(c.id), "name": .string(c.name), "issuer": .string(c.issuer), "obtainedMonth": month(c.obtained),
            "expiryMonth": month(c.expires), "credentialId": .string(c.credentialID), "url": .string(c.url), "score": .string(c.score),
        ])
    }

    static func language(_ l: LanguageSkill) -> JSONValue {
        .object(["id": .string(l.id), "name": .string(l.name), "level": .string(l.level.rawValue), "jlpt": .string(l.jlpt?.label)])
    }

    static func project(_ p: Project) -> JSONValue {
        .object([
            "id": .string(p.id), "name": .string(p.name), "role": .string(p.role), "url": .string(p.url), "startMonth": month(p.start),
            "endMonth": month(p.end), "description": .string(p.description),
        ])
    }

    static func volunteering(_ v: VolunteerRole) -> JSONValue {
        .object([
            "id": .string(v.id), "organization": .string(v.organization), "role": .string(v.role), "cause": .string(v.cause),
            "startMonth": month(v.start), "endMonth": month(v.end), "description": .string(v.description),
        ])
    }

    /// The details shown; the member's own view also names each detail's audience.
    static func contact(_ c: ContactInfo, own: Bool = true) -> JSONValue {
        var members: JSONFields = [
            "email": .string(c.email), "phone": .string(c.phone),
            "websites": .array(c.websites.map { .object(["url": .string($0.url), "label": .string($0.label)]) }),
        ]
        if own {
            members["emailVisibility"] = .string(c.emailVisibility.rawValue)
            members["phoneVisibility"] = .string(c.phoneVisibility.rawValue)
            members["websitesVisibility"] = .string(c.websitesVisibility.rawValue)
        }
        return .object(members)
    }

    static func photo(_ ref: PhotoRef?) -> JSONValue {
        guard let ref else { return .null }
        return .object(JSONFields(Dictionary(uniqueKeysWithValues: PhotoVariant.allCases.map { ($0.rawValue, JSONValue.string(PhotoURL.path(ref, $0))) })))
    }
}

/// Where a photo is served: the id changes with the picture, so the address may be cached for ever.
enum PhotoURL {
    static func path(_ ref: PhotoRef, _ variant: PhotoVariant) -> String { "/photos/\(ref.id)/\(variant.rawValue).jpg" }
}
