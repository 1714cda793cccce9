// Citizen mail, from a committed change to the citizen's inbox.
//
// `App.write` turns each appointment event of a change into an outbox row in the same
// transaction (`enqueueMail`): nothing is sent for a change that rolled back, nothing is lost
// on kill -9. The `Mailer` works the outbox off on its own serial queue, never under the write
// lock: it writes the reminders that came due, then delivers each due message through the
// transport, keeping its Message-ID through retries. A temporary failure is retried with a
// growing pause; a permanent one (a 5xx answer) is kept as failed for the admin. Logs name
// outbox ids, never addresses or names.
import Foundation
import LoketCore
import LoketHTTP
import LoketMail
import LoketStore
import Logging

/// What one round of the mailer did.
public struct MailRound: Sendable, Equatable {
    /// Reminders written to the outbox.
    public var reminders = 0
    /// Messages delivered.
    public var sent = 0
    /// Messages that will be tried again.
    public var retried = 0
    /// Messages refused for good.
    public var failed = 0

    public init(reminders: Int = 0, sent: Int = 0, retried: Int = 0, failed: Int = 0) {
        self.reminders = reminders
        self.sent = sent
        self.retried = retried
        self.failed = failed
    }
}

/// Works off the outbox in the background.
public final class Mailer: Sendable {
    private let store: Store
    /// The catalogue in force; replaced by a config reload.
    private let current: LockedBox<Catalogue>
    private var catalogue: Catalogue { current.withLock { $0 } }
    private let clock: any Clock
    private let logger: Logger
    private let transport: (any MailTransport)?
    private let manageKey: [UInt8]
    /// Writes the messages, with links under the public URL; replaced once the listening address is known.
    private let composer: LockedBox<MailComposer>
    /// The host of the public URL, the right side of Message-IDs.
    private let host: LockedBox<String>
    private let queue = DispatchQueue(label: "loket.mail")
    private let timer = LockedBox<DispatchSourceTimer?>(nil)
    /// Coalesces wake-ups: at most one round waits on the queue.
    private let scheduled = LockedBox(false)
    /// Why mail is stuck, from the last round: messages waiting after failed attempts for longer than
    /// `Mailer.stuckAfter`; nil while mail goes out.
    private let stuckReason = LockedBox<String?>(nil)
    /// A message that has waited this long after failed attempts makes health report mail as stuck.
    static let stuckAfter: TimeInterval = 10 * 60
    /// Set by `stop`: a round in progress ends after the message at hand.
    private let stopping = LockedBox(false)
    /// Longest a temporary failure is retried before the message counts as failed.
    static let giveUpAfter: TimeInterval = 48 * 3600

    /// Told what each round did (the app's metrics count it).
    private let report: @Sendable (MailRound) -> Void

    init(store: Store, catalogue: Catalogue, clock: any Clock, transport: (any MailTransport)?, publicURL: String,
         manageKey: [UInt8], logger: Logger, firstPause: TimeInterval = 15, report: @escaping @Sendable (MailRound) -> Void = { _ in }) {
        self.report = report
        self.firstPause = firstPause
        self.store = store
        self.current = LockedBox(catalogue)
        self.clock = clock
        self.transport = transport
        self.manageKey = manageKey
        self.logger = logger
        self.host = LockedBox(URL(string: publicURL)?.host ?? "localhost")
        self.composer = LockedBox(Mailer.makeComposer(catalogue, publicURL: publicURL))
    }

    private static func makeComposer(_ catalogue: Catalogue, publicURL: String) -> MailComposer {
        let policy = catalogue.settings.mail
        let name = policy.fromName ?? catalogue.settings.municipality.resolve(catalogue.settings.defaultLanguage)
        return MailComposer(catalogue: catalogue, settings: MailSettings(
            from: MailAddress(policy.from, name: name), replyTo: policy.replyTo.map { MailAddress($0) }, publicURL: publicURL))
    }

    /// The base of links in mail and calendar files.
    public var publicURL: String { composer.withLock { $0.settings.publicURL } }

    /// Points the links in mail at `url` (the listening address, when no public URL was given).
    public func usePublicURL(_ url: String) {
        composer.withLock { $0 = Mailer.makeComposer(catalogue, publicURL: url) }
        host.withLock { $0 = URL(string: url)?.host ?? "localhost" }
    }

    /// Writes mail from `catalogue` from now on (after a config reload); links keep their base.
    func use(_ catalogue: Catalogue) {
        current.withLock { $0 = catalogue }
        composer.withLock { $0 = Mailer.makeComposer(catalogue, publicURL: $0.settings.publicURL) }
    }

    /// The pause before attempt `attempts + 1`: `first` (15 s), doubling, at most an hour.
    public static func backoff(afterAttempts attempts: Int, first: TimeInterval = 15) -> TimeInterval {
        min(longestPause, first * pow(2, Double(max(0, attempts - 1))))
    }

    /// The first pause after a temporary failure (`--mail-retry-seconds`; 15 s).
    private let firstPause: TimeInterval

    /// The longest pause `backoff` gives; a message put off further was put off before the clock went back.
    static let longestPause: TimeInterval = 3600

    /// Starts a round every `interval` seconds.
    func start(interval: Double = 5) {
        if transport == nil {
            logger.notice("mail: no transport (--smtp or --mail-dir); citizen mail stays in the outbox")
        }
        let t = DispatchSource.makeTimerSource(queue: queue)
        // A first pause shorter than the interval (tests) is kept by rounds as frequent.
        t.schedule(deadline: .now() + 0.2, repeating: min(interval, max(0.5, firstPause)))
        t.setEventHandler { [weak self] in _ = self?.round() }
        t.resume()
        timer.withLock { $0 = t }
    }

    func stop() {
        stopping.withLock { $0 = true }
        timer.withLock {
            $0?.cancel()
            $0 = nil
        }
        queue.sync {}
    }

    /// Asks for a round soon (after a change wrote mail).
    func wake() {
        guard transport != nil, timer.withLock({ $0 != nil }) else { return }
        let first = scheduled.withLock { pending -> Bool in
            defer { pending = true }
            return !pending
        }
        guard first else { return }
        queue.async { [weak self] in
            self?.scheduled.withLock { $0 = false }
            _ = self?.round()
        }
    }

    /// One round now, on the caller's thread but never beside another round (tests call this).
    public func runRound() -> MailRound { queue.sync { round() } }

    /// Writes due reminders, then delivers due messages. Runs on `queue`.
    ///
    /// A round ends early after `Mailer.temporaryFailuresPerRound` temporary failures (the relay is
    /// probably down: the rest would only wait out the same timeout), when a delivery cannot be
    /// recorded, or when the mailer is stopping.
    private func round() -> MailRound {
        var result = MailRound()
        defer { report(result) }
        do {
            result.reminders = try writeReminders(now: clock.now())
        } catch {
            logger.error("mail: writing reminders failed", metadata: ["error": "\(error)"])
        }
        guard let transport else { return result }
        defer {
            let now = clock.now()
            let waiting = try? store.read { try $0.oldestRetriedMail() }
            stuckReason.withLock {
                $0 = waiting.flatMap { $0 }.flatMap { since in
                    now.timeIntervalSince(since) > Mailer.stuckAfter
                        ? "messages wait since \(CivilClock(timeZone: .brussels).iso8601(since)) after failed attempts" : nil
                }
            }
        }
        do {
            var trouble = 0
            for message in try store.read({ try $0.dueMail(now: clock.now(), limit: 50, longestPause: Mailer.longestPause) }) {
                if stopping.withLock({ $0 }) || trouble >= Mailer.temporaryFailuresPerRound { break }
                let before = result
                guard deliver(message, through: transport, into: &result) else { break }
                if result.retried > before.retried { trouble += 1 }
            }
        } catch {
            logger.error("mail: reading the outbox failed", metadata: ["error": "\(error)"])
        }
        return result
    }

    /// Why mail is stuck, or nil (see `stuckAfter`).
    public var stuck: String? { stuckReason.withLock { $0 } }

    /// Temporary failures after which a round gives up until the next one.
    static let temporaryFailuresPerRound = 3

    /// Delivers one message; false when what happened could not be recorded (the round stops).
    private func deliver(_ message: OutboxMessage, through transport: any MailTransport, into result: inout MailRound) -> Bool {
        let meta: Logger.Metadata = ["outbox": "\(message.id)", "kind": "\(message.kind)"]
        let now = clock.now()
        do {
            // Counted and put off first: should recording the outcome fail, the message is not sent again at once.
            try store.write { try $0.claimMail(id: message.id, next: now.addingTimeInterval(Mailer.backoff(afterAttempts: message.attempts + 1, first: firstPause))) }
        } catch {
            logger.error("mail: could not claim a message", metadata: meta.merging(["error": "\(error)"]) { $1 })
            return false
        }
        do {
            if WaitlistMailKind(outboxKind: message.kind) != nil {
                return try deliverWaitlist(message, through: transport, now: now, meta: meta, into: &result)
            }
            guard let payload = message.payload, var mail = try? JSONDecoder().decode(AppointmentMail.self, from: Data(payload.utf8)) else {
                try store.write { try $0.failMail(id: message.id, error: "the message's content is missing or unreadable") }
                result.failed += 1
                return true
            }
            let stored = try store.read { try $0.appointment(reference: message.reference) }
            if let stale = staleness(of: mail, stored: stored?.appointment, now: now) {
                try store.write { try $0.failMail(id: message.id, error: stale) }
                result.failed += 1
                return true
            }
            // The manage link, derived now (the outbox keeps no token), and only where it opens this appointment:
            // an appointment booked before tokens were derived keeps its own token, which only the citizen has.
            if mail.kind != .cancelled, let stored {
                let token = Secret.manageToken(reference: mail.reference, key: manageKey)
                mail.manageToken = constantTimeEqual(Secret.hash(token), stored.tokenHash) ? token : nil
            }
            let rendered = composer.withLock { $0 }.compose(mail, messageID: message.messageID, now: now).rendered()
            try transport.deliver(rendered, messageID: message.messageID, from: catalogue.settings.mail.from, to: [mail.email])
            try store.write { try $0.markMailSent(id: message.id, now: clock.now()) }
            result.sent += 1
            logger.info("mail: sent", metadata: meta)
        } catch MailDeliveryError.permanent(let detail) {
            let reason = Mailer.withoutAddresses(detail)
            try? store.write { try $0.failMail(id: message.id, error: reason) }
            result.failed += 1
            logger.warning("mail: refused for good", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
        } catch MailDeliveryError.temporary(let detail) {
            let reason = Mailer.withoutAddresses(detail)
            let failedAt = clock.now()
            if failedAt.timeIntervalSince(message.createdAt) > Mailer.giveUpAfter {
                try? store.write { try $0.failMail(id: message.id, error: "gave up after 48 hours: \(reason)") }
                result.failed += 1
            } else {
                let next = failedAt.addingTimeInterval(Mailer.backoff(afterAttempts: message.attempts + 1, first: firstPause))
                try? store.write { try $0.retryMail(id: message.id, error: reason, next: next) }
                result.retried += 1
            }
            logger.notice("mail: will try again", metadata: meta.merging(["reason": "\(reason)"]) { $1 })
        } catch {
            // Delivered (or not) but not recorded: the claim keeps it from going out again before its next attempt.
            logger.error("mail: could not record a delivery", metadata: meta.merging(["error": "\(error)"]) { $1 })
            return false
        }
        return true
    }

    /// Why `mail` should no longer go out, or nil: the visit is over, or a reminder's visit was
    /// cancelled or moved since it was written.
    private func staleness(of mail: AppointmentMail, stored: Appointment?, now: Date) -> String? {
        if mail.end <= now { return "not sent: the visit is over" }
        guard mail.kind == .reminder else { return nil }
        guard let stored, stored.status == .booked, stored.start == mail.start, stored.start > now else {
            return "not sent: the visit was cancelled, moved or has begun since the reminder was written"
        }
        return nil
    }

    /// `text` with anything shaped like an e-mail address replaced (mail servers echo the recipient).
    public static func withoutAddresses(_ text: String) -> String {
        text.replacing(/[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+/, with: "<address>")
    }

    /// Writes the reminders whose moment has come, each once (the outbox's dedup key). Looks in a
    /// read snapshot first, so the write lock is taken only when there is something to write.
    private func writeReminders(now: Date) throws -> Int {
        var written = 0
        for hours in catalogue.settings.mail.reminderHours {
            guard try !store.read({ try $0.remindersDue(hours: hours, now: now, limit: 1) }).isEmpty else { continue }
            written += try store.write { db -> Int in
                var n = 0
                for due in try db.remindersDue(hours: hours, now: now) {
                    guard let mail = appointmentMail(.reminder, due.appointment, previousStart: nil, by: "system") else { continue }
                    let key = "reminder:\(due.appointment.reference):\(hours):\(Int64(due.appointment.start.timeIntervalSince1970))"
                    if try db.enqueueMail(messageID: messageID(), kind: MailKind.reminder.rawValue, reference: due.appointment.reference,
                                          dedup: key, payload: try encode(mail), now: now) != nil {
                        n += 1
                    }
                }
                return n
            }
        }
        return written
    }

    /// Outbox rows for the appointment events of a change, written in its transaction; true when any was written.
    func enqueue(_ events: [LiveEvent], db: Connection, now: Date) throws -> Bool {
        var any = false
        for case .appointment(let update) in events {
            guard let a = try db.appointment(withReference: update.reference) else { continue }
            let kind: MailKind
            switch update.change {
            case .booked: kind = .booked
            case .moved: kind = .moved
            case .cancelled: kind = .cancelled
            }
            guard var mail = appointmentMail(kind, a, previousStart: update.previousStartInstant, by: update.by) else { continue }
            mail.reason = update.reason?.resolve(a.language)
            // The newest message says what is true now: one still waiting (a reminder of the old time,
            // a confirmation in backoff) must not arrive after it. A booking's reference is new (drawn
            // unused, and appointments are never deleted), so nothing about it waits: its UPDATE found
            // no row and was half of the outbox's 4.8% of a booking.
            if kind != .booked { _ = try db.supersedeMail(reference: a.reference) }
            try db.enqueueMail(messageID: messageID(), kind: kind.rawValue, reference: a.reference, payload: try encode(mail), now: now)
            any = true
        }
        for case .waitlist(let update) in events {
            guard let entry = try db.waitlistEntry(id: update.id)?.entry, !entry.email.isEmpty else { continue }
            let kind: WaitlistMailKind
            switch update.change {
            case .joined: kind = .joined
            case .offer: kind = .offer
            case .expired: kind = .expired
            }
            let mail = WaitlistMail(kind: kind, id: entry.id, location: entry.location, service: entry.service, persons: entry.persons,
                                    from: entry.from.description, to: entry.to.description, language: entry.language,
                                    name: entry.name, email: entry.email, offerStart: entry.offer?.start, offerEnd: entry.offer?.end,
                                    expiresAt: entry.offer?.expiresAt)
            // An offer's lapse ends the offer mail if it still waits (it would only point to a slot that is gone).
            if kind == .expired { _ = try db.supersedeMail(reference: entry.id) }
            try db.enqueueMail(messageID: messageID(), kind: kind.outboxKind, reference: entry.id,
                               payload: String(decoding: try JSONEncoder().encode(mail), as: UTF8.self), now: now)
            any = true
        }
        return any
    }

    /// Delivers one waitlist message (the claim is made); the errors are the caller's to record.
    private func deliverWaitlist(_ message: OutboxMessage, through transport: any MailTransport, now: Date, meta: Logger.Metadata,
                                 into result: inout MailRound) throws -> Bool {
        guard let payload = message.payload, var mail = try? JSONDecoder().decode(WaitlistMail.self, from: Data(payload.utf8)) else {
            try store.write { try $0.failMail(id: message.id, error: "the message's content is missing or unreadable") }
            result.failed += 1
            return true
        }
        if mail.kind == .offer, let expires = mail.expiresAt, expires <= now {
            try store.write { try $0.failMail(id: message.id, error: "not sent: the offer has lapsed") }
            result.failed += 1
            return true
        }
        mail.token = Secret.manageToken(reference: "waitlist:\(mail.id)", key: manageKey)
        let rendered = composer.withLock { $0 }.compose(mail, messageID: message.messageID, now: now).rendered()
        try transport.deliver(rendered, messageID: message.messageID, from: catalogue.settings.mail.from, to: [mail.email])
        try store.write { try $0.markMailSent(id: message.id, now: clock.now()) }
        result.sent += 1
        logger.info("mail: sent", metadata: meta)
        return true
    }

    /// What the message about `a` says; nil without an e-mail address.
    private func appointmentMail(_ kind: MailKind, _ a: Appointment, previousStart: Date?, by: String) -> AppointmentMail? {
        guard let email = a.email, !email.isEmpty else { return nil }
        // No token in the outbox: the sender derives it when it writes the message.
        return AppointmentMail(kind: kind, reference: a.reference, manageToken: nil,
                               location: a.location, items: a.items, start: a.start, end: a.end, previousStart: previousStart,
                               language: a.language, name: a.name, email: email, sequence: a.revision,
                               cancelledByOffice: by == "office", meetingURL: a.meetingURL(at: catalogue.location(a.location)))
    }

    private func messageID() -> String {
        var g = SystemRandomNumberGenerator()
        return MailComposer.messageID(host: host.withLock { $0 }, using: &g)
    }

    private func encode(_ mail: AppointmentMail) throws -> String {
        mail.outboxJSON() // by hand: JSONEncoder was 3.5% of a booking (AppointmentMail+JSON.swift)
    }
}
