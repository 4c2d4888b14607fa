import Foundation
import Hummingbird
import NIOCore
import TsunagariCore
import TsunagariDataFiles
import TsunagariQR

/// API.md "Data": a LinkedIn export and business cards coming in, contacts, inviting many, the QR code, the export,
/// and reaching people through colleagues.
struct DataAPIRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
        api.post("me/imports/linkedin", use: importLinkedIn)
        api.post("me/contacts", use: importContacts)
        api.get("me/contacts", use: contacts)
        api.post("invitations/bulk", use: inviteMany)
        api.get("me/qr", use: qr)
        api.get("companies/{id}/colleague-reach", use: colleagueReach)
    }

    @Sendable func importLinkedIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        var request = request
        let type = DataFileReading.mediaType(request.headers[.contentType])
        let file = request.uri.queryParameters.get("file")
        guard DataFileReading.zipTypes.contains(type) || (type == "text/csv" && file != nil) else {
            throw DomainError.invalid(
                "bad_file", "Send the export's .zip (application/zip), or one of its CSV files (text/csv) with ?file=Positions.csv and the like.")
        }
        try await services.dataImport.admitImport(member: member)
        let body = try await request.collectUpload(limit: DataFileLimits.standard.maximumUploadBytes)
        let imported = try await DataFileReading.linkedIn(Data(body.readableBytesView), csvFile: type == "text/csv" ? file : nil)
        let summary = try await services.dataImport.importLinkedIn(imported, member: member)
        return APIResponse.json(Represent.linkedInImport(summary))
    }

    @Sendable func importContacts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        var request = request
        let contentType = request.headers[.contentType]
        try await services.dataImport.admitImport(member: member)
        let body = try await request.collectUpload(limit: DataFileLimits.standard.maximumUploadBytes)
        let cards = try await DataFileReading.cards(Data(body.readableBytesView), contentType: contentType, fileName: nil)
        let summary = try await services.dataImport.importCards(cards, member: member)
        return APIResponse.json(.object(["rows": .int(summary.rows), "matched": .int(summary.matched), "added": .int(summary.added)]))
    }

    @Sendable func contacts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let listed = try await ContactList.load(member: member, services: services)
        return APIResponse.json(Represent.list(listed.items.map { Represent.contact($0.contact, member: $0.person) }, next: nil))
    }

    @Sendable func inviteMany(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let json = try await body(request, context)
        try json.allowOnly(["memberIds", "message"])
        guard let ids = try json.stringArray("memberIds", max: ConnectionService.bulkInvitationMaximum), !ids.isEmpty else {
            throw DomainError.invalid("required", "Name at least one member to invite (memberIds).")
        }
        guard ids.allSatisfy({ $0.unicodeScalars.count <= 64 }) else {
            throw DomainError.invalid("invalid_value", "Each of memberIds is a member's id, at most 64 characters.")
        }
        let outcome = try await services.connections.inviteMany(
            ids.map { MemberID($0.lowercased()) }, from: member, message: try json.nullableString("message") ?? nil)
        return APIResponse.json(.object(["sent": .int(outcome.sent), "skipped": .int(outcome.skipped)]))
    }

    @Sendable func qr(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let format = request.uri.queryParameters.get("format") ?? "svg"
        guard format == "svg" || format == "png" else {
            throw DomainError.invalid("invalid_value", "format must be svg or png.")
        }
        let profile = try await services.profiles.own(member)
        let link = ConnectLink.url(handle: profile.handle, request: request, context: context, configuration: services.configuration)
        return try ConnectLink.image(link, png: format == "png", title: nil)
    }

    @Sendable func colleagueReach(_ request: Request, context: AppRequestContext) async throws -> Response {
        let member = try context.requireMember()
        let entries = try await services.colleagueReach.reach(companyID: try parameter(context, "id"), viewer: member)
        return APIResponse.json(Represent.list(entries.map(Represent.reach), next: nil))
    }
}

/// Reading members' files off Swift's cooperative pool: a 10,000-row file takes tens of milliseconds of CPU that
/// would otherwise hold up every request on that core.
enum DataFileReading {
    static let zipTypes: Set<String> = ["application/zip", "application/x-zip-compressed", "application/x-zip"]

    /// `text/csv; charset=utf-8` → `text/csv`.
    static func mediaType(_ header: String?) -> String {
        (header ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { done in
            DispatchQueue.global(qos: .userInitiated).async { done.resume(with: Result { try work() }) }
        }
    }

    /// The export's zip, or one of its CSV files when `csvFile` names it.
    static func linkedIn(_ data: Data, csvFile: String?) async throws -> ImportedProfile {
        try await offPool {
            if let csvFile {
                guard LinkedInExport.knownFiles.contains(csvFile) else {
                    throw DomainError.invalid(
                        "bad_file", "file must be one of \(LinkedInExport.knownFiles.joined(separator: ", ")).")
                }
                return try LinkedInExport.read(csv: data, file: csvFile)
            }
            return try LinkedInExport.read(zip: data)
        }
    }

    /// Business cards: CSV or vCard, told apart by the content type, the file name or the bytes.
    static func cards(_ data: Data, contentType: String?, fileName: String?) async throws -> [ContactCard] {
        guard let format = BusinessCards.detect(data, contentType: contentType.map { mediaType($0) }, fileName: fileName) else {
            throw DataFileError(.malformed, file: fileName ?? "upload", message: "This is neither a CSV file nor a vCard file.")
        }
        return try await offPool { try BusinessCards.read(data, format: format, file: fileName ?? "upload.\(format == .csv ? "csv" : "vcf")") }
    }
}

/// The link a QR code holds: `<site>/in/<handle>?connect=1`, which opens the profile with the invitation ready.
enum ConnectLink {
    static func site(request: Request, context: AppRequestContext, configuration: AppConfiguration) -> String {
        if let configured = configuration.publicURL { return configured }
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        // A Host header is the client's to write: only a plain host[:port] goes into a link.
        let plain = Self.isPlain(host)
        return "\(context.secureTransport ? "https" : "http")://\(plain ? host : "\(configuration.host):\(configuration.port)")"
    }

    /// Letters, digits and `.-:[]`. ASCII is checked byte by byte: asking Foundation's character set of each was a
    /// hundredth of a profile page's samples, which names the site in every public profile's head.
    static func isPlain(_ host: String) -> Bool {
        let ascii = host.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                true
            default: false
            }
        }
        if ascii { return true }
        return host.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0) }
    }

    static func url(handle: String, request: Request, context: AppRequestContext, configuration: AppConfiguration) -> String {
        let escaped = handle.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? handle
        return "\(site(request: request, context: context, configuration: configuration))/in/\(escaped)?connect=1"
    }

    /// The QR code as SVG or PNG; private, since it names the member's handle, and cacheable by the member alone.
    static func image(_ link: String, png: Bool, title: String?) throws -> Response {
        let code: QRCode
        do {
            code = try QRCode(encoding: link, correction: .medium)
        } catch {
            throw DomainError.invalid("too_long", "This link is too long for a QR code.")
        }
        var headers: HTTPFields = [.cacheControl: "private, max-age=300"]
        let bytes: [UInt8]
        if png {
            headers[.contentType] = "image/png"
            bytes = code.png(scale: 8, quietZone: 4)
        } else {
            headers[.contentType] = "image/svg+xml"
            bytes = Array(code.svg(moduleSize: 8, quietZone: 4, title: title).utf8)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The member's contacts with the members they were matched to, as the member may see them now.
struct ContactList {
    struct Item {
        var contact: Contact
        /// The matched member, when the member may see them (a block, or a profile that became hidden, hides them).
        var person: PersonSummary?
    }

    var items: [Item]

    static func load(member: MemberID, services: AppServices) async throws -> ContactList {
        let contacts = try await services.dataImport.contacts(of: member)
        let matched = Array(Set(contacts.compactMap(\.member)))
        let people = Dictionary(
            try await services.network.summaries(matched, for: .member(member, .member)).map { ($0.card.id, $0) },
            uniquingKeysWith: { a, _ in a })
        return ContactList(items: contacts.map { Item(contact: $0, person: $0.member.flatMap { people[$0] }) })
    }
}

/// Everything the member owns, as `tsunagari.json` and as LinkedIn's CSV files.
enum DataExport {
    static func document(member: MemberID, services: AppServices) async throws -> JSONValue {
        guard case .object(var export) = Represent.export(try await services.accounts.export(member: member)) else {
            throw DomainError.unauthenticated
        }
        let viewer = Viewer.member(member, .member)
        // Connections and invitations, with the other members as the member sees them.
        let connections = try await services.storage.connections(of: member)
        let sent = try await services.connections.invitations(of: member, received: false, cursor: nil, limit: 1_000)
        let received = try await services.connections.invitations(of: member, received: true, cursor: nil, limit: 1_000)
        let ids = Set(connections.map(\.other) + (sent + received).flatMap { [$0.from, $0.to] } + [member])
        let people = Dictionary(
            try await services.network.summaries(Array(ids), for: viewer).map { ($0.card.id, $0) }, uniquingKeysWith: { a, _ in a })
        export["connections"] = .array(
            connections.compactMap { row in
                people[row.other].map { .object(["member": Represent.summary($0), "connectedAt": Represent.time(row.connectedAt)]) }
            })
        export["invitations"] = .array((sent + received).compactMap { Represent.invitation($0, people: people) })
        // Conversations with every message, the other participants' too: they are the member's copy.
        let conversations = try await services.messaging.export(member: member)
        let messagePeople = try await MessagingPeople.load(
            for: conversations.map(\.entry)
                + conversations.flatMap { c in c.messages.map { ConversationEntry(conversation: c.entry.conversation, lastMessage: $0, unreadCount: 0) } },
            viewer: member, services: services)
        export["conversations"] = .array(
            conversations.map { item in
                guard case .object(var object) = Represent.conversation(item.entry, people: messagePeople) else { return .null }
                object["messages"] = .array(item.messages.map { Represent.message($0, people: messagePeople) })
                return .object(object)
            })
        // The member's posts (with the reactions and comments they drew).
        var posts: [JSONValue] = []
        var cursor: String?
        repeat {
            let page = try await services.posts.memberPosts(member, viewer: member, cursor: cursor, limit: 100)
            posts += page.items.map(Represent.post)
            cursor = page.next
        } while cursor != nil && posts.count < 100_000
        export["posts"] = .array(posts)
        // Jobs posted, applications made and referral requests asked by or of the member.
        export["jobs"] = .array(
            try await services.jobs.postings(viewer: member).map { item in
                var object = Represent.jobSummaryFields(item.job)
                object["applicantCount"] = .int(item.applicants)
                return .object(object)
            })
        export["applications"] = .array(try await services.jobs.myApplications(viewer: member).map { Represent.application($0.application, job: $0.job) })
        export["referralRequests"] = .array(try await services.jobs.referralRequests(viewer: member).map(Represent.referral))
        export["savedSearches"] = .array(
            try await services.savedSearches.list(viewer: member).map { search in
                .object([
                    "id": .string(search.id), "kind": .string(search.kind.rawValue), "name": .string(search.name),
                    "query": .string(search.query), "filters": .string(search.filters), "createdAt": Represent.time(search.createdAt),
                ])
            })
        // Contacts say what the member's files said; a matched member is named only by id.
        export["contacts"] = .array(
            try await services.dataImport.contacts(of: member).map { Represent.contact($0, member: nil, full: true) })
        return .object(export)
    }

    /// The zip of `GET /me/export?format=zip`: LinkedIn's five CSV files (so the export imports here or elsewhere)
    /// and `tsunagari.json`.
    static func zip(member: MemberID, site: String, services: AppServices) async throws -> Data {
        let document = try await document(member: member, services: services)
        let profile = try await services.profiles.own(member)
        let connections = try await services.storage.connections(of: member)
        let people = try await services.network.summaries(connections.map(\.other), for: .member(member, .member))
        let since = Dictionary(connections.map { ($0.other, $0.connectedAt) }, uniquingKeysWith: { a, _ in a })
        // A connection's employer as their profile shows everyone (the search index's stored attributes).
        let employers = services.searchIndex.currentCompanies(of: people.map(\.card.id))
        var companyNames: [String: String] = [:]
        for id in Set(employers.values.compactMap(\.first)) {
            if let company = try? await services.storage.company(id: id) { companyNames[id] = company.name }
        }
        let exported = people.map { person in
            ExportedConnection(
                name: person.card.name, profileURL: "\(site)/in/\(person.card.handle)",
                company: employers[person.card.id]?.first.flatMap { companyNames[$0] }, position: person.card.headline,
                connectedOn: since[person.card.id] ?? Date())
        }
        var files = LinkedInExport.files(profile: profile, connections: exported)
        files.append((name: "tsunagari.json", data: Data(document.encoded())))
        let ready = files
        return try await DataFileReading.offPool { try DataArchive.zip(ready) }
    }
}

extension Represent {
    static func linkedInImport(_ summary: DataImportService.LinkedInSummary) -> JSONValue {
        .object([
            "profile": .object([
                "fieldsFilled": .array(summary.profile.fieldsFilled.map(JSONValue.string)), "positions": .int(summary.profile.positions),
                "educations": .int(summary.profile.educations), "skills": .int(summary.profile.skills),
                "certifications": .int(summary.profile.certifications), "languages": .int(summary.profile.languages),
                "projects": .int(summary.profile.projects), "volunteering": .int(summary.profile.volunteering),
            ]),
            "connections": .object([
                "rows": .int(summary.connections.rows), "matched": .int(summary.connections.matched), "added": .int(summary.connections.added),
            ]),
            "files": .array(summary.files.map(JSONValue.string)),
        ])
    }

    /// A contact as its importer sees it: what their file said, and the member it matched if they may see them.
    /// `full` adds every field (for the export).
    static func contact(_ contact: Contact, member: PersonSummary?, full: Bool = false) -> JSONValue {
        let card = contact.card
        var object: JSONFields = [
            "id": .string(contact.id), "name": .string(card.name), "nameReading": .string(card.nameReading),
            "company": .string(card.company), "title": .string(card.title), "email": .string(card.emails.first),
            "source": .string(contact.source.rawValue), "member": member.map(summary) ?? .null,
        ]
        if full {
            object["department"] = .string(card.department)
            object["emails"] = .array(card.emails.map(JSONValue.string))
            object["phones"] = .array(card.phones.map(JSONValue.string))
            object["profileUrl"] = .string(card.profileURL)
            object["connectedOn"] = card.connectedOn.map(time) ?? .null
            object["createdAt"] = time(contact.createdAt)
            object["member"] = nil
        }
        return .object(object)
    }

    static func reach(_ entry: ColleagueReachService.Entry) -> JSONValue {
        .object([
            "member": summary(entry.person),
            "colleagues": .array(
                entry.colleagues.map { .object(["member": summary($0.person), "via": .string($0.via.rawValue)]) }),
        ])
    }
}
