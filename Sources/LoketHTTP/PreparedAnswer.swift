// Answers handed out again and again (health, a kept search answer) are queued as one
// libmicrohttpd response each, built the first time and shared by every request after it.
//
// Building a response is a copy of the body, six header names and values copied into MHD's lists
// (each checked for line breaks), and as many frees when it is destroyed: a tenth of a kept
// search answer's CPU in the profile, for bytes that never change. MHD counts the requests a
// response is queued for, under its own lock, so one response may be queued on every thread at
// once (bench/hello.c does exactly that); it is freed once its keeper is gone and the last of
// those requests is sent.
import CMicroHTTPD
import Foundation

/// The libmicrohttpd response of one kept `Response` (see `Response.kept()`), made on first use.
public final class PreparedAnswer: @unchecked Sendable {
    // @unchecked: `response` is only touched under `lock`.
    private let lock = NSLock()
    private var response: OpaquePointer?

    init() {}

    /// The response, made by `make` the first time; nil if that failed (then tried again next time).
    func response(orMake make: () -> OpaquePointer?) -> OpaquePointer? {
        lock.withLock {
            if response == nil { response = make() }
            return response
        }
    }

    /// Whether the response has been made (for tests).
    var isMade: Bool { lock.withLock { response != nil } }

    deinit {
        // MHD frees it only once the requests it is still queued for are done.
        if let response { MHD_destroy_response(response) }
    }
}
