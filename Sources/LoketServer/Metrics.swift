// What `GET /metrics` shows, in the Prometheus text format, kept with swift-prometheus.
//
// Each `App` owns one `PrometheusCollectorRegistry`: there is no global `MetricsSystem.bootstrap`,
// which can run once per process while the tests run many apps in one. Counters and histograms
// move as things happen (requests, calls, mail rounds); the gauges of state (tickets waiting,
// open streams, the outbox, the database's size) are set from their sources when scraped.
//
// Labels are only ids of routes, locations, services and statuses: never a citizen's name,
// contact, reference or ticket id. A request's route is the matched pattern
// (`/api/v1/tickets/{id}`), `unmatched` when none matched, so the label's values stay few.
import CoreMetrics
import Foundation
import LoketHTTP
import Prometheus

/// The metrics of one `App`, and the registry they are emitted from.
final class Metrics: Sendable {
    /// Where every metric of this app lives; `emit` writes them all.
    let registry: PrometheusCollectorRegistry

    /// The route label of a request no route matched (404, 405).
    static let unmatched = "unmatched"
    /// The route id of `unmatched`: no registered route has it (theirs count from 0).
    static let unmatchedID = -1

    /// Request durations, in seconds: from a millisecond to ten seconds.
    static let durationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Waiting times, in seconds: from a minute to three hours.
    static let waitBuckets: [Double] = [60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800]

    // Computed: `MetricNameDescriptor` is not `Sendable`, so it cannot be a stored static.
    private static var requestsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by route pattern, method and status.")
    }
    private static var durationName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time to answer an HTTP request, by route pattern and method.")
    }
    private static var waitName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "ticket", metricName: "wait", unitName: "seconds",
            helpText: "How long tickets waited until they were called, by location.")
    }
    private static var waitingName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", metricName: "tickets_waiting", unitName: "",
            helpText: "Tickets waiting now, by location and service.")
    }
    private static var streamsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", metricName: "sse_streams", unitName: "",
            helpText: "Open live event streams (displays, ticket pages, counters).")
    }
    private static var outboxName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", metricName: "outbox_messages", unitName: "",
            helpText: "Citizen mail in the outbox, by status: pending (to be sent) and failed (given up on).")
    }
    private static var sentName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "mail", metricName: "sent", unitName: "total",
            helpText: "Citizen mail delivered to the mail server or folder.")
    }
    private static var failuresName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "mail", metricName: "failures", unitName: "total",
            helpText: "Failed mail deliveries: temporary (tried again later) or permanent (given up).")
    }
    private static var commitsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "store", metricName: "commits", unitName: "",
            helpText: "Write transactions since the start; each holds a batch of writes (group commit).")
    }
    private static var committedWritesName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", subsystem: "store", metricName: "batched_writes", unitName: "",
            helpText: "Writes since the start, over all transactions: divided by loket_store_commits, the average batch.")
    }
    private static var databaseName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "loket", metricName: "database", unitName: "bytes",
            helpText: "Size of the SQLite database file and its write-ahead log.")
    }

    /// One series of `loket_http_requests_total`. The route is its router id (see `Router.route`), which
    /// names one pattern for the app's life: hashing two strings for every request, the pattern and
    /// the method's name, was most of the 2% of a health request's CPU that counting it took.
    private struct RequestKey: Hashable {
        var route: Int
        var method: HTTPMethod
        var status: Int
    }

    /// One series of `loket_http_request_duration_seconds`.
    private struct RouteKey: Hashable {
        var route: Int
        var method: HTTPMethod
    }

    /// The request series made so far, so a request does not go through the registry's checks: per
    /// (route, method, status) its counter and its (route, method) histogram, found with one lookup.
    private let requests = LockedBox<(series: [RequestKey: RequestSeries], durations: [RouteKey: ValueHistogram])>(([:], [:]))

    /// The two series one request moves.
    private struct RequestSeries: Sendable {
        var count: Prometheus.Counter
        var duration: ValueHistogram
    }
    private let waits = LockedBox<[String: ValueHistogram]>([:])
    /// The (location, service) pairs that have had a waiting gauge: set back to 0 once none wait.
    private let waitingSeries = LockedBox<[WaitingKey: Prometheus.Gauge]>([:])
    private let streams: Prometheus.Gauge
    private let outbox: [String: Prometheus.Gauge]
    private let database: Prometheus.Gauge
    private let commits: Prometheus.Gauge
    private let committedWrites: Prometheus.Gauge
    /// The mailer's counters, through the swift-metrics API so the mailer need not know the backend.
    private let mailSent: CoreMetrics.Counter
    private let mailTemporaryFailures: CoreMetrics.Counter
    private let mailPermanentFailures: CoreMetrics.Counter

    /// One series of `loket_tickets_waiting`.
    struct WaitingKey: Hashable, Sendable {
        var location: String
        var service: String
    }

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        streams = registry.makeGauge(descriptor: Self.streamsName)
        commits = registry.makeGauge(descriptor: Self.commitsName)
        committedWrites = registry.makeGauge(descriptor: Self.committedWritesName)
        outbox = Dictionary(uniqueKeysWithValues: ["pending", "failed"].map {
            ($0, registry.makeGauge(descriptor: Self.outboxName, labels: [("status", $0)]))
        })
        database = registry.makeGauge(descriptor: Self.databaseName)
        let factory = PrometheusMetricsFactory(registry: registry)
        mailSent = CoreMetrics.Counter(label: Self.sentName.name, dimensions: [],
                                       handler: registry.makeCounter(descriptor: Self.sentName), factory: factory)
        let failures = { (kind: String) in
            CoreMetrics.Counter(label: Self.failuresName.name, dimensions: [("kind", kind)],
                                handler: registry.makeCounter(descriptor: Self.failuresName, labels: [("kind", kind)]),
                                factory: factory)
        }
        mailTemporaryFailures = failures("temporary")
        mailPermanentFailures = failures("permanent")
    }

    /// Counts one answered request and how long it took: `route` is the pattern with router id `id`
    /// (`unmatched` and `unmatchedID` when none matched).
    func request(route: String, id: Int, method: HTTPMethod, status: Int, seconds: Double) {
        let series = series(route: route, id: id, method: method, status: status)
        series.count.increment()
        series.duration.record(seconds)
    }

    /// What counts the replays of an answer given for `route` (see LoketHTTP's Replay.swift): its
    /// series are found once, here, so a replay takes no lock of ours.
    func replayCounter(route: String, id: Int, method: HTTPMethod, status: Int) -> @Sendable (Double) -> Void {
        let series = series(route: route, id: id, method: method, status: status)
        return { seconds in
            series.count.increment()
            series.duration.record(seconds)
        }
    }

    /// The two series of requests to `route` (router id `id`) with `method` answered `status`.
    private func series(route: String, id: Int, method: HTTPMethod, status: Int) -> RequestSeries {
        let key = RequestKey(route: id, method: method, status: status)
        return requests.withLock { table in
            if let s = table.series[key] { return s }
            let routeKey = RouteKey(route: id, method: method)
            let duration = table.durations[routeKey] ?? registry.makeValueHistogram(
                descriptor: Self.durationName, labels: [("route", route), ("method", method.rawValue)], buckets: Self.durationBuckets)
            table.durations[routeKey] = duration
            let count = registry.makeCounter(descriptor: Self.requestsName,
                                             labels: [("route", route), ("method", method.rawValue), ("status", String(status))])
            let s = RequestSeries(count: count, duration: duration)
            table.series[key] = s
            return s
        }
    }

    /// Records how long a ticket waited at `location` until it was called.
    func ticketCalled(location: String, waited seconds: Double) {
        let histogram = waits.withLock { table in
            if let h = table[location] { return h }
            let h = registry.makeValueHistogram(descriptor: Self.waitName, labels: [("location", location)],
                                                buckets: Self.waitBuckets)
            table[location] = h
            return h
        }
        histogram.record(max(0, seconds))
    }

    /// Counts what one mail round did.
    func mailRound(_ round: MailRound) {
        if round.sent > 0 { mailSent.increment(by: round.sent) }
        if round.retried > 0 { mailTemporaryFailures.increment(by: round.retried) }
        if round.failed > 0 { mailPermanentFailures.increment(by: round.failed) }
    }

    /// The state read at scrape time.
    struct Snapshot {
        /// Tickets waiting per location and service; pairs with none may be left out.
        var waiting: [WaitingKey: Int]
        var openStreams: Int
        var outboxPending: Int
        var outboxFailed: Int
        var databaseBytes: Int
        /// Write transactions and the writes they held, since the start (`Store.commitCounts`).
        var commits: (batches: UInt64, writes: UInt64) = (0, 0)
    }

    /// Sets the gauges from `state` and writes every metric in the Prometheus text format.
    func exposition(_ state: Snapshot) -> [UInt8] {
        waitingSeries.withLock { series in
            for key in state.waiting.keys where series[key] == nil {
                series[key] = registry.makeGauge(descriptor: Self.waitingName,
                                                 labels: [("location", key.location), ("service", key.service)])
            }
            for (key, gauge) in series { gauge.set(Double(state.waiting[key] ?? 0)) }
        }
        streams.set(Double(state.openStreams))
        outbox["pending"]?.set(Double(state.outboxPending))
        outbox["failed"]?.set(Double(state.outboxFailed))
        database.set(Double(state.databaseBytes))
        commits.set(Double(state.commits.batches))
        committedWrites.set(Double(state.commits.writes))
        return registry.emitToBuffer()
    }
}
