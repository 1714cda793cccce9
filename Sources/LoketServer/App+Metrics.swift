// `GET /metrics` (Prometheus text format) and what the handlers tell the metrics (`Metrics.swift`).
import Foundation
import LoketCore
import LoketHTTP
import LoketStore

extension App {
    static func registerMetricsRoutes(_ table: inout RouteTable<App>) {
        table.add(.GET, "/metrics") { app, _ in
            Response(contentType: "text/plain; version=0.0.4", bytes: app.metrics.exposition(try app.metricsSnapshot()))
        }
    }

    /// The state the gauges show, read now: waiting counts (kept by triggers, so cheap), streams, outbox, file sizes.
    func metricsSnapshot() throws -> Metrics.Snapshot {
        let locations = catalogue.locations.map(\.id)
        let (waiting, pending, failed) = try store.read { db in
            var waiting: [Metrics.WaitingKey: Int] = [:]
            for location in locations {
                for (service, count) in try db.waitingCounts(location: location) {
                    waiting[Metrics.WaitingKey(location: location, service: service)] = count
                }
            }
            return (waiting, try db.outboxCount(status: .pending), try db.outboxCount(status: .failed))
        }
        let bytes = [store.path, store.path + "-wal"].reduce(0) { sum, path in
            sum + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        return Metrics.Snapshot(waiting: waiting, openStreams: hub.openStreams, outboxPending: pending,
                                outboxFailed: failed, databaseBytes: bytes, commits: store.commitCounts)
    }

    /// Records the wait of a ticket just called (after the call's write committed).
    func noteCalled(_ ticket: Ticket) {
        guard let calledAt = ticket.calledAt else { return }
        metrics.ticketCalled(location: ticket.location, waited: calledAt.timeIntervalSince(ticket.waitingSince))
    }
}
