import Foundation
import Hummingbird
import TsunagariCore

/// `/api/v1`: the JSON API of API.md. Each handler reads its input strictly, calls one domain service
/// (where authorization is decided) and writes one representation.
struct APIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("accounts", use: signUp)
        api.post("sessions", use: logIn)
        api.delete("sessions/current", use: logOut)
        api.get("me", use: me)
        api.delete("me", use: deleteAccount)
        api.get("me/export", use: export)
        api.patch("me/profile", use: updateProfile)
        api.post("me/positions", use: addPosition)
        api.patch("me/positions/{id}", use: updatePosition)
        api.delete("me/positions/{id}", use: deletePosition)
        api.post("me/educations", use: addEducation)
        api.patch("me/educations/{id}", use: updateEducation)
        api.delete("me/educations/{id}", use: deleteEducation)
        api.put("me/skills", use: setSkills)
        api.patch("me/settings", use: updateSettings)
        api.get("members/{idOrHandle}", use: member)
        api.get("companies/{id}", use: company)
    }

    // MARK: Accounts and sessions

    @Sendable func signUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let json = try await body(request, context)
        try json.allowOnly(["email", "password", "name", "locale"])
        let locale = try json.enumValue("locale", TsunagariCore.Locale.self)
        let result = try await services.accounts.signUp(
            email: try json.requiredString("email"), password: try json.requiredString("password"),
            name: try json.requiredString("name"), locale: locale, address: context.clientAddress, kind: .api)
        await services.signedUp(result.profile.memberID, logger: context.logger)
        return APIResponse.json(
            .object(["token": .string(result.token), "member": Represent.summary(result.profile, viewer: result.profile.memberID)]),
            status: .created)
    }

    @Sendable func logIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let json = try await body(request, context)
        try json.allowOnly(["email", "password"])
        let result = try await services.accounts.logIn(
            email: try json.requiredString("email"), password: try json.requiredString("password"),
            address: context.clientAddress, kind: .api)
        return APIResponse.json(
            .object(["token": .string(result.token), "member": Represent.summary(result.profile, viewer: result.profile.memberID)]))
    }

    @Sendable func logOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireMember()
        if let token = context.sessionToken { try await services.accounts.logOut(token: token) }
        return APIResponse.noContent()
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let mine = try await services.accounts.own(member: member)
        guard case .object(var own) = Represent.ownProfile(mine.profile, email: mine.account.email) else { throw DomainError.unauthenticated }
        own["verifiedEmployer"] = try await services.colleagueReach.employer(of: member).map(Represent.companyRef) ?? .null
        return APIResponse.json(.object(own))
    }

    @Sendable func deleteAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["password"])
        try await services.accounts.deleteAccount(member: member, password: try json.requiredString("password"))
        return APIResponse.noContent()
    }

    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        switch request.uri.queryParameters.get("format") ?? "json" {
        case "json":
            return APIResponse.json(try await DataExport.document(member: member, services: services))
        case "zip":
            let site = ConnectLink.site(request: request, context: context, configuration: services.configuration)
            let zip = try await DataExport.zip(member: member, site: site, services: services)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/zip", .contentDisposition: "attachment; filename=\"tsunagari-export.zip\"",
                    .cacheControl: "no-store",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: zip)))
        default:
            throw DomainError.invalid("invalid_value", "format must be json or zip.")
        }
    }

    // MARK: Profile

    @Sendable func updateProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["name", "nameReading", "handle", "headline", "location", "industry", "about"])
        let change = ProfileService.FieldsChange(
            name: try json.string("name"), nameReading: try json.nullableString("nameReading"), handle: try json.string("handle"),
            headline: try json.nullableString("headline"), location: try json.nullableString("location"),
            industry: try json.nullableString("industry"), about: try json.nullableString("about"))
        let profile = try await services.profiles.updateFields(member, change)
        let email = try await services.storage.account(id: member)?.email ?? ""
        return APIResponse.json(Represent.ownProfile(profile, email: email))
    }

    private static let positionFields: Set<String> = ["company", "title", "location", "startMonth", "endMonth", "description"]

    private func positionInput(_ json: JSONObject) throws -> ProfileService.PositionInput {
        try json.allowOnly(Self.positionFields)
        return ProfileService.PositionInput(
            company: try json.string("company"), title: try json.string("title"), location: try json.nullableString("location"),
            startMonth: try json.string("startMonth"), endMonth: try json.nullableString("endMonth"),
            description: try json.nullableString("description"))
    }

    @Sendable func addPosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let input = try positionInput(try await body(request, context))
        return APIResponse.json(Represent.position(try await services.profiles.addPosition(member, input)), status: .created)
    }

    @Sendable func updatePosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = try parameter(context, "id")
        let input = try positionInput(try await body(request, context))
        return APIResponse.json(Represent.position(try await services.profiles.updatePosition(member, id: id, input)))
    }

    @Sendable func deletePosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await services.profiles.deletePosition(member, id: try parameter(context, "id"))
        return APIResponse.noContent()
    }

    private func educationInput(_ json: JSONObject) throws -> ProfileService.EducationInput {
        try json.allowOnly(["school", "degree", "field", "startYear", "endYear"])
        return ProfileService.EducationInput(
            school: try json.string("school"), degree: try json.nullableString("degree"), field: try json.nullableString("field"),
            startYear: try json.nullableInt("startYear"), endYear: try json.nullableInt("endYear"))
    }

    @Sendable func addEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let input = try educationInput(try await body(request, context))
        return APIResponse.json(Represent.education(try await services.profiles.addEducation(member, input)), status: .created)
    }

    @Sendable func updateEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = try parameter(context, "id")
        let input = try educationInput(try await body(request, context))
        return APIResponse.json(Represent.education(try await services.profiles.updateEducation(member, id: id, input)))
    }

    @Sendable func deleteEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await services.profiles.deleteEducation(member, id: try parameter(context, "id"))
        return APIResponse.noContent()
    }

    @Sendable func setSkills(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["skills"])
        guard let skills = try json.stringArray("skills", max: TextLimit.skillCount) else {
            throw DomainError.invalid("required", "Field 'skills' is required.")
        }
        let saved = try await services.profiles.setSkills(member, skills)
        return APIResponse.json(.object(["skills": .array(saved.map(JSONValue.string))]))
    }

    @Sendable func updateSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly([
            "profileVisibility", "connectionsVisibility", "openToWork", "locale", "sectionVisibility", "recruiterMessages",
            "shareNetworkWithColleagues",
        ])
        var change = ProfileService.SettingsChange(
            profileVisibility: try json.enumValue("profileVisibility", ProfileVisibility.self),
            connectionsVisibility: try json.enumValue("connectionsVisibility", ConnectionsVisibility.self),
            recruiterMessages: try json.bool("recruiterMessages"), shareNetworkWithColleagues: try json.bool("shareNetworkWithColleagues"))
        if let openToWork = try json.object("openToWork") {
            try openToWork.allowOnly(["enabled", "visibility", "titles", "locations"])
            change.openToWorkEnabled = try openToWork.bool("enabled")
            change.openToWorkVisibility = try openToWork.enumValue("visibility", OpenToWorkVisibility.self)
            change.openToWorkTitles = try openToWork.stringArray("titles", max: TextLimit.openToWorkEntries)
            change.openToWorkLocations = try openToWork.stringArray("locations", max: TextLimit.openToWorkEntries)
        }
        if let sections = try json.object("sectionVisibility") {
            try sections.allowOnly(Set(ProfileSection.allCases.map(\.rawValue)))
            var values: [ProfileSection: SectionVisibility] = [:]
            for section in ProfileSection.allCases {
                if let value = try sections.enumValue(section.rawValue, SectionVisibility.self) { values[section] = value }
            }
            change.sectionVisibility = values
        }
        if let locale = try json.nullableString("locale") {
            if let locale {
                guard let value = TsunagariCore.Locale(rawValue: locale) else {
                    throw DomainError.invalid("invalid_value", "Field 'locale' must be one of: en, ja.")
                }
                change.locale = .some(value)
            } else {
                change.locale = .some(nil)
            }
        }
        return APIResponse.json(Represent.settings(try await services.profiles.updateSettings(member, change)))
    }

    @Sendable func member(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await services.profiles.view(try parameter(context, "idOrHandle"), by: context.viewer)
        var relationship = ConnectionService.Relationship.none
        var following = false
        if let viewer = context.viewer.memberID {
            relationship = try await services.connections.relationship(of: viewer, to: view.profile.memberID)
            following = services.connections.isFollowing(view.profile.memberID, by: viewer)
        }
        let person = services.network.summary(of: view.profile, for: context.viewer)
        return APIResponse.json(Represent.memberProfile(view, person: person, relationship: relationship, following: following))
    }

    @Sendable func company(_ request: Request, context: AppRequestContext) async throws -> Response {
        APIResponse.json(Represent.company(try await services.profiles.company(id: try parameter(context, "id"))))
    }
}

/// Reading a request's input, the same way for every API route.
func body(_ request: Request, _ context: AppRequestContext) async throws -> JSONObject {
    var request = request
    let buffer = try await request.collectBody(upTo: context.maxUploadSize)
    return try JSONValue.parseObject(Data(buffer.readableBytesView))
}

/// A path parameter naming an id or handle: 404 when it could name nothing.
func parameter(_ context: AppRequestContext, _ name: String) throws -> String {
    guard let value = context.parameters.get(name), !value.isEmpty, value.utf8.count <= 100, PathText.isPlain(value) else {
        throw DomainError.notFound("Resource")
    }
    return value
}

/// Ids and handles in paths never hold control characters; such a path names nothing.
enum PathText {
    static func isPlain(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }
}
