/// How complete a profile is, and what would complete it: the member sees the missing steps with what each adds.
/// Members are found in proportion to what their profile says, so the steps are the parts recruiters search and read.
public struct ProfileStrength: Hashable, Sendable {
    public enum Step: String, Sendable, CaseIterable {
        case photo, headline, currentPosition, pastPosition, education, skills, about, location, certification, language

        /// Points out of 100.
        public var weight: Int {
            switch self {
            case .photo: 15
            case .headline: 10
            case .currentPosition: 20
            case .pastPosition: 5
            case .education: 10
            case .skills: 15
            case .about: 10
            case .location: 5
            case .certification: 5
            case .language: 5
            }
        }
    }

    /// Skills at which the skills step counts as done.
    public static let skillsWanted = 5

    public let done: [Step]
    public let missing: [Step]

    public init(_ p: Profile) {
        var done: [Step] = []
        var missing: [Step] = []
        for step in Step.allCases {
            let complete: Bool =
                switch step {
                case .photo: p.photo != nil
                case .headline: p.headline != nil
                case .currentPosition: !p.currentPositions.isEmpty
                case .pastPosition: p.positions.contains { !$0.isCurrent }
                case .education: !p.educations.isEmpty
                case .skills: p.skills.count >= Self.skillsWanted
                case .about: p.fields.about != nil
                case .location: p.fields.location != nil
                case .certification: !p.certifications.isEmpty
                case .language: !p.languages.isEmpty
                }
            if complete { done.append(step) } else { missing.append(step) }
        }
        self.done = done
        // The steps that add the most first.
        self.missing = missing.sorted { $0.weight > $1.weight }
    }

    /// 0 to 100.
    public var score: Int { done.reduce(0) { $0 + $1.weight } }

    /// Search ranks a complete profile a little above an empty one with the same match: a factor between 1 and
    /// `1 + rankingBoost`, small enough that relevance and degree still decide.
    public static let rankingBoost = 0.1
}
