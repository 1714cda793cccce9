// The settings of an `HTTPServer` (address, threads, limits) and the error when it cannot start.
import Foundation

/// Limits and threading of the server.
public struct HTTPServerConfiguration: Sendable {
    /// The IPv4 or IPv6 address to bind, as a literal (no host names).
    public var host: String
    /// 0 picks any free port; read the real one from `HTTPServer.port`.
    public var port: UInt16
    /// Worker threads of MHD's pool; defaults to the number of cores.
    public var threads: Int
    /// Open connections at most (display streams count too); see `connectionLimit(descriptorLimit:)`.
    public var connectionLimit: Int
    /// Open connections at most from one client address (0: no cap); see `perAddressLimit(connectionLimit:)`.
    /// Beyond it a new connection is closed as soon as it is accepted, before it costs a buffer.
    public var perAddressConnectionLimit: Int
    /// Addresses the per-address cap does not apply to: trusted reverse proxies, behind which every
    /// client has the proxy's address. Compared with the peer address as `inet_ntop` writes it.
    public var uncappedAddresses: Set<String>
    /// Seconds a connection has to deliver a whole request (headers and body), counted from its
    /// accept or from the end of its previous answer (0: no deadline). Unlike the idle timeout it
    /// also cuts a client that dribbles a byte now and then. A request that is being answered,
    /// such as an open event stream, is not affected.
    public var requestDeadlineSeconds: Int
    /// Seconds of silence after which MHD drops a connection (stalled clients, slow readers).
    /// Suspended connections (idle event streams) do not count down.
    public var connectionTimeoutSeconds: Int
    /// Largest request body; larger answers 413.
    public var maxBodyBytes: Int
    /// Longest path plus query; longer answers 414.
    public var maxURLBytes: Int
    /// MHD's memory pool per connection (request line, headers, buffers). Bodies are copied out as they
    /// arrive, so it need not hold them; MHD clears the pool between keep-alive requests, so smaller is faster.
    /// Above 32 KiB MHD maps each pool on its own (mmap) instead of taking it from malloc: a flood of
    /// connections opened and cut again and again then hands its memory back when it ends, where
    /// 32 KiB heap pools left the heap fragmented and RSS 60 MiB up after a minute of it.
    public var connectionMemoryBytes: Int
    /// Whether MHD maps each connection's pool on its own (libmicrohttpd 0.9.75, `MHD_pool_create`:
    /// above 32 KiB and at least 4/3 of a page), so the pool ends on a page boundary.
    var connectionPoolIsMapped: Bool {
        connectionMemoryBytes > 32 * 1024 && connectionMemoryBytes >= EventStream.pageBytes * 4 / 3
    }
    /// Threads that answer writes (POST, PUT, PATCH, DELETE) off MHD's threads, so that this many
    /// can wait on one group commit at once; 0 answers them inline (see HTTPServer+Deferred).
    public var writeWorkers = 64

    /// Settings for one server; `threads` is at least 1.
    public init(host: String = "127.0.0.1", port: UInt16 = 8080,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, connectionLimit: Int = 4000,
                perAddressConnectionLimit: Int? = nil, uncappedAddresses: Set<String> = [],
                requestDeadlineSeconds: Int = 10,
                connectionTimeoutSeconds: Int = 30, maxBodyBytes: Int = 64 * 1024, maxURLBytes: Int = 4096,
                connectionMemoryBytes: Int = 36 * 1024) {
        self.host = host
        self.port = port
        self.threads = max(1, threads)
        self.connectionLimit = max(1, connectionLimit)
        self.perAddressConnectionLimit = max(0, perAddressConnectionLimit ?? Self.perAddressLimit(connectionLimit: connectionLimit))
        self.uncappedAddresses = uncappedAddresses
        self.requestDeadlineSeconds = max(0, requestDeadlineSeconds)
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.maxURLBytes = maxURLBytes
        self.connectionMemoryBytes = connectionMemoryBytes
    }
}

extension HTTPServerConfiguration {
    /// Descriptors kept back from connections: the SQLite writer and readers (database, WAL and
    /// shared-memory files each), standard streams, SMTP sockets, the listening socket, MHD's epoll
    /// and wake-up descriptors per thread, static files and config files read during a reload.
    /// Together they use well under a hundred; the rest is headroom.
    public static let reservedDescriptors = 256

    /// The most connections the default allows whatever the descriptor limit: each one reserves a
    /// `connectionMemoryBytes` pool (36 KiB, 2.3 GiB at this many), so past it memory, not descriptors, runs out first.
    public static let maxDefaultConnectionLimit = 65_536

    /// Default per-address cap: room for the benchmark's 2,000 display streams plus its 64 load
    /// connections from 127.0.0.1, and for a town hall behind one NAT address (lobby displays, kiosks,
    /// and every staff browser with its six connections) several times over.
    public static let defaultPerAddressLimit = 2_500

    /// The default total: the descriptor limit less `reservedDescriptors`, at most `maxDefaultConnectionLimit`.
    public static func connectionLimit(descriptorLimit: Int) -> Int {
        min(maxDefaultConnectionLimit, max(16, descriptorLimit - reservedDescriptors))
    }

    /// The default per-address cap: `defaultPerAddressLimit`, but never more than half the total, so
    /// one address always leaves the other half to everyone else.
    public static func perAddressLimit(connectionLimit: Int) -> Int {
        min(defaultPerAddressLimit, max(1, connectionLimit / 2))
    }

    /// Raises the soft limit on open descriptors to the hard limit (where the system allows; capped at
    /// what the kernel accepts) and returns the soft limit in force afterwards.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            // An unlimited hard limit is refused as a soft one; nr_open (1,048,576 by default) is accepted.
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The text form `inet_ntop` gives an IP literal (so `::0:1` matches a peer `::1`); other text unchanged.
    static func canonicalAddress(_ text: String) -> String {
        var v4 = in_addr()
        var v6 = in6_addr()
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if inet_pton(AF_INET, text, &v4) == 1, inet_ntop(AF_INET, &v4, &out, socklen_t(out.count)) != nil {
            return cString(out)
        }
        if inet_pton(AF_INET6, text, &v6) == 1, inet_ntop(AF_INET6, &v6, &out, socklen_t(out.count)) != nil {
            return cString(out)
        }
        return text
    }
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible {
    /// What went wrong, for the operator.
    public var description: String
}
