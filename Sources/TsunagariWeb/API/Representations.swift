import Foundation
import TsunagariCore

/// How domain values look in the JSON API; one function per shape named in the OpenAPI document.
enum Represent {
    /// RFC 3339 in UTC, to the second.
    static func time(_ date: Date) -> JSONValue {
        .string(timeString(date))
    }

    /// `2026-12-05T10:50:07Z`: what `Date.ISO8601FormatStyle` in UTC writes (the second started, fractions dropped),
    /// written from the day count by calendar arithmetic for the years 1900 to 9999. The format style builds a
    /// calendar's date components for each date, which was a twentieth of a list of connections' time; other years go
    /// to it (before 1582 it counts by the Julian calendar).
    static func timeString(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // 1900-01-01 and 10000-01-01, in seconds since 1970.
        guard seconds >= -2_208_988_800, seconds < 253_402_300_800 else {
            return date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
        }
        let whole = Int(seconds)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let second = whole - days * 86_400
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        return String(unsafeUninitializedCapacity: 20) { buffer in
            var index = 0
            func put(_ value: Int, _ width: Int) {
                var rest = value
                for offset in (0..<width).reversed() {
                    buffer[index + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                index += width
            }
            func mark(_ character: Unicode.Scalar) {
                buffer[index] = UInt8(ascii: character)
                index += 1
            }
            let parts: [(Int, Int, Unicode.Scalar)] = [
                (year, 4, "-"), (month, 2, "-"), (day, 2, "T"), (second / 3_600, 2, ":"), (second % 3_600 / 60, 2, ":"), (second % 60, 2, "Z"),
            ]
            for (value, width, after) in parts {
                put(value, width)
                mark(after)
            }
            return index
        }
    }

    /// `MemberSummary`. Degrees and mutual counts come from the network; until it exists only self is known.
    static func summary(_ p: Profile, viewer: MemberID?) -> JSONValue {
        .object([
            "id": .string(p.memberID.rawValue), "handle": .string(p.handle), "name": .string(p.name),
            "headline": .string(p.headline), "location": .string(p.fields.location),
            "degree": viewer == p.memberID ? .int(0) : .null, "mutualConnectionCount": .int(0),
            "photo": photo(p.photo),
        ])
    }

    static func position(_ p: Position) -> JSONValue {
        .object([
            "id": .string(p.id), "company": .object(["id": .string(p.company.id), "name": .string(p.company.name)]),
            "companyNameAsWritten": .string(p.companyNameAsWritten), "title": .string(p.title),
            "location": .string(p.location), "startMonth": .string(p.startMonth.description),
            "endMonth": .string(p.endMonth?.description), "description": .string(p.description),
        ])
    }

    static func education(_ e: Education) -> JSONValue {
        .object([
            "id": .string(e.id), "school": .string(e.school), "degree": .string(e.degree), "field": .string(e.field),
            "startYear": .int(e.startYear), "endYear": .int(e.endYear),
        ])
    }

    static func openToWork(_ o: OpenToWork) -> JSONValue {
        .object([
            "enabled": .bool(o.enabled), "visibility": .string(o.visibility.rawValue),
            "titles": .array(o.titles.map(JSONValue.string)), "locations": .array(o.locations.map(JSONValue.string)),
        ])
    }

    static func settings(_ s: ProfileSettings) -> JSONValue {
        .object([
            "profileVisibility": .string(s.profileVisibility.rawValue),
            "connectionsVisibility": .string(s.connectionsVisibility.rawValue),
            "openToWork": openToWork(s.openToWork), "locale": .string(s.locale?.rawValue),
            "sectionVisibility": .object(
                JSONFields(Dictionary(uniqueKeysWithValues: ProfileSection.allCases.map { ($0.rawValue, JSONValue.string(s.sectionVisibility[$0].rawValue)) }))),
            "recruiterMessages": .bool(s.recruiterMessages), "shareNetworkWithColleagues": .bool(s.shareNetworkWithColleagues),
        ])
    }

    static func profileSections(_ p: Profile) -> JSONFields {
        [
            "id": .string(p.memberID.rawValue), "handle": .string(p.handle), "name": .string(p.name),
            "nameReading": .string(p.fields.nameReading), "headline": .string(p.headline),
            "location": .string(p.fields.location), "industry": .string(p.fields.industry), "about": .string(p.fields.about),
            "positions": .array(p.positions.map(position)), "educations": .array(p.educations.map(education)),
            "skills": .array(p.skills.map(JSONValue.string)),
            "certifications": .array(p.certifications.map(certification)), "languages": .array(p.languages.map(language)),
            "projects": .array(p.projects.map(project)), "volunteering": .array(p.volunteering.map(volunteering)),
            "photo": photo(p.photo), "banner": photo(p.banner),
        ]
    }

    /// `OwnProfile`: every section and setting, for `GET /me`.
    static func ownProfile(_ p: Profile, email: String) -> JSONValue {
        var members = profileSections(p)
        members["email"] = .string(email)
        members["role"] = .string(p.role.rawValue)
        members["settings"] = settings(p.settings)
        members["contact"] = contact(p.contact)
        members["createdAt"] = time(p.createdAt)
        members["updatedAt"] = time(p.updatedAt)
        return .object(members)
    }

    /// `MemberProfile`: what `GET /members/{idOrHandle}` shows this viewer.
    static func memberProfile(
        _ view: ProfileService.View, person: PersonSummary?, relationship: ConnectionService.Relationship, following: Bool
    ) -> JSONValue {
        let p = view.profile
        var members: JSONFields
        switch view.access {
        case .full:
            members = profileSections(p)
            members["contact"] = contact(p.contact, own: false)
        case .limited:
            members = [
                "id": .string(p.memberID.rawValue), "handle": .string(p.handle), "name": .string(p.name), "headline": .string(p.headline),
                "photo": .null,
            ]
        }
        members["access"] = .string(view.access == .full ? "full" : "limited")
        let degree = person?.degree ?? (view.relation == .oneself ? .oneself : .beyond)
        members["degree"] = degree == .beyond ? .null : .int(degree.rawValue)
        members["mutualConnectionCount"] = .int(person?.mutualConnectionCount ?? 0)
        members["relationship"] = .string(relationship.rawValue)
        members["following"] = .bool(following)
        members["openToWork"] = view.showsOpenToWork ? openToWork(p.settings.openToWork) : .null
        return .object(members)
    }

    static func companyRef(_ c: CompanyRef) -> JSONValue {
        .object(["id": .string(c.id), "name": .string(c.name)])
    }

    static func company(_ c: Company) -> JSONValue {
        .object([
            "id": .string(c.id), "name": .string(c.name), "currentMemberCount": .int(c.currentMemberCount),
            "pastMemberCount": .int(c.pastMemberCount),
        ])
    }

    static func export(_ e: AccountService.Export) -> JSONValue {
        .object([
            "exportedAt": time(Date()),
            "account": .object([
                "id": .string(e.account.memberID.rawValue), "email": .string(e.account.email),
                "role": .string(e.account.role.rawValue), "createdAt": time(e.account.createdAt),
            ]),
            "profile": ownProfile(e.profile, email: e.account.email),
            "sessions": .array(
                e.sessions.map {
                    .object(["kind": .string($0.kind.rawValue), "createdAt": time($0.createdAt), "expiresAt": time($0.expiresAt)])
                }),
        ])
    }
}

extension Represent {
    /// `MemberSummary` for a person in a list, with the viewer's degree and mutual count. Written straight into bytes,
    /// its keys in order as `JSONValue.write` orders an object's: every list of people is made of these (a test holds
    /// them to the object they replaced).
    static func summary(_ person: PersonSummary) -> JSONValue {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(person, into: &out)
        return .written(out)
    }

    /// The same, written at the end of `out`: a list's people go into the list's own bytes. The card's part is written
    /// once per card (`MemberCard.made(by:)`) and copied after.
    static func write(_ person: PersonSummary, into out: inout [UInt8]) {
        let card = person.card.made(by: CardBytes.init)
        out.append(contentsOf: #"{"degree":"#.utf8)
        if person.degree == .beyond {
            out.append(contentsOf: "null".utf8)
        } else {
            JSONValue.write(integer: Int64(person.degree.rawValue), into: &out)
        }
        out.append(contentsOf: card.beforeCount)
        JSONValue.write(integer: Int64(person.mutualConnectionCount), into: &out)
        out.append(contentsOf: card.afterCount)
    }

    /// A card's part of a person's JSON: from `"handle"` to the mutual count's key, and from `"name"` to the end.
    final class CardBytes: Sendable {
        let beforeCount: [UInt8]
        let afterCount: [UInt8]

        init(_ card: MemberCard) {
            var out: [UInt8] = []
            func text(_ value: String?) {
                if let value { JSONValue.write(string: value, into: &out) } else { out.append(contentsOf: "null".utf8) }
            }
            out.append(contentsOf: #","handle":"#.utf8)
            text(card.handle)
            out.append(contentsOf: #","headline":"#.utf8)
            text(card.headline)
            out.append(contentsOf: #","id":"#.utf8)
            text(card.id.rawValue)
            out.append(contentsOf: #","location":"#.utf8)
            text(card.location)
            out.append(contentsOf: #","mutualConnectionCount":"#.utf8)
            beforeCount = out
            out = []
            out.append(contentsOf: #","name":"#.utf8)
            text(card.name)
            out.append(contentsOf: #","photo":"#.utf8)
            photo(card.photo).write(into: &out)
            out.append(UInt8(ascii: "}"))
            afterCount = out
        }
    }

    static func list(_ items: [JSONValue], next: String?) -> JSONValue {
        .object(["items": .array(items), "nextCursor": .string(next)])
    }

    /// The same list, each item written by `write` straight into the list's bytes: a long list of people built no
    /// value, and no buffer, for each of them.
    static func list<Items: Collection>(
        _ items: Items, next: String?, write: (Items.Element, inout [UInt8]) -> Void
    ) -> JSONValue {
        var out: [UInt8] = []
        out.reserveCapacity(48 + items.count * 320)
        out.append(contentsOf: #"{"items":["#.utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(item, &out)
        }
        out.append(contentsOf: #"],"nextCursor":"#.utf8)
        JSONValue.string(next).write(into: &out)
        out.append(UInt8(ascii: "}"))
        return .written(out)
    }

    static func invitation(_ invitation: Invitation, people: [MemberID: PersonSummary]) -> JSONValue? {
        guard let from = people[invitation.from], let to = people[invitation.to] else { return nil }
        return .object([
            "id": .string(invitation.id), "from": summary(from), "to": summary(to), "message": .string(invitation.message),
            "status": .string(invitation.status.rawValue), "createdAt": time(invitation.createdAt),
        ])
    }

    /// A suggestion, `{"member": …, "reasons": […]}`, written straight into a list's bytes: the bytes of the object it
    /// replaced (a request's twenty built and freed a dictionary each, and one or two for each reason).
    static func write(_ suggestion: NetworkService.Suggestion, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"member":"#.utf8)
        write(suggestion.person, into: &out)
        out.append(contentsOf: #","reasons":["#.utf8)
        for (index, reason) in suggestion.reasons.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(reason, into: &out)
        }
        out.append(contentsOf: "]}".utf8)
    }

    /// A connection in a list, `{"connectedAt": …, "member": …}`, written at the end of `out`.
    static func write(_ entry: NetworkService.ConnectionEntry, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"connectedAt":"#.utf8)
        (entry.connectedAt.map(time) ?? .null).write(into: &out)
        out.append(contentsOf: #","member":"#.utf8)
        write(entry.person, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// A reason: its kind, and its count, company or school where it has one; its keys in order.
    private static func write(_ reason: NetworkService.Reason, into out: inout [UInt8]) {
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: #"":"#.utf8)
        }
        out.append(UInt8(ascii: "{"))
        if let company = reason.company {
            key("company")
            out.append(contentsOf: #"{"id":"#.utf8)
            JSONValue.write(string: company.id, into: &out)
            out.append(contentsOf: #","name":"#.utf8)
            JSONValue.write(string: company.name, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        if let count = reason.count {
            key("count")
            JSONValue.write(integer: Int64(count), into: &out)
        }
        key("kind")
        JSONValue.write(string: reason.kind.rawValue, into: &out)
        if let school = reason.school {
            key("school")
            JSONValue.write(string: school, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func shared(_ shared: SharedAffiliation) -> JSONValue {
        switch shared.kind {
        case .company:
            .object([
                "company": .object(["id": .string(shared.organisationID), "name": .string(shared.organisationName)]),
                "overlap": .bool(shared.overlap),
            ])
        case .school:
            .object(["school": .string(shared.organisationName), "overlap": .bool(shared.overlap)])
        }
    }

    static func introduction(_ introduction: Introduction, people: [MemberID: PersonSummary]) -> JSONValue {
        func person(_ id: MemberID) -> JSONValue { people[id].map(summary) ?? .null }
        return .object([
            "id": .string(introduction.id), "requester": person(introduction.requester), "via": person(introduction.via),
            "target": person(introduction.target), "message": .string(introduction.message),
            "status": .string(introduction.status.rawValue), "forwardNote": .string(introduction.forwardNote),
            "createdAt": time(introduction.createdAt), "conversationId": .string(introduction.conversationID),
        ])
    }
}
