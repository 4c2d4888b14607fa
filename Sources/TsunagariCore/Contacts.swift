import Foundation

/// Where a contact came from.
public enum ContactSource: String, Sendable, CaseIterable {
    /// A row of LinkedIn's Connections.csv.
    case linkedin
    /// A business card (CSV or vCard).
    case card
}

/// A person in a member's contacts: the importer's alone, saying only what the importer's file said. `member` is the
/// member it was matched to, which the importer sees only as a profile they may see anyway.
public struct Contact: Hashable, Sendable {
    public var id: String
    public var owner: MemberID
    public var source: ContactSource
    public var card: ContactCard
    public var member: MemberID?
    public var createdAt: Date

    public init(id: String, owner: MemberID, source: ContactSource, card: ContactCard, member: MemberID?, createdAt: Date) {
        self.id = id
        self.owner = owner
        self.source = source
        self.card = card
        self.member = member
        self.createdAt = createdAt
    }

    /// The same person from the same kind of file: importing a file twice adds nothing. Name, company and first
    /// email, folded, so a re-export with different spacing or case is still the same card.
    public var duplicateKey: String {
        let parts = [source.rawValue, PersonNameKey.key(card.name), card.company.map(CompanyName.key) ?? "",
                     card.emails.first.map { $0.lowercased() } ?? ""]
        return parts.joined(separator: "\u{1F}")
    }
}

/// Names compared the way people write them: NFKC, case folded, no spaces or middle dots, katakana read as
/// hiragana (so `ヤマダ タロウ` and `やまだたろう` are one reading).
public enum PersonNameKey {
    public static func key(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "・" || scalar == "·" || scalar == "." || scalar == "," { continue }
            // Katakana ァ…ヶ to hiragana ぁ…ゖ: the same reading either way.
            if (0x30A1...0x30F6).contains(scalar.value), let hiragana = Unicode.Scalar(scalar.value - 0x60) {
                scalars.append(hiragana)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

/// A member who works at a company now, with their name and its reading: what matching a card needs.
public struct CompanyMember: Hashable, Sendable {
    public var member: MemberID
    public var companyKey: String
    public var name: String
    public var nameReading: String?

    public init(member: MemberID, companyKey: String, name: String, nameReading: String?) {
        self.member = member
        self.companyKey = companyKey
        self.name = name
        self.nameReading = nameReading
    }
}

/// What an import writes to the member's own profile, all at once.
public struct ProfileImportPlan: Sendable {
    public var fields: ProfileFieldsChange
    public var positions: [PositionDraft]
    public var educations: [Education]
    /// The whole new list of skills (those there before come first), or nil when nothing is added.
    public var skills: [String]?
    /// New certifications, languages, projects and volunteer roles.
    public var entries: [ProfileEntry]

    public init(fields: ProfileFieldsChange, positions: [PositionDraft], educations: [Education], skills: [String]?, entries: [ProfileEntry] = []) {
        self.fields = fields
        self.positions = positions
        self.educations = educations
        self.skills = skills
        self.entries = entries
    }

    public var isEmpty: Bool { fields.changed.isEmpty && positions.isEmpty && educations.isEmpty && skills == nil && entries.isEmpty }
}

/// A contact of `owner`'s matched to `member`, and where the contact came from.
public typealias ContactMatch = (owner: MemberID, member: MemberID, source: ContactSource)

/// Contacts, imports and the verified employer, in storage.
public protocol ContactStore: Sendable {
    /// One transaction: the profile's new fields, positions, educations and skills, and the contacts (a contact whose
    /// `duplicateKey` the owner already has is left as it is). Answers how many contacts were new.
    func applyImport(_ plan: ProfileImportPlan, contacts: [Contact], for member: MemberID, at: Date) async throws -> Int
    /// The owner's contacts, newest first.
    func contacts(of owner: MemberID) async throws -> [Contact]
    /// (owner, matched member) for every matched contact of these owners.
    func matchedContacts(of owners: [MemberID]) async throws -> [ContactMatch]
    /// Members by the emails they signed up with (lowercased keys); emails no member has are absent.
    func memberIDs(emails: [String]) async throws -> [String: MemberID]
    /// Members who work now at a company whose key is one of `companyKeys`.
    func currentMembers(companyKeys: [String]) async throws -> [CompanyMember]
    /// Sets or clears the employer an operator (or a confirmed work email) verified.
    func setVerifiedEmployer(_ companyID: String?, for member: MemberID) async throws
    func verifiedEmployer(of member: MemberID) async throws -> CompanyRef?
    /// Members whose verified employer is this company and who share their network with colleagues.
    func sharingColleagues(at companyID: String) async throws -> [MemberID]
    /// A company by the key of its name (`CompanyName.key`).
    func company(key: String) async throws -> CompanyRef?
}

extension CompanyMember {
    /// Each (member, company) pair once, in order: a member may hold two current positions at one company, and storage
    /// reads them without a `DISTINCT` (whose sort cost more than the join).
    public static func withoutRepeats(_ members: [CompanyMember]) -> [CompanyMember] {
        var seen = Set<MemberID>(minimumCapacity: members.count)
        var repeated = Set<MemberID>()
        for member in members where !seen.insert(member.member).inserted { repeated.insert(member.member) }
        guard !repeated.isEmpty else { return members }
        var kept = Set<String>()
        return members.filter { !repeated.contains($0.member) || kept.insert($0.member.rawValue + "\u{1F}" + $0.companyKey).inserted }
    }
}
