// A running HTTPServer on 127.0.0.1 and a free port, routed by a Router, for the live tests.
import Foundation
import Logging
@testable import LoketHTTP

/// A started server; call `stop()` (tests do it in `defer`).
final class LiveServer: @unchecked Sendable {
    // @unchecked: `server` is only started and stopped from the test's own thread.
    let server: HTTPServer
    let hub: EventHub
    let router: Router<Void>
    var port: UInt16 { server.port }

    /// Starts a server with two threads unless `configure` says otherwise.
    /// `uptime` replaces the clock of the request deadline (nanoseconds), so a test can move it.
    init(router: Router<Void>, hub: EventHub = EventHub(),
         configure: (inout HTTPServerConfiguration) -> Void = { _ in }, uptime: (@Sendable () -> UInt64)? = nil) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
        configure(&configuration)
        self.router = router
        self.hub = hub
        let logger = Logger(label: "loket.http.test", factory: { _ in SwiftLogNoOpLogHandler() })
        server = HTTPServer(configuration: configuration, hub: hub, logger: logger,
                            uptime: uptime ?? { DispatchTime.now().uptimeNanoseconds }) { request in
            let (handler, parameters) = try router.resolve(request)
            var request = request
            request.parameters = parameters
            return try handler((), request)
        }
        try server.start()
    }

    func stop() { server.stop() }

    /// Polls `condition` until it holds or `timeout` passes; returns its last value.
    static func wait(timeout: Double, interval: Double = 0.01, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: interval)
        }
        return condition()
    }
}

/// Runs `body` on a new thread and reports whether it finished within `timeout`.
func finishes(within timeout: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        body()
        done.signal()
    }
    return done.wait(timeout: .now() + timeout) == .success
}
