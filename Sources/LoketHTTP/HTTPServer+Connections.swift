// Slow and greedy clients: the per-address connection cap and the request deadline.
//
// libmicrohttpd's own per-IP limit cannot spare a trusted proxy and writes a line to stderr for
// every connection it refuses, so the cap is ours: MHD asks `acceptPolicy` before it sets a
// connection up, and tells `connectionNotified` when one starts and when it is closed (always
// before it closes the socket). The `ConnectionGuard` counts open connections per address and
// remembers since when each one has been waiting for a complete request.
//
// MHD's own timeout is an idle timeout: a client that sends a byte every few seconds keeps it
// from firing forever. So once a second `reap` shuts down (shutdown(2), which MHD sees as the
// peer going away and closes in its own thread) every connection that has waited longer than
// `requestDeadlineSeconds` for its request. A connection whose request is being answered, an open
// event stream above all, is not waiting and is never reaped.
//
// Whether a connection is being answered, and since when it has waited, sit in a small
// `loket_connection_clock` of its own (shim.h) that MHD hands back as the connection's socket
// context: each request marks it with two atomic stores and takes no lock. The guard's lock, taken
// by the reaper, the cap and connections coming and going, was taken twice per request before, and
// the two MHD threads contended for it (pthread_mutex_lock was 6% of a health request's samples).
import CMicroHTTPD
import Foundation
import Logging

/// Since when a connection has waited for its request, and whether one is being answered: written
/// by the request path without a lock (`loket_connection_answering`, `loket_connection_answered`),
/// read by the reaper; and the peer's address, written once. Allocated when the connection starts,
/// freed when it closes.
typealias ConnectionClock = UnsafeMutablePointer<loket_connection_clock>

/// One accepted connection, as the guard tracks it (by its descriptor, which MHD closes only after
/// reporting the close). A value in the guard's table, reserved once, so the table is never grown
/// on MHD's threads; the connection's clock is 64 bytes of its own.
struct TrackedConnection {
    /// Since when (uptime, ns) it has waited for a complete request, and whether one is being answered
    /// (from the request's last access-handler call until its answer is done).
    let clock: ConnectionClock
    /// True once `reap` has shut it down.
    var cut = false

    /// The peer's address, as the clock keeps it for the connection's requests.
    var address: String { String(cString: loket_connection_address(clock)) }
}

/// Open connections per address, and the deadline for each connection's request.
final class ConnectionGuard: @unchecked Sendable {
    // @unchecked: every var is only touched under `lock`.
    let perAddressLimit: Int
    let uncapped: Set<String>
    let deadlineNanos: UInt64
    /// Uptime in nanoseconds; tests move their own.
    let now: @Sendable () -> UInt64
    private let lock = NSLock()
    private var open: [Int32: TrackedConnection] = [:]
    private var perAddress: [String: Int] = [:]
    private var refused: [String: Int] = [:]
    private var reaped = 0
    private var messages: [String: Int] = [:]

    /// `connectionLimit` sizes the table once, here: grown later on MHD's threads, each bigger copy
    /// would land above the connection pools and keep the allocator from giving them back.
    init(perAddressLimit: Int, uncapped: Set<String>, deadlineSeconds: Int, connectionLimit: Int = 1024,
         now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.perAddressLimit = perAddressLimit
        self.uncapped = Set(uncapped.map(HTTPServerConfiguration.canonicalAddress))
        self.deadlineNanos = UInt64(deadlineSeconds) * 1_000_000_000
        self.now = now
        open.reserveCapacity(connectionLimit)
        perAddress.reserveCapacity(min(connectionLimit, 4096))
    }

    /// Whether a new connection from `address` may be set up; a refusal is counted for the log.
    ///
    /// Counted at start, not here, so two accepting threads can each let one through past the cap.
    func admits(_ address: String) -> Bool {
        guard perAddressLimit > 0, !uncapped.contains(address) else { return true }
        return lock.withLock {
            if perAddress[address, default: 0] < perAddressLimit { return true }
            refused[address, default: 0] += 1
            return false
        }
    }

    deinit {
        for connection in open.values { connection.clock.deallocate() }
    }

    /// MHD set up the connection on descriptor `fd`; returns its clock, valid until `closed(fd:)`.
    @discardableResult
    func opened(fd: Int32, address: String) -> ConnectionClock {
        let clock = ConnectionClock.allocate(capacity: 1)
        clock.initialize(to: loket_connection_clock())
        clock.pointee.since = now()
        // Kept for the connection's requests (`Request.peerAddress`); an address never fills the 48 bytes.
        _ = address.withCString { strncpy(loket_connection_address(clock), $0, 47) }
        let stale = lock.withLock { () -> ConnectionClock? in
            let stale = open.updateValue(TrackedConnection(clock: clock), forKey: fd)
            // Never happens with MHD (it reports each close before it reuses a descriptor).
            if let stale { leave(stale.address) }
            perAddress[address, default: 0] += 1
            return stale?.clock
        }
        stale?.deallocate()
        return clock
    }

    /// One connection from `address` fewer; called under the lock.
    private func leave(_ address: String) {
        let left = perAddress[address, default: 1] - 1
        perAddress[address] = left > 0 ? left : nil
    }

    /// MHD is about to close the connection on `fd`: its clock is freed.
    func closed(fd: Int32) {
        let clock = lock.withLock { () -> ConnectionClock? in
            guard let connection = open.removeValue(forKey: fd) else { return nil }
            leave(connection.address)
            return connection.clock
        }
        // Out of the table, so no reaper reads it; MHD asks for no request on it after the close.
        clock?.deallocate()
    }

    /// The connection's request is all in and is being answered: no deadline until the answer is done.
    /// No lock: an atomic store into the connection's own clock.
    func answering(_ clock: ConnectionClock?) {
        if let clock { loket_connection_answering(clock) }
    }

    /// The connection's answer is done; the deadline for its next request starts now. No lock.
    func answered(_ clock: ConnectionClock?) {
        if let clock { loket_connection_answered(clock, now()) }
    }

    /// Shuts down every connection that has waited longer than the deadline for its request; returns how many.
    @discardableResult
    func reap() -> Int {
        guard deadlineNanos > 0 else { return 0 }
        let t = now()
        return lock.withLock {
            var n = 0
            for (fd, connection) in open where !connection.cut {
                // UInt64.max while answered; a request that starts right after this read is cut as it
                // would have been had the reaper taken the lock first.
                let since = loket_connection_waiting_since(connection.clock)
                guard since != .max, t >= since, t - since > deadlineNanos else { continue }
                // Safe: MHD reports the close (which takes this lock) before it closes the descriptor.
                shutdown(fd, Int32(SHUT_RDWR))
                open[fd]?.cut = true
                n += 1
            }
            reaped += n
            return n
        }
    }

    /// Open connections whose request is being answered now.
    var answeringConnections: Int {
        lock.withLock { open.values.count { loket_connection_waiting_since($0.clock) == .max } }
    }

    /// Open connections in all.
    var openConnections: Int { lock.withLock { open.count } }

    /// Open connections from `address`.
    func openConnections(from address: String) -> Int { lock.withLock { perAddress[address, default: 0] } }

    /// A libmicrohttpd message. Counted rather than written at once: MHD writes one per connection
    /// that goes away mid-request, and a flood (or the reaper) makes thousands.
    func note(libraryMessage message: String) {
        lock.withLock {
            let key = messages.count < 64 || messages[message] != nil ? message : "(other messages)"
            messages[key, default: 0] += 1
        }
    }

    /// Refusals per address, reaped connections and libmicrohttpd's messages since the last call, for the log.
    func takeCounts() -> (refused: [String: Int], reaped: Int, messages: [String: Int]) {
        lock.withLock {
            defer { refused = [:]; reaped = 0; messages = [:] }
            return (refused, reaped, messages)
        }
    }
}

extension HTTPServer {
    /// Starts the once-a-second reaper (and the log of what it and the cap did, every ten seconds).
    func startGuarding() -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "loket.http.reaper"))
        var ticks = 0
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [guardian, logger, configuration] in
            guardian.reap()
            ticks += 1
            guard ticks % 10 == 0 else { return }
            let (refused, reaped, messages) = guardian.takeCounts()
            for (address, n) in refused.sorted(by: { $0.key < $1.key }) {
                logger.warning("refused \(n) connections from \(address): it already had \(configuration.perAddressConnectionLimit) open")
            }
            if reaped > 0 {
                // Most are kept-alive browsers and kiosks between requests, which reconnect unharmed; only a
                // flood of them is worth a look, so this is info, and the refusals above are the warning.
                logger.info("closed \(reaped) connections idle or still sending a request after \(configuration.requestDeadlineSeconds) s")
            }
            for (message, n) in messages.sorted(by: { $0.key < $1.key }) {
                logger.notice("libmicrohttpd: \(message)\(n > 1 ? " (\(n) times)" : "")")
            }
        }
        timer.resume()
        return timer
    }
}

extension ConnectionGuard {
    /// The clock of an MHD connection (its socket context), or nil for one the guard never saw start.
    static func clock(of connection: OpaquePointer) -> ConnectionClock? {
        loket_mhd_socket_context(connection)?.assumingMemoryBound(to: loket_connection_clock.self)
    }
}

/// MHD's accept policy: the per-address cap.
let acceptPolicy: MHD_AcceptPolicyCallback = { cls, addr, _ in
    guard let cls else { return .YES }
    let guardian = Unmanaged<ConnectionGuard>.fromOpaque(cls).takeUnretainedValue()
    return guardian.admits(addressText { loket_sockaddr_text(addr, $0, $1) }) ? .YES : .NO
}

/// MHD's connection notifications: tracks each connection from start to close. The connection's
/// clock becomes its socket context, where the request path finds it (`ConnectionGuard.clock(of:)`).
let connectionNotified: MHD_NotifyConnectionCallback = { cls, connection, socketContext, code in
    guard let cls, let connection else { return }
    let guardian = Unmanaged<ConnectionGuard>.fromOpaque(cls).takeUnretainedValue()
    switch code.rawValue {
    case 0: // MHD_CONNECTION_NOTIFY_STARTED
        let clock = guardian.opened(fd: loket_mhd_connection_fd(connection),
                                    address: addressText { loket_mhd_client_address(connection, $0, $1) })
        socketContext?.pointee = UnsafeMutableRawPointer(clock)
    case 1: // MHD_CONNECTION_NOTIFY_CLOSED (after the completion callback of its last request)
        socketContext?.pointee = nil
        guardian.closed(fd: loket_mhd_connection_fd(connection))
    default:
        return
    }
}

/// MHD's messages, from the shim's logger (`loket_mhd_log_adapter`); `cls` is the server's guard.
@_cdecl("loket_mhd_log_line")
func mhdLogLine(_ cls: UnsafeMutableRawPointer?, _ line: UnsafePointer<CChar>?) {
    guard let cls, let line else { return }
    let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
    Unmanaged<ConnectionGuard>.fromOpaque(cls).takeUnretainedValue().note(libraryMessage: text)
}

/// The address `write` puts into a stack buffer, as text. No heap allocation for an IPv4 address
/// (a small string), which matters on MHD's threads (see `ConnectionGuard.init`).
func addressText(_ write: (UnsafeMutablePointer<CChar>, Int) -> Void) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
        guard let base = buffer.baseAddress else { return "" }
        write(base, buffer.count)
        let length = strnlen(base, buffer.count)
        return base.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}

/// The text in a NUL-terminated buffer.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
