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
    /// Open connections at most (display streams count too).
    public var connectionLimit: Int
    /// Seconds of silence after which MHD drops a connection (stalled clients).
    public var connectionTimeoutSeconds: Int
    /// Largest request body; larger answers 413.
    public var maxBodyBytes: Int
    /// Longest path plus query; longer answers 414.
    public var maxURLBytes: Int
    /// MHD's memory pool per connection (request line, headers, buffers). Bodies are copied out as they
    /// arrive, so it need not hold them; MHD clears the pool between keep-alive requests, so smaller is faster.
    public var connectionMemoryBytes: Int

    /// Settings for one server; `threads` is at least 1.
    public init(host: String = "127.0.0.1", port: UInt16 = 8080,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, connectionLimit: Int = 4000,
                connectionTimeoutSeconds: Int = 30, maxBodyBytes: Int = 64 * 1024, maxURLBytes: Int = 4096,
                connectionMemoryBytes: Int = 32 * 1024) {
        self.host = host
        self.port = port
        self.threads = max(1, threads)
        self.connectionLimit = connectionLimit
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.maxURLBytes = maxURLBytes
        self.connectionMemoryBytes = connectionMemoryBytes
    }
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible {
    /// What went wrong, for the operator.
    public var description: String
}
