/// Who is looking.
public enum Viewer: Hashable, Sendable {
    case anonymous
    case member(MemberID, MemberRole)

    public var memberID: MemberID? {
        if case .member(let id, _) = self { return id }
        return nil
    }
}

/// How the viewer stands to the member being shown.
public enum ViewerRelation: Hashable, Sendable, CaseIterable {
    case anonymous
    case member
    case connection
    case oneself
}

/// How much of a profile a viewer may see.
public enum ProfileAccess: Hashable, Sendable {
    /// Every section the member shows.
    case full
    /// Name and headline only.
    case limited
}

/// The privacy rules of PRODUCT.md, as small pure functions tested as tables.
public enum ProfilePolicy {
    /// nil means the viewer may not know the profile exists: a logged-out visitor sees public profiles only.
    public static func access(visibility: ProfileVisibility, relation: ViewerRelation) -> ProfileAccess? {
        switch (relation, visibility) {
        case (.oneself, _), (.connection, _): return .full
        case (.member, .public), (.member, .members): return .full
        case (.member, .connections): return .limited
        case (.anonymous, .public): return .full
        case (.anonymous, _): return nil
        }
    }

    /// Whether a section set to `visibility` is shown to a viewer who sees the full profile.
    public static func showsSection(_ visibility: SectionVisibility, relation: ViewerRelation) -> Bool {
        switch (visibility, relation) {
        case (_, .oneself), (.everyone, _), (.connections, .connection): return true
        case (.connections, _), (.onlyMe, _): return false
        }
    }

    /// Whether search engines may index the profile page.
    public static func indexable(visibility: ProfileVisibility) -> Bool { visibility == .public }

    /// Open to work "recruiters only" is shown to recruiters alone, never to recruiters whose current
    /// employer is the member's; "everyone" is shown to whoever sees the full profile (the caller
    /// checks that access first).
    public static func showsOpenToWork(
        _ openToWork: OpenToWork, relation: ViewerRelation, viewerRole: MemberRole?,
        viewerCurrentCompanyIDs: Set<String>, memberCurrentCompanyIDs: Set<String>
    ) -> Bool {
        guard openToWork.enabled else { return false }
        if relation == .oneself { return true }
        switch openToWork.visibility {
        case .everyone:
            return true
        case .recruitersOnly:
            return viewerRole == .recruiter && viewerCurrentCompanyIDs.isDisjoint(with: memberCurrentCompanyIDs)
        }
    }
}
