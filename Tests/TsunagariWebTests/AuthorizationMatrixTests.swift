import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TsunagariCore
@testable import TsunagariWeb

/// Every route that takes an id, asked by every relationship a caller can have to the member who owns the thing
/// named: the member themself, a connection, a 2nd-degree member, a stranger, a member they blocked, and nobody
/// logged in. The expected answers are PRODUCT.md's rules; a cell that answers otherwise is named in the failure.
@Suite struct AuthorizationMatrixTests {
    enum Caller: String, CaseIterable {
        case owner, connection, second, stranger, blocked, anonymous
    }

    struct Row {
        let method: HTTPRequest.Method
        let path: String
        let body: [String: Any]?
        /// The expected status per caller.
        let expected: [Caller: HTTPResponse.Status]
    }

    static func row(
        _ method: HTTPRequest.Method, _ path: String, body: [String: Any]? = nil, owner: HTTPResponse.Status,
        connection: HTTPResponse.Status, second: HTTPResponse.Status, stranger: HTTPResponse.Status,
        blocked: HTTPResponse.Status = .notFound, anonymous: HTTPResponse.Status = .unauthorized
    ) -> Row {
        Row(
            method: method, path: path, body: body,
            expected: [.owner: owner, .connection: connection, .second: second, .stranger: stranger, .blocked: blocked, .anonymous: anonymous])
    }

    @Test func everyRouteWithAnIdAnswersEachRelationshipAsTheRulesSay() async throws {
        try await withApp { client, _ in
            let cast = try await Cast.make(client, ["Owner", "Conn", "Second", "Stranger", "Blocked", "Invitee"])
            try await cast.connect(client, "Owner", "Conn")
            try await cast.connect(client, "Conn", "Second")
            let blocked = try await client.call(.put, "/api/v1/members/\(cast.ids["Blocked"]!)/block", token: cast.tokens["Owner"])
            #expect(blocked.status == .noContent)
            let owner = cast.ids["Owner"]!
            let position = try await client.call(
                .post, "/api/v1/me/positions", token: cast.tokens["Owner"], json: ["company": "Matrix KK", "title": "Engineer", "startMonth": "2020-01"])
            let positionID = position.json["id"] as? String ?? ""
            let companyID = (position.json["company"] as? [String: Any])?["id"] as? String ?? ""
            let education = try await client.call(.post, "/api/v1/me/educations", token: cast.tokens["Owner"], json: ["school": "Matrix University"])
            let educationID = education.json["id"] as? String ?? ""
            let saved = try await client.call(.post, "/api/v1/search/saved", token: cast.tokens["Owner"], json: ["q": "engineer"])
            let savedID = saved.json["id"] as? String ?? ""
            let invitation = try await client.call(.post, "/api/v1/invitations", token: cast.tokens["Owner"], json: ["inviteeId": cast.ids["Invitee"]!])
            let invitationID = invitation.json["id"] as? String ?? ""
            // Second asks Conn for an introduction to Owner.
            let introduction = try await client.call(
                .post, "/api/v1/introductions", token: cast.tokens["Second"],
                json: ["targetId": owner, "viaId": cast.ids["Conn"]!, "message": "Please introduce me"])
            let introductionID = introduction.json["id"] as? String ?? ""
            #expect([positionID, companyID, educationID, savedID, invitationID, introductionID].allSatisfy { !$0.isEmpty })

            let rows: [Row] = [
                // A members-only profile (the default) does not exist for a visitor who is not logged in.
                Self.row(.get, "/api/v1/members/\(owner)", owner: .ok, connection: .ok, second: .ok, stranger: .ok, anonymous: .notFound),
                Self.row(.get, "/api/v1/members/\(owner)/connections", owner: .ok, connection: .ok, second: .ok, stranger: .ok),
                Self.row(.get, "/api/v1/members/\(owner)/mutual-connections", owner: .ok, connection: .ok, second: .ok, stranger: .ok),
                Self.row(.get, "/api/v1/network/paths/\(owner)", owner: .ok, connection: .ok, second: .ok, stranger: .ok),
                Self.row(.get, "/api/v1/companies/\(companyID)", owner: .ok, connection: .ok, second: .ok, stranger: .ok, blocked: .ok, anonymous: .ok),
                Self.row(.get, "/api/v1/companies/\(companyID)/people", owner: .ok, connection: .ok, second: .ok, stranger: .ok, blocked: .ok),
                // What belongs to the owner alone: anyone else is told it does not exist.
                Self.row(.patch, "/api/v1/me/positions/\(positionID)", body: ["title": "Taken over"], owner: .ok, connection: .notFound, second: .notFound, stranger: .notFound),
                Self.row(.patch, "/api/v1/me/educations/\(educationID)", body: ["school": "Taken over"], owner: .ok, connection: .notFound, second: .notFound, stranger: .notFound),
                Self.row(.get, "/api/v1/search/saved/\(savedID)", owner: .ok, connection: .notFound, second: .notFound, stranger: .notFound),
                // The owner's invitation to someone else: only its invitee may answer it; the sender is told why.
                Self.row(.post, "/api/v1/invitations/\(invitationID)/accept", owner: .forbidden, connection: .notFound, second: .notFound, stranger: .notFound),
                Self.row(.post, "/api/v1/invitations/\(invitationID)/ignore", owner: .forbidden, connection: .notFound, second: .notFound, stranger: .notFound),
                // An introduction Second asked of Conn, to the owner: the owner sees it only once forwarded.
                Self.row(.post, "/api/v1/introductions/\(introductionID)/decline", owner: .notFound, connection: .noContent, second: .forbidden, stranger: .notFound),
                // Follows: oneself is refused; the blocked member finds no one.
                Self.row(.put, "/api/v1/members/\(owner)/follow", owner: .unprocessableContent, connection: .noContent, second: .noContent, stranger: .noContent),
                // Removing a connection: only an existing one.
                Self.row(.delete, "/api/v1/connections/\(owner)", owner: .notFound, connection: .noContent, second: .notFound, stranger: .notFound),
                Self.row(.delete, "/api/v1/me/positions/\(positionID)", owner: .noContent, connection: .notFound, second: .notFound, stranger: .notFound),
            ]
            var wrong: [String] = []
            for row in rows {
                // The owner goes last, so that a change it makes (a removal) cannot hide another caller's answer.
                for caller in [Caller.anonymous, .blocked, .stranger, .second, .connection, .owner] {
                    let token: String? =
                        switch caller {
                        case .owner: cast.tokens["Owner"]
                        case .connection: cast.tokens["Conn"]
                        case .second: cast.tokens["Second"]
                        case .stranger: cast.tokens["Stranger"]
                        case .blocked: cast.tokens["Blocked"]
                        case .anonymous: nil
                        }
                    let reply = try await client.call(row.method, row.path, token: token, json: row.body)
                    if reply.status != row.expected[caller] {
                        wrong.append("\(row.method) \(row.path) as \(caller): \(reply.status.code), expected \(row.expected[caller]!.code) \(reply.text.prefix(120))")
                    }
                }
            }
            #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
        }
    }
}
