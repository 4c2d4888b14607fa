import Foundation

// The sections of a profile beyond work and school: what a Japanese résumé (履歴書, 職務経歴書) always carries and
// LinkedIn shows — certifications (資格), languages, projects, volunteer work — and contact details for the right
// people. Each entry is stored whole; nothing queries inside one, because search reads profiles from its own index.

/// A certification or licence: 基本情報技術者, 日商簿記2級, AWS Certified Solutions Architect, TOEIC with its score.
public struct Certification: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var issuer: String?
    public var obtained: YearMonth?
    public var expires: YearMonth?
    public var credentialID: String?
    public var url: String?
    /// A score or grade as written: "905", "N1", "2級".
    public var score: String?

    public init(
        id: String, name: String, issuer: String? = nil, obtained: YearMonth? = nil, expires: YearMonth? = nil,
        credentialID: String? = nil, url: String? = nil, score: String? = nil
    ) {
        self.id = id
        self.name = name
        self.issuer = issuer
        self.obtained = obtained
        self.expires = expires
        self.credentialID = credentialID
        self.url = url
        self.score = score
    }

    /// Expired by `month` (a certification without an expiry never expires).
    public func isExpired(at month: YearMonth) -> Bool { expires.map { $0 < month } ?? false }
}

/// How well a member speaks a language, in the four steps Japanese résumés use.
public enum LanguageLevel: String, Sendable, Codable, CaseIterable {
    case native, business, conversational, basic

    /// Words search finds the level by, in both languages ("英語 ビジネス", "English business").
    public var searchWords: [String] {
        switch self {
        case .native: ["native", "ネイティブ"]
        case .business: ["business", "ビジネス"]
        case .conversational: ["conversational", "日常会話"]
        case .basic: ["basic", "基礎"]
        }
    }

    /// LinkedIn's five proficiencies, as its export writes them, read into the four steps.
    public init?(linkedIn text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "native or bilingual proficiency", "native or bilingual", "native": self = .native
        case "full professional proficiency", "professional working proficiency", "full professional", "professional working",
            "business":
            self = .business
        case "limited working proficiency", "limited working", "conversational": self = .conversational
        case "elementary proficiency", "elementary", "basic": self = .basic
        default: return nil
        }
    }

    /// The proficiency LinkedIn's `Languages.csv` would write.
    public var linkedIn: String {
        switch self {
        case .native: "Native or bilingual proficiency"
        case .business: "Full professional proficiency"
        case .conversational: "Limited working proficiency"
        case .basic: "Elementary proficiency"
        }
    }
}

/// The Japanese-Language Proficiency Test level, N1 (highest) to N5.
public enum JLPTLevel: String, Sendable, Codable, CaseIterable {
    case n1, n2, n3, n4, n5

    public var label: String { rawValue.uppercased() }
}

public struct LanguageSkill: Hashable, Sendable, Codable {
    public var id: String
    /// As the member wrote it ("英語", "English", "Tiếng Việt").
    public var name: String
    public var level: LanguageLevel
    public var jlpt: JLPTLevel?

    public init(id: String, name: String, level: LanguageLevel, jlpt: JLPTLevel? = nil) {
        self.id = id
        self.name = name
        self.level = level
        self.jlpt = jlpt
    }
}

/// The usual languages' names in Japanese and English, so that either finds a member who wrote the other.
public enum LanguageNames {
    static let pairs: [(ja: String, en: String)] = [
        ("日本語", "Japanese"), ("英語", "English"), ("中国語", "Chinese"), ("韓国語", "Korean"), ("フランス語", "French"),
        ("ドイツ語", "German"), ("スペイン語", "Spanish"), ("ポルトガル語", "Portuguese"), ("イタリア語", "Italian"),
        ("ロシア語", "Russian"), ("ベトナム語", "Vietnamese"), ("タイ語", "Thai"), ("インドネシア語", "Indonesian"),
        ("ヒンディー語", "Hindi"), ("アラビア語", "Arabic"), ("タガログ語", "Tagalog"), ("マレー語", "Malay"),
        ("オランダ語", "Dutch"), ("広東語", "Cantonese"), ("北京語", "Mandarin"),
    ]

    /// The name and, when known, its counterpart in the other language.
    public static func variants(of name: String) -> [String] {
        let folded = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard let pair = byName[folded] else { return [name] }
        return [pair.ja, pair.en]
    }

    /// Each pair under its Japanese name and its English name in lower case.
    static let byName: [String: (ja: String, en: String)] = {
        var names: [String: (ja: String, en: String)] = [:]
        for pair in pairs {
            names[pair.ja] = names[pair.ja] ?? pair
            names[pair.en.lowercased()] = names[pair.en.lowercased()] ?? pair
        }
        return names
    }()
}

/// A project the member worked on, inside a job or not.
public struct Project: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var role: String?
    public var url: String?
    public var start: YearMonth?
    public var end: YearMonth?
    public var description: String?

    public init(
        id: String, name: String, role: String? = nil, url: String? = nil, start: YearMonth? = nil, end: YearMonth? = nil,
        description: String? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.url = url
        self.start = start
        self.end = end
        self.description = description
    }
}

/// Volunteer work (ボランティア活動): the organisation, the role and the cause.
public struct VolunteerRole: Hashable, Sendable, Codable {
    public var id: String
    public var organization: String
    public var role: String
    public var cause: String?
    public var start: YearMonth?
    public var end: YearMonth?
    public var description: String?

    public init(
        id: String, organization: String, role: String, cause: String? = nil, start: YearMonth? = nil, end: YearMonth? = nil,
        description: String? = nil
    ) {
        self.id = id
        self.organization = organization
        self.role = role
        self.cause = cause
        self.start = start
        self.end = end
        self.description = description
    }
}

/// Who sees one contact detail: never more than the member's connections (PRODUCT.md).
public enum ContactVisibility: String, Sendable, Codable, CaseIterable {
    case connections, onlyMe
}

public struct Website: Hashable, Sendable, Codable {
    public var url: String
    public var label: String?

    public init(url: String, label: String? = nil) {
        self.url = url
        self.label = label
    }
}

/// How to reach the member outside the site, each detail with its own audience.
public struct ContactInfo: Hashable, Sendable, Codable {
    public var email: String?
    public var emailVisibility: ContactVisibility
    public var phone: String?
    public var phoneVisibility: ContactVisibility
    public var websites: [Website]
    public var websitesVisibility: ContactVisibility

    public init(
        email: String? = nil, emailVisibility: ContactVisibility = .connections, phone: String? = nil,
        phoneVisibility: ContactVisibility = .connections, websites: [Website] = [], websitesVisibility: ContactVisibility = .connections
    ) {
        self.email = email
        self.emailVisibility = emailVisibility
        self.phone = phone
        self.phoneVisibility = phoneVisibility
        self.websites = websites
        self.websitesVisibility = websitesVisibility
    }

    public var isEmpty: Bool { email == nil && phone == nil && websites.isEmpty }

    /// The details a viewer standing in `relation` sees: all of them for the member, those for connections for a
    /// connection, none for anyone else.
    public func shown(to relation: ViewerRelation) -> ContactInfo {
        switch relation {
        case .oneself: return self
        case .connection:
            var shown = self
            if emailVisibility != .connections { shown.email = nil }
            if phoneVisibility != .connections { shown.phone = nil }
            if websitesVisibility != .connections { shown.websites = [] }
            return shown
        case .member, .anonymous:
            return ContactInfo(emailVisibility: emailVisibility, phoneVisibility: phoneVisibility, websitesVisibility: websitesVisibility)
        }
    }

    /// The stored form in both databases: one JSON object.
    public var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reads `stored`; a value this version cannot read is read as no details, shown to no one.
    public init(stored: String) {
        // Most members store no details ("{}"), read on every profile read: decoded once.
        self = stored == "{}" ? Self.storedEmpty : Self.decoded(stored)
    }

    private static let storedEmpty = decoded("{}")

    private static func decoded(_ stored: String) -> ContactInfo {
        (try? JSONDecoder().decode(ContactInfo.self, from: Data(stored.utf8)))
            ?? ContactInfo(emailVisibility: .onlyMe, phoneVisibility: .onlyMe, websitesVisibility: .onlyMe)
    }

    // A visibility this version does not know is read as shown to no one.
    enum CodingKeys: String, CodingKey {
        case email, emailVisibility, phone, phoneVisibility, websites, websitesVisibility
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        websites = try c.decodeIfPresent([Website].self, forKey: .websites) ?? []
        // Absent: the default (connections), as for a new member; present but unknown: no one.
        func visibility(_ key: CodingKeys) -> ContactVisibility {
            guard let raw = (try? c.decodeIfPresent(String.self, forKey: key)) ?? nil else { return .connections }
            return ContactVisibility(rawValue: raw) ?? .onlyMe
        }
        emailVisibility = visibility(.emailVisibility)
        phoneVisibility = visibility(.phoneVisibility)
        websitesVisibility = visibility(.websitesVisibility)
    }
}

extension YearMonth: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let month = YearMonth(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Not a YYYY-MM month: \(text)"))
        }
        self = month
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The kinds of entry stored one row each; the row's `kind` column holds the raw value.
public enum ProfileEntryKind: String, Sendable, CaseIterable {
    case certification, language, project, volunteering

    /// The section whose visibility governs the entries.
    public var section: ProfileSection {
        switch self {
        case .certification: .certifications
        case .language: .languages
        case .project: .projects
        case .volunteering: .volunteering
        }
    }

    /// At most this many per member.
    public var limit: Int {
        switch self {
        case .certification: TextLimit.certificationCount
        case .language: TextLimit.languageCount
        case .project, .volunteering: TextLimit.projectCount
        }
    }
}

/// One entry as the storage writes it: its kind, id and the entry itself.
public enum ProfileEntry: Hashable, Sendable {
    case certification(Certification)
    case language(LanguageSkill)
    case project(Project)
    case volunteering(VolunteerRole)

    public var kind: ProfileEntryKind {
        switch self {
        case .certification: .certification
        case .language: .language
        case .project: .project
        case .volunteering: .volunteering
        }
    }

    public var id: String {
        switch self {
        case .certification(let c): c.id
        case .language(let l): l.id
        case .project(let p): p.id
        case .volunteering(let v): v.id
        }
    }

    /// The entry as JSON text: the stored form in both databases.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        switch self {
        case .certification(let c): data = try encoder.encode(c)
        case .language(let l): data = try encoder.encode(l)
        case .project(let p): data = try encoder.encode(p)
        case .volunteering(let v): data = try encoder.encode(v)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a stored entry; nil for a kind or body this version does not know (left out rather than failing the
    /// whole profile).
    /// One decoder for every stored entry (a profile read decodes each of its entries; the decoder holds no state
    /// between calls).
    private static let storedDecoder = JSONDecoder()

    public static func decode(kind: String, body: String) -> ProfileEntry? {
        guard let kind = ProfileEntryKind(rawValue: kind) else { return nil }
        let decoder = storedDecoder
        let data = Data(body.utf8)
        switch kind {
        case .certification: return (try? decoder.decode(Certification.self, from: data)).map(ProfileEntry.certification)
        case .language: return (try? decoder.decode(LanguageSkill.self, from: data)).map(ProfileEntry.language)
        case .project: return (try? decoder.decode(Project.self, from: data)).map(ProfileEntry.project)
        case .volunteering: return (try? decoder.decode(VolunteerRole.self, from: data)).map(ProfileEntry.volunteering)
        }
    }
}

extension Profile {
    /// Every entry of the extra sections, in the order they are shown.
    public var entries: [ProfileEntry] {
        certifications.map(ProfileEntry.certification) + languages.map(ProfileEntry.language) + projects.map(ProfileEntry.project)
            + volunteering.map(ProfileEntry.volunteering)
    }

    /// Sets the extra sections from stored entries (in the order stored), each section sorted as it is shown:
    /// certifications and projects newest first, languages as the member added them.
    public mutating func setEntries(_ stored: [ProfileEntry]) {
        certifications = []
        languages = []
        projects = []
        volunteering = []
        for entry in stored {
            switch entry {
            case .certification(let c): certifications.append(c)
            case .language(let l): languages.append(l)
            case .project(let p): projects.append(p)
            case .volunteering(let v): volunteering.append(v)
            }
        }
        let never = YearMonth(year: 1900, month: 1)!
        certifications.sort { ($0.obtained ?? never) > ($1.obtained ?? never) }
        projects.sort { ($0.end == nil ? 1 : 0, $0.start ?? never) > ($1.end == nil ? 1 : 0, $1.start ?? never) }
        volunteering.sort { ($0.end == nil ? 1 : 0, $0.start ?? never) > ($1.end == nil ? 1 : 0, $1.start ?? never) }
    }
}
