// A parking stream gives the whole pages of the reader's buffer back to the kernel: only those,
// never the bytes before the first page boundary, and the pages read as zeros afterwards.
import Foundation
import Testing
@testable import LoketHTTP
#if canImport(Glibc)
import Glibc
#endif

@Suite("EventStream pages")
struct EventStreamPagesTests {
    #if os(Linux)
    /// Which of the `pages` pages from `base` are resident (mincore).
    private func resident(_ base: UnsafeMutableRawPointer, pages: Int) -> [Bool] {
        var vector = [UInt8](repeating: 0, count: pages)
        #expect(mincore(base, pages * EventStream.pageBytes, &vector) == 0)
        return vector.map { $0 & 1 == 1 }
    }

    @Test("whole pages inside the reader's buffer are released and read as zeros; the rest is untouched",
          arguments: [0, 1, 300, 4095])
    func releasesWholePages(startOffset: Int) throws {
        let page = EventStream.pageBytes
        let pages = 9
        let base = try #require(mmap(nil, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(base != UnsafeMutableRawPointer(bitPattern: -1), "mmap failed")
        defer { munmap(base, pages * page) }
        memset(base, 0x5A, pages * page)
        #expect(resident(base, pages: pages).allSatisfy { $0 })

        // A buffer from `startOffset` that ends 200 bytes into the last page, as MHD's write buffer
        // ends where the pool's allocations from the end begin.
        let length = (pages - 1) * page + 200 - startOffset
        let buffer = UnsafeMutableRawBufferPointer(start: base + startOffset, count: length)
        let before = EventStream.bytesBeforeWholePages(of: buffer)
        #expect(before == (startOffset == 0 ? 0 : page - startOffset))
        let released = EventStream.releaseWholePages(of: buffer)
        let firstWhole = startOffset == 0 ? 0 : 1
        #expect(released == (pages - 1 - firstWhole) * page)

        let after = resident(base, pages: pages)
        #expect(after[pages - 1], "the page the buffer only partly covers stays")
        #expect(after[0] == (firstWhole == 1), "the page before the first boundary stays unless wholly inside")
        #expect(after[firstWhole..<(pages - 1)].allSatisfy { !$0 }, "\(after)")
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        for i in 0..<(pages * page) {
            let inReleased = i >= firstWhole * page && i < (pages - 1) * page
            if bytes[i] != (inReleased ? 0 : 0x5A) {
                Issue.record("byte \(i) is \(bytes[i])")
                break
            }
        }
    }

    @Test("throughLastPage also releases the page the buffer ends in, up to its boundary, and nothing past it",
          arguments: [0, 300])
    func releasesThroughLastPage(startOffset: Int) throws {
        let page = EventStream.pageBytes
        let pages = 10  // nine for the pool, one after it that must stay
        let base = try #require(mmap(nil, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(base != UnsafeMutableRawPointer(bitPattern: -1), "mmap failed")
        defer { munmap(base, pages * page) }
        memset(base, 0x5A, pages * page)

        // MHD's write buffer ends where the header list (allocated from the pool's end) begins.
        let length = 8 * page + 200 - startOffset
        let buffer = UnsafeMutableRawBufferPointer(start: base + startOffset, count: length)
        let firstWhole = startOffset == 0 ? 0 : 1
        #expect(EventStream.releaseWholePages(of: buffer, throughLastPage: true) == (9 - firstWhole) * page)

        let after = resident(base, pages: pages)
        #expect(after[0] == (firstWhole == 1), "the page before the first boundary stays unless wholly inside")
        #expect(after[firstWhole..<9].allSatisfy { !$0 }, "\(after)")
        #expect(after[9], "the page past the pool's end stays")
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        for i in 0..<(pages * page) {
            let inReleased = i >= firstWhole * page && i < 9 * page
            if bytes[i] != (inReleased ? 0 : 0x5A) {
                Issue.record("byte \(i) is \(bytes[i])")
                break
            }
        }
    }

    @Test("throughLastPage leaves a buffer smaller than a page alone, even across a boundary (an HTTP/1.0 block on the heap)")
    func smallBufferThroughLastPage() throws {
        let page = EventStream.pageBytes
        let base = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(base, 2 * page) }
        memset(base, 1, 2 * page)
        let buffer = UnsafeMutableRawBufferPointer(start: base + page - 100, count: EventStream.http10BlockBytes)
        #expect(EventStream.releaseWholePages(of: buffer, throughLastPage: true) == 0)
        #expect(resident(base, pages: 2) == [true, true])
        #expect(base.load(fromByteOffset: page + 500, as: UInt8.self) == 1)
    }

    @Test("the pool is mapped on its own above 32 KiB only, as libmicrohttpd decides")
    func poolMapping() {
        #expect(HTTPServerConfiguration(connectionMemoryBytes: 36 * 1024).connectionPoolIsMapped)
        #expect(!HTTPServerConfiguration(connectionMemoryBytes: 32 * 1024).connectionPoolIsMapped)
        #expect(!HTTPServerConfiguration(connectionMemoryBytes: 16 * 1024).connectionPoolIsMapped)
    }

    @Test("a buffer with no whole page in it releases nothing")
    func smallBuffer() throws {
        let page = EventStream.pageBytes
        let base = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(base, 2 * page) }
        memset(base, 1, 2 * page)
        let buffer = UnsafeMutableRawBufferPointer(start: base + page - 512, count: page)
        #expect(EventStream.releaseWholePages(of: buffer) == 0)
        #expect(resident(base, pages: 2) == [true, true])
    }
    #endif
}
