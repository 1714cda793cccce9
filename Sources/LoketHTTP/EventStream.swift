// One client's open event stream: a `StreamBuffer` under a lock, and the libmicrohttpd
// connection that drains it.
//
// libmicrohttpd pulls bytes through `streamReader` (a content-reader callback). When the buffer
// has nothing to send the reader suspends the connection, taking it out of MHD's event loop
// without a thread; the next change that leaves something to read (an event, a heartbeat, the
// end) resumes it. The buffer's rules live in `StreamBuffer`; this file only adds the lock and
// the parking.
//
// What a parked stream costs is mostly libmicrohttpd's: its connection, the response, and the
// connection's memory pool (`HTTPServerConfiguration.connectionMemoryBytes`, mapped on its own).
// MHD zeroes half the pool when it switches the connection from reading the request to sending
// the answer (it shrinks the read buffer), so every page of it would stay resident for as long
// as the display is open, though a stream only ever writes its small events at the front of the
// write buffer MHD hands the reader. A parking reader therefore gives the whole pages of that
// buffer back to the kernel (`madvise(MADV_DONTNEED)`: they read as zeros again, as MHD left
// them, and cost nothing until written).
//
// That left two pages of the nine: the first (the request text, then the bytes the reader writes)
// and the last, where MHD keeps its list of the request's headers (allocated from the pool's end,
// just past the reader's buffer). MHD reads that list only while it parses the request and decides
// on keep-alive, both before the first byte of the stream, and we copied the headers out before
// answering; so when the pool is mapped on its own (its end is a page boundary, nothing else shares
// the page) the parking reader releases the page its buffer ends in as well. Should anything read
// the list afterwards, a zeroed entry has no kind and no next: the list reads as empty.
import CMicroHTTPD
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
    /// Whether whole pages of the buffer MHD hands the reader may hold bytes: true at first (MHD zeroed
    /// them), and again after a write that reached past the buffer's first page.
    private var readerPagesTouched = true
    /// Whether the connection's pool is mapped on its own, so the page the reader's buffer ends in
    /// holds nothing but MHD's header list and may be released too (see the top of this file).
    private var releasesPoolTail = false

    /// A stream replaying after `lastEventID` (nil: live only), live events held back until `finishReplay`.
    init(topic: String, lastEventID: Int64?, limits: StreamBuffer.Limits) {
        self.topic = topic
        self.buffer = StreamBuffer(lastEventID: lastEventID, limits: limits)
    }

    /// Changes the buffer under the lock, then resumes the connection if it was parked and now has
    /// something to read.
    func update(_ change: (inout StreamBuffer) -> Void) {
        if let parked = updateLeavingParked(change) { EventStream.resume(parked) }
    }

    /// Changes the buffer under the lock; returns the connection if it was parked and now has
    /// something to read. The caller must then pass it to `resume`, once, with no lock held.
    ///
    /// The resume happens after the lock is released: MHD_resume_connection takes MHD's cleanup
    /// mutex, and MHD holds that mutex while it frees a response (whose free callback takes `lock`),
    /// so resuming under `lock` could deadlock. A parked connection cannot go away until it is
    /// resumed, and only the caller that cleared `suspended` resumes it, so the hub may first fill
    /// every stream of a topic and then resume them all in one go.
    func updateLeavingParked(_ change: (inout StreamBuffer) -> Void) -> OpaquePointer? {
        lock.withLock {
            change(&buffer)
            guard suspended, buffer.isReadable, let connection else { return nil }
            suspended = false
            return connection
        }
    }

    /// True while the reader has parked the connection (for tests).
    var isParked: Bool { lock.withLock { suspended } }

    /// Lets MHD drain a connection returned by `updateLeavingParked`.
    static func resume(_ parked: OpaquePointer) {
        MHD_resume_connection(parked)
    }

    /// The MHD response that drains this stream on `connection`; `ended` runs once MHD frees it
    /// (the stream ended or the client went away). `poolIsMapped`: the connection's pool is mapped
    /// on its own (`HTTPServerConfiguration.connectionPoolIsMapped`). Nil if MHD cannot make the response.
    func makeResponse(connection: OpaquePointer, poolIsMapped: Bool,
                      ended: @escaping @Sendable (EventStream) -> Void) -> OpaquePointer? {
        lock.withLock {
            self.connection = connection
            self.releasesPoolTail = poolIsMapped
        }
        let context = Unmanaged.passRetained(StreamContext(stream: self, ended: ended)).toOpaque()
        // The block size is the buffer MHD allocates with the response, used only for HTTP/1.0 clients
        // (HTTP/1.1 chunks are written straight into the connection's pool): about an event's worth.
        guard let response = MHD_create_response_from_callback(LOKET_MHD_SIZE_UNKNOWN, EventStream.http10BlockBytes,
                                                               streamReader, context, streamFreed) else {
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
            // MHD follows a chunk with two bytes of its own.
            if n + 2 > EventStream.bytesBeforeWholePages(of: out) { readerPagesTouched = true }
            return n
        case .end:
            return LOKET_MHD_READER_END_OF_STREAM
        case .empty:
            // Nothing to send: park the connection until an event, a heartbeat or the end wakes it.
            if readerPagesTouched {
                EventStream.releaseWholePages(of: out, throughLastPage: releasesPoolTail)
                readerPagesTouched = false
            }
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

extension EventStream {
    /// The response's own buffer, which only HTTP/1.0 clients use (MHD allocates it with every stream).
    /// Keep it below a page: `releaseWholePages` tells it from the pool's write buffer by that.
    static let http10BlockBytes = 256

    /// The memory page size.
    static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Bytes from the start of `buffer` to its first page boundary: writes shorter than this touch no whole page.
    static func bytesBeforeWholePages(of buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        let address = UInt(bitPattern: base)
        let mask = UInt(pageBytes - 1)
        return Int(((address + mask) & ~mask) - address)
    }

    /// Gives the pages that lie wholly inside `buffer` back to the kernel; they read as zeros afterwards.
    /// With `throughLastPage`, also the page `buffer` ends in, up to its end, provided `buffer` holds
    /// a whole page (so it is the write buffer in the pool, not the small block of an HTTP/1.0 response).
    ///
    /// `buffer` is what MHD handed the reader to fill: nothing else lives in those pages, and MHD
    /// reads back only the bytes a reader reports. Past the pool's write buffer, up to the next page
    /// boundary, lie only the pool's allocations from its end (the header list) when the pool is
    /// mapped on its own; only then may `throughLastPage` be set. HTTP/1.0 streams are read into the
    /// response's own `http10BlockBytes` block, from malloc: the page after it belongs to the heap,
    /// which the whole-page condition keeps out. Returns how many bytes were released.
    @discardableResult
    static func releaseWholePages(of buffer: UnsafeMutableRawBufferPointer, throughLastPage: Bool = false) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        let skip = bytesBeforeWholePages(of: buffer)
        guard buffer.count > skip else { return 0 }
        let wholePages = (buffer.count - skip) / pageBytes
        guard wholePages > 0 else { return 0 }
        let length = throughLastPage
            ? (buffer.count - skip + pageBytes - 1) / pageBytes * pageBytes
            : wholePages * pageBytes
        guard length > 0 else { return 0 }
        #if os(Linux)
        return madvise(base + skip, length, MADV_DONTNEED) == 0 ? length : 0
        #else
        return 0
        #endif
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
