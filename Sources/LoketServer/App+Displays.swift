// Display routes: what a lobby screen shows now, and the live stream of a location's events
// (with replay from the event log for a display that reconnects with `Last-Event-ID`).
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

extension App {
    /// Most events one reconnecting stream replays; events are kept two days, so even a long outage is bounded.
    static let maxReplay = 20_000

    static func registerDisplayRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/api/v1/locations/{id}/display") { app, request in try app.display(request) }
        table.add(.GET, "/api/v1/locations/{id}/events") { app, request in try app.events(request) }
    }

    private func display(_ request: Request) throws -> Response {
        let location = try self.location(request.parameter("id"))
        let now = clock.now()
        let lang = language(request)
        let civil = CivilClock(timeZone: location.timeZone)
        let dto = try store.read { db -> DisplayDTO in
            let calls = try db.recentCalls(location: location.id, since: civil.startOfDay(civil.date(of: now)), limit: 8)
            let counts = try waitingCounts(db, location: location.id, lang)
            return DisplayDTO(location: location.id, name: location.name.resolve(lang), called: calls.map(queueDesk.call),
                              waiting: counts.waiting, totalWaiting: counts.totalWaiting,
                              displayLanguages: catalogue.settings.displayLanguages.map(\.rawValue), now: civil.iso8601(now),
                              closure: .init(value: try displayClosure(location, now: now, lang: lang, db: db)))
        }
        return try JSONOut.response(dto)
    }

    private func events(_ request: Request) throws -> Response {
        let location = try self.location(request.parameter("id"))
        let lastText = request.header("last-event-id") ?? request.query["lastEventId"] ?? ""
        var last = Int64(lastText.trimmingCharacters(in: .whitespaces)).map { max(0, $0) }
        // An id from the future (a server restored from a backup) would silence the stream: catch up from now.
        if let given = last { last = min(given, try store.read { try $0.newestEventID() }) }
        // Page through what was missed when the server opens the stream. (Should reading fail, the
        // server drops the stream and answers the error.)
        let topic = location.id
        let store = self.store
        let replay: @Sendable (Int64) throws -> [any ServerSentEvent] = { lastSeen in
            var missed: [any ServerSentEvent] = []
            var after = lastSeen
            while missed.count < App.maxReplay {
                let page = try store.read { try $0.events(topic: topic, after: after, limit: 500) }
                missed.append(contentsOf: page as [any ServerSentEvent])
                guard page.count == 500, let newest = page.last else { break }
                after = newest.id
            }
            return missed
        }
        return Response(status: 200, headers: [
            ("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no"),
        ], body: .events(EventStreamRequest(topic: topic, lastEventID: last, replay: replay)))
    }
}
