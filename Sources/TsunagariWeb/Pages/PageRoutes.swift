import Foundation
import Hummingbird
import TsunagariCore

/// The server-rendered pages. Handlers build a model, call one domain service, and render a view;
/// forms post here (CSRF-checked by `FormMiddleware`) and redirect with 303 on success.
struct PageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("/", use: landing)
        router.get("signup", use: signUpForm)
        router.post("signup", use: signUp)
        router.get("login", use: logInForm)
        router.post("login", use: logIn)
        router.post("logout", use: logOut)
        router.post("language", use: switchLanguage)
        router.get("in/{handle}", use: profile)
        router.get("me/edit", use: editProfile)
        router.post("me/profile", use: saveProfile)
        router.post("me/positions", use: addPosition)
        router.get("me/positions/{id}/edit", use: editPosition)
        router.post("me/positions/{id}", use: updatePosition)
        router.post("me/positions/{id}/delete", use: deletePosition)
        router.post("me/educations", use: addEducation)
        router.get("me/educations/{id}/edit", use: editEducation)
        router.post("me/educations/{id}", use: updateEducation)
        router.post("me/educations/{id}/delete", use: deleteEducation)
        router.post("me/skills", use: saveSkills)
        router.get("settings", use: settingsPage)
        router.post("settings", use: saveSettings)
        router.get("settings/password", use: passwordPage)
        router.post("settings/password", use: changePassword)
        router.get("settings/delete", use: deletePage)
        router.post("settings/delete", use: deleteAccount)
    }

    func chrome(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
    }

    /// A message for a failed form, in the page's language when we have one, else the domain's text.
    func message(_ error: any Error) throws -> String {
        guard let error = error as? DomainError, error.kind != .unauthenticated, error.kind != .malformed else { throw error }
        if case .rateLimited = error.kind { throw error }
        return error.message
    }

    private func sessionCookie(_ token: String, _ context: AppRequestContext) -> Cookie {
        Cookie(
            name: ViewerMiddleware.sessionCookie, value: token, maxAge: Int(AccountService.sessionLifetime), path: "/",
            secure: context.secureTransport, httpOnly: true, sameSite: .lax)
    }

    // MARK: Accounts

    @Sendable func landing(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let viewer = context.viewer.memberID {
            return try await PostPageRoutes(services: services).home(request, context, viewer: viewer)
        }
        return HTMLResponse.make(AccountPages.landing(await chrome(request, context)))
    }

    @Sendable func signUpForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.viewer.memberID != nil { return .redirect(to: "/me/edit") }
        return HTMLResponse.make(AccountPages.signUp(await chrome(request, context), .init()))
    }

    @Sendable func signUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        do {
            let result = try await services.accounts.signUp(
                email: form["email"] ?? "", password: form["password"] ?? "", name: form["name"] ?? "",
                locale: context.locale, address: context.clientAddress, kind: .web)
            await services.signedUp(result.profile.memberID, logger: context.logger)
            var response = Response.redirect(to: "/me/edit")
            response.setCookie(sessionCookie(result.token, context))
            return response
        } catch {
            let page = AccountPages.signUp(
                await chrome(request, context), .init(name: form["name"] ?? "", email: form["email"] ?? "", error: try message(error)))
            return HTMLResponse.make(page, status: .unprocessableContent)
        }
    }

    @Sendable func logInForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.viewer.memberID != nil { return .redirect(to: "/me/edit") }
        let next = request.uri.queryParameters.get("next").map { Response.localPath($0, fallback: "") }.flatMap { $0.isEmpty ? nil : $0 }
        return HTMLResponse.make(AccountPages.logIn(await chrome(request, context), .init(next: next)))
    }

    @Sendable func logIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        do {
            let result = try await services.accounts.logIn(
                email: form["email"] ?? "", password: form["password"] ?? "", address: context.clientAddress, kind: .web)
            var response = Response.redirect(to: Response.localPath(form["next"], fallback: "/in/\(result.profile.handle)"))
            response.setCookie(sessionCookie(result.token, context))
            return response
        } catch let error as DomainError where error.code == "invalid_credentials" {
            let text = context.locale == .ja ? "メールアドレスまたはパスワードが違います。" : error.message
            let page = AccountPages.logIn(
                await chrome(request, context), .init(email: form["email"] ?? "", next: form["next"], error: text))
            return HTMLResponse.make(page, status: .unauthorized)
        } catch let error as DomainError where error.code == "account_suspended" {
            let text = context.locale == .ja ? "このアカウントは利用停止中です。誤りと思われる場合はこのサイトの運営者にご連絡ください。" : error.message
            let page = AccountPages.logIn(
                await chrome(request, context), .init(email: form["email"] ?? "", next: form["next"], error: text))
            return HTMLResponse.make(page, status: .forbidden)
        }
    }

    @Sendable func logOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let token = context.sessionToken { try await services.accounts.logOut(token: token) }
        var response = Response.redirect(to: "/")
        response.setCookie(Cookie(name: ViewerMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax))
        return response
    }

    /// Switches the interface language: a member's setting when logged in, a cookie otherwise.
    @Sendable func switchLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let locale = context.form["locale"].flatMap(TsunagariCore.Locale.init(rawValue:)) else {
            throw DomainError.invalid("invalid_value", "Unknown language.")
        }
        if let member = context.viewer.memberID {
            _ = try await services.profiles.updateSettings(member, .init(locale: .some(locale)))
        }
        var response = Response.redirect(to: Response.localPath(context.form["next"], fallback: "/"))
        response.setCookie(
            Cookie(name: ViewerMiddleware.languageCookie, value: locale.rawValue, maxAge: 60 * 60 * 24 * 365, path: "/", httpOnly: true, sameSite: .lax))
        return response
    }

    // MARK: Profiles

    @Sendable func profile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let handle = context.parameters.get("handle") ?? ""
        // A scanned QR code's link: the invitation form ready, after logging in if need be.
        let connect = request.uri.queryParameters.get("connect") == "1"
        if connect, context.viewer.memberID == nil {
            let back = "/in/\(handle.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")?connect=1"
            return .redirect(to: "/login?next=\(back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        let view: ProfileService.View
        do {
            view = try await services.profiles.view(handle, by: context.viewer)
        } catch let error as DomainError where error.kind == .notFound {
            // A handle its member gave up lately: the old address leads to the new one.
            // Only to a profile this viewer may see: a blocked or hidden member's new handle is not told.
            guard let current = try await services.profiles.currentHandle(forFormer: handle),
                (try? await services.profiles.view(current, by: context.viewer)) != nil
            else { throw error }
            return Response(status: .movedPermanently, headers: [.location: "/in/\(current)\(connect ? "?connect=1" : "")"])
        }
        if view.profile.handle != handle {
            // One address per profile: ids and other spellings of the handle redirect to it.
            return Response(status: .movedPermanently, headers: [.location: "/in/\(view.profile.handle)\(connect ? "?connect=1" : "")"])
        }
        // Every read below comes from memory (the graph, the member cache's cards and open invitations, the recent
        // posts), read through on a miss: asked in turn. As child tasks at once, the tasks and their wake-ups cost more
        // than they saved (docs/BENCHMARKS.md "Request path, round 17").
        var activity: [Post]?
        // A profile the viewer may see only the name and headline of shows nothing more, its activity included.
        if let viewer = context.viewer.memberID, view.access == .full {
            activity = try await services.posts.latestPosts(by: view.profile.memberID, viewer: viewer, limit: 3)
        }
        var network: NetworkPages.ProfileNetwork?
        if let viewer = context.viewer.memberID, view.relation != .oneself {
            // The page shows the degree beside the name, and no count.
            let person = services.network.summary(of: view.profile, for: context.viewer, counted: false)
            let member = view.profile.memberID
            let relation = try await services.connections.relation(of: viewer, to: member)
            // The page names a few of each (NetworkPages.profileNetwork): only those are summarised. All are the viewer's
            // connections, beside whom the page shows no mutual count: none is counted.
            let paths =
                person.degree == .second || person.degree == .third
                ? try await services.network.paths(to: member, viewer: viewer, limit: NetworkPages.pathsShown, counted: false) : nil
            let mutual = try await services.network.mutualConnections(
                with: member, viewer: viewer, limit: NetworkPages.mutualShown, counted: false)
            // Connections may write; so may a recruiter to a member who takes recruiters' messages.
            let isRecruiter = if case .member(_, .recruiter) = context.viewer { true } else { false }
            let mayMessage = person.degree == .first || (isRecruiter && view.profile.settings.recruiterMessages)
            network = NetworkPages.ProfileNetwork(
                person: person, relationship: relation.relationship, invitationID: relation.invitation?.id,
                following: services.connections.isFollowing(member, by: viewer), mutual: mutual, paths: paths,
                connectionCount: services.network.connectionCount(of: member),
                maySeeConnections: services.network.maySeeList(of: member, viewer: viewer), mayMessage: mayMessage, connectReady: connect)
        }
        let site = ConnectLink.site(request: request, context: context, configuration: services.configuration)
        return HTMLResponse.make(ProfilePages.show(await chrome(request, context), view, network: network, activity: activity, site: site))
    }

    @Sendable func editProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let notice = request.uri.queryParameters.get("saved") != nil ? Text.saved(context.locale) : nil
        return HTMLResponse.make(ProfilePages.edit(await chrome(request, context, notice: notice), try await services.profiles.own(member)))
    }

    /// Re-renders the edit page with the member's input and the error, for the form that failed.
    func editFailed(_ request: Request, _ context: AppRequestContext, form: String, error: any Error) async throws -> Response {
        let member = try context.requireMember()
        var values: [String: String] = [:]
        for (key, list) in context.form.values where key != "_csrf" { values[key] = list.last }
        let draft = ProfilePages.Draft(values: values, error: try message(error), form: form)
        let page = ProfilePages.edit(await chrome(request, context), try await services.profiles.own(member), draft: draft)
        return HTMLResponse.make(page, status: .unprocessableContent)
    }

    @Sendable func saveProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let f = context.form
        do {
            _ = try await services.profiles.updateFields(
                member,
                .init(
                    name: f["name"], nameReading: f["nameReading"].map { .some($0) },
                    handle: f["handle"]?.trimmingCharacters(in: .whitespaces),
                    headline: f["headline"].map { .some($0) }, location: f["location"].map { .some($0) },
                    industry: f["industry"].map { .some($0) }, about: f["about"].map { .some($0) }))
            return .redirect(to: "/me/edit?saved=1")
        } catch {
            return try await editFailed(request, context, form: "profile", error: error)
        }
    }

    private func positionInput(_ f: FormData) -> ProfileService.PositionInput {
        .init(
            company: f["company"] ?? "", title: f["title"] ?? "", location: .some(f["location"]),
            startMonth: (f["startMonth"] ?? "").trimmingCharacters(in: .whitespaces),
            // An empty end month in the form means a current role.
            endMonth: .some(f["endMonth"]?.trimmingCharacters(in: .whitespaces)).map { $0?.isEmpty == true ? nil : $0 },
            description: .some(f["description"]))
    }

    @Sendable func addPosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            _ = try await services.profiles.addPosition(member, positionInput(context.form))
            return .redirect(to: "/me/edit?saved=1#positions")
        } catch {
            return try await editFailed(request, context, form: "position", error: error)
        }
    }

    @Sendable func editPosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = context.parameters.get("id") ?? ""
        guard let position = try await services.profiles.own(member).positions.first(where: { $0.id == id }) else {
            throw DomainError.notFound("Position")
        }
        return HTMLResponse.make(
            ProfilePages.editPosition(await chrome(request, context), id: id, values: ProfilePages.positionValues(position), error: nil))
    }

    @Sendable func updatePosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await services.profiles.updatePosition(member, id: id, positionInput(context.form))
            return .redirect(to: "/me/edit?saved=1#positions")
        } catch let error as DomainError where error.kind == .invalid {
            var values: [String: String] = [:]
            for (key, list) in context.form.values where key != "_csrf" { values[key] = list.last }
            return HTMLResponse.make(
                ProfilePages.editPosition(await chrome(request, context), id: id, values: values, error: error.message),
                status: .unprocessableContent)
        }
    }

    @Sendable func deletePosition(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.profiles.deletePosition(try context.requireMember(), id: context.parameters.get("id") ?? "")
        return .redirect(to: "/me/edit?saved=1#positions")
    }

    private func year(_ text: String?) throws -> Int?? {
        guard let text = text?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text.isEmpty { return .some(nil) }
        guard let year = Int(text) else { throw DomainError.invalid("invalid_year", "Years must be numbers such as 2015.") }
        return .some(year)
    }

    private func educationInput(_ f: FormData) throws -> ProfileService.EducationInput {
        .init(
            school: f["school"] ?? "", degree: .some(f["degree"]), field: .some(f["field"]), startYear: try year(f["startYear"]),
            endYear: try year(f["endYear"]))
    }

    @Sendable func addEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            _ = try await services.profiles.addEducation(member, try educationInput(context.form))
            return .redirect(to: "/me/edit?saved=1#educations")
        } catch {
            return try await editFailed(request, context, form: "education", error: error)
        }
    }

    @Sendable func editEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = context.parameters.get("id") ?? ""
        guard let education = try await services.profiles.own(member).educations.first(where: { $0.id == id }) else {
            throw DomainError.notFound("Education")
        }
        return HTMLResponse.make(
            ProfilePages.editEducation(await chrome(request, context), id: id, values: ProfilePages.educationValues(education), error: nil))
    }

    @Sendable func updateEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await services.profiles.updateEducation(member, id: id, try educationInput(context.form))
            return .redirect(to: "/me/edit?saved=1#educations")
        } catch let error as DomainError where error.kind == .invalid {
            var values: [String: String] = [:]
            for (key, list) in context.form.values where key != "_csrf" { values[key] = list.last }
            return HTMLResponse.make(
                ProfilePages.editEducation(await chrome(request, context), id: id, values: values, error: error.message),
                status: .unprocessableContent)
        }
    }

    @Sendable func deleteEducation(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await services.profiles.deleteEducation(try context.requireMember(), id: context.parameters.get("id") ?? "")
        return .redirect(to: "/me/edit?saved=1#educations")
    }

    @Sendable func saveSkills(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let lines = (context.form["skills"] ?? "").split(whereSeparator: { $0.isNewline || $0 == "," || $0 == "、" }).map(String.init)
        do {
            _ = try await services.profiles.setSkills(member, lines)
            return .redirect(to: "/me/edit?saved=1#skills")
        } catch {
            return try await editFailed(request, context, form: "skills", error: error)
        }
    }

    // MARK: Settings

    @Sendable func settingsPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let notice = request.uri.queryParameters.get("saved") != nil ? Text.saved(context.locale) : nil
        let settings = try await services.profiles.own(member).settings
        return HTMLResponse.make(AccountPages.settings(await chrome(request, context, notice: notice), settings, error: nil))
    }

    @Sendable func saveSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let f = context.form
        func lines(_ name: String) -> [String] {
            (f[name] ?? "").split(whereSeparator: \.isNewline).map(String.init)
        }
        do {
            let change = ProfileService.SettingsChange(
                profileVisibility: f["profileVisibility"].flatMap(ProfileVisibility.init(rawValue:)),
                connectionsVisibility: f["connectionsVisibility"].flatMap(ConnectionsVisibility.init(rawValue:)),
                openToWorkEnabled: f["openToWork"] == "on",
                openToWorkVisibility: f["openToWorkVisibility"].flatMap(OpenToWorkVisibility.init(rawValue:)),
                openToWorkTitles: lines("openToWorkTitles"), openToWorkLocations: lines("openToWorkLocations"),
                locale: .some(f["locale"].flatMap(TsunagariCore.Locale.init(rawValue:))),
                sectionVisibility: Dictionary(
                    uniqueKeysWithValues: ProfileSection.allCases.compactMap { section in
                        f["section_\(section.rawValue)"].flatMap(SectionVisibility.init(rawValue:)).map { (section, $0) }
                    }),
                recruiterMessages: f["recruiterMessagesField"] == nil ? nil : f["recruiterMessages"] == "on",
                shareNetworkWithColleagues: f["shareNetworkField"] == nil ? nil : f["shareNetworkWithColleagues"] == "on")
            _ = try await services.profiles.updateSettings(member, change)
            return .redirect(to: "/settings?saved=1")
        } catch {
            let settings = try await services.profiles.own(member).settings
            return HTMLResponse.make(
                AccountPages.settings(await chrome(request, context), settings, error: try message(error)), status: .unprocessableContent)
        }
    }

    @Sendable func passwordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireMember()
        return HTMLResponse.make(AccountPages.changePassword(await chrome(request, context), error: nil))
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            try await services.accounts.changePassword(
                member: member, current: context.form["current"] ?? "", new: context.form["new"] ?? "", keepingToken: context.sessionToken)
            return HTMLResponse.make(
                AccountPages.changePassword(await chrome(request, context, notice: Text.passwordChanged(context.locale)), error: nil))
        } catch {
            return HTMLResponse.make(
                AccountPages.changePassword(await chrome(request, context), error: try message(error)), status: .unprocessableContent)
        }
    }

    @Sendable func deletePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireMember()
        return HTMLResponse.make(AccountPages.deleteAccount(await chrome(request, context), error: nil))
    }

    @Sendable func deleteAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            try await services.accounts.deleteAccount(member: member, password: context.form["password"] ?? "")
        } catch {
            return HTMLResponse.make(
                AccountPages.deleteAccount(await chrome(request, context), error: try message(error)), status: .unprocessableContent)
        }
        var anonymous = context
        anonymous.viewer = .anonymous
        var response = HTMLResponse.make(
            AccountPages.landing(await chrome(request, anonymous, notice: Text.accountDeleted(context.locale))))
        response.setCookie(Cookie(name: ViewerMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax))
        return response
    }
}
