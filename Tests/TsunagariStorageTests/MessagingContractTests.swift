import Foundation
import Testing
import TsunagariCore
@testable import TsunagariStoragePostgres
@testable import TsunagariStorageSQLite

typealias MessagingStorage = MessagingStore & NotificationStore & NetworkStore & Storage

extension TestStore {
    var messaging: any MessagingStorage {
        get throws { try #require(storage as? any MessagingStorage, "\(kind) storage does not implement MessagingStore") }
    }
}

extension Make {
    static func conversation(
        _ kind: ConversationKind = .direct, by creator: MemberID, with others: [MemberID], at seconds: Int = 0, credit: Bool = false
    ) -> Conversation {
        let pair = (kind == .direct || kind == .recruiter) && others.count == 1 ? Conversation.pairKey(creator, others[0]) : nil
        return Conversation(
            id: id(seconds), kind: kind, creator: creator, participants: [creator] + others, pairKey: pair, createdAt: at(seconds),
            updatedAt: at(seconds), creditSpentAt: credit ? at(seconds) : nil)
    }

    static func message(_ conversation: String, from sender: MemberID, _ text: String = "こんにちは", at seconds: Int = 0) -> Message {
        Message(id: id(seconds), conversationID: conversation, sender: sender, text: text, sentAt: at(seconds))
    }
}

/// What every `MessagingStore` (and the notification store it works with) must do, on SQLite and PostgreSQL alike.
@Suite("Messaging storage contract", .postgresTemplate)
struct MessagingContractTests {
    @Test("A conversation starts with its participants and first message; the pair's second start adds to it", arguments: StorageKind.tested)
    func startAndReuse(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 3)
            let (a, b) = (ids[0], ids[1])
            let conversation = Make.conversation(by: a, with: [b], at: 10)
            let first = Make.message(conversation.id, from: a, "はじめまして", at: 10)
            let started = try await s.startConversation(conversation, messages: [first])
            #expect(started.created)
            #expect(started.conversation.participants == [a, b])
            #expect(started.conversation.lastMessageID == first.id)
            #expect(started.conversation.pairKey == Conversation.pairKey(b, a))
            #expect(try await s.message(id: first.id) == first)

            // B starts "again": the message goes to the same conversation, nothing new is made.
            let other = Make.conversation(by: b, with: [a], at: 20)
            let reply = Make.message(other.id, from: b, "こちらこそ", at: 20)
            let reused = try await s.startConversation(other, messages: [reply])
            #expect(!reused.created)
            #expect(reused.conversation.id == conversation.id)
            #expect(reused.conversation.lastMessageID == reply.id)
            #expect(try await s.conversation(id: other.id) == nil)
            #expect(try await s.message(id: reply.id)?.conversationID == conversation.id)
            #expect(try await s.conversation(pairKey: Conversation.pairKey(a, b))?.id == conversation.id)

            // B's start moved B's marker; A has one unread.
            #expect(try await s.conversationEntry(id: conversation.id, for: a)?.unreadCount == 1)
            #expect(try await s.conversationEntry(id: conversation.id, for: b)?.unreadCount == 0)
            #expect(try await s.conversationEntry(id: conversation.id, for: ids[2]) == nil)
        }
    }

    @Test("Two starts of one pair at the same moment make one conversation holding both messages", arguments: StorageKind.tested)
    func concurrentStarts(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 2)
            let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for (from, to) in [(ids[0], ids[1]), (ids[1], ids[0])] {
                    group.addTask {
                        let conversation = Make.conversation(by: from, with: [to])
                        let started = try await s.startConversation(conversation, messages: [Make.message(conversation.id, from: from)])
                        return (started.conversation.id, started.created)
                    }
                }
                var results: [(String, Bool)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(Set(results.map(\.0)).count == 1)
            #expect(results.filter(\.1).count == 1)
            #expect(try await s.messages(in: results[0].0, before: nil, limit: 10).count == 2)
        }
    }

    @Test("Only a participant adds a message; the latest message and the sender's marker move with it", arguments: StorageKind.tested)
    func addMessage(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 4)
            let group = Make.conversation(.group, by: ids[0], with: [ids[1], ids[2]], at: 0)
            _ = try await s.startConversation(group, messages: [Make.message(group.id, from: ids[0], at: 0)])
            #expect(try await s.conversation(id: group.id)?.pairKey == nil)

            let intruder = Make.message(group.id, from: ids[3], "入れて", at: 5)
            #expect(try await !s.addMessage(intruder))
            #expect(try await s.message(id: intruder.id) == nil)

            let second = Make.message(group.id, from: ids[1], at: 10)
            #expect(try await s.addMessage(second))
            let third = Make.message(group.id, from: ids[2], at: 20)
            #expect(try await s.addMessage(third))
            let stored = try #require(try await s.conversation(id: group.id))
            #expect(stored.lastMessageID == third.id)
            #expect(stored.updatedAt == Make.at(20))
            #expect(try await s.conversationEntry(id: group.id, for: ids[0])?.unreadCount == 2)
            #expect(try await s.conversationEntry(id: group.id, for: ids[1])?.unreadCount == 1)
            #expect(try await s.conversationEntry(id: group.id, for: ids[2])?.unreadCount == 0)
            #expect(try await s.conversationEntry(id: group.id, for: ids[0])?.lastMessage == third)
        }
    }

    @Test("A participant's view names the others blocked either way, and only a participant gets one", arguments: StorageKind.tested)
    func participantView(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 5)
            let group = Make.conversation(.group, by: ids[0], with: [ids[1], ids[2], ids[3]], at: 0)
            _ = try await s.startConversation(group, messages: [Make.message(group.id, from: ids[0], at: 0)])
            #expect(try await s.conversation(id: group.id, participant: ids[0])?.blocked == [])
            try await s.block(ids[0], ids[1], at: Make.at(5))
            try await s.block(ids[2], ids[0], at: Make.at(6))
            // A block with someone outside the conversation is not named.
            try await s.block(ids[0], ids[4], at: Make.at(7))
            let view = try #require(try await s.conversation(id: group.id, participant: ids[0]))
            #expect(view.blocked == [ids[1], ids[2]])
            #expect(view.conversation.participants == [ids[0], ids[1], ids[2], ids[3]])
            #expect(try await s.conversation(id: group.id, participant: ids[3])?.blocked == [])
            #expect(try await s.conversation(id: group.id, participant: ids[1])?.blocked == [ids[0]])
            #expect(try await s.conversation(id: group.id, participant: ids[4]) == nil)
            #expect(try await s.conversation(id: Make.id(), participant: ids[0]) == nil)
        }
    }

    @Test("Lists go by latest activity with a cursor; read markers only move forward", arguments: StorageKind.tested)
    func listsAndMarkers(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 5)
            let me = ids[0]
            var conversations: [Conversation] = []
            for (index, other) in ids.dropFirst().enumerated() {
                let c = Make.conversation(by: other, with: [me], at: index * 10)
                _ = try await s.startConversation(c, messages: [Make.message(c.id, from: other, at: index * 10)])
                conversations.append(c)
            }
            // Activity in the oldest one brings it to the top.
            let late = Make.message(conversations[0].id, from: ids[1], "追伸", at: 100)
            #expect(try await s.addMessage(late))

            let firstPage = try await s.conversations(of: me, before: nil, limit: 2)
            #expect(firstPage.map(\.conversation.id) == [conversations[0].id, conversations[3].id])
            #expect(firstPage[0].unreadCount == 2)
            #expect(firstPage[0].lastMessage == late)
            let secondPage = try await s.conversations(of: me, before: firstPage.last?.conversation.lastMessageID, limit: 2)
            #expect(secondPage.map(\.conversation.id) == [conversations[2].id, conversations[1].id])
            #expect(try await s.unreadConversationCount(of: me) == 4)

            #expect(try await s.markRead(conversation: conversations[0].id, member: me, upTo: late.id))
            #expect(try await s.unreadConversationCount(of: me) == 3)
            // An older id leaves the marker where it is.
            let older = try #require(try await s.messages(in: conversations[0].id, before: nil, limit: 10).last)
            #expect(try await s.markRead(conversation: conversations[0].id, member: me, upTo: older.id))
            #expect(try await s.conversationEntry(id: conversations[0].id, for: me)?.unreadCount == 0)
            // Not a participant: nothing changes.
            #expect(try await !s.markRead(conversation: conversations[1].id, member: ids[3], upTo: late.id))
            #expect(try await s.conversations(of: ids[4], before: nil, limit: 10).count == 1)
        }
    }

    @Test("Messages page newest first; a member's messages after an id come oldest first across conversations", arguments: StorageKind.tested)
    func messagePages(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 3)
            let one = Make.conversation(by: ids[0], with: [ids[1]], at: 0)
            let two = Make.conversation(by: ids[0], with: [ids[2]], at: 0)
            _ = try await s.startConversation(one, messages: [Make.message(one.id, from: ids[0], "1", at: 0)])
            _ = try await s.startConversation(two, messages: [Make.message(two.id, from: ids[0], "2", at: 1)])
            var sent: [Message] = []
            for second in 2..<7 {
                let m = Make.message(second.isMultiple(of: 2) ? one.id : two.id, from: ids[0], "\(second)", at: second)
                #expect(try await s.addMessage(m))
                sent.append(m)
            }
            let page = try await s.messages(in: one.id, before: nil, limit: 2)
            #expect(page.map(\.text) == ["6", "4"])
            #expect(try await s.messages(in: one.id, before: page.last?.id, limit: 5).map(\.text) == ["2", "1"])

            let after = try await s.messages(for: ids[0], after: sent[0].id, limit: 10)
            #expect(after.map(\.text) == ["3", "4", "5", "6"])
            #expect(try await s.messages(for: ids[1], after: sent[0].id, limit: 10).map(\.text) == ["4", "6"])
            #expect(try await s.messages(for: ids[0], after: sent[0].id, limit: 2).map(\.text) == ["3", "4"])
        }
    }

    @Test("Forwarding an introduction opens its conversation once", arguments: StorageKind.tested)
    func forwardIntroduction(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 3)
            let (requester, via, target) = (ids[0], ids[1], ids[2])
            let introduction = Make.introduction(requester, via: via, to: target, at: 0)
            try await s.createIntroduction(introduction)
            let conversation = Make.conversation(.introduction, by: via, with: [requester, target], at: 10)
            let messages = [
                Make.message(conversation.id, from: requester, introduction.message, at: 10),
                Make.message(conversation.id, from: via, "ぜひ", at: 11),
            ]
            #expect(try await s.forwardIntroduction(id: introduction.id, note: "ぜひ", at: Make.at(10), conversation: conversation, messages: messages))
            let forwarded = try #require(try await s.introduction(id: introduction.id))
            #expect(forwarded.status == .forwarded)
            #expect(forwarded.forwardNote == "ぜひ")
            #expect(forwarded.conversationID == conversation.id)
            #expect(try await s.conversation(id: conversation.id)?.participants == [via, requester, target])
            #expect(try await s.conversationEntry(id: conversation.id, for: target)?.unreadCount == 2)
            #expect(try await s.conversationEntry(id: conversation.id, for: requester)?.unreadCount == 1)

            let again = Make.conversation(.introduction, by: via, with: [requester, target], at: 20)
            #expect(try await !s.forwardIntroduction(id: introduction.id, note: nil, at: Make.at(20), conversation: again, messages: []))
            #expect(try await s.conversation(id: again.id) == nil)
        }
    }

    @Test("A recruiter's credit is given back once", arguments: StorageKind.tested)
    func returnCredit(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 2)
            let c = Make.conversation(.recruiter, by: ids[0], with: [ids[1]], at: 30, credit: true)
            _ = try await s.startConversation(c, messages: [Make.message(c.id, from: ids[0], at: 30)])
            #expect(try await s.conversation(id: c.id)?.creditSpentAt == Make.at(30))
            let returns = try await withThrowingTaskGroup(of: Date?.self) { group in
                for _ in 0..<4 { group.addTask { try await s.returnCredit(conversation: c.id) } }
                var returns: [Date?] = []
                for try await value in group { returns.append(value) }
                return returns
            }
            #expect(returns.compactMap { $0 } == [Make.at(30)])
            #expect(try await s.conversation(id: c.id)?.creditSpentAt == nil)
        }
    }

    @Test("A deleted member's messages stay for the others; a conversation no one is left in goes", arguments: StorageKind.tested)
    func deletion(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 3)
            let shared = Make.conversation(by: ids[0], with: [ids[1]], at: 0)
            let message = Make.message(shared.id, from: ids[0], "さようなら", at: 0)
            _ = try await s.startConversation(shared, messages: [message])
            try await s.deleteMember(ids[0])
            #expect(try await s.conversation(id: shared.id)?.participants == [ids[1]])
            #expect(try await s.message(id: message.id)?.sender == ids[0])
            #expect(try await s.conversations(of: ids[1], before: nil, limit: 10).first?.lastMessage == message)

            try await s.deleteMember(ids[1])
            #expect(try await s.conversation(id: shared.id) == nil)
            #expect(try await s.message(id: message.id) == nil)
        }
    }

    @Test("Notifications: fields round-trip; unread ones of a key gather into one; read ones do not", arguments: StorageKind.tested)
    func notifications(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 5)
            let me = ids[0]
            func reaction(_ actor: MemberID, at seconds: Int) -> MemberNotification {
                MemberNotification(
                    id: Make.id(seconds), member: me, kind: .reaction, actor: actor, subjectID: "post-1", subjectName: nil,
                    members: [actor], count: 1, groupKey: "reaction:post-1", createdAt: Make.at(seconds))
            }
            let forwarded = MemberNotification(
                id: Make.id(1), member: me, kind: .introductionForwarded, actor: ids[1], subjectID: "intro-1", subjectName: nil,
                conversationID: "conversation-1", members: [ids[1]], count: 1, createdAt: Make.at(1))
            try await s.createNotification(forwarded)
            #expect(try await s.notification(id: forwarded.id) == forwarded)

            _ = try await s.gatherNotification(reaction(ids[1], at: 10), keep: 3)
            _ = try await s.gatherNotification(reaction(ids[2], at: 20), keep: 3)
            let third = try await s.gatherNotification(reaction(ids[3], at: 30), keep: 2)
            #expect(third.count == 3)
            #expect(third.members == [ids[3], ids[2]])
            let list = try await s.notifications(of: me, before: nil, limit: 10)
            #expect(list.map(\.id) == [third.id, forwarded.id])
            #expect(list.first == third)

            // Once read, the next reaction starts a new notification.
            #expect(try await s.markNotificationsRead(of: me, upTo: third.id) == 2)
            let fourth = try await s.gatherNotification(reaction(ids[4], at: 40), keep: 3)
            #expect(fourth.count == 1)
            #expect(try await s.notifications(of: me, before: nil, limit: 10).count == 3)
            #expect(try await s.unreadNotifications(of: me, limit: 10).map(\.id) == [fourth.id])
            #expect(try await s.notifications(of: me, after: forwarded.id, limit: 10).map(\.id) == [third.id, fourth.id])
            #expect(try await s.notifications(of: ids[1], after: forwarded.id, limit: 10).isEmpty)
        }
    }

    @Test("Recruiter messages and the role are stored", arguments: StorageKind.tested)
    func settingsAndRole(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let s = try store.messaging
            let ids = try await makeMembers(s, 1)
            var settings = try #require(try await s.profile(id: ids[0])).settings
            #expect(settings.recruiterMessages)
            settings.recruiterMessages = false
            try await s.updateSettings(settings, for: ids[0], at: Make.at(5))
            #expect(try await s.profile(id: ids[0])?.settings.recruiterMessages == false)
            try await s.setRole(.recruiter, for: ids[0])
            #expect(try await s.account(id: ids[0])?.role == .recruiter)
        }
    }
}
