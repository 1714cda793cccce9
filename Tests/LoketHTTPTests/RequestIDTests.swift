// Request ids come from an atomic counter shared by MHD's threads (no lock): each is given out once.
import Foundation
import Logging
import Testing
@testable import LoketHTTP

@Suite("Request ids")
struct RequestIDTests {
    @Test("ids taken on many threads at once are unique, numbered 1...n after one prefix")
    func uniqueAcrossThreads() {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), hub: EventHub(),
                                logger: Logger(label: "test")) { _ in .noContent }
        let threads = 8, each = 5_000
        let ids = LockedBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var mine: [String] = []
            mine.reserveCapacity(each)
            for _ in 0..<each { mine.append(server.nextRequestID()) }
            ids.withLock { $0 += mine }
        }
        let all = ids.withLock { $0 }
        #expect(all.count == threads * each)
        #expect(Set(all).count == all.count)
        let prefixes = Set(all.map { $0.split(separator: "-").first.map(String.init) ?? "" })
        #expect(prefixes.count == 1)
        #expect(prefixes.first.map { !$0.isEmpty && $0.allSatisfy { $0.isNumber || ("a"..."z").contains($0) } } == true)
        let numbers = all.compactMap { $0.split(separator: "-").last.flatMap { Int($0) } }
        #expect(Set(numbers) == Set(1...(threads * each)))
    }
}
