// Waitlist routes (join, read, leave, accept, the admin list) and the round that expires lapsed
// offers and offers freed capacity to the first in line.
//
// The rules live in `WaitlistDesk`. The round runs every `waitlistInterval` seconds from the
// background work, and soon after a change that may free capacity (`wakeWaitlist`: cancel,
// reschedule, leaving with an open offer; the closure-lift and reload code call it too). Each
// step is one write transaction that decides again on what it reads, so a booking that took
// the slot a moment earlier simply means no offer.
//
// The entry's token is derived like a manage token (HMAC of `waitlist:<id>` under the manage
// key), so the mail sender can put the link in every message while the database keeps only
// the token's hash and the outbox no token at all.
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

/// What one waitlist round did.
public struct WaitlistRoundResult: Sendable, Equatable {
    /// Offers that lapsed (their entries expired).
    public var expired = 0
    /// New offers made.
    public var offered = 0

    public init(expired: Int = 0, offered: Int = 0) {
        self.expired = expired
        self.offered = offered
    }
}

/// The waitlist's background state: its serial queue, timer and coalesced wake-ups.
final class WaitlistWork: Sendable {
    let queue = DispatchQueue(label: "loket.waitlist")
    let timer = LockedBox<DispatchSourceTimer?>(nil)
    let scheduled = LockedBox(false)
}

extension App {
    /// Seconds between two waitlist rounds.
    static let waitlistInterval = 30

    static func registerWaitlistRoutes(_ table: inout RouteTable<App>) {
        table.add(.POST, "/api/v1/waitlist") { app, request in try app.joinWaitlist(request) }
        table.add(.GET, "/api/v1/waitlist/{id}") { app, request in try app.readWaitlistEntry(request) }
        table.add(.DELETE, "/api/v1/waitlist/{id}") { app, request in try app.leaveWaitlist(request) }
        table.add(.POST, "/api/v1/waitlist/{id}/accept") { app, request in try app.acceptWaitlistOffer(request) }
        table.add(.GET, "/api/v1/admin/waitlist") { app, request in try app.adminWaitlist(request) }
    }

    var waitlistDesk: WaitlistDesk { WaitlistDesk(catalogue: catalogue) }

    /// The token of waitlist entry `id` (see the file header).
    func waitlistToken(id: String) -> String {
        Secret.manageToken(reference: "waitlist:\(id)", key: manageKey)
    }

    private func waitlistTokenHash(_ request: Request) -> [UInt8]? {
        guard let token = request.query["token"], !token.isEmpty, token.count < 200 else { return nil }
        return Secret.hash(token)
    }

    // MARK: handlers

    private func joinWaitlist(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        let body = try decodeBody(request, as: JoinWaitlistBody.self)
        let location = try self.location(body.location)
        let visit = try bookingDesk.visit([(body.service, body.persons)], asList: false, at: location)
        let id = Secret.random(bytes: 12)
        let command = WaitlistJoin(location: location, visit: visit[0], from: body.from, to: body.to, email: body.email,
                                   name: body.name, language: body.language ?? catalogue.settings.defaultLanguage,
                                   contactKey: Contact.key(email: body.email, phone: nil) ?? "",
                                   id: id, tokenHash: Secret.hash(waitlistToken(id: id)))
        let entry = try write(now: now) { tx in try tx.apply(waitlistDesk.join(command, now: now, reading: tx.db)) }
        wakeWaitlist()
        return try JSONOut.response(WaitlistJoinedDTO(id: entry.id, token: waitlistToken(id: entry.id), status: entry.status.rawValue),
                                    status: 201, headers: [("Location", "/api/v1/waitlist/\(entry.id)")])
    }

    private func readWaitlistEntry(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let dto = try store.read { db -> WaitlistEntryDTO in
            let entry = try waitlistDesk.own(id: request.parameter("id"), tokenHash: waitlistTokenHash(request), reading: db)
            return waitlistDTO(entry, position: entry.status.isActive ? try db.waitlistAhead(of: entry) + 1 : nil,
                               lang: language(request, default: entry.language), forOwner: true)
        }
        return try JSONOut.response(dto)
    }

    private func leaveWaitlist(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, now: now)
        let (entry, released) = try write(now: now) { tx -> (WaitlistEntry, Bool) in
            let before = try waitlistDesk.own(id: request.parameter("id"), tokenHash: waitlistTokenHash(request), reading: tx.db)
            let entry = try tx.apply(waitlistDesk.leave(id: before.id, tokenHash: waitlistTokenHash(request), now: now, reading: tx.db))
            return (entry, before.status == .offered)
        }
        if released { wakeWaitlist() }
        return try JSONOut.response(waitlistDTO(entry, position: nil, lang: language(request, default: entry.language), forOwner: true))
    }

    private func acceptWaitlistOffer(_ request: Request) throws -> Response {
        let now = clock.now()
        try limitRate(request, cost: 2, now: now)
        let body = try decodeBody(request, as: RescheduleBody.self)
        let key = manageKey
        var rng = SystemRandomNumberGenerator()
        let room = Secret.roomName(using: &rng)
        var dto = try write(now: now) { tx -> AppointmentDTO in
            let a = try tx.apply(waitlistDesk.accept(
                id: request.parameter("id"), tokenHash: waitlistTokenHash(request), start: body.start, now: now, reading: tx.db
            ) { entry, location, visit in
                BookingRequest(location: location, visit: visit, start: body.start, name: entry.name ?? "", email: entry.email,
                               phone: nil, language: entry.language, channel: .online,
                               contactKey: Contact.key(email: entry.email, phone: nil),
                               tokenHash: { Secret.hash(Secret.manageToken(reference: $0, key: key)) },
                               referenceCandidates: (0..<8).map { _ in ReferenceCode.generate() }, meetingRoom: room)
            })
            return appointmentDTO(a, lang: a.language)
        }
        dto.manageToken = Secret.manageToken(reference: dto.reference, key: key)
        return try JSONOut.response(dto, status: 201, headers: [("Location", "/api/v1/appointments/\(dto.reference)")])
    }

    /// `GET /api/v1/admin/waitlist?location=&service=`: who waits, in line order; no names, no addresses.
    private func adminWaitlist(_ request: Request) throws -> Response {
        try authorize(request, [.admin])
        var locationID: String?, serviceID: String?
        if let l = request.query["location"], !l.isEmpty { locationID = try location(l).id }
        if let s = request.query["service"], !s.isEmpty { serviceID = try service(s).id }
        let entries = try store.read { try $0.activeWaitlist(location: locationID, service: serviceID) }
        var positions: [String: Int] = [:]
        let list = entries.map { e -> WaitlistEntryDTO in
            let key = "\(e.location)|\(e.service)"
            positions[key, default: 0] += 1
            return waitlistDTO(e, position: positions[key], lang: language(request), forOwner: false)
        }
        return try JSONOut.response(list)
    }

    private func language(_ request: Request, default fallback: Language) -> Language {
        request.query["lang"].flatMap { Language(tag: $0) } ?? fallback
    }

    func waitlistDTO(_ e: WaitlistEntry, position: Int?, lang: Language, forOwner: Bool) -> WaitlistEntryDTO {
        let location = catalogue.location(e.location)
        let civil = CivilClock(timeZone: location?.timeZone ?? .brussels)
        let offer = e.status == .offered ? e.offer.map {
            WaitlistOfferDTO(start: civil.iso8601($0.start), end: civil.iso8601($0.end), expiresAt: civil.iso8601($0.expiresAt))
        } : nil
        return WaitlistEntryDTO(id: e.id, service: e.service, location: e.location, from: e.from.description, to: e.to.description,
                                persons: e.persons, status: e.status.rawValue, position: position, joinedAt: civil.iso8601(e.joinedAt),
                                offer: offer, serviceName: catalogue.service(e.service)?.name.resolve(lang),
                                locationName: location?.name.resolve(lang), appointment: e.appointment, forOwner: forOwner)
    }

    // MARK: the round

    /// Expires lapsed offers, then offers free slots to waiting entries in join order; one write
    /// transaction per step. Tests call it directly with a manual clock.
    @discardableResult
    public func waitlistRound(now: Date) throws -> WaitlistRoundResult {
        var result = WaitlistRoundResult()
        for entry in try store.read({ try $0.lapsedOffers(now: now) }) {
            let expired = try write(now: now) { tx in try tx.apply(waitlistDesk.expire(id: entry.id, now: now, reading: tx.db)) }
            if expired != nil { result.expired += 1 }
        }
        for entry in try store.read({ try $0.waitingEntries() }) {
            // Decided on a read snapshot first, so the write lock is taken only when there is something to write.
            let candidate = try store.read { db in try waitlistDesk.offer(id: entry.id, now: now, reading: db) }
            guard candidate.value != nil || !candidate.changes.isEmpty else { continue }
            let offer = try write(now: now) { tx in try tx.apply(waitlistDesk.offer(id: entry.id, now: now, reading: tx.db)) }
            if offer != nil { result.offered += 1 }
        }
        return result
    }

    /// Asks for a waitlist round soon: call after a change that may free capacity (a cancel, a
    /// move, a lifted closure, more desks after a reload). Does nothing until background work runs.
    public func wakeWaitlist() {
        guard waitlistWork.timer.withLock({ $0 != nil }) else { return }
        let first = waitlistWork.scheduled.withLock { pending -> Bool in
            defer { pending = true }
            return !pending
        }
        guard first else { return }
        waitlistWork.queue.async { [weak self] in
            self?.waitlistWork.scheduled.withLock { $0 = false }
            self?.runWaitlistRound()
        }
    }

    /// Starts the waitlist's timer (part of `startBackgroundWork`).
    func startWaitlistWork() {
        let t = DispatchSource.makeTimerSource(queue: waitlistWork.queue)
        t.schedule(deadline: .now() + 1, repeating: .seconds(App.waitlistInterval))
        t.setEventHandler { [weak self] in self?.runWaitlistRound() }
        t.resume()
        waitlistWork.timer.withLock { $0 = t }
    }

    func stopWaitlistWork() {
        waitlistWork.timer.withLock {
            $0?.cancel()
            $0 = nil
        }
        waitlistWork.queue.sync {}
    }

    private func runWaitlistRound() {
        do {
            let r = try waitlistRound(now: clock.now())
            if r.expired > 0 || r.offered > 0 {
                logger.info("waitlist round", metadata: ["expired": "\(r.expired)", "offered": "\(r.offered)"])
            }
        } catch {
            logger.error("waitlist round failed", metadata: ["error": "\(error)"])
        }
    }
}
