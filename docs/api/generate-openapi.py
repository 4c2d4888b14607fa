import json
S = lambda **k: {"type": "string", **k}
NS = lambda **k: {"type": "string", "nullable": True, **k}
I = lambda **k: {"type": "integer", **k}
NI = lambda **k: {"type": "integer", "nullable": True, **k}
ref = lambda n: {"$ref": f"#/components/schemas/{n}"}
month = {"type": "string", "pattern": "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", "example": "2020-04"}
# Text fields: the server trims white space (WS, TextRule.blank: Unicode's white space, the zero-width space
# and the byte-order mark) from both ends, then refuses control characters (CTRL; multi-line text allows tab,
# line feed and carriage return inside). The patterns say exactly that: after the trimmed white space, the
# text is a visible character (X), then any number of (white space allowed inside, then X). Explicit classes
# rather than \s, whose meaning differs between regular-expression engines; and no two adjacent parts that
# can match the same character without a visible one between them, so no engine backtracks badly.
WS = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200B\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF"
INNER_WS = "\\u0020\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000\\uFEFF"
CTRL = "\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029"
X = "[^" + WS + CTRL + "]"
def trimmed(inner_ws, blank_allowed):
    body = X + "(?:[" + inner_ws + "]*" + X + ")*"
    tail = body + "[" + WS + "]*"
    return "^[" + WS + "]*" + ("(?:" + tail + ")?" if blank_allowed else tail) + "$"
LINE = trimmed(INNER_WS, True)
TEXT = trimmed("\\u0009\\u000A\\u000D" + INNER_WS, True)
NONBLANK = trimmed(INNER_WS, False)
NONBLANK_TEXT = trimmed("\\u0009\\u000A\\u000D" + INNER_WS, False)
SECTIONS = ["about", "positions", "educations", "skills", "certifications", "languages", "projects", "volunteering"]
# The ids the server makes (OpaqueID): 26 characters of Crockford's base 32 in lower case, time-ordered. Where the
# server checks that a value has this shape (read markers, message cursors, Last-Event-ID), the document says so.
OPAQUE_ID = "^[0-9a-hjkmnp-tv-z]{26}$"
# A web address the server keeps: http or https, a host, no white space; or nothing (white space only), which clears it.
# The server checks the same shape (`ProfileEntriesService.webAddress`): keep the two alike.
URL_PATTERN = "^(?:[" + WS + "]*|[hH][tT][tT][pP][sS]?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,4})?(/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*)?)$"
# A phone number: at least five digits among spaces, +, -, ( ) and dots (full-width forms too); or nothing, which clears it.
PHONE_PATTERN = "^(?:[" + WS + "]*|[ \\u3000]*(?:[+＋()（）.．\\- －]*[0-9０-９]){5}[0-9０-９+＋()（）.．\\- －]*[ \\u3000]*)$"
NOTIFICATION_KINDS = ["invitationReceived", "invitationAccepted", "introductionRequested", "introductionForwarded", "mention",
                      "comment", "reaction", "repost", "jobApplication", "referralRequested", "referralGiven", "savedSearchMatches"]
CONVERSATION_KINDS = ["direct", "group", "introduction", "recruiter"]
MESSAGE_LENGTH = 8000
POST_LENGTH = 3000
COMMENT_LENGTH = 1250
REACTIONS = ["like", "celebrate", "support", "insightful", "funny", "love"]
FEED_REASONS = ["own", "connectionPosted", "following", "connectionCommented", "connectionReacted", "connectionReposted", "hashtag"]
VISIBILITY = ["everyone", "connections", "onlyMe"]
CONTACT_VISIBILITY = ["connections", "onlyMe"]
LANGUAGE_LEVELS = ["native", "business", "conversational", "basic"]
JLPT_LEVELS = ["N1", "N2", "N3", "N4", "N5"]
WORKPLACES = ["onsite", "hybrid", "remote"]
EMPLOYMENT_TYPES = ["fullTime", "partTime", "contract", "temporary", "internship"]
SALARY_PERIODS = ["year", "month", "hour"]
JOB_STATUS = ["open", "closed"]
APPLICATION_STATUS = ["submitted", "viewed", "rejected"]
SALARY_MAX = 1000000000000
def line(n, **k): return S(maxLength=n, pattern=LINE, **k)
def nline(n, **k): return NS(maxLength=n, pattern=LINE, **k)
def ntext(n, **k): return NS(maxLength=n, pattern=TEXT, **k)
def req(n, pattern_override=False, **k): return S(maxLength=n, pattern=NONBLANK_TEXT if pattern_override else NONBLANK, **k)
def obj(props, required=None, additional=True, description=None):
    o = {"type": "object", "properties": props}
    if required: o["required"] = required
    if not additional: o["additionalProperties"] = False
    if description: o["description"] = description
    return o
schemas = {
  "Error": obj({"error": obj({"code": S(example="not_found"), "message": S()}, ["code", "message"])}, ["error"]),
  "MemberSummary": obj({
      "id": S(), "handle": S(), "name": S(), "headline": NS(), "location": NS(),
      "degree": NI(minimum=0, maximum=3, description="0 self, 1, 2, 3, or null (further or unknown)"),
      "mutualConnectionCount": I(minimum=0), "photo": {"allOf": [ref("PhotoURLs")], "nullable": True}},
      ["id", "handle", "name", "headline", "location", "degree", "mutualConnectionCount", "photo"]),
  "AuthResult": obj({"token": S(description="Bearer token for the Authorization header"), "member": ref("MemberSummary")}, ["token", "member"]),
  "CompanyRef": obj({"id": S(), "name": S(description="The company's most common spelling")}, ["id", "name"]),
  "Position": obj({
      "id": S(), "company": ref("CompanyRef"), "companyNameAsWritten": S(), "title": S(), "location": NS(),
      "startMonth": month, "endMonth": {**month, "nullable": True}, "description": NS()},
      ["id", "company", "companyNameAsWritten", "title", "location", "startMonth", "endMonth", "description"]),
  "Education": obj({"id": S(), "school": S(), "degree": NS(), "field": NS(), "startYear": NI(), "endYear": NI()},
      ["id", "school", "degree", "field", "startYear", "endYear"]),
  "Certification": obj({"id": S(), "name": S(), "issuer": NS(), "obtainedMonth": {**month, "nullable": True},
      "expiryMonth": {**month, "nullable": True}, "credentialId": NS(), "url": NS(), "score": NS(description="As written: 905, 2級")},
      ["id", "name", "issuer", "obtainedMonth", "expiryMonth", "credentialId", "url", "score"]),
  "Language": obj({"id": S(), "name": S(), "level": S(enum=LANGUAGE_LEVELS), "jlpt": {"type": "string", "enum": JLPT_LEVELS + [None], "nullable": True}},
      ["id", "name", "level", "jlpt"]),
  "Project": obj({"id": S(), "name": S(), "role": NS(), "url": NS(), "startMonth": {**month, "nullable": True},
      "endMonth": {**month, "nullable": True}, "description": NS()}, ["id", "name", "role", "url", "startMonth", "endMonth", "description"]),
  "VolunteerRole": obj({"id": S(), "organization": S(), "role": S(), "cause": NS(), "startMonth": {**month, "nullable": True},
      "endMonth": {**month, "nullable": True}, "description": NS()}, ["id", "organization", "role", "cause", "startMonth", "endMonth", "description"]),
  "Website": obj({"url": S(), "label": NS()}, ["url", "label"]),
  "ContactInfo": obj({"email": NS(), "phone": NS(), "websites": {"type": "array", "items": ref("Website")},
      "emailVisibility": S(enum=CONTACT_VISIBILITY), "phoneVisibility": S(enum=CONTACT_VISIBILITY), "websitesVisibility": S(enum=CONTACT_VISIBILITY)},
      ["email", "phone", "websites"], description="The details this viewer may see; the member's own view also names each detail's audience"),
  "PhotoURLs": obj({"large": S(description="400×400 (a banner: 1584×396)"), "small": S(description="100×100 (a banner: 792×198)")},
      ["large", "small"], description="Addresses of the processed JPEGs; they change with the picture and may be cached for ever"),
  "OpenToWork": obj({"enabled": {"type": "boolean"}, "visibility": S(enum=["recruitersOnly", "everyone"]),
      "titles": {"type": "array", "items": S()}, "locations": {"type": "array", "items": S()}},
      ["enabled", "visibility", "titles", "locations"]),
  "Settings": obj({
      "profileVisibility": S(enum=["public", "members", "connections"]),
      "connectionsVisibility": S(enum=["connections", "onlyMe"]),
      "openToWork": ref("OpenToWork"),
      "locale": {"type": "string", "enum": ["en", "ja", None], "nullable": True},
      "sectionVisibility": obj({section: S(enum=VISIBILITY) for section in SECTIONS}, SECTIONS),
      "recruiterMessages": {"type": "boolean", "description": "Whether recruiters you are not connected to may start a conversation with you (default true)"},
      "shareNetworkWithColleagues": {"type": "boolean", "description": "Whether colleagues at your verified employer may reach people through your connections and business cards (default false)"}},
      ["profileVisibility", "connectionsVisibility", "openToWork", "locale", "sectionVisibility", "recruiterMessages", "shareNetworkWithColleagues"]),
  "OwnProfile": obj({
      "id": S(), "handle": S(), "name": S(), "nameReading": NS(), "headline": NS(), "location": NS(), "industry": NS(),
      "about": NS(), "email": S(), "role": S(enum=["member", "recruiter", "moderator", "admin"]),
      "positions": {"type": "array", "items": ref("Position")}, "educations": {"type": "array", "items": ref("Education")},
      "skills": {"type": "array", "items": S()}, "settings": ref("Settings"),
      "certifications": {"type": "array", "items": ref("Certification")}, "languages": {"type": "array", "items": ref("Language")},
      "projects": {"type": "array", "items": ref("Project")}, "volunteering": {"type": "array", "items": ref("VolunteerRole")},
      "photo": {"allOf": [ref("PhotoURLs")], "nullable": True}, "banner": {"allOf": [ref("PhotoURLs")], "nullable": True},
      "contact": ref("ContactInfo"),
      
      "createdAt": S(format="date-time"), "updatedAt": S(format="date-time"),
      "verifiedEmployer": {"allOf": [ref("CompanyRef")], "nullable": True,
                           "description": "The employer an operator (or a confirmed work email) verified; only GET /me carries it"}},
      ["id", "handle", "name", "nameReading", "headline", "location", "industry", "about", "email", "role", "positions",
       "educations", "skills", "certifications", "languages", "projects", "volunteering", "photo", "banner", "contact", "settings",
       "createdAt", "updatedAt"]),
  "MemberProfile": obj({
      "id": S(), "handle": S(), "name": S(), "headline": NS(),
      "access": S(enum=["full", "limited"], description="limited: the viewer sees name and headline only"),
      "nameReading": NS(), "location": NS(), "industry": NS(), "about": NS(),
      "positions": {"type": "array", "items": ref("Position")}, "educations": {"type": "array", "items": ref("Education")},
      "skills": {"type": "array", "items": S()},
      "certifications": {"type": "array", "items": ref("Certification")}, "languages": {"type": "array", "items": ref("Language")},
      "projects": {"type": "array", "items": ref("Project")}, "volunteering": {"type": "array", "items": ref("VolunteerRole")},
      "photo": {"allOf": [ref("PhotoURLs")], "nullable": True}, "banner": {"allOf": [ref("PhotoURLs")], "nullable": True},
      "contact": ref("ContactInfo"),
      "openToWork": {"allOf": [ref("OpenToWork")], "nullable": True, "description": "Shown only where the open-to-work rule allows"},
      "degree": NI(minimum=0, maximum=3), "mutualConnectionCount": I(minimum=0),
      "relationship": S(enum=["none", "invitationSent", "invitationReceived", "connected"]), "following": {"type": "boolean"}},
      ["id", "handle", "name", "headline", "access", "photo", "openToWork", "degree", "mutualConnectionCount", "relationship", "following"]),
  "Company": obj({"id": S(), "name": S(), "currentMemberCount": I(minimum=0), "pastMemberCount": I(minimum=0)},
      ["id", "name", "currentMemberCount", "pastMemberCount"]),
  "Skills": obj({"skills": {"type": "array", "items": S()}}, ["skills"]),
  "Export": obj({
      "exportedAt": S(format="date-time"),
      "account": obj({"id": S(), "email": S(), "role": S(), "createdAt": S(format="date-time")}, ["id", "email", "role", "createdAt"]),
      "profile": ref("OwnProfile"),
      "sessions": {"type": "array", "items": obj({"kind": S(enum=["web", "api"]), "createdAt": S(format="date-time"),
                                                  "expiresAt": S(format="date-time")}, ["kind", "createdAt", "expiresAt"])},
      "conversations": {"type": "array", "description": "Every conversation you take part in, each with all its messages (oldest first), the other participants' too",
                        "items": {"allOf": [ref("Conversation"), obj({"messages": {"type": "array", "items": ref("Message")}}, ["messages"])]}},
      "jobs": {"type": "array", "description": "The jobs you posted", "items": {"allOf": [ref("JobSummary"), obj({"applicantCount": I(minimum=0)}, ["applicantCount"])]}},
      "applications": {"type": "array", "description": "Your applications", "items": ref("Application")},
      "referralRequests": {"type": "array", "description": "Referral requests you asked and were asked", "items": ref("ReferralRequest")},
      "connections": {"type": "array", "description": "Your connections", "items": obj({"member": ref("MemberSummary"), "connectedAt": S(format="date-time")}, ["member", "connectedAt"])},
      "invitations": {"type": "array", "description": "Invitations you sent and received", "items": ref("Invitation")},
      "posts": {"type": "array", "description": "Your posts, with the reactions and comments they drew", "items": ref("Post")},
      "savedSearches": {"type": "array", "description": "Your saved people and job searches", "items": obj({
          "id": S(), "kind": S(enum=["people", "jobs"]), "name": S(), "query": S(), "filters": S(), "createdAt": S(format="date-time")},
          ["id", "kind", "name", "query", "filters", "createdAt"])},
      "contacts": {"type": "array", "description": "Your contacts, every field as your files gave it", "items": ref("ContactExport")}},
      ["exportedAt", "account", "profile", "sessions", "conversations", "jobs", "applications", "referralRequests", "connections",
       "invitations", "posts", "savedSearches", "contacts"]),
  "ImportSummary": obj({
      "profile": obj({"fieldsFilled": {"type": "array", "items": S(enum=["headline", "about", "industry", "location"])},
                      "positions": I(minimum=0), "educations": I(minimum=0), "skills": I(minimum=0),
                      "certifications": I(minimum=0), "languages": I(minimum=0), "projects": I(minimum=0), "volunteering": I(minimum=0)},
                     ["fieldsFilled", "positions", "educations", "skills", "certifications", "languages", "projects", "volunteering"]),
      "connections": obj({"rows": I(minimum=0), "matched": I(minimum=0), "added": I(minimum=0, description="New contacts (the others you had already)")},
                         ["rows", "matched", "added"]),
      "files": {"type": "array", "items": S(), "description": "The export's files that were read"}},
      ["profile", "connections", "files"]),
  "ContactImport": obj({"rows": I(minimum=0), "matched": I(minimum=0), "added": I(minimum=0)}, ["rows", "matched", "added"]),
  "Contact": obj({
      "id": S(), "name": S(), "nameReading": NS(), "company": NS(), "title": NS(),
      "email": NS(description="The first email the card gave; never a member's own email"), "source": S(enum=["linkedin", "card"]),
      "member": {"allOf": [ref("MemberSummary")], "nullable": True, "description": "The member this contact is, when one matched and you may see them"}},
      ["id", "name", "nameReading", "company", "title", "email", "source", "member"]),
  "ContactList": obj({"items": {"type": "array", "items": ref("Contact")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "ContactExport": obj({
      "id": S(), "name": S(), "nameReading": NS(), "company": NS(), "department": NS(), "title": NS(), "email": NS(),
      "emails": {"type": "array", "items": S()}, "phones": {"type": "array", "items": S()}, "profileUrl": NS(),
      "connectedOn": NS(format="date-time"), "source": S(enum=["linkedin", "card"]), "createdAt": S(format="date-time")},
      ["id", "name", "source", "emails", "phones", "createdAt"]),
  "BulkInvitation": obj({"memberIds": {"type": "array", "minItems": 1, "maxItems": 100, "items": S(maxLength=64)},
      "message": NS(maxLength=300, pattern=TEXT)}, ["memberIds"], False),
  "BulkInvitationResult": obj({"sent": I(minimum=0), "skipped": I(minimum=0)}, ["sent", "skipped"]),
  "ColleagueReach": obj({"member": ref("MemberSummary"), "colleagues": {"type": "array", "items": obj(
      {"member": ref("MemberSummary"), "via": S(enum=["connection", "card"])}, ["member", "via"])}}, ["member", "colleagues"]),
  "ColleagueReachList": obj({"items": {"type": "array", "items": ref("ColleagueReach")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "SignUp": obj({"email": S(maxLength=254, format="email"), "password": S(minLength=10, maxLength=200),
      "name": req(100), "locale": S(enum=["en", "ja"])}, ["email", "password", "name"], False),
  "LogIn": obj({"email": S(), "password": S()}, ["email", "password"], False),
  "PasswordConfirmation": obj({"password": S()}, ["password"], False),
  "PasswordResetRequest": obj({"email": S()}, ["email"], False),
  "PasswordReset": obj({"token": S(), "password": S(minLength=10, maxLength=200)}, ["token", "password"], False),
  "EmailVerification": obj({"token": S()}, ["token"], False),
  "MailSent": obj({"status": S(enum=["sent"])}, ["status"], False),
  "MailSettingsChange": obj({"dailyDigest": {"type": "boolean"}}, ["dailyDigest"], False),
  "MailSettings": obj({"mailEnabled": {"type": "boolean"}, "emailVerified": {"type": "boolean"}, "dailyDigest": {"type": "boolean"}},
      ["mailEnabled", "emailVerified", "dailyDigest"], False),
  "ProfileChange": obj({"name": req(100), "nameReading": nline(100), "handle": S(minLength=3, maxLength=30, pattern="^[A-Za-z0-9][A-Za-z0-9_-]{2,29}$"),
      "headline": nline(220), "location": nline(100), "industry": nline(100), "about": ntext(2600)},
      None, False),
  "NewPosition": obj({"company": req(100), "title": req(100), "location": nline(100),
      "startMonth": month, "endMonth": {**month, "nullable": True}, "description": ntext(2000)},
      ["company", "title", "startMonth"], False),
  "PositionChange": obj({"company": req(100), "title": req(100), "location": nline(100),
      "startMonth": month, "endMonth": {**month, "nullable": True}, "description": ntext(2000)}, None, False),
  "NewEducation": obj({"school": req(150), "degree": nline(100), "field": nline(100),
      "startYear": NI(minimum=1900, maximum=2100), "endYear": NI(minimum=1900, maximum=2100)}, ["school"], False),
  "EducationChange": obj({"school": req(150), "degree": nline(100), "field": nline(100),
      "startYear": NI(minimum=1900, maximum=2100), "endYear": NI(minimum=1900, maximum=2100)}, None, False),
  "NewCertification": obj({"name": req(150), "issuer": nline(150), "obtainedMonth": {**month, "nullable": True},
      "expiryMonth": {**month, "nullable": True, "description": "Not before obtainedMonth"}, "credentialId": nline(100),
      "url": {**nline(500), "pattern": URL_PATTERN}, "score": nline(30)}, ["name"], False),
  "CertificationChange": obj({"name": req(150), "issuer": nline(150), "obtainedMonth": {**month, "nullable": True},
      "expiryMonth": {**month, "nullable": True}, "credentialId": nline(100), "url": {**nline(500), "pattern": URL_PATTERN}, "score": nline(30)},
      None, False),
  "NewLanguage": obj({"name": req(50), "level": S(enum=LANGUAGE_LEVELS), "jlpt": {"type": "string", "enum": JLPT_LEVELS + [n.lower() for n in JLPT_LEVELS] + [None], "nullable": True}},
      ["name", "level"], False),
  "LanguageChange": obj({"name": req(50), "level": S(enum=LANGUAGE_LEVELS), "jlpt": {"type": "string", "enum": JLPT_LEVELS + [n.lower() for n in JLPT_LEVELS] + [None], "nullable": True}},
      None, False),
  "NewProject": obj({"name": req(150), "role": nline(100), "url": {**nline(500), "pattern": URL_PATTERN},
      "startMonth": {**month, "nullable": True}, "endMonth": {**month, "nullable": True}, "description": ntext(2000)}, ["name"], False),
  "ProjectChange": obj({"name": req(150), "role": nline(100), "url": {**nline(500), "pattern": URL_PATTERN},
      "startMonth": {**month, "nullable": True}, "endMonth": {**month, "nullable": True}, "description": ntext(2000)}, None, False),
  "NewVolunteerRole": obj({"organization": req(100), "role": req(100), "cause": nline(100),
      "startMonth": {**month, "nullable": True}, "endMonth": {**month, "nullable": True}, "description": ntext(2000)}, ["organization", "role"], False),
  "VolunteerRoleChange": obj({"organization": req(100), "role": req(100), "cause": nline(100),
      "startMonth": {**month, "nullable": True}, "endMonth": {**month, "nullable": True}, "description": ntext(2000)}, None, False),
  "ContactChange": obj({"email": NS(maxLength=254, format="email"), "emailVisibility": S(enum=CONTACT_VISIBILITY),
      "phone": NS(maxLength=30, pattern=PHONE_PATTERN), "phoneVisibility": S(enum=CONTACT_VISIBILITY),
      "websites": {"type": "array", "maxItems": 5, "items": obj({"url": {**S(maxLength=500), "pattern": URL_PATTERN}, "label": nline(50)}, ["url"], False)},
      "websitesVisibility": S(enum=CONTACT_VISIBILITY)}, None, False,
      description="Only the fields given change; null clears a detail. Each detail is shown to connections or to no one"),
  "SkillsChange": obj({"skills": {"type": "array", "maxItems": 100, "items": line(80)}}, ["skills"], False),
  "SettingsChange": obj({
      "profileVisibility": S(enum=["public", "members", "connections"]),
      "connectionsVisibility": S(enum=["connections", "onlyMe"]),
      "openToWork": obj({"enabled": {"type": "boolean"}, "visibility": S(enum=["recruitersOnly", "everyone"]),
                         "titles": {"type": "array", "maxItems": 10, "items": line(100)},
                         "locations": {"type": "array", "maxItems": 10, "items": line(100)}}, None, False),
      "locale": {"type": "string", "enum": ["en", "ja", None], "nullable": True},
      "sectionVisibility": obj({section: S(enum=VISIBILITY) for section in SECTIONS}, None, False),
      "recruiterMessages": {"type": "boolean", "description": "false: recruiters you are not connected to cannot start a conversation with you"},
      "shareNetworkWithColleagues": {"type": "boolean", "description": "true: colleagues at your verified employer may reach people through your connections and cards"}}, None, False),
  "Health": obj({"status": S(enum=["ok"])}, ["status"]),
  "NewInvitation": obj({"inviteeId": S(maxLength=64), "message": NS(maxLength=300, pattern=TEXT)}, ["inviteeId"], False),
  "InvitationCreated": obj({"id": S(), "status": S(enum=["pending", "accepted"])}, ["status"]),
  "Invitation": obj({"id": S(), "from": ref("MemberSummary"), "to": ref("MemberSummary"), "message": NS(),
      "status": S(enum=["pending", "accepted", "ignored", "withdrawn"]), "createdAt": S(format="date-time")},
      ["id", "from", "to", "message", "status", "createdAt"]),
  "InvitationList": obj({"items": {"type": "array", "items": ref("Invitation")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "Accepted": obj({"status": S(enum=["accepted"])}, ["status"]),
  "ConnectionEntry": obj({"member": ref("MemberSummary"), "connectedAt": NS(format="date-time")}, ["member", "connectedAt"]),
  "ConnectionList": obj({"items": {"type": "array", "items": ref("ConnectionEntry")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "MemberList": obj({"items": {"type": "array", "items": ref("MemberSummary")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "Reason": obj({"kind": S(enum=["mutualConnections", "sameCompany", "sameSchool", "contact"]), "count": I(minimum=0),
      "company": ref("CompanyRef"), "school": S()}, ["kind"]),
  "Suggestion": obj({"member": ref("MemberSummary"), "reasons": {"type": "array", "items": ref("Reason")}}, ["member", "reasons"]),
  "SuggestionList": obj({"items": {"type": "array", "items": ref("Suggestion")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "Paths": obj({"degree": NI(minimum=0, maximum=3),
      "paths": {"type": "array", "items": obj({"via": {"type": "array", "items": ref("MemberSummary")}}, ["via"])}}, ["degree", "paths"]),
  "NewIntroduction": obj({"targetId": S(maxLength=64), "viaId": S(maxLength=64), "message": req(1000, pattern_override=True)},
      ["targetId", "viaId", "message"], False),
  "Introduction": obj({"id": S(), "requester": {"allOf": [ref("MemberSummary")], "nullable": True},
      "via": {"allOf": [ref("MemberSummary")], "nullable": True}, "target": {"allOf": [ref("MemberSummary")], "nullable": True},
      "message": S(), "status": S(enum=["pending", "forwarded", "declined"]), "forwardNote": NS(), "createdAt": S(format="date-time"),
      "conversationId": NS(description="Once forwarded: the conversation of kind introduction that opened with the three of you")},
      ["id", "requester", "via", "target", "message", "status", "forwardNote", "createdAt", "conversationId"]),
  "IntroductionList": obj({"items": {"type": "array", "items": ref("Introduction")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "ForwardNote": obj({"note": NS(maxLength=1000, pattern=TEXT)}, None, False),
  "CompanyListItem": obj({"id": S(), "name": S(), "memberCount": I(minimum=0)}, ["id", "name", "memberCount"]),
  "CompanyList": obj({"items": {"type": "array", "items": ref("CompanyListItem")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "CompanyPerson": obj({"member": ref("MemberSummary"), "via": {"type": "array", "items": ref("MemberSummary")}}, ["member", "via"]),
  "CompanyPeople": obj({"items": {"type": "array", "items": ref("CompanyPerson")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "Shared": obj({"company": ref("CompanyRef"), "school": S(), "overlap": {"type": "boolean"}}, ["overlap"]),
  "FormerColleague": obj({"member": ref("MemberSummary"), "shared": {"type": "array", "items": ref("Shared")}}, ["member", "shared"]),
  "SearchResult": obj({"member": ref("MemberSummary"), "currentTitle": NS(), "highlights": {"type": "array", "items": S()}}, ["member", "currentTitle", "highlights"]),
  "FacetValue": obj({"value": S(description="What the filter takes"), "label": S(), "count": I(minimum=1)}, ["value", "label", "count"]),
  "Facets": obj({k: {"type": "array", "items": ref("FacetValue")} for k in ["currentCompany", "location", "skill", "degree"]},
      ["currentCompany", "location", "skill", "degree"]),
  "SearchResults": obj({"items": {"type": "array", "items": ref("SearchResult")}, "nextCursor": NS(),
      "total": I(minimum=0, maximum=1000, description="All results, at most 1,000"), "facets": ref("Facets")}, ["items", "nextCursor", "total", "facets"]),
  "Typeahead": obj({"items": {"type": "array", "maxItems": 8, "items": ref("MemberSummary")}}, ["items"]),
  "SearchFilters": obj({"currentCompany": S(maxLength=100), "pastCompany": S(maxLength=100), "school": S(maxLength=100),
      "location": S(maxLength=100), "skill": S(maxLength=100), "industry": S(maxLength=100),
      "degree": S(pattern="^([1-3](,[1-3])*)?$"), "openToWork": {"type": "boolean"}}, None, False),
  "NewSavedSearch": obj({"name": line(100), "q": S(minLength=1, maxLength=1000, pattern=NONBLANK), "filters": ref("SearchFilters")}, ["q"], False),
  "SavedSearch": obj({"id": S(), "name": S(), "q": S(), "filters": obj({k: S() for k in ["currentCompany", "pastCompany", "school", "location", "skill", "industry", "degree"]} | {"openToWork": {"type": "boolean"}}),
      "createdAt": S(format="date-time"), "kind": S(enum=["people", "jobs"], description="jobs: a saved job search, whose filters are location, company, workplace and employmentType")},
      ["id", "name", "q", "filters", "createdAt"]),
  "NewSavedJobSearch": obj({"name": line(100), "q": S(maxLength=1000, description="The people-search language; empty or absent: every open job matching the filters"),
      "filters": obj({"location": line(100), "company": line(100), "workplace": S(enum=WORKPLACES), "employmentType": S(enum=EMPLOYMENT_TYPES)}, None, False)},
      None, False, description="A query or at least one filter"),
  "SavedSearchList": obj({"items": {"type": "array", "items": ref("SavedSearch")}}, ["items"]),
  "Notification": obj({"id": S(description="Time-ordered: newer notifications have greater ids"),
      "kind": S(enum=NOTIFICATION_KINDS, description="introductionRequested goes to the intermediary, introductionForwarded to the target and the "
                "requester; comment and reaction are on your post, and reactions on one post gather into one notification with a count; "
                "jobApplication goes to the job's poster"),
      "createdAt": S(format="date-time"), "read": {"type": "boolean"},
      "count": I(minimum=0, description="How many things it counts: reactions gathered, new members matching"),
      "members": {"type": "array", "items": ref("MemberSummary"), "description": "The members it names, as you may see them now: "
                  "for gathered reactions the latest few, for saved-search matches the first few new members"},
      "actor": {"allOf": [ref("MemberSummary")], "description": "Who did it (absent for saved-search matches)"},
      "conversationId": S(description="The conversation it leads to (a forwarded introduction's)"),
      "savedSearch": obj({"id": NS(), "name": NS()}, ["id", "name"], description="savedSearchMatches: the saved search, with its name when the notification was made"),
      "introduction": obj({"id": NS()}, ["id"], description="introductionRequested and introductionForwarded"),
      "invitation": obj({"id": NS()}, ["id"], description="invitationReceived"),
      "post": obj({"id": NS()}, ["id"], description="mention, comment, reaction and repost"),
      "comment": obj({"id": NS()}, ["id"], description="comment"),
      "job": obj({"id": NS(), "title": NS()}, ["id", "title"], description="jobApplication, referralRequested and referralGiven; the title when the notification was made")},
      ["id", "kind", "createdAt", "read", "count", "members"]),
  "NotificationList": obj({"items": {"type": "array", "items": ref("Notification")}, "nextCursor": NS(),
      "unread": I(minimum=0, maximum=100, description="Unread notifications you may see, counted up to 100")}, ["items", "nextCursor", "unread"]),
  "MarkRead": obj({"upTo": S(pattern=OPAQUE_ID, description="An id: that one and every older one are read")}, ["upTo"], False),
  "Person": {"allOf": [ref("MemberSummary"), obj({
      "deleted": {"type": "boolean", "enum": [True], "description": "A member who deleted their account"},
      "unavailable": {"type": "boolean", "enum": [True], "description": "A member you blocked or who blocked you"}})],
      "description": "A participant or sender: a MemberSummary when you may see them; otherwise a stand-in that names no one "
                     "(name \"Deleted member\" or \"Unavailable member\", handle \"\", headline, location and degree null, "
                     "mutualConnectionCount 0) with deleted or unavailable true"},
  "Message": obj({"id": S(description="Time-ordered"), "conversationId": S(), "sender": ref("Person"),
      "text": S(description="As sent, with white space trimmed from both ends"), "sentAt": S(format="date-time")},
      ["id", "conversationId", "sender", "text", "sentAt"]),
  "Conversation": obj({"id": S(), "kind": S(enum=CONVERSATION_KINDS, description="direct: two connections; group: up to 50 connections of "
                "whoever started it; introduction: the three people of a forwarded introduction; recruiter: a recruiter and one member who is "
                "not their connection"),
      "participants": {"type": "array", "items": ref("Person"), "description": "Its members now, you included; a member who deleted their account has left"},
      "lastMessage": {"allOf": [ref("Message")], "nullable": True, "description": "The latest message you may see"},
      "unreadCount": I(minimum=0, maximum=100, description="Messages after your read marker, counted up to 100"),
      "updatedAt": S(format="date-time", description="The time of the latest message")},
      ["id", "kind", "participants", "lastMessage", "unreadCount", "updatedAt"]),
  "ConversationList": obj({"items": {"type": "array", "items": ref("Conversation")}, "nextCursor": NS(),
      "unread": I(minimum=0, description="Conversations with unread messages")}, ["items", "nextCursor", "unread"]),
  "MessageList": obj({"items": {"type": "array", "items": ref("Message")}, "nextCursor": NS(description="Goes back in time")}, ["items", "nextCursor"]),
  "NewConversation": obj({
      "participantIds": {"type": "array", "minItems": 1, "maxItems": 49, "uniqueItems": True, "items": S(maxLength=64),
                         "description": "The other members, 1 to 49 (50 people with you); ids are compared without regard to case"},
      "text": req(MESSAGE_LENGTH, pattern_override=True, description="The first message")},
      ["participantIds", "text"], False),
  "NewMessage": obj({"text": req(MESSAGE_LENGTH, pattern_override=True)}, ["text"], False),
  "Allowance": obj({"monthly": I(minimum=0, description="Conversations with non-connections a recruiter may open per calendar month (UTC)"),
      "remaining": I(minimum=0, description="What is left this month; a reply from the recipient within 90 days gives the credit back"),
      "resetsAt": S(format="date-time", description="The start of next month (UTC)")}, ["monthly", "remaining", "resetsAt"]),
  # One event of GET /events. Before OpenAPI 3.2 (itemSchema) the schema of a text/event-stream response describes each event,
  # {event, id, data}, and that is how the fuzz run reads it.
  "LiveEvent": obj({"event": S(enum=["message", "notification", "unread", "post"]),
      "id": S(pattern=OPAQUE_ID, description="Send it back as Last-Event-ID to resume"),
      "data": S(description="One line of JSON: a Message for message, a Notification for notification, "
                "{\"notifications\": integer, \"messages\": integer} (the unread counts) for unread, {\"postId\": string} for post (a new "
                "post for your feed; it has no id)")},
      ["event", "data"]),
  "ReactionCounts": obj({t: I(minimum=0) for t in REACTIONS}, REACTIONS),
  "OriginalPost": obj({
      "id": S(), "author": ref("MemberSummary"), "text": S(), "visibility": S(enum=["public"]), "createdAt": S(format="date-time"),
      "editedAt": S(format="date-time"), "hashtags": {"type": "array", "items": S()}, "mentions": {"type": "array", "items": ref("MemberSummary")},
      "reactionCounts": ref("ReactionCounts"), "viewerReaction": NS(enum=REACTIONS + [None]), "commentCount": I(minimum=0),
      "repostCount": I(minimum=0), "repostOf": {"type": "object", "nullable": True, "enum": [None]},
      "job": {"allOf": [ref("JobSummary")], "nullable": True}},
      ["id", "author", "text", "visibility", "createdAt", "hashtags", "mentions", "reactionCounts", "viewerReaction", "commentCount", "repostCount"],
      description="The post a repost shares, as it stands (only public posts can be reposted)"),
  "Post": obj({
      "id": S(), "author": ref("MemberSummary"),
      "text": S(description="As written, with white space trimmed from both ends; empty only for a plain repost. Shown escaped; links, #hashtags and @mentions are made links on pages"),
      "visibility": S(enum=["public", "connections"], description="connections: the author's connections and the author only"),
      "createdAt": S(format="date-time"), "editedAt": S(format="date-time", description="Present once the author has edited it"),
      "hashtags": {"type": "array", "items": S(), "description": "The #tags of the text, NFKC- and case-folded, without #"},
      "mentions": {"type": "array", "items": ref("MemberSummary"), "description": "Members mentioned by @handle whom you may see"},
      "reactionCounts": ref("ReactionCounts"), "viewerReaction": NS(enum=REACTIONS + [None], description="Your reaction, if any"),
      "commentCount": I(minimum=0), "repostCount": I(minimum=0),
      "repostOf": {"allOf": [ref("OriginalPost")], "nullable": True, "description": "The original of a repost; null when it is not a repost, or the original is gone"},
      "repostDeleted": {"type": "boolean", "description": "On a repost: true when its original was deleted or is hidden from you"},
      "job": {"allOf": [ref("JobSummary")], "nullable": True, "description": "The job a hiring post shares; null otherwise, or when the job is gone or hidden from you"}},
      ["id", "author", "text", "visibility", "createdAt", "hashtags", "mentions", "reactionCounts", "viewerReaction", "commentCount", "repostCount", "repostOf"]),
  "PostList": obj({"items": {"type": "array", "items": ref("Post")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "NewPost": obj({"text": req(POST_LENGTH, pattern_override=True), "visibility": S(enum=["public", "connections"], default="public"),
      "jobId": S(maxLength=100, description="Shares an open job: a hiring post")}, ["text"], False),
  "EditPost": obj({"text": req(POST_LENGTH, pattern_override=True)}, ["text"], False),
  "Repost": obj({"text": S(maxLength=POST_LENGTH, pattern=TEXT, description="Your own words above the original; empty or absent for a plain repost")},
      None, False),
  "Comment": obj({"id": S(), "postId": S(), "author": ref("MemberSummary"), "text": S(), "createdAt": S(format="date-time")},
      ["id", "postId", "author", "text", "createdAt"]),
  "CommentList": obj({"items": {"type": "array", "items": ref("Comment")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "NewComment": obj({"text": req(COMMENT_LENGTH, pattern_override=True)}, ["text"], False),
  "Reaction": obj({"type": S(enum=REACTIONS)}, ["type"], False),
  "Report": obj({"reason": req(1000, pattern_override=True)}, ["reason"], False),
  "ReportReceived": obj({"status": S(enum=["received"])}, ["status"]),
  "FeedEntry": obj({"post": ref("Post"), "reason": S(enum=FEED_REASONS, description="own: yours; connectionPosted: a connection's; following: a "
                "member you follow; connectionCommented, connectionReacted, connectionReposted: a connection's activity brought it (actor); "
                "hashtag: a hashtag you follow"),
      "actor": {"allOf": [ref("MemberSummary")], "description": "The connection whose activity brought the post"}}, ["post", "reason"]),
  "Feed": obj({"items": {"type": "array", "items": ref("FeedEntry")},
      "nextCursor": NS(description="Carries the posts shown so far: the next page has none of them, and posts written since the first page wait for the next first page")},
      ["items", "nextCursor"]),
  "PostSearchResults": obj({"items": {"type": "array", "items": obj({"post": ref("Post"), "highlights": {"type": "array", "items": S()}}, ["post", "highlights"])},
      "nextCursor": NS()}, ["items", "nextCursor"]),
  "HashtagPosts": obj({"tag": S(), "following": {"type": "boolean"}, "items": {"type": "array", "items": ref("Post")}, "nextCursor": NS()},
      ["tag", "following", "items", "nextCursor"]),
  "Hashtags": obj({"items": {"type": "array", "items": S()}}, ["items"]),
  "JobCompany": obj({"id": S(), "name": S()}, ["id", "name"]),
  "JobSummary": obj({"id": S(), "company": ref("JobCompany"), "title": S(), "location": S(), "status": S(enum=JOB_STATUS)},
      ["id", "company", "title", "location", "status"]),
  "Salary": obj({"min": I(minimum=0, maximum=SALARY_MAX), "max": I(minimum=0, maximum=SALARY_MAX),
      "currency": S(pattern="^[A-Za-z]{3}$", description="ISO 4217, e.g. JPY; answered in capitals"), "period": S(enum=SALARY_PERIODS)},
      ["min", "max", "currency", "period"], False, description="min ≤ max"),
  "Job": obj({"id": S(), "company": ref("JobCompany"), "poster": ref("MemberSummary"), "title": S(), "location": S(),
      "workplace": S(enum=WORKPLACES), "employmentType": S(enum=EMPLOYMENT_TYPES), "description": S(), "skills": {"type": "array", "items": S()},
      "salary": ref("Salary"), "status": S(enum=JOB_STATUS), "createdAt": S(format="date-time"),
      "applicantCount": I(minimum=0, description="For the poster only")},
      ["id", "company", "poster", "title", "location", "workplace", "employmentType", "description", "skills", "status", "createdAt"]),
  "Application": obj({"id": S(), "job": ref("JobSummary"), "appliedAt": S(format="date-time"), "status": S(enum=APPLICATION_STATUS),
      "note": NS()}, ["id", "job", "appliedAt", "status"]),
  "JobView": {"allOf": [ref("Job"), obj({
      "peopleYouKnow": {"type": "array", "items": ref("CompanyPerson"), "description": "Your connections at the company now (1st degree first), then 2nd-degree members with the connections who lead to them"},
      "viewerApplication": {"allOf": [ref("Application")], "nullable": True, "description": "Your application to this job, if any"}},
      ["peopleYouKnow", "viewerApplication"])]},
  "NewJob": obj({"company": req(200, description="A company id or name (normalised as company names are) where you work now"),
      "title": req(200), "location": req(200), "workplace": S(enum=WORKPLACES), "employmentType": S(enum=EMPLOYMENT_TYPES),
      "description": req(20000, pattern_override=True), "skills": {"type": "array", "maxItems": 50, "items": line(80)},
      "salary": ref("Salary")}, ["company", "title", "location", "workplace", "employmentType", "description"], False),
  "JobChange": obj({"title": req(200), "location": req(200), "workplace": S(enum=WORKPLACES), "employmentType": S(enum=EMPLOYMENT_TYPES),
      "description": req(20000, pattern_override=True), "skills": {"type": "array", "maxItems": 50, "items": line(80)},
      "salary": {"allOf": [ref("Salary")], "nullable": True, "description": "null removes it"}, "status": S(enum=JOB_STATUS)}, None, False),
  "JobList": obj({"items": {"type": "array", "items": ref("JobSummary")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "PostedJobList": obj({"items": {"type": "array", "items": {"allOf": [ref("JobSummary"), obj({"applicantCount": I(minimum=0)}, ["applicantCount"])]}},
      "nextCursor": NS()}, ["items", "nextCursor"]),
  "FacetValue": obj({"value": S(), "label": S(), "count": I(minimum=0)}, ["value", "label", "count"]),
  "JobSearchResults": obj({"items": {"type": "array", "items": obj({"job": ref("Job"), "peopleYouKnowCount": I(minimum=0),
      "highlights": {"type": "array", "items": S()}}, ["job", "peopleYouKnowCount", "highlights"])}, "nextCursor": NS(), "total": I(minimum=0, maximum=1000),
      "facets": obj({k: {"type": "array", "items": ref("FacetValue")} for k in ["company", "location", "workplace", "employmentType"]},
          ["company", "location", "workplace", "employmentType"])}, ["items", "nextCursor", "total", "facets"]),
  "JobSuggestions": obj({"items": {"type": "array", "items": obj({"job": ref("Job"), "peopleYouKnowCount": I(minimum=0)}, ["job", "peopleYouKnowCount"])}},
      ["items"]),
  "NewApplication": obj({"note": S(maxLength=2000, pattern=TEXT)}, None, False),
  "ApplicationList": obj({"items": {"type": "array", "items": ref("Application")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "Applicant": obj({"id": S(), "member": ref("MemberSummary"), "note": NS(), "appliedAt": S(format="date-time"), "status": S(enum=APPLICATION_STATUS),
      "referredBy": {"type": "array", "items": ref("MemberSummary")}}, ["id", "member", "note", "appliedAt", "status", "referredBy"]),
  "ApplicantList": obj({"items": {"type": "array", "items": ref("Applicant")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "ApplicationStatusChange": obj({"status": S(enum=["viewed", "rejected"])}, ["status"], False),
  "NewReferralRequest": obj({"viaId": S(minLength=1, maxLength=100), "note": S(maxLength=2000, pattern=TEXT)}, ["viaId"], False),
  "ReferralRequest": obj({"id": S(), "job": ref("JobSummary"), "requester": ref("MemberSummary"), "via": ref("MemberSummary"), "note": NS(),
      "status": S(enum=["pending", "accepted", "declined"], description="A declined request looks pending to its requester"),
      "createdAt": S(format="date-time")}, ["id", "job", "requester", "via", "note", "status", "createdAt"]),
  "ReferralRequestList": obj({"items": {"type": "array", "items": ref("ReferralRequest")}, "nextCursor": NS()}, ["items", "nextCursor"]),
  "FormerColleagues": obj({"items": {"type": "array", "items": ref("FormerColleague")}, "nextCursor": NS()}, ["items", "nextCursor"]),
}
def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
ERR = {
  "400": err("Malformed: not JSON, not an object, invalid UTF-8"),
  "401": err("No or bad token"),
  "403": err("Not allowed"),
  "404": err("Not found, or not visible to the viewer"),
  "409": err("Conflict"),
  "413": err("Body larger than 1 MB"),
  "422": err("Well-formed but invalid: unknown field, wrong type, bad value"),
  "429": {**err("Rate limited"), "headers": {"Retry-After": {"schema": I(), "description": "Seconds to wait"}}},
}
def ok(code, desc, schema=None):
    r = {"description": desc}
    if schema: r["content"] = {"application/json": {"schema": schema}}
    return {code: r}
def op(opid, summary, responses, errors, body=None, auth=True, params=None, tag="Profiles", notes=None, desc=None):
    # notes: what an error means for this operation (its codes), in place of the general description.
    notes = notes or {}
    o = {"operationId": opid, "summary": summary, "tags": [tag],
         "responses": {**responses, **{c: {**ERR[c], "description": notes[c]} if c in notes else ERR[c] for c in errors}}}
    if desc: o["description"] = desc
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    o["security"] = [{"bearerAuth": []}] if auth else [{}]
    if params: o["parameters"] = params
    return o
def path_param(name, desc): return [{"name": name, "in": "path", "required": True, "schema": S(minLength=1, maxLength=100), "description": desc}]
B = ["400", "413", "422"]
def q(name, schema, desc): return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}
PAGE = [q("limit", I(minimum=1, maximum=100, default=20), "Page size"), q("cursor", S(maxLength=512, pattern=r"^[^\x00-\x1F\x7F]*$"), "From the previous page's nextCursor (no control characters)")]
M = path_param("idOrHandle", "Member id or handle")
NETB = ["400", "401", "404"]
# Conversations and messages page by their time-ordered ids: a cursor of another shape is 400 bad_cursor.
ID_PAGE = [PAGE[0], q("cursor", S(pattern="^(" + OPAQUE_ID[1:-1] + ")?$"), "From the previous page's nextCursor")]
C = path_param("id", "Conversation id")
P = path_param("id", "Post id")
T = path_param("tag", "A hashtag, without # (percent-encoded)")
J = path_param("id", "Job id")
LIST_400 = "bad_cursor or bad_limit"
TEXT_422 = "unknown_field, invalid_type, required (missing or blank text), too_long (over 8,000 characters), invalid_text (a control character)"
paths = {
  "/healthz": {"get": {**op("health", "Answers 200 once the database answers", ok("200", "Up", ref("Health")), [], auth=False, tag="Operations"),
                         "responses": {**ok("200", "Up", ref("Health")), "503": err("The database does not answer")}}},
  "/readyz": {"get": {**op("ready", "Answers 200 when the database answers and every index has caught up with its change log in the last 5 s", ok("200", "Ready", obj({"status": S(enum=["ready"])}, ["status"])), [], auth=False, tag="Operations"),
                        "responses": {**ok("200", "Ready", obj({"status": S(enum=["ready"])}, ["status"])), "503": err("database_unavailable, or not_ready: the message names the change logs still behind (at start-up, or when this instance cannot keep up)")}}},
  "/metrics": {"get": {"operationId": "metrics", "tags": ["Operations"], "summary": "This instance's metrics in Prometheus text format",
                        "description": "Only with --metrics-token (TSUNAGARI_METRICS_TOKEN): the scraper sends that token as a bearer token. Requests are labelled by route pattern, never by a member's id.",
                        "security": [{"metricsToken": []}],
                        "responses": {"200": {"description": "Prometheus text exposition format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}},
                                      "401": err("No token, or not the metrics token"), "404": err("Metrics are off: no token is configured")}}},
  "/openapi.json": {"get": {**op("openAPIDocument", "This document", ok("200", "The OpenAPI document", {"type": "object"}), [], auth=False, tag="Operations")}},
  "/api/v1/accounts": {"post": op("signUp", "Create an account", ok("201", "Created; the token is logged in", ref("AuthResult")), B + ["409", "429"], "SignUp", auth=False, tag="Accounts")},
  "/api/v1/sessions": {"post": op("logIn", "Log in", ok("200", "Logged in", ref("AuthResult")), B + ["401", "429"], "LogIn", auth=False, tag="Accounts")},
  "/api/v1/password-resets": {"post": op("requestPasswordReset", "Mail a one-time link to set a new password",
      ok("202", "Sent if an account has the address; the same answer either way", ref("MailSent")), B + ["409", "429"], "PasswordResetRequest",
      auth=False, tag="Accounts", notes={"409": "mail_off: this site sends no mail", "429": "rate_limited: 10 requests per client address per hour"})},
  "/api/v1/password-resets/confirm": {"post": op("resetPassword", "Set a new password with the link's token (once, within an hour); every session ends",
      ok("204", "Changed"), B + ["404"], "PasswordReset", auth=False, tag="Accounts",
      notes={"404": "bad_token: the link was used, has expired, or was never sent", "422": "the password rules (for example one that contains the email address)"})},
  "/api/v1/email-verifications": {"post": op("resendVerification", "Mail the address verification link again",
      ok("202", "Sent", ref("MailSent")), ["401", "409", "429"], tag="Accounts",
      notes={"409": "already_verified; mail_off: this site sends no mail", "429": "rate_limited: 5 per hour"})},
  "/api/v1/email-verifications/confirm": {"post": op("verifyEmail", "Confirm the address with the link's token; search then shows the member",
      ok("204", "Confirmed"), B + ["404"], "EmailVerification", auth=False, tag="Accounts",
      notes={"404": "bad_token: the link was used, has expired, or was never sent"})},
  "/api/v1/me/mail-settings": {
      "get": op("getMailSettings", "Whether mail is on, the address verified, the daily digest wanted", ok("200", "Mail settings", ref("MailSettings")), ["401"], tag="Accounts"),
      "put": op("setMailSettings", "Turn the daily digest on or off", ok("200", "Mail settings", ref("MailSettings")), B + ["401"], "MailSettingsChange", tag="Accounts")},
  "/api/v1/sessions/current": {"delete": op("logOut", "End this token", ok("204", "The token no longer works"), ["401"], tag="Accounts")},
  "/api/v1/me": {
      "get": op("getOwnProfile", "The full own profile", ok("200", "Own profile", ref("OwnProfile")), ["401"]),
      "delete": op("deleteAccount", "Erase the account and its personal data", ok("204", "Erased"), B + ["401", "403"], "PasswordConfirmation", tag="Accounts")},
  "/api/v1/me/export": {"get": {**op("exportData", "Everything the member owns", {}, ["401", "422"], tag="Data",
      params=[q("format", S(enum=["json", "zip"], default="json"), "json: the document; zip: LinkedIn's CSV files and tsunagari.json")],
      notes={"422": "invalid_value: format is neither json nor zip"}),
      "responses": {"200": {"description": "The export: JSON, or a zip with Profile.csv, Positions.csv, Education.csv, Skills.csv, Certifications.csv, Languages.csv, Projects.csv, Volunteering.csv, Connections.csv (LinkedIn's columns) and tsunagari.json",
                            "content": {"application/json": {"schema": ref("Export")}, "application/zip": {"schema": S(format="binary")}}},
                    "401": ERR["401"], "422": {**ERR["422"], "description": "invalid_value: format is neither json nor zip"}}}},
  "/api/v1/me/certifications": {"post": op("addCertification", "Add a certification", ok("201", "Certification", ref("Certification")), B + ["401", "409"], "NewCertification",
      notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field", "409": "language_listed: the language is already on the profile (languages only)"})},
  "/api/v1/me/certifications/{id}": {
      "patch": op("updateCertification", "Change a certification", ok("200", "Certification", ref("Certification")), B + ["401", "404"], "CertificationChange", params=path_param("id", "Entry id"),
          notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field"}),
      "delete": op("deleteCertification", "Remove a certification", ok("204", "Removed"), ["401", "404"], params=path_param("id", "Entry id"))},
  "/api/v1/me/languages": {"post": op("addLanguage", "Add a language with its level", ok("201", "Language", ref("Language")), B + ["401", "409"], "NewLanguage",
      notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field", "409": "language_listed: the language is already on the profile (languages only)"})},
  "/api/v1/me/languages/{id}": {
      "patch": op("updateLanguage", "Change a language with its level", ok("200", "Language", ref("Language")), B + ["401", "404"], "LanguageChange", params=path_param("id", "Entry id"),
          notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field"}),
      "delete": op("deleteLanguage", "Remove a language with its level", ok("204", "Removed"), ["401", "404"], params=path_param("id", "Entry id"))},
  "/api/v1/me/projects": {"post": op("addProject", "Add a project", ok("201", "Project", ref("Project")), B + ["401", "409"], "NewProject",
      notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field", "409": "language_listed: the language is already on the profile (languages only)"})},
  "/api/v1/me/projects/{id}": {
      "patch": op("updateProject", "Change a project", ok("200", "Project", ref("Project")), B + ["401", "404"], "ProjectChange", params=path_param("id", "Entry id"),
          notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field"}),
      "delete": op("deleteProject", "Remove a project", ok("204", "Removed"), ["401", "404"], params=path_param("id", "Entry id"))},
  "/api/v1/me/volunteering": {"post": op("addVolunteering", "Add volunteer experience", ok("201", "Volunteering", ref("VolunteerRole")), B + ["401", "409"], "NewVolunteerRole",
      notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field", "409": "language_listed: the language is already on the profile (languages only)"})},
  "/api/v1/me/volunteering/{id}": {
      "patch": op("updateVolunteering", "Change volunteer experience", ok("200", "Volunteering", ref("VolunteerRole")), B + ["401", "404"], "VolunteerRoleChange", params=path_param("id", "Entry id"),
          notes={"422": "required, invalid_month, invalid_dates (an end or expiry before the start), invalid_url, invalid_value, too_many, too_long, unknown_field"}),
      "delete": op("deleteVolunteering", "Remove volunteer experience", ok("204", "Removed"), ["401", "404"], params=path_param("id", "Entry id"))},
  "/api/v1/me/contact": {
      "patch": op("updateContact", "Set contact details and who sees each", ok("200", "Contact details", ref("ContactInfo")),
          B + ["401"], "ContactChange", notes={"422": "invalid_email, invalid_phone, invalid_url, invalid_value, too_many, unknown_field"}),
      "put": {**op("updateContactByPut", "Set contact details and who sees each (the same as PATCH, kept for older clients)",
          ok("200", "Contact details", ref("ContactInfo")), B + ["401"], "ContactChange",
          notes={"422": "invalid_email, invalid_phone, invalid_url, invalid_value, too_many, unknown_field"}), "deprecated": True}},
  "/api/v1/me/photo": {
      "put": {**op("setPhoto", "Upload the photo", ok("201", "Its addresses", ref("PhotoURLs")), ["400", "401", "409", "413", "422", "429"],
          params=[q("x", I(minimum=0), "Left edge of the chosen square, in pixels of the picture"), q("y", I(minimum=0), "Top edge"), q("size", I(minimum=1), "Side of the square")],
          desc="The image itself as the body: JPEG, PNG or WebP, still, at most 10 MB and 50 megapixels. It is decoded, cropped (to the given area, else around the centre), "
          "re-encoded as 400×400 and 100×100 JPEGs with no metadata (no EXIF, no GPS position), and replaces the one before.",
          notes={"409": "photos_off: this server cannot process images", "413": "too_large: over 10 MB",
                 "422": "unsupported_type (another content type), not_an_image, unsupported_format (SVG, GIF, HEIC…), too_many_pixels, too_small, animated, corrupt, bad_crop",
                 "429": "rate_limited: 30 uploads per hour"}),
          "requestBody": {"required": True, "content": {t: {"schema": S(format="binary")} for t in ["image/jpeg", "image/png", "image/webp"]}}},
      "delete": op("deletePhoto", "Remove the photo", ok("204", "Removed; initials are shown again"), ["401", "404"])},
  "/api/v1/me/banner": {
      "put": {**op("setBanner", "Upload the banner", ok("201", "Its addresses", ref("PhotoURLs")), ["400", "401", "409", "413", "422", "429"],
          params=[q("x", I(minimum=0), "Left edge of the chosen area"), q("y", I(minimum=0), "Top edge"), q("width", I(minimum=1), "Width"), q("height", I(minimum=1), "Height")],
          desc="The image itself as the body: JPEG, PNG or WebP, still, at most 10 MB and 50 megapixels. It is decoded, cropped (to the given area, else around the centre), "
          "re-encoded as 1584×396 and 792×198 JPEGs with no metadata (no EXIF, no GPS position), and replaces the one before.",
          notes={"409": "photos_off: this server cannot process images", "413": "too_large: over 10 MB",
                 "422": "unsupported_type (another content type), not_an_image, unsupported_format (SVG, GIF, HEIC…), too_many_pixels, too_small, animated, corrupt, bad_crop",
                 "429": "rate_limited: 30 uploads per hour"}),
          "requestBody": {"required": True, "content": {t: {"schema": S(format="binary")} for t in ["image/jpeg", "image/png", "image/webp"]}}},
      "delete": op("deleteBanner", "Remove the banner", ok("204", "Removed"), ["401", "404"])},
  "/api/v1/me/imports/linkedin": {"post": {**op("importLinkedIn", "Import a LinkedIn data export", ok("200", "What came in", ref("ImportSummary")),
      ["401", "413", "422", "429"], tag="Data",
      params=[q("file", S(enum=["Profile.csv", "Positions.csv", "Education.csv", "Skills.csv", "Certifications.csv", "Languages.csv", "Projects.csv", "Volunteering.csv", "Connections.csv"]), "With a text/csv body: which of the export's files it is")],
      desc="The .zip LinkedIn sends (Basic or Complete), or one of its CSV files. Fills empty profile fields, adds positions, educations and "
      "skills not there yet (importing twice adds nothing), and makes each row of Connections.csv a contact. One transaction: a bad file changes nothing.",
      notes={"413": "too_large: over 50 MB, or a zip whose entries would expand past 200 MB or list more than 2,000 entries, or a file over 100,000 rows",
             "422": "bad_file: not a zip, no file of LinkedIn's export in it, an unknown file name, or a malformed row (the message names the file and line); unknown_encoding",
             "429": "import_limit: 20 imports per hour"}),
      "requestBody": {"required": True, "content": {"application/zip": {"schema": S(format="binary")}, "text/csv": {"schema": S()}}}}},
  "/api/v1/me/contacts": {
      "post": {**op("importContacts", "Import business cards", ok("200", "Rows read, how many are members, how many were new", ref("ContactImport")),
          ["401", "413", "422", "429"], tag="Data",
          desc="CSV with a header row (Japanese or English column names: 名前/氏名 or 姓+名, フリガナ, 会社名, 部署, 役職, メール, 電話) in UTF-8 or Shift_JIS, "
          "or vCard 2.1/3.0/4.0 (one or many cards; CHARSET and quoted-printable as phones write them). A card matches a member by an email they "
          "signed up with, or by name (or reading) and current company; the member is never told.",
          notes={"413": "too_large: over 50 MB or 100,000 rows", "422": "bad_file (naming the file and line), unknown_encoding", "429": "import_limit: 20 imports per hour"}),
          "requestBody": {"required": True, "content": {"text/csv": {"schema": S()}, "text/vcard": {"schema": S()}}}},
      "get": op("listContacts", "Your contacts", ok("200", "Contacts, newest first", ref("ContactList")), ["401"], tag="Data")},
  "/api/v1/invitations/bulk": {"post": op("inviteMany", "Invite many members at once", ok("200", "Sent and skipped", ref("BulkInvitationResult")),
      B + ["401", "429"], "BulkInvitation", tag="Data",
      desc="Each member is invited with the rules of one invitation. Members already connected or invited, unknown, blocked, or named twice are "
      "skipped; a limit reached partway skips the rest.",
      notes={"422": "unknown_field, invalid_type, required, too_many (over 100 memberIds), too_long (message)",
             "429": "invitation_limit or pending_invitation_limit reached before the first invitation"})},
  "/api/v1/me/qr": {"get": {**op("myQRCode", "A QR code of your connect link", {}, ["401", "422"], tag="Data",
      params=[q("format", S(enum=["svg", "png"], default="svg"), "svg or png")], notes={"422": "invalid_value: format is neither svg nor png"}),
      "responses": {"200": {"description": "The QR code holding <site>/in/<handle>?connect=1",
                            "content": {"image/svg+xml": {"schema": S()}, "image/png": {"schema": S(format="binary")}}},
                    "401": ERR["401"], "422": {**ERR["422"], "description": "invalid_value: format is neither svg nor png"}}}},
  "/api/v1/me/profile": {"patch": op("updateProfile", "Change profile fields", ok("200", "Own profile", ref("OwnProfile")), B + ["401", "409"], "ProfileChange")},
  "/api/v1/me/positions": {"post": op("addPosition", "Add a position", ok("201", "Position", ref("Position")), B + ["401"], "NewPosition")},
  "/api/v1/me/positions/{id}": {
      "patch": op("updatePosition", "Change a position", ok("200", "Position", ref("Position")), B + ["401", "404"], "PositionChange", params=path_param("id", "Position id")),
      "delete": op("deletePosition", "Remove a position", ok("204", "Removed"), ["401", "404"], params=path_param("id", "Position id"))},
  "/api/v1/me/educations": {"post": op("addEducation", "Add education", ok("201", "Education", ref("Education")), B + ["401"], "NewEducation")},
  "/api/v1/me/educations/{id}": {
      "patch": op("updateEducation", "Change education", ok("200", "Education", ref("Education")), B + ["401", "404"], "EducationChange", params=path_param("id", "Education id")),
      "delete": op("deleteEducation", "Remove education", ok("204", "Removed"), ["401", "404"], params=path_param("id", "Education id"))},
  "/api/v1/me/skills": {"put": op("setSkills", "Replace the skills", ok("200", "Skills", ref("Skills")), B + ["401"], "SkillsChange")},
  "/api/v1/me/settings": {"patch": op("updateSettings", "Change settings", ok("200", "Settings", ref("Settings")), B + ["401"], "SettingsChange")},
  "/api/v1/members/{idOrHandle}": {"get": {**op("getMember", "A profile as the viewer may see it", ok("200", "Profile", ref("MemberProfile")), ["404"], params=path_param("idOrHandle", "Member id or handle")),
      "security": [{}, {"bearerAuth": []}]}},
  "/api/v1/invitations": {
      "post": {**op("invite", "Invite a member to connect", {**ok("201", "Invitation sent", ref("InvitationCreated")),
          **ok("200", "They had invited you: now connected", ref("InvitationCreated"))}, B + ["401", "404", "409", "429"], "NewInvitation", tag="Connections")},
      "get": op("listInvitations", "Invitations received or sent", ok("200", "Invitations", ref("InvitationList")), ["400", "401"], tag="Connections",
          params=[q("direction", S(enum=["received", "sent"], default="received"), "Which invitations")] + PAGE)},
  "/api/v1/invitations/{id}/accept": {"post": op("acceptInvitation", "Accept (the invitee only)", ok("200", "Connected", ref("Accepted")), ["401", "403", "404", "409", "422"], params=path_param("id", "Invitation id"), tag="Connections")},
  "/api/v1/invitations/{id}/ignore": {"post": op("ignoreInvitation", "Ignore silently", ok("204", "Ignored"), ["401", "403", "404"], params=path_param("id", "Invitation id"), tag="Connections")},
  "/api/v1/invitations/{id}": {"delete": op("withdrawInvitation", "Withdraw (the sender only)", ok("204", "Withdrawn"), ["401", "403", "404", "409"], params=path_param("id", "Invitation id"), tag="Connections")},
  "/api/v1/me/connections": {"get": op("listOwnConnections", "Your connections", ok("200", "Connections", ref("ConnectionList")), ["400", "401"], tag="Connections",
      params=[q("q", S(maxLength=100), "Filter by name or headline"), q("sort", S(enum=["recent", "name"], default="recent"), "Order")] + PAGE)},
  "/api/v1/connections/{memberId}": {"delete": op("removeConnection", "Remove a connection, silently", ok("204", "Removed"), ["401", "404"], params=path_param("memberId", "Member id"), tag="Connections")},
  "/api/v1/members/{idOrHandle}/connections": {"get": op("listMemberConnections", "A member's connections as their setting allows; otherwise the ones you share", ok("200", "Connections", ref("ConnectionList")), NETB, tag="Connections",
      params=M + [q("q", S(maxLength=100), "Filter by name or headline"), q("sort", S(enum=["recent", "name"], default="recent"), "Order")] + PAGE)},
  "/api/v1/members/{idOrHandle}/mutual-connections": {"get": op("listMutualConnections", "Connections you share with a member", ok("200", "Members", ref("MemberList")), NETB, tag="Connections", params=M + PAGE)},
  "/api/v1/members/{idOrHandle}/follow": {
      "put": op("follow", "Follow", ok("204", "Following"), ["401", "404", "422"], params=M, tag="Connections"),
      "delete": op("unfollow", "Stop following", ok("204", "Not following"), ["401", "404", "422"], params=M, tag="Connections")},
  "/api/v1/members/{idOrHandle}/block": {
      "put": op("block", "Block: also removes the connection and open invitations, silently", ok("204", "Blocked"), ["401", "404", "422"], params=M, tag="Connections"),
      "delete": op("unblock", "Unblock", ok("204", "Unblocked"), ["401", "404"], params=M, tag="Connections")},
  "/api/v1/network/suggestions": {"get": op("suggestions", "People you may know, with reasons", ok("200", "Suggestions", ref("SuggestionList")), ["400", "401", "429"], tag="Network", params=[PAGE[0]])},
  "/api/v1/network/suggestions/{memberId}": {"delete": op("dismissSuggestion", "Do not suggest this member again", ok("204", "Dismissed"), ["401", "404", "429"], params=path_param("memberId", "Member id"), tag="Network")},
  "/api/v1/network/paths/{memberId}": {"get": op("paths", "How you can reach a member", ok("200", "Paths", ref("Paths")), ["401", "404"], params=path_param("memberId", "Member id"), tag="Network")},
  "/api/v1/introductions": {
      "post": op("requestIntroduction", "Ask a connection to introduce you", ok("201", "Requested", ref("Introduction")), B + ["401", "404"], "NewIntroduction", tag="Network"),
      "get": op("listIntroductions", "Introductions you asked for, were asked to make, or received", ok("200", "Introductions", ref("IntroductionList")), ["401"], tag="Network")},
  "/api/v1/introductions/{id}/forward": {"post": op("forwardIntroduction", "Forward to the target with a note (the intermediary only)", ok("204", "Forwarded"), B + ["401", "403", "404", "409"], "ForwardNote", params=path_param("id", "Introduction id"), tag="Network")},
  "/api/v1/introductions/{id}/decline": {"post": op("declineIntroduction", "Decline silently (the intermediary only)", ok("204", "Declined"), ["401", "403", "404", "409"], params=path_param("id", "Introduction id"), tag="Network")},
  "/api/v1/companies": {"get": op("listCompanies", "Companies by name", ok("200", "Companies", ref("CompanyList")), ["400", "401", "422"], tag="Companies",
      params=[q("q", S(maxLength=100), "Name or its beginning"), PAGE[0]])},
  "/api/v1/companies/{id}/people": {"get": op("companyPeople", "Members at a company by degree, with whom you know who leads there", ok("200", "People", ref("CompanyPeople")), NETB, tag="Companies",
      params=path_param("id", "Company id") + [q("relation", S(enum=["current", "past"], default="current"), "Now or before"),
             q("degree", S(pattern="^[1-3](,[1-3])*$", default="1,2,3"), "Degrees, comma-separated")] + PAGE)},
  "/api/v1/companies/{id}/former-colleagues": {"get": op("formerColleagues", "Members there now who shared an employer or school with you", ok("200", "People", ref("FormerColleagues")), NETB, tag="Companies",
      params=path_param("id", "Company id") + PAGE)},
  "/api/v1/search/people": {"get": op("searchPeople", "Boolean people search in Japanese and English, ranked by relevance and network proximity", ok("200", "Results (at most 1,000 in all)", ref("SearchResults")), ["400", "401", "403", "429"], tag="Search",
      params=[q("q", S(minLength=1, maxLength=1000), "AND, OR, NOT, -term, \"phrase\" or 「」, parentheses, name: title: company: school: skill:. "
                "A syntax error is 400 bad_query with its position. At most 64 words and phrases, 16 parentheses and negations within one another, "
                "32 words in a phrase (33 characters in Japanese) and 128 in all; past these, or when the query would match too many profiles in too many ways, "
                "400 too_complex"),
              q("currentCompany", S(maxLength=100), "Company id or name"), q("pastCompany", S(maxLength=100), "Company id or name"),
              q("school", S(maxLength=100), "School name"), q("location", S(maxLength=100), "Location"), q("skill", S(maxLength=100), "Skill"),
              q("industry", S(maxLength=100), "Industry"), q("degree", S(pattern="^([1-3](,[1-3])*)?$"), "Degrees, comma-separated; empty for any"),
              q("openToWork", S(enum=["true", "false", ""]), "Recruiters only; empty or false for any")] + PAGE)},
  "/api/v1/search/typeahead": {"get": op("typeahead", "Members whose name begins with the typed words, your 1st and 2nd degree first", ok("200", "At most 8 members", ref("Typeahead")), ["400", "401", "429"], tag="Search",
      params=[q("q", S(maxLength=100), "What has been typed")])},
  "/api/v1/search/saved": {
      "get": op("listSavedSearches", "Your saved searches, oldest first", ok("200", "Saved searches", ref("SavedSearchList")), ["401"], tag="Search"),
      "post": op("saveSearch", "Keep a search; you are notified when members newly match it", ok("201", "Saved", ref("SavedSearch")), B + ["401", "403", "429"], "NewSavedSearch", tag="Search")},
  "/api/v1/search/saved/{id}": {
      "get": op("getSavedSearch", "One of your saved searches", ok("200", "Saved search", ref("SavedSearch")), ["401", "404"], params=path_param("id", "Saved search id"), tag="Search"),
      "delete": op("deleteSavedSearch", "Delete a saved search", ok("204", "Deleted"), ["401", "404"], params=path_param("id", "Saved search id"), tag="Search")},
  "/api/v1/notifications": {"get": op("listNotifications", "Your notifications, newest first", ok("200", "Notifications", ref("NotificationList")), ["400", "401"], tag="Notifications", params=PAGE,
      notes={"400": LIST_400}, desc="With the unread count. None from or about a member either of you blocked; nothing is ever made for an ignored "
      "or withdrawn invitation, a removal, an unfollow, a block or a declined introduction. Messages are counted in conversations, not here.")},
  "/api/v1/notifications/read": {"post": op("markNotificationsRead", "Mark notifications up to and including an id as read", ok("204", "Read"), B + ["401"], "MarkRead", tag="Notifications",
      desc="Your open event streams get the new unread counts.",
      notes={"422": "unknown_field, invalid_type, required, bad_id (upTo is not a notification id)"})},
  "/api/v1/events": {"get": op("streamEvents", "Your live events as Server-Sent Events",
      {"200": {"description": "An endless event stream (text/event-stream; charset=utf-8). As in OpenAPI before 3.2, the schema describes each "
               "event: event is message, notification or unread, data one line of JSON",
               "content": {"text/event-stream": {"schema": ref("LiveEvent")}}}},
      ["400", "401"], tag="Notifications", notes={"400": "bad_last_event_id: Last-Event-ID or lastEventId is not the id of an event"},
      desc="First the unread counts, then each message and notification as it comes (within a second on every instance sharing the database), "
      "each followed by the unread counts; a comment line every heartbeat keeps an idle stream open. Every event is rendered when it is "
      "delivered, so blocks and privacy apply at that moment. Each event has an id; reconnecting with Last-Event-ID (or lastEventId, for "
      "clients that cannot set headers) first sends what came after it within the last hour.",
      params=[{"name": "Last-Event-ID", "in": "header", "required": False, "schema": S(pattern=OPAQUE_ID),
               "description": "The id of the last event received; wins over lastEventId"},
              q("lastEventId", S(pattern=OPAQUE_ID), "The id of the last event received, when the Last-Event-ID header cannot be sent")])},
  "/api/v1/conversations": {
      "post": {**op("startConversation", "Start a conversation with a first message", {**ok("201", "Started: the conversation with its first message", ref("Conversation")),
          **ok("200", "The conversation you already have with this member took the message", ref("Conversation"))},
          B + ["401", "403", "404", "429"], "NewConversation", tag="Messaging",
          desc="Every other participant must be your connection, except one member written to by a recruiter (kind recruiter, one credit of "
          "the monthly allowance). A pair keeps one conversation: writing to the same one member again adds the message to the conversation "
          "you already have.",
          notes={"403": "not_connected (a participant is not your connection); messages_closed (the member turned recruiter messages off)",
                 "404": "A member does not exist, or either of you blocked the other",
                 "422": "unknown_field, invalid_type, missing_field, too_many (over 49 participantIds), participants_required, "
                        "duplicate_participant, cannot_message_self; and for text: required, too_long, invalid_text",
                 "429": "allowance_used (the recruiter's monthly allowance; Retry-After runs to the start of next month), conversation_limit "
                        "(new conversations per day), message_limit (messages per minute)"})},
      "get": op("listConversations", "Your conversations by latest activity", ok("200", "Conversations", ref("ConversationList")),
          ["400", "401"], tag="Messaging", params=ID_PAGE, notes={"400": LIST_400},
          desc="With unread: how many of your conversations have unread messages.")},
  "/api/v1/conversations/{id}": {"get": op("getConversation", "A conversation you take part in", ok("200", "Conversation", ref("Conversation")),
      ["401", "404"], tag="Messaging", params=C, notes={"404": "No such conversation, or you do not take part in it"})},
  "/api/v1/conversations/{id}/messages": {
      "get": op("listMessages", "Messages, newest first", ok("200", "Messages", ref("MessageList")), ["400", "401", "404"], tag="Messaging", params=C + ID_PAGE,
          notes={"400": LIST_400, "404": "No such conversation, or you do not take part in it"},
          desc="nextCursor goes back in time. In a group, messages from a member either of you blocked are left out."),
      "post": op("sendMessage", "Write in a conversation", ok("201", "Sent", ref("Message")),
          B + ["401", "403", "404", "409", "429"], "NewMessage", tag="Messaging", params=C,
          desc="Every participant's event stream gets the message. When the member a recruiter wrote to answers within 90 days, the "
          "recruiter's credit comes back.",
          notes={"403": "blocked (in a two-person conversation, either of you blocked the other); messages_closed (a recruiter writing to a "
                        "member who is not a connection and turned recruiter messages off)",
                 "404": "No such conversation, or you do not take part in it",
                 "409": "conversation_ended: the other member of a two-person conversation has left",
                 "422": TEXT_422, "429": "message_limit: messages per minute"})},
  "/api/v1/conversations/{id}/read": {"post": op("markConversationRead", "Mark messages up to and including one as read", ok("204", "Read"), B + ["401", "404"], "MarkRead",
      tag="Messaging", params=C, desc="upTo is a message of this conversation. Your open event streams get the new unread counts.",
      notes={"404": "No such conversation, or you do not take part in it",
             "422": "unknown_field, invalid_type, required, unknown_message (upTo is not a message of this conversation)"})},
  "/api/v1/me/allowance": {"get": op("getAllowance", "A recruiter's monthly allowance of conversations with non-connections",
      ok("200", "Allowance", ref("Allowance")), ["401", "403"], tag="Messaging", notes={"403": "not_recruiter"})},
  "/api/v1/posts": {"post": op("createPost", "Write a post", ok("201", "Posted", ref("Post")), B + ["401", "404", "409", "429"], "NewPost", tag="Posts",
      desc="#tags become hashtags; @handle mentions a member, who is notified only if they may see the post. Your followers' open feeds are told.",
      notes={"422": "unknown_field, invalid_type, required (blank text), too_long (over 3,000 characters), invalid_text, invalid_value (visibility)",
             "404": "jobId names no job you may see", "409": "job_closed: a closed job cannot be shared",
             "429": "rate_limited: posts per day"})},
  "/api/v1/posts/{id}": {
      "get": op("getPost", "A post you may see", ok("200", "Post", ref("Post")), ["401", "404"], tag="Posts", params=P,
          notes={"404": "No such post, or you may not see it (a connections-only post of someone not your connection, or a member either of you blocked)"}),
      "patch": op("editPost", "Change your post's text", ok("200", "Edited", ref("Post")), B + ["401", "403", "404"], "EditPost", tag="Posts", params=P,
          notes={"403": "not_author", "404": "No such post, or you may not see it", "422": TEXT_422.replace("8,000", "3,000")}),
      "delete": op("deletePost", "Delete your post, with its comments and reactions", ok("204", "Deleted"), ["401", "403", "404"], tag="Posts", params=P,
          notes={"403": "not_author", "404": "No such post, or you may not see it"}, desc="Reposts of it show repostOf null and repostDeleted true.")},
  "/api/v1/posts/{id}/comments": {
      "post": op("commentOnPost", "Comment on a post", ok("201", "Commented", ref("Comment")), B + ["401", "404", "429"], "NewComment", tag="Posts", params=P,
          notes={"404": "No such post, or you may not see it", "422": TEXT_422.replace("8,000", "1,250"), "429": "rate_limited: comments per day"}),
      "get": op("listComments", "A post's comments, oldest first", ok("200", "Comments", ref("CommentList")), ["400", "401", "404"], tag="Posts",
          params=P + ID_PAGE, notes={"400": LIST_400, "404": "No such post, or you may not see it"},
          desc="Comments by a member either of you blocked are left out.")},
  "/api/v1/posts/{id}/comments/{commentId}": {"delete": op("deleteComment", "Delete a comment: yours, or any on your post", ok("204", "Deleted"),
      ["401", "403", "404"], tag="Posts", params=P + path_param("commentId", "Comment id"), notes={"403": "not_author"})},
  "/api/v1/posts/{id}/reaction": {
      "put": op("react", "React to a post (a new type replaces yours)", ok("200", "The post with its counts", ref("Post")), B + ["401", "404"], "Reaction",
          tag="Posts", params=P, notes={"404": "No such post, or you may not see it"},
          desc="The author is notified of a first reaction; reactions on one post gather into one notification."),
      "delete": op("unreact", "Take your reaction back", ok("204", "Done"), ["401", "404"], tag="Posts", params=P)},
  "/api/v1/posts/{id}/reposts": {"post": op("repost", "Repost a public post, optionally with your own words", ok("201", "Your repost", ref("Post")),
      B + ["401", "404", "429"], "Repost", tag="Posts", params=P,
      notes={"422": "not_shareable (a connections-only post), unknown_field, invalid_type, too_long, invalid_text", "429": "rate_limited: posts per day"},
      desc="Reposting a plain repost reposts its original.")},
  "/api/v1/posts/{id}/report": {"post": {**op("reportPost", "Report a post to the operators", {"202": {"description": "Received", "content": {"application/json": {"schema": ref("ReportReceived")}}}},
      B + ["401", "404", "429"], "Report", tag="Posts", params=P, desc="The post stays up until an operator acts. A second report of the same post changes nothing.")}},
  "/api/v1/posts/{id}/comments/{commentId}/report": {"post": {**op("reportComment", "Report a comment to the operators",
      {"202": {"description": "Received", "content": {"application/json": {"schema": ref("ReportReceived")}}}},
      B + ["401", "404", "429"], "Report", tag="Posts", params=P + path_param("commentId", "Comment id"))}},
  "/api/v1/members/{idOrHandle}/posts": {"get": op("listMemberPosts", "A member's posts you may see, newest first (their activity)",
      ok("200", "Posts", ref("PostList")), ["400", "401", "404"], tag="Posts",
      params=M + [PAGE[0], q("cursor", S(pattern="^([1-9][0-9]{0,17})?$"), "From the previous page's nextCursor")], notes={"400": LIST_400})},
  "/api/v1/feed": {"get": op("feed", "Your feed, best first, each post once with why it is there", ok("200", "Feed", ref("Feed")), ["400", "401"], tag="Posts",
      params=[PAGE[0], q("cursor", S(maxLength=4096, pattern="^([1-9][0-9]{0,14}\\.([0-9a-z]{1,12}(-[0-9a-z]{1,12})*)?)?$"), "From the previous page's nextCursor")],
      notes={"400": LIST_400},
      desc="Posts by you, your connections and members you follow, posts your connections commented on, reacted to or reposted, and posts with "
      "hashtags you follow; ranked by recency blended with engagement and closeness. Never a post you may not see, never from a member either "
      "of you blocked, never from a connection you unfollowed.")},
  "/api/v1/search/posts": {"get": op("searchPosts", "Posts matching a query, best first", ok("200", "Results", ref("PostSearchResults")), ["400", "401"], tag="Search",
      params=[{"name": "q", "in": "query", "required": True, "schema": S(minLength=1, maxLength=1000),
               "description": "The people-search language (AND, OR, NOT, -term, \"phrase\", parentheses) in Japanese or English; #tag matches the hashtag"}] + PAGE,
      notes={"400": "bad_query (with the position of a syntax error), too_complex, bad_cursor or bad_limit"})},
  "/api/v1/hashtags/{tag}/posts": {"get": op("hashtagPosts", "Posts with a hashtag you may see, newest first", ok("200", "Posts", ref("HashtagPosts")),
      ["400", "401", "422"], tag="Posts", params=T + [PAGE[0], q("cursor", S(pattern="^([1-9][0-9]{0,17})?$"), "From the previous page's nextCursor")],
      notes={"422": "bad_hashtag", "400": LIST_400})},
  "/api/v1/hashtags/{tag}/follow": {
      "put": op("followHashtag", "Follow a hashtag: its posts come into your feed", ok("204", "Following"), ["401", "422"], tag="Posts", params=T, notes={"422": "bad_hashtag"}),
      "delete": op("unfollowHashtag", "Stop following a hashtag", ok("204", "Done"), ["401", "422"], tag="Posts", params=T, notes={"422": "bad_hashtag"})},
  "/api/v1/me/hashtags": {"get": op("listFollowedHashtags", "The hashtags you follow", ok("200", "Hashtags", ref("Hashtags")), ["401"], tag="Posts")},
  "/api/v1/jobs": {"post": op("createJob", "Post a job at a company where you work now", ok("201", "Posted", ref("Job")), B + ["401", "403", "429"], "NewJob",
      tag="Jobs", notes={"403": "not_at_company: your current positions are not at that company",
                         "422": "unknown_field, invalid_type, required, too_long, invalid_text, invalid_value (workplace, employmentType, salary.period), "
                                "bad_salary (not whole, negative, or min over max), bad_currency, too_many_skills", "429": "rate_limited: jobs per day"})},
  "/api/v1/jobs/{id}": {
      "get": op("getJob", "A job, with the people you know at the company", ok("200", "Job", ref("JobView")), ["401", "404"], tag="Jobs", params=J,
          notes={"404": "No such job, or its poster and you are blocked either way"}),
      "patch": op("editJob", "Change or close your job", ok("200", "Changed", ref("JobView")), B + ["401", "403", "404"], "JobChange", tag="Jobs", params=J,
          notes={"403": "not_poster", "422": "immutable_field (company), unknown_field, invalid_type, required (blank text), too_long, invalid_value, bad_salary, bad_currency"},
          desc="A closed job takes no applications and leaves search; it can be opened again.")},
  "/api/v1/companies/{id}/jobs": {"get": op("listCompanyJobs", "The company's open jobs, newest first", ok("200", "Jobs", ref("JobList")), ["400", "401", "404"],
      tag="Jobs", params=path_param("id", "Company id") + PAGE, notes={"400": LIST_400})},
  "/api/v1/search/jobs": {"get": op("searchJobs", "Open jobs matching a query and filters, best first", ok("200", "Results", ref("JobSearchResults")), ["400", "401", "429"],
      tag="Search", params=[q("q", S(maxLength=1000), "The people-search language (AND, OR, NOT, -term, \"phrase\", parentheses) over title, description, skills and company; absent: every open job matching the filters"),
          q("location", S(maxLength=100, pattern=r"^[^\x00-\x1F\x7F]*$"), "Words of the location, in order"),
          q("company", S(maxLength=100, pattern=r"^[^\x00-\x1F\x7F]*$"), "A company id or name"),
          q("workplace", S(enum=WORKPLACES + [""]), "Where the work is done"), q("employmentType", S(enum=EMPLOYMENT_TYPES + [""]), "Employment type"),
          q("postedWithin", S(pattern="^([1-9]|[1-9][0-9]|[1-2][0-9][0-9]|3[0-5][0-9]|36[0-5])?$"), "Days (1–365)"),
          PAGE[0], q("cursor", S(pattern="^([0-9]{1,3})?$"), "From the previous page's nextCursor (the number of results shown)")],
      notes={"400": "bad_query (with the position of a syntax error), too_complex, bad_filter, bad_cursor or bad_limit", "429": "rate_limited: searches per day"},
      desc="Ranked by relevance blended with recency and how many people you know at the company (peopleYouKnowCount: your connections who work there now).")},
  "/api/v1/search/jobs/saved": {
      "get": op("listSavedJobSearches", "Your saved job searches, oldest first", ok("200", "Saved job searches", ref("SavedSearchList")), ["401"], tag="Search"),
      "post": op("saveJobSearch", "Save a job search: jobs posted later that match it are announced in one notification",
          ok("201", "Saved", ref("SavedSearch")), B + ["401"], "NewSavedJobSearch", tag="Search",
          notes={"400": "bad_query (with the position of a syntax error) or too_complex",
                 "422": "required (neither a query nor a filter), saved_search_limit (50, people and job searches together), unknown_field, invalid_type, invalid_value, too_long"},
          desc="The jobs matching it now are not news. Delete it with DELETE /api/v1/search/saved/{id}.")},
  "/api/v1/jobs/{id}/applications": {
      "post": op("applyToJob", "Apply with your profile and an optional note", ok("201", "Applied", ref("Application")), B + ["401", "404", "409", "429"],
          "NewApplication", tag="Jobs", params=J, notes={"409": "already_applied or job_closed", "422": "own_job, unknown_field, invalid_type, too_long, invalid_text",
          "429": "rate_limited: applications per day"}, desc="The poster is notified. No one else learns of it."),
      "get": op("listApplicants", "Your job's applicants, oldest first", ok("200", "Applicants", ref("ApplicantList")), ["400", "401", "404"], tag="Jobs",
          params=J + PAGE, notes={"400": LIST_400, "404": "No such job, or it is not yours"})},
  "/api/v1/jobs/{id}/applications/{applicationId}": {"patch": op("setApplicationStatus", "Mark an applicant viewed or rejected",
      ok("200", "The applicant", ref("Applicant")), B + ["401", "404"], "ApplicationStatusChange", tag="Jobs",
      params=J + path_param("applicationId", "Application id"), notes={"404": "No such application to a job of yours"},
      desc="The applicant sees the status on their applications; a rejection is never a notification.")},
  "/api/v1/me/applications": {"get": op("listMyApplications", "Your applications, newest first", ok("200", "Applications", ref("ApplicationList")),
      ["400", "401"], tag="Jobs", params=PAGE, notes={"400": LIST_400})},
  "/api/v1/me/jobs": {"get": op("listMyJobs", "The jobs you posted, newest first", ok("200", "Jobs", ref("PostedJobList")), ["400", "401"], tag="Jobs",
      params=PAGE, notes={"400": LIST_400})},
  "/api/v1/me/job-suggestions": {"get": op("jobSuggestions", "Jobs you may be interested in (members open to work)", ok("200", "Suggestions", ref("JobSuggestions")),
      ["401"], tag="Jobs", desc="Open jobs matching the titles of your current (or latest) positions, those near you or remote first; none you posted or applied to.")},
  "/api/v1/jobs/{id}/referral-requests": {"post": op("requestReferral", "Ask a connection who works at the company now to refer you",
      ok("201", "Asked", ref("ReferralRequest")), B + ["401", "404", "409", "429"], "NewReferralRequest", tag="Jobs", params=J,
      notes={"409": "already_requested or job_closed", "422": "not_connected, not_at_company, own_job, unknown_field, invalid_type, too_long",
             "429": "rate_limited: referral requests per day"})},
  "/api/v1/referral-requests": {"get": op("listReferralRequests", "Referral requests asked of you and by you, newest first",
      ok("200", "Requests", ref("ReferralRequestList")), ["400", "401"], tag="Jobs", params=PAGE, notes={"400": LIST_400})},
  "/api/v1/referral-requests/{id}/accept": {"post": op("acceptReferralRequest", "Refer the requester: their application (made now if absent) carries your referral",
      ok("200", "Referred", ref("ReferralRequest")), ["401", "404", "409"], tag="Jobs", params=path_param("id", "Referral request id"),
      notes={"404": "No such request asked of you", "409": "already_answered, or job_closed when there is no application yet"})},
  "/api/v1/referral-requests/{id}/decline": {"post": op("declineReferralRequest", "Decline: the requester goes on seeing it pending", ok("204", "Declined"),
      ["401", "404", "409"], tag="Jobs", params=path_param("id", "Referral request id"), notes={"404": "No such request asked of you", "409": "already_answered"})},
  "/api/v1/companies/{id}/colleague-reach": {"get": op("colleagueReach", "People at a company whom your colleagues know",
      ok("200", "People at the company, most known first, each with the colleagues who know them", ref("ColleagueReachList")), ["401", "403", "404"],
      params=path_param("id", "Company id"), tag="Data",
      desc="Colleagues are members whose verified employer is yours and who share their network (shareNetworkWithColleagues); they know "
      "someone by connection or by a business card that matched. At most 50 people.",
      notes={"403": "no_verified_employer: you have no verified employer", "404": "No such company"})},
  "/api/v1/companies/{id}": {"get": {**op("getCompany", "A company", ok("200", "Company", ref("Company")), ["404"], params=path_param("id", "Company id"), tag="Companies"),
      "security": [{}, {"bearerAuth": []}]}},
}
doc = {
  "openapi": "3.0.3",
  "info": {"title": "Tsunagari API", "version": "1.0.0",
           "description": "The JSON API of Tsunagari, a self-hostable professional network. Errors are {\"error\": {\"code\", \"message\"}}. Unknown fields in a request body are rejected with 422."},
  "servers": [{"url": "/"}],
  "paths": paths,
  "components": {"schemas": schemas, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}, "metricsToken": {"type": "http", "scheme": "bearer", "description": "The operator's --metrics-token"}}},
}
doc["paths"]["/api/v1/search/people"]["get"]["parameters"][0]["required"] = True

# Links: where the id an operation takes comes from, so that a client (and the fuzz run's stateful phase) can follow
# a new member to their profile, connections, follow and block, and an invitation to its answers.
def link(path, method, status, name, operation, parameters=None, body=None):
    target = {"operationId": operation}
    if parameters: target["parameters"] = parameters
    if body: target["requestBody"] = body
    doc["paths"][path][method]["responses"][status].setdefault("links", {})[name] = target

NEW_MEMBER = "$response.body#/member/id"
for name, operation in [("GetMember", "getMember"), ("ListTheirConnections", "listMemberConnections"),
                        ("ListMutualConnections", "listMutualConnections"), ("Follow", "follow"), ("Unfollow", "unfollow"),
                        ("Block", "block"), ("Unblock", "unblock")]:
    link("/api/v1/accounts", "post", "201", name, operation, {"idOrHandle": NEW_MEMBER})
link("/api/v1/accounts", "post", "201", "GetMemberByHandle", "getMember", {"idOrHandle": "$response.body#/member/handle"})
for name, operation in [("Paths", "paths"), ("RemoveConnection", "removeConnection"), ("DismissSuggestion", "dismissSuggestion")]:
    link("/api/v1/accounts", "post", "201", name, operation, {"memberId": NEW_MEMBER})
link("/api/v1/accounts", "post", "201", "Invite", "invite", body={"inviteeId": NEW_MEMBER})
for status in ["201"]:
    for name, operation in [("Withdraw", "withdrawInvitation"), ("Accept", "acceptInvitation"), ("Ignore", "ignoreInvitation")]:
        link("/api/v1/invitations", "post", status, name, operation, {"id": "$response.body#/id"})
for name, operation in [("Withdraw", "withdrawInvitation"), ("Accept", "acceptInvitation"), ("Ignore", "ignoreInvitation")]:
    link("/api/v1/invitations", "get", "200", name, operation, {"id": "$response.body#/items/0/id"})
for name, operation in [("Forward", "forwardIntroduction"), ("Decline", "declineIntroduction")]:
    link("/api/v1/introductions", "post", "201", name, operation, {"id": "$response.body#/id"})
# A conversation leads to itself, its messages and its read marker (up to the message just sent).
for status in ["201", "200"]:
    for name, operation in [("GetConversation", "getConversation"), ("ListMessages", "listMessages"), ("SendMessage", "sendMessage")]:
        link("/api/v1/conversations", "post", status, name, operation, {"id": "$response.body#/id"})
    link("/api/v1/conversations", "post", status, "MarkRead", "markConversationRead", {"id": "$response.body#/id"},
         {"upTo": "$response.body#/lastMessage/id"})
for name, operation in [("GetConversation", "getConversation"), ("ListMessages", "listMessages"), ("SendMessage", "sendMessage")]:
    link("/api/v1/conversations", "get", "200", name, operation, {"id": "$response.body#/items/0/id"})
link("/api/v1/conversations/{id}/messages", "post", "201", "MarkRead", "markConversationRead", {"id": "$response.body#/conversationId"},
     {"upTo": "$response.body#/id"})
# A new post leads to itself, its comments, reactions, reposts and reports.
for name, operation in [("GetPost", "getPost"), ("EditPost", "editPost"), ("ListComments", "listComments"), ("Comment", "commentOnPost"),
                        ("React", "react"), ("Unreact", "unreact"), ("Repost", "repost"), ("Report", "reportPost"), ("DeletePost", "deletePost")]:
    link("/api/v1/posts", "post", "201", name, operation, {"id": "$response.body#/id"})
link("/api/v1/posts/{id}/comments", "post", "201", "DeleteComment", "deleteComment", {"id": "$response.body#/postId", "commentId": "$response.body#/id"})
link("/api/v1/posts/{id}/comments", "post", "201", "ReportComment", "reportComment", {"id": "$response.body#/postId", "commentId": "$response.body#/id"})
# A new job leads to itself, its applications and referral requests.
for name, operation in [("GetJob", "getJob"), ("EditJob", "editJob"), ("Apply", "applyToJob"), ("ListApplicants", "listApplicants"),
                        ("RequestReferral", "requestReferral")]:
    link("/api/v1/jobs", "post", "201", name, operation, {"id": "$response.body#/id"})
link("/api/v1/jobs", "post", "201", "SharePost", "createPost", body={"text": "We are hiring", "jobId": "$response.body#/id"})
for name, operation in [("Accept", "acceptReferralRequest"), ("Decline", "declineReferralRequest")]:
    link("/api/v1/jobs/{id}/referral-requests", "post", "201", name, operation, {"id": "$response.body#/id"})
link("/api/v1/notifications", "get", "200", "MarkRead", "markNotificationsRead", body={"upTo": "$response.body#/items/0/id"})
print(json.dumps(doc, indent=2, ensure_ascii=False))
