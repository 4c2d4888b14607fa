import Foundation
import Hummingbird
import TsunagariCore

/// The forms of `/me/edit` for certifications, languages, projects, volunteer work and contact details. A form that
/// fails shows the page again with what the member typed and the message.
struct ProfileEntriesPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        for kind in ProfileEntryKind.allCases {
            let slug = ProfileEntriesPages.slug(kind)
            router.post("me/\(slug)", use: { try await add(kind, $0, $1) })
            router.get("me/\(slug)/{id}/edit", use: { try await editForm(kind, $0, $1) })
            router.post("me/\(slug)/{id}", use: { try await update(kind, $0, $1) })
            router.post("me/\(slug)/{id}/delete", use: { try await delete(kind, $0, $1) })
        }
        router.post("me/contact", use: saveContact)
    }

    private var pages: PageRoutes { PageRoutes(services: services) }

    private static func optional(_ text: String?) -> String?? {
        .some(text?.trimmingCharacters(in: .whitespaces)).map { $0?.isEmpty == true ? nil : $0 }
    }

    /// Saves the form as a new entry (`id` nil) or a change of one.
    private func save(_ kind: ProfileEntryKind, id: String?, member: MemberID, _ f: FormData) async throws {
        let profiles = services.profiles
        switch kind {
        case .certification:
            let input = ProfileService.CertificationInput(
                name: f["name"] ?? "", issuer: .some(f["issuer"]), obtained: Self.optional(f["obtainedMonth"]),
                expires: Self.optional(f["expiryMonth"]), credentialID: .some(f["credentialId"]), url: Self.optional(f["url"]),
                score: .some(f["score"]))
            if let id { _ = try await profiles.updateCertification(member, id: id, input) } else { _ = try await profiles.addCertification(member, input) }
        case .language:
            let input = ProfileService.LanguageInput(name: f["name"] ?? "", level: f["level"] ?? "", jlpt: Self.optional(f["jlpt"]))
            if let id { _ = try await profiles.updateLanguage(member, id: id, input) } else { _ = try await profiles.addLanguage(member, input) }
        case .project:
            let input = ProfileService.ActivityInput(
                name: f["name"] ?? "", role: .some(f["role"]), detail: Self.optional(f["url"]), start: Self.optional(f["startMonth"]),
                end: Self.optional(f["endMonth"]), description: .some(f["description"]))
            if let id { _ = try await profiles.updateProject(member, id: id, input) } else { _ = try await profiles.addProject(member, input) }
        case .volunteering:
            let input = ProfileService.ActivityInput(
                name: f["organization"] ?? "", role: .some(f["role"] ?? ""), detail: .some(f["cause"]),
                start: Self.optional(f["startMonth"]), end: Self.optional(f["endMonth"]), description: .some(f["description"]))
            if let id { _ = try await profiles.updateVolunteering(member, id: id, input) } else { _ = try await profiles.addVolunteering(member, input) }
        }
    }

    func add(_ kind: ProfileEntryKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            try await save(kind, id: nil, member: member, context.form)
            return .redirect(to: "/me/edit?saved=1#edit-\(ProfileEntriesPages.slug(kind))")
        } catch {
            return try await pages.editFailed(request, context, form: kind.rawValue, error: error)
        }
    }

    func editForm(_ kind: ProfileEntryKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = context.parameters.get("id") ?? ""
        guard let entry = try await services.profiles.own(member).entries.first(where: { $0.kind == kind && $0.id == id }) else {
            throw DomainError.notFound("Entry")
        }
        return HTMLResponse.make(
            ProfileEntriesPages.editEntry(await pages.chrome(request, context), kind, id: id, values: ProfileEntriesPages.values(entry), error: nil))
    }

    func update(_ kind: ProfileEntryKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = context.parameters.get("id") ?? ""
        do {
            try await save(kind, id: id, member: member, context.form)
            return .redirect(to: "/me/edit?saved=1#edit-\(ProfileEntriesPages.slug(kind))")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            var values: [String: String] = [:]
            for (key, list) in context.form.values where key != "_csrf" { values[key] = list.last }
            return HTMLResponse.make(
                ProfileEntriesPages.editEntry(await pages.chrome(request, context), kind, id: id, values: values, error: error.message),
                status: .unprocessableContent)
        }
    }

    func delete(_ kind: ProfileEntryKind, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await services.profiles.deleteEntry(try context.requireMember(), kind: kind, id: context.parameters.get("id") ?? "")
        return .redirect(to: "/me/edit?saved=1#edit-\(ProfileEntriesPages.slug(kind))")
    }

    @Sendable func saveContact(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let f = context.form
        do {
            // One site per line: the address, then an optional label after a space.
            let websites = (f["websites"] ?? "").split(whereSeparator: \.isNewline).compactMap { line -> Website? in
                let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                guard let url = parts.first else { return nil }
                return Website(url: String(url), label: parts.count > 1 ? String(parts[1]) : nil)
            }
            _ = try await services.profiles.updateContact(
                member,
                .init(
                    email: Self.optional(f["email"]), emailVisibility: f["emailVisibility"].flatMap(ContactVisibility.init(rawValue:)),
                    phone: Self.optional(f["phone"]), phoneVisibility: f["phoneVisibility"].flatMap(ContactVisibility.init(rawValue:)),
                    websites: websites, websitesVisibility: f["websitesVisibility"].flatMap(ContactVisibility.init(rawValue:))))
            return .redirect(to: "/me/edit?saved=1#edit-contact")
        } catch {
            return try await pages.editFailed(request, context, form: "contact", error: error)
        }
    }
}
