import TsunagariCore

/// Every piece of interface text, in English and Japanese. A switch, so a missing translation does not compile.
public enum Text: CaseIterable, Sendable {
    case tagline, heroTitle, heroBody, featureHistory, featureHistoryBody, featureNetwork, featureNetworkBody
    case featureSearch, featureSearchBody
    case signUp, logIn, logOut, email, password, name, createAccount, haveAccount, noAccount, passwordHint
    case myProfile, editProfile, settings, home
    case nameReading, handle, headline, location, industry, about, save, saved
    case experience, education, skills, addPosition, addEducation, company, title, startMonth, endMonth, description
    case monthHint, currentRole, edit, delete, cancel, school, degree, fieldOfStudy, startYear, endYear, skillsHint
    case present, viewProfile, publicProfileLink
    case profileVisibility, visibilityPublic, visibilityMembers, visibilityConnections
    case connectionsVisibility, connectionsVisibleToConnections, connectionsVisibleOnlyMe
    case sectionVisibility, sectionVisibilityHint, sectionEveryone, sectionConnections, sectionOnlyMe
    case openToWork, openToWorkEnabled, openToWorkShownTo, openToWorkRecruitersOnly, openToWorkEveryone, openToWorkTitles, openToWorkLocations
    case language, languageAuto, changePassword, currentPassword, newPassword, passwordChanged
    case deleteAccount, deleteAccountWarning, deleteAccountConfirm, accountDeleted
    case limitedProfile, notAvailable, notAvailableBody, loginToSeeMore, errorTitle, pageNotFound, tryAgain
    case noPositions, noEducation, noSkills, openToWorkBadge, lineSeparated, editPosition, editEducation
    case welcome, welcomeBody, loggedOut, completeProfile
    case myNetwork, invitationsReceived, invitationsSent, noInvitations, accept, ignore, withdraw, pending, connect
    case inviteNote, sendInvitation, peopleYouMayKnow, noSuggestions, dismiss, reasonMutual, reasonCompany, reasonSchool
    case connections, connectionsCount, secondDegreeCount, searchConnections, sortRecent, sortName, noConnections
    case removeConnection, block, unblock, follow, unfollow, following, mutualConnections, sharedConnectionsOnly
    case howConnected, noPath, askIntroduction, introductions, introductionRequest, introductionMessage, forward
    case forwardNote, decline, introductionSent, introductionForwarded, noIntroductions, youAsked, askedYou, introducedToYou
    case companyPage, peopleYouKnowHere, reachOthersThere, formerColleaguesHere, currentEmployees, pastEmployees
    case via, overlapped, sharedSchool, nobodyHere, seeAll, connectedOn, degreeFirst, degreeSecond, degreeThird
    case blockConfirm, invitationPendingNote, acceptedNote
    case search, searchPlaceholder, searchHelp, noResults, filterCompany, filterLocation, filterSkill, filterDegree, anyDegree, results
    case degreeBeyond, notifications, noNotifications, markAllRead, savedSearches, saveSearch, savedSearchName, noSavedSearches
    case run, savedSearchCreated, savedSearchDeleted, newMatches, refine, clearFilter, previousPage, nextPage, filterSchool, filterPastCompany
    case messaging, message, newMessage, send, yourMessage, noConversations, olderMessages, deletedMember, unavailableMember
    case conversationEnded, youCanNoLongerWrite, openConversation, groupOf, recruiterConversation, introductionConversation, you
    case recruiterMessages, recruiterMessagesHint, unreadMessages, writeTo, messageSent
    case notifyInvitationReceived, notifyInvitationAccepted, notifyIntroductionRequested, notifyIntroductionForwarded, notifyMention
    case notifyComment, notifyReaction, notifyRepost, notifyJobApplication, notifyReferralRequested, notifyReferralGiven, andOthers
    case feed, composerLabel, publish, visibilityAnyone, visibilityConnectionsOnly, postVisibility, feedEmpty, morePosts
    case reasonCommented, reasonReacted, reasonReposted, reasonFollowing, reasonHashtag, edited, connectionsOnlyPost
    case reactionLike, reactionCelebrate, reactionSupport, reactionInsightful, reactionFunny, reactionLove, removeReaction, reactions
    case comments, addComment, yourComment, noComments, repost, repostWithText, repostText, postGone, deletePost, editPost, postText
    case report, reportReason, reportReceived, activity, noPosts, seeAllActivity, hashtagPosts, followHashtag, unfollowHashtag
    case searchPosts, searchPeople, newPosts, showNewPosts, post, deleteComment, followedHashtags

    public func callAsFunction(_ locale: TsunagariCore.Locale) -> String {
        let pair = strings
        return locale == .ja ? pair.ja : pair.en
    }

    var strings: (en: String, ja: String) {
        switch self {
        case .feed: ("Feed", "フィード")
        case .composerLabel: ("Share something about your work", "仕事について共有しましょう")
        case .publish: ("Post", "投稿する")
        case .visibilityAnyone: ("Anyone on Tsunagari", "Tsunagari の全メンバー")
        case .visibilityConnectionsOnly: ("Connections only", "つながりのみ")
        case .postVisibility: ("Who can see it", "公開範囲")
        case .feedEmpty: ("Nothing here yet. Connect with colleagues, follow people and hashtags, or write the first post.", "まだ何もありません。同僚とつながり、人やハッシュタグをフォローするか、最初の投稿をしてみましょう。")
        case .morePosts: ("More posts", "さらに表示")
        case .reasonCommented: ("commented on this", "がコメントしました")
        case .reasonReacted: ("reacted to this", "がリアクションしました")
        case .reasonReposted: ("reposted this", "がリポストしました")
        case .reasonFollowing: ("From someone you follow", "フォロー中のメンバーの投稿")
        case .reasonHashtag: ("From a hashtag you follow", "フォロー中のハッシュタグ")
        case .edited: ("edited", "編集済み")
        case .connectionsOnlyPost: ("Connections only", "つながりのみ")
        case .reactionLike: ("Like", "いいね")
        case .reactionCelebrate: ("Celebrate", "お祝い")
        case .reactionSupport: ("Support", "応援")
        case .reactionInsightful: ("Insightful", "なるほど")
        case .reactionFunny: ("Funny", "面白い")
        case .reactionLove: ("Love", "大好き")
        case .removeReaction: ("Remove reaction", "リアクションを取り消す")
        case .reactions: ("Reactions", "リアクション")
        case .comments: ("Comments", "コメント")
        case .addComment: ("Comment", "コメントする")
        case .yourComment: ("Your comment", "コメント")
        case .noComments: ("No comments yet.", "コメントはまだありません。")
        case .repost: ("Repost", "リポスト")
        case .repostWithText: ("Repost with your thoughts", "コメントを付けてリポスト")
        case .repostText: ("Your thoughts (optional)", "コメント（任意）")
        case .postGone: ("This post is no longer available.", "この投稿は表示できなくなりました。")
        case .deletePost: ("Delete post", "投稿を削除")
        case .editPost: ("Edit post", "投稿を編集")
        case .postText: ("Text", "本文")
        case .report: ("Report", "報告する")
        case .reportReason: ("Why are you reporting this?", "報告の理由")
        case .reportReceived: ("Thank you. An operator will look at it.", "ご報告ありがとうございます。運営者が確認します。")
        case .activity: ("Activity", "アクティビティ")
        case .noPosts: ("No posts yet.", "投稿はまだありません。")
        case .seeAllActivity: ("See all activity", "すべてのアクティビティを見る")
        case .hashtagPosts: ("Posts with this hashtag", "このハッシュタグの投稿")
        case .followHashtag: ("Follow hashtag", "ハッシュタグをフォロー")
        case .unfollowHashtag: ("Unfollow hashtag", "フォローをやめる")
        case .searchPosts: ("Search posts", "投稿を検索")
        case .searchPeople: ("Search people", "人を検索")
        case .newPosts: ("New posts are waiting", "新しい投稿があります")
        case .showNewPosts: ("Show new posts", "新しい投稿を表示")
        case .post: ("Post", "投稿")
        case .deleteComment: ("Delete comment", "コメントを削除")
        case .followedHashtags: ("Hashtags you follow", "フォロー中のハッシュタグ")
        case .tagline: ("The professional network for work ties", "仕事のつながりのためのプロフェッショナルネットワーク")
        case .heroTitle: ("Keep your work ties in one place", "仕事のつながりを、ひとつの場所に")
        case .heroBody:
            (
                "Colleagues, customers, partners and recruiters — see how you are connected, who can introduce you, and be found for what you do.",
                "同僚、顧客、パートナー、リクルーター。誰とどうつながっているか、誰が紹介してくれるかが分かり、あなたの仕事で見つけてもらえます。"
            )
        case .featureHistory: ("Detailed work histories", "詳しい職務経歴")
        case .featureHistoryBody: ("Positions, education and skills in Japanese and English.", "職歴・学歴・スキルを日本語と英語で。")
        case .featureNetwork: ("Your network, degree by degree", "1次・2次・3次のつながり")
        case .featureNetworkBody: ("Mutual connections and introductions to key people.", "共通のつながりと、キーパーソンへの紹介。")
        case .featureSearch: ("Found by recruiters", "リクルーターに見つけてもらう")
        case .featureSearchBody: ("The more complete your profile, the more searches it matches.", "プロフィールが詳しいほど、多くの検索に表示されます。")
        case .signUp: ("Join now", "新規登録")
        case .logIn: ("Log in", "ログイン")
        case .logOut: ("Log out", "ログアウト")
        case .email: ("Email", "メールアドレス")
        case .password: ("Password", "パスワード")
        case .name: ("Name", "氏名")
        case .createAccount: ("Create account", "アカウントを作成")
        case .haveAccount: ("Already a member?", "すでに登録済みですか？")
        case .noAccount: ("New to Tsunagari?", "Tsunagari は初めてですか？")
        case .passwordHint: ("At least 10 characters.", "10文字以上。")
        case .myProfile: ("My profile", "マイプロフィール")
        case .editProfile: ("Edit profile", "プロフィールを編集")
        case .settings: ("Settings", "設定")
        case .home: ("Home", "ホーム")
        case .nameReading: ("Name reading (kana)", "ふりがな")
        case .handle: ("Handle", "ハンドル")
        case .headline: ("Headline", "見出し")
        case .location: ("Location", "所在地")
        case .industry: ("Industry", "業種")
        case .about: ("About", "自己紹介")
        case .save: ("Save", "保存")
        case .saved: ("Saved.", "保存しました。")
        case .experience: ("Experience", "職歴")
        case .education: ("Education", "学歴")
        case .skills: ("Skills", "スキル")
        case .addPosition: ("Add position", "職歴を追加")
        case .addEducation: ("Add education", "学歴を追加")
        case .company: ("Company", "会社名")
        case .title: ("Title", "役職")
        case .startMonth: ("Start (YYYY-MM)", "開始（YYYY-MM）")
        case .endMonth: ("End (YYYY-MM)", "終了（YYYY-MM）")
        case .description: ("Description", "説明")
        case .monthHint: ("Leave the end empty for a current role.", "現職の場合は終了を空欄に。")
        case .currentRole: ("Current", "現職")
        case .edit: ("Edit", "編集")
        case .delete: ("Delete", "削除")
        case .cancel: ("Cancel", "キャンセル")
        case .school: ("School", "学校名")
        case .degree: ("Degree", "学位")
        case .fieldOfStudy: ("Field of study", "専攻")
        case .startYear: ("Start year", "入学年")
        case .endYear: ("End year", "卒業年")
        case .skillsHint: ("One skill per line.", "1行に1つずつ。")
        case .present: ("present", "現在")
        case .viewProfile: ("View profile", "プロフィールを見る")
        case .publicProfileLink: ("Your profile address", "プロフィールのアドレス")
        case .profileVisibility: ("Who can see your profile", "プロフィールの公開範囲")
        case .visibilityPublic: ("Everyone, also logged out", "全員（ログインしていない人も）")
        case .visibilityMembers: ("Members", "メンバー")
        case .visibilityConnections: ("My connections", "つながり")
        case .connectionsVisibility: ("Who can see your connections", "つながりリストの公開範囲")
        case .connectionsVisibleToConnections: ("My connections", "つながり")
        case .connectionsVisibleOnlyMe: ("Only me", "自分のみ")
        case .openToWork: ("Open to work", "転職意欲あり")
        case .openToWorkEnabled: ("Tell recruiters I am open to work", "転職に関心があることをリクルーターに知らせる")
        case .sectionVisibility: ("Who sees each section", "各項目の公開範囲")
        case .sectionVisibilityHint:
            ("Among those who can see your profile. Search finds you only by sections shown to everyone.",
             "プロフィールを見られる人のうち、誰に見せるか。検索は全員に公開した項目だけで行われます。")
        case .sectionEveryone: ("Everyone who can see my profile", "プロフィールを見られる全員")
        case .sectionConnections: ("My connections", "つながりのみ")
        case .sectionOnlyMe: ("Only me", "自分のみ")
        case .openToWorkShownTo: ("Who is shown that I am open to work", "転職意欲を表示する相手")
        case .openToWorkRecruitersOnly: ("Recruiters only (never those at my current employer)", "リクルーターのみ（現在の勤務先のリクルーターを除く）")
        case .openToWorkEveryone: ("Everyone who can see my profile", "プロフィールを見られる全員")
        case .openToWorkTitles: ("Titles I am looking for", "希望する職種")
        case .openToWorkLocations: ("Locations", "希望勤務地")
        case .language: ("Language", "言語")
        case .languageAuto: ("Browser default", "ブラウザの設定に従う")
        case .changePassword: ("Change password", "パスワードを変更")
        case .currentPassword: ("Current password", "現在のパスワード")
        case .newPassword: ("New password", "新しいパスワード")
        case .passwordChanged: ("Password changed. Other sessions were logged out.", "パスワードを変更しました。他のセッションはログアウトされました。")
        case .deleteAccount: ("Delete account", "アカウントを削除")
        case .deleteAccountWarning:
            (
                "This erases your profile, positions, education, skills and sessions for good.",
                "プロフィール、職歴、学歴、スキル、セッションを完全に削除します。元に戻せません。"
            )
        case .deleteAccountConfirm: ("Delete my account", "アカウントを削除する")
        case .accountDeleted: ("Your account and its data were deleted.", "アカウントとデータを削除しました。")
        case .limitedProfile: ("This member shares more with their connections.", "このメンバーの詳しいプロフィールはつながりにのみ公開されています。")
        case .notAvailable: ("This profile is not available", "このプロフィールは表示できません")
        case .notAvailableBody:
            ("It may not exist, or its owner shares it with members only.", "存在しないか、メンバーにのみ公開されている可能性があります。")
        case .loginToSeeMore: ("Log in to see more profiles.", "ログインすると、より多くのプロフィールを見られます。")
        case .errorTitle: ("Something is not right", "問題が発生しました")
        case .pageNotFound: ("Page not found", "ページが見つかりません")
        case .tryAgain: ("Please try again.", "もう一度お試しください。")
        case .noPositions: ("No positions yet.", "職歴はまだありません。")
        case .noEducation: ("No education yet.", "学歴はまだありません。")
        case .noSkills: ("No skills yet.", "スキルはまだありません。")
        case .openToWorkBadge: ("Open to work", "転職意欲あり")
        case .lineSeparated: ("One per line.", "1行に1つずつ。")
        case .editPosition: ("Edit position", "職歴を編集")
        case .editEducation: ("Edit education", "学歴を編集")
        case .welcome: ("Welcome back", "おかえりなさい")
        case .welcomeBody: ("Keep your profile complete so that the right people find you.", "プロフィールを充実させて、適切な人に見つけてもらいましょう。")
        case .loggedOut: ("You are logged out.", "ログアウトしました。")
        case .completeProfile: ("Complete your profile", "プロフィールを完成させる")
        case .myNetwork: ("My Network", "マイネットワーク")
        case .invitationsReceived: ("Invitations", "受け取った招待")
        case .invitationsSent: ("Sent invitations", "送信した招待")
        case .noInvitations: ("No invitations.", "招待はありません。")
        case .accept: ("Accept", "承認")
        case .ignore: ("Ignore", "無視")
        case .withdraw: ("Withdraw", "取り消す")
        case .pending: ("Pending", "保留中")
        case .connect: ("Connect", "つながる")
        case .inviteNote: ("Add a note (optional, up to 300 characters)", "メッセージを添える（任意、300文字まで）")
        case .sendInvitation: ("Send invitation", "招待を送る")
        case .peopleYouMayKnow: ("People you may know", "知り合いかも")
        case .noSuggestions: ("No suggestions right now.", "現在おすすめはありません。")
        case .dismiss: ("Dismiss", "非表示")
        case .reasonMutual: ("mutual connections", "人の共通のつながり")
        case .reasonCompany: ("Also worked at", "同じ職場")
        case .reasonSchool: ("Also studied at", "同じ学校")
        case .connections: ("Connections", "つながり")
        case .connectionsCount: ("connections", "人のつながり")
        case .secondDegreeCount: ("people in your 2nd-degree network", "人の2次ネットワーク")
        case .searchConnections: ("Search by name or headline", "名前や見出しで検索")
        case .sortRecent: ("Recently added", "追加が新しい順")
        case .sortName: ("Name", "名前順")
        case .noConnections: ("No connections to show.", "表示できるつながりはありません。")
        case .removeConnection: ("Remove connection", "つながりを解除")
        case .block: ("Block", "ブロック")
        case .unblock: ("Unblock", "ブロック解除")
        case .follow: ("Follow", "フォロー")
        case .unfollow: ("Unfollow", "フォロー解除")
        case .following: ("Following", "フォロー中")
        case .mutualConnections: ("Mutual connections", "共通のつながり")
        case .sharedConnectionsOnly: ("Only the connections you share are shown.", "共通のつながりのみ表示しています。")
        case .howConnected: ("How you are connected", "つながりの経路")
        case .noPath: ("No one in your network leads here yet.", "あなたのネットワークからの経路はまだありません。")
        case .askIntroduction: ("Ask for an introduction", "紹介を依頼")
        case .introductions: ("Introductions", "紹介")
        case .introductionRequest: ("Ask for an introduction", "紹介を依頼する")
        case .introductionMessage: ("Why would you like to meet?", "紹介してほしい理由")
        case .forward: ("Forward", "紹介する")
        case .forwardNote: ("A note for them (optional)", "添えるメッセージ（任意）")
        case .decline: ("Decline", "辞退")
        case .introductionSent: ("Your request was sent.", "依頼を送りました。")
        case .introductionForwarded: ("Forwarded", "紹介済み")
        case .noIntroductions: ("No introductions yet.", "紹介はまだありません。")
        case .youAsked: ("You asked", "あなたの依頼")
        case .askedYou: ("asks you to introduce them to", "さんから紹介の依頼：")
        case .introducedToYou: ("introduced you to", "さんの紹介：")
        case .companyPage: ("Company", "会社")
        case .peopleYouKnowHere: ("People you know here", "この会社のつながり")
        case .reachOthersThere: ("How you can reach others there", "この会社の人へのつながり方")
        case .formerColleaguesHere: ("Former colleagues and classmates here", "ここで働く元同僚・同窓生")
        case .currentEmployees: ("work here now", "人が在籍")
        case .pastEmployees: ("worked here before", "人が過去に在籍")
        case .via: ("via", "経由：")
        case .overlapped: ("at the same time", "同時期")
        case .sharedSchool: ("Same school", "同じ学校")
        case .nobodyHere: ("Nobody to show here yet.", "まだ表示できる人はいません。")
        case .seeAll: ("See all", "すべて見る")
        case .connectedOn: ("Connected", "つながった日")
        case .degreeFirst: ("1st", "1次")
        case .degreeSecond: ("2nd", "2次")
        case .degreeThird: ("3rd", "3次")
        case .blockConfirm: ("They will not see you anywhere, and your connection ends.", "相手からあなたが見えなくなり、つながりも解除されます。")
        case .invitationPendingNote: ("Invitation sent", "招待を送信済み")
        case .acceptedNote: ("You are now connected.", "つながりました。")
        case .search: ("Search", "検索")
        case .searchPlaceholder: ("Search people: 英語 AND (営業 OR sales) -intern", "人を検索：英語 AND (営業 OR sales) -intern")
        case .searchHelp:
            (
                "AND, OR, NOT or -word, \"exact phrase\" or 「」, parentheses, and name: title: company: school: skill:",
                "AND・OR・NOT または -語、\"完全一致\" または「」、かっこ、name: title: company: school: skill: が使えます"
            )
        case .noResults: ("No one matches. Try fewer words or OR.", "該当する人はいません。語を減らすか OR を使ってみてください。")
        case .filterCompany: ("Current company", "現在の会社")
        case .filterLocation: ("Location", "所在地")
        case .filterSkill: ("Skill", "スキル")
        case .filterDegree: ("Degree", "つながり")
        case .anyDegree: ("Any", "すべて")
        case .results: ("results", "件")
        case .degreeBeyond: ("3rd+", "3次+")
        case .notifications: ("Notifications", "通知")
        case .noNotifications: ("No notifications yet.", "通知はまだありません。")
        case .markAllRead: ("Mark all as read", "すべて既読にする")
        case .savedSearches: ("Saved searches", "保存した検索")
        case .saveSearch: ("Save this search", "この検索を保存")
        case .savedSearchName: ("Name", "名前")
        case .noSavedSearches: ("No saved searches yet. Save one from a results page to hear about new matches.", "保存した検索はまだありません。検索結果のページから保存すると、新しく該当する人をお知らせします。")
        case .run: ("Run", "検索する")
        case .savedSearchCreated: ("Search saved. You will be told when new members match it.", "検索を保存しました。新しく該当する人がいればお知らせします。")
        case .savedSearchDeleted: ("Saved search deleted.", "保存した検索を削除しました。")
        case .newMatches: ("new members match your saved search", "人が保存した検索に新しく該当しました")
        case .refine: ("Refine", "絞り込み")
        case .clearFilter: ("Clear", "解除")
        case .previousPage: ("Previous", "前へ")
        case .nextPage: ("Next", "次へ")
        case .filterSchool: ("School", "学校")
        case .filterPastCompany: ("Past company", "以前の会社")
        case .messaging: ("Messaging", "メッセージ")
        case .message: ("Message", "メッセージ")
        case .newMessage: ("New message", "新しいメッセージ")
        case .send: ("Send", "送信")
        case .yourMessage: ("Your message", "メッセージ")
        case .noConversations: ("No conversations yet. Write to a connection from their profile.", "会話はまだありません。つながりのプロフィールからメッセージを送れます。")
        case .olderMessages: ("Older messages", "以前のメッセージ")
        case .deletedMember: ("Deleted member", "退会したメンバー")
        case .unavailableMember: ("Unavailable member", "表示できないメンバー")
        case .conversationEnded: ("This conversation has ended.", "この会話は終了しました。")
        case .youCanNoLongerWrite: ("You can no longer write in this conversation.", "この会話にはもう書き込めません。")
        case .openConversation: ("Open the conversation", "会話を開く")
        case .groupOf: ("Group", "グループ")
        case .recruiterConversation: ("Recruiter message", "リクルーターからのメッセージ")
        case .introductionConversation: ("Introduction", "紹介")
        case .you: ("You", "あなた")
        case .recruiterMessages: ("Messages from recruiters", "リクルーターからのメッセージ")
        case .recruiterMessagesHint:
            ("Recruiters who are not your connections may write to you.", "つながりのないリクルーターからのメッセージを受け取ります。")
        case .unreadMessages: ("unread", "未読")
        case .writeTo: ("To", "宛先")
        case .messageSent: ("Message sent.", "メッセージを送信しました。")
        case .notifyInvitationReceived: ("invited you to connect", "さんからつながりリクエストが届きました")
        case .notifyInvitationAccepted: ("accepted your invitation", "さんがつながりリクエストを承認しました")
        case .notifyIntroductionRequested: ("asks you for an introduction", "さんから紹介の依頼が届きました")
        case .notifyIntroductionForwarded: ("forwarded an introduction; the conversation is open", "さんが紹介を取り次ぎました。会話が始まっています")
        case .notifyMention: ("mentioned you in a post", "さんが投稿であなたに言及しました")
        case .notifyComment: ("commented on your post", "さんがあなたの投稿にコメントしました")
        case .notifyReaction: ("reacted to your post", "さんがあなたの投稿にリアクションしました")
        case .notifyRepost: ("shared your post", "さんがあなたの投稿をシェアしました")
        case .notifyJobApplication: ("applied to your job", "さんがあなたの求人に応募しました")
        case .notifyReferralRequested: ("asks you for a referral", "さんから紹介（リファラル）の依頼が届きました")
        case .notifyReferralGiven: ("referred you", "さんがあなたを推薦しました")
        case .andOthers: ("and others", "ほか")
        }
    }
}

extension TsunagariCore.Locale {
    /// The language's own name, for the switcher.
    var nativeName: String { self == .ja ? "日本語" : "English" }
}
