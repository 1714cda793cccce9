// A stand-in for the store's event table: numbered events per topic, published in id order.
import Foundation
@testable import LoketHTTP

/// Appends events with increasing ids and publishes each to the hub under one lock,
/// as the store does from `afterCommit` under its write lock.
final class EventLog: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`; the hooks are set before the server starts.
    private let lock = NSLock()
    private var events: [(topic: String, event: ServerEvent)] = []
    private var nextID: Int64 = 1
    let hub: EventHub
    /// Runs in the replay, after the hub registered the stream and before the missed events are read.
    var afterOpen: (@Sendable () -> Void)?
    /// Runs in the replay, after the missed events are read and before the hub sends them.
    var beforeFinish: (@Sendable () -> Void)?

    init(hub: EventHub) { self.hub = hub }

    /// Stores and publishes one event; returns it.
    @discardableResult
    func publish(topic: String, name: String = "called", data: String? = nil) -> ServerEvent {
        lock.withLock {
            let id = nextID
            nextID += 1
            let event = ServerEvent(id: id, name: name, data: data ?? "{\"number\":\"A\(id)\",\"counter\":\"3\"}")
            events.append((topic, event))
            hub.publish(event, topic: topic)
            return event
        }
    }

    /// Stored events of `topic` after `id`.
    func events(topic: String, after id: Int64) -> [ServerEvent] {
        lock.withLock { events.filter { $0.topic == topic && $0.event.id > id }.map(\.event) }
    }

    var lastID: Int64 { lock.withLock { nextID - 1 } }

    /// A router with `GET /events/{topic}`, replaying from this log when `Last-Event-ID` is sent.
    func router() -> Router<Void> {
        var table = RouteTable<Void>()
        table.add(.GET, "/events/{topic}") { [self] _, request in
            let topic = request.parameter("topic")
            let last = request.header("last-event-id").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            let replay: @Sendable (Int64) throws -> [any ServerSentEvent] = { [self] after in
                afterOpen?()
                let missed = events(topic: topic, after: after)
                beforeFinish?()
                return missed
            }
            return Response(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store")],
                            body: .events(EventStreamRequest(topic: topic, lastEventID: last.map { max(0, $0) }, replay: replay)))
        }
        table.add(.GET, "/hello") { _, _ in Response(contentType: "text/plain", text: "hello") }
        table.add(.GET, "/echo/{header}") { _, request in
            Response(contentType: "text/plain", text: request.header(request.parameter("header")) ?? "(none)")
        }
        return Router(table)
    }
}
