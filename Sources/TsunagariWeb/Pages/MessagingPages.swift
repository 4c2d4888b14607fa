import Foundation
import TsunagariCore

/// The Messaging pages: the conversation list with unread counts, a conversation with its composer, and a new
/// message to a member. Forms post without JavaScript; app.js adds what arrives live.
enum MessagingPages {
    typealias People = [MemberID: MessagingPeople.Person]

    static func name(_ id: MemberID, _ people: People, _ l: TsunagariCore.Locale) -> String {
        switch people[id] ?? .deleted {
        case .shown(let person): person.card.name
        case .unavailable: Text.unavailableMember(l)
        case .deleted: Text.deletedMember(l)
        }
    }

    static func nameLink(_ id: MemberID, _ people: People, _ l: TsunagariCore.Locale) -> HTML {
        if case .shown(let person) = people[id] ?? .deleted {
            return el("a", .href("/in/\(person.card.handle)")) { person.card.name }
        }
        return el("span", .class("muted")) { name(id, people, l) }
    }

    /// The others in a conversation, by name.
    static func title(_ conversation: Conversation, viewer: MemberID, _ people: People, _ l: TsunagariCore.Locale) -> String {
        let others = conversation.participants.filter { $0 != viewer }
        guard !others.isEmpty else { return Text.conversationEnded(l) }
        let names = others.prefix(3).map { name($0, people, l) }.joined(separator: l == .ja ? "、" : ", ")
        guard others.count > 3 else { return names }
        return l == .ja ? "\(names) ほか\(others.count - 3)人" : "\(names) and \(others.count - 3) more"
    }

    static func kindLabel(_ kind: ConversationKind, _ l: TsunagariCore.Locale) -> String? {
        switch kind {
        case .direct: nil
        case .group: Text.groupOf(l)
        case .introduction: Text.introductionConversation(l)
        case .recruiter: Text.recruiterConversation(l)
        }
    }

    /// "2026-12-02 11:32" in UTC, as app.js writes a message that arrives live.
    /// `2026-12-05 10:50`, in UTC: the API's time to the minute, written by the same arithmetic (`Represent.timeString`)
    /// for the years it covers. A page of posts writes twenty of these, and calendar components with a format string
    /// were a fortieth of a feed page's time.
    static func time(_ date: Date) -> String {
        let stamp = Represent.timeString(date)
        var bytes = Array(stamp.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T") else { return calendarTime(date) }
        bytes[10] = UInt8(ascii: " ")
        return String(decoding: bytes[..<16], as: UTF8.self)
    }

    /// The same by calendar components: for the years the arithmetic does not cover, and to test it against.
    static func calendarTime(_ date: Date) -> String {
        let c = MessagingService.utcCalendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    static func inbox(_ chrome: PageChrome, viewer: MemberID, _ entries: [ConversationEntry], next: String?, people: People) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.messaging(l)) {
            el("h1") { Text.messaging(l) }
            el("section", .class("card"), .id("conversations")) {
                if entries.isEmpty { el("p", .class("muted")) { Text.noConversations(l) } }
                el("ul", .class("plain-list conversations")) {
                    for entry in entries {
                        el(
                            "li", .class(entry.unreadCount > 0 ? "conversation-item unread" : "conversation-item"),
                            Attribute("data-conversation", entry.conversation.id)
                        ) {
                            el("a", .href("/messages/\(entry.conversation.id)"), .class("conversation-link")) {
                                el("span", .class("conversation-title")) { title(entry.conversation, viewer: viewer, people, l) }
                                if let label = kindLabel(entry.conversation.kind, l) {
                                    " "
                                    el("span", .class("tag")) { label }
                                }
                                if entry.unreadCount > 0 {
                                    " "
                                    el("span", .class("count-badge"), Attribute("aria-label", "\(entry.unreadCount) \(Text.unreadMessages(l))")) {
                                        entry.unreadCount >= MessagingLimits.unreadCap ? "99+" : String(entry.unreadCount)
                                    }
                                }
                            }
                            if let last = entry.lastMessage {
                                el("p", .class("muted small-text conversation-snippet")) {
                                    "\(last.sender == viewer ? Text.you(l) : name(last.sender, people, l)): \(String(last.text.prefix(120)))"
                                }
                                el("p", .class("muted small-text")) { time(last.sentAt) }
                            }
                        }
                    }
                }
                if let next { el("p") { el("a", .href("/messages?cursor=\(next)"), .class("button secondary small")) { Text.nextPage(l) } } }
            }
        }
    }

    struct ConversationModel: Sendable {
        var entry: ConversationEntry
        var messages: [Message]
        var older: String?
        var people: People
        /// Why the viewer cannot write here, if they cannot.
        var closed: String?
        var draft: String = ""
        var error: String?
    }

    static func conversation(_ chrome: PageChrome, viewer: MemberID, _ model: ConversationModel) -> HTML {
        let l = chrome.locale
        let conversation = model.entry.conversation
        let heading = title(conversation, viewer: viewer, model.people, l)
        return Layout.page(chrome, title: heading) {
            el("p") { el("a", .href("/messages")) { "← \(Text.messaging(l))" } }
            el(
                "section", .class("card conversation"), .id("conversation"), Attribute("data-conversation", conversation.id),
                Attribute("data-viewer", viewer.rawValue), Attribute("data-you", Text.you(l))
            ) {
                el("h1") { heading }
                if let label = kindLabel(conversation.kind, l) { el("p", .class("tag")) { label } }
                el("p", .class("muted small-text participants")) {
                    HTML.joined(
                        conversation.participants.enumerated().flatMap { index, id in
                            [index == 0 ? HTML.empty : HTML(escaping: l == .ja ? "、" : ", "),
                             id == viewer ? HTML(escaping: Text.you(l)) : nameLink(id, model.people, l)]
                        })
                }
                if let older = model.older {
                    el("p") { el("a", .href("/messages/\(conversation.id)?before=\(older)"), .id("older-messages")) { Text.olderMessages(l) } }
                }
                el("ol", .class("messages"), .id("messages"), Attribute("aria-live", "polite")) {
                    for message in model.messages.reversed() {
                        messageItem(message, viewer: viewer, model.people, l)
                    }
                }
                if let closed = model.closed {
                    el("p", .class("muted"), .id("conversation-closed")) { closed }
                } else {
                    Layout.errors(model.error)
                    Layout.form(chrome, action: "/messages/\(conversation.id)", id: "composer") {
                        Layout.textArea(Text.yourMessage(l), name: "text", value: model.draft, rows: 3, maxLength: MessagingLimits.standard.messageLength)
                        el("button", .type("submit"), .class("button")) { Text.send(l) }
                    }
                }
            }
        }
    }

    static func messageItem(_ message: Message, viewer: MemberID, _ people: People, _ l: TsunagariCore.Locale) -> HTML {
        el("li", .class(message.sender == viewer ? "message mine" : "message"), Attribute("data-id", message.id)) {
            el("p", .class("message-meta small-text")) {
                el("span", .class("message-sender")) { message.sender == viewer ? HTML(escaping: Text.you(l)) : nameLink(message.sender, people, l) }
                " · "
                el("time", Attribute("datetime", Represent.timeString(message.sentAt))) { time(message.sentAt) }
            }
            el("p", .class("message-text prewrap")) { message.text }
        }
    }

    struct NewMessageModel: Sendable {
        var to: PersonSummary
        var draft: String = ""
        var error: String?
    }

    static func newMessage(_ chrome: PageChrome, _ model: NewMessageModel) -> HTML {
        let l = chrome.locale
        return Layout.page(chrome, title: Text.newMessage(l)) {
            el("section", .class("card narrow")) {
                el("h1") { Text.newMessage(l) }
                el("p", .class("muted")) { Text.writeTo(l) }
                el("ul", .class("people compact")) { NetworkPages.person(model.to, l) }
                Layout.errors(model.error)
                Layout.form(chrome, action: "/messages", id: "new-message") {
                    el("input", .type("hidden"), .name("to"), .value(model.to.card.id.rawValue))
                    Layout.textArea(Text.yourMessage(l), name: "text", value: model.draft, rows: 5, maxLength: MessagingLimits.standard.messageLength)
                    el("button", .type("submit"), .class("button")) { Text.send(l) }
                }
            }
        }
    }
}
