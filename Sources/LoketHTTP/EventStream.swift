// One client's open event stream: a `StreamBuffer` under a lock, and the libmicrohttpd
// connection that drains it.
//
// libmicrohttpd pulls bytes through `streamReader` (a content-reader callback). When the buffer
// has nothing to send the reader suspends the connection, taking it out of MHD's event loop
// without a thread; the next change that leaves something to read (an event, a heartbeat, the
// end) resumes it. The buffer's rules live in `StreamBuffer`; this file only adds the lock and
// the parking.
import CMicroHTTPD
import Foundation

/// An open event stream, shared by the hub (which feeds it) and MHD (which drains it).
final class EventStream: @unchecked Sendable {
    // @unchecked: `buffer`, `connection` and `suspended` are only touched inside `lock`.
    /// The hub topic the stream follows.
    let topic: String
    private let lock = NSLock()
    private var buffer: StreamBuffer
    /// The connection that drains the stream; nil before `makeResponse` and after MHD freed the response.
    private var connection: OpaquePointer?
    /// True while the reader has parked the connection. Whoever sets it back to false resumes the connection.
    private var suspended = false

    /// A stream replaying after `lastEventID` (nil: live only), live events held back until `finishReplay`.
    init(topic: String, lastEventID: Int64?, limits: StreamBuffer.Limits) {
        self.topic = topic
        self.buffer = StreamBuffer(lastEventID: lastEventID, limits: limits)
    }

    /// Changes the buffer under the lock, then resumes the connection if it was parked and now has
    /// something to read.
    ///
    /// The resume happens after the lock is released: MHD_resume_connection takes MHD's cleanup
    /// mutex, and MHD holds that mutex while it frees a response (whose free callback takes `lock`),
    /// so resuming under `lock` could deadlock. A parked connection cannot go away until it is
    /// resumed, and only the caller that cleared `suspended` resumes it.
    func update(_ change: (inout StreamBuffer) -> Void) {
        let parked: OpaquePointer? = lock.withLock {
            change(&buffer)
            guard suspended, buffer.isReadable, let connection else { return nil }
            suspended = false
            return connection
        }
        if let parked { MHD_resume_connection(parked) }
    }

    /// The MHD response that drains this stream on `connection`; `ended` runs once MHD frees it
    /// (the stream ended or the client went away). Nil if MHD cannot make the response.
    func makeResponse(connection: OpaquePointer, ended: @escaping @Sendable (EventStream) -> Void) -> OpaquePointer? {
        lock.withLock { self.connection = connection }
        let context = Unmanaged.passRetained(StreamContext(stream: self, ended: ended)).toOpaque()
        guard let response = MHD_create_response_from_callback(LOKET_MHD_SIZE_UNKNOWN, 16 * 1024, streamReader, context, streamFreed) else {
            Unmanaged<StreamContext>.fromOpaque(context).release()
            lock.withLock { self.connection = nil }
            return nil
        }
        return response
    }

    /// The reader's work: copies unsent bytes into `out`, or parks the connection when there are none.
    /// Runs on the connection's MHD thread.
    fileprivate func read(into out: UnsafeMutableRawBufferPointer) -> Int {
        guard out.count > 0 else { return 0 }
        lock.lock()
        defer { lock.unlock() }
        switch buffer.drain(into: out) {
        case .bytes(let n):
            return n
        case .end:
            return LOKET_MHD_READER_END_OF_STREAM
        case .empty:
            // Nothing to send: park the connection until an event, a heartbeat or the end wakes it.
            suspended = true
            MHD_suspend_connection(connection)
            return 0
        }
    }

    /// MHD freed the response: the stream is over.
    fileprivate func detach() {
        lock.withLock {
            buffer.close()
            connection = nil
        }
    }
}

/// What MHD holds (retained) for the reader and free callbacks of one stream response.
private final class StreamContext {
    let stream: EventStream
    let ended: @Sendable (EventStream) -> Void
    init(stream: EventStream, ended: @escaping @Sendable (EventStream) -> Void) {
        self.stream = stream
        self.ended = ended
    }
}

private let streamReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return LOKET_MHD_READER_END_WITH_ERROR }
    let stream = Unmanaged<StreamContext>.fromOpaque(cls).takeUnretainedValue().stream
    return stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

private let streamFreed: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeRetainedValue()
    context.stream.detach()
    context.ended(context.stream)
}
