import Foundation
import Hummingbird
import NIOCore
import TsunagariCore
import TsunagariDataFiles

/// The data pages' routes. An upload that fails shows the page again with the message naming the file and the line
/// (413/422); nothing of a failed file is kept.
struct DataPageRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.get("me/data", use: yourData)
        router.post("me/data/import", use: importLinkedIn)
        router.get("me/export.zip", use: exportZip)
        router.get("me/contacts", use: contacts)
        router.post("me/contacts/import", use: importCards)
        router.post("me/contacts/invite", use: invite)
        router.get("me/qr", use: qrPage)
        router.get("me/qr.svg", use: qrSVG)
        router.get("me/qr.png", use: qrPNG)
    }

    private func chrome(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async -> PageChrome {
        await PageChromeBuilder.make(services, context, path: request.uri.path, notice: notice)
    }

    private func yourDataPage(
        _ request: Request, _ context: AppRequestContext, summary: DataImportService.LinkedInSummary? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let member = try context.requireMember()
        let count = try await services.dataImport.contacts(of: member).count
        let model = DataPages.YourDataModel(summary: summary, error: error, contactCount: count)
        return HTMLResponse.make(DataPages.yourData(await chrome(request, context), model), status: status)
    }

    @Sendable func yourData(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await yourDataPage(request, context)
    }

    /// The uploaded export: the zip, or one of its CSV files named as LinkedIn names them.
    @Sendable func importLinkedIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            guard let file = context.uploads["file"] else {
                throw DomainError.invalid("required", context.locale == .ja ? "ファイルを選んでください。" : "Choose a file to import.")
            }
            let csv = file.fileName.lowercased().hasSuffix(".csv")
                ? LinkedInExport.knownFiles.first { $0.lowercased() == file.fileName.lowercased() } ?? file.fileName : nil
            try await services.dataImport.admitImport(member: member)
            let imported = try await DataFileReading.linkedIn(file.data, csvFile: csv)
            let summary = try await services.dataImport.importLinkedIn(imported, member: member)
            return try await yourDataPage(request, context, summary: summary)
        } catch let error as DataFileError {
            return try await yourDataPage(
                request, context, error: Self.describe(error, context.locale), status: error.reason == .tooLarge ? .contentTooLarge : .unprocessableContent)
        } catch let error as DomainError where error.kind == .invalid {
            return try await yourDataPage(request, context, error: error.message, status: .unprocessableContent)
        }
    }

    /// A file's problem in the page's language: where it is (file and line) and what the reader said.
    static func describe(_ error: DataFileError, _ l: TsunagariCore.Locale) -> String {
        guard l == .ja else { return error.description }
        let place = error.line.map { "\(error.file) の \(String($0)) 行目" } ?? error.file
        switch error.reason {
        case .tooLarge: return "\(place): ファイルが大きすぎます（\(error.message)）"
        case .unknownEncoding: return "\(place): 文字コードを判別できません。UTF-8 か Shift_JIS で保存してください（\(error.message)）"
        case .malformed: return "\(place): 読み取れませんでした（\(error.message)）"
        }
    }

    @Sendable func exportZip(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let site = ConnectLink.site(request: request, context: context, configuration: services.configuration)
        let zip = try await DataExport.zip(member: member, site: site, services: services)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/zip", .contentDisposition: "attachment; filename=\"tsunagari-export.zip\"", .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: zip)))
    }

    private func contactsPage(
        _ request: Request, _ context: AppRequestContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let member = try context.requireMember()
        let list = try await ContactList.load(member: member, services: services)
        let page = DataPages.contacts(await chrome(request, context), DataPages.ContactsModel(list: list, notice: notice, error: error))
        return HTMLResponse.make(page, status: status)
    }

    @Sendable func contacts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let l = context.locale
        let query = request.uri.queryParameters
        var notice: String?
        if let rows = query.get("rows").flatMap(Int.init), let matched = query.get("matched").flatMap(Int.init) {
            notice = l == .ja ? "\(rows)件を読み込み、そのうち\(matched)人がメンバーでした。" : "Read \(rows) cards; \(matched) of them are members here."
        } else if let sent = query.get("sent").flatMap(Int.init) {
            let skipped = query.get("skipped").flatMap(Int.init) ?? 0
            notice = l == .ja ? "\(sent)人に招待を送りました（\(skipped)人は対象外）。" : "Sent \(sent) invitations (\(skipped) skipped)."
        }
        return try await contactsPage(request, context, notice: notice)
    }

    @Sendable func importCards(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        do {
            guard let file = context.uploads["file"] else {
                throw DomainError.invalid("required", context.locale == .ja ? "ファイルを選んでください。" : "Choose a file to import.")
            }
            try await services.dataImport.admitImport(member: member)
            let cards = try await DataFileReading.cards(file.data, contentType: file.contentType, fileName: file.fileName)
            let summary = try await services.dataImport.importCards(cards, member: member)
            return .redirect(to: "/me/contacts?rows=\(summary.rows)&matched=\(summary.matched)")
        } catch let error as DataFileError {
            return try await contactsPage(
                request, context, error: Self.describe(error, context.locale), status: error.reason == .tooLarge ? .contentTooLarge : .unprocessableContent)
        } catch let error as DomainError where error.kind == .invalid {
            return try await contactsPage(request, context, error: error.message, status: .unprocessableContent)
        }
    }

    @Sendable func invite(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let ids = context.form.all("memberIds").prefix(ConnectionService.bulkInvitationMaximum + 1).map { MemberID($0.lowercased()) }
        guard !ids.isEmpty else { return .redirect(to: "/me/contacts") }
        let message = context.form["message"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        do {
            let outcome = try await services.connections.inviteMany(Array(ids), from: member, message: message)
            return .redirect(to: "/me/contacts?sent=\(outcome.sent)&skipped=\(outcome.skipped)")
        } catch let error as DomainError where error.kind == .invalid {
            return try await contactsPage(request, context, error: error.message, status: .unprocessableContent)
        }
    }

    @Sendable func qrPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let profile = try await services.profiles.own(member)
        let link = ConnectLink.url(handle: profile.handle, request: request, context: context, configuration: services.configuration)
        return HTMLResponse.make(DataPages.qr(await chrome(request, context), link: link))
    }

    private func qrImage(_ request: Request, _ context: AppRequestContext, png: Bool) async throws -> Response {
        let member = try context.requireMember()
        let profile = try await services.profiles.own(member)
        let link = ConnectLink.url(handle: profile.handle, request: request, context: context, configuration: services.configuration)
        return try ConnectLink.image(link, png: png, title: "\(Text.myQRCode(context.locale)): \(profile.name)")
    }

    @Sendable func qrSVG(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await qrImage(request, context, png: false)
    }

    @Sendable func qrPNG(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await qrImage(request, context, png: true)
    }
}
