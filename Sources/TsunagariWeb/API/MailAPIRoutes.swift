import Foundation
import Hummingbird
import TsunagariCore

/// Password reset and email verification by one-time links, and the daily digest setting (API.md additions).
struct MailAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.post("api/v1/password-resets", use: requestReset)
        router.post("api/v1/password-resets/confirm", use: confirmReset)
        router.post("api/v1/email-verifications", use: resendVerification)
        router.post("api/v1/email-verifications/confirm", use: confirmVerification)
        router.get("api/v1/me/mail-settings", use: mailSettings)
        router.put("api/v1/me/mail-settings", use: saveMailSettings)
    }

    /// 202 whether or not an account has the address.
    @Sendable func requestReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let json = try await body(request, context)
        try json.allowOnly(["email"])
        try await services.mail.requestPasswordReset(email: try json.requiredString("email"), address: context.clientAddress)
        return APIResponse.json(.object(["status": .string("sent")]), status: .accepted)
    }

    @Sendable func confirmReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let json = try await body(request, context)
        try json.allowOnly(["token", "password"])
        try await services.mail.resetPassword(token: try json.requiredString("token"), newPassword: try json.requiredString("password"))
        return APIResponse.noContent()
    }

    @Sendable func resendVerification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        try await services.mail.sendVerification(to: member)
        return APIResponse.json(.object(["status": .string("sent")]), status: .accepted)
    }

    @Sendable func confirmVerification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let json = try await body(request, context)
        try json.allowOnly(["token"])
        try await services.mail.verifyEmail(token: try json.requiredString("token"))
        return APIResponse.noContent()
    }

    @Sendable func mailSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        return try await settingsReply(member)
    }

    @Sendable func saveMailSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["dailyDigest"])
        guard let on = try json.bool("dailyDigest") else { throw DomainError.invalid("missing_field", "dailyDigest is required.") }
        try await services.mail.setDailyDigest(on, for: member)
        return try await settingsReply(member)
    }

    func settingsReply(_ member: MemberID) async throws -> Response {
        guard let account = try await services.storage.account(id: member) else { throw DomainError.unauthenticated }
        return APIResponse.json(
            .object([
                "mailEnabled": .bool(services.mail.settings.enabled), "emailVerified": .bool(account.emailVerified),
                "dailyDigest": .bool(try await services.mail.dailyDigest(of: member)),
            ]))
    }
}
