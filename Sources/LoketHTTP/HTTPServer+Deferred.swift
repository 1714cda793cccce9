// Writes answered off MHD's threads, so that many wait on one group commit at once.
//
// MHD runs handlers on its small thread pool (one thread per core). A write spends most of its
// time waiting for its transaction's fsync, so with handlers on those threads at most that many
// writes are ever in flight, and the store's group commit (LoketStore/GroupCommit.swift) has
// nothing to batch. So a request that may change something (POST, PUT, PATCH, DELETE)
// is handed to a pool of `writeWorkers` threads: the access handler suspends the connection and
// returns; a worker runs the handler, which blocks until the commit that holds its change, keeps
// the answer in the request's `Exchange` and resumes the connection; MHD then calls the access
// handler once more, which queues the kept answer. Reads stay inline on MHD's threads.
//
// A deferred request counts as being answered (the deadline reaper spares it: `answering` was
// set before it was deferred; MHD's idle timeout spares suspended connections). `stop()` first
// stops deferring (requests from then on are answered inline) and waits until every deferred
// request has been answered and its connection resumed: MHD aborts if one is still suspended.
import CMicroHTTPD
import Foundation

/// A deferred request's answer, kept in its `Exchange` until MHD calls the access handler again.
final class DeferredAnswer {
    let response: Response
    let stream: EventStream?
    let method: String
    let path: String
    let requestID: String
    init(response: Response, stream: EventStream?, method: String, path: String, requestID: String) {
        self.response = response
        self.stream = stream
        self.method = method
        self.path = path
        self.requestID = requestID
    }
}

/// A fixed set of threads that run deferred requests, and the count of those not yet answered.
///
/// Idle workers and `close` wait on the same condition. Until the pool is closed nobody waits
/// for the counts, so an answered request wakes nobody; a new job wakes one worker. (Waking all
/// on every answer woke every idle worker just to find the queue empty: a profile of tickets at 64
/// connections showed about six context switches per request.)
final class WritePool: @unchecked Sendable {
    // @unchecked: `work`, `inFlight` and `closed` are only touched under `condition`.
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    /// Deferred requests taken and not yet answered (their connection not yet resumed).
    private var inFlight = 0
    /// Deferred requests whose answer MHD has not yet taken (`queueDeferred`, or the request ended without it).
    private var unqueued = 0
    /// Set by `close`: nothing more is deferred and the threads end once the queue is empty.
    private var closed = false

    init(threads: Int) {
        for i in 0..<threads {
            let thread = Thread { [self] in run() }
            thread.name = "loket.write.\(i)"
            thread.start()
        }
    }

    /// Runs `first` and queues `job`, unless the pool is closed (then false, nothing done: the
    /// caller answers inline). `first` runs under the pool's lock, so `close` cannot slip in between.
    func submit(first: () -> Void, _ job: @escaping @Sendable () -> Void) -> Bool {
        condition.withLock {
            guard !closed else { return false }
            first()
            inFlight += 1
            unqueued += 1
            work.append(job)
            condition.signal()
            return true
        }
    }

    /// A deferred answer was handed to MHD, or its request ended without it (the client left).
    func taken() {
        condition.withLock {
            unqueued -= 1
            if closed { condition.broadcast() }   // only `close` waits for the counts
        }
    }

    /// Stops taking work and waits until every queued job has run and its connection is resumed
    /// (up to `seconds`; false if not), then until MHD has taken their answers (up to 5 s more).
    func close(waitingUpTo seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while inFlight > 0 {
            if !condition.wait(until: deadline) && inFlight > 0 { return false }
        }
        // Resumed connections are safe for MHD_stop_daemon; this only lets their answers go out first.
        let answered = Date().addingTimeInterval(5)
        while unqueued > 0 && condition.wait(until: answered) {}
        return true
    }

    private func run() {
        while true {
            condition.lock()
            while work.isEmpty && !closed { condition.wait() }
            if work.isEmpty {
                condition.unlock()
                return
            }
            let job = work.removeFirst()
            condition.unlock()
            job()
            condition.withLock {
                inFlight -= 1
                if closed { condition.broadcast() }   // only `close` waits for the counts
            }
        }
    }
}

/// A value handed to a worker thread and back; only one thread touches it at a time (MHD's
/// suspend and resume order the hand-overs).
private struct HandOver<Value>: @unchecked Sendable {
    let value: Value
}

extension HTTPServer {
    /// Whether `request` is answered by the write pool: it may change something and the pool is running.
    func defers(_ request: Request) -> Bool {
        guard writePool != nil else { return false }
        switch request.method {
        case .POST, .PUT, .PATCH, .DELETE: return true
        case .GET, .HEAD, .OPTIONS, .TRACE, .QUERY: return false
        }
    }

    /// Suspends `connection` and has a pool thread answer `request`; false when the pool is closed
    /// (stopping), and the caller then answers inline.
    func answerLater(_ request: Request, exchange: Exchange, connection: OpaquePointer, method: String) -> Bool {
        guard let writePool else { return false }
        let handed = HandOver(value: (exchange, connection))
        // Suspended before the job can resume it: MHD ignores a resume of a connection not suspended.
        return writePool.submit(first: { MHD_suspend_connection(connection) }) { [self] in
            let (response, stream) = respond(to: request)
            let (exchange, connection) = handed.value
            exchange.deferred = DeferredAnswer(response: response, stream: stream, method: method,
                                               path: request.path, requestID: request.requestID)
            MHD_resume_connection(connection)
        }
    }

    /// Queues the answer a pool thread kept for this request (MHD calls the access handler again after the resume).
    func queueDeferred(_ answer: DeferredAnswer, exchange: Exchange, on connection: OpaquePointer) -> MHD_Result {
        exchange.deferred = nil
        writePool?.taken()
        exchange.body = []
        let ok = queue(answer.response, stream: answer.stream, on: connection)
        log(method: answer.method, path: answer.path, status: answer.response.status, requestID: answer.requestID,
            started: exchange.started)
        return ok
    }
}
