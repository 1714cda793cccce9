// StreamBuffer on its own, no server: replay ordering, de-duplication, limits, heartbeats, draining.
// Each case is a script of steps run against a fresh buffer; what it drains is parsed as a client would.
import Foundation
import Testing
@testable import LoketHTTP

/// One thing that happens to a stream.
enum BufferStep: CustomStringConvertible, Sendable {
    /// A live event from the hub.
    case live(Int64)
    /// Several live events, ids in order.
    case liveRange(ClosedRange<Int64>)
    /// The replay is read: these missed events, ascending.
    case replay([Int64])
    case heartbeat
    case close
    /// The connection reads everything pending, `chunk` bytes at a time.
    case drain(chunk: Int)

    var description: String {
        switch self {
        case .live(let id): return "live \(id)"
        case .liveRange(let r): return "live \(r)"
        case .replay(let ids): return "replay \(ids)"
        case .heartbeat: return "heartbeat"
        case .close: return "close"
        case .drain(let chunk): return "drain by \(chunk)"
        }
    }
}

/// What a client saw after a script: event ids, heartbeat comments, whether the stream ended.
struct BufferSeen: Equatable, CustomStringConvertible {
    var ids: [Int64] = []
    var heartbeats = 0
    var ended = false
    var description: String { "ids \(ids), \(heartbeats) heartbeat(s)\(ended ? ", ended" : "")" }
}

private func event(_ id: Int64, bytes: Int = 0) -> ServerEvent {
    ServerEvent(id: id, name: "called", data: bytes == 0 ? "{\"n\":\(id)}" : String(repeating: "x", count: bytes))
}

/// Reads everything pending, `chunk` bytes at a time; returns the bytes and whether the end was signalled.
private func drainAll(_ buffer: inout StreamBuffer, chunk: Int) -> (bytes: [UInt8], ended: Bool) {
    var out: [UInt8] = []
    var scratch = [UInt8](repeating: 0, count: chunk)
    while true {
        let result = scratch.withUnsafeMutableBytes { buffer.drain(into: $0) }
        switch result {
        case .bytes(let n):
            #expect(n > 0 && n <= chunk)
            out += scratch[..<n]
        case .empty:
            return (out, false)
        case .end:
            return (out, true)
        }
    }
}

/// Parses wire bytes into what a client sees (blocks separated by an empty line).
private func parse(_ bytes: [UInt8], into seen: inout BufferSeen) {
    let text = String(decoding: bytes, as: UTF8.self)
    for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
        if block.hasPrefix(":") { seen.heartbeats += 1; continue }
        for line in block.split(separator: "\n") where line.hasPrefix("id: ") {
            seen.ids.append(Int64(line.dropFirst(4))!)
        }
    }
}

/// Runs `steps` on a buffer and returns what a client reading it saw (a final drain is added).
private func run(_ steps: [BufferStep], lastEventID: Int64?, maxPendingBytes: Int = 1 << 20, maxDeferred: Int = 100,
                 eventBytes: Int = 0) -> (BufferSeen, StreamBuffer) {
    var buffer = StreamBuffer(lastEventID: lastEventID,
                              limits: .init(maxPendingBytes: maxPendingBytes, maxDeferredEvents: maxDeferred))
    var wire: [UInt8] = []
    var seen = BufferSeen()
    for step in steps + [.drain(chunk: 4096)] {
        switch step {
        case .live(let id):
            let e = event(id, bytes: eventBytes)
            buffer.publish(id: e.id, wire: e.wire)
        case .liveRange(let range):
            for id in range {
                let e = event(id, bytes: eventBytes)
                buffer.publish(id: e.id, wire: e.wire)
            }
        case .replay(let ids):
            buffer.finishReplay(ids.map { event($0, bytes: eventBytes) })
        case .heartbeat:
            buffer.heartbeat()
        case .close:
            buffer.close()
        case .drain(let chunk):
            let (bytes, ended) = drainAll(&buffer, chunk: chunk)
            wire += bytes
            seen.ended = seen.ended || ended
        }
    }
    #expect(wire.starts(with: StreamBuffer.opening), "every stream opens with its retry block")
    parse(wire, into: &seen)
    return (seen, buffer)
}

struct BufferScript: CustomTestStringConvertible, Sendable {
    var name: String
    var lastEventID: Int64?
    var steps: [BufferStep]
    var expected: BufferSeen
    var testDescription: String { name }
}

@Suite("StreamBuffer")
struct StreamBufferTests {
    static let cases: [BufferScript] = [
        BufferScript(name: "live only: events as they come",
                     lastEventID: nil, steps: [.replay([]), .live(1), .live(2)], expected: BufferSeen(ids: [1, 2])),
        BufferScript(name: "replay then live",
                     lastEventID: 4, steps: [.replay([5, 6]), .live(7), .live(8)], expected: BufferSeen(ids: [5, 6, 7, 8])),
        BufferScript(name: "live during the replay is deferred, then sent after the missed events",
                     lastEventID: 4, steps: [.live(7), .live(8), .replay([5, 6]), .live(9)], expected: BufferSeen(ids: [5, 6, 7, 8, 9])),
        BufferScript(name: "nothing but the opening is sent while the replay runs",
                     lastEventID: 4, steps: [.live(7), .drain(chunk: 4096), .replay([5, 6])], expected: BufferSeen(ids: [5, 6, 7])),
        BufferScript(name: "a live event the replay also read is sent once",
                     lastEventID: 4, steps: [.live(6), .live(7), .replay([5, 6, 7]), .live(8)], expected: BufferSeen(ids: [5, 6, 7, 8])),
        BufferScript(name: "duplicate and older live ids are dropped",
                     lastEventID: nil, steps: [.replay([]), .live(3), .live(3), .live(2), .live(4)], expected: BufferSeen(ids: [3, 4])),
        BufferScript(name: "replayed events at or below Last-Event-ID are dropped",
                     lastEventID: 5, steps: [.replay([4, 5, 6]), .live(7)], expected: BufferSeen(ids: [6, 7])),
        BufferScript(name: "an id from the future replays nothing and then follows live events",
                     lastEventID: 1000, steps: [.live(51), .replay([]), .live(52)], expected: BufferSeen(ids: [51, 52])),
        BufferScript(name: "heartbeats are not sent while replaying",
                     lastEventID: 0, steps: [.heartbeat, .heartbeat, .replay([1]), .heartbeat], expected: BufferSeen(ids: [1], heartbeats: 1)),
        BufferScript(name: "heartbeats on a live stream",
                     lastEventID: nil, steps: [.replay([]), .heartbeat, .live(1), .heartbeat], expected: BufferSeen(ids: [1], heartbeats: 2)),
        BufferScript(name: "close ends the stream after what is pending; later events are ignored",
                     lastEventID: nil, steps: [.replay([]), .live(1), .close, .live(2), .heartbeat], expected: BufferSeen(ids: [1], ended: true)),
        BufferScript(name: "closed during the replay: the replay is not sent",
                     lastEventID: 0, steps: [.live(3), .close, .replay([1, 2])], expected: BufferSeen(ids: [], ended: true)),
        BufferScript(name: "too many deferred events close the stream",
                     lastEventID: 0, steps: [.liveRange(1...101), .replay([])], expected: BufferSeen(ids: [], ended: true)),
        BufferScript(name: "just enough deferred events are all sent",
                     lastEventID: 0, steps: [.liveRange(1...100), .replay([])], expected: BufferSeen(ids: Array(1...100))),
    ]

    @Test("scripts", arguments: cases)
    func script(_ c: BufferScript) {
        let (seen, _) = run(c.steps, lastEventID: c.lastEventID)
        #expect(seen == c.expected, "\(c.steps)")
    }

    @Test("a client that does not read is closed once too much is pending; it gets a consecutive prefix, then the end")
    func overflowCloses() {
        // Each event is about 1 kB; 10 kB may be pending.
        let (seen, buffer) = run([.replay([]), .liveRange(1...100)], lastEventID: nil, maxPendingBytes: 10_000, eventBytes: 1000)
        #expect(buffer.closed)
        #expect(seen.ended)
        #expect(!seen.ids.isEmpty && seen.ids.count < 100)
        #expect(seen.ids == Array(1...Int64(seen.ids.count)))
    }

    @Test("a client that keeps reading is never closed")
    func readingClientStaysOpen() {
        var steps: [BufferStep] = [.replay([])]
        for id in Int64(1)...200 { steps += [.live(id), .drain(chunk: 700)] }
        let (seen, buffer) = run(steps, lastEventID: nil, maxPendingBytes: 3_000, eventBytes: 1000)
        #expect(!buffer.closed)
        #expect(seen.ids == Array(1...200))
    }

    @Test("the replay is not counted against maxPendingBytes")
    func bigReplay() {
        let (seen, buffer) = run([.replay(Array(1...50))], lastEventID: 0, maxPendingBytes: 1_000, eventBytes: 100)
        #expect(!buffer.closed)
        #expect(seen.ids == Array(1...50))
    }

    @Test("draining by any chunk size yields the same bytes", arguments: [1, 3, 7, 64, 1000, 1 << 16])
    func drainByChunks(chunk: Int) {
        func filled() -> StreamBuffer {
            var b = StreamBuffer(lastEventID: 2, limits: .init(maxPendingBytes: 1 << 20, maxDeferredEvents: 100))
            b.publish(id: 4, wire: event(4).wire)
            b.finishReplay([event(3)])
            b.heartbeat()
            for id in Int64(5)...40 { b.publish(id: id, wire: event(id, bytes: Int(id) * 37).wire) }
            return b
        }
        var whole = filled()
        var pieces = filled()
        let expected = drainAll(&whole, chunk: 1 << 20).bytes
        let got = drainAll(&pieces, chunk: chunk).bytes
        #expect(got == expected)
        #expect(pieces.unsent == 0)
        #expect(!pieces.isReadable, "nothing left and not closed: the connection may park")
        var seen = BufferSeen()
        parse(got, into: &seen)
        #expect(seen.ids == Array(3...40))
        #expect(seen.heartbeats == 1)
    }

    @Test("sent bytes are given back while a client lags behind a steady publisher")
    func compaction() {
        var b = StreamBuffer(lastEventID: nil, limits: .init(maxPendingBytes: 1 << 20, maxDeferredEvents: 100))
        b.finishReplay([])
        var scratch = [UInt8](repeating: 0, count: 900)
        var sent = 0
        let largestChunk = event(2000, bytes: 1000).wire.count
        // About 1 kB in, 900 bytes out: the client never catches up, yet the buffer must not keep all it sent.
        for id in Int64(1)...2000 {
            b.publish(id: id, wire: event(id, bytes: 1000).wire)
            if case .bytes(let n) = scratch.withUnsafeMutableBytes({ b.drain(into: $0) }) { sent += n }
            // What was sent is kept only while it is fewer chunks than the compaction threshold or than what is unsent.
            #expect(b.heldBytes <= 2 * max(b.unsent + largestChunk, StreamBuffer.compactionChunks * largestChunk), "after event \(id)")
        }
        #expect(!b.closed)
        #expect(sent == 2000 * 900)
        #expect(b.heldBytes - b.unsent <= b.unsent + StreamBuffer.compactionChunks * largestChunk, "sent bytes kept")
        #expect(b.heldBytes < sent / 3)
    }

    @Test("an event queued on many streams is one shared array, and each drains it byte for byte")
    func sharedEvent() {
        let shared = event(7, bytes: 3000).wire
        let base = shared.withUnsafeBufferPointer { $0.baseAddress }
        var buffers = (0..<100).map { _ in
            var b = StreamBuffer(lastEventID: nil, limits: .init(maxPendingBytes: 1 << 20, maxDeferredEvents: 100))
            b.finishReplay([])
            return b
        }
        for i in buffers.indices { buffers[i].publish(id: 7, wire: shared) }
        for b in buffers {
            #expect(b.chunks.last.map { $0.withUnsafeBufferPointer { $0.baseAddress } } == base, "queued by reference, not copied")
        }
        for i in buffers.indices {
            // Drained in different chunk sizes, some splitting the shared event many times.
            let bytes = drainAll(&buffers[i], chunk: [1, 5, 64, 700, 4096][i % 5]).bytes
            #expect(bytes == StreamBuffer.opening + shared)
        }
        #expect(shared == event(7, bytes: 3000).wire, "draining never writes into the shared event")
    }

    @Test("a stream that stops reading is closed on its own; the streams sharing its events drain them intact")
    func stalledStreamAmongOthers() {
        let limits = StreamBuffer.Limits(maxPendingBytes: 20_000, maxDeferredEvents: 100)
        var stalled = StreamBuffer(lastEventID: nil, limits: limits)
        var readers = (0..<10).map { _ in StreamBuffer(lastEventID: nil, limits: limits) }
        stalled.finishReplay([])
        for i in readers.indices { readers[i].finishReplay([]) }
        var expected = StreamBuffer.opening
        var got = Array(repeating: [UInt8](), count: readers.count)
        for id in Int64(1)...200 {
            let wire = event(id, bytes: 900 + Int(id)).wire
            expected += wire
            stalled.publish(id: id, wire: wire)
            for i in readers.indices {
                readers[i].publish(id: id, wire: wire)
                got[i] += drainAll(&readers[i], chunk: 333 + i * 71).bytes
            }
        }
        #expect(stalled.closed, "more than 20 kB unsent: cut off")
        #expect(stalled.unsent <= 20_000 + 2000)
        for i in readers.indices {
            #expect(!readers[i].closed)
            #expect(got[i] == expected, "reader \(i)")
        }
    }

    @Test("the wire form of an event")
    func wire() {
        #expect(String(decoding: ServerEvent(id: 3, name: "queue", data: "a\nb").wire, as: UTF8.self)
                == "id: 3\nevent: queue\ndata: a\ndata: b\n\n")
    }
}
